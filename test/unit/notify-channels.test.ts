import { connect } from 'node:net';
import { httpRequest, type HttpResult } from '../../src/lib/http.js';
import { classify, dingtalkAdapter, dingtalkSign, dingtalkSignedUrl, wecomAdapter } from '../../src/notify/channels.js';
import { SlidingWindowLimiter } from '../../src/notify/ratelimit.js';
import type { RenderedMessage } from '../../src/notify/render.js';
import { busiestWindow, DingTalkRobotEmulator, WeComRobotEmulator } from '../support/robots.js';

const SECRET = 'SEC0123456789abcdef';
const message: RenderedMessage = {
  title: '告警 1 条：OnlyofficeDocsDown',
  text: '### 告警 1 条：OnlyofficeDocsDown\n\n@13800000000',
  mentions: true,
};

function ok(body: string, status = 200): HttpResult {
  return { ok: true, status, headers: {}, body, seconds: 0.01 };
}

async function post(url: string, body: string) {
  return httpRequest({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: new AbortController().signal,
    timeoutMs: 2000,
    maxBodyBytes: 4096,
  });
}

describe('DingTalk signing', () => {
  test('known answer: base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)), URL-encoded (+ / = escaped)', () => {
    // Computed with: printf '1700000000002\nSEC0123456789abcdef' | openssl dgst -sha256 -hmac SEC0123456789abcdef -binary | base64
    expect(dingtalkSign(SECRET, 1_700_000_000_002)).toBe('VGvd0brDJp/nMZtR+XnA3yBIlhowT+TwkRPua0q1/jg=');
    expect(dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', SECRET, 1_700_000_000_002)).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000002&sign=VGvd0brDJp%2FnMZtR%2BXnA3yBIlhowT%2BTwkRPua0q1%2Fjg%3D',
    );
  });

  test('the request carries markdown and the mentions only when the message says so', () => {
    const adapter = dingtalkAdapter({
      url: 'http://robot/send?access_token=abc',
      secret: SECRET,
      mention: { mobiles: ['13800000000'], user_ids: ['u1'], all: true },
    });
    const request = adapter.request(message, 1_700_000_000_002);
    expect(request.url).toBe(
      'http://robot/send?access_token=abc&timestamp=1700000000002&sign=VGvd0brDJp%2FnMZtR%2BXnA3yBIlhowT%2BTwkRPua0q1%2Fjg%3D',
    );
    expect(JSON.parse(request.body)).toEqual({
      msgtype: 'markdown',
      markdown: { title: message.title, text: message.text },
      at: { atMobiles: ['13800000000'], atUserIds: ['u1'], isAtAll: true },
    });
    expect(JSON.parse(adapter.request({ ...message, mentions: false }, 1).body).at).toEqual({
      atMobiles: [],
      atUserIds: [],
      isAtAll: false,
    });
    expect(adapter.size(message)).toBe(Buffer.byteLength(request.body));
    const unsigned = dingtalkAdapter({
      url: 'http://robot/send?access_token=abc',
      mention: { mobiles: [], user_ids: [], all: false },
    });
    expect(unsigned.request(message, 1).url).toBe('http://robot/send?access_token=abc');
  });

  test('WeCom: markdown content, size is the content bytes', () => {
    const adapter = wecomAdapter({ url: 'http://robot/cgi-bin/webhook/send?key=k' });
    expect(JSON.parse(adapter.request(message, 1).body)).toEqual({
      msgtype: 'markdown',
      markdown: { content: message.text },
    });
    expect(adapter.size(message)).toBe(Buffer.byteLength(message.text));
    expect(adapter.limit).toBe(4096);
  });
});

describe('robot answers', () => {
  const dingtalk = { retry: new Set([130101, -1]), tooLarge: new Set([460101, 101002]) };
  test('the errcode decides, not the HTTP status', () => {
    expect(classify(ok('{"errcode":0,"errmsg":"ok"}'), dingtalk)).toEqual({ kind: 'sent' });
    expect(classify(ok('{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}'), dingtalk)).toEqual({
      kind: 'retry',
      reason: 'errcode 130101: send too fast, exceed 20 times per minute',
    });
    expect(classify(ok('{"errcode":310000,"errmsg":"sign not match"}'), dingtalk)).toEqual({
      kind: 'rejected',
      reason: 'errcode 310000: sign not match',
    });
    expect(classify(ok('{"errcode":460101,"errmsg":"message too long"}'), dingtalk)).toEqual({
      kind: 'too_large',
      reason: 'errcode 460101: message too long',
    });
    expect(classify(ok('<html>bad gateway</html>', 502), dingtalk)).toEqual({ kind: 'retry', reason: 'http 502' });
    expect(classify(ok('', 429), dingtalk)).toEqual({ kind: 'retry', reason: 'http 429' });
    expect(classify(ok('not found', 404), dingtalk)).toEqual({ kind: 'rejected', reason: 'http 404' });
    expect(classify(ok('<html>captive portal</html>'), dingtalk)).toEqual({
      kind: 'retry',
      reason: 'answer is not JSON',
    });
    expect(classify(ok('{"ok":true}'), dingtalk)).toEqual({ kind: 'retry', reason: 'answer has no errcode' });
    expect(classify({ ok: false, failure: 'refused', message: 'connection refused', seconds: 0 }, dingtalk)).toEqual({
      kind: 'retry',
      reason: 'refused',
    });
  });
});

