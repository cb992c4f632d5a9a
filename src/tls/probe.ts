import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect, createSecureContext, rootCertificates, type SecureContext, type TLSSocket } from 'node:tls';
import { whenAborted } from '../lib/timeout-signal.js';
import { splitPemCertificates, TrustAnchors, walkChain, type ChainWalk } from './x509.js';

/** Where distributions keep the system trust store (Debian/Ubuntu/Alpine, then RHEL/Fedora). */
export const SYSTEM_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];

export interface Trust {
  anchors: TrustAnchors;
  /** Made on first use: handshakes run in the handshake thread, which makes its own from anchors.pem. */
  readonly secureContext: SecureContext;
  /** walkChain over these anchors, remembered per presented chain: a server sends the same one every probe. */
  walk(presented: readonly X509Certificate[]): ChainWalk;
  /** The same, by the presented certificates' SHA-256 fingerprints; `presented` is called only when not remembered. */
  walkKnown(fingerprints: readonly string[], presented: () => X509Certificate[]): ChainWalk;
}

const WALK_CACHE_SIZE = 256;

/** Node's bundled roots, the system bundle and `extraPem`; only self-signed roots become anchors. */
export function loadTrust(
  extraPem: readonly string[] = [],
  systemBundles: readonly string[] = SYSTEM_CA_BUNDLES,
): Trust {
  const blocks: string[] = [...rootCertificates];
  for (const path of systemBundles) {
    try {
      blocks.push(...splitPemCertificates(readFileSync(path, 'utf8')));
      break;
    } catch {
      // Not this distribution's layout.
    }
  }
  blocks.push(...extraPem);
  const anchors = new TrustAnchors(blocks);
  // Signature checks make a walk cost as much as a handshake; the fingerprints of what was sent decide it.
  const walks = new Map<string, ChainWalk>();
  const walkKnown = (fingerprints: readonly string[], presented: () => X509Certificate[]): ChainWalk => {
    const key = fingerprints.join(' ');
    let result = walks.get(key);
    if (result === undefined) {
      if (walks.size >= WALK_CACHE_SIZE) walks.clear();
      const chain = presented();
      result = walkChain(chain[0]!, chain.slice(1), anchors);
      walks.set(key, result);
    }
    return result;
  };
  let secureContext: SecureContext | undefined;
  return {
    anchors,
    get secureContext() {
      secureContext ??= createSecureContext({ ca: anchors.pem });
      return secureContext;
    },
    walk: (presented) =>
      walkKnown(
        presented.map((cert) => cert.fingerprint256),
        () => [...presented],
      ),
    walkKnown,
  };
}

export interface TlsEndpointAddress {
  host: string;
  port: number;
  serverName: string | undefined;
}

export type TlsFailure = 'refused' | 'timeout' | 'dns' | 'reset' | 'handshake' | 'no_certificate' | 'error';

export type TlsProbeResult =
  | {
      ok: true;
      seconds: number;
      /** "TLS 1.2", "TLS 1.3" (blackbox_exporter's spelling). */
      version: string;
      /** The chain verifies to a trusted root (dates included, hostname not). */
      verified: boolean;
      verifyError: string | undefined;
      hostnameMatch: boolean;
      /** Leaf first, then issuers as sent, ending with the trusted root when one was found. */
      chain: X509Certificate[];
      chainComplete: boolean;
    }
  | { ok: false; seconds: number; failure: TlsFailure; message: string };

/** A certificate as the server sent it, as plain data that crosses threads. */
export interface PresentedCertificate {
  fingerprint256: string;
  der: Uint8Array;
}

/** What one handshake tells, as plain data: made where the handshake ran (the handshake thread), read in the main one. */
export type Handshake =
  | {
      ok: true;
      seconds: number;
      version: string;
      verified: boolean;
      verifyError: string | undefined;
      hostnameMatch: boolean;
      presented: PresentedCertificate[];
    }
  | { ok: false; seconds: number; failure: TlsFailure; message: string };

/** Runs handshakes: TlsHandshakes (this thread, or the handshake thread past an overflow). */
export interface HandshakeRunner {
  handshake(endpoint: TlsEndpointAddress, timeoutMs: number, signal: AbortSignal): Promise<Handshake>;
}

/**
 * One TLS handshake that never throws. Verification is recorded, not enforced, so an expired
 * or untrusted certificate still gives its dates.
 */
