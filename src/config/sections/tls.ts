import { isIP } from 'node:net';
import { z } from 'zod';
import { formatHostPort, parseHostPort } from '../../lib/address.js';
import { shorthand } from '../../lib/config-forms.js';
import { readBoundedFile, readErrorReason } from '../../lib/read-bounded-file.js';
import { splitPemCertificates } from '../../lib/pem.js';
import { duration } from '../duration.js';

/** DS certificate folder: `onlyoffice.crt` wins over `tls.crt` (Docker-DocumentServer run-document-server.sh). */
export const DEFAULT_TLS_FILES: readonly string[] = [
  '/var/www/onlyoffice/Data/certs/onlyoffice.crt',
  '/var/www/onlyoffice/Data/certs/tls.crt',
];

export interface TlsEndpoint {
  /** Label value: `server_name:port` (the name the certificate is checked against). */
  target: string;
  host: string;
  port: number;
  /** SNI and hostname check; undefined when connecting to an IP address without server_name. */
  serverName: string | undefined;
}

function endpointFrom(address: string, serverName: string | undefined, ctx: z.RefinementCtx): TlsEndpoint {
  const parsed = parseHostPort(address);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed, path: ['address'] });
    return z.NEVER;
  }
  const name = serverName ?? (isIP(parsed.host) === 0 ? parsed.host : undefined);
  return {
    target: formatHostPort({ host: serverName ?? parsed.host, port: parsed.port }),
    host: parsed.host,
    port: parsed.port,
    serverName: name,
  };
}

/** `host:port` (SNI = host), or `{address, server_name}` to check a name's certificate on a given address. */
const endpoint = shorthand(
  z
    .object({
      address: z.string(),
      server_name: z
        .string()
        .regex(/^[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?$/, 'must be a DNS name')
        .optional(),
    })
    .strict()
    .transform((value, ctx) => endpointFrom(value.address, value.server_name, ctx)),
  'address',
);

const absolutePath = z.string().refine((value) => value.startsWith('/'), 'must be an absolute path (starting with /)');

/**
 * Extra trust anchors (PEM bundle), read once at load so a bad file is a configuration error. Bounded like
 * every config file (1 MiB is several times the Debian system bundle): /dev/zero or a FIFO must not hang start-up.
 */
const caFile = absolutePath.transform((path, ctx) => {
  let text: string;
  try {
    text = readBoundedFile(path);
  } catch (error) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `cannot read ${path}: ${readErrorReason(error)}` });
    return z.NEVER;
  }
  const certificates = splitPemCertificates(text);
  if (certificates.length === 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${path} holds no PEM certificate` });
    return z.NEVER;
  }
  return { path, pem: certificates };
});

/**
 * `tls`: certificates served on endpoints (plus documentserver.public_url when https) and certificate files on disk.
 * Absent `files`: the DEFAULT_TLS_FILES that exist.
 */
export const tlsSection = z
  .object({
    /** false turns the section's collectors off (endpoints and files), whatever else it says (every collector section has it but documentserver, always on, and backups, off as `[]`). */
    enabled: z.boolean().default(true),
    /**
     * Served certificates to check: `host:port` (SNI = host) or `{address, server_name}`; documentserver.public_url is
     * added when it is https.
     */
    endpoints: z
      .array(endpoint)
      .default([])
      .superRefine((endpoints, ctx) => {
        const seen = new Set<string>();
        endpoints.forEach((item, index) => {
          if (seen.has(item.target))
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [index], message: `${item.target} is listed twice` });
          seen.add(item.target);
        });
      }),
    /**
     * Certificate files (PEM) to check, each with the `.key` beside it; default: onlyoffice.crt and tls.crt in
     * /var/www/onlyoffice/Data/certs/ that exist. `[]` checks none.
     */
    files: z
      .array(absolutePath)
      .optional()
      .refine((files) => files === undefined || new Set(files).size === files.length, 'lists a file twice'),
    /** A PEM bundle of extra trusted roots (an internal CA), read at (re)load. */
    ca_file: caFile.optional(),
    /** Longest wait for one TLS handshake; the scrape deadline still applies. */
    timeout: duration.default('5s'),
  })
  .strict();

export type TlsConfig = z.infer<typeof tlsSection>;
