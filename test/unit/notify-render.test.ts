import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWebhookPayload, type Alert } from '../../src/notify/payload.js';
import {
  escapeBlockStart,
  escapeMarkdown,
  formatDuration,
  formatTime,
  renderMessage,
  safeUrl,
  silenceUrl,
  truncate,
  type RenderOptions,
} from '../../src/notify/render.js';
import { loadTemplate, TemplateError } from '../../src/templates/load.js';
import { webhookAlert, webhookPayload, type AlertFixture } from '../support/robots.js';

function alerts(...fixtures: AlertFixture[]): Alert[] {
  return parseWebhookPayload(webhookPayload(fixtures.map(webhookAlert)), 1000).alerts;
}

function options(overrides: Partial<RenderOptions> = {}): RenderOptions {
  const language = overrides.language ?? 'zh-CN';
  return {
    channel: 'wecom',
    template: loadTemplate('default', language),
    language,
    timeZone: 'Asia/Shanghai',
    labels: [],
    mentionText: '',
    mentionResolved: false,
    ...overrides,
  };
}

const DOWN: AlertFixture = {
  labels: { alertname: 'OnlyofficeDocsDown', severity: 'critical', instance: 'docs-1:443', job: 'onlyoffice' },
  annotations: {
    summary: 'ONLYOFFICE Docs 不可用',
    summary_en: 'ONLYOFFICE Docs is down',
    description: '/healthcheck 连续 2 分钟失败',
    description_en: '/healthcheck failed for 2 minutes',
    runbook_url: 'https://runbooks.example.com/onlyoffice#docs-down',
  },
  startsAt: '2024-05-01T12:34:56Z',
  generatorURL: 'http://prometheus.example:9090/graph?g0.expr=onlyoffice_healthcheck_up+%3D%3D+0',
};

