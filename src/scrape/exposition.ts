import { Registry, type Metric } from 'prom-client';

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
  values?: ExposedValue[];
}

export const EXPOSITION_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * A registry in the Prometheus text format, byte for byte what prom-client's `registry.metrics()` writes
 * (test/unit/exposition-property.test.ts holds the two together). prom-client builds a label array, a
 * spread copy, a filtered copy and a WeakMap entry for every series: about 14 MiB of garbage for the 7,600
 * series of 500 containers, which is what made the daemon's RSS climb under scrapes. This appends to one string.
 */
export async function exposition(registry: Registry): Promise<string> {
  if (registry.contentType !== EXPOSITION_CONTENT_TYPE) throw new Error('only the Prometheus text format is written here');
  const metrics = registry.getMetricsAsArray() as unknown as (Metric & { getForPromString?: () => Promise<ExposedFamily> })[];
  const families = await Promise.all(metrics.map((metric) => (metric.getForPromString ? metric.getForPromString() : metric.get()) as Promise<ExposedFamily>));
  let out = '';
  for (let index = 0; index < families.length; index++) {
    const family = families[index]!;
    if (index > 0) out += '\n\n';
    const name = escapeText(family.name);
    out += `# HELP ${name} ${escapeText(family.help)}\n# TYPE ${name} ${family.type}`;
    // Appended rather than joined from an array of lines: less garbage, the rope is flattened once when sent.
    for (const value of family.values ?? []) {
      out += '\n' + (value.metricName === undefined ? name : value.metricName) + seriesText(value);
    }
  }
  return `${out}\n`;
}

// The rest of a line after its metric name, for values that cannot change. Not the name itself: a value
// without metricName takes its family's, and one frozen object may be registered under two families.
const renderedSeries = new WeakMap<object, string>();

/** `{labels} value`; remembered when the value and its label objects are frozen (Object.freeze is shallow). */
function seriesText(value: ExposedValue): string {
  const immutable = Object.isFrozen(value)
    && (value.labels === undefined || Object.isFrozen(value.labels))
    && (value.sharedLabels === undefined || Object.isFrozen(value.sharedLabels));
  if (!immutable) return `${labelsText(value.labels, value.sharedLabels)} ${valueText(value.value)}`;
  let text = renderedSeries.get(value);
  if (text === undefined) {
    text = `${labelsText(value.labels, value.sharedLabels)} ${valueText(value.value)}`;
    renderedSeries.set(value, text);
  }
  return text;
}

/** `{a="1",b="2"}`: own labels in key order (those also shared left out), then the shared ones; '' when none. */
function labelsText(labels: LabelValues | undefined, shared: LabelValues | undefined): string {
  let text = '';
  if (labels) {
    for (const key of Object.keys(labels)) {
      if (shared && Object.hasOwn(shared, key)) continue;
      text += `${text === '' ? '' : ','}${key}="${labelValueText(labels[key]!)}"`;
    }
  }
  if (shared) {
    for (const key of Object.keys(shared)) text += `${text === '' ? '' : ','}${key}="${labelValueText(shared[key]!)}"`;
  }
  return text === '' ? '' : `{${text}}`;
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
