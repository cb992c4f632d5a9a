import { createPrivateKey, X509Certificate } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z, type ZodError } from 'zod';
import { ConfigError } from '../config/load.js';
import { readBoundedFile, readErrorReason as reason } from '../lib/read-bounded-file.js';

/**
 * The Prometheus exporter-toolkit web configuration (`--web.config.file`), the file node_exporter,
 * blackbox_exporter and Prometheus itself read: TLS on the exporter's own endpoints and basic auth
 * with bcrypt hashes. Options this exporter does not implement are refused by name, never ignored.
 */

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS: Record<string, SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};
const VERSION_ORDER = ['TLS10', 'TLS11', 'TLS12', 'TLS13'];

// exporter-toolkit's extraHTTPHeaders: the only headers it lets a user set, some with fixed values.
const HEADERS: Record<string, readonly string[] | undefined> = {
  'Strict-Transport-Security': undefined,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': undefined,
  'Content-Security-Policy': undefined,
};

// $2a$/$2b$/$2y$ (htpasswd -B writes 2y), cost 04-31, 22 salt + 31 hash characters.
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

export interface WebTls {
  readonly cert: string;
  readonly key: string;
  /** PEM of the CAs client certificates are verified against; undefined: Node's default roots (as Go's nil ClientCAs). */
  readonly clientCa: string | undefined;
  readonly clientAuth: ClientAuthType;
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
}

export interface WebConfig {
  readonly tls: WebTls | undefined;
  /** user → bcrypt hash; empty: no basic auth. */
  readonly users: ReadonlyMap<string, string>;
  readonly headers: Readonly<Record<string, string>>;
}

export const EMPTY_WEB_CONFIG: WebConfig = { tls: undefined, users: new Map(), headers: {} };

const unsupported = (what: string) =>
  z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `is not supported by onlyoffice-exporter (${what}); remove it`,
        });
    });

const version = z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13'], {
  errorMap: () => ({ message: 'must be TLS10, TLS11, TLS12 or TLS13' }),
});
const text = z.string().min(1, 'must not be empty');

const schema = z
  .object({
    tls_server_config: z
      .object({
        cert_file: text.optional(),
        key_file: text.optional(),
        cert: text.optional(),
        key: text.optional(),
        client_ca_file: text.optional(),
        client_ca: text.optional(),
        client_auth_type: z
          .enum(CLIENT_AUTH_TYPES, { errorMap: () => ({ message: `must be one of ${CLIENT_AUTH_TYPES.join(', ')}` }) })
          .default('NoClientCert'),
        min_version: version.default('TLS12'),
        max_version: version.default('TLS13'),
        client_allowed_sans: unsupported(
          'check the client certificate with RequireAndVerifyClientCert and a dedicated CA instead',
        ),
        cipher_suites: unsupported("Node.js uses OpenSSL's cipher names and defaults"),
        prefer_server_cipher_suites: unsupported("the server's order is always preferred"),
        curve_preferences: unsupported("OpenSSL's defaults apply"),
      })
      .strict()
      .optional(),
    http_server_config: z
      .object({
        http2: z
          .boolean()
          .optional()
          .superRefine((value, ctx) => {
            if (value === true)
              ctx.addIssue({
                code: z.ZodIssueCode.custom,
                message: 'HTTP/2 is not supported (the exporter serves HTTP/1.1); set false or remove it',
              });
          }),
        headers: z
          .record(z.string(), z.string())
          .default({})
          .superRefine((headers, ctx) => {
            for (const [name, value] of Object.entries(headers)) {
              if (!(name in HEADERS)) {
                ctx.addIssue({
                  code: z.ZodIssueCode.custom,
                  path: [name],
                  message: `cannot be configured (only ${Object.keys(HEADERS).join(', ')})`,
                });
                continue;
              }
              const allowed = HEADERS[name];
              if (allowed && !allowed.includes(value))
                ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `must be ${allowed.join(' or ')}` });
              if (/[\r\n]/.test(value))
                ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: 'must be one line' });
            }
          }),
      })
      .strict()
      .default({}),
    basic_auth_users: z
      .record(z.string(), z.unknown())
      .nullable()
      .default({})
      .superRefine((users, ctx) => {
        for (const [user, hash] of Object.entries(users ?? {})) {
          // Never echo the hash: it is a secret too.
          if (user === '' || user.includes(':'))
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [user],
              message: 'a basic auth user name must not be empty or contain ":"',
            });
          if (typeof hash !== 'string' || !BCRYPT.test(hash)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [user],
              message: 'is not a bcrypt hash ($2y$10$... as `htpasswd -nBC 10 "" | tr -d \':\\n\'` prints)',
            });
          }
        }
      }),
    rate_limit: unsupported('put a reverse proxy in front to limit requests'),
  })
  .strict();

