import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { DependencyTarget } from '../config/sections/dependencies.js';
import { checkDependency } from '../dependencies/probe.js';
import { TransitionLog } from '../lib/transition-log.js';
import { emit, gaugeFamily } from '../metrics/family.js';
import type { Collector, CollectorDefinition, ScrapeContext } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const DEPENDENCY_METRICS = {
  up: 'onlyoffice_dependency_up',
  duration: 'onlyoffice_dependency_duration_seconds',
} as const;

const UP = gaugeFamily(
  DEPENDENCY_METRICS.up,
  '1 when the dependency answered its protocol (PostgreSQL SSLRequest, AMQP Connection.Start, Redis PONG after AUTH), 0 otherwise.',
  ['dependency', 'address'],
);
const DURATION = gaugeFamily(
  DEPENDENCY_METRICS.duration,
  'How long the dependency check took, until the answer or the failure.',
  ['dependency', 'address'],
);

class DependenciesCollector implements Collector {
  private readonly transitions: TransitionLog;
  /** Why each dependency that is down failed its last check, by "dependency address". */
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly targets: DependencyTarget[],
    private readonly timeoutMs: number,
    logger: Logger,
  ) {
    this.transitions = new TransitionLog(logger, {
      failing: 'dependency does not answer',
      recovered: 'dependency answers again',
    });
  }

  sourceErrors(): ReadonlyMap<string, string> {
    return this.failures;
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    const results = await Promise.all(
      this.targets.map(async (target) => ({
        target,
        result: await checkDependency(target, ctx.signal, this.timeoutMs),
      })),
    );
    const up = emit(ctx, UP);
    const duration = emit(ctx, DURATION);
    for (const { target, result } of results) {
      const labels = { dependency: target.dependency, address: target.address };
      up.push({ labels, value: result.up ? 1 : 0 });
      duration.push({ labels, value: result.seconds });
      const key = `${target.dependency} ${target.address}`;
      const failure = result.up ? undefined : `${result.failure}: ${result.message}`;
      this.transitions.record(key, labels, failure);
      if (failure === undefined) this.failures.delete(key);
      else this.failures.set(key, failure);
    }
  }
}

const definition: CollectorDefinition = {
  name: 'dependencies',
  scopes: ['metrics'],
  runs: 'scrape',
  create(config: Config, logger: Logger) {
    if (!config.dependencies.enabled) return undefined;
    const { postgresql, rabbitmq, redis, timeout } = config.dependencies;
    const targets = [postgresql, rabbitmq, redis].filter((target): target is DependencyTarget => target !== false);
    return targets.length === 0 ? undefined : new DependenciesCollector(targets, timeout, logger);
  },
};

export default definition;
