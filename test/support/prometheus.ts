import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { freePort } from './ports.js';
import { closer, LOOPBACK, serviceDir, spawnService } from './service-process.js';

/** Debian's real Prometheus on a free loopback port, in a temp dir, run and stopped (by PID) by the test. */
export interface PrometheusServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /** Instant query; throws with Prometheus' error text on a bad expression. */
  query(expr: string, time?: number): Promise<PromVector>;
  /** Active alerts (pending and firing) from /api/v1/alerts. */
  alerts(): Promise<PromAlert[]>;
  /** Rule groups as loaded (/api/v1/rules), with each rule's health and last error. */
  rules(): Promise<PromRuleGroup[]>;
  /** /api/v1/label/<name>/values?match[]=<match> */
  labelValues(name: string, match: string): Promise<string[]>;
  /** /api/v1/series?match[]=<match>: label sets of the matching series. */
  series(match: string): Promise<Record<string, string>[]>;
  /** /api/v1/targets active targets: scrape URL, health, last error. */
  targets(): Promise<{ scrapeUrl: string; health: string; lastError: string; labels: Record<string, string> }[]>;
  /** Prometheus' own log so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}
export type PromVector = PromSample[];

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: string;
  value: string;
}

export interface PromRule {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  duration?: number;
  labels?: Record<string, string>;
}
export interface PromRuleGroup {
  name: string;
  file: string;
  rules: PromRule[];
}

/** `promtool ARGS` from `cwd`: its exit code and everything it printed (its test failures go to stdout). */
export async function promtool(args: string[], cwd?: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('promtool', args, { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const PROMETHEUS = 'prometheus';

/**
 * Starts `prometheus` with `config` (prometheus.yml text; relative rule_files resolve against `dir`, where
 * `files` are written too). `--web.enable-lifecycle` is off: the test stops it by PID.
 */
export async function startPrometheus(
  config: string,
  files: Record<string, string> = {},
  options: { backfill?: string } = {},
): Promise<PrometheusServer> {
  const dir = serviceDir('prometheus');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  if (options.backfill !== undefined) {
    // History (OpenMetrics text with timestamps, ending in "# EOF") written as TSDB blocks before the server starts.
    writeFileSync(join(dir, 'backfill.om'), options.backfill);
    execFileSync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'backfill.om'), join(dir, 'tsdb')],
      { stdio: 'pipe' },
    );
  }
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const port = await freePort();
  const logFile = join(dir, 'prometheus.log');
  const url = `http://${LOOPBACK}:${port}`;
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  let server;
  try {
    server = await spawnService({
      name: 'prometheus',
      dir,
      output: 'prometheus.log',
      command: PROMETHEUS,
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=${LOOPBACK}:${port}`,
        '--log.level=info',
      ],
      ready: async () => {
        const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.status === 200;
      },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const started = server.pid;
  const stop = closer(dir, () => server.stop('SIGTERM', 10_000));

  async function api<T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) for (const v of [value].flat()) search.append(key, v);
    const response = await fetch(`${url}${path}?${search}`);
    const body = (await response.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success')
      throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data;
  }

  return {
    url,
    port,
    dir,
    pid: started,
    async query(expr, time) {
      const data = await api<{ resultType: string; result: unknown }>('/api/v1/query', {
        query: expr,
        ...(time === undefined ? {} : { time: String(time) }),
      });
      if (data.resultType === 'vector') return data.result as PromVector;
      if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
      throw new Error(`${expr}: unexpected result type ${data.resultType}`);
    },
    async alerts() {
      return (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
    },
    async rules() {
      return (await api<{ groups: PromRuleGroup[] }>('/api/v1/rules')).groups;
    },
    labelValues: (name, match) =>
      api<string[]>(`/api/v1/label/${encodeURIComponent(name)}/values`, { 'match[]': match }),
    series: (match) => api<Record<string, string>[]>('/api/v1/series', { 'match[]': match }),
    async targets() {
      return (
        await api<{
          activeTargets: { scrapeUrl: string; health: string; lastError: string; labels: Record<string, string> }[];
        }>('/api/v1/targets')
      ).activeTargets;
    },
    log,
    stop,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// PromQL references: which metric names and label names an expression uses (for the docs/metrics.md check).

export interface PromqlReferences {
  /** Metric name → label names its selectors match on. */
  metrics: Map<string, Set<string>>;
  /** Label names in by/without/on/ignoring/group_left/group_right clauses. */
  grouping: Set<string>;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
  'start',
  'end',
]);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
]);

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c !== '`' ? 2 : 1;
      tokens.push({ kind: 'string', text: expr.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    // Numbers and durations (5m, 1h30m, 0.5, 1e3, 0x1f): a digit or a dot followed by a digit.
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      const match =
        /^(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?(?:ms|[smhdwy])?(?:[0-9]+(?:ms|[smhdwy]))*)/.exec(
          expr.slice(i),
        )!;
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    const op = /^(==|!=|=~|!~|>=|<=|[-+*/%^<>=(){}[\],@:])/.exec(expr.slice(i));
    if (!op) throw new Error(`cannot tokenize PromQL at ${JSON.stringify(expr.slice(i, i + 20))} in ${expr}`);
    tokens.push({ kind: 'punct', text: op[0] });
    i += op[0].length;
  }
  return tokens;
}

/** The metric names (with the labels they are selected by) and grouping labels of a PromQL expression. */
export function promqlReferences(expr: string): PromqlReferences {
  const tokens = tokenize(expr);
  const metrics = new Map<string, Set<string>>();
  const grouping = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token.kind !== 'ident') continue;
    const word = token.text;
    if (GROUPING.has(word) && next?.text === '(') {
      let j = i + 2;
      for (; j < tokens.length && tokens[j]!.text !== ')'; j++)
        if (tokens[j]!.kind === 'ident') grouping.add(tokens[j]!.text);
      i = j;
      continue;
    }
    if (KEYWORDS.has(word.toLowerCase())) continue;
    if (next?.text === '(' || AGGREGATIONS.has(word)) continue; // a function or an aggregation
    const labels = metrics.get(word) ?? new Set<string>();
    metrics.set(word, labels);
    if (next?.text === '{') {
      let j = i + 2;
      for (; j < tokens.length && tokens[j]!.text !== '}'; j++) {
        if (tokens[j]!.kind === 'ident' && ['=', '!=', '=~', '!~'].includes(tokens[j + 1]?.text ?? ''))
          labels.add(tokens[j]!.text);
      }
      i = j;
    }
  }
  return { metrics, grouping };
}

/** Grafana's variables replaced so an expression runs as is against Prometheus' API. */
export function substituteGrafanaVariables(expr: string, values: Record<string, string> = {}): string {
  const defaults: Record<string, string> = {
    job: '.+',
    instance: '.+',
    __rate_interval: '1m',
    __interval: '15s',
    __range: '5m',
    ...values,
  };
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => defaults[name] ?? whole);
}

// ---------------------------------------------------------------------------------------------------------------
// What ships: the example configuration, the rules and the dashboards, as the end-to-end tests use them.

const REPO = new URL('../../', import.meta.url);

export interface ExampleConfigOptions {
  /** host:port of the exporter under test. */
  exporter: string;
  /** DocumentServer URLs for the static /probe job. */
  probeTargets: string[];
  /** Keep the http_sd_configs job (discovery from the exporter's /sd); without it, it is left out. */
  discovery?: boolean;
  /** How often Prometheus asks /sd (the example's 1m otherwise). */
  discoveryRefresh?: string;
  interval?: string;
}

type ExampleJob = {
  job_name: string;
  static_configs?: { targets: string[] }[];
  http_sd_configs?: { url: string; refresh_interval?: string }[];
  relabel_configs?: { target_label?: string; replacement?: string }[];
};

/**
 * prometheus/prometheus.yml with only what a test must change: intervals, the exporter's address, the probe
 * targets, no Alertmanager, rule files by absolute path. The jobs and the /probe relabelling stay as shipped.
 */
export function configFromExample(options: ExampleConfigOptions): string {
  const example = parseYaml(readFileSync(new URL('prometheus/prometheus.yml', REPO), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    alerting?: unknown;
    scrape_configs: ExampleJob[];
  };
  const interval = options.interval ?? '1s';
  example.global = {
    ...example.global,
    scrape_interval: interval,
    scrape_timeout: interval,
    evaluation_interval: interval,
  };
  delete example.alerting;
  example.rule_files = example.rule_files.map((file) => fileURLToPath(new URL(file, new URL('prometheus/', REPO))));
  const jobs = example.scrape_configs.map((job) => job.job_name);
  if (jobs.join(',') !== 'onlyoffice,onlyoffice-probe,onlyoffice-fleet')
    throw new Error(`prometheus/prometheus.yml jobs changed: ${jobs.join(', ')}`);
  const [plain, probe, fleet] = example.scrape_configs as [ExampleJob, ExampleJob, ExampleJob];
  plain.static_configs = [{ targets: [options.exporter] }];
  probe.static_configs = [{ targets: options.probeTargets }];
  for (const job of [probe, fleet]) {
    const address = job.relabel_configs?.find((r) => r.target_label === '__address__');
    if (!address) throw new Error(`prometheus/prometheus.yml: the ${job.job_name} job no longer relabels __address__`);
    address.replacement = options.exporter;
  }
  if (options.discovery) {
    const sd = fleet.http_sd_configs?.[0];
    if (!sd || !sd.url.endsWith('/sd'))
      throw new Error('prometheus/prometheus.yml: the onlyoffice-fleet job no longer discovers from /sd');
    sd.url = `http://${options.exporter}/sd`;
    if (options.discoveryRefresh !== undefined) sd.refresh_interval = options.discoveryRefresh;
  } else {
    example.scrape_configs = [plain, probe];
  }
  return stringifyYaml(example);
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  legend?: string;
}
export interface DashboardVariable {
  dashboard: string;
  name: string;
  metric: string;
  label: string;
}

interface DashboardJson {
  uid: string;
  panels: {
    type: string;
    title: string;
    targets?: { expr: string; refId: string; legendFormat?: string }[];
    panels?: DashboardJson['panels'];
  }[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}

/** The committed dashboards by uid: the English variant (grafana/dashboards/en/); zh-CN has the same queries. */
export function shippedDashboards(): Map<string, DashboardJson> {
  const dir = new URL('grafana/dashboards/en/', REPO);
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        const d = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as DashboardJson;
        return [d.uid, d];
      }),
  );
}

