import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { isAlive, terminate, waitFor } from './service-process.js';

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

const PROMETHEUS = 'prometheus';
const START_TIMEOUT_MS = 30_000;

/**
 * Starts `prometheus` with `config` (prometheus.yml text; relative rule_files resolve against `dir`, where
 * `files` are written too). `--web.enable-lifecycle` is off: the test stops it by PID.
 */
export async function startPrometheus(config: string, files: Record<string, string> = {}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-prometheus-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const port = await freePort();
  const logFile = join(dir, 'prometheus.log');
  const out = openSync(logFile, 'a');
  let pid: number | undefined;
  try {
    const child = spawn(PROMETHEUS, [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=info',
    ], { cwd: dir, stdio: ['ignore', out, out], detached: true });
    pid = child.pid;
    child.unref();
  } finally {
    closeSync(out);
  }
  if (pid === undefined) throw new Error('could not start prometheus');
  const url = `http://127.0.0.1:${port}`;
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const started = pid;
  const killOnExit = () => {
    try {
      process.kill(started, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    await terminate(started, 'SIGTERM', 10_000);
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('Prometheus /-/ready', START_TIMEOUT_MS, async () => {
      if (!isAlive(started)) throw new Error(`prometheus exited:\n${log()}`);
      const response = await fetch(`${url}/-/ready`).catch(() => undefined);
      await response?.arrayBuffer();
      return response?.status === 200 ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw error;
  }

  async function api<T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) for (const v of [value].flat()) search.append(key, v);
    const response = await fetch(`${url}${path}?${search}`);
    const body = await response.json() as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data;
  }

  return {
    url,
    port,
    dir,
    pid: started,
    async query(expr, time) {
      const data = await api<{ resultType: string; result: unknown }>('/api/v1/query', { query: expr, ...(time === undefined ? {} : { time: String(time) }) });
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
    labelValues: (name, match) => api<string[]>(`/api/v1/label/${encodeURIComponent(name)}/values`, { 'match[]': match }),
    series: (match) => api<Record<string, string>[]>('/api/v1/series', { 'match[]': match }),
    async targets() {
      return (await api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string; labels: Record<string, string> }[] }>('/api/v1/targets')).activeTargets;
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

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan', 'start', 'end']);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile']);

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < expr.length && expr[i] !== '\n') i++; continue; }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c !== '`' ? 2 : 1;
      tokens.push({ kind: 'string', text: expr.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    // Numbers and durations (5m, 1h30m, 0.5, 1e3, 0x1f): a digit or a dot followed by a digit.
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      const match = /^(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?(?:ms|[smhdwy])?(?:[0-9]+(?:ms|[smhdwy]))*)/.exec(expr.slice(i))!;
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
      for (; j < tokens.length && tokens[j]!.text !== ')'; j++) if (tokens[j]!.kind === 'ident') grouping.add(tokens[j]!.text);
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
        if (tokens[j]!.kind === 'ident' && ['=', '!=', '=~', '!~'].includes(tokens[j + 1]?.text ?? '')) labels.add(tokens[j]!.text);
      }
      i = j;
    }
  }
  return { metrics, grouping };
}

/** Grafana's variables replaced so an expression runs as is against Prometheus' API. */
export function substituteGrafanaVariables(expr: string, values: Record<string, string> = {}): string {
  const defaults: Record<string, string> = { job: '.+', instance: '.+', __rate_interval: '1m', __interval: '15s', __range: '5m', ...values };
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => defaults[name] ?? whole);
}
