import { randomBytes, randomInt } from 'node:crypto';
import { signJwt } from '../lib/jwt.js';
import { openWebSocket, type WebSocketConnection } from '../lib/websocket-client.js';
import { baseUrl, type DsScrape, type Via } from './client.js';
import type { BuildVersion } from './model.js';
import { scrapeVersion } from './version.js';

/**
 * The co-editing channel: the WebSocket every editor holds to docservice for its whole session
 * (as captured from DS 7.1.1.76 and 7.5: test/fixtures/docservice/real-docservice/websocket_*.txt). SockJS up to 7.2 (ONLYOFFICE/server v7.2.0.209 requires
 * `sockjs`), socket.io with Engine.IO 4 under `/doc/` from 7.3 (services.CoAuthoring.socketio.connection.path).
 *
 * It never counts as an editor: DS counts a connection against the license only once the editor's `auth` message
 * is handled (ONLYOFFICE/server, DocService/sources/DocsCoServer.js on master: the `auth` message runs `function* auth`
 * -> `function* endAuth`, which does `connections.push(conn)` and `addPresence`, the editors' presence the license
 * limits are counted from; the release tags were not checked line by line). The check sends
 * no such message: on SockJS nothing at all; on socket.io at most the namespace connect packet `40` with the browser
 * token, which DS checks in its connect middleware before any document session exists.
 */
export type CoEditingTransport = 'socketio' | 'sockjs';

export type BrowserTokenVerdict = { accepted: true } | { accepted: false; code: string; reason: string };

export interface CoEditingCheck {
  transport: CoEditingTransport;
  /** 101, the refusing HTTP status, or 0 when there was no HTTP answer. */
  status: number;
  /** HTTP 101 with a valid handshake. */
  upgraded: boolean;
  /** Upgraded and DS's own first frame (SockJS `o`, Engine.IO `0{"sid":...}`) arrived in time. */
  up: boolean;
  /** Until the first frame, or the failure. */
  seconds: number;
  /** Why it is not up (for logs and the doctor); empty when up. */
  message: string;
  /** socket.io with documentserver.jwt configured: DS's answer to the browser token; absent when DS gave none. */
  token?: BrowserTokenVerdict;
  /** Why there is no token verdict, when one was asked for. */
  tokenMessage?: string;
}

/** A document key for the URL, as editors put one in the path (9.4 refuses a bare `/doc/` with 4004). */
export const PROBE_DOCUMENT_KEY = 'onlyoffice-exporter-probe';
/** DS's frames here are a few hundred bytes (the license message); nothing the check reads is near this. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Frames read while waiting for the token verdict before giving up (DS answers with the first or second). */
const MAX_VERDICT_FRAMES = 4;

/** The check for one via, once per scrape (the endpoints and websocket collectors share it). */
export function coEditingCheck(ctx: DsScrape, via: Via): Promise<CoEditingCheck> {
  const base = baseUrl(ctx, via);
  if (base === undefined) throw new Error(`no ${via} URL configured`);
  return ctx.memo(`WEBSOCKET ${base}`, async (signal) => {
    const started = performance.now();
    const version = await scrapeVersion(ctx).catch(() => undefined);
    const [transport, fallback] = transportsFor(version);
    const first = await attempt(ctx, base, transport!, signal, ctx.target.timeout, started);
    // The fallback (version unknown) only when the URL was refused with an HTTP status: a peer that upgraded, or gave
    // no HTTP answer at all, would not do better on the other URL, and the time is spent.
    if (first.up || fallback === undefined || first.status === 0 || first.status === 101) return first;
    const remaining = ctx.target.timeout - (performance.now() - started);
    if (remaining <= 0) return first;
    const second = await attempt(ctx, base, fallback, signal, remaining, started);
    return second.up ? second : first;
  });
}

/** SockJS up to 7.2, socket.io from 7.3; unknown: socket.io first, then SockJS. */
export function transportsFor(version: BuildVersion | undefined): CoEditingTransport[] {
  const match = version ? /^(\d+)\.(\d+)/.exec(version.version) : null;
  if (!match) return ['socketio', 'sockjs'];
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 7 || (major === 7 && minor >= 3) ? ['socketio'] : ['sockjs'];
}

