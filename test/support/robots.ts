import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { freePort } from './ports.js';
import { closer, LOOPBACK, serviceDir, spawnService } from './service-process.js';

/**
 * Emulators of the DingTalk custom robot and the WeCom group robot (the one place a stand-in is right:
 * both are external services). They implement the documented behaviour (open.dingtalk.com "custom robot" and
 * developer.work.weixin.qq.com/document/path/91770): HTTP 200 with {errcode, errmsg}, signature and keyword
 * checks, size limits, 20 messages a minute (window configurable for tests), and switchable outages.
 */

/** http500/http502: the robot's front answers 5xx; refused: nothing listens on the port. */
export type Outage = 'http500' | 'http502' | 'refused';

export interface Attempt {
  /** Epoch ms when the request arrived. */
  at: number;
  httpStatus: number;
  errcode: number | undefined;
  errmsg: string;
}

export interface DeliveredMessage {
  at: number;
  /** Query of the request (access_token / key, timestamp, sign). */
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** DingTalk markdown.title (empty for WeCom). */
  title: string;
  /** DingTalk markdown.text or WeCom markdown.content. */
  text: string;
  bytes: number;
}

interface RateOptions {
  /** Messages allowed in a rolling window (default 20). */
  messages?: number;
  /** Window length, ms (default 60,000). */
  windowMs?: number;
}

abstract class RobotEmulator {
  readonly attempts: Attempt[] = [];
  readonly delivered: DeliveredMessage[] = [];
  private server: Server | undefined;
  private outage: Outage | undefined;
  private portNumber = 0;
  protected readonly limit: number;
  protected readonly windowMs: number;

  constructor(rate: RateOptions = {}) {
    this.limit = rate.messages ?? 20;
    this.windowMs = rate.windowMs ?? 60_000;
  }

  get port(): number {
    return this.portNumber;
  }

  async start(): Promise<this> {
    await this.listen(0);
    return this;
  }

  async stop(): Promise<void> {
    await this.closeServer();
  }

  /** Switches an outage on (or off with undefined). `refused` closes the listening socket; ending it listens again on the same port. */
  async setOutage(outage: Outage | undefined): Promise<void> {
    const was = this.outage;
    this.outage = outage;
    if (outage === 'refused' && was !== 'refused') await this.closeServer();
    if (outage !== 'refused' && was === 'refused') await this.listen(this.portNumber);
  }

  /** Accepted messages in the rolling window ending at `now`. */
  protected recentDeliveries(now: number): number {
    return this.delivered.filter((message) => message.at > now - this.windowMs).length;
  }

  protected abstract handle(
    request: IncomingMessage,
    raw: Buffer,
    now: number,
  ): { httpStatus?: number; errcode: number; errmsg: string; message?: DeliveredMessage };

  private async listen(port: number): Promise<void> {
    const server = createServer((request, response) => this.onRequest(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.portNumber = (server.address() as AddressInfo).port;
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const now = Date.now();
      const reply = (httpStatus: number, errcode: number | undefined, errmsg: string, body: string) => {
        this.attempts.push({ at: now, httpStatus, errcode, errmsg });
        response.writeHead(httpStatus, { 'content-type': errcode === undefined ? 'text/html' : 'application/json' });
        response.end(body);
      };
      if (this.outage === 'http500' || this.outage === 'http502') {
        const status = this.outage === 'http500' ? 500 : 502;
        reply(status, undefined, `http ${status}`, `<html><body>${status}</body></html>`);
        return;
      }
      if (request.method !== 'POST') {
        reply(405, undefined, 'method', '');
        return;
      }
      const result = this.handle(request, Buffer.concat(chunks), now);
      if (result.message) this.delivered.push(result.message);
      reply(
        result.httpStatus ?? 200,
        result.errcode,
        result.errmsg,
        JSON.stringify({ errcode: result.errcode, errmsg: result.errmsg }),
      );
    });
  }
}

