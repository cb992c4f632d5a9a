import type { Logger } from 'pino';

export interface TransitionMessages {
  failing: string;
  recovered: string;
  /**
   * Logged (info, with the record's fields) when a key's first record finds no problem: "watching", "first
   * success". Without it that first record is silent: only a problem and its end are news.
   */
  first?: string;
  /**
   * Log field that carries the problem (default `problem`). False when the record's fields already describe it: the
   * problem is then only what tells one problem from the next (e.g. an outcome and its code, not the changing detail).
   */
  field?: string | false;
}

/** Logs a problem when it starts or changes, and once when it ends: never on every scrape. */
export class TransitionLog {
  private readonly problems = new Map<string, string>();
  /** Keys recorded at least once; only kept when messages.first is set. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly messages: TransitionMessages,
  ) {}

  record(key: string, fields: Record<string, unknown>, problem: string | undefined): void {
    const first = this.messages.first !== undefined && !this.seen.has(key);
    if (first) this.seen.add(key);
    const previous = this.problems.get(key);
    if (problem === previous) {
      if (first) this.logger.info(fields, this.messages.first);
      return;
    }
    if (problem === undefined) {
      this.problems.delete(key);
      this.logger.info(fields, this.messages.recovered);
      return;
    }
    this.problems.set(key, problem);
    const field = this.messages.field ?? 'problem';
    this.logger.warn(field === false ? fields : { ...fields, [field]: problem }, this.messages.failing);
  }
}
