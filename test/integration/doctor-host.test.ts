import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { renderJson } from '../../src/doctor/render.js';
import { runDoctor } from '../../src/doctor/run.js';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { requirePrograms } from '../support/integration.js';
import { configFrom, silentLogger } from '../support/scrape.js';
import { TestPki } from '../support/tls-pki.js';

const DAY = 86_400;
const { describe: withOpenssl } = requirePrograms('openssl');

/** The certificate and disk hops from the real TLS and disk collectors: an expired certificate served over TLS, a key that is not the certificate's, a missing data path. */
withOpenssl('doctor: certificates and disk, from the real collectors', () => {
  let pki: TestPki;
  let server: Server;
  let port: number;
  let ds: DsSimulator;
  let rootPath: string;
  let certFile: string;
  let expiredNotAfter: number;

  beforeAll(async () => {
    pki = new TestPki();
    const now = Math.floor(Date.now() / 1000);
    const root = pki.issue('root', {
      subject: '/CN=ooe doctor root',
      notBefore: now - DAY,
      notAfter: now + 3650 * DAY,
      serial: '01',
      ca: true,
    });
    const inter = pki.issue('inter', {
      subject: '/CN=ooe doctor intermediate',
      issuer: root,
      notBefore: now - DAY,
      notAfter: now + 1000 * DAY,
      serial: '02',
      ca: true,
    });
    const expired = pki.issue('expired', {
      subject: '/CN=docs.test',
      issuer: inter,
      notBefore: now - 30 * DAY,
      notAfter: now - 2 * DAY,
      serial: '0a',
      san: 'DNS:docs.test',
    });
    const valid = pki.issue('valid', {
      subject: '/CN=docs.test',
      issuer: inter,
      notBefore: now - DAY,
      notAfter: now + 90 * DAY,
      serial: '0b',
      san: 'DNS:docs.test',
    });
    expiredNotAfter = expired.notAfter;
    rootPath = root.certPath;
    // The DS certificate folder's layout: onlyoffice.crt (leaf + intermediate) and onlyoffice.key, here the key of another certificate.
    certFile = join(pki.dir, 'onlyoffice.crt');
    writeFileSync(certFile, valid.certPem + inter.certPem);
    copyFileSync(expired.keyPath, join(pki.dir, 'onlyoffice.key'));
    server = createServer({ cert: expired.certPem + inter.certPem, key: expired.keyPem }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    ds = await startDsSimulator({ version: '8.3' });
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await ds?.stop();
    pki?.remove();
  });

  test('expired certificate, mismatched key and a missing path are each named with their fix', async () => {
    const config = configFrom(`
documentserver: { url: "${ds.url}", timeout: 2s }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
docker: { enabled: false }
tls:
  endpoints: [{ address: "127.0.0.1:${port}", server_name: docs.test }]
  files: ["${certFile}"]
  ca_file: ${rootPath}
disk:
  paths: [/nonexistent-ooe-doctor/data]
`);
    const d = await runDoctor(config, silentLogger, 8_000);
    const verdicts = Object.fromEntries(d.hops.map((h) => [h.id, h.verdict]));
    expect(verdicts).toMatchObject({
      docservice: 'ok',
      healthcheck: 'ok',
      jwt: 'ok',
      certificates: 'fail',
      disk: 'fail',
    });
    const date = new Date(expiredNotAfter * 1000).toISOString().slice(0, 10);
    expect(d.causes.map((c) => [c.id, c.params.target ?? c.params.path])).toEqual([
      ['disk_error', '/nonexistent-ooe-doctor/data'],
      ['cert_expired', `docs.test:${port}`],
      ['cert_key_mismatch', certFile],
    ]);
    expect(d.causes[1]!.params.date).toBe(date);
    const json = renderJson(d, 'en');
    expect(json.causes[1]!.title).toBe(`certificate expired: docs.test:${port}`);
    expect(json.causes[1]!.fix[0]).toBe(
      `openssl s_client -connect docs.test:${port} -servername docs.test -showcerts </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -dates -ext subjectAltName`,
    );
    expect(json.causes[2]!.fix).toEqual([
      `openssl x509 -noout -pubkey -in ${certFile} | sha256sum`,
      `openssl pkey -pubout -in ${certFile.replace(/\.crt$/, '.key')} | sha256sum`,
    ]);
    // The good file's own expiry is shown as a finding, not a problem.
    expect(d.hops.find((h) => h.id === 'certificates')!.findings.map((f) => f.code)).toEqual([
      'cert_problem',
      'cert_ok',
      'cert_problem',
    ]);
  });
});
