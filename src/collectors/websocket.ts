import { vias } from '../documentserver/client.js';
import { coEditingCheck } from '../documentserver/websocket.js';
import { gauge, gaugeValue } from '../metrics/gauge.js';
import type { CollectorDefinition } from './types.js';

/**
 * The co-editing WebSocket beyond "is it up" (that is onlyoffice_endpoint_up{endpoint="websocket"}, which shares
 * this scrape's one connection per via): DS's verdict on the editors' browser token (socket.io, 7.3+, when
 * documentserver.jwt is configured), and on /probe blackbox_exporter's websocket names for the probed target.
 */
const websocket: CollectorDefinition = {
  name: 'websocket',
  scopes: ['metrics', 'probe'],
  create: () => ({
    async collect(ctx) {
      const checks = await Promise.all(vias(ctx).map(async (via) => ({ via, check: await coEditingCheck(ctx, via) })));
      if (ctx.target.jwt) {
        const up = gauge(ctx.registry, 'onlyoffice_websocket_auth_up',
          'Whether DocumentServer accepted the editors\' browser token on the co-editing WebSocket (1) or refused it (0).', ['via']);
        const error = gauge(ctx.registry, 'onlyoffice_websocket_auth_error',
          'Always 1; DocumentServer\'s code and description when it refused the browser token.', ['via', 'code', 'reason']);
        for (const { via, check } of checks) {
          if (check.token === undefined) {
            if (check.tokenMessage) ctx.logger.debug({ via }, `co-editing WebSocket: ${check.tokenMessage}`);
            continue;
          }
          up.set({ via }, check.token.accepted ? 1 : 0);
          if (!check.token.accepted) error.set({ via, code: check.token.code, reason: check.token.reason }, 1);
        }
      }
      if (ctx.scope === 'probe') {
        const direct = checks.find((c) => c.via === 'direct')!.check;
        gaugeValue(ctx.registry, 'probe_websocket_status_code', 'Response HTTP status code', direct.status);
        gaugeValue(ctx.registry, 'probe_websocket_connection_upgraded', 'Indicates if the websocket connection was successfully upgraded',
          direct.upgraded ? 1 : 0);
      }
    },
  }),
};

export default websocket;
