import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_MAX_RESPONSE_BYTES_IN_FLIGHT,
  httpRequest,
  overBudgetCount,
  refusedBodyCount,
  responseBytesInFlight,
  setResponseBytesInFlightLimit,
} from '../../src/lib/http.js';
import { BoundsLog } from '../../src/scrape/bounds.js';
import { parseExposition, value } from '../support/exposition.js';
import { familiesText, silentLogger } from '../support/scrape.js';
import { waitFor } from '../support/service-process.js';

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
    const within = await httpRequest({
      url,
      signal: new AbortController().signal,
      timeoutMs: 2000,
      maxBodyBytes: 2048,
    });
    expect(within).toMatchObject({ ok: true, status: 200 });
    expect(within.ok && within.body.length).toBe(2048);
    expect(refusedBodyCount()).toBe(before + 1);

    const own = parseExposition(await familiesText(new BoundsLog(silentLogger).families()));
    expect(value(own, 'onlyoffice_scrape_response_bodies_too_large_total')).toBe(before + 1);
  });
});

describe('the bytes of answers held at once (--web.max-response-bytes-in-flight)', () => {
  let server: Server;
  let base: string;
  const stalled: Array<() => void> = [];

  beforeAll(async () => {
    // /hold: 2 KiB, then the answer stays open until the test ends it. /whole: 2 KiB in 16 chunks.
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 16; i++) response.write('y'.repeat(128));
      if (request.url === '/hold') stalled.push(() => response.end());
      else response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const end of stalled.splice(0)) end();
    setResponseBytesInFlightLimit(DEFAULT_MAX_RESPONSE_BYTES_IN_FLIGHT);
    await new Promise((resolve) => server.close(resolve));
  });

  test('an answer that would take the bytes held by all requests past the limit is given up and counted; the others are untouched', async () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES_IN_FLIGHT).toBe(64 * 1024 * 1024);
    setResponseBytesInFlightLimit(3000);
    const signal = new AbortController().signal;
    const before = { overBudget: overBudgetCount(), tooLarge: refusedBodyCount() };
    const holding = httpRequest({ url: `${base}/hold`, signal, timeoutMs: 10_000, maxBodyBytes: 4096 });
    await waitFor('the held answer to be read', 10_000, () => (responseBytesInFlight() === 2048 ? true : undefined));
    // 2048 held + 2048 > 3000: refused, whichever chunk passes it.
    const refused = await httpRequest({ url: `${base}/whole`, signal, timeoutMs: 10_000, maxBodyBytes: 4096 });
    expect(refused).toMatchObject({
      ok: false,
      failure: 'over_budget',
      message: 'answers being read at once would pass 3000 bytes (--web.max-response-bytes-in-flight)',
    });
    expect(responseBytesInFlight()).toBe(2048);
    expect(overBudgetCount()).toBe(before.overBudget + 1);
    expect(refusedBodyCount()).toBe(before.tooLarge);

    stalled.shift()!();
    const held = await holding;
    expect(held.ok && held.body).toBe('y'.repeat(2048));
    expect(responseBytesInFlight()).toBe(0);
    // With the held one done, the same answer fits: 2048 <= 3000.
    const fits = await httpRequest({ url: `${base}/whole`, signal, timeoutMs: 10_000, maxBodyBytes: 4096 });
    expect(fits.ok && fits.body.length).toBe(2048);
    expect(overBudgetCount()).toBe(before.overBudget + 1);

    const own = parseExposition(await familiesText(new BoundsLog(silentLogger).families()));
    expect(value(own, 'onlyoffice_scrape_responses_over_bytes_in_flight_total')).toBe(before.overBudget + 1);
  });

  test('exactly at the limit is within it; 0 is no limit', async () => {
    const signal = new AbortController().signal;
    setResponseBytesInFlightLimit(2048);
    expect((await httpRequest({ url: `${base}/whole`, signal, timeoutMs: 10_000, maxBodyBytes: 4096 })).ok).toBe(true);
    setResponseBytesInFlightLimit(2047);
    expect(await httpRequest({ url: `${base}/whole`, signal, timeoutMs: 10_000, maxBodyBytes: 4096 })).toMatchObject({
      ok: false,
      failure: 'over_budget',
    });
    setResponseBytesInFlightLimit(0);
    const all = await Promise.all(
      Array.from({ length: 4 }, () =>
        httpRequest({ url: `${base}/whole`, signal, timeoutMs: 10_000, maxBodyBytes: 4096 }),
      ),
    );
    expect(all.map((result) => result.ok)).toEqual([true, true, true, true]);
    expect(responseBytesInFlight()).toBe(0);
  });
});
