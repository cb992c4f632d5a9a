import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { whenAborted } from '../lib/timeout-signal.js';
import { handshakeHere, type Handshake, type HandshakeRunner, type TlsEndpointAddress, type Trust } from './probe.js';

export type HandshakeRequest =
  { kind: 'handshake'; id: number; endpoint: TlsEndpointAddress; timeoutMs: number } | { kind: 'cancel'; id: number };

export interface HandshakeReply {
  id: number;
  result: Handshake;
}

// Beside this module, as .ts from src/ (tsx, jest) or as .js from dist/.
const here = fileURLToPath(import.meta.url);
const WORKER_FILE = join(dirname(here), `handshake-worker${extname(here)}`);

/** Handshakes in flight from which further ones go to the thread. */
export const OVERFLOW_AT = 8;
/** The thread ends after this long with no handshake pending in it. */
export const THREAD_IDLE_MS = 60_000;

/**
 * Where a TLS probe's handshake runs. A handshake is most of a TLS probe's CPU (OpenSSL and Node's TLSSocket, about
 * 0.5 ms on the test machine), all of it on the thread that answers scrapes. Handshakes run here until OVERFLOW_AT
 * are in flight at once (/probe at fleet scale, hundreds of endpoints in one scrape); the ones past that go to a
 * worker thread, which uses another core and leaves this one to answer scrapes. The thread is its own V8 heap
 * (about 12 MiB resident), so it is started only then and ends THREAD_IDLE_MS after its last handshake settled: a
 * scrape of a few endpoints never pays for it.
 */
export class TlsHandshakes implements HandshakeRunner {
  private inFlight = 0;
  /** Handshakes sent to the thread and not settled yet: the thread never ends under one. */
  private inThread = 0;
  private thread: HandshakeThread | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly trust: Trust,
    private readonly overflowAt = OVERFLOW_AT,
    private readonly idleMs = THREAD_IDLE_MS,
  ) {}

  async handshake(endpoint: TlsEndpointAddress, timeoutMs: number, signal: AbortSignal): Promise<Handshake> {
    const overflow = this.inFlight >= this.overflowAt;
    this.inFlight++;
    try {
      if (!overflow) return await handshakeHere(endpoint, this.trust.secureContext, timeoutMs, signal);
      this.thread ??= new HandshakeThread(this.trust.anchors.pem);
      // The idle time counts from the last settled handshake, not from the last sent one: a worker that starts
      // slower than the idle time (a busy machine) must not be stopped under the handshakes waiting for it.
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      this.inThread++;
      try {
        return await this.thread.handshake(endpoint, timeoutMs, signal);
      } finally {
        if (--this.inThread === 0) this.armIdleTimer();
      }
    } finally {
      this.inFlight--;
    }
  }

  /** Whether the handshake thread is running (for tests). */
  get threadRunning(): boolean {
    return this.thread !== undefined;
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const thread = this.thread;
    this.thread = undefined;
    await thread?.close();
  }

  private armIdleTimer(): void {
    // Stopped by close() meanwhile: nothing to end.
    if (this.thread === undefined) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      const thread = this.thread;
      this.thread = undefined;
      // Nothing is pending in it: a handshake sent since would have cleared this timer.
      void thread?.close();
    }, this.idleMs);
    this.idleTimer.unref();
  }
}

/**
 * TLS handshakes in a worker thread (see TlsHandshakes); unref'd, so it never holds the process open.
 */
export class HandshakeThread implements HandshakeRunner {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (result: Handshake) => void>();
  private nextId = 0;

  /** `anchorsPem`: the trusted roots, as Trust.anchors.pem. */
  constructor(private readonly anchorsPem: readonly string[]) {}

  handshake(endpoint: TlsEndpointAddress, timeoutMs: number, signal: AbortSignal): Promise<Handshake> {
    if (signal.aborted) return Promise.resolve({ ok: false, seconds: 0, failure: 'timeout', message: 'timed out' });
    const worker = this.started();
    const id = this.nextId++;
    const started = performance.now();
    return new Promise<Handshake>((resolve) => {
      let unfollow: () => void = () => undefined;
      const settle = (result: Handshake) => {
        if (!this.pending.delete(id)) return;
        unfollow();
        resolve(result);
      };
      this.pending.set(id, settle);
      // Plain data only: an endpoint may carry more than the handshake needs.
      const plain: TlsEndpointAddress = { host: endpoint.host, port: endpoint.port, serverName: endpoint.serverName };
      worker.postMessage({ kind: 'handshake', id, endpoint: plain, timeoutMs } satisfies HandshakeRequest);
      unfollow = whenAborted(signal, () => {
        worker.postMessage({ kind: 'cancel', id } satisfies HandshakeRequest);
        settle({ ok: false, seconds: (performance.now() - started) / 1000, failure: 'timeout', message: 'timed out' });
      });
    });
  }

  /** Ends the thread; handshakes still running end as errors. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker === undefined) return;
    this.failAll('the TLS handshake thread was stopped');
    await worker.terminate();
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker;
    const workerData = { anchorsPem: this.anchorsPem };
    // From src/ (tsx, jest) the worker is TypeScript, and Node 20 does not pass module hooks (--import tsx) on to
    // worker threads: tsx loads it there itself.
    const worker = WORKER_FILE.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(pathToFileURL(WORKER_FILE).href)}, ${JSON.stringify(import.meta.url)}));`,
          { eval: true, workerData },
        )
      : new Worker(WORKER_FILE, { workerData });
    worker.unref();
    worker.on('message', (reply: HandshakeReply) => this.pending.get(reply.id)?.(reply.result));
    // Unexpected ends only: close() has answered what was pending already.
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(reason);
    };
    worker.on('error', (error) => lost(`the TLS handshake thread failed: ${error.message}`));
    worker.on('exit', (code) => lost(`the TLS handshake thread exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private failAll(message: string): void {
    for (const settle of [...this.pending.values()]) settle({ ok: false, seconds: 0, failure: 'error', message });
  }
}
