import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../src/config/load.js';
import { parseWebhookPayload } from '../../src/notify/payload.js';
import { createNotifier } from '../../src/notify/index.js';
import type { RobotNotifier } from '../../src/notify/notifier.js';
import { parseExposition, value } from '../support/exposition.js';
import {
  busiestWindow,
  DingTalkRobotEmulator,
  webhookAlert,
  webhookPayload,
  WeComRobotEmulator,
  type AlertFixture,
} from '../support/robots.js';

const logger = pino({ level: 'silent' });
const TOKEN = 'robot-test-token-0123456789';
const SECRET = 'SECrobot-test';

function notifierFor(robots: string, settings = ''): RobotNotifier {
  const config = parseConfig(
    `
notify:
  auth: { bearer_token: ${TOKEN} }
  timezone: UTC
  language: en
  retry: { initial_backoff: 50ms, max_backoff: 200ms }
${settings}
${robots}
`,
    'test',
    {},
  );
  const notifier = createNotifier(config, logger);
  if (!notifier) throw new Error('no notifier');
  return notifier as RobotNotifier;
}

function alertsOf(...fixtures: AlertFixture[]) {
  return parseWebhookPayload(webhookPayload(fixtures.map(webhookAlert)), 10_000).alerts;
}

const warning = (
  instance: string,
  status: 'firing' | 'resolved' = 'firing',
  extra: Partial<AlertFixture> = {},
): AlertFixture => ({
  status,
  labels: { alertname: 'OnlyofficeDocsConversionQueueHigh', severity: 'warning', instance },
  annotations: { summary: `queue high on ${instance}` },
  ...extra,
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function metrics(notifier: RobotNotifier) {
  const registry = new Registry();
  notifier.collect(registry);
  return registry.metrics().then(parseExposition);
}

function instancesIn(texts: string[]): string[] {
  return texts.flatMap((text) => [...text.matchAll(/instance=([\w.:-]+)/g)].map((m) => m[1]!));
}

describe('robot delivery: queue, coalescing, rate limit, retries', () => {
  const wecom = new WeComRobotEmulator({ rate: { messages: 5, windowMs: 1000 } });
  const dingtalk = new DingTalkRobotEmulator({
    secret: SECRET,
    rate: { messages: 3, windowMs: 1000 },
    throttleMs: 800,
  });
  const open: RobotNotifier[] = [];
  const track = (notifier: RobotNotifier) => {
    open.push(notifier);
    return notifier;
  };

  beforeAll(async () => {
    await Promise.all([wecom.start(), dingtalk.start()]);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((notifier) => notifier.close()));
    await wecom.setOutage(undefined);
    await dingtalk.setOutage(undefined);
    wecom.delivered.length = 0;
    wecom.attempts.length = 0;
    dingtalk.delivered.length = 0;
    dingtalk.attempts.length = 0;
  });
  afterAll(async () => {
    await Promise.all([wecom.stop(), dingtalk.stop()]);
  });

  test('a newer state replaces the queued one in place; an outage loses nothing; metrics count each attempt', async () => {
    await wecom.setOutage('http500');
    const notifier = track(
      notifierFor(`  wecom: { coalesce: { url: "${wecom.url}" } }`, '  queue: { refuse_after_failures: 100 }'),
    );
    const robot = notifier.robot('wecom', 'coalesce')!;
    expect(robot.offer(alertsOf(warning('a'), warning('b')))).toEqual({ accepted: true, queued: 2 });
    await waitFor(() => robot.consecutiveFailures >= 2, 'two failed attempts');
    expect(robot.offer(alertsOf(warning('a', 'resolved'), warning('c')))).toEqual({ accepted: true, queued: 3 });
    await wecom.setOutage(undefined);
    await waitFor(() => robot.queueLength === 0, 'the queue to drain');
    expect(wecom.delivered).toHaveLength(1);
    const text = wecom.delivered[0]!.text;
    // a kept its turn (first) but is now resolved; b and c firing.
    expect(text).toContain('2 firing, 1 resolved');
    expect(instancesIn([text])).toEqual(['b', 'c', 'a']);
    expect(text).not.toMatch(/FIRING[^\n]*\n\n> \*\*queue high on a/);
    const samples = await metrics(notifier);
    const labels = { channel: 'wecom', robot: 'coalesce' };
    expect(value(samples, 'onlyoffice_notify_messages_total', { ...labels, result: 'sent' })).toBe(1);
    expect(value(samples, 'onlyoffice_notify_messages_total', { ...labels, result: 'retried' })).toBe(
      wecom.attempts.filter((a) => a.httpStatus === 500).length,
    );
    expect(value(samples, 'onlyoffice_notify_messages_total', { ...labels, result: 'rejected' })).toBe(0);
    expect(value(samples, 'onlyoffice_notify_queue_length', labels)).toBe(0);
    const last = value(samples, 'onlyoffice_notify_last_success_timestamp_seconds', labels);
    expect(last).toBeCloseTo(wecom.delivered[0]!.at / 1000, 0);
  });

  test('after refuse_after_failures failures new notifications are refused (Alertmanager keeps them), until the robot recovers', async () => {
    await wecom.setOutage('refused');
    const notifier = track(
      notifierFor(`  wecom: { flaky: { url: "${wecom.url}" } }`, '  queue: { refuse_after_failures: 2 }'),
    );
    const robot = notifier.robot('wecom', 'flaky')!;
    expect(robot.offer(alertsOf(warning('x'))).accepted).toBe(true);
    await waitFor(() => robot.consecutiveFailures >= 2, 'two failures');
    expect(robot.offer(alertsOf(warning('y')))).toEqual({
      accepted: false,
      reason: 'failing',
      message: 'robot flaky failed 2 deliveries in a row; 1 alert waits for it',
    });
    await wecom.setOutage(undefined);
    await waitFor(() => robot.queueLength === 0, 'recovery');
    expect(robot.offer(alertsOf(warning('y'))).accepted).toBe(true);
    await waitFor(() => robot.queueLength === 0, 'y');
    expect(instancesIn(wecom.delivered.map((m) => m.text))).toEqual(['x', 'y']);
  });

  test('a full queue refuses new alerts but still takes newer states of queued ones', async () => {
    await wecom.setOutage('http502');
    const notifier = track(
      notifierFor(
        `  wecom: { small: { url: "${wecom.url}" } }`,
        '  queue: { max_alerts: 2, refuse_after_failures: 100 }',
      ),
    );
    const robot = notifier.robot('wecom', 'small')!;
    expect(robot.offer(alertsOf(warning('a'), warning('b'))).accepted).toBe(true);
    expect(robot.offer(alertsOf(warning('c')))).toEqual({
      accepted: false,
      reason: 'queue_full',
      message: 'queue of robot small is full (2 of 2 alerts)',
    });
    expect(robot.offer(alertsOf(warning('b', 'resolved')))).toEqual({ accepted: true, queued: 2 });
    await wecom.setOutage(undefined);
    await waitFor(() => robot.queueLength === 0, 'drain');
    expect(wecom.delivered.map((m) => m.text).join('\n')).toContain('1 firing, 1 resolved');
  });

  test('rate limit: one large alert per message, never more messages in a window than allowed, none lost', async () => {
    const notifier = track(
      notifierFor(`  wecom: { rated: { url: "${wecom.url}" } }`, '  rate_limit: { messages: 5, window: 1s }'),
    );
    const robot = notifier.robot('wecom', 'rated')!;
    // ~2,500 bytes each: two never fit in 4,096, so 12 alerts are 12 messages.
    const big = (i: number) =>
      warning(`big-${i}`, 'firing', { annotations: { summary: `s${i}`, description: '队列积压'.repeat(200) } });
    for (let i = 0; i < 12; i++) expect(robot.offer(alertsOf(big(i))).accepted).toBe(true);
    await waitFor(() => robot.queueLength === 0, 'all 12 delivered');
    expect(wecom.delivered).toHaveLength(12);
    expect(wecom.attempts.filter((a) => a.errcode !== 0)).toEqual([]);
    expect(
      busiestWindow(
        wecom.delivered.map((m) => m.at),
        1000,
      ),
    ).toBeLessThanOrEqual(5);
    expect(instancesIn(wecom.delivered.map((m) => m.text))).toEqual(Array.from({ length: 12 }, (_, i) => `big-${i}`));
  });

  test('a throttled DingTalk robot (130101) is retried with backoff until it takes everything, correctly signed', async () => {
    // The exporter allows more than this robot: it throttles, the exporter backs off and retries.
    const notifier = track(
      notifierFor(
        `  dingtalk: { busy: { url: "${dingtalk.url}", secret: ${SECRET} } }`,
        '  rate_limit: { messages: 50, window: 1s }\n  queue: { refuse_after_failures: 100 }',
      ),
    );
    const robot = notifier.robot('dingtalk', 'busy')!;
    const big = (i: number) =>
      warning(`t-${i}`, 'firing', { annotations: { summary: `s${i}`, description: '队'.repeat(4000) } });
    for (let i = 0; i < 6; i++) expect(robot.offer(alertsOf(big(i))).accepted).toBe(true);
    await waitFor(() => robot.queueLength === 0, 'all delivered after throttling');
    expect(dingtalk.attempts.some((a) => a.errcode === 130101)).toBe(true);
    expect(dingtalk.attempts.filter((a) => a.errcode !== 0 && a.errcode !== 130101)).toEqual([]);
    expect(instancesIn(dingtalk.delivered.map((m) => m.text))).toEqual(['t-0', 't-1', 't-2', 't-3', 't-4', 't-5']);
    const samples = await metrics(notifier);
    expect(
      value(samples, 'onlyoffice_notify_messages_total', { channel: 'dingtalk', robot: 'busy', result: 'retried' }),
    ).toBe(dingtalk.attempts.filter((a) => a.errcode === 130101).length);
  });

  test('a robot that says "too large" gets smaller messages', async () => {
    const strict = await new WeComRobotEmulator({ maxContentBytes: 1500 }).start();
    try {
      const notifier = track(notifierFor(`  wecom: { strict: { url: "${strict.url}" } }`));
      const robot = notifier.robot('wecom', 'strict')!;
      robot.offer(alertsOf(...Array.from({ length: 20 }, (_, i) => warning(`s-${i}`))));
      await waitFor(() => robot.queueLength === 0, 'delivery in smaller messages');
      expect(strict.attempts.filter((a) => a.errcode === 40058).length).toBeGreaterThan(0);
      expect(strict.delivered.every((m) => Buffer.byteLength(m.text) <= 1500)).toBe(true);
      expect(instancesIn(strict.delivered.map((m) => m.text))).toEqual(Array.from({ length: 20 }, (_, i) => `s-${i}`));
    } finally {
      await strict.stop();
    }
  });

  test('a wrong secret is rejected and counted; the alerts wait and go out with the fixed configuration (reload hand-over)', async () => {
    const wrong = notifierFor(`  dingtalk: { signed: { url: "${dingtalk.url}", secret: wrong-secret } }`);
    const robot = wrong.robot('dingtalk', 'signed')!;
    robot.offer(alertsOf(warning('w1'), warning('w2')));
    await waitFor(() => robot.consecutiveFailures >= 3, 'rejections');
    expect(dingtalk.attempts.every((a) => a.errcode === 310000 && a.errmsg === 'sign not match')).toBe(true);
    expect(
      value(await metrics(wrong), 'onlyoffice_notify_messages_total', {
        channel: 'dingtalk',
        robot: 'signed',
        result: 'rejected',
      }),
    ).toBe(dingtalk.attempts.length);
    expect(robot.offer(alertsOf(warning('w3'))).accepted).toBe(false);
    // The runtime closes the old generation, then creates the new one.
    await wrong.close();
    expect(dingtalk.delivered).toHaveLength(0);
    const fixed = track(notifierFor(`  dingtalk: { signed: { url: "${dingtalk.url}", secret: ${SECRET} } }`));
    const adopted = fixed.robot('dingtalk', 'signed')!;
    await waitFor(() => dingtalk.delivered.length === 1 && adopted.queueLength === 0, 'hand-over delivery');
    expect(instancesIn(dingtalk.delivered.map((m) => m.text))).toEqual(['w1', 'w2']);
  });

  test('robot URLs, tokens, keys and secrets never reach the log', async () => {
    const lines: string[] = [];
    const capture = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const config = parseConfig(
      `
notify:
  auth: { bearer_token: ${TOKEN} }
  retry: { initial_backoff: 50ms, max_backoff: 100ms }
  dingtalk: { leaky: { url: "${dingtalk.url}", secret: not-the-secret } }
  wecom: { leaky: { url: "${wecom.url.replace('wecom-test-key', 'wrong-wecom-key')}" } }
`,
      'test',
      {},
    );
    const notifier = track(createNotifier(config, capture) as RobotNotifier);
    notifier.robot('dingtalk', 'leaky')!.offer(alertsOf(warning('l1')));
    notifier.robot('wecom', 'leaky')!.offer(alertsOf(warning('l2')));
    await waitFor(
      () =>
        notifier.robot('dingtalk', 'leaky')!.consecutiveFailures >= 2 &&
        notifier.robot('wecom', 'leaky')!.consecutiveFailures >= 2,
      'failures',
    );
    await notifier.close();
    const log = lines.join('');
    expect(log).toContain('"robot":"leaky"');
    expect(log).toContain('errcode 310000: sign not match');
    expect(log).toContain('errcode 93000: invalid webhook url');
    for (const secret of [
      dingtalk.accessToken,
      'not-the-secret',
      'wrong-wecom-key',
      TOKEN,
      `127.0.0.1:${dingtalk.port}`,
      `127.0.0.1:${wecom.port}`,
    ]) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  test('hand-over also works when the new notifier exists before the old one closes', async () => {
    await wecom.setOutage('http500');
    const old = notifierFor(`  wecom: { both: { url: "${wecom.url}" } }`);
    old.robot('wecom', 'both')!.offer(alertsOf(warning('h1')));
    const successor = track(notifierFor(`  wecom: { both: { url: "${wecom.url}" } }`));
    successor.robot('wecom', 'both')!.offer(alertsOf(warning('h2')));
    await old.close();
    expect(successor.robot('wecom', 'both')!.queueLength).toBe(2);
    await wecom.setOutage(undefined);
    await waitFor(() => successor.robot('wecom', 'both')!.queueLength === 0, 'delivery by the successor');
    // An attempt already under way for h2 may finish first: both arrive, none twice.
    expect(instancesIn(wecom.delivered.map((m) => m.text)).sort()).toEqual(['h1', 'h2']);
  });
});
