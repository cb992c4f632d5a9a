export type Labels = Record<string, string>;

interface SnapshotValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/** A histogram state kept outside prom-client: per-bucket (not cumulative) counts, weighted by sample rate. */
export interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

/** The exposition rows of one histogram series: cumulative `_bucket`s with `le`, then `_sum` and `_count`. */
export function histogramValues(
  name: string,
  labels: Labels,
  bounds: readonly number[],
  state: HistogramState,
): SnapshotValue[] {
  const values: SnapshotValue[] = [];
  let cumulative = 0;
  bounds.forEach((bound, index) => {
    cumulative += state.counts[index] ?? 0;
    values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
  });
  values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: state.count });
  values.push({ metricName: `${name}_sum`, labels, value: state.sum });
  values.push({ metricName: `${name}_count`, labels, value: state.count });
  return values;
}

/** Adds `weight` observations of `value` (a sample rate of 0.1 means each one stands for 10). */
export function observe(state: HistogramState, bounds: readonly number[], value: number, weight = 1): void {
  const index = bounds.findIndex((bound) => value <= bound);
  // Values above the last bound live only in +Inf, which is `count`.
  if (index >= 0) state.counts[index] = (state.counts[index] ?? 0) + weight;
  state.count += weight;
  state.sum += value * weight;
}

export function emptyHistogram(bounds: readonly number[]): HistogramState {
  return { counts: bounds.map(() => 0), sum: 0, count: 0 };
}
