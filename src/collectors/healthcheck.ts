import { dsGet, PATHS } from '../documentserver/client.js';
import { emitValue, gaugeFamily } from '../metrics/family.js';
import type { CollectorDefinition } from './types.js';

const UP = gaugeFamily('onlyoffice_healthcheck_up', 'Whether DocumentServer /healthcheck answered "true" within the timeout.');
const DURATION = gaugeFamily('onlyoffice_healthcheck_duration_seconds', 'How long /healthcheck took to answer (or to fail).');

/**
 * GET /healthcheck on docservice. DS answers 200 with body `true` or `false` whatever happens
 * (the status code says nothing), and hangs while a dependency is frozen: only `true` in time is up.
 */
const healthcheck: CollectorDefinition = {
  name: 'healthcheck',
  scopes: ['metrics', 'probe'],
  runs: 'scrape',
  create: () => ({
    async collect(ctx) {
      const result = await dsGet(ctx, 'direct', PATHS.healthcheck);
      const up = result.ok && result.status === 200 && result.body.trim() === 'true';
      emitValue(ctx, UP, up ? 1 : 0);
      emitValue(ctx, DURATION, result.seconds);
    },
  }),
};

export default healthcheck;
