import type Docker from 'dockerode';
import { untilSettledOrAborted } from './abort.js';
import type { ContainerInspectInfo } from 'dockerode';
import type { Logger } from 'pino';
import { apiErrorStatus, describeApiError, type ApiCounter } from './api.js';
import { ImageRefs, isImageId } from './image-refs.js';
import { dockerTimeSeconds } from './time.js';
import { deadlineSignal, followSignal } from '../lib/timeout-signal.js';
import { TransitionLog } from '../lib/transition-log.js';

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
  /**
   * The names of its image (tags, repository@digest) when Docker lists the container by image ID, its tag having moved
   * on: matched against docker.images as well as `image`.
   */
  readonly refs?: readonly string[];
  /** Sequence number of the inspect this came from: newer operations win. */
  readonly seq: number;
}

export function recordFromInspect(
  info: ContainerInspectInfo,
  seq: number,
  refs: readonly string[] = [],
): ContainerRecord {
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
    ...(refs.length > 0 ? { refs } : {}),
    seq,
  };
}

/** Whether a watched container matches: by name, by the image it was created from, or by its image's own names. */
export function recordMatches(match: (name: string, image: string) => boolean, record: ContainerRecord): boolean {
  return match(record.name, record.image) || (record.refs ?? []).some((ref) => match(record.name, ref));
}

/** Thrown to the scrape when the view cannot vouch for the containers (engine gone, never synced). */
export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}

// Events after which the container is re-inspected; exec_*, attach, top, resize ... change nothing we export.
const REFRESH_ACTIONS = new Set([
  'create',
  'start',
  'restart',
  'die',
  'oom',
  'kill',
  'stop',
  'pause',
  'unpause',
  'rename',
  'health_status',
  'update',
]);
/** Inspects in flight at once, resync and event-triggered alike. */
export const INSPECT_CONCURRENCY = 16;
const EVENT_DEBOUNCE_MS = 20;
/** A ping is the cheapest call the engine answers; a live engine answers it in milliseconds. */
export const PING_TIMEOUT_MS = 2_000;
/** An events stream that ended sooner than this is flapping: its reconnects keep their backoff. */
const MIN_STREAM_LIFE_MS = 30_000;

