import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { isTimeZone } from '../../src/config/sections/notify.js';
import { configProblems as problemsOf } from '../support/scrape.js';

const TOKEN = 'a-token-of-sixteen-chars';

describe('notify configuration', () => {
  test('absent: no robots, defaults', () => {
    const config = parseConfig('', 't', {});
    expect(config.notify).toEqual({
      language: 'zh-CN',
      timezone: 'Asia/Shanghai',
      labels: [],
      max_request_bytes: 2 * 1024 * 1024,
      timeout: 5000,
      rate_limit: { messages: 20, window: 60_000 },
      retry: { initial_backoff: 1000, max_backoff: 60_000 },
      queue: { max_alerts: 2000, max_bytes: 32 * 1024 * 1024, refuse_after_failures: 3 },
      dingtalk: {},
      wecom: {},
    });
  });

  test('accepts the shape of issue 7, with env interpolation and *_file secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-notify-'));
    writeFileSync(join(dir, 'wecom-url'), 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=from-file\n');
    const config = parseConfig(
      `
notify:
  auth: { bearer_token: "\${NOTIFY_TOKEN}" }
  language: zh-CN
  timezone: Asia/Shanghai
  dingtalk:
    ops: { url: "https://oapi.dingtalk.com/robot/send?access_token=abc", secret: "\${DINGTALK_SECRET}", mention: { mobiles: ["13800000000"], all: false } }
  wecom:
    ops: { url_file: ${join(dir, 'wecom-url')}, language: en }
`,
      't',
      { NOTIFY_TOKEN: TOKEN, DINGTALK_SECRET: 'SECabc' },
    );
    expect(config.notify.auth).toEqual({ bearer_token: TOKEN });
    expect(config.notify.dingtalk.ops).toEqual({
      url: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
      secret: 'SECabc',
      mention: { mobiles: ['13800000000'], user_ids: [], all: false, resolved: false },
      template: 'default',
    });
    expect(config.notify.wecom.ops).toEqual({
      url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=from-file',
      mention: { user_ids: [], resolved: false },
      template: 'default',
      language: 'en',
    });
  });

  test('basic auth, rate limit, retry and queue settings', () => {
    const config = parseConfig(
      `
notify:
  auth: { username: alertmanager, password: long-enough }
  rate_limit: { messages: 20, window: 2s }
  retry: { initial_backoff: 100ms, max_backoff: 2s }
  queue: { max_alerts: 500, max_bytes: 1048576, refuse_after_failures: 5 }
  wecom: { team: { url: "http://127.0.0.1:9/cgi-bin/webhook/send?key=k" } }
`,
      't',
      {},
    );
    expect(config.notify.auth).toEqual({ username: 'alertmanager', password: 'long-enough' });
    expect(config.notify.rate_limit).toEqual({ messages: 20, window: 2000 });
    expect(config.notify.retry).toEqual({ initial_backoff: 100, max_backoff: 2000 });
    expect(config.notify.queue).toEqual({ max_alerts: 500, max_bytes: 1024 * 1024, refuse_after_failures: 5 });
  });

  test('time zones: canonical names, and the aliases only a DateTimeFormat knows', () => {
    // The canonical list answers without ICU's data; the fallback must still accept what Intl accepts.
    expect(Intl.supportedValuesOf('timeZone')).toContain('Asia/Shanghai');
    expect(Intl.supportedValuesOf('timeZone')).not.toContain('UTC');
    for (const zone of ['Asia/Shanghai', 'Europe/Berlin', 'UTC', 'Etc/UTC', 'PRC', 'Asia/Calcutta'])
      expect([zone, isTimeZone(zone)]).toEqual([zone, true]);
    for (const zone of ['Mars/Olympus', '', 'Asia/', 'UTC+99']) expect([zone, isTimeZone(zone)]).toEqual([zone, false]);
    expect(parseConfig('notify: { timezone: Etc/UTC }', 't', {}).notify.timezone).toBe('Etc/UTC');
  });

  test('bad input names the key', () => {
    const robot = 'wecom: { ops: { url: "http://127.0.0.1:9/x?key=k" } }';
    expect(problemsOf(`notify: { ${robot} }`)).toEqual([
      'notify.auth: is required when robots are configured: bearer_token, or username and password',
    ]);
    expect(problemsOf(`notify: { auth: { bearer_token: short }, ${robot} }`)).toEqual([
      'notify.auth.bearer_token: must be at least 16 characters',
    ]);
    expect(problemsOf(`notify: { auth: { username: am }, ${robot} }`)).toEqual([
      'notify.auth: basic auth needs both username and password',
    ]);
    expect(
      problemsOf(`notify: { auth: { bearer_token: ${TOKEN}, username: a, password: "12345678" }, ${robot} }`),
    ).toEqual(['notify.auth: give either bearer_token or username and password, not both']);
    expect(problemsOf('notify: { language: fr }')).toEqual(['notify.language: must be zh-CN or en']);
    expect(problemsOf('notify: { timezone: Mars/Olympus }')).toEqual([
      'notify.timezone: "Mars/Olympus" is not an IANA time zone such as Asia/Shanghai or UTC',
    ]);
    expect(problemsOf('notify: { rate_limit: { window: soon } }')).toEqual([
      'notify.rate_limit.window: "soon" is not a positive duration such as 10s, 1m30s or 500ms',
    ]);
    expect(problemsOf('notify: { rate_limit: { messages: 0 } }')).toEqual([
      'notify.rate_limit.messages: Number must be greater than 0',
    ]);
    expect(problemsOf('notify: { queue: { max_bytes: 65535 } }')).toEqual([
      'notify.queue.max_bytes: must be at least 65536 (64 KiB)',
    ]);
    expect(problemsOf('notify: { queue: { max_bytes: 2GiB } }')).toEqual([
      'notify.queue.max_bytes: expected number, got string',
    ]);
    expect(
      problemsOf(`notify: { auth: { bearer_token: ${TOKEN} }, dingtalk: { "bad name!": { url: "http://x" } } }`),
    ).toEqual([
      'notify.dingtalk.bad name!: robot names are 1-64 letters, digits, "_" or "-" (they appear in URLs and labels)',
    ]);
    expect(problemsOf(`notify: { auth: { bearer_token: ${TOKEN} }, dingtalk: { ops: { url: "ftp://x" } } }`)).toEqual([
      'notify.dingtalk.ops.url: must be an http:// or https:// URL, not ftp://',
    ]);
    expect(
      problemsOf(
        `notify: { auth: { bearer_token: ${TOKEN} }, dingtalk: { ops: { url: "http://x", mention: { mobiles: ["call me"] } } } }`,
      ),
    ).toEqual(['notify.dingtalk.ops.mention.mobiles.0: must be a phone number']);
    expect(
      problemsOf(
        `notify: { auth: { bearer_token: ${TOKEN} }, wecom: { ops: { url: "http://x", mention: { all: true } } } }`,
      ),
    ).toEqual(['notify.wecom.ops.mention.all: unknown key']);
    expect(
      problemsOf(
        `notify: { auth: { bearer_token: ${TOKEN} }, retry: { initial_backoff: 10s, max_backoff: 1s }, ${robot} }`,
      ),
    ).toEqual(['notify.retry.max_backoff: must not be shorter than initial_backoff']);
    expect(problemsOf('notify: { dingtalk: { ops: { url: "http://x", secret: "${DINGTALK_SECRET}" } } }')).toEqual([
      'notify.dingtalk.ops.secret: environment variable DINGTALK_SECRET is not set',
    ]);
  });

  test('templates are checked when the configuration loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-notify-templates-'));
    writeFileSync(join(dir, 'terse.zh-CN.yml'), 'title: "{status_summary}"\n');
    writeFileSync(join(dir, 'broken.zh-CN.yml'), 'title: "{oops}"\n');
    const base = `auth: { bearer_token: ${TOKEN} }, templates_dir: ${dir}`;
    expect(
      parseConfig(`notify: { ${base}, wecom: { ops: { url: "http://x", template: terse } } }`, 't', {}).notify.wecom
        .ops!.template,
    ).toBe('terse');
    expect(problemsOf(`notify: { ${base}, wecom: { ops: { url: "http://x", template: broken } } }`)).toEqual([
      `notify.wecom.ops.template: ${join(dir, 'broken.zh-CN.yml')}: title: unknown placeholder {oops} (allowed: {status_summary}, {alertnames})`,
    ]);
    expect(
      problemsOf(`notify: { ${base}, wecom: { ops: { url: "http://x", template: terse, language: en } } }`),
    ).toEqual([
      `notify.wecom.ops.template: template terse.en.yml not found in ${dir} nor among the built-in templates`,
    ]);
    expect(
      problemsOf(
        `notify: { auth: { bearer_token: ${TOKEN} }, templates_dir: /nonexistent/templates, wecom: { ops: { url: "http://x" } } }`,
      ),
    ).toEqual(['notify.templates_dir: /nonexistent/templates is not a readable folder']);
  });
});
