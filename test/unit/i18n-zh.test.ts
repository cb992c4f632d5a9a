import { CAUSES, type CauseId } from '../../src/doctor/causes.js';
import { picker, type Lang } from '../../src/doctor/i18n.js';
import { FINDINGS, HOP_NAMES, VERDICT_WORDS, type FindingCode } from '../../src/doctor/messages.js';
import { HOP_IDS, type Diagnosis, type Verdict } from '../../src/doctor/model.js';
import { renderJson, renderText, summaryLine } from '../../src/doctor/render.js';
import { inspectionReport, trendLines } from '../../src/doctor/report.js';
import { parseWebhookPayload } from '../../src/notify/payload.js';
import { renderMessage } from '../../src/notify/render.js';
import { reportMessage } from '../../src/notify/report.js';
import { loadTemplate, type SnippetName } from '../../src/templates/load.js';
import { fleetPage, landingPage } from '../../src/web/landing.js';
import { webhookAlert, webhookPayload } from '../support/robots.js';
import { foreignWords, halfWidthPunctuation } from '../support/zh.js';

const HAN = /[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]/;

/** Each problem of one zh-CN prose text. */
function zhProblems(where: string, text: string): string[] {
  const problems: string[] = [];
  const words = foreignWords(text);
  if (words.length > 0) problems.push(`${where}: English words ${JSON.stringify(words)} in ${JSON.stringify(text)}`);
  const punct = halfWidthPunctuation(text);
  if (punct.length > 0)
    problems.push(`${where}: half-width punctuation ${JSON.stringify(punct)} in ${JSON.stringify(text)}`);
  return problems;
}

function enProblems(where: string, text: string): string[] {
  // The link to the Chinese page names its language in it.
  return HAN.test(text.replace('中文', '')) ? [`${where}: Chinese in English text ${JSON.stringify(text)}`] : [];
}

/** A fix line: a `# comment` is prose; a command is checked only for the comment after it. */
function fixProse(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith('#')) return trimmed.replace(/^#+\s*/, '');
  const comment = /\s#\s(.*)$/.exec(trimmed)?.[1];
  // `command   # 或：other command`: an alternative command, prose only up to the colon.
  return comment?.replace(/^(或：|or: ).*$/, '$1');
}

/**
 * Parameters for a message: digits for every key (so only the message's own words are checked), with the
 * variants that pick other wording. Keys that carry a code the message translates get their real values.
 */
const REAL: Record<string, string> = { hop: 'docservice', problem: 'expired' };
const BASE: Record<string, string | number> = new Proxy(
  {},
  { get: (_t, key) => (typeof key === 'string' ? (REAL[key] ?? '7') : undefined), has: () => true },
);
const VARIANTS: Record<string, string | number | undefined>[] = [
  {},
  { error: undefined, version: '', signed: '', container: '', health: 'none', restarts: 0, exit_code: undefined },
  { status: 0 },
  { status: 101 },
  { status: 504 },
  { files: 1 },
  { outcome: undefined },
  { outcome: 'error_code' },
  { outcome: 'timeout' },
  { outcome: 'request_failed' },
  { outcome: 'result_fetch_failed' },
  { outcome: 'result_url_refused' },
  { outcome: 'source_failed' },
  { code: -1 },
  { code: -2 },
  { code: -3 },
  { code: -4 },
  { code: -6 },
  { code: -8 },
  { code: 0 },
  { problem: 'readonly' },
  { problem: 'error' },
  { problem: 'read-only' },
  { problem: 'full' },
  { problem: 'expired' },
  { problem: 'untrusted' },
  { problem: 'chain_incomplete' },
  { problem: 'hostname' },
  { problem: 'unreadable' },
  { problem: 'key_mismatch' },
  { problem: 'unreachable' },
  { failure: 'no HTTP answer' },
  { url: 'https://docs.example.com' },
  { program: 'ds-converter', container: '' },
  { path: '/', mountpoint: '/' },
  { path: '/var/lib/onlyoffice', mountpoint: '/' },
  { hop: 'docservice' },
  { hop: 'rabbitmq' },
  { error: 'refused: connection refused' },
  { error: 'reset: socket hang up' },
  { error: 'dns: getaddrinfo ENOTFOUND ds' },
  { error: 'the collector threw' },
];
const paramsOf = (variant: Record<string, string | number | undefined>) =>
  new Proxy(
    {},
    {
      get: (_t, key) => (typeof key !== 'string' ? undefined : Object.hasOwn(variant, key) ? variant[key] : BASE[key]),
      has: (_t, key) => typeof key === 'string' && (!Object.hasOwn(variant, key) || variant[key] !== undefined),
    },
  ) as Record<string, string | number>;

