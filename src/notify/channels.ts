import { createHmac } from 'node:crypto';
import type { HttpResult } from '../lib/http.js';
import type { Channel, RenderedMessage } from './render.js';

/** What a robot's answer means for the message. */
export type Outcome =
  | { kind: 'sent' }
  /** Worth another attempt later: throttled, 5xx, network trouble. */
  | { kind: 'retry'; reason: string }
  /** The robot refuses whatever we send (signature, keyword, key, IP): a configuration problem. */
  | { kind: 'rejected'; reason: string }
  /** The robot found the message too large: send less per message. */
  | { kind: 'too_large'; reason: string };

export interface ChannelAdapter {
  readonly channel: Channel;
  /** Largest `size(message)` the robot takes. */
  readonly limit: number;
  size(message: RenderedMessage): number;
  request(message: RenderedMessage, now: number): { url: string; body: string };
  classify(result: HttpResult): Outcome;
}

// DingTalk: 20,000 bytes per request body (errcode 460101, earlier 101002).
export const DINGTALK_MAX_BODY_BYTES = 20_000;
// WeCom: markdown.content at most 4,096 bytes (errcode 40058).
export const WECOM_MAX_CONTENT_BYTES = 4_096;

export interface DingTalkOptions {
  url: string;
  secret?: string;
  mention: { mobiles: readonly string[]; user_ids: readonly string[]; all: boolean };
}

/** DingTalk "加签": base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)), timestamp in epoch ms. */
export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/** The robot URL with `timestamp` and the URL-encoded `sign` appended. */
export function dingtalkSignedUrl(url: string, secret: string, timestamp: number): string {
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(secret, timestamp))}`;
}

/** The text a message must contain for DingTalk to notify the mentioned people ("@<mobile>"). */
export function dingtalkMentionText(mention: DingTalkOptions['mention']): string {
  return [...mention.mobiles, ...mention.user_ids].map((who) => `@${who}`).join(' ');
}

export function wecomMentionText(mention: { user_ids: readonly string[] }): string {
  return mention.user_ids.map((id) => `<@${id}>`).join('');
}

export function dingtalkAdapter(options: DingTalkOptions): ChannelAdapter {
  const body = (message: RenderedMessage) =>
    JSON.stringify({
      msgtype: 'markdown',
      markdown: { title: message.title, text: message.text },
      at: message.mentions
        ? { atMobiles: options.mention.mobiles, atUserIds: options.mention.user_ids, isAtAll: options.mention.all }
        : { atMobiles: [], atUserIds: [], isAtAll: false },
    });
  return {
    channel: 'dingtalk',
    limit: DINGTALK_MAX_BODY_BYTES,
    size: (message) => Buffer.byteLength(body(message)),
    request: (message, now) => ({
      url: options.secret === undefined ? options.url : dingtalkSignedUrl(options.url, options.secret, now),
      body: body(message),
    }),
    classify: (result) => classify(result, DINGTALK_CODES),
  };
}

export function wecomAdapter(options: { url: string }): ChannelAdapter {
  return {
    channel: 'wecom',
    limit: WECOM_MAX_CONTENT_BYTES,
    size: (message) => Buffer.byteLength(message.text),
    request: (message) => ({
      url: options.url,
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: message.text } }),
    }),
    classify: (result) => classify(result, WECOM_CODES),
  };
}

interface CodeTable {
  retry: ReadonlySet<number>;
  tooLarge: ReadonlySet<number>;
}

// 130101: over 20 messages a minute (then throttled ten minutes). 460101/101002: body over 20,000 bytes.
const DINGTALK_CODES: CodeTable = { retry: new Set([130101, -1]), tooLarge: new Set([460101, 101002]) };
// 45009: over 20 a minute; -1: "system busy" (WeChat family). 40058: markdown.content over 4,096 bytes.
const WECOM_CODES: CodeTable = { retry: new Set([45009, -1]), tooLarge: new Set([40058]) };

/** Robots answer HTTP 200 with {errcode, errmsg}: the errcode decides, not the status. */
export function classify(result: HttpResult, codes: CodeTable): Outcome {
  if (!result.ok) return { kind: 'retry', reason: result.failure };
  if (result.status === 429 || result.status >= 500) return { kind: 'retry', reason: `http ${result.status}` };
  if (result.status < 200 || result.status >= 300) return { kind: 'rejected', reason: `http ${result.status}` };
  let answer: unknown;
  try {
    answer = JSON.parse(result.body);
  } catch {
    // A proxy's error page or a cut answer: the robot may not have seen the message.
    return { kind: 'retry', reason: 'answer is not JSON' };
  }
  const errcode = (answer as { errcode?: unknown } | null)?.errcode;
  const errmsg = String((answer as { errmsg?: unknown } | null)?.errmsg ?? '').slice(0, 200);
  if (typeof errcode !== 'number') return { kind: 'retry', reason: 'answer has no errcode' };
  if (errcode === 0) return { kind: 'sent' };
  const reason = `errcode ${errcode}${errmsg === '' ? '' : `: ${errmsg}`}`;
  if (codes.retry.has(errcode)) return { kind: 'retry', reason };
  if (codes.tooLarge.has(errcode)) return { kind: 'too_large', reason };
  return { kind: 'rejected', reason };
}
