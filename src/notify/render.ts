import { compareStrings } from '../lib/compare.js';
import type { Alert } from './payload.js';
import { fill, fillLines, type Template } from '../templates/load.js';

import { formatTime } from '../lib/time.js';

export { formatTime };

export type Channel = 'dingtalk' | 'wecom';

export interface RenderOptions {
  readonly channel: Channel;
  readonly template: Template;
  /** Picks the annotations: `summary_en` for en, `summary_zh` for zh-CN, else `summary`. */
  readonly language: 'zh-CN' | 'en';
  readonly timeZone: string;
  /** Labels shown per alert, in order; empty: all but alertname and severity. */
  readonly labels: readonly string[];
  /** Appended (own block) to messages that carry a firing alert, or any message when mentionResolved. */
  readonly mentionText: string;
  readonly mentionResolved: boolean;
  /** DingTalk keyword security: the title (and so the header) must contain it. */
  readonly keyword?: string;
}

export interface RenderedMessage {
  /** Plain text (DingTalk's markdown.title, shown in the chat list). */
  readonly title: string;
  /** Markdown. */
  readonly text: string;
  /** Whether this message carries the mentions. */
  readonly mentions: boolean;
}

/** Truncation for one oversized alert: payload texts cut to `chars` graphemes; links dropped when `links` is false. */
export interface Limit {
  readonly chars: number;
  readonly links: boolean;
}

const NO_LIMIT: Limit = { chars: Number.POSITIVE_INFINITY, links: true };
// Caps that apply always: a 1 MB label value is noise in a chat, and keeps rendering cheap.
const CAP = { name: 128, severity: 32, labelValue: 512, summary: 1024, description: 4096 } as const;
const MAX_URL = 2048;

/**
 * What of an annotation any message can show, kept on receipt instead of the whole (a 2 MB description would sit in
 * every robot's queue). Messages trim annotations and cut them at most at CAP.description: a longer one is kept
 * trimmed and cut there, which renders the same at every cap (and no runbook_url that long is ever a link).
 */
export function storedAnnotation(value: string): string {
  return value.length <= CAP.description ? value : detached(truncate(value.trim(), CAP.description));
}

/** Label values likewise: messages cut them at CAP.labelValue, and one longer than MAX_URL never fits a silence link. */
export function storedLabelValue(value: string): string {
  const kept = truncate(value, Math.max(CAP.labelValue, CAP.name, MAX_URL));
  return kept === value ? value : detached(kept);
}

// A cut text is a slice of the whole, which V8 keeps alive with it (a 1.9 MB annotation per queued alert): a copy.
function detached(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, error: 1, warning: 2, info: 3 };

const COLORS: Record<Channel, { firing: string; resolved: string }> = {
  // DingTalk renders 6-digit hex colours on all clients; WeCom markdown knows only info/comment/warning.
  dingtalk: { firing: '#D93025', resolved: '#1E8E3E' },
  wecom: { firing: 'warning', resolved: 'info' },
};

/** Line break inside a block: DingTalk needs a markdown hard break (two spaces), WeCom keeps newlines. */
export function lineBreakOf(channel: Channel): string {
  return channel === 'dingtalk' ? '  \n' : '\n';
}

/**
 * One robot message for `alerts` (in queue order): sections by status, severity and alertname, then
 * a "more follow" line when `remaining` alerts are still queued, then the mentions.
 */
