import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startBlackhole } from '../support/blackhole.js';
import { fixture, startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { requirePrograms } from '../support/integration.js';
import { API_JS, startNginx, type NginxProxy } from '../support/nginx.js';

const { describe } = requirePrograms('nginx');

const COMMAND = '/coauthoring/CommandService.ashx';
const API_JS_PATH = '/web-apps/apps/api/documents/api.js';
const real = (name: string) => fixture(`real-docservice/${name}`).toString('utf8');

async function get(base: string, path: string, init: RequestInit = {}) {
  const response = await fetch(new URL(path, base), { ...init, signal: AbortSignal.timeout(10_000) });
  return {
    status: response.status,
    server: response.headers.get('server') ?? '',
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
}
const post = (base: string, path: string, body: object) =>
  get(base, path, { method: 'POST', body: JSON.stringify(body) });

/** nginx's own error page for `status`, e.g. "<title>502 Bad Gateway</title>". */
const nginxPage = (status: number, reason: string) => expect.stringContaining(`<title>${status} ${reason}</title>`);

describe('nginx harness in front of the DS simulator', () => {
  let ds: DsSimulator;
  let proxy: NginxProxy;

  beforeAll(async () => {
    ds = await startDsSimulator({ version: '7.5' });
    proxy = await startNginx({ backendPort: ds.port, proxyReadTimeoutSeconds: 1 });
  });
  afterAll(async () => {
    await proxy?.stop();
    await ds?.stop();
  });
  afterEach(async () => {
    ds.setFault('none');
    await ds.start();
  });

  test('healthy: docservice answers through nginx, api.js comes from disk', async () => {
    expect(await get(proxy.url, '/healthcheck')).toMatchObject({
      status: 200,
      server: expect.stringMatching(/^nginx\//),
      body: 'true',
    });
    expect(await get(proxy.url, '/index.html')).toMatchObject({ status: 200, body: real('v75_nojwt_index.html.txt') });
    expect(await get(proxy.url, '/info/info.json')).toMatchObject({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: real('v75_nojwt_info_info.json'),
    });
    // DS's location regex also takes a version prefix.
    expect(await get(proxy.url, '/7.5.1-35/info/info.json')).toMatchObject({
      status: 200,
      body: real('v75_nojwt_info_info.json'),
    });
    expect(await post(proxy.url, COMMAND, { c: 'version' })).toMatchObject({
      status: 200,
      body: real('v75_nojwt_command_version.json'),
    });
    expect(await get(proxy.url, API_JS_PATH)).toEqual({
      status: 200,
      server: expect.stringMatching(/^nginx\//),
      type: 'application/javascript',
      body: API_JS,
    });
    expect(ds.requests.some((r) => r.path === API_JS_PATH)).toBe(false);
  });

  test('backend gone: nginx 502 on healthcheck, index.html and CommandService, api.js still 200', async () => {
    await ds.stop();
    for (const reply of [
      await get(proxy.url, '/healthcheck'),
      await get(proxy.url, '/index.html'),
      await post(proxy.url, COMMAND, { c: 'version' }),
    ]) {
      expect(reply).toMatchObject({
        status: 502,
        server: expect.stringMatching(/^nginx\//),
        type: 'text/html',
        body: nginxPage(502, 'Bad Gateway'),
      });
    }
    expect(await get(proxy.url, API_JS_PATH)).toMatchObject({ status: 200, body: API_JS });
    expect(readFileSync(proxy.errorLog, 'utf8')).toContain(
      'connect() failed (111: Connection refused) while connecting to upstream',
    );
    await ds.start();
    expect(await get(proxy.url, '/healthcheck')).toMatchObject({ status: 200, body: 'true' });
  });

  test('backend hanging beyond proxy_read_timeout: 504, while other paths still answer', async () => {
    ds.setFault('rabbitmq_frozen');
    expect(await get(proxy.url, '/healthcheck')).toMatchObject({
      status: 504,
      type: 'text/html',
      body: nginxPage(504, 'Gateway Time-out'),
    });
    expect(await get(proxy.url, '/index.html')).toMatchObject({ status: 200, body: real('v75_nojwt_index.html.txt') });
    expect(readFileSync(proxy.errorLog, 'utf8')).toContain(
      'upstream timed out (110: Connection timed out) while reading response header from upstream',
    );
  });

  test('a blackhole backend (accepts, never answers) is a 504 too', async () => {
    const hole = await startBlackhole();
    const front = await startNginx({ backendPort: hole.port, proxyReadTimeoutSeconds: 1 });
    try {
      expect(await get(front.url, '/healthcheck')).toMatchObject({
        status: 504,
        body: nginxPage(504, 'Gateway Time-out'),
      });
      expect(await get(front.url, API_JS_PATH)).toMatchObject({ status: 200, body: API_JS });
    } finally {
      await front.stop();
      await hole.stop();
    }
  });

  test('denyInfo: /info/ and /internal/ are nginx 403s, the rest is proxied', async () => {
    const denying = await startNginx({ backendPort: ds.port, denyInfo: true });
    try {
      expect(await get(denying.url, '/info/info.json')).toMatchObject({
        status: 403,
        type: 'text/html',
        body: nginxPage(403, 'Forbidden'),
      });
      expect(await get(denying.url, '/internal/cluster/inactive')).toMatchObject({
        status: 403,
        body: nginxPage(403, 'Forbidden'),
      });
      expect(await get(denying.url, '/healthcheck')).toMatchObject({ status: 200, body: 'true' });
      // Without denyInfo, 127.0.0.1 is allowed: the same path reaches docservice (its Express 404 page).
      expect(await get(proxy.url, '/internal/cluster/inactive')).toMatchObject({
        status: 404,
        body: expect.stringContaining('Cannot GET /internal/cluster/inactive'),
      });
    } finally {
      await denying.stop();
    }
  });

  test('stop() ends nginx by PID, closes the port and removes the temp dir', async () => {
    const extra = await startNginx({ backendPort: ds.port });
    const dir = dirname(extra.errorLog);
    expect(existsSync(dir)).toBe(true);
    await extra.stop();
    expect(() => process.kill(extra.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(existsSync(dir)).toBe(false);
    const refused = await fetch(`${extra.url}/healthcheck`).then(
      () => 'answered',
      (error: Error & { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');
  });
});
