import { dsGet, PATHS } from '../documentserver/client.js';
import { gaugeValue } from '../metrics/gauge.js';
import type { CollectorDefinition } from './types.js';

/**
 * GET /healthcheck on docservice. DS answers 200 with body `true` or `false` whatever happens
 * (the status code says nothing), and hangs while a dependency is frozen: only `true` in time is up.
 */
const healthcheck: CollectorDefinition = {
  name: 'healthcheck',
  scopes: ['metrics', 'probe'],
  create: () => ({
    async collect(ctx) {
      const result = await dsGet(ctx, 'direct', PATHS.healthcheck);
      const up = result.ok && result.status === 200 && result.body.trim() === 'true';
      gaugeValue(ctx.registry, 'onlyoffice_healthcheck_up', 'Whether DocumentServer /healthcheck answered "true" within the timeout.', up ? 1 : 0);
      gaugeValue(ctx.registry, 'onlyoffice_healthcheck_duration_seconds', 'How long /healthcheck took to answer (or to fail).', result.seconds);
    },
  }),
};

export default healthcheck;
