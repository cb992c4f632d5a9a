import fc from 'fast-check';
import { dingtalkAdapter, wecomAdapter, type ChannelAdapter } from '../../src/notify/channels.js';
import { pack } from '../../src/notify/pack.js';
import { parseWebhookPayload, type Alert } from '../../src/notify/payload.js';
import { renderMessage, safeUrl, silenceUrl, type RenderOptions } from '../../src/notify/render.js';
import { loadTemplate } from '../../src/templates/load.js';
import { webhookAlert, webhookPayload, type AlertFixture } from '../support/robots.js';

const adapters: Record<'dingtalk' | 'wecom', ChannelAdapter> = {
  dingtalk: dingtalkAdapter({
    url: 'http://127.0.0.1:1/robot/send?access_token=t',
    secret: 's',
    mention: { mobiles: ['13800000000'], user_ids: [], all: false },
  }),
  wecom: wecomAdapter({ url: 'http://127.0.0.1:1/cgi-bin/webhook/send?key=k' }),
};

function renderOptions(channel: 'dingtalk' | 'wecom', language: 'zh-CN' | 'en' = 'zh-CN'): RenderOptions {
  return {
    channel,
    template: loadTemplate('default', language),
    language,
    timeZone: 'Asia/Shanghai',
    labels: [],
    mentionText: channel === 'dingtalk' ? '@13800000000' : '<@ops>',
    mentionResolved: false,
  };
}

function parse(fixtures: AlertFixture[]): Alert[] {
  return parseWebhookPayload(webhookPayload(fixtures.map(webhookAlert)), 10_000).alerts;
}

/** Packs the whole queue message by message, as the robot loop does on success. */
function drain(queue: Alert[], channel: 'dingtalk' | 'wecom', budget = adapters[channel].limit) {
  const adapter = adapters[channel];
  const options = renderOptions(channel);
  const messages: { text: string; size: number; count: number; truncated: boolean }[] = [];
  let rest = queue;
  while (rest.length > 0) {
    const packed = pack(
      rest,
      (alerts, remaining, limit) => renderMessage(alerts, remaining, options, limit),
      (m) => adapter.size(m),
      budget,
    );
    if (!packed) throw new Error('nothing packed');
    messages.push({
      text: packed.message.text,
      size: adapter.size(packed.message),
      count: packed.count,
      truncated: packed.truncated,
    });
    rest = rest.slice(packed.count);
  }
  return messages;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// A markdown link whose [ and ] are not escaped.
const LINK = /(?<!\\)\[((?:[^\]\\]|\\.)*)(?<!\\)\]\(([^)\s]*)\)/g;

function expectedLinks(alert: Alert): string[] {
  return [safeUrl(alert.annotations.runbook_url ?? ''), safeUrl(alert.generatorURL), silenceUrl(alert)].filter(
    (u): u is string => u !== undefined,
  );
}

