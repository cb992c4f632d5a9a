import type { Logger } from 'pino';

export interface TransitionMessages {
  failing: string;
  recovered: string;
  /** Log field that carries the problem (default `problem`). */
  field?: string;
}

/** Logs a problem when it starts or changes, and once when it ends: never on every scrape. */
export class TransitionLog {
  private readonly problems = new Map<string, string>();

  constructor(
    private readonly logger: Logger,
    private readonly messages: TransitionMessages,
  ) {}

  record(key: string, fields: Record<string, unknown>, problem: string | undefined): void {
    const previous = this.problems.get(key);
    if (problem === previous) return;
    if (problem === undefined) {
      this.problems.delete(key);
      this.logger.info(fields, this.messages.recovered);
      return;
    }
    this.problems.set(key, problem);
    this.logger.warn({ ...fields, [this.messages.field ?? 'problem']: problem }, this.messages.failing);
  }
}
