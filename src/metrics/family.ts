import type { Registry } from 'prom-client';
import { registerFamily, type FamilyValue, type LabelValues } from './families.js';

export type FamilyType = 'gauge' | 'counter' | 'histogram';

/**
 * A metric family as a collector declares it, once, at the top of its file: name, help, type and label names. Each
 * scrape adds its rows with emit(), as node_exporter's collectors send const metrics of their descriptors.
 */
export interface FamilyDefinition<L extends string = never> {
  readonly name: string;
  readonly help: string;
  readonly type: FamilyType;
  /** In exposition order: every row's labels object lists them in this order. */
  readonly labelNames: readonly L[];
  /** The collector's counts about itself, never cut by the series bounds (see Family.self). */
  readonly self?: boolean;
}

export function gaugeFamily<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): FamilyDefinition<L> {
  return Object.freeze({ name, help, type: 'gauge', labelNames });
}

export function counterFamily<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): FamilyDefinition<L> {
  return Object.freeze({ name, help, type: 'counter', labelNames });
}

/** The same family marked as the collector's counts about itself (see FamilyDefinition.self). */
export function selfFamily<L extends string>(family: FamilyDefinition<L>): FamilyDefinition<L> {
  return Object.freeze({ ...family, self: true });
}

/** One series: its labels (in the family's label order) and value; `metricName` for a histogram's _bucket/_sum/_count. */
export interface Row<L extends string = never> {
  labels: Record<L, string | number>;
  value: number;
  metricName?: string;
}

/** Where a scrape's families go: the scrape context, or anything holding that scrape's registry. */
export interface Emitter {
  readonly registry: Registry;
}

/**
 * Adds `family` to this scrape, in call order (the exposition's family order), and returns its rows to push to.
 * Rows are written as pushed: a label set must not be pushed twice.
 */
export function emit<L extends string>(ctx: Emitter, family: FamilyDefinition<L>, rows: Row<L>[] = []): Row<L>[] {
  emitRows(ctx, family, rows as FamilyValue[]);
  return rows;
}

/** emit() for rows built beforehand (kept between scrapes, frozen), whose labels are typed loosely. */
export function emitRows(ctx: Emitter, family: FamilyDefinition<string>, rows: readonly FamilyValue[]): void {
  registerFamily(ctx.registry, {
    name: family.name,
    help: family.help,
    type: family.type,
    values: rows,
    ...(family.self === true ? { self: true } : {}),
  });
}

/** A family without labels and its one value. */
export function emitValue(ctx: Emitter, family: FamilyDefinition, value: number): void {
  emit(ctx, family, [{ labels: NO_LABELS, value }]);
}

const NO_LABELS: LabelValues = Object.freeze({});
