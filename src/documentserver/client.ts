import type { ScrapeContext } from '../collectors/types.js';
import { httpRequest, type HttpResult } from '../lib/http.js';
import { signJwt } from '../lib/jwt.js';

/** `direct` is documentserver.url (docservice or DS's own nginx); `public` is public_url, through the reverse proxy. */
export type Via = 'direct' | 'public';

export const PATHS = {
  healthcheck: '/healthcheck',
  index: '/index.html',
  api_js: '/web-apps/apps/api/documents/api.js',
  command: '/coauthoring/CommandService.ashx',
  info: '/info/info.json',
} as const;

export function baseUrl(ctx: ScrapeContext, via: Via): string | undefined {
  return via === 'direct' ? ctx.target.url : ctx.target.public_url;
}

/** The vias this scrape checks: always direct, public when public_url is configured. */
export function vias(ctx: ScrapeContext): Via[] {
  return ctx.target.public_url === undefined ? ['direct'] : ['direct', 'public'];
}

/** GET a DS path once per scrape, however many collectors ask for it. */
export function dsGet(ctx: ScrapeContext, via: Via, path: string): Promise<HttpResult> {
  const base = baseUrl(ctx, via);
  if (base === undefined) throw new Error(`no ${via} URL configured`);
  return ctx.memo(`GET ${base}${path}`, (signal) => httpRequest({
    url: base + path,
    signal,
    timeoutMs: ctx.target.timeout,
    maxBodyBytes: ctx.target.max_body_bytes,
    insecureSkipVerify: ctx.target.insecure_skip_verify,
  }));
}

export interface CommandOutcome {
  http: HttpResult;
  /** The parsed JSON answer, when DS answered 200 with a JSON object. */
  answer?: Record<string, unknown> & { error?: number };
}

/**
 * POST a CommandService command, JWT-signed when a secret is configured: the token in the body
 * (what DS checks first) and in the configured header, so either server setting accepts it.
 */
export function dsCommand(ctx: ScrapeContext, via: Via, command: string): Promise<CommandOutcome> {
  const base = baseUrl(ctx, via);
  if (base === undefined) throw new Error(`no ${via} URL configured`);
  return ctx.memo(`COMMAND ${base} ${command}`, async (signal) => {
    const params = { c: command };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    let body = JSON.stringify(params);
    const jwt = ctx.target.jwt;
    if (jwt) {
      body = JSON.stringify({ token: signJwt(params, jwt.secret) });
      headers[jwt.header.toLowerCase()] = `Bearer ${signJwt({ payload: params }, jwt.secret)}`;
    }
    const http = await httpRequest({
      url: base + PATHS.command,
      method: 'POST',
      headers,
      body,
      signal,
      timeoutMs: ctx.target.timeout,
      maxBodyBytes: ctx.target.max_body_bytes,
      insecureSkipVerify: ctx.target.insecure_skip_verify,
    });
    if (!http.ok || http.status !== 200) return { http };
    const answer = parseJsonObject(http.body);
    return answer === undefined ? { http } : { http, answer };
  });
}

export function parseJsonObject(text: string): (Record<string, unknown> & { error?: number }) | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** A one-line reason for a failed or unexpected HTTP exchange, for errors and logs. */
export function describeHttp(result: HttpResult): string {
  return result.ok ? `HTTP ${result.status}` : result.message;
}
