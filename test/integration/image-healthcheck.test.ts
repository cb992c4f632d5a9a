import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE } from '../../src/cli.js';
import { startBlackhole } from '../support/blackhole.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { requirePrograms } from '../support/integration.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/service-process.js';
import { TestPki } from '../support/tls-pki.js';

const SCRIPT = fileURLToPath(new URL('../../deploy/docker/healthcheck.mjs', import.meta.url));
const DAY = 86_400;
// exporter-toolkit's test hash (Go's bcrypt, $2y$, cost 10) of "fakepassword".
const GO_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
const AUTHORIZATION = `Basic ${Buffer.from('prometheus:fakepassword').toString('base64')}`;

interface Outcome {
  code: number;
  stdout: string;
  ms: number;
}

/** Runs the health check as the image does (node, no tsx), with its exit code, output and duration. */
function healthcheck(args: string[]): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 20_000 }, (error, stdout) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
        stdout,
        ms: Date.now() - started,
      });
    });
  });
}

/** Status of an authenticated GET, trusting the test CA: the readiness check of the TLS exporters. */
function status(ca: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { ca, agent: false, headers: { authorization: AUTHORIZATION }, timeout: 5000 },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const port = (exporter: ExporterProcess) => new URL(exporter.url).port;
const listen = (exporter: ExporterProcess) => `--web.listen-address=127.0.0.1:${port(exporter)}`;

requirePrograms('openssl').describe('deploy/docker/healthcheck.mjs against the real daemon', () => {
  let pki: TestPki;
  let ca: string;
  let configs: { tls: string; tlsAuth: string; mtls: string; headers: string };
  let plain: ExporterProcess;
  let tls: ExporterProcess;
  let tlsAuth: ExporterProcess;
  let mtls: ExporterProcess;

  const tlsSection = (extra = '') => `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n${extra}`;

  beforeAll(async () => {
    pki = new TestPki();
    const now = Math.floor(Date.now() / 1000);
    const issuer = pki.issue('ca', {
      subject: '/CN=healthcheck test CA',
      notBefore: now - DAY,
      notAfter: now + 365 * DAY,
      serial: '01',
      ca: true,
    });
    pki.issue('server', {
      subject: '/CN=localhost',
      issuer,
      notBefore: now - DAY,
      notAfter: now + 30 * DAY,
      serial: '11',
      san: 'IP:127.0.0.1',
    });
    ca = issuer.certPem;
    const write = (name: string, text: string) => {
      writeFileSync(join(pki.dir, name), text);
      return join(pki.dir, name);
    };
    configs = {
      tls: write('tls.yml', tlsSection()),
      tlsAuth: write('tls-auth.yml', `${tlsSection()}basic_auth_users:\n  prometheus: "${GO_HASH}"\n`),
      mtls: write('mtls.yml', tlsSection()),
      // A web config that turns neither TLS nor basic auth on.
      headers: write('headers.yml', 'http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n'),
    };
    const config = write(
      'config.yml',
      `documentserver: { url: "http://127.0.0.1:${await freePort()}", timeout: 1s }\ndocker: { enabled: false }\ndisk: { paths: [] }\n`,
    );
    const https = {
      scheme: 'https' as const,
      ready: async (url: string) => (await status(ca, `${url}/-/ready`)) === 200,
    };
    [plain, tls, tlsAuth, mtls] = await Promise.all([
      startExporter([`--config.file=${config}`]),
      startExporter([`--config.file=${config}`, `--web.config.file=${configs.tls}`], {}, https),
      startExporter([`--config.file=${config}`, `--web.config.file=${configs.tlsAuth}`], {}, https),
      // Starts without client certificates (so it can be seen ready), then reloaded to each policy.
      startExporter([`--config.file=${config}`, `--web.config.file=${configs.mtls}`, '--log.level=debug'], {}, https),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([plain, tls, tlsAuth, mtls].map((exporter) => exporter?.stop()));
    pki?.remove();
  });

  test('plain HTTP: 200 from /-/healthy', async () => {
    expect(await healthcheck([listen(plain)])).toMatchObject({
      code: 0,
      stdout: `healthy: 200 from http://127.0.0.1:${port(plain)}/-/healthy\n`,
    });
  });

  test('TLS from the web config: 200 over HTTPS, the private CA not verified', async () => {
    expect(await healthcheck([listen(tls), `--web.config.file=${configs.tls}`])).toMatchObject({
      code: 0,
      stdout: `healthy: 200 from https://127.0.0.1:${port(tls)}/-/healthy\n`,
    });
  });

  test('TLS and basic auth: the 401 challenge of our server counts as alive', async () => {
    expect(await healthcheck([listen(tlsAuth), `--web.config.file=${configs.tlsAuth}`])).toMatchObject({
      code: 0,
      stdout: `alive: 401 from https://127.0.0.1:${port(tlsAuth)}/-/healthy (basic auth is on; a health check has no password)\n`,
    });
    // Only where the web config has users: otherwise a 401 is a failure like any other status.
    expect(await healthcheck([listen(tlsAuth), `--web.config.file=${configs.tls}`])).toMatchObject({
      code: 1,
      stdout: `unhealthy: 401 from https://127.0.0.1:${port(tlsAuth)}/-/healthy\n`,
    });
  });

  test('the scheme follows the web config: HTTPS to a plain exporter and HTTP to a TLS one both fail', async () => {
    const https = await healthcheck([listen(plain), `--web.config.file=${configs.tls}`]);
    expect(https).toMatchObject({
      code: 1,
      stdout: `unhealthy: https://127.0.0.1:${port(plain)}/-/healthy: wrong version number (EPROTO)\n`,
    });
    const http = await healthcheck([listen(tls), `--web.config.file=${configs.headers}`]);
    expect(http.code).toBe(1);
    expect(http.stdout).toMatch(new RegExp(`^unhealthy: http://127\\.0\\.0\\.1:${port(tls)}/-/healthy: `));
  });

  test('client certificates required: a handshake refused for want of one counts as alive, under each policy and TLS version', async () => {
    const url = `https://127.0.0.1:${port(mtls)}/-/healthy`;
    const applied = () => mtls.output().split('"msg":"web configuration applied"').length - 1;
    const reload = async (extra: string) => {
      const before = applied();
      writeFileSync(configs.mtls, tlsSection(extra));
      mtls.child.kill('SIGHUP');
      await waitFor('the reloaded web config', 10_000, () => (applied() > before ? true : undefined));
    };

    await reload('  client_auth_type: RequireAndVerifyClientCert\n');
    const verify13 = await healthcheck([listen(mtls), `--web.config.file=${configs.mtls}`]);
    expect(verify13.code).toBe(0);
    // TLS 1.3: the alert comes after our side of the handshake is done, sometimes as a reset.
    expect(verify13.stdout).toMatch(
      new RegExp(
        `^alive: ${url} refused a client without a certificate: (tlsv13 alert certificate required \\(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\\)|read ECONNRESET)\\n$`,
      ),
    );
    // The same answer without client certificates in the web config is a failure.
    expect((await healthcheck([listen(mtls), `--web.config.file=${configs.tls}`])).code).toBe(1);

    await reload('  client_auth_type: RequireAndVerifyClientCert\n  max_version: TLS12\n');
    expect(await healthcheck([listen(mtls), `--web.config.file=${configs.mtls}`])).toMatchObject({
      code: 0,
      stdout: `alive: ${url} refused a client without a certificate: sslv3 alert handshake failure (EPROTO)\n`,
    });

    await reload('  client_auth_type: RequireAnyClientCert\n');
    const any = await healthcheck([listen(mtls), `--web.config.file=${configs.mtls}`]);
    expect(any.code).toBe(0);
    expect(any.stdout).toMatch(
      new RegExp(`^alive: ${url} refused a client without a certificate: (read ECONNRESET|socket hang up)\\n$`),
    );

    // Optional client certificates: an anonymous client gets the plain 200.
    await reload('  client_auth_type: VerifyClientCertIfGiven\n');
    expect(await healthcheck([listen(mtls), `--web.config.file=${configs.mtls}`])).toMatchObject({
      code: 0,
      stdout: `healthy: 200 from ${url}\n`,
    });
  });

  test('a dead port fails at once, well within the timeout', async () => {
    const dead = await freePort();
    // A long timeout: the time measured includes starting node, which a busy machine makes slow.
    const outcome = await healthcheck([`--web.listen-address=127.0.0.1:${dead}`, '--timeout=40s']);
    expect(outcome).toMatchObject({
      code: 1,
      stdout: `unhealthy: http://127.0.0.1:${dead}/-/healthy: connect ECONNREFUSED 127.0.0.1:${dead}\n`,
    });
    expect(outcome.ms).toBeLessThan(20_000);
  });

  describe('a port where something else answers', () => {
    let closer: TcpServer;
    let other: HttpServer;
    const address = (server: TcpServer | HttpServer) => `127.0.0.1:${(server.address() as { port: number }).port}`;

    beforeAll(async () => {
      // Accepts and hangs up at once.
      closer = createTcpServer((socket) => socket.destroy());
      // Another HTTP service: no /-/healthy.
      other = createHttpServer((_req, res) => res.writeHead(404).end('404 page not found\n'));
      await Promise.all(
        [closer, other].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))),
      );
    });

    afterAll(async () => {
      await Promise.all([closer, other].map((server) => new Promise((resolve) => server.close(resolve))));
    });

    test('a TCP server that hangs up fails, over HTTP and HTTPS', async () => {
      // A FIN or a reset, as the kernel has it.
      const http = await healthcheck([`--web.listen-address=${address(closer)}`]);
      expect(http.code).toBe(1);
      expect(http.stdout).toMatch(
        new RegExp(`^unhealthy: http://${address(closer)}/-/healthy: (socket hang up|read ECONNRESET)\\n$`),
      );
      const https = await healthcheck([`--web.listen-address=${address(closer)}`, `--web.config.file=${configs.tls}`]);
      expect(https.code).toBe(1);
      expect(https.stdout).toMatch(
        new RegExp(
          `^unhealthy: https://${address(closer)}/-/healthy: (Client network socket disconnected before secure TLS connection was established|read ECONNRESET)\\n$`,
        ),
      );
    });

    test('an HTTP server without /-/healthy fails with its status', async () => {
      expect(await healthcheck([`--web.listen-address=${address(other)}`])).toMatchObject({
        code: 1,
        stdout: `unhealthy: 404 from http://${address(other)}/-/healthy\n`,
      });
    });

    test('a peer that never answers fails after --timeout', async () => {
      const blackhole = await startBlackhole();
      try {
        const outcome = await healthcheck([`--web.listen-address=127.0.0.1:${blackhole.port}`, '--timeout=1s']);
        expect(outcome).toMatchObject({
          code: 1,
          stdout: `unhealthy: no answer from http://127.0.0.1:${blackhole.port}/-/healthy within 1000ms\n`,
        });
        expect(outcome.ms).toBeGreaterThanOrEqual(1000);
        // Includes starting node; without the timeout it would wait for ever.
        expect(outcome.ms).toBeLessThan(15_000);
      } finally {
        await blackhole.stop();
      }
    });
  });

  test("takes the exporter's whole flag list (USAGE), in both --flag=value and --flag value forms; refuses a typo", async () => {
    const flags = [...USAGE.matchAll(/^ {2}--([a-z.-]+)(=[A-Z]+)?/gm)]
      .map((m) => [m[1]!, m[2]] as const)
      .filter(([flag]) => flag !== 'help');
    expect(flags.map(([flag]) => flag)).toEqual([
      'config.file',
      'web.listen-address',
      'web.timeout-offset',
      'web.enable-remote-reload',
      'web.config.file',
      'web.max-requests',
      'web.max-response-bytes-in-flight',
      'log.level',
    ]);
    const args = flags.flatMap(([flag, value]) => {
      if (flag === 'web.listen-address') return [`--${flag}`, `127.0.0.1:${port(plain)}`];
      if (flag === 'web.config.file') return [`--${flag}`, configs.headers];
      return [`--${flag}${value ?? ''}`];
    });
    expect(await healthcheck(args)).toMatchObject({
      code: 0,
      stdout: `healthy: 200 from http://127.0.0.1:${port(plain)}/-/healthy\n`,
    });
    expect(await healthcheck([`--web.listen-adress=127.0.0.1:${port(plain)}`])).toMatchObject({
      code: 1,
      stdout: 'unhealthy: unknown flag --web.listen-adress\n',
    });
  });
});
