import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface BcryptRequest {
  id: number;
  password: string;
  hash: string;
}

export interface BcryptReply {
  id: number;
  ok: boolean;
}

/** Whether `password` matches the bcrypt `hash`. */
export type BcryptCompare = (password: string, hash: string) => Promise<boolean>;

// Beside this module, as .ts from src/ (tsx, jest) or as .js from dist/.
const here = fileURLToPath(import.meta.url);
const WORKER_FILE = join(dirname(here), `bcrypt-worker${extname(here)}`);
/** The thread ends after this long without a comparison. */
export const BCRYPT_THREAD_IDLE_MS = 60_000;

/**
 * bcrypt comparisons on a worker thread. bcryptjs is JavaScript and, even "async", computes in slices of up to
 * 100 ms on the thread it is called from: under basic-auth guessing that thread would spend most of its time in
 * bcrypt and every scrape would wait behind it. On a worker thread it uses another core. The thread is its own V8
 * heap (about 12 MiB resident), so it starts with the first comparison (a new credential) and ends after
 * BCRYPT_THREAD_IDLE_MS without one; unref'd, it never holds the process open.
 */
export class BcryptThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (ok: boolean) => void>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs = BCRYPT_THREAD_IDLE_MS) {}

  readonly compare: BcryptCompare = (password, hash) => {
    clearTimeout(this.idleTimer);
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<boolean>((resolve) => {
      this.pending.set(id, (ok) => {
        this.pending.delete(id);
        if (this.pending.size === 0 && this.worker !== undefined) this.idle();
        resolve(ok);
      });
      worker.postMessage({ id, password, hash } satisfies BcryptRequest);
    });
  };

  /** Whether the thread is running (for tests). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.refuseAll();
    await worker?.terminate();
  }

  private idle(): void {
    this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
    this.idleTimer.unref();
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker;
    // From src/ (tsx, jest) the worker is TypeScript, and Node 20 does not pass module hooks (--import tsx) on to
    // worker threads: tsx loads it there itself.
    const [file, parent] = [JSON.stringify(pathToFileURL(WORKER_FILE).href), JSON.stringify(import.meta.url)];
    const load = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${file}, ${parent}));`;
    const worker = WORKER_FILE.endsWith('.ts') ? new Worker(load, { eval: true }) : new Worker(WORKER_FILE);
    worker.unref();
    worker.on('message', (reply: BcryptReply) => this.pending.get(reply.id)?.(reply.ok));
    // Unexpected ends: what was asked is refused (401; Prometheus tries again), the next comparison starts a new thread.
    const lost = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.refuseAll();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.worker = worker;
    return worker;
  }

  private refuseAll(): void {
    for (const settle of [...this.pending.values()]) settle(false);
  }
}
