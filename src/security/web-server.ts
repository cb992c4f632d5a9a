import { createHash } from 'node:crypto';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError } from '../config/load.js';
import { BcryptThread, type BcryptCompare } from './bcrypt-thread.js';
import { EMPTY_WEB_CONFIG, loadWebConfig, type WebConfig, type WebTls } from './web-config.js';

// exporter-toolkit's bcrypt of "fakepassword": an unknown user costs as much as a wrong password (no user enumeration by timing).
const DECOY_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
// Like exporter-toolkit's cache: enough for a few Prometheus servers, bounded against credential stuffing. Granted and
// refused credentials are kept apart, so a flood of wrong guesses cannot push out the one Prometheus scrapes with.
const MAX_GRANTED = 100;
const MAX_REFUSED = 100;
// One bcrypt at a time, as exporter-toolkit does (it is CPU-heavy; on its own thread, see bcrypt-thread.ts), and only a
// few waiting: past that a new credential gets 401 without bcrypt (Prometheus tries again next scrape; a cached one
// never waits).
const BCRYPT_RUNNING = 1;
const BCRYPT_WAITING = 16;

/**
 * TLS and basic auth on the exporter's own endpoints, from `--web.config.file`. Every path is
 * protected, /-/healthy included, as exporter-toolkit does (from basic auth, all but the routes `ownCredential`
 * names). Reloaded with the configuration: certificates, client CAs, the client auth policy, users and headers
 * change without a restart; turning TLS on or off needs one.
 */
export class WebSecurity {
  private config: WebConfig;
  private server: TlsServer | undefined;
  /** sha256(user, hash, password) of credentials bcrypt accepted (least recently used first) or refused (oldest first). */
  private readonly granted = new Set<string>();
  private readonly refused = new Set<string>();
  /** Verdicts being computed, by the same key: many requests with one new credential cost one bcrypt. */
  private readonly pending = new Map<string, Promise<boolean>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private ownCredential: ((request: FastifyRequest) => boolean) | undefined;

  private constructor(
    private readonly path: string | undefined,
    config: WebConfig,
    private readonly compare: BcryptCompare,
  ) {
    this.config = config;
  }

  /** Throws ConfigError naming the key when the file is invalid. `compare`: bcrypt, on its own thread unless given. */
  static load(path: string | undefined, compare?: BcryptCompare): WebSecurity {
    return new WebSecurity(
      path,
      path === undefined ? EMPTY_WEB_CONFIG : loadWebConfig(path),
      compare ?? new BcryptThread().compare,
    );
  }

  get tlsEnabled(): boolean {
    return this.config.tls !== undefined;
  }

  get basicAuthEnabled(): boolean {
    return this.config.users.size > 0;
  }

  /** Fastify's `https` option, or undefined for plain HTTP. */
  httpsOptions(): HttpsServerOptions | undefined {
    return this.config.tls && { ...secureContextOptions(this.config.tls), ...clientPolicy(this.config.tls) };
  }

  /**
   * Hooks every request (404s included) and, with TLS, every connection. Call right after creating the app.
   * `ownCredential`: requests whose route checks a credential of its own instead of basic auth (one Authorization
   * header cannot carry both).
   */
  install(app: FastifyInstance, options: { ownCredential?: (request: FastifyRequest) => boolean } = {}): void {
    this.ownCredential = options.ownCredential;
    if (this.config.tls) {
      this.server = app.server as unknown as TlsServer;
      // Go fails the handshake for these policies; Node can only refuse the connection right after it.
      this.server.on('secureConnection', (socket: TLSSocket) => {
        const policy = this.config.tls?.clientAuth;
        const presented = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
        if (
          (policy === 'RequireAnyClientCert' && !presented) ||
          (policy === 'VerifyClientCertIfGiven' && presented && !socket.authorized)
        ) {
          socket.destroy();
        }
      });
    }
    app.addHook('onRequest', async (request, reply) => this.onRequest(request, reply));
  }

  /** Reads and validates the file again without applying it (a bad file must leave everything as it is). */
  prepare(): WebConfig {
    if (this.path === undefined) return EMPTY_WEB_CONFIG;
    const next = loadWebConfig(this.path);
    if ((next.tls === undefined) !== (this.config.tls === undefined)) {
      throw new ConfigError(this.path, [
        `tls_server_config: TLS cannot be turned ${next.tls ? 'on' : 'off'} by a reload; restart the exporter`,
      ]);
    }
    return next;
  }

  apply(next: WebConfig): void {
    this.config = next;
    this.granted.clear();
    this.refused.clear();
    if (next.tls && this.server) {
      this.server.setSecureContext(secureContextOptions(next.tls));
      // Read by Node for each new connection.
      Object.assign(this.server, clientPolicy(next.tls));
    }
  }

  private async onRequest(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const { headers, users } = this.config;
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    if (users.size === 0 || this.ownCredential?.(request)) return undefined;
    const credentials = basicCredentials(request.headers.authorization);
    if (credentials && (await this.verify(users, credentials.user, credentials.password))) return undefined;
    return reply.code(401).header('www-authenticate', 'Basic').type('text/plain; charset=utf-8').send('Unauthorized\n');
  }

  private async verify(users: ReadonlyMap<string, string>, user: string, password: string): Promise<boolean> {
    const known = users.get(user);
    const hash = known ?? DECOY_HASH;
    const key = createHash('sha256')
      .update(user)
      .update('\u0000')
      .update(hash)
      .update('\u0000')
      .update(password)
      .digest('hex');
    if (this.granted.has(key)) {
      this.granted.delete(key);
      this.granted.add(key);
      return true;
    }
    if (this.refused.has(key)) return false;
    let verdict = this.pending.get(key);
    if (!verdict) {
      // Queue full: refused without bcrypt, and not remembered (the credential may be right).
      if (this.pending.size >= BCRYPT_RUNNING + BCRYPT_WAITING) return false;
      verdict = this.bcrypt(password, hash).then((ok) => ok && known !== undefined);
      this.pending.set(key, verdict);
      const settled = verdict;
      void settled.then((ok) => {
        this.pending.delete(key);
        // A reload in between changed the users: this verdict is of the old ones.
        if (this.config.users !== users) return;
        const cache = ok ? this.granted : this.refused;
        if (cache.size >= (ok ? MAX_GRANTED : MAX_REFUSED)) cache.delete(cache.values().next().value!);
        cache.add(key);
      });
    }
    return verdict;
  }

  private async bcrypt(password: string, hash: string): Promise<boolean> {
    // A finished run hands its slot to the next waiting one.
    if (this.running >= BCRYPT_RUNNING) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await this.compare(password, hash);
    } catch {
      return false;
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function secureContextOptions(tls: WebTls): HttpsServerOptions {
  return { cert: tls.cert, key: tls.key, ca: tls.clientCa, minVersion: tls.minVersion, maxVersion: tls.maxVersion };
}

function clientPolicy(tls: WebTls): { requestCert: boolean; rejectUnauthorized: boolean } {
  return {
    requestCert: tls.clientAuth !== 'NoClientCert',
    rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
  };
}

/** What a reload does: validate the web config, reload the configuration, then apply the web config (all or nothing). */
export async function reloadAll(
  reloadConfig: () => Promise<unknown>,
  web: WebSecurity | undefined,
  logger?: Logger,
): Promise<void> {
  const next = web?.prepare();
  await reloadConfig();
  if (web && next) {
    web.apply(next);
    logger?.debug({ tls: web.tlsEnabled, basic_auth: web.basicAuthEnabled }, 'web configuration applied');
  }
}
