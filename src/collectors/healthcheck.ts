import { dsGet, PATHS } from '../documentserver/client.js';
import { emitValue, gaugeFamily } from '../metrics/family.js';
import type { CollectorDefinition } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const HEALTHCHECK_METRICS = {
  up: 'onlyoffice_healthcheck_up',
  duration: 'onlyoffice_healthcheck_duration_seconds',
} as const;

const UP = gaugeFamily(
  HEALTHCHECK_METRICS.up,
  '1 when DocumentServer /healthcheck answered "true" within the timeout, 0 otherwise (false, an HTTP error or no answer).',
);
const DURATION = gaugeFamily(HEALTHCHECK_METRICS.duration, 'How long /healthcheck took to answer (or to fail).');

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
