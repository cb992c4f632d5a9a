import { Gauge, type Registry } from 'prom-client';
import { registerFamily, type FamilyValue, type LabelValues } from './families.js';

/** A gauge registered only in this scrape's registry. */
export function gauge<L extends string = never>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return new Gauge<L>({ name, help, labelNames: labelNames as L[], registers: [registry] });
}

/**
 * The series of a gauge whose values a collector has in hand, registered as they are: no prom-client Gauge, which
 * hashes and checks the labels of every set. For the collectors /probe runs, thousands of times a second in a fleet.
 * Push `{ labels, value }` rows to the array returned; a label set must not be pushed twice.
 */
export function gaugeSeries<L extends string = never>(registry: Registry, name: string, help: string): GaugeRows<L> {
  const values: FamilyValue[] = [];
  registerFamily(registry, { name, help, type: 'gauge', values });
  return values as GaugeRows<L>;
}

export type GaugeRows<L extends string> = { labels: Record<L, string>; value: number }[];

/** A gauge without labels, set once; registered as its value (see gaugeSeries). */
export function gaugeValue(registry: Registry, name: string, help: string, value: number): void {
  registerFamily(registry, { name, help, type: 'gauge', values: [{ labels: NO_LABELS, value }] });
}

const NO_LABELS: LabelValues = Object.freeze({});