describe('sliding window rate limiter', () => {
  test('at most N sends in any rolling window; the wait is until the oldest leaves it', () => {
    const limiter = new SlidingWindowLimiter(3, 1000);
    expect(limiter.delay(0)).toBe(0);
    limiter.record(0);
    limiter.record(100);
    limiter.record(200);
    expect(limiter.delay(250)).toBe(750);
    expect(limiter.delay(999)).toBe(1);
    expect(limiter.delay(1000)).toBe(0);
    limiter.record(1000);
    expect(limiter.count(1000)).toBe(3);
    expect(limiter.delay(1000)).toBe(100);
    expect(limiter.delay(1200)).toBe(0);
    expect(() => new SlidingWindowLimiter(0, 1000)).toThrow(RangeError);
  });

  test('a schedule that always waits as told never exceeds the limit in any window', () => {
    const limiter = new SlidingWindowLimiter(20, 60_000);
    const sent: number[] = [];
    let now = 0;
    for (let i = 0; i < 200; i++) {
      now += limiter.delay(now);
      limiter.record(now);
      sent.push(now);
      now += i % 7; // uneven work between sends
    }
    expect(busiestWindow(sent, 60_000)).toBe(20);
    expect(sent.at(-1)!).toBeGreaterThanOrEqual(9 * 60_000);
  });
});

describe('robot emulators behave as documented', () => {
  const dingtalk = new DingTalkRobotEmulator({
    secret: SECRET,
    keywords: ['告警'],
    rate: { messages: 3, windowMs: 60_000 },
    throttleMs: 400,
  });
  const wecom = new WeComRobotEmulator({ rate: { messages: 2, windowMs: 60_000 } });
  beforeAll(async () => {
    await Promise.all([dingtalk.start(), wecom.start()]);
  });
  afterAll(async () => {
    await Promise.all([dingtalk.stop(), wecom.stop()]);
  });

  test('DingTalk: signature, timestamp window, keyword, size, 20-a-minute then throttled', async () => {
    const adapter = dingtalkAdapter({
      url: dingtalk.url,
      secret: SECRET,
      mention: { mobiles: [], user_ids: [], all: false },
    });
    const body = adapter.request(message, Date.now()).body;
    const answer = async (url: string, text = body) => {
      const result = await post(url, text);
      return result.ok ? JSON.parse(result.body) : result;
    };
    expect(await answer(adapter.request(message, Date.now()).url)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await answer(dingtalkSignedUrl(dingtalk.url, 'wrong-secret', Date.now()))).toEqual({
      errcode: 310000,
      errmsg: 'sign not match',
    });
    expect(await answer(dingtalkSignedUrl(dingtalk.url, SECRET, Date.now() - 3_700_000))).toEqual({
      errcode: 310000,
      errmsg: 'invalid timestamp',
    });
    // A sign whose + was not URL-encoded arrives as a space.
    const raw = `${dingtalk.url}&timestamp=1700000000002&sign=VGvd0brDJp/nMZtR+XnA3yBIlhowT+TwkRPua0q1/jg=`;
    expect((await answer(raw)).errcode).toBe(310000);
    const noKeyword = adapter.request({ ...message, title: 'x', text: 'y' }, Date.now());
    expect(await answer(noKeyword.url, noKeyword.body)).toEqual({ errcode: 310000, errmsg: 'keywords not in content' });
    const huge = adapter.request({ ...message, text: `告警${'x'.repeat(20_000)}` }, Date.now());
    expect(await answer(huge.url, huge.body)).toEqual({
      errcode: 460101,
      errmsg: 'message too long, exceed 20000 bytes',
    });
    expect((await answer(adapter.request(message, Date.now()).url)).errcode).toBe(0);
    expect((await answer(adapter.request(message, Date.now()).url)).errcode).toBe(0);
    expect(await answer(adapter.request(message, Date.now()).url)).toEqual({
      errcode: 130101,
      errmsg: 'send too fast, exceed 20 times per minute',
    });
    expect(dingtalk.delivered).toHaveLength(3);
    expect(dingtalk.attempts.every((a) => a.httpStatus === 200)).toBe(true);
  });

  test('WeCom: key, content size, rate; outages answer 5xx or refuse the connection, then recover on the same port', async () => {
    const adapter = wecomAdapter({ url: wecom.url });
    const answer = async (url: string, text: string) => {
      const result = await post(url, text);
      return result.ok ? (result.status === 200 ? JSON.parse(result.body) : result.status) : result.failure;
    };
    const body = adapter.request(message, 0).body;
    expect(await answer(wecom.url.replace('wecom-test-key', 'other'), body)).toEqual({
      errcode: 93000,
      errmsg: 'invalid webhook url',
    });
    expect(await answer(wecom.url, adapter.request({ ...message, text: '字'.repeat(1366) }, 0).body)).toEqual({
      errcode: 40058,
      errmsg: 'markdown.content exceed max length 4096',
    });
    expect(await answer(wecom.url, adapter.request({ ...message, text: '字'.repeat(1365) }, 0).body)).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    const port = wecom.port;
    await wecom.setOutage('http502');
    expect(await answer(wecom.url, body)).toBe(502);
    await wecom.setOutage('refused');
    const connectError = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(connectError).toBe('ECONNREFUSED');
    expect(['refused', 'reset']).toContain(await answer(wecom.url, body));
    await wecom.setOutage(undefined);
    expect(wecom.port).toBe(port);
    expect(await answer(wecom.url, body)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await answer(wecom.url, body)).toEqual({ errcode: 45009, errmsg: 'api freq out of limit' });
    expect(wecom.delivered).toHaveLength(2);
  });
});
