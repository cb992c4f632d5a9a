import type { Logger } from 'pino';

/** Logs a collector's failure when it starts and its recovery when it ends, not on every scrape. */
export class CollectorHealthLog {
  private readonly failing = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  record(collector: string, target: string, error: string | undefined): void {
    const key = `${collector}\u0000${target}`;
    const previous = this.failing.get(key);
    if (error === undefined) {
      if (previous !== undefined) {
        this.failing.delete(key);
        this.logger.info({ collector, target }, 'collector recovered');
      }
      return;
    }
    if (previous === error) return;
    this.failing.set(key, error);
    this.logger.warn({ collector, target, err: error }, 'collector failed');
  }
}
