/**
 * The shape of the alert rules as code (alerts/src/*.ts, one file per group) and of their promtool tests, and the
 * subset of Prometheus' alert templating the annotations use, so a test's expected annotations are rendered from the
 * rule's own templates with the labels and value the test expects (promtool compares them exactly).
 */

export type Severity = 'critical' | 'warning' | 'info';

export interface Rule {
  /** Comment lines above the rule. */
  comment?: string[];
  alert: string;
  expr: string;
  for?: string;
  severity: Severity;
  summary: string;
  description: string;
  summary_en: string;
  description_en: string;
  /**
   * false: the expression is not joined with onlyoffice_target_info (the alerts about the exporter itself, whose
   * series, target_info included, are gone when they fire).
   */
  documentserver?: false;
}

export interface Series {
  comment?: string[];
  series: string;
  values: string;
}

export interface ExpectedAlert {
  /** The alert's labels, severity included (as in the source: critical/warning/info). */
  labels: Record<string, string>;
  /** $value when the test evaluates it: the annotations are rendered with it. */
  value: number;
}

export interface Check {
  at: string;
  /** Trailing comment of eval_time. */
  note?: string;
  alert: string;
  fires: ExpectedAlert[];
}

export interface TestGroup {
  comment?: string[];
  name: string;
  interval: string;
  series: Series[];
  checks: Check[];
}

export interface AlertFile {
  /** alerts/<file>.rules.yml and alerts/tests/<file>.test.yml */
  file: string;
  header: string[];
  group: string;
  rules: Rule[];
  testHeader: string[];
  tests: TestGroup[];
}

