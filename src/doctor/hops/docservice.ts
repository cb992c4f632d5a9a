import endpointsCollector from '../../collectors/endpoints.js';
import { describeEndpoint } from './describe.js';
import type { HopCheck } from './hop.js';

/** docservice, directly: /index.html and /healthcheck at documentserver.url. */
export const docservice: HopCheck = {
  id: 'docservice',
  check(ctx, out) {
    if (ctx.samples.collector(endpointsCollector.name) === 0) {
      out.failedCollector(endpointsCollector.name);
      return;
    }
    const index = describeEndpoint(ctx, out, 'index', '/index.html', 'direct', ctx.direct);
    const health = describeEndpoint(ctx, out, 'healthcheck', '/healthcheck', 'direct', ctx.direct);
    // docservice itself does not serve api.js: only worth a line when DS's nginx answered it.
    if (ctx.endpoint('api_js', 'direct')?.up === 1)
      describeEndpoint(ctx, out, 'api_js', '/web-apps/apps/api/documents/api.js', 'direct', ctx.direct);
    if (index?.up === 1 || health?.up === 1) {
      out.set('ok');
    } else if (index !== undefined) {
      out.set('fail');
      if (!ctx.docserviceDown) {
        // It answered, below 500: something else is at that address.
        out.cause('wrong_target', { url: ctx.direct, status: index.status });
      } else if (ctx.docserviceBecause !== undefined) {
        out.hop.because = ctx.docserviceBecause;
      } else {
        if (ctx.depDown('postgresql')) out.cause('postgres_crash', ctx.depParams);
        if (ctx.depDown('rabbitmq')) out.cause('rabbitmq_unreachable_at_start', ctx.depParams);
        if (out.hop.causes.length === 0) out.cause('docservice_down', ctx.depParams);
      }
    }
  },
};
