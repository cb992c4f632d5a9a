import { z } from 'zod';
import { redactUrl } from '../../lib/redact.js';
import { httpUrl, normaliseUrl } from '../types.js';
import { documentserverSection, type DocumentServerConfig } from './documentserver.js';

/** The collectors that can run on /probe (scope `probe`); test/unit/config.test.ts keeps this in step with them. */
export const PROBE_COLLECTORS = [
  'healthcheck',
  'endpoints',
  'websocket',
  'build_info',
  'commands',
  'license',
  'tls_endpoints',
] as const;

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

// Prometheus label names; `__*` is Prometheus' own, and instance and job are set by the exporter's /sd and the scrape job.
const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and "_", not starting with a digit')
  .refine(
    (name) => !name.startsWith('__') && name !== 'instance' && name !== 'job',
    'instance, job and names starting with "__" are set by Prometheus and /sd',
  );

const dsShape = documentserverSection.shape;
const dsJwt = dsShape.jwt.unwrap();

/**
 * One DocumentServer of the fleet: the keys of `documentserver`, each inherited from it when unset (no defaults here,
 * so that "unset" stays visible), plus a name and labels. `jwt: null` signs nothing even when `documentserver` does.
 */
export const targetObject = z
  .object({
    /** The target's DS, as documentserver.url. */
    url: dsShape.url.removeDefault(),
    /** What /probe?target=, /sd's instance, the doctor's --target and the status page call it; default: the URL. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'target names are letters, digits, "_", ".", ":" and "-"')
      .optional(),
    /** Prometheus labels /sd gives this target (site, team, ...). */
    labels: z.record(labelName, z.string().max(256, 'at most 256 characters')).default({}),
    /** The target's own reverse proxy; never inherited (the local DS's proxy is not the target's). */
    public_url: dsShape.public_url,
    /**
     * secret (or secret_file), header, browser_secret; inherited from documentserver.jwt when unset, `null` signs
     * nothing.
     */
    jwt: dsJwt
      .extend({ header: z.string().min(1).optional() })
      .nullable()
      .optional(),
    /** As documentserver.timeout; inherited when unset. */
    timeout: dsShape.timeout.removeDefault().optional(),
    /** As documentserver.insecure_skip_verify; inherited when unset. */
    insecure_skip_verify: dsShape.insecure_skip_verify.removeDefault().optional(),
    /** As documentserver.max_body_bytes; inherited when unset. */
    max_body_bytes: dsShape.max_body_bytes.removeDefault().optional(),
  })
  .strict();

const urlTarget = httpUrl.transform((url) => ({ url, labels: {} as Record<string, string> }));

/** A target as written: a URL string is the same as `{ url: ... }`. Not a z.union: its errors would hide the key at fault. */
export const probeTarget = z.unknown().transform((value, ctx) => {
  if (typeof value !== 'string' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'must be a URL or a mapping with url (and name, labels, public_url, jwt, ...)',
    });
    return z.NEVER;
  }
  const result = typeof value === 'string' ? urlTarget.safeParse(value) : targetObject.safeParse(value);
  if (result.success) return result.data as ProbeTarget;
  for (const issue of result.error.issues) ctx.addIssue(issue as z.IssueData);
  return z.NEVER;
});

export type ProbeTarget = z.infer<typeof targetObject>;

/** `probe`: which targets `/probe?target=` may reach (nothing else is ever contacted: no open proxy) and its modules. */
export const probeSection = z
  .object({
    /**
     * The DocumentServers /probe?target= may reach (by URL or name), also served on /sd: a URL, or a mapping with the
     * keys below. Two entries with one url or one name are refused.
     */
    targets: z
      .array(probeTarget)
      .default([])
      .superRefine((targets, ctx) => {
        // Two entries answering to one /probe?target= would make the answer depend on their order.
        const seen = new Map<string, number>();
        targets.forEach((target, index) => {
          for (const [kind, key] of [
            ['url', target.url],
            ['name', (target as ProbeTarget).name],
          ] as const) {
            if (key === undefined) continue;
            const earlier = seen.get(key);
            if (earlier !== undefined) {
              const shown = kind === 'url' ? redactUrl(key) : key;
              const message = `"${shown}" is also probe.targets.${earlier}; each target answers to one url and one name`;
              ctx.addIssue({ code: z.ZodIssueCode.custom, path: [index, kind], message });
            } else {
              seen.set(key, index);
            }
          }
        });
      }),
    /** `/probe?module=`: named sets of collectors, added to (or replacing) the built-in ones. */
    modules: z
      .record(moduleName, z.array(z.enum(PROBE_COLLECTORS)).min(1, 'a module runs at least one collector'))
      .default({})
      .transform((modules) => ({ ...DEFAULT_PROBE_MODULES, ...modules }) as Record<string, readonly ProbeCollector[]>),
  })
  .strict();

