/** Default scrape budget when Prometheus sends no X-Prometheus-Scrape-Timeout-Seconds header. */
export const DEFAULT_SCRAPE_TIMEOUT_MS = 10_000;

/**
 * The most a scrape may be given, whatever the header says. Timers hold at most 2^31-1 ms (about 24.8 days); past
 * that Node fires them after 1 ms with a TimeoutOverflowWarning, which turned a huge header into an instant deadline.
 */
export const MAX_SCRAPE_BUDGET_MS = 3_600_000;

/**
 * How long this scrape may take, as blackbox_exporter does it: the timeout Prometheus announces,
 * minus an offset that leaves time to serialise and send the answer; never more than MAX_SCRAPE_BUDGET_MS.
 */
export function scrapeBudgetMs(header: string | string[] | undefined, offsetMs: number): number {
  const text = Array.isArray(header) ? header[0] : header;
  const seconds = text === undefined ? NaN : Number.parseFloat(text);
  // Infinity (1e400, or 1e308 seconds in ms) is a huge timeout, not a bad one: clamped below.
  const announced = seconds > 0 ? seconds * 1000 : DEFAULT_SCRAPE_TIMEOUT_MS;
  // Never below a small floor: a tiny announced timeout must still give collectors a chance.
  return Math.min(Math.max(announced - offsetMs, Math.min(announced, 100)), MAX_SCRAPE_BUDGET_MS);
}

/** Margin before the deadline at which collectors' own requests are aborted, so they can record the timeout. */
export function abortMarginMs(budgetMs: number): number {
  return Math.min(250, Math.floor(budgetMs * 0.1));
}
