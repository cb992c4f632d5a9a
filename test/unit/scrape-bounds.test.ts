import { Writable } from 'node:stream';
import pino from 'pino';
import { Counter, Gauge, Histogram, Registry, Summary, type Metric } from 'prom-client';
import type { CollectorDefinition, ScrapeContext } from '../../src/collectors/types.js';
import { gauge } from '../support/metrics.js';
import { BoundsLog, boundFamilies, cutValue, DEFAULT_LIMITS } from '../../src/scrape/bounds.js';
import { readFamilies } from '../../src/metrics/families.js';
import { CollectorHealthLog } from '../../src/scrape/health-log.js';
import { runScrape } from '../../src/scrape/run.js';
import { StatsdStore } from '../../src/statsd/store.js';
import { find, parseExposition, value } from '../support/exposition.js';
import { configFrom, familiesText, scrapeWith, silentLogger } from '../support/scrape.js';

const config = configFrom('');

function definition(name: string, collect: (ctx: ScrapeContext) => Promise<void>): CollectorDefinition {
  return { name, scopes: ['metrics'], runs: 'scrape', create: () => ({ collect }) };
}

function everyKind(registry: Registry): void {
  new Gauge({ name: 'k_gauge', help: 'g', labelNames: ['a', 'b'], registers: [registry] }).set(
    { a: 'x"y\\z\n', b: 'ü' },
    1.5,
  );
  new Counter({ name: 'k_total', help: 'c', registers: [registry] }).inc(3);
  const histogram = new Histogram({
    name: 'k_seconds',
    help: 'h',
    labelNames: ['op'],
    buckets: [0.1, 1],
    registers: [registry],
  });
  histogram.observe({ op: 'a' }, 0.5);
  histogram.observe({ op: 'b' }, 2);
  new Summary({ name: 'k_summary', help: 's', percentiles: [0.5], registers: [registry] }).observe(4);
}

