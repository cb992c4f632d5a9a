// Soak: /metrics scraped 10 times a second (and /probe once a second) while the DocumentServer target flaps between
// healthy and each fault of the simulator, in turn; after every healthy phase, the daemon's heap (after a full GC),
// RSS, file descriptors, sockets and live timers. Nothing may grow from cycle to cycle.
//   npx tsx bench/soak.ts [seconds, default 300; the issue asks for 3600] [seconds per phase, default 15] [--write]
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startDsSimulator, type DsFault } from '../test/support/ds-simulator.js';
import { startNginx } from '../test/support/nginx.js';
import { freePort } from '../test/support/ports.js';
import {
  buildShipped,
  fds,
  machine,
  mib,
  rssBytes,
  SHIPPED_NODE_FLAGS,
  sleep,
  startDaemon,
  tcpSockets,
  today,
  WRITE,
  writeSection,
} from './lib.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const SECONDS = Number(args[0] ?? 300);
const PHASE_SECONDS = Number(args[1] ?? 15);
const FAULTS: DsFault[] = [
  'rabbitmq_down',
  'rabbitmq_frozen',
  'postgres_down',
  'postgres_frozen',
  'postgres_down_crash',
  'redis_down',
  'info_forbidden',
  'garbage',
  'oversized',
];
const JWT = 'soak-jwt-secret';
// Prometheus' usual scrape timeout; the frozen faults make /healthcheck hang until documentserver.timeout.
const SCRAPE_TIMEOUT_SECONDS = 5;

