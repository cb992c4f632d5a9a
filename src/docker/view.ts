import type Docker from 'dockerode';
import { untilSettledOrAborted } from './abort.js';
import type { ContainerInspectInfo } from 'dockerode';
import type { Logger } from 'pino';
import { apiErrorStatus, describeApiError, type ApiCounter } from './api.js';
import { dockerTimeSeconds } from './time.js';
import { deadlineSignal } from '../lib/timeout-signal.js';

export const CONTAINER_STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'] as const;
export const HEALTH_STATUSES = ['none', 'starting', 'healthy', 'unhealthy'] as const;

/** What the view knows about one matched container, as of its last inspect. */
export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  /** The image as the container was created from it (Config.Image), e.g. onlyoffice/documentserver:8.2. */
  readonly image: string;
  readonly state: string;
  readonly health: string;
  readonly restarts: number;
  readonly oomKilled: boolean;
  readonly exitCode: number;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** Sequence number of the inspect this came from: newer operations win. */
  readonly seq: number;
}

export function recordFromInspect(info: ContainerInspectInfo, seq: number): ContainerRecord {
  const state = info.State;
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config?.Image ?? info.Image,
    state: state.Status,
    health: state.Health?.Status || 'none',
    restarts: info.RestartCount ?? 0,
    oomKilled: state.OOMKilled === true,
    exitCode: state.ExitCode ?? 0,
    startedAt: dockerTimeSeconds(state.StartedAt),
    finishedAt: dockerTimeSeconds(state.FinishedAt),
    labels: info.Config?.Labels ?? {},
    seq,
  };
}

/** Thrown to the scrape when the view cannot vouch for the containers (engine gone, never synced). */
export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}

// Events after which the container is re-inspected; exec_*, attach, top, resize ... change nothing we export.
const REFRESH_ACTIONS = new Set(['create', 'start', 'restart', 'die', 'oom', 'kill', 'stop', 'pause', 'unpause', 'rename', 'health_status', 'update']);
const INSPECT_CONCURRENCY = 16;
const EVENT_DEBOUNCE_MS = 20;

export interface ViewOptions {
  docker: Docker;
  api: ApiCounter;
  match: (name: string) => boolean;
  /** For logs and errors, without credentials. */
  endpoint: string;
  resyncMs: number;
  timeoutMs: number;
  logger: Logger;
  retry?: { initialMs: number; maxMs: number };
}

interface DockerEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

type Phase = 'idle' | 'connecting' | 'live' | 'down' | 'closed';

/**
 * The matched containers, kept current by the events stream: list + inspect once at connect (and on each
 * periodic resync), then only the one container an event names is inspected again. A scrape reads the map.
 *
 * Engine gone: the events stream ends, one reconnect is tried at once, then with backoff (a scrape may also
 * try, at most once a second). Until a reconnect has resynced, ready() throws: the last view is not served,
 * because nothing can be said about containers while the engine does not answer.
 */
export class ContainerView {
  private phase: Phase = 'idle';
  private readonly records = new Map<string, ContainerRecord>();
  // Newest operation per container id (inspect start or destroy); an older inspect's answer is dropped.
  private readonly lastOp = new Map<string, number>();
  private seq = 0;
  private readonly dirty = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  private lastAttemptAt = 0;
  private lastError = 'not connected yet';
  private reachable: boolean | undefined;
  private stream: NodeJS.ReadableStream | undefined;
  private readonly lifetime = new AbortController();
  /** Epoch ms of the last completed full list+inspect. */
  lastResyncAt: number | undefined;

  constructor(private readonly options: ViewOptions) {
    this.retryDelayMs = options.retry?.initialMs ?? 1000;
  }

  start(): void {
    if (this.phase === 'idle') void this.connect();
  }

  /** Resolves when the view is live; waits for a connect in progress until `signal` aborts. */
  async ready(signal: AbortSignal): Promise<void> {
    if (this.phase === 'closed') throw new EngineUnavailableError('the container view is closed');
    if (this.phase === 'idle') this.start();
    if (this.phase === 'down' && Date.now() - this.lastAttemptAt >= 1000) void this.connect();
    if (this.connecting) await untilSettledOrAborted(this.connecting, signal);
    if (this.phase === 'live') return;
    if (this.phase === 'connecting') {
      throw new EngineUnavailableError(`Docker engine at ${this.options.endpoint} did not finish syncing before the scrape deadline`);
    }
    throw new EngineUnavailableError(`Docker engine unreachable at ${this.options.endpoint}: ${this.lastError}`);
  }

