// StatsD ingestion: lines per second received with no loss, our receiver against the Etsy `statsd` daemon DocumentServer
// ships (npm statsd 0.9.0), at increasing rates, one line per datagram as DS's client sends them.
//   npx tsx bench/statsd.ts [rates, default 1000,5000,10000,20000,50000,100000] [seconds per rate, default 5] [--write]
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/ports.js';
import { cpuMs, machine, ROOT, sleep, startDaemon, stopChild, today, WRITE, writeSection } from './lib.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const RATES = (args[0] ?? '1000,5000,10000,20000,50000,100000').split(',').map(Number);
const SECONDS = Number(args[1] ?? 5);

// What DS 8.x/9.x sends (the `clientStatsD` calls of ONLYOFFICE/server, v8.3.3.23 and v9.3.1.11): timings and
// connection gauges under the "ds." prefix.
const LINES = [
  'ds.coauth.data.auth:1|ms',
  'ds.coauth.openDocument.open:41|ms',
  'ds.coauth.convertservice:230|ms',
  'ds.conv.allconvert:1180|ms',
  'ds.conv.downloadFile:25|ms',
  'ds.conv.spawnSync:1040|ms',
  'ds.coauth.saveFile:16|ms',
  'ds.expireDoc.connections.edit:3|g',
  'ds.expireDoc.connections.view:1|g',
  'ds.coauth.session.edit:612000|ms',
].map((line) => Buffer.from(line));

/** Kernel drops on a UDP port (receive buffer full), from /proc/net/udp. */
function kernelDrops(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1]?.endsWith(`:${hex}`)) return Number(fields.at(-1));
  }
  return NaN;
}

/**
 * Sends `rate` lines a second for `seconds`; returns how many were sent. The loop yields with setImmediate, not a timer,
 * so lines leave in bursts of a few datagrams, not in one burst per timer tick that only the socket buffer decides.
 */
async function send(port: number, rate: number, seconds: number): Promise<{ sent: number; seconds: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
  let sent = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  let inFlight = 0;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      inFlight++;
      socket.send(LINES[sent % LINES.length]!, () => inFlight--);
      sent++;
      if (inFlight > 64) break;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  while (inFlight > 0) await sleep(1);
  socket.close();
  return { sent, seconds: (performance.now() - started) / 1000 };
}

async function oursReceived(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^onlyoffice_statsd_lines_received_total (\S+)$/m.exec(text)?.[1]);
}

/** statsd's own counter of lines received, from its management console. */
function statsdReceived(mgmtPort: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(mgmtPort, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.includes('END')) {
        socket.destroy();
        const match = /'statsd\.metrics_received': (\d+)/.exec(text);
        if (match) resolve(Number(match[1]));
        else reject(new Error(`no statsd.metrics_received in: ${text.slice(0, 200)}`));
      }
    });
    socket.on('error', reject);
    socket.write('counters\n');
  });
}

