/**
 * DocumentServer "docservice" (port 8000) simulator for tests. Every body, status code and content type comes
 * from the captures in test/fixtures/docservice/ (answers of live 7.1 and 7.5 servers, and bodies of the 8.x / 9.x
 * shapes; see its README); the few derived bodies say where their values come from.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  closeFrame,
  engineIoSid,
  exchange,
  parseCapture,
  readClientFrames,
  serverFrame,
  switchingProtocols,
  textFrame,
  type CapturedExchange,
} from './ds-websocket.js';

export type DsVersion = '7.1' | '7.5' | '8.3' | '9.3';
export const DS_VERSIONS: readonly DsVersion[] = ['7.1', '7.5', '8.3', '9.3'];

export type DsFault =
  | 'none'
  | 'rabbitmq_down'
  | 'rabbitmq_frozen'
  | 'postgres_down'
  | 'postgres_frozen'
  | 'postgres_down_crash'
  | 'redis_down'
  | 'info_forbidden'
  | 'garbage'
  | 'oversized';

export type ConverterMode = 'working' | 'stopped' | 'no_x2t' | 'hang';

export interface DsSimulatorOptions {
  version?: DsVersion;
  jwtSecret?: string;
  /** services.CoAuthoring.secret.browser: checked when an editor's WebSocket connects (7.3+); default jwtSecret. */
  jwtBrowserSecret?: string;
  jwtHeader?: string;
  host?: string;
  port?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path with query string, as in the request line. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface DsSimulator {
  readonly url: string;
  readonly port: number;
  readonly version: DsVersion;
  readonly requests: RecordedRequest[];
  readonly fault: DsFault;
  setFault(fault: DsFault): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  setForgottenFiles(keys: string[]): void;
  /** getForgottenList (7.5+) answers this error code instead of the list (its storage failing); undefined restores the list. */
  setForgottenListError(code: number | undefined): void;
  setConverter(mode: ConverterMode): void;
  /** Replaces the /info/info.json body (object: JSON.stringify'd in its own key order; string: sent as is); undefined restores the fixture. */
  setInfo(info: object | string | undefined): void;
  /** Same for the `license` command answer. */
  setLicense(license: object | string | undefined): void;
  /**
   * A spoofed or compromised DS: conversion results (fileUrl) point at `base` (e.g. another loopback port) instead of
   * the request's own host, as DS builds them; undefined restores DS's behaviour.
   */
  setResultBase(base: string | undefined): void;
  /** Every co-editing WebSocket the simulator accepted (101), in order, with the text frames the client sent. */
  readonly webSockets: readonly WebSocketSession[];
  /** Resolves once every accepted WebSocket is closed. */
  webSocketsClosed(): Promise<void>;
}

export interface WebSocketSession {
  path: string;
  /** Text frames from the client, as sent. */
  received: string[];
  closed: boolean;
  /** Whether the client sent a close frame before its socket ended (a clean close). */
  closeFrameReceived: boolean;
}

export const OVERSIZED_BYTES = 16 * 1024 * 1024;
/** Not DS output: truncated JSON after non-UTF-8 bytes, so neither "true"/"false" nor JSON. */
export const GARBAGE_BODY = Buffer.concat([
  Buffer.from('<html>garbage'),
  Buffer.from([0x00, 0xff, 0xfe]),
  Buffer.from('{"error":'),
]);

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

const FIXTURES = new URL('../fixtures/docservice/', import.meta.url);
const cache = new Map<string, Buffer>();
/** A fixture file's bytes (path relative to test/fixtures/docservice/). */
export function fixture(path: string): Buffer {
  let bytes = cache.get(path);
  if (!bytes) {
    bytes = readFileSync(new URL(path, FIXTURES));
    cache.set(path, bytes);
  }
  return bytes;
}
const real = (name: string) => fixture(`real-docservice/${name}`);
const sample = (name: string) => fixture(`samples/${name}`);

interface Profile {
  healthTrue: Buffer;
  healthFalse: Buffer;
  index: Buffer;
  info: Buffer;
  version: Buffer;
  license: Buffer;
  /** 7.1 answers with `X-Powered-By: Express`; the 7.5 captures have no such header. */
  poweredBy: boolean;
  /** getForgottenList / getForgotten exist from 7.5. */
  forgotten: boolean;
  /** POST /command and POST /converter exist from 8.2. */
  newRoutes: boolean;
  /** ConvertService answer to an expired JWT (see jwtExpiredConvertError). */
  expiredConvertError: number;
  /** The co-editing channel (see coEditingOf). */
  coEditing: CoEditing;
}

interface InfoShape {
  serverInfo: { buildVersion: string; buildNumber: number };
  licenseInfo: { buildDate: string; packageType: number; customerId: string; multitenancy?: boolean; alias?: string };
}

const INDEX_83 =
  /^Server is functioning normally\. Version: (.*?)\. Build: (.*?)\. Release date: (.*?)\. Package type: (.*?)\. Customer Id: (.*?)\. Multitenancy: (.*?)\. Alias: (.*)$/s;

/**
 * index.html in the 8.3+ shape (samples/index-html-8.3plus.txt) filled from an info.json: the 8.3 sample agrees with
 * samples/info-8.x.json field by field, and no 9.3 index.html sample exists, so 9.3's is derived this way from
 * samples/info-9.1plus.json.
 */
