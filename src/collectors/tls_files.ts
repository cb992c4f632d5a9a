import { createPrivateKey, type X509Certificate } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { DEFAULT_TLS_FILES } from '../config/sections/tls.js';
import { readBoundedFileAsync, readErrorReason } from '../lib/read-bounded-file.js';
import { loadTrust, type Trust } from '../tls/probe.js';
import { certificateFacts, parsePemCertificates } from '../tls/x509.js';
import { TransitionLog } from '../lib/transition-log.js';
import { emit, gaugeFamily } from '../metrics/family.js';
import type { Collector, CollectorDefinition, ScrapeContext } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const TLS_FILE_METRICS = {
  readable: 'onlyoffice_tls_cert_file_readable',
  notAfter: 'onlyoffice_tls_cert_file_not_after_timestamp_seconds',
  keyMatch: 'onlyoffice_tls_cert_file_key_match',
  chainComplete: 'onlyoffice_tls_cert_file_chain_complete',
} as const;

const READABLE = gaugeFamily(
  TLS_FILE_METRICS.readable,
  '1 when the file can be read (a certificate file must also hold a PEM certificate), 0 when it cannot; also given for the .key beside a certificate when it exists.',
  ['path'],
);
const NOT_AFTER = gaugeFamily(TLS_FILE_METRICS.notAfter, 'NotAfter of the first (leaf) certificate in the file.', [
  'path',
]);
const KEY_MATCH = gaugeFamily(
  TLS_FILE_METRICS.keyMatch,
  '1 when the .key beside the certificate is its private key; 0 when it is not, or cannot be read or parsed. Absent without a .key file.',
  ['path'],
);
const CHAIN_COMPLETE = gaugeFamily(
  TLS_FILE_METRICS.chainComplete,
  '1 when the file carries every intermediate needed to reach a self-signed or trusted root, 0 when one is missing.',
  ['path'],
);

/** The private key DS pairs with a certificate: same folder and name, `.key` (onlyoffice.crt → onlyoffice.key). */
export function keyPathFor(certPath: string): string {
  return join(dirname(certPath), `${basename(certPath, extname(certPath))}.key`);
}

const MAX_FILE_BYTES = 1024 * 1024;

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Reads a certificate or key file: a wrong path to something big, to a device or to a FIFO is readable 0
 * (`not a regular file`, `larger than 1048576 bytes`), not a read that never ends or never starts.
 */
async function readFileBounded(path: string, signal: AbortSignal): Promise<Outcome<Buffer>> {
  try {
    return { ok: true, value: await readBoundedFileAsync(path, MAX_FILE_BYTES, signal) };
  } catch (error) {
    return { ok: false, reason: readErrorReason(error) };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

class TlsFilesCollector implements Collector {
  private trust: Trust | undefined;

  private readonly problems: TransitionLog;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly defaults: readonly string[],
  ) {
    this.problems = new TransitionLog(logger, {
      failing: 'certificate file problem',
      recovered: 'certificate file fine again',
    });
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    const configured = this.config.tls.files;
    const paths =
      configured ??
      (await Promise.all(this.defaults.map(async (path) => ((await exists(path)) ? path : undefined)))).filter(
        (path): path is string => path !== undefined,
      );
    if (paths.length === 0) return;
    this.trust ??= loadTrust(this.config.tls.ca_file?.pem ?? []);
    const readable = emit(ctx, READABLE);
    const notAfter = emit(ctx, NOT_AFTER);
    const keyMatch = emit(ctx, KEY_MATCH);
    const chainComplete = emit(ctx, CHAIN_COMPLETE);
    // A .key can also be listed, or sit beside two certificates (a.crt, a.pem): one readable series per file.
    const readableSeen = new Set<string>();

    // A path listed twice is read once: one series per path.
    await Promise.all(
      [...new Set(paths)].map(async (path) => {
        const problems: string[] = [];
        const text = await readFileBounded(path, ctx.signal);
        let certificates: X509Certificate[] = [];
        if (text.ok) {
          try {
            certificates = parsePemCertificates(text.value.toString('utf8'));
          } catch {
            problems.push('a PEM block is not a valid certificate');
          }
          if (certificates.length === 0 && problems.length === 0) problems.push('holds no PEM certificate');
        } else {
          problems.push(`cannot read: ${text.reason}`);
        }
        const leaf = certificates[0];
        if (!readableSeen.has(path)) readable.push({ labels: { path }, value: leaf ? 1 : 0 });
        readableSeen.add(path);
        if (leaf) {
          notAfter.push({ labels: { path }, value: certificateFacts(leaf).notAfter });
          chainComplete.push({ labels: { path }, value: this.trust!.walk(certificates).complete ? 1 : 0 });
        }

        const keyPath = keyPathFor(path);
        if (keyPath !== path && (await exists(keyPath))) {
          const key = await readFileBounded(keyPath, ctx.signal);
          if (!readableSeen.has(keyPath)) readable.push({ labels: { path: keyPath }, value: key.ok ? 1 : 0 });
          readableSeen.add(keyPath);
          if (!key.ok) problems.push(`cannot read ${keyPath}: ${key.reason}`);
          if (leaf) {
            let matches = false;
            if (key.ok) {
              try {
                matches = leaf.checkPrivateKey(createPrivateKey(key.value));
                if (!matches) problems.push(`${keyPath} is not the private key of this certificate`);
              } catch {
                // Never the parser's message: it could quote key material.
                problems.push(`${keyPath} is not a usable private key (encrypted, or not PEM/DER)`);
              }
            }
            keyMatch.push({ labels: { path }, value: matches ? 1 : 0 });
          }
        }
        this.problems.record(path, { path }, problems.length > 0 ? problems.join('; ') : undefined);
      }),
    );
  }
}

/** The collector with other default files (tests); the default export looks in the DS certificate folder. */
export function tlsFilesCollectorDefinition(defaults: readonly string[] = DEFAULT_TLS_FILES): CollectorDefinition {
  return {
    name: 'tls_files',
    scopes: ['metrics'],
    runs: 'scrape',
    create(config, logger) {
      if (!config.tls.enabled || (config.tls.files !== undefined && config.tls.files.length === 0)) return undefined;
      return new TlsFilesCollector(config, logger, defaults);
    },
  };
}

export default tlsFilesCollectorDefinition();
