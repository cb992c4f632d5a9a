import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './ports.js';
import {
  acceptsTcp,
  closer,
  isAlive,
  LOOPBACK,
  serviceDir,
  signal,
  spawnService,
  type ServiceHandle,
  type ServiceProcess,
} from './service-process.js';

/**
 * A private RabbitMQ node (management + prometheus plugins) on free loopback ports, run by the test.
 * `port` and `url` are AMQP's: amqp://guest:guest@127.0.0.1:PORT. `pid` is beam.smp's.
 */
export interface RabbitMQ extends ServiceHandle {
  readonly managementPort: number;
  readonly prometheusPort: number;
  /** http://127.0.0.1:PORT (management HTTP API; guest/guest) */
  readonly managementUrl: string;
  /** http://127.0.0.1:PORT (rabbitmq_prometheus; /metrics, /metrics/per-object, /metrics/detailed) */
  readonly prometheusUrl: string;
  readonly nodeName: string;
}

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const EPMD = 'epmd';

/** Programs `requirePrograms` should check before calling startRabbitMQ(). */
export const RABBITMQ_PROGRAMS = [RABBITMQ_SERVER, EPMD] as const;

export async function startRabbitMQ(): Promise<RabbitMQ> {
  const dir = serviceDir('rabbitmq');
  try {
    return await start(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function start(dir: string): Promise<RabbitMQ> {
  const [port, managementPort, prometheusPort, distPort, epmdPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const nodeName = `ooe-${process.pid}-${randomBytes(4).toString('hex')}@localhost`;

  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = ${LOOPBACK}:${port}`,
      `management.tcp.ip = ${LOOPBACK}`,
      `management.tcp.port = ${managementPort}`,
      `prometheus.tcp.ip = ${LOOPBACK}`,
      `prometheus.tcp.port = ${prometheusPort}`,
      'loopback_users.guest = false',
      '',
    ].join('\n'),
  );
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

  const epmd = await spawnService({
    name: 'epmd',
    dir,
    command: EPMD,
    args: ['-port', String(epmdPort), '-address', LOOPBACK],
    env,
    ready: () => acceptsTcp(epmdPort),
  });

  const managementUrl = `http://${LOOPBACK}:${managementPort}`;
  const authorization = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
  // rabbitmq-server writes beam.smp's PID to the pid file; the wrapper script may or may not be that process.
  const beamPid = () => {
    try {
      const pid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const boot = () => {
    rmSync(join(dir, 'pid'), { force: true });
    return spawnService({
      name: 'rabbitmq-server',
      dir,
      command: RABBITMQ_SERVER,
      env,
      logs: [join(dir, 'log', `${nodeName}.log`)],
      mainPid: beamPid,
      // Ready once every listener a test uses answers: the management API can come up before the AMQP listener
      // (seen on a loaded box: an AMQP connect refused right after the API answered), so each is checked.
      ready: async () => {
        const pid = beamPid();
        if (pid === undefined || !isAlive(pid)) return false;
        const response = await fetch(`${managementUrl}/api/overview`, {
          headers: { authorization },
          signal: AbortSignal.timeout(2_000),
        });
        await response.arrayBuffer();
        return response.ok && (await acceptsTcp(port)) && (await acceptsTcp(prometheusPort));
      },
    });
  };

  let server: ServiceProcess;
  try {
    server = await boot();
  } catch (error) {
    await epmd.stop('SIGTERM', 5_000);
    throw error;
  }

  return {
    host: LOOPBACK,
    port,
    url: `amqp://guest:guest@${LOOPBACK}:${port}`,
    managementPort,
    prometheusPort,
    managementUrl,
    prometheusUrl: `http://${LOOPBACK}:${prometheusPort}`,
    dir,
    nodeName,
    get pid() {
      return server.pid;
    },
    close: closer(dir, async () => {
      await server.stop('SIGTERM', 30_000);
      await epmd.stop('SIGTERM', 5_000);
    }),
    freeze() {
      signal(server.pid, 'SIGSTOP');
    },
    thaw() {
      signal(server.pid, 'SIGCONT');
    },
    async restart() {
      await server.stop('SIGTERM', 30_000);
      server = await boot();
    },
  };
}
