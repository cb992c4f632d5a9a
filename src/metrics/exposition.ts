import { Registry, type Metric } from 'prom-client';
import { ReadMetric } from './families.js';

type LabelValues = Record<string, string | number>;

interface ExposedValue {
  metricName?: string;
  labels?: LabelValues;
  sharedLabels?: LabelValues;
  value: number;
}

interface ExposedFamily {
  name: string;
  help: string;
  type: string;
  values?: readonly ExposedValue[];
}

export const EXPOSITION_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * A registry in the Prometheus text format, byte for byte what prom-client's `registry.metrics()` writes
 * (test/unit/exposition-property.test.ts holds the two together). prom-client builds a label array, a
 * spread copy, a filtered copy and a WeakMap entry for every series: about 14 MiB of garbage for the 7,600
 * series of 500 containers, which is what made the daemon's RSS climb under scrapes. This joins the pieces once.
 */
export async function exposition(registry: Registry): Promise<string> {
  if (registry.contentType !== EXPOSITION_CONTENT_TYPE)
    throw new Error('only the Prometheus text format is written here');
  const metrics = registry.getMetricsAsArray() as unknown as (Metric & {
    getForPromString?: () => Promise<ExposedFamily>;
  })[];
  // A scrape's answer is read values (ReadMetric): taken as they are, without a promise each.
  const families = new Array<ExposedFamily>(metrics.length);
  let pending: Promise<void>[] | undefined;
  for (let index = 0; index < metrics.length; index++) {
    const metric = metrics[index]!;
    if (metric instanceof ReadMetric) {
      families[index] = metric.family;
      continue;
    }
    const read = (metric.getForPromString ? metric.getForPromString() : metric.get()) as Promise<ExposedFamily>;
    (pending ??= []).push(
      read.then((family) => {
        families[index] = family;
      }),
    );
  }
  if (pending !== undefined) await Promise.all(pending);
  // Pieces joined once: join() writes one flat string of the summed length, where appending builds a rope of
  // cons strings that is flattened again when sent.
  const parts: string[] = [];
  for (let index = 0; index < families.length; index++) {
    const family = families[index]!;
    if (index > 0) parts.push('\n\n');
    const name = escapeText(family.name);
    parts.push(header(name, family.help, family.type));
    for (const value of family.values ?? []) {
      parts.push('\n', value.metricName === undefined ? name : value.metricName);
      pushSeries(parts, value);
    }
  }
  parts.push('\n');
  return parts.join('');
}

// `# HELP` and `# TYPE` of a family, by escaped name: the same few dozen families are written on every scrape, and
// their help texts are most of the bytes. Bounded, since StatsD names are whatever clients send.
const headers = new Map<string, { help: string; type: string; text: string }>();
const HEADER_CACHE_SIZE = 1024;

function header(name: string, help: string, type: string): string {
  const known = headers.get(name);
  if (known !== undefined && known.help === help && known.type === type) return known.text;
  const text = `# HELP ${name} ${escapeText(help)}\n# TYPE ${name} ${type}`;
  if (headers.size >= HEADER_CACHE_SIZE) headers.clear();
  headers.set(name, { help, type, text });
  return text;
}

// The rest of a line after its metric name, for values that cannot change. Not the name itself: a value
// without metricName takes its family's, and one frozen object may be registered under two families.
const renderedSeries = new WeakMap<object, string>();

/** `{labels} value`; remembered when the value and its label objects are frozen (Object.freeze is shallow). */
function pushSeries(parts: string[], value: ExposedValue): void {
  const immutable =
    Object.isFrozen(value) &&
    (value.labels === undefined || Object.isFrozen(value.labels)) &&
    (value.sharedLabels === undefined || Object.isFrozen(value.sharedLabels));
  if (!immutable) {
    pushLabels(parts, value.labels, value.sharedLabels);
    parts.push(' ', valueText(value.value));
    return;
  }
  let text = renderedSeries.get(value);
  if (text === undefined) {
    const own: string[] = [];
    pushLabels(own, value.labels, value.sharedLabels);
    own.push(' ', valueText(value.value));
    text = own.join('');
    renderedSeries.set(value, text);
  }
  parts.push(text);
}

/** `{a="1",b="2"}`: own labels in key order (those also shared left out), then the shared ones; nothing when none. */
function pushLabels(parts: string[], labels: LabelValues | undefined, shared: LabelValues | undefined): void {
  let first = true;
  if (labels) {
    // for-in rather than Object.keys(): the same order for these plain objects, without an array per series.
    for (const key in labels) {
      if (shared && Object.hasOwn(shared, key)) continue;
      parts.push(first ? '{' : ',', key, '="', labelValueText(labels[key]!), '"');
      first = false;
    }
  }
  if (shared) {
    for (const key in shared) {
      parts.push(first ? '{' : ',', key, '="', labelValueText(shared[key]!), '"');
      first = false;
    }
  }
  if (!first) parts.push('}');
}

// Most names and values need no escaping: testing first spares two or three replace() copies of each.
const NEEDS_ESCAPE = /[\\\n"]/;

function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

// Numbers are written as JavaScript prints them, unescaped, as prom-client does.
function labelValueText(value: string | number): string {
  if (typeof value !== 'string') return `${value}`;
  return NEEDS_ESCAPE.test(value) ? escapeText(value).replace(/"/g, '\\"') : value;
}

// prom-client's spelling, "Nan" included (Prometheus parses it case-insensitively).
function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