/** Every text of the doctor's tables in one language, with where it comes from. */
function tableTexts(lang: Lang): { where: string; text: string; fix?: boolean }[] {
  const t = picker(lang);
  const out: { where: string; text: string; fix?: boolean }[] = [];
  const rendered = new Set<string>();
  // A variant may not fit a message (a certificate problem name for a disk finding): it is skipped there, but every
  // message renders with at least one variant (asserted below).
  const add = (id: string, where: string, render: () => string | string[], fix?: boolean) => {
    let texts: string | string[];
    try {
      texts = render();
    } catch {
      return;
    }
    rendered.add(id);
    for (const text of [texts].flat()) out.push({ where, text, ...(fix ? { fix } : {}) });
  };
  for (const variant of VARIANTS) {
    const p = paramsOf(variant);
    const v = JSON.stringify(variant);
    for (const [code, render] of Object.entries(FINDINGS))
      add(`finding ${code}`, `finding ${code} ${v}`, () => render(p, t));
    for (const [id, cause] of Object.entries(CAUSES)) {
      add(`cause ${id}.title`, `cause ${id}.title ${v}`, () => cause.title(p, t));
      add(`cause ${id}.why`, `cause ${id}.why ${v}`, () => cause.why(p, t));
      add(`cause ${id}.fix`, `cause ${id}.fix ${v}`, () => cause.fix(p, t), true);
    }
  }
  // The WebSocket check's path (diagnose.ts) names the protocol in English punctuation: the messages of HTTP checks localize it.
  for (const code of ['ds_answer', 'not_ds_answer', 'no_http_answer'] as const) {
    add(`finding ${code}`, `finding ${code} WebSocket`, () =>
      FINDINGS[code](paramsOf({ path: '/doc/ (WebSocket)' }), t),
    );
  }
  for (const [id, render] of Object.entries(HOP_NAMES)) add(`hop ${id}`, `hop ${id}`, () => render({}, t));
  for (const [id, render] of Object.entries(VERDICT_WORDS)) add(`verdict ${id}`, `verdict ${id}`, () => render({}, t));
  const expected = [
    ...Object.keys(FINDINGS).map((code) => `finding ${code}`),
    ...Object.keys(CAUSES).flatMap((id) => [`cause ${id}.title`, `cause ${id}.why`, `cause ${id}.fix`]),
  ];
  expect(expected.filter((id) => !rendered.has(id))).toEqual([]);
  return out;
}

const VERDICTS: Verdict[] = ['fail', 'warn', 'unknown', 'ok', 'skipped'];

/** A diagnosis with every hop, every finding and every cause: what the page, the doctor and the report show at most. */
function everything(verdict: Verdict = 'fail', name?: string): Diagnosis {
  const p = paramsOf({});
  const findings = (Object.keys(FINDINGS) as FindingCode[]).map((code) => ({ code, params: p }));
  return {
    verdict,
    target: 'http://127.0.0.1:8000',
    ...(name !== undefined ? { name } : {}),
    publicUrl: 'https://docs.example.com',
    checkedAt: '2026-12-06T12:00:00.000Z',
    seconds: 1.5,
    hops: HOP_IDS.map((id, i) => ({
      id,
      verdict: VERDICTS[i % VERDICTS.length]!,
      findings: i === 0 ? findings : [{ code: 'no_data_yet' as FindingCode, params: {} }],
      causes: i === 1 ? [{ id: 'docservice_down' as CauseId, params: {} }] : [],
      ...(i === 2 ? { because: 'docservice' as const } : {}),
    })),
    causes: (Object.keys(CAUSES) as CauseId[]).map((id, i) => ({
      id,
      params: p,
      hop: HOP_IDS[i % HOP_IDS.length]!,
      severity: i % 2 === 0 ? ('fail' as const) : ('warn' as const),
    })),
  };
}