/** Every panel query of the given dashboards (all when none given). */
export function dashboardQueries(uids?: string[]): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const [uid, d] of shippedDashboards()) {
    if (uids && !uids.includes(uid)) continue;
    for (const panel of d.panels.flatMap((p) => [p, ...(p.panels ?? [])])) {
      for (const t of panel.targets ?? [])
        out.push({
          dashboard: uid,
          panel: panel.title,
          refId: t.refId,
          expr: t.expr,
          ...(t.legendFormat ? { legend: t.legendFormat } : {}),
        });
    }
  }
  return out;
}

/** Every `label_values(metric{...}, label)` variable of the given dashboards. */
export function dashboardVariables(uids?: string[]): DashboardVariable[] {
  const out: DashboardVariable[] = [];
  for (const [uid, d] of shippedDashboards()) {
    if (uids && !uids.includes(uid)) continue;
    for (const v of d.templating.list.filter((x) => x.type === 'query')) {
      const match = /^label_values\((.*),\s*(\w+)\)$/.exec(String(v.query));
      if (!match) throw new Error(`${uid} $${v.name}: not a label_values() query: ${String(v.query)}`);
      out.push({ dashboard: uid, name: v.name, metric: match[1]!, label: match[2]! });
    }
  }
  return out;
}

export interface ShippedRule {
  file: string;
  group: string;
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}

