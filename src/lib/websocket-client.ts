import { createHash, randomFillSync } from 'node:crypto';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { withoutPeerCertificate } from './tls-session.js';

/**
 * A minimal RFC 6455 client for short checks: one handshake, a few text messages, then a clean close.
 * Node built-ins only. Everything is bounded: the response head, each message (maxPayloadBytes), the number of
 * unread messages, and the time (one timer for the whole exchange, plus the caller's signal).
 */
export interface WebSocketOptions {
  /** http(s) URL of the WebSocket resource (ws/wss are accepted too). */
  url: string;
  timeoutMs: number;
  signal?: AbortSignal;
  insecureSkipVerify?: boolean;
  /** Largest message accepted; a bigger frame ends the connection unread. */
  maxPayloadBytes: number;
  headers?: Record<string, string>;
}

export type WebSocketOpen =
  | { upgraded: true; status: 101; connection: WebSocketConnection }
  /** status: the HTTP status of a refusal (or 101 with a bad handshake); 0 when there was no HTTP answer. */
  | { upgraded: false; status: number; message: string };

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_HEAD_BYTES = 16 * 1024;
const MAX_QUEUED_MESSAGES = 16;
/** What reading a connection closed by its owner gives: one Error for all, every check closes its connection. */
const CLOSED = new Error('closed');
/** How long a closed connection waits for the peer's close before the socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;
/**
 * TLS sessions by peer, so a check repeated every scrape resumes its session instead of a full handshake with
 * certificate verification each time (most of its CPU). Bounded: the oldest entry goes first.
 *
 * Kept without the server's certificate (withoutPeerCertificate: decoding it again was a third of a resumed
 * connection's CPU), and only from connections that were accepted: verified, unless verification is off (the key
 * tells the two apart, so an unverified session never serves a verifying check). Node's own check would refuse such a
 * session on TLS 1.2 (no certificate to read the verification result from), so a resumption is accepted here instead:
 * as Node does for a resumed session (lib/_tls_wrap.js onConnectSecure skips the name check), it stands on the
 * verification of the connection that made it.
 */
const TLS_SESSIONS = new Map<string, Buffer>();
const MAX_TLS_SESSIONS = 256;

function rememberSession(key: string, session: Buffer): void {
  TLS_SESSIONS.delete(key);
  TLS_SESSIONS.set(key, session);
  if (TLS_SESSIONS.size > MAX_TLS_SESSIONS) TLS_SESSIONS.delete(TLS_SESSIONS.keys().next().value!);
}

/**
 * One SecureContext for every connection: tls.connect without one builds a new context (and loads the default trust
 * store into it) per connection, about a fifth of a resumed connection's CPU. The context holds the trust store only
 * (Node's default, as the HTTP checks use); verification on or off is a per-socket option, so one serves both.
 */
let sharedContext: SecureContext | undefined;
/**
 * Random bytes for handshake keys and frame masks, taken from one buffer that is refilled when used up: one call into
 * OpenSSL per couple of hundred connections instead of two per connection (each one cost about as much as the frame
 * parsing of a whole check). Still the CSPRNG's bytes, each used once, as RFC 6455 §4.1 and §5.3 ask.
 */
const RANDOM_POOL = Buffer.alloc(4096);
let randomOffset = RANDOM_POOL.length;

/** `size` fresh random bytes: a view into the pool, to be used before the next call. */
function randomView(size: number): Buffer {
  if (randomOffset + size > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomOffset = 0;
  }
  const view = RANDOM_POOL.subarray(randomOffset, randomOffset + size);
  randomOffset += size;
  return view;
}

/** ALPN as wire bytes once, not converted from ['http/1.1'] per connection. */
const ALPN_HTTP1 = Buffer.from('\x08http/1.1', 'latin1');

/** connectOnce's answer when a resumption was refused and the full handshake did not verify: ask again, afresh. */
const VERIFY_AFRESH = Symbol('verify afresh');

export async function openWebSocket(options: WebSocketOptions): Promise<WebSocketOpen> {
  const started = performance.now();
  const first = await connectOnce(options, true);
  if (first !== VERIFY_AFRESH) return first;
  // Rare (the server dropped the session and now shows a certificate that does not verify): a connection without a
  // session, which Node verifies and refuses itself, gives the same answer and message as any verifying check.
  const timeoutMs = Math.max(1, options.timeoutMs - (performance.now() - started));
  return (await connectOnce({ ...options, timeoutMs }, false)) as WebSocketOpen;
}

