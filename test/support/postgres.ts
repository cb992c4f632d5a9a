import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import {
  childrenOf,
  closer,
  LOOPBACK,
  serviceDir,
  signal,
  spawnService,
  type ServiceHandle,
  type ServiceProcess,
} from './service-process.js';

/** A private PostgreSQL cluster on a free loopback port, run by the test as the `postgres` user. */
export type Postgres = ServiceHandle;

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
/** Programs `requirePrograms` should check before calling startPostgres(). */
export const POSTGRES_PROGRAMS = [`${POSTGRES_BIN}/initdb`, `${POSTGRES_BIN}/postgres`] as const;

export interface PostgresOptions {
  /** ssl=on with a self-signed certificate made by openssl (as Debian's packaged cluster has, with its snakeoil one). */
  ssl?: boolean;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const dir = serviceDir('postgres');
  try {
    return await start(dir, options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function start(dir: string, options: PostgresOptions): Promise<Postgres> {
  const port = await freePort();
  // PostgreSQL refuses to run as root.
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const env = { PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: dir };

  try {
    await promisify(execFile)(
      join(POSTGRES_BIN, 'initdb'),
      ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'],
      { cwd: dir, env, uid, gid, timeout: 120_000 },
    );
  } catch (error) {
    throw new Error(`initdb failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }

  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', `listen_addresses=${LOOPBACK}`, '-c', 'fsync=off'];
  if (options.ssl) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        `/CN=${LOOPBACK}`,
        '-days',
        '2',
        '-keyout',
        join(data, 'server.key'),
        '-out',
        join(data, 'server.crt'),
      ],
      { stdio: 'pipe' },
    );
    for (const file of ['server.key', 'server.crt']) {
      chownSync(join(data, file), uid, gid);
      chmodSync(join(data, file), 0o600);
    }
    args.push('-c', 'ssl=on');
  }

  // The postmaster writes its PID on line 1 of postmaster.pid and "ready" on line 8 once it accepts connections
  // (what `pg_ctl -w` waits for); the PID check keeps a stale file from an earlier run from counting.
  const ready = (pid: number) => {
    try {
      const lines = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n');
      return Number(lines[0]) === pid && lines[7]?.trim() === 'ready';
    } catch {
      return false;
    }
  };
  // Its output goes to `log` in the directory, where pg_ctl -l would put it.
  const boot = () =>
    spawnService({
      name: 'postgres',
      dir,
      output: 'log',
      command: join(POSTGRES_BIN, 'postgres'),
      args,
      env,
      uid,
      gid,
      ready,
    });

  let server: ServiceProcess = await boot();
  let frozen: number[] = [];

  async function halt(): Promise<void> {
    for (const pid of frozen) signal(pid, 'SIGCONT');
    frozen = [];
    // SIGINT = PostgreSQL's "fast" shutdown, what `pg_ctl -m fast stop` sends.
    await server.stop('SIGINT', 30_000);
  }

  return {
    host: LOOPBACK,
    port,
    url: `postgres://postgres@${LOOPBACK}:${port}/postgres`,
    dir,
    get pid() {
      return server.pid;
    },
    close: closer(dir, halt),
    freeze() {
      // The postmaster first, so it cannot fork a backend that escapes the freeze.
      signal(server.pid, 'SIGSTOP');
      frozen = [server.pid, ...childrenOf(server.pid)];
      for (const pid of frozen.slice(1)) signal(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of frozen.slice().reverse()) signal(pid, 'SIGCONT');
      frozen = [];
    },
    async restart() {
      await halt();
      server = await boot();
    },
  };
}
