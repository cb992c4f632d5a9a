import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Collector, Scope, ScrapeContext } from '../collectors/types.js';
import type { Config } from '../config/schema.js';
import type { DocumentServerConfig } from '../config/sections/documentserver.js';
import { emitValue, gaugeFamily } from '../metrics/family.js';
import { redactUrl } from '../lib/redact.js';
import { followSignal, type Follower } from '../lib/timeout-signal.js';
import { boundFamilies, DEFAULT_LIMITS, type BoundsLog, type SeriesLimits } from './bounds.js';
import { abortMarginMs } from './deadline.js';
import { readFamilies, registerFamily, type Family } from '../metrics/families.js';
import type { CollectorHealthLog } from './health-log.js';

const PROBE_SUCCESS = gaugeFamily(
  'probe_success',
  '1 when the probe succeeded (/healthcheck true when the module checks it, else every check finished), 0 when it failed.',
);
const PROBE_DURATION = gaugeFamily('probe_duration_seconds', 'How long the probe took.');

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

/** What the collectors of one scrape share: the deadlines, the scrape-wide signal and the shared requests. */
class SharedScrape {
  readonly deadline: number;
  readonly abort = new AbortController();
  readonly memo = new Map<string, Promise<unknown>>();
  /** Shared requests still running when every collector is done belong to collectors that were given up on. */
  memosInFlight = 0;
  /** One hard deadline for every collector of the scrape, rather than a timer and a promise each. */
  readonly hardDeadline: Promise<never>;
  private hardTimer: NodeJS.Timeout | undefined;
  private readonly abortTimer: NodeJS.Timeout;

  constructor(readonly request: ScrapeRequest) {
    this.deadline = Date.now() + request.budgetMs;
    const abortAt = request.budgetMs - abortMarginMs(request.budgetMs);
    this.abortTimer = setTimeout(() => this.abort.abort(new CollectorTimeout(abortAt)), abortAt);
    this.hardDeadline = new Promise<never>((_, reject) => {
      this.hardTimer = setTimeout(() => reject(new CollectorTimeout(request.budgetMs)), request.budgetMs);
    });
    this.hardDeadline.catch(() => undefined);
  }

  settle(): void {
    clearTimeout(this.abortTimer);
    clearTimeout(this.hardTimer);
    if (this.memosInFlight > 0) this.abort.abort(new CollectorTimeout(this.request.budgetMs));
  }
}

/**
 * One collector's view of the scrape. A class rather than an object of closures: a scrape makes one per
 * collector, and /probe at fleet scale makes thousands a second.
 */
class CollectorScrape implements ScrapeContext {
  readonly registry = new Registry();
  readonly deadline: number;
  readonly config: Config;
  readonly target: DocumentServerConfig;
  readonly scope: Scope;
  /** Made when the collector reads ctx.signal: collectors that only share requests (memo) never do. */
  private own: Follower | undefined;
  private gaveUp: CollectorTimeout | undefined;
  private child: Logger | undefined;

  constructor(
    private readonly shared: SharedScrape,
    readonly name: string,
  ) {
    this.deadline = shared.deadline;
    this.config = shared.request.config;
    this.target = shared.request.target;
    this.scope = shared.request.scope;
  }

  get signal(): AbortSignal {
    if (this.own === undefined) {
      this.own = followSignal(this.shared.abort.signal);
      // Read for the first time after the collector was given up on: born aborted.
      if (this.gaveUp !== undefined) this.own.controller.abort(this.gaveUp);
    }
    return this.own.signal;
  }

  /** Made when the collector logs: most scrapes of most collectors never do, and a pino child costs. */
  get logger(): Logger {
    this.child ??= this.shared.request.logger.child({ collector: this.name });
    return this.child;
  }

  memo<T>(key: string, compute: (shared: AbortSignal) => Promise<T>): Promise<T> {
    const { shared } = this;
    let pending = shared.memo.get(key) as Promise<T> | undefined;
    if (pending === undefined) {
      shared.memosInFlight++;
      pending = compute(shared.abort.signal);
      const settled = () => {
        shared.memosInFlight--;
      };
      pending.then(settled, settled);
      shared.memo.set(key, pending);
    }
    return pending;
  }

