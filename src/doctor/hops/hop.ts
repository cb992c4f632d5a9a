import type { CauseId } from '../causes.js';
import type { FindingCode } from '../messages.js';
import { worst, type Hop, type HopId, type Params, type Verdict } from '../model.js';
import type { HopContext } from './context.js';

/**
 * One hop of the diagnosis: a file in src/doctor/hops/ and a line in hops/index.ts. It reads the context (computed
 * before any hop runs) and writes only its own hop; a hop that needs another's result names it in `reads`, and the
 * list runs that one first (diagnose() refuses a read it was not told of).
 */
export interface HopCheck {
  readonly id: HopId;
  /** Hops whose verdict, findings or causes this one reads. */
  readonly reads?: readonly HopId[];
  check(ctx: HopContext, out: HopWriter, earlier: (id: HopId) => Readonly<Hop>): void;
}

/** What a hop writes: its findings, its causes, its verdict (the worst of those set), and `hop.because`. */
export class HopWriter {
  constructor(
    readonly hop: Hop,
    private readonly ctx: HopContext,
  ) {}

  note(code: FindingCode, params: Params = {}): void {
    this.hop.findings.push({ code, params });
  }

  cause(id: CauseId, params: Params = {}, warnOnly = false): void {
    this.hop.causes.push({ id, params, ...(warnOnly ? { warnOnly } : {}) });
  }

  set(verdict: Verdict): void {
    this.hop.verdict = worst([this.hop.verdict === 'skipped' ? 'ok' : this.hop.verdict, verdict]);
  }

  /** The hop could not be checked: its collector failed (with why, when the scrape said). */
  failedCollector(collector: string, causeId: CauseId = 'check_failed'): void {
    this.set('unknown');
    this.note('collector_failed', { collector, ...this.ctx.errorOf(collector) });
    this.cause(causeId, { collector, ...this.ctx.errorOf(collector) });
  }
}
