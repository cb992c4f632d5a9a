import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Collector, CollectorDefinition, Runs, Scope } from './types.js';

/** A collector made from its definition, with what the definition declares about it. */
export interface CreatedCollector {
  readonly name: string;
  readonly collector: Collector;
  readonly scopes: readonly Scope[];
  readonly runs: Runs;
}

/**
 * Makes the collectors `config` enables, each with a child logger named after it, in the definitions' order: one way
 * for the daemon's runtime, the doctor and the tests. Those running on their own schedule start now.
 */
export function createCollectors(
  definitions: readonly CollectorDefinition[],
  config: Config,
  logger: Logger,
  include: (definition: CollectorDefinition) => boolean = () => true,
): CreatedCollector[] {
  return definitions.filter(include).flatMap((definition) => {
    const collector = definition.create(config, logger.child({ collector: definition.name }));
    return collector ? [{ name: definition.name, collector, scopes: definition.scopes, runs: definition.runs }] : [];
  });
}

/** Closes every collector, together; one that fails to close is logged and does not stop the others. */
export async function closeCollectors(
  collectors: readonly { name: string; collector: Collector }[],
  logger: Logger,
): Promise<void> {
  await Promise.all(
    collectors.map(async ({ name, collector }) => {
      try {
        await collector.close?.();
      } catch (error) {
        logger.warn({ collector: name, err: (error as Error).message }, 'collector did not close cleanly');
      }
    }),
  );
}
