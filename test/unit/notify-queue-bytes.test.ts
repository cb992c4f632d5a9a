import Fastify from 'fastify';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { createNotifier, notifyRoutes } from '../../src/notify/index.js';
import type { RobotNotifier } from '../../src/notify/notifier.js';
import { alertBytes, fingerprintOf, parseWebhookPayload, type Alert } from '../../src/notify/payload.js';
import { renderMessage, type RenderOptions } from '../../src/notify/render.js';
import { loadTemplate } from '../../src/templates/load.js';
import { webhookAlert, webhookPayload, WeComRobotEmulator, type AlertFixture } from '../support/robots.js';

const logger = pino({ level: 'silent' });
const TOKEN = 'queue-bytes-token-0123456789';
const MB19 = 1_900_000;

function parse(...fixtures: AlertFixture[]): Alert[] {
  return parseWebhookPayload(webhookPayload(fixtures.map(webhookAlert)), 10_000).alerts;
}

function renderOptions(channel: 'dingtalk' | 'wecom', language: 'zh-CN' | 'en'): RenderOptions {
  return {
    channel,
    template: loadTemplate('default', language),
    language,
    timeZone: 'UTC',
    labels: [],
    mentionText: '',
    mentionResolved: false,
  };
}

describe('notify keeps only what a message can show', () => {
  test('annotations over 4,096 characters are kept trimmed and cut at 4,096 graphemes, label values at 2,048; short ones as sent', () => {
    const labels = {
      alertname: 'OnlyofficeDocsDown',
      severity: 'critical',
      instance: 'docs-1:443',
      path: `/var/${'目'.repeat(3000)}`,
    };
    const [alert] = parse({
      labels,
      annotations: {
        summary: 'short one',
        description: `   ${'x'.repeat(MB19)}  `,
        description_zh: `${'磁盘满👨‍👩‍👧‍👦'.repeat(2000)}`,
      },
      fingerprint: '',
    });
    expect(alert!.annotations.summary).toBe('short one');
    expect(alert!.annotations.description).toBe(`${'x'.repeat(4095)}…`);
    expect(alert!.annotations.description_zh).toBe(`${'磁盘满👨‍👩‍👧‍👦'.repeat(1023)}磁盘满…`);
    expect(alert!.labels.path).toBe(`/var/${'目'.repeat(2042)}…`);
    expect(alert!.labels.instance).toBe('docs-1:443');
    // The fingerprint is of the label set as sent.
    expect(alert!.fingerprint).toBe(fingerprintOf(labels));
    expect(alertBytes(alert!)).toBe(
      2 *
        ('alertname'.length +
          'OnlyofficeDocsDown'.length +
          'severity'.length +
          'critical'.length +
          'instance'.length +
          'docs-1:443'.length +
          'path'.length +
          2048 +
          'summary'.length +
          'short one'.length +
          'description'.length +
          4096 +
          'description_zh'.length +
          1023 * 14 +
          4 +
          alert!.fingerprint.length) +
        256,
    );
  });

  test('messages show the same whether the alert was cut on receipt or not', () => {
    const long: AlertFixture = {
      labels: {
        alertname: `Alert${'N'.repeat(5000)}`,
        severity: 'critical',
        instance: `docs-${'i'.repeat(900)}:443`,
        job: 'j'.repeat(2100),
      },
      annotations: {
        summary: ` ${'短'.repeat(5000)}`,
        description: `\n${'d'.repeat(2_000_000)}\n`,
        runbook_url: `https://runbooks.example.com/${'r'.repeat(5000)}`,
      },
      generatorURL: 'http://prometheus.example:9090/graph',
    };
    const medium: AlertFixture = {
      labels: { alertname: 'OnlyofficeDocsDown', severity: 'warning', instance: `docs-${'m'.repeat(600)}:443` },
      annotations: { summary: 'ok', description: `${'😀'.repeat(5000)}` },
    };
    for (const fixture of [long, medium]) {
      const [kept] = parse(fixture);
      const raw = webhookAlert(fixture) as { labels: Record<string, string>; annotations: Record<string, string> };
      const whole: Alert = { ...kept!, labels: { ...raw.labels }, annotations: { ...raw.annotations } };
      expect(kept!.annotations).not.toEqual(whole.annotations);
      for (const channel of ['dingtalk', 'wecom'] as const) {
        for (const language of ['zh-CN', 'en'] as const) {
          const options = renderOptions(channel, language);
          for (const limit of [
            undefined,
            { chars: 4096, links: true },
            { chars: 700, links: true },
            { chars: 40, links: false },
          ]) {
            expect(renderMessage([kept!], 0, options, limit)).toEqual(renderMessage([whole], 0, options, limit));
          }
        }
      }
    }
    // The medium alert's 600-character instance still fits a silence link, and keeps it.
    expect(renderMessage(parse(medium), 0, renderOptions('wecom', 'en')).text).toContain('/#/silences/new?filter=');
  });
});

