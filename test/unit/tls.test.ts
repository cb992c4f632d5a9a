import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import pino from 'pino';
import { endpointOfUrl } from '../../src/collectors/tls_endpoints.js';
import { keyPathFor, tlsFilesCollectorDefinition } from '../../src/collectors/tls_files.js';
import { DEFAULT_TLS_FILES } from '../../src/config/sections/tls.js';
import { formatHostPort, parseHostPort } from '../../src/lib/address.js';
import { splitPemCertificates } from '../../src/tls/x509.js';
import { value } from '../support/exposition.js';
import { configFrom, scrapeWith, silentLogger, configProblems as problemsOf } from '../support/scrape.js';

describe('tls configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ooe-tls-config-'));
    // Two real certificates (Node's bundled roots), so the file is a valid PEM bundle without openssl.
    writeFileSync(join(dir, 'ca.pem'), `${rootCertificates[0]}\n${rootCertificates[1]}\n`);
    writeFileSync(join(dir, 'empty.pem'), 'no certificates here\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('defaults: no endpoints, the DS certificate folder, 5s', () => {
    const config = configFrom('');
    expect(config.tls.endpoints).toEqual([]);
    expect(config.tls.files).toBeUndefined();
    expect(config.tls.ca_file).toBeUndefined();
    expect(config.tls.timeout).toBe(5_000);
    expect(DEFAULT_TLS_FILES).toEqual([
      '/var/www/onlyoffice/Data/certs/onlyoffice.crt',
      '/var/www/onlyoffice/Data/certs/tls.crt',
    ]);
  });

  test('endpoints: host:port (SNI = host), IPs without SNI, and {address, server_name}', () => {
    const config = configFrom(`
tls:
  endpoints:
    - docs.example.com:443
    - 127.0.0.1:8443
    - "[::1]:443"
    - { address: "127.0.0.1:443", server_name: docs.internal }
  files: [/etc/ssl/docs.crt]
  ca_file: ${join(dir, 'ca.pem')}
  timeout: 2s
`);
    expect(config.tls.endpoints).toEqual([
      { target: 'docs.example.com:443', host: 'docs.example.com', port: 443, serverName: 'docs.example.com' },
      { target: '127.0.0.1:8443', host: '127.0.0.1', port: 8443, serverName: undefined },
      { target: '[::1]:443', host: '::1', port: 443, serverName: undefined },
      // Checked against the name, reached on the address: the label says which certificate.
      { target: 'docs.internal:443', host: '127.0.0.1', port: 443, serverName: 'docs.internal' },
    ]);
    expect(config.tls.ca_file?.pem).toHaveLength(2);
    expect(config.tls.files).toEqual(['/etc/ssl/docs.crt']);
    expect(config.tls.timeout).toBe(2_000);
  });

  test('bad inputs name the key', () => {
    expect(problemsOf('tls: { endpoints: [docs.example.com] }')).toEqual([
      'tls.endpoints.0: "docs.example.com" is not host:port, e.g. 127.0.0.1:5432 or [::1]:443',
    ]);
    expect(problemsOf('tls: { endpoints: ["h:70000"] }')).toEqual([
      'tls.endpoints.0: port 70000 in "h:70000" is not between 1 and 65535',
    ]);
    expect(problemsOf('tls: { endpoints: ["https://h:443"] }')).toEqual([
      'tls.endpoints.0: "https://h:443" is not host:port, e.g. 127.0.0.1:5432 or [::1]:443',
    ]);
    expect(problemsOf('tls: { endpoints: [a:1, a:1] }')).toEqual(['tls.endpoints.1: a:1 is listed twice']);
    expect(problemsOf('tls: { endpoints: [{ address: "127.0.0.1:443", server_name: "bad name" }] }')).toEqual([
      'tls.endpoints.0.server_name: must be a DNS name',
    ]);
    expect(problemsOf('tls: { endpoints: [{ address: "127.0.0.1:443", sni: x }] }')).toEqual([
      'tls.endpoints.0.sni: unknown key',
    ]);
    expect(problemsOf('tls: { files: [certs/a.crt] }')).toEqual([
      'tls.files.0: must be an absolute path (starting with /)',
    ]);
    expect(problemsOf(`tls: { ca_file: ${join(dir, 'nope.pem')} }`)).toEqual([
      `tls.ca_file: cannot read ${join(dir, 'nope.pem')}: ENOENT`,
    ]);
    expect(problemsOf(`tls: { ca_file: ${join(dir, 'empty.pem')} }`)).toEqual([
      `tls.ca_file: ${join(dir, 'empty.pem')} holds no PEM certificate`,
    ]);
    expect(problemsOf('tls: { timeout: 0s }')).toEqual([
      'tls.timeout: "0s" is not a positive duration such as 10s, 1m30s or 500ms',
    ]);
  });

  test('an empty files list turns the files collector off', () => {
    expect(tlsFilesCollectorDefinition().create(configFrom('tls: { files: [] }'), silentLogger)).toBeUndefined();
    expect(tlsFilesCollectorDefinition().create(configFrom(''), silentLogger)).toBeDefined();
  });
});

