import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { endpointOfUrl } from '../../src/collectors/tls_endpoints.js';
import { keyPathFor, tlsFilesCollectorDefinition } from '../../src/collectors/tls_files.js';
import { DEFAULT_TLS_FILES } from '../../src/config/sections/tls.js';
import { formatHostPort, parseHostPort } from '../../src/lib/address.js';
import { splitPemCertificates } from '../../src/lib/x509.js';
import { configFrom, silentLogger, configProblems as problemsOf } from '../support/scrape.js';


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
    expect(DEFAULT_TLS_FILES).toEqual(['/var/www/onlyoffice/Data/certs/onlyoffice.crt', '/var/www/onlyoffice/Data/certs/tls.crt']);
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
    expect(problemsOf('tls: { endpoints: [docs.example.com] }')).toEqual(['tls.endpoints.0: "docs.example.com" is not host:port, e.g. 127.0.0.1:5432 or [::1]:443']);
    expect(problemsOf('tls: { endpoints: ["h:70000"] }')).toEqual(['tls.endpoints.0: port 70000 in "h:70000" is not between 1 and 65535']);
    expect(problemsOf('tls: { endpoints: ["https://h:443"] }')).toEqual(['tls.endpoints.0: "https://h:443" is not host:port, e.g. 127.0.0.1:5432 or [::1]:443']);
    expect(problemsOf('tls: { endpoints: [a:1, a:1] }')).toEqual(['tls.endpoints.1: a:1 is listed twice']);
    expect(problemsOf('tls: { endpoints: [{ address: "127.0.0.1:443", server_name: "bad name" }] }')).toEqual(['tls.endpoints.0.server_name: must be a DNS name']);
    expect(problemsOf('tls: { endpoints: [{ address: "127.0.0.1:443", sni: x }] }')).toEqual(['tls.endpoints.0.sni: unknown key']);
    expect(problemsOf('tls: { files: [certs/a.crt] }')).toEqual(['tls.files.0: must be an absolute path (starting with /)']);
    expect(problemsOf(`tls: { ca_file: ${join(dir, 'nope.pem')} }`)).toEqual([`tls.ca_file: cannot read ${join(dir, 'nope.pem')}: ENOENT`]);
    expect(problemsOf(`tls: { ca_file: ${join(dir, 'empty.pem')} }`)).toEqual([`tls.ca_file: ${join(dir, 'empty.pem')} holds no PEM certificate`]);
    expect(problemsOf('tls: { timeout: 0s }')).toEqual(['tls.timeout: "0s" is not a positive duration such as 10s, 1m30s or 500ms']);
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
    expect(endpointOfUrl('https://docs.example.com')).toEqual({ target: 'docs.example.com:443', host: 'docs.example.com', port: 443, serverName: 'docs.example.com' });
    expect(endpointOfUrl('https://[::1]:8443/x')).toEqual({ target: '[::1]:8443', host: '::1', port: 8443, serverName: undefined });
    expect(endpointOfUrl('http://docs.example.com')).toBeUndefined();
  });

  test('the key beside a certificate, as DS pairs them', () => {
    expect(keyPathFor('/var/www/onlyoffice/Data/certs/onlyoffice.crt')).toBe('/var/www/onlyoffice/Data/certs/onlyoffice.key');
    expect(keyPathFor('/etc/ssl/docs.example.com.pem')).toBe('/etc/ssl/docs.example.com.key');
  });

  test('PEM bundles are split into their certificate blocks only', () => {
    const text = `junk\n${rootCertificates[0]}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${rootCertificates[1]}`;
    expect(splitPemCertificates(text)).toEqual([rootCertificates[0], rootCertificates[1]]);
  });
});
