import commandsCollector, { COMMAND_METRICS } from '../../collectors/commands.js';
import type { HopCheck } from './hop.js';

/** CommandService (version), JWT-signed when a secret is configured. */
export const jwt: HopCheck = {
  id: 'jwt',
  check(ctx, out) {
    const s = ctx.samples;
    const answer = s.all(COMMAND_METRICS.error, { command: 'version' }).find((x) => x.value === 1);
    if (answer === undefined && ctx.docserviceDown) {
      out.set('unknown');
      out.note('because_hop', { hop: 'docservice' });
      out.hop.because = 'docservice';
      return;
    }
    if (s.collector(commandsCollector.name) === 0) {
      out.failedCollector(commandsCollector.name);
      return;
    }
    if (answer === undefined) return;
    const code = Number(answer.labels.code);
    if (code === 0) {
      out.set('ok');
      out.note('command_ok', { version: ctx.version, signed: ctx.ds.jwt ? 1 : 0 });
      return;
    }
    out.set('fail');
    out.note('command_error', { code, reason: answer.labels.reason ?? '' });
    const { depParams } = ctx;
    const jwtParams = ctx.options.jwtKey === undefined ? depParams : { ...depParams, jwt_key: ctx.options.jwtKey };
    if (code === 6) out.cause(ctx.ds.jwt ? 'jwt_mismatch' : 'jwt_required', jwtParams);
    else if (code === 7) out.cause('jwt_expired');
    else out.cause('command_failed', { ...depParams, code, reason: answer.labels.reason ?? '' });
  },
};
