// /probe of an HTTPS DocumentServer target against Debian's prometheus-blackbox-exporter probing the same target
// (http prober, TLS verified against the same CA), side by side in one run, at 1, 10 and 100 concurrent scrapers.
//   npx tsx bench/probe.ts [requests per level, default 1000] [levels, default 1,10,100] [--write] [--baseline=<git revision>]
//     [--documentserver-only] [--warmup=<probes>]
// --baseline adds the documentserver module of a daemon built from that revision (git archive, same node_modules),
// run side by side with today's: e.g. the module before a check joined it. --documentserver-only runs only the
// documentserver module (today's and the baseline's) and no in-process breakdown: a shorter run, to repeat on a busy box.
// --warmup sets the probes each exporter answers before each level is measured (default: 30, or three per scraper):
// the first level otherwise also measures V8 compiling the daemon's code, which a daemon running for days has done.
// Everything runs on 127.0.0.1: nginx (TLS, as DS's nginx) in front of the DS simulator (8.3), both exporters, the client.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Gauge, type Registry } from 'prom-client';
import { Pool } from 'undici';
import { collectorDefinitions } from '../src/collectors/index.js';
import { parseConfig } from '../src/config/load.js';
import { CollectorHealthLog } from '../src/scrape/health-log.js';
import { runScrape, type NamedCollector } from '../src/scrape/run.js';
import { startDsSimulator } from '../test/support/ds-simulator.js';
import { parseExposition } from '../test/support/exposition.js';
import { freePort } from '../test/support/ports.js';
import { TestPki } from '../test/support/tls-pki.js';
import pino from 'pino';
import {
  SHIPPED_NODE_FLAGS,
  closedLoop,
  cpuMs,
  distribution,
  machine,
  ms,
  ROOT,
  startDaemon,
  startNginxTls,
  stopChild,
  today,
  version,
  waitForPort,
  WRITE,
  writeSection,
  type Distribution,
} from './lib.js';

const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
const BREAKDOWN_RUNS = 300;
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const REQUESTS = Number(args[0] ?? 1000);
const LEVELS = (args[1] ?? '1,10,100').split(',').map(Number);
const WARMUP = Number(process.argv.find((a) => a.startsWith('--warmup='))?.slice('--warmup='.length) ?? 30);
if (!Number.isInteger(WARMUP) || WARMUP < 0) throw new Error('--warmup takes a number of probes');
const DAY = 86_400;
const BASELINE = process.argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);
const DOCUMENTSERVER_ONLY = process.argv.includes('--documentserver-only');
if (WRITE && DOCUMENTSERVER_ONLY)
  throw new Error('--write writes the whole section: run without --documentserver-only');