/** alerts/*.rules.yml and prometheus/recording-rules.yml, rule by rule. */
export function shippedRules(): ShippedRule[] {
  const files = [
    ...readdirSync(new URL('alerts/', REPO))
      .filter((f) => f.endsWith('.rules.yml'))
      .sort()
      .map((f) => `alerts/${f}`),
    'prometheus/recording-rules.yml',
  ];
  return files.flatMap((file) =>
    (
      parseYaml(readFileSync(new URL(file, REPO), 'utf8')) as {
        groups: { name: string; rules: Omit<ShippedRule, 'file' | 'group'>[] }[];
      }
    ).groups.flatMap((g) => g.rules.map((r) => ({ ...r, file, group: g.name }))),
  );
}

/** Seconds of a Prometheus duration such as 1h30m. */
export function durationSeconds(text: string | undefined): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  return [...(text ?? '0s').matchAll(/(\d+)(ms|[smhdwy])/g)].reduce((sum, [, n, u]) => sum + Number(n) * units[u!]!, 0);
}

/**
 * One line per active alert of `instance`: `Name{label=value,...}` with the labels that tell alerts of one name
 * apart (instance, job and severity left out), sorted.
 */
export function alertKeys(alerts: PromAlert[], instance: string): string[] {
  return alerts
    .filter((a) => a.labels.instance === instance)
    .map((a) => {
      // documentserver (from onlyoffice_target_info on /metrics) names the instance's DS: a test checks it on its own.
      const labels = Object.entries(a.labels)
        .filter(([k]) => !['alertname', 'instance', 'job', 'severity', 'documentserver'].includes(k))
        .sort(([a1], [b1]) => a1.localeCompare(b1));
      return `${a.labels.alertname}{${labels.map(([k, v]) => `${k}=${v}`).join(',')}}`;
    })
    .sort();
}

