import type { Dispatcher } from 'undici';
import { Agent, request, type RequestOptions } from './undici-core.js';
import { deadlineSignal } from './timeout-signal.js';

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  /** Aborts the request (scrape deadline); the per-request timeout is added on top. */
  signal: AbortSignal;
  timeoutMs: number;
  maxBodyBytes: number;
  insecureSkipVerify?: boolean;
}

export type HttpFailure = 'refused' | 'timeout' | 'body_too_large' | 'tls' | 'dns' | 'reset' | 'error';

export type HttpResult =
  | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: string; seconds: number }
  | { ok: false; failure: HttpFailure; message: string; seconds: number };

// Short-lived keep-alive so a probe reuses a socket within a scrape, yet notices a restarted peer.
const agentOptions = { keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000, connections: 64 } as const;
const verifyingAgent = new Agent({ ...agentOptions });
const insecureAgent = new Agent({ ...agentOptions, connect: { rejectUnauthorized: false } });

let refusedBodies = 0;

/** Answers refused since start because their body passed the request's cap (the bound on what a target may send). */
export function refusedBodyCount(): number {
  return refusedBodies;
}

/** One HTTP exchange that never throws: failures come back as a reason and how long it took. */
export async function httpRequest(req: HttpRequest): Promise<HttpResult> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const deadline = deadlineSignal(req.signal, req.timeoutMs);
  const signal = deadline.signal;
  const dispatcher: Dispatcher = req.insecureSkipVerify ? insecureAgent : verifyingAgent;
  try {
    const response = await request(dispatcher, req.url, {
      method: req.method ?? 'GET',
      headers: { 'user-agent': 'onlyoffice-exporter', ...req.headers },
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    } satisfies RequestOptions);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > req.maxBodyBytes) {
        refusedBodies++;
        response.body.destroy();
        return { ok: false, failure: 'body_too_large', message: `response body over ${req.maxBodyBytes} bytes`, seconds: seconds() };
      }
      chunks.push(chunk as Buffer);
    }
    return { ok: true, status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), seconds: seconds() };
  } catch (error) {
    return { ok: false, ...classify(error, signal), seconds: seconds() };
  } finally {
    deadline.clear();
  }
}

function classify(error: unknown, signal: AbortSignal): { failure: HttpFailure; message: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? '';
  const message = err.cause?.message ?? err.message ?? String(error);
  if (signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || err.name === 'AbortError' || err.name === 'TimeoutError') {
    return { failure: 'timeout', message: 'timed out' };
  }
  if (code === 'ECONNREFUSED') return { failure: 'refused', message: 'connection refused' };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return { failure: 'reset', message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { failure: 'dns', message };
  if (/CERT|SSL|TLS|ERR_TLS/i.test(code) || /certificate|ssl|tls/i.test(message)) return { failure: 'tls', message };
  return { failure: 'error', message };
}