describe('notify message rendering', () => {
  test('a firing alert in Chinese (WeCom): sections, summary, labels, start time in Asia/Shanghai, links', () => {
    const message = renderMessage(alerts(DOWN), 0, options());
    expect(message.title).toBe('告警 1 条：OnlyofficeDocsDown');
    expect(message.text).toBe(
      [
        '### 告警 1 条：OnlyofficeDocsDown',
        '',
        '<font color="warning">**🔥 告警 · 严重 · OnlyofficeDocsDown（1）**</font>',
        '',
        '> **ONLYOFFICE Docs 不可用**',
        '> /healthcheck 连续 2 分钟失败',
        '> 标签：instance=docs-1:443，job=onlyoffice',
        '> 开始：2024-05-01 20:34:56 UTC+08:00',
        '> [处理手册](https://runbooks.example.com/onlyoffice#docs-down) | ' +
          '[查看来源](http://prometheus.example:9090/graph?g0.expr=onlyoffice_healthcheck_up+%3D%3D+0) | ' +
          '[静默](http://alertmanager.example:9093/#/silences/new?filter=%7Balertname%3D%22OnlyofficeDocsDown%22%2Cinstance%3D%22docs-1%3A443%22%2Cjob%3D%22onlyoffice%22%2Cseverity%3D%22critical%22%7D)',
      ].join('\n'),
    );
    expect(message.mentions).toBe(false);
  });

  test('English picks summary_en/description_en; resolved alerts show end and duration; DingTalk uses hard line breaks and hex colours', () => {
    const message = renderMessage(
      alerts({ ...DOWN, status: 'resolved', endsAt: '2024-05-01T14:00:01Z', generatorURL: '' }),
      0,
      options({ channel: 'dingtalk', language: 'en', timeZone: 'UTC' }),
    );
    expect(message.title).toBe('1 resolved: OnlyofficeDocsDown');
    expect(message.text).toBe(
      [
        '### 1 resolved: OnlyofficeDocsDown',
        '<font color="#1E8E3E">**✅ RESOLVED · critical · OnlyofficeDocsDown (1)**</font>',
        [
          '> **ONLYOFFICE Docs is down**',
          '> /healthcheck failed for 2 minutes',
          '> Labels: instance=docs-1:443, job=onlyoffice',
          '> Started: 2024-05-01 12:34:56 UTC+00:00, ended: 2024-05-01 14:00:01 UTC+00:00 (lasted 1h 25m 5s)',
          '> [Runbook](https://runbooks.example.com/onlyoffice#docs-down) | [Silence](http://alertmanager.example:9093/#/silences/new?filter=%7Balertname%3D%22OnlyofficeDocsDown%22%2Cinstance%3D%22docs-1%3A443%22%2Cjob%3D%22onlyoffice%22%2Cseverity%3D%22critical%22%7D)',
        ].join('  \n'),
      ].join('\n\n'),
    );
  });

  test('an alert with a documentserver label (from onlyoffice_target_info on /metrics) names the DS on a line of its own', () => {
    const fromMetrics: AlertFixture = {
      ...DOWN,
      labels: { ...DOWN.labels, instance: '10.0.0.5:9967', documentserver: 'http://10.0.0.12:8000' },
    };
    const zh = renderMessage(alerts(fromMetrics), 0, options()).text.split('\n');
    expect(
      zh.slice(zh.indexOf('> /healthcheck 连续 2 分钟失败'), zh.indexOf('> /healthcheck 连续 2 分钟失败') + 2),
    ).toEqual(['> /healthcheck 连续 2 分钟失败', '> DocumentServer：http://10.0.0.12:8000']);
    const en = renderMessage(
      alerts({ ...fromMetrics, status: 'resolved', endsAt: '2024-05-01T14:00:01Z' }),
      0,
      options({ language: 'en' }),
    ).text;
    expect(en).toContain('> /healthcheck failed for 2 minutes\n> DocumentServer: http://10.0.0.12:8000\n');
    // No label (a /probe alert, where instance is the DS): no line.
    expect(renderMessage(alerts(DOWN), 0, options()).text).not.toContain('DocumentServer：');
    // The shipped descriptions name the DS already: not twice.
    const named: AlertFixture = {
      ...fromMetrics,
      annotations: { ...DOWN.annotations, description: '/healthcheck 失败（DocumentServer：http://10.0.0.12:8000）。' },
    };
    const text = renderMessage(alerts(named), 0, options()).text;
    expect(text.split('http://10.0.0.12:8000').length - 1).toBe(2); // the description and the labels line
    expect(text).not.toContain('> DocumentServer：');
  });

  test('alerts are grouped by status, then severity, then alertname; counts in title and headings', () => {
    const list = alerts(
      {
        labels: { alertname: 'OnlyofficeDocsConversionQueueHigh', severity: 'warning', instance: 'a' },
        annotations: { summary: 'q-a' },
      },
      { ...DOWN, status: 'resolved', endsAt: '2024-05-01T13:34:56Z' },
      {
        labels: { alertname: 'OnlyofficeDocsDown', severity: 'critical', instance: 'b' },
        annotations: { summary: 'down-b' },
      },
      {
        labels: { alertname: 'OnlyofficeDocsConversionQueueHigh', severity: 'warning', instance: 'c' },
        annotations: { summary: 'q-c' },
      },
      {
        labels: { alertname: 'OnlyofficeDocsCertificateExpiry', severity: 'info', instance: 'd' },
        annotations: { summary: 'cert-d' },
      },
    );
    const message = renderMessage(list, 0, options({ language: 'en' }));
    expect(message.title).toBe(
      '4 firing, 1 resolved: OnlyofficeDocsDown, OnlyofficeDocsConversionQueueHigh and 1 more',
    );
    // zh-CN lists the names with 、 (the template's alertname_separator).
    expect(renderMessage(list, 0, options()).title).toBe(
      '告警 4 条，恢复 1 条：OnlyofficeDocsDown、OnlyofficeDocsConversionQueueHigh 等 1 项',
    );
    const headings = message.text.split('\n').filter((line) => line.startsWith('<font'));
    expect(headings).toEqual([
      '<font color="warning">**🔥 FIRING · critical · OnlyofficeDocsDown (1)**</font>',
      '<font color="warning">**🔥 FIRING · warning · OnlyofficeDocsConversionQueueHigh (2)**</font>',
      '<font color="warning">**🔥 FIRING · info · OnlyofficeDocsCertificateExpiry (1)**</font>',
      '<font color="info">**✅ RESOLVED · critical · OnlyofficeDocsDown (1)**</font>',
    ]);
    const summaries = message.text
      .split('\n')
      .filter((line) => line.startsWith('> **'))
      .map((line) => line.slice(4, -2));
    expect(summaries).toEqual(['down-b', 'q-a', 'q-c', 'cert-d', 'ONLYOFFICE Docs is down']);
  });

  test('label values cannot inject markdown, HTML, mentions or new lines, on either robot', () => {
    const hostile = alerts({
      labels: {
        alertname: 'Evil](http://evil.example)',
        severity: 'critical',
        instance: '[click](http://evil.example) <@all> <font color="warning">x</font>\n# heading\r\n> quote',
        job: '**bold** _em_ `code` ~strike~ |pipe| node_exporter \\',
      },
      annotations: { summary: '# not a heading', description: '1. not a list\n- nor this' },
    });
    const Z = '\u200b';
    const wecom = renderMessage(hostile, 0, options({ language: 'en', channel: 'wecom' })).text;
    expect(wecom).toContain(
      `instance=[click]${Z}(http://evil.example) <${Z}@all> <${Z}font color="warning">x<${Z}/font> # heading > quote`,
    );
    expect(wecom).toContain(`job=*${Z}*bold*${Z}* _em_ \`code\` ~strike~ |pipe| node_exporter \\`);
    // Mid-line "#" is no heading; "1." at the start of the quote is no list on WeCom, which has no lists.
    expect(wecom).toContain('> **# not a heading**');
    expect(wecom).toContain('> 1. not a list - nor this\n');
    expect(wecom).toContain(`Evil]${Z}(http://evil.example)`);
    const dingtalk = renderMessage(hostile, 0, options({ language: 'en', channel: 'dingtalk' })).text;
    expect(dingtalk).toContain(`job=\u2217\u2217bold\u2217\u2217 _em_ \`code\` ~strike~ |pipe| node_exporter \\`);
    // DingTalk has ordered lists: a description starting "1. " would be one.
    expect(dingtalk).toContain(`> ${Z}1. not a list - nor this  \n`);
    for (const text of [wecom, dingtalk]) {
      // Only our own links remain links; no tag, no mention.
      expect([...text.matchAll(/\[[^\]]*\]\(/g)].map((m) => m[0])).toEqual(['[Silence](']);
      expect(text).not.toMatch(/<@|<font color="warning">x|\\[.*_[\]`~|#-]/);
    }
  });

  test("escaping: only what each robot's markdown would act on, and no backslashes", () => {
    const Z = '\u200b';
    for (const channel of ['dingtalk', 'wecom'] as const) {
      expect(escapeMarkdown('10.0.0.5:443', channel)).toBe('10.0.0.5:443');
      expect(escapeMarkdown('docs-1.example.com:443', channel)).toBe('docs-1.example.com:443');
      expect(escapeMarkdown('node_exporter', channel)).toBe('node_exporter');
      expect(escapeMarkdown('_em_ ~strike~ |pipe| C:\\data', channel)).toBe('_em_ ~strike~ |pipe| C:\\data');
      expect(escapeMarkdown('/var/lib/onlyoffice', channel)).toBe('/var/lib/onlyoffice');
      expect(escapeMarkdown('-1', channel)).toBe('-1');
      expect(escapeMarkdown('磁盘使用率 95%', channel)).toBe('磁盘使用率 95%');
      expect(escapeMarkdown('[a](http://x) ![i](http://y) <@all>', channel)).toBe(
        `[a]${Z}(http://x) ![i]${Z}(http://y) <${Z}@all>`,
      );
      // At a line's start: never for an address or a negative number.
      expect(escapeBlockStart('10.0.0.5', channel)).toBe('10.0.0.5');
      expect(escapeBlockStart('-1', channel)).toBe('-1');
      expect(escapeBlockStart('#1 of 3', channel)).toBe('#1 of 3');
      expect(escapeBlockStart('# heading', channel)).toBe(`${Z}# heading`);
      expect(escapeBlockStart('> quote', channel)).toBe(`${Z}> quote`);
    }
    expect(escapeMarkdown('ds.converttask* **x**', 'wecom')).toBe(`ds.converttask* *${Z}*x*${Z}*`);
    expect(escapeMarkdown('ds.converttask* **x**', 'dingtalk')).toBe('ds.converttask\u2217 \u2217\u2217x\u2217\u2217');
    // Lists are DingTalk's only.
    expect(escapeBlockStart('1. first', 'dingtalk')).toBe(`${Z}1. first`);
    expect(escapeBlockStart('- item', 'dingtalk')).toBe(`${Z}- item`);
    expect(escapeBlockStart('1. first', 'wecom')).toBe('1. first');
    expect(escapeBlockStart('- item', 'wecom')).toBe('- item');
  });

  test("an IP address reads as it is in both robots' messages", () => {
    const ip = alerts({
      labels: { alertname: 'OnlyofficeDocsDown', severity: 'critical', instance: '10.0.0.5:9967' },
      annotations: { summary: '10.0.0.5 的 /healthcheck 失败', description: '10.0.0.5 answers 502' },
    });
    for (const channel of ['dingtalk', 'wecom'] as const) {
      const text = renderMessage(ip, 0, options({ channel, labels: ['instance'] })).text;
      const br = channel === 'dingtalk' ? '  \n' : '\n';
      expect(text).toContain(
        `> **10.0.0.5 的 /healthcheck 失败**${br}> 10.0.0.5 answers 502${br}> 标签：instance=10.0.0.5:9967${br}`,
      );
      expect(text).not.toContain('\\');
    }
  });

  test('links: only http(s), nothing that could close the link target', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('not a url')).toBeUndefined();
    expect(safeUrl('https://x.example/a(b)[c] d')).toBe('https://x.example/a%28b%29%5Bc%5D%20d');
    expect(silenceUrl({ externalURL: 'http://am:9093/', labels: { alertname: 'A', path: 'x"y\\z(1)' } })).toBe(
      'http://am:9093/#/silences/new?filter=%7Balertname%3D%22A%22%2Cpath%3D%22x%5C%22y%5C%5Cz%281%29%22%7D',
    );
    expect(silenceUrl({ externalURL: '', labels: { alertname: 'A' } })).toBeUndefined();
  });

  test('mentions go to messages with firing alerts only, unless mention.resolved', () => {
    const firing = renderMessage(
      alerts(DOWN),
      0,
      options({ channel: 'dingtalk', mentionText: '@13800000000 @ops-lead' }),
    );
    expect(firing.mentions).toBe(true);
    expect(firing.text.endsWith('\n\n@13800000000 @ops-lead')).toBe(true);
    const resolved = alerts({ ...DOWN, status: 'resolved' });
    expect(renderMessage(resolved, 0, options({ mentionText: '<@zhangsan>' })).text).not.toContain('<@zhangsan>');
    const always = renderMessage(resolved, 0, options({ mentionText: '<@zhangsan>', mentionResolved: true }));
    expect(always.mentions).toBe(true);
    expect(always.text.endsWith('\n\n<@zhangsan>')).toBe(true);
  });

  test('a DingTalk keyword is added to title and text when missing', () => {
    const message = renderMessage(alerts(DOWN), 0, options({ channel: 'dingtalk', language: 'en', keyword: 'ALERT' }));
    expect(message.title).toBe('ALERT 1 firing: OnlyofficeDocsDown');
    expect(message.text.startsWith('### ALERT 1 firing: OnlyofficeDocsDown')).toBe(true);
    const zh = renderMessage(alerts(DOWN), 0, options({ channel: 'dingtalk', keyword: '告警' }));
    expect(zh.title).toBe('告警 1 条：OnlyofficeDocsDown');
  });

  test('notify.labels picks and orders the labels shown', () => {
    const message = renderMessage(alerts(DOWN), 0, options({ labels: ['job', 'instance', 'missing'] }));
    expect(message.text).toContain('> 标签：job=onlyoffice，instance=docs-1:443\n');
  });

  test('the "more follow" line says how many alerts are still queued', () => {
    expect(renderMessage(alerts(DOWN), 7, options()).text.endsWith('\n\n……还有 7 条告警在后续消息中发送')).toBe(true);
    expect(
      renderMessage(alerts(DOWN), 7, options({ language: 'en' })).text.endsWith(
        '\n\n… 7 more alerts follow in the next message',
      ),
    ).toBe(true);
    expect(
      renderMessage(alerts(DOWN), 1, options({ language: 'en' })).text.endsWith(
        '\n\n… 1 more alert follows in the next message',
      ),
    ).toBe(true);
    // Chinese has no singular: more_one falls back to more.
    expect(renderMessage(alerts(DOWN), 1, options()).text.endsWith('\n\n……还有 1 条告警在后续消息中发送')).toBe(true);
  });

  test('times and durations', () => {
    const ms = Date.parse('2024-12-31T23:59:59Z');
    expect(formatTime(ms, 'Asia/Shanghai')).toBe('2025-01-01 07:59:59 UTC+08:00');
    expect(formatTime(ms, 'UTC')).toBe('2024-12-31 23:59:59 UTC+00:00');
    expect(formatTime(ms, 'America/New_York')).toBe('2024-12-31 18:59:59 UTC-05:00');
    const zh = loadTemplate('default', 'zh-CN');
    const en = loadTemplate('default', 'en');
    expect(formatDuration(0, zh)).toBe('0秒');
    expect(formatDuration(90_061_000, zh)).toBe('1天1小时1分1秒');
    expect(formatDuration(3_600_000, en)).toBe('1h');
    expect(formatDuration(3_725_400, en)).toBe('1h 2m 5s');
  });

  test('truncate never splits a character, a surrogate pair or an emoji sequence', () => {
    expect(truncate('短文本', 10)).toBe('短文本');
    expect(truncate('告警告警告警', 3)).toBe('告警…');
    expect(truncate('👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦', 2)).toBe('👨‍👩‍👧‍👦…');
    expect(truncate('a😀b', 0)).toBe('');
  });
});

