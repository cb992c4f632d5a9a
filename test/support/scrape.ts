import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { closeCollectors, createCollectors } from '../../src/collectors/lifecycle.js';
import type { CollectorDefinition, Scope } from '../../src/collectors/types.js';
import type { Config } from '../../src/config/schema.js';
import type { DocumentServerConfig } from '../../src/config/sections/documentserver.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { CollectorHealthLog } from '../../src/scrape/health-log.js';
import { registerFamily, type Family } from '../../src/metrics/families.js';
import { runScrape, type NamedCollector } from '../../src/scrape/run.js';
import { parseExposition, type Sample } from './exposition.js';

export const silentLogger = pino({ level: 'silent' });

/** Families of read values as prom-client writes them (through a registry of their own). */
export function familiesText(families: readonly Family[]): Promise<string> {
  const registry = new Registry();
  for (const family of families) registerFamily(registry, family);
  return registry.metrics();
}

/** A validated config from a YAML text, as the daemon would load it. */
export function configFrom(yaml: string, env: Record<string, string> = {}): Config {
  return parseConfig(yaml, 'test', env);
}

/** The problems a config loader reports for `yaml` (each names its key); fails the test when it loads. */
export function configProblems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(yaml, 'test.yml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

export interface ScrapeResult {
  text: string;
  samples: Sample[];
  seconds: number;
}

/**
 * One scrape of collectors the test made and keeps (across scrapes, or to look inside), through the real
 * orchestrator: /metrics of `config`'s DocumentServer unless told otherwise.
 */
export async function scrapeCollector(
  collectors: NamedCollector | readonly NamedCollector[],
  config: Config,
  options: { scope?: Scope; target?: DocumentServerConfig; budgetMs?: number; logger?: Logger } = {},
): Promise<ScrapeResult> {
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  const registry = await runScrape({
    collectors: Array.isArray(collectors) ? collectors : [collectors as NamedCollector],
    config,
    target: options.target ?? config.documentserver,
    scope: options.scope ?? 'metrics',
    budgetMs: options.budgetMs ?? 5_000,
    logger,
    healthLog: new CollectorHealthLog(logger),
  });
  const text = await registry.metrics();
  return { text, samples: parseExposition(text), seconds: (performance.now() - started) / 1000 };
}

/** Creates the given collectors from `config`, runs one scrape through the real orchestrator, closes them. */
export async function scrapeWith(
  definitions: readonly CollectorDefinition[],
  config: Config,
  options: { scope?: Scope; target?: DocumentServerConfig; budgetMs?: number } = {},
): Promise<ScrapeResult> {
  const collectors = createCollectors(definitions, config, silentLogger);
  try {
    return await scrapeCollector(collectors, config, options);
  } finally {
    await closeCollectors(collectors, silentLogger);
  }
}
