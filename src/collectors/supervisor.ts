import { Gauge } from 'prom-client';
import { untilSettledOrAborted } from '../docker/abort.js';
import { dockerEnabled } from '../docker/connection.js';
import { acquireEngine, type EngineLease } from '../docker/engine.js';
import { containerMatcher } from '../docker/glob.js';
import { hostSupervisorctl, hostSystemdUnits } from '../supervisor/host.js';
import { CHECK_STATES, failedReport, SUPERVISOR_STATES, type SupervisorReport } from '../supervisor/status.js';
import { SupervisorWatcher } from '../docker/supervisor-watch.js';
import type { CollectorDefinition, ScrapeContext } from './types.js';

/**
 * The DS programs (ds:docservice, ds:converter, ds:metrics ...) as supervisor inside the all-in-one container
 * sees them, through the Docker exec API; or, on a host install, supervisorctl or the systemd units.
 */
const supervisor: CollectorDefinition = {
  name: 'supervisor',
  scopes: ['metrics'],
  create(config, logger) {
    const section = config.docker;
    const inDocker = section.supervisor && dockerEnabled(section);
    const hostProgram = section.host_supervisorctl === true ? 'supervisorctl' : section.host_supervisorctl || undefined;
    const hostUnits = section.host_systemd_units;
    if (!inDocker && hostProgram === undefined && hostUnits.length === 0) return undefined;

    let lease: EngineLease | undefined;
    let watcher: SupervisorWatcher | undefined;
    if (inDocker) {
      lease = acquireEngine(section, logger);
      watcher = new SupervisorWatcher(lease.engine, {
        match: containerMatcher(section.supervisor_containers, section.images),
        intervalMs: section.supervisor_interval,
        timeoutMs: section.supervisor_timeout,
      }, logger.child({ component: 'supervisor' }));
      watcher.start();
    }

    return {
      async collect(ctx) {
        const reports: { container: string; report: SupervisorReport }[] = [];
        if (lease && watcher) {
          await lease.engine.view.ready(ctx.signal, (key, compute) => ctx.memo(key, compute));
          const targets = watcher.targets();
          const unchecked = targets.filter((c) => c.state === 'running' && watcher.current(c) === undefined);
          if (unchecked.length > 0) await untilSettledOrAborted(Promise.allSettled(unchecked.map((c) => watcher.check(c))), ctx.signal);
          for (const container of targets) {
            if (container.state !== 'running') {
              reports.push({ container: container.name, report: failedReport('not_running', `container is ${container.state}`) });
              continue;
            }
            // A check that did not finish before the deadline leaves this container out of this scrape.
            const result = watcher.current(container);
            if (result) reports.push({ container: container.name, report: result.report });
          }
        }
        if (hostProgram !== undefined) reports.push({ container: '', report: await hostSupervisorctl(hostProgram, section.supervisor_timeout, ctx.signal) });
        else if (hostUnits.length > 0) reports.push({ container: '', report: await hostSystemdUnits(hostUnits, section.supervisor_timeout, ctx.signal) });
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
  const registers = [ctx.registry];
  const up = new Gauge({ name: 'onlyoffice_supervisor_up', help: '1 when supervisorctl status (or systemctl) answered for this container; "" is the host.', labelNames: ['container'], registers });
  const state = new Gauge({ name: 'onlyoffice_supervisor_process_state', help: 'Supervisor state of the program: 1 for the current state, 0 for the others.', labelNames: ['container', 'program', 'state'], registers });
  const uptime = new Gauge({ name: 'onlyoffice_supervisor_process_uptime_seconds', help: 'Uptime of a RUNNING program as supervisor printed it at the last check.', labelNames: ['container', 'program'], registers });
  const check = new Gauge({
    name: 'onlyoffice_supervisor_check_state',
    help: 'How the last check went (ok, error, hung, exec_failed, not_running): 1 for the current one, 0 for the others.',
    labelNames: ['container', 'state'],
    registers,
  });
  const dropped = new Gauge({
    name: 'onlyoffice_supervisor_programs_dropped',
    help: 'Program lines of the last check past the cap of 64 programs per container, not exported.',
    labelNames: ['container'],
    registers,
  });
  for (const { container, report } of reports) {
    up.set({ container }, report.up ? 1 : 0);
    for (const s of CHECK_STATES) check.set({ container, state: s }, report.check === s ? 1 : 0);
    dropped.set({ container }, report.dropped);
    for (const program of report.programs) {
      for (const s of SUPERVISOR_STATES) state.set({ container, program: program.program, state: s }, program.state === s ? 1 : 0);
      if (program.uptimeSeconds !== undefined) uptime.set({ container, program: program.program }, program.uptimeSeconds);
    }
  }
}

export default supervisor;
