import type { Logger } from 'pino';
import { collectorDefinitions } from './collectors/index.js';
import { closeCollectors, createCollectors } from './collectors/lifecycle.js';
import type { CollectorDefinition, Scope } from './collectors/types.js';
import { loadConfigFile } from './config/load.js';
import type { Config } from './config/schema.js';
import { createNotifier, type Notifier } from './notify/index.js';
import type { NamedCollector } from './scrape/run.js';

/** One configuration and the collectors made from it; replaced whole on reload. */
export interface Generation {
  readonly config: Config;
  readonly loadedAt: Date;
  /** Alert delivery to DingTalk/WeCom robots, when `notify` configures any. */
  readonly notifier: Notifier | undefined;
  collectorsFor(scope: Scope): NamedCollector[];
}

/**
 * Owns the current generation. A reload validates the new file first, so a bad config keeps the
 * old generation running untouched.
 */
export class Runtime {
  private current: (Generation & { all: (NamedCollector & { scopes: readonly Scope[] })[] }) | undefined;
  private reloading: Promise<Generation> | undefined;
  private reloadOutcome = { successful: false, successSeconds: 0 };
  private readonly loadListeners: ((generation: Generation) => void)[] = [];

  constructor(
    private readonly configFile: string | undefined,
    private readonly logger: Logger,
    private readonly definitions: readonly CollectorDefinition[] = collectorDefinitions,
  ) {}

  get generation(): Generation | undefined {
    return this.current;
  }

  /** The outcome of the last load or reload of the config file, as Prometheus' and blackbox_exporter's own gauges say it. */
  get lastReload(): { successful: boolean; successSeconds: number } {
    return this.reloadOutcome;
  }

  /** Called after each successful load or reload with the new generation (the report schedule re-arms from it). */
  onLoad(listener: (generation: Generation) => void): () => void {
    this.loadListeners.push(listener);
    return () => {
      const index = this.loadListeners.indexOf(listener);
      if (index >= 0) this.loadListeners.splice(index, 1);
    };
  }

  /** Loads the config and (re)creates the collectors; throws ConfigError and keeps the old generation on a bad file. */
  reload(): Promise<Generation> {
    // Concurrent reloads (SIGHUP while POST /-/reload runs) share one.
    this.reloading ??= this.load()
      .then(
        (generation) => {
          this.reloadOutcome = { successful: true, successSeconds: generation.loadedAt.getTime() / 1000 };
          return generation;
        },
        (error: unknown) => {
          this.reloadOutcome = { ...this.reloadOutcome, successful: false };
          throw error;
        },
      )
      .finally(() => {
        this.reloading = undefined;
      });
    return this.reloading;
  }

  private async load(): Promise<Generation> {
    const config = loadConfigFile(this.configFile);
    // Close before creating: the new collectors may need what the old ones hold (a UDP port, an events stream).
    const previous = this.current;
    if (previous) await closeCollectors(previous.all, this.logger);
    const all: (NamedCollector & { scopes: readonly Scope[] })[] = createCollectors(
      this.definitions,
      config,
      this.logger,
    );
    const notifier = createNotifier(config, this.logger);
    if (notifier) {
      // Its delivery counters ride along on /metrics like any collector, and it closes with them.
      all.push({
        name: 'notify',
        scopes: ['metrics'],
        collector: { collect: async (ctx) => notifier.collect(ctx.registry), close: () => notifier.close() },
      });
    }
    this.current = {
      config,
      loadedAt: new Date(),
      notifier,
      all,
      collectorsFor: (scope) => all.filter((entry) => entry.scopes.includes(scope)),
    };
    this.logger.info(
      { config: this.configFile ?? '(defaults)', collectors: all.map((entry) => entry.name) },
      'configuration loaded',
    );
    const generation = this.current;
    for (const listener of this.loadListeners) listener(generation);
    return generation;
  }

  async close(): Promise<void> {
    const previous = this.current;
    this.current = undefined;
    if (previous) await closeCollectors(previous.all, this.logger);
  }
}
