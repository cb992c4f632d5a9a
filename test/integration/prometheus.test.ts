/**
 * End to end: Debian's real Prometheus scrapes the real daemon every second with the shipped prometheus.yml
 * (plain job and /probe fleet with its relabelling), alert rules and recording rules. The daemon watches the DS
 * simulator behind real nginx, runs its conversion probe against it, receives StatsD, reads DS's queues from a real RabbitMQ (declared as DS 8.3 does,
 * with no converter consuming), checks a real Redis, a closed PostgreSQL port, TLS on a local server and
 * certificate files, and a temp dir's file system. Every overview and conversions panel query, every
 * variable and every recording rule must return data; then faults make exactly the matching alerts go pending.
 * Containers and supervisor: test/integration/dashboards-containers.test.ts. Not here: notify (no panel or rule
 * uses it).
 */
import amqplib from 'amqplib';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaults } from '../../alerts/thresholds.js';
import { redactUrl } from '../../src/lib/redact.js';
import { documentedMetrics } from '../support/docs.js';
import { fixture, startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { requirePrograms } from '../support/integration.js';
import { startNginx, type NginxProxy } from '../support/nginx.js';
import { freePort } from '../support/ports.js';
import {
  configFromExample,
  dashboardQueries,
  dashboardVariables,
  expectActiveAlerts,
  promqlReferences,
  shippedRules,
  startPrometheus,
  substituteGrafanaVariables,
  type PrometheusServer,
} from '../support/prometheus.js';
import { RABBITMQ_PROGRAMS, startRabbitMQ, type RabbitMQ } from '../support/rabbitmq.js';
import { startRedis, type Redis } from '../support/redis.js';
import { waitFor } from '../support/service-process.js';
import { TestPki } from '../support/tls-pki.js';

const DAY = 86400;
const SECRET = 'e2e-jwt-secret';
/** Sections whose collectors this scenario runs; their metrics must all be in Prometheus. */
const COVERED_SECTIONS = [
  'scrape',
  'healthcheck',
  'endpoints',
  'websocket',
  'build_info',
  'commands',
  'license',
  'statsd',
  'disk',
  'tls_endpoints',
  'tls_files',
  'dependencies',
  'rabbitmq_queues',
  'conversion_probe',
];
const DASHBOARDS = ['onlyoffice-docs-overview', 'onlyoffice-docs-conversions'];
/** The test machine's own disk decides these; promtool tests (alerts/tests/disk.test.yml) cover them. */
const machineDependent = (key: string) => key.startsWith('OnlyofficeDocsFilesystem');

/**
 * StatsD lines as a live DS 7.1.1.76 sent them (received on UDP, prefix ds.), plus coauth.session.edit (DS 8.2+:
 * ONLYOFFICE/server DocService/sources/DocsCoServer.js, v8.2.3.11) and a connection gauge with a value.
 */
const STATSD_LINES = [
  'ds.coauth.convertservice:9|ms',
  'ds.conv.downloadFile:30|ms',
  'ds.conv.spawnSync:7|ms',
  'ds.conv.postProcess:1|ms',
  'ds.conv.deleteFolderRecursive:1|ms',
  'ds.conv.allconvert:39|ms',
  'ds.expireDoc.connections.edit:3|g',
  'ds.expireDoc.connections.view:0|g',
  'ds.coauth.session.edit:65000|ms',
].join('\n');

interface InfoJson {
  licenseInfo: Record<string, unknown>;
  quota: { edit: { connectionsCount: number; usersCount: { unique: number } } };
}
const sample = () => JSON.parse(fixture('samples/info-8.x.json').toString('utf8')) as InfoJson;
const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/** info.json of 8.x with a connection-based license (20 edit and view connections). */
function connectionLicense(endsInDays: number, editConnections: number): InfoJson {
  const info = sample();
  info.licenseInfo = {
    ...info.licenseInfo,
    connections: 20,
    connectionsView: 20,
    usersCount: 0,
    usersViewCount: 0,
    endDate: iso(Date.now() / 1000 + endsInDays * DAY),
  };
  info.quota.edit.connectionsCount = editConnections;
  return info;
}
/** The 8.x sample (user-based, 50 users) with an end date a year ahead and `unique` users this period. */
function userLicense(unique: number): InfoJson {
  const info = sample();
  info.licenseInfo = { ...info.licenseInfo, endDate: iso(Date.now() / 1000 + 365 * DAY) };
  info.quota.edit.usersCount.unique = unique;
  return info;
}

/** DS 8.3's queues (ONLYOFFICE/server Common/sources/rabbitMQCore.js and Common/config/default.json, v8.3.3.23): the task queue with its TTL and dead-letter exchange, and the rest. */
async function declareDsQueues(channel: amqplib.Channel): Promise<void> {
  await channel.assertExchange('ds.exchangeconvertdead', 'fanout', { durable: true });
  await channel.assertQueue('ds.convertdead', { durable: true });
  await channel.bindQueue('ds.convertdead', 'ds.exchangeconvertdead', '');
  await channel.assertQueue('ds.converttask6', {
    durable: true,
    arguments: {
      'x-max-priority': 6,
      'x-message-ttl': 900000,
      'x-dead-letter-exchange': 'ds.exchangeconvertdead',
      'x-queue-type': 'classic',
    },
  });
  await channel.assertQueue('ds.convertresponse', { durable: true });
  await channel.assertQueue('ds.delayed', {
    durable: true,
    arguments: { 'x-dead-letter-exchange': 'ds.exchangeconvertdead' },
  });
}

const { describe: withPrograms } = requirePrograms(
  'prometheus',
  'nginx',
  'openssl',
  'redis-server',
  ...RABBITMQ_PROGRAMS,
);

withPrograms('Prometheus on the real exporter: dashboards, recording rules and alerts', () => {
  let dir: string;
  let simA: DsSimulator; // the DS on /metrics (documentserver.url), behind nginx (public_url), and a probe target
  let simJ: DsSimulator; // a probe target whose JWT secret differs from the exporter's
  let nginx: NginxProxy;
  let redis: Redis;
  let rabbit: RabbitMQ;
  let amqp: amqplib.ChannelModel | undefined;
  let publisher: NodeJS.Timeout | undefined;
  let pki: TestPki;
  let tlsServer: TlsServer;
  const tlsSockets = new Set<Socket>();
  let tlsPort: number;
  let pgPort: number;
  let exporter: ExporterProcess;
  let prom: PrometheusServer;
  let statsdTimer: NodeJS.Timeout | undefined;
  const sender = createSocket('udp4');
  let E: string; // instance of the plain job: the exporter
  let A: string; // instance of simA in the probe job
  let J: string; // instance of simJ in the probe job

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ooe-e2e-'));
    const rabbitStarting = startRabbitMQ();
    rabbitStarting.catch(() => undefined); // awaited below; a failure is reported there
    simA = await startDsSimulator({ version: '8.3', jwtSecret: SECRET });
    simJ = await startDsSimulator({ version: '8.3', jwtSecret: 'another-secret' });
    simA.setInfo(connectionLicense(365, 5));
    simJ.setInfo(userLicense(12));
    nginx = await startNginx({ backendPort: simA.port });
    redis = await startRedis();
    pgPort = await freePort(); // nothing listens: PostgreSQL down

    // A chain root → intermediate → leaf (localhost, 10 days left). The server sends the leaf only: incomplete.
    pki = new TestPki();
    const now = Math.floor(Date.now() / 1000);
    const root = pki.issue('root', {
      subject: '/CN=e2e root',
      notBefore: now - DAY,
      notAfter: now + 3650 * DAY,
      serial: '01',
      ca: true,
    });
    const inter = pki.issue('inter', {
      subject: '/CN=e2e intermediate',
      issuer: root,
      notBefore: now - DAY,
      notAfter: now + 1000 * DAY,
      serial: '02',
      ca: true,
    });
    const leaf = pki.issue('leaf', {
      subject: '/CN=localhost',
      issuer: inter,
      notBefore: now - DAY,
      notAfter: now + 10 * DAY,
      serial: '03',
      san: 'DNS:localhost,IP:127.0.0.1',
    });
    tlsServer = createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end());
    tlsServer.on('connection', (socket: Socket) => {
      tlsSockets.add(socket);
      socket.on('close', () => tlsSockets.delete(socket));
    });
    tlsPort = await new Promise<number>((resolve) =>
      tlsServer.listen(0, '127.0.0.1', () => resolve((tlsServer.address() as { port: number }).port)),
    );
    // The files DS's nginx would load: a complete chain with its key, and a file that is no certificate.
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs/tls.crt'), leaf.certPem + inter.certPem);
    writeFileSync(join(dir, 'certs/tls.key'), leaf.keyPem);
    writeFileSync(join(dir, 'certs/broken.crt'), 'not a certificate\n');

    // DS's queues with docservice consuming its responses and no converter: tasks pile up and keep coming, and
    // expired tasks keep arriving in ds.convertdead (nobody reads them here).
    rabbit = await rabbitStarting;
    amqp = await amqplib.connect(rabbit.url);
    const channel = await amqp.createChannel();
    await declareDsQueues(channel);
    await channel.consume('ds.convertresponse', () => undefined);
    const task = () =>
      channel.sendToQueue('ds.converttask6', Buffer.from('{"ctx":{},"cmd":{"c":"conv"}}'), {
        persistent: true,
        priority: 1,
      });
    // More than alerts/thresholds.yml's backlog from the start: OnlyofficeDocsConversionBacklog is one of the faults.
    const backlog = defaults().conversions.backlog_waiting + 10;
    for (let i = 0; i < backlog; i++) task();
    publisher = setInterval(() => {
      task();
      channel.publish('ds.exchangeconvertdead', '', Buffer.from('{"cmd":{"c":"conv"}}'), { persistent: true });
    }, 1_000);
    publisher.unref();
    // The management API samples every ~5 s: scrape only once it shows the backlog, so no sample says 0.
    await waitFor('the backlog in the management API', 30_000, async () => {
      const response = await fetch(`${rabbit.managementUrl}/api/queues/%2F/ds.converttask6`, {
        headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
      });
      const queue = (await response.json()) as { messages_ready?: number };
      return (queue.messages_ready ?? 0) >= backlog ? true : undefined;
    });

    const statsdPort = await new Promise<number>((resolve) => {
      const probe = createSocket('udp4');
      probe.bind(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
    // A fresh dump, 4 KiB: the backups panels have data, and neither backup alert fires.
    mkdirSync(join(dir, 'backups'));
    writeFileSync(join(dir, 'backups', 'onlyoffice.dump'), Buffer.alloc(4096));
    const configPath = join(dir, 'exporter.yml');
    writeFileSync(
      configPath,
      `
documentserver:
  url: "${simA.url}"
  public_url: "${nginx.url}"
  jwt: { secret: "${SECRET}" }
  timeout: 2s
probe:
  targets: ["${simA.url}", "${simJ.url}"]
statsd:
  listen: udp://127.0.0.1:${statsdPort}
disk:
  paths: ["${dir}"]
backups:
  - { name: postgresql, path: "${join(dir, 'backups')}/*.dump", max_age: 1d, min_size: 1KiB }
tls:
  ca_file: ${root.certPath}
  endpoints: ["localhost:${tlsPort}"]
  files: ["${join(dir, 'certs/tls.crt')}", "${join(dir, 'certs/broken.crt')}"]
dependencies:
  postgresql: 127.0.0.1:${pgPort}
  rabbitmq: "${rabbit.url}"
  redis: 127.0.0.1:${redis.port}
conversion_probe: { enabled: true, interval: 5s, timeout: 4s, poll_interval: 200ms }
rabbitmq:
  url: "${rabbit.url}"
  management_url: "${rabbit.managementUrl}"
  username: guest
  password: guest
docker:
  enabled: false
`,
    );
    exporter = await startExporter([`--config.file=${configPath}`, '--web.timeout-offset=100ms']);
    statsdTimer = setInterval(() => sender.send(STATSD_LINES, statsdPort, '127.0.0.1'), 250);
    statsdTimer.unref();

    E = exporter.url.replace('http://', '');
    A = simA.url;
    J = simJ.url;
    prom = await startPrometheus(configFromExample({ exporter: E, probeTargets: [simA.url, simJ.url] }));
    // A few scrapes of every target, and rules evaluated over them.
    await waitFor('8 scrapes of each target', 30_000, async () => {
      const counts = await prom.query('count_over_time(up{job=~"onlyoffice.*"}[1m])');
      const probe = await prom.query('onlyoffice_conversion_probe_success == 1');
      return counts.length === 3 && counts.every((s) => Number(s.value[1]) >= 8) && probe.length === 1
        ? true
        : undefined;
    });
  }, 150_000);

  afterAll(async () => {
    if (statsdTimer) clearInterval(statsdTimer);
    if (publisher) clearInterval(publisher);
    await amqp?.close().catch(() => undefined);
    await rabbit?.close();
    sender.close();
    await prom?.stop();
    await exporter?.stop();
    await nginx?.stop();
    await redis?.close();
    await simA?.stop();
    await simJ?.stop();
    for (const socket of tlsSockets) socket.destroy();
    await new Promise<void>((resolve) => (tlsServer ? tlsServer.close(() => resolve()) : resolve()));
    pki?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('every target is scraped; the /probe job carries the DocumentServer URL as instance', async () => {
    const targets = await prom.targets();
    expect(targets.map((t) => [t.labels.job, t.labels.instance, t.health, t.lastError]).sort()).toEqual(
      [
        ['onlyoffice', E, 'up', ''],
        ['onlyoffice-probe', A, 'up', ''],
        ['onlyoffice-probe', J, 'up', ''],
      ].sort(),
    );
    expect(targets.find((t) => t.labels.instance === J)!.scrapeUrl).toBe(
      `http://${E}/probe?target=${encodeURIComponent(J)}`,
    );
  });

  test('every overview and conversions panel query returns data', async () => {
    const queries = dashboardQueries(DASHBOARDS);
    expect(queries.length).toBeGreaterThan(40);
    const empty: string[] = [];
    for (const q of queries) {
      const result = await prom.query(substituteGrafanaVariables(q.expr, { step: 'allconvert' }));
      if (result.length === 0) empty.push(`${q.dashboard} / ${q.panel} / ${q.refId}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
  });

  test('"Which hop is broken" gives the exporter\'s DocumentServer one row per hop, in order, down where this scene breaks it', async () => {
    const hops = dashboardQueries(['onlyoffice-docs-overview']).find((q) => q.panel === 'Which hop is broken')!;
    const rows = await prom.query(substituteGrafanaVariables(hops.expr, { job: 'onlyoffice', instance: E }));
    const byOrder = rows
      .map((r) => [r.metric.order, r.metric.hop, r.value[1]])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(byOrder).toEqual([
      ['1', 'proxy', '1'],
      ['2', 'docservice', '1'],
      ['3', 'WebSocket', '1'],
      ['4', 'healthcheck', '1'],
      ['5', 'CommandService', '1'],
      // Nothing listens at the PostgreSQL address; ds.converttask6 has a backlog and no consumer.
      ['6', 'RabbitMQ', '1'],
      ['7', 'PostgreSQL', '0'],
      ['8', 'converter', '0'],
    ]);
  });

  test('every dashboard variable has values', async () => {
    const missing: string[] = [];
    for (const v of dashboardVariables(DASHBOARDS)) {
      const values = await prom.labelValues(v.label, substituteGrafanaVariables(v.metric));
      if (values.length === 0) missing.push(`${v.dashboard} $${v.name}`);
    }
    expect(missing).toEqual([]);
    expect((await prom.labelValues('instance', 'onlyoffice_healthcheck_up')).sort()).toEqual([A, E, J].sort());
  });

  test('every recording rule is healthy and returns data', async () => {
    const groups = await prom.rules();
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    const records = shippedRules().filter((r) => r.record);
    expect(records.length).toBeGreaterThan(0);
    const empty: string[] = [];
    for (const rule of records) {
      const selector = `${rule.record}{${Object.entries(rule.labels ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}}`;
      if ((await prom.query(selector)).length === 0) empty.push(selector);
    }
    expect(empty).toEqual([]);
    // Every shipped alert rule is loaded too.
    expect(rules.filter((r) => r.type === 'alerting').length).toBe(shippedRules().filter((r) => r.alert).length);
  });

  test('every metric the dashboards and rules use is in the real output, with the labels they select on', async () => {
    const documented = documentedMetrics();
    const sectionOf = (name: string) =>
      documented.find(
        (m) => m.name === name || (m.type === 'histogram' && name.replace(/_(bucket|sum|count)$/, '') === m.name),
      )?.section;
    const used = new Map<string, Set<string>>();
    const exprs = [
      ...dashboardQueries().map((q) => substituteGrafanaVariables(q.expr, { step: 'allconvert', container: '.+' })),
      ...shippedRules().map((r) => r.expr),
    ];
    for (const expr of exprs) {
      for (const [metric, labels] of promqlReferences(expr).metrics)
        used.set(metric, new Set([...(used.get(metric) ?? []), ...labels]));
    }
    const checked: string[] = [];
    const problems: string[] = [];
    for (const [metric, labels] of used) {
      const section = sectionOf(metric);
      if (!section || !COVERED_SECTIONS.includes(section)) continue;
      checked.push(metric);
      const series = await prom.series(`{__name__="${metric}"}`);
      if (series.length === 0) problems.push(`${metric}: no series`);
      for (const label of labels)
        if (!series.some((s) => label in s)) problems.push(`${metric}: no series with label ${label}`);
    }
    expect(problems).toEqual([]);
    expect(checked.length).toBeGreaterThan(40);
  });

  // ---------------------------------------------------------------------------------------------------------

  const expectAlerts = (expected: Record<string, string[]>) =>
    expectActiveAlerts(prom, expected, { ignore: machineDependent });

  test('faults make the matching alerts go pending, and only those', async () => {
    const certs = join(dir, 'certs');
    const always = [
      `OnlyofficeDocsCertificateExpiring{target=localhost:${tlsPort}}`,
      `OnlyofficeDocsCertificateExpiring{path=${certs}/tls.crt}`,
      `OnlyofficeDocsCertificateChainIncomplete{target=localhost:${tlsPort}}`,
      `OnlyofficeDocsCertificateUnreadable{path=${certs}/broken.crt}`,
      'OnlyofficeDocsConversionQueueNoConsumers{vhost=/}',
      'OnlyofficeDocsConversionQueueGrowing{queue=ds.converttask6,vhost=/}',
      'OnlyofficeDocsConversionBacklog{queue=ds.converttask6,vhost=/}',
      'OnlyofficeDocsConversionDeadLetters{operation=publish,queue=ds.convertdead,vhost=/}',
    ];
    // simJ's secret differs: CommandService and the editors' WebSocket token (its browser secret) both refuse.
    const jwt = [
      'OnlyofficeDocsJwtMismatch{code=6,reason=token}',
      'OnlyofficeDocsEditorTokenRejected{code=4006,reason=token:invalid signature}',
    ];
    // Nothing listens on the PostgreSQL port: while DS's /healthcheck passes that is a wrong address (a warning),
    // once it fails it is the page.
    const pgUnreachable = `OnlyofficeDocsDependencyUnreachable{address=127.0.0.1:${pgPort},dependency=postgresql}`;
    const pgDown = `OnlyofficeDocsDependencyDown{address=127.0.0.1:${pgPort},dependency=postgresql}`;

    // Healthy DS: only the scenario's static faults (certificates, PostgreSQL port, the other JWT secret).
    const baseline = await expectAlerts({ [E]: [...always, pgUnreachable], [A]: [], [J]: jwt });
    expect(baseline.find((a) => a.labels.alertname === 'OnlyofficeDocsJwtMismatch')!.annotations.summary_en).toBe(
      'JWT mismatch: CommandService rejects the token',
    );
    // On /metrics every alert names the DS it is about (onlyoffice_target_info); on /probe instance is the DS already.
    const ds = redactUrl(simA.url);
    expect(new Set(baseline.filter((a) => a.labels.instance === E).map((a) => a.labels.documentserver))).toEqual(
      new Set([ds]),
    );
    expect(baseline.filter((a) => a.labels.instance === J).length).toBe(2);
    expect(baseline.filter((a) => a.labels.instance !== E && a.labels.documentserver !== undefined)).toEqual([]);
    const unreachable = baseline.find((a) => a.labels.alertname === 'OnlyofficeDocsDependencyUnreachable')!;
    expect(unreachable.annotations.description_en).toContain(`(DocumentServer: ${ds}).`);

    // RabbitMQ lost: /healthcheck false while docservice answers, conversions never finish; the license nears its
    // end and its connection limit; two documents could not be saved. simJ's users near their limit.
    simA.setFault('rabbitmq_down');
    simA.setInfo(connectionLicense(10, 19));
    simA.setForgottenFiles(['doc-1', 'doc-2']);
    simJ.setInfo(userLicense(46));
    const license = [
      'OnlyofficeDocsLicenseExpiringSoon{}',
      'OnlyofficeDocsConnectionsNearLimit{mode=edit}',
      'OnlyofficeDocsForgottenFiles{}',
    ];
    const jwtUsers = [...jwt, 'OnlyofficeDocsUsersNearLimit{mode=edit}'];
    await expectAlerts({
      [E]: [
        ...always,
        pgDown,
        'OnlyofficeDocsDown{}',
        'OnlyofficeDocsConversionProbeFailing{outcome=timeout}',
        ...license,
      ],
      [A]: ['OnlyofficeDocsDown{}', ...license],
      [J]: jwtUsers,
    });

    // docservice gone: nginx answers 502 and still serves api.js; the collectors that need DS fail.
    await simA.stop();
    const failing = ['build_info', 'commands', 'license'].map((c) => `OnlyofficeDocsCollectorFailing{collector=${c}}`);
    await expectAlerts({
      [E]: [
        ...always,
        pgDown,
        'OnlyofficeDocsDown{}',
        'OnlyofficeDocsDocserviceDown{endpoint=index}',
        'OnlyofficeDocsConversionProbeFailing{outcome=request_failed}',
        ...failing,
      ],
      [A]: ['OnlyofficeDocsDown{}', ...failing],
      [J]: jwtUsers,
    });

    // docservice back and healthy, the reverse proxy gone: only the public hop fails.
    simA.setFault('none');
    await simA.start();
    await nginx.stop();
    const proxyError = 'OnlyofficeDocsProxyError{endpoint=healthcheck,via=public}';
    const proxy = await expectAlerts({
      [E]: [...always, pgUnreachable, proxyError, ...license],
      [A]: license,
      [J]: jwtUsers,
    });
    expect(proxy.find((a) => a.labels.alertname === 'OnlyofficeDocsProxyError')!.value).toBe('0e+00');

    // RabbitMQ itself gone: the dependency check says so, the queue figures are unreadable, and the queue alerts
    // (their 15-minute windows included) end with them instead of lingering.
    clearInterval(publisher);
    await amqp?.close();
    amqp = undefined;
    await rabbit.close();
    const queueAlerts = always.filter((key) => key.startsWith('OnlyofficeDocsConversion'));
    await expectAlerts({
      [E]: [
        ...always.filter((key) => !queueAlerts.includes(key)),
        pgUnreachable,
        // The simulated DS does not notice the broker going: its /healthcheck passes, so this is the warning.
        `OnlyofficeDocsDependencyUnreachable{address=127.0.0.1:${rabbit.port},dependency=rabbitmq}`,
        'OnlyofficeDocsRabbitmqUnreachable{}',
        proxyError,
        ...license,
      ],
      [A]: license,
      [J]: jwtUsers,
    });

    // The exporter gone: Prometheus' own up says so for every target, and the rest goes stale.
    await exporter.stop();
    const down = ['OnlyofficeDocsExporterDown{}'];
    await expectAlerts({ [E]: down, [A]: down, [J]: down });
  }, 120_000);
});