export function indexFromInfo(template: Buffer, infoJson: Buffer): Buffer {
  const info = JSON.parse(infoJson.toString('utf8')) as InfoShape;
  const text = template.toString('utf8');
  if (!INDEX_83.test(text)) throw new Error('index.html template is not in the 8.3+ shape');
  const l = info.licenseInfo;
  return Buffer.from(
    `Server is functioning normally. Version: ${info.serverInfo.buildVersion}. Build: ${info.serverInfo.buildNumber}. ` +
      `Release date: ${l.buildDate}. Package type: ${l.packageType}. Customer Id: ${l.customerId}. ` +
      `Multitenancy: ${l.multitenancy ?? false}. Alias: ${l.alias ?? ''}`,
  );
}

/** `{"error":0,"version":"<buildVersion>.<buildNumber>"}` (shape of samples/command-version-9.x.json). No 8.3 capture exists. */
export function versionFromInfo(infoJson: Buffer): Buffer {
  const info = JSON.parse(infoJson.toString('utf8')) as InfoShape;
  return Buffer.from(
    JSON.stringify({ error: 0, version: `${info.serverInfo.buildVersion}.${info.serverInfo.buildNumber}` }),
  );
}

/**
 * ONLYOFFICE/server Common/sources/utils.js `mapAscServerErrorToOldError`: v7.1.1.76 maps an expired ConvertService
 * token to -21, v9.3.1.11 maps every token error to -8. 7.5 and 8.3 were not read: 7.5 is treated like 7.1 and 8.3
 * like 9.x (assumption).
 */
const jwtExpiredConvertError: Record<DsVersion, number> = { '7.1': -21, '7.5': -21, '8.3': -8, '9.3': -8 };

const profiles = new Map<DsVersion, Profile>();
export function profileOf(version: DsVersion): Profile {
  const cached = profiles.get(version);
  if (cached) return cached;
  let p: Omit<Profile, 'coEditing'>;
  switch (version) {
    case '7.1':
      p = {
        healthTrue: real('nojwt_healthcheck.txt'),
        healthFalse: real('fault1_rabbitmq_down_healthcheck.txt'),
        index: real('nojwt_index.html.txt'),
        info: real('nojwt_info_info.json'),
        version: real('nojwt_command_version.json'),
        license: real('nojwt_command_license.json'),
        poweredBy: true,
        forgotten: false,
        newRoutes: false,
        expiredConvertError: jwtExpiredConvertError[version],
      };
      break;
    case '7.5':
      p = {
        healthTrue: real('v75_nojwt_healthcheck.txt'),
        healthFalse: real('v75_fault1_rabbitmq_down_healthcheck.txt'),
        index: real('v75_nojwt_index.html.txt'),
        info: real('v75_nojwt_info_info.json'),
        version: real('v75_nojwt_command_version.json'),
        license: real('v75_nojwt_command_license.json'),
        poweredBy: false,
        forgotten: true,
        newRoutes: false,
        expiredConvertError: jwtExpiredConvertError[version],
      };
      break;
    // 8.3 / 9.3: no captures, sample bodies; headers as 7.5 (the reference has no 8.x/9.x header capture).
    case '8.3':
      p = {
        healthTrue: sample('healthcheck-ok.txt'),
        healthFalse: sample('healthcheck-fail.txt'),
        index: sample('index-html-8.3plus.txt'),
        info: sample('info-8.x.json'),
        version: versionFromInfo(sample('info-8.x.json')),
        license: sample('command-license-ee-docs-shape.json'),
        poweredBy: false,
        forgotten: true,
        newRoutes: true,
        expiredConvertError: jwtExpiredConvertError[version],
      };
      break;
    case '9.3':
      p = {
        healthTrue: sample('healthcheck-ok.txt'),
        healthFalse: sample('healthcheck-fail.txt'),
        index: indexFromInfo(sample('index-html-8.3plus.txt'), sample('info-9.1plus.json')),
        info: sample('info-9.1plus.json'),
        version: sample('command-version-9.x.json'),
        license: sample('command-license-9.x.json'),
        poweredBy: false,
        forgotten: true,
        newRoutes: true,
        expiredConvertError: jwtExpiredConvertError[version],
      };
      break;
    default:
      throw new Error(`unknown DS version ${String(version)}`);
  }
  const profile: Profile = { ...p, coEditing: coEditingOf(version, p.info) };
  profiles.set(version, profile);
  return profile;
}

// ---------------------------------------------------------------------------------------------------------------
// The co-editing WebSocket (real-docservice/websocket_*.txt; ONLYOFFICE/server: SockJS up to 7.2, socket.io from 7.3)

interface CoEditing {
  transport: 'sockjs' | 'socketio';
  /** SockJS: `o`; socket.io: the Engine.IO open packet with `"sid":"SID"` standing for a fresh sid. */
  open: string;
  /** The answer to a WebSocket URL asked without `Upgrade` (what a proxy without upgrade forwarding passes on). */
  noUpgrade: { contentType: string; body: Buffer };
  /** socket.io: `40{"sid":"SID"}`, the connect acknowledgement. */
  connected?: string;
  /** The `license` message DS sends once the connection is accepted (SockJS: right after `o`). */
  license: string;
  /** socket.io connect refusals, JWT browser token on: none given, wrong signature. */
  noToken?: string;
  badSignature?: string;
  /** socket.io without a document key in the path (9.4 capture): disconnectReason 4004 "access deny", then `41`. */
  noKey?: string[];
}

