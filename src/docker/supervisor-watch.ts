import type { Logger } from 'pino';
import { describeApiError } from './api.js';
import type { DockerEngine } from './engine.js';
import { execInContainer, ExecTimeout } from './exec.js';
import { parseSupervisorctlStatus, type SupervisorReport } from './supervisor-status.js';
import type { ContainerRecord } from './view.js';

export interface SupervisorResult {
  report: SupervisorReport;
  /** Epoch ms of the check. */
  at: number;
  /** The container's StartedAt when checked: a restart makes the result stale at once. */
  startedAt: number | undefined;
}

export interface WatchOptions {
  match: (name: string) => boolean;
  intervalMs: number;
  timeoutMs: number;
  command?: string[];
}

/**
 * `supervisorctl status` in the matched running DocumentServer containers, every interval in the background
 * (three Engine API calls per container and check). A scrape reads the results, and only waits for a check
 * of a container it has no current result for (new, or restarted since).
 */
export class SupervisorWatcher {
  private readonly results = new Map<string, SupervisorResult>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly lastProblem = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly lifetime = new AbortController();
  private closed = false;

  constructor(private readonly engine: DockerEngine, private readonly options: WatchOptions, private readonly logger: Logger) {}

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
    return this.engine.view.containers().filter((c) => this.options.match(c.name));
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
    await Promise.allSettled(targets.filter((c) => running.has(c.id)).map((c) => this.check(c)));
  }

  private async run(container: ContainerRecord): Promise<void> {
    let report: SupervisorReport;
    try {
      const result = await execInContainer(this.engine, container.id, this.options.command ?? ['supervisorctl', 'status'], this.options.timeoutMs, this.lifetime.signal);
      report = parseSupervisorctlStatus(result.output, result.exitCode);
    } catch (error) {
      if (this.closed) return;
      const reason = error instanceof ExecTimeout ? `supervisorctl status: ${error.message}` : `docker exec: ${describeApiError(error)}`;
      report = { up: false, programs: [], error: reason };
    }
    if (this.closed) return;
    this.results.set(container.id, { report, at: Date.now(), startedAt: container.startedAt });
    this.logChange(container.name, report);
  }

  // One line when a container's supervisor goes bad or its reason changes, one when it recovers.
  private logChange(name: string, report: SupervisorReport): void {
    const problem = report.up ? '' : report.error ?? 'unknown';
    const previous = this.lastProblem.get(name);
    if (previous === problem) return;
    this.lastProblem.set(name, problem);
    if (problem !== '') this.logger.warn({ container: name, err: problem }, 'supervisorctl status failed in the DocumentServer container');
    else if (previous !== undefined) this.logger.info({ container: name }, 'supervisorctl status answers again in the DocumentServer container');
  }
}