export function renderMessage(
  alerts: readonly Alert[],
  remaining: number,
  options: RenderOptions,
  limit: Limit = NO_LIMIT,
): RenderedMessage {
  const { template, channel } = options;
  const s = template.snippets;
  const br = lineBreakOf(channel);
  const sections = groupSections(alerts);
  const firing = alerts.filter((alert) => alert.status === 'firing').length;
  const resolved = alerts.length - firing;

  const counts = [
    firing > 0 ? fill(s.count_firing, { count: String(firing) }) : '',
    resolved > 0 ? fill(s.count_resolved, { count: String(resolved) }) : '',
  ]
    .filter((part) => part !== '')
    .join(s.count_separator);
  const names = [...new Set(sections.map((section) => section.alertname))];
  const plainNames = alertnameList(
    names.map((name) => plainText(truncate(name, Math.min(CAP.name, limit.chars)))),
    s.alertnames_more,
    s.alertname_separator,
  );
  const markdownNames = alertnameList(
    names.map((name) => escapeMarkdown(truncate(name, Math.min(CAP.name, limit.chars)), channel)),
    s.alertnames_more,
    s.alertname_separator,
  );
  let title = fill(s.title, { status_summary: counts, alertnames: plainNames });
  let titleMarkdown = fill(s.title, { status_summary: counts, alertnames: markdownNames });
  if (options.keyword !== undefined && !title.includes(options.keyword)) {
    title = `${options.keyword} ${title}`;
    titleMarkdown = `${options.keyword} ${titleMarkdown}`;
  }

  const atLineStart = (value: string) => escapeBlockStart(value, channel);
  const blocks: string[][] = [
    fillLines(s.header, { title: titleMarkdown, status_summary: counts, alertnames: markdownNames }, atLineStart),
  ];
  for (const section of sections) {
    const severity = section.severity === '' ? '-' : (template.severityNames[section.severity] ?? section.severity);
    const heading = fillLines(
      section.status === 'firing' ? s.section_firing : s.section_resolved,
      {
        alertname:
          escapeMarkdown(
            truncate(section.alertname === '' ? '-' : section.alertname, Math.min(CAP.name, limit.chars)),
            channel,
          ) || '-',
        severity: escapeMarkdown(truncate(severity, Math.min(CAP.severity, limit.chars)), channel) || '-',
        count: String(section.alerts.length),
        color: COLORS[channel][section.status],
      },
      atLineStart,
    );
    blocks.push(heading);
    for (const alert of section.alerts) blocks.push(renderAlert(alert, options, limit));
  }
  if (remaining > 0)
    blocks.push(fillLines(remaining === 1 ? s.more_one : s.more, { remaining: String(remaining) }, atLineStart));
  const mentions = options.mentionText !== '' && (firing > 0 || options.mentionResolved);
  if (mentions) blocks.push([options.mentionText]);

  let text = blocks
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join(br))
    .join('\n\n');
  if (options.keyword !== undefined && !text.includes(options.keyword)) text = `${options.keyword}\n\n${text}`;
  return { title, text, mentions };
}

interface Section {
  status: 'firing' | 'resolved';
  severity: string;
  alertname: string;
  alerts: Alert[];
}

function groupSections(alerts: readonly Alert[]): Section[] {
  const byKey = new Map<string, Section>();
  for (const alert of alerts) {
    const severity = alert.labels.severity ?? '';
    const alertname = alert.labels.alertname ?? '';
    const key = `${alert.status}\u0000${severity}\u0000${alertname}`;
    let section = byKey.get(key);
    if (!section) {
      section = { status: alert.status, severity, alertname, alerts: [] };
      byKey.set(key, section);
    }
    section.alerts.push(alert);
  }
  const rank = (severity: string) => SEVERITY_RANK[severity] ?? 4;
  return [...byKey.values()].sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1) ||
      rank(a.severity) - rank(b.severity) ||
      compareStrings(a.severity, b.severity) ||
      compareStrings(a.alertname, b.alertname),
  );
}

function alertnameList(names: string[], moreSnippet: string, separator: string): string {
  const shown = names.slice(0, 2).join(separator);
  if (names.length <= 2) return shown;
  return `${shown} ${fill(moreSnippet, { count: String(names.length - 2), total: String(names.length) })}`;
}

