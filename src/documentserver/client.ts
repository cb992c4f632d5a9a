import type { DocumentServerConfig } from '../config/sections/documentserver.js';
import { httpRequest, type HttpResult } from '../lib/http.js';
import { signJwt } from '../lib/jwt.js';
import { retainShapes } from '../lib/retained-shapes.js';

/** What a DocumentServer exchange needs of a scrape (collectors/types.ts's ScrapeContext is one). */
export interface DsScrape {
  readonly target: DocumentServerConfig;
  /** One in-flight result shared by the collectors of a scrape; `compute` gets the scrape-wide signal. */
  memo<T>(key: string, compute: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** `direct` is documentserver.url (docservice or DS's own nginx); `public` is public_url, through the reverse proxy. */
export type Via = 'direct' | 'public';

export const PATHS = {
  healthcheck: '/healthcheck',
  index: '/index.html',
  api_js: '/web-apps/apps/api/documents/api.js',
  command: '/coauthoring/CommandService.ashx',
  info: '/info/info.json',
} as const;

export function baseUrl(ctx: DsScrape, via: Via): string | undefined {
  return via === 'direct' ? ctx.target.url : ctx.target.public_url;
}

/** The vias this scrape checks: always direct, public when public_url is configured. */
export function vias(ctx: DsScrape): Via[] {
  return ctx.target.public_url === undefined ? ['direct'] : ['direct', 'public'];
}

/** GET a DS path once per scrape, however many collectors ask for it. */
export function dsGet(ctx: DsScrape, via: Via, path: string): Promise<HttpResult> {
  const base = baseUrl(ctx, via);
  if (base === undefined) throw new Error(`no ${via} URL configured`);
  return ctx.memo(`GET ${base}${path}`, (signal) =>
    httpRequest({
      url: base + path,
      signal,
      timeoutMs: ctx.target.timeout,
      maxBodyBytes: ctx.target.max_body_bytes,
      insecureSkipVerify: ctx.target.insecure_skip_verify,
    }),
  );
}

export interface CommandOutcome {
  http: HttpResult;
  /** The parsed JSON answer, when DS answered 200 with a JSON object. */
  answer?: Record<string, unknown> & { error?: number };
}

/** POST a CommandService command (see postSigned), once per scrape. */
export function dsCommand(ctx: DsScrape, via: Via, command: string): Promise<CommandOutcome> {
  const base = baseUrl(ctx, via);
  if (base === undefined) throw new Error(`no ${via} URL configured`);
  return ctx.memo(`COMMAND ${base} ${command}`, async (signal) => {
    const http = await postSigned({
      url: base + PATHS.command,
      params: { c: command },
      jwt: ctx.target.jwt,
      signal,
      timeoutMs: ctx.target.timeout,
      maxBodyBytes: ctx.target.max_body_bytes,
      insecureSkipVerify: ctx.target.insecure_skip_verify,
    });
    if (!http.ok || http.status !== 200) return { http };
    const answer = parseJsonObject(http.body);
    if (answer === undefined) return { http };
    retainShapes(`command ${command}`, answer);
    return { http, answer };
  });
}

export interface InfoJson {
  http: HttpResult;
  /** The parsed answer, when DS answered 200 with a JSON object (/info/ is open to 127.0.0.1 only through DS's nginx). */
  json?: Record<string, unknown>;
}

/** GET /info/info.json and parse it, once per scrape (the license collector and the version both read it). */
export function dsInfoJson(ctx: DsScrape): Promise<InfoJson> {
  return ctx.memo(`INFO ${ctx.target.url}`, async () => {
    const http = await dsGet(ctx, 'direct', PATHS.info);
    const json = http.ok && http.status === 200 ? parseJsonObject(http.body) : undefined;
    if (json === undefined) return { http };
    retainShapes('info.json', json);
    return { http, json };
  });
}

export interface SignedPost {
  url: string;
  params: Record<string, unknown>;
  /** The header is optional: ConvertService reads the token from the body only. */
  jwt?: { secret: string; header?: string };
  headers?: Record<string, string>;
  signal: AbortSignal;
  timeoutMs: number;
  maxBodyBytes: number;
  insecureSkipVerify: boolean;
}

/**
 * POST JSON to a DS service (CommandService, ConvertService), JWT-signed when a secret is configured: the token in
 * the body (what DS checks first) and, when a header is named, in that header too, so either server setting accepts it.
 */
export function postSigned(req: SignedPost): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...req.headers };
  let body = JSON.stringify(req.params);
  const jwt = req.jwt;
  if (jwt) {
    body = JSON.stringify({ token: signJwt(req.params, jwt.secret) });
    if (jwt.header !== undefined)
      headers[jwt.header.toLowerCase()] = `Bearer ${signJwt({ payload: req.params }, jwt.secret)}`;
  }
  return httpRequest({
    url: req.url,
    method: 'POST',
    headers,
    body,
    signal: req.signal,
    timeoutMs: req.timeoutMs,
    maxBodyBytes: req.maxBodyBytes,
    insecureSkipVerify: req.insecureSkipVerify,
  });
}

export function parseJsonObject(text: string): (Record<string, unknown> & { error?: number }) | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A one-line reason for a failed or unexpected HTTP exchange, for errors and logs. */
export function describeHttp(result: HttpResult): string {
  return result.ok ? `HTTP ${result.status}` : result.message;
}