  /** Late writers must not keep sockets busy after the answer went out. */
  giveUp(): void {
    this.gaveUp = new CollectorTimeout(this.shared.request.budgetMs);
    this.own?.controller.abort(this.gaveUp);
  }

  done(): void {
    this.own?.clear();
  }
}

/** Each collector's success in a scrape, by `collector` label (what the doctor reads first of every hop). */
export const COLLECTOR_SUCCESS = 'onlyoffice_scrape_collector_success';

/**
 * Runs every collector concurrently, each into its own fresh registry under the scrape deadline,
 * and merges the ones that finished. A collector that throws or overruns contributes only
 * onlyoffice_scrape_collector_success 0; whatever it writes later lands in a registry nobody reads.
 */
export async function runScrape(request: ScrapeRequest): Promise<Registry> {
  const started = performance.now();
  const shared = new SharedScrape(request);
  const targetLabel = redactUrl(request.target.url);
  const limits = request.limits ?? DEFAULT_LIMITS;

  const results = await Promise.all(
    request.collectors.map(async ({ name, collector }) => {
      const ctx = new CollectorScrape(shared, name);
      const collectorStarted = performance.now();
      let error: string | undefined;
      try {
        await Promise.race([collector.collect(ctx), shared.hardDeadline]);
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      } finally {
        if (error !== undefined) ctx.giveUp();
        ctx.done();
      }
      const seconds = (performance.now() - collectorStarted) / 1000;
      let bounded: Family[] | undefined;
      if (error === undefined) {
        try {
          const result = boundFamilies(await readFamilies(ctx.registry), limits);
          if (result.truncated > 0 || result.dropped > 0)
            request.bounds?.record(name, result.truncated, result.dropped, limits);
          bounded = result.families;
        } catch (caught) {
          // A metric that cannot be read (e.g. a bad label value) fails its collector, not the scrape.
          error = `cannot read its metrics: ${caught instanceof Error ? caught.message : String(caught)}`;
        }
      }
      request.healthLog.record(name, targetLabel, error);
      return { name, bounded, error, seconds };
    }),
  );
  shared.settle();

  // One registry of read values for the answer: a name two collectors both register throws, as Registry.merge does.
  const answer = new Registry();
  registerFamily(answer, {
    name: COLLECTOR_SUCCESS,
    help: 'Whether a collector succeeded (1) or failed or timed out (0) in this scrape.',
    type: 'gauge',
    values: results.map((result) => ({
      labels: { collector: result.name },
      value: result.error === undefined ? 1 : 0,
    })),
  });
  registerFamily(answer, {
    name: 'onlyoffice_scrape_collector_duration_seconds',
    help: 'How long a collector took in this scrape.',
    type: 'gauge',
    values: results.map((result) => ({ labels: { collector: result.name }, value: result.seconds })),
  });
  if (request.scope === 'probe') {
    emitValue({ registry: answer }, PROBE_SUCCESS, probeSuccess(results));
    emitValue({ registry: answer }, PROBE_DURATION, (performance.now() - started) / 1000);
  }
  for (const result of results) {
    for (const family of result.bounded ?? []) registerFamily(answer, family);
  }
  return answer;
}

/**
 * blackbox_exporter's probe_success for a module: DS's own verdict (`onlyoffice_healthcheck_up`) when the module runs
 * the healthcheck collector, as the built-in `documentserver` and `healthcheck` modules do; else 1 when every
 * collector of the module finished (a module of certificates only, say).
 */
function probeSuccess(
  results: readonly { name: string; bounded: Family[] | undefined; error: string | undefined }[],
): number {
  const healthcheck = results.find((result) => result.name === 'healthcheck');
  if (healthcheck !== undefined) {
    const up = healthcheck.bounded?.find((family) => family.name === 'onlyoffice_healthcheck_up')?.values[0]?.value;
    return up === 1 ? 1 : 0;
  }
  return results.every((result) => result.error === undefined) ? 1 : 0;
}
