import type { Logger } from 'pino';
import { TransitionLog } from '../lib/transition-log.js';

/** Logs a collector's failure when it starts and its recovery when it ends, not on every scrape. */
export class CollectorHealthLog {
  private readonly log: TransitionLog;

  constructor(logger: Logger) {
    this.log = new TransitionLog(logger, {
      failing: 'collector failed',
      recovered: 'collector recovered',
      field: 'err',
    });
  }

  record(collector: string, target: string, error: string | undefined): void {
    this.log.record(`${collector}\u0000${target}`, { collector, target }, error);
  }
}
