import { picker } from '../doctor/i18n.js';
import { VERDICT_TOKENS, VERDICT_WORDS } from '../doctor/messages.js';
import type { RenderedDiagnosis } from '../doctor/render.js';
import type { Lang } from '../doctor/i18n.js';
import { worst, type Verdict } from '../doctor/model.js';
import { EXPORTER_VERSION } from '../version.js';

export const REFRESH_SECONDS = 30;

/** `?refresh=N` seconds, within bounds; the default otherwise. */
export function refreshSeconds(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 2 && n <= 3600 ? n : REFRESH_SECONDS;
}

const escape = (text: string | number) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const COLORS: Record<Verdict, { bg: string; fg: string }> = {
  ok: { bg: '#e6f4ea', fg: '#137333' },
  warn: { bg: '#fef7e0', fg: '#8a5a00' },
  fail: { bg: '#fce8e6', fg: '#a50e0e' },
  unknown: { bg: '#f3e8fd', fg: '#681da8' },
  skipped: { bg: '#f1f3f4', fg: '#5f6368' },
};

const TEXT = {
  title: { 'zh-CN': 'ONLYOFFICE Docs 状态', en: 'ONLYOFFICE Docs status' },
  verdict: {
    'zh-CN': {
      ok: '所有检查都通过',
      warn: '有需要关注的问题',
      fail: '有环节不可用',
      unknown: '部分检查无法完成',
      skipped: '所有检查都通过',
    },
    en: {
      ok: 'All is well',
      warn: 'Warnings',
      fail: 'Something is broken',
      unknown: 'Some checks could not run',
      skipped: 'All is well',
    },
  },
  checked: { 'zh-CN': '检查时间', en: 'Checked at' },
  refresh: { 'zh-CN': (n: number) => `每 ${n} 秒自动刷新`, en: (n: number) => `refreshes every ${n} s` },
  hops: { 'zh-CN': '链路逐段检查', en: 'Hop by hop' },
  causes: { 'zh-CN': '原因与处理方法', en: 'Causes and fixes' },
  fix: { 'zh-CN': '处理方法', en: 'How to fix' },
  cause: { 'zh-CN': '问题出在', en: 'caused by' },
  colon: { 'zh-CN': '：', en: ': ' },
  took: { 'zh-CN': (s: number) => `（耗时 ${s} 秒）`, en: (s: number) => ` (${s} s)` },
  sd: { 'zh-CN': '/sd（Prometheus 的 http_sd_configs）', en: '/sd (Prometheus http_sd_configs)' },
  notLoaded: { 'zh-CN': '配置尚未加载', en: 'configuration not loaded' },
  endpoints: { 'zh-CN': '接口', en: 'Endpoints' },
  doctor: {
    'zh-CN': '在命令行运行同样的诊断：npm run doctor（容器内：doctor）',
    en: 'The same diagnosis on the command line: npm run doctor (in the image: doctor)',
  },
  fleetDoctor: {
    'zh-CN': '在命令行运行同样的诊断：npm run doctor -- --all，或 --target=名称（容器内：doctor）',
    en: 'The same diagnosis on the command line: npm run doctor -- --all, or --target=NAME (in the image: doctor)',
  },
  fleet: { 'zh-CN': (n: number) => `集群共 ${n} 个 DocumentServer`, en: (n: number) => `DocumentServer fleet: ${n}` },
  fleetIndex: { 'zh-CN': '← 集群总览', en: '← fleet overview' },
  local: {
    'zh-CN': '本机 DocumentServer（documentserver.url，/metrics）',
    en: "This host's DocumentServer (documentserver.url, /metrics)",
  },
  unknownTarget: { 'zh-CN': '这个目标不在 probe.targets 中', en: 'this target is not in probe.targets' },
  seenAsProbe: {
    'zh-CN': '从导出器经 /probe 看到的检查：代理、docservice、/healthcheck、JWT 与证书。',
    en: 'What the exporter sees of it through /probe: proxy, docservice, /healthcheck, JWT and certificates.',
  },
  fleetColumns: {
    'zh-CN': ['状态', 'DocumentServer', '标签', '原因'],
    en: ['Verdict', 'DocumentServer', 'Labels', 'Causes'],
  },
} as const;