  get live(): boolean {
    return this.phase === 'live';
  }

  /** The matched containers, by name. */
  containers(): ContainerRecord[] {
    return [...this.records.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(id: string): ContainerRecord | undefined {
    return this.records.get(id);
  }

  /** Waits until the inspects triggered by events received so far have landed (tests, benchmarks). */
  async settled(): Promise<void> {
    while (this.flushTimer !== undefined || this.inflight.size > 0) {
      if (this.flushTimer !== undefined) {
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
        this.flush();
      }
      await Promise.allSettled([...this.inflight]);
    }
  }

  /** A full list+inspect now, outside the schedule (tests, benchmarks). */
  async resyncNow(): Promise<void> {
    await this.resync();
  }

  async close(): Promise<void> {
    this.phase = 'closed';
    this.lifetime.abort();
    clearTimeout(this.retryTimer);
    clearTimeout(this.resyncTimer);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.dropStream();
    await Promise.allSettled([...this.inflight, this.connecting]);
    this.records.clear();
  }

  private connect(): Promise<void> {
    if (this.connecting) return this.connecting;
    if (this.phase === 'closed') return Promise.resolve();
    clearTimeout(this.retryTimer);
    clearTimeout(this.resyncTimer);
    this.phase = 'connecting';
    this.lastAttemptAt = Date.now();
    this.connecting = this.attempt().then(
      () => this.onConnected(),
      (error: unknown) => this.onConnectFailed(error),
    ).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async attempt(): Promise<void> {
    this.dropStream();
    // Events first, then the list: nothing that happens in between is missed.
    const controller = new AbortController();
    const onClose = () => controller.abort();
    this.lifetime.signal.addEventListener('abort', onClose, { once: true });
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    let stream: NodeJS.ReadableStream;
    this.options.api.count('events');
    try {
      stream = await this.options.docker.getEvents({ filters: { type: ['container'] }, abortSignal: controller.signal } as object) as NodeJS.ReadableStream;
    } finally {
      clearTimeout(timer);
    }
    this.stream = stream;
    this.streamAbort = controller;
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line !== '') this.onEventLine(line);
      }
    });
    const lost = (why: string) => {
      this.lifetime.signal.removeEventListener('abort', onClose);
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.onStreamLost(why);
    };
    stream.on('error', (error: unknown) => lost(describeApiError(error)));
    stream.on('close', () => lost('events stream closed'));
    stream.on('end', () => lost('events stream ended'));
    await this.resync();
    if (this.stream !== stream) throw new Error('events stream closed during the resync');
  }

  private streamAbort: AbortController | undefined;

  private dropStream(): void {
    const stream = this.stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    this.stream = undefined;
    this.streamAbort?.abort();
    this.streamAbort = undefined;
    stream?.destroy?.();
  }

  private onConnected(): void {
    if (this.phase === 'closed') return;
    this.phase = 'live';
    this.retryDelayMs = this.options.retry?.initialMs ?? 1000;
    const count = this.records.size;
    if (this.reachable === false) {
      this.options.logger.info({ endpoint: this.options.endpoint, containers: count }, 'Docker engine reachable again; container view resynced');
    } else if (this.reachable === undefined) {
      this.options.logger.info({ endpoint: this.options.endpoint, containers: count }, 'watching Docker containers');
    }
    this.reachable = true;
    this.scheduleResync();
  }

  private onConnectFailed(error: unknown): void {
    this.dropStream();
    if (this.phase === 'closed') return;
    this.phase = 'down';
    this.lastError = describeApiError(error);
    if (this.reachable !== false) {
      this.options.logger.warn(
        { endpoint: this.options.endpoint, err: this.lastError },
        'Docker engine unreachable: container metrics fail (onlyoffice_scrape_collector_success 0) until it answers; retrying with backoff',
      );
    }
    this.reachable = false;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, this.options.retry?.maxMs ?? 30_000);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private onStreamLost(why: string): void {
    if (this.phase !== 'live') return; // a connect in progress notices by itself
    this.options.logger.debug({ endpoint: this.options.endpoint, why }, 'Docker events stream lost; reconnecting');
    void this.connect();
  }

  private scheduleResync(): void {
    clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(() => {
      if (this.phase !== 'live') return;
      this.resync().then(
        () => this.scheduleResync(),
        (error: unknown) => {
          if (this.phase !== 'live') return;
          this.options.logger.debug({ err: describeApiError(error) }, 'periodic Docker resync failed; reconnecting');
          this.dropStream();
          void this.connect();
        },
      );
    }, this.options.resyncMs);
    this.resyncTimer.unref();
  }

  /** One Engine API call, given up when the view closes or after the timeout. */
  private async call<T>(request: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = deadlineSignal(this.lifetime.signal, this.options.timeoutMs);
    try {
      return await request(deadline.signal);
    } finally {
      deadline.clear();
    }
  }

  private async resync(): Promise<void> {
    const listedAt = this.seq;
    this.options.api.count('list');
    const list = await this.call((abortSignal) => this.options.docker.listContainers({ all: true, abortSignal } as object));
    const listed = new Set<string>();
    for (const summary of list) {
      // Names also holds link aliases (/other/alias); the container's own name has a single leading slash.
      const own = summary.Names.find((name) => name.lastIndexOf('/') === 0) ?? summary.Names[0] ?? '';
      if (this.options.match(own.replace(/^\//, ''))) listed.add(summary.Id);
    }
    await forEachLimited([...listed], INSPECT_CONCURRENCY, (id) => this.inspect(id));
    for (const [id, record] of this.records) {
      if (!listed.has(id) && record.seq <= listedAt) this.records.delete(id);
    }
    for (const [id, op] of this.lastOp) {
      if (!this.records.has(id) && op <= listedAt) this.lastOp.delete(id);
    }
    this.lastResyncAt = Date.now();
  }

  private async inspect(id: string): Promise<void> {
    const op = ++this.seq;
    this.lastOp.set(id, op);
    this.options.api.count('inspect');
    let info: ContainerInspectInfo;
    try {
      info = await this.call((abortSignal) => this.options.docker.getContainer(id).inspect({ abortSignal } as object));
    } catch (error) {
      const status = apiErrorStatus(error);
      if (status === 404) {
        // Removed between list (or event) and inspect: simply gone.
        if (this.lastOp.get(id) === op) this.records.delete(id);
        return;
      }
      // An answer about this one container (e.g. 500 while it is being removed): keep what we knew.
      if (status !== undefined) {
        this.options.logger.debug({ id: id.slice(0, 12), err: describeApiError(error) }, 'container inspect failed; keeping its last known state');
        return;
      }
      throw error;
    }
    if (this.lastOp.get(id) !== op || this.phase === 'closed') return;
    const record = recordFromInspect(info, op);
    if (this.options.match(record.name)) this.records.set(id, record);
    else this.records.delete(id);
  }

  private onEventLine(line: string): void {
    let event: DockerEvent;
    try {
      event = JSON.parse(line) as DockerEvent;
    } catch {
      return;
    }
    if (event.Type !== 'container' || !event.Actor?.ID || !event.Action) return;
    const id = event.Actor.ID;
    const action = event.Action.split(':')[0]!.trim();
    if (action === 'destroy') {
      this.lastOp.set(id, ++this.seq);
      this.records.delete(id);
      this.dirty.delete(id);
      return;
    }
    if (!REFRESH_ACTIONS.has(action)) return;
    const name = event.Actor.Attributes?.name ?? '';
    // Containers outside the globs cost nothing, not even an inspect.
    if (!this.records.has(id) && !this.options.match(name)) return;
    this.dirty.add(id);
    // A burst (kill, die, stop) becomes one inspect.
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flush();
      }, EVENT_DEBOUNCE_MS);
    }
  }

  private flush(): void {
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      const pending: Promise<void> = this.inspect(id).catch((error: unknown) => {
        this.options.logger.debug({ id: id.slice(0, 12), err: describeApiError(error) }, 'container inspect after an event failed');
      }).finally(() => this.inflight.delete(pending));
      this.inflight.add(pending);
    }
  }
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
