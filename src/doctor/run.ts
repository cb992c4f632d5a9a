import type { Logger } from 'pino';
import { collectorDefinitions } from '../collectors/index.js';
import { closeCollectors, createCollectors, type CreatedCollector } from '../collectors/lifecycle.js';
import type { CollectorDefinition } from '../collectors/types.js';
import type { Config } from '../config/schema.js';
import { DEFAULT_PROBE_MODULES, type FleetTarget } from '../config/sections/probe.js';
import { CollectorHealthLog } from '../scrape/health-log.js';
import { runScrape, type NamedCollector } from '../scrape/run.js';
import { diagnose } from './diagnose.js';
import { worst, type Diagnosis, type HopId } from './model.js';
import { samplesOf } from './samples.js';

/** Passes every record on, and keeps the errors of this one scrape: the doctor shows them with its findings. */
class RecordingHealthLog extends CollectorHealthLog {
  readonly errors = new Map<string, string>();

  constructor(
    logger: Logger,
    private readonly inner: CollectorHealthLog,
  ) {
    super(logger);
  }

  override record(collector: string, target: string, error: string | undefined): void {
    this.inner.record(collector, target, error);
    if (error !== undefined) this.errors.set(collector, error);
  }
}

/** One scrape through the orchestrator with the given collectors, read as a diagnosis. */
export async function diagnoseWith(
  collectors: readonly NamedCollector[],
  config: Config,
  logger: Logger,
  budgetMs: number,
  healthLog = new CollectorHealthLog(logger),
): Promise<Diagnosis> {
  const started = performance.now();
  const recording = new RecordingHealthLog(logger, healthLog);
  const registry = await runScrape({
    collectors,
    config,
    target: config.documentserver,
    scope: 'metrics',
    budgetMs,
    logger,
    healthLog: recording,
  });
  const samples = await samplesOf(registry);
  // Why a collector failed, and why a part of a collector's source (a RabbitMQ source, a dependency) could not be read.
  const errors = new Map(recording.errors);
  for (const { name, collector } of collectors) {
    if (recording.errors.has(name)) continue;
    for (const [part, error] of collector.sourceErrors?.() ?? []) errors.set(`${name}/${part}`, error);
  }
  return diagnose(samples, config, { now: Date.now(), seconds: (performance.now() - started) / 1000, errors });
}

/** What /probe can see of a DocumentServer from afar: its URLs, its answers and its certificates. */
export const TARGET_HOPS: readonly HopId[] = ['proxy', 'docservice', 'healthcheck', 'jwt', 'certificates'];

/** The checks a target's diagnosis runs: every DS check of /probe (the built-in `documentserver` module). */
export const TARGET_COLLECTORS: readonly string[] = DEFAULT_PROBE_MODULES.documentserver!;

/** One probe of a fleet target (its own settings, scope `probe`), read as a diagnosis of the hops /probe sees. */
export async function diagnoseTarget(
  collectors: readonly NamedCollector[],
  config: Config,
  target: FleetTarget,
  logger: Logger,
  budgetMs: number,
  healthLog = new CollectorHealthLog(logger),
): Promise<Diagnosis> {
  const started = performance.now();
  const registry = await runScrape({
    collectors: collectors.filter((c) => TARGET_COLLECTORS.includes(c.name)),
    config,
    target: target.settings,
    scope: 'probe',
    budgetMs,
    logger,
    healthLog,
  });
  const samples = await samplesOf(registry);
  return diagnose(
    samples,
    { ...config, documentserver: target.settings },
    {
      now: Date.now(),
      seconds: (performance.now() - started) / 1000,
      hops: TARGET_HOPS,
      publicUrlKey: `probe.targets.${target.index}.public_url`,
      jwtKey: `probe.targets.${target.index}.jwt`,
      ...(target.name !== undefined ? { name: target.name } : {}),
    },
  );
}

/** `npm run doctor -- --target X` / `--all`: the given fleet targets, a few at a time, with the /probe collectors. */
export async function runDoctorTargets(
  config: Config,
  targets: readonly FleetTarget[],
  logger: Logger,
  budgetMs: number,
  definitions: readonly CollectorDefinition[] = collectorDefinitions,
): Promise<Diagnosis[]> {
  const collectors = createCollectors(
    definitions,
    config,
    logger,
    (d) => d.scopes.includes('probe') && TARGET_COLLECTORS.includes(d.name),
  );
  try {
    const results: Diagnosis[] = new Array(targets.length);
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const index = next++;
        results[index] = await diagnoseTarget(collectors, config, targets[index]!, logger, budgetMs);
      }
    };
    await Promise.all(Array.from({ length: Math.min(TARGET_CONCURRENCY, targets.length) }, worker));
    return results;
  } finally {
    await closeCollectors(collectors, logger);
  }
}

/** Targets diagnosed at once by --all and the fleet index: enough to finish a fleet in a few timeouts, few enough to be gentle. */
export const TARGET_CONCURRENCY = 8;

/** The worst verdict of a fleet and how many targets had each. */
export function fleetSummary(diagnoses: readonly Diagnosis[]): {
  verdict: Diagnosis['verdict'];
  counts: Record<string, number>;
} {
  const counts: Record<string, number> = {};
  for (const d of diagnoses) counts[d.verdict] = (counts[d.verdict] ?? 0) + 1;
  return { verdict: worst(diagnoses.map((d) => d.verdict)), counts };
}

/** `npm run doctor`: makes the configured collectors, runs every check once, closes them. */
export async function runDoctor(
  config: Config,
  logger: Logger,
  budgetMs: number,
  definitions: readonly CollectorDefinition[] = collectorDefinitions,
): Promise<Diagnosis> {
  // A passive collector (StatsD) only knows what was sent to it since it started: a one-shot run learns nothing from
  // it, and binding its port would clash with the running daemon's.
  const collectors = createCollectors(
    definitions,
    config,
    logger,
    (d) => d.scopes.includes('metrics') && d.runs !== 'passive',
  );
  try {
    const started = Date.now();
    await waitForFirstRuns(collectors, Math.floor((budgetMs * 2) / 3));
    return await diagnoseWith(
      collectors,
      config,
      logger,
      Math.max(budgetMs - (Date.now() - started), Math.floor(budgetMs / 3)),
    );
  } finally {
    await closeCollectors(collectors, logger);
  }
}

/**
 * Checks that run on their own schedule (the conversion probe) start when made: wait for their first result, for at
 * most `limitMs`, so the one scrape has something true to read.
 */
async function waitForFirstRuns(collectors: readonly CreatedCollector[], limitMs: number): Promise<void> {
  const scheduled = collectors.filter((c) => c.runs === 'schedule' && c.collector.waitForRuns !== undefined);
  if (scheduled.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(scheduled.map((c) => c.collector.waitForRuns!(1))),
    new Promise((resolve) => (timer = setTimeout(resolve, limitMs))),
  ]);
  clearTimeout(timer);
}
