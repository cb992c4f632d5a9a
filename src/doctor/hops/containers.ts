import dockerCollector, { CONTAINER_METRICS } from '../../collectors/docker.js';
import type { HopCheck } from './hop.js';

/** The stack's containers: state, health, restarts, how the last one ended. */
export const containers: HopCheck = {
  id: 'containers',
  check(ctx, out) {
    const s = ctx.samples;
    if (s.collector(dockerCollector.name) === 0) {
      out.failedCollector(dockerCollector.name, 'docker_unreachable');
      return;
    }
    if (ctx.containers.length === 0) {
      if (s.collector(dockerCollector.name) === undefined) out.note('not_configured', { key: 'docker' });
      else out.note('no_containers');
      return;
    }
    const health = s.stateSet(CONTAINER_METRICS.health, ['name'], 'status');
    for (const { name, state } of ctx.containers) {
      const status = health.get(JSON.stringify({ name }))?.state ?? 'none';
      const restarts = s.one(CONTAINER_METRICS.restarts, { name }) ?? 0;
      const exitCode = s.one(CONTAINER_METRICS.exitCode, { name });
      out.note('container', { name, state, health: status, restarts });
      if (state === 'running') {
        out.set(status === 'unhealthy' ? 'fail' : status === 'starting' ? 'warn' : 'ok');
        if (status === 'unhealthy') out.cause('container_unhealthy', { name });
      } else if (state === 'restarting') {
        out.set('fail');
        out.cause('container_restarting', { name, restarts });
      } else if (state === 'paused') {
        out.set('fail');
        out.cause('container_paused', { name });
      } else {
        out.set('fail');
        if (s.one(CONTAINER_METRICS.oomKilled, { name }) === 1) out.cause('container_oom', { name });
        else out.cause('container_down', { name, state, ...(exitCode !== undefined ? { exit_code: exitCode } : {}) });
      }
    }
  },
};