export type ProbeConfig = z.infer<typeof probeSection>;

/** A configured target with every setting resolved: its own keys, the rest from `documentserver`. */
export interface FleetTarget {
  readonly index: number;
  readonly name: string | undefined;
  /** What /sd hands Prometheus as `instance` and `target=`: the name, else the URL without credentials. */
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly settings: DocumentServerConfig;
}

/** The settings of a target: its own keys over `documentserver`'s, jwt.header included. */
export function resolveTarget(
  ds: DocumentServerConfig,
  target: ProbeTarget | { url: string; labels: Record<string, string> },
): DocumentServerConfig {
  const own = target as Partial<ProbeTarget>;
  const settings: DocumentServerConfig = {
    ...ds,
    url: target.url,
    public_url: own.public_url ?? ds.public_url,
    timeout: own.timeout ?? ds.timeout,
    insecure_skip_verify: own.insecure_skip_verify ?? ds.insecure_skip_verify,
    max_body_bytes: own.max_body_bytes ?? ds.max_body_bytes,
  };
  // A target with its own public_url says where its proxy is; one without must not inherit the local DS's public address.
  if (own.public_url === undefined) delete settings.public_url;
  if (own.jwt === null) {
    delete settings.jwt;
  } else if (own.jwt !== undefined) {
    settings.jwt = {
      ...ds.jwt,
      ...own.jwt,
      header: own.jwt.header ?? ds.jwt?.header ?? 'Authorization',
    } as DocumentServerConfig['jwt'];
  }
  return settings;
}

/** Every configured target, resolved once per loaded configuration, with lookups by url, name and /sd key. */
export class Fleet {
  readonly targets: readonly FleetTarget[];
  private readonly byKey = new Map<string, FleetTarget>();

  constructor(ds: DocumentServerConfig, probe: ProbeConfig) {
    this.targets = probe.targets.map((target, index) => {
      const name = (target as ProbeTarget).name;
      return {
        index,
        name,
        key: name ?? redactUrl(target.url),
        labels: target.labels,
        settings: resolveTarget(ds, target),
      };
    });
    // Names first, then URLs, then URLs without credentials (what /sd shows), the first entry winning.
    for (const target of this.targets) if (target.name !== undefined) this.byKey.set(target.name, target);
    for (const target of this.targets)
      if (!this.byKey.has(target.settings.url)) this.byKey.set(target.settings.url, target);
    for (const target of this.targets) if (!this.byKey.has(target.key)) this.byKey.set(target.key, target);
  }

  /** The target `/probe?target=` (or the doctor's --target) names: its name, or its URL (normalised). */
  find(nameOrUrl: string): FleetTarget | undefined {
    const direct = this.byKey.get(nameOrUrl);
    if (direct !== undefined) return direct;
    try {
      return this.byKey.get(normaliseUrl(nameOrUrl));
    } catch {
      return undefined;
    }
  }
}

const fleets = new WeakMap<ProbeConfig, Fleet>();

/** The fleet of a loaded configuration, made on first use and kept as long as the configuration is. */
export function fleetOf(config: { documentserver: DocumentServerConfig; probe: ProbeConfig }): Fleet {
  let fleet = fleets.get(config.probe);
  if (fleet === undefined) {
    fleet = new Fleet(config.documentserver, config.probe);
    fleets.set(config.probe, fleet);
  }
  return fleet;
}