describe('tls helpers', () => {
  test('host:port parsing and formatting round-trip, IPv6 in brackets', () => {
    expect(parseHostPort('[2001:db8::1]:8443')).toEqual({ host: '2001:db8::1', port: 8443 });
    expect(formatHostPort({ host: '2001:db8::1', port: 8443 })).toBe('[2001:db8::1]:8443');
    expect(parseHostPort('[abc]:1')).toBe('"abc" in brackets is not an IPv6 address');
    expect(parseHostPort('h:0')).toBe('port 0 in "h:0" is not between 1 and 65535');
    expect(parseHostPort('user@h:1')).toBe('"user@h:1" is not host:port, e.g. 127.0.0.1:5432 or [::1]:443');
  });

  test('public_url gives an endpoint only when https, port 443 by default', () => {
    expect(endpointOfUrl('https://docs.example.com')).toEqual({
      target: 'docs.example.com:443',
      host: 'docs.example.com',
      port: 443,
      serverName: 'docs.example.com',
    });
    expect(endpointOfUrl('https://[::1]:8443/x')).toEqual({
      target: '[::1]:8443',
      host: '::1',
      port: 8443,
      serverName: undefined,
    });
    expect(endpointOfUrl('http://docs.example.com')).toBeUndefined();
  });

  test('the key beside a certificate, as DS pairs them', () => {
    expect(keyPathFor('/var/www/onlyoffice/Data/certs/onlyoffice.crt')).toBe(
      '/var/www/onlyoffice/Data/certs/onlyoffice.key',
    );
    expect(keyPathFor('/etc/ssl/docs.example.com.pem')).toBe('/etc/ssl/docs.example.com.key');
  });

  test('PEM bundles are split into their certificate blocks only', () => {
    const text = `junk\n${rootCertificates[0]}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${rootCertificates[1]}`;
    expect(splitPemCertificates(text)).toEqual([rootCertificates[0], rootCertificates[1]]);
  });
});

describe('tls_files: what cannot be read as a file', () => {
  let dir: string;
  const fifos: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ooe-tls-files-'));
    for (const name of ['fifo.crt', 'good.key']) {
      fifos.push(join(dir, name));
      execFileSync('mkfifo', [join(dir, name)]);
    }
    symlinkSync('/dev/zero', join(dir, 'zero.crt'));
    writeFileSync(join(dir, 'good.crt'), rootCertificates[0]!);
    writeFileSync(join(dir, 'other.crt'), rootCertificates[1]!);
    symlinkSync('/dev/zero', join(dir, 'other.key'));
    mkdirSync(join(dir, 'folder.crt'));
    writeFileSync(join(dir, 'big.crt'), `${rootCertificates[0]}\n${'x'.repeat(1024 * 1024)}`);
  });
  afterAll(() => {
    // Should a regression have left an open() waiting on a FIFO, a writer releases it so jest can exit.
    for (const fifo of fifos) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: nobody is waiting.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('a FIFO, /dev/zero, a folder or a big file as certificate or key: readable 0 and a reason, at once', async () => {
    const warnings: Array<{ path: string; problem: string }> = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void warnings.push(JSON.parse(line) as { path: string; problem: string }) },
    );
    const definition = tlsFilesCollectorDefinition();
    const files = ['fifo.crt', 'zero.crt', 'folder.crt', 'big.crt', 'good.crt', 'other.crt'].map(
      (file) => `"${join(dir, file)}"`,
    );
    const { samples, seconds } = await scrapeWith(
      [{ ...definition, create: (config) => definition.create(config, logger) }],
      configFrom(`tls: { files: [${files.join(', ')}] }`),
      { budgetMs: 20_000 },
    );
    // Far within the budget: a FIFO waited for would hold it to the end.
    expect(seconds).toBeLessThan(10);
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'tls_files' })).toBe(1);
    const p = (file: string) => ({ path: join(dir, file) });
    for (const file of ['fifo.crt', 'zero.crt', 'folder.crt', 'big.crt', 'good.key', 'other.key']) {
      expect([file, value(samples, 'onlyoffice_tls_cert_file_readable', p(file))]).toEqual([file, 0]);
    }
    expect(value(samples, 'onlyoffice_tls_cert_file_readable', p('good.crt'))).toBe(1);
    expect(value(samples, 'onlyoffice_tls_cert_file_key_match', p('good.crt'))).toBe(0);
    expect(value(samples, 'onlyoffice_tls_cert_file_key_match', p('other.crt'))).toBe(0);
    expect(warnings.map(({ path, problem }) => [path, problem]).sort()).toEqual([
      [join(dir, 'big.crt'), 'cannot read: larger than 1048576 bytes'],
      [join(dir, 'fifo.crt'), 'cannot read: not a regular file'],
      [join(dir, 'folder.crt'), 'cannot read: not a regular file'],
      [join(dir, 'good.crt'), `cannot read ${join(dir, 'good.key')}: not a regular file`],
      [join(dir, 'other.crt'), `cannot read ${join(dir, 'other.key')}: not a regular file`],
      [join(dir, 'zero.crt'), 'cannot read: not a regular file'],
    ]);
  });
});