/**
 * Waits until the active alerts of each instance in `expected` are exactly those (as alertKeys() writes them),
 * then checks each one's state against its rule's for: pending while younger, firing once older (1 s margin for
 * the evaluation). `ignore` leaves out keys the test cannot control. Returns the alerts.
 */
export async function expectActiveAlerts(
  prom: PrometheusServer,
  expected: Record<string, string[]>,
  options: { ignore?: (key: string) => boolean; timeoutMs?: number } = {},
): Promise<PromAlert[]> {
  const ignore = options.ignore ?? (() => false);
  const forOf = new Map(
    shippedRules()
      .filter((r) => r.alert)
      .map((r) => [`${r.alert} ${r.labels?.severity}`, durationSeconds(r.for)]),
  );
  const want = Object.fromEntries(Object.entries(expected).map(([i, keys]) => [i, [...keys].sort()]));
  const current = async () => {
    const alerts = await prom.alerts();
    return {
      alerts,
      keys: Object.fromEntries(Object.keys(expected).map((i) => [i, alertKeys(alerts, i).filter((k) => !ignore(k))])),
    };
  };
  let last = await current();
  const until = Date.now() + (options.timeoutMs ?? 30_000);
  while (JSON.stringify(last.keys) !== JSON.stringify(want) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    last = await current();
  }
  expect(last.keys).toEqual(want);
  const now = Date.now() / 1000;
  for (const alert of last.alerts) {
    if (!(alert.labels.instance! in expected) || ignore(alert.labels.alertname!)) continue;
    const hold = forOf.get(`${alert.labels.alertname} ${alert.labels.severity}`);
    expect({ alert: alert.labels.alertname, shipped: hold !== undefined }).toEqual({
      alert: alert.labels.alertname,
      shipped: true,
    });
    const age = now - Date.parse(alert.activeAt) / 1000;
    if (age < hold! - 2)
      expect({ alert: alert.labels.alertname, state: alert.state }).toEqual({
        alert: alert.labels.alertname,
        state: 'pending',
      });
    if (age > hold! + 3)
      expect({ alert: alert.labels.alertname, state: alert.state }).toEqual({
        alert: alert.labels.alertname,
        state: 'firing',
      });
  }
  return last.alerts;
}
