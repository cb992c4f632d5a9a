import { Gauge, type Registry } from 'prom-client';

/** A gauge registered only in this scrape's registry. */
export function gauge<L extends string = never>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return new Gauge<L>({ name, help, labelNames: labelNames as L[], registers: [registry] });
}
