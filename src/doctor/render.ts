import { DEFAULT_TIME_ZONE } from '../config/sections/notify.js';
import { formatTime } from '../lib/time.js';
import { EXPORTER_VERSION } from '../version.js';
import { CAUSES } from './causes.js';
import { counted, picker, type Lang, type Pick } from './i18n.js';
import { FINDINGS, HOP_NAMES, VERDICT_TOKENS, VERDICT_WORDS } from './messages.js';
import { exitCodeOf, worst, type CauseRef, type Diagnosis, type Hop, type Verdict } from './model.js';

/** The diagnosis with every text rendered in one language: what `--format=json` prints and `/status.json` serves. */
export interface RenderedDiagnosis {
  verdict: Verdict;
  exitCode: number;
  lang: Lang;
  exporterVersion: string;
  target: string;
  name?: string;
  publicUrl?: string;
  /** ISO 8601, UTC: for scripts. */
  checkedAt: string;
  /** The same time in notify.timezone with its offset ("2026-12-06 20:00:00 UTC+08:00"): what people are shown. */
  checkedAtLocal: string;
  seconds: number;
  hops: {
    id: string;
    name: string;
    verdict: Verdict;
    because?: string;
    findings: { code: string; params: Record<string, string | number>; text: string }[];
    causes: { id: string; title: string }[];
  }[];
  causes: { id: string; hop: string; severity: 'fail' | 'warn'; title: string; why: string; fix: string[] }[];
}

/** How a diagnosis is shown: times in `timeZone` (notify.timezone). */
export interface RenderOptions {
  timeZone?: string | undefined;
}

export function renderJson(diagnosis: Diagnosis, lang: Lang, options: RenderOptions = {}): RenderedDiagnosis {
  const t = picker(lang);
  return {
    verdict: diagnosis.verdict,
    exitCode: exitCodeOf(diagnosis.verdict),
    lang,
    exporterVersion: EXPORTER_VERSION,
    target: diagnosis.target,
    ...(diagnosis.name !== undefined ? { name: diagnosis.name } : {}),
    ...(diagnosis.publicUrl !== undefined ? { publicUrl: diagnosis.publicUrl } : {}),
    checkedAt: diagnosis.checkedAt,
    checkedAtLocal: formatTime(Date.parse(diagnosis.checkedAt), options.timeZone ?? DEFAULT_TIME_ZONE),
    seconds: diagnosis.seconds,
    hops: diagnosis.hops.map((hop) => ({
      id: hop.id,
      name: HOP_NAMES[hop.id]({}, t),
      verdict: hop.verdict,
      ...(hop.because !== undefined ? { because: hop.because } : {}),
      findings: hop.findings.map((f) => ({ code: f.code, params: f.params, text: FINDINGS[f.code](f.params, t) })),
      causes: hop.causes.map((c) => ({ id: c.id, title: title(c, t) })),
    })),
    causes: diagnosis.causes.map((c) => ({
      id: c.id,
      hop: c.hop,
      severity: c.severity,
      title: title(c, t),
      why: CAUSES[c.id].why(c.params, t),
      fix: CAUSES[c.id].fix(c.params, t),
    })),
  };
}

const COLORS: Record<Verdict, string> = {
  ok: '\x1b[32m',
  warn: '\x1b[33m',
  fail: '\x1b[31m',
  unknown: '\x1b[35m',
  skipped: '\x1b[2m',
};
const RESET = '\x1b[0m';

