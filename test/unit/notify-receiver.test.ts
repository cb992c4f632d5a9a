import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../src/config/load.js';
import { createNotifier, notifyRoutes, type Notifier } from '../../src/notify/index.js';
import type { RobotNotifier } from '../../src/notify/notifier.js';
import { parseExposition, value } from '../support/exposition.js';
import { webhookAlert, webhookPayload, WeComRobotEmulator } from '../support/robots.js';

const logger = pino({ level: 'silent' });
const TOKEN = 'receiver-test-token-0123456789';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('notify webhook receivers', () => {
  const wecom = new WeComRobotEmulator({ rate: { messages: 1000, windowMs: 60_000 } });
  let app: FastifyInstance;
  let notifier: Notifier | undefined;
  let base = '';

  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  // Real HTTP (light-my-request's inject cannot load under jest's ESM mode).
  const inject = async (url: string, options: ReturnType<typeof json>, to = base) => {
    const response = await fetch(`${to}${url}`, {
      method: options.method,
      headers: options.headers,
      body: options.payload,
    });
    const text = await response.text();
    return {
      status: response.status,
      body: JSON.parse(text) as { status: string; error?: string },
      headers: Object.fromEntries(response.headers),
    };
  };

  beforeAll(async () => {
    await wecom.start();
    notifier = createNotifier(
      parseConfig(
        `
notify:
  auth: { bearer_token: ${TOKEN} }
  max_request_bytes: 65536
  language: en
  queue: { max_alerts: 50 }
  wecom: { ops: { url: "${wecom.url}" } }
`,
        't',
        {},
      ),
      logger,
    );
    app = Fastify({ logger: false });
    await app.register(notifyRoutes, { notifier: () => notifier });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await app.close();
    await notifier?.close();
    await wecom.stop();
  });

  test('accepts a valid payload with 200 and delivers it; hostile label values arrive escaped', async () => {
    const payload = webhookPayload([
      webhookAlert({
        labels: {
          alertname: 'OnlyofficeDocsDown',
          severity: 'critical',
          instance: '[x](http://evil.example) <@all>\n# owned',
        },
        annotations: { summary: '**really** down' },
      }),
    ]);
    const answer = await inject('/notify/wecom/ops', json(payload));
    expect(answer).toMatchObject({ status: 200, body: { status: 'queued', alerts: 1, queued: 1 } });
    await waitFor(() => wecom.delivered.length === 1, 'delivery');
    const text = wecom.delivered[0]!.text;
    expect(text).toContain('instance=[x]\u200b(http://evil.example) <\u200b@all> # owned');
    expect(text).toContain('> ***\u200b*really*\u200b* down**');
    expect(text).not.toContain('<@all>');
  });

  test('unknown robots 404, missing or wrong credentials 401 (before the body is read)', async () => {
    const payload = webhookPayload([webhookAlert()]);
    expect(await inject('/notify/wecom/nobody', json(payload))).toMatchObject({
      status: 404,
      body: { error: 'no wecom robot named "nobody" in notify' },
    });
    expect(await inject('/notify/slack/ops', json(payload))).toMatchObject({ status: 404 });
    const noAuth = await inject('/notify/wecom/ops', json(payload, { authorization: '' }));
    expect(noAuth).toMatchObject({ status: 401, body: { error: 'missing or wrong credentials (notify.auth)' } });
    expect(noAuth.headers['www-authenticate']).toBe('Bearer realm="onlyoffice-exporter notify"');
    expect((await inject('/notify/wecom/ops', json(payload, { authorization: `Bearer ${TOKEN}x` }))).status).toBe(401);
    expect(
      (
        await inject(
          '/notify/wecom/ops',
          json(payload, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }),
        )
      ).status,
    ).toBe(401);
    expect((await inject('/notify/wecom/ops', json(payload, { authorization: `bearer ${TOKEN}` }))).status).toBe(200);
  });

  test('malformed payloads get 400 naming the field; too many alerts 413; wrong content type 415', async () => {
    const one = webhookAlert();
    const cases: [unknown, number, string][] = [
      ['{"version":', 400, 'body is not JSON: '],
      [[], 400, 'payload: expected an object, got an array'],
      [
        { ...webhookPayload([one]), version: 4 },
        400,
        'version: expected "4" (Alertmanager webhook payload), got number 4',
      ],
      [
        { ...webhookPayload([one]), version: '3' },
        400,
        'version: expected "4" (Alertmanager webhook payload), got "3"',
      ],
      [webhookPayload([]), 400, 'alerts: is empty'],
      [
        webhookPayload([{ ...one, status: 'pending' }]),
        400,
        'alerts[0].status: expected "firing" or "resolved", got "pending"',
      ],
      [webhookPayload([{ ...one, labels: {} }]), 400, 'alerts[0].labels: is empty'],
      [
        webhookPayload([{ ...one, labels: { alertname: 5 } }]),
        400,
        'alerts[0].labels.alertname: expected a string, got number 5',
      ],
      [
        webhookPayload([{ ...one, startsAt: 'yesterday' }]),
        400,
        'alerts[0].startsAt: expected an RFC 3339 time, got "yesterday"',
      ],
      [
        webhookPayload(
          Array.from({ length: 51 }, (_, i) => webhookAlert({ labels: { alertname: 'A', i: String(i) } })),
        ),
        413,
        "alerts: 51 alerts, more than notify.queue.max_alerts (50); set max_alerts in Alertmanager's webhook_config",
      ],
    ];
    for (const [body, status, error] of cases) {
      const answer = await inject('/notify/wecom/ops', json(body as object));
      expect({ status: answer.status, error: answer.body.error?.slice(0, error.length) }).toEqual({ status, error });
    }
    const text = await inject('/notify/wecom/ops', {
      ...json(webhookPayload([one])),
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
    });
    expect(text.status).toBe(415);
  });

  test('bodies over notify.max_request_bytes get 413, declared or streamed', async () => {
    const big = JSON.stringify(webhookPayload([webhookAlert({ annotations: { summary: 'x'.repeat(70_000) } })]));
    const send = (chunked: boolean) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${base}/notify/wecom/ops`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${TOKEN}`,
              ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(Buffer.byteLength(big)) }),
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) =>
          error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
        );
        req.end(big);
      });
    expect(await send(false)).toBe(413);
    expect(await send(true)).toBe(413);
    const answer = await fetch(`${base}/notify/wecom/ops`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: big,
    });
    expect(await answer.json()).toEqual({
      status: 'error',
      error: `request body of ${Buffer.byteLength(big)} bytes is over notify.max_request_bytes (65536)`,
    });
  });

  test('fuzzing: arbitrary JSON, broken bodies and mutated payloads never crash and never get 5xx', async () => {
    const valid = webhookPayload([webhookAlert()]);
    const mutated = fc
      .record({
        key: fc.constantFrom(
          'version',
          'status',
          'alerts',
          'externalURL',
          'groupKey',
          'truncatedAlerts',
          '__proto__',
          'constructor',
        ),
        value: fc.jsonValue(),
      })
      .map(({ key, value }) => ({ ...valid, [key]: value }));
    const alertMutation = fc
      .record({
        key: fc.constantFrom('status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint'),
        value: fc.jsonValue(),
      })
      .map(({ key, value }) => webhookPayload([{ ...webhookAlert(), [key]: value }]));
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ unit: 'binary', maxLength: 200 }),
      mutated.map((v) => JSON.stringify(v)),
      alertMutation.map((v) => JSON.stringify(v)),
      fc.constant('{"__proto__":{"polluted":1},"version":"4"}'),
      fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const response = await inject('/notify/wecom/ops', json(text));
        expect([200, 400, 413]).toContain(response.status);
        expect(response.body.status).toBe(response.status === 200 ? 'queued' : 'error');
      }),
      { numRuns: 300 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('503 when notify is not configured; requests are counted per robot and status', async () => {
    const bare = Fastify({ logger: false });
    await bare.register(notifyRoutes, { notifier: () => undefined });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const address = bare.server.address();
    const response = await inject(
      '/notify/dingtalk/ops',
      json(webhookPayload([webhookAlert()])),
      `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    );
    await bare.close();
    expect(response).toMatchObject({
      status: 503,
      body: { status: 'error', error: 'notify is not configured (no robots in the notify section)' },
    });

    const registry = new Registry();
    (notifier as RobotNotifier).collect(registry);
    const samples = parseExposition(await registry.metrics());
    expect(value(samples, 'onlyoffice_notify_requests_total', { channel: 'wecom', robot: 'ops', code: '401' })).toBe(3);
    expect(value(samples, 'onlyoffice_notify_requests_total', { channel: 'wecom', robot: 'ops', code: '415' })).toBe(1);
  });
});
