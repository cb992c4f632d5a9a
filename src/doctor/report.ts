import { counted, picker, type Lang } from './i18n.js';
import { errorText, HOP_NAMES, VERDICT_TOKENS, VERDICT_WORDS } from './messages.js';
import { worst, type Diagnosis, type HopId, type Verdict } from './model.js';
import { renderJson } from './render.js';
import type { Trends } from './trends.js';

const MARKS: Record<Verdict, string> = { ok: '✅', warn: '⚠️', fail: '❌', unknown: '❔', skipped: '➖' };
const RANK: Record<Verdict, number> = { fail: 0, unknown: 1, warn: 2, ok: 3, skipped: 4 };

/** The daily inspection report in parts (notify's ReportContent): what a chat message shows of a diagnosis. */
export interface InspectionReport {
  readonly verdict: Verdict;
  readonly title: string;
  readonly head: string[];
  readonly items: string[];
  readonly fine?: string;
  readonly trends?: string[];
  readonly fleetHeader?: string;
  readonly fleet: string[];
  readonly omitted: (count: number) => string;
}

/**
 * The verdict first (the worst of documentserver and the fleet); then each hop that fails, warns or could not be checked,
 * with its cause and the first line of its fix; one line naming the hops that are fine; with probe.targets, a line per
 * target. `checkedAt` is the time as the reader's zone shows it.
 */
const EN_PLURAL = { warn: 'warnings', fail: 'failures' } as const;

export function inspectionReport(
  diagnosis: Diagnosis,
  fleet: readonly Diagnosis[] | undefined,
  lang: Lang,
  checkedAt: string,
  trends?: Trends,
): InspectionReport {
  const t = picker(lang);
  const r = renderJson(diagnosis, lang);
  const verdict = worst([diagnosis.verdict, ...(fleet ?? []).map((d) => d.verdict)]);
  const word = (v: Verdict) => VERDICT_WORDS[v]({}, t);
  const head = [
    t(
      `**结论：${MARKS[verdict]} ${word(verdict)}（${VERDICT_TOKENS[verdict]}）**`,
      `**Verdict: ${MARKS[verdict]} ${word(verdict)} (${VERDICT_TOKENS[verdict]})**`,
    ),
    `${t('检查时间', 'Checked at')}${t('：', ': ')}${checkedAt}`,
    `DocumentServer${t('：', ': ')}${r.name !== undefined ? `${r.name} ` : ''}${r.target} ${MARKS[diagnosis.verdict]} ${word(diagnosis.verdict)}`,
  ];
  const items: string[] = [];
  for (const hop of r.hops) {
    if (hop.verdict !== 'fail' && hop.verdict !== 'warn' && hop.verdict !== 'unknown') continue;
    const cause = r.causes.find((c) => c.hop === hop.id);
    const upstream = hop.because !== undefined ? HOP_NAMES[hop.because as HopId]({}, t) : undefined;
    const because = upstream !== undefined ? t(`因为 ${upstream} 不可用`, `because ${upstream} is down`) : undefined;
    const what = cause?.title ?? hop.causes[0]?.title ?? because ?? hop.findings[0]?.text ?? word(hop.verdict);
    const lines = [`- ${MARKS[hop.verdict]} **${hop.name}**${t('：', ': ')}${what}`];
    const fix = firstFix(cause?.fix ?? []);
    if (fix !== undefined) {
      const command = fix.command.includes('`') ? fix.command : `\`${fix.command}\``;
      lines.push(
        `  ${t('处理', 'Fix')}${t('：', ': ')}${command}${fix.context !== undefined ? ` — ${fix.context}` : ''}`,
      );
    }
    items.push(lines.join('\n'));
  }
  const fineHops = r.hops.filter((hop) => hop.verdict === 'ok').map((hop) => hop.name);
  const fine =
    fineHops.length > 0 ? `${MARKS.ok} ${t('正常', 'Fine')}${t('：', ': ')}${fineHops.join(t('、', ', '))}` : undefined;
  const rows = [...(fleet ?? [])]
    .sort((a, b) => RANK[a.verdict] - RANK[b.verdict])
    .map((d) => {
      const first = d.causes[0] !== undefined ? renderJson(d, lang).causes[0]!.title : undefined;
      return `- ${MARKS[d.verdict]} ${d.name ?? d.target}${t('：', ': ')}${word(d.verdict)}${first !== undefined ? t(`（${first}）`, ` (${first})`) : ''}`;
    });
  const counts = (fleet ?? []).reduce<Record<string, number>>(
    (acc, d) => ({ ...acc, [d.verdict]: (acc[d.verdict] ?? 0) + 1 }),
    {},
  );
  // English nouns take the plural ("2 failures"); OK, unknown and not configured read the same.
  const countWord = (v: Verdict, n: number) =>
    lang === 'en' && n !== 1 && v in EN_PLURAL ? EN_PLURAL[v as keyof typeof EN_PLURAL] : word(v);
  const countText = (['fail', 'unknown', 'warn', 'ok', 'skipped'] as const)
    .filter((v) => counts[v] !== undefined)
    .map((v) => t(`${word(v)} ${counts[v]} 个`, `${counts[v]} ${countWord(v, counts[v]!)}`));
  return {
    verdict,
    title: t(
      `ONLYOFFICE Docs 每日巡检：${MARKS[verdict]} ${word(verdict)}`,
      `ONLYOFFICE Docs daily inspection: ${MARKS[verdict]} ${word(verdict)}`,
    ),
    head,
    items,
    ...(fine !== undefined ? { fine } : {}),
    ...(trends !== undefined ? { trends: trendLines(trends, lang) } : {}),
    ...(fleet !== undefined && fleet.length > 0
      ? {
          fleetHeader: t(
            `**集群共 ${fleet.length} 个 DocumentServer**：${countText.join('，')}`,
            `**Fleet of ${counted(fleet.length, 'DocumentServer')}**: ${countText.join(', ')}`,
          ),
        }
      : {}),
    fleet: rows,
    omitted: (count) =>
      t(
        `……另有 ${count} 项未列出（消息长度限制），详见状态页或 npm run doctor`,
        `… ${count} more not shown (message size limit); see the status page or npm run doctor`,
      ),
  };
}

