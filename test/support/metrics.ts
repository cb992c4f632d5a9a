import { Gauge, type Registry } from 'prom-client';

/**
 * A prom-client Gauge in a scrape's registry: collectors emit read rows (src/metrics/family.ts), but a registry may
 * still hold prom-client's own metrics, and the scrape must read and bound those the same way.
 */
export function gauge<L extends string = never>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Gauge<L> {
  return new Gauge<L>({ name, help, labelNames: labelNames as L[], registers: [registry] });
}
