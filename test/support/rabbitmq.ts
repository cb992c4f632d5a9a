import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './ports.js';
import { isAlive, signal, terminate, waitFor } from './service-process.js';

/** A private RabbitMQ node (management + prometheus plugins) on free loopback ports, run by the test. */
export interface RabbitMQ {
  readonly amqpPort: number;
  readonly managementPort: number;
  readonly prometheusPort: number;
  /** amqp://guest:guest@127.0.0.1:PORT */
  readonly amqpUrl: string;
  /** http://127.0.0.1:PORT (management HTTP API; guest/guest) */
  readonly managementUrl: string;
  /** http://127.0.0.1:PORT (rabbitmq_prometheus; /metrics, /metrics/per-object, /metrics/detailed) */
  readonly prometheusUrl: string;
  readonly dir: string;
  readonly nodeName: string;
  /** PID of the running beam.smp (changes on restart). */
  readonly pid: number;
  /** SIGTERM to beam.smp (and our epmd), then removes the directory. */
  stop(): Promise<void>;
  /** SIGSTOP to beam.smp: TCP still accepts, nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Stops beam.smp and starts it again on the same ports and data; resolves when the management API answers. */
  restart(): Promise<void>;
}

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const EPMD = 'epmd';
const START_TIMEOUT_MS = 90_000;

/** Programs `requirePrograms` should check before calling startRabbitMQ(). */
export const RABBITMQ_PROGRAMS = [RABBITMQ_SERVER, EPMD] as const;

export async function startRabbitMQ(): Promise<RabbitMQ> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-rabbitmq-'));
  const [amqpPort, managementPort, prometheusPort, distPort, epmdPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const nodeName = `ooe-${process.pid}-${randomBytes(4).toString('hex')}@localhost`;

  writeFileSync(join(dir, 'rabbitmq.conf'), [
    `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
    'management.tcp.ip = 127.0.0.1',
    `management.tcp.port = ${managementPort}`,
    'prometheus.tcp.ip = 127.0.0.1',
    `prometheus.tcp.port = ${prometheusPort}`,
    'loopback_users.guest = false',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_management,rabbitmq_prometheus].\n');
  writeFileSync(join(dir, '.erlang.cookie'), randomBytes(16).toString('hex'));
  chmodSync(join(dir, '.erlang.cookie'), 0o400);
  mkdirSync(join(dir, 'log'));

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: dir,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_BASE: dir,
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
    // Our own epmd on a private port: the shared default one (4369) would outlive the test and mix nodes of other tests.
    ERL_EPMD_PORT: String(epmdPort),
  };

  const epmd = spawn(EPMD, ['-port', String(epmdPort), '-address', '127.0.0.1'], { detached: true, stdio: 'ignore', env });
  const epmdPid = epmd.pid;
  if (epmdPid === undefined) throw new Error('could not start epmd');

  let beamPid = 0;
  let child: ChildProcess | undefined;

  const managementUrl = `http://127.0.0.1:${managementPort}`;
  const authorization = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

  async function boot(): Promise<void> {
    rmSync(join(dir, 'pid'), { force: true });
    const out = openSync(join(dir, 'server.out'), 'a');
    try {
      // detached: own session (setsid), so a signal to the test's process group never reaches it.
      child = spawn(RABBITMQ_SERVER, [], { detached: true, stdio: ['ignore', out, out], env, cwd: dir });
    } finally {
      closeSync(out);
    }
    const spawned = child;
    let exited = false;
    spawned.once('exit', () => {
      exited = true;
    });
    try {
      beamPid = await waitFor('the RabbitMQ pid file', START_TIMEOUT_MS, () => {
        if (exited) throw new Error(`rabbitmq-server exited; see ${join(dir, 'server.out')}`);
        try {
          const pid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
          return pid > 0 ? pid : undefined;
        } catch {
          return undefined;
        }
      });
      await waitFor('the RabbitMQ management API', START_TIMEOUT_MS, async () => {
        if (!isAlive(beamPid)) throw new Error(`beam.smp exited; see ${join(dir, 'server.out')}`);
        const response = await fetch(`${managementUrl}/api/overview`, { headers: { authorization }, signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.ok ? true : undefined;
      });
    } catch (error) {
      if (spawned.pid !== undefined) await terminate(spawned.pid, 'SIGTERM', 5_000);
      if (beamPid > 0) await terminate(beamPid, 'SIGTERM', 5_000);
      throw error;
    }
  }

  async function halt(): Promise<void> {
    if (beamPid > 0) await terminate(beamPid, 'SIGTERM', 30_000);
    if (child?.pid !== undefined && child.pid !== beamPid) await terminate(child.pid, 'SIGTERM', 5_000);
  }

  try {
    await boot();
  } catch (error) {
    await terminate(epmdPid, 'SIGTERM', 5_000);
    throw error;
  }

  return {
    amqpPort,
    managementPort,
    prometheusPort,
    amqpUrl: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    managementUrl,
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    dir,
    nodeName,
    get pid() {
      return beamPid;
    },
    async stop() {
      await halt();
      await terminate(epmdPid, 'SIGTERM', 5_000);
      rmSync(dir, { recursive: true, force: true });
    },
    freeze() {
      signal(beamPid, 'SIGSTOP');
    },
    thaw() {
      signal(beamPid, 'SIGCONT');
    },
    async restart() {
      await halt();
      await boot();
    },
  };
}
