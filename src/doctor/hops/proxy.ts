import endpointsCollector from '../../collectors/endpoints.js';
import { describeEndpoint } from './describe.js';
import type { HopCheck } from './hop.js';

/** The public URL, through the reverse proxy. */
export const proxy: HopCheck = {
  id: 'proxy',
  check(ctx, out) {
    const { pub } = ctx;
    if (pub === undefined) {
      out.note('not_configured', { key: ctx.options.publicUrlKey ?? 'documentserver.public_url' });
      return;
    }
    if (ctx.samples.collector(endpointsCollector.name) === 0) {
      out.failedCollector(endpointsCollector.name);
      return;
    }
    const health = describeEndpoint(ctx, out, 'healthcheck', '/healthcheck', 'public', pub);
    const index = describeEndpoint(ctx, out, 'index', '/index.html', 'public', pub);
    describeEndpoint(ctx, out, 'api_js', '/web-apps/apps/api/documents/api.js', 'public', pub);
    if (health === undefined) return;
    // A /healthcheck that hangs directly hangs through the proxy too: then the proxy is judged by /index.html.
    const directHang = ctx.endpoint('healthcheck', 'direct')?.status === 0 && ctx.endpoint('index', 'direct')?.up === 1;
    if ((health.up === 1 || (directHang && health.status === 0)) && (index?.up ?? 1) === 1) {
      out.set('ok');
      return;
    }
    out.set('fail');
    const url = new URL(ctx.ds.public_url!);
    const status = health.up === 1 ? index!.status : health.status;
    if (ctx.docserviceDown) out.hop.because = 'docservice';
    else if (status === 0)
      out.cause('proxy_down', {
        ...ctx.dsParam,
        url: pub,
        failure: 'no HTTP answer',
        host: url.hostname,
        hostport: `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`,
      });
    else if (status === 502 || status === 503 || status === 504)
      out.cause('proxy_bad_gateway', { ...ctx.dsParam, url: pub, status, direct: ctx.direct });
    else out.cause('proxy_wrong_site', { url: pub, status });
  },
};
