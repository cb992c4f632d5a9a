import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, TLSSocket, type Server as TlsServer } from 'node:tls';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tlsEndpoints from '../../src/collectors/tls_endpoints.js';
import { tlsFilesCollectorDefinition } from '../../src/collectors/tls_files.js';
import { TlsHandshakes } from '../../src/tls/handshake-thread.js';
import { loadTrust, probeTls, type TlsProbeResult } from '../../src/tls/probe.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { find, parseExposition, value, type Sample } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { freePort } from '../support/ports.js';
import { configFrom, scrapeWith } from '../support/scrape.js';
import { terminate, waitFor } from '../support/service-process.js';
import { TestPki, type Issued } from '../support/tls-pki.js';

const DAY = 86_400;
const BLACKBOX = 'prometheus-blackbox-exporter';
const gate = requirePrograms('openssl', BLACKBOX);

function listen(server: TlsServer | HttpsServer | NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function close(server: TlsServer | HttpsServer | NetServer, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function track(server: TlsServer | HttpsServer | NetServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

gate.describe('TLS collectors against real TLS servers on loopback', () => {
  let pki: TestPki;
  let now: number;
  let root: Issued;
  let inter: Issued;
  let valid: Issued;
  let expiring: Issued;
  let expired: Issued;
  let selfSigned: Issued;
  let noIntermediate: Issued;
  let wrongName: Issued;
  let server: HttpsServer;
  let serverSockets: Set<Socket>;
  let port: number;
  let tls12: TlsServer;
  let tls12Sockets: Set<Socket>;
  let tls12Port: number;
  let blackHole: NetServer;
  let blackHoleSockets: Set<Socket>;
  let blackHolePort: number;
  let blackbox: ChildProcess | undefined;
  let blackboxPort: number;

  beforeAll(async () => {
    pki = new TestPki();
    now = Math.floor(Date.now() / 1000);
    root = pki.issue('root', {
      subject: '/C=LV/O=Test Root, Inc./CN=ooe Test Root',
      notBefore: now - DAY,
      notAfter: now + 3650 * DAY,
      serial: '01',
      ca: true,
    });
    inter = pki.issue('inter', {
      subject: '/O=Test Root, Inc./CN=ooe Test Intermediate',
      issuer: root,
      notBefore: now - DAY,
      notAfter: now + 1000 * DAY,
      serial: '02',
      ca: true,
    });
    // A serial with the high bit set: DER pads it with 00, blackbox_exporter prints it without.
    valid = pki.issue('valid', {
      subject: '/C=LV/ST=Riga/O=Example, Inc./OU=Docs/CN=localhost/emailAddress=ops@example.com',
      issuer: inter,
      notBefore: now - DAY,
      notAfter: now + 30 * DAY,
      serial: '00c0ffee01',
      san: 'DNS:localhost,DNS:valid.test,IP:127.0.0.1',
    });
    expiring = pki.issue('expiring', {
      subject: '/CN=expiring.test',
      issuer: inter,
      notBefore: now - DAY,
      notAfter: now + 3 * DAY,
      serial: '0a',
      san: 'DNS:expiring.test',
    });
    expired = pki.issue('expired', {
      subject: '/CN=expired.test',
      issuer: inter,
      notBefore: now - 30 * DAY,
      notAfter: now - DAY,
      serial: '0b',
      san: 'DNS:expired.test',
    });
    selfSigned = pki.issue('selfsigned', {
      subject: '/CN=selfsigned.test',
      notBefore: now - DAY,
      notAfter: now + 60 * DAY,
      serial: '0c',
      san: 'DNS:selfsigned.test',
    });
    noIntermediate = pki.issue('nointer', {
      subject: '/CN=nointer.test',
      issuer: inter,
      notBefore: now - DAY,
      notAfter: now + 20 * DAY,
      serial: '0d',
      san: 'DNS:nointer.test',
    });
    wrongName = pki.issue('wrong', {
      subject: '/CN=other.example',
      issuer: inter,
      notBefore: now - DAY,
      notAfter: now + 25 * DAY,
      serial: '0e',
      san: 'DNS:other.example',
    });

    // One https server; the SNI name picks the certificate (what nginx does with several server blocks).
    const contexts = new Map([
      ['localhost', createSecureContext({ cert: valid.certPem + inter.certPem, key: valid.keyPem })],
      ['valid.test', createSecureContext({ cert: valid.certPem + inter.certPem, key: valid.keyPem })],
      ['expiring.test', createSecureContext({ cert: expiring.certPem + inter.certPem, key: expiring.keyPem })],
      ['expired.test', createSecureContext({ cert: expired.certPem + inter.certPem, key: expired.keyPem })],
      ['selfsigned.test', createSecureContext({ cert: selfSigned.certPem, key: selfSigned.keyPem })],
      ['nointer.test', createSecureContext({ cert: noIntermediate.certPem, key: noIntermediate.keyPem })],
      ['wrong.test', createSecureContext({ cert: wrongName.certPem + inter.certPem, key: wrongName.keyPem })],
      ['withroot.test', createSecureContext({ cert: valid.certPem + inter.certPem + root.certPem, key: valid.keyPem })],
    ]);
    server = createHttpsServer(
      {
        // No intermediate in the default context: Node's server keeps sending the default context's extra
        // chain certificates after SNICallback switches to a context that has none.
        cert: valid.certPem,
        key: valid.keyPem,
        SNICallback: (name, callback) => callback(null, contexts.get(name)),
      },
      (_request, response) => response.end('ok'),
    );
    serverSockets = track(server);
    port = await listen(server);

    tls12 = createTlsServer(
      { cert: valid.certPem + inter.certPem, key: valid.keyPem, maxVersion: 'TLSv1.2' },
      (socket) => socket.end(),
    );
    tls12Sockets = track(tls12);
    tls12Port = await listen(tls12);

    // Accepts TCP and never says a word: a frozen nginx or a firewall that swallows the handshake.
    blackHole = createNetServer(() => undefined);
    blackHoleSockets = track(blackHole);
    blackHolePort = await listen(blackHole);

    const dir = join(pki.dir, 'blackbox');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'blackbox.yml'),
      [
        'modules:',
        '  https:',
        '    prober: http',
        '    timeout: 5s',
        '    http:',
        '      preferred_ip_protocol: ip4',
        '      tls_config:',
        `        ca_file: ${root.certPath}`,
        '',
      ].join('\n'),
    );
    blackboxPort = await freePort();
    blackbox = spawn(
      BLACKBOX,
      [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${blackboxPort}`],
      { stdio: 'ignore' },
    );
    await waitFor('blackbox_exporter to listen', 20_000, async () =>
      (await fetch(`http://127.0.0.1:${blackboxPort}/-/healthy`)).ok ? true : undefined,
    );
  });

  afterAll(async () => {
    if (blackbox?.pid !== undefined) await terminate(blackbox.pid, 'SIGTERM', 10_000);
    await Promise.all([
      server && close(server, serverSockets),
      tls12 && close(tls12, tls12Sockets),
      blackHole && close(blackHole, blackHoleSockets),
    ]);
    pki?.remove();
  });

  function endpoint(name: string): string {
    return `{ address: "127.0.0.1:${port}", server_name: ${name} }`;
  }

  function notAfters(samples: Sample[], target: string): Array<[string, string, number]> {
    return find(samples, 'onlyoffice_tls_cert_not_after_timestamp_seconds', { target })
      .map((s): [string, string, number] => [s.labels.position!, s.labels.subject!, s.value])
      .sort((a, b) => a[0].localeCompare(b[0]));
  }

  test('each certificate case gives exact dates and its verification, chain and hostname verdicts', async () => {
    const names = ['valid.test', 'expiring.test', 'expired.test', 'selfsigned.test', 'nointer.test', 'wrong.test'];
    const config = configFrom(
      `tls:\n  ca_file: ${root.certPath}\n  endpoints:\n${names.map((name) => `    - ${endpoint(name)}`).join('\n')}\n`,
    );
    // The verdicts come from X509Certificate objects: Node's detailed peer certificate objects are never built.
    const detailed = jest.spyOn(TLSSocket.prototype, 'getPeerCertificate');
    let detailedCalls: number;
    let samples: Sample[];
    try {
      ({ samples } = await scrapeWith([tlsEndpoints], config));
      detailedCalls = detailed.mock.calls.length;
    } finally {
      detailed.mockRestore();
    }
    expect(detailedCalls).toBe(0);
    const verdict = (name: string) => {
      const target = `${name}:${port}`;
      return {
        up: value(samples, 'onlyoffice_tls_up', { target }),
        verified: value(samples, 'onlyoffice_tls_cert_verified', { target }),
        complete: value(samples, 'onlyoffice_tls_cert_chain_complete', { target }),
        hostname: value(samples, 'onlyoffice_tls_cert_hostname_match', { target }),
      };
    };
    expect(verdict('valid.test')).toEqual({ up: 1, verified: 1, complete: 1, hostname: 1 });
    expect(verdict('expiring.test')).toEqual({ up: 1, verified: 1, complete: 1, hostname: 1 });
    expect(verdict('expired.test')).toEqual({ up: 1, verified: 0, complete: 1, hostname: 1 });
    expect(verdict('selfsigned.test')).toEqual({ up: 1, verified: 0, complete: 1, hostname: 1 });
    expect(verdict('nointer.test')).toEqual({ up: 1, verified: 0, complete: 0, hostname: 1 });
    expect(verdict('wrong.test')).toEqual({ up: 1, verified: 1, complete: 1, hostname: 0 });

    const rootSubject = 'CN=ooe Test Root,O=Test Root\\, Inc.,C=LV';
    const interSubject = 'CN=ooe Test Intermediate,O=Test Root\\, Inc.';
    expect(notAfters(samples, `valid.test:${port}`)).toEqual([
      [
        '0',
        'CN=localhost,OU=Docs,O=Example\\, Inc.,ST=Riga,C=LV,1.2.840.113549.1.9.1=#0c0f6f7073406578616d706c652e636f6d',
        now + 30 * DAY,
      ],
      ['1', interSubject, now + 1000 * DAY],
      ['2', rootSubject, now + 3650 * DAY],
    ]);
    expect(notAfters(samples, `expiring.test:${port}`)[0]).toEqual(['0', 'CN=expiring.test', now + 3 * DAY]);
    // Expired and still reported, from the certificate itself.
    expect(notAfters(samples, `expired.test:${port}`)[0]).toEqual(['0', 'CN=expired.test', now - DAY]);
    expect(notAfters(samples, `expired.test:${port}`)).toHaveLength(3);
    expect(notAfters(samples, `selfsigned.test:${port}`)).toEqual([['0', 'CN=selfsigned.test', now + 60 * DAY]]);
    // Without the intermediate the chain stops at the leaf.
    expect(notAfters(samples, `nointer.test:${port}`)).toEqual([['0', 'CN=nointer.test', now + 20 * DAY]]);
    // The same figures openssl reads from the files.
    for (const cert of [valid, expiring, expired, selfSigned, noIntermediate])
      expect(pki.opensslNotAfter(cert.certPath)).toBe(cert.notAfter);
    expect(value(samples, 'onlyoffice_tls_version_info', { target: `valid.test:${port}`, version: 'TLS 1.3' })).toBe(1);
  });

  test('trust comes from tls.ca_file: without it the private root is unknown, so nothing verifies', async () => {
    const config = configFrom(`tls: { endpoints: [ ${endpoint('valid.test')}, ${endpoint('withroot.test')} ] }`);
    const { samples } = await scrapeWith([tlsEndpoints], config);
    expect(value(samples, 'onlyoffice_tls_cert_verified', { target: `valid.test:${port}` })).toBe(0);
    // Leaf and intermediate sent, but the root is neither sent nor trusted.
    expect(value(samples, 'onlyoffice_tls_cert_chain_complete', { target: `valid.test:${port}` })).toBe(0);
    expect(notAfters(samples, `valid.test:${port}`).map(([position]) => position)).toEqual(['0', '1']);
    // A server that sends its root too has a whole chain, still untrusted.
    expect(value(samples, 'onlyoffice_tls_cert_chain_complete', { target: `withroot.test:${port}` })).toBe(1);
    expect(value(samples, 'onlyoffice_tls_cert_verified', { target: `withroot.test:${port}` })).toBe(0);
  });

  test('host:port endpoints use the host as SNI; public_url joins when https; TLS 1.2 is named', async () => {
    const config = configFrom(
      [
        `documentserver: { url: "http://127.0.0.1:1", public_url: "https://localhost:${port}/" }`,
        'tls:',
        `  ca_file: ${root.certPath}`,
        `  endpoints: ["127.0.0.1:${port}", "localhost:${tls12Port}"]`,
      ].join('\n'),
    );
    const { samples } = await scrapeWith([tlsEndpoints], config);
    expect(
      find(samples, 'onlyoffice_tls_up')
        .map((s) => s.labels.target)
        .sort(),
    ).toEqual([`127.0.0.1:${port}`, `localhost:${port}`, `localhost:${tls12Port}`].sort());
    // No SNI for an IP: the server's default certificate, which carries IP:127.0.0.1.
    expect(value(samples, 'onlyoffice_tls_cert_hostname_match', { target: `127.0.0.1:${port}` })).toBe(1);
    expect(value(samples, 'onlyoffice_tls_cert_verified', { target: `localhost:${port}` })).toBe(1);
    expect(
      value(samples, 'onlyoffice_tls_version_info', { target: `localhost:${tls12Port}`, version: 'TLS 1.2' }),
    ).toBe(1);
  });

  test('a refused or silent endpoint is tls_up 0 within the deadline and does not fail the scrape', async () => {
    const nobody = await freePort();
    const config = configFrom(
      `tls: { timeout: 30s, endpoints: ["127.0.0.1:${nobody}", "127.0.0.1:${blackHolePort}", ${endpoint('valid.test')}] }`,
    );
    const { samples } = await scrapeWith([tlsEndpoints], config, { budgetMs: 1_500 });
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'tls_endpoints' })).toBe(1);
    expect(value(samples, 'onlyoffice_tls_up', { target: `127.0.0.1:${nobody}` })).toBe(0);
    expect(value(samples, 'onlyoffice_tls_up', { target: `127.0.0.1:${blackHolePort}` })).toBe(0);
    expect(value(samples, 'onlyoffice_tls_up', { target: `valid.test:${port}` })).toBe(1);
    expect(find(samples, 'onlyoffice_tls_cert_verified', { target: `127.0.0.1:${blackHolePort}` })).toEqual([]);
  });

  test("/probe gives blackbox_exporter's TLS metrics with the values and label formats blackbox_exporter gives", async () => {
    const target = `https://localhost:${port}/`;
    const response = await fetch(
      `http://127.0.0.1:${blackboxPort}/probe?module=https&target=${encodeURIComponent(target)}`,
    );
    const theirs = parseExposition(await response.text());
    expect(value(theirs, 'probe_success')).toBe(1);

    const config = configFrom(`tls: { ca_file: ${root.certPath} }\nprobe: { targets: ["${target}"] }`);
    const { samples: ours } = await scrapeWith([tlsEndpoints], config, {
      scope: 'probe',
      target: { ...config.documentserver, url: target },
    });
    expect(value(ours, 'probe_ssl_earliest_cert_expiry')).toBe(value(theirs, 'probe_ssl_earliest_cert_expiry'));
    expect(value(ours, 'probe_ssl_earliest_cert_expiry')).toBe(now + 30 * DAY);
    expect(value(ours, 'probe_ssl_last_chain_expiry_timestamp_seconds')).toBe(now + 30 * DAY);
    const [info] = find(ours, 'probe_ssl_last_chain_info');
    const [theirInfo] = find(theirs, 'probe_ssl_last_chain_info');
    // blackbox_exporter 0.23 (Debian 12) predates the serialnumber label; the rest must be identical.
    const { serialnumber, ...comparable } = info!.labels;
    expect(comparable).toEqual({ ...theirInfo!.labels });
    expect(serialnumber).toBe('c0ffee01');
    expect(find(ours, 'probe_tls_version_info')).toEqual(find(theirs, 'probe_tls_version_info'));
    expect(value(ours, 'onlyoffice_tls_cert_verified', { target: `localhost:${port}` })).toBe(1);
  });

  test('/probe of an untrusted certificate still gives its dates, without a verified-chain expiry', async () => {
    const target = `https://localhost:${port}/`;
    const config = configFrom(`probe: { targets: ["${target}"] }`);
    const { samples } = await scrapeWith([tlsEndpoints], config, {
      scope: 'probe',
      target: { ...config.documentserver, url: target },
    });
    expect(value(samples, 'probe_ssl_earliest_cert_expiry')).toBe(now + 30 * DAY);
    expect(find(samples, 'probe_ssl_last_chain_expiry_timestamp_seconds')).toEqual([]);
    expect(value(samples, 'onlyoffice_tls_cert_verified', { target: `localhost:${port}` })).toBe(0);
  });

  test('/probe of an http target has no TLS metrics', async () => {
    const config = configFrom('');
    const { samples } = await scrapeWith([tlsEndpoints], config, {
      scope: 'probe',
      target: { ...config.documentserver, url: 'http://127.0.0.1:8000' },
    });
    // probe_duration_seconds and probe_success belong to the orchestrator ("scrape" section), not to this collector.
    expect(
      samples.filter(
        (s) =>
          !s.name.startsWith('onlyoffice_scrape_') && s.name !== 'probe_duration_seconds' && s.name !== 'probe_success',
      ),
    ).toEqual([]);
  });

  test('docs/metrics.md "tls_endpoints" lists exactly what /metrics and /probe export', async () => {
    const target = `https://localhost:${port}/`;
    const config = configFrom(`tls: { ca_file: ${root.certPath}, endpoints: [${endpoint('valid.test')}] }`);
    const fromMetrics = await scrapeWith([tlsEndpoints], config);
    const fromProbe = await scrapeWith([tlsEndpoints], config, {
      scope: 'probe',
      target: { ...config.documentserver, url: target },
    });
    const exported = new Map([
      ...exportedFamilies(fromMetrics.samples, fromMetrics.text),
      ...exportedFamilies(fromProbe.samples, fromProbe.text),
    ]);
    for (const name of [...exported.keys()])
      if (name.startsWith('onlyoffice_scrape_') || name === 'probe_duration_seconds' || name === 'probe_success')
        exported.delete(name);
    const documented = documentedMetrics().filter((metric) => metric.section === 'tls_endpoints');
    expect(documented.map((metric) => [metric.name, metric.type, [...metric.labels].sort()]).sort()).toEqual(
      [...exported].map(([name, labels]) => [name, 'gauge', [...labels].sort()]).sort(),
    );
    // probe_* only on /probe.
    expect(fromMetrics.samples.filter((s) => s.name.startsWith('probe_'))).toEqual([]);
  });

  describe('the handshake thread', () => {
    const cases = [
      'valid.test',
      'expiring.test',
      'expired.test',
      'selfsigned.test',
      'nointer.test',
      'wrong.test',
      'withroot.test',
    ];
    const address = (serverName: string) => ({ host: '127.0.0.1', port, serverName });
    // What a probe concludes, without its timing; the chain by fingerprint.
    const verdicts = (result: TlsProbeResult) =>
      result.ok
        ? { ...result, seconds: 0, chain: result.chain.map((cert) => cert.fingerprint256) }
        : { ...result, seconds: 0 };

    test('handshakes past the overflow run in the thread and conclude exactly what this thread concludes', async () => {
      const trust = loadTrust([root.certPem], []);
      const here = new TlsHandshakes(trust, Number.POSITIVE_INFINITY);
      const thread = new TlsHandshakes(loadTrust([root.certPem], []), 0);
      try {
        const signal = new AbortController().signal;
        const inThread = await Promise.all(cases.map((name) => probeTls(address(name), trust, signal, 5000, thread)));
        expect(thread.threadRunning).toBe(true);
        const inMain = await Promise.all(cases.map((name) => probeTls(address(name), trust, signal, 5000, here)));
        expect(here.threadRunning).toBe(false);
        expect(inThread.map(verdicts)).toEqual(inMain.map(verdicts));
        expect(
          inMain.map(
            (result) => result.ok && [result.verified, result.chainComplete, result.hostnameMatch, result.chain.length],
          ),
        ).toEqual([
          [true, true, true, 3],
          [true, true, true, 3],
          [false, true, true, 3],
          [false, true, true, 1],
          [false, false, true, 1],
          [true, true, false, 3],
          [true, true, false, 3],
        ]);
        expect(
          inThread
            .filter((result) => result.ok && result.verifyError !== undefined)
            .map((result) => result.ok && result.verifyError),
        ).toEqual(['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
      } finally {
        await Promise.all([here.close(), thread.close()]);
      }
    });

    test('it starts only past the overflow and ends after its idle time', async () => {
      const trust = loadTrust([root.certPem], []);
      const handshakes = new TlsHandshakes(trust, 2, 300);
      try {
        const signal = new AbortController().signal;
        await Promise.all([0, 1].map(() => probeTls(address('valid.test'), trust, signal, 5000, handshakes)));
        expect(handshakes.threadRunning).toBe(false);
        const three = await Promise.all(
          [0, 1, 2].map(() => probeTls(address('valid.test'), trust, signal, 5000, handshakes)),
        );
        expect(three.map((result) => result.ok && result.verified)).toEqual([true, true, true]);
        expect(handshakes.threadRunning).toBe(true);
        await waitFor('the idle thread to end', 10_000, async () => (handshakes.threadRunning ? undefined : true));
      } finally {
        await handshakes.close();
      }
    });

    test('a thread that takes longer to start than its idle time still completes every handshake, and ends only when none is pending', async () => {
      const trust = loadTrust([root.certPem], []);
      // Idle of 1 ms: starting a worker always takes longer, so an idle timer that runs while handshakes are pending
      // would stop the thread under them.
      const handshakes = new TlsHandshakes(trust, 0, 1);
      try {
        const signal = new AbortController().signal;
        for (const round of [1, 2]) {
          const results = await Promise.all(
            [0, 1, 2].map(() => probeTls(address('valid.test'), trust, signal, 10_000, handshakes)),
          );
          expect({ round, results: results.map((result) => (result.ok ? result.verified : result.message)) }).toEqual({
            round,
            results: [true, true, true],
          });
          await waitFor('the idle thread to end', 10_000, async () => (handshakes.threadRunning ? undefined : true));
        }
      } finally {
        await handshakes.close();
      }
    });

    test('the thread stays while a handshake is pending past its idle time', async () => {
      const trust = loadTrust([root.certPem], []);
      const handshakes = new TlsHandshakes(trust, 0, 1);
      try {
        const known = new Set(blackHoleSockets);
        const fresh = () => [...blackHoleSockets].find((socket) => !known.has(socket));
        const abort = new AbortController();
        const pending = probeTls(
          { host: '127.0.0.1', port: blackHolePort, serverName: undefined },
          trust,
          abort.signal,
          30_000,
          handshakes,
        );
        await waitFor('the thread to connect', 10_000, async () => fresh());
        // Well past the 1 ms idle time: the connection came through the started thread.
        const accepted = fresh()!;
        accepted.resume();
        const more = await probeTls(address('valid.test'), trust, new AbortController().signal, 10_000, handshakes);
        expect(more.ok && more.verified).toBe(true);
        expect(handshakes.threadRunning).toBe(true);
        abort.abort();
        expect(await pending).toMatchObject({ ok: false, failure: 'timeout', message: 'timed out' });
        await waitFor('the idle thread to end', 10_000, async () => (handshakes.threadRunning ? undefined : true));
      } finally {
        await handshakes.close();
      }
    });

    test('an aborted handshake in the thread ends at once as a timeout and its socket is closed; stopping the thread ends the rest as errors', async () => {
      const trust = loadTrust([root.certPem], []);
      const handshakes = new TlsHandshakes(trust, 0);
      try {
        const known = new Set(blackHoleSockets);
        const fresh = () => [...blackHoleSockets].find((socket) => !known.has(socket));
        const abort = new AbortController();
        // A handshake timeout far beyond the wait below: only the abort can end it in time.
        const pending = probeTls(
          { host: '127.0.0.1', port: blackHolePort, serverName: undefined },
          trust,
          abort.signal,
          60_000,
          handshakes,
        );
        await waitFor('the thread to connect', 10_000, async () => fresh());
        const accepted = fresh()!;
        // Read, so that the client's FIN is seen and the server's socket closes.
        accepted.resume();
        // Timed from the abort, not from the start: how long the worker took to start is not what is asserted.
        const aborted = Date.now();
        abort.abort();
        expect(await pending).toMatchObject({ ok: false, failure: 'timeout', message: 'timed out' });
        expect(Date.now() - aborted).toBeLessThan(30_000);
        await waitFor('the thread to close the socket', 10_000, async () =>
          blackHoleSockets.has(accepted) ? undefined : true,
        );
        known.add(accepted);

        const stranded = probeTls(
          { host: '127.0.0.1', port: blackHolePort, serverName: undefined },
          trust,
          new AbortController().signal,
          10_000,
          handshakes,
        );
        await waitFor('the thread to connect', 10_000, async () => fresh());
        await handshakes.close();
        expect(await stranded).toEqual({
          ok: false,
          seconds: 0,
          failure: 'error',
          message: 'the TLS handshake thread was stopped',
        });
      } finally {
        await handshakes.close();
      }
    });
  });

  describe('certificate files', () => {
    let dir: string;
    beforeAll(() => {
      dir = join(pki.dir, 'certs');
      mkdirSync(dir);
      writeFileSync(join(dir, 'onlyoffice.crt'), valid.certPem + inter.certPem);
      writeFileSync(join(dir, 'onlyoffice.key'), valid.keyPem);
      writeFileSync(join(dir, 'leafonly.crt'), noIntermediate.certPem);
      writeFileSync(join(dir, 'leafonly.key'), noIntermediate.keyPem);
      writeFileSync(join(dir, 'mismatch.crt'), expiring.certPem + inter.certPem);
      writeFileSync(join(dir, 'mismatch.key'), wrongName.keyPem);
      writeFileSync(join(dir, 'selfsigned.pem'), selfSigned.certPem);
      writeFileSync(join(dir, 'garbage.crt'), 'not a certificate\n');
      writeFileSync(join(dir, 'dirkey.crt'), expired.certPem);
      // A key path that cannot be read as a file (root reads anything, so permissions cannot show this).
      mkdirSync(join(dir, 'dirkey.key'));
      writeFileSync(join(dir, 'encrypted.crt'), valid.certPem);
      // A wrong path pointing at something big: not read into memory.
      writeFileSync(join(dir, 'big.crt'), valid.certPem + 'x'.repeat(2 * 1024 * 1024));
    });

    function filesConfig(files: string[], caFile = true): string {
      return `tls:\n${caFile ? `  ca_file: ${root.certPath}\n` : ''}  files: [${files.map((file) => `"${join(dir, file)}"`).join(', ')}]\n`;
    }

    test('readable, exact expiry, key match and chain for each file; keys never reach the output', async () => {
      const files = [
        'onlyoffice.crt',
        'leafonly.crt',
        'mismatch.crt',
        'selfsigned.pem',
        'garbage.crt',
        'dirkey.crt',
        'missing.crt',
        'big.crt',
      ];
      const { samples, text } = await scrapeWith([tlsFilesCollectorDefinition()], configFrom(filesConfig(files)));
      const p = (file: string) => ({ path: join(dir, file) });
      expect(value(samples, 'onlyoffice_tls_cert_file_readable', p('onlyoffice.crt'))).toBe(1);
      expect(value(samples, 'onlyoffice_tls_cert_file_readable', p('onlyoffice.key'))).toBe(1);
      expect(value(samples, 'onlyoffice_tls_cert_file_not_after_timestamp_seconds', p('onlyoffice.crt'))).toBe(
        pki.opensslNotAfter(join(dir, 'onlyoffice.crt')),
      );
      expect(value(samples, 'onlyoffice_tls_cert_file_not_after_timestamp_seconds', p('onlyoffice.crt'))).toBe(
        now + 30 * DAY,
      );
      expect(value(samples, 'onlyoffice_tls_cert_file_key_match', p('onlyoffice.crt'))).toBe(1);
      expect(value(samples, 'onlyoffice_tls_cert_file_chain_complete', p('onlyoffice.crt'))).toBe(1);

      expect(value(samples, 'onlyoffice_tls_cert_file_chain_complete', p('leafonly.crt'))).toBe(0);
      expect(value(samples, 'onlyoffice_tls_cert_file_key_match', p('leafonly.crt'))).toBe(1);

      expect(value(samples, 'onlyoffice_tls_cert_file_key_match', p('mismatch.crt'))).toBe(0);
      expect(value(samples, 'onlyoffice_tls_cert_file_not_after_timestamp_seconds', p('mismatch.crt'))).toBe(
        now + 3 * DAY,
      );

      // No selfsigned.key: no key verdict; a self-signed certificate is a whole chain by itself.
      expect(find(samples, 'onlyoffice_tls_cert_file_key_match', p('selfsigned.pem'))).toEqual([]);
      expect(value(samples, 'onlyoffice_tls_cert_file_chain_complete', p('selfsigned.pem'))).toBe(1);

      expect(value(samples, 'onlyoffice_tls_cert_file_readable', p('garbage.crt'))).toBe(0);
      expect(find(samples, 'onlyoffice_tls_cert_file_not_after_timestamp_seconds', p('garbage.crt'))).toEqual([]);
      expect(value(samples, 'onlyoffice_tls_cert_file_readable', p('missing.crt'))).toBe(0);
      expect(value(samples, 'onlyoffice_tls_cert_file_readable', p('big.crt'))).toBe(0);

      expect(value(samples, 'onlyoffice_tls_cert_file_readable', p('dirkey.crt'))).toBe(1);
      expect(value(samples, 'onlyoffice_tls_cert_file_readable', p('dirkey.key'))).toBe(0);
      expect(value(samples, 'onlyoffice_tls_cert_file_key_match', p('dirkey.crt'))).toBe(0);
      expect(value(samples, 'onlyoffice_tls_cert_file_not_after_timestamp_seconds', p('dirkey.crt'))).toBe(now - DAY);

      for (const key of [valid.keyPem, noIntermediate.keyPem, wrongName.keyPem]) {
        const body = key
          .split('\n')
          .filter((line) => line && !line.startsWith('-----'))
          .join('');
        for (let i = 0; i + 20 <= body.length; i += 20) expect(text).not.toContain(body.slice(i, i + 20));
      }
    });

    test('an encrypted key cannot be used without its passphrase: key_match 0', async () => {
      const { execFileSync } = await import('node:child_process');
      execFileSync('openssl', [
        'pkey',
        '-in',
        valid.keyPath,
        '-aes256',
        '-passout',
        'pass:secret',
        '-out',
        join(dir, 'encrypted.key'),
      ]);
      const { samples } = await scrapeWith([tlsFilesCollectorDefinition()], configFrom(filesConfig(['encrypted.crt'])));
      expect(value(samples, 'onlyoffice_tls_cert_file_readable', { path: join(dir, 'encrypted.key') })).toBe(1);
      expect(value(samples, 'onlyoffice_tls_cert_file_key_match', { path: join(dir, 'encrypted.crt') })).toBe(0);
    });

    test('without the private root in tls.ca_file, a leaf+intermediate file cannot be shown complete', async () => {
      const { samples } = await scrapeWith(
        [tlsFilesCollectorDefinition()],
        configFrom(filesConfig(['onlyoffice.crt'], false)),
      );
      expect(value(samples, 'onlyoffice_tls_cert_file_chain_complete', { path: join(dir, 'onlyoffice.crt') })).toBe(0);
    });

    test('by default only the DS certificate files that exist are reported', async () => {
      const defaults = [join(dir, 'onlyoffice.crt'), join(dir, 'tls.crt')];
      const { samples } = await scrapeWith(
        [tlsFilesCollectorDefinition(defaults)],
        configFrom(`tls: { ca_file: ${root.certPath} }`),
      );
      expect(
        find(samples, 'onlyoffice_tls_cert_file_readable')
          .map((s) => s.labels.path)
          .sort(),
      ).toEqual([join(dir, 'onlyoffice.crt'), join(dir, 'onlyoffice.key')]);
      expect(value(samples, 'onlyoffice_tls_cert_file_key_match', { path: join(dir, 'onlyoffice.crt') })).toBe(1);
    });

    test('docs/metrics.md "tls_files" lists exactly the exported families and labels', async () => {
      const { samples, text } = await scrapeWith(
        [tlsFilesCollectorDefinition()],
        configFrom(filesConfig(['onlyoffice.crt'])),
      );
      const exported = exportedFamilies(samples, text);
      for (const name of [...exported.keys()]) if (name.startsWith('onlyoffice_scrape_')) exported.delete(name);
      const documented = documentedMetrics().filter((metric) => metric.section === 'tls_files');
      expect(documented.map((metric) => [metric.name, metric.type, [...metric.labels].sort()]).sort()).toEqual(
        [...exported].map(([name, labels]) => [name, 'gauge', [...labels].sort()]).sort(),
      );
    });
  });
});