/** A verdict as a badge: the word in zh-CN, the stable token (OK, FAIL …) in English, where it is the word. */
function badge(verdict: Verdict, lang: Lang): string {
  return lang === 'zh-CN' ? VERDICT_WORDS[verdict]({}, picker(lang)) : VERDICT_TOKENS[verdict];
}

/** Which page: the local DS (`/` or `/?local=1`), or a fleet target (`/?target=`). */
export interface PageOptions {
  target?: string;
  unknownTarget?: boolean;
  local?: boolean;
}

function query(options: PageOptions, lang: Lang, refresh: number): string {
  const parts = [
    ...(options.target !== undefined ? [`target=${encodeURIComponent(options.target)}`] : []),
    ...(options.local ? ['local=1'] : []),
    `lang=${lang}`,
    ...(refresh === REFRESH_SECONDS ? [] : [`refresh=${refresh}`]),
  ];
  return `/?${parts.join('&amp;')}`;
}

/**
 * The page at `/`: the doctor's diagnosis of the configured DocumentServer, hop by hop, refreshing itself.
 * Self-contained (no script, no external asset) and secret-free: URLs arrive redacted, nothing else is shown.
 */
export function landingPage(
  diagnosis: RenderedDiagnosis | undefined,
  lang: Lang,
  refresh = REFRESH_SECONDS,
  options: PageOptions = {},
): string {
  const missing = options.unknownTarget ? TEXT.unknownTarget[lang] : TEXT.notLoaded[lang];
  let body = diagnosis === undefined ? `<p class="banner skipped">${escape(missing)}</p>` : report(diagnosis, lang);
  if (options.target !== undefined && !options.unknownTarget)
    body = `<p class="meta">${escape(TEXT.seenAsProbe[lang])}</p>\n${body}`;
  if (options.target !== undefined || options.local)
    body = `<p class="meta"><a href="/?lang=${lang}">${escape(TEXT.fleetIndex[lang])}</a></p>\n${body}`;
  return page(diagnosis ? `${badge(diagnosis.verdict, lang)} · ` : '', body, lang, refresh, options, TEXT.doctor[lang]);
}

/** One line of the fleet index. */
export interface FleetRow {
  key: string;
  url: string;
  labels: Readonly<Record<string, string>>;
  verdict: Verdict;
  causes: string[];
}

/** The page at `/` when probe.targets is configured: one line per DocumentServer with its verdict, linking to its diagnosis. */
export function fleetPage(rows: readonly FleetRow[], lang: Lang, refresh = REFRESH_SECONDS): string {
  const overall = worst(rows.map((row) => row.verdict));
  const head = TEXT.fleetColumns[lang].map((c) => `<th>${escape(c)}</th>`).join('');
  const lines = rows
    .map(
      (row) =>
        `<tr data-target="${escape(row.key)}" data-verdict="${row.verdict}">` +
        `<td><span class="badge ${row.verdict}">${badge(row.verdict, lang)}</span></td>` +
        `<td><a href="/?target=${encodeURIComponent(row.key)}&amp;lang=${lang}">${escape(row.key)}</a>` +
        `${row.key === row.url ? '' : ` <code>${escape(row.url)}</code>`}</td>` +
        `<td>${Object.entries(row.labels)
          .map(([k, v]) => `<code>${escape(k)}=${escape(v)}</code>`)
          .join(' ')}</td>` +
        `<td><ul>${row.causes.map((c) => `<li>${escape(c)}</li>`).join('')}</ul></td></tr>`,
    )
    .join('\n');
  const body = `<p class="banner ${overall}" id="verdict">${badge(overall, lang)} · ${escape(TEXT.fleet[lang](rows.length))}</p>
<table id="fleet">
<tr>${head}</tr>
${lines}
</table>
<p class="meta"><a href="/?local=1&amp;lang=${lang}">${escape(TEXT.local[lang])}</a></p>`;
  return page(`${badge(overall, lang)} · `, body, lang, refresh, {}, TEXT.fleetDoctor[lang]);
}

function page(
  titlePrefix: string,
  body: string,
  lang: Lang,
  refresh: number,
  options: PageOptions,
  doctor: string,
): string {
  const other: Lang = lang === 'zh-CN' ? 'en' : 'zh-CN';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${refresh}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(titlePrefix)}${escape(TEXT.title[lang])}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#202124}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.meta{color:#5f6368;font-size:.9rem}.meta a{color:inherit}