interface Row {
  receiver: string;
  rate: number;
  sent: number;
  received: number;
  drops: number;
  cpuPerSecondMs: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-statsd-'));
  const oursPort = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    `
documentserver: { url: "http://127.0.0.1:9" }
statsd: { listen: "udp://127.0.0.1:${oursPort}" }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
  );
  const ours = await startDaemon([`--config.file=${join(dir, 'config.yml')}`, '--log.level=warn']);

  const statsdPort = await freePort();
  const mgmtPort = await freePort();
  // No backend: nothing is flushed during the run (flushInterval 1 h), so the counters hold the whole run.
  writeFileSync(
    join(dir, 'statsd.js'),
    `{ address: "127.0.0.1", port: ${statsdPort}, mgmt_address: "127.0.0.1", mgmt_port: ${mgmtPort}, flushInterval: 3600000, backends: [] }\n`,
  );
  const daemon = spawn(process.execPath, [join(ROOT, 'node_modules/statsd/bin/statsd'), join(dir, 'statsd.js')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let daemonLog = '';
  daemon.stderr!.on('data', (chunk) => (daemonLog += chunk));
  for (let i = 0; ; i++) {
    try {
      await statsdReceived(mgmtPort);
      break;
    } catch (error) {
      if (i > 100 || daemon.exitCode !== null)
        throw new Error(`statsd did not start: ${(error as Error).message}\n${daemonLog}`);
      await sleep(100);
    }
  }
  const statsdVersion = (
    JSON.parse(readFileSync(join(ROOT, 'node_modules/statsd/package.json'), 'utf8')) as { version: string }
  ).version;

  const receivers = [
    { name: 'onlyoffice-exporter', port: oursPort, pid: ours.pid, received: () => oursReceived(ours.url) },
    { name: `statsd ${statsdVersion}`, port: statsdPort, pid: daemon.pid!, received: () => statsdReceived(mgmtPort) },
  ];
  const rows: Row[] = [];
  try {
    for (const rate of RATES) {
      for (const receiver of receivers) {
        const before = await receiver.received();
        const dropsBefore = kernelDrops(receiver.port);
        const cpuBefore = cpuMs(receiver.pid);
        const { sent, seconds } = await send(receiver.port, rate, SECONDS);
        await sleep(500);
        // CPU before the count is read: reading it (a /metrics scrape, a console command) is not ingestion.
        const cpu = cpuMs(receiver.pid) - cpuBefore;
        const received = (await receiver.received()) - before;
        rows.push({
          receiver: receiver.name,
          rate,
          sent,
          received,
          drops: kernelDrops(receiver.port) - dropsBefore,
          cpuPerSecondMs: cpu / seconds,
        });
        console.error(JSON.stringify(rows.at(-1)));
      }
    }
  } finally {
    await ours.stop();
    await stopChild(daemon);
    rmSync(dir, { recursive: true, force: true });
  }

  const lines: string[] = [];
  lines.push(
    "`bench/statsd.ts`: lines sent to each receiver at a fixed rate for a fixed time, one line per UDP datagram (as DS's",
  );
  lines.push("StatsD client sends them), then the receiver's own count of lines received: ours from");
  lines.push(
    '`onlyoffice_statsd_lines_received_total`, the `statsd` daemon DS ships from `statsd.metrics_received` on its management',
  );
  lines.push(
    'console (flushInterval 1 h, no backend, so nothing is flushed meanwhile). Ten DS line shapes in turn (timings and',
  );
  lines.push(
    'connection gauges), from one sender process pacing with `setImmediate` (at most 64 datagrams in flight, so the rate',
  );
  lines.push(
    'is smooth, not one burst per timer tick). "Kernel drops" is the drops column of `/proc/net/udp` for the receiver\'s port (its receive buffer',
  );
  lines.push(
    'was full); both receivers use Node\'s default socket buffer (`net.core.rmem_default`). "CPU" is the receiver process\'s',
  );
  lines.push(
    'user + system time per second of sending. Receivers are measured one after the other, never at the same time.',
  );
  lines.push('');
  lines.push(`- Command: \`npx tsx bench/statsd.ts ${RATES.join(',')} ${SECONDS} --write\``);
  lines.push(`- Date: ${today()}`);
  lines.push(
    `- Machine: ${machine()}; net.core.rmem_default ${readFileSync('/proc/sys/net/core/rmem_default', 'utf8').trim()} bytes`,
  );
  lines.push('');
  lines.push('| lines/s asked | receiver | sent | received | lost | kernel drops | CPU per second |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const lost = row.sent - row.received;
    lines.push(
      `| ${row.rate.toLocaleString('en-US')} | ${row.receiver} | ${row.sent.toLocaleString('en-US')} | ${row.received.toLocaleString('en-US')} | ${lost === 0 ? '0' : `${lost.toLocaleString('en-US')} (${((100 * lost) / row.sent).toFixed(2)} %)`} | ${row.drops} | ${row.cpuPerSecondMs.toFixed(0)} ms |`,
    );
  }
  lines.push('');
  for (const receiver of receivers) {
    const clean = rows.filter((r) => r.receiver === receiver.name && r.received === r.sent).map((r) => r.rate);
    lines.push(
      `- ${receiver.name}: no loss up to ${clean.length > 0 ? `${Math.max(...clean).toLocaleString('en-US')} lines/s` : 'none of the rates'} in this run.`,
    );
  }
  const text = lines.join('\n');
  console.log(text);
  if (WRITE) writeSection('StatsD ingestion against the statsd daemon', text);
}

await main();