describe('notify templates', () => {
  test('a template in notify.templates_dir overrides some snippets; the rest stay built in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-templates-'));
    writeFileSync(
      join(dir, 'default.en.yml'),
      'title: "[{status_summary}] {alertnames}"\nseverity_names: { critical: P1 }\n',
    );
    writeFileSync(join(dir, 'short.en.yml'), 'alert_firing: "{instance}: {summary}"\n');
    const overridden = loadTemplate('default', 'en', dir);
    const message = renderMessage(alerts(DOWN), 0, options({ language: 'en', template: overridden }));
    expect(message.title).toBe('[1 firing] OnlyofficeDocsDown');
    expect(message.text).toContain('**🔥 FIRING · P1 · OnlyofficeDocsDown (1)**');
    const short = renderMessage(
      alerts(DOWN),
      0,
      options({ language: 'en', template: loadTemplate('short', 'en', dir) }),
    );
    expect(short.text.split('\n').at(-1)).toBe('docs-1:443: ONLYOFFICE Docs is down');
  });

  test('template mistakes name the file and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-templates-'));
    writeFileSync(join(dir, 'bad.en.yml'), 'title: "{nope}"\n');
    writeFileSync(join(dir, 'typo.en.yml'), 'titel: x\n');
    writeFileSync(join(dir, 'units.en.yml'), 'duration_units: { w: week }\n');
    expect(() => loadTemplate('bad', 'en', dir)).toThrow(
      new TemplateError(
        `${join(dir, 'bad.en.yml')}: title: unknown placeholder {nope} (allowed: {status_summary}, {alertnames})`,
      ),
    );
    expect(() => loadTemplate('typo', 'en', dir)).toThrow(/typo\.en\.yml: titel: unknown key/);
    expect(() => loadTemplate('units', 'en', dir)).toThrow(
      /units\.en\.yml: duration_units\.w: unknown key \(known: d, h, m, s\)/,
    );
    expect(() => loadTemplate('absent', 'en', dir)).toThrow(
      `template absent.en.yml not found in ${dir} nor among the built-in templates`,
    );
  });

  test("a FIFO, /dev/zero behind a symlink or a folder under a template's name is a TemplateError, at once", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-templates-'));
    execFileSync('mkfifo', [join(dir, 'fifo.en.yml')]);
    execFileSync('mkfifo', [join(dir, 'default.zh-CN.yml')]);
    symlinkSync('/dev/zero', join(dir, 'zero.en.yml'));
    mkdirSync(join(dir, 'folder.en.yml'));
    // In a child process: a read blocked on the FIFO would stop jest's own timers too.
    const script = `
      const { loadTemplate } = await import(process.argv[1]);
      const results = [];
      for (const [name, language] of JSON.parse(process.argv[3])) {
        const started = Date.now();
        let message = 'loaded';
        try { loadTemplate(name, language, process.argv[2]); } catch (error) { message = error.name + ': ' + error.message; }
        results.push({ message, ms: Date.now() - started });
      }
      process.stdout.write(JSON.stringify(results));`;
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const cases = [
      ['fifo', 'en'],
      ['default', 'zh-CN'],
      ['zero', 'en'],
      ['folder', 'en'],
    ];
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        join(root, 'src/templates/load.ts'),
        dir,
        JSON.stringify(cases),
      ],
      {
        cwd: root,
        timeout: 15_000,
        killSignal: 'SIGKILL',
        encoding: 'utf8',
      },
    );
    const results = JSON.parse(out) as Array<{ message: string; ms: number }>;
    expect(results.map((r) => r.message)).toEqual([
      `TemplateError: ${join(dir, 'fifo.en.yml')}: cannot read: not a regular file`,
      `TemplateError: ${join(dir, 'default.zh-CN.yml')}: cannot read: not a regular file`,
      `TemplateError: ${join(dir, 'zero.en.yml')}: cannot read: not a regular file`,
      `TemplateError: ${join(dir, 'folder.en.yml')}: cannot read: not a regular file`,
    ]);
    for (const r of results) expect(r.ms).toBeLessThan(1000);
  }, 20_000);
});
