import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExposition, value } from '../support/exposition.js';
import { freePort } from '../support/ports.js';
import {
  HOLD_LISTEN_MARKER,
  runExporterToExit,
  startExporter,
  type ExporterProcess,
} from '../support/exporter-process.js';
import { waitFor } from '../support/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'ooe-daemon-'));
const configPath = join(dir, 'config.yml');
const SECRET = 'very-secret-jwt-value';

describe('the daemon', () => {
  let exporter: ExporterProcess;
  let dsPort: number;

  beforeAll(async () => {
    dsPort = await freePort(); // nothing listens there: DS "process gone"
    writeFileSync(
      configPath,
      `
documentserver:
  url: http://127.0.0.1:${dsPort}
  jwt: { secret: "\${TEST_DS_SECRET}" }
  timeout: 2s
probe:
  targets: ["http://127.0.0.1:${dsPort}"]
  modules: { version_only: [build_info] }
`,
    );
    exporter = await startExporter([`--config.file=${configPath}`, '--log.level=debug'], { TEST_DS_SECRET: SECRET });
  });

  afterAll(async () => {
    await exporter?.stop();
  });

  test('serves /metrics with the collectors, build info and no `up`', async () => {
    const response = await fetch(`${exporter.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(await response.text());
    expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
    expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'healthcheck', via: 'direct' })).toBe(0);
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'healthcheck' })).toBe(1);
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'license' })).toBe(0);
    expect(value(samples, 'onlyoffice_exporter_build_info', { version: '0.1.0', nodejs: process.version })).toBe(1);
    expect(samples.some((s) => s.name === 'up')).toBe(false);
  });

  test('/probe accepts only configured targets', async () => {
    const ok = await fetch(`${exporter.url}/probe?target=${encodeURIComponent(`http://127.0.0.1:${dsPort}/`)}`);
    expect(ok.status).toBe(200);
    const samples = parseExposition(await ok.text());
    expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
    expect(samples.some((s) => s.name === 'probe_duration_seconds')).toBe(true);

    const other = await fetch(`${exporter.url}/probe?target=${encodeURIComponent('http://127.0.0.1:1/')}`);
    expect(other.status).toBe(400);
    expect(await other.text()).toBe('target is not in probe.targets of the configuration\n');
    const missing = await fetch(`${exporter.url}/probe`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toBe('target parameter is missing\n');
  });

  test('/probe runs the collectors of the module asked for: documentserver by default, built-in healthcheck, configured ones', async () => {
    const target = encodeURIComponent(`http://127.0.0.1:${dsPort}`);
    const collectorsOf = async (query: string) => {
      const response = await fetch(`${exporter.url}/probe?target=${target}${query}`);
      expect(response.status).toBe(200);
      return parseExposition(await response.text())
        .filter((s) => s.name === 'onlyoffice_scrape_collector_success')
        .map((s) => s.labels.collector)
        .sort();
    };
    const all = ['build_info', 'commands', 'endpoints', 'healthcheck', 'license', 'tls_endpoints', 'websocket'];
    expect(await collectorsOf('')).toEqual(all);
    expect(await collectorsOf('&module=documentserver')).toEqual(all);
    expect(await collectorsOf('&module=healthcheck')).toEqual(['healthcheck', 'tls_endpoints']);
    expect(await collectorsOf('&module=websocket')).toEqual(['websocket']);
    expect(await collectorsOf('&module=version_only')).toEqual(['build_info']);

    const unknown = await fetch(`${exporter.url}/probe?target=${target}&module=nope`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toBe(
      'unknown module; probe.modules has: documentserver, healthcheck, websocket, version_only\n',
    );
    const inherited = await fetch(`${exporter.url}/probe?target=${target}&module=constructor`);
    expect(inherited.status).toBe(400);
    const twice = await fetch(`${exporter.url}/probe?target=${target}&module=healthcheck&module=documentserver`);
    expect(twice.status).toBe(400);
  });

  test('health, readiness and the landing page, which shows no secret', async () => {
    expect(await (await fetch(`${exporter.url}/-/healthy`)).text()).toBe('OK\n');
    expect(await (await fetch(`${exporter.url}/-/ready`)).text()).toBe('OK\n');
    const page = await (await fetch(`${exporter.url}/`)).text();
    expect(page).toContain('<a href="/metrics">/metrics</a>');
    expect(page).toContain(`http://127.0.0.1:${dsPort}`);
    expect(page).not.toContain(SECRET);
  });

  test('a bad reload names the key and keeps the running config; a good one applies', async () => {
    writeFileSync(configPath, 'documentserver: { url: http://127.0.0.1:1, timeot: 5s }\n');
    const bad = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
    expect(bad.status).toBe(500);
    expect(await bad.text()).toBe(`invalid configuration in ${configPath}:\n  - documentserver.timeot: unknown key\n`);
    const page = await (await fetch(`${exporter.url}/`)).text();
    expect(page).toContain(`http://127.0.0.1:${dsPort}`);

    const otherPort = await freePort();
    writeFileSync(configPath, `documentserver: { url: "http://127.0.0.1:${otherPort}" }\n`);
    // SIGHUP does the same as POST /-/reload.
    exporter.child.kill('SIGHUP');
    const text = await waitFor('the reload to apply', 20_000, async () => {
      const page = await (await fetch(`${exporter.url}/`)).text();
      return page.includes(`127.0.0.1:${otherPort}`) ? page : undefined;
    });
    expect(text).toContain(`http://127.0.0.1:${otherPort}`);
  });

  test('logs are JSON and never contain the JWT secret', () => {
    const lines = exporter
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(exporter.output()).not.toContain(SECRET);
  });

  test('SIGTERM shuts down gracefully with exit code 0', async () => {
    const code = await exporter.stop('SIGTERM');
    expect(code).toBe(0);
    expect(exporter.output()).toContain('"msg":"shutting down"');
  });
});

describe('the daemon on SIGHUP during start-up', () => {
  test('a SIGHUP before the daemon listens is a reload: it survives and applies the configuration changed before it', async () => {
    const startDir = mkdtempSync(join(tmpdir(), 'ooe-sighup-'));
    const path = join(startDir, 'config.yml');
    const [first, second] = [await freePort(), await freePort()];
    writeFileSync(path, `documentserver: { url: "http://127.0.0.1:${first}" }\n`);
    let sighupSentAt = '';
    // The preload holds the daemon at its listen() (its configuration loaded, not listening yet) until SIGUSR2: the
    // SIGHUP lands there however fast the machine is. Before the fix no handler was installed yet, and SIGHUP killed it.
    const exporter = await startExporter(
      [`--config.file=${path}`],
      {},
      {
        command: [process.execPath, '--import', 'tsx', '--import', './test/support/hold-listen.ts', 'src/main.ts'],
        spawned: async (child, output) => {
          await waitFor('the daemon to reach listen()', 20_000, () =>
            output().includes(HOLD_LISTEN_MARKER) ? true : undefined,
          );
          writeFileSync(path, `documentserver: { url: "http://127.0.0.1:${second}" }\n`);
          sighupSentAt = output();
          child.kill('SIGHUP');
          child.kill('SIGUSR2');
        },
      },
    );
    try {
      expect(sighupSentAt).not.toContain('"msg":"listening"');
      const page = await waitFor('the reload to apply', 20_000, async () => {
        const text = await (await fetch(`${exporter.url}/`)).text();
        return text.includes(`http://127.0.0.1:${second}`) ? text : undefined;
      });
      expect(page).not.toContain(`http://127.0.0.1:${first}`);
      expect(exporter.child.exitCode).toBe(null);
      expect(exporter.child.signalCode).toBe(null);
    } finally {
      expect(await exporter.stop('SIGTERM')).toBe(0);
    }
  });
});

describe('the daemon refuses to start', () => {
  test('on a bad config, naming the key', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'documentserver:\n  url: 42\n  timeout: soon\n');
    const { code, output } = await runExporterToExit([`--config.file=${bad}`]);
    expect(code).toBe(1);
    expect(output).toContain(
      `onlyoffice-exporter: invalid configuration in ${bad}:\n  - documentserver.url: expected string, got number\n  - documentserver.timeout: "soon" is not a positive duration such as 10s, 1m30s or 500ms\n`,
    );
  });

  test('on a missing environment variable, naming it', async () => {
    const file = join(dir, 'env.yml');
    writeFileSync(file, 'documentserver: { jwt: { secret: "${SURELY_NOT_SET_VAR}" } }\n');
    const { code, output } = await runExporterToExit([`--config.file=${file}`], {});
    expect(code).toBe(1);
    expect(output).toContain('documentserver.jwt.secret: environment variable SURELY_NOT_SET_VAR is not set');
  });

  test('on a bad flag, with usage', async () => {
    const { code, output } = await runExporterToExit(['--log.level=loud']);
    expect(code).toBe(2);
    expect(output).toContain('onlyoffice-exporter: --log.level must be one of');
    expect(output).toContain('usage: npm start -- [flags]');
  });
});