/** Shares one result between the collectors of a scrape (ScrapeContext.memo). */
export type Share = <T>(key: string, compute: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** What a list summary says of a container: when it differs from the last list's, the container is inspected again. */
function listSignature(summary: { State?: string; Status?: string; Names?: string[] }): string {
  // Status is Docker's text ("Up 5 minutes (healthy)", "Exited (137) 2 seconds ago"): a restart, a health change or a
  // new exit code all change it. It also ticks with time, so a recently started container is inspected again.
  return `${summary.State ?? ''}\u0000${summary.Status ?? ''}\u0000${(summary.Names ?? []).join(',')}`;
}

class StreamLostDuringSync extends Error {
  constructor() {
    super('events stream closed during the resync');
  }
}

let views = 0;

export interface ViewOptions {
  docker: Docker;
  api: ApiCounter;
  /** Whether a container is watched, by its name and its image reference. */
  match: (name: string, image: string) => boolean;
  /** For logs and errors, without credentials. */
  endpoint: string;
  resyncMs: number;
  timeoutMs: number;
  logger: Logger;
  retry?: { initialMs: number; maxMs: number };
  /** An events stream that lived less than this reconnects with backoff (tests shorten it). */
  minStreamLifeMs?: number;
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
 * because nothing can be said about containers while the engine does not answer. A frozen engine keeps the
 * stream open and silent: ready() pings it (one /_ping per scrape, shared by the collectors, under a short
 * deadline); an inspect or exec that gets no answer pings too. No answer marks the view down as a lost stream does.
 *
 * A stream that drops after less than MIN_STREAM_LIFE_MS (a proxy's idle timeout) reconnects with backoff, and
 * a reconnect after a mere stream drop lists first and inspects only the containers whose list entry changed;
 * after the engine itself was unreachable, the whole view is inspected again.
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
  /** Watching, unreachable, reachable again: logged when it changes, not on every retry. */
  private readonly reachability: TransitionLog;
  private stream: NodeJS.ReadableStream | undefined;
  private streamStartedAt = 0;
  private readonly lifetime = new AbortController();
  /** Until a full list+inspect succeeds after the engine was unreachable, a reconnect inspects everything. */
  private needFullResync = true;
  /** The list signature of each matched container at the last list. */
  private listed = new Map<string, string>();
  private activeInspects = 0;
  private readonly inspectWaiters: (() => void)[] = [];
  private readonly pingKey = `docker-ping:${++views}`;
  /** What each inspected container was created from (Config.Image, fixed for its lifetime), for one listed by image ID. */
  private readonly createdFrom = new Map<string, string>();
  private readonly images = new ImageRefs();
  /** Epoch ms of the last completed full list+inspect. */
  lastResyncAt: number | undefined;

  constructor(private readonly options: ViewOptions) {
    this.retryDelayMs = options.retry?.initialMs ?? 1000;
    this.reachability = new TransitionLog(options.logger, {
      first: 'watching Docker containers',
      failing:
        'Docker engine unreachable: container metrics fail (onlyoffice_scrape_collector_success 0) until it answers; retrying with backoff',
      recovered: 'Docker engine reachable again; container view resynced',
      // The error is in the fields; a retry failing for another reason (refused, then no socket) is not news.
      field: false,
    });
  }

  start(): void {
    if (this.phase === 'idle') void this.connect();
  }

  /**
   * Resolves when the view is live and the engine answered a ping now; waits for a connect in progress until
   * `signal` aborts. `share` (the scrape's memo) makes that one ping per scrape for all collectors.
   */
  async ready(signal: AbortSignal, share?: Share): Promise<void> {
    if (this.phase === 'closed') throw new EngineUnavailableError('the container view is closed');
    if (this.phase === 'idle') this.start();
    if (this.phase === 'down' && Date.now() - this.lastAttemptAt >= 1000) void this.connect();
    if (this.connecting) await untilSettledOrAborted(this.connecting, signal);
    if (this.phase === 'live') {
      const alive = share ? await share(this.pingKey, (shared) => this.ping(shared)) : await this.ping(signal);
      if (alive) return;
      if (this.phase === 'live')
        throw new EngineUnavailableError(
          `no answer from the Docker engine at ${this.options.endpoint} before the scrape deadline`,
        );
    }
    if (this.phase === 'connecting') {
      throw new EngineUnavailableError(
        `Docker engine at ${this.options.endpoint} did not finish syncing before the scrape deadline`,
      );
    }
    throw new EngineUnavailableError(`Docker engine unreachable at ${this.options.endpoint}: ${this.lastError}`);
  }

  get live(): boolean {
    return this.phase === 'live';
  }

  /**
   * GET /_ping under a short deadline: true when the engine answered. No answer (or no connection) marks the
   * view down, as a lost events stream does. An abort of `signal` itself (the caller gave up) says nothing.
   * A call that timed out elsewhere (an inspect, an exec) pings: one container's call can hang behind its lock while
   * the engine answers everything else, and that must not take the whole view down.
   */
  async ping(signal?: AbortSignal): Promise<boolean> {
    if (this.phase !== 'live') return false;
    const ms = Math.min(this.options.timeoutMs, PING_TIMEOUT_MS);
    const deadline = deadlineSignal(signal ?? this.lifetime.signal, ms);
    this.options.api.count('ping');
    try {
      await (this.options.docker.ping as (options: object) => Promise<unknown>).call(this.options.docker, {
        abortSignal: deadline.signal,
      });
      return true;
    } catch (error) {
      if (signal?.aborted || this.lifetime.signal.aborted) return false;
      const why =
        apiErrorStatus(error) === undefined && deadline.signal.aborted
          ? `no answer to a ping within ${ms} ms`
          : `ping: ${describeApiError(error)}`;
      this.engineDown(why);
      return false;
    } finally {
      deadline.clear();
    }
  }

  /** The engine did not answer: the view is down until a reconnect has listed and inspected everything again. */
  private engineDown(why: string): void {
    if (this.phase !== 'live') return;
    this.needFullResync = true;
    this.dropStream();
    this.goDown(why);
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
    this.connecting = this.attempt()
      .then(
        () => this.onConnected(),
        (error: unknown) => this.onConnectFailed(error),
      )
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private async attempt(): Promise<void> {
    this.dropStream();
    const full = this.needFullResync;
    // Events first, then the list: nothing that happens in between is missed.
    // Follows the view's lifetime only while connecting: once the stream is there, dropStream() ends it.
    const follower = followSignal(this.lifetime.signal);
    const timedOut = () =>
      follower.controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const timer = setTimeout(timedOut, this.options.timeoutMs);
    let stream: NodeJS.ReadableStream;
    this.options.api.count('events');
    try {
      stream = (await this.options.docker.getEvents({
        filters: { type: ['container'] },
        abortSignal: follower.signal,
      } as object)) as NodeJS.ReadableStream;
    } finally {
      clearTimeout(timer);
      follower.clear();
    }
    this.stream = stream;
    this.streamAbort = follower.controller;
    this.streamStartedAt = Date.now();
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
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.onStreamLost(why);
    };
    stream.on('error', (error: unknown) => lost(describeApiError(error)));
    stream.on('close', () => lost('events stream closed'));
    stream.on('end', () => lost('events stream ended'));
    await this.resync(full);
    if (this.stream !== stream) throw new StreamLostDuringSync();
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
    // The retry delay is not reset here: a stream that keeps dropping right after a reconnect keeps its backoff.
    this.reachability.record('engine', { endpoint: this.options.endpoint, containers: this.records.size }, undefined);
    this.scheduleResync();
  }

  private onConnectFailed(error: unknown): void {
    this.dropStream();
    if (this.phase === 'closed') return;
    if (!(error instanceof StreamLostDuringSync)) this.needFullResync = true;
    this.goDown(describeApiError(error));
  }

  /** Not live until a reconnect (after the backoff, or sooner by a scrape) has resynced. */
  private goDown(why: string): void {
    clearTimeout(this.resyncTimer);
    this.phase = 'down';
    this.lastError = why;
    // A dropped stream while the engine answers is not the engine being unreachable.
    if (this.needFullResync)
      this.reachability.record('engine', { endpoint: this.options.endpoint, err: why }, 'unreachable');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, this.options.retry?.maxMs ?? 30_000);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private onStreamLost(why: string): void {
    if (this.phase !== 'live') return; // a connect in progress notices by itself
    const lived = Date.now() - this.streamStartedAt;
    this.options.logger.debug(
      { endpoint: this.options.endpoint, why, lived },
      'Docker events stream lost; reconnecting',
    );
    if (lived >= (this.options.minStreamLifeMs ?? MIN_STREAM_LIFE_MS)) {
      // A stream that lived long dropped once: reconnect at once, with the backoff started afresh.
      this.retryDelayMs = this.options.retry?.initialMs ?? 1000;
      void this.connect();
      return;
    }
    this.goDown(`${why} after ${lived} ms; reconnecting with backoff`);
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
          this.needFullResync = true;
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

  /**
   * List, then inspect: every matched container (`full`), or only those whose list entry differs from the last
   * list's (a reconnect after a dropped stream, when the engine kept answering).
   */
  private async resync(full = true): Promise<void> {
    const listedAt = this.seq;
    this.options.api.count('list');
    const list = await this.call((abortSignal) =>
      this.options.docker.listContainers({ all: true, abortSignal } as object),
    );
    const listed = new Map<string, string>();
    const byImageId: { id: string; name: string; imageId: string; signature: string }[] = [];
    for (const summary of list) {
      // Names also holds link aliases (/other/alias); the container's own name has a single leading slash.
      const own = (summary.Names.find((name) => name.lastIndexOf('/') === 0) ?? summary.Names[0] ?? '').replace(
        /^\//,
        '',
      );
      if (this.options.match(own, summary.Image ?? '')) listed.set(summary.Id, listSignature(summary));
      else if (isImageId(summary.Image ?? '', summary.ImageID ?? ''))
        byImageId.push({ id: summary.Id, name: own, imageId: summary.ImageID, signature: listSignature(summary) });
    }
    const inspected = await this.matchByImageId(byImageId, listed);
    const changed = ([id, signature]: [string, string]) => !this.records.has(id) || this.listed.get(id) !== signature;
    const stale = (full ? [...listed.keys()] : [...listed].filter(changed).map(([id]) => id)).filter(
      (id) => !inspected.has(id),
    );
    await Promise.all(stale.map((id) => this.limited(() => this.inspect(id))));
    const present = new Set(list.map((summary) => summary.Id));
    for (const id of this.createdFrom.keys()) if (!present.has(id)) this.createdFrom.delete(id);
    for (const [id, record] of this.records) {
      if (!listed.has(id) && record.seq <= listedAt) this.records.delete(id);
    }
    for (const [id, op] of this.lastOp) {
      if (!this.records.has(id) && op <= listedAt) this.lastOp.delete(id);
    }
    this.listed = listed;
    if (full) {
      this.needFullResync = false;
      this.lastResyncAt = Date.now();
    }
  }

  /**
   * Containers Docker lists by image ID (the tag they were created from was pulled or tagged again since; `docker
   * run onlyoffice/documentserver` then shows as sha256:...): watched when what they were created from matches, or
   * one of their image's own names (tags, the repository@digest of a pull). A container never inspected is inspected
   * once to learn what it was created from. Returns the containers inspected here.
   */
  private async matchByImageId(
    containers: { id: string; name: string; imageId: string; signature: string }[],
    listed: Map<string, string>,
  ): Promise<Set<string>> {
    const inspected = new Set<string>();
    if (containers.length === 0) return inspected;
    await this.images.learn(
      new Set(containers.map((c) => c.imageId)),
      () => {
        this.options.api.count('images');
        return this.call((abortSignal) => this.options.docker.listImages({ abortSignal } as object));
      },
      (error) => {
        // An answer (a socket proxy that refuses the images API): match by what the containers were created from only.
        if (apiErrorStatus(error) === undefined) return false;
        this.options.logger.debug(
          { err: describeApiError(error) },
          'listing images failed; containers listed by image ID are matched by what they were created from',
        );
        return true;
      },
    );
    const byRefs = (c: { name: string; imageId: string }) =>
      this.images.get(c.imageId).some((ref) => this.options.match(c.name, ref));
    const unknown = containers.filter((c) => !this.createdFrom.has(c.id) && !byRefs(c));
    await Promise.all(
      unknown.map(async (c) => {
        inspected.add(c.id);
        await this.limited(() => this.inspect(c.id));
      }),
    );
    for (const c of containers) {
      const from = this.createdFrom.get(c.id);
      if ((from !== undefined && this.options.match(c.name, from)) || byRefs(c)) listed.set(c.id, c.signature);
    }
    return inspected;
  }

  /** Runs `work` when fewer than INSPECT_CONCURRENCY inspects are in flight (resync and events share the cap). */
  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.activeInspects < INSPECT_CONCURRENCY) this.activeInspects += 1;
    else await new Promise<void>((resolve) => this.inspectWaiters.push(resolve));
    try {
      return await work();
    } finally {
      // The slot passes to the next waiter as it is.
      const next = this.inspectWaiters.shift();
      if (next) next();
      else this.activeInspects -= 1;
    }
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
        this.options.logger.debug(
          { id: id.slice(0, 12), err: describeApiError(error) },
          'container inspect failed; keeping its last known state',
        );
        return;
      }
      throw error;
    }
    if (this.lastOp.get(id) !== op || this.phase === 'closed') return;
    const record = recordFromInspect(info, op, this.images.get(info.Image));
    this.createdFrom.set(id, record.image);
    if (recordMatches(this.options.match, record)) this.records.set(id, record);
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
      this.createdFrom.delete(id);
      this.dirty.delete(id);
      return;
    }
    if (!REFRESH_ACTIONS.has(action)) return;
    const name = event.Actor.Attributes?.name ?? '';
    // Containers outside the globs cost nothing, not even an inspect.
    if (!this.records.has(id) && !this.options.match(name, event.Actor.Attributes?.image ?? '')) return;
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
      const pending: Promise<void> = this.limited(() => this.inspect(id))
        .catch(async (error: unknown) => {
          this.options.logger.debug(
            { id: id.slice(0, 12), err: describeApiError(error) },
            'container inspect after an event failed',
          );
          // No HTTP answer at all (timeout, connection refused): is it the engine, or this container?
          if (apiErrorStatus(error) === undefined && !this.lifetime.signal.aborted) await this.ping();
        })
        .finally(() => this.inflight.delete(pending));
      this.inflight.add(pending);
    }
  }
}
