import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { TlsEndpoint } from '../config/sections/tls.js';
import { formatHostPort } from '../lib/address.js';
import { emit, emitValue, gaugeFamily, type Emitter } from '../metrics/family.js';
import { TlsHandshakes } from '../tls/handshake-thread.js';
import { loadTrust, probeTls, type TlsProbeResult, type Trust } from '../tls/probe.js';
import { certificateFacts, TrustAnchors } from '../tls/x509.js';
import { TransitionLog } from '../lib/transition-log.js';
import type { Collector, CollectorDefinition, ScrapeContext } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const TLS_ENDPOINT_METRICS = {
  up: 'onlyoffice_tls_up',
  notAfter: 'onlyoffice_tls_cert_not_after_timestamp_seconds',
  verified: 'onlyoffice_tls_cert_verified',
  chainComplete: 'onlyoffice_tls_cert_chain_complete',
  hostnameMatch: 'onlyoffice_tls_cert_hostname_match',
} as const;

/** An https URL as a TLS endpoint: its host and port (443 by default), SNI = host. */
export function endpointOfUrl(url: string): TlsEndpoint | undefined {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = parsed.port === '' ? 443 : Number(parsed.port);
  return { target: formatHostPort({ host, port }), host, port, serverName: isIP(host) === 0 ? host : undefined };
}

function problemOf(result: TlsProbeResult): string | undefined {
  if (!result.ok) return `${result.failure}: ${result.message}`;
  return result.verified ? undefined : `not verified: ${result.verifyError}`;
}

class TlsEndpointsCollector implements Collector {
  private trust: Trust | undefined;

  private handshakes: TlsHandshakes | undefined;

  private readonly problems: TransitionLog;
  /** What was wrong with each configured endpoint in the last /metrics scrape (for the doctor). */
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly endpoints: TlsEndpoint[],
  ) {
    this.problems = new TransitionLog(logger, {
      failing: 'TLS endpoint problem',
      recovered: 'TLS endpoint verified again',
    });
  }

  private loadedTrust(): Trust {
    if (this.trust === undefined) {
      const extra = this.config.tls.ca_file;
      this.trust = loadTrust(extra?.pem ?? []);
      const skipped = extra ? new TrustAnchors(extra.pem).skipped : 0;
      if (skipped > 0) {
        this.logger.warn(
          { ca_file: extra?.path, skipped },
          'tls.ca_file: certificates that are not self-signed roots are not used as trust anchors',
        );
      }
    }
    return this.trust;
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    const targets: TlsEndpoint[] = [];
    let blackbox: TlsEndpoint | undefined;
    if (ctx.scope === 'probe') {
      // The target's own URL (blackbox_exporter's probe_ssl_* are about it) and its public_url, where users meet the certificate.
      blackbox = endpointOfUrl(ctx.target.url);
      const publicEndpoint = ctx.target.public_url === undefined ? undefined : endpointOfUrl(ctx.target.public_url);
      for (const endpoint of [blackbox, publicEndpoint])
        if (endpoint && !targets.some((t) => t.target === endpoint.target)) targets.push(endpoint);
    } else {
      targets.push(...this.endpoints);
    }
    if (targets.length === 0) return;
    const trust = this.loadedTrust();
    this.handshakes ??= new TlsHandshakes(trust);
    const handshakes = this.handshakes;
    const timeoutMs = this.config.tls.timeout;
    const results = await Promise.all(
      targets.map(async (endpoint) => ({
        endpoint,
        result: await probeTls(endpoint, trust, ctx.signal, timeoutMs, handshakes),
      })),
    );
    const metrics = tlsMetrics(ctx);
    for (const { endpoint, result } of results) {
      const problem = problemOf(result);
      this.problems.record(endpoint.target, { target: endpoint.target }, problem);
      if (ctx.scope === 'metrics') {
        if (problem === undefined) this.failures.delete(endpoint.target);
        else this.failures.set(endpoint.target, problem);
      }
      recordEndpoint(metrics, endpoint.target, result);
      if (endpoint === blackbox && result.ok) recordBlackbox(ctx, result);
    }
  }

  sourceErrors(): ReadonlyMap<string, string> {
    return this.failures;
  }

  async close(): Promise<void> {
    await this.handshakes?.close();
    this.handshakes = undefined;
  }
}

