import fc from 'fast-check';
import { dingtalkAdapter, wecomAdapter, type ChannelAdapter } from '../../src/notify/channels.js';
import { pack } from '../../src/notify/pack.js';
import { parseWebhookPayload, type Alert } from '../../src/notify/payload.js';
import {
  escapeMarkdown,
  renderMessage,
  SIMPLE_CHARACTERS,
  truncate,
  type RenderOptions,
} from '../../src/notify/render.js';
import { loadTemplate } from '../../src/templates/load.js';
import { webhookAlert, webhookPayload } from '../support/robots.js';

/** truncate as it was: Intl.Segmenter over the whole text (right, but slow on long texts). The oracle for short ones. */
function wholeTextTruncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  const kept: string[] = [];
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    if (kept.length === max) {
      kept[max - 1] = '…';
      return kept.join('');
    }
    kept.push(segment);
  }
  return kept.join('');
}

// Pieces that join with their neighbours or span two code units: where a careless cut goes wrong.
const PIECES = [
  'a',
  'ab',
  '告警',
  'Щ',
  'é',
  '，',
  '「',
  '\u3099',
  'ｶ\uff9e',
  'disk full on /var/lib/x',
  '磁盘空间不足，请清理磁盘空间不足。',
  'Ошибка диска',
  ' ',
  '告',
  '😀',
  '👍🏻',
  '👨‍👩‍👧‍👦',
  '🇨🇳',
  '🇺🇸',
  '🇨',
  'e\u0301',
  '\u0301',
  '\u0301\u0302\u0303',
  '\r\n',
  '\r',
  '\n',
  '각',
  '\u1100\u1161\u11a8',
  '\u1100',
  '\u1161',
  '\u0600',
  '\u200d',
  '\ufe0f',
  '🏴󠁧󠁢󠁥󠁮󠁧󠁿',
  '\ud83d',
  '\ude00',
  'क्ष',
  'क',
  '\u094d',
  '\u0e33',
  '…',
  '#',
  '1\ufe0f\u20e3',
];

const adapters: Record<'dingtalk' | 'wecom', ChannelAdapter> = {
  dingtalk: dingtalkAdapter({
    url: 'http://127.0.0.1:1/robot/send?access_token=t',
    secret: 's',
    mention: { mobiles: ['13800000000'], user_ids: [], all: false },
  }),
  wecom: wecomAdapter({ url: 'http://127.0.0.1:1/cgi-bin/webhook/send?key=k' }),
};

function renderOptions(channel: 'dingtalk' | 'wecom'): RenderOptions {
  return {
    channel,
    template: loadTemplate('default', 'zh-CN'),
    language: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    labels: [],
    mentionText: channel === 'dingtalk' ? '@13800000000' : '<@ops>',
    mentionResolved: false,
  };
}

/** An alert as rendering sees it, with `description` as given (not capped on receipt: rendering must cope alone). */
function alertWith(description: string): Alert {
  const [alert] = parseWebhookPayload(webhookPayload([webhookAlert()]), 10).alerts;
  return { ...alert!, annotations: { ...alert!.annotations, description } };
}

/**
 * Best of `runs` timings of `work`, ms: a busy machine slows some runs, never all of them. Each run gets its own
 * text (`run` is its first character), so no run is answered from what truncate remembers of an earlier one.
 */