.banner{padding:.8rem 1rem;border-radius:6px;font-size:1.2rem;font-weight:600}
table{border-collapse:collapse;width:100%}th{text-align:left;padding:.45rem .4rem}td{border-top:1px solid #e0e0e0;padding:.45rem .4rem;vertical-align:top}
.badge{display:inline-block;min-width:5.5rem;text-align:center;border-radius:4px;padding:.1rem .3rem;font-weight:600;font-size:.85rem}
.hop{font-weight:600;white-space:nowrap}ul{margin:0;padding-left:1.1rem}li{margin:.1rem 0}
.because,.likely{color:#5f6368}.cause{border-left:4px solid;padding:.2rem .9rem;margin:.8rem 0}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;font-size:.85rem;border-radius:4px}
${(Object.keys(COLORS) as Verdict[]).map((v) => `.${v}{background:${COLORS[v].bg};color:${COLORS[v].fg};border-color:${COLORS[v].fg}}`).join('\n')}
</style></head><body>
<h1>${escape(TEXT.title[lang])}</h1>
<p class="meta">onlyoffice-exporter ${escape(EXPORTER_VERSION)} · ${escape(TEXT.refresh[lang](refresh))} · <a href="${query(options, other, refresh)}" hreflang="${other}">${other === 'en' ? 'English' : '中文'}</a></p>
${body}
<h2>${escape(TEXT.endpoints[lang])}</h2>
<ul class="meta">
<li><a href="/metrics">/metrics</a> · <a href="/probe?target=">/probe?target=URL</a> · <a href="/status.json?lang=${lang}">/status.json</a> · <a href="/-/healthy">/-/healthy</a> · <a href="/-/ready">/-/ready</a></li>
<li>${escape(TEXT.sd[lang])}</li>
<li>${escape(doctor)}</li>
</ul>
</body></html>
`;
}

function report(d: RenderedDiagnosis, lang: Lang): string {
  const name = d.name === undefined ? '' : `<strong>${escape(d.name)}</strong> `;
  const hopName = new Map(d.hops.map((h) => [h.id, h.name]));
  const rows = d.hops
    .map((h) => {
      const items = h.findings.map((f) => `<li>${escape(f.text)}</li>`);
      if (h.because !== undefined)
        items.push(
          `<li class="because">→ ${escape(TEXT.cause[lang])}${TEXT.colon[lang]}${escape(hopName.get(h.because) ?? h.because)}</li>`,
        );
      if (h.verdict !== 'ok') for (const c of h.causes) items.push(`<li class="likely">→ ${escape(c.title)}</li>`);
      return `<tr data-hop="${h.id}" data-verdict="${h.verdict}"><td><span class="badge ${h.verdict}">${badge(h.verdict, lang)}</span></td><td class="hop">${escape(h.name)}</td><td><ul>${items.join('')}</ul></td></tr>`;
    })
    .join('\n');
  const causes = d.causes
    .map(
      (c) => `<div class="cause ${c.severity}" data-cause="${c.id}">
<p><strong>${escape(hopName.get(c.hop) ?? c.hop)}${TEXT.colon[lang]}${escape(c.title)}</strong></p>
<p>${escape(c.why)}</p>
<p>${escape(TEXT.fix[lang])}${TEXT.colon[lang]}</p>
<pre>${c.fix.map(escape).join('\n')}</pre>
</div>`,
    )
    .join('\n');
  return `<p class="banner ${d.verdict}" id="verdict">${badge(d.verdict, lang)} · ${escape(TEXT.verdict[lang][d.verdict])}</p>
<p class="meta">DocumentServer ${name}<code>${escape(d.target)}</code>${d.publicUrl !== undefined ? ` · <code>${escape(d.publicUrl)}</code>` : ''} · ${escape(TEXT.checked[lang])} <time datetime="${escape(d.checkedAt)}">${escape(d.checkedAtLocal)}</time>${escape(TEXT.took[lang](d.seconds))}</p>
${causes === '' ? '' : `<h2>${escape(TEXT.causes[lang])}</h2>\n${causes}`}
<h2>${escape(TEXT.hops[lang])}</h2>
<table>
${rows}
</table>`;
}