describe('series bounds', () => {
  test("within the limits the exposition is exactly the collector's own", async () => {
    const source = new Registry();
    everyKind(source);
    const bounded = boundFamilies(await readFamilies(source));
    expect([bounded.truncated, bounded.dropped]).toEqual([0, 0]);
    expect(await familiesText(bounded.families)).toBe(await source.metrics());
  });

  test('a label value over the limit is cut to the limit, ends in a hash, and distinct values stay distinct', async () => {
    const source = new Registry();
    const g = new Gauge({ name: 'long', help: 'l', labelNames: ['v', 'w'], registers: [source] });
    const a = `${'a'.repeat(50)}1`;
    const b = `${'a'.repeat(50)}2`;
    g.set({ v: a, w: 'short' }, 1);
    g.set({ v: b, w: a }, 2);
    const bounded = boundFamilies(await readFamilies(source), { maxSeries: 100, maxLabelValueLength: 40 });
    expect([bounded.truncated, bounded.dropped]).toEqual([3, 0]);
    const samples = parseExposition(await familiesText(bounded.families));
    expect(samples.map((s) => [s.labels.v, s.labels.w, s.value])).toEqual([
      [cutValue(a, 40), 'short', 1],
      [cutValue(b, 40), cutValue(a, 40), 2],
    ]);
    expect(cutValue(a, 40)).toHaveLength(40);
    expect(cutValue(a, 40)).toMatch(/^a{23}…[0-9a-f]{16}$/);
    expect(cutValue(a, 40)).not.toBe(cutValue(b, 40));
  });

  test('a cut never splits a surrogate pair', () => {
    const emoji = `${'x'.repeat(22)}😀😀😀`;
    const cut = cutValue(emoji, 40);
    expect(cut).toBe(`${'x'.repeat(22)}…${cut.slice(-16)}`);
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
  });

  test('past the series limit the first series are kept and the rest dropped; a histogram is one series', async () => {
    const source = new Registry();
    const histogram = new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['op'],
      buckets: [1, 2, 3],
      registers: [source],
    });
    for (const op of ['a', 'b']) histogram.observe({ op }, 1);
    const g = new Gauge({ name: 'g', help: 'g', labelNames: ['n'], registers: [source] });
    for (let n = 0; n < 6; n++) g.set({ n: String(n) }, n);
    const bounded = boundFamilies(await readFamilies(source), { maxSeries: 5, maxLabelValueLength: 100 });
    expect([bounded.truncated, bounded.dropped]).toEqual([0, 3]);
    const samples = parseExposition(await familiesText(bounded.families));
    expect(find(samples, 'h_seconds_count').map((s) => s.labels.op)).toEqual(['a', 'b']);
    expect(find(samples, 'h_seconds_bucket')).toHaveLength(8);
    expect(find(samples, 'g').map((s) => s.labels.n)).toEqual(['0', '1', '2']);
  });

  test("through a scrape: counted in the daemon's counters, logged once per collector and bound", async () => {
    const lines: Array<{ msg: string; collector: string; truncated?: number; dropped?: number }> = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const bounds = new BoundsLog(logger);
    const flood = definition('flood', async (ctx) => {
      const g = gauge(ctx.registry, 'flood', 'f', ['n']);
      for (let n = 0; n < 12; n++) g.set({ n: String(n) }, 1);
    });
    const long = definition('long', async (ctx) =>
      gauge(ctx.registry, 'long', 'l', ['v']).set({ v: 'v'.repeat(30) }, 1),
    );
    const fine = definition('fine', async (ctx) => gauge(ctx.registry, 'fine', 'f').set(1));
    const collectors = [flood, long, fine].map((d) => ({ name: d.name, collector: d.create(config, silentLogger)! }));
    for (let scrape = 0; scrape < 2; scrape++) {
      const registry = await runScrape({
        collectors,
        config,
        target: config.documentserver,
        scope: 'metrics',
        budgetMs: 2000,
        logger: silentLogger,
        healthLog: new CollectorHealthLog(silentLogger),
        bounds,
        limits: { maxSeries: 10, maxLabelValueLength: 20 },
      });
      const samples = parseExposition(await registry.metrics());
      expect(find(samples, 'flood')).toHaveLength(10);
      expect(find(samples, 'long')[0]!.labels.v).toHaveLength(20);
      expect(value(samples, 'fine')).toBe(1);
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'flood' })).toBe(1);
    }
    const own = parseExposition(await familiesText(bounds.families()));
    expect(value(own, 'onlyoffice_scrape_series_dropped_total')).toBe(4);
    expect(value(own, 'onlyoffice_scrape_label_values_truncated_total')).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => [l.msg, l.collector, l.truncated ?? l.dropped])).toEqual([
      ['too many series; the rest were dropped', 'flood', 2],
      ['label values too long; cut', 'long', 1],
    ]);
  });

  test("a collector's self families are never cut: StatsD still says how many series it holds and what it dropped", async () => {
    // A store of 30 series (35 names sent, 5 dropped), each a histogram, bound to 20 series per scrape: the data rows
    // are cut, the receiver's own counts are not (they were the first dropped, registered after the data).
    const store = new StatsdStore(30);
    for (let n = 0; n < 35; n++) store.receive(`app.t${n}:5|ms`);
    const registry = await runScrape({
      collectors: [{ name: 'statsd', collector: { collect: async (ctx) => store.write(ctx.registry) } }],
      config,
      target: config.documentserver,
      scope: 'metrics',
      budgetMs: 2000,
      logger: silentLogger,
      healthLog: new CollectorHealthLog(silentLogger),
      limits: { maxSeries: 20, maxLabelValueLength: 100 },
    });
    const samples = parseExposition(await registry.metrics());
    expect(find(samples, 'onlyoffice_statsd_timing_seconds_count')).toHaveLength(20);
    expect(value(samples, 'onlyoffice_statsd_series')).toBe(30);
    expect(value(samples, 'onlyoffice_statsd_samples_dropped_total')).toBe(5);
    expect(value(samples, 'onlyoffice_statsd_lines_received_total')).toBe(35);
    expect(value(samples, 'onlyoffice_statsd_packets_received_total')).toBe(35);
    expect(value(samples, 'onlyoffice_statsd_lines_invalid_total')).toBe(0);
    expect(find(samples, 'onlyoffice_statsd_last_sample_timestamp_seconds')).toHaveLength(1);
  });

  test('the default limits: 4096 characters per label value', async () => {
    expect(DEFAULT_LIMITS).toEqual({ maxSeries: 100_000, maxLabelValueLength: 4096 });
    const { samples } = await scrapeWith(
      [
        definition('sans', async (ctx) => {
          const g = gauge(ctx.registry, 'sans_info', 's', ['subjectalternative']);
          g.set({ subjectalternative: 'd'.repeat(4096) }, 1);
          g.set({ subjectalternative: 'e'.repeat(4097) }, 1);
        }),
      ],
      config,
    );
    expect(find(samples, 'sans_info').map((s) => s.labels.subjectalternative!.length)).toEqual([4096, 4096]);
    expect(find(samples, 'sans_info')[0]!.labels.subjectalternative).toBe('d'.repeat(4096));
    expect(find(samples, 'sans_info')[1]!.labels.subjectalternative).toBe(cutValue('e'.repeat(4097), 4096));
  });

  test('a metric that cannot be read fails its collector only', async () => {
    const { samples } = await scrapeWith(
      [
        definition('broken', async (ctx) => {
          ctx.registry.registerMetric({
            name: 'broken',
            help: 'b',
            type: 'gauge',
            get: async () => {
              throw new Error('no value');
            },
            reset: () => undefined,
          } as unknown as Metric);
        }),
        definition('fine', async (ctx) => gauge(ctx.registry, 'fine', 'f').set(1)),
      ],
      config,
    );
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'broken' })).toBe(0);
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'fine' })).toBe(1);
    expect(value(samples, 'fine')).toBe(1);
  });
});