function bestOf(runs: number, work: (run: string) => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const run = String.fromCharCode(0x41 + i);
    const started = performance.now();
    work(run);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const MIB2 = 2 * 1024 * 1024;
const LONG_TEXTS: Array<[string, string]> = [
  ['ASCII', 'disk full on /var/lib/onlyoffice; '.repeat(Math.ceil(MIB2 / 34)).slice(0, MIB2)],
  ['Chinese with emoji', '磁盘空间不足👨‍👩‍👧‍👦，请清理🇨🇳e\u0301。'.repeat(Math.ceil(MIB2 / 22)).slice(0, MIB2)],
];

describe('truncate: cost follows the output, result as before', () => {
  test.each(LONG_TEXTS)(
    'a 2 MiB %s annotation renders and packs for DingTalk and WeCom in under 50 ms',
    (_name, description) => {
      expect(description.length).toBe(MIB2);
      for (const channel of ['dingtalk', 'wecom'] as const) {
        const options = renderOptions(channel);
        const render = (alerts: readonly Alert[], remaining: number, limit?: Parameters<typeof renderMessage>[3]) =>
          renderMessage(alerts, remaining, options, limit);
        let rendered = '';
        expect({
          channel,
          ms: bestOf(3, (run) => (rendered = render([alertWith(run + description.slice(1))], 0).text)) < 50,
        }).toEqual({ channel, ms: true });
        // The description is cut at its cap of 4,096 graphemes, the way the whole-text segmentation cut it.
        expect(rendered).toContain(
          `\n> ${escapeMarkdown(`C${wholeTextTruncate(description.slice(1, 40_000), 4095)}`, channel)}${channel === 'dingtalk' ? '  \n' : '\n'}`,
        );
        let packed: ReturnType<typeof pack>;
        let alert = alertWith(description);
        const size = (m: Parameters<ChannelAdapter['size']>[0]) => adapters[channel].size(m);
        const packOnce = (run: string) =>
          (packed = pack([(alert = alertWith(run + description.slice(1)))], render, size, adapters[channel].limit));
        expect({ channel, ms: bestOf(3, packOnce) < 50 }).toEqual({ channel, ms: true });
        expect(packed!.count).toBe(1);
        // Shortened further only when the description at its cap is still too large for the robot.
        expect(packed!.truncated).toBe(adapters[channel].size(render([alert], 0)) > adapters[channel].limit);
        expect(packed!.truncated).toBe(channel === 'wecom' || description.charCodeAt(0) > 0x7f);
        expect(adapters[channel].size(packed!.message)).toBeLessThanOrEqual(adapters[channel].limit);
      }
    },
  );

  test('truncate of a 2 MiB text takes under 50 ms for each cap up to 4,096', () => {
    for (const [, text] of LONG_TEXTS) {
      for (const max of [1, 128, 512, 1024, 4096]) {
        expect({ max, fast: bestOf(3, (run) => truncate(run + text, max)) < 50 }).toEqual({ max, fast: true });
        expect(truncate(text, max)).toBe(wholeTextTruncate(text.slice(0, 40_000), max));
      }
    }
  });

  test('the same result as segmenting the whole text, for any text and cap (grapheme-safe)', () => {
    const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 400 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 300 }), (input, max) => {
        expect(truncate(input, max)).toBe(wholeTextTruncate(input, max));
        // Again with what truncate remembers of the text: a shorter and a longer cut.
        for (const again of [Math.floor(max / 2), max + 37])
          expect(truncate(input, again)).toBe(wholeTextTruncate(input, again));
        // And for texts that share a beginning with it, or are one of its beginnings.
        for (const other of [`${input}\u0301x`, input.slice(0, input.length >> 1), `${input.slice(0, 150)}🇨🇳`]) {
          expect(truncate(other, max)).toBe(wholeTextTruncate(other, max));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('exact results around the window edges: pairs, emoji sequences and combining marks are never split', () => {
    const pad = 'x'.repeat(126);
    for (const cluster of ['👍🏻', '👨‍👩‍👧‍👦', '🇨🇳', 'e\u0301\u0302', '\r\n', '🏴󠁧󠁢󠁥󠁮󠁧󠁿']) {
      for (let shift = 0; shift < 4; shift++) {
        const input = `${pad}${'y'.repeat(shift)}${cluster}${cluster}tail${'z'.repeat(300)}`;
        for (const max of [126 + shift, 127 + shift, 128 + shift, 129 + shift, 200]) {
          expect(truncate(input, max)).toBe(wholeTextTruncate(input, max));
        }
      }
    }
    expect(truncate(`${'告'.repeat(200)}👨‍👩‍👧‍👦`, 201)).toBe(`${'告'.repeat(200)}👨‍👩‍👧‍👦`);
    expect(truncate(`${'告'.repeat(200)}👨‍👩‍👧‍👦!`, 201)).toBe(`${'告'.repeat(200)}…`);
    expect(truncate('a'.repeat(10) + '\u0301'.repeat(20), 5)).toBe('aaaa…');
    expect(truncate(`ab${'\u0301'.repeat(20)}`, 2)).toBe(`ab${'\u0301'.repeat(20)}`);
  });

  test('every "simple" character is a grapheme of its own beside any other, as Intl.Segmenter says', () => {
    const segments = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const count = (text: string) => [...segments.segment(text)].length;
    const simple = new RegExp(`^[${SIMPLE_CHARACTERS}]$`);
    const wrong: string[] = [];
    let checked = 0;
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      if (!simple.test(c)) continue;
      checked++;
      // Joins nothing before or after (Extend, ZWJ, SpacingMark, Prepend), not a Hangul jamo or syllable, not a
      // regional indicator, not Extended_Pictographic (which a ZWJ joins), and apart from its own kind.
      const apart =
        count(`a${c}a`) === 3 &&
        count(`${c}${c}`) === 2 &&
        count(`${c}ᅡ`) === 2 &&
        count(`${c}ᆨ`) === 2 &&
        count(`ᄀ${c}`) === 2 &&
        count(`😀‍${c}`) === 2 &&
        count(`${c}क`) === 2 &&
        count(`क्${c}`) === 2;
      if (!apart) wrong.push(`U+${code.toString(16).padStart(4, '0')}`);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(
      0x5f + 9 + 3 + 0x251 + 0x113 + 0xa6 + 0x18 + 0xc + 0x2a + 0x56 + 0x60 + 0x19c0 + 0x5200 + 0x5e,
    );
  });

  test('a grapheme of thousands of combining marks is not shown, and costs no more than its window', () => {
    const zalgo = `ok ${'e'}${'\u0301'.repeat(5000)} more`;
    expect(truncate(zalgo, 10)).toBe('ok …');
    expect(truncate(zalgo, 3)).toBe('ok…');
  });
});
