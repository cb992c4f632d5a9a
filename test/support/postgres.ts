import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { childrenOf, isAlive, signal, terminate } from './service-process.js';

/** A private PostgreSQL cluster on a free loopback port, run by the test as the `postgres` user. */
export interface Postgres {
  readonly port: number;
  readonly dir: string;
  /** PID of the postmaster (changes on restart). */
  readonly pid: number;
  /** Fast shutdown of the postmaster, then removes the directory. */
  stop(): Promise<void>;
  /** SIGSTOP to the postmaster and its backends: TCP still accepts, nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Fast shutdown and start again on the same port and data. */
  restart(): Promise<void>;
}

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
/** Programs `requirePrograms` should check before calling startPostgres(). */
export const POSTGRES_PROGRAMS = ['runuser', `${POSTGRES_BIN}/initdb`, `${POSTGRES_BIN}/pg_ctl`] as const;

export interface PostgresOptions {
  /** ssl=on with a self-signed certificate made by openssl (as Debian's packaged cluster has, with its snakeoil one). */
  ssl?: boolean;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-postgres-'));
  const port = await freePort();
  // PostgreSQL refuses to run as root.
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = (program: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', join(POSTGRES_BIN, program), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

  try {
    asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? String(error)}`);
  }

  const settings = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off'];
  if (options.ssl) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '2',
      '-keyout', join(data, 'server.key'), '-out', join(data, 'server.crt')], { stdio: 'pipe' });
    for (const file of ['server.key', 'server.crt']) {
      chownSync(join(data, file), uid, gid);
      chmodSync(join(data, file), 0o600);
    }
    settings.push('-c ssl=on');
  }

  let postmaster = 0;
  let frozen: number[] = [];

  function boot(): void {
    try {
      asPostgres('pg_ctl', ['-D', data, '-o', settings.join(' '), '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    } catch (error) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'log'), 'utf8').slice(-2000);
      } catch {
        // no log yet
      }
      throw new Error(`pg_ctl start failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? String(error)}\n${log}`);
    }
    postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  async function halt(): Promise<void> {
    for (const pid of frozen) signal(pid, 'SIGCONT');
    frozen = [];
    // SIGINT = PostgreSQL's "fast" shutdown, what `pg_ctl -m fast stop` sends to the same PID.
    if (postmaster > 0 && isAlive(postmaster)) await terminate(postmaster, 'SIGINT', 30_000);
  }

  boot();

  return {
    port,
    dir,
    get pid() {
      return postmaster;
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    freeze() {
      // The postmaster first, so it cannot fork a backend that escapes the freeze.
      signal(postmaster, 'SIGSTOP');
      frozen = [postmaster, ...childrenOf(postmaster)];
      for (const pid of frozen.slice(1)) signal(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of frozen.slice().reverse()) signal(pid, 'SIGCONT');
      frozen = [];
    },
    async restart() {
      await halt();
      boot();
    },
  };
}
