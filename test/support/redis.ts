import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { signal, terminate, waitFor } from './service-process.js';

/** A private redis-server on a free loopback port, run by the test. */
export interface Redis {
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  stop(): Promise<void>;
  /** SIGSTOP: TCP still accepts, nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Stops and starts again on the same port with the same password. */
  restart(): Promise<void>;
}

export const REDIS_PROGRAMS = ['redis-server'] as const;

export async function startRedis(options: { password?: string } = {}): Promise<Redis> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  let child: ChildProcess | undefined;

  async function boot(): Promise<void> {
    const out = openSync(join(dir, 'server.out'), 'a');
    try {
      child = spawn('redis-server', args, { detached: true, stdio: ['ignore', out, out], cwd: dir });
    } finally {
      closeSync(out);
    }
    const spawned = child;
    let exited = false;
    spawned.once('exit', () => {
      exited = true;
    });
    await waitFor('redis-server to answer PING', 30_000, async () => {
      if (exited) throw new Error(`redis-server exited; see ${join(dir, 'server.out')}`);
      return (await ping(port, options.password)) ? true : undefined;
    });
  }

  async function halt(): Promise<void> {
    if (child?.pid !== undefined) await terminate(child.pid, 'SIGTERM', 10_000);
  }

  await boot();
  return {
    port,
    dir,
    get pid() {
      return child?.pid ?? 0;
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    freeze() {
      if (child?.pid !== undefined) signal(child.pid, 'SIGSTOP');
    },
    thaw() {
      if (child?.pid !== undefined) signal(child.pid, 'SIGCONT');
    },
    async restart() {
      await halt();
      await boot();
    },
  };
}

function ping(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => {
      socket.write(`${password !== undefined ? `AUTH ${password}\r\n` : ''}PING\r\n`);
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('+PONG\r\n')) done(true);
      else if (answer.includes('-')) done(false);
    });
  });
}
