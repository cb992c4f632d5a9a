// Shared helpers for the benchmarks: the machine, load generation, process figures from /proc, nginx with TLS,
// and writing one section of docs/BENCHMARKS.md. Benchmarks only: nothing here is imported by src/ or tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/ports.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCHMARKS_MD = join(ROOT, 'docs/BENCHMARKS.md');

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One line about the machine, for the results. */
export function machine(): string {
  const cpu = cpus();
  const cgroup =
    readSafe('/proc/self/cgroup').includes('0::/') && !readSafe('/proc/self/cgroup').includes(':memory:')
      ? 'cgroup v2'
      : 'cgroup v1';
  return `${cpu.length} vCPU ${cpu[0]?.model.trim() ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, ${cgroup}; Node ${process.version}`;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function readSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Distribution {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length);
  return {
    count: sorted.length,
    mean,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

export const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;

export interface LoadResult {
  latenciesMs: number[];
  failures: number;
  seconds: number;
  firstFailure?: string;
}

/**
 * Closed-loop load: `concurrency` workers each send the next request as soon as their previous one is answered,
 * until `requests` have been sent. `run` returns an error text for a failed request.
 */
export async function closedLoop(
  concurrency: number,
  requests: number,
  run: (index: number) => Promise<string | undefined>,
): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const index = next++;
        const t0 = performance.now();
        let error: string | undefined;
        try {
          error = await run(index);
        } catch (caught) {
          error = (caught as Error).message;
        }
        latenciesMs.push(performance.now() - t0);
        if (error !== undefined) {
          failures++;
          firstFailure ??= error;
        }
      }
    }),
  );
  return { latenciesMs, failures, seconds: (performance.now() - started) / 1000, firstFailure };
}

/** CPU time (user + system) a process has used, in ms (USER_HZ 100). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** Open file descriptors of a process, by kind (socket, pipe, anon_inode, file). */
export function fds(pid: number): { total: number; sockets: number; pipes: number; other: number } {
  let sockets = 0;
  let pipes = 0;
  let other = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target.startsWith('socket:')) sockets++;
    else if (target.startsWith('pipe:')) pipes++;
    else other++;
  }
  return { total: sockets + pipes + other, sockets, pipes, other };
}

export interface TcpSocket {
  localPort: number;
  remotePort: number;
  /** /proc/net/tcp state: 01 ESTABLISHED, 0A LISTEN, 06 TIME_WAIT, 08 CLOSE_WAIT, ... */
  state: string;
}

/** The TCP sockets a process holds (its socket fds matched to /proc/net/tcp and tcp6 by inode). */
export function tcpSockets(pid: number): TcpSocket[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const out: TcpSocket[] = [];
  for (const table of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    for (const line of readSafe(table).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9]!)) continue;
      out.push({
        localPort: parseInt(f[1]!.split(':')[1]!, 16),
        remotePort: parseInt(f[2]!.split(':')[1]!, 16),
        state: f[3]!,
      });
    }
  }
  return out;
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export interface NginxTls {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Debian's nginx terminating TLS in front of a docservice (the DS simulator), as DS's own nginx does with
 * ds-ssl.conf: api.js from disk, everything else proxied with keep-alive to the backend.
 */
export async function startNginxTls(options: {
  backendPort: number;
  certChain: string;
  key: string;
}): Promise<NginxTls> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-nginx-'));
  const port = await freePort();
  writeFileSync(join(dir, 'chain.pem'), options.certChain);
  writeFileSync(join(dir, 'key.pem'), options.key, { mode: 0o600 });
  writeFileSync(join(dir, 'api.js'), 'window.DocsAPI = window.DocsAPI || {};\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/cb; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;
  upstream docservice { server 127.0.0.1:${options.backendPort}; keepalive 64; }
  map $http_upgrade $proxy_connection { default upgrade; "" ""; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $http_host;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${dir}/chain.pem;
    ssl_certificate_key ${dir}/key.pem;
    location = /web-apps/apps/api/documents/api.js { alias ${dir}/api.js; }
    location / { proxy_pass http://docservice; }
    # The co-editing WebSocket, upgraded as DS's nginx does (an empty Connection keeps the upstream keep-alive otherwise).
    location /doc/ {
      proxy_pass http://docservice;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $proxy_connection;
      proxy_set_header Host $http_host;
    }
  }
}
`,
  );
  const child = spawn('/usr/sbin/nginx', ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  await waitForPort(port, child, () => `${stderr}${readSafe(join(dir, 'error.log'))}`);
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until something accepts TCP on 127.0.0.1:port, or the child exits. */
export async function waitForPort(
  port: number,
  child: ChildProcess,
  log: () => string,
  timeoutMs = 20_000,
): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms:\n${log()}`);
    await sleep(50);
  }
}

/** SIGTERM by PID, SIGKILL after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface Daemon {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  output(): string;
  /** process.memoryUsage() after a full GC and the live handles by type, from the preloaded bench/heap-probe.ts. */
  heap(): Promise<HeapReport>;
  stop(): Promise<void>;
}

