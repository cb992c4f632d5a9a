import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { CollectorDefinition } from '../../src/collectors/types.js';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';
import { parseExposition, value } from '../support/exposition.js';
import { silentLogger } from '../support/scrape.js';
import { waitFor } from '../support/service-process.js';

/** A collector that waits, inside the scrape, until the test lets it go: scrapes stay in flight as long as needed. */
class Gate {
  entered = 0;
  private waiting: Array<() => void> = [];
  readonly definition: CollectorDefinition = {
    name: 'healthcheck',
    scopes: ['metrics', 'probe'],
    runs: 'scrape',
    create: () => ({
      collect: () => {
        this.entered++;
        return new Promise<void>((resolve) => this.waiting.push(resolve));
      },
    }),
  };

  open(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

async function serverWith(gate: Gate, maxRequests?: number): Promise<{ app: FastifyInstance; runtime: Runtime }> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-admission-'));
  writeFileSync(
    join(dir, 'c.yml'),
    'documentserver: { url: "http://127.0.0.1:1" }\nprobe: { targets: ["http://127.0.0.1:2"] }\n',
  );
  const runtime = new Runtime(join(dir, 'c.yml'), silentLogger, [gate.definition]);
  await runtime.reload();
  const app = buildServer({
    runtime,
    logger: silentLogger,
    timeoutOffsetMs: 500,
    enableRemoteReload: false,
    ...(maxRequests === undefined ? {} : { maxRequests }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, runtime };
}

// Real HTTP (light-my-request's inject cannot load under jest's ESM mode).
async function get(app: FastifyInstance, path: string): Promise<{ statusCode: number; body: string }> {
  const { port } = app.server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { statusCode: response.status, body: await response.text() };
}

describe('--web.max-requests', () => {
  test('with N scrapes in flight, /metrics and /probe get 503 at once and are counted; once they end, scrapes run again', async () => {
    const gate = new Gate();
    const { app, runtime } = await serverWith(gate, 2);
    try {
      const running = [get(app, '/metrics'), get(app, '/probe?target=http://127.0.0.1:2')];
      await waitFor('two scrapes in their collector', 10_000, () => (gate.entered === 2 ? true : undefined));
      const refused = await get(app, '/metrics');
      expect({ status: refused.statusCode, body: refused.body }).toEqual({
        status: 503,
        body: 'too many scrapes at once (--web.max-requests=2); try again later\n',
      });
      const refusedProbe = await get(app, '/probe?target=http://127.0.0.1:2');
      expect(refusedProbe.statusCode).toBe(503);
      // Refusing did not start a scrape.
      expect(gate.entered).toBe(2);
      gate.open();
      expect((await Promise.all(running)).map((response) => response.statusCode)).toEqual([200, 200]);
      const scrape = get(app, '/metrics');
      await waitFor('the scrape in its collector', 10_000, () => (gate.entered === 3 ? true : undefined));
      gate.open();
      const text = (await scrape).body;
      expect(value(parseExposition(text), 'onlyoffice_exporter_scrapes_refused_total')).toBe(2);
    } finally {
      gate.open();
      await app.close();
      await runtime.close();
    }
  });

  test('the default is 40; 0 is no limit', async () => {
    const gates = [new Gate(), new Gate()];
    const servers = [await serverWith(gates[0]!), await serverWith(gates[1]!, 0)];
    try {
      for (const [index, { app }] of servers.entries()) {
        const gate = gates[index]!;
        const running = Array.from({ length: 40 }, () => get(app, '/metrics'));
        await waitFor('forty scrapes in their collector', 10_000, () => (gate.entered === 40 ? true : undefined));
        const next = get(app, '/metrics');
        if (index === 0) {
          expect((await next).statusCode).toBe(503);
        } else {
          await waitFor('the 41st scrape in its collector', 10_000, () => (gate.entered === 41 ? true : undefined));
          running.push(next);
        }
        gate.open();
        expect(new Set((await Promise.all(running)).map((response) => response.statusCode))).toEqual(new Set([200]));
      }
    } finally {
      for (const gate of gates) gate.open();
      for (const { app, runtime } of servers) {
        await app.close();
        await runtime.close();
      }
    }
  });
});
