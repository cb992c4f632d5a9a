// What the daemon's resident memory is made of: the same /metrics load on the daemon as `npm start` runs it (tsx),
// with a smaller V8 young generation, and as plain JavaScript (an esbuild bundle of src/main.ts run by node, no
// TypeScript loader thread). For the "RSS under 100 MB" goal: which part is ours and which is the runtime's.
//   npx tsx bench/rss.ts [scrapes per variant, default 20000] [--write]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startDsSimulator } from '../test/support/ds-simulator.js';
import { machine, mib, ROOT, rssBytes, sleep, startDaemon, today, WRITE, writeSection } from './lib.js';

const SCRAPES = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 20_000);
const CONCURRENCY = 4;
const JWT = 'bench-jwt-secret';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-rss-'));
  // Inside the checkout, so the bundle's bare imports resolve to node_modules and ../package.json is ours.
  const build = mkdtempSync(join(ROOT, '.bench-build-'));
  const esbuild = join(ROOT, 'node_modules/.bin/esbuild');
  execFileSync(esbuild, ['src/main.ts', '--bundle', '--platform=node', '--format=esm', '--packages=external', `--outfile=${join(build, 'main.mjs')}`, '--log-level=warning'], { cwd: ROOT });
  execFileSync(esbuild, ['bench/heap-probe.ts', '--platform=node', '--format=esm', `--outfile=${join(build, 'heap-probe.mjs')}`, '--log-level=warning'], { cwd: ROOT });
  const ds = await startDsSimulator({ version: '8.3', jwtSecret: JWT });
  writeFileSync(join(dir, 'config.yml'), `
documentserver: { url: "${ds.url}", public_url: "${ds.url}", jwt: { secret: "${JWT}" }, timeout: 5s }
disk: { paths: ["${dir}"] }
docker: { enabled: false }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`);
  const bundle = ['--import', join(build, 'heap-probe.mjs'), join(build, 'main.mjs')];
  const variants = [
    { name: 'tsx (as `npm start` and the image run it)', how: {} },
    { name: 'tsx, `--max-semi-space-size=1`', how: { nodeFlags: ['--max-semi-space-size=1'] } },
    { name: 'plain node on an esbuild bundle', how: { entry: bundle } },
    { name: 'plain node on an esbuild bundle, `--max-semi-space-size=1`', how: { nodeFlags: ['--max-semi-space-size=1'], entry: bundle } },
  ];
  const rows: string[] = [];
  try {
    for (const variant of variants) {
      const daemon = await startDaemon([`--config.file=${join(dir, 'config.yml')}`, '--log.level=warn'], {}, variant.how);
      try {
        await sleep(500);
        const idle = rssBytes(daemon.pid);
        const pool = new Pool(daemon.url, { connections: CONCURRENCY });
        let done = 0;
        let peak = 0;
        const started = performance.now();
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          while (done < SCRAPES) {
            done++;
            const response = await pool.request({ method: 'GET', path: '/metrics' });
            await response.body.text();
            if (done % 500 === 0) {
              peak = Math.max(peak, rssBytes(daemon.pid));
              ds.requests.length = 0;
            }
          }
        }));
        const seconds = (performance.now() - started) / 1000;
        await pool.close();
        const heap = await daemon.heap();
        await sleep(1000);
        rows.push(`| ${variant.name} | ${mib(idle)} | ${mib(peak)} | ${mib(rssBytes(daemon.pid))} | ${mib(heap.heapUsed)} | ${(SCRAPES / seconds).toFixed(0)} |`);
        console.error(rows.at(-1));
      } finally {
        await daemon.stop();
      }
    }
  } finally {
    await ds.stop();
    rmSync(build, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  const text = [
    '`bench/rss.ts`: the DocumentServer collectors (DS simulator 8.3, JWT, both hops) and the disk collector scraped',
    `${SCRAPES.toLocaleString('en-US')} times by ${CONCURRENCY} closed-loop scrapers, the daemon started four ways. RSS from \`/proc/<pid>/status\`: idle`,
    'after start, the highest seen under load (sampled every 500 scrapes), and after the load, a full GC and one second.',
    '',
    `- Command: \`npx tsx bench/rss.ts ${SCRAPES} --write\``,
    `- Date: ${today()}`,
    `- Machine: ${machine()}`,
    '',
    '| daemon started as | RSS idle | RSS peak under load | RSS after | heap used after GC | scrapes/s |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(text);
  if (WRITE) writeSection('Resident memory: runtime against our own', text);
}

await main();
