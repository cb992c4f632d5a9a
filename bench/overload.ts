// 1,000 /metrics requests at once against the daemon as shipped (dist/ build, the node flags of scripts/start.sh)
// watching a healthy DS simulator in its own process: the answers by status, and the "false down" verdicts, i.e.
// answers that say DocumentServer is down (onlyoffice_healthcheck_up 0, a DS collector failed) while it is healthy.
// Run without a limit (--web.max-requests=0: every request starts a scrape, as before the flag) and with the default
// limit (40). Then 40 /probe requests at once, five times, of a target that answers every request with 16 MiB
// (the simulator's `oversized` fault): the daemon's peak RSS without and with --web.max-response-bytes-in-flight.
//   npx tsx bench/overload.ts [requests, default 1000] [--write]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { parseExposition, type Sample } from '../test/support/exposition.js';
import { freePort } from '../test/support/ports.js';
import {
  distribution,
  machine,
  mib,
  ms,
  ROOT,
  rssBytes,
  startDaemon,
  stopChild,
  today,
  waitForPort,
  WRITE,
  writeSection,
} from './lib.js';

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
  const dsFailed = samples.some(
    (s) =>
      s.name === 'onlyoffice_scrape_collector_success' &&
      DS_COLLECTORS.includes(s.labels.collector ?? '') &&
      s.value !== 1,
  );
  return { healthUp: health?.value === 1, dsFailed };
}

async function startSimulator(fault?: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const args = [
    '--import',
    'tsx',
    'scripts/simulator.ts',
    `--port=${port}`,
    '--version=8.3',
    ...(fault ? [`--fault=${fault}`] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const run: Run = {
    label,
    statuses: new Map(),
    up: 0,
    falseDown: 0,
    dsCollectorFailed: 0,
    late: 0,
    latenciesMs: [],
    maxRssBytes: 0,
    wallSeconds: 0,
    refusedCounter: 0,
  };
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
      if (status !== 200 || !verdict(parseExposition(text)).healthUp)
        throw new Error(`the daemon does not see the simulator healthy before the load:\n${text}`);
    }
    const sampler = setInterval(() => {
      try {
        run.maxRssBytes = Math.max(run.maxRssBytes, rssBytes(daemon.pid));
      } catch {
        // gone
      }
    }, 50);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: REQUESTS }, async () => {
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
      }),
    );
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

const PROBES = 40;
const PROBE_ROUNDS = 5;

interface ProbeRun {
  label: string;
  statuses: Map<string, number>;
  maxRssBytes: number;
  overBudget: number;
  tooLarge: number;
}

/** PROBE_ROUNDS bursts of PROBES /probe requests at once against a target whose every answer is 16 MiB. */
async function probeHuge(label: string, args: string[], configPath: string, target: string): Promise<ProbeRun> {
  const daemon = await startDaemon([`--config.file=${configPath}`, '--log.level=error', ...args]);
  const client = new Agent({ connections: PROBES + 10, pipelining: 0 });
  const run: ProbeRun = {
    label,
    statuses: new Map(),
    maxRssBytes: rssBytes(daemon.pid),
    overBudget: NaN,
    tooLarge: NaN,
  };
  const sampler = setInterval(() => {
    try {
      run.maxRssBytes = Math.max(run.maxRssBytes, rssBytes(daemon.pid));
    } catch {
      // gone
    }
  }, 20);
  try {
    for (let round = 0; round < PROBE_ROUNDS; round++) {
      await Promise.all(
        Array.from({ length: PROBES }, async () => {
          const response = await request(`${daemon.url}/probe?target=${encodeURIComponent(target)}`, {
            headers: { 'x-prometheus-scrape-timeout-seconds': String(TIMEOUT_SECONDS) },
            signal: AbortSignal.timeout(120_000),
            dispatcher: client,
          });
          await response.body.text();
          const key = String(response.statusCode);
          run.statuses.set(key, (run.statuses.get(key) ?? 0) + 1);
        }),
      );
    }
    clearInterval(sampler);
    const samples = parseExposition(await (await request(`${daemon.url}/metrics`, { dispatcher: client })).body.text());
    run.overBudget =
      samples.find((s) => s.name === 'onlyoffice_scrape_responses_over_bytes_in_flight_total')?.value ?? NaN;
    run.tooLarge = samples.find((s) => s.name === 'onlyoffice_scrape_response_bodies_too_large_total')?.value ?? NaN;
  } finally {
    clearInterval(sampler);
    await client.close();
    await daemon.stop();
  }
  return run;
}