export async function probeTls(
  endpoint: TlsEndpointAddress,
  trust: Trust,
  signal: AbortSignal,
  timeoutMs: number,
  runner: HandshakeRunner,
): Promise<TlsProbeResult> {
  const result = await runner.handshake(endpoint, timeoutMs, signal);
  if (!result.ok) return result;
  try {
    const walk = trust.walkKnown(
      result.presented.map((cert) => cert.fingerprint256),
      () => result.presented.map((cert) => new X509Certificate(cert.der)),
    );
    return {
      ok: true,
      seconds: result.seconds,
      version: result.version,
      verified: result.verified,
      verifyError: result.verifyError,
      hostnameMatch: result.hostnameMatch,
      chain: walk.chain,
      chainComplete: walk.complete,
    };
  } catch (error) {
    return { ok: false, seconds: result.seconds, failure: 'error', message: (error as Error).message };
  }
}

/** A handshake in this thread, given up when `signal` aborts. */
export function handshakeHere(
  endpoint: TlsEndpointAddress,
  secureContext: SecureContext,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Handshake> {
  if (signal.aborted) return Promise.resolve({ ok: false, seconds: 0, failure: 'timeout', message: 'timed out' });
  const started = startHandshake(endpoint, secureContext, timeoutMs);
  const unfollow = whenAborted(signal, started.cancel);
  return started.result.finally(unfollow);
}

export interface StartedHandshake {
  readonly result: Promise<Handshake>;
  /** Gives up: the result is a timeout, the socket is closed. Idempotent. */
  cancel(): void;
}

/** The handshake itself, with its own timeout; where it runs decides nothing else. */
export function startHandshake(
  endpoint: TlsEndpointAddress,
  secureContext: SecureContext,
  timeoutMs: number,
): StartedHandshake {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let cancel: () => void = () => undefined;
  const result = new Promise<Handshake>((resolve) => {
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      ...(endpoint.serverName !== undefined ? { servername: endpoint.serverName } : {}),
      secureContext,
      rejectUnauthorized: false,
      // The hostname is checked on its own below, so `authorized` speaks of the chain only.
      checkServerIdentity: () => undefined,
    });
    // tls.connect builds getPeerCertificate(true) after every verified handshake (a JS object per certificate of
    // the chain: a fifth of a probe's CPU) only to hand it to checkServerIdentity, which ignores it above. The
    // probe reads the chain as X509Certificate objects instead.
    socket.getPeerCertificate = unusedPeerCertificate;
    let settled = false;
    const finish = (outcome: Handshake) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ ok: false, seconds: seconds(), failure: 'timeout', message: 'timed out' }),
      timeoutMs,
    );
    cancel = () => finish({ ok: false, seconds: seconds(), failure: 'timeout', message: 'timed out' });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, seconds: seconds(), ...classify(error) }),
    );
    socket.once('secureConnect', () => {
      try {
        // The X509Certificate form: getPeerCertificate(true) builds a JS object per certificate and costs
        // about 15 times more CPU than the handshake's own verification of the same chain.
        const peer = socket.getPeerX509Certificate();
        if (!peer) {
          finish({
            ok: false,
            seconds: seconds(),
            failure: 'no_certificate',
            message: 'the server sent no certificate',
          });
          return;
        }
        const version = socket.getProtocol() ?? 'unknown';
        finish({
          ok: true,
          seconds: seconds(),
          version: /^TLSv1(\.\d)?$/.test(version) ? `TLS 1${version.slice(5) || '.0'}` : 'unknown',
          verified: socket.authorized,
          verifyError: socket.authorized ? undefined : String(socket.authorizationError),
          hostnameMatch: matchesName(peer, endpoint.serverName ?? endpoint.host),
          presented: presentedChain(peer).map((cert) => ({
            fingerprint256: cert.fingerprint256,
            der: new Uint8Array(cert.raw),
          })),
        });
      } catch (error) {
        finish({ ok: false, seconds: seconds(), failure: 'error', message: (error as Error).message });
      }
    });
  });
  return { result, cancel: () => cancel() };
}

const unusedPeerCertificate = (() => ({})) as unknown as TLSSocket['getPeerCertificate'];

/** What the server sent, leaf first: Node links each peer certificate to the next one of the chain. */
function presentedChain(peer: X509Certificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: X509Certificate | undefined = peer;
  while (current && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    out.push(current);
    current = current.issuerCertificate;
  }
  return out;
}

/** tls.checkServerIdentity's rule: an IP literal matches IP SANs only; a name matches DNS SANs, else the CN. */
function matchesName(cert: X509Certificate, name: string): boolean {
  const bare = name.replace(/^\[|\]$/g, '');
  return isIP(bare) !== 0 ? cert.checkIP(bare) !== undefined : cert.checkHost(bare) !== undefined;
}

function classify(error: NodeJS.ErrnoException): { failure: TlsFailure; message: string } {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return { failure: 'refused', message: 'connection refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { failure: 'dns', message: error.message };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { failure: 'reset', message: error.message };
  if (code.startsWith('ERR_SSL') || /SSL|TLS|handshake/i.test(error.message))
    return { failure: 'handshake', message: error.message };
  return { failure: 'error', message: error.message };
}