function renderAlert(alert: Alert, options: RenderOptions, limit: Limit): string[] {
  const s = options.template.snippets;
  const cut = (text: string, cap: number) =>
    escapeMarkdown(truncate(text, Math.min(cap, limit.chars)), options.channel);
  const language = options.language === 'en' ? 'en' : 'zh';
  const annotation = (name: string) => pickAnnotation(alert.annotations, name, language);
  const shown = shownLabels(alert.labels, options.labels);
  const labels = shown
    .map(([name, value]) => fill(s.label, { name: cut(name, CAP.name), value: cut(value, CAP.labelValue) || '""' }))
    .join(s.label_separator);
  const links = limit.links
    ? alertLinks(alert)
        .map(([snippet, url]) => fill(s[snippet], { url }))
        .join(s.link_separator)
    : '';
  const values: Record<string, string> = {
    alertname: cut(alert.labels.alertname ?? '', CAP.name),
    severity: cut(alert.labels.severity ?? '', CAP.severity),
    summary: cut(annotation('summary'), CAP.summary),
    description: cut(annotation('description'), CAP.description),
    labels,
    instance: cut(alert.labels.instance ?? '', CAP.labelValue),
    starts_at: formatTime(alert.startsAt, options.timeZone),
    links,
  };
  // The DS an alert from /metrics is about (the shipped rules join onlyoffice_target_info): its own line, unless the
  // description names it already (the shipped descriptions do).
  const ds = cut(alert.labels.documentserver ?? '', CAP.labelValue);
  values.documentserver = ds !== '' && values.description!.includes(ds) ? '' : ds;
  if (alert.status === 'resolved') {
    values.ends_at = alert.endsAt === undefined ? '' : formatTime(alert.endsAt, options.timeZone);
    values.duration = alert.endsAt === undefined ? '' : formatDuration(alert.endsAt - alert.startsAt, options.template);
  }
  return fillLines(alert.status === 'firing' ? s.alert_firing : s.alert_resolved, values, (value) =>
    escapeBlockStart(value, options.channel),
  );
}

