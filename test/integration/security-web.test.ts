import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { Duplex, PassThrough } from 'node:stream';
import { join } from 'node:path';
import type { SecureVersion, TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import pino from 'pino';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';
import { runExporterToExit, startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { requirePrograms } from '../support/integration.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/service-process.js';
import { TestPki, type Issued } from '../support/tls-pki.js';

const DAY = 86_400;
const gate = requirePrograms('openssl');

// exporter-toolkit's own test hash (Go's bcrypt, $2y$, cost 10) of "fakepassword": Prometheus users copy such hashes.
const GO_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
const PROMETHEUS = { user: 'prometheus', password: 'fakepassword' };
const GRAFANA = { user: 'grafana', password: 'grafana-Pa55-word' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Serial number of the certificate the exporter presented. */
  serial: string;
}

interface Call {
  method?: string;
  auth?: { user: string; password: string };
  authorization?: string;
  client?: Issued;
  maxVersion?: SecureVersion;
}

/** One request on a fresh TLS connection (no agent: every call sees the current certificate and policy). */
function call(ca: string, url: string, options: Call = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (options.auth)
      headers.authorization = `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}`;
    if (options.authorization) headers.authorization = options.authorization;
    const req = httpsRequest(
      url,
      {
        method: options.method ?? 'GET',
        ca,
        agent: false,
        headers,
        cert: options.client?.certPem,
        key: options.client?.keyPem,
        maxVersion: options.maxVersion,
        timeout: 10_000,
      },
      (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, serial }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The error a request ends with (its code), or "answered <status>". */
async function failure(promise: Promise<Answer>): Promise<string> {
  try {
    return `answered ${(await promise).status}`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/** A client certificate (extendedKeyUsage clientAuth, which TestPki's server certificates lack). */
function clientCertificate(pki: TestPki, issuer: Issued, name: string, serial: string): Issued {
  const keyPath = pki.key(name);
  const csr = join(pki.dir, `${name}.csr`);
  const certPath = join(pki.dir, `${name}.crt`);
  const ext = join(pki.dir, `${name}.ext`);
  writeFileSync(
    ext,
    'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth\n',
  );
  execFileSync('openssl', ['req', '-new', '-key', keyPath, '-subj', `/CN=${name}`, '-out', csr], { stdio: 'pipe' });
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      issuer.certPath,
      '-CAkey',
      issuer.keyPath,
      '-set_serial',
      `0x${serial}`,
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      certPath,
    ],
    { stdio: 'pipe' },
  );
  const now = Math.floor(Date.now() / 1000);
  return {
    name,
    certPath,
    keyPath,
    certPem: execFileSync('cat', [certPath], { encoding: 'utf8' }),
    keyPem: execFileSync('cat', [keyPath], { encoding: 'utf8' }),
    notBefore: now,
    notAfter: now + 2 * DAY,
    serial,
  };
}

gate.describe("TLS and basic auth on the exporter's own endpoints (--web.config.file)", () => {
  let pki: TestPki;
  let rogue: TestPki;
  let ca: Issued;
  let client: Issued;
  let rogueClient: Issued;
  let dir: string;
  let webConfig: string;
  let exporter: ExporterProcess;
  const grafanaHash = bcrypt.hashSync(GRAFANA.password, 10);

  const web = (extra = '', users = `  ${PROMETHEUS.user}: "${GO_HASH}"`, cert = 'server') => `tls_server_config:
  cert_file: ${cert}.crt
  key_file: ${cert}.key
${extra}
basic_auth_users:
${users}
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
    Strict-Transport-Security: max-age=31536000
`;
  const get = (path: string, options: Call = {}) => call(ca.certPem, `${exporter.url}${path}`, options);
  const reload = (options: Call = { auth: PROMETHEUS }) => get('/-/reload', { method: 'POST', ...options });

  beforeAll(async () => {
    pki = new TestPki();
    rogue = new TestPki();
    const now = Math.floor(Date.now() / 1000);
    ca = pki.issue('ca', {
      subject: '/CN=exporter test CA',
      notBefore: now - DAY,
      notAfter: now + 365 * DAY,
      serial: '01',
      ca: true,
    });
    pki.issue('server', {
      subject: '/CN=localhost',
      issuer: ca,
      notBefore: now - DAY,
      notAfter: now + 30 * DAY,
      serial: '11',
      san: 'IP:127.0.0.1',
    });
    pki.issue('rotated', {
      subject: '/CN=localhost',
      issuer: ca,
      notBefore: now - DAY,
      notAfter: now + 60 * DAY,
      serial: '22',
      san: 'IP:127.0.0.1',
    });
    client = clientCertificate(pki, ca, 'prometheus-client', '33');
    const rogueCa = rogue.issue('rogue-ca', {
      subject: '/CN=rogue CA',
      notBefore: now - DAY,
      notAfter: now + 365 * DAY,
      serial: '01',
      ca: true,
    });
    rogueClient = clientCertificate(rogue, rogueCa, 'rogue-client', '44');

    dir = pki.dir;
    webConfig = join(dir, 'web.yml');
    writeFileSync(webConfig, web());
    const config = join(dir, 'config.yml');
    // Nothing listens on the DS port: the routes still answer, with DS down.
    writeFileSync(
      config,
      `documentserver: { url: "http://127.0.0.1:${await freePort()}", timeout: 1s }\ndocker: { enabled: false }\ndisk: { paths: [] }\n`,
    );
    exporter = await startExporter(
      [`--config.file=${config}`, `--web.config.file=${webConfig}`, '--log.level=debug'],
      {},
      {
        scheme: 'https',
        ready: async (url) => (await call(ca.certPem, `${url}/-/ready`, { auth: PROMETHEUS })).status === 200,
      },
    );
  });

  afterAll(async () => {
    await exporter?.stop();
    pki?.remove();
    rogue?.remove();
  });

  test('every path answers 401 without credentials, /-/healthy and 404s included, with the configured headers', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/metrics'],
      ['GET', '/probe?target=http://127.0.0.1:1'],
      ['GET', '/-/healthy'],
      ['GET', '/-/ready'],
      ['GET', '/'],
      ['GET', '/status.json'],
      ['GET', '/runbooks/OnlyofficeDocsDown'],
      ['GET', '/runbooks/'],
      ['GET', '/no-such-page'],
      ['POST', '/-/reload'],
      ['POST', '/notify/dingtalk/ops'],
    ];
    for (const [method, path] of routes) {
      const answer = await get(path, { method });
      expect({
        method,
        path,
        status: answer.status,
        body: answer.body,
        challenge: answer.headers['www-authenticate'],
        nosniff: answer.headers['x-content-type-options'],
        hsts: answer.headers['strict-transport-security'],
      }).toEqual({
        method,
        path,
        status: 401,
        body: 'Unauthorized\n',
        challenge: 'Basic',
        nosniff: 'nosniff',
        hsts: 'max-age=31536000',
      });
    }
  });

  test('wrong password, unknown user and malformed headers are refused; the Go-made $2y$ hash lets Prometheus in', async () => {
    expect((await get('/metrics', { auth: { user: PROMETHEUS.user, password: 'wrong' } })).status).toBe(401);
    expect((await get('/metrics', { auth: { user: 'nobody', password: PROMETHEUS.password } })).status).toBe(401);
    expect(
      (await get('/metrics', { auth: { user: PROMETHEUS.user.toUpperCase(), password: PROMETHEUS.password } })).status,
    ).toBe(401);
    expect((await get('/metrics', { authorization: `Bearer ${PROMETHEUS.password}` })).status).toBe(401);
    expect(
      (await get('/metrics', { authorization: `Basic ${Buffer.from(PROMETHEUS.user).toString('base64')}` })).status,
    ).toBe(401);
    expect((await get('/metrics', { authorization: 'Basic !!!' })).status).toBe(401);

    const metrics = await get('/metrics', { auth: PROMETHEUS });
    expect(metrics.status).toBe(200);
    expect(metrics.serial).toBe('11');
    expect(metrics.body).toContain('onlyoffice_healthcheck_up 0');
    expect(metrics.body).toContain('onlyoffice_exporter_build_info{version="0.1.0"');
    expect((await get('/-/healthy', { auth: PROMETHEUS })).body).toBe('OK\n');
    expect(metrics.headers['x-content-type-options']).toBe('nosniff');
  });

  test('plain HTTP on the TLS port gets no answer', async () => {
    const plain = exporter.url.replace('https:', 'http:');
    await expect(fetch(`${plain}/-/healthy`)).rejects.toThrow();
  });

  test('a reload (SIGHUP) rotates the certificate, the users and the minimum TLS version without a restart', async () => {
    // TLS 1.2 is accepted by default (min_version TLS12).
    expect((await get('/-/healthy', { auth: PROMETHEUS, maxVersion: 'TLSv1.2' })).status).toBe(200);
    writeFileSync(webConfig, web('  min_version: TLS13', `  ${GRAFANA.user}: "${grafanaHash}"`, 'rotated'));
    exporter.child.kill('SIGHUP');
    await waitFor('the rotated certificate', 10_000, async () =>
      (await get('/-/healthy', { auth: GRAFANA })).serial === '22' ? true : undefined,
    );
    expect((await get('/metrics', { auth: GRAFANA })).status).toBe(200);
    expect((await get('/metrics', { auth: PROMETHEUS })).status).toBe(401);
    await expect(get('/-/healthy', { auth: GRAFANA, maxVersion: 'TLSv1.2' })).rejects.toThrow(/alert protocol version/);
  });

  test('a bad web config on reload is refused with the key named, and the running one stays', async () => {
    writeFileSync(webConfig, web('  client_auth_type: Sometimes', `  ${GRAFANA.user}: "${grafanaHash}"`, 'rotated'));
    const bad = await reload({ auth: GRAFANA });
    expect(bad.status).toBe(500);
    expect(bad.body).toBe(
      `invalid configuration in ${webConfig}:\n  - tls_server_config.client_auth_type: must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert\n`,
    );
    writeFileSync(webConfig, `basic_auth_users:\n  ${GRAFANA.user}: "${grafanaHash}"\n`);
    const off = await reload({ auth: GRAFANA });
    expect(off.status).toBe(500);
    expect(off.body).toBe(
      `invalid configuration in ${webConfig}:\n  - tls_server_config: TLS cannot be turned off by a reload; restart the exporter\n`,
    );
    const still = await get('/-/healthy', { auth: GRAFANA });
    expect([still.status, still.serial]).toEqual([200, '22']);
  });

  test('client certificates: each exporter-toolkit client_auth_type, switched by reloads', async () => {
    const users = `  ${GRAFANA.user}: "${grafanaHash}"`;
    const apply = async (policy: string) => {
      writeFileSync(webConfig, web(`  client_auth_type: ${policy}\n  client_ca_file: ca.crt`, users, 'rotated'));
      const answer = await reload({ auth: GRAFANA, client });
      expect([policy, answer.status, answer.body]).toEqual([policy, 200, 'OK\n']);
    };
    const outcomes = async () => ({
      none: await failure(get('/-/healthy', { auth: GRAFANA })),
      trusted: await failure(get('/-/healthy', { auth: GRAFANA, client })),
      rogue: await failure(get('/-/healthy', { auth: GRAFANA, client: rogueClient })),
    });

    await apply('RequireAndVerifyClientCert');
    const strict = await outcomes();
    expect(strict.trusted).toBe('answered 200');
    expect(strict.none).toMatch(/^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET)$/);
    expect(strict.rogue).toMatch(/^(ERR_SSL_TLSV1_ALERT_UNKNOWN_CA|ECONNRESET)$/);
    // A valid client certificate does not replace basic auth: both are required.
    expect((await get('/-/healthy', { client })).status).toBe(401);

    await apply('VerifyClientCertIfGiven');
    const ifGiven = await outcomes();
    expect(ifGiven.none).toBe('answered 200');
    expect(ifGiven.trusted).toBe('answered 200');
    expect(ifGiven.rogue).toMatch(/^(ECONNRESET|socket hang up|ERR_SSL_TLSV1_ALERT_UNKNOWN_CA)$/);

    await apply('RequireAnyClientCert');
    const any = await outcomes();
    expect(any.none).toMatch(/^(ECONNRESET|socket hang up)$/);
    expect(any.trusted).toBe('answered 200');
    expect(any.rogue).toBe('answered 200');

    await apply('RequestClientCert');
    expect(await outcomes()).toEqual({ none: 'answered 200', trusted: 'answered 200', rogue: 'answered 200' });
  });

  test('the log never holds a password or a hash', () => {
    const log = exporter.output();
    expect(log).toContain('"tls":true');
    expect(log).toContain('"basic_auth":true');
    for (const secret of [PROMETHEUS.password, GRAFANA.password, GO_HASH, grafanaHash, 'wrong'])
      expect(log).not.toContain(secret);
  });

  test('a bad web config stops the start with the key named', async () => {
    const bad = join(dir, 'bad-web.yml');
    writeFileSync(bad, 'basic_auth_users: { alice: hunter2 }\n');
    const { code, output } = await runExporterToExit([`--web.config.file=${bad}`, '--web.listen-address=127.0.0.1:0']);
    expect(code).toBe(1);
    expect(output).toContain(
      `onlyoffice-exporter: invalid configuration in ${bad}:\n  - basic_auth_users.alice: is not a bcrypt hash`,
    );
    expect(output).not.toContain('hunter2');
  });
});

describe('POST /-/reload is not open to the world by default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-reload-'));
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, 'documentserver: { url: "http://127.0.0.1:9" }\n');
  const logger = pino({ level: 'silent' });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * POST /-/reload through Node's HTTP parser and the daemon's routes, over a connection whose peer address we choose:
   * the tests may only use loopback, so another host's connection is a stream pair handed to the server.
   */
  async function reloadFrom(remoteAddress: string, enableRemoteReload: boolean, headers: Record<string, string> = {}) {
    const runtime = new Runtime(configPath, logger, []);
    await runtime.reload();
    const app = buildServer({ runtime, logger, timeoutOffsetMs: 500, enableRemoteReload });
    try {
      await app.ready();
      const toServer = new PassThrough();
      const toClient = new PassThrough();
      const serverSide = Duplex.from({ readable: toServer, writable: toClient });
      Object.defineProperty(serverSide, 'remoteAddress', { value: remoteAddress });
      app.server.emit('connection', serverSide);
      const extra = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      toServer.write(
        `POST /-/reload HTTP/1.1\r\nHost: exporter\r\nContent-Length: 0\r\nConnection: close\r\n${extra}\r\n`,
      );
      let raw = '';
      for await (const chunk of toClient) raw += String(chunk);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
      return [status, raw.slice(raw.indexOf('\r\n\r\n') + 4)];
    } finally {
      await app.close();
      await runtime.close();
    }
  }

  const refused = [403, 'reload is only accepted from loopback (see --web.enable-remote-reload)\n'];
  test.each([
    ['another host', '192.0.2.10', refused],
    ['an IPv6 host', '2001:db8::1', refused],
    ['an IPv4-mapped other host', '::ffff:192.0.2.10', refused],
    ['127.0.0.1', '127.0.0.1', [200, 'OK\n']],
    ['127.0.0.2 (all of 127/8 is loopback)', '127.0.0.2', [200, 'OK\n']],
    ['::1', '::1', [200, 'OK\n']],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1', [200, 'OK\n']],
  ])('from %s', async (_name, address, expected) => {
    expect(await reloadFrom(address, false)).toEqual(expected);
  });

  test('X-Forwarded-For cannot pretend to be loopback', async () => {
    expect(
      await reloadFrom('192.0.2.10', false, {
        'x-forwarded-for': '127.0.0.1',
        'x-real-ip': '127.0.0.1',
        forwarded: 'for=127.0.0.1',
      }),
    ).toEqual(refused);
  });

  test('--web.enable-remote-reload opens it', async () => {
    expect(await reloadFrom('192.0.2.10', true)).toEqual([200, 'OK\n']);
  });
});
