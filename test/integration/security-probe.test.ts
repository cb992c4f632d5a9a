import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, value } from '../support/exposition.js';

/** A server that records every request it gets; `redirectTo` makes it answer 302 to that URL. */
async function recorder(host: string, redirectTo?: string): Promise<{ server: Server; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (redirectTo) res.writeHead(302, { location: `${redirectTo}${req.url}` }).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('true');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

const NOT_CONFIGURED = [400, 'target is not in probe.targets of the configuration\n'];
const NOT_A_URL = [400, 'target is neither a URL nor the name of a target in probe.targets\n'];
const MISSING = [400, 'target parameter is missing\n'];

describe('/probe reaches only the configured targets (no open proxy)', () => {
  let ds: DsSimulator;
  let ds6: DsSimulator;
  let canary: Awaited<ReturnType<typeof recorder>>;
  let canary6: Awaited<ReturnType<typeof recorder>>;
  let redirector: Awaited<ReturnType<typeof recorder>>;
  let exporter: ExporterProcess;
  let dir: string;
  let P: number;
  let C: number;
  let R: number;
  let S: number;

  beforeAll(async () => {
    ds = await startDsSimulator({ version: '8.3' });
    ds6 = await startDsSimulator({ version: '8.3', host: '::1' });
    canary = await recorder('127.0.0.1');
    canary6 = await recorder('::1');
    // Every path of the configured redirector points at the canary: a probe must not follow.
    redirector = await recorder('127.0.0.1', `http://127.0.0.1:${canary.port}`);
    [P, C, R, S] = [ds.port, canary.port, redirector.port, ds6.port];
    dir = mkdtempSync(join(tmpdir(), 'ooe-probe-sec-'));
    writeFileSync(
      join(dir, 'config.yml'),
      `
documentserver: { url: "http://127.0.0.1:9", timeout: 2s }
probe:
  targets: ["http://127.0.0.1:${P}", "http://127.0.0.1:${R}/ds", "http://[::1]:${S}"]
docker: { enabled: false }
disk: { paths: [] }
`,
    );
    exporter = await startExporter([`--config.file=${join(dir, 'config.yml')}`]);
  });

  afterAll(async () => {
    await exporter?.stop();
    await Promise.all([ds?.stop(), ds6?.stop()]);
    for (const r of [canary, canary6, redirector]) r?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** GET /probe with the query string as given (already encoded). */
  async function probe(query: string): Promise<[number, string]> {
    const response = await fetch(`${exporter.url}/probe${query}`);
    return [response.status, await response.text()];
  }
  const target = (url: string) => `?target=${encodeURIComponent(url)}`;

  test.each([
    ['another port on the same host', () => `http://127.0.0.1:${C}`, NOT_CONFIGURED],
    ['the same host by name', () => `http://localhost:${P}`, NOT_CONFIGURED],
    ['user info naming the configured target', () => `http://127.0.0.1:${P}@127.0.0.1:${C}`, NOT_CONFIGURED],
    ['a fragment hiding the host', () => `http://127.0.0.1:${C}#@127.0.0.1:${P}`, NOT_CONFIGURED],
    ['a query added', () => `http://127.0.0.1:${R}/ds?x=1`, NOT_CONFIGURED],
    ['.. out of the configured path', () => `http://127.0.0.1:${R}/ds/..`, NOT_CONFIGURED],
    ['%2e%2e out of the configured path', () => `http://127.0.0.1:${R}/ds/%2e%2e/`, NOT_CONFIGURED],
    ['..%2f (an encoded slash is not a separator)', () => `http://127.0.0.1:${R}/ds/..%2f`, NOT_CONFIGURED],
    ['a path in another case', () => `http://127.0.0.1:${R}/DS`, NOT_CONFIGURED],
    ['a sub-path', () => `http://127.0.0.1:${R}/ds/x`, NOT_CONFIGURED],
    ['IPv4-mapped IPv6 of the target', () => `http://[::ffff:127.0.0.1]:${P}`, NOT_CONFIGURED],
    ['::1 instead of 127.0.0.1', () => `http://[::1]:${P}`, NOT_CONFIGURED],
    ['127.0.0.1 instead of ::1', () => `http://127.0.0.1:${S}`, NOT_CONFIGURED],
    ['hex IPv4 of another port', () => `http://0x7f.0.0.1:${C}`, NOT_CONFIGURED],
    ['short IPv4 of another port', () => `http://127.1:${C}`, NOT_CONFIGURED],
    ['::1 canary', () => `http://[::1]:${canary6.port}`, NOT_CONFIGURED],
    ['https instead of http', () => `https://127.0.0.1:${P}`, NOT_CONFIGURED],
    ['file://', () => 'file:///etc/passwd', NOT_CONFIGURED],
    ['gopher://', () => `gopher://127.0.0.1:${C}/_GET%20/`, NOT_CONFIGURED],
    ['javascript:', () => 'javascript:alert(1)', NOT_CONFIGURED],
    ['a zone id', () => `http://[::1%25lo]:${S}`, NOT_A_URL],
    ['a port out of range', () => 'http://127.0.0.1:99999', NOT_A_URL],
    ['CRLF and a header after the port', () => `http://127.0.0.1:${P}\r\nX-Injected: 1`, NOT_A_URL],
    ['not a URL at all', () => 'not a url', NOT_A_URL],
    ['double-encoded', () => encodeURIComponent(`http://127.0.0.1:${P}`), NOT_A_URL],
  ])('refused: %s', async (_name, url, expected) => {
    expect(await probe(target(url()))).toEqual(expected);
  });

  test('no target, an empty one, or two of them', async () => {
    expect(await probe('')).toEqual(MISSING);
    expect(await probe('?target=')).toEqual(MISSING);
    expect(
      await probe(`${target(`http://127.0.0.1:${P}`)}&target=${encodeURIComponent(`http://127.0.0.1:${C}`)}`),
    ).toEqual(MISSING);
  });

  test('a huge target is refused before any work', async () => {
    const [status] = await probe(target(`http://127.0.0.1:${P}/${'a'.repeat(20_000)}`));
    expect(status).toBe(431);
  });

  test.each([
    ['as configured', () => `http://127.0.0.1:${P}`],
    ['with a trailing slash', () => `http://127.0.0.1:${P}/`],
    ['upper-case scheme', () => `HTTP://127.0.0.1:${P}`],
    ['a path that .. brings back', () => `http://127.0.0.1:${P}/x/..`],
    ['127.0.0.1 as one number', () => `http://2130706433:${P}`],
  ])('accepted, and it is the configured target that is probed: %s', async (_name, url) => {
    const before = ds.requests.length;
    const [status, body] = await probe(target(url()));
    expect(status).toBe(200);
    expect(value(parseExposition(body), 'onlyoffice_healthcheck_up')).toBe(1);
    expect(ds.requests.slice(before).some((r) => r.path === '/healthcheck')).toBe(true);
  });

  test('IPv6: the full form of ::1 is the configured [::1] target', async () => {
    const before = ds6.requests.length;
    const [status, body] = await probe(target(`http://[0:0:0:0:0:0:0:1]:${S}`));
    expect(status).toBe(200);
    expect(value(parseExposition(body), 'onlyoffice_healthcheck_up')).toBe(1);
    expect(ds6.requests.length).toBeGreaterThan(before);
  });

  test('a configured target that redirects elsewhere is not followed', async () => {
    const [status, body] = await probe(target(`http://127.0.0.1:${R}/ds`));
    expect(status).toBe(200);
    const samples = parseExposition(body);
    expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
    expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'healthcheck', via: 'direct' })).toBe(302);
    expect(redirector.hits).toEqual(
      expect.arrayContaining(['GET /ds/healthcheck', 'POST /ds/coauthoring/CommandService.ashx']),
    );
  });

  // Last: after every case above, nothing but the configured targets was ever contacted.
  test('the canaries never saw a request', () => {
    expect(canary.hits).toEqual([]);
    expect(canary6.hits).toEqual([]);
  });
});