const UP = gaugeFamily(
  TLS_ENDPOINT_METRICS.up,
  '1 when the TLS handshake completed and a certificate was read, 0 when the endpoint could not be reached or refused TLS.',
  ['target'],
);
const NOT_AFTER = gaugeFamily(
  TLS_ENDPOINT_METRICS.notAfter,
  'NotAfter of each certificate of the chain as presented (position 0 = leaf), read without verification.',
  ['target', 'position', 'subject'],
);
const VERIFIED = gaugeFamily(
  TLS_ENDPOINT_METRICS.verified,
  '1 when the chain verifies to a trusted root (system store plus tls.ca_file) and is within its dates, 0 otherwise; hostname not included.',
  ['target'],
);
const COMPLETE = gaugeFamily(
  TLS_ENDPOINT_METRICS.chainComplete,
  '1 when the server sent every intermediate needed to reach a self-signed or trusted root, 0 when one is missing.',
  ['target'],
);
const HOSTNAME = gaugeFamily(
  TLS_ENDPOINT_METRICS.hostnameMatch,
  '1 when the leaf certificate is valid for the name the endpoint is reached by (SNI), 0 when it is not.',
  ['target'],
);
const VERSION = gaugeFamily('onlyoffice_tls_version_info', 'TLS version negotiated ("TLS 1.2", "TLS 1.3"); always 1.', [
  'target',
  'version',
]);
const PROBE_EARLIEST = gaugeFamily(
  'probe_ssl_earliest_cert_expiry',
  'Earliest NotAfter among the certificates of the chain (blackbox_exporter name), in unixtime.',
);
const PROBE_CHAIN_EXPIRY = gaugeFamily(
  'probe_ssl_last_chain_expiry_timestamp_seconds',
  'Earliest NotAfter of the verified chain (blackbox_exporter name); absent when the chain does not verify.',
);
const PROBE_CHAIN_INFO = gaugeFamily('probe_ssl_last_chain_info', 'Contains SSL leaf certificate information', [
  'fingerprint_sha256',
  'subject',
  'issuer',
  'subjectalternative',
  'serialnumber',
]);
const PROBE_TLS_VERSION = gaugeFamily(
  'probe_tls_version_info',
  'TLS version negotiated (blackbox_exporter name); always 1.',
  ['version'],
);

function tlsMetrics(ctx: Emitter) {
  return {
    up: emit(ctx, UP),
    notAfter: emit(ctx, NOT_AFTER),
    verified: emit(ctx, VERIFIED),
    complete: emit(ctx, COMPLETE),
    hostname: emit(ctx, HOSTNAME),
    version: emit(ctx, VERSION),
  };
}

function recordEndpoint(metrics: ReturnType<typeof tlsMetrics>, target: string, result: TlsProbeResult): void {
  metrics.up.push({ labels: { target }, value: result.ok ? 1 : 0 });
  if (!result.ok) return;
  result.chain.forEach((cert, position) => {
    const facts = certificateFacts(cert);
    metrics.notAfter.push({
      labels: { target, position: String(position), subject: facts.subject },
      value: facts.notAfter,
    });
  });
  metrics.verified.push({ labels: { target }, value: result.verified ? 1 : 0 });
  metrics.complete.push({ labels: { target }, value: result.chainComplete ? 1 : 0 });
  metrics.hostname.push({ labels: { target }, value: result.hostnameMatch ? 1 : 0 });
  metrics.version.push({ labels: { target, version: result.version }, value: 1 });
}

/** blackbox_exporter's TLS gauges, for /probe (prober/tls.go, prober/http.go). */
function recordBlackbox(ctx: Emitter, result: Extract<TlsProbeResult, { ok: true }>): void {
  const facts = result.chain.map(certificateFacts);
  const leaf = facts[0]!;
  const earliest = Math.min(...facts.map((cert) => cert.notAfter));
  emitValue(ctx, PROBE_EARLIEST, earliest);
  if (result.verified) emitValue(ctx, PROBE_CHAIN_EXPIRY, earliest);
  emit(ctx, PROBE_CHAIN_INFO).push({
    labels: {
      fingerprint_sha256: leaf.fingerprintSha256,
      subject: leaf.subject,
      issuer: leaf.issuer,
      subjectalternative: leaf.dnsNames,
      serialnumber: leaf.serialNumber,
    },
    value: 1,
  });
  emit(ctx, PROBE_TLS_VERSION).push({ labels: { version: result.version }, value: 1 });
}

const definition: CollectorDefinition = {
  name: 'tls_endpoints',
  scopes: ['metrics', 'probe'],
  runs: 'scrape',
  create(config, logger) {
    if (!config.tls.enabled) return undefined;
    const endpoints = [...config.tls.endpoints];
    const publicEndpoint = config.documentserver.public_url
      ? endpointOfUrl(config.documentserver.public_url)
      : undefined;
    if (publicEndpoint && !endpoints.some((endpoint) => endpoint.target === publicEndpoint.target))
      endpoints.push(publicEndpoint);
    return new TlsEndpointsCollector(config, logger, endpoints);
  },
};

export default definition;