/** summary/description: English messages prefer `<name>_en`, Chinese ones `<name>_zh`, both fall back to `<name>`. */
export function pickAnnotation(
  annotations: Readonly<Record<string, string>>,
  name: string,
  language: 'en' | 'zh',
): string {
  const preferred = language === 'en' ? [`${name}_en`] : [`${name}_zh`, `${name}_zh_cn`, `${name}_cn`];
  for (const key of [...preferred, name]) {
    const value = annotations[key];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return '';
}

function shownLabels(labels: Readonly<Record<string, string>>, wanted: readonly string[]): [string, string][] {
  if (wanted.length > 0)
    return wanted.flatMap((name) => (labels[name] === undefined ? [] : [[name, labels[name]!] as [string, string]]));
  const names = Object.keys(labels).filter((name) => name !== 'alertname' && name !== 'severity');
  const first = ['instance', 'job'].filter((name) => names.includes(name));
  return [...first, ...names.filter((name) => !first.includes(name)).sort()].map((name) => [name, labels[name]!]);
}

type LinkSnippet = 'link_runbook' | 'link_source' | 'link_silence';

function alertLinks(alert: Alert): [LinkSnippet, string][] {
  const links: [LinkSnippet, string][] = [];
  const runbook = safeUrl(alert.annotations.runbook_url ?? alert.annotations.runbook ?? '');
  if (runbook) links.push(['link_runbook', runbook]);
  const source = safeUrl(alert.generatorURL);
  if (source) links.push(['link_source', source]);
  const silence = silenceUrl(alert);
  if (silence) links.push(['link_silence', silence]);
  return links;
}

/** Alertmanager UI's "new silence" form, pre-filled with the alert's labels. */
export function silenceUrl(alert: Pick<Alert, 'externalURL' | 'labels'>): string | undefined {
  const base = safeUrl(alert.externalURL);
  if (!base) return undefined;
  const matchers = Object.keys(alert.labels)
    .sort()
    .map((name) => `${name}="${alert.labels[name]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
  const url = `${base.replace(/\/+$/, '')}/#/silences/new?filter=${encodeLinkPart(`{${matchers}}`)}`;
  return url.length > MAX_URL ? undefined : url;
}

/** An http(s) URL that cannot break out of a markdown link target, or undefined. */
export function safeUrl(raw: string): string | undefined {
  if (raw === '' || raw.length > MAX_URL) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const href = url.href.replace(
    /[()[\]<>"'`\s\\]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return href.length > MAX_URL ? undefined : href;
}

function encodeLinkPart(text: string): string {
  return encodeURIComponent(text).replace(/[()!'*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// Each robot renders a documented subset of markdown, and neither documents backslash escapes (users saw an
// escaped address as 10\.0.0.5). So only what that subset would act on is defused, without backslashes, mostly by
// a zero-width space where the syntax needs two characters side by side.
//   DingTalk, custom robot message types, msgtype markdown: # headings, > quotes, **bold**, *italic*, [links](url),
//     ![images](url), "- " and "1. " lists; <font> tags work too.
//   WeCom, group robot configuration guide (群机器人配置说明), msgtype markdown: # headings ("#" then a space),
//     **bold**, [links](url), `inline code`, > quotes, <font color> and <@userid> mentions.
// Neither has _ emphasis, ~~strike~~, tables or escapes: _ ~ | . \ stay as they are. A `code` span on WeCom only
// changes the font of text the value holds anyway, so backticks stay too.
const ZWSP = '\u200b';

/** Inline markdown of the robot's subset made inert, for one line: no link, image, tag, mention or emphasis. */
export function escapeMarkdown(text: string, channel: Channel): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  let out = text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ');
  // A link or image needs "](" side by side; a tag or a <@mention> needs its name right after "<".
  out = out.replace(/\]\(/g, `]${ZWSP}(`).replace(/</g, `<${ZWSP}`);
  // Bold needs "**" side by side. DingTalk's *italic* pairs single stars, which no invisible mark keeps apart:
  // there a star is U+2217, which reads the same.
  out = channel === 'dingtalk' ? out.replace(/\*/g, '\u2217') : out.replace(/\*(?=\*)/g, `*${ZWSP}`);
  return out;
}

// Block syntax acts only at the start of a line (after any quote markers) and only with a space (or nothing) after
// the marker: "10.0.0.5" or "-1" is never a list.
const BLOCK_START: Record<Channel, RegExp> = {
  dingtalk: /^(\s*)(#{1,6}|>|-|\d{1,9}\.)(?=\s|$)/,
  wecom: /^(\s*)(#{1,6}|>)(?=\s|$)/,
};

/** A value a template puts at the start of a line: a heading, quote or list marker it begins with made inert. */
export function escapeBlockStart(value: string, channel: Channel): string {
  return value.replace(BLOCK_START[channel], `$1${ZWSP}$2`);
}

/** Text for a plain-text field (DingTalk's title): one line, no control characters. */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ');
}

// Made on first use: ICU's data costs megabytes of resident memory once touched, and most daemons never notify.
let segmenter: Intl.Segmenter | undefined;

// On Node 20 each step of Intl.Segmenter's iterator costs time in proportion to the whole input, so a long text
// took seconds to minutes (a 300,000-character annotation held the event loop for a minute). Texts are segmented
// in short windows instead, each starting at a known boundary, and only as far as the result needs: the cost
// follows the output, not the input.
const WINDOW = 128;
// A grapheme longer than this (hundreds of combining marks) is not shown; legitimate ones are a few dozen code units.
const MAX_GRAPHEME = 1024;
// Characters of Grapheme_Cluster_Break Other that are not Extended_Pictographic: no rule of UAX #29 joins two of them,
// so a run of them is a grapheme each, but the last (what follows decides). Latin, Greek, Cyrillic, CJK and their
// punctuation: most alert text is segmented without ICU. (A test checks every one of them against Intl.Segmenter.)
export const SIMPLE_CHARACTERS =
  '\\x20-\\x7e\\u00a0-\\u00a8\\u00aa-\\u00ac\\u00af-\\u02ff\\u0370-\\u0482\\u048a-\\u052f\\u2010-\\u2027\\u2030-\\u203b' +
  '\\u3000-\\u3029\\u3041-\\u3096\\u30a0-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uff01-\\uff5e';
const SIMPLE_RUN = new RegExp(`^[${SIMPLE_CHARACTERS}]+`);
// A window ends where a run this long starts: shorter ones cost less to segment than a window of their own.
const SIMPLE_STRETCH = new RegExp(`[${SIMPLE_CHARACTERS}]{16}`);

// Packing renders one alert at a dozen lengths: the boundaries found in the last few texts are kept, each with
// a copy of the part of the text they depend on (never the text itself, which may be megabytes).
const MEMO_TEXTS = 8;

interface Boundaries {
  /** ends[i]: where grapheme i + 1 ends. */
  readonly ends: number[];
  /** open: more may follow; done: the text ends at the last end; cut: the next grapheme is longer than MAX_GRAPHEME. */
  state: 'open' | 'done' | 'cut';
  /** A copy of the text up to where segmentation looked (the ends depend on nothing after it). */
  seen: string;
}

const memo: Boundaries[] = [];

function remembered(text: string): Boundaries {
  const at = memo.findIndex(
    (entry) => text.startsWith(entry.seen) && (entry.state !== 'done' || text.length === entry.seen.length),
  );
  const found = at < 0 ? { ends: [], state: 'open' as const, seen: '' } : memo.splice(at, 1)[0]!;
  memo.unshift(found);
  if (memo.length > MEMO_TEXTS) memo.pop();
  return found;
}

/** At most `max` graphemes (the last one "…" when cut): never splits a character, surrogate pair or emoji. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  // Printable ASCII followed by printable ASCII: every code unit is a grapheme (no rule of UAX #29 joins them).
  if (/^[\x20-\x7e]*$/.test(text.slice(0, max + 1))) return `${text.slice(0, max - 1)}…`;
  const found = remembered(text);
  const { ends } = found;
  if (found.state === 'open' && ends.length <= max) segmentUpTo(text, found, max + 1);
  if (ends.length > max || (found.state === 'cut' && ends.length === max))
    return `${text.slice(0, ends[max - 2] ?? 0)}…`;
  return found.state === 'cut' ? `${text.slice(0, ends.at(-1) ?? 0)}…` : text;
}

/** Adds graphemes to `found` until it holds `count` or the text ends, segmenting windows from the last boundary on. */
function segmentUpTo(text: string, found: Boundaries, count: number): void {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const { ends } = found;
  let start = ends.at(-1) ?? 0;
  let seen = found.seen.length;
  let size = WINDOW;
  while (ends.length < count) {
    const run = SIMPLE_RUN.exec(text.slice(start, start + count - ends.length + 1))?.[0].length ?? 0;
    if (run > 1) {
      for (let i = 1; i < run; i++) ends.push(start + i);
      seen = Math.max(seen, start + run);
      start += run - 1;
      if (ends.length >= count) break;
    }
    let end = Math.min(text.length, start + size);
    // Up to the second character of a long simple run (a boundary before it, whatever came before): the run is skipped.
    const stretch = SIMPLE_STRETCH.exec(text.slice(start + 1, end));
    if (stretch) end = start + 1 + stretch.index + 2;
    // End on a code point: a boundary depends on the code point after it, never on more (UAX #29 rules GB3-GB999).
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    seen = Math.max(seen, end);
    // The window's last grapheme may go on past its end; every one before it is complete.
    let lastIndex = 0;
    for (const { index } of segmenter.segment(text.slice(start, end))) {
      if (index > 0) ends.push(start + index);
      lastIndex = index;
    }
    if (end === text.length) {
      ends.push(end);
      found.state = 'done';
      break;
    }
    if (lastIndex > 0) {
      start += lastIndex;
      size = WINDOW;
    } else if (size < MAX_GRAPHEME) {
      size *= 2;
    } else {
      found.state = 'cut';
      break;
    }
  }
  // A flat copy: a slice would keep the whole text alive.
  found.seen = Buffer.from(text.slice(0, seen), 'utf16le').toString('utf16le');
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** "1h 2m 3s" / "1小时2分3秒": largest units first, zero units left out, at least seconds. */
export function formatDuration(ms: number, template: Template): string {
  let seconds = Math.max(0, Math.round(ms / 1000));
  const units = template.durationUnits;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const amount = Math.floor(seconds / size);
    seconds -= amount * size;
    if (amount > 0 || (unit === 's' && parts.length === 0)) parts.push(`${amount}${units[unit]}`);
  }
  return parts.join(template.snippets.duration_separator);
}