describe('notify.queue.max_bytes', () => {
  const wecom = new WeComRobotEmulator({ rate: { messages: 1000, windowMs: 60_000 } });
  /** A notifier with one WeCom robot whose queue holds 64 KiB (the floor of notify.queue.max_bytes), never refusing for failures. */
  const boundedNotifier = (robot: string) =>
    createNotifier(
      parseConfig(
        `
notify:
  auth: { bearer_token: ${TOKEN} }
  retry: { initial_backoff: 50ms, max_backoff: 100ms }
  queue: { max_alerts: 1000, max_bytes: 65536, refuse_after_failures: 1000 }
  wecom: { ${robot}: { url: "${wecom.url}" } }
`,
        't',
        {},
      ),
      logger,
    ) as RobotNotifier;
  let notifier: RobotNotifier | undefined;

  beforeAll(() => wecom.start());
  // Each test its own robot: a closed notifier hands its undelivered alerts to the next one with the same robot.
  afterEach(async () => {
    await notifier?.close();
    notifier = undefined;
    await wecom.setOutage(undefined);
  });
  afterAll(() => wecom.stop());

  test('a robot that cannot deliver holds at most max_bytes; more gets refused (503) until it drains, newer states still fit', async () => {
    await wecom.setOutage('http502');
    notifier = boundedNotifier('small');
    const robot = notifier.robot('wecom', 'small')!;
    // Each alert, as kept: a 4,096-character description and a few short strings.
    const big = (i: number, status: 'firing' | 'resolved' = 'firing') =>
      parse({
        status,
        labels: { alertname: 'Big', instance: `i${String(i).padStart(2, '0')}` },
        annotations: { description: 'y'.repeat(MB19) },
        fingerprint: `fp${String(i).padStart(2, '0')}`,
      });
    const each =
      2 * ('alertname'.length + 'Big'.length + 'instance'.length + 3 + 'description'.length + 4096 + 4) + 256;
    expect(alertBytes(big(0)[0]!)).toBe(each);
    expect(each).toBe(8524);
    // 65,536 / 8,524: seven fit.
    for (let i = 0; i < 7; i++) expect(robot.offer(big(i))).toEqual({ accepted: true, queued: i + 1 });
    expect(robot.queueBytes).toBe(7 * each);
    expect(robot.offer(big(7))).toEqual({
      accepted: false,
      reason: 'queue_full',
      message: 'queue of robot small is full (59668 of 65536 bytes, notify.queue.max_bytes)',
    });
    // A newer state of a queued alert replaces it: no more bytes.
    expect(robot.offer(big(3, 'resolved'))).toEqual({ accepted: true, queued: 7 });
    expect(robot.queueBytes).toBe(7 * each);
    expect(robot.queueLength).toBe(7);

    await wecom.setOutage(undefined);
    await waitFor(() => robot.queueLength === 0, 'drain');
    expect(robot.queueBytes).toBe(0);
    expect(robot.offer(big(7))).toEqual({ accepted: true, queued: 1 });
  });

  test('over HTTP: webhooks of one 1.9 MB annotation each are taken until max_bytes, then 503 with Retry-After', async () => {
    await wecom.setOutage('http502');
    notifier = boundedNotifier('web');
    const current = notifier;
    const app = Fastify({ logger: false });
    await app.register(notifyRoutes, { notifier: () => current });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/notify/wecom/web`;
      const post = async (i: number) => {
        const alert = webhookAlert({
          labels: { alertname: 'Big', instance: `h${i}` },
          annotations: { description: 'w'.repeat(MB19) },
        });
        const body = JSON.stringify(webhookPayload([alert]));
        const answer = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body,
        });
        return {
          status: answer.status,
          retryAfter: answer.headers.get('retry-after'),
          body: (await answer.json()) as unknown,
        };
      };
      const each = alertBytes(
        parse({ labels: { alertname: 'Big', instance: 'h0' }, annotations: { description: 'w'.repeat(MB19) } })[0]!,
      );
      for (let i = 0; i < 7; i++)
        expect(await post(i)).toEqual({
          status: 200,
          retryAfter: null,
          body: { status: 'queued', alerts: 1, queued: i + 1 },
        });
      expect(await post(7)).toEqual({
        status: 503,
        retryAfter: '10',
        body: {
          status: 'error',
          error: `queue of robot web is full (${7 * each} of 65536 bytes, notify.queue.max_bytes)`,
        },
      });
      expect(current.robot('wecom', 'web')!.queueBytes).toBe(7 * each);
    } finally {
      await app.close();
    }
  });

  test('an empty queue takes one notification larger than max_bytes (else it would be retried forever)', async () => {
    await wecom.setOutage('http502');
    notifier = boundedNotifier('empty');
    const robot = notifier.robot('wecom', 'empty')!;
    const many = parseWebhookPayload(
      webhookPayload(
        Array.from({ length: 10 }, (_, i) =>
          webhookAlert({
            labels: { alertname: 'Big', instance: `m${i}` },
            annotations: { description: 'z'.repeat(5000) },
          }),
        ),
      ),
      100,
    ).alerts;
    expect(robot.offer(many)).toEqual({ accepted: true, queued: 10 });
    expect(robot.queueBytes).toBe(many.reduce((sum, alert) => sum + alertBytes(alert), 0));
    expect(robot.queueBytes).toBeGreaterThan(65536);
    expect(robot.offer(parse({ labels: { alertname: 'Small' } }))).toMatchObject({
      accepted: false,
      reason: 'queue_full',
    });
  });
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