const SID = /"sid":"[^"]*"/;
const withSid = (frame: string) => frame.replace(SID, `"sid":"${engineIoSid()}"`);

/** `42["message",{...}]` with the license's buildVersion/buildNumber replaced (for versions without their own capture). */
function licenseFor(frame: string, buildVersion: string, buildNumber: number): string {
  const packet = JSON.parse(frame.slice(2)) as [string, { license: Record<string, unknown> }];
  packet[1].license.buildVersion = buildVersion;
  packet[1].license.buildNumber = buildNumber;
  return `42${JSON.stringify(packet)}`;
}

function coEditingOf(version: DsVersion, infoJson: Buffer): CoEditing {
  const direct = parseCapture(real('websocket_v711_v751.txt').toString('utf8'));
  const nginx = parseCapture(real('websocket_behind_nginx.txt').toString('utf8'));
  const keyPath = parseCapture(real('websocket_key_path_v751_v940.txt').toString('utf8'));
  const noUpgradeBody = (e: CapturedExchange) => Buffer.from(/ body: (.*)$/.exec(e.lines[0]!.text)![1]!);
  if (version === '7.1') {
    const sockjs = exchange(direct, '7.1.1.76 (SockJS)');
    return {
      transport: 'sockjs',
      open: serverFrame(sockjs, 0),
      // Body as captured through nginx; the content type was not captured (sockjs-node writes text/plain).
      noUpgrade: {
        contentType: 'text/plain; charset=UTF-8',
        body: noUpgradeBody(exchange(nginx, '7.1.1.76 behind nginx WITHOUT')),
      },
      license: serverFrame(sockjs, 1),
    };
  }
  const right = exchange(keyPath, '7.5.1.35 JWT on: document key in the path, right browser secret');
  const v94 = exchange(keyPath, '9.4.0.36 JWT off: document key in the path');
  const v94NoKey = exchange(keyPath, '9.4.0.36 JWT off: no document key in the path');
  const common = {
    transport: 'socketio' as const,
    open: serverFrame(right, 0),
    // Body as captured through nginx; the content type was not captured (engine.io writes application/json).
    noUpgrade: {
      contentType: 'application/json',
      body: noUpgradeBody(exchange(nginx, '7.5.1.35 behind nginx WITHOUT')),
    },
    connected: serverFrame(right, 1),
    noToken: serverFrame(exchange(keyPath, '7.5.1.35 JWT on: document key in the path, no token'), 1),
    badSignature: serverFrame(exchange(direct, '7.5.1.35 JWT on: connect with a token signed by another secret'), 1),
  };
  const info = JSON.parse(infoJson.toString('utf8')) as InfoShape;
  const { buildVersion, buildNumber } = info.serverInfo;
  if (version === '7.5') return { ...common, license: serverFrame(right, 2) };
  // 8.3: no capture; 7.5's frames with the version's build (the reference has socket.io frames of 7.5 and 9.4 only,
  // and 7.5 and 9.4 agree on every frame the simulator serves). 7.5 with no key in the path sends the license (capture);
  // 9.4 refuses it with 4004: 8.3 is assumed to behave as 7.5 there.
  if (version === '8.3') return { ...common, license: licenseFor(serverFrame(right, 2), buildVersion, buildNumber) };
  // 9.3: 9.4.0.36's frames with 9.3's build. The JWT refusals were captured on 7.5 only (9.4 ran with JWT off).
  return {
    ...common,
    license: licenseFor(serverFrame(v94, 2), buildVersion, buildNumber),
    noKey: [serverFrame(v94NoKey, 2), serverFrame(v94NoKey, 3)],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HS256 JWT verification (jsonwebtoken semantics as DS uses them: clockTolerance 60 s)

export type JwtCheck = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: 'invalid' | 'expired' };

export function verifyHs256(token: string, secret: string, clockToleranceSeconds = 60, now = Date.now()): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'invalid' };
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (!isObject(header) || header.alg !== 'HS256' || !isObject(payload)) return { ok: false, reason: 'invalid' };
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  const clock = Math.floor(now / 1000);
  // jsonwebtoken order: signature, then nbf (NotBeforeError -> DS "invalid"), then exp (TokenExpiredError -> "expired").
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > clock + clockToleranceSeconds)) {
    return { ok: false, reason: 'invalid' };
  }
  if (payload.exp !== undefined) {
    if (typeof payload.exp !== 'number') return { ok: false, reason: 'invalid' };
    if (clock >= payload.exp + clockToleranceSeconds) return { ok: false, reason: 'expired' };
  }
  return { ok: true, payload };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion tasks (DS table task_result, id conv_<key>_<outputtype>)

/**
 * Output formats accepted as `outputtype`. The reference gives no list (only "ext, or ooxml/odf 7.0+"): this is the
 * set of common editor formats, anything else answers -7.
 */
