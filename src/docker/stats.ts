import type { Logger } from 'pino';
import { describeApiError } from './api.js';
import type { DockerEngine } from './engine.js';
import { deadlineSignal } from '../lib/timeout-signal.js';

/** CPU and memory of one container from one stats answer. */
export interface ContainerUsage {
  cgroup: 'v1' | 'v2';
  cpuSeconds: number;
  memoryUsageBytes: number;
  /** usage minus inactive file cache, as `docker stats` and cAdvisor's working set count it. */
  memoryWorkingSetBytes: number;
  /** The cgroup limit; Docker reports the host's memory when the container has none. */
  memoryLimitBytes: number | undefined;
}

interface StatsAnswer {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

/**
 * One /containers/{id}/stats?stream=false answer. cgroup v1 puts total_inactive_file (and cache, rss) in
 * memory_stats.stats, v2 puts inactive_file (and anon, file); a stopped container answers with an empty
 * memory_stats and a zero `read` time, which gives undefined.
 */
export function parseStats(answer: unknown): ContainerUsage | undefined {
  const stats = answer as StatsAnswer;
  if (typeof stats !== 'object' || stats === null) return undefined;
  if (stats.read === undefined || stats.read.startsWith('0001-01-01')) return undefined;
  const memory = stats.memory_stats;
  const usage = memory?.usage;
  const totalCpu = stats.cpu_stats?.cpu_usage?.total_usage;
  if (typeof usage !== 'number' || typeof totalCpu !== 'number') return undefined;
  const detail = memory?.stats ?? {};
  let cgroup: 'v1' | 'v2';
  let inactiveFile: number | undefined;
  if ('total_inactive_file' in detail || 'cache' in detail || 'hierarchical_memory_limit' in detail) {
    cgroup = 'v1';
    inactiveFile = detail.total_inactive_file;
  } else {
    cgroup = 'v2';
    inactiveFile = detail.inactive_file;
  }
  const workingSet = typeof inactiveFile === 'number' && inactiveFile < usage ? usage - inactiveFile : usage;
  return {
    cgroup,
    cpuSeconds: totalCpu / 1e9,
    memoryUsageBytes: usage,
    memoryWorkingSetBytes: workingSet,
    memoryLimitBytes: typeof memory?.limit === 'number' && memory.limit > 0 ? memory.limit : undefined,
  };
}

export interface UsageSample {
  usage: ContainerUsage;
  /** Epoch ms when the answer came back. */
  at: number;
}

const STATS_CONCURRENCY = 8;
// Containers with a process to measure; a stopped one answers at once with nothing in it.
export const MEASURED_STATES = new Set(['running', 'paused', 'restarting']);

/** Gathers stats of the matched containers in the background, every `intervalMs`; a scrape reads `samples`. */
export class StatsGatherer {
  private readonly samples = new Map<string, UsageSample>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private readonly lifetime = new AbortController();
  private closed = false;

  constructor(
    private readonly engine: DockerEngine,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.schedule(0);
  }

  sample(id: string): UsageSample | undefined {
    return this.samples.get(id);
  }

  /** One round now (tests). */
  async gatherNow(): Promise<void> {
    await (this.round ?? this.gather());
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.lifetime.abort();
    await this.round?.catch(() => undefined);
  }

  private schedule(delay: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.round = this.gather().finally(() => {
        this.round = undefined;
        this.schedule(this.intervalMs);
      });
    }, delay);
    this.timer.unref();
  }

  private async gather(): Promise<void> {
    const { view, api, docker, timeoutMs } = this.engine;
    if (!view.live) return;
    const containers = view.containers();
    const targets = containers.filter((c) => MEASURED_STATES.has(c.state));
    const measured = new Set(targets.map((c) => c.id));
    for (const id of this.samples.keys()) if (!measured.has(id)) this.samples.delete(id);
    let next = 0;
    const worker = async () => {
      while (next < targets.length && !this.closed) {
        const container = targets[next++]!;
        api.count('stats');
        const deadline = deadlineSignal(this.lifetime.signal, timeoutMs);
        try {
          const answer = await docker.getContainer(container.id).stats({
            stream: false,
            abortSignal: deadline.signal,
          } as { stream: false });
          const usage = parseStats(answer);
          if (usage) this.samples.set(container.id, { usage, at: Date.now() });
        } catch (error) {
          this.logger.debug({ container: container.name, err: describeApiError(error) }, 'container stats failed');
        } finally {
          deadline.clear();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(STATS_CONCURRENCY, targets.length) }, worker));
  }
}
