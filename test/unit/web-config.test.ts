import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { parseCli } from '../../src/cli.js';
import { ConfigError } from '../../src/config/load.js';
import { loadWebConfig, parseWebConfig } from '../../src/security/web-config.js';
import { TestPki, type Issued } from '../support/tls-pki.js';

const DAY = 86_400;
// exporter-toolkit's own test hash (Go's bcrypt) of "fakepassword".
const GO_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';

let pki: TestPki;
let ca: Issued;
let server: Issued;

beforeAll(() => {
  pki = new TestPki();
  const now = Math.floor(Date.now() / 1000);
  ca = pki.issue('ca', {
    subject: '/CN=web test CA',
    notBefore: now - DAY,
    notAfter: now + 365 * DAY,
    serial: '01',
    ca: true,
  });
  server = pki.issue('server', {
    subject: '/CN=localhost',
    issuer: ca,
    notBefore: now - DAY,
    notAfter: now + 30 * DAY,
    serial: '02',
    san: 'IP:127.0.0.1',
  });
  pki.issue('other', {
    subject: '/CN=other',
    issuer: ca,
    notBefore: now - DAY,
    notAfter: now + 30 * DAY,
    serial: '03',
    san: 'DNS:other',
  });
});

afterAll(() => pki.remove());

function problems(yaml: string, path = join(pki.dir, 'web.yml')): string[] {
  try {
    parseWebConfig(yaml, path);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('web config (exporter-toolkit format)', () => {
  test('an empty file means plain HTTP without auth', () => {
    expect(parseWebConfig('', 'web.yml')).toEqual({ tls: undefined, users: new Map(), headers: {} });
    expect(parseWebConfig('basic_auth_users:\n', 'web.yml').users.size).toBe(0);
  });

  test('TLS from files, relative to the web config folder, with the defaults exporter-toolkit has', () => {
    const config = parseWebConfig(
      `tls_server_config:\n  cert_file: server.crt\n  key_file: ${server.keyPath}\n`,
      join(pki.dir, 'web.yml'),
    );
    expect(config.tls).toEqual({
      cert: server.certPem,
      key: server.keyPem,
      clientCa: undefined,
      clientAuth: 'NoClientCert',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
    });
  });

  test('inline PEM, client auth and versions', () => {
    const yaml = `tls_server_config:
  cert: ${JSON.stringify(server.certPem)}
  key: ${JSON.stringify(server.keyPem)}
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
  min_version: TLS13
`;
    const config = parseWebConfig(yaml, join(pki.dir, 'web.yml'));
    expect(config.tls).toEqual({
      cert: server.certPem,
      key: server.keyPem,
      clientCa: ca.certPem,
      clientAuth: 'RequireAndVerifyClientCert',
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
  });

  test('basic auth users with bcrypt hashes ($2y$ from htpasswd and Go, $2a$/$2b$ from others) and headers', async () => {
    const own = bcrypt.hashSync('s3cret', 4);
    const config = parseWebConfig(
      `basic_auth_users:\n  prometheus: "${GO_HASH}"\n  grafana: "${own}"\nhttp_server_config:\n  http2: false\n  headers:\n    X-Content-Type-Options: nosniff\n    X-Frame-Options: deny\n`,
      'web.yml',
    );
    expect([...config.users.entries()]).toEqual([
      ['prometheus', GO_HASH],
      ['grafana', own],
    ]);
    expect(config.headers).toEqual({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'deny' });
    // The hash written by Go's bcrypt checks out with bcryptjs.
    expect(await bcrypt.compare('fakepassword', GO_HASH)).toBe(true);
  });

  test.each([
    [
      'YAML',
      'tls_server_config: [',
      [
        'not valid YAML (line 1): Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 21:',
      ],
    ],
    ['not a mapping', '- a', ['the top level must be a mapping']],
    ['unknown top-level key', 'tls_config: {}', ['tls_config: unknown key']],
    [
      'unknown TLS key',
      'tls_server_config: { cert_file: a, key_file: b, certfile: c }',
      ['tls_server_config.certfile: unknown key'],
    ],
    [
      'no certificate',
      'tls_server_config: { key_file: server.key }',
      ['tls_server_config.cert_file: is required in tls_server_config (or cert, inline PEM)'],
    ],
    [
      'no key',
      'tls_server_config: { cert_file: server.crt }',
      ['tls_server_config.key_file: is required in tls_server_config (or key, inline PEM)'],
    ],
    [
      'both inline and file',
      'tls_server_config: { cert_file: server.crt, cert: x, key_file: server.key }',
      ['tls_server_config.cert_file: give either cert or cert_file, not both'],
    ],
    [
      'missing file',
      'tls_server_config: { cert_file: nope.crt, key_file: server.key }',
      [`tls_server_config.cert_file: cannot read ${join('PKI', 'nope.crt')}: ENOENT`],
    ],
    [
      'a device instead of a file',
      'tls_server_config: { cert_file: /dev/zero, key_file: server.key }',
      ['tls_server_config.cert_file: cannot read /dev/zero: not a regular file'],
    ],
    [
      'a folder instead of a file',
      'tls_server_config: { cert_file: server.crt, key_file: /tmp }',
      ['tls_server_config.key_file: cannot read /tmp: not a regular file'],
    ],
    [
      'not a certificate',
      'tls_server_config: { cert_file: server.key, key_file: server.key }',
      ['tls_server_config.cert_file: is not a PEM certificate'],
    ],
    [
      'not a key',
      'tls_server_config: { cert_file: server.crt, key_file: server.crt }',
      ['tls_server_config.key_file: is not a PEM private key (or it is encrypted)'],
    ],
    [
      'key of another certificate',
      'tls_server_config: { cert_file: server.crt, key_file: other.key }',
      ['tls_server_config.key_file: does not belong to the certificate in tls_server_config.cert_file'],
    ],
    [
      'bad client auth type',
      'tls_server_config: { cert_file: server.crt, key_file: server.key, client_auth_type: RequireClientCert }',
      [
        'tls_server_config.client_auth_type: must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert',
      ],
    ],
    [
      'client CA without a policy',
      'tls_server_config: { cert_file: server.crt, key_file: server.key, client_ca_file: ca.crt }',
      [
        'tls_server_config.client_auth_type: client CAs are configured, so set RequireAndVerifyClientCert (or VerifyClientCertIfGiven)',
      ],
    ],
    [
      'client CA not a certificate',
      'tls_server_config: { cert_file: server.crt, key_file: server.key, client_ca: "-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----", client_auth_type: RequireAndVerifyClientCert }',
      ['tls_server_config.client_ca: holds something that is not a PEM certificate'],
    ],
    [
      'client CA empty of certificates',
      'tls_server_config: { cert_file: server.crt, key_file: server.key, client_ca_file: server.key, client_auth_type: RequireAndVerifyClientCert }',
      ['tls_server_config.client_ca_file: holds no certificate'],
    ],
    [
      'bad version',
      'tls_server_config: { cert_file: server.crt, key_file: server.key, min_version: TLS1.2 }',
      ['tls_server_config.min_version: must be TLS10, TLS11, TLS12 or TLS13'],
    ],
    [
      'versions upside down',
      'tls_server_config: { cert_file: server.crt, key_file: server.key, min_version: TLS13, max_version: TLS12 }',
      ['tls_server_config.min_version: TLS13 is above max_version TLS12'],
    ],
    [
      'cipher suites',
      'tls_server_config: { cert_file: server.crt, key_file: server.key, cipher_suites: [TLS_AES_128_GCM_SHA256] }',
      [
        "tls_server_config.cipher_suites: is not supported by onlyoffice-exporter (Node.js uses OpenSSL's cipher names and defaults); remove it",
      ],
    ],
    [
      'HTTP/2',
      'http_server_config: { http2: true }',
      ['http_server_config.http2: HTTP/2 is not supported (the exporter serves HTTP/1.1); set false or remove it'],
    ],
    [
      'a header that cannot be set',
      'http_server_config: { headers: { Server: x } }',
      [
        'http_server_config.headers.Server: cannot be configured (only Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy)',
      ],
    ],
    [
      'a header value that is not allowed',
      'http_server_config: { headers: { X-Frame-Options: allow } }',
      ['http_server_config.headers.X-Frame-Options: must be deny or sameorigin'],
    ],
    [
      'rate limit',
      'rate_limit: { interval: 1s, burst: 5 }',
      [
        'rate_limit: is not supported by onlyoffice-exporter (put a reverse proxy in front to limit requests); remove it',
      ],
    ],
    [
      'plain password instead of a hash',
      'basic_auth_users: { alice: hunter2hunter2 }',
      ['basic_auth_users.alice: is not a bcrypt hash ($2y$10$... as `htpasswd -nBC 10 "" | tr -d \':\\n\'` prints)'],
    ],
    [
      'hash of another kind',
      'basic_auth_users: { alice: "$apr1$abc$defghijklmnopqrstuvwx" }',
      ['basic_auth_users.alice: is not a bcrypt hash ($2y$10$... as `htpasswd -nBC 10 "" | tr -d \':\\n\'` prints)'],
    ],
    [
      'cost out of range',
      `basic_auth_users: { alice: "${GO_HASH.replace('$10$', '$03$')}" }`,
      ['basic_auth_users.alice: is not a bcrypt hash ($2y$10$... as `htpasswd -nBC 10 "" | tr -d \':\\n\'` prints)'],
    ],
    [
      'a number',
      'basic_auth_users: { alice: 12 }',
      ['basic_auth_users.alice: is not a bcrypt hash ($2y$10$... as `htpasswd -nBC 10 "" | tr -d \':\\n\'` prints)'],
    ],
    [
      'user with a colon',
      `basic_auth_users: { "a:b": "${GO_HASH}" }`,
      ['basic_auth_users.a:b: a basic auth user name must not be empty or contain ":"'],
    ],
    ['users not a mapping', 'basic_auth_users: [alice]', ['basic_auth_users: expected object, got array']],
  ])('%s: the error names the key', (_name, yaml, expected) => {
    expect(problems(yaml).map((problem) => problem.replace(pki.dir, 'PKI'))).toEqual(expected);
  });

  test('errors never show a hash or a key', () => {
    const message = (() => {
      try {
        parseWebConfig(
          `basic_auth_users: { alice: "${GO_HASH.slice(0, -1)}" }\ntls_server_config: { cert: "${'x'.repeat(10)}", key: "SECRETKEYMATERIAL" }`,
          'web.yml',
        );
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('basic_auth_users.alice');
    expect(message).not.toContain(GO_HASH.slice(10, 40));
    expect(message).not.toContain('SECRETKEYMATERIAL');
  });

  test('loadWebConfig names the file and an unreadable one', () => {
    expect(() => loadWebConfig(join(pki.dir, 'absent.yml'))).toThrow(
      `invalid configuration in ${join(pki.dir, 'absent.yml')}:\n  - cannot read the file: ENOENT`,
    );
    expect(() => loadWebConfig('/dev/zero')).toThrow(
      'invalid configuration in /dev/zero:\n  - cannot read the file: not a regular file',
    );
    writeFileSync(join(pki.dir, 'huge.yml'), Buffer.alloc(1024 * 1024 + 1, 0x20));
    expect(() => loadWebConfig(join(pki.dir, 'huge.yml'))).toThrow('cannot read the file: larger than 1048576 bytes');
    const dir = join(pki.dir, 'sub');
    mkdirSync(dir);
    writeFileSync(join(dir, 'web.yml'), 'tls_server_config: { cert_file: ../server.crt, key_file: ../server.key }\n');
    expect(loadWebConfig(join(dir, 'web.yml')).tls?.cert).toBe(server.certPem);
  });

  test('--web.config.file', () => {
    expect(parseCli(['--web.config.file=/etc/web.yml'])).toMatchObject({ webConfigFile: '/etc/web.yml' });
    expect(parseCli(['--web.config.file', 'web.yml'])).toMatchObject({ webConfigFile: 'web.yml' });
    expect(parseCli([])).not.toHaveProperty('webConfigFile');
  });
});
