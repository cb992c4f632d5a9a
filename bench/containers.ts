// Scrape cost of the docker collector at 10, 100 and 500 matched containers, against the naive approach
// (list + inspect every container on every scrape), on a private dockerd (root; see test/support/dockerd.ts).
//   npx tsx bench/containers.ts [sizes, default 10,100,500] [scrapes per size, default 20]
// Under stress, the two figures of the containers section:
//   npx tsx bench/containers.ts flap [containers, default 500] [seconds, default 60]
//     Engine API calls while a proxy cuts the events stream 2 s after each connect (an idle timeout), scraped every 15 s.
//   npx tsx bench/containers.ts hung [minutes, default 10]
//     stuck `supervisorctl` processes in a container whose supervisorctl hangs (supervisor_interval 5s, timeout 2s).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Gauge, Registry } from 'prom-client';
import { join } from 'node:path';
import dockerCollector from '../src/collectors/docker.js';
import supervisorCollector from '../src/collectors/supervisor.js';
import { acquireEngine } from '../src/docker/engine.js';
import { recordFromInspect, CONTAINER_STATES, HEALTH_STATUSES } from '../src/docker/view.js';
import { eventually, PrivateEngine, ScrapeHarness, TEST_IMAGE } from '../test/support/dockerd.js';
import { EngineProxy } from '../test/support/engine-proxy.js';
import { find, value } from '../test/support/exposition.js';
import { configFrom, silentLogger } from '../test/support/scrape.js';
import { sleep } from './lib.js';

const mode = process.argv[2] === 'flap' || process.argv[2] === 'hung' ? process.argv[2] : 'scrape';
const sizes = (mode === 'scrape' ? (process.argv[2] ?? '10,100,500') : '').split(',').map(Number);
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
  const state = new Gauge({
    name: 'onlyoffice_container_state',
    help: 's',
    labelNames: ['name', 'state'],
    registers: [registry],
  });
  const health = new Gauge({
    name: 'onlyoffice_container_health',
    help: 'h',
    labelNames: ['name', 'status'],
    registers: [registry],
  });
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

/** Creates `count` matched containers bench-NNNN; the first RUNNING run `sleep`, the others are only created. */
async function createContainers(engine: PrivateEngine, from: number, to: number): Promise<void> {
  for (let created = from; created < to;) {
    const batch = Array.from({ length: Math.min(25, to - created) }, (_, i) => created + i);
    await Promise.all(
      batch.map(async (i) => {
        const container = await engine.docker.createContainer({
          name: `bench-${String(i).padStart(4, '0')}`,
          Image: TEST_IMAGE,
          Cmd: ['sleep', '3600'],
        });
        if (i < RUNNING) await container.start();
      }),
    );
    created += batch.length;
  }
}

function dockerdVersion(): string {
  return execFileSync('dockerd', ['--version'], { encoding: 'utf8' }).trim();
}

function machineLine(): string {
  return `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${dockerdVersion()}`;
}

