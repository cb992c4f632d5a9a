import type { Registry } from 'prom-client';
import { COLLECTOR_SUCCESS } from '../scrape/run.js';

/** One exported value, as the doctor reads it (the same series /metrics would show). */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Every sample of a scrape's registry, histograms included (as `_bucket`/`_sum`/`_count`). */
export async function samplesOf(registry: Registry): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const entry of metric.values as {
      value: number;
      labels: Record<string, string | number>;
      metricName?: string;
    }[]) {
      const labels: Record<string, string> = {};
      for (const [key, val] of Object.entries(entry.labels)) labels[key] = String(val);
      samples.push({ name: entry.metricName ?? metric.name, labels, value: entry.value });
    }
  }
  return samples;
}

/** Read-only queries over one scrape's samples. */
export class SampleSet {
  constructor(readonly samples: readonly Sample[]) {}

  all(name: string, labels: Record<string, string | RegExp> = {}): Sample[] {
    return this.samples.filter(
      (s) =>
        s.name === name &&
        Object.entries(labels).every(([key, want]) => {
          const have = s.labels[key];
          return have !== undefined && (typeof want === 'string' ? have === want : want.test(have));
        }),
    );
  }

  /** The value of the one matching series; undefined when there is none (a check that did not run). */
  one(name: string, labels: Record<string, string | RegExp> = {}): number | undefined {
    return this.all(name, labels)[0]?.value;
  }

  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }

  /** 1 / 0 for a collector that ran, undefined for one that is not configured. */
  collector(name: string): number | undefined {
    return this.one(COLLECTOR_SUCCESS, { collector: name });
  }

  /** For state-set gauges (`state="running"` 1, others 0): the label value that is 1, per series key. */
  stateSet(
    name: string,
    keyLabels: readonly string[],
    stateLabel: string,
  ): Map<string, { labels: Record<string, string>; state: string }> {
    const out = new Map<string, { labels: Record<string, string>; state: string }>();
    for (const s of this.all(name)) {
      if (s.value !== 1) continue;
      const labels = Object.fromEntries(keyLabels.map((k) => [k, s.labels[k] ?? '']));
      out.set(JSON.stringify(labels), { labels, state: s.labels[stateLabel] ?? '' });
    }
    return out;
  }
}
