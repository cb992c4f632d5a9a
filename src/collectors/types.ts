import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { DocumentServerConfig } from '../config/sections/documentserver.js';

/** What one scrape asks of a collector. Everything here lives for this scrape only. */
export interface ScrapeContext {
  /** Fresh for every scrape: no label set survives from an earlier one. */
  readonly registry: Registry;
  /** Aborts shortly before the collector's deadline, so a collector can still record "timed out". */
  readonly signal: AbortSignal;
  /** Epoch milliseconds when the scrape gives up on this collector. */
  readonly deadline: number;
  readonly config: Config;
  /** The DocumentServer this scrape is about: `documentserver` for /metrics, the target for /probe. */
  readonly target: DocumentServerConfig;
  readonly scope: Scope;
  readonly logger: Logger;
  /**
   * Shares one in-flight result between collectors of the same scrape (e.g. one GET /healthcheck).
   * `compute` gets the scrape-wide signal: one collector giving up must not cancel what others await.
   */
  memo<T>(key: string, compute: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/**
 * `scrape`: it works when scraped, within the scrape's deadline. `schedule`: it works on its own timer or event stream
 * from creation (the conversion probe, docker's view and stats, supervisor checks) and a scrape reads its last
 * result. `passive`: it only receives (StatsD); a scrape writes what arrived.
 */
export type Runs = 'scrape' | 'schedule' | 'passive';

/** `metrics` serves GET /metrics; `probe` serves GET /probe?target= (fleet mode). */
export type Scope = 'metrics' | 'probe';

export interface Collector {
  collect(ctx: ScrapeContext): Promise<void>;
  /** Releases background resources (sockets, timers, event streams) on reload and shutdown. */
  close?(): Promise<void>;
  /**
   * Why parts of its source could not be read in its last scrape, by part (a RabbitMQ source, a dependency), while the
   * collector itself succeeded and exported a 0 for them: what the doctor shows beside that 0. Unredacted.
   */
  sourceErrors?(): ReadonlyMap<string, string>;
  /**
   * A collector that runs on its own schedule: resolves once `count` of its runs have finished, so a one-shot reader
   * (the doctor) has a result to read. Without it, the collector's first scrape already has one.
   */
  waitForRuns?(count: number): Promise<void>;
}

/**
 * The one contract every file in src/collectors/ exports as default.
 * `create` returns undefined when the configuration disables the collector.
 */
export interface CollectorDefinition {
  readonly name: string;
  readonly scopes: readonly Scope[];
  /** How it gets its figures (see Runs). */
  readonly runs: Runs;
  create(config: Config, logger: Logger): Collector | undefined;
}