function parseJson(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function queryOf(request: IncomingMessage): { path: string; query: URLSearchParams } {
  const url = new URL(request.url ?? '/', 'http://robot');
  return { path: url.pathname, query: url.searchParams };
}

export interface DingTalkOptions {
  accessToken?: string;
  /** "加签" secret: requests must carry timestamp (ms, within timestampWindowMs of now) and the matching sign. */
  secret?: string;
  /** Custom keywords: title or text must contain one. */
  keywords?: string[];
  rate?: RateOptions;
  /** How long the robot stays throttled after going over the rate (DingTalk: ten minutes). */
  throttleMs?: number;
  timestampWindowMs?: number;
  maxBodyBytes?: number;
}

/** DingTalk custom robot: POST /robot/send?access_token=... */
export class DingTalkRobotEmulator extends RobotEmulator {
  readonly accessToken: string;
  private throttledUntil = 0;

  constructor(private readonly options: DingTalkOptions = {}) {
    super(options.rate);
    this.accessToken = options.accessToken ?? 'dingtalk-test-token';
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/robot/send?access_token=${this.accessToken}`;
  }

  protected handle(request: IncomingMessage, raw: Buffer, now: number) {
    const { path, query } = queryOf(request);
    if (path !== '/robot/send') return { httpStatus: 404, errcode: 404, errmsg: 'emulator: not found' };
    if (now < this.throttledUntil) return { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' };
    const maxBytes = this.options.maxBodyBytes ?? 20_000;
    if (raw.length > maxBytes) return { errcode: 460101, errmsg: `message too long, exceed ${maxBytes} bytes` };
    if (this.options.secret !== undefined) {
      const timestamp = Number(query.get('timestamp'));
      const sign = query.get('sign') ?? '';
      if (!Number.isFinite(timestamp) || Math.abs(now - timestamp) > (this.options.timestampWindowMs ?? 3_600_000)) {
        return { errcode: 310000, errmsg: 'invalid timestamp' };
      }
      const expected = createHmac('sha256', this.options.secret)
        .update(`${query.get('timestamp')}\n${this.options.secret}`)
        .digest('base64');
      const given = Buffer.from(sign);
      if (given.length !== Buffer.byteLength(expected) || !timingSafeEqual(given, Buffer.from(expected))) {
        return { errcode: 310000, errmsg: 'sign not match' };
      }
    }
    const body = parseJson(raw);
    const markdown = body?.markdown as { title?: unknown; text?: unknown } | undefined;
    if (
      !body ||
      body.msgtype !== 'markdown' ||
      typeof markdown?.title !== 'string' ||
      typeof markdown.text !== 'string'
    ) {
      // Not documented in the reference: the emulator's own refusal of what is not a markdown message.
      return { httpStatus: 400, errcode: 400, errmsg: 'emulator: not a markdown message' };
    }
    const { title, text } = markdown as { title: string; text: string };
    if (
      this.options.keywords &&
      !this.options.keywords.some((keyword) => title.includes(keyword) || text.includes(keyword))
    ) {
      return { errcode: 310000, errmsg: 'keywords not in content' };
    }
    if (this.recentDeliveries(now) >= this.limit) {
      this.throttledUntil = now + (this.options.throttleMs ?? 600_000);
      return { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' };
    }
    return { errcode: 0, errmsg: 'ok', message: { at: now, query, body, title, text, bytes: raw.length } };
  }
}

export interface WeComOptions {
  key?: string;
  rate?: RateOptions;
  maxContentBytes?: number;
}

/** WeCom group robot: POST /cgi-bin/webhook/send?key=... */
export class WeComRobotEmulator extends RobotEmulator {
  readonly key: string;

  constructor(private readonly options: WeComOptions = {}) {
    super(options.rate);
    this.key = options.key ?? 'wecom-test-key';
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/cgi-bin/webhook/send?key=${this.key}`;
  }

  protected handle(request: IncomingMessage, raw: Buffer, now: number) {
    const { path, query } = queryOf(request);
    if (path !== '/cgi-bin/webhook/send') return { httpStatus: 404, errcode: 404, errmsg: 'emulator: not found' };
    if (query.get('key') !== this.key) return { errcode: 93000, errmsg: 'invalid webhook url' };
    const body = parseJson(raw);
    const markdown = body?.markdown as { content?: unknown } | undefined;
    if (!body || body.msgtype !== 'markdown' || typeof markdown?.content !== 'string') {
      return { httpStatus: 400, errcode: 400, errmsg: 'emulator: not a markdown message' };
    }
    const content = markdown.content as string;
    const maxBytes = this.options.maxContentBytes ?? 4_096;
    if (Buffer.byteLength(content) > maxBytes)
      return { errcode: 40058, errmsg: `markdown.content exceed max length ${maxBytes}` };
    if (this.recentDeliveries(now) >= this.limit) return { errcode: 45009, errmsg: 'api freq out of limit' };
    return { errcode: 0, errmsg: 'ok', message: { at: now, query, body, title: '', text: content, bytes: raw.length } };
  }
}

/** The most messages any rolling window of `windowMs` saw (to assert a rate limit was kept). */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** One alert of an Alertmanager webhook payload (version 4), with test defaults. */
export interface AlertFixture {
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

export function webhookAlert(fixture: AlertFixture = {}): Record<string, unknown> {
  const status = fixture.status ?? 'firing';
  const labels = fixture.labels ?? {
    alertname: 'OnlyofficeDocsDown',
    severity: 'critical',
    instance: 'docs-1:443',
    job: 'onlyoffice',
  };
  return {
    status,
    labels,
    annotations: fixture.annotations ?? { summary: 'ONLYOFFICE Docs is down' },
    startsAt: fixture.startsAt ?? '2024-05-01T12:34:56Z',
    endsAt: fixture.endsAt ?? (status === 'firing' ? '0001-01-01T00:00:00Z' : '2024-05-01T13:00:00Z'),
    generatorURL: fixture.generatorURL ?? '',
    fingerprint:
      fixture.fingerprint ??
      createHash('sha256')
        .update(JSON.stringify(Object.entries(labels).sort()))
        .digest('hex')
        .slice(0, 16),
  };
}

/** An Alertmanager webhook payload (version 4) carrying `alerts`. */
export function webhookPayload(
  alerts: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}:{alertname="OnlyofficeDocsDown"}',
    truncatedAlerts: 0,
    status: alerts.some((alert) => alert.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'test',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts,
    ...extra,
  };
}

/** One alert as a message shows it: its section's status and its instance label. */
export interface Shown {
  status: 'firing' | 'resolved';
  instance: string;
}

/** The alerts a message of the built-in template shows, in order ("🔥" headings open firing sections, "✅" resolved ones). */
export function shownAlerts(text: string): Shown[] {
  const shown: Shown[] = [];
  let status: Shown['status'] = 'firing';
  for (const line of text.split('\n')) {
    if (line.includes('**🔥')) status = 'firing';
    if (line.includes('**✅')) status = 'resolved';
    const instance = /(?:标签：|Labels: )instance=([^，,\s]+)/.exec(line);
    if (instance) shown.push({ status, instance: instance[1]! });
  }
  return shown;
}

const EXAMPLE_CONFIG = new URL('../../alerts/alertmanager.yml', import.meta.url);

/**
 * alerts/alertmanager.yml pointed at a test exporter: webhook URLs to `exporterBase`, the bearer token file,
 * and short timings on every route so a test runs in seconds.
 */
export function exampleAlertmanagerConfig(
  exporterBase: string,
  tokenFile: string,
  timings = { group_wait: '500ms', group_interval: '1s', repeat_interval: '1h' },
): string {
  const config = parseYaml(readFileSync(EXAMPLE_CONFIG, 'utf8')) as {
    route: Record<string, unknown> & { routes?: Record<string, unknown>[] };
    receivers: { webhook_configs?: { url: string; http_config: { authorization: { credentials_file: string } } }[] }[];
  };
  const shorten = (route: Record<string, unknown> & { routes?: Record<string, unknown>[] }) => {
    for (const key of ['group_wait', 'group_interval', 'repeat_interval'] as const) {
      if (route === config.route || key in route) route[key] = timings[key];
    }
    for (const child of route.routes ?? []) shorten(child);
  };
  shorten(config.route);
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) {
      webhook.url = webhook.url.replace(/^https?:\/\/[^/]+/, exporterBase);
      webhook.http_config.authorization.credentials_file = tokenFile;
    }
  }
  return stringifyYaml(config);
}

