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

/** One scrape through the orchestrator with the given collectors, read as a diagnosis. */
export async function diagnoseWith(collectors: readonly NamedCollector[], config: Config, logger: Logger, budgetMs: number, healthLog = new CollectorHealthLog(logger)): Promise<Diagnosis> {
  const started = performance.now();
  const registry = await runScrape({ collectors, config, target: config.documentserver, scope: 'metrics', budgetMs, logger, healthLog });
  const samples = await samplesOf(registry);
  return diagnose(samples, config, { now: Date.now(), seconds: (performance.now() - started) / 1000 });
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
    return await diagnoseWith(collectors, config, logger, budgetMs);
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