/** Reads, validates and loads (certificates, keys, CAs) the web config file; throws ConfigError naming the key. */
export function loadWebConfig(path: string): WebConfig {
  let source: string;
  try {
    source = readBoundedFile(path);
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${reason(error)}`]);
  }
  return parseWebConfig(source, path);
}

/** `path` names the file in errors; relative file names inside are resolved against its folder, as exporter-toolkit does. */
export function parseWebConfig(source: string, path: string): WebConfig {
  let raw: unknown;
  try {
    raw = parseYaml(source) ?? {};
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    throw new ConfigError(path, [`not valid YAML${where}: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(path, ['the top level must be a mapping']);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(path, describe(parsed.error));
  const value = parsed.data;
  const problems: string[] = [];
  const tls = value.tls_server_config ? loadTls(value.tls_server_config, dirname(path), problems) : undefined;
  if (problems.length > 0) throw new ConfigError(path, problems);
  const users = new Map(Object.entries(value.basic_auth_users ?? {}) as [string, string][]);
  return { tls, users, headers: value.http_server_config.headers };
}

type TlsSection = NonNullable<z.infer<typeof schema>['tls_server_config']>;

function loadTls(section: TlsSection, base: string, problems: string[]): WebTls | undefined {
  const key = (name: string) => `tls_server_config.${name}`;
  const read = (name: 'cert' | 'key' | 'client_ca', required: boolean): string | undefined => {
    const inline = section[name];
    const file = section[`${name}_file`];
    if (inline !== undefined && file !== undefined) {
      problems.push(`${key(`${name}_file`)}: give either ${name} or ${name}_file, not both`);
      return undefined;
    }
    if (inline !== undefined) return inline;
    if (file === undefined) {
      if (required) problems.push(`${key(`${name}_file`)}: is required in tls_server_config (or ${name}, inline PEM)`);
      return undefined;
    }
    const full = isAbsolute(file) ? file : resolve(base, file);
    try {
      return readBoundedFile(full);
    } catch (error) {
      problems.push(`${key(`${name}_file`)}: cannot read ${full}: ${reason(error)}`);
      return undefined;
    }
  };
  const cert = read('cert', true);
  const privateKey = read('key', true);
  const clientCa = read('client_ca', false);
  const where = (name: 'cert' | 'key' | 'client_ca') =>
    key(section[`${name}_file`] !== undefined ? `${name}_file` : name);

  let leaf: X509Certificate | undefined;
  if (cert !== undefined) {
    try {
      leaf = new X509Certificate(cert);
    } catch {
      problems.push(`${where('cert')}: is not a PEM certificate`);
    }
  }
  if (privateKey !== undefined) {
    try {
      const keyObject = createPrivateKey(privateKey);
      if (leaf && !leaf.checkPrivateKey(keyObject))
        problems.push(`${where('key')}: does not belong to the certificate in ${where('cert')}`);
    } catch {
      // The parser's message could quote key material; say only what is wrong.
      problems.push(`${where('key')}: is not a PEM private key (or it is encrypted)`);
    }
  }
  if (clientCa !== undefined) {
    const count = pemCertificates(clientCa);
    if (count === undefined) problems.push(`${where('client_ca')}: holds something that is not a PEM certificate`);
    else if (count === 0) problems.push(`${where('client_ca')}: holds no certificate`);
  }
  if (clientCa !== undefined && section.client_auth_type === 'NoClientCert') {
    problems.push(
      `${key('client_auth_type')}: client CAs are configured, so set RequireAndVerifyClientCert (or VerifyClientCertIfGiven)`,
    );
  }
  if (VERSION_ORDER.indexOf(section.min_version) > VERSION_ORDER.indexOf(section.max_version)) {
    problems.push(`${key('min_version')}: ${section.min_version} is above max_version ${section.max_version}`);
  }
  if (cert === undefined || privateKey === undefined || problems.length > 0) return undefined;
  return {
    cert,
    key: privateKey,
    clientCa,
    clientAuth: section.client_auth_type,
    minVersion: TLS_VERSIONS[section.min_version]!,
    maxVersion: TLS_VERSIONS[section.max_version]!,
  };
}

/** How many certificates a PEM bundle holds; undefined when one block does not parse. */
function pemCertificates(pem: string): number | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      return undefined;
    }
  }
  return blocks.length;
}

function describe(error: ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.join('.') || '(top level)';
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((name) => `${[...issue.path, name].join('.')}: unknown key`).join('; ');
    if (issue.code === 'invalid_type')
      return `${path}: expected ${issue.expected}, got ${issue.received === 'undefined' ? 'nothing' : issue.received}`;
    return `${path}: ${issue.message}`;
  });
}
