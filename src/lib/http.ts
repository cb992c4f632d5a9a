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

export type HttpFailure = 'refused' | 'timeout' | 'body_too_large' | 'over_budget' | 'tls' | 'dns' | 'reset' | 'error';

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

/**
 * --web.max-response-bytes-in-flight default: 64 MiB. DocumentServer's answers are kilobytes (api.js a few hundred),
 * RabbitMQ's Prometheus page at most 16 MiB. Under 40 /probe scrapes of 16 MiB answers, 64 MiB kept the peak RSS at
 * half of what 256 MiB did (bench/overload.ts).
 */
export const DEFAULT_MAX_RESPONSE_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

// The per-request cap bounds one answer; this bounds all of them at once. Without it, many scrapes of targets that
// send large (or endless) bodies held their caps' worth each.
let bytesInFlightLimit = DEFAULT_MAX_RESPONSE_BYTES_IN_FLIGHT;
let bytesInFlight = 0;
let overBudget = 0;

/** Sets the bytes of answers held at once across all requests (--web.max-response-bytes-in-flight); 0 for no limit. */
export function setResponseBytesInFlightLimit(bytes: number): void {
  bytesInFlightLimit = bytes;
}

/** Bytes of answer bodies being read right now, across all requests. */
export function responseBytesInFlight(): number {
  return bytesInFlight;
}

/** Answers given up since start because reading them would have passed the bytes in flight limit. */
export function overBudgetCount(): number {
  return overBudget;
}

/** One HTTP exchange that never throws: failures come back as a reason and how long it took. */
export async function httpRequest(req: HttpRequest): Promise<HttpResult> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const deadline = deadlineSignal(req.signal, req.timeoutMs);
  const signal = deadline.signal;
  const dispatcher: Dispatcher = req.insecureSkipVerify ? insecureAgent : verifyingAgent;
  // This request's share of bytesInFlight.
  let held = 0;
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
    for await (const chunk of response.body) {
      const length = (chunk as Buffer).length;
      if (held + length > req.maxBodyBytes) {
        refusedBodies++;
        response.body.destroy();
        return {
          ok: false,
          failure: 'body_too_large',
          message: `response body over ${req.maxBodyBytes} bytes`,
          seconds: seconds(),
        };
      }
      if (bytesInFlightLimit > 0 && bytesInFlight + length > bytesInFlightLimit) {
        overBudget++;
        response.body.destroy();
        const message = `answers being read at once would pass ${bytesInFlightLimit} bytes (--web.max-response-bytes-in-flight)`;
        return { ok: false, failure: 'over_budget', message, seconds: seconds() };
      }
      held += length;
      bytesInFlight += length;
      chunks.push(chunk as Buffer);
    }
    return {
      ok: true,
      status: response.statusCode,
      headers: response.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      seconds: seconds(),
    };
  } catch (error) {
    return { ok: false, ...classify(error, signal), seconds: seconds() };
  } finally {
    bytesInFlight -= held;
    deadline.clear();
  }
}

function classify(error: unknown, signal: AbortSignal): { failure: HttpFailure; message: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? '';
  const message = err.cause?.message ?? err.message ?? String(error);
  if (
    signal.aborted ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    err.name === 'AbortError' ||
    err.name === 'TimeoutError'
  ) {
    return { failure: 'timeout', message: 'timed out' };
  }
  if (code === 'ECONNREFUSED') return { failure: 'refused', message: 'connection refused' };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return { failure: 'reset', message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { failure: 'dns', message };
  if (/CERT|SSL|TLS|ERR_TLS/i.test(code) || /certificate|ssl|tls/i.test(message)) return { failure: 'tls', message };
  return { failure: 'error', message };
}
