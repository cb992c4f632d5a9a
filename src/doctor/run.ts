import type { Logger } from 'pino';
import { collectorDefinitions } from '../collectors/index.js';
import type { CollectorDefinition } from '../collectors/types.js';
import type { Config } from '../config/schema.js';
import { CollectorHealthLog } from '../scrape/health-log.js';
import { runScrape, type NamedCollector } from '../scrape/run.js';
import { diagnose } from './diagnose.js';
import type { Diagnosis } from './model.js';
import { samplesOf } from './samples.js';

/**
 * Receivers that only know what was sent to them since they started: a one-shot run learns nothing from
 * them, and binding their port would clash with the running daemon's.
 */
export const PASSIVE_COLLECTORS: ReadonlySet<string> = new Set(['statsd']);

/** Passes every record on, and keeps the errors of this one scrape: the doctor shows them with its findings. */
class RecordingHealthLog extends CollectorHealthLog {
  readonly errors = new Map<string, string>();

  constructor(logger: Logger, private readonly inner: CollectorHealthLog) {
    super(logger);
  }

  override record(collector: string, target: string, error: string | undefined): void {
    this.inner.record(collector, target, error);
    if (error !== undefined) this.errors.set(collector, error);
  }
}

/** One scrape through the orchestrator with the given collectors, read as a diagnosis. */
export async function diagnoseWith(collectors: readonly NamedCollector[], config: Config, logger: Logger, budgetMs: number, healthLog = new CollectorHealthLog(logger)): Promise<Diagnosis> {
  const started = performance.now();
  const recording = new RecordingHealthLog(logger, healthLog);
  const registry = await runScrape({ collectors, config, target: config.documentserver, scope: 'metrics', budgetMs, logger, healthLog: recording });
  const samples = await samplesOf(registry);
  // Why a collector failed, and why a part of a collector's source (a RabbitMQ source, a dependency) could not be read.
  const errors = new Map(recording.errors);
  for (const { name, collector } of collectors) {
    if (recording.errors.has(name)) continue;
    for (const [part, error] of collector.sourceErrors?.() ?? []) errors.set(`${name}/${part}`, error);
  }
  return diagnose(samples, config, { now: Date.now(), seconds: (performance.now() - started) / 1000, errors });
}

/** `npm run doctor`: makes the configured collectors, runs every check once, closes them. */
export async function runDoctor(config: Config, logger: Logger, budgetMs: number, definitions: readonly CollectorDefinition[] = collectorDefinitions): Promise<Diagnosis> {
  const collectors = definitions
    .filter((d) => d.scopes.includes('metrics') && !PASSIVE_COLLECTORS.has(d.name))
    .flatMap((d) => {
      const collector = d.create(config, logger.child({ collector: d.name }));
      return collector ? [{ name: d.name, collector }] : [];
    });
  try {
    // Checks that run on their own schedule (the conversion probe) start when made: wait for their first
    // result, for at most two thirds of the budget, so the one scrape has something true to read.
    const started = Date.now();
    const scheduled = collectors.map(({ collector }) => collector as { waitForRuns?: (count: number) => Promise<void> })
      .filter((c) => typeof c.waitForRuns === 'function');
    if (scheduled.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(scheduled.map((c) => c.waitForRuns!(1))),
        new Promise((resolve) => (timer = setTimeout(resolve, Math.floor((budgetMs * 2) / 3)))),
      ]);
      clearTimeout(timer);
    }
    return await diagnoseWith(collectors, config, logger, Math.max(budgetMs - (Date.now() - started), Math.floor(budgetMs / 3)));
  } finally {
    await Promise.all(collectors.map(async ({ name, collector }) => {
      try {
        await collector.close?.();
      } catch (error) {
        logger.warn({ collector: name, err: (error as Error).message }, 'collector did not close cleanly');
      }
    }));
  }
}
