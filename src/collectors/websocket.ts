import { vias } from '../documentserver/client.js';
import { coEditingCheck } from '../documentserver/websocket.js';
import { emit, emitValue, gaugeFamily } from '../metrics/family.js';
import type { CollectorDefinition } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const WEBSOCKET_METRICS = {
  authUp: 'onlyoffice_websocket_auth_up',
  authError: 'onlyoffice_websocket_auth_error',
} as const;

const AUTH_UP = gaugeFamily(
  WEBSOCKET_METRICS.authUp,
  "Whether DocumentServer accepted the editors' browser token on the co-editing WebSocket (1) or refused it (0).",
  ['via'],
);
const AUTH_ERROR = gaugeFamily(
  WEBSOCKET_METRICS.authError,
  "Always 1; DocumentServer's code and description when it refused the browser token.",
  ['via', 'code', 'reason'],
);
const PROBE_STATUS = gaugeFamily('probe_websocket_status_code', 'Response HTTP status code');
const PROBE_UPGRADED = gaugeFamily(
  'probe_websocket_connection_upgraded',
  'Indicates if the websocket connection was successfully upgraded: 1 yes (HTTP 101), 0 no',
);

/**
 * The co-editing WebSocket beyond "is it up" (that is onlyoffice_endpoint_up{endpoint="websocket"}, which shares
 * this scrape's one connection per via): DS's verdict on the editors' browser token (socket.io, 7.3+, when
 * documentserver.jwt is configured), and on /probe blackbox_exporter's websocket names for the probed target.
 */
const websocket: CollectorDefinition = {
  name: 'websocket',
  scopes: ['metrics', 'probe'],
  runs: 'scrape',
  create: () => ({
    async collect(ctx) {
      const checks = await Promise.all(vias(ctx).map(async (via) => ({ via, check: await coEditingCheck(ctx, via) })));
      if (ctx.target.jwt) {
        const up = emit(ctx, AUTH_UP);
        const error = emit(ctx, AUTH_ERROR);
        for (const { via, check } of checks) {
          if (check.token === undefined) {
            if (check.tokenMessage) ctx.logger.debug({ via }, `co-editing WebSocket: ${check.tokenMessage}`);
            continue;
          }
          up.push({ labels: { via }, value: check.token.accepted ? 1 : 0 });
          if (!check.token.accepted)
            error.push({ labels: { via, code: check.token.code, reason: check.token.reason }, value: 1 });
        }
      }
      if (ctx.scope === 'probe') {
        const direct = checks.find((c) => c.via === 'direct')!.check;
        emitValue(ctx, PROBE_STATUS, direct.status);
        emitValue(ctx, PROBE_UPGRADED, direct.upgraded ? 1 : 0);
      }
    },
  }),
};

export default websocket;
