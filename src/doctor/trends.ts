import { httpRequest } from '../lib/http.js';

/** What a daily inspection asks of the last day, from the Prometheus that scrapes the exporter (notify.report.prometheus_url). */
export interface Trends {
  /** Filesystems losing free space, soonest full first: days until full at the last day's pace. */
  readonly filling: { instance: string; mountpoint: string; days: number }[];
  /** Filesystems the exporter reports (filling or not). */
  readonly filesystems: number;
  /** The last day's peak of connections by mode, with the license's limit when it is connection-based. */
  readonly connections: { instance: string; mode: string; peak: number; limit?: number }[];
  /** Failed runs of the test conversion in the last day, per exporter running it (absent: the probe is not configured). */
  readonly conversions: { instance: string; failed: number }[];
  /** Why Prometheus could not be asked; the report says so instead of the trends. */
  readonly error?: string;
}

export const TREND_QUERIES = {
  // Free bytes now over the bytes the last day's linear trend takes in a day: only filesystems that lose space.
  filling:
    'onlyoffice_filesystem_avail_bytes / ((onlyoffice_filesystem_avail_bytes - predict_linear(onlyoffice_filesystem_avail_bytes[1d], 86400)) > 0)',
  filesystems: 'count(onlyoffice_filesystem_avail_bytes)',
  peak: 'max_over_time(onlyoffice_connections[1d])',
  limit: 'onlyoffice_license_connections_limit > 0',
  probes: 'onlyoffice_conversion_probe_last_run_timestamp_seconds',
  // Each run stamps a new last-run time: the distinct stamps seen while the last run had failed (one-minute steps).
  failed:
    'changes((onlyoffice_conversion_probe_last_run_timestamp_seconds and on (instance, job) (onlyoffice_conversion_probe_success == 0))[1d:1m]) + 1',
} as const;

type Sample = { metric: Record<string, string>; value: [number, string] };

// An answer with a vector per exporter and filesystem is small; a bigger one is not Prometheus.
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

async function query(base: string, expr: string, timeoutMs: number, at: number | undefined): Promise<Sample[]> {
  const url = new URL('api/v1/query', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('query', expr);
  if (at !== undefined) url.searchParams.set('time', String(at / 1000));
  const result = await httpRequest({
    url: url.toString(),
    signal: new AbortController().signal,
    timeoutMs,
    maxBodyBytes: MAX_ANSWER_BYTES,
  });
  if (!result.ok) throw new Error(`${result.failure}: ${result.message}`);
  let answer: { status?: string; error?: string; data?: { resultType?: string; result?: Sample[] } };
  try {
    answer = JSON.parse(result.body) as typeof answer;
  } catch {
    throw new Error(`HTTP ${result.status}, not a Prometheus answer`);
  }
  if (answer.status !== 'success')
    throw new Error(`HTTP ${result.status}: ${String(answer.error ?? 'query failed').slice(0, 200)}`);
  if (answer.data?.resultType !== 'vector' || !Array.isArray(answer.data.result))
    throw new Error('answer is not a vector');
  return answer.data.result;
}

const instanceOf = (metric: Record<string, string>) => metric.instance ?? metric.job ?? '';
const num = (sample: Sample) => Number(sample.value[1]);

/** The trends of the day before `at` (epoch ms; default now). Never throws: a failure is the `error` of the answer. */
export async function queryTrends(prometheusUrl: string, timeoutMs: number, at?: number): Promise<Trends> {
  const ask = (expr: string) => query(prometheusUrl, expr, timeoutMs, at);
  try {
    const [filling, filesystems, peak, limit, probes, failed] = await Promise.all([
      ask(TREND_QUERIES.filling),
      ask(TREND_QUERIES.filesystems),
      ask(TREND_QUERIES.peak),
      ask(TREND_QUERIES.limit),
      ask(TREND_QUERIES.probes),
      ask(TREND_QUERIES.failed),
    ]);
    const limits = new Map(limit.map((s) => [`${instanceOf(s.metric)}\n${s.metric.mode}`, num(s)]));
    const failures = new Map(failed.map((s) => [instanceOf(s.metric), num(s)]));
    return {
      filling: filling
        .map((s) => ({
          instance: instanceOf(s.metric),
          mountpoint: s.metric.mountpoint ?? s.metric.path ?? '',
          days: num(s),
        }))
        .filter((f) => Number.isFinite(f.days))
        .sort((a, b) => a.days - b.days),
      filesystems: filesystems.length > 0 ? num(filesystems[0]!) : 0,
      connections: peak
        .map((s) => {
          const instance = instanceOf(s.metric);
          const mode = s.metric.mode ?? '';
          const max = limits.get(`${instance}\n${mode}`);
          return { instance, mode, peak: num(s), ...(max !== undefined ? { limit: max } : {}) };
        })
        .sort((a, b) => a.instance.localeCompare(b.instance) || a.mode.localeCompare(b.mode)),
      conversions: probes
        .map((s) => ({ instance: instanceOf(s.metric), failed: failures.get(instanceOf(s.metric)) ?? 0 }))
        .sort((a, b) => a.instance.localeCompare(b.instance)),
    };
  } catch (error) {
    return { filling: [], filesystems: 0, connections: [], conversions: [], error: (error as Error).message };
  }
}