export interface HeapReport {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  resources: Record<string, number>;
  /**
   * Every timer alive, unref'd ones included (async_hooks), where `resources` counts only ref'd ones; null unless the
   * daemon was started with BENCH_TRACK_TIMERS=1 (the hook costs the daemon CPU and memory).
   */
  liveTimers: number | null;
}

/** The daemon as it ships: scripts/build.mjs's JavaScript run by plain node with the flags of `npm start`. */
export interface ShippedBuild {
  /** For startDaemon's `how`: the node flags and the entry, with bench/heap-probe preloaded. */
  readonly how: { nodeFlags: string[]; entry: string[] };
  remove(): void;
}

/** The node flags of scripts/start.sh, deploy/docker/entrypoint.sh and the systemd unit. */
export const SHIPPED_NODE_FLAGS = ['--max-semi-space-size=1', '--v8-pool-size=1', '--optimize-for-size'];

export function buildShipped(): ShippedBuild {
  // Inside the checkout and one level down, as dist/ is: bare imports resolve to node_modules, ../package.json is ours.
  const dir = mkdtempSync(join(ROOT, '.bench-build-'));
  execFileSync(process.execPath, ['scripts/build.mjs', dir], { cwd: ROOT });
  execFileSync(
    join(ROOT, 'node_modules/.bin/esbuild'),
    [
      'bench/heap-probe.ts',
      '--platform=node',
      '--format=esm',
      `--outfile=${join(dir, 'heap-probe.js')}`,
      '--log-level=warning',
    ],
    { cwd: ROOT },
  );
  return {
    how: { nodeFlags: SHIPPED_NODE_FLAGS, entry: ['--import', join(dir, 'heap-probe.js'), join(dir, 'main.js')] },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The daemon run from src/ through tsx (development and the tests), with bench/heap-probe preloaded. */
export const TSX_ENTRY = ['--import', 'tsx', '--import', './bench/heap-probe.ts', 'src/main.ts'];

let shippedOnce: ShippedBuild | undefined;

/**
 * The real daemon, as it ships unless `how` says otherwise (plain node on a dist/ build made once per benchmark
 * run, with the node flags of npm start), with bench/heap-probe.ts preloaded so the benchmark can ask for heap
 * figures after a GC. Only benchmarks load the probe.
 */
export async function startDaemon(
  args: string[],
  env: Record<string, string> = {},
  how: { nodeFlags?: string[]; entry?: string[]; readyHeaders?: Record<string, string> } = {},
): Promise<Daemon> {
  const port = await freePort();
  const heapFile = join(mkdtempSync(join(tmpdir(), 'ooe-bench-heap-')), 'heap.json');
  if (how.entry === undefined && shippedOnce === undefined) {
    const build = buildShipped();
    shippedOnce = build;
    process.once('exit', () => build.remove());
  }
  const entry = how.entry ?? shippedOnce!.how.entry;
  const nodeFlags = how.nodeFlags ?? (how.entry === undefined ? SHIPPED_NODE_FLAGS : []);
  const child = spawn(
    process.execPath,
    ['--expose-gc', ...nodeFlags, ...entry, `--web.listen-address=127.0.0.1:${port}`, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, BENCH_HEAP_FILE: heapFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-200_000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-200_000)));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/-/ready`, { headers: how.readyHeaders })).status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`daemon not ready:\n${output}`);
    await sleep(100);
  }
  return {
    url,
    pid: child.pid!,
    child,
    output: () => output,
    async heap() {
      rmSync(heapFile, { force: true });
      child.kill('SIGUSR2');
      const giveUp = Date.now() + 10_000;
      for (;;) {
        try {
          return JSON.parse(readFileSync(heapFile, 'utf8')) as HeapReport;
        } catch {
          if (Date.now() > giveUp) throw new Error('no heap report from the daemon');
          await sleep(20);
        }
      }
    },
    stop: () => stopChild(child),
  };
}

/**
 * Replaces the `## title` section of docs/BENCHMARKS.md (up to the next `## `) with `body`, or appends it.
 * Other sections, such as colleagues' ones, are left byte for byte.
 */
export function writeSection(title: string, body: string): void {
  const text = readFileSync(BENCHMARKS_MD, 'utf8');
  const heading = `## ${title}\n`;
  const section = `${heading}\n${body.trim()}\n`;
  const start = text.indexOf(heading);
  let next: string;
  if (start < 0) {
    next = `${text.trimEnd()}\n\n${section}`;
  } else {
    const end = text.indexOf('\n## ', start + heading.length);
    next = `${text.slice(0, start)}${section}${end < 0 ? '' : text.slice(end)}`;
  }
  writeFileSync(BENCHMARKS_MD, next.endsWith('\n') ? next : `${next}\n`);
}

/** `--write` on the command line: put the results into docs/BENCHMARKS.md as well as on stdout. */
export const WRITE = process.argv.includes('--write');

/** The first line a program prints for its version (some print it on stderr). */
export function version(command: string, args: string[]): string {
  try {
    return execFileSync('sh', ['-c', '"$0" "$@" 2>&1', command, ...args], { encoding: 'utf8' })
      .split('\n')[0]!
      .trim();
  } catch {
    return '?';
  }
}