export const ANNOTATION_KEYS = ['summary', 'description', 'summary_en', 'description_en'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Prometheus' template functions, as in prometheus/template/template.go (v2.x), and Go's fmt for floats.

/** Go's strconv.FormatFloat(v, 'g', prec) with fmt's trailing-zero removal (%.<prec>g), or shortest (%v) with prec -1. */
export function goG(v: number, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const shortest = prec < 0;
  const exponential = shortest ? v.toExponential() : v.toExponential(Math.max(prec - 1, 0));
  const [mantissa, e] = exponential.split('e') as [string, string];
  const exp = Number(e);
  const eprec = shortest ? 6 : prec;
  if (exp < -4 || exp >= eprec) {
    const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = shortest ? String(v) : v.toPrecision(prec);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** Go's %.<digits>f: correctly rounded, an exact tie to even (JavaScript's toFixed rounds a tie up). */
export function goFixed(v: number, digits: number): string {
  const exact = Math.abs(v).toFixed(Math.min(digits + 60, 100)); // toFixed is exact for these: the tie shows as 5000…
  const rest = exact.slice(exact.indexOf('.') + 1 + digits);
  if (!/^50*$/.test(rest)) return v.toFixed(digits);
  const kept = exact.slice(0, exact.length - rest.length).replace(/\.$/, '');
  const last = Number(kept.replace('.', '').slice(-1));
  const down = last % 2 === 0 ? kept : (Math.abs(v) + 10 ** -digits / 2).toFixed(digits);
  return `${v < 0 ? '-' : ''}${down}`;
}

export function humanizeDuration(v: number): string {
  if (Number.isNaN(v) || !Number.isFinite(v)) return goG(v, 4);
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const a = Math.abs(v);
    const duration = Math.trunc(a);
    const seconds = duration % 60;
    const minutes = Math.trunc(duration / 60) % 60;
    const hours = Math.trunc(duration / 3600) % 24;
    const days = Math.trunc(duration / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goG(a, 4)}s`;
  }
  let prefix = '';
  let x = v;
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(x) >= 1) break;
    prefix = p;
    x *= 1000;
  }
  return `${goG(x, 4)}${prefix}s`;
}

export const humanizePercentage = (v: number): string => `${goG(v * 100, 4)}%`;

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return goG(v, 4);
  let prefix = '';
  let x = v;
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(x) < 1024) break;
    prefix = p;
    x /= 1024;
  }
  return `${goG(x, 4)}${prefix}`;
}

/**
 * Renders the template constructs the shipped annotations use: {{ $labels.x }} (missing: empty, Prometheus'
 * missingkey=zero), {{ $value }}, {{ $value | humanize* }}, {{ printf "%.1f" $value }} and
 * {{ if gt $value 0.0 }}…{{ else }}…{{ end }} and {{ with $labels.x }}…{{ . }}…{{ end }} (skipped when the label is
 * missing or empty). Anything else throws, so a new construct cannot go untested.
 */
export function renderTemplate(template: string, labels: Record<string, string>, value: number): string {
  const withLabel = /\{\{ with \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}(.*?)\{\{ end \}\}/gs;
  template = template.replace(withLabel, (_, name: string, body: string) => {
    const label = labels[name] ?? '';
    return label === '' ? '' : body.replace(/\{\{ \. \}\}/g, () => label);
  });
  const conditional = /\{\{ if gt \$value ([0-9.]+) \}\}(.*?)\{\{ else \}\}(.*?)\{\{ end \}\}/gs;
  const flat = template.replace(conditional, (_, limit: string, then: string, otherwise: string) =>
    value > Number(limit) ? then : otherwise,
  );
  return flat.replace(/\{\{(.*?)\}\}/g, (whole, inner: string) => {
    const code = inner.trim();
    const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(code);
    if (label) return labels[label[1]!] ?? '';
    if (code === '$value') return goG(value, -1);
    if (code === '$value | humanizeDuration') return humanizeDuration(value);
    if (code === '$value | humanizePercentage') return humanizePercentage(value);
    if (code === '$value | humanize1024') return humanize1024(value);
    const printf = /^printf "%\.(\d)f" \$value$/.exec(code);
    if (printf) return goFixed(value, Number(printf[1]));
    throw new Error(`template construct not supported by alerts/src/model.ts: ${whole}`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Durations (Prometheus' model.Duration: 1h30m, 5m, 90s, 1d).

const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 } as const;
export const DURATION = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;

export function seconds(duration: string): number {
  if (duration === '' || !DURATION.test(duration)) throw new Error(`not a Prometheus duration: ${duration}`);
  return [...duration.matchAll(/(\d+)(ms|[smhdwy])/g)].reduce(
    (s, [, n, u]) => s + Number(n) * UNIT_SECONDS[u as keyof typeof UNIT_SECONDS],
    0,
  );
}

export const minutes = (duration: string): number => seconds(duration) / 60;

/** A whole number of minutes as a Prometheus duration, the way the rules write them (90m stays 90m, 60m is 1h). */
export function duration(mins: number): string {
  if (mins % 1440 === 0 && mins >= 1440) return `${mins / 1440}d`;
  if (mins % 60 === 0 && mins >= 60) return `${mins / 60}h`;
  return `${mins}m`;
}

/** "5 分钟", "1 小时", "2 天" for the zh-CN descriptions of a `for:` duration or a window. */
export function zhDuration(duration: string): string {
  const s = seconds(duration);
  if (s % 86400 === 0) return `${s / 86400} 天`;
  if (s % 3600 === 0) return `${s / 3600} 小时`;
  if (s % 60 === 0) return `${s / 60} 分钟`;
  return `${s} 秒`;
}

/** "5 minutes", "1 minute", "1 hour" for the English descriptions. */
export function enDuration(duration: string): string {
  const s = seconds(duration);
  const [n, unit] =
    s % 86400 === 0
      ? [s / 86400, 'day']
      : s % 3600 === 0
        ? [s / 3600, 'hour']
        : s % 60 === 0
          ? [s / 60, 'minute']
          : [s, 'second'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** `n` samples of `value`, spelled out ("0 0 0"), for series whose length follows a `for:` duration. */
export const run = (value: number | string, n: number): string =>
  Array.from({ length: n }, () => String(value)).join(' ');

/** A series' values in promtool's notation, runs written `vxN` ("0x4 1x30"), for scenes that follow a `for:`. */
export function spell(values: (number | 'stale')[]): string {
  const out: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[i]) j++;
    out.push(
      j === i || values[i] === 'stale'
        ? Array.from({ length: j - i + 1 }, () => String(values[i])).join(' ')
        : `${values[i]}x${j - i}`,
    );
    i = j + 1;
  }
  return out.join(' ');
}

/** How many of the times first, first + every, first + 2 * every, ... below `until` are at or before each sample. */
export const counter = (length: number, first: number, every: number, until: number): number[] =>
  Array.from({ length }, (_, i) =>
    i < first ? 0 : Math.min(Math.floor((i - first) / every), Math.ceil((until - first) / every) - 1) + 1,
  );