function describeProbe(run: ProbeRun): string {
  const statuses = [...run.statuses]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  return `| ${run.label} | ${statuses} | **${mib(run.maxRssBytes)}** | ${run.tooLarge} | ${run.overBudget} |`;
}

function describe(run: Run): string[] {
  const latency = distribution(run.latenciesMs);
  const statuses = [...run.statuses]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  return [
    `| ${run.label} | ${statuses} | ${run.up} | **${run.falseDown}** | ${run.dsCollectorFailed} | ${run.late} | ${ms(latency.p50, 0)} / ${ms(latency.max, 0)} | ` +
      `${run.wallSeconds.toFixed(1)} s | ${mib(run.maxRssBytes)} | ${run.refusedCounter} |`,
  ];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-overload-'));
  const simulator = await startSimulator();
  const configPath = join(dir, 'config.yml');
  // The DocumentServer checks only: the verdicts counted are about the DS, which is healthy throughout.
  writeFileSync(
    configPath,
    `
documentserver: { url: "${simulator.url}" }
docker: { enabled: false }
disk: { paths: [] }
tls: { endpoints: [], files: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
  );
  const runs: Run[] = [];
  try {
    for (const [label, args] of [
      ['no limit (`--web.max-requests=0`, as before)', ['--web.max-requests=0']],
      ['`--web.max-requests=40` (default)', []],
    ] as const) {
      console.error(`${label}: ${REQUESTS} concurrent /metrics ...`);
      const run = await overload(label, [...args], configPath);
      runs.push(run);
      console.error(describe(run).join('\n'));
    }
  } finally {
    await stopChild(simulator.child);
  }
  const huge = await startSimulator('oversized');
  const probeRuns: ProbeRun[] = [];
  const probeConfig = join(dir, 'probe.yml');
  // max_body_bytes 16 MiB: every answer is read whole, the most a configuration lets one answer hold. (With the
  // default 1 MiB cap, each answer is refused at 1 MiB and the reads seldom overlap: the bytes limit is hardly reached.)
  writeFileSync(
    probeConfig,
    `
documentserver: { url: "http://127.0.0.1:9", max_body_bytes: ${16 * 1024 * 1024} }
probe: { targets: ["${huge.url}"] }
docker: { enabled: false }
disk: { paths: [] }
tls: { endpoints: [], files: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
  );
  try {
    for (const [label, args] of [
      ['no bytes limit (`--web.max-response-bytes-in-flight=0`, as before)', ['--web.max-response-bytes-in-flight=0']],
      ['`--web.max-response-bytes-in-flight=268435456` (256 MiB)', ['--web.max-response-bytes-in-flight=268435456']],
      ['`--web.max-response-bytes-in-flight` default (64 MiB)', []],
    ] as const) {
      console.error(`${label}: ${PROBE_ROUNDS} x ${PROBES} concurrent /probe of 16 MiB answers ...`);
      const run = await probeHuge(label, [...args], probeConfig, huge.url);
      probeRuns.push(run);
      console.error(describeProbe(run));
    }
  } finally {
    await stopChild(huge.child);
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
    '',
    `${PROBE_ROUNDS} rounds of ${PROBES} \`/probe\` requests at once (module \`documentserver\`) of a target whose every answer is 16 MiB`,
    "(the simulator's `oversized` fault) and `documentserver.max_body_bytes` 16 MiB, so that every answer is read whole; peak RSS of",
    'the daemon sampled every 20 ms. What the bytes limit does not hold: answers read whole, as strings, until their check is done.',
    '',
    '| daemon | answers by status | peak RSS | bodies over their cap (counter) | answers over the bytes in flight (counter) |',
    '|---|---|---|---|---|',
    ...probeRuns.map(describeProbe),
  ].join('\n');
  console.log(text);
  if (WRITE) writeSection('Overload: 1,000 concurrent scrapes', text);
}

await main();
