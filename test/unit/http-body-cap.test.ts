import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest, refusedBodyCount } from '../../src/lib/http.js';
import { BoundsLog } from '../../src/scrape/bounds.js';
import { parseExposition, value } from '../support/exposition.js';
import { familiesText, silentLogger } from '../support/scrape.js';

describe('the response body cap', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // 2 KiB of body, sent in 16 chunks, whatever is asked.
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 16; i++) response.write('x'.repeat(128));
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('an answer over the cap is refused and counted in onlyoffice_scrape_response_bodies_too_large_total; one within it is not', async () => {
    const before = refusedBodyCount();
    const over = await httpRequest({ url, signal: new AbortController().signal, timeoutMs: 2000, maxBodyBytes: 1024 });
    expect(over).toMatchObject({ ok: false, failure: 'body_too_large', message: 'response body over 1024 bytes' });
    const within = await httpRequest({ url, signal: new AbortController().signal, timeoutMs: 2000, maxBodyBytes: 2048 });
    expect(within).toMatchObject({ ok: true, status: 200 });
    expect(within.ok && within.body.length).toBe(2048);
    expect(refusedBodyCount()).toBe(before + 1);

    const own = parseExposition(await familiesText(new BoundsLog(silentLogger).families()));
    expect(value(own, 'onlyoffice_scrape_response_bodies_too_large_total')).toBe(before + 1);
  });
});
