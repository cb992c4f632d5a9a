import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../src/config/load.js';
import { createNotifier, notifyRoutes } from '../../src/notify/index.js';
import type { RobotNotifier } from '../../src/notify/notifier.js';
import { parseExposition, value } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { waitFor } from '../support/service-process.js';
import {
  busiestWindow,
  DingTalkRobotEmulator,
  exampleAlertmanagerConfig,
  shownAlerts,
  startAlertmanager,
  WeComRobotEmulator,
  type Alertmanager,
  type DeliveredMessage,
} from '../support/robots.js';

const { describe: describeWithAlertmanager } = requirePrograms('prometheus-alertmanager');

const TOKEN = 'recovery-notify-token-0123456789';
const SECRET = 'SECrecovery0123456789';

describeWithAlertmanager('robots that fail for a while, then recover: nothing lost', () => {
  // DingTalk allows fewer messages than the exporter is told to send: it throttles (130101) and the exporter backs off.
  const dingtalk = new DingTalkRobotEmulator({
    secret: SECRET,
    rate: { messages: 4, windowMs: 2000 },
    throttleMs: 3000,
  });
  const wecom = new WeComRobotEmulator({ rate: { messages: 20, windowMs: 2000 } });
  let notifier: RobotNotifier;
  let app: FastifyInstance;
  let alertmanager: Alertmanager;
  let dir: string;

  beforeAll(async () => {
    await Promise.all([dingtalk.start(), wecom.start()]);
    notifier = createNotifier(
      parseConfig(
        `
notify:
  auth: { bearer_token: ${TOKEN} }
  language: en
  timezone: UTC
  rate_limit: { messages: 20, window: 2s }
  retry: { initial_backoff: 100ms, max_backoff: 1s }
  queue: { refuse_after_failures: 3 }
  dingtalk: { ops: { url: "${dingtalk.url}", secret: ${SECRET} } }
  wecom: { ops: { url: "${wecom.url}" } }
`,
        'test',
        {},
      ),
      pino({ level: 'silent' }),
    ) as RobotNotifier;
    app = Fastify({ logger: false });
    await app.register(notifyRoutes, { notifier: () => notifier });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    dir = mkdtempSync(join(tmpdir(), 'ooe-notify-recovery-'));
    writeFileSync(join(dir, 'token'), TOKEN, { mode: 0o600 });
    alertmanager = await startAlertmanager(
      exampleAlertmanagerConfig(
        `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
        join(dir, 'token'),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await app?.close();
    await notifier?.close();
    await Promise.all([dingtalk.stop(), wecom.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const statesOf = (messages: DeliveredMessage[], instance: string) =>
    messages
      .flatMap((message) => shownAlerts(message.text))
      .filter((alert) => alert.instance === instance)
      .map((alert) => alert.status);
  const metric = async (name: string, labels: Record<string, string>) => {
    const registry = new Registry();
    notifier.collect(registry);
    const samples = parseExposition(await registry.metrics());
    return samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      ? value(samples, name, labels)
      : 0;
  };
  const critical = (instance: string, startsAt: string, endsAt?: string) => ({
    labels: { alertname: 'OnlyofficeDocsDocserviceDown', severity: 'critical', instance },
    annotations: { summary: 'docservice is down' },
    startsAt,
    ...(endsAt ? { endsAt } : {}),
  });

  test('DingTalk answers 502 and WeCom refuses connections; Alertmanager is told to retry; after recovery every final state arrives, in order', async () => {
    await dingtalk.setOutage('http502');
    await wecom.setOutage('refused');
    const startsAt = new Date(Date.now() - 30_000).toISOString();
    const first = Array.from({ length: 10 }, (_, i) => `outage-${i}:443`);
    await alertmanager.postAlerts(first.map((instance) => critical(instance, startsAt)));
    // The exporter queues what it was given, fails three times, then refuses new notifications with 503.
    await waitFor(
      'both robots failing',
      20_000,
      () =>
        (notifier.robot('dingtalk', 'ops')!.consecutiveFailures >= 3 &&
          notifier.robot('wecom', 'ops')!.consecutiveFailures >= 3) ||
        undefined,
    );
    const resolvedAt = new Date().toISOString();
    const late = Array.from({ length: 5 }, (_, i) => `late-${i}:443`);
    await alertmanager.postAlerts([
      ...first.slice(0, 5).map((instance) => critical(instance, startsAt, resolvedAt)),
      ...late.map((instance) => critical(instance, startsAt)),
    ]);
    await waitFor(
      '503 answers to Alertmanager',
      20_000,
      async () =>
        ((await metric('onlyoffice_notify_requests_total', { channel: 'dingtalk', robot: 'ops', code: '503' })) > 0 &&
          (await metric('onlyoffice_notify_requests_total', { channel: 'wecom', robot: 'ops', code: '503' })) > 0) ||
        undefined,
    );
    expect(dingtalk.delivered).toEqual([]);
    expect(wecom.delivered).toEqual([]);

    await dingtalk.setOutage(undefined);
    await wecom.setOutage(undefined);
    const done = (messages: DeliveredMessage[]) =>
      first.slice(0, 5).every((instance) => statesOf(messages, instance).at(-1) === 'resolved') &&
      [...first.slice(5), ...late].every((instance) => statesOf(messages, instance).includes('firing'));
    await waitFor(
      'every final state on both robots',
      60_000,
      () => (done(dingtalk.delivered) && done(wecom.delivered)) || undefined,
    );

    for (const emulator of [dingtalk, wecom]) {
      for (const instance of [...first, ...late]) {
        const states = statesOf(emulator.delivered, instance);
        // Never resolved before firing; a firing state queued during the outage may have been replaced by its resolution.
        const resolved = states.indexOf('resolved');
        expect({
          instance,
          inOrder: resolved === -1 || states.slice(resolved).every((state) => state === 'resolved'),
        }).toEqual({ instance, inOrder: true });
      }
    }
    expect(dingtalk.attempts.some((a) => a.httpStatus === 502)).toBe(true);
    expect(
      await metric('onlyoffice_notify_messages_total', { channel: 'dingtalk', robot: 'ops', result: 'retried' }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      await metric('onlyoffice_notify_messages_total', { channel: 'wecom', robot: 'ops', result: 'retried' }),
    ).toBeGreaterThanOrEqual(3);
    await waitFor(
      'empty queues',
      10_000,
      async () =>
        ((await metric('onlyoffice_notify_queue_length', { channel: 'dingtalk', robot: 'ops' })) === 0 &&
          (await metric('onlyoffice_notify_queue_length', { channel: 'wecom', robot: 'ops' })) === 0) ||
        undefined,
    );
  }, 100_000);

  test('a DingTalk robot that throttles (130101, then ten minutes shortened to 3 s) gets everything once the throttle ends', async () => {
    const before = dingtalk.delivered.length;
    const attemptsBefore = dingtalk.attempts.length;
    // Large descriptions: one alert per DingTalk message, so 12 alerts are 12 messages against a robot that takes 4 per 2 s.
    const instances = Array.from({ length: 12 }, (_, i) => `throttle-${String(i).padStart(2, '0')}:443`);
    const startsAt = new Date(Date.now() - 10_000).toISOString();
    await alertmanager.postAlerts(
      instances.map((instance) => ({
        ...critical(instance, startsAt),
        annotations: { summary: 'docservice is down', description: '队'.repeat(4000) },
      })),
    );
    await waitFor(
      'all 12 delivered to DingTalk',
      90_000,
      () =>
        instances.every((instance) => statesOf(dingtalk.delivered.slice(before), instance).includes('firing')) ||
        undefined,
    );
    const attempts = dingtalk.attempts.slice(attemptsBefore);
    expect(attempts.some((a) => a.errcode === 130101)).toBe(true);
    expect(attempts.filter((a) => a.errcode !== 0 && a.errcode !== 130101)).toEqual([]);
    expect(
      busiestWindow(
        dingtalk.delivered.map((m) => m.at),
        2000,
      ),
    ).toBeLessThanOrEqual(4);
  }, 100_000);
});
