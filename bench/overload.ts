// 1,000 /metrics requests at once against the daemon as shipped (dist/ build, the node flags of scripts/start.sh)
// watching a healthy DS simulator in its own process: the answers by status, and the "false down" verdicts, i.e.
// answers that say DocumentServer is down (onlyoffice_healthcheck_up 0, a DS collector failed) while it is healthy.
// Run without a limit (--web.max-requests=0: every request starts a scrape, as before the flag) and with the default
// limit (40).
//   npx tsx bench/overload.ts [requests, default 1000] [--write]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { parseExposition, type Sample } from '../test/support/exposition.js';
import { freePort } from '../test/support/ports.js';
import { distribution, machine, mib, ms, ROOT, rssBytes, startDaemon, stopChild, today, waitForPort, WRITE, writeSection } from './lib.js';

const REQUESTS = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 1000);
/** What Prometheus announces (its scrape_timeout); an answer later than this is a failed scrape for Prometheus. */
const TIMEOUT_SECONDS = 10;
const DS_COLLECTORS = ['healthcheck', 'endpoints', 'build_info', 'commands', 'license'];

interface Run {
  label: string;
  statuses: Map<string, number>;
  /** 200 answers, by verdict on DocumentServer. */
  up: number;
  falseDown: number;
  /** 200 answers where a DS collector failed (success 0) though healthcheck_up may be 1. */
  dsCollectorFailed: number;
  late: number;
  latenciesMs: number[];
  maxRssBytes: number;
  wallSeconds: number;
  refusedCounter: number;
}

function verdict(samples: Sample[]): { healthUp: boolean; dsFailed: boolean } {
  const health = samples.find((s) => s.name === 'onlyoffice_healthcheck_up');
  const dsFailed = samples.some((s) => s.name === 'onlyoffice_scrape_collector_success' && DS_COLLECTORS.includes(s.labels.collector ?? '') && s.value !== 1);
  return { healthUp: health?.value === 1, dsFailed };
}

async function startSimulator(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/simulator.ts', `--port=${port}`, '--version=8.3'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));
  await waitForPort(port, child, () => log);
  return { url: `http://127.0.0.1:${port}`, child };
}

async function overload(label: string, args: string[], configPath: string): Promise<Run> {
  const daemon = await startDaemon([`--config.file=${configPath}`, '--log.level=error', ...args]);
  // One connection per request, as 1,000 scrapers would have.
  const client = new Agent({ connections: REQUESTS + 10, pipelining: 0 });
  const run: Run = { label, statuses: new Map(), up: 0, falseDown: 0, dsCollectorFailed: 0, late: 0, latenciesMs: [], maxRssBytes: 0, wallSeconds: 0, refusedCounter: 0 };
  const scrape = async () => {
    const response = await request(`${daemon.url}/metrics`, {
      headers: { 'x-prometheus-scrape-timeout-seconds': String(TIMEOUT_SECONDS) },
      signal: AbortSignal.timeout(120_000),
      dispatcher: client,
    });
    return { status: response.statusCode, text: await response.body.text() };
  };
  try {
    // Settled and healthy before the load: a false down below is the load's doing.
    for (let i = 0; i < 3; i++) {
      const { status, text } = await scrape();
      if (status !== 200 || !verdict(parseExposition(text)).healthUp) throw new Error(`the daemon does not see the simulator healthy before the load:\n${text}`);
    }
    const sampler = setInterval(() => {
      try {
        run.maxRssBytes = Math.max(run.maxRssBytes, rssBytes(daemon.pid));
      } catch {
        // gone
      }
    }, 50);
    const started = performance.now();
    await Promise.all(Array.from({ length: REQUESTS }, async () => {
      const t0 = performance.now();
      let key: string;
      try {
        const { status, text } = await scrape();
        key = String(status);
        if (status === 200) {
          const v = verdict(parseExposition(text));
          if (v.healthUp) run.up++;
          else run.falseDown++;
          if (v.dsFailed) run.dsCollectorFailed++;
        }
      } catch (error) {
        key = `error: ${(error as Error).message}`;
      }
      const elapsed = performance.now() - t0;
      run.latenciesMs.push(elapsed);
      if (elapsed > TIMEOUT_SECONDS * 1000) run.late++;
      run.statuses.set(key, (run.statuses.get(key) ?? 0) + 1);
    }));
    run.wallSeconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const after = await scrape();
    const samples = parseExposition(after.text);
    if (!verdict(samples).healthUp) throw new Error('the simulator is not healthy after the load');
    run.refusedCounter = samples.find((s) => s.name === 'onlyoffice_exporter_scrapes_refused_total')?.value ?? NaN;
  } finally {
    await client.close();
    await daemon.stop();
  }
  return run;
}

function describe(run: Run): string[] {
  const latency = distribution(run.latenciesMs);
  const statuses = [...run.statuses].sort(([a], [b]) => a.localeCompare(b)).map(([status, count]) => `${status}: ${count}`).join(', ');
  return [
    `| ${run.label} | ${statuses} | ${run.up} | **${run.falseDown}** | ${run.dsCollectorFailed} | ${run.late} | ${ms(latency.p50, 0)} / ${ms(latency.max, 0)} | `
      + `${run.wallSeconds.toFixed(1)} s | ${mib(run.maxRssBytes)} | ${run.refusedCounter} |`,
  ];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-overload-'));
  const simulator = await startSimulator();
  const configPath = join(dir, 'config.yml');
  // The DocumentServer checks only: the verdicts counted are about the DS, which is healthy throughout.
  writeFileSync(configPath, `
documentserver: { url: "${simulator.url}" }
docker: { enabled: false }
disk: { paths: [] }
tls: { endpoints: [], files: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`);
  const runs: Run[] = [];
  try {
    for (const [label, args] of [['no limit (`--web.max-requests=0`, as before)', ['--web.max-requests=0']], ['`--web.max-requests=40` (default)', []]] as const) {
      console.error(`${label}: ${REQUESTS} concurrent /metrics ...`);
      const run = await overload(label, [...args], configPath);
      runs.push(run);
      console.error(describe(run).join('\n'));
    }
  } finally {
    await stopChild(simulator.child);
    rmSync(dir, { recursive: true, force: true });
  }
  const text = [
    `\`bench/overload.ts\`: ${REQUESTS} \`/metrics\` requests at once (one connection each, \`X-Prometheus-Scrape-Timeout-Seconds: ${TIMEOUT_SECONDS}\`)`,
    'against the daemon as shipped (dist/ build, the node flags of scripts/start.sh), watching the DS simulator (8.3) in its own',
    'process, healthy throughout (checked before and after). DocumentServer checks only (healthcheck, endpoints, build_info, commands,',
    'license). "False down": a 200 answer with `onlyoffice_healthcheck_up` 0; "DS check failed": a 200 answer where one of those',
    `collectors has success 0. "Late": answered after ${TIMEOUT_SECONDS} s, which Prometheus would have recorded as a failed scrape.`,
    '',
    `- Command: \`npx tsx bench/overload.ts ${REQUESTS}\``,
    `- Date: ${today()}`,
    `- Machine: ${machine()}`,
    '',
    '| daemon | answers by status | 200 and up | 200 and false down | 200, a DS check failed | late | latency p50 / max | wall | max RSS | refused counter |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...runs.flatMap(describe),
  ].join('\n');
  console.log(text);
  if (WRITE) writeSection('Overload: 1,000 concurrent scrapes', text);
}

await main();
