import { CONTAINER_METRICS } from '../../collectors/docker.js';
import supervisorCollector, { SUPERVISOR_METRICS } from '../../collectors/supervisor.js';
import { compareStrings } from '../../lib/compare.js';
import type { HopCheck } from './hop.js';

const CORE_PROGRAM = /docservice|converter/;

/** The DS programs under supervisor (or systemd): a core one down fails, others stopped are fine. */
export const supervisor: HopCheck = {
  id: 'supervisor',
  check(ctx, out) {
    const s = ctx.samples;
    if (s.collector(supervisorCollector.name) === 0) {
      out.failedCollector(supervisorCollector.name);
      return;
    }
    const reached = s.all(SUPERVISOR_METRICS.up);
    if (ctx.config.supervisor.enabled === false) {
      out.note('switched_off', { key: 'supervisor.enabled' });
      return;
    }
    if (s.collector(supervisorCollector.name) === undefined && reached.length === 0) {
      out.note('not_configured', { key: 'docker.supervisor / supervisor.host_systemd_units' });
      return;
    }
    for (const r of reached) {
      const container = r.labels.container ?? '';
      if (r.value === 0) {
        const containerState = s
          .stateSet(CONTAINER_METRICS.state, ['name'], 'state')
          .get(JSON.stringify({ name: container }))?.state;
        out.note('supervisor_unreachable', { container });
        if (containerState !== undefined && containerState !== 'running') {
          out.hop.because ??= 'containers';
          out.set('fail');
        } else {
          out.set('unknown');
        }
      }
    }
    const programs = [...s.stateSet(SUPERVISOR_METRICS.processState, ['container', 'program'], 'state').values()].sort(
      (a, b) => compareStrings(`${a.labels.container}${a.labels.program}`, `${b.labels.container}${b.labels.program}`),
    );
    for (const { labels, state } of programs) {
      const params = { container: labels.container ?? '', program: labels.program ?? '', state };
      out.note('program', params);
      const core = CORE_PROGRAM.test(params.program);
      if (state === 'RUNNING' || (!core && (state === 'STOPPED' || state === 'STOPPING'))) {
        out.set('ok');
      } else if (core && state !== 'STARTING') {
        // ds:docservice among them: ctx.supervisorDocserviceDown, which the docservice hop reads.
        out.set('fail');
        out.cause('supervisor_program_down', params);
      } else {
        out.set('warn');
        out.cause('supervisor_program_down', params, true);
      }
    }
    if (out.hop.findings.length === 0) out.note('no_data_yet');
  },
};
