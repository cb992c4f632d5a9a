import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import buildInfo from '../../src/collectors/build_info.js';
import endpoints from '../../src/collectors/endpoints.js';
import websocket from '../../src/collectors/websocket.js';
import { transportsFor } from '../../src/documentserver/websocket.js';
import { renderJson } from '../../src/doctor/render.js';
import { runDoctor } from '../../src/doctor/run.js';
import { startDsSimulator, type DsSimulator, type DsVersion } from '../support/ds-simulator.js';
import { encodeFrame, switchingProtocols, textFrame } from '../support/ds-websocket.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { find, value, type Sample } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { startNginx, type NginxProxy } from '../support/nginx.js';
import { configFrom, scrapeWith, silentLogger } from '../support/scrape.js';
import { TestPki } from '../support/tls-pki.js';

const COLLECTORS = [endpoints, websocket, buildInfo];
const SECRET = 'ws-inbox-secret';
const ws = (samples: Sample[], name: string, via = 'direct') => value(samples, name, { endpoint: 'websocket', via });
/** Every series of the websocket collector and the websocket rows of the endpoints collector, by name and labels. */
function channel(samples: Sample[]): string[] {
  return samples
    .filter(
      (s) =>
        (s.name.startsWith('onlyoffice_endpoint_') && s.labels.endpoint === 'websocket') ||
        s.name.startsWith('onlyoffice_websocket_') ||
        s.name.startsWith('probe_websocket_'),
    )
    .filter((s) => s.name !== 'onlyoffice_endpoint_duration_seconds')
    .map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`)
    .sort();
}

const simulators: DsSimulator[] = [];
afterAll(async () => {
  await Promise.all(simulators.map((s) => s.stop()));
});
async function simulator(options: Parameters<typeof startDsSimulator>[0]): Promise<DsSimulator> {
  const sim = await startDsSimulator(options);
  simulators.push(sim);
  return sim;
}

/** Text frames the exporter sent on every WebSocket a simulator accepted, once each of them is closed. */
async function sentFrames(ds: DsSimulator): Promise<string[][]> {
  await ds.webSocketsClosed();
  expect(ds.webSockets.every((w) => w.closed && w.closeFrameReceived)).toBe(true);
  return ds.webSockets.map((w) => w.received);
}

describe('the co-editing WebSocket against the simulator', () => {
  test.each<[DsVersion, string]>([
    ['7.1', 'sockjs'],
    ['7.5', 'socketio'],
    ['8.3', 'socketio'],
    ['9.3', 'socketio'],
  ])(
    '%s: up with 101 on the %s URL of the version, one connection, nothing sent, closed cleanly',
    async (version, transport) => {
      const ds = await simulator({ version });
      const { samples } = await scrapeWith(COLLECTORS, configFrom(`documentserver: { url: "${ds.url}" }`));
      expect(channel(samples)).toEqual([
        'onlyoffice_endpoint_status_code{"endpoint":"websocket","via":"direct"} 101',
        'onlyoffice_endpoint_up{"endpoint":"websocket","via":"direct"} 1',
      ]);
      expect(ws(samples, 'onlyoffice_endpoint_duration_seconds')).toBeGreaterThan(0);
      expect(await sentFrames(ds)).toEqual([[]]);
      const path = ds.webSockets[0]!.path;
      if (transport === 'sockjs')
        expect(path).toMatch(/^\/doc\/onlyoffice-exporter-probe\/c\/\d{3}\/[A-Za-z0-9]{8}\/websocket$/);
      else expect(path).toBe('/doc/onlyoffice-exporter-probe/c/?EIO=4&transport=websocket');
    },
  );

  test('version unknown: socket.io, then SockJS when the socket.io URL is refused with a status', async () => {
    const ds = await simulator({ version: '7.1' });
    ds.setFault('garbage'); // no version from CommandService, info.json or index.html
    // The garbage fault answers plain requests only: the upgrade of the socket.io URL is refused (400), SockJS's is not.
    const { samples } = await scrapeWith(COLLECTORS, configFrom(`documentserver: { url: "${ds.url}" }`));
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'build_info' })).toBe(0);
    expect(channel(samples)).toEqual([
      'onlyoffice_endpoint_status_code{"endpoint":"websocket","via":"direct"} 101',
      'onlyoffice_endpoint_up{"endpoint":"websocket","via":"direct"} 1',
    ]);
    const generic = (path: string) => path.replace(/\/\d{3}\/\w{8}\//, '/NNN/SESSION/');
    expect(ds.webSockets.map((w) => generic(w.path))).toEqual([
      '/doc/onlyoffice-exporter-probe/c/NNN/SESSION/websocket',
    ]);
    expect(ds.requests.filter((r) => r.headers.upgrade === 'websocket').map((r) => generic(r.path))).toEqual([
      '/doc/onlyoffice-exporter-probe/c/?EIO=4&transport=websocket',
      '/doc/onlyoffice-exporter-probe/c/NNN/SESSION/websocket',
    ]);
    await ds.webSocketsClosed();
  });

  test('transport by version: SockJS up to 7.2, socket.io from 7.3, unknown: socket.io then SockJS', () => {
    expect(transportsFor({ version: '7.2.2', build: '1' })).toEqual(['sockjs']);
    expect(transportsFor({ version: '7.3.0', build: '1' })).toEqual(['socketio']);
    expect(transportsFor({ version: '10.0.0', build: '1' })).toEqual(['socketio']);
    expect(transportsFor(undefined)).toEqual(['socketio', 'sockjs']);
  });

  describe('the browser token (socket.io, documentserver.jwt configured)', () => {
    // DS counts an editor against the license in its `auth` message handler (DocsCoServer.js auth -> endAuth):
    // the only frame the check may send is the namespace connect with the token.
    const onlyConnect = (frames: string[][]) => {
      expect(frames).toHaveLength(1);
      expect(frames[0]).toHaveLength(1);
      expect(frames[0]![0]).toMatch(/^40\{"token":"[\w-]+\.[\w-]+\.[\w-]+"\}$/);
      expect(frames.flat().some((f) => f.includes('"auth"'))).toBe(false);
    };

    test('the right secret: auth_up 1, no error', async () => {
      const ds = await simulator({ version: '7.5', jwtSecret: SECRET });
      const { samples } = await scrapeWith(
        COLLECTORS,
        configFrom(`documentserver: { url: "${ds.url}", jwt: { secret: ${SECRET} } }`),
      );
      expect(channel(samples)).toEqual([
        'onlyoffice_endpoint_status_code{"endpoint":"websocket","via":"direct"} 101',
        'onlyoffice_endpoint_up{"endpoint":"websocket","via":"direct"} 1',
        'onlyoffice_websocket_auth_up{"via":"direct"} 1',
      ]);
      onlyConnect(await sentFrames(ds));
    });

    test('DS\'s browser secret differs: auth_up 0 with DS\'s 4006 "token:invalid signature"; browser_secret set right fixes it', async () => {
      const ds = await simulator({ version: '9.3', jwtSecret: SECRET, jwtBrowserSecret: 'browser-secret' });
      const wrong = await scrapeWith(
        COLLECTORS,
        configFrom(`documentserver: { url: "${ds.url}", jwt: { secret: ${SECRET} } }`),
      );
      expect(channel(wrong.samples)).toEqual([
        'onlyoffice_endpoint_status_code{"endpoint":"websocket","via":"direct"} 101',
        'onlyoffice_endpoint_up{"endpoint":"websocket","via":"direct"} 1',
        'onlyoffice_websocket_auth_error{"via":"direct","code":"4006","reason":"token:invalid signature"} 1',
        'onlyoffice_websocket_auth_up{"via":"direct"} 0',
      ]);
      onlyConnect(await sentFrames(ds));
      const fixed = `documentserver: { url: "${ds.url}", jwt: { secret: ${SECRET}, browser_secret: browser-secret } }`;
      const right = await scrapeWith(COLLECTORS, configFrom(fixed));
      expect(value(right.samples, 'onlyoffice_websocket_auth_up', { via: 'direct' })).toBe(1);
      expect(find(right.samples, 'onlyoffice_websocket_auth_error')).toEqual([]);
    });

    test('SockJS (7.1) has no token check: no auth metrics, nothing sent', async () => {
      const ds = await simulator({ version: '7.1', jwtSecret: SECRET });
      const { samples } = await scrapeWith(
        COLLECTORS,
        configFrom(`documentserver: { url: "${ds.url}", jwt: { secret: ${SECRET} } }`),
      );
      expect(ws(samples, 'onlyoffice_endpoint_up')).toBe(1);
      expect(samples.filter((s) => s.name.startsWith('onlyoffice_websocket_'))).toEqual([]);
      expect(await sentFrames(ds)).toEqual([[]]);
    });
  });

  test("/probe: blackbox_exporter's names for the target, in the documentserver and websocket modules", async () => {
    const ds = await simulator({ version: '7.5' });
    const config = configFrom(`documentserver: { url: "http://127.0.0.1:1" }`);
    const target = { ...config.documentserver, url: ds.url };
    for (const collectors of [COLLECTORS, [websocket]]) {
      const { samples } = await scrapeWith(collectors, config, { scope: 'probe', target });
      expect(value(samples, 'probe_websocket_status_code')).toBe(101);
      expect(value(samples, 'probe_websocket_connection_upgraded')).toBe(1);
    }
    const onMetrics = await scrapeWith(COLLECTORS, configFrom(`documentserver: { url: "${ds.url}" }`));
    expect(onMetrics.samples.filter((s) => s.name.startsWith('probe_'))).toEqual([]);
    const stopped = await startDsSimulator({ version: '7.5' });
    await stopped.stop();
    const refused = await scrapeWith([websocket], config, {
      scope: 'probe',
      target: { ...config.documentserver, url: stopped.url },
    });
    expect([
      value(refused.samples, 'probe_websocket_status_code'),
      value(refused.samples, 'probe_websocket_connection_upgraded'),
    ]).toEqual([0, 0]);
  });

  test('docs/metrics.md "websocket" lists exactly what /metrics and /probe export', async () => {
    const ds = await simulator({ version: '7.5', jwtSecret: SECRET, jwtBrowserSecret: 'other' });
    const config = configFrom(`documentserver: { url: "${ds.url}", jwt: { secret: ${SECRET} } }`);
    const fromMetrics = await scrapeWith([websocket], config);
    const fromProbe = await scrapeWith([websocket], config, { scope: 'probe', target: config.documentserver });
    const exported = new Map([...exportedFamilies(fromMetrics.samples), ...exportedFamilies(fromProbe.samples)]);
    for (const name of [...exported.keys()])
      if (name.startsWith('onlyoffice_scrape_') || name === 'probe_duration_seconds' || name === 'probe_success')
        exported.delete(name);
    const documented = documentedMetrics().filter((metric) => metric.section === 'websocket');
    expect(documented.map((metric) => [metric.name, metric.type, [...metric.labels].sort()]).sort()).toEqual(
      [...exported].map(([name, labels]) => [name, 'gauge', [...labels].sort()]).sort(),
    );
  });
});

describe('over TLS (wss)', () => {
  test('upgraded through TLS; the next check resumes the TLS session; an untrusted certificate is no HTTP answer', async () => {
    const ds = await simulator({ version: '9.3' });
    const pki = new TestPki();
    const now = Math.floor(Date.now() / 1000);
    const root = pki.issue('root', {
      subject: '/CN=ws root',
      notBefore: now - 86400,
      notAfter: now + 86400,
      serial: '01',
      ca: true,
    });
    const leaf = pki.issue('leaf', {
      subject: '/CN=127.0.0.1',
      issuer: root,
      notBefore: now - 86400,
      notAfter: now + 86400,
      serial: '02',
      san: 'IP:127.0.0.1',
    });
    // TLS terminated here, the bytes passed on to the simulator, as DS's nginx with ds-ssl.conf does.
    const reused: boolean[] = [];
    const server = createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket: TLSSocket) => {
      reused.push(socket.isSessionReused());
      const upstream = netConnect(ds.port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const config = configFrom(`documentserver: { url: "${url}", insecure_skip_verify: true }`);
      for (let i = 0; i < 2; i++) {
        const { samples } = await scrapeWith([websocket], config, { scope: 'probe', target: config.documentserver });
        expect([
          value(samples, 'probe_websocket_status_code'),
          value(samples, 'probe_websocket_connection_upgraded'),
        ]).toEqual([101, 1]);
        await ds.webSocketsClosed();
      }
      // The plain HTTP requests of the version lookup make TLS connections too: the last one is the second WebSocket.
      expect(reused.at(-1)).toBe(true);
      const verifying = configFrom(`documentserver: { url: "${url}" }`);
      const { samples } = await scrapeWith([websocket], verifying, {
        scope: 'probe',
        target: verifying.documentserver,
      });
      expect([
        value(samples, 'probe_websocket_status_code'),
        value(samples, 'probe_websocket_connection_upgraded'),
      ]).toEqual([0, 0]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pki.remove();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hostile peers: each scrape ends within its deadline and every socket the check opened is closed afterwards.

type Behaviour = (socket: Socket, key: string) => void;

interface HostilePeer {
  url: string;
  /** Resolves once every connection that asked for an upgrade has closed. */
  upgradesClosed(): Promise<number>;
  stop(): Promise<void>;
}

async function hostilePeer(behaviour: Behaviour): Promise<HostilePeer> {
  const upgrades = new Set<Socket>();
  let seen = 0;
  const waiters: (() => void)[] = [];
  const settle = () => {
    if (upgrades.size === 0) for (const w of waiters.splice(0)) w();
  };
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1];
      if (!key) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      upgrades.add(socket);
      seen++;
      socket.on('close', () => {
        upgrades.delete(socket);
        settle();
      });
      behaviour(socket, key);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    upgradesClosed: () =>
      new Promise<number>((resolve) => {
        waiters.push(() => resolve(seen));
        settle();
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of upgrades) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('hostile peers', () => {
  const BUDGET_MS = 10_000;
  test.each<[string, Behaviour, number]>([
    ['101, then never a frame', (socket, key) => socket.write(switchingProtocols(key)), 101],
    [
      "101, then a frame that is not DS's",
      (socket, key) => {
        socket.write(Buffer.concat([Buffer.from(switchingProtocols(key)), textFrame('hello from somewhere else')]));
      },
      101,
    ],
    [
      '101, then a 10 MB frame (bounded payload)',
      (socket, key) => {
        socket.write(switchingProtocols(key));
        socket.write(encodeFrame(0x1, Buffer.alloc(10 * 1024 * 1024, 0x61)));
      },
      101,
    ],
    [
      'a reset in the middle of the handshake',
      (socket) => {
        socket.write('HTTP/1.1 101 Switch');
        socket.resetAndDestroy();
      },
      0,
    ],
  ])('%s: down, status as seen, scrape within the deadline, socket closed', async (_name, behaviour, status) => {
    const peer = await hostilePeer(behaviour);
    try {
      const config = configFrom(`documentserver: { url: "${peer.url}", timeout: 2s }`);
      const { samples, seconds } = await scrapeWith([endpoints], config, { budgetMs: BUDGET_MS });
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'endpoints' })).toBe(1);
      expect([ws(samples, 'onlyoffice_endpoint_up'), ws(samples, 'onlyoffice_endpoint_status_code')]).toEqual([
        0,
        status,
      ]);
      expect(seconds).toBeLessThan(BUDGET_MS / 1000);
      // The version is unknown here (the peer answers nothing else): socket.io only, as it answered 101 or nothing.
      expect(await peer.upgradesClosed()).toBe(1);
    } finally {
      await peer.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('through real nginx', () => {
  let ds: DsSimulator;
  let plain: NginxProxy;
  let upgrading: NginxProxy;
  beforeAll(async () => {
    requirePrograms('nginx');
    ds = await simulator({ version: '7.5' });
    plain = await startNginx({ backendPort: ds.port, websocketUpgrade: false });
    upgrading = await startNginx({ backendPort: ds.port });
  });
  afterAll(async () => {
    await plain?.stop();
    await upgrading?.stop();
  });

  test('a proxy that does not forward upgrades: public 0 with 400, direct 1 with 101, every other hop green', async () => {
    const { samples } = await scrapeWith(
      COLLECTORS,
      configFrom(`documentserver: { url: "${ds.url}", public_url: "${plain.url}" }`),
    );
    expect(channel(samples)).toEqual([
      'onlyoffice_endpoint_status_code{"endpoint":"websocket","via":"direct"} 101',
      'onlyoffice_endpoint_status_code{"endpoint":"websocket","via":"public"} 400',
      'onlyoffice_endpoint_up{"endpoint":"websocket","via":"direct"} 1',
      'onlyoffice_endpoint_up{"endpoint":"websocket","via":"public"} 0',
    ]);
    for (const endpoint of ['healthcheck', 'index', 'api_js', 'command']) {
      expect([endpoint, value(samples, 'onlyoffice_endpoint_up', { endpoint, via: 'public' })]).toEqual([endpoint, 1]);
    }
  });

  test("the doctor names the proxy, with the nginx lines; and the editors' token rejected, with where the secrets live", async () => {
    // Dependencies are not part of this (their defaults point at services not started here).
    const dsCauses = (d: Awaited<ReturnType<typeof runDoctor>>) =>
      d.causes
        .filter((c) => ['proxy', 'docservice', 'jwt', 'websocket'].includes(c.hop))
        .map((c) => `${c.hop}:${c.id}`);
    const base = (
      publicUrl: string,
      jwt = '',
    ) => `documentserver: { url: "${ds.url}", public_url: "${publicUrl}"${jwt} }
docker: { enabled: false }
disk: { paths: [] }
`;
    const broken = await runDoctor(configFrom(base(plain.url)), silentLogger, 8_000);
    const hops = Object.fromEntries(broken.hops.map((h) => [h.id, h.verdict]));
    expect([hops.proxy, hops.docservice, hops.jwt, hops.websocket]).toEqual(['ok', 'ok', 'ok', 'fail']);
    expect(dsCauses(broken)).toEqual(['websocket:proxy_no_websocket_upgrade']);
    const cause = renderJson(broken, 'en').causes.find((c) => c.hop === 'websocket')!;
    expect(cause.why).toContain(`HTTP 400 through ${plain.url}`);
    expect(cause.fix).toEqual(
      expect.arrayContaining([
        'proxy_http_version 1.1;',
        'proxy_set_header Upgrade $http_upgrade;',
        'proxy_set_header Connection $proxy_connection;',
        'map $http_upgrade $proxy_connection { default upgrade; "" close; }',
      ]),
    );
    const fixed = await runDoctor(configFrom(base(upgrading.url)), silentLogger, 8_000);
    expect(fixed.hops.find((h) => h.id === 'websocket')!.verdict).toBe('ok');
    expect(dsCauses(fixed)).toEqual([]);

    const jwtDs = await simulator({ version: '7.5', jwtSecret: SECRET, jwtBrowserSecret: 'the-editors-secret' });
    const proxy = await startNginx({ backendPort: jwtDs.port });
    try {
      const rejected = await runDoctor(
        configFrom(base(proxy.url, `, jwt: { secret: ${SECRET} }`).replace(ds.url, jwtDs.url)),
        silentLogger,
        8_000,
      );
      expect(rejected.hops.find((h) => h.id === 'jwt')!.verdict).toBe('ok');
      expect(rejected.hops.find((h) => h.id === 'websocket')!.verdict).toBe('fail');
      expect(dsCauses(rejected)).toEqual(['websocket:editor_token_rejected']);
      expect(rejected.causes.find((c) => c.hop === 'websocket')!.params).toMatchObject({
        code: '4006',
        reason: 'token:invalid signature',
      });
      expect(
        renderJson(rejected, 'zh-CN')
          .causes.find((c) => c.hop === 'websocket')!
          .fix.join('\n'),
      ).toContain('services.CoAuthoring.secret.browser');
    } finally {
      await proxy.stop();
    }
  });

  test('a proxy that forwards upgrades: public 1 with 101', async () => {
    const { samples } = await scrapeWith(
      COLLECTORS,
      configFrom(`documentserver: { url: "${ds.url}", public_url: "${upgrading.url}" }`),
    );
    expect([
      ws(samples, 'onlyoffice_endpoint_up', 'public'),
      ws(samples, 'onlyoffice_endpoint_status_code', 'public'),
    ]).toEqual([1, 101]);
    await ds.webSocketsClosed();
  });
});
