import fc from 'fast-check';
import { fingerprintOf, parseWebhookPayload, PayloadError } from '../../src/notify/payload.js';
import { renderMessage, type RenderOptions } from '../../src/notify/render.js';
import { loadTemplate } from '../../src/templates/load.js';
import { webhookAlert, webhookPayload } from '../support/robots.js';

const MAX_ALERTS = 50;
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''];

// Values that are almost right as often as they are wrong.
const time = fc.oneof(
  fc
    .date({ min: new Date(-62135596800000), max: new Date(253402300799000), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '0001-01-01T00:00:00Z',
    '2024-05-01T12:34:56.123456789+08:00',
    '2024-02-30T00:00:00Z',
    '2024-05-01T25:00:00Z',
    '2024-05-01',
    '1',
    'May 1',
    '',
  ),
  fc.jsonValue(),
);
const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('<script>', '**x**', '[a](javascript:x)', '\u0000', '@all'),
);
const stringMap = fc.oneof(
  fc.dictionary(
    fc.oneof(text, fc.constantFrom(...HOSTILE_KEYS)),
    fc.oneof(text, fc.jsonValue() as fc.Arbitrary<unknown>),
    { maxKeys: 8 },
  ),
  fc.jsonValue(),
);
const alert = fc.record(
  {
    status: fc.oneof(fc.constantFrom('firing', 'resolved'), fc.jsonValue()),
    labels: stringMap,
    annotations: fc.option(stringMap, { nil: undefined }),
    startsAt: time,
    endsAt: fc.option(time, { nil: undefined }),
    generatorURL: fc.option(fc.oneof(text, fc.jsonValue()), { nil: undefined }),
    fingerprint: fc.option(fc.oneof(fc.stringMatching(/^[0-9a-f]{0,140}$/), fc.jsonValue()), { nil: undefined }),
  },
  { requiredKeys: [] },
);
const payload = fc.oneof(
  fc.record(
    {
      version: fc.oneof(fc.constant('4'), fc.jsonValue()),
      status: fc.oneof(fc.constantFrom('firing', 'resolved'), fc.jsonValue()),
      receiver: fc.option(fc.oneof(text, fc.jsonValue()), { nil: undefined }),
      groupKey: fc.option(text, { nil: undefined }),
      externalURL: fc.option(fc.oneof(fc.webUrl(), text), { nil: undefined }),
      truncatedAlerts: fc.option(fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.jsonValue()), {
        nil: undefined,
      }),
      alerts: fc.oneof(fc.array(alert, { maxLength: MAX_ALERTS + 2 }), fc.jsonValue()),
    },
    { requiredKeys: ['version', 'alerts'] },
  ),
  fc.jsonValue(),
  fc.anything(),
);

describe('Alertmanager payload handling: property-based', () => {
  test('any value either parses to a well-formed payload or is refused with a PayloadError naming the field', () => {
    fc.assert(
      fc.property(payload, (raw) => {
        let parsed;
        try {
          parsed = parseWebhookPayload(raw, MAX_ALERTS);
        } catch (error) {
          expect(error).toBeInstanceOf(PayloadError);
          const { message, statusCode } = error as PayloadError;
          expect([400, 413]).toContain(statusCode);
          expect(message).toMatch(/^(payload|version|status|receiver|groupKey|externalURL|truncatedAlerts|alerts)\b/);
          // Values are quoted clipped, never whole: a message stays short whatever was sent.
          expect(message.length).toBeLessThan(400);
          return;
        }
        expect(parsed.alerts.length).toBeGreaterThan(0);
        expect(parsed.alerts.length).toBeLessThanOrEqual(MAX_ALERTS);
        expect(Number.isInteger(parsed.truncatedAlerts) && parsed.truncatedAlerts >= 0).toBe(true);
        for (const a of parsed.alerts) {
          expect(['firing', 'resolved']).toContain(a.status);
          expect(Object.getPrototypeOf(a.labels)).toBeNull();
          expect(Object.getPrototypeOf(a.annotations)).toBeNull();
          expect(Object.keys(a.labels).length).toBeGreaterThan(0);
          for (const v of [...Object.values(a.labels), ...Object.values(a.annotations)])
            expect(typeof v).toBe('string');
          expect(Number.isFinite(a.startsAt)).toBe(true);
          if (a.status === 'firing') expect(a.endsAt).toBeUndefined();
          if (a.endsAt !== undefined) expect(Number.isFinite(a.endsAt)).toBe(true);
          expect(a.fingerprint.length).toBeGreaterThan(0);
          expect(a.fingerprint.length).toBeLessThanOrEqual(128);
        }
        // Nothing leaked onto shared prototypes.
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 5000 },
    );
  });

  test('real-shaped payloads with hostile labels parse, keep their labels as data, and render for both robots', () => {
    const options = (channel: 'dingtalk' | 'wecom', language: 'zh-CN' | 'en'): RenderOptions => ({
      channel,
      template: loadTemplate('default', language),
      language,
      timeZone: 'Asia/Shanghai',
      labels: [],
      mentionText: '@ops',
      mentionResolved: false,
      keyword: '告警',
    });
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.oneof(text, fc.constantFrom(...HOSTILE_KEYS)), value: text }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.constantFrom<'firing' | 'resolved'>('firing', 'resolved'),
        (pairs, status) => {
          const labels: Record<string, string> = Object.create(null) as Record<string, string>;
          labels.alertname = 'X';
          for (const { name, value } of pairs) if (name !== '') labels[name] = value;
          const raw = JSON.parse(
            JSON.stringify(webhookPayload([webhookAlert({ status, labels: { ...labels } })])),
          ) as unknown;
          const parsed = parseWebhookPayload(raw, MAX_ALERTS);
          expect({ ...parsed.alerts[0]!.labels }).toEqual({ ...labels });
          expect(parsed.alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
          expect(fingerprintOf(parsed.alerts[0]!.labels)).toMatch(/^sha256:[0-9a-f]{32}$/);
          for (const channel of ['dingtalk', 'wecom'] as const) {
            for (const language of ['zh-CN', 'en'] as const) {
              const message = renderMessage(parsed.alerts, 0, options(channel, language));
              expect(message.title).toContain('告警');
              expect(message.text.length).toBeGreaterThan(0);
              expect(message.mentions).toBe(status === 'firing');
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
