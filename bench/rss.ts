// Resident memory of the daemon as it ships (plain node on the dist/ build that `npm start` and the image run)
// against tsx (the TypeScript loader, for development), idle and under load, without containers and watching 500.
// RSS from /proc/<pid>/status: idle after the first scrape; the highest while scraped every second (15 times
// Prometheus' default pace); the highest seen during a closed loop of 4 scrapers; after the load, a full GC and one
// second.
//   npx tsx bench/rss.ts [closed-loop scrapes per case, default 5000] [--write]   (as root: the 500 containers
//   live on a private dockerd, as in the integration tests)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startDsSimulator } from '../test/support/ds-simulator.js';
import { PrivateEngine, TEST_IMAGE } from '../test/support/dockerd.js';
import {
  buildShipped,
  TSX_ENTRY,
  machine,
  mib,
  rssBytes,
  SHIPPED_NODE_FLAGS,
  sleep,
  startDaemon,
  today,
  WRITE,
  writeSection,
} from './lib.js';

const SCRAPES = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 5000);
const CONCURRENCY = 4;
const PACED_SECONDS = 60;
const CONTAINERS = 500;
const RUNNING = 10;
const JWT = 'bench-jwt-secret';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-rss-'));
  const build = buildShipped();
  const ds = await startDsSimulator({ version: '8.3', jwtSecret: JWT });
  const engine = await PrivateEngine.create();
  for (let created = 0; created < CONTAINERS; created += 25) {
    await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        const container = await engine.docker.createContainer({
          name: `bench-${String(created + i).padStart(4, '0')}`,
          Image: TEST_IMAGE,
          Cmd: ['sleep', '3600'],
        });
        if (created + i < RUNNING) await container.start();
      }),
    );
  }
  const base = `
documentserver: { url: "${ds.url}", public_url: "${ds.url}", jwt: { secret: "${JWT}" }, timeout: 5s }
disk: { paths: ["${dir}"] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`;
  writeFileSync(join(dir, 'none.yml'), `${base}docker: { enabled: false }\n`);
  writeFileSync(
    join(dir, 'containers.yml'),
    `${base}docker: { socket: "${engine.socket}", containers: ["bench-*"], supervisor: false }\n`,
  );

  const cases = [
    { config: 'none.yml', what: 'no containers' },
    { config: 'containers.yml', what: `${CONTAINERS} containers (${RUNNING} running)` },
  ];
  const variants = [
    {
      name: `\`node ${SHIPPED_NODE_FLAGS.join(' ')} dist/main.js\` (\`npm start\`, the image, systemd)`,
      how: build.how,
    },
    { name: "`node dist/main.js` (V8's defaults)", how: { entry: build.how.entry } },
    { name: '`node --import tsx src/main.ts` (development, the tests)', how: { entry: TSX_ENTRY } },
  ];
  const rows: string[] = [];
  try {
    for (const scenario of cases) {
      for (const variant of variants) {
        const daemon = await startDaemon(
          [`--config.file=${join(dir, scenario.config)}`, '--log.level=warn'],
          {},
          variant.how,
        );
        try {
          const pool = new Pool(daemon.url, { connections: CONCURRENCY });
          const scrape = async () => {
            const response = await pool.request({ method: 'GET', path: '/metrics' });
            const text = await response.body.text();
            if (response.statusCode !== 200 || !text.includes('onlyoffice_healthcheck_up 1'))
              throw new Error(`bad scrape: HTTP ${response.statusCode}`);
            return text;
          };
          const first = await scrape();
          const series = first.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
          await sleep(1000);
          const idle = rssBytes(daemon.pid);

          let pacedPeak = 0;
          for (let i = 0; i < PACED_SECONDS; i++) {
            await Promise.all([scrape(), sleep(1000)]);
            pacedPeak = Math.max(pacedPeak, rssBytes(daemon.pid));
          }

          let done = 0;
          let peak = 0;
          const started = performance.now();
          await Promise.all(
            Array.from({ length: CONCURRENCY }, async () => {
              while (done < SCRAPES) {
                done++;
                await scrape();
                if (done % 100 === 0) {
                  peak = Math.max(peak, rssBytes(daemon.pid));
                  ds.requests.length = 0;
                }
              }
            }),
          );
          const seconds = (performance.now() - started) / 1000;
          await pool.close();
          const heap = await daemon.heap();
          await sleep(1000);
          rows.push(
            `| ${scenario.what} | ${variant.name} | ${series} | ${mib(idle)} | ${mib(pacedPeak)} | ${mib(peak)} | ${mib(rssBytes(daemon.pid))} | ${mib(heap.heapUsed)} | ${(SCRAPES / seconds).toFixed(0)} |`,
          );
          console.error(rows.at(-1));
        } finally {
          await daemon.stop();
        }
      }
    }
  } finally {
    await ds.stop();
    await engine.destroy();
    build.remove();
    rmSync(dir, { recursive: true, force: true });
  }
  const text = [
    '`bench/rss.ts`: the daemon with the DocumentServer collectors (DS simulator 8.3, JWT, both hops) and the disk',
    `collector, without containers and then watching ${CONTAINERS} containers (${RUNNING} running) on a private Debian dockerd, started`,
    `the way it ships (plain node on the \`dist/\` build with \`${SHIPPED_NODE_FLAGS.join(' ')}\`, as \`npm start\`, the image and`,
    "the systemd unit run it), with V8's defaults, and through tsx (development). RSS from `/proc/<pid>/status`: idle one second after",
    `the first scrape; the highest during ${PACED_SECONDS} s scraped every second (15 times Prometheus' default pace); the highest during`,
    `${SCRAPES.toLocaleString('en-US')} scrapes by ${CONCURRENCY} closed-loop scrapers (sampled every 100); after the`,
    'load, a full GC and one second.',
    '',
    `- Command: \`npx tsx bench/rss.ts ${SCRAPES} --write\``,
    `- Date: ${today()}`,
    `- Machine: ${machine()}`,
    '',
    '| watching | daemon started as | series per scrape | RSS idle | RSS scraped every second | RSS peak, closed loop | RSS after | heap used after GC | scrapes/s, closed loop |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(text);
  if (WRITE) writeSection('Resident memory: runtime against our own', text);
}

await main();
