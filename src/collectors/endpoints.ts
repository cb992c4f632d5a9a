import { dsCommand, dsGet, PATHS, vias, type Via } from '../documentserver/client.js';
import { INDEX_GREETING } from '../documentserver/model.js';
import { coEditingCheck } from '../documentserver/websocket.js';
import type { HttpResult } from '../lib/http.js';
import { emit, gaugeFamily } from '../metrics/family.js';
import type { Collector, CollectorDefinition, ScrapeContext } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const ENDPOINT_METRICS = {
  up: 'onlyoffice_endpoint_up',
  statusCode: 'onlyoffice_endpoint_status_code',
  duration: 'onlyoffice_endpoint_duration_seconds',
} as const;

const UP = gaugeFamily(
  ENDPOINT_METRICS.up,
  "1 when the endpoint gave DocumentServer's own answer, 0 when it did not (an error status, a proxy's page, no answer).",
  ['endpoint', 'via'],
);
const STATUS = gaugeFamily(
  ENDPOINT_METRICS.statusCode,
  'HTTP status code of the endpoint; 0 when there was no HTTP answer (refused, timeout, TLS error).',
  ['endpoint', 'via'],
);
const DURATION = gaugeFamily(ENDPOINT_METRICS.duration, 'How long the endpoint took to answer (or to fail).', [
  'endpoint',
  'via',
]);

type Endpoint = 'healthcheck' | 'index' | 'api_js' | 'command' | 'websocket';

/**
 * The hops a user's request crosses, each checked directly (documentserver.url) and through the
 * reverse proxy (public_url). api.js is a static file nginx serves from disk, so it answers while
 * docservice is down; /healthcheck, /index.html and CommandService are proxied to docservice.
 * "Up" means the answer is DocumentServer's own, not merely an HTTP status. `websocket` is the editors' co-editing
 * channel (src/documentserver/websocket.ts): up when DS upgraded it and sent its own first frame.
 */
class EndpointsCollector implements Collector {
  /** Why each hop of the last /metrics scrape gave no HTTP answer, by "endpoint via" (for the doctor). */
  private readonly failures = new Map<string, string>();

  async collect(ctx: ScrapeContext): Promise<void> {
    const up = emit(ctx, UP);
    const status = emit(ctx, STATUS);
    const duration = emit(ctx, DURATION);
    await Promise.all(
      vias(ctx).flatMap((via) =>
        ENDPOINTS.map(async (endpoint) => {
          const { result, ok } = await check(ctx, endpoint, via);
          if (endpoint === 'api_js' && via === 'direct' && (await docserviceItself(ctx, result))) return;
          const labels = { endpoint, via };
          up.push({ labels, value: ok ? 1 : 0 });
          status.push({ labels, value: result.ok ? result.status : 0 });
          duration.push({ labels, value: result.seconds });
          // /probe targets come and go: only the one configured DocumentServer's reasons are kept.
          if (ctx.scope !== 'metrics') return;
          if (result.ok) this.failures.delete(`${endpoint} ${via}`);
          else this.failures.set(`${endpoint} ${via}`, `${result.failure}: ${result.message}`);
        }),
      ),
    );
  }

  sourceErrors(): ReadonlyMap<string, string> {
    return this.failures;
  }
}

const endpoints: CollectorDefinition = {
  name: 'endpoints',
  scopes: ['metrics', 'probe'],
  runs: 'scrape',
  create: () => new EndpointsCollector(),
};

const ENDPOINTS: readonly Endpoint[] = ['healthcheck', 'index', 'api_js', 'command', 'websocket'];

/**
 * docservice itself never serves api.js (only DS's nginx does, from disk), whatever port it listens on: when
 * documentserver.url is docservice, api.js gets Express's 404 page ("Cannot GET <path>", ONLYOFFICE/server
 * DocService/sources/server.js has no route for it) from the very server whose /index.html gave the greeting.
 * That hop does not serve api.js at all, so it is not reported; a proxy's 404 (nginx's page) still is, as down.
 */
async function docserviceItself(ctx: ScrapeContext, apiJs: HttpResult): Promise<boolean> {
  if (!apiJs.ok || apiJs.status !== 404 || !apiJs.body.includes(`<pre>Cannot GET ${PATHS.api_js}</pre>`)) return false;
  const index = await dsGet(ctx, 'direct', PATHS.index);
  return index.ok && index.status === 200 && index.body.trim().startsWith(INDEX_GREETING);
}

async function check(ctx: ScrapeContext, endpoint: Endpoint, via: Via): Promise<{ result: HttpResult; ok: boolean }> {
  if (endpoint === 'websocket') {
    const ws = await coEditingCheck(ctx, via);
    const result: HttpResult =
      ws.status === 0
        ? { ok: false, failure: 'error', message: ws.message, seconds: ws.seconds }
        : { ok: true, status: ws.status, headers: {}, body: '', seconds: ws.seconds };
    return { result, ok: ws.up };
  }
  if (endpoint === 'command') {
    const outcome = await dsCommand(ctx, via, 'version');
    return { result: outcome.http, ok: typeof outcome.answer?.error === 'number' };
  }
  const path = { healthcheck: PATHS.healthcheck, index: PATHS.index, api_js: PATHS.api_js }[endpoint];
  const result = await dsGet(ctx, via, path);
  if (!result.ok || result.status !== 200) return { result, ok: false };
  const body = result.body.trim();
  const ok =
    endpoint === 'healthcheck'
      ? body === 'true' || body === 'false'
      : endpoint === 'index'
        ? body.startsWith(INDEX_GREETING)
        : body.length > 0;
  return { result, ok };
}

export default endpoints;
