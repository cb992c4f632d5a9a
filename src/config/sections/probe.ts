import { z } from 'zod';
import { httpUrl } from '../types.js';

/** The collectors that can run on /probe (scope `probe`); test/unit/config.test.ts keeps this in step with them. */
export const PROBE_COLLECTORS = ['healthcheck', 'endpoints', 'websocket', 'build_info', 'commands', 'license', 'tls_endpoints'] as const;

/**
 * Built-in modules: `documentserver` runs every DS check; `healthcheck` is blackbox_exporter's HTTPS probe
 * (is /healthcheck true, and the certificate of an https target), for fleets that want only up/down and expiry;
 * `websocket` is the editors' co-editing channel alone (blackbox_exporter's websocket names and the browser token).
 */
export const DEFAULT_PROBE_MODULES: Readonly<Record<string, readonly ProbeCollector[]>> = {
  documentserver: PROBE_COLLECTORS,
  healthcheck: ['healthcheck', 'tls_endpoints'],
  websocket: ['websocket'],
};

export type ProbeCollector = (typeof PROBE_COLLECTORS)[number];

const moduleName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'module names are letters, digits, "_", "." and "-"');

/** `probe`: which targets `/probe?target=` may reach (nothing else is ever contacted: no open proxy) and its modules. */
export const probeSection = z.object({
  targets: z.array(httpUrl).default([]),
  /** `/probe?module=`: named sets of collectors, added to (or replacing) the built-in ones. */
  modules: z.record(moduleName, z.array(z.enum(PROBE_COLLECTORS)).min(1, 'a module runs at least one collector'))
    .default({})
    .transform((modules) => ({ ...DEFAULT_PROBE_MODULES, ...modules }) as Record<string, readonly ProbeCollector[]>),
}).strict();

export type ProbeConfig = z.infer<typeof probeSection>;
