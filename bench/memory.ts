// Memory of the daemon over a long life: RSS and V8 heap (after a full GC) every so many /metrics scrapes, and every
// million StatsD lines with names that never repeat. Both must level off.
//   npx tsx bench/memory.ts [scrapes, default 100000] [statsd lines, default 10000000] [--write]
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startDsSimulator } from '../test/support/ds-simulator.js';
import { freePort } from '../test/support/ports.js';
import {
  SHIPPED_NODE_FLAGS,
  fds,
  machine,
  mib,
  rssBytes,
  sleep,
  startDaemon,
  today,
  WRITE,
  writeSection,
  type Daemon,
} from './lib.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const SCRAPES = Number(args[0] ?? 100_000);
const STATSD_LINES = Number(args[1] ?? 10_000_000);
const SCRAPE_SAMPLES = 10;
const STATSD_SAMPLES = 10;
const CONCURRENCY = 4;
const JWT = 'bench-jwt-secret';

interface Point {
  at: string;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  fds: number;
  handles: number;
  extra?: string;
}

async function point(daemon: Daemon, at: string, extra?: string): Promise<Point> {
  const heap = await daemon.heap();
  const handles = Object.values(heap.resources).reduce((a, b) => a + b, 0);
  return {
    at,
    rss: rssBytes(daemon.pid),
    heapUsed: heap.heapUsed,
    heapTotal: heap.heapTotal,
    external: heap.external,
    fds: fds(daemon.pid).total,
    handles,
    extra,
  };
}

function table(points: Point[], first: string, extra?: string): string[] {
  const rows = [
    `| ${first} | RSS | heap used (after GC) | heap total | external | open fds | live handles |${extra ? ` ${extra} |` : ''}`,
  ];
  rows.push(`|---|---|---|---|---|---|---|${extra ? '---|' : ''}`);
  for (const p of points)
    rows.push(
      `| ${p.at} | ${mib(p.rss)} | ${mib(p.heapUsed)} | ${mib(p.heapTotal)} | ${mib(p.external)} | ${p.fds} | ${p.handles} |${extra ? ` ${p.extra ?? ''} |` : ''}`,
    );
  return rows;
}

