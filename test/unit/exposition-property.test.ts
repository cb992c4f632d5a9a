import fc from 'fast-check';
import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import { exposition } from '../../src/metrics/exposition.js';
import { emit, emitRows, emitValue, gaugeFamily } from '../../src/metrics/family.js';

// What prom-client must print exactly as we do: names, help with \ and newlines, label values with quotes,
// backslashes, newlines and any Unicode, numbers as label values, every kind of float, shared labels.
const labelName = fc.constantFrom('name', 'state', 'le', 'path', 'a', 'b_c', '__x', '0');
const labelValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('"', '\\', '\n', '\\n', '""\\\\', 'a"b\\c\nd', '+Inf', ''),
  fc.double(),
  fc.integer(),
);
const sampleValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e21, 5e-324, 0.1 + 0.2),
);
const help = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('a\\b', 'line\nbreak', '"quoted"', ''));
const labels = fc.dictionary(labelName, labelValue, { maxKeys: 4 });
const familyName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/);

const family = fc.record({
  name: familyName,
  help,
  type: fc.constantFrom('gauge', 'counter', 'histogram', 'untyped'),
  values: fc.array(
    fc.record(
      {
        labels: fc.option(labels, { nil: undefined }),
        sharedLabels: fc.option(labels, { nil: undefined }),
        metricName: fc.option(fc.constantFrom('x_bucket', 'x_sum', 'y'), { nil: undefined }),
        value: sampleValue,
      },
      { requiredKeys: ['value'] },
    ),
    { maxLength: 6 },
  ),
});

function registryOf(families: { name: string; help: string; type: string; values: unknown[] }[]): Registry {
  const registry = new Registry();
  for (const f of families) {
    registry.registerMetric({
      name: f.name,
      help: f.help,
      type: f.type,
      aggregator: 'sum',
      get: async () => f,
      reset: () => undefined,
    } as unknown as Metric);
  }
  return registry;
}

describe('exposition()', () => {
  test('writes exactly what prom-client writes, for any families, labels and values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(family, { selector: (f) => f.name, maxLength: 5 }), async (families) => {
        const registry = registryOf(families);
        expect(await exposition(registry)).toBe(await registry.metrics());
      }),
      { numRuns: 500 },
    );
  });

  // Frozen values have their line remembered: a second exposition of the same objects reads it back.
  test('frozen values too, twice over the same objects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(family, { selector: (f) => f.name, maxLength: 5 }), async (families) => {
        for (const f of families) {
          for (const value of f.values) {
            if (value.labels) Object.freeze(value.labels);
            if (value.sharedLabels) Object.freeze(value.sharedLabels);
            Object.freeze(value);
          }
        }
        const registry = registryOf(families);
        const expected = await registry.metrics();
        expect(await exposition(registry)).toBe(expected);
        expect(await exposition(registry)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  test("a frozen value shared by two families is written under each family's name", async () => {
    const value = Object.freeze({ labels: Object.freeze({ name: 'ds' }), value: 2 });
    const named = Object.freeze({ metricName: 'x_sum', labels: Object.freeze({ name: 'ds' }), value: 3 });
    const registry = registryOf([
      { name: 'first', help: 'f', type: 'gauge', values: [value, named] },
      { name: 'second', help: 's', type: 'gauge', values: [value, named] },
    ]);
    const text = await exposition(registry);
    expect(text).toBe(await registry.metrics());
    expect(text).toContain('\nfirst{name="ds"} 2\nx_sum{name="ds"} 3\n');
    expect(text).toContain('\nsecond{name="ds"} 2\nx_sum{name="ds"} 3\n');
    expect(await exposition(registry)).toBe(text);
  });

  test('a frozen value whose labels are not frozen is not remembered stale', async () => {
    const labels: Record<string, string> = { name: 'a' };
    const registry = registryOf([
      { name: 'g', help: 'g', type: 'gauge', values: [Object.freeze({ labels, value: 1 })] },
    ]);
    expect(await exposition(registry)).toBe('# HELP g g\n# TYPE g gauge\ng{name="a"} 1\n');
    labels.name = 'b';
    expect(await exposition(registry)).toBe('# HELP g g\n# TYPE g gauge\ng{name="b"} 1\n');
  });

  test("and for prom-client's own metric classes, histograms with shared labels included", async () => {
    const registry = new Registry();
    const registers = [registry];
    new Gauge({ name: 'g', help: 'a gauge\nwith "help" \\', labelNames: ['name', 'state'], registers }).set(
      { state: 'x"y', name: 'n\\1' },
      0.5,
    );
    new Counter({ name: 'c_total', help: 'c', labelNames: ['op'], registers }).inc({ op: 'list' }, 3);
    const histogram = new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['path'],
      buckets: [0.1, 1],
      registers,
    });
    histogram.observe({ path: '/a' }, 0.5);
    histogram.observe({ path: '/b' }, 5);
    new Gauge({ name: 'empty', help: 'no series', registers });
    emitRows({ registry }, gaugeFamily('snap', 's', ['le', 'name']), [{ labels: { le: 0.25, name: 'x' }, value: NaN }]);
    const text = await exposition(registry);
    expect(text).toBe(await registry.metrics());
    expect(text).toContain('\nh_seconds_bucket{le="1",path="/a"} 1\n');
    expect(text).toContain('\ng{state="x\\"y",name="n\\\\1"} 0.5\n');
    expect(text).toContain('\nsnap{le="0.25",name="x"} Nan\n');
  });

  test('a family whose help or type changes under the same name is written with the new ones', async () => {
    const first = registryOf([{ name: 'g', help: 'old', type: 'gauge', values: [{ labels: {}, value: 1 }] }]);
    expect(await exposition(first)).toBe('# HELP g old\n# TYPE g gauge\ng 1\n');
    const second = registryOf([{ name: 'g', help: 'new\\', type: 'counter', values: [{ labels: {}, value: 1 }] }]);
    expect(await exposition(second)).toBe(await second.metrics());
    expect(await exposition(second)).toBe('# HELP g new\\\\\n# TYPE g counter\ng 1\n');
  });

  test('series registered as read values (emit, emitValue, registerFamily) are written as prom-client writes Gauges', async () => {
    const ours = new Registry();
    const rows = emit({ registry: ours }, gaugeFamily('tls_cert', 'help "quoted"\nand more', ['target', 'position']));
    rows.push({ labels: { target: '127.0.0.1:443', position: '0' }, value: 1803402205 });
    rows.push({ labels: { target: 'a"b\\c', position: '1' }, value: 0.1 + 0.2 });
    emitValue({ registry: ours }, gaugeFamily('up_once', 'u'), NaN);
    const theirs = new Registry();
    const g = new Gauge({
      name: 'tls_cert',
      help: 'help "quoted"\nand more',
      labelNames: ['target', 'position'],
      registers: [theirs],
    });
    g.set({ target: '127.0.0.1:443', position: '0' }, 1803402205);
    g.set({ target: 'a"b\\c', position: '1' }, 0.1 + 0.2);
    new Gauge({ name: 'up_once', help: 'u', registers: [theirs] }).set(NaN);
    expect(await exposition(ours)).toBe(await theirs.metrics());
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  test('an empty registry is one newline, as prom-client writes it', async () => {
    expect(await exposition(new Registry())).toBe('\n');
  });

  test('refuses the OpenMetrics content type rather than writing it wrong', async () => {
    const registry = new Registry();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as typeof Registry.PROMETHEUS_CONTENT_TYPE);
    await expect(exposition(registry)).rejects.toThrow('only the Prometheus text format is written here');
  });
});
