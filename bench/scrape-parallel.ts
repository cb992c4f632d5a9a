// A full /metrics scrape with every collector enabled against real services, while targets hang: the wall time
// against the slowest collector's deadline (the floor) and against the sum of the deadlines (what running the
// collectors one after the other would cost). Needs root (a private dockerd), as bench/containers.ts.
//   npx tsx bench/scrape-parallel.ts [scrapes per scenario, default 10] [--write]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBlackhole } from '../test/support/blackhole.js';
import { startDsSimulator } from '../test/support/ds-simulator.js';
import { PrivateEngine, TEST_IMAGE } from '../test/support/dockerd.js';
import { parseExposition } from '../test/support/exposition.js';
import { freePort } from '../test/support/ports.js';
import { startPostgres } from '../test/support/postgres.js';
import { startRabbitMQ } from '../test/support/rabbitmq.js';
import { startRedis } from '../test/support/redis.js';
import { DingTalkRobotEmulator } from '../test/support/robots.js';
import { TestPki } from '../test/support/tls-pki.js';
import { distribution, machine, ms, startDaemon, startNginxTls, today, WRITE, writeSection } from './lib.js';

const SCRAPES = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 10);
const DAY = 86_400;
const TIMEOUT_HEADER_SECONDS = 10;

interface Scenario {
  name: string;
  /** What hangs, and the deadline of the collector that waits for it, in ms. */
  hanging: Array<{ what: string; collector: string; deadlineMs: number }>;
  config: string;
  before?: () => void | Promise<void>;
  after?: () => void | Promise<void>;
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-parallel-'));
  const pki = new TestPki();
  const now = Math.floor(Date.now() / 1000);
  const root = pki.issue('root', {
    subject: '/CN=bench root',
    notBefore: now - DAY,
    notAfter: now + 365 * DAY,
    serial: '01',
    ca: true,
  });
  const leaf = pki.issue('leaf', {
    subject: '/CN=127.0.0.1',
    issuer: root,
    notBefore: now - DAY,
    notAfter: now + 90 * DAY,
    serial: '02',
    san: 'IP:127.0.0.1',
  });
  console.error('starting PostgreSQL, RabbitMQ, Redis, dockerd, nginx, the DS simulator and a robot emulator ...');
  const [postgres, rabbit, redis, engine, ds, robot, hole] = await Promise.all([
    startPostgres(),
    startRabbitMQ(),
    startRedis({ password: 'bench-redis' }),
    PrivateEngine.create(),
    startDsSimulator({ version: '8.3' }),
    new DingTalkRobotEmulator().start(),
    startBlackhole(),
  ]);
  const nginx = await startNginxTls({ backendPort: ds.port, certChain: leaf.certPem, key: leaf.keyPem });
  await engine.docker
    .createContainer({ name: 'onlyoffice-documentserver', Image: TEST_IMAGE, Cmd: ['sleep', '3600'] })
    .then((c) => c.start());
  await engine.docker
    .createContainer({ name: 'onlyoffice-postgresql', Image: TEST_IMAGE, Cmd: ['sleep', '3600'] })
    .then((c) => c.start());
  const statsdPort = await freePort();
  const setupSeconds = (performance.now() - started) / 1000;

  const base = (o: {
    redisTimeout: string;
    tlsTimeout: string;
    rabbitTimeout: string;
    extraEndpoint: string;
    management: string;
  }) => `
documentserver: { url: "${ds.url}", public_url: "${nginx.url}", timeout: 4s }
statsd: { listen: "udp://127.0.0.1:${statsdPort}" }
docker: { socket: ${engine.socket}, containers: ["onlyoffice*"], supervisor_interval: 30s }
disk: { paths: ["${dir}", "/tmp"] }
tls:
  endpoints: ["127.0.0.1:${nginx.port}"${o.extraEndpoint}]
  files: ["${leaf.certPath}"]
  ca_file: "${root.certPath}"
  timeout: ${o.tlsTimeout}
dependencies:
  postgresql: "127.0.0.1:${postgres.port}"
  rabbitmq: "${rabbit.url}"
  redis: "redis://:bench-redis@127.0.0.1:${redis.port}"
  timeout: ${o.redisTimeout}
rabbitmq:
  url: "${rabbit.url}"
  management_url: "${o.management}"
  prometheus_url: "${rabbit.prometheusUrl}"
  username: guest
  password: guest
  timeout: ${o.rabbitTimeout}
conversion_probe: { enabled: true, interval: 5m, timeout: 30s }
notify:
  auth: { bearer_token: "bench-bearer-token-0123456789" }
  dingtalk: { ops: { url: "${robot.url}" } }
`;
  const scenarios: Scenario[] = [
    {
      name: 'nothing hangs',
      hanging: [],
      config: base({
        redisTimeout: '3s',
        tlsTimeout: '2s',
        rabbitTimeout: '2500ms',
        extraEndpoint: '',
        management: rabbit.managementUrl,
      }),
    },
    {
      name: 'one target hangs: Redis frozen (SIGSTOP)',
      hanging: [{ what: 'Redis frozen', collector: 'dependencies', deadlineMs: 3000 }],
      config: base({
        redisTimeout: '3s',
        tlsTimeout: '2s',
        rabbitTimeout: '2500ms',
        extraEndpoint: '',
        management: rabbit.managementUrl,
      }),
      before: () => redis.freeze(),
      after: () => redis.thaw(),
    },
    {
      name: 'three targets hang: Redis frozen, a TLS endpoint and the RabbitMQ management API that accept and never answer',
      hanging: [
        { what: 'Redis frozen', collector: 'dependencies', deadlineMs: 3000 },
        { what: 'RabbitMQ management API silent', collector: 'rabbitmq_queues', deadlineMs: 2500 },
        { what: 'TLS endpoint silent', collector: 'tls_endpoints', deadlineMs: 2000 },
      ],
      config: base({
        redisTimeout: '3s',
        tlsTimeout: '2s',
        rabbitTimeout: '2500ms',
        extraEndpoint: `, "127.0.0.1:${hole.port}"`,
        management: hole.url,
      }),
      before: () => redis.freeze(),
      after: () => redis.thaw(),
    },
  ];

