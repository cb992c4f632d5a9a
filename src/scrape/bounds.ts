import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { overBudgetCount, refusedBodyCount } from '../lib/http.js';
import type { Family, FamilyValue, LabelValues } from '../metrics/families.js';

/** Generic guards on what one collector may put into one scrape, whatever the collector. */
export interface SeriesLimits {
  /** Distinct label sets per collector and scrape (a histogram's buckets, sum and count are one series). */
  readonly maxSeries: number;
  /** Characters in one label value; longer values are cut and end in a hash that keeps them distinct. */
  readonly maxLabelValueLength: number;
}

// Far above what any collector exports at fleet scale (500 containers x 17 series, statsd.max_series up to 10,000):
// they only stop a bug or a hostile target from flooding Prometheus.
export const DEFAULT_LIMITS: SeriesLimits = { maxSeries: 100_000, maxLabelValueLength: 4096 };

const HASH_CHARS = 16;

type Labels = LabelValues;
const SEPARATE_LABELS = new Set(['le', 'quantile']);

/** Counts bound hits across scrapes for the daemon's own counters; logs the first hit per collector and bound. */
export class BoundsLog {
  truncatedLabelValues = 0;
  droppedSeries = 0;
  private readonly reported = new Set<string>();

  constructor(private readonly logger: Logger) {}

  record(collector: string, truncated: number, dropped: number, limits: SeriesLimits): void {
    this.truncatedLabelValues += truncated;
    this.droppedSeries += dropped;
    if (truncated > 0)
      this.once(
        collector,
        'label',
        { truncated, max_label_value_length: limits.maxLabelValueLength },
        'label values too long; cut',
      );
    if (dropped > 0)
      this.once(
        collector,
        'series',
        { dropped, max_series: limits.maxSeries },
        'too many series; the rest were dropped',
      );
  }

  private once(collector: string, bound: string, fields: Record<string, number>, message: string): void {
    // The set holds at most collectors x 2 keys: one line per collector and bound for the life of the process.
    const key = `${collector}\u0000${bound}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.logger.warn({ collector, ...fields }, message);
  }

  /** The daemon's counters of bounds hit (label values cut, series dropped, oversized answers refused, answers over the bytes in flight), for /metrics. */
  families(): Family[] {
    return [
      {
        name: 'onlyoffice_scrape_label_values_truncated_total',
        help: `Label values longer than ${DEFAULT_LIMITS.maxLabelValueLength} characters that a collector produced, cut to that length (ending in a hash), since start.`,
        type: 'counter',
        values: [{ labels: {}, value: this.truncatedLabelValues }],
      },
      {
        name: 'onlyoffice_scrape_series_dropped_total',
        help: `Series dropped because a collector produced more than ${DEFAULT_LIMITS.maxSeries} in one scrape, since start.`,
        type: 'counter',
        values: [{ labels: {}, value: this.droppedSeries }],
      },
      {
        name: 'onlyoffice_scrape_response_bodies_too_large_total',
        help: 'Answers from targets refused because their body passed its size cap (documentserver.max_body_bytes for DocumentServer; fixed caps for RabbitMQ and robot answers), since start.',
        type: 'counter',
        values: [{ labels: {}, value: refusedBodyCount() }],
      },
      {
        name: 'onlyoffice_scrape_responses_over_bytes_in_flight_total',
        help:
          'Answers from targets given up because reading them would have held more than --web.max-response-bytes-in-flight bytes of answers ' +
          'at once (all scrapes together), since start.',
        type: 'counter',
        values: [{ labels: {}, value: overBudgetCount() }],
      },
    ];
  }
}

export interface BoundedFamilies {
  families: Family[];
  truncated: number;
  dropped: number;
}

/**
 * A collector's families within the limits: the same arrays when nothing is over them, copies otherwise.
 * Self families (Family.self) pass through whole and do not count against the limits.
 */
export function boundFamilies(families: readonly Family[], limits: SeriesLimits = DEFAULT_LIMITS): BoundedFamilies {
  let truncated = 0;
  let dropped = 0;
  let rows = 0;
  for (const family of families) {
    if (family.self === true) continue;
    rows += family.values.length;
    for (const row of family.values) {
      // for-in rather than Object.values(): no array per row, on every scrape.
      for (const name in row.labels) {
        const value = row.labels[name];
        if (typeof value === 'string' && value.length > limits.maxLabelValueLength) truncated++;
      }
    }
  }
  // Rows are at least as many as series: with no more rows than the limit there is nothing to count.
  const countSeries = rows > limits.maxSeries;
  if (truncated === 0 && !countSeries)
    return { families: families.filter((family) => family.values.length > 0), truncated, dropped };
  const bounded: Family[] = [];
  const seen = new Set<string>();
  for (const family of families) {
    let values = family.values;
    // A collector's own counts (what it dropped, how many series it holds) are never cut, nor counted.
    if (family.self === true) {
      if (values.length > 0) bounded.push(family);
      continue;
    }
    if (truncated > 0)
      values = values.map((row) => ({ ...row, labels: cutLabels(row.labels, limits.maxLabelValueLength) }));
    if (countSeries) {
      const kept: FamilyValue[] = [];
      const droppedHere = new Set<string>();
      for (const row of values) {
        const key = seriesKey(family.name, row.labels);
        if (!seen.has(key) && seen.size >= limits.maxSeries) droppedHere.add(key);
        if (droppedHere.has(key)) continue;
        seen.add(key);
        kept.push(row);
      }
      dropped += droppedHere.size;
      values = kept;
    }
    if (values.length > 0) bounded.push({ ...family, values });
  }
  return { families: bounded, truncated, dropped };
}

function seriesKey(family: string, labels: Labels): string {
  const names = Object.keys(labels)
    .filter((name) => !SEPARATE_LABELS.has(name))
    .sort();
  return `${family}\u0000${names.map((name) => `${name}\u0001${labels[name]}`).join('\u0000')}`;
}

function cutLabels(labels: Labels, max: number): Labels {
  let out: Labels | undefined;
  for (const [name, value] of Object.entries(labels)) {
    if (typeof value !== 'string' || value.length <= max) continue;
    out ??= { ...labels };
    out[name] = cutValue(value, max);
  }
  return out ?? labels;
}

/** The first characters, "…" and 16 hex digits of the whole value's SHA-256: distinct values stay distinct. */
export function cutValue(value: string, max: number): string {
  let keep = Math.max(0, max - HASH_CHARS - 1);
  // Never split a surrogate pair: half of one would not survive UTF-8.
  const code = value.charCodeAt(keep - 1);
  if (keep > 0 && code >= 0xd800 && code <= 0xdbff) keep--;
  return `${value.slice(0, keep)}…${createHash('sha256').update(value).digest('hex').slice(0, HASH_CHARS)}`;
}