describe('the daemon under a hanging target', () => {
  test('a scrape ends within X-Prometheus-Scrape-Timeout-Seconds, reporting the hang', async () => {
    const { startBlackhole } = await import('../support/blackhole.js');
    const hole = await startBlackhole();
    const file = join(dir, 'hole.yml');
    writeFileSync(file, `documentserver: { url: "${hole.url}", timeout: 60s }\n`);
    // Budget 5 s - 3 s = 2 s: the 3 s offset, left to answer in, is slack for a busy machine.
    const exporter = await startExporter([`--config.file=${file}`, '--web.timeout-offset=3s']);
    try {
      const started = performance.now();
      const response = await fetch(`${exporter.url}/metrics`, {
        headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '5' },
      });
      const text = await response.text();
      const elapsed = performance.now() - started;
      expect(response.status).toBe(200);
      expect(elapsed).toBeLessThan(5_000);
      expect(elapsed).toBeGreaterThan(1_500);
      const samples = parseExposition(text);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'healthcheck' })).toBe(1);
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'license' })).toBe(0);
      expect(value(samples, 'onlyoffice_exporter_build_info', { version: '0.1.0', nodejs: process.version })).toBe(1);
    } finally {
      await exporter.stop();
      await hole.stop();
    }
  });
});

describe('the daemon delivers alerts to group robots', () => {
  test('POST /notify/wecom/:robot reaches the robot, survives a reload, and counts on /metrics', async () => {
    const { WeComRobotEmulator, webhookAlert, webhookPayload } = await import('../support/robots.js');
    const robot = await new WeComRobotEmulator().start();
    const file = join(dir, 'notify.yml');
    const write = () =>
      writeFileSync(
        file,
        `
documentserver: { url: "http://127.0.0.1:1" }
notify:
  auth: { bearer_token: "\${TEST_NOTIFY_TOKEN}" }
  wecom:
    ops: { url: "${robot.url}" }
`,
      );
    write();
    let exporter: ExporterProcess | undefined;
    const post = (token: string) =>
      fetch(`${exporter!.url}/notify/wecom/ops`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(webhookPayload([webhookAlert()])),
      });
    try {
      exporter = await startExporter([`--config.file=${file}`], { TEST_NOTIFY_TOKEN: 'notify-token-0123456789' });
      expect((await post('wrong')).status).toBe(401);
      expect((await post('notify-token-0123456789')).status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (robot.delivered.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(robot.delivered).toHaveLength(1);
      expect(robot.delivered[0]!.text).toContain('OnlyofficeDocsDown');

      // The route follows the running configuration across a reload.
      write();
      expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      expect((await post('notify-token-0123456789')).status).toBe(200);
      while (robot.delivered.length < 2 && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 50));
      expect(robot.delivered).toHaveLength(2);

      const samples = parseExposition(await (await fetch(`${exporter.url}/metrics`)).text());
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'notify' })).toBe(1);
      expect(value(samples, 'onlyoffice_notify_queue_length', { robot: 'ops' })).toBe(0);
      expect(exporter.output()).not.toContain(robot.key);
    } finally {
      await exporter?.stop();
      await robot.stop();
    }
  });
});
