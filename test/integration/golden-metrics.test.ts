import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { startExporter } from '../support/exporter-process.js';
import { TestPki } from '../support/tls-pki.js';

// The whole /metrics answer of the daemon in a fixed scene, reduced to what must not change by accident: every
// family's HELP and TYPE line, in order, and under it each distinct sequence of label names its series carry
// (values and label values vary from run to run). As node_exporter's end-to-end test pins its output.
// After an intended change: UPDATE_GOLDEN=1 node --experimental-vm-modules node_modules/jest/bin/jest.js test/integration/golden-metrics.test.ts
const GOLDEN = fileURLToPath(new URL('../fixtures/golden/metrics.txt', import.meta.url));
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/y;

/** HELP/TYPE lines as written; a sample line becomes `name{label,names}` (in its order), each shape once. */
export function shape(text: string): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      out.push(line);
      continue;
    }
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    if (brace < 0 || brace > space) {
      const key = line.slice(0, space);
      if (!seen.has(key)) out.push(key);
      seen.add(key);
      continue;
    }
    const names: string[] = [];
    LABEL.lastIndex = brace + 1;
    for (;;) {
      const match = LABEL.exec(line);
      if (match === null) throw new Error(`cannot read the labels of: ${line}`);
      names.push(match[1]!);
      if (line[LABEL.lastIndex] === '}') break;
      LABEL.lastIndex++; // the comma
    }
    const key = `${line.slice(0, brace)}{${names.join(',')}}`;
    if (!seen.has(key)) out.push(key);
    seen.add(key);
  }
  return `${out.join('\n')}\n`;
}

describe('the /metrics answer of a fixed scene (golden file)', () => {
  let ds: DsSimulator;
  let pki: TestPki;
  let server: Server;
  let config: string;

  beforeAll(async () => {
    ds = await startDsSimulator({ version: '8.3' });
    ds.setForgottenFiles(['k1']);
    pki = new TestPki();
    const now = Math.floor(Date.now() / 1000);
    const root = pki.issue('root', {
      subject: '/CN=golden root',
      notBefore: now - 86_400,
      notAfter: now + 86_400,
      serial: '01',
      ca: true,
    });
    const leaf = pki.issue('leaf', {
      subject: '/CN=golden.test',
      issuer: root,
      notBefore: now - 86_400,
      notAfter: now + 86_400,
      serial: '02',
      san: 'DNS:golden.test',
    });
    server = createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'ooe-golden-'));
    writeFileSync(join(dir, 'backup-1.tar'), 'backup');
    config = join(dir, 'config.yml');
    // Port 1 on loopback refuses: the dependency and RabbitMQ families in their failed form, deterministically.
    writeFileSync(
      config,
      [
        `documentserver: { url: "${ds.url}", public_url: "${ds.url}" }`,
        'docker: { enabled: false }',
        `disk: { paths: ["${dir}"] }`,
        `tls: { ca_file: "${root.certPath}", files: ["${leaf.certPath}"], endpoints: [{ address: "127.0.0.1:${port}", server_name: golden.test }] }`,
        'dependencies: { postgresql: "127.0.0.1:1", rabbitmq: "amqp://127.0.0.1:1", redis: "127.0.0.1:1", timeout: 2s }',
        'rabbitmq: { url: "amqp://guest:guest@127.0.0.1:1/", timeout: 2s }',
        'statsd: { listen: "udp://127.0.0.1:0" }',
        `backups: [{ name: nightly, path: "${dir}/backup-*.tar", max_age: 1d }]`,
        '',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    pki?.remove();
    await ds?.stop();
  });

  test('every family keeps its HELP, TYPE and label order', async () => {
    const exporter = await startExporter([`--config.file=${config}`]);
    let text: string;
    try {
      // The second scrape: the first one's own duration and bounds families exist from then on.
      await (await fetch(`${exporter.url}/metrics`)).text();
      text = await (await fetch(`${exporter.url}/metrics`)).text();
    } finally {
      expect(await exporter.stop()).toBe(0);
    }
    const got = shape(text);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, got);
    expect(got).toBe(readFileSync(GOLDEN, 'utf8'));
  }, 60_000);
});