async function connectOnce(
  options: WebSocketOptions,
  mayResume: boolean,
): Promise<WebSocketOpen | typeof VERIFY_AFRESH> {
  const url = new URL(options.url);
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port || (secure ? 443 : 80));
  const key = randomView(16).toString('base64');
  const connection = new WebSocketConnection(options);
  const verify = options.insecureSkipVerify !== true;
  const sessionKey = `${host}\u0000${port}\u0000${verify}`;
  const session = secure && mayResume ? TLS_SESSIONS.get(sessionKey) : undefined;
  // With a session, verification is checked on secureConnect below rather than by Node (see TLS_SESSIONS).
  const resuming = verify && session !== undefined;
  const socket = secure
    ? tlsConnect({
        host,
        port,
        secureContext: (sharedContext ??= createSecureContext()),
        rejectUnauthorized: verify && !resuming,
        ALPNProtocols: ALPN_HTTP1,
        ...(isIP(host) ? {} : { servername: host }),
      })
    : netConnect({ host, port });
  let verifyAfresh = false;
  if (secure) {
    // Not as tls.connect's `session` option: Node 20 then parses the session twice (in TLSSocket's _init and again in
    // connect), each parse a certificate decode in OpenSSL. Set here with the method connect itself uses (public in
    // lib/_tls_wrap.js, not in Node's docs or types), it is parsed once, still before the handshake starts (that
    // waits for the TCP connect). Without the method: a full handshake, as without a session.
    const tls = socket as TLSSocket & { setSession?: (session: Buffer) => void };
    if (session && typeof tls.setSession === 'function') {
      try {
        tls.setSession(session);
      } catch {
        // Resumption only saves work: a session OpenSSL will not take means a full handshake, and a fresh session.
        TLS_SESSIONS.delete(sessionKey);
      }
    }
    // Node emits a ticket once it has checked the connection (lib/_tls_wrap.js holds it until onConnectSecure), and
    // with the check left to this code (resuming) it emits it after secureConnect whatever the verdict: so a ticket is
    // kept only once the connection is accepted here.
    let accepted = !verify;
    tls.on('session', (ticket: Buffer) => {
      if (accepted) rememberSession(sessionKey, withoutPeerCertificate(ticket));
    });
    tls.once('secureConnect', () => {
      if (resuming && !tls.isSessionReused()) {
        // The server did not take the session: Node checked the full handshake (chain and name) without refusing it.
        TLS_SESSIONS.delete(sessionKey);
        if (!tls.authorized) {
          verifyAfresh = true;
          tls.destroy();
          return;
        }
      }
      accepted = true;
    });
  }
  connection.attach(socket);
  const hostHeader = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  const extra = Object.entries(options.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const request =
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: onlyoffice-exporter\r\n${extra}\r\n`;
  socket.once(secure ? 'secureConnect' : 'connect', () => {
    if (!socket.destroyed) socket.write(request);
  });
  const head = await connection.head();
  if (verifyAfresh) {
    connection.destroy();
    return VERIFY_AFRESH;
  }
  if (!head.ok) {
    connection.destroy();
    return { upgraded: false, status: head.status, message: head.message };
  }
  if (head.status !== 101) {
    connection.destroy();
    return {
      upgraded: false,
      status: head.status,
      message: `HTTP ${head.status}${head.snippet ? `: ${head.snippet}` : ''}`,
    };
  }
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  if (
    head.headers.get('sec-websocket-accept') !== accept ||
    head.headers.get('upgrade')?.toLowerCase() !== 'websocket'
  ) {
    connection.destroy();
    return {
      upgraded: false,
      status: 101,
      message: 'HTTP 101 without a valid WebSocket handshake (Upgrade / Sec-WebSocket-Accept)',
    };
  }
  return { upgraded: true, status: 101, connection };
}

type Head =
  | { ok: true; status: number; headers: Map<string, string>; snippet: string }
  | { ok: false; status: 0; message: string };

export class WebSocketConnection {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private headDone = false;
  private headResult: Head | undefined;
  private headWaiter: ((head: Head) => void) | undefined;
  private readonly messages: string[] = [];
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private waiter: { resolve: (text: string) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private onAbort: (() => void) | undefined;
  private closing = false;

  constructor(private readonly options: WebSocketOptions) {}

  /** @internal */
  attach(socket: Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    this.timer = setTimeout(
      () => this.fail(`no answer within ${this.options.timeoutMs} ms`, true),
      this.options.timeoutMs,
    );
    this.timer.unref();
    const signal = this.options.signal;
    if (signal) {
      if (signal.aborted) queueMicrotask(() => this.fail('aborted', true));
      this.onAbort = () => this.fail('aborted', true);
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.fail(error.code ? `${error.code}: ${error.message}` : error.message, true),
    );
    socket.on('close', () => {
      this.fail(this.headDone ? 'connection closed' : 'connection closed before an HTTP answer', false);
      this.cleanup();
    });
  }

  /** @internal The HTTP response head. */
  head(): Promise<Head> {
    if (this.headResult) return Promise.resolve(this.headResult);
    return new Promise((resolve) => {
      this.headWaiter = resolve;
    });
  }

  /** The next text message; rejects when the connection fails, closes, times out or breaks the protocol. */
  next(): Promise<string> {
    const queued = this.messages.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  send(text: string): void {
    if (this.closing || this.failure || !this.socket?.writable) return;
    this.socket.write(maskedFrame(0x1, Buffer.from(text, 'utf8')));
  }

  /** Clean close: a close frame (1000), then FIN; the socket is destroyed if the peer has not closed shortly after. */
  close(): void {
    const socket = this.socket;
    if (!socket || this.closing) return;
    this.closing = true;
    this.fail(CLOSED, false);
    if (socket.destroyed) return;
    if (socket.writable) socket.end(maskedFrame(0x8, Buffer.from([0x03, 0xe8])));
    const grace = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    grace.unref();
    socket.once('close', () => clearTimeout(grace));
  }

  /** @internal */
  destroy(): void {
    this.closing = true;
    this.socket?.destroy();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.onAbort) this.options.signal?.removeEventListener('abort', this.onAbort);
    this.onAbort = undefined;
  }

  /** The first failure is the one reported; the Error (and its stack) is made only for it. */
  private fail(reason: string | Error, destroy: boolean): void {
    if (!this.failure) this.failure = typeof reason === 'string' ? new Error(reason) : reason;
    if (!this.headDone) {
      this.settleHead({ ok: false, status: 0, message: typeof reason === 'string' ? reason : reason.message });
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failure);
    if (destroy) this.destroy();
  }

  private settleHead(head: Head): void {
    this.headDone = true;
    this.headResult = head;
    this.headWaiter?.(head);
    this.headWaiter = undefined;
  }

  private data(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.headDone) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buffer.length > MAX_HEAD_BYTES) this.fail('HTTP response head too large', true);
        return;
      }
      const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!status) return this.fail('not an HTTP answer', true);
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      this.buffer = this.buffer.subarray(end + 4);
      const code = Number(status[1]);
      // The snippet is for refusals only; after a 101 what follows is frames.
      const snippet =
        code === 101
          ? ''
          : this.buffer
              .subarray(0, 200)
              .toString('utf8')
              .replace(/[^\x20-\x7e]+/g, ' ')
              .trim();
      this.settleHead({ ok: true, status: code, headers, snippet });
      if (code !== 101) return;
    }
    this.frames();
  }

  private frames(): void {
    while (!this.failure) {
      const b = this.buffer;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const opcode = b[0]! & 0x0f;
      if ((b[1]! & 0x80) !== 0) return this.fail('masked frame from the server', true);
      let length = b[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        const big = b.readBigUInt64BE(2);
        length = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
        offset = 10;
      }
      const limit = this.options.maxPayloadBytes;
      if (length > limit || (opcode === 0x0 && this.fragmentBytes + length > limit)) {
        return this.fail(`frame of ${length} bytes exceeds the ${limit}-byte limit`, true);
      }
      if (b.length < offset + length) return;
      const payload = b.subarray(offset, offset + length);
      this.buffer = b.subarray(offset + length);
      if (opcode === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.fail(`closed by the server (${code})`, false);
        this.close();
        return;
      }
      if (opcode === 0x9) {
        if (this.socket?.writable && !this.closing) this.socket.write(maskedFrame(0xa, Buffer.from(payload)));
        continue;
      }
      if (opcode === 0xa) continue;
      if (opcode === 0x2) return this.fail('binary frame', true);
      if (opcode !== 0x1 && opcode !== 0x0) return this.fail(`unknown opcode ${opcode}`, true);
      if (opcode === 0x1 && this.fragments.length > 0) return this.fail('new message inside a fragmented one', true);
      if (opcode === 0x0 && this.fragments.length === 0) return this.fail('continuation without a message', true);
      // A whole message in one frame (DS's frames): decoded in place, no copy.
      if (fin && opcode === 0x1) {
        this.deliver(payload.toString('utf8'));
        continue;
      }
      this.fragments.push(Buffer.from(payload));
      this.fragmentBytes += length;
      if (!fin) continue;
      const text = Buffer.concat(this.fragments).toString('utf8');
      this.fragments = [];
      this.fragmentBytes = 0;
      this.deliver(text);
    }
  }

  private deliver(text: string): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve(text);
      return;
    }
    if (this.messages.length >= MAX_QUEUED_MESSAGES) return this.fail('too many unread messages', true);
    this.messages.push(text);
  }
}

/** A client frame: FIN set, masked with a fresh key (RFC 6455 §5.3). */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  if (length >= 65536) throw new Error('client frames are short');
  const headLength = length < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(headLength + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  }
  const mask = randomView(4);
  mask.copy(frame, headLength);
  const body = headLength + 4;
  for (let i = 0; i < length; i++) frame[body + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}
