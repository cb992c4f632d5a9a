import type { FastifyInstance } from 'fastify';
import { fleetOf } from '../config/sections/probe.js';
import { redactUrl } from '../lib/redact.js';
import type { Runtime } from '../runtime.js';

/** One target group of Prometheus' HTTP service discovery (https://prometheus.io/docs/prometheus/latest/http_sd/). */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * probe.targets as Prometheus' http_sd_configs reads them: one group per DocumentServer, already carrying what the
 * blackbox-style relabelling would compute (`instance` and `__param_target` = the target's name, else its URL), so
 * the scrape job only points `__address__` at the exporter. Secrets never appear: URLs lose their user info, and
 * nothing else of a target's settings is shown.
 */
export function discoveryGroups(runtime: Runtime): TargetGroup[] {
  const generation = runtime.generation;
  if (!generation) return [];
  return fleetOf(generation.config).targets.map((target) => {
    const url = redactUrl(target.settings.url);
    const labels: Record<string, string> = {
      ...target.labels,
      instance: target.key,
      __param_target: target.key,
      __meta_onlyoffice_target_url: url,
    };
    if (target.name !== undefined) labels.__meta_onlyoffice_target_name = target.name;
    if (target.settings.public_url !== undefined)
      labels.__meta_onlyoffice_target_public_url = redactUrl(target.settings.public_url);
    return { targets: [url], labels };
  });
}

/** `GET /sd`: the configured targets for Prometheus' http_sd_configs, following reloads. */
export function registerDiscoveryRoutes(app: FastifyInstance, runtime: Runtime): void {
  app.get('/sd', (_request, reply) => {
    // Not ready yet: a 503 makes Prometheus keep the targets it had rather than drop them all.
    if (!runtime.generation) return reply.code(503).type('text/plain').send('not ready\n');
    return reply
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(discoveryGroups(runtime)));
  });
}