const OUTPUT_TYPES = new Set([
  'docx',
  'docxf',
  'oform',
  'dotx',
  'docm',
  'odt',
  'ott',
  'rtf',
  'txt',
  'html',
  'epub',
  'fb2',
  'pdf',
  'pdfa',
  'xlsx',
  'xltx',
  'xlsm',
  'ods',
  'ots',
  'csv',
  'pptx',
  'potx',
  'pptm',
  'odp',
  'otp',
  'png',
  'jpg',
  'bmp',
  'gif',
  'ooxml',
  'odf',
]);
// Assumed shape of DS's DOC_ID_REGEX (the reference only says the key must match it).
const KEY_RE = /^[0-9A-Za-z._=-]{1,128}$/;
/** storage.urlExpires: the captured getForgotten url expires 901 s after the request (v75_nojwt_command_getForgotten_key1.json). */
const URL_EXPIRES_SECONDS = 900;
const SECURE_LINK_SECRET = 'ds-simulator-secure-link';
/** A poll at least this long after the task was queued sees it finished (capture: sync convert answered in 1.010 s). */
const CONVERT_MS = 1_000;
const SOURCE_FETCH_TIMEOUT_MS = 5_000;
const MAX_SOURCE_BYTES = 20 * 1024 * 1024;

type ConvertResult = { error: number } | { fileUrl: string; fileType: string; percent: 100; endConvert: true };

interface Task {
  id: string;
  key: string;
  outputtype: string;
  ext: string;
  title: string;
  url: unknown;
  baseUrl: string;
  state: 'queued' | 'running' | 'done';
  result?: ConvertResult;
}

function outputExt(outputtype: string, filetype: unknown): string {
  const source = typeof filetype === 'string' ? filetype.toLowerCase() : '';
  if (outputtype === 'ooxml')
    return ['xlsx', 'xls', 'ods', 'csv'].includes(source)
      ? 'xlsx'
      : ['pptx', 'ppt', 'odp'].includes(source)
        ? 'pptx'
        : 'docx';
  if (outputtype === 'odf')
    return ['xlsx', 'xls', 'ods', 'csv'].includes(source)
      ? 'ods'
      : ['pptx', 'ppt', 'odp'].includes(source)
        ? 'odp'
        : 'odt';
  return outputtype;
}

function secureLink(path: string, expires: number): string {
  return createHash('md5').update(`${expires}${path}${SECURE_LINK_SECRET}`).digest('base64url');
}

// ---------------------------------------------------------------------------------------------------------------
// Responses

/** Express's default weak ETag (etag package): W/"<length hex>-<sha1 base64, 27 chars>". */
export function expressEtag(body: Buffer): string {
  return `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64').substring(0, 27)}"`;
}

const CT = {
  text: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
  infoJson: 'application/json; charset=utf-8',
  command: 'application/json',
  convertJson: 'application/json; charset=UTF-8',
  convertXml: 'text/xml; charset=UTF-8',
  robots: 'plain/text; charset=utf-8',
} as const;

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** Lower-cased pathname without one trailing slash (Express routes are case-insensitive and non-strict). */
  route: string;
  body: Buffer;
}

class Simulator implements DsSimulator {
  readonly requests: RecordedRequest[] = [];
  readonly version: DsVersion;
  readonly port: number;
  readonly url: string;
  private readonly host: string;
  private readonly jwtSecret: string | undefined;
  private readonly jwtBrowserSecret: string | undefined;
  readonly webSockets: WebSocketSession[] = [];
  private readonly upgraded = new Set<Duplex>();
  private readonly jwtHeader: string;
  private readonly profile: Profile;
  private server: Server | undefined;
  private closing: Promise<void> | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly events = new EventEmitter();
  private currentFault: DsFault = 'none';
  private converter: ConverterMode = 'working';
  private forgottenKeys: string[] = [];
  private forgottenListError: number | undefined;
  private info: Buffer | undefined;
  private license: Buffer | undefined;
  private resultBase: string | undefined;
  private readonly tasks = new Map<string, Task>();
  /** Files behind the fileUrl / getForgotten urls, by path. */
  private readonly files = new Map<string, Buffer>();

