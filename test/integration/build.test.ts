import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { parseExposition, value } from '../support/exposition.js';
import { startExporter } from '../support/exporter-process.js';
import { WeComRobotEmulator } from '../support/robots.js';
import { TestPki } from '../support/tls-pki.js';
import { OVERFLOW_AT } from '../../src/tls/handshake-thread.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** The node flags every way of running the daemon uses (docs/BENCHMARKS.md, "Resident memory"). */
const NODE_FLAGS = ['--max-semi-space-size=1', '--v8-pool-size=1', '--optimize-for-size'];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** What `npm start`, the image and the systemd unit run: plain node on scripts/build.mjs's JavaScript. */
describe('the dist/ build', () => {
  let out: string;
  let config: string;
  let ds: DsSimulator;
  let robot: WeComRobotEmulator;

  beforeAll(async () => {
    // Inside the checkout, one level down as dist/ is: bare imports resolve to node_modules, ../package.json is ours.
    out = mkdtempSync(join(ROOT, '.build-test-'));
    execFileSync(process.execPath, ['scripts/build.mjs', out], { cwd: ROOT });
    ds = await startDsSimulator({ version: '8.3' });
    robot = await new WeComRobotEmulator().start();
    config = join(mkdtempSync(join(tmpdir(), 'ooe-build-')), 'config.yml');
    // A notify robot makes the daemon load its built-in templates at start: they must be in the build.
    writeFileSync(
      config,
      `documentserver: { url: "${ds.url}" }\ndocker: { enabled: false }\ndependencies: { postgresql: false, rabbitmq: false, redis: false }\nnotify:\n  auth: { bearer_token: "build-test-token-0123456789" }\n  wecom:\n    ops: { url: "${robot.url}" }\n`,
    );
  }, 60_000);

  afterAll(async () => {
    rmSync(out, { recursive: true, force: true });
    await ds?.stop();
    await robot?.stop();
  });

  test('has a module for every source file and the non-code files beside them, and no TypeScript', () => {
    const sources = files(join(ROOT, 'src'));
    const built = files(out);
    for (const source of sources) {
      expect(built).toContain(source.endsWith('.ts') ? source.replace(/\.ts$/, '.js') : source);
    }
    expect(built.filter((file) => file.endsWith('.ts'))).toEqual([]);
    expect(built).toContain('templates/default.zh-CN.yml');
  });

  test('runs the daemon with plain node: scrapes DS, knows its version, loads its templates', async () => {
    const exporter = await startExporter(
      [`--config.file=${config}`],
      {},
      { command: [process.execPath, ...NODE_FLAGS, join(out, 'main.js')] },
    );
    try {
      const samples = parseExposition(await (await fetch(`${exporter.url}/metrics`)).text());
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(1);
      expect(value(samples, 'onlyoffice_build_info', { version: '8.3.3', build: '23' })).toBe(1);
      expect(value(samples, 'onlyoffice_exporter_build_info', { version: VERSION, nodejs: process.version })).toBe(1);
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'notify' })).toBe(1);
      // No TypeScript loader in the process.
      expect(readFileSync(`/proc/${exporter.child.pid}/cmdline`, 'utf8').split('\0')).not.toContain('tsx');
    } finally {
      expect(await exporter.stop()).toBe(0);
    }
  });

  test('hands TLS handshakes past the overflow to its handshake thread, a module of the build', async () => {
    // Nine endpoints in one scrape: the ninth handshake starts with eight in flight and goes to the thread.
    expect(OVERFLOW_AT).toBe(8);
    const pki = new TestPki();
    const now = Math.floor(Date.now() / 1000);
    const root = pki.issue('root', {
      subject: '/CN=build root',
      notBefore: now - 86_400,
      notAfter: now + 86_400,
      serial: '01',
      ca: true,
    });
    const leaf = pki.issue('leaf', {
      subject: '/CN=build.test',
      issuer: root,
      notBefore: now - 86_400,
      notAfter: now + 86_400,
      serial: '02',
      san: 'DNS:build.test',
    });
    const server = createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const names = Array.from({ length: 9 }, (_, index) => `n${index}.test`);
    const tlsConfig = join(mkdtempSync(join(tmpdir(), 'ooe-build-tls-')), 'config.yml');
    writeFileSync(
      tlsConfig,
      `documentserver: { url: "${ds.url}" }\ndocker: { enabled: false }\ndependencies: { postgresql: false, rabbitmq: false, redis: false }\ntls:\n  ca_file: ${root.certPath}\n  endpoints:\n${names.map((name) => `    - { address: "127.0.0.1:${port}", server_name: ${name} }`).join('\n')}\n`,
    );
    const exporter = await startExporter(
      [`--config.file=${tlsConfig}`],
      {},
      { command: [process.execPath, ...NODE_FLAGS, join(out, 'main.js')] },
    );
    try {
      const samples = parseExposition(await (await fetch(`${exporter.url}/metrics`)).text());
      expect(
        names.map((name) => value(samples, 'onlyoffice_tls_cert_verified', { target: `${name}:${port}` })),
      ).toEqual(names.map(() => 1));
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'tls_endpoints' })).toBe(1);
    } finally {
      expect(await exporter.stop()).toBe(0);
      await new Promise((resolve) => server.close(resolve));
      pki.remove();
    }
  });

  test('runs the doctor with plain node', async () => {
    // Not execFileSync: the DS simulator lives in this process and must keep answering.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(out, 'doctor.js'), `--config.file=${config}`, '--format=json', '--lang=en', '--timeout=5s'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const report = JSON.parse(stdout) as { verdict: string };
    expect(report.verdict).toBe('ok');
  });

  test('`npm start` (scripts/start.sh) builds dist/ and serves from it', async () => {
    const exporter = await startExporter(
      [`--config.file=${config}`],
      {},
      { command: ['bash', join(ROOT, 'scripts/start.sh')], readyTimeoutMs: 60_000 },
    );
    try {
      expect(
        readFileSync(`/proc/${exporter.child.pid}/cmdline`, 'utf8')
          .split('\0')
          .slice(1, 2 + NODE_FLAGS.length),
      ).toEqual([...NODE_FLAGS, 'dist/main.js']);
      expect(existsSync(join(ROOT, 'dist/main.js'))).toBe(true);
      expect(
        value(parseExposition(await (await fetch(`${exporter.url}/metrics`)).text()), 'onlyoffice_healthcheck_up'),
      ).toBe(1);
    } finally {
      expect(await exporter.stop()).toBe(0);
    }
  });

  test('npm start, the image and the systemd unit give node the same flags', () => {
    const start = readFileSync(join(ROOT, 'scripts/start.sh'), 'utf8');
    const entrypoint = readFileSync(join(ROOT, 'deploy/docker/entrypoint.sh'), 'utf8');
    const unit = readFileSync(join(ROOT, 'deploy/systemd/onlyoffice-exporter.service'), 'utf8');
    expect(start).toContain(`\nexec node ${NODE_FLAGS.join(' ')} dist/main.js "$@"\n`);
    expect(entrypoint).toContain(`\nexec node ${NODE_FLAGS.join(' ')} "$program" "$@"\n`);
    expect(unit).toContain(`\nExecStart=/usr/bin/node ${NODE_FLAGS.join(' ')} /opt/onlyoffice-exporter/dist/main.js `);
  });
});
