import type { Logger } from 'pino';
import { Gauge, Registry } from 'prom-client';
import type { Collector, Scope, ScrapeContext } from '../collectors/types.js';
import type { Config } from '../config/schema.js';
import type { DocumentServerConfig } from '../config/sections/documentserver.js';
import { redactUrl } from '../lib/redact.js';
import { followSignal } from '../lib/timeout-signal.js';
import { boundRegistry, DEFAULT_LIMITS, type BoundsLog, type SeriesLimits } from './bounds.js';
import { abortMarginMs } from './deadline.js';
import type { CollectorHealthLog } from './health-log.js';

export interface NamedCollector {
  readonly name: string;
  readonly collector: Collector;
}

export interface ScrapeRequest {
  readonly collectors: readonly NamedCollector[];
  readonly config: Config;
  readonly target: DocumentServerConfig;
  readonly scope: Scope;
  readonly budgetMs: number;
  readonly logger: Logger;
  readonly healthLog: CollectorHealthLog;
  /** Counts and logs label values cut and series dropped by the limits (the daemon's own counters). */
  readonly bounds?: BoundsLog;
  readonly limits?: SeriesLimits;
}

class CollectorTimeout extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

/**
 * Runs every collector concurrently, each into its own fresh registry under the scrape deadline,
 * and merges the ones that finished. A collector that throws or overruns contributes only
 * onlyoffice_scrape_collector_success 0; whatever it writes later lands in a registry nobody reads.
 */
export async function runScrape(request: ScrapeRequest): Promise<Registry> {
  const started = performance.now();
  const deadline = Date.now() + request.budgetMs;
  const abortAt = request.budgetMs - abortMarginMs(request.budgetMs);
  const memo = new Map<string, Promise<unknown>>();
  const scrapeAbort = new AbortController();
  const scrapeAbortTimer = setTimeout(() => scrapeAbort.abort(new CollectorTimeout(abortAt)), abortAt);
  const targetLabel = redactUrl(request.target.url);
  const limits = request.limits ?? DEFAULT_LIMITS;

  // Shared requests still running when every collector is done belong to collectors that were given up on.
  let memosInFlight = 0;

  const results = await Promise.all(request.collectors.map(async ({ name, collector }) => {
    const registry = new Registry();
    const own = followSignal(scrapeAbort.signal);
    let hardTimer: NodeJS.Timeout | undefined;
    let logger: Logger | undefined;
    const ctx: ScrapeContext = {
      registry,
      signal: own.signal,
      deadline,
      config: request.config,
      target: request.target,
      scope: request.scope,
      // Made when a collector logs: most scrapes of most collectors never do, and a pino child costs.
      get logger() {
        logger ??= request.logger.child({ collector: name });
        return logger;
      },
      memo<T>(key: string, compute: (shared: AbortSignal) => Promise<T>): Promise<T> {
        let pending = memo.get(key) as Promise<T> | undefined;
        if (pending === undefined) {
          memosInFlight++;
          pending = compute(scrapeAbort.signal);
          const settled = () => {
            memosInFlight--;
          };
          pending.then(settled, settled);
          memo.set(key, pending);
        }
        return pending;
      },
    };
    const collectorStarted = performance.now();
    let error: string | undefined;
    try {
      await Promise.race([
        collector.collect(ctx),
        new Promise<never>((_, reject) => {
          hardTimer = setTimeout(() => reject(new CollectorTimeout(request.budgetMs)), request.budgetMs);
        }),
      ]);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    } finally {
      clearTimeout(hardTimer);
      // Late writers must not keep sockets busy after the answer went out.
      if (error !== undefined) own.controller.abort(new CollectorTimeout(request.budgetMs));
      own.clear();
    }
    const seconds = (performance.now() - collectorStarted) / 1000;
    let bounded: Registry | undefined;
    if (error === undefined) {
      try {
        const result = await boundRegistry(registry, limits);
        if (result.truncated > 0 || result.dropped > 0) request.bounds?.record(name, result.truncated, result.dropped, limits);
        bounded = result.registry;
      } catch (caught) {
        // A metric that cannot be read (e.g. a bad label value) fails its collector, not the scrape.
        error = `cannot read its metrics: ${caught instanceof Error ? caught.message : String(caught)}`;
      }
    }
    request.healthLog.record(name, targetLabel, error);
    return { name, bounded, error, seconds };
  }));
  clearTimeout(scrapeAbortTimer);
  if (memosInFlight > 0) scrapeAbort.abort(new CollectorTimeout(request.budgetMs));

  const meta = new Registry();
  const success = new Gauge({
    name: 'onlyoffice_scrape_collector_success',
    help: 'Whether a collector succeeded (1) or failed or timed out (0) in this scrape.',
    labelNames: ['collector'],
    registers: [meta],
  });
  const duration = new Gauge({
    name: 'onlyoffice_scrape_collector_duration_seconds',
    help: 'How long a collector took in this scrape.',
    labelNames: ['collector'],
    registers: [meta],
  });
  for (const result of results) {
    success.set({ collector: result.name }, result.error === undefined ? 1 : 0);
    duration.set({ collector: result.name }, result.seconds);
  }
  if (request.scope === 'probe') {
    new Gauge({ name: 'probe_duration_seconds', help: 'How long the probe took.', registers: [meta] })
      .set((performance.now() - started) / 1000);
  }
  const finished = results.flatMap((result) => (result.bounded ? [result.bounded] : []));
  return Registry.merge([meta, ...finished]);
}
