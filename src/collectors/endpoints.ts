import { dsCommand, dsGet, PATHS, vias, type Via } from '../documentserver/client.js';
import { INDEX_GREETING } from '../documentserver/model.js';
import { coEditingCheck } from '../documentserver/websocket.js';
import type { HttpResult } from '../lib/http.js';
import { gauge } from '../lib/metrics.js';
import type { CollectorDefinition, ScrapeContext } from './types.js';

type Endpoint = 'healthcheck' | 'index' | 'api_js' | 'command' | 'websocket';

/**
 * The hops a user's request crosses, each checked directly (documentserver.url) and through the
 * reverse proxy (public_url). api.js is a static file nginx serves from disk, so it answers while
 * docservice is down; /healthcheck, /index.html and CommandService are proxied to docservice.
 * "Up" means the answer is DocumentServer's own, not merely an HTTP status. `websocket` is the editors' co-editing
 * channel (src/documentserver/websocket.ts): up when DS upgraded it and sent its own first frame.
 */
const endpoints: CollectorDefinition = {
  name: 'endpoints',
  scopes: ['metrics', 'probe'],
  create: () => ({
    async collect(ctx) {
      const up = gauge(ctx.registry, 'onlyoffice_endpoint_up', 'Whether the endpoint gave DocumentServer\'s own answer (1) or not (0).', ['endpoint', 'via']);
      const status = gauge(ctx.registry, 'onlyoffice_endpoint_status_code', 'HTTP status code of the endpoint; 0 when there was no HTTP answer (refused, timeout, TLS error).', ['endpoint', 'via']);
      const duration = gauge(ctx.registry, 'onlyoffice_endpoint_duration_seconds', 'How long the endpoint took to answer (or to fail).', ['endpoint', 'via']);
      await Promise.all(vias(ctx).flatMap((via) => endpointsFor(ctx, via).map(async (endpoint) => {
        const { result, ok } = await check(ctx, endpoint, via);
        up.set({ endpoint, via }, ok ? 1 : 0);
        status.set({ endpoint, via }, result.ok ? result.status : 0);
        duration.set({ endpoint, via }, result.seconds);
      })));
    },
  }),
};

function endpointsFor(ctx: ScrapeContext, via: Via): Endpoint[] {
  // docservice itself (port 8000) never serves api.js: only nginx does, from disk (§1.3).
  if (via === 'direct' && new URL(ctx.target.url).port === '8000') return ['healthcheck', 'index', 'command', 'websocket'];
  return ['healthcheck', 'index', 'api_js', 'command', 'websocket'];
}

async function check(ctx: ScrapeContext, endpoint: Endpoint, via: Via): Promise<{ result: HttpResult; ok: boolean }> {
  if (endpoint === 'websocket') {
    const ws = await coEditingCheck(ctx, via);
    const result: HttpResult = ws.status === 0
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
  const ok = endpoint === 'healthcheck' ? body === 'true' || body === 'false'
    : endpoint === 'index' ? body.startsWith(INDEX_GREETING)
    : body.length > 0;
  return { result, ok };
}

export default endpoints;
