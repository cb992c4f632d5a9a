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
  checkedAt: string;
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

export function renderJson(diagnosis: Diagnosis, lang: Lang): RenderedDiagnosis {
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

const COLORS: Record<Verdict, string> = { ok: '\x1b[32m', warn: '\x1b[33m', fail: '\x1b[31m', unknown: '\x1b[35m', skipped: '\x1b[2m' };
const RESET = '\x1b[0m';

/** The report a person reads in a terminal or a cron mail. */
export function renderText(diagnosis: Diagnosis, lang: Lang, options: { color?: boolean } = {}): string {
  const t = picker(lang);
  const r = renderJson(diagnosis, lang);
  const token = (v: Verdict) => {
    const text = `[${VERDICT_TOKENS[v]}]`.padEnd(10);
    return options.color ? `${COLORS[v]}${text}${RESET}` : text;
  };
  const lines: string[] = [];
  lines.push(t('ONLYOFFICE Docs 诊断报告', 'ONLYOFFICE Docs diagnosis'));
  lines.push(`${t('时间', 'Checked at')}: ${r.checkedAt}  (${r.seconds} s)   onlyoffice-exporter ${r.exporterVersion}`);
  const name = r.name !== undefined ? `${r.name} ` : '';
  lines.push(`DocumentServer: ${name}${r.target}${r.publicUrl !== undefined ? `   ${t('公开地址', 'public URL')}: ${r.publicUrl}` : ''}`);
  lines.push('');
  for (const hop of r.hops) {
    lines.push(`${token(hop.verdict)}${hop.name}`);
    for (const f of hop.findings) lines.push(`${' '.repeat(10)}${f.text}`);
    if (hop.because !== undefined) lines.push(`${' '.repeat(10)}→ ${t('原因在', 'caused by')}: ${HOP_NAMES[hop.because as Hop['id']]({}, t)}`);
    for (const c of hop.causes) if (hop.verdict !== 'ok') lines.push(`${' '.repeat(10)}→ ${t('可能原因', 'likely cause')}: ${c.title}`);
  }
  lines.push('');
  lines.push(`${t('结论', 'Verdict')}: ${token(r.verdict).trim()} ${VERDICT_WORDS[r.verdict]({}, t)}`);
  if (r.causes.length === 0) {
    lines.push(r.verdict === 'ok' || r.verdict === 'skipped' ? t('所有已配置的检查都正常。', 'Every configured check passed.') : '');
  }
  r.causes.forEach((c, i) => {
    lines.push('');
    lines.push(`${i + 1}. [${HOP_NAMES[c.hop as Hop['id']]({}, t)}] ${c.title}${c.severity === 'warn' ? ` (${t('警告', 'warning')})` : ''}`);
    lines.push(`   ${c.why}`);
    lines.push(`   ${t('处理方法', 'How to fix')}:`);
    for (const command of c.fix) lines.push(`     ${command}`);
  });
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

function title(c: CauseRef, t: Pick): string {
  return CAUSES[c.id].title(c.params, t);
}

/** The last line of --all: the fleet's worst verdict, how many targets had each, and which were not OK. */
export function summaryLine(diagnoses: readonly Diagnosis[], lang: Lang): string {
  const counts: Record<string, number> = {};
  for (const d of diagnoses) counts[d.verdict] = (counts[d.verdict] ?? 0) + 1;
  const verdict = worst(diagnoses.map((d) => d.verdict));
  const zh = lang === 'zh-CN';
  const parts = Object.entries(counts).map(([v, n]) => `${n} ${VERDICT_TOKENS[v as Diagnosis['verdict']]}`).join(', ');
  const bad = diagnoses.filter((d) => d.verdict !== 'ok' && d.verdict !== 'skipped').map((d) => `${d.name ?? d.target} ${VERDICT_TOKENS[d.verdict]}`);
  const fleet = zh ? `集群共 ${diagnoses.length} 个 DocumentServer` : `Fleet: ${counted(diagnoses.length, 'DocumentServer')}`;
  return `${fleet}: ${parts} -> ${VERDICT_TOKENS[verdict]}${bad.length > 0 ? ` (${bad.join('; ')})` : ''}`;
}
