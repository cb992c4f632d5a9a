import { randomBytes } from 'node:crypto';
import { httpRequest } from '../lib/http.js';
import { postSigned } from './client.js';

/** What a ConvertService answer says: still converting, finished with a file, or a DS error code. */
export type ConvertAnswer =
  { kind: 'pending' } | { kind: 'done'; fileUrl: string } | { kind: 'error'; code: number } | { kind: 'unparsable' };

/**
 * Reads both reply forms: JSON (`{"percent":0,"endConvert":false}`, `{"fileUrl":..,"endConvert":true}`,
 * `{"error":-3}`) and the XML ConvertService.ashx sends without `Accept: application/json`.
 */
export function parseConvertAnswer(body: string): ConvertAnswer {
  const text = body.trim();
  if (text.startsWith('<')) {
    const error = /<Error>\s*(-?\d+)\s*<\/Error>/.exec(text);
    if (error) return { kind: 'error', code: Number(error[1]) };
    const end = /<EndConvert>\s*(True|False)\s*<\/EndConvert>/i.exec(text);
    if (!end) return { kind: 'unparsable' };
    if (end[1]!.toLowerCase() === 'false') return { kind: 'pending' };
    const url = /<FileUrl>([^<]+)<\/FileUrl>/.exec(text);
    return url ? { kind: 'done', fileUrl: xmlUnescape(url[1]!.trim()) } : { kind: 'unparsable' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'unparsable' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { kind: 'unparsable' };
  const answer = parsed as { error?: unknown; endConvert?: unknown; fileUrl?: unknown };
  if (typeof answer.error === 'number' && answer.error !== 0) return { kind: 'error', code: answer.error };
  if (answer.endConvert === true) {
    return typeof answer.fileUrl === 'string' && answer.fileUrl !== ''
      ? { kind: 'done', fileUrl: answer.fileUrl }
      : { kind: 'unparsable' };
  }
  if (answer.endConvert === false) return { kind: 'pending' };
  return { kind: 'unparsable' };
}

function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A fresh document key each run: DS returns the cached result for a key it has seen (task_result). */
export function probeKey(now = Date.now()): string {
  return `ooe-probe-${now.toString(36)}-${randomBytes(6).toString('hex')}`;
}

export type ProbeOutcome =
  'ok' | 'error_code' | 'timeout' | 'request_failed' | 'result_fetch_failed' | 'result_url_refused' | 'source_failed';
export const PROBE_OUTCOMES: readonly ProbeOutcome[] = [
  'ok',
  'error_code',
  'timeout',
  'request_failed',
  'result_fetch_failed',
  'result_url_refused',
  'source_failed',
];

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** DS error code (-3, -4, -8, ...) when outcome is error_code, else 0. */
  errorCode: number;
  seconds: number;
  /** Epoch ms when the run ended. */
  finishedAt: number;
  /** For the log: what went wrong, without URLs or tokens. */
  detail?: string;
}

export interface ConversionRequest {
  /** docservice or DS root URL; ConvertService.ashx is appended. */
  documentserverUrl: string;
  sourceUrl: string;
  filetype: string;
  outputtype: string;
  jwtSecret?: string;
  timeoutMs: number;
  pollIntervalMs: number;
  maxBodyBytes: number;
  insecureSkipVerify: boolean;
  signal: AbortSignal;
  /**
   * URLs of DocumentServer (documentserver.url, public_url): the result is fetched only from one of their origins.
   * DS builds fileUrl from the request's host, so a fileUrl elsewhere is a spoofed or compromised answer, and
   * fetching it would let whoever answers make the exporter request any host.
   */
  resultOrigins: readonly string[];
}

/**
 * One end-to-end conversion: async request with a fresh key, polled with the same parameters until
 * it ends or `timeoutMs` passes, then the result file is fetched (nginx's secure /cache/files link).
 */
export async function runConversion(req: ConversionRequest): Promise<ProbeResult> {
  const started = performance.now();
  const giveUpAt = Date.now() + req.timeoutMs;
  const finish = (outcome: ProbeOutcome, errorCode = 0, detail?: string): ProbeResult => ({
    outcome,
    errorCode,
    detail,
    seconds: (performance.now() - started) / 1000,
    finishedAt: Date.now(),
  });
  const key = probeKey();
  const payload = {
    async: true,
    filetype: req.filetype,
    key,
    outputtype: req.outputtype,
    title: `probe.${req.filetype}`,
    url: req.sourceUrl,
  };
  const url = `${req.documentserverUrl}/ConvertService.ashx`;

  for (;;) {
    const left = giveUpAt - Date.now();
    if (left <= 0) return finish('timeout', 0, 'still converting at the timeout');
    // Signed afresh on every poll, in the body as DS checks it first (inbox.inBody or not).
    const answer = await postSigned({
      url,
      params: payload,
      ...(req.jwtSecret !== undefined ? { jwt: { secret: req.jwtSecret } } : {}),
      headers: { accept: 'application/json' },
      signal: req.signal,
      timeoutMs: left,
      maxBodyBytes: req.maxBodyBytes,
      insecureSkipVerify: req.insecureSkipVerify,
    });
    if (!answer.ok) {
      if (answer.failure === 'timeout') return finish('timeout', 0, 'ConvertService did not answer in time');
      return finish('request_failed', 0, `ConvertService: ${answer.message}`);
    }
    if (answer.status !== 200) return finish('request_failed', 0, `ConvertService: HTTP ${answer.status}`);
    const parsed = parseConvertAnswer(answer.body);
    switch (parsed.kind) {
      case 'unparsable':
        return finish('request_failed', 0, 'ConvertService: not a conversion answer');
      case 'error':
        return finish('error_code', parsed.code, `ConvertService error ${parsed.code}`);
      case 'done': {
        const origin = originOf(parsed.fileUrl);
        const allowed = req.resultOrigins.map(originOf);
        if (origin === undefined || !allowed.includes(origin)) {
          const what = origin === undefined ? 'not an http(s) URL' : `on ${origin}`;
          return finish(
            'result_url_refused',
            0,
            `result file: ${what}, not DocumentServer's origin (${allowed.join(', ')}); not fetched`,
          );
        }
        const file = await httpRequest({
          url: parsed.fileUrl,
          signal: req.signal,
          timeoutMs: Math.max(1, giveUpAt - Date.now()),
          maxBodyBytes: req.maxBodyBytes,
          insecureSkipVerify: req.insecureSkipVerify,
        });
        // More than max_body_bytes arrived: the link works, which is all this checks.
        if (!file.ok && file.failure === 'body_too_large') return finish('ok');
        if (!file.ok)
          return finish(
            file.failure === 'timeout' ? 'timeout' : 'result_fetch_failed',
            0,
            `result file: ${file.message}`,
          );
        if (file.status !== 200) return finish('result_fetch_failed', 0, `result file: HTTP ${file.status}`);
        if (file.body.length === 0) return finish('result_fetch_failed', 0, 'result file: empty');
        return finish('ok');
      }
      case 'pending':
        await sleep(Math.min(req.pollIntervalMs, Math.max(0, giveUpAt - Date.now())), req.signal);
        if (req.signal.aborted) return finish('timeout', 0, 'stopped');
    }
  }
}

/** scheme://host:port of an http(s) URL (default ports left out, as URL.origin does); undefined otherwise. */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