/** `/doc/<key>/c/?EIO=4&transport=websocket` or SockJS's raw transport `/doc/<key>/c/<3 digits>/<8 chars>/websocket`. */
export function coEditingPath(transport: CoEditingTransport): string {
  if (transport === 'socketio') return `/doc/${PROBE_DOCUMENT_KEY}/c/?EIO=4&transport=websocket`;
  const server = String(randomInt(1000)).padStart(3, '0');
  const session = randomBytes(6)
    .toString('base64url')
    .replace(/[^a-zA-Z0-9]/g, 'x')
    .slice(0, 8);
  return `/doc/${PROBE_DOCUMENT_KEY}/c/${server}/${session}/websocket`;
}

async function attempt(
  ctx: DsScrape,
  base: string,
  transport: CoEditingTransport,
  signal: AbortSignal,
  timeoutMs: number,
  started: number,
): Promise<CoEditingCheck> {
  const seconds = () => (performance.now() - started) / 1000;
  const open = await openWebSocket({
    url: base.replace(/\/+$/, '') + coEditingPath(transport),
    timeoutMs,
    signal,
    insecureSkipVerify: ctx.target.insecure_skip_verify,
    maxPayloadBytes: MAX_FRAME_BYTES,
  });
  if (!open.upgraded)
    return { transport, status: open.status, upgraded: false, up: false, seconds: seconds(), message: open.message };
  const connection = open.connection;
  try {
    let frame: string;
    try {
      frame = await connection.next();
    } catch (error) {
      return {
        transport,
        status: 101,
        upgraded: true,
        up: false,
        seconds: seconds(),
        message: `no first frame: ${messageOf(error)}`,
      };
    }
    const firstSeconds = seconds();
    if (!isOpenFrame(transport, frame)) {
      return {
        transport,
        status: 101,
        upgraded: true,
        up: false,
        seconds: firstSeconds,
        message: `not DocumentServer's first frame: ${snippet(frame)}`,
      };
    }
    const result: CoEditingCheck = {
      transport,
      status: 101,
      upgraded: true,
      up: true,
      seconds: firstSeconds,
      message: '',
    };
    const jwt = ctx.target.jwt;
    if (transport === 'socketio' && jwt) {
      const verdict = await browserToken(connection, jwt.browser_secret ?? jwt.secret);
      if ('token' in verdict) result.token = verdict.token;
      else result.tokenMessage = verdict.message;
    }
    return result;
  } finally {
    connection.close();
  }
}

function isOpenFrame(transport: CoEditingTransport, frame: string): boolean {
  if (transport === 'sockjs') return frame === 'o';
  if (!frame.startsWith('0{')) return false;
  const open = parseJson(frame.slice(1));
  return isObject(open) && typeof open.sid === 'string';
}

/**
 * Connects to the socket.io namespace with a browser token, as the editor does (`40{"token":...}`), and reads DS's
 * verdict: `40{"sid":...}` then the `license` message (accepted), `44{...,"data":{code,description}}` or a
 * `disconnectReason` message (refused). The token names the probe's document key only; it opens nothing.
 */
async function browserToken(
  connection: WebSocketConnection,
  secret: string,
): Promise<{ token: BrowserTokenVerdict } | { message: string }> {
  const token = signJwt(
    { document: { key: PROBE_DOCUMENT_KEY }, editorConfig: { user: { id: 'onlyoffice-exporter' } } },
    secret,
  );
  connection.send(`40${JSON.stringify({ token })}`);
  let connected = false;
  for (let i = 0; i < MAX_VERDICT_FRAMES; i++) {
    let frame: string;
    try {
      frame = await connection.next();
    } catch (error) {
      return { message: `no answer to the browser token: ${messageOf(error)}` };
    }
    if (frame.startsWith('44')) {
      const data = parseJson(frame.slice(2));
      const detail = isObject(data) && isObject(data.data) ? data.data : {};
      return {
        token: {
          accepted: false,
          code: String(detail.code ?? ''),
          reason: String(detail.description ?? (isObject(data) ? (data.message ?? '') : '')),
        },
      };
    }
    if (frame.startsWith('40')) {
      connected = true;
      continue;
    }
    if (frame.startsWith('42')) {
      const packet = parseJson(frame.slice(2));
      const message = Array.isArray(packet) && packet[0] === 'message' && isObject(packet[1]) ? packet[1] : undefined;
      if (message?.type === 'license' && connected) return { token: { accepted: true } };
      if (message?.type === 'disconnectReason') {
        return {
          token: { accepted: false, code: String(message.code ?? ''), reason: String(message.description ?? '') },
        };
      }
    }
  }
  return { message: "no verdict on the browser token in DS's first frames" };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function snippet(frame: string): string {
  const text = frame.replace(/[^\x20-\x7e]+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