/** Markdown and HTML reduced to the words a reader sees. */
function visible(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<title>/g, '\n')
    .replace(/<[^>]+>/g, '\n')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The surfaces (status page, fleet page, doctor text, daily report) in one language, line by line. */
function surfaces(lang: Lang): { where: string; text: string; fix?: boolean }[] {
  const d = everything();
  const fixLines = new Set(renderJson(d, lang).causes.flatMap((c) => c.fix.map((l) => l.trim())));
  const out: { where: string; text: string; fix?: boolean }[] = [];
  const add = (where: string, text: string) => {
    for (const line of lines(text)) out.push({ where, text: line, ...(fixLines.has(line) ? { fix: true } : {}) });
  };
  add('status page', visible(landingPage(renderJson(d, lang), lang)));
  add('status page, fleet target', visible(landingPage(renderJson(d, lang), lang, 30, { target: 'a' })));
  add('status page, unknown target', visible(landingPage(undefined, lang, 30, { target: 'a', unknownTarget: true })));
  add('status page, not loaded', visible(landingPage(undefined, lang)));
  for (const v of VERDICTS) add(`status page ${v}`, visible(landingPage(renderJson(everything(v), lang), lang)));
  const rows = VERDICTS.map((v, i) => ({
    key: `ds${i}`,
    url: `https://ds${i}.example.com`,
    labels: { site: 'a' },
    verdict: v,
    causes: renderJson(d, lang).causes.map((c) => c.title),
  }));
  add('fleet page', visible(fleetPage(rows, lang)));
  add('doctor text', renderText(d, lang));
  for (const v of VERDICTS) add(`doctor text ${v}`, renderText({ ...everything(v), causes: [] }, lang));
  add(
    'doctor --all summary',
    summaryLine([everything('fail', 'ds1'), everything('ok', 'ds2'), everything('warn')], lang),
  );
  add('doctor --all summary, all well', summaryLine([everything('ok', 'ds1')], lang));
  const trends = {
    filling: [
      { mountpoint: '/var', instance: 'h:9967', days: 3.14 },
      { mountpoint: '/', instance: '', days: 9 },
    ],
    filesystems: 4,
    connections: [
      { mode: 'edit', instance: 'h:9967', peak: 18, limit: 20 },
      { mode: 'view', instance: '', peak: 3 },
    ],
    conversions: [{ instance: 'h:9967', failed: 2 }],
  };
  for (const fleet of [undefined, VERDICTS.map((v, i) => everything(v, `ds${i}`))]) {
    const report = inspectionReport(d, fleet, lang, '2026-12-06 20:00:00 UTC+08:00', trends as never);
    const message = reportMessage(report, { channel: 'dingtalk', limit: 1_000_000, size: () => 0 });
    add('daily report', `${message.title}\n${message.text.replace(/ {2}\n/g, '\n')}\n${report.omitted(3)}`);
  }
  const empty = { filling: [], filesystems: 4, connections: [], conversions: [] };
  add('daily report trends, none', trendLines(empty as never, lang).join('\n'));
  add(
    'daily report trends, error',
    trendLines({ ...empty, error: 'refused: connection refused' } as never, lang).join('\n'),
  );
  return out;
}

