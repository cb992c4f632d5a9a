import type { Family } from '../metrics/families.js';

/** node_exporter's --web.max-requests default. */
export const DEFAULT_MAX_REQUESTS = 40;

/**
 * How many scrapes (/metrics and /probe) run at once, as node_exporter's --web.max-requests. Past the limit a scrape
 * is refused at once (503) rather than started: on a starved CPU, scrapes that cannot finish in time would report
 * healthy targets as down, and each holds its targets' answers in memory.
 */
export class ScrapeAdmission {
  private running = 0;
  private refusedCount = 0;

  /** `maxRequests`: 0 for no limit. */
  constructor(readonly maxRequests = DEFAULT_MAX_REQUESTS) {}

  /** True when the scrape may start (then leave() must follow); false, and counted, when it is refused. */
  tryEnter(): boolean {
    if (this.maxRequests > 0 && this.running >= this.maxRequests) {
      this.refusedCount++;
      return false;
    }
    this.running++;
    return true;
  }

  leave(): void {
    this.running--;
  }

  get inFlight(): number {
    return this.running;
  }

  get refused(): number {
    return this.refusedCount;
  }

  family(): Family {
    return {
      name: 'onlyoffice_exporter_scrapes_refused_total',
      help: 'Scrapes (/metrics and /probe) answered 503 at once because --web.max-requests were running already, since start.',
      type: 'counter',
      values: [{ labels: {}, value: this.refusedCount }],
    };
  }
}