/** Engine API calls, seen at a proxy in front of the socket, while it cuts every events stream 2 s after it began. */
async function flap(containers: number, seconds: number): Promise<void> {
  const engine = await PrivateEngine.create();
  const proxy = await EngineProxy.start(join(engine.dir, 'p.sock'), engine.socket);
  try {
    await createContainers(engine, 0, containers);
    const config = configFrom(`docker: { socket: ${proxy.path}, containers: ["bench-*"], supervisor: false }`);
    const harness = new ScrapeHarness([dockerCollector], config);
    const lease = acquireEngine(config.docker, silentLogger);
    try {
      const first = await harness.scrape(60_000);
      if (value(first.samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' }) !== 1)
        throw new Error('the first scrape failed');
      const sync = { ...proxy.counts };
      proxy.reset();
      proxy.cutEventsAfterMs = 2_000;
      // The stream that is open now is cut too, 2 s from here, like the ones after it.
      setTimeout(() => (lease.engine.view as unknown as { stream?: { destroy(): void } }).stream?.destroy(), 2_000);
      const started = Date.now();
      let ok = 0;
      let failed = 0;
      while (Date.now() - started < seconds * 1000) {
        await sleep(Math.min(15_000, seconds * 1000 - (Date.now() - started)));
        const { samples } = await harness.scrape(10_000);
        if (value(samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' }) === 1) ok += 1;
        else failed += 1;
      }
      const during = { ...proxy.counts };
      console.log(machineLine());
      console.log(
        `${containers} matched containers (${RUNNING} running); events stream cut 2 s after each connect; ${seconds} s; a scrape every 15 s.`,
      );
      console.log(`Initial sync: ${JSON.stringify(sync)}`);
      console.log('');
      console.log('| events connects | list | inspect | ping | other | scrapes ok / failed |');
      console.log('|---|---|---|---|---|---|');
      console.log(
        `| ${during.events} | ${during.list} | ${during.inspect} | ${during.ping} | ${during.other + during.exec} | ${ok} / ${failed} |`,
      );
    } finally {
      await lease.release();
      await harness.close();
    }
  } finally {
    await proxy.close();
    await engine.destroy();
  }
}

/** Stuck supervisorctl processes while supervisorctl hangs, sampled every 30 s. */
async function hung(minutes: number): Promise<void> {
  const engine = await PrivateEngine.create();
  try {
    const hang = engine.writeFile('sv-hang', '#!/bin/sh\nexec sleep 86400\n');
    // An image without `timeout` (dash as sh): only the exec guard is left to keep the count down.
    await engine.importImage('local/notimeout:1', { without: ['timeout'], dash: true });
    await engine.cli(
      'run',
      '-d',
      '--name',
      'onlyoffice-documentserver',
      '-v',
      `${hang}:/bin/supervisorctl:ro`,
      TEST_IMAGE,
      'sleep',
      '99999',
    );
    await engine.cli(
      'run',
      '-d',
      '--name',
      'onlyoffice-documentserver-notimeout',
      '-v',
      `${hang}:/bin/supervisorctl:ro`,
      'local/notimeout:1',
      'sleep',
      '99999',
    );
    const config = configFrom(
      `docker: { socket: ${engine.socket}, containers: ["onlyoffice-*"], supervisor_interval: 5s, supervisor_timeout: 2s }`,
    );
    const harness = new ScrapeHarness([supervisorCollector], config);
    const lease = acquireEngine(config.docker, silentLogger);
    const names = ['onlyoffice-documentserver', 'onlyoffice-documentserver-notimeout'];
    const stuck = async (name: string) =>
      (await engine.cli('top', name, '-eo', 'pid,args')).split('\n').filter((l) => l.includes('sleep 86400')).length;
    const execIds = async (name: string) =>
      ((JSON.parse(await engine.cli('inspect', '-f', '{{json .ExecIDs}}', name)) as string[] | null) ?? []).length;
    const max = new Map(names.map((n) => [n, 0]));
    const rows: string[] = [];
    try {
      await eventually('the first check', async () => ((await stuck(names[1]!)) === 1 ? true : undefined), 60_000);
      const started = Date.now();
      for (;;) {
        const elapsed = (Date.now() - started) / 1000;
        const counts = await Promise.all(names.map(async (n) => [await stuck(n), await execIds(n)] as const));
        names.forEach((n, i) => max.set(n, Math.max(max.get(n)!, counts[i]![0])));
        if (Math.round(elapsed) % 120 < 30 || elapsed >= minutes * 60) {
          rows.push(
            `| ${Math.round(elapsed)} s | ${counts.map(([p, e]) => `${p} (${e})`).join(' | ')} | ${lease.engine.api.get('exec_create')} |`,
          );
        }
        if (elapsed >= minutes * 60) break;
        await sleep(30_000);
      }
      const { samples } = await harness.scrape();
      console.log(machineLine());
      console.log(
        `supervisorctl hangs (exec sleep); supervisor_interval 5s, supervisor_timeout 2s; ${minutes} min; sampled every 30 s.`,
      );
      const hungState = (n: string) =>
        find(samples, 'onlyoffice_supervisor_check_state', { container: n, state: 'hung' })[0]?.value ?? 'absent';
      console.log(`check_state hung: ${names.map((n) => `${n}=${hungState(n)}`).join(', ')}`);
      console.log(
        `exec calls: create ${lease.engine.api.get('exec_create')}, start ${lease.engine.api.get('exec_start')}, inspect ${lease.engine.api.get('exec_inspect')}, ping ${lease.engine.api.get('ping')}`,
      );
      console.log(
        `max stuck: ${names.map((n) => `${n}=${max.get(n)}`).join(', ')}; series: ${find(samples, 'onlyoffice_supervisor_check_state').length}`,
      );
      console.log('');
      console.log(
        '| elapsed | stuck processes (ExecIDs), timeout in the container | stuck processes (ExecIDs), no working timeout | exec creates so far |',
      );
      console.log('|---|---|---|---|');
      for (const row of rows) console.log(row);
    } finally {
      await lease.release();
      await harness.close();
    }
  } finally {
    await engine.destroy();
  }
}

async function main(): Promise<void> {
  if (mode === 'flap') return flap(Number(process.argv[3] ?? 500), Number(process.argv[4] ?? 60));
  if (mode === 'hung') return hung(Number(process.argv[3] ?? 10));
  const engine = await PrivateEngine.create();
  const rows: string[] = [];
  try {
    let created = 0;
    for (const size of sizes) {
      // Grow the set of matched containers to `size`: the first RUNNING run `sleep`, the rest are only created.
      await createContainers(engine, created, size);
      created = size;

      const config = configFrom(`docker: { socket: ${engine.socket}, containers: ["bench-*"], supervisor: false }`);
      const harness = new ScrapeHarness([dockerCollector], config);
      const lease = acquireEngine(config.docker, silentLogger);
      const { api } = lease.engine;
      let started = performance.now();
      const first = await harness.scrape(60_000);
      const syncMs = performance.now() - started;
      if (!first.text.includes('onlyoffice_scrape_collector_success{collector="docker"} 1'))
        throw new Error('the first scrape failed');
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
      rows.push(
        `| ${size} | ${ms(syncMs)} / ${syncCalls} | ${ms(median(times))} | ${viewCalls} | ${ms(viewCpu)} | ${ms(median(naiveTimes))} | ${median(naiveCalls)} | ${ms(naiveCpu)} |`,
      );
      console.error(rows.at(-1));
    }
  } finally {
    await engine.destroy();
  }
  console.log(machineLine());
  console.log(
    `Scrapes per size: ${scrapes} (naive: ${Math.min(scrapes, 10)}); ${RUNNING} running containers, the rest created; medians.`,
  );
  console.log('');
  console.log(
    '| matched containers | view: first scrape (sync) / API calls | view: scrape | view: API calls per scrape | view: dockerd CPU per scrape | naive: scrape | naive: API calls per scrape | naive: dockerd CPU per scrape |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();