async function scrapes(dir: string): Promise<Point[]> {
  const ds = await startDsSimulator({ version: '8.3', jwtSecret: JWT });
  const statsdPort = await freePort();
  writeFileSync(
    join(dir, 'scrapes.yml'),
    `
documentserver: { url: "${ds.url}", public_url: "${ds.url}", jwt: { secret: "${JWT}" }, timeout: 5s }
statsd: { listen: "udp://127.0.0.1:${statsdPort}" }
disk: { paths: ["${dir}"] }
docker: { enabled: false }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
  );
  const daemon = await startDaemon([`--config.file=${join(dir, 'scrapes.yml')}`, '--log.level=warn']);
  const pool = new Pool(daemon.url, { connections: CONCURRENCY });
  const udp = createSocket('udp4');
  const points: Point[] = [await point(daemon, '0 (started)')];
  try {
    let done = 0;
    let failed = 0;
    const step = SCRAPES / SCRAPE_SAMPLES;
    for (let sample = 1; sample <= SCRAPE_SAMPLES; sample++) {
      const target = Math.round(step * sample);
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (done < target) {
            done++;
            // A trickle of DS StatsD lines, as DS sends between scrapes.
            if (done % 10 === 0) udp.send(`ds.coauth.openDocument.open:${done % 97}|ms`, statsdPort, '127.0.0.1');
            const response = await pool.request({ method: 'GET', path: '/metrics' });
            const body = await response.body.text();
            if (response.statusCode !== 200 || !body.includes('\nonlyoffice_healthcheck_up 1\n')) failed++;
          }
        }),
      );
      // The simulator keeps every request for tests; here that would only measure the simulator.
      ds.requests.length = 0;
      points.push(await point(daemon, target.toLocaleString('en-US'), String(failed)));
      console.error(JSON.stringify(points.at(-1)));
    }
  } finally {
    udp.close();
    await pool.close();
    await daemon.stop();
    await ds.stop();
  }
  return points;
}

async function statsdLines(dir: string): Promise<{ points: Point[]; received: number; seconds: number }> {
  const statsdPort = await freePort();
  writeFileSync(
    join(dir, 'statsd.yml'),
    `
documentserver: { url: "http://127.0.0.1:9" }
statsd: { listen: "udp://127.0.0.1:${statsdPort}" }
disk: { paths: [] }
docker: { enabled: false }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
  );
  const daemon = await startDaemon([`--config.file=${join(dir, 'statsd.yml')}`, '--log.level=warn']);
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.connect(statsdPort, '127.0.0.1', resolve));
  const counters = async () => {
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    const get = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    return {
      lines: get('onlyoffice_statsd_lines_received_total'),
      series: get('onlyoffice_statsd_series'),
      dropped: get('onlyoffice_statsd_samples_dropped_total'),
    };
  };
  const points: Point[] = [await point(daemon, '0 (started)', '0 / 0')];
  const started = performance.now();
  let sent = 0;
  try {
    const step = STATSD_LINES / STATSD_SAMPLES;
    // 40 lines a datagram (about 1.3 kB), paced so the receive buffer is not the subject of this benchmark.
    const perDatagram = 40;
    const perTick = 25;
    for (let sample = 1; sample <= STATSD_SAMPLES; sample++) {
      const target = Math.round(step * sample);
      while (sent < target) {
        for (let d = 0; d < perTick && sent < target; d++) {
          const lines: string[] = [];
          for (let i = 0; i < perDatagram && sent < target; i++, sent++) {
            // Every name is new: a counter, a timing, a gauge and a set member, in turn.
            const kind = sent % 4;
            lines.push(
              kind === 0
                ? `bench.rotating.c${sent}:1|c`
                : kind === 1
                  ? `bench.rotating.t${sent}:${sent % 500}|ms`
                  : kind === 2
                    ? `bench.rotating.g${sent}:${sent}|g`
                    : `bench.rotating.users:u${sent}|s`,
            );
          }
          udp.send(lines.join('\n'));
        }
        await new Promise((resolve) => setImmediate(resolve));
        await sleep(1);
      }
      await sleep(200);
      const c = await counters();
      points.push(
        await point(
          daemon,
          target.toLocaleString('en-US'),
          `${c.lines.toLocaleString('en-US')} / ${c.series} / ${c.dropped.toLocaleString('en-US')}`,
        ),
      );
      console.error(JSON.stringify(points.at(-1)));
    }
    const c = await counters();
    return { points, received: c.lines, seconds: (performance.now() - started) / 1000 };
  } finally {
    udp.close();
    await daemon.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-memory-'));
  let scrapePoints: Point[] = [];
  let statsd: Awaited<ReturnType<typeof statsdLines>>;
  try {
    const t0 = performance.now();
    scrapePoints = await scrapes(dir);
    const scrapeSeconds = (performance.now() - t0) / 1000;
    statsd = await statsdLines(dir);
    const lines: string[] = [];
    lines.push(
      `\`bench/memory.ts\`: the real daemon as it ships (\`node ${SHIPPED_NODE_FLAGS.join(' ')} dist/main.js\`, as \`npm start\`), with \`bench/heap-probe.ts\` preloaded so that`,
    );
    lines.push('on SIGUSR2 it runs a full GC (`--expose-gc`) and reports `process.memoryUsage()` and its live handles');
    lines.push('(`process.getActiveResourcesInfo()`). RSS and open fds come from `/proc/<pid>`. All on 127.0.0.1.');
    lines.push('');
    lines.push(`- Command: \`npx tsx bench/memory.ts ${SCRAPES} ${STATSD_LINES} --write\``);
    lines.push(`- Date: ${today()}`);
    lines.push(`- Machine: ${machine()}`);
    lines.push('');
    lines.push(`### ${SCRAPES.toLocaleString('en-US')} scrapes of /metrics`);
    lines.push('');
    lines.push(
      `The DocumentServer collectors against the DS simulator (8.3, JWT on, \`public_url\` set so both hops are checked), the`,
    );
    lines.push(
      `StatsD receiver getting a DS timing every tenth scrape, the disk collector on one path; ${CONCURRENCY} scrapers in a closed`,
    );
    lines.push(
      `loop (${(SCRAPES / scrapeSeconds).toFixed(0)} scrapes/s, ${scrapeSeconds.toFixed(0)} s). "failed" counts scrapes that were not 200 with \`onlyoffice_healthcheck_up 1\`.`,
    );
    lines.push('');
    lines.push(...table(scrapePoints, 'scrapes', 'failed'));
    lines.push('');
    lines.push(`### ${STATSD_LINES.toLocaleString('en-US')} StatsD lines, every name new`);
    lines.push('');
    lines.push(
      'Counters, timings and gauges each with a name never seen before, and set members never seen before, 40 lines a',
    );
    lines.push(
      `datagram (${(STATSD_LINES / statsd.seconds).toFixed(0)} lines/s sent; ${statsd.received.toLocaleString('en-US')} received). \`statsd.max_series\` is the default 1000 and set members`,
    );
    lines.push(
      'share a budget of 10,000: past those, samples of new series are counted in `onlyoffice_statsd_samples_dropped_total`.',
    );
    lines.push('');
    lines.push(...table(statsd.points, 'lines sent', 'lines received / series / samples dropped'));
    const text = lines.join('\n');
    console.log(text);
    if (WRITE) writeSection('Memory over 100,000 scrapes and 10 million StatsD lines', text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
