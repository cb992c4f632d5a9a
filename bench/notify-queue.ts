// Resident memory of the daemon with a full notify queue: one WeCom robot that cannot be reached (nothing listens
// on its port, so nothing drains), and WEBHOOKS Alertmanager webhooks, each one alert with a 1.9 MB description.
// RSS from /proc/<pid>/status: idle after the first scrape; after every webhook was answered and two seconds; then
// the heap used after a full GC. Prints the figures (docs/BENCHMARKS.md is written by hand from them).
//   npx tsx bench/notify-queue.ts [webhooks, default 250]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/ports.js';
import { machine, mib, rssBytes, sleep, startDaemon, today } from './lib.js';

const WEBHOOKS = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 250);
const DESCRIPTION_BYTES = 1_900_000;
const TOKEN = 'bench-notify-token-0123456789';
const CONCURRENCY = 4;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-notify-'));
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `
documentserver: { url: "http://127.0.0.1:${await freePort()}", timeout: 1s }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
notify:
  auth: { bearer_token: ${TOKEN} }
  retry: { initial_backoff: 1s, max_backoff: 10s }
  queue: { refuse_after_failures: 100000 }
  wecom: { ops: { url: "http://127.0.0.1:${await freePort()}/cgi-bin/webhook/send?key=k" } }
`,
  );
  const daemon = await startDaemon([`--config.file=${config}`, '--log.level=error']);
  const statuses = new Map<number, number>();
  try {
    await (await fetch(`${daemon.url}/metrics`)).text();
    await sleep(1000);
    const idle = rssBytes(daemon.pid);
    const description = 'x'.repeat(DESCRIPTION_BYTES);
    let next = 0;
    let peak = idle;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < WEBHOOKS) {
          const i = next++;
          const body = JSON.stringify({
            version: '4',
            status: 'firing',
            receiver: 'bench',
            groupKey: `{}:{instance="bench-${i}"}`,
            truncatedAlerts: 0,
            externalURL: 'http://alertmanager.example:9093',
            alerts: [
              {
                status: 'firing',
                labels: { alertname: 'OnlyofficeBench', severity: 'warning', instance: `bench-${i}:443` },
                annotations: { summary: `bench ${i}`, description },
                startsAt: new Date().toISOString(),
                endsAt: '0001-01-01T00:00:00Z',
                generatorURL: '',
                fingerprint: `bench${i}`,
              },
            ],
          });
          const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
          const answer = await fetch(`${daemon.url}/notify/wecom/ops`, { method: 'POST', headers, body });
          await answer.text();
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (i % 10 === 0) peak = Math.max(peak, rssBytes(daemon.pid));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await sleep(2000);
    const full = rssBytes(daemon.pid);
    peak = Math.max(peak, full);
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    const queued = /^onlyoffice_notify_queue_length\{channel="wecom",robot="ops"\} (\d+)/m.exec(metrics)?.[1];
    const heap = await daemon.heap();
    console.log(
      [
        `bench/notify-queue.ts, ${today()}, ${machine()}`,
        `${WEBHOOKS} webhooks of one alert with a ${DESCRIPTION_BYTES.toLocaleString('en-US')}-byte description, ${CONCURRENCY} at a time, robot unreachable`,
        `answers: ${[...statuses].map(([status, count]) => `${count} x ${status}`).join(', ')} in ${seconds.toFixed(1)} s; queue length ${queued}`,
        `RSS idle ${mib(idle)}; peak while posting ${mib(peak)}; with the queue full ${mib(full)}; heap used after GC ${mib(heap.heapUsed)}`,
      ].join('\n'),
    );
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