/** Robot messages from the built-in template: every snippet, firing and resolved. */
function robotMessages(lang: Lang): { where: string; text: string }[] {
  const template = loadTemplate('default', lang);
  const out: { where: string; text: string }[] = [];
  for (const [name, snippet] of Object.entries(template.snippets) as [SnippetName, string][]) {
    out.push({ where: `template ${name}`, text: visible(snippet.replace(/\{[a-z_]+\}/g, ' ')) });
  }
  for (const text of [...Object.values(template.durationUnits), ...Object.values(template.severityNames)])
    out.push({ where: 'template units and severities', text });
  const alert = (status: 'firing' | 'resolved', n: number) =>
    webhookAlert({
      status,
      labels: {
        alertname: lang === 'zh-CN' ? `告警${n}` : `Alert${n}`,
        severity: n % 2 === 0 ? 'critical' : 'warning',
        instance: '10.0.0.5:9967',
      },
      annotations: {
        summary: '摘要',
        summary_en: 'Summary',
        description: '说明',
        description_en: 'Description',
        runbook_url: 'https://wiki.example.com/r',
      },
      startsAt: '2026-12-06T12:00:00Z',
      ...(status === 'resolved' ? { endsAt: '2026-12-06T13:01:02Z' } : {}),
      generatorURL: 'http://prometheus.example:9090/graph',
    });
  const alerts = parseWebhookPayload(
    webhookPayload([alert('firing', 1), alert('firing', 2), alert('resolved', 3), alert('firing', 4)]),
    1000,
  ).alerts;
  for (const channel of ['dingtalk', 'wecom'] as const) {
    const message = renderMessage(alerts, 5, {
      channel,
      template,
      language: lang,
      timeZone: 'Asia/Shanghai',
      labels: [],
      mentionText: '',
      mentionResolved: false,
    });
    out.push({ where: `robot title ${channel}`, text: message.title });
    for (const line of lines(visible(message.text).replace(/ {2}$/gm, ''))) {
      // What the alert carries (its names and annotations) is the alert's text, not the template's.
      out.push({ where: `robot ${channel}`, text: line.replace(/Summary|Description/g, '') });
    }
  }
  return out;
}

function problemsOf(lang: Lang, texts: { where: string; text: string; fix?: boolean }[]): string[] {
  return texts.flatMap(({ where, text, fix }) => {
    const prose = fix ? fixProse(text) : text;
    if (prose === undefined) return [];
    return lang === 'zh-CN' ? zhProblems(where, prose) : enProblems(where, prose);
  });
}

describe('zh-CN reads native, English stays English', () => {
  test('the checker sees the known faults', () => {
    expect(foreignWords('version 命令：error 0')).toEqual(['error']);
    expect(foreignWords('https://x/：没有 no HTTP answer（7 ms）')).toEqual(['no', 'answer']);
    expect(fixProse('docker start onlyoffice-postgresql   # or: systemctl start postgresql')).toBe('or: ');
    expect(fixProse('docker start onlyoffice-postgresql   # 或：systemctl start postgresql')).toBe('或：');
    expect(fixProse('curl -sS http://127.0.0.1:9967/-/reload')).toBeUndefined();
    expect(foreignWords('or: systemctl start postgresql')).toEqual(['or', 'systemctl', 'start', 'postgresql']);
    expect(foreignWords('或：`systemctl start postgresql`')).toEqual([]);
    expect(halfWidthPunctuation('1. [磁盘] 快满了 (警告)')).toEqual(['了 (', '告)']);
    expect(halfWidthPunctuation('时间: 2026')).toEqual(['间:']);
    expect(halfWidthPunctuation('http://x/doc/ (WebSocket)：HTTP 101')).toEqual([' (WebSocket)']);
    expect(
      foreignWords('`docker logs` “Exited too quickly” 警告（WARN） documentserver.url onlyoffice_up ds:docservice'),
    ).toEqual([]);
    expect(foreignWords('[FAIL] docservice')).toEqual(['FAIL']);
    expect(foreignWords('[FAILED] FAIL')).toEqual(['FAILED', 'FAIL']);
  });

  test('every doctor message (findings, causes, fixes, hop names, verdicts) in zh-CN', () => {
    expect(problemsOf('zh-CN', tableTexts('zh-CN'))).toEqual([]);
  });

  test('every doctor message in English has no Chinese', () => {
    expect(problemsOf('en', tableTexts('en'))).toEqual([]);
  });

  test.each(['zh-CN', 'en'] as const)('status page, fleet page, doctor text and daily report in %s', (lang) => {
    expect(problemsOf(lang, surfaces(lang))).toEqual([]);
  });

  test.each(['zh-CN', 'en'] as const)('robot alert messages of the built-in template in %s', (lang) => {
    expect(problemsOf(lang, robotMessages(lang))).toEqual([]);
  });

  test('the terms are the native ones: 响应, 链路逐段检查, never 应答 or 逐跳', () => {
    const all = [...tableTexts('zh-CN'), ...surfaces('zh-CN'), ...robotMessages('zh-CN')].map((x) => x.text).join('\n');
    expect(all).not.toMatch(/应答|逐跳|的应答/);
    expect(all).toContain('链路逐段检查');
  });
});