/** The first fix line that is not a comment, with the comment heading it ("# Docker ...") as its context. */
function firstFix(fix: readonly string[]): { command: string; context?: string } | undefined {
  const index = fix.findIndex((line) => !line.trimStart().startsWith('#'));
  if (index < 0) return fix[0] !== undefined ? { command: fix[0] } : undefined;
  const heading =
    index > 0
      ? fix[index - 1]!.trim()
          .replace(/^#+\s*/, '')
          .replace(/[:：]$/, '')
      : undefined;
  return { command: fix[index]!, ...(heading !== undefined && heading !== '' ? { context: heading } : {}) };
}

/** The connections' mode label (edit, view) in Chinese; another value stays as it is. */
function modeName(mode: string, lang: Lang): string {
  const t = picker(lang);
  return mode === 'edit' ? t('编辑', 'edit') : mode === 'view' ? t('查看', 'view') : `${mode} `;
}

// Each kind of trend shows at most this many lines: the soonest-full filesystems, and so on.
const MAX_TREND_LINES = 5;

/** The day's trends as report lines (notify.report.prometheus_url). */
export function trendLines(trends: Trends, lang: Lang): string[] {
  const t = picker(lang);
  const colon = t('：', ': ');
  const lines = [t('**过去 24 小时的趋势**（Prometheus）', '**Trends of the last 24 hours** (Prometheus)')];
  if (trends.error !== undefined)
    return [
      ...lines,
      `- ${t('无法查询 Prometheus', 'Prometheus could not be queried')}${colon}${errorText({ error: trends.error }, t)}`,
    ];
  const at = (instance: string) => (instance === '' ? '' : t(`（${instance}）`, ` (${instance})`));
  const days = (value: number) => Math.round(value * 10) / 10;
  const disk = t('磁盘', 'Disk');
  for (const f of trends.filling.slice(0, MAX_TREND_LINES)) {
    const left = t(`按此速度约 ${days(f.days)} 天后写满`, `full in about ${counted(days(f.days), 'day')} at this pace`);
    lines.push(`- ${disk} ${f.mountpoint}${at(f.instance)}${colon}${left}`);
  }
  if (trends.filling.length === 0) {
    lines.push(
      `- ${disk}${colon}${t(`${trends.filesystems} 个文件系统都没有在变满`, trends.filesystems === 0 ? 'no filesystem reported' : trends.filesystems === 1 ? 'the one filesystem is not filling up' : `none of ${trends.filesystems} filesystems is filling up`)}`,
    );
  }
  const peak = t('连接峰值', 'Peak connections');
  for (const c of trends.connections.slice(0, MAX_TREND_LINES)) {
    const percent = c.limit !== undefined ? Math.round((c.peak / c.limit) * 100) : undefined;
    const share =
      percent !== undefined
        ? `${c.peak} / ${c.limit}${t(`（许可证的 ${percent}%）`, ` (${percent}% of the license)`)}`
        : `${c.peak}`;
    lines.push(
      `- ${t(`${modeName(c.mode, lang)}连接峰值`, `Peak ${c.mode} connections`)}${at(c.instance)}${colon}${share}`,
    );
  }
  if (trends.connections.length === 0) lines.push(`- ${peak}${colon}${t('没有数据', 'no data')}`);
  const failed = t('失败的测试转换', 'Failed test conversions');
  for (const c of trends.conversions.slice(0, MAX_TREND_LINES))
    lines.push(`- ${failed}${at(c.instance)}${colon}${c.failed}`);
  if (trends.conversions.length === 0) {
    lines.push(
      `- ${failed}${colon}${t('未配置测试转换（conversion_probe）', 'no test conversion configured (conversion_probe)')}`,
    );
  }
  return lines;
}
