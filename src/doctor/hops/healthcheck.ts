import healthcheckCollector, { HEALTHCHECK_METRICS } from '../../collectors/healthcheck.js';
import { storageProblem } from './disk.js';
import { round } from './format.js';
import type { HopCheck } from './hop.js';

/** /healthcheck: DS's own view of its dependencies. */
export const healthcheck: HopCheck = {
  id: 'healthcheck',
  check(ctx, out) {
    const s = ctx.samples;
    const healthUp = s.one(HEALTHCHECK_METRICS.up);
    if (s.collector(healthcheckCollector.name) === 0) {
      out.failedCollector(healthcheckCollector.name);
      return;
    }
    if (healthUp === undefined) return;
    const seconds = round(s.one(HEALTHCHECK_METRICS.duration) ?? 0);
    if (healthUp === 1) {
      out.set('ok');
      out.note('healthcheck_true', { seconds });
      return;
    }
    out.set('fail');
    if (ctx.docserviceDown) {
      out.note('healthcheck_no_answer', { seconds });
      out.hop.because = 'docservice';
      return;
    }
    // DS answers 200 true/false at once; no HTTP answer while docservice answers /index.html is a hang.
    const hang = ctx.endpoint('healthcheck', 'direct')?.status === 0 || seconds >= (ctx.ds.timeout / 1000) * 0.9;
    const { depParams, timeout } = ctx;
    out.note(hang ? 'healthcheck_hang' : 'healthcheck_false', { seconds, timeout });
    if (ctx.depDown('rabbitmq')) out.cause(hang ? 'rabbitmq_frozen' : 'rabbitmq_down', depParams);
    if (ctx.depDown('postgresql')) out.cause(hang ? 'postgres_frozen' : 'postgres_down', depParams);
    if (!hang && ctx.depDown('redis')) out.cause('redis_down', depParams);
    // A dependency that is down is the hop to fix; /healthcheck only reports it.
    const culprit = (['rabbitmq', 'postgresql', 'redis'] as const).find(
      (d) => ctx.checkedDown(d) && (d !== 'redis' || !hang),
    );
    if (culprit !== undefined) out.hop.because = culprit;
    if (out.hop.causes.length === 0) {
      const storage = storageProblem(s);
      if (!hang && storage) out.cause('storage_not_writable', storage);
      else out.cause(hang ? 'healthcheck_hang' : 'healthcheck_false', { ...depParams, timeout });
    }
  },
};
