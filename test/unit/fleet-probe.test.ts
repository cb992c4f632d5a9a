import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import tlsEndpoints from '../../src/collectors/tls_endpoints.js';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { find, parseExposition, value } from '../support/exposition.js';
import { configFrom, scrapeWith } from '../support/scrape.js';

const logger = pino({ level: 'silent' });

// Each DS of the fleet with its own settings: the exporter's own documentserver signs with a secret no target knows.
describe('/probe with the whole picture of each target', () => {
  let old: DsSimulator;
  let signed: DsSimulator;
  let proxy: DsSimulator;
  let dir: string;
  let runtime: Runtime;
  let app: ReturnType<typeof buildServer>;

  beforeAll(async () => {
    old = await startDsSimulator({ version: '7.1' });
    signed = await startDsSimulator({ version: '7.5', jwtSecret: 'secret-of-7.5', jwtHeader: 'AuthorizationJwt' });
    // A second DS process stands in for the reverse proxy of `signed` here; test/integration/fleet.test.ts has real nginx.
    proxy = await startDsSimulator({ version: '7.5', jwtSecret: 'secret-of-7.5', jwtHeader: 'AuthorizationJwt' });
    dir = mkdtempSync(join(tmpdir(), 'ooe-fleet-probe-'));
    writeFileSync(join(dir, 'secret'), 'secret-of-7.5\n');
    writeFileSync(
      join(dir, 'config.yml'),
      `
documentserver: { url: "http://127.0.0.1:9", jwt: { secret: not-theirs }, timeout: 5s }
probe:
  targets:
    - { url: "${old.url}", name: old, jwt: null }
    - url: "${signed.url}"
      name: signed
      public_url: "${proxy.url}"
      jwt: { secret_file: ${join(dir, 'secret')}, header: AuthorizationJwt }
      labels: { site: bj }
docker: { enabled: false }
disk: { paths: [] }
`,
    );
    runtime = new Runtime(join(dir, 'config.yml'), logger);
    await runtime.reload();
    app = buildServer({ runtime, logger, timeoutOffsetMs: 500, enableRemoteReload: false });
  });

  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await Promise.all([old?.stop(), signed?.stop(), proxy?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const probe = async (target: string) => {
    const response = await app.inject({ url: `/probe?target=${encodeURIComponent(target)}` });
    expect(response.statusCode).toBe(200);
    return parseExposition(response.body);
  };

  test('a 7.1 without JWT, by name: commands answer 0 unsigned, no via="public" hop', async () => {
    const samples = await probe('old');
    expect(value(samples, 'onlyoffice_command_error', { command: 'version', code: '0' })).toBe(1);
    expect(find(samples, 'onlyoffice_endpoint_up').map((s) => s.labels.via)).not.toContain('public');
    expect(old.requests.filter((r) => r.method === 'POST').every((r) => r.headers.authorization === undefined)).toBe(
      true,
    );
  });

  test('a 7.5 with its own secret and header: commands, license and forgotten files work, and its public_url is checked', async () => {
    const before = proxy.requests.length;
    const samples = await probe(signed.url);
    for (const command of ['version', 'license', 'getForgottenList']) {
      expect(value(samples, 'onlyoffice_command_error', { command, code: '0' })).toBe(1);
    }
    expect(value(samples, 'onlyoffice_forgotten_files')).toBe(0);
    expect(find(samples, 'onlyoffice_license_info')).toHaveLength(1);
    // api.js is nginx's (from disk): a bare docservice does not serve it.
    for (const endpoint of ['healthcheck', 'index', 'command']) {
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint, via: 'public' })).toBe(1);
    }
    expect(value(samples, 'probe_success')).toBe(1);
    expect(proxy.requests.slice(before).map((r) => r.path)).toEqual(
      expect.arrayContaining(['/healthcheck', '/index.html']),
    );
  });

  test('the same target by its name gives the same checks', async () => {
    const samples = await probe('signed');
    expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'command', via: 'public' })).toBe(1);
    expect(value(samples, 'onlyoffice_command_error', { command: 'license', code: '0' })).toBe(1);
  });

  test('anything else is refused', async () => {
    for (const [target, text] of [
      [proxy.url, 'target is not in probe.targets of the configuration\n'],
      ['site', 'target is neither a URL nor the name of a target in probe.targets\n'],
      ['http://127.0.0.1:9', 'target is not in probe.targets of the configuration\n'],
    ]) {
      const response = await app.inject({ url: `/probe?target=${encodeURIComponent(target!)}` });
      expect([response.statusCode, response.body]).toEqual([400, text]);
    }
  });
});

test("/probe checks the certificate of a target's https public_url too, probe_ssl_* staying about the target URL", async () => {
  // A plain HTTP server on the public port: the handshake fails, which is enough to see the endpoint is checked.
  const proxy = await startDsSimulator({ version: '8.3' });
  try {
    const config = configFrom('');
    const target = {
      ...config.documentserver,
      url: 'http://127.0.0.1:9',
      public_url: `https://127.0.0.1:${proxy.port}`,
    };
    const { samples } = await scrapeWith([tlsEndpoints], config, { scope: 'probe', target });
    expect(find(samples, 'onlyoffice_tls_up').map((s) => [s.labels, s.value])).toEqual([
      [{ target: `127.0.0.1:${proxy.port}` }, 0],
    ]);
    expect(find(samples, 'probe_ssl_earliest_cert_expiry')).toEqual([]);
  } finally {
    await proxy.stop();
  }
});
