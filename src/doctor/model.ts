import type { CauseId } from './causes.js';
import type { FindingCode } from './messages.js';
import type { HopId, Verdict } from './vocabulary.js';

export { HOP_IDS, type HopId, type Verdict } from './vocabulary.js';

export type Params = Record<string, string | number>;

export interface Finding {
  readonly code: FindingCode;
  readonly params: Params;
}

export interface CauseRef {
  readonly id: CauseId;
  readonly params: Params;
  /** Only a warning even when its hop fails for another reason (a certificate 10 days from its end). */
  readonly warnOnly?: boolean;
}

export interface Hop {
  readonly id: HopId;
  verdict: Verdict;
  findings: Finding[];
  causes: CauseRef[];
  /** This hop fails only because of another one (e.g. the proxy's 502 because docservice is down). */
  because?: HopId;
}

export interface Diagnosis {
  readonly verdict: Verdict;
  /** documentserver.url, redacted. */
  readonly target: string;
  /** A fleet target's name (probe.targets.N.name). */
  readonly name?: string;
  readonly publicUrl?: string;
  readonly checkedAt: string;
  readonly seconds: number;
  readonly hops: Hop[];
  /** Root causes, most fundamental first: the fix to try first is the first one's. */
  readonly causes: (CauseRef & { hop: HopId; severity: 'fail' | 'warn' })[];
}

const RANK: Record<Verdict, number> = { skipped: 0, ok: 1, warn: 2, unknown: 3, fail: 4 };

export function worst(verdicts: Iterable<Verdict>): Verdict {
  let result: Verdict = 'ok';
  for (const v of verdicts) if (RANK[v] > RANK[result]) result = v;
  return result;
}

/** 0 all well, 1 warnings only, 2 a failure, 3 something could not be checked (Nagios plugin convention). */
export function exitCodeOf(verdict: Verdict): number {
  return { ok: 0, skipped: 0, warn: 1, fail: 2, unknown: 3 }[verdict];
}
