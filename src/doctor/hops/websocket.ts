import endpointsCollector from '../../collectors/endpoints.js';
import websocketCollector, { WEBSOCKET_METRICS } from '../../collectors/websocket.js';
import type { Hop, HopId } from '../model.js';
import type { HopContext } from './context.js';
import { describeEndpoint } from './describe.js';
import type { HopCheck, HopWriter } from './hop.js';

const WS_PATH = '/doc/ (WebSocket)';

/** The co-editing channel: the WebSocket editors hold, directly and through the proxy, and DS's verdict on their token. */
export const websocket: HopCheck = {
  id: 'websocket',
  reads: ['proxy', 'jwt'],
  check(ctx, out, earlier) {
    const s = ctx.samples;
    const { direct, pub } = ctx;
    const wsDirect = ctx.endpoint('websocket', 'direct');
    if (s.collector(endpointsCollector.name) === 0) {
      out.failedCollector(endpointsCollector.name);
      return;
    }
    if (wsDirect === undefined) return;
    describeEndpoint(ctx, out, 'websocket', WS_PATH, 'direct', direct);
    const wsPublic = pub === undefined ? undefined : describeEndpoint(ctx, out, 'websocket', WS_PATH, 'public', pub);
    if (ctx.docserviceDown) {
      out.set('unknown');
      out.hop.because = 'docservice';
    } else if (wsDirect.up === 0) {
      out.set('fail');
      out.cause('websocket_down', { ...ctx.depParams, url: direct, status: wsDirect.status });
    } else if (wsPublic !== undefined && wsPublic.up === 0) {
      out.set('fail');
      // A proxy that fails every request is the proxy hop's failure; one that refuses only the upgrade is this one.
      if (earlier('proxy').verdict === 'fail') out.hop.because = 'proxy';
      else out.cause('proxy_no_websocket_upgrade', { url: pub!, status: wsPublic.status });
    } else {
      out.set('ok');
    }
    if (s.collector(websocketCollector.name) === 0) out.failedCollector(websocketCollector.name);
    else editorTokens(ctx, out, earlier);
  },
};

/** DS's verdict on the editors' token, directly and through the proxy. */
function editorTokens(ctx: HopContext, out: HopWriter, earlier: (id: HopId) => Readonly<Hop>): void {
  const s = ctx.samples;
  for (const [via, url] of [
    ['direct', ctx.direct],
    ['public', ctx.pub],
  ] as const) {
    if (url === undefined) continue;
    const accepted = s.one(WEBSOCKET_METRICS.authUp, { via });
    if (accepted === 1) out.note('ws_token_accepted', { url });
    if (accepted !== 0) continue;
    const error = s.all(WEBSOCKET_METRICS.authError, { via })[0];
    const params = { url, code: error?.labels.code ?? '', reason: error?.labels.reason ?? '' };
    out.note('ws_token_refused', params);
    out.set('fail');
    // Signed with the inbox secret CommandService already refuses: one cause, the JWT hop's.
    if (ctx.ds.jwt?.browser_secret === undefined && earlier('jwt').causes.some((c) => c.id === 'jwt_mismatch'))
      out.hop.because = 'jwt';
    else if (!out.hop.causes.some((c) => c.id === 'editor_token_rejected')) {
      out.cause('editor_token_rejected', { ...ctx.depParams, ...params });
    }
  }
}