export interface Alertmanager {
  readonly url: string;
  readonly pid: number;
  /** POST /api/v2/alerts. */
  postAlerts(alerts: Record<string, unknown>[]): Promise<void>;
  /** Alertmanager's own log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** A private Alertmanager (Debian's prometheus-alertmanager) on a free loopback port, gossip off. */
export async function startAlertmanager(configYaml: string): Promise<Alertmanager> {
  const dir = serviceDir('alertmanager');
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, configYaml);
  const port = await freePort();
  const url = `http://${LOOPBACK}:${port}`;
  const logFile = join(dir, 'alertmanager.log');
  const log = () => readFileSync(logFile, 'utf8');
  let server;
  try {
    server = await spawnService({
      name: 'alertmanager',
      dir,
      output: 'alertmanager.log',
      command: 'prometheus-alertmanager',
      args: [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=${LOOPBACK}:${port}`,
        '--cluster.listen-address=',
        `--web.external-url=${url}`,
        '--log.level=debug',
      ],
      ready: async () => {
        const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.ok;
      },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const pid = server.pid;
  const stop = closer(dir, () => server.stop('SIGTERM', 10_000));
  return {
    url,
    pid,
    log,
    stop,
    async postAlerts(alerts) {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!response.ok) throw new Error(`POST /api/v2/alerts: ${response.status} ${await response.text()}`);
    },
  };
}
