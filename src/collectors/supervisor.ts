import { untilSettledOrAborted } from '../docker/abort.js';
import { dockerEnabled } from '../docker/connection.js';
import { acquireEngine, type EngineLease } from '../docker/engine.js';
import { containerMatcher } from '../docker/glob.js';
import { hostSupervisorctl, hostSystemdUnits } from '../supervisor/host.js';
import { CHECK_STATES, failedReport, SUPERVISOR_STATES, type SupervisorReport } from '../supervisor/status.js';
import { SupervisorWatcher } from '../docker/supervisor-watch.js';
import { emit, gaugeFamily } from '../metrics/family.js';
import type { CollectorDefinition, ScrapeContext } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const SUPERVISOR_METRICS = {
  up: 'onlyoffice_supervisor_up',
  processState: 'onlyoffice_supervisor_process_state',
} as const;

const UP = gaugeFamily(
  SUPERVISOR_METRICS.up,
  '1 when supervisorctl status (or systemctl) answered for this container, 0 when it did not; "" is the host.',
  ['container'],
);
const STATE = gaugeFamily(
  SUPERVISOR_METRICS.processState,
  'Supervisor state of the program: 1 for the current state, 0 for the others.',
  ['container', 'program', 'state'],
);
const UPTIME = gaugeFamily(
  'onlyoffice_supervisor_process_uptime_seconds',
  'Uptime of a RUNNING program as supervisor printed it at the last check.',
  ['container', 'program'],
);
const CHECK = gaugeFamily(
  'onlyoffice_supervisor_check_state',
  'How the last check went (ok, error, hung, exec_failed, not_running): 1 for the current one, 0 for the others.',
  ['container', 'state'],
);
const DROPPED = gaugeFamily(
  'onlyoffice_supervisor_programs_dropped',
  'Program lines of the last check past the cap of 64 programs per container, not exported.',
  ['container'],
);

/**
 * The DS programs (ds:docservice, ds:converter, ds:metrics ...) as supervisor inside the all-in-one container
 * sees them, through the Docker exec API; or, on a host install, supervisorctl or the systemd units.
 */
const supervisor: CollectorDefinition = {
  name: 'supervisor',
  scopes: ['metrics'],
  runs: 'schedule',
  create(config, logger) {
    if (!config.supervisor.enabled) return undefined;
    const section = config.docker;
    const inDocker = section.supervisor && dockerEnabled(section);
    const host = config.supervisor;
    const hostProgram = host.host_supervisorctl === true ? 'supervisorctl' : host.host_supervisorctl || undefined;
    const hostUnits = host.host_systemd_units;
    if (!inDocker && hostProgram === undefined && hostUnits.length === 0) return undefined;

    let lease: EngineLease | undefined;
    let watcher: SupervisorWatcher | undefined;
    if (inDocker) {
      lease = acquireEngine(section, logger);
      watcher = new SupervisorWatcher(
        lease.engine,
        {
          match: containerMatcher(section.supervisor_containers, section.images),
          intervalMs: section.supervisor_interval,
          timeoutMs: section.supervisor_timeout,
        },
        logger.child({ component: 'supervisor' }),
      );
      watcher.start();
    }

    return {
      async collect(ctx) {
        const reports: { container: string; report: SupervisorReport }[] = [];
        if (lease && watcher) {
          await lease.engine.view.ready(ctx.signal, (key, compute) => ctx.memo(key, compute));
          const targets = watcher.targets();
          const unchecked = targets.filter((c) => c.state === 'running' && watcher.current(c) === undefined);
          if (unchecked.length > 0)
            await untilSettledOrAborted(Promise.allSettled(unchecked.map((c) => watcher.check(c))), ctx.signal);
          for (const container of targets) {
            if (container.state !== 'running') {
              reports.push({
                container: container.name,
                report: failedReport('not_running', `container is ${container.state}`),
              });
              continue;
            }
            // A check that did not finish before the deadline leaves this container out of this scrape.
            const result = watcher.current(container);
            if (result) reports.push({ container: container.name, report: result.report });
          }
        }
        if (hostProgram !== undefined)
          reports.push({
            container: '',
            report: await hostSupervisorctl(hostProgram, section.supervisor_timeout, ctx.signal),
          });
        else if (hostUnits.length > 0)
          reports.push({
            container: '',
            report: await hostSystemdUnits(hostUnits, section.supervisor_timeout, ctx.signal),
          });
        write(ctx, reports);
      },
      async close() {
        await watcher?.close();
        await lease?.release();
      },
    };
  },
};

function write(ctx: ScrapeContext, reports: { container: string; report: SupervisorReport }[]): void {
  const up = emit(ctx, UP);
  const state = emit(ctx, STATE);
  const uptime = emit(ctx, UPTIME);
  const check = emit(ctx, CHECK);
  const dropped = emit(ctx, DROPPED);
  // Two records can briefly share a name (a rename racing a create): one report per name, the first place, the last one.
  const byContainer = new Map<string, SupervisorReport>();
  for (const { container, report } of reports) byContainer.set(container, report);
  for (const [container, report] of byContainer) {
    up.push({ labels: { container }, value: report.up ? 1 : 0 });
    for (const s of CHECK_STATES) check.push({ labels: { container, state: s }, value: report.check === s ? 1 : 0 });
    dropped.push({ labels: { container }, value: report.dropped });
    for (const program of report.programs) {
      for (const s of SUPERVISOR_STATES)
        state.push({ labels: { container, program: program.program, state: s }, value: program.state === s ? 1 : 0 });
      if (program.uptimeSeconds !== undefined)
        uptime.push({ labels: { container, program: program.program }, value: program.uptimeSeconds });
    }
  }
}

export default supervisor;
