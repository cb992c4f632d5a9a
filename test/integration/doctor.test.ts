import amqp from 'amqplib';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import rabbitmqQueues from '../../src/collectors/rabbitmq_queues.js';
import type { Diagnosis, HopId, Verdict } from '../../src/doctor/model.js';
import { renderJson, renderText } from '../../src/doctor/render.js';
import { runDoctor } from '../../src/doctor/run.js';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { requirePrograms } from '../support/integration.js';
import { startNginx, type NginxProxy } from '../support/nginx.js';
import { freePort } from '../support/ports.js';
import { POSTGRES_PROGRAMS, startPostgres, type Postgres } from '../support/postgres.js';
import { RABBITMQ_PROGRAMS, startRabbitMQ, type RabbitMQ } from '../support/rabbitmq.js';
import { REDIS_PROGRAMS, startRedis, type Redis } from '../support/redis.js';
import { configFrom, scrapeWith, silentLogger } from '../support/scrape.js';
import { find, value } from '../support/exposition.js';
import { terminate } from '../support/service-process.js';
import { runDoctorCli, type DoctorRun } from '../support/doctor-cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts', 'doctor');

/**
 * The doctor against the DS simulator behind real nginx, with real RabbitMQ, PostgreSQL and Redis, in every
 * fault measured on a live DS 7.1.1.76 (the fault captures in test/fixtures/docservice/real-docservice/) and the
 * causes of a 502 or a failing /healthcheck the exporter can see:
 * each hop's verdict and the named cause.
 */
const { describe: withServices } = requirePrograms(
  '/usr/sbin/nginx',
  ...RABBITMQ_PROGRAMS,
  ...POSTGRES_PROGRAMS,
  ...REDIS_PROGRAMS,
);

type Verdicts = Partial<Record<HopId, Verdict>>;
const NOT_CONFIGURED: Verdicts = {
  certificates: 'skipped',
  disk: 'skipped',
  backups: 'skipped',
  containers: 'skipped',
  supervisor: 'skipped',
};
const ALL_OK: Verdicts = {
  proxy: 'ok',
  docservice: 'ok',
  healthcheck: 'ok',
  jwt: 'ok',
  websocket: 'ok',
  rabbitmq: 'ok',
  postgresql: 'ok',
  redis: 'ok',
  converter: 'ok',
  ...NOT_CONFIGURED,
};
// Queue arguments exactly as DS 7.1.1.76 declared them (read from the management API of a live server).
const TASK_ARGS = { 'x-max-priority': 4, 'x-message-ttl': 900000, 'x-dead-letter-exchange': 'ds.exchangeconvertdead' };

const verdicts = (d: Diagnosis) => Object.fromEntries(d.hops.map((h) => [h.id, h.verdict]));
const causes = (d: Diagnosis) => d.causes.map((c) => `${c.hop}:${c.id}`);
const hop = (d: Diagnosis, id: HopId) => d.hops.find((h) => h.id === id)!;

