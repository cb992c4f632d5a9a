import { createServer, connect, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

export type RequestKind = 'events' | 'list' | 'inspect' | 'ping' | 'exec' | 'other';

const REQUEST_LINE = /^(GET|POST|HEAD|PUT|DELETE) (\S+) HTTP\/1\.[01]\r\n/;

function kindOf(method: string, path: string): RequestKind {
  const bare = path.replace(/^\/v\d+\.\d+/, '').split('?')[0]!;
  if (bare === '/events') return 'events';
  if (bare === '/_ping') return 'ping';
  if (bare === '/containers/json') return 'list';
  if (method === 'GET' && /^\/containers\/[^/]+\/json$/.test(bare)) return 'inspect';
  if (/\/exec(\/|$)/.test(bare)) return 'exec';
  return 'other';
}

/**
 * A loopback unix-socket proxy in front of a Docker engine's socket that sees every request line (keep-alive
 * connections included) and can cut the events stream: what a proxy with an idle timeout does to it.
 */
export class EngineProxy {
  readonly counts: Record<RequestKind, number> = { events: 0, list: 0, inspect: 0, ping: 0, exec: 0, other: 0 };
  /** When each events request arrived and when its stream was cut (epoch ms). */
  readonly eventsAt: number[] = [];
  readonly cutAt: number[] = [];
  /** Cut each events stream this long after its request (undefined: never). */
  cutEventsAfterMs: number | undefined;
  private heldEvents: (() => void)[] = [];
  private holding = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly path: string,
  ) {}

  static async start(path: string, upstream: string): Promise<EngineProxy> {
    rmSync(path, { force: true });
    let proxy!: EngineProxy;
    const server = createServer((client) => proxy.accept(client, upstream));
    proxy = new EngineProxy(server, path);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    return proxy;
  }

  /** New events requests wait (not forwarded) until release(); the others pass. */
  holdEvents(): void {
    this.holding = true;
  }

  releaseEvents(): void {
    this.holding = false;
    const held = this.heldEvents;
    this.heldEvents = [];
    for (const go of held) go();
  }

  get heldCount(): number {
    return this.heldEvents.length;
  }

  reset(): void {
    for (const key of Object.keys(this.counts) as RequestKind[]) this.counts[key] = 0;
    this.eventsAt.length = 0;
    this.cutAt.length = 0;
  }

  async close(): Promise<void> {
    this.releaseEvents();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  private accept(client: Socket, upstream: string): void {
    const server = connect(upstream);
    this.sockets.add(client);
    this.sockets.add(server);
    const cut = () => {
      client.destroy();
      server.destroy();
    };
    client.on('close', () => {
      this.sockets.delete(client);
      server.destroy();
    });
    server.on('close', () => {
      this.sockets.delete(server);
      client.destroy();
    });
    client.on('error', cut);
    server.on('error', cut);
    server.pipe(client);
    let paused: Buffer[] | undefined;
    client.on('data', (chunk: Buffer) => {
      if (paused) {
        paused.push(chunk);
        return;
      }
      const line = REQUEST_LINE.exec(chunk.subarray(0, 2048).toString('latin1'));
      if (line) {
        const kind = kindOf(line[1]!, line[2]!);
        if (kind === 'events' && this.holding) {
          paused = [chunk];
          this.heldEvents.push(() => {
            const queued = paused!;
            paused = undefined;
            this.onRequest(kind, cut);
            for (const piece of queued) server.write(piece);
          });
          return;
        }
        this.onRequest(kind, cut);
      }
      server.write(chunk);
    });
  }

  private onRequest(kind: RequestKind, cut: () => void): void {
    this.counts[kind] += 1;
    if (kind !== 'events') return;
    this.eventsAt.push(Date.now());
    if (this.cutEventsAfterMs !== undefined) {
      setTimeout(() => {
        this.cutAt.push(Date.now());
        cut();
      }, this.cutEventsAfterMs);
    }
  }
}
