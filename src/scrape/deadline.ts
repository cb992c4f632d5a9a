/** Default scrape budget when Prometheus sends no X-Prometheus-Scrape-Timeout-Seconds header. */
export const DEFAULT_SCRAPE_TIMEOUT_MS = 10_000;

/**
 * How long this scrape may take, as blackbox_exporter does it: the timeout Prometheus announces,
 * minus an offset that leaves time to serialise and send the answer.
 */
export function scrapeBudgetMs(header: string | string[] | undefined, offsetMs: number): number {
  const text = Array.isArray(header) ? header[0] : header;
  const seconds = text === undefined ? NaN : Number.parseFloat(text);
  const announced = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_SCRAPE_TIMEOUT_MS;
  // Never below a small floor: a tiny announced timeout must still give collectors a chance.
  return Math.max(announced - offsetMs, Math.min(announced, 100));
}

/** Margin before the deadline at which collectors' own requests are aborted, so they can record the timeout. */
export function abortMarginMs(budgetMs: number): number {
  return Math.min(250, Math.floor(budgetMs * 0.1));
}
