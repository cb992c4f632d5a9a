import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './ports.js';
import {
  closer,
  LOOPBACK,
  serviceDir,
  signal,
  spawnService,
  type ServiceHandle,
  type ServiceProcess,
} from './service-process.js';

/** A private redis-server on a free loopback port, run by the test. */
export type Redis = ServiceHandle;

export const REDIS_PROGRAMS = ['redis-server'] as const;

export interface RedisOptions {
  /** requirepass; the handle's url then carries it. */
  password?: string;
}

export async function startRedis(options: RedisOptions = {}): Promise<Redis> {
  const dir = serviceDir('redis');
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    LOOPBACK,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
  ];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  const boot = () =>
    spawnService({
      name: 'redis-server',
      dir,
      command: 'redis-server',
      args,
      ready: () => ping(port, options.password),
    });

  let server: ServiceProcess;
  try {
    server = await boot();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    host: LOOPBACK,
    port,
    url: `redis://${auth}${LOOPBACK}:${port}`,
    dir,
    get pid() {
      return server.pid;
    },
    close: closer(dir, () => server.stop('SIGTERM', 10_000)),
    freeze() {
      signal(server.pid, 'SIGSTOP');
    },
    thaw() {
      signal(server.pid, 'SIGCONT');
    },
    async restart() {
      await server.stop('SIGTERM', 10_000);
      server = await boot();
    },
  };
}

/** True once the server answers PING (after AUTH when it has a password). */
function ping(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, LOOPBACK);
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
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