withServices('doctor: every fault of the fault table, real nginx, RabbitMQ, PostgreSQL and Redis', () => {
  let ds: DsSimulator;
  let nginx: NginxProxy;
  let rabbit: RabbitMQ;
  let pg: Postgres;
  let redis: Redis;
  const extra: { stop(): Promise<void> }[] = [];
  let amqpConnection: amqp.ChannelModel;
  let converter: amqp.Channel;
  let consumerTag: string;

  /** What FileConverter does on ds.converttask: consume with prefetch 1. */
  async function startConsumer(): Promise<void> {
    consumerTag = (await converter.consume('ds.converttask', () => undefined, { noAck: false })).consumerTag;
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [ds, rabbit, pg, redis] = await Promise.all([
      startDsSimulator({ version: '7.5' }),
      startRabbitMQ(),
      startPostgres(),
      startRedis(),
    ]);
    nginx = await startNginx({ backendPort: ds.port });
    // The queues docservice declares at start, and a converter on the task queue.
    amqpConnection = await amqp.connect(rabbit.url);
    amqpConnection.on('error', () => undefined); // RabbitMQ is stopped at the end
    converter = await amqpConnection.createChannel();
    converter.on('error', () => undefined);
    await converter.assertExchange('ds.exchangeconvertdead', 'fanout', { durable: true });
    await converter.assertQueue('ds.converttask', { durable: true, arguments: TASK_ARGS });
    await converter.assertQueue('ds.convertresponse', { durable: true });
    await converter.assertQueue('ds.convertdead', { durable: true });
    await converter.prefetch(1);
    await startConsumer();
  }, 120_000);

  afterAll(async () => {
    await amqpConnection?.close().catch(() => undefined);
    await Promise.all([
      ds?.stop(),
      nginx?.stop(),
      rabbit?.close(),
      pg?.close(),
      redis?.close(),
      ...extra.map((e) => e.stop()),
    ]);
  }, 60_000);

  const yaml = (over: { url?: string; publicUrl?: string; jwt?: string } = {}) => `
documentserver:
  url: ${over.url ?? ds.url}
  public_url: ${over.publicUrl ?? nginx.url}
  timeout: 2s
${over.jwt ? `  jwt: { secret: "${over.jwt}" }\n` : ''}dependencies:
  rabbitmq: 127.0.0.1:${rabbit.port}
  postgresql: 127.0.0.1:${pg.port}
  redis: 127.0.0.1:${redis.port}
  timeout: 2s
rabbitmq:
  url: amqp://guest:guest@127.0.0.1:${rabbit.port}/
  source: amqp
  timeout: 2s
conversion_probe: { enabled: true, interval: 1h, timeout: 2s, poll_interval: 200ms }
docker: { enabled: false }
disk: { paths: [] }
`;
  async function doctor(name: string, over: Parameters<typeof yaml>[0] = {}): Promise<Diagnosis> {
    const diagnosis = await runDoctor(configFrom(yaml(over)), silentLogger, 8_000);
    // The reports a person would read, kept for review.
    writeFileSync(join(ARTIFACTS, `${name}.zh-CN.txt`), renderText(diagnosis, 'zh-CN'));
    writeFileSync(join(ARTIFACTS, `${name}.en.txt`), renderText(diagnosis, 'en'));
    return diagnosis;
  }

  test('baseline: every hop OK, no cause, exit code 0 from the command', async () => {
    const d = await doctor('baseline');
    expect(verdicts(d)).toEqual(ALL_OK);
    expect(d.verdict).toBe('ok');
    expect(d.causes).toEqual([]);
    expect(hop(d, 'jwt').findings).toEqual([{ code: 'command_ok', params: { version: '7.5.1.35', signed: 0 } }]);
    expect(hop(d, 'converter').findings.map((f) => f.code)).toEqual(['queue', 'probe_ok']);
    expect(hop(d, 'converter').findings[0]!.params).toEqual({ queue: 'ds.converttask', ready: 0, consumers: 1 });
    expect(hop(d, 'proxy').findings.map((f) => `${f.code} ${f.params.path} ${f.params.status}`)).toEqual([
      'ds_answer /healthcheck 200',
      'ds_answer /index.html 200',
      'static_file /web-apps/apps/api/documents/api.js 200',
    ]);

    const cli = await runCli(['--format=json', '--lang=en'], yaml());
    expect(cli.code).toBe(0);
    const json = JSON.parse(cli.stdout) as ReturnType<typeof renderJson>;
    expect(json.verdict).toBe('ok');
    expect(json.exitCode).toBe(0);
    expect(json.hops.find((h) => h.id === 'healthcheck')!.findings[0]!.text).toMatch(
      /^\/healthcheck answered true \(\d+ ms\)$/,
    );
  });

  test('JWT: a wrong secret is a mismatch, no secret while DS requires one is named as such', async () => {
    const jwtDs = await startDsSimulator({ version: '7.5', jwtSecret: 'the-real-secret' });
    extra.push(jwtDs);
    const wrong = await doctor('jwt-mismatch', { url: jwtDs.url, publicUrl: jwtDs.url, jwt: 'another-secret' });
    // The conversion probe is rejected too (-8), because of the same secret.
    expect(verdicts(wrong)).toEqual({ ...ALL_OK, jwt: 'fail', websocket: 'fail', converter: 'fail' });
    expect(hop(wrong, 'converter').because).toBe('jwt');
    // The editors' token is signed with the same wrong secret: refused too, for the same cause.
    expect(hop(wrong, 'websocket').because).toBe('jwt');
    expect(
      hop(wrong, 'websocket')
        .findings.filter((f) => f.code === 'ws_token_refused')
        .map((f) => `${f.params.code} ${f.params.reason}`),
    ).toEqual(['4006 token:invalid signature', '4006 token:invalid signature']);
    expect(causes(wrong)).toEqual(['jwt:jwt_mismatch']);
    expect(renderJson(wrong, 'en').causes[0]!.fix[0]).toBe(
      'docker exec onlyoffice-documentserver documentserver-jwt-status.sh',
    );
    const none = await doctor('jwt-required', { url: jwtDs.url, publicUrl: jwtDs.url });
    expect(causes(none)).toEqual(['jwt:jwt_required']);
    expect(hop(none, 'converter').findings.at(-1)).toEqual({
      code: 'probe_failed',
      params: { code: -8, outcome: 'error_code' },
    });
    const right = await doctor('jwt-ok', { url: jwtDs.url, publicUrl: jwtDs.url, jwt: 'the-real-secret' });
    expect(verdicts(right)).toEqual(ALL_OK);
    expect(hop(right, 'jwt').findings[0]!.params.signed).toBe(1);
  });

  test('nginx 502 while docservice is up: the proxy hop, not docservice', async () => {
    const broken = await startNginx({ backendPort: await freePort() });
    extra.push(broken);
    const d = await doctor('proxy-502', { publicUrl: broken.url });
    expect(verdicts(d)).toEqual({ ...ALL_OK, proxy: 'fail', websocket: 'fail' });
    expect(hop(d, 'websocket').because).toBe('proxy');
    expect(causes(d)).toEqual(['proxy:proxy_bad_gateway']);
    expect(d.causes[0]!.params).toMatchObject({ status: 502 });
  });

  test('DocService stopped: docservice not listening, the proxy 502 is its consequence (api.js still 200)', async () => {
    await ds.stop();
    try {
      const d = await doctor('docservice-stopped');
      expect(verdicts(d)).toEqual({
        ...ALL_OK,
        proxy: 'fail',
        docservice: 'fail',
        healthcheck: 'fail',
        jwt: 'unknown',
        websocket: 'unknown',
        converter: 'fail',
      });
      expect(causes(d)).toEqual(['docservice:docservice_down']);
      expect(hop(d, 'converter').findings.at(-1)).toEqual({
        code: 'probe_failed',
        params: { code: 0, outcome: 'request_failed' },
      });
      expect(hop(d, 'proxy').because).toBe('docservice');
      expect(hop(d, 'proxy').findings.map((f) => `${f.code} ${f.params.path} ${f.params.status}`)).toEqual([
        'not_ds_answer /healthcheck 502',
        'not_ds_answer /index.html 502',
        'static_file /web-apps/apps/api/documents/api.js 200',
      ]);
      // The reason the exporter got, not a list of what it might have been.
      expect(hop(d, 'docservice').findings.map((f) => [f.code, f.params.path, f.params.error])).toEqual([
        ['no_http_answer', '/index.html', 'refused: connection refused'],
        ['no_http_answer', '/healthcheck', 'refused: connection refused'],
      ]);
      expect(renderText(d, 'en')).toContain(`${ds.url}/index.html: no HTTP answer (refused: connection refused, `);
      const text = renderText(d, 'zh-CN');
      expect(text).toContain('[故障]      docservice\n');
      expect(text).toContain('1. 【docservice】docservice 没有在监听');
      // No DS container seen (no Docker view here): the host's commands only.
      expect(text).not.toContain('docker exec');
      expect(text).toContain('systemctl restart ds-docservice');

      const cli = await runCli(['--lang=en', '--no-color'], yaml());
      expect(cli.code).toBe(2);
      expect(cli.stdout).toContain('1. [docservice] docservice is not listening');
      expect(cli.stdout).toMatch(/Verdict: \[FAIL\] failure/);
    } finally {
      await ds.start();
    }
  });

  test('RabbitMQ frozen (SIGSTOP): /healthcheck hangs, RabbitMQ named', async () => {
    ds.setFault('rabbitmq_frozen');
    rabbit.freeze();
    try {
      const d = await doctor('rabbitmq-frozen');
      expect(verdicts(d)).toEqual({ ...ALL_OK, healthcheck: 'fail', rabbitmq: 'fail', converter: 'fail' });
      expect(hop(d, 'converter').because).toBe('rabbitmq');
      expect(hop(d, 'healthcheck').findings.map((f) => f.code)).toEqual(['healthcheck_hang']);
      expect(causes(d)).toEqual(['rabbitmq:rabbitmq_frozen']);
      expect(hop(d, 'healthcheck').because).toBe('rabbitmq');
    } finally {
      rabbit.thaw();
      ds.setFault('none');
    }
  });

  test('a RabbitMQ management URL without credentials: the doctor shows the 401 it got; /metrics agrees', async () => {
    const text = yaml().replace(
      /rabbitmq:\n {2}url: .*\n {2}source: amqp\n/,
      `rabbitmq:\n  management_url: ${rabbit.managementUrl}\n  source: management\n`,
    );
    expect(text).toContain(`management_url: ${rabbit.managementUrl}`);
    const config = configFrom(text);
    const d = await runDoctor(config, silentLogger, 8_000);
    writeFileSync(join(ARTIFACTS, 'rabbitmq-management-no-login.en.txt'), renderText(d, 'en'));
    const reason = 'management API: 401 unauthorized (check rabbitmq.username/password)';
    expect(verdicts(d)).toEqual({ ...ALL_OK, converter: 'unknown' });
    expect(hop(d, 'converter').findings).toEqual([
      { code: 'source_failed', params: { source: 'management', error: reason } },
      { code: 'probe_ok', params: { seconds: expect.any(Number) } },
    ]);
    const report = renderText(d, 'en');
    expect(report).toContain(`RabbitMQ management: could not be read (${reason})`);
    expect(report).toContain(
      `the conversion queue cannot be judged: ${reason}. /metrics says the same with onlyoffice_rabbitmq_up 0.`,
    );
    expect(report).not.toContain('docker logs');
    // /metrics: the collector ran and says the source did not answer, as the doctor does.
    const { samples } = await scrapeWith([rabbitmqQueues], config);
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'rabbitmq_queues' })).toBe(1);
    expect(find(samples, 'onlyoffice_rabbitmq_up').map((x) => [x.labels.source, x.value])).toEqual([['management', 0]]);
    expect(find(samples, 'onlyoffice_rabbitmq_queue_exists')).toEqual([]);
  });

  test('a TLS endpoint nobody listens on: the certificate finding says what the handshake got', async () => {
    const port = await freePort();
    const d = await runDoctor(configFrom(`${yaml()}tls: { endpoints: ["127.0.0.1:${port}"] }\n`), silentLogger, 8_000);
    expect(hop(d, 'certificates').findings).toEqual([
      {
        code: 'cert_problem',
        params: { target: `127.0.0.1:${port}`, problem: 'unreachable', error: 'refused: connection refused' },
      },
    ]);
    expect(renderText(d, 'en')).toContain(`127.0.0.1:${port}: TLS handshake failed (refused: connection refused)`);
  });

  test('PostgreSQL frozen (SIGSTOP): /healthcheck hangs, PostgreSQL named', async () => {
    ds.setFault('postgres_frozen');
    pg.freeze();
    try {
      const d = await doctor('postgres-frozen');
      expect(verdicts(d)).toEqual({ ...ALL_OK, healthcheck: 'fail', postgresql: 'fail', converter: 'fail' });
      expect(hop(d, 'converter').because).toBe('postgresql');
      expect(causes(d)).toEqual(['postgresql:postgres_frozen']);
    } finally {
      pg.thaw();
      ds.setFault('none');
    }
  });

  test('FileConverter stopped: ds.converttask without consumers, tasks waiting, the test conversion times out', async () => {
    await converter.cancel(consumerTag);
    ds.setConverter('stopped');
    for (let i = 0; i < 3; i++)
      converter.sendToQueue('ds.converttask', Buffer.from(`{"task":${i}}`), { persistent: true, priority: 1 });
    try {
      const d = await doctor('converter-stopped');
      expect(verdicts(d)).toEqual({ ...ALL_OK, converter: 'fail' });
      expect(causes(d)).toEqual(['converter:converter_down', 'converter:conversion_failed']);
      expect(d.causes[0]!.params).toMatchObject({ queue: 'ds.converttask', ready: 3 });
      expect(d.causes[1]!.params).toMatchObject({ code: 0, outcome: 'timeout' });
      expect(renderText(d, 'en')).toContain('1. [Converter queue and consumers] no converter consumes ds.converttask');
    } finally {
      ds.setConverter('working');
      await startConsumer();
    }
  });

  test('Redis stopped: Community stays healthy, so Redis only warns (exit code 1)', async () => {
    ds.setFault('redis_down');
    await terminate(redis.pid, 'SIGTERM', 10_000);
    try {
      const d = await doctor('redis-stopped');
      expect(verdicts(d)).toEqual({ ...ALL_OK, redis: 'warn' });
      expect(d.verdict).toBe('warn');
      expect(causes(d)).toEqual(['redis:redis_down']);
      expect(d.causes[0]!.severity).toBe('warn');
      expect(renderJson(d, 'en').causes[0]!.fix[0]).toBe(`redis-cli -h 127.0.0.1 -p ${redis.port} ping`);
      const cli = await runCli([], yaml());
      expect(cli.code).toBe(1);
    } finally {
      await redis.restart();
      ds.setFault('none');
    }
  });

  test('PostgreSQL stopped: healthcheck false without an idle connection, docservice gone with one', async () => {
    await terminate(pg.pid, 'SIGINT', 30_000);
    try {
      ds.setFault('postgres_down');
      const noIdle = await doctor('postgres-stopped');
      expect(verdicts(noIdle)).toEqual({ ...ALL_OK, healthcheck: 'fail', postgresql: 'fail', converter: 'fail' });
      expect(hop(noIdle, 'converter').findings.at(-1)).toEqual({
        code: 'probe_failed',
        params: { code: -1, outcome: 'error_code' },
      });
      expect(hop(noIdle, 'healthcheck').findings.map((f) => f.code)).toEqual(['healthcheck_false']);
      expect(causes(noIdle)).toEqual(['postgresql:postgres_down']);
      expect(hop(noIdle, 'healthcheck').causes.map((c) => c.id)).toEqual(['postgres_down']);

      // DocService dies on the idle pooled connection (uncaughtException) and stays dead.
      ds.setFault('postgres_down_crash');
      const crash = await doctor('postgres-stopped-crash');
      expect(verdicts(crash)).toEqual({
        ...ALL_OK,
        proxy: 'fail',
        docservice: 'fail',
        healthcheck: 'fail',
        jwt: 'unknown',
        websocket: 'unknown',
        postgresql: 'fail',
        converter: 'fail',
      });
      expect(causes(crash)).toEqual(['docservice:postgres_crash', 'postgresql:postgres_down']);
      expect(renderText(crash, 'en')).toContain('1. [docservice] docservice exited when PostgreSQL went away');
    } finally {
      await pg.restart();
      await ds.start();
      ds.setFault('none');
    }
  });

  test('RabbitMQ stopped: healthcheck false; at DocService start it never listens (502)', async () => {
    await terminate(rabbit.pid, 'SIGTERM', 30_000);
    ds.setFault('rabbitmq_down');
    const lost = await doctor('rabbitmq-stopped');
    expect(verdicts(lost)).toEqual({ ...ALL_OK, healthcheck: 'fail', rabbitmq: 'fail', converter: 'fail' });
    expect(hop(lost, 'converter').because).toBe('rabbitmq');
    expect(hop(lost, 'healthcheck').findings.map((f) => f.code)).toEqual(['healthcheck_false']);
    expect(causes(lost)).toEqual(['rabbitmq:rabbitmq_down']);
    expect(renderText(lost, 'zh-CN')).toContain('1. 【RabbitMQ】RabbitMQ 不可用');

    // A DocService (re)started while RabbitMQ is unreachable does not listen at all.
    await ds.stop();
    const atStart = await doctor('rabbitmq-unreachable-at-start');
    expect(verdicts(atStart)).toEqual({
      ...ALL_OK,
      proxy: 'fail',
      docservice: 'fail',
      healthcheck: 'fail',
      jwt: 'unknown',
      websocket: 'unknown',
      rabbitmq: 'fail',
      converter: 'fail',
    });
    expect(causes(atStart)).toEqual(['docservice:rabbitmq_unreachable_at_start', 'rabbitmq:rabbitmq_down']);
    await ds.start();
  }, 60_000);
});

async function runCli(args: string[], yaml: string): Promise<DoctorRun> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-doctor-'));
  const config = join(dir, 'config.yml');
  writeFileSync(config, yaml);
  try {
    return await runDoctorCli([`--config.file=${config}`, ...args], 30_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
