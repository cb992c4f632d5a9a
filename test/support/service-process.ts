import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Shared helpers for the real-server harnesses. postgres.ts, redis.ts and rabbitmq.ts each export
 * `start<Name>(options): Promise<Handle>` whose handle extends ServiceHandle; they, nginx.ts, prometheus.ts and
 * robots.ts (Alertmanager) all start their process through spawnService. dockerd.ts still has its own start-up.
 */

export const LOOPBACK = '127.0.0.1';
/** Start-up bound for one service: RabbitMQ takes ~20 s alone and several times that on a busy 2-core box. */
export const START_TIMEOUT_MS = 90_000;

/** What every private server handle has. */
export interface ServiceHandle {
  readonly host: string;
  /** The port clients use (AMQP for RabbitMQ). */
  readonly port: number;
  /** A client URL with the credentials the server accepts. */
  readonly url: string;
  /** The temporary directory holding the server's data, configuration and output; removed by close(). */
  readonly dir: string;
  /** PID of the server process to signal (changes on restart). */
  readonly pid: number;
  /** Stops the server and removes its directory; safe to call twice. */
  close(): Promise<void>;
  /** SIGSTOP: TCP still accepts, nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Stops the server and starts it again on the same ports and data. */
  restart(): Promise<void>;
}

/** A new private directory for one server under the system temp dir. */
export function serviceDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `ooe-${name}-`));
}

export interface ServiceSpec {
  /** Names the server in errors. */
  name: string;
  dir: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Run as this user and group (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** One bounded readiness probe (given the spawned PID): true once the server serves. Polled until true, the process exits or the timeout. */
  ready: (pid: number) => Promise<boolean> | boolean;
  /** The PID to signal when it is not the spawned one (RabbitMQ's script runs beam.smp); read once ready. */
  mainPid?: () => number | undefined;
  timeoutMs?: number;
  /** File name in `dir` for the process's stdout and stderr; `<name>.out` unless given. */
  output?: string;
  /** Further log files whose tails go into a start failure's message, besides the process's own output. */
  logs?: string[];
}

// A test file that ends without close() (a failed beforeAll, a crash) must not leave its servers running.
const runningServers = new Set<() => void>();
process.once('exit', () => {
  for (const kill of runningServers) kill();
});

/** A started server process: stdout and stderr go to `output`. */
export interface ServiceProcess {
  readonly pid: number;
  readonly output: string;
  /** SIGCONT, `sig`, then SIGKILL after `graceMs`; also ends the spawned wrapper when it is not the main PID. */
  stop(sig?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * Spawns `spec.command` in its own session (a signal to the test's process group never reaches it) and resolves
 * once `spec.ready` says so. Fails at once when the process exits first, or after the timeout; either way the
 * process is stopped and the error quotes the tail of its output and logs.
 */
export async function spawnService(spec: ServiceSpec): Promise<ServiceProcess> {
  const output = join(spec.dir, spec.output ?? `${spec.name}.out`);
  const timeoutMs = spec.timeoutMs ?? START_TIMEOUT_MS;
  const fd = openSync(output, 'a');
  let child;
  try {
    child = spawn(spec.command, spec.args ?? [], {
      detached: true,
      stdio: ['ignore', fd, fd],
      cwd: spec.dir,
      env: spec.env ?? process.env,
      uid: spec.uid,
      gid: spec.gid,
    });
  } finally {
    closeSync(fd);
  }
  let exit: string | undefined;
  child.once('exit', (code, sig) => {
    exit = sig ? `signal ${sig}` : `code ${code}`;
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const wrapperPid = child.pid;
  // The test's event loop does not wait on the server; close() (or the run's end) stops it.
  child.unref();
  const fail = async (reason: string, mainPid?: number): Promise<never> => {
    if (mainPid !== undefined && mainPid !== wrapperPid) await terminate(mainPid, 'SIGKILL', 10_000);
    if (wrapperPid !== undefined) await terminate(wrapperPid, 'SIGKILL', 10_000);
    const tails = [output, ...(spec.logs ?? [])].map((file) => `--- ${file}\n${tail(file)}`).join('\n');
    throw new Error(`${spec.name} did not start: ${reason}\n${tails}`);
  };
  if (wrapperPid === undefined) return fail(String(await spawnError));

  const giveUp = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (exit !== undefined) return fail(`exited with ${exit}`);
    try {
      if (await spec.ready(wrapperPid)) break;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > giveUp) {
      return fail(
        `not ready after ${timeoutMs} ms${lastError ? ` (last probe: ${String(lastError)})` : ''}`,
        spec.mainPid?.(),
      );
    }
    await sleep(100);
  }
  const pid = spec.mainPid?.() ?? wrapperPid;
  // Only while the spawned process has not been seen to exit, so a reused PID is never hit.
  const killOnExit = () => {
    if (pid !== wrapperPid && isAlive(pid)) signal(pid, 'SIGKILL');
    if (exit === undefined) signal(wrapperPid, 'SIGKILL');
  };
  runningServers.add(killOnExit);
  return {
    pid,
    output,
    async stop(sig: NodeJS.Signals = 'SIGTERM', graceMs = 30_000) {
      await terminate(pid, sig, graceMs);
      if (wrapperPid !== pid) await terminate(wrapperPid, 'SIGTERM', 5_000);
      runningServers.delete(killOnExit);
    },
  };
}

/** Removes a server's directory after `stop`, once, however often it is called. */
export function closer(dir: string, stop: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= (async () => {
      try {
        await stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })());
}

/** True once a TCP connection to 127.0.0.1:`port` succeeds (the probe for servers with nothing better). */
export function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, LOOPBACK);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2_000);
  } catch {
    return '(none)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > giveUp) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await sleep(100);
  }
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stateOf(stat) !== 'Z';
  } catch {
    return false;
  }
}

function stateOf(stat: string): string {
  // The command name is in parentheses and may itself contain spaces or parentheses.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
}

/** Sends `signal` to `pid`, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** SIGCONT then `sig`, then SIGKILL if the process is still there after `graceMs`. */
export async function terminate(pid: number, sig: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<void> {
  if (!isAlive(pid)) return;
  signal(pid, 'SIGCONT');
  signal(pid, sig);
  const giveUp = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > giveUp) {
      signal(pid, 'SIGKILL');
      await waitFor(`pid ${pid} to exit after SIGKILL`, 10_000, () => (isAlive(pid) ? undefined : true));
      return;
    }
    await sleep(50);
  }
}

/** Direct children of `pid` (from /proc). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}