/** The report a person reads in a terminal or a cron mail. */
export function renderText(
  diagnosis: Diagnosis,
  lang: Lang,
  options: RenderOptions & { color?: boolean } = {},
): string {
  const t = picker(lang);
  const r = renderJson(diagnosis, lang, options);
  const colon = t('：', ': ');
  // The verdict of each hop as a badge: the word in zh-CN (a Chinese character is two columns wide), the token in English.
  const width = lang === 'zh-CN' ? 12 : 10;
  const indent = ' '.repeat(width);
  const badge = (v: Verdict) => {
    const text = lang === 'zh-CN' ? `[${VERDICT_WORDS[v]({}, t)}]` : `[${VERDICT_TOKENS[v]}]`;
    const padded = text + ' '.repeat(Math.max(1, width - displayWidth(text)));
    return options.color ? `${COLORS[v]}${padded}${RESET}` : padded;
  };
  const lines: string[] = [];
  lines.push(t('ONLYOFFICE Docs 诊断报告', 'ONLYOFFICE Docs diagnosis'));
  lines.push(
    `${t('检查时间', 'Checked at')}${colon}${r.checkedAtLocal}${t(`（耗时 ${r.seconds} 秒）`, ` (${r.seconds} s)`)}   onlyoffice-exporter ${r.exporterVersion}`,
  );
  const name = r.name !== undefined ? `${r.name} ` : '';
  lines.push(
    `DocumentServer${colon}${name}${r.target}${r.publicUrl !== undefined ? `   ${t('公开地址', 'public URL')}${colon}${r.publicUrl}` : ''}`,
  );
  lines.push('');
  for (const hop of r.hops) {
    lines.push(`${badge(hop.verdict)}${hop.name}`);
    for (const f of hop.findings) lines.push(`${indent}${f.text}`);
    if (hop.because !== undefined)
      lines.push(`${indent}→ ${t('问题出在', 'caused by')}${colon}${HOP_NAMES[hop.because as Hop['id']]({}, t)}`);
    for (const c of hop.causes)
      if (hop.verdict !== 'ok') lines.push(`${indent}→ ${t('可能原因', 'likely cause')}${colon}${c.title}`);
  }
  lines.push('');
  // The conclusion keeps the stable token (cron mail, grep) in both languages.
  const verdictToken = `[${VERDICT_TOKENS[r.verdict]}]`;
  const colored = (text: string) => (options.color ? `${COLORS[r.verdict]}${text}${RESET}` : text);
  lines.push(
    t(
      `结论：${colored(VERDICT_WORDS[r.verdict]({}, t))}（${VERDICT_TOKENS[r.verdict]}）`,
      `Verdict: ${colored(verdictToken)} ${VERDICT_WORDS[r.verdict]({}, t)}`,
    ),
  );
  if (r.causes.length === 0) {
    lines.push(
      r.verdict === 'ok' || r.verdict === 'skipped'
        ? t('所有已配置的检查都正常。', 'Every configured check passed.')
        : '',
    );
  }
  r.causes.forEach((c, i) => {
    lines.push('');
    const hop = HOP_NAMES[c.hop as Hop['id']]({}, t);
    lines.push(
      t(
        `${i + 1}. 【${hop}】${c.severity === 'warn' ? '警告：' : ''}${c.title}`,
        `${i + 1}. [${hop}] ${c.title}${c.severity === 'warn' ? ' (warning)' : ''}`,
      ),
    );
    lines.push(`   ${c.why}`);
    lines.push(`   ${t('处理方法', 'How to fix')}${colon}`);
    for (const command of c.fix) lines.push(`     ${command}`);
  });
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** Terminal columns: CJK and full-width characters take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const c of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(c)
      ? 2
      : 1;
  return width;
}

function title(c: CauseRef, t: Pick): string {
  return CAUSES[c.id].title(c.params, t);
}

/** The last line of --all: the fleet's worst verdict, how many targets had each, and which were not OK. */
export function summaryLine(diagnoses: readonly Diagnosis[], lang: Lang): string {
  const counts: Record<string, number> = {};
  for (const d of diagnoses) counts[d.verdict] = (counts[d.verdict] ?? 0) + 1;
  const verdict = worst(diagnoses.map((d) => d.verdict));
  const bad = diagnoses.filter((d) => d.verdict !== 'ok' && d.verdict !== 'skipped');
  if (lang === 'zh-CN') {
    const t = picker(lang);
    const parts = (['fail', 'unknown', 'warn', 'ok', 'skipped'] as const)
      .filter((v) => counts[v] !== undefined)
      .map((v) => `${VERDICT_WORDS[v]({}, t)} ${counts[v]} 个`)
      .join('，');
    const named = bad.map((d) => `${d.name ?? d.target}（${VERDICT_WORDS[d.verdict]({}, t)}）`).join('、');
    return `集群共 ${diagnoses.length} 个 DocumentServer：${parts} → ${VERDICT_WORDS[verdict]({}, t)}（${VERDICT_TOKENS[verdict]}）${bad.length > 0 ? `；有问题的：${named}` : ''}`;
  }
  const parts = Object.entries(counts)
    .map(([v, n]) => `${n} ${VERDICT_TOKENS[v as Diagnosis['verdict']]}`)
    .join(', ');
  const named = bad.map((d) => `${d.name ?? d.target} ${VERDICT_TOKENS[d.verdict]}`);
  return `Fleet: ${counted(diagnoses.length, 'DocumentServer')}: ${parts} -> ${VERDICT_TOKENS[verdict]}${named.length > 0 ? ` (${named.join('; ')})` : ''}`;
}
