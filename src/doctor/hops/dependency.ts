import dependenciesCollector from '../../collectors/dependencies.js';
import type { CauseId } from '../causes.js';
import type { DependencyName } from './context.js';
import { round } from './format.js';
import type { HopCheck } from './hop.js';

/** RabbitMQ, PostgreSQL or Redis at the protocol level: one hop each, judged beside DS's own /healthcheck. */
export function dependencyHop(name: DependencyName): HopCheck {
  return {
    id: name,
    reads: ['healthcheck'],
    check(ctx, out, earlier) {
      if (ctx.samples.collector(dependenciesCollector.name) === 0) {
        out.failedCollector(dependenciesCollector.name);
        return;
      }
      if (ctx.deps[name].length === 0) {
        out.note('not_configured', { key: `dependencies.${name}` });
        return;
      }
      const health = earlier('healthcheck');
      const healthHang = health.findings.some((f) => f.code === 'healthcheck_hang');
      for (const d of ctx.deps[name]) {
        const why = d.up === 1 ? {} : ctx.errorOf(`${dependenciesCollector.name}/${d.dependency} ${d.address}`);
        out.note(d.up === 1 ? 'dependency_up' : 'dependency_down', {
          address: d.address,
          seconds: round(d.seconds),
          ...why,
        });
        if (d.up === 1) {
          out.set('ok');
        } else if (health.verdict === 'ok') {
          // DS passes its own check without it: Community ignores Redis; otherwise DS uses another address.
          out.set('warn');
          if (name === 'redis') out.cause('redis_down', { ...ctx.depParams, address: d.address }, true);
          else out.cause('dependency_unreachable', { dependency: name, address: d.address }, true);
        } else {
          out.set('fail');
          const id: CauseId =
            name === 'rabbitmq'
              ? healthHang
                ? 'rabbitmq_frozen'
                : 'rabbitmq_down'
              : name === 'postgresql'
                ? healthHang
                  ? 'postgres_frozen'
                  : 'postgres_down'
                : 'redis_down';
          out.cause(id, { ...ctx.depParams, address: d.address });
        }
      }
    },
  };
}
