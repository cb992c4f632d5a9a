// Fleet mode at scale: a real Prometheus discovers N DocumentServers from the daemon's /sd and scrapes each through
// /probe every 15 s (the shipped onlyoffice-fleet job: http_sd_configs, __address__ relabelled to the exporter).
// Measures the exporter's CPU per probe, its RSS over the run (and whether it grows), and scrape_duration_seconds p99.
//   npx tsx bench/fleet.ts [targets, default 200] [measured seconds, default 180] [--write]
// The targets are DS simulators in this process (7.1, 7.5, 8.3, 9.3 in turn; every other one with its own JWT secret),
// each on its own loopback port. Everything runs on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DS_VERSIONS, startDsSimulator, type DsSimulator } from '../test/support/ds-simulator.js';
import { startPrometheus, type PrometheusServer } from '../test/support/prometheus.js';
import { waitFor } from '../test/support/service-process.js';
import {
  cpuMs,
  distribution,
  machine,
  mib,
  ms,
  rssBytes,
  SHIPPED_NODE_FLAGS,
  sleep,
  startDaemon,
  today,
  WRITE,
  writeSection,
} from './lib.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const TARGETS = Number(args[0] ?? 200);
const SECONDS = Number(args[1] ?? 180);
const INTERVAL_S = 15;
const RSS_LIMIT = 150 * 2 ** 20;

async function main(): Promise<void> {
  const sims: DsSimulator[] = [];
  for (let i = 0; i < TARGETS; i++) {
    const version = DS_VERSIONS[i % DS_VERSIONS.length]!;
    sims.push(
      await startDsSimulator({ version, ...(i % 2 === 1 && version !== '7.1' ? { jwtSecret: `secret-${i}` } : {}) }),
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-fleet-'));
  const targets = sims.map((sim, i) => {
    const own = i % 2 === 1 && sim.version !== '7.1';
    return `    - { url: "${sim.url}", name: ds-${String(i).padStart(3, '0')}, jwt: ${own ? `{ secret: secret-${i} }` : 'null'}, labels: { site: s${i % 5} } }`;
  });
  writeFileSync(
    join(dir, 'config.yml'),
    `documentserver: { url: "http://127.0.0.1:9", timeout: 5s }
probe:
  targets:
${targets.join('\n')}
tls: { endpoints: [] }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
  );
  const daemon = await startDaemon([`--config.file=${join(dir, 'config.yml')}`, '--log.level=warn']);
  const exporter = daemon.url.replace('http://', '');
  let prom: PrometheusServer | undefined;
  const rss: { at: number; bytes: number }[] = [];
  let result: string[] = [];
  try {
    prom = await startPrometheus(`global: { scrape_interval: ${INTERVAL_S}s, scrape_timeout: 10s }
scrape_configs:
  - job_name: onlyoffice-fleet
    metrics_path: /probe
    http_sd_configs: [{ url: "http://${exporter}/sd", refresh_interval: 30s }]
    relabel_configs: [{ target_label: __address__, replacement: "${exporter}" }]
`);
    const p = prom;
    // Warm-up: every target discovered and scraped twice (Prometheus spreads the targets over the interval).
    await waitFor('every target scraped twice', 120_000, async () => {
      const counts = await p.query('count_over_time(up{job="onlyoffice-fleet"}[5m])');
      return counts.length === TARGETS && counts.every((s) => Number(s.value[1]) >= 2) ? true : undefined;
    });
    const started = Date.now();
    const cpuBefore = cpuMs(daemon.pid);
    const probesBefore = Number(
      (await p.query('sum(count_over_time(up{job="onlyoffice-fleet"}[1h]))'))[0]?.value[1] ?? 0,
    );
    while (Date.now() - started < SECONDS * 1000) {
      rss.push({ at: (Date.now() - started) / 1000, bytes: rssBytes(daemon.pid) });
      await sleep(5_000);
    }
    const cpu = cpuMs(daemon.pid) - cpuBefore;
    const probes =
      Number((await p.query('sum(count_over_time(up{job="onlyoffice-fleet"}[1h]))'))[0]!.value[1]) - probesBefore;
    const window = `${SECONDS}s`;
    const durations = await rangeValues(p, `scrape_duration_seconds{job="onlyoffice-fleet"}[${window}]`);
    const down = await p.query(`count(min_over_time(up{job="onlyoffice-fleet"}[${window}]) == 0) or vector(0)`);
    const ok = await p.query('count(onlyoffice_command_error{job="onlyoffice-fleet",command="version",code="0"})');
    const heap = await daemon.heap();
    const d = distribution(durations.map((s) => s * 1000));
    const first = rss.slice(0, Math.max(1, Math.floor(rss.length / 4)));
    const last = rss.slice(-Math.max(1, Math.floor(rss.length / 4)));
    const avg = (list: typeof rss) => list.reduce((sum, r) => sum + r.bytes, 0) / list.length;
    const maxRss = Math.max(...rss.map((r) => r.bytes));
    result = [
      "`bench/fleet.ts`: Debian's Prometheus discovers the fleet from the exporter's `/sd` and scrapes every DocumentServer",
      `through \`/probe\` (module documentserver) every ${INTERVAL_S} s, with the shipped job's relabelling. The targets are DS simulators`,
      '(7.1, 7.5, 8.3, 9.3 in turn; every other 7.5+ one signs with its own JWT secret), one loopback port each, in the bench process.',
      `Ours runs as it ships: \`node ${SHIPPED_NODE_FLAGS.join(' ')} dist/main.js\`. CPU per probe: the exporter's user + system time over`,
      'the measured window divided by the probes Prometheus made in it. RSS: /proc/<pid>/status every 5 s.',
      '',
      `- Command: \`npx tsx bench/fleet.ts ${TARGETS} ${SECONDS}\`${WRITE ? ' --write' : ''}`,
      `- Date: ${today()}`,
      `- Machine: ${machine()}`,
      '',
      '| targets | probes measured | CPU per probe | exporter CPU | scrape p50 | p99 | max | RSS max ' +
        '| RSS first quarter → last quarter | heap used after GC | targets down | version answered 0 |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      `| ${TARGETS} | ${probes} | ${ms(cpu / probes, 2)} | ${((cpu / (SECONDS * 1000)) * 100).toFixed(1)} % of a core ` +
        `| ${ms(d.p50)} | ${ms(d.p99)} | ${ms(d.max)} | ${mib(maxRss)} ${maxRss < RSS_LIMIT ? '(< 150 MiB)' : '(OVER 150 MiB)'} ` +
        `| ${mib(avg(first))} → ${mib(avg(last))} | ${mib(heap.heapUsed)} | ${down[0]?.value[1]} | ${ok[0]?.value[1]} |`,
    ];
  } finally {
    await prom?.stop();
    await daemon.stop();
    await Promise.all(sims.map((sim) => sim.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
  const body = result.join('\n');
  console.log(body);
  if (WRITE) writeSection('Fleet: /probe of many DocumentServers discovered through /sd', body);
}

/** Every sample value of a range-vector selector, across its series. */
async function rangeValues(prom: PrometheusServer, selector: string): Promise<number[]> {
  const response = await fetch(`${prom.url}/api/v1/query?${new URLSearchParams({ query: selector })}`);
  const body = (await response.json()) as { data: { result: { values: [number, string][] }[] } };
  return body.data.result.flatMap((series) => series.values.map(([, v]) => Number(v)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
