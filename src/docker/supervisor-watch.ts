import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { apiErrorStatus, describeApiError } from './api.js';
import type { DockerEngine } from './engine.js';
import { execInContainer, ExecTimeout, inspectExec } from './exec.js';
import { failedReport, parseSupervisorctlStatus, type SupervisorReport } from '../supervisor/status.js';
import { recordMatches, type ContainerRecord } from './view.js';
import { TransitionLog } from '../lib/transition-log.js';

/**
 * `supervisorctl status`, bounded inside the container too: a hung supervisorctl (supervisord in trouble) keeps
 * running after we stop reading, and Docker has no call to kill an exec. `timeout` is coreutils' in the DS image
 * (ONLYOFFICE/Docker-DocumentServer Dockerfile: FROM ubuntu) and an applet in busybox, both with `-s SIG SECS PROG`; KILL because supervisorctl has nothing to clean
 * up and a wedged one must not outlive the check. `command -v` is POSIX sh (dash, busybox ash). Where there is no
 * `timeout`, the exec guard in SupervisorWatcher still keeps it to one process at a time.
 */
export function supervisorctlCommand(timeoutMs: number): string[] {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return [
    'sh',
    '-c',
    `if command -v timeout >/dev/null 2>&1; then exec timeout -s KILL ${seconds} supervisorctl status; else exec supervisorctl status; fi`,
  ];
}

// 128 + SIGKILL: `timeout -s KILL` ended it.
const KILLED = 137;

export interface SupervisorResult {
  report: SupervisorReport;
  /** Epoch ms of the check. */
  at: number;
  /** The container's StartedAt when checked: a restart makes the result stale at once. */
  startedAt: number | undefined;
}

export interface WatchOptions {
  match: (name: string, image: string) => boolean;
  intervalMs: number;
  timeoutMs: number;
  command?: string[];
}

/**
 * `supervisorctl status` in the matched running DocumentServer containers, every interval in the background
 * (a /_ping per round, then three Engine API calls per container and check). A scrape reads the results, and only
 * waits for a check of a container it has no current result for (new, or restarted since).
 *
 * Never two at once in a container: an exec we did not see finish is inspected before the next check, and while it
 * still runs no new one is started (the check reports `hung`). No exec is created while the engine does not answer
 * the round's ping: an exec create sent to a frozen engine would run when it resumes, with nobody reading it.
 */
export class SupervisorWatcher {
  private readonly results = new Map<string, SupervisorResult>();
  private readonly pending = new Map<string, Promise<void>>();
  /** Per container, the exec of a check that did not end while we watched (it may still run). */
  private readonly unfinished = new Map<string, Docker.Exec>();
  private timer: NodeJS.Timeout | undefined;
  private readonly lifetime = new AbortController();
  private closed = false;

  // One line when a container's supervisor goes bad or its reason changes, one when it recovers.
  private readonly transitions: TransitionLog;

  constructor(
    private readonly engine: DockerEngine,
    private readonly options: WatchOptions,
    logger: Logger,
  ) {
    this.transitions = new TransitionLog(logger, {
      failing: 'supervisorctl status failed in the DocumentServer container',
      recovered: 'supervisorctl status answers again in the DocumentServer container',
      field: 'err',
    });
  }

  start(): void {
    this.schedule(0);
  }

  /** The result for this container if it is from the container's current run. */
  current(container: ContainerRecord): SupervisorResult | undefined {
    const result = this.results.get(container.id);
    return result && result.startedAt === container.startedAt ? result : undefined;
  }

  /** Checks one container now, sharing a check already in flight. */
  check(container: ContainerRecord): Promise<void> {
    let pending = this.pending.get(container.id);
    if (pending === undefined) {
      pending = this.run(container).finally(() => this.pending.delete(container.id));
      this.pending.set(container.id, pending);
    }
    return pending;
  }

  /** The DocumentServer containers among the view's. */
  targets(): ContainerRecord[] {
    return this.engine.view.containers().filter((c) => recordMatches(this.options.match, c));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.lifetime.abort();
    await Promise.allSettled([...this.pending.values()]);
  }

  private schedule(delay: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.round().finally(() => this.schedule(this.options.intervalMs));
    }, delay);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    if (!this.engine.view.live) return;
    const targets = this.targets();
    const running = new Set(targets.filter((c) => c.state === 'running').map((c) => c.id));
    for (const id of this.results.keys()) if (!running.has(id)) this.results.delete(id);
    for (const id of this.unfinished.keys()) if (!running.has(id)) this.unfinished.delete(id);
    if (running.size === 0) return;
    if (!(await this.engine.view.ping(this.lifetime.signal))) return;
    await Promise.allSettled(targets.filter((c) => running.has(c.id)).map((c) => this.check(c)));
  }

  /** The exec of an earlier check still runs in this container (false when it ended, or is gone). */
  private async stillRunning(containerId: string): Promise<boolean> {
    const previous = this.unfinished.get(containerId);
    if (previous === undefined) return false;
    try {
      if ((await inspectExec(this.engine, previous, this.options.timeoutMs)).Running) return true;
    } catch (error) {
      // 404: the container restarted or was removed, and its execs with it. No answer at all: not a question of the exec.
      if (apiErrorStatus(error) === undefined) throw error;
    }
    this.unfinished.delete(containerId);
    return false;
  }

  private async run(container: ContainerRecord): Promise<void> {
    const timeoutMs = this.options.timeoutMs;
    let report: SupervisorReport;
    try {
      if (await this.stillRunning(container.id)) {
        report = failedReport('hung', 'supervisorctl status: the one started by an earlier check is still running');
      } else {
        const command = this.options.command ?? supervisorctlCommand(timeoutMs);
        const remember = (exec: Docker.Exec) => this.unfinished.set(container.id, exec);
        const result = await execInContainer(
          this.engine,
          container.id,
          command,
          timeoutMs,
          this.lifetime.signal,
          remember,
        );
        if (result.exitCode !== undefined) this.unfinished.delete(container.id);
        report = parseSupervisorctlStatus(result.output, result.exitCode, result.truncated);
        if (!report.up && result.exitCode === KILLED)
          report = failedReport('hung', `supervisorctl status: killed after ${Math.ceil(timeoutMs / 1000)} s`);
      }
    } catch (error) {
      if (this.closed) return;
      if (error instanceof ExecTimeout) {
        report = failedReport('hung', `supervisorctl status: ${error.message}`);
      } else {
        // No HTTP answer (a timeout, a refused connection): if the engine does not answer a ping either, the view goes
        // down and no round creates an exec until it is back.
        if (apiErrorStatus(error) === undefined) void this.engine.view.ping(this.lifetime.signal);
        report = failedReport('exec_failed', `docker exec: ${describeApiError(error)}`);
      }
    }
    if (this.closed) return;
    this.results.set(container.id, { report, at: Date.now(), startedAt: container.startedAt });
    this.transitions.record(
      container.name,
      { container: container.name },
      report.up ? undefined : report.error || 'unknown',
    );
  }
}
