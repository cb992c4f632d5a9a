import type { Config } from '../config/schema.js';
import { CAUSE_ORDER } from './causes.js';
import { contextOf, type DiagnoseOptions } from './hops/context.js';
import { round } from './hops/format.js';
import { HopWriter, type HopCheck } from './hops/hop.js';
import { HOPS } from './hops/index.js';
import { HOP_IDS, worst, type Diagnosis, type Hop, type HopId } from './model.js';
import type { Sample } from './samples.js';

export type { DiagnoseOptions } from './hops/context.js';
export { formatMs } from './hops/format.js';

/**
 * Reads one scrape's samples (the same series /metrics shows) as a chain of hops, each OK / WARN / FAIL /
 * UNKNOWN / SKIPPED with what was seen and, for failures, the most likely cause. It runs no check itself.
 * What several hops need is computed first (hops/context.ts); then each hop of hops/index.ts runs in turn.
 */
export function diagnose(samples: readonly Sample[], config: Config, options: DiagnoseOptions = {}): Diagnosis {
  const ctx = contextOf(samples, config, options);
  const hops = new Map<HopId, Hop>(HOP_IDS.map((id) => [id, { id, verdict: 'skipped', findings: [], causes: [] }]));
  const ran = new Set<HopId>();
  for (const check of HOPS) {
    check.check(ctx, new HopWriter(hops.get(check.id)!, ctx), (id) => earlier(check, id, ran, hops));
    ran.add(check.id);
  }

  const ordered = HOP_IDS.filter((id) => options.hops === undefined || options.hops.includes(id)).map((id) =>
    hops.get(id)!,
  );
  return {
    verdict: worst(ordered.map((h) => h.verdict)),
    target: ctx.direct,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(ctx.pub !== undefined ? { publicUrl: ctx.pub } : {}),
    checkedAt: new Date(ctx.now).toISOString(),
    seconds: round(options.seconds ?? 0),
    hops: ordered,
    causes: rootCauses(ordered),
  };
}

/** Another hop's result, for a hop that declared it reads it and runs after it. */
function earlier(check: HopCheck, id: HopId, ran: ReadonlySet<HopId>, hops: ReadonlyMap<HopId, Hop>): Readonly<Hop> {
  if (!check.reads?.includes(id) || !ran.has(id))
    throw new Error(`doctor hop ${check.id} reads ${id}: list ${id} in its reads and before it in hops/index.ts`);
  return hops.get(id)!;
}

/** The causes of the hops that failed or warned, most fundamental first; a hop explained by another adds none of its own. */
function rootCauses(ordered: readonly Hop[]): Diagnosis['causes'] {
  const causes: Diagnosis['causes'] = [];
  const seen = new Set<string>();
  for (const h of ordered) {
    if (h.because !== undefined || (h.verdict !== 'fail' && h.verdict !== 'warn' && h.verdict !== 'unknown')) continue;
    for (const c of h.causes) {
      const key = `${c.id}${JSON.stringify(c.params)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const { warnOnly, ...ref } = c;
      causes.push({ ...ref, hop: h.id, severity: h.verdict === 'warn' || warnOnly === true ? 'warn' : 'fail' });
    }
  }
  return causes.sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'fail' ? -1 : 1) ||
      CAUSE_ORDER.indexOf(a.id) - CAUSE_ORDER.indexOf(b.id),
  );
}