interface Sample {
  elapsed: number;
  after: string;
  scrapes: number;
  rss: number;
  heapUsed: number;
  fds: number;
  sockets: number;
  /** Connections Prometheus-side clients opened to the daemon (kept alive by the scrapers, not the daemon's doing). */
  inbound: number;
  /** Connections the daemon opened: to DS directly, through nginx, and anything else. */
  toDs: number;
  toNginx: number;
  otherOut: number;
  timers: number;
  /** Every live timer, unref'd ones included. */
  liveTimers: number;
  handles: Record<string, number>;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-soak-'));
  const ds = await startDsSimulator({ version: '8.3', jwtSecret: JWT });
  const nginx = await startNginx({ backendPort: ds.port });
  const statsdPort = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    `
documentserver: { url: "${ds.url}", public_url: "${nginx.url}", jwt: { secret: "${JWT}" }, timeout: 3s }
probe: { targets: ["${ds.url}"] }
statsd: { listen: "udp://127.0.0.1:${statsdPort}" }
disk: { paths: ["${dir}"] }
docker: { enabled: false }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
  );
  // As it ships: plain node on the dist/ build with the flags of npm start and the image.
  const build = buildShipped();
  // The soak counts live timers, unref'd ones included: the async_hooks hook that does it is on here only.
  const daemon = await startDaemon(
    [`--config.file=${join(dir, 'config.yml')}`, '--log.level=warn'],
    { BENCH_TRACK_TIMERS: '1' },
    build.how,
  );
  const agent = new Agent({ connections: 64, keepAliveTimeout: 4_000 });
  const udp = createSocket('udp4');
  const outcomes = { ok: 0, degraded: 0, failed: 0, late: 0 };
  let scrapes = 0;
  let running = true;
  const inFlight = new Set<Promise<void>>();

  const scrape = (path: string) => {
    const t0 = performance.now();
    const done = request(`${daemon.url}${path}`, {
      dispatcher: agent,
      headers: { 'x-prometheus-scrape-timeout-seconds': String(SCRAPE_TIMEOUT_SECONDS) },
    })
      .then(
        async (response) => {
          const body = await response.body.text();
          scrapes++;
          if (response.statusCode !== 200) outcomes.failed++;
          else if (body.includes('\nonlyoffice_healthcheck_up 1\n')) outcomes.ok++;
          else outcomes.degraded++;
          if (performance.now() - t0 > SCRAPE_TIMEOUT_SECONDS * 1000) outcomes.late++;
        },
        () => {
          outcomes.failed++;
        },
      )
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  const load = (async () => {
    let tick = 0;
    while (running) {
      scrape('/metrics');
      if (tick % 10 === 0) scrape(`/probe?target=${encodeURIComponent(ds.url)}`);
      if (tick % 5 === 0)
        udp.send(
          `ds.coauth.openDocument.open:${tick % 300}|ms\nds.expireDoc.connections.edit:${tick % 7}|g`,
          statsdPort,
          '127.0.0.1',
        );
      tick++;
      await sleep(100);
    }
  })();

  const samples: Sample[] = [];
  const sample = async (after: string) => {
    const heap = await daemon.heap();
    const descriptors = fds(daemon.pid);
    const tcp = tcpSockets(daemon.pid).filter((t) => t.state !== '0A');
    const daemonPort = Number(new URL(daemon.url).port);
    samples.push({
      elapsed: (performance.now() - started) / 1000,
      after,
      scrapes,
      rss: rssBytes(daemon.pid),
      heapUsed: heap.heapUsed,
      fds: descriptors.total,
      sockets: descriptors.sockets,
      inbound: tcp.filter((t) => t.localPort === daemonPort).length,
      toDs: tcp.filter((t) => t.remotePort === ds.port).length,
      toNginx: tcp.filter((t) => t.remotePort === nginx.port).length,
      otherOut: tcp.filter((t) => t.localPort !== daemonPort && t.remotePort !== ds.port && t.remotePort !== nginx.port)
        .length,
      timers: heap.resources.Timeout ?? 0,
      liveTimers: heap.liveTimers ?? Number.NaN,
      handles: heap.resources,
    });
    console.error(JSON.stringify(samples.at(-1)));
  };

  const started = performance.now();
  let phase = 0;
  try {
    // Phases: healthy, fault, healthy, next fault, ... A sample is taken at the end of each healthy phase.
    await sleep(PHASE_SECONDS * 1000);
    await sample('start (healthy)');
    while ((performance.now() - started) / 1000 + 2 * PHASE_SECONDS <= SECONDS) {
      const fault = FAULTS[phase % FAULTS.length]!;
      ds.setFault(fault);
      await sleep(PHASE_SECONDS * 1000);
      ds.setFault('none');
      // The crash fault stops docservice, as the capture shows; an operator (systemd, supervisor) starts it again.
      if (fault === 'postgres_down_crash') await ds.start();
      ds.requests.length = 0;
      await sleep(PHASE_SECONDS * 1000);
      await sample(`${fault}, then healthy`);
      phase++;
    }
  } finally {
    running = false;
    await load;
    await Promise.allSettled([...inFlight]);
    udp.close();
    await agent.close();
    await daemon.stop();
    await nginx.stop();
    await ds.stop();
    build.remove();
    rmSync(dir, { recursive: true, force: true });
  }

  const first = samples[0]!;
  const last = samples.at(-1)!;
  const handleTypes = [...new Set(samples.flatMap((s) => Object.keys(s.handles)))].sort();
  const lines: string[] = [];
  lines.push(
    "`bench/soak.ts`: the daemon scraped on `/metrics` 10 times a second and on `/probe` once a second (Prometheus'",
  );
  lines.push(
    `timeout header ${SCRAPE_TIMEOUT_SECONDS} s), StatsD lines arriving, while the DS simulator (8.3, JWT) flaps: ${PHASE_SECONDS} s healthy, ${PHASE_SECONDS} s of the next`,
  );
  lines.push(
    'fault of the fault table (RabbitMQ down and frozen, PostgreSQL down, frozen and crashed, Redis down, /info forbidden,',
  );
  lines.push(
    "garbage and 16 MiB bodies), and so on. DS is reached directly and through Debian's nginx (`public_url`). At the end of",
  );
  lines.push(
    "every healthy phase: the daemon's heap after a full GC, RSS, open file descriptors (sockets among them) and live",
  );
  lines.push(
    'handles by type, from `bench/heap-probe.ts` and `/proc/<pid>`; here, and in no other benchmark, the probe also counts',
  );
  lines.push(
    'every live timer with an async_hooks hook, which makes Node track the end of every promise (CPU and memory).',
  );
  lines.push('');
  lines.push(
    `- Command: \`npx tsx bench/soak.ts ${SECONDS} ${PHASE_SECONDS} --write\` (${Math.round(SECONDS / 60)} minutes)`,
  );
  lines.push(`- Daemon: \`node ${SHIPPED_NODE_FLAGS.join(' ')} dist/main.js\`, as \`npm start\` and the image run it`);
  lines.push(`- Date: ${today()}`);
  lines.push(`- Machine: ${machine()}`);
  lines.push(
    `- Scrapes: ${scrapes.toLocaleString('en-US')} (${outcomes.ok.toLocaleString('en-US')} with DS up, ${outcomes.degraded.toLocaleString('en-US')} showing the fault, ${outcomes.failed} failed requests, ${outcomes.late} answered after the announced timeout)`,
  );
  lines.push('');
  lines.push(
    'TCP connections are the daemon\'s sockets matched by inode to `/proc/<pid>/net/tcp`: "from scrapers" are the benchmark\'s',
  );
  lines.push(
    "kept-alive connections to the daemon (the client's pool, not the daemon's doing; they grow after a fault makes",
  );
  lines.push(
    'scrapes overlap); "to DS", "to nginx" and "other" are the ones the daemon opened. "Timers (all)" counts every live timer,',
  );
  lines.push(
    "unref'd ones included (async_hooks, from creation to end); the other handle columns are Node's own count of ref'd ones.",
  );
  lines.push(
    `One row per cycle through the ${FAULTS.length} faults (the healthy phase after the last fault of the cycle), plus the first sample.`,
  );
  lines.push('');
  lines.push(
    `| after | elapsed | scrapes | RSS | heap used (after GC) | fds | TCP from scrapers | TCP to DS | TCP to nginx | other TCP | timers (all) | ${handleTypes.join(' | ')} |`,
  );
  lines.push(`|---|---|---|---|---|---|---|---|---|---|---|${handleTypes.map(() => '---').join('|')}|`);
  const shown = samples.filter(
    (_, index) => index === 0 || index % FAULTS.length === 0 || index === samples.length - 1,
  );
  for (const s of shown) {
    lines.push(
      `| ${s.after} | ${s.elapsed.toFixed(0)} s | ${s.scrapes.toLocaleString('en-US')} | ${mib(s.rss)} | ${mib(s.heapUsed)} | ${s.fds} | ${s.inbound} | ${s.toDs} | ${s.toNginx} | ${s.otherOut} | ${s.liveTimers} | ${handleTypes.map((t) => s.handles[t] ?? 0).join(' | ')} |`,
    );
  }
  const range = (values: number[], format: (v: number) => string) =>
    `${format(Math.min(...values))} to ${format(Math.max(...values))}`;
  lines.push('');
  lines.push(
    `Over all ${samples.length} healthy samples: heap ${range(
      samples.map((s) => s.heapUsed),
      mib,
    )}, RSS ${range(
      samples.map((s) => s.rss),
      mib,
    )}, ` +
      `connections the daemon opened ${range(
        samples.map((s) => s.toDs + s.toNginx + s.otherOut),
        String,
      )}, timers (all) ${range(
        samples.map((s) => s.liveTimers),
        String,
      )}.`,
  );
  lines.push('');
  lines.push(
    `First to last healthy sample: heap ${mib(first.heapUsed)} → ${mib(last.heapUsed)}, RSS ${mib(first.rss)} → ${mib(last.rss)}, fds ${first.fds} → ${last.fds}, ` +
      `connections the daemon opened ${first.toDs + first.toNginx + first.otherOut} → ${last.toDs + last.toNginx + last.otherOut}, timers (all) ${first.liveTimers} → ${last.liveTimers}.`,
  );
  const text = lines.join('\n');
  console.log(text);
  if (WRITE) writeSection('Soak with a flapping target', text);
}

await main();