describe('packing alerts into robot messages', () => {
  test('many small alerts share a message up to the size limit, in queue order, with a "more follow" line', () => {
    const queue = parse(
      Array.from({ length: 60 }, (_, i) => ({
        labels: {
          alertname: 'OnlyofficeDocsConversionQueueHigh',
          severity: 'warning',
          instance: `docs-${String(i).padStart(2, '0')}:443`,
        },
        annotations: { summary: `转换队列积压 ${i}` },
      })),
    );
    const messages = drain(queue, 'wecom');
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.reduce((sum, m) => sum + m.count, 0)).toBe(60);
    for (const m of messages) expect(m.size).toBeLessThanOrEqual(4096);
    // Each message but the last was full: the next alert would not have fitted.
    const instances = messages.flatMap((m) => [...m.text.matchAll(/instance=(docs-\d\d:443)/g)].map((x) => x[1]));
    expect(instances).toEqual(queue.map((a) => a.labels.instance));
    expect(messages.slice(0, -1).every((m) => /……还有 \d+ 条告警在后续消息中发送\n\n<@ops>$/.test(m.text))).toBe(true);
    expect(messages.at(-1)!.text).not.toContain('后续消息');
    const remainingSaid = messages.slice(0, -1).map((m) => Number(/还有 (\d+) 条/.exec(m.text)![1]));
    let left = 60;
    expect(remainingSaid).toEqual(messages.slice(0, -1).map((m) => (left -= m.count)));
  });

  test('one alert larger than a message is shortened at a character boundary, keeping its links whole', () => {
    const huge = parse([
      {
        ...{ labels: { alertname: 'OnlyofficeDocsDown', severity: 'critical', instance: 'docs-1:443' } },
        annotations: {
          summary: '宕机',
          description: '文档服务不可用😀'.repeat(3000),
          runbook_url: 'https://runbooks.example.com/docs#down',
        },
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
      },
    ]);
    for (const channel of ['dingtalk', 'wecom'] as const) {
      const [message] = drain(huge, channel);
      expect(message!.size).toBeLessThanOrEqual(adapters[channel].limit);
      if (channel === 'wecom') {
        // Shortened to fit 4,096 bytes, and not much more than needed.
        expect(message!.truncated).toBe(true);
        expect(message!.size).toBeGreaterThan(adapters[channel].limit * 0.9);
      } else {
        // DingTalk's 20,000 bytes hold it once the description is cut to its 4,096-character cap.
        expect(message!.truncated).toBe(false);
        expect([...message!.text.matchAll(/文档服务不可用😀/g)]).toHaveLength(Math.floor(4095 / 8));
      }
      expect(message!.text).toMatch(
        /文档服务不可用(😀文档服务不可用)*😀?(文|文档|文档服|文档服务|文档服务不|文档服务不可)?…/u,
      );
      expect(LONE_SURROGATE.test(message!.text)).toBe(false);
      expect([...message!.text.matchAll(LINK)].map((m) => m[2])).toEqual(expectedLinks(huge[0]!));
    }
  });

  test('property: every message is within the limit, valid UTF-16/UTF-8, links whole, all alerts carried once in order', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc
        .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 2000 }))
        .map(([s, n]) => s.repeat(n)),
      fc.constantFrom('[x](http://evil)', '<@all>', '](', '\\', '**', '告警😀', '\n# h'),
    );
    const alert = fc.record({
      status: fc.constantFrom<'firing' | 'resolved'>('firing', 'resolved'),
      labels: fc.record({
        alertname: text,
        severity: fc.constantFrom('critical', 'warning', 'info', ''),
        instance: text,
        extra: text,
      }),
      annotations: fc.record({
        summary: text,
        description: text,
        runbook_url: fc.constantFrom('', 'https://runbooks.example.com/a(b)#c', 'javascript:x'),
      }),
      generatorURL: fc.constantFrom('', 'http://prom:9090/graph?g0.expr=up%7Bjob%3D%22x%22%7D'),
    });
    fc.assert(
      fc.property(
        fc.array(alert, { minLength: 1, maxLength: 25 }),
        fc.constantFrom<'dingtalk' | 'wecom'>('dingtalk', 'wecom'),
        (fixtures, channel) => {
          const queue = parse(fixtures.map((f, i) => ({ ...f, fingerprint: `fp${i}` })));
          const messages = drain(queue, channel);
          expect(messages.reduce((sum, m) => sum + m.count, 0)).toBe(queue.length);
          let index = 0;
          for (const m of messages) {
            expect(m.size).toBeLessThanOrEqual(adapters[channel].limit);
            expect(LONE_SURROGATE.test(m.text)).toBe(false);
            expect(Buffer.from(m.text, 'utf8').toString('utf8')).toBe(m.text);
            const links = [...m.text.matchAll(LINK)].map((x) => x[2]).sort();
            const carried = queue.slice(index, index + m.count);
            index += m.count;
            expect(links).toEqual(m.truncated && links.length === 0 ? [] : carried.flatMap(expectedLinks).sort());
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('a smaller budget (after a robot said "too large") makes more, smaller messages', () => {
    const queue = parse(
      Array.from({ length: 40 }, (_, i) => ({ labels: { alertname: 'A', severity: 'warning', instance: `i${i}` } })),
    );
    const full = drain(queue, 'dingtalk');
    const half = drain(queue, 'dingtalk', 10_000);
    expect(half.length).toBeGreaterThan(full.length);
    for (const m of half) expect(m.size).toBeLessThanOrEqual(10_000);
  });

  test('nothing can be packed into a budget smaller than an empty message', () => {
    const queue = parse([{}]);
    const options = renderOptions('wecom');
    expect(
      pack(
        queue,
        (a, r, l) => renderMessage(a, r, options, l),
        (m) => Buffer.byteLength(m.text),
        10,
      ),
    ).toBeUndefined();
    expect(
      pack(
        [],
        (a, r, l) => renderMessage(a, r, options, l),
        (m) => Buffer.byteLength(m.text),
        4096,
      ),
    ).toBeUndefined();
  });
});