  const lines: string[] = [];
  try {
    for (const scenario of scenarios) {
      writeFileSync(join(dir, 'config.yml'), scenario.config);
      const daemon = await startDaemon([`--config.file=${join(dir, 'config.yml')}`, '--log.level=error']);
      const walls: number[] = [];
      const perCollector = new Map<string, { seconds: number[]; success: number[] }>();
      try {
        // Background views (containers, supervisor, conversion probe) settle before measuring.
        for (let i = 0; i < 3; i++) await fetch(`${daemon.url}/metrics`).then((r) => r.text());
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await scenario.before?.();
        for (let i = 0; i < SCRAPES; i++) {
          const t0 = performance.now();
          const response = await fetch(`${daemon.url}/metrics`, {
            headers: { 'x-prometheus-scrape-timeout-seconds': String(TIMEOUT_HEADER_SECONDS) },
          });
          const text = await response.text();
          walls.push(performance.now() - t0);
          for (const s of parseExposition(text)) {
            if (!s.name.startsWith('onlyoffice_scrape_collector_')) continue;
            const entry = perCollector.get(s.labels.collector!) ?? { seconds: [], success: [] };
            if (s.name === 'onlyoffice_scrape_collector_duration_seconds') entry.seconds.push(s.value * 1000);
            if (s.name === 'onlyoffice_scrape_collector_success') entry.success.push(s.value);
            perCollector.set(s.labels.collector!, entry);
          }
        }
      } finally {
        await scenario.after?.();
        await daemon.stop();
      }
      const wall = distribution(walls);
      const floor = Math.max(0, ...scenario.hanging.map((h) => h.deadlineMs));
      const sum = scenario.hanging.reduce((total, h) => total + h.deadlineMs, 0);
      lines.push(`### ${scenario.name}`);
      lines.push('');
      if (scenario.hanging.length > 0) {
        lines.push(
          `Hanging: ${scenario.hanging.map((h) => `${h.what} (${h.collector}, deadline ${h.deadlineMs / 1000} s)`).join('; ')}.`,
        );
        lines.push(
          `Floor (slowest deadline) ${ms(floor, 0)}; the deadlines one after the other would be ${ms(sum, 0)}.`,
        );
      } else {
        lines.push('Every target answers.');
      }
      lines.push(
        `Wall time of the scrape over ${SCRAPES} scrapes: median **${ms(wall.p50)}**, max ${ms(wall.max)}${floor > 0 ? ` (median ${((wall.p50 / floor - 1) * 100).toFixed(1)} % over the floor)` : ''}.`,
      );
      if (floor > 0 && wall.max > floor + 1000)
        lines.push(
          'The slowest scrape went past the floor: see "A deadline lost to a garbage collection" under Findings.',
        );
      lines.push('');
      lines.push('| collector | median duration | max duration | success |');
      lines.push('|---|---|---|---|');
      for (const [name, entry] of [...perCollector].sort(
        (a, b) => distribution(b[1].seconds).p50 - distribution(a[1].seconds).p50,
      )) {
        const d = distribution(entry.seconds);
        lines.push(
          `| ${name} | ${ms(d.p50)} | ${ms(d.max)} | ${entry.success.filter((v) => v === 1).length}/${entry.success.length} |`,
        );
      }
      lines.push('');
      console.error(lines.slice(-4 - perCollector.size).join('\n'));
    }
  } finally {
    await nginx.stop();
    await Promise.all([
      postgres.close(),
      rabbit.close(),
      redis.close(),
      engine.destroy(),
      ds.stop(),
      robot.stop(),
      hole.stop(),
    ]);
    pki.remove();
    rmSync(dir, { recursive: true, force: true });
  }

  const header = [
    '`bench/scrape-parallel.ts`: one daemon, every collector enabled against real services started by the benchmark:',
    "the DS simulator (8.3) directly and behind Debian's nginx with TLS (`public_url`), PostgreSQL 15, RabbitMQ (management",
    'and prometheus plugins, queues by all three sources), Redis with a password, a private dockerd with two ONLYOFFICE-named',
    'containers (busybox, so `supervisorctl` is missing there and the supervisor collector reports it unreachable), the StatsD',
    'receiver, two disk paths, a TLS endpoint, a certificate file, the conversion probe and a DingTalk robot emulator for',
    'notify. Prometheus\' header announces a 10 s scrape timeout (budget 9.5 s). "Hanging" targets accept TCP and never',
    "answer (SIGSTOP, or a socket that reads and stays silent), which only each collector's own deadline ends.",
    '',
    `- Command: \`npx tsx bench/scrape-parallel.ts ${SCRAPES} --write\` (as root; setup took ${setupSeconds.toFixed(0)} s)`,
    `- Date: ${today()}`,
    `- Machine: ${machine()}`,
    '',
  ];
  const text = [...header, ...lines].join('\n');
  console.log(text);
  if (WRITE) writeSection('Full scrape with hanging targets', text);
}

await main();