/** The shipped build of another revision: its tree in the checkout (so bare imports resolve to our node_modules), built. */
function buildRevision(revision: string): { entry: string[]; remove(): void } {
  const tree = mkdtempSync(join(ROOT, '.bench-baseline-'));
  const tar = execFileSync('git', ['archive', '--format=tar', revision], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', tree], { input: tar });
  const out = join(tree, '.build');
  mkdirSync(out);
  execFileSync(process.execPath, ['scripts/build.mjs', out], { cwd: tree });
  return { entry: [join(out, 'main.js')], remove: () => rmSync(tree, { recursive: true, force: true }) };
}

interface Row {
  exporter: string;
  concurrency: number;
  latency: Distribution;
  perSecond: number;
  failures: number;
  cpuMsPerProbe: number;
  firstFailure?: string;
}

async function main(): Promise<void> {
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
    san: 'IP:127.0.0.1,DNS:localhost',
  });
  const ds = await startDsSimulator({ version: '8.3' });
  const nginx = await startNginxTls({ backendPort: ds.port, certChain: leaf.certPem, key: leaf.keyPem });
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-probe-'));
  const target = nginx.url;

  // Ours: the DocumentServer checks /probe runs on an https target (healthcheck, endpoints, build_info, commands,
  // license, tls_endpoints), trusting the bench CA through NODE_EXTRA_CA_CERTS as an operator would.
  writeFileSync(
    join(dir, 'config.yml'),
    `
documentserver: { url: "http://127.0.0.1:9", timeout: 5s }
probe: { targets: ["${target}"] }
tls: { ca_file: "${root.certPath}", endpoints: [] }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
  );
  const ours = await startDaemon([`--config.file=${join(dir, 'config.yml')}`, '--log.level=warn'], {
    NODE_EXTRA_CA_CERTS: root.certPath,
  });
  const baselineBuild = BASELINE === undefined ? undefined : buildRevision(BASELINE);
  const baseline =
    baselineBuild === undefined
      ? undefined
      : await startDaemon(
          [`--config.file=${join(dir, 'config.yml')}`, '--log.level=warn'],
          { NODE_EXTRA_CA_CERTS: root.certPath },
          { entry: baselineBuild.entry, nodeFlags: SHIPPED_NODE_FLAGS },
        );

  // blackbox_exporter: the same target's /healthcheck with DS's body rule, TLS verified against the same CA.
  writeFileSync(
    join(dir, 'blackbox.yml'),
    `modules:
  ds_https:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: [200]
      fail_if_not_ssl: true
      fail_if_body_not_matches_regexp: ["^true$"]
      preferred_ip_protocol: ip4
      tls_config:
        ca_file: ${root.certPath}
`,
  );
  const bbPort = await freePort();
  const bb = spawn(
    BLACKBOX,
    [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let bbLog = '';
  bb.stderr!.on('data', (chunk) => (bbLog += chunk));
  await waitForPort(bbPort, bb, () => bbLog);

  // DS healthy and the certificate verified: what blackbox_exporter's probe_success 1 says here.
  const oursOk = (body: string) =>
    body.includes('\nonlyoffice_healthcheck_up 1\n') && /\nonlyoffice_tls_cert_verified\{[^}]*\} 1\n/.test(body)
      ? undefined
      : 'probe did not succeed';
  // The documentserver module with the co-editing WebSocket: upgraded through the TLS nginx, DS's first frame in.
  const websocketUp = '\nonlyoffice_endpoint_up{endpoint="websocket",via="direct"} 1\n';
  const websocketOk = (body: string) => oursOk(body) ?? (body.includes(websocketUp) ? undefined : 'websocket not up');
  const exporters = [
    {
      // The same check as blackbox_exporter's: /healthcheck is true, and the certificate of the https target.
      name: 'onlyoffice-exporter /probe?module=healthcheck',
      base: ours.url,
      pid: ours.pid,
      path: `/probe?module=healthcheck&target=${encodeURIComponent(target)}`,
      ok: oursOk,
    },
    {
      name: `blackbox_exporter ${version(BLACKBOX, ['--version']).replace(/^blackbox_exporter, version (\S+).*/, '$1')}`,
      base: `http://127.0.0.1:${bbPort}`,
      pid: bb.pid!,
      path: `/probe?module=ds_https&target=${encodeURIComponent(`${target}/healthcheck`)}`,
      ok: (body: string) => (body.includes('\nprobe_success 1\n') ? undefined : 'probe_success is not 1'),
    },
    {
      // Every DS check (five HTTP requests, the co-editing WebSocket and the handshake): more than blackbox_exporter can do.
      name: 'onlyoffice-exporter /probe (module documentserver)',
      base: ours.url,
      pid: ours.pid,
      path: `/probe?target=${encodeURIComponent(target)}`,
      ok: websocketOk,
    },
    ...(baseline === undefined
      ? []
      : [
          {
            name: `onlyoffice-exporter ${BASELINE} /probe (module documentserver)`,
            base: baseline.url,
            pid: baseline.pid,
            path: `/probe?target=${encodeURIComponent(target)}`,
            ok: oursOk,
          },
        ]),
  ];

  const rows: Row[] = [];
  let breakdown: Breakdown[] = [];
  const collectorSeconds = new Map<string, number[]>();
  try {
    for (const concurrency of LEVELS) {
      for (const exporter of exporters) {
        if (DOCUMENTSERVER_ONLY && !exporter.path.startsWith('/probe?target=')) continue;
        // Prometheus keeps its scrape connections open: so does this client, one per scraper.
        const pool = new Pool(exporter.base, { connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
        const once = async (keep: boolean) => {
          const response = await pool.request({
            method: 'GET',
            path: exporter.path,
            headers: { 'x-prometheus-scrape-timeout-seconds': '10' },
          });
          const body = await response.body.text();
          if (response.statusCode !== 200) return `HTTP ${response.statusCode}`;
          if (keep && exporter === exporters[2]) {
            for (const s of parseExposition(body)) {
              if (s.name === 'onlyoffice_scrape_collector_duration_seconds') {
                const list = collectorSeconds.get(`${concurrency}\u0000${s.labels.collector}`) ?? [];
                list.push(s.value * 1000);
                collectorSeconds.set(`${concurrency}\u0000${s.labels.collector}`, list);
              }
            }
          }
          return exporter.ok(body);
        };
        // Every scraper's connection open and in use before measuring, as in a running Prometheus: a burst of 100 new
        // connections (and the upstream ones they cause) is a start-up cost that otherwise lands in the first probes.
        await closedLoop(concurrency, Math.max(WARMUP, 3 * concurrency), () => once(false));
        const cpuBefore = cpuMs(exporter.pid);
        const result = await closedLoop(concurrency, REQUESTS, (index) => once(index % 5 === 0));
        const cpu = cpuMs(exporter.pid) - cpuBefore;
        await pool.close();
        rows.push({
          exporter: exporter.name,
          concurrency,
          latency: distribution(result.latenciesMs),
          perSecond: REQUESTS / result.seconds,
          failures: result.failures,
          cpuMsPerProbe: cpu / REQUESTS,
          firstFailure: result.firstFailure,
        });
        console.error(JSON.stringify(rows.at(-1)));
      }
    }
    // In a child that trusts the bench CA from its start (NODE_EXTRA_CA_CERTS is read once, at process start).
    // Not execFileSync: the DS simulator lives in this process and must keep answering.
    if (!DOCUMENTSERVER_ONLY) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'bench/probe.ts', '--breakdown-child', join(dir, 'config.yml'), target],
        {
          cwd: ROOT,
          env: { ...process.env, NODE_EXTRA_CA_CERTS: root.certPath },
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      breakdown = JSON.parse(stdout) as Breakdown[];
    }
  } finally {
    await ours.stop();
    await baseline?.stop();
    baselineBuild?.remove();
    await stopChild(bb);
    await nginx.stop();
    await ds.stop();
    pki.remove();
    rmSync(dir, { recursive: true, force: true });
  }

  const lines: string[] = [];
  lines.push(
    "`bench/probe.ts`: `/probe` of an HTTPS DocumentServer target, against Debian's `prometheus-blackbox-exporter` probing the",
  );
  lines.push(
    "same target in the same run (its `http` prober on `/healthcheck` with DS's `^true$` body rule, `fail_if_not_ssl`, the",
  );
  lines.push(
    "certificate verified against the same private CA). The target is Debian's nginx terminating TLS (ECDSA P-256) in front",
  );
  lines.push(
    'of the DS simulator (8.3 answers). Closed loop: each scraper sends its next request when the previous answer is in,',
  );
  lines.push(
    'over a kept-alive connection, as Prometheus does. "CPU per probe" is the exporter process\'s user + system time',
  );
  lines.push('(`/proc/<pid>/stat`) over the run divided by the probes. All on 127.0.0.1. Ours runs as it ships:');
  lines.push(`\`node ${SHIPPED_NODE_FLAGS.join(' ')} dist/main.js\`.`);
  lines.push('');
  lines.push(
    `- Command: \`npx tsx bench/probe.ts ${REQUESTS} ${LEVELS.join(',')}${WARMUP === 30 ? '' : ` --warmup=${WARMUP}`} --write\` (${REQUESTS} probes per exporter and level, after warm-up probes by as many scrapers: ${WARMUP} or three per scraper, whichever is more)`,
  );
  lines.push(`- Date: ${today()}`);
  lines.push(`- Machine: ${machine()}; ${version('/usr/sbin/nginx', ['-v'])}`);
  lines.push('');
  lines.push('| scrapers | exporter | p50 | p90 | p99 | max | mean | probes/s | CPU per probe | failed |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const l = row.latency;
    lines.push(
      `| ${row.concurrency} | ${row.exporter} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)} | ${ms(l.mean)} | ${row.perSecond.toFixed(0)} | ${ms(row.cpuMsPerProbe, 2)} | ${row.failures}${row.firstFailure ? ` (${row.firstFailure})` : ''} |`,
    );
  }
  lines.push('');
  lines.push(
    'Ours relative to blackbox_exporter doing the same check (p50 and p90 latency, probes/s), and the full DS probe:',
  );
  lines.push('');
  lines.push('| scrapers | module | p50 ratio | p90 ratio | throughput ratio |');
  lines.push('|---|---|---|---|---|');
  for (const concurrency of LEVELS) {
    const b = rows.find((r) => r.concurrency === concurrency && r.exporter === exporters[1]!.name);
    for (const ours of [exporters[0]!, exporters[2]!]) {
      const a = rows.find((r) => r.concurrency === concurrency && r.exporter === ours.name);
      if (!a || !b) continue;
      const module = ours === exporters[0] ? 'healthcheck' : 'documentserver';
      lines.push(
        `| ${concurrency} | ${module} | ${(a.latency.p50 / b.latency.p50).toFixed(2)}x | ${(a.latency.p90 / b.latency.p90).toFixed(2)}x | ${(a.perSecond / b.perSecond).toFixed(2)}x |`,
      );
    }
  }
  if (BASELINE !== undefined) {
    lines.push('');
    lines.push(`The documentserver module today against the same module built from \`${BASELINE}\`, in the same run:`);
    lines.push('');
    lines.push(
      '| scrapers | p50 today | p50 before | p50 ratio | CPU per probe today | CPU per probe before | CPU ratio |',
    );
    lines.push('|---|---|---|---|---|---|---|');
    for (const concurrency of LEVELS) {
      const now = rows.find((r) => r.concurrency === concurrency && r.exporter === exporters[2]!.name);
      const before = rows.find((r) => r.concurrency === concurrency && r.exporter === exporters[3]!.name);
      if (!now || !before) continue;
      lines.push(
        `| ${concurrency} | ${ms(now.latency.p50)} | ${ms(before.latency.p50)} | ${(now.latency.p50 / before.latency.p50).toFixed(2)}x | ` +
          `${ms(now.cpuMsPerProbe, 2)} | ${ms(before.cpuMsPerProbe, 2)} | ${(now.cpuMsPerProbe / before.cpuMsPerProbe).toFixed(2)}x |`,
      );
    }
  }
  lines.push('');
  lines.push(
    'Where the time of our probe goes: median `onlyoffice_scrape_collector_duration_seconds` per collector (every fifth probe; the',
  );
  lines.push('collectors run concurrently and share one request per URL, so they overlap and do not add up):');
  lines.push('');
  const names = [...new Set([...collectorSeconds.keys()].map((k) => k.split('\u0000')[1]!))].sort();
  lines.push(`| scrapers | ${names.join(' | ')} |`);
  lines.push(`|---|${names.map(() => '---').join('|')}|`);
  for (const concurrency of LEVELS) {
    lines.push(
      `| ${concurrency} | ${names.map((n) => ms(distribution(collectorSeconds.get(`${concurrency}\u0000${n}`) ?? []).p50)).join(' | ')} |`,
    );
  }
  lines.push('');
  lines.push(
    `CPU of the probe by collector, in one process, one probe at a time (${BREAKDOWN_RUNS} probes each after a warm-up): each`,
  );
  lines.push(
    'collector alone, the six together as `/probe` runs them, and the orchestration alone (six collectors that each set one',
  );
  lines.push('gauge, plus serialisation). "Requests" are the HTTP requests and TLS handshakes it makes per probe.');
  lines.push('');
  lines.push('| what runs | requests per probe | CPU per probe | wall per probe |');
  lines.push('|---|---|---|---|');
  for (const b of breakdown) lines.push(`| ${b.what} | ${b.requests} | ${ms(b.cpuMs, 2)} | ${ms(b.wallMs, 2)} |`);
  const text = lines.join('\n');
  console.log(text);
  if (WRITE) writeSection('Probe latency against blackbox_exporter', text);
}

