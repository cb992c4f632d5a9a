import endpointsCollector from '../../collectors/endpoints.js';
import type { Endpoint, HopContext } from './context.js';
import { round } from './format.js';
import type { HopWriter } from './hop.js';

/** One endpoint's check as a finding of the hop (DS's answer, something else's, none); undefined when it did not run. */
export function describeEndpoint(
  ctx: HopContext,
  out: HopWriter,
  name: string,
  path: string,
  via: 'direct' | 'public',
  url: string,
): Endpoint | undefined {
  const e = ctx.endpoint(name, via);
  if (!e) return undefined;
  const params = { url, path, status: e.status, seconds: round(e.seconds) };
  if (name === 'api_js' && e.up === 1) out.note('static_file', params);
  else if (e.status === 0 && e.up !== 1)
    out.note('no_http_answer', { ...params, ...ctx.errorOf(`${endpointsCollector.name}/${name} ${via}`) });
  else out.note(e.up === 1 ? 'ds_answer' : 'not_ds_answer', params);
  return e;
}
