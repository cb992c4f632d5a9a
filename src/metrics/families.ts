import { Registry, type Metric } from 'prom-client';

export type LabelValues = Record<string, string | number>;

/** One series as prom-client's `metric.get()` gives it. */
export interface FamilyValue {
  labels: LabelValues;
  value: number;
  /** A histogram's `_bucket`, `_sum` and `_count` rows carry their own name. */
  metricName?: string;
}

/** One metric family with its values read: what prom-client's `metric.get()` resolves to. */
export interface Family {
  name: string;
  help: string;
  type: string;
  aggregator?: string;
  values: readonly FamilyValue[];
  /**
   * The collector's own counts about itself (e.g. how much it received or dropped): never cut by the series bounds,
   * which apply to data rows. These are the ones that say a cap was hit.
   */
  self?: boolean;
}

/**
 * A metric whose values were read already; prom-client's Registry only needs name, help, type and get().
 * A scrape's answer is made of these: the values are read once, and serialising them asks nothing again.
 */
export class ReadMetric {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator: string;

  constructor(readonly family: Family) {
    this.name = family.name;
    this.help = family.help;
    this.type = family.type;
    this.aggregator = family.aggregator ?? 'sum';
  }

  async get(): Promise<Family> {
    return this.family;
  }

  reset(): void {}
}

/** Adds a family to `registry`; a name registered already throws, as Registry.merge does. */
export function registerFamily(registry: Registry, family: Family): void {
  registry.registerMetric(new ReadMetric(family) as unknown as Metric);
}

/** The families of a registry, in registration order; read ones without a promise each. */
export async function readFamilies(registry: Registry): Promise<Family[]> {
  const metrics = registry.getMetricsAsArray();
  const families = new Array<Family>(metrics.length);
  let pending: Promise<void>[] | undefined;
  for (let index = 0; index < metrics.length; index++) {
    const metric = metrics[index] as unknown;
    if (metric instanceof ReadMetric) {
      families[index] = metric.family;
    } else {
      (pending ??= []).push(
        (metric as Metric).get().then((family) => {
          families[index] = family as unknown as Family;
        }),
      );
    }
  }
  if (pending !== undefined) await Promise.all(pending);
  return families;
}