interface Breakdown {
  what: string;
  requests: string;
  cpuMs: number;
  wallMs: number;
}

const REQUESTS_OF: Record<string, string> = {
  healthcheck: 'GET /healthcheck',
  endpoints: 'GET /healthcheck, /index.html, api.js; POST version; 1 WebSocket',
  websocket: '1 WebSocket (shared with endpoints)',
  build_info: 'POST version, GET info.json, /index.html',
  commands: 'POST version, license, getForgottenList',
  license: 'GET info.json, POST license',
  tls_endpoints: '1 TLS handshake, chain walk',
};

/** Child mode: CPU per probe of each /probe collector alone, all together, and the orchestration alone. */
async function breakdownChild(configPath: string, target: string): Promise<void> {
  const logger = pino({ level: 'silent' });
  const config = parseConfig(readFileSync(configPath, 'utf8'), configPath);
  const probeTarget = { ...config.documentserver, url: target, public_url: undefined };
  const healthLog = new CollectorHealthLog(logger);
  const measure = async (what: string, requests: string, collectors: NamedCollector[]): Promise<Breakdown> => {
    const once = async () => {
      const registry = await runScrape({
        collectors,
        config,
        target: probeTarget,
        scope: 'probe',
        budgetMs: 9500,
        logger,
        healthLog,
      });
      return registry.metrics();
    };
    for (let i = 0; i < 30; i++) await once();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < BREAKDOWN_RUNS; i++) await once();
    const cpu = process.cpuUsage(cpu0);
    return {
      what,
      requests,
      cpuMs: (cpu.user + cpu.system) / 1000 / BREAKDOWN_RUNS,
      wallMs: (performance.now() - t0) / BREAKDOWN_RUNS,
    };
  };
  const probeCollectors = collectorDefinitions
    .filter((d) => d.scopes.includes('probe'))
    .map((d) => ({ name: d.name, collector: d.create(config, logger)! }));
  const results: Breakdown[] = [];
  for (const c of probeCollectors) results.push(await measure(`${c.name} alone`, REQUESTS_OF[c.name] ?? '?', [c]));
  results.push(
    await measure(
      `all ${probeCollectors.length} (what /probe runs)`,
      '5 HTTP (shared), 1 WebSocket, 1 TLS handshake',
      probeCollectors,
    ),
  );
  const trivial = Array.from({ length: 6 }, (_, i) => ({
    name: `noop${i}`,
    collector: {
      collect: async (ctx: { registry: Registry }) =>
        void new Gauge({ name: `noop_${i}`, help: 'h', registers: [ctx.registry] }).set(1),
    },
  })) as unknown as NamedCollector[];
  results.push(await measure('orchestration alone (6 trivial collectors)', 'none', trivial));
  await Promise.all(probeCollectors.map((c) => c.collector.close?.()));
  process.stdout.write(JSON.stringify(results));
}

if (process.argv[2] === '--breakdown-child') await breakdownChild(process.argv[3]!, process.argv[4]!);
else await main();
