// Scrape cost of the docker collector at 10, 100 and 500 matched containers, against the naive approach
// (list + inspect every container on every scrape), on a private dockerd (root; see test/support/dockerd.ts).
//   npx tsx bench/containers.ts [sizes, default 10,100,500] [scrapes per size, default 20]
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Gauge, Registry } from 'prom-client';
import dockerCollector from '../src/collectors/docker.js';
import { acquireEngine } from '../src/docker/engine.js';
import { recordFromInspect, CONTAINER_STATES, HEALTH_STATUSES } from '../src/docker/view.js';
import { PrivateEngine, ScrapeHarness, TEST_IMAGE } from '../test/support/dockerd.js';
import { configFrom, silentLogger } from '../test/support/scrape.js';

const sizes = (process.argv[2] ?? '10,100,500').split(',').map(Number);
const scrapes = Number(process.argv[3] ?? 20);
const RUNNING = 10; // a few real processes among the (cheap) created containers

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** CPU time (user + system) dockerd has used so far, in ms, from /proc (containerd runs as its own process). */
function dockerdCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** What karugaru/docker_state_exporter and friends do per scrape: list, then inspect each, then build the metrics. */
async function naiveScrape(engine: PrivateEngine): Promise<{ calls: number; text: string }> {
  let calls = 1;
  const list = await engine.docker.listContainers({ all: true });
  const matched = list.filter((c) => c.Names.some((n) => n.startsWith('/bench-')));
  const registry = new Registry();
  const state = new Gauge({ name: 'onlyoffice_container_state', help: 's', labelNames: ['name', 'state'], registers: [registry] });
  const health = new Gauge({ name: 'onlyoffice_container_health', help: 'h', labelNames: ['name', 'status'], registers: [registry] });
  let next = 0;
  const worker = async () => {
    while (next < matched.length) {
      const summary = matched[next++]!;
      calls += 1;
      try {
        const record = recordFromInspect(await engine.docker.getContainer(summary.Id).inspect(), 0);
        for (const s of CONTAINER_STATES) state.set({ name: record.name, state: s }, record.state === s ? 1 : 0);
        for (const h of HEALTH_STATUSES) health.set({ name: record.name, status: h }, record.health === h ? 1 : 0);
      } catch {
        // removed meanwhile
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { calls, text: await registry.metrics() };
}

async function main(): Promise<void> {
  const engine = await PrivateEngine.create();
  const rows: string[] = [];
  try {
    let created = 0;
    for (const size of sizes) {
      // Grow the set of matched containers to `size`: the first RUNNING run `sleep`, the rest are only created.
      while (created < size) {
        const batch = Array.from({ length: Math.min(25, size - created) }, (_, i) => created + i);
        await Promise.all(batch.map(async (i) => {
          const container = await engine.docker.createContainer({ name: `bench-${String(i).padStart(4, '0')}`, Image: TEST_IMAGE, Cmd: ['sleep', '3600'] });
          if (i < RUNNING) await container.start();
        }));
        created += batch.length;
      }

      const config = configFrom(`docker: { socket: ${engine.socket}, containers: ["bench-*"], supervisor: false }`);
      const harness = new ScrapeHarness([dockerCollector], config);
      const lease = acquireEngine(config.docker, silentLogger);
      const { api } = lease.engine;
      let started = performance.now();
      const first = await harness.scrape(60_000);
      const syncMs = performance.now() - started;
      if (!first.text.includes('onlyoffice_scrape_collector_success{collector="docker"} 1')) throw new Error('the first scrape failed');
      const syncCalls = api.total();
      const times: number[] = [];
      let cpuBefore = dockerdCpuMs(engine.pid!);
      for (let i = 0; i < scrapes; i += 1) {
        started = performance.now();
        await harness.scrape(60_000);
        times.push(performance.now() - started);
      }
      const viewCalls = (api.total() - syncCalls) / scrapes;
      const viewCpu = (dockerdCpuMs(engine.pid!) - cpuBefore) / scrapes;
      await lease.release();
      await harness.close();

      const naiveTimes: number[] = [];
      const naiveCalls: number[] = [];
      const naiveRuns = Math.min(scrapes, 10);
      cpuBefore = dockerdCpuMs(engine.pid!);
      for (let i = 0; i < naiveRuns; i += 1) {
        started = performance.now();
        const { calls } = await naiveScrape(engine);
        naiveTimes.push(performance.now() - started);
        naiveCalls.push(calls);
      }
      const naiveCpu = (dockerdCpuMs(engine.pid!) - cpuBefore) / naiveRuns;
      rows.push(`| ${size} | ${ms(syncMs)} / ${syncCalls} | ${ms(median(times))} | ${viewCalls} | ${ms(viewCpu)} | ${ms(median(naiveTimes))} | ${median(naiveCalls)} | ${ms(naiveCpu)} |`);
      console.error(rows.at(-1));
    }
  } finally {
    await engine.destroy();
  }
  const dockerd = (await import('node:child_process')).execFileSync('dockerd', ['--version'], { encoding: 'utf8' }).trim();
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${dockerd}`);
  console.log(`Scrapes per size: ${scrapes} (naive: ${Math.min(scrapes, 10)}); ${RUNNING} running containers, the rest created; medians.`);
  console.log('');
  console.log('| matched containers | view: first scrape (sync) / API calls | view: scrape | view: API calls per scrape | view: dockerd CPU per scrape | naive: scrape | naive: API calls per scrape | naive: dockerd CPU per scrape |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();