  constructor(
    options: Required<Pick<DsSimulatorOptions, 'version' | 'jwtHeader' | 'host' | 'port'>> & {
      jwtSecret?: string;
      jwtBrowserSecret?: string;
    },
  ) {
    this.version = options.version;
    this.profile = profileOf(options.version);
    this.jwtSecret = options.jwtSecret;
    this.jwtBrowserSecret = options.jwtBrowserSecret ?? options.jwtSecret;
    this.jwtHeader = options.jwtHeader.toLowerCase();
    this.host = options.host;
    this.port = options.port;
    this.url = `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    this.events.setMaxListeners(0);
  }

  get fault(): DsFault {
    return this.currentFault;
  }

  setFault(fault: DsFault): void {
    this.currentFault = fault;
    // DocService dies on this fault (uncaughtException + process.exit(1) in the capture).
    if (fault === 'postgres_down_crash') void this.stop();
    this.changed();
  }

  setConverter(mode: ConverterMode): void {
    this.converter = mode;
    this.changed();
  }

  setForgottenFiles(keys: string[]): void {
    this.forgottenKeys = [...keys];
  }

  setForgottenListError(code: number | undefined): void {
    this.forgottenListError = code;
  }

  setInfo(info: object | string | undefined): void {
    this.info = info === undefined ? undefined : Buffer.from(typeof info === 'string' ? info : JSON.stringify(info));
  }

  setLicense(license: object | string | undefined): void {
    this.license =
      license === undefined ? undefined : Buffer.from(typeof license === 'string' ? license : JSON.stringify(license));
  }

  setResultBase(base: string | undefined): void {
    this.resultBase = base;
  }

  async start(): Promise<void> {
    if (this.closing) await this.closing;
    if (this.server) return;
    // A restarted DocService is healthy again (capture: healthcheck true after PostgreSQL + DocService restart).
    if (this.currentFault === 'postgres_down_crash') this.currentFault = 'none';
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.keepAliveTimeout = 5_000; // "Keep-Alive: timeout=5" as captured
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.changed();
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return this.closing ?? Promise.resolve();
    this.server = undefined;
    this.events.emit('stop');
    this.closing = new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
      for (const socket of this.upgraded) socket.destroy();
    }).finally(() => {
      this.closing = undefined;
    });
    return this.closing;
  }

  // ------------------------------------------------------------------------------------------------------------

  private changed(): void {
    this.runQueuedTasks();
    this.events.emit('change');
  }

  /** Resolves true at the next state change, false if the simulator stops or the client goes away first. */
  private nextChange(res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        this.events.off('change', onChange);
        this.events.off('stop', onStop);
        res.off('close', onStop);
        resolve(value);
      };
      const onChange = () => done(true);
      const onStop = () => done(false);
      this.events.on('change', onChange);
      this.events.on('stop', onStop);
      res.on('close', onStop);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size <= MAX_SOURCE_BYTES) chunks.push(chunk as Buffer);
      }
    } catch {
      return;
    }
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator');
    this.requests.push({ method, path: req.url ?? '/', headers: { ...req.headers }, body: body.toString('utf8') });
    let route = url.pathname.toLowerCase();
    if (route.length > 1 && route.endsWith('/')) route = route.slice(0, -1);
    try {
      await this.dispatch({ req, res, method, url, route, body });
    } catch (error) {
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.end(String(error));
      }
    }
  }

  private async dispatch(ctx: Ctx): Promise<void> {
    const fault = this.currentFault;
    if (fault === 'garbage') return this.send(ctx, 200, CT.html, GARBAGE_BODY);
    if (fault === 'oversized') return this.sendOversized(ctx);

    const { method, route } = ctx;
    const get = method === 'GET' || method === 'HEAD';
    if (route === '/healthcheck' && get) return this.healthcheck(ctx);
    if (route === '/index.html' && get) return this.send(ctx, 200, CT.html, this.profile.index);
    if (route.startsWith('/info/') && get && fault === 'info_forbidden') {
      // docservice ipfilter (checkClientIp, errorcode 403) answers res.sendStatus(403). The reference has no capture
      // of this body: "Forbidden" is what Express's sendStatus sends. Real ipfilter guards every checkClientIp route;
      // this fault models only /info/.
      return this.send(ctx, 403, CT.text, Buffer.from('Forbidden'));
    }
    if (route === '/info/info.json' && get) return this.send(ctx, 200, CT.infoJson, this.info ?? this.profile.info);
    if (route === '/coauthoring/commandservice.ashx' && (get || method === 'POST')) return this.command(ctx);
    if (route === '/command' && method === 'POST' && this.profile.newRoutes) return this.command(ctx);
    if (route === '/convertservice.ashx' && (get || method === 'POST')) return this.convert(ctx, false);
    if (route === '/converter' && method === 'POST' && this.profile.newRoutes) return this.convert(ctx, true);
    if (route === '/robots.txt' && get) return this.send(ctx, 200, CT.robots, real('jwt_robots.txt'));
    if (route === '/baseurl' && get) return this.send(ctx, 200, CT.html, Buffer.from(baseUrlOf(ctx.req)));
    if (route.startsWith('/cache/files/') && get) return this.cacheFile(ctx);
    if (get && this.isWebSocketPath(ctx.url)) {
      // A WebSocket URL without `Upgrade` (a proxy that does not forward it): 400 with the body captured through nginx.
      const { contentType, body } = this.profile.coEditing.noUpgrade;
      return this.send(ctx, 400, contentType, body, false);
    }
    return this.notFound(ctx);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Co-editing WebSocket

  webSocketsClosed(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.webSockets.every((w) => w.closed)) {
          this.events.off('ws-closed', check);
          resolve();
        }
      };
      this.events.on('ws-closed', check);
      check();
    });
  }

  /**
   * SockJS (7.1): `/doc/<key>/c/<server>/<session>/websocket`, sockjs-node's raw-transport route.
   * socket.io: engine.io owns every path under `/doc/` (services.CoAuthoring.socketio.connection.path); the
   * WebSocket transport is asked with `?EIO=4&transport=websocket`.
   */
  private isWebSocketPath(url: URL): boolean {
    if (this.profile.coEditing.transport === 'sockjs')
      return /^\/doc\/[^/]+\/c\/[^/.]+\/[^/.]+\/websocket$/.test(url.pathname);
    return (
      url.pathname.startsWith('/doc/') &&
      url.searchParams.get('EIO') === '4' &&
      url.searchParams.get('transport') === 'websocket'
    );
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://simulator');
    this.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, body: '' });
    socket.on('error', () => undefined);
    const key = req.headers['sec-websocket-key'];
    if (
      req.method !== 'GET' ||
      !this.isWebSocketPath(url) ||
      typeof key !== 'string' ||
      req.headers['sec-websocket-version'] !== '13'
    ) {
      // Not captured: upgrades to other paths. Answered as the proxy-without-upgrade case, with the same 400 body.
      const { contentType, body } = this.profile.coEditing.noUpgrade;
      const head = `HTTP/1.1 400 Bad Request\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      socket.end(Buffer.concat([Buffer.from(head), body]));
      return;
    }
    const session: WebSocketSession = { path: req.url ?? '/', received: [], closed: false, closeFrameReceived: false };
    this.webSockets.push(session);
    this.upgraded.add(socket);
    socket.on('close', () => {
      this.upgraded.delete(socket);
      session.closed = true;
      this.events.emit('ws-closed');
    });
    // The 101 as captured ({"upgrade":"websocket","connection":"Upgrade"}) plus the RFC 6455 accept key.
    socket.write(switchingProtocols(key));
    const co = this.profile.coEditing;
    const send = (text: string) => {
      if (!socket.destroyed && socket.writable) socket.write(textFrame(text));
    };
    if (co.transport === 'sockjs') {
      // 7.1 capture: `o`, then the license message at once, without any auth.
      send(co.open);
      send(co.license);
    } else {
      send(withSid(co.open));
    }
    readClientFrames(
      socket,
      (frame) => {
        if (frame.opcode === 0x8) {
          session.closeFrameReceived = true;
          if (socket.writable) socket.end(closeFrame());
          return;
        }
        if (frame.opcode !== 0x1) return;
        const text = frame.payload.toString('utf8');
        session.received.push(text);
        if (co.transport === 'socketio') this.socketIoPacket(url, text, send);
      },
      1024 * 1024,
      head,
    );
  }

  /** Engine.IO/socket.io packets from the client; only the connect packet `40` is answered (as captured). */
  private socketIoPacket(url: URL, text: string, send: (text: string) => void): void {
    if (!text.startsWith('40')) return;
    const co = this.profile.coEditing;
    if (this.jwtBrowserSecret !== undefined) {
      let token: unknown;
      try {
        token = text.length > 2 ? (JSON.parse(text.slice(2)) as { token?: unknown }).token : undefined;
      } catch {
        token = undefined;
      }
      if (typeof token !== 'string') return send(co.noToken!);
      // The capture has DS's answer to a wrong signature only; an expired token's answer was not captured.
      if (!verifyHs256(token, this.jwtBrowserSecret).ok) return send(co.badSignature!);
    }
    send(withSid(co.connected!));
    const keyInPath = /^\/doc\/[^/]+\/c\/?$/.test(url.pathname);
    if (!keyInPath && co.noKey) {
      for (const frame of co.noKey) send(frame);
      return;
    }
    send(co.license);
  }

  private send(ctx: Ctx, status: number, contentType: string, body: Buffer, etag = true): void {
    const { res } = ctx;
    if (res.destroyed || res.headersSent) return;
    if (this.profile.poweredBy) res.setHeader('X-Powered-By', 'Express');
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', body.length);
    if (etag) res.setHeader('ETag', expressEtag(body));
    res.statusCode = status;
    res.end(body);
  }

  /** Express/finalhandler 404 page (real-docservice/jwt_unknown_path_404.html with the method and path substituted). */
  private notFound(ctx: Ctx): void {
    const { res } = ctx;
    const body = Buffer.from(
      real('jwt_unknown_path_404.html')
        .toString('utf8')
        .replace('Cannot GET /no/such/path', `Cannot ${escapeHtml(ctx.method)} ${escapeHtml(ctx.url.pathname)}`),
    );
    if (res.destroyed || res.headersSent) return;
    if (this.profile.poweredBy) res.setHeader('X-Powered-By', 'Express');
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Type', CT.html);
    res.setHeader('Content-Length', body.length);
    res.statusCode = 404;
    res.end(body);
  }

  private sendOversized(ctx: Ctx): void {
    const { res } = ctx;
    if (this.profile.poweredBy) res.setHeader('X-Powered-By', 'Express');
    res.setHeader('Content-Type', CT.text);
    res.setHeader('Content-Length', OVERSIZED_BYTES);
    res.statusCode = 200;
    if (ctx.method === 'HEAD') {
      res.end();
      return;
    }
    // "true" repeated: a client that only looks at the start of the body would call this healthy.
    const chunk = Buffer.from('true'.repeat(16 * 1024));
    let left = OVERSIZED_BYTES;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (left === 0) {
          res.end(chunk.subarray(0, n));
          return;
        }
        if (!res.write(chunk.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  private async healthcheck(ctx: Ctx): Promise<void> {
    const fault = this.currentFault;
    if (fault === 'rabbitmq_frozen' || fault === 'postgres_frozen') {
      // Captured: the request hangs while the dependency is SIGSTOPped and completes once it is thawed.
      if (await this.nextChange(ctx.res)) return this.dispatch(ctx);
      return;
    }
    const healthy = fault !== 'rabbitmq_down' && fault !== 'postgres_down';
    return this.send(ctx, 200, CT.text, healthy ? this.profile.healthTrue : this.profile.healthFalse);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Request parameters and JWT (ONLYOFFICE/server DocService/sources/DocsCoServer.js `getRequestParams`, v7.1.1.76 and v9.3.1.11)

  /** JSON body, else the query string; throws on a body that is not JSON. */
  private params(ctx: Ctx): Record<string, unknown> {
    if (ctx.body.length === 0) return Object.fromEntries(ctx.url.searchParams);
    const parsed: unknown = JSON.parse(ctx.body.toString('utf8'));
    if (parsed === null) throw new Error('null body');
    return isObject(parsed) ? parsed : {};
  }

  private authorize(
    ctx: Ctx,
    params: Record<string, unknown>,
  ): { params: Record<string, unknown> } | { failure: 'invalid' | 'expired' } {
    if (this.jwtSecret === undefined) return { params };
    let token: string | undefined;
    if (params.token !== undefined) {
      token = typeof params.token === 'string' ? params.token : '';
    } else {
      const header = ctx.req.headers[this.jwtHeader];
      if (typeof header === 'string' && header.startsWith('Bearer ')) token = header.slice('Bearer '.length);
    }
    if (token === undefined) return { failure: 'invalid' };
    const check = verifyHs256(token, this.jwtSecret);
    if (!check.ok) return { failure: check.reason };
    // tokenRequiredParams: the decoded token replaces the request params; payload/query sub-objects are merged in.
    const decoded: Record<string, unknown> = { ...check.payload };
    if (isObject(decoded.payload)) Object.assign(decoded, decoded.payload);
    if (isObject(decoded.query)) Object.assign(decoded, decoded.query);
    return { params: decoded };
  }

  // ------------------------------------------------------------------------------------------------------------
  // CommandService

  private async command(ctx: Ctx): Promise<void> {
    const answer = (body: Buffer | object) =>
      this.send(ctx, 200, CT.command, Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)));
    let params: Record<string, unknown>;
    try {
      params = this.params(ctx);
    } catch {
      return answer(real('nojwt_command_badjson.txt'));
    }
    const auth = this.authorize(ctx, params);
    if ('failure' in auth) {
      return answer(
        real(auth.failure === 'expired' ? 'jwt_command_version_expiredtoken.json' : 'jwt_command_version_notoken.json'),
      );
    }
    params = auth.params;
    const key = params.key;
    // `key: undefined` vanishes in JSON, as in DS's output object.
    const withKey = (body: Buffer) =>
      key === undefined ? body : { key, ...(JSON.parse(body.toString('utf8')) as object) };
    switch (params.c) {
      case 'version':
        return answer(withKey(this.profile.version));
      case 'license':
        return answer(withKey(this.license ?? this.profile.license));
      case 'getForgottenList':
        if (this.profile.forgotten && this.forgottenListError !== undefined)
          return answer({ key, error: this.forgottenListError });
        if (this.profile.forgotten) return answer({ key, error: 0, keys: this.forgottenKeys });
        break;
    }
    if (key === undefined || key === null || key === '') return answer({ key, error: 1 });
    switch (params.c) {
      case 'info':
        while (this.currentFault === 'postgres_frozen') if (!(await this.nextChange(ctx.res))) return;
        if (this.currentFault === 'postgres_down') return answer({ key, error: 3 });
        // No documents are ever open in the simulator: DocumentIdError.
        return answer({ key, error: 1 });
      case 'getForgotten':
        if (!this.profile.forgotten) break;
        if (typeof key === 'string' && this.forgottenKeys.includes(key)) {
          const path = `/cache/files/forgotten/${encodeURIComponent(key)}/output.docx/output.docx`;
          this.files.set(path, Buffer.from(`forgotten file ${key}\n`));
          return answer({ key, error: 0, url: `${baseUrlOf(ctx.req)}${signedQuery(path, 'output.docx')}` });
        }
        // Assumption (no capture): an unknown forgotten key is a DocumentIdError.
        return answer({ key, error: 1 });
    }
    return answer({ key, error: 5 });
  }

  // ------------------------------------------------------------------------------------------------------------
  // ConvertService

  private async convert(ctx: Ctx, jsonByDefault: boolean): Promise<void> {
    const accept = String(ctx.req.headers.accept ?? '').toLowerCase();
    const json = jsonByDefault
      ? !(accept.includes('xml') && !accept.includes('json'))
      : accept.includes('application/json');
    const reply = (result: ConvertResult | 'pending') => {
      if (json) {
        const body = result === 'pending' ? real('nojwt_convert_async_json.json') : Buffer.from(JSON.stringify(result));
        return this.send(ctx, 200, CT.convertJson, body);
      }
      return this.send(ctx, 200, CT.convertXml, convertXml(result));
    };
    if (this.converter === 'hang') return; // never answers; the socket stays open until stop()

    let params: Record<string, unknown>;
    try {
      params = this.params(ctx);
    } catch {
      // The reference has no capture of a non-JSON ConvertService body; assumed to hit the handler's catch-all (-1).
      return reply({ error: -1 });
    }
    const auth = this.authorize(ctx, params);
    if ('failure' in auth) return reply({ error: auth.failure === 'expired' ? this.profile.expiredConvertError : -8 });
    params = auth.params;
    const { key, outputtype } = params;
    if (
      typeof key !== 'string' ||
      !KEY_RE.test(key) ||
      typeof outputtype !== 'string' ||
      !OUTPUT_TYPES.has(outputtype.toLowerCase())
    ) {
      return reply({ error: -7 });
    }
    const isAsync = params.async === true || params.async === 'true';
    for (;;) {
      while (this.currentFault === 'postgres_frozen') if (!(await this.nextChange(ctx.res))) return;
      if (this.currentFault === 'postgres_down') return reply({ error: -1 });
      const id = `conv_${key}_${outputtype.toLowerCase()}`;
      let task = this.tasks.get(id);
      if (!task) {
        const ext = outputExt(outputtype.toLowerCase(), params.filetype);
        // The title keeps its name with the output extension (samples/convert-done.json: .../probe.pdf?...filename=probe.pdf).
        const title =
          typeof params.title === 'string' && params.title !== ''
            ? params.title.replace(/\.[^./]*$/, '') + `.${ext}`
            : `output.${ext}`;
        task = {
          id,
          key,
          outputtype: outputtype.toLowerCase(),
          ext,
          title,
          url: params.url,
          baseUrl: this.resultBase ?? baseUrlOf(ctx.req),
          state: 'queued',
        };
        this.tasks.set(id, task);
        this.runQueuedTasks();
        if (isAsync) return reply('pending');
      }
      if (task.result) return reply(task.result);
      if (isAsync) return reply('pending');
      // Sync: DS polls task_result until the task finishes (30 min limit); the client is expected to time out.
      if (!(await this.nextChange(ctx.res))) return;
    }
  }

  private canConvert(): boolean {
    const brokerUp = this.currentFault !== 'rabbitmq_down' && this.currentFault !== 'rabbitmq_frozen';
    return brokerUp && (this.converter === 'working' || this.converter === 'no_x2t');
  }

  /** Queued tasks start once a broker and a FileConverter are there (captured: tasks queued while RabbitMQ was down were published after reconnect). */
  private runQueuedTasks(): void {
    if (!this.canConvert()) return;
    for (const task of this.tasks.values()) {
      if (task.state !== 'queued') continue;
      task.state = 'running';
      void this.runTask(task, this.converter === 'no_x2t');
    }
  }

  private async runTask(task: Task, noX2t: boolean): Promise<void> {
    const started = Date.now();
    // FileConverter downloads the source before running x2t (captured: -4 for a 404 source even without x2t).
    const source = await fetchSource(task.url);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CONVERT_MS - (Date.now() - started))).unref());
    if (!source) {
      task.result = { error: -4 };
    } else if (noX2t) {
      task.result = { error: -3 };
    } else {
      const path = `/cache/files/${encodeURIComponent(task.id)}/output.${task.ext}/${encodeURIComponent(task.title)}`;
      // The simulator does not convert: the "output" is the downloaded source.
      this.files.set(path, source);
      task.result = {
        fileUrl: `${task.baseUrl}${signedQuery(path, task.title)}`,
        fileType: task.ext,
        percent: 100,
        endConvert: true,
      };
    }
    task.state = 'done';
    this.events.emit('change');
  }

  /** Stands in for nginx's secure_link location on /cache/files (403 bad md5, 410 expired). */
  private cacheFile(ctx: Ctx): void {
    const path = ctx.url.pathname;
    const file = this.files.get(path);
    if (!file) return this.notFound(ctx);
    const expires = Number(ctx.url.searchParams.get('expires'));
    if (ctx.url.searchParams.get('md5') !== secureLink(path, expires))
      return this.send(ctx, 403, CT.text, Buffer.from('Forbidden'), false);
    if (expires < Date.now() / 1000) return this.send(ctx, 410, CT.text, Buffer.from('Gone'), false);
    return this.send(ctx, 200, 'application/octet-stream', file, false);
  }
}

function signedQuery(path: string, filename: string): string {
  const expires = Math.floor(Date.now() / 1000) + URL_EXPIRES_SECONDS;
  return `${path}?md5=${secureLink(path, expires)}&expires=${expires}&filename=${encodeURIComponent(filename)}`;
}

/** DS builds absolute URLs from the request (X-Forwarded-Proto/Host, else Host): /baseurl answered http://127.0.0.1:8000. */
function baseUrlOf(req: IncomingMessage): string {
  const first = (h: IncomingHttpHeaders[string]) => (Array.isArray(h) ? h[0] : h)?.split(',')[0]?.trim();
  const proto = first(req.headers['x-forwarded-proto']) || 'http';
  const host = first(req.headers['x-forwarded-host']) || req.headers.host || '127.0.0.1';
  return `${proto}://${host}`;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** XML forms of real-docservice/nojwt_convert_async_xml.xml, jwt_convert_async_notoken.xml and samples/convert-done.xml. */
function convertXml(result: ConvertResult | 'pending'): Buffer {
  if (result === 'pending') return real('nojwt_convert_async_xml.xml');
  const head = '<?xml version="1.0" encoding="utf-8"?>';
  if ('error' in result) return Buffer.from(`${head}<FileResult><Error>${result.error}</Error></FileResult>`);
  return Buffer.from(
    `${head}<FileResult><FileUrl>${xmlEscape(result.fileUrl)}</FileUrl><FileType>${xmlEscape(result.fileType)}</FileType>` +
      `<Percent>100</Percent><EndConvert>True</EndConvert></FileResult>`,
  );
}

async function fetchSource(url: unknown): Promise<Buffer | undefined> {
  if (typeof url !== 'string') return undefined;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(SOURCE_FETCH_TIMEOUT_MS), redirect: 'follow' });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    return bytes.length <= MAX_SOURCE_BYTES ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a simulated docservice; `stop()` it at the end of the test file. */
export async function startDsSimulator(options: DsSimulatorOptions = {}): Promise<DsSimulator> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePortOn(host));
  const simulator = new Simulator({
    version: options.version ?? '7.5',
    jwtSecret: options.jwtSecret,
    ...(options.jwtBrowserSecret === undefined ? {} : { jwtBrowserSecret: options.jwtBrowserSecret }),
    jwtHeader: options.jwtHeader ?? 'Authorization',
    host,
    port,
  });
  await simulator.start();
  return simulator;
}

/** A port free a moment ago on `host` (ports.ts's freePort only knows 127.0.0.1). */
function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
