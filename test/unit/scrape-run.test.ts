import pino from 'pino';
import { Writable } from 'node:stream';
import type { CollectorDefinition, ScrapeContext } from '../../src/collectors/types.js';
import { abortMarginMs, MAX_SCRAPE_BUDGET_MS, scrapeBudgetMs } from '../../src/scrape/deadline.js';
import { CollectorHealthLog } from '../../src/scrape/health-log.js';
import { emitValue, gaugeFamily } from '../../src/metrics/family.js';
import { gauge } from '../support/metrics.js';
import { configFrom, scrapeWith } from '../support/scrape.js';
import { find, value } from '../support/exposition.js';

const config = configFrom('');

function definition(name: string, collect: (ctx: ScrapeContext) => Promise<void>): CollectorDefinition {
  return { name, scopes: ['metrics'], runs: 'scrape', create: () => ({ collect }) };
}

describe('scrape orchestration', () => {
  test('a throwing collector gives success 0 and the others keep their metrics', async () => {
    const { samples } = await scrapeWith(
      [
        definition('good', async (ctx) => gauge(ctx.registry, 'test_good', 'h').set(7)),
        definition('bad', async (ctx) => {
          gauge(ctx.registry, 'test_bad', 'h').set(1);
          throw new Error('boom');
        }),
      ],
      config,
    );
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'good' })).toBe(1);
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'bad' })).toBe(0);
    expect(value(samples, 'test_good')).toBe(7);
    expect(find(samples, 'test_bad')).toEqual([]);
    expect(find(samples, 'up')).toEqual([]);
  });

  test('collectors run concurrently and an overrunning one is cut at the deadline', async () => {
    let abortedAt = 0;
    let abortReason: unknown;
    const started = Date.now();
    const result = await scrapeWith(
      [
        definition('slow1', () => new Promise((resolve) => setTimeout(resolve, 300))),
        definition('slow2', () => new Promise((resolve) => setTimeout(resolve, 300))),
        definition(
          'stuck',
          (ctx) =>
            new Promise(() => {
              ctx.signal.addEventListener('abort', () => {
                abortedAt = Date.now() - started;
                abortReason = ctx.signal.reason;
              });
            }),
        ),
      ],
      config,
      { budgetMs: 1000 },
    );
    expect(value(result.samples, 'onlyoffice_scrape_collector_success', { collector: 'slow1' })).toBe(1);
    expect(value(result.samples, 'onlyoffice_scrape_collector_success', { collector: 'slow2' })).toBe(1);
    expect(value(result.samples, 'onlyoffice_scrape_collector_success', { collector: 'stuck' })).toBe(0);
    // The signal fires before the hard deadline so a collector can still record its timeout: it is the early abort
    // (at 900 ms), not the one of the hard deadline. Timers fire in order, so this holds however late they run.
    expect(abortedAt).toBeGreaterThanOrEqual(1000 - abortMarginMs(1000) - 5);
    expect(String(abortReason)).toBe(`Error: timed out after ${1000 - abortMarginMs(1000)} ms`);
    // A stuck collector: bounded by the budget (1 s), where it would otherwise never end.
    expect(result.seconds).toBeLessThan(10);
    expect(
      value(result.samples, 'onlyoffice_scrape_collector_duration_seconds', { collector: 'stuck' }),
    ).toBeGreaterThanOrEqual(0.99);
  });

  test('every scrape starts from a fresh registry', async () => {
    let call = 0;
    const def = definition('counter', async (ctx) => {
      call++;
      gauge(ctx.registry, 'test_series', 'h', ['n']).set({ n: String(call) }, 1);
    });
    await scrapeWith([def], config);
    const { samples } = await scrapeWith([def], config);
    expect(find(samples, 'test_series').map((s) => s.labels.n)).toEqual(['2']);
  });

  test('memo shares one in-flight computation between collectors of a scrape', async () => {
    let computations = 0;
    const shared = (ctx: ScrapeContext) =>
      ctx.memo('k', async () => {
        computations++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return 5;
      });
    const { samples } = await scrapeWith(
      [
        definition('a', async (ctx) => gauge(ctx.registry, 'test_a', 'h').set(await shared(ctx))),
        definition('b', async (ctx) => gauge(ctx.registry, 'test_b', 'h').set(await shared(ctx))),
      ],
      config,
    );
    expect(computations).toBe(1);
    expect(value(samples, 'test_a')).toBe(5);
    expect(value(samples, 'test_b')).toBe(5);
  });

  test('a shared request still running when the scrape answers is aborted; finished ones are left alone', async () => {
    const signals: Record<string, AbortSignal> = {};
    const { samples } = await scrapeWith(
      [
        definition('done', (ctx) =>
          ctx.memo('quick', async (signal) => {
            signals.quick = signal;
          }),
        ),
        // Stops waiting for its shared request after 20 ms (as a collector racing its own timeout does).
        definition('impatient', async (ctx) => {
          void ctx.memo('slow', (signal) => {
            signals.slow = signal;
            return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }),
      ],
      config,
      { budgetMs: 5000 },
    );
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'done' })).toBe(1);
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'impatient' })).toBe(1);
    // One scrape-wide signal, aborted at the answer (long before the deadline) because the slow request was in flight.
    expect(signals.slow).toBe(signals.quick);
    expect(signals.slow!.aborted).toBe(true);
    // Its own 20 ms, not the 5 s deadline the slow request would have held it to.
    expect(value(samples, 'onlyoffice_scrape_collector_duration_seconds', { collector: 'impatient' })).toBeLessThan(4);

    const settled: Record<string, AbortSignal> = {};
    await scrapeWith(
      [
        definition('a', (ctx) =>
          ctx.memo('one', async (signal) => {
            settled.one = signal;
          }),
        ),
        definition('b', async (ctx) => {
          await ctx
            .memo('two', async (signal) => {
              settled.two = signal;
              throw new Error('refused');
            })
            .catch(() => undefined);
        }),
      ],
      config,
      { budgetMs: 300 },
    );
    expect(settled.one!.aborted).toBe(false);
  });

  test('a collector that first reads its signal after it was given up on gets an aborted one', async () => {
    let late: AbortSignal | undefined;
    let readLate!: () => void;
    const { samples } = await scrapeWith(
      [
        definition('failed', async (ctx) => {
          readLate = () => {
            late = ctx.signal;
          };
          throw new Error('refused');
        }),
        definition('quick', async (ctx) => emitValue(ctx, gaugeFamily('test_quick', 'h'), 1)),
      ],
      config,
      { budgetMs: 2000 },
    );
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'failed' })).toBe(0);
    expect(value(samples, 'test_quick')).toBe(1);
    // The scrape is over and its own signal never aborted (nothing shared was left running).
    readLate();
    expect(late!.aborted).toBe(true);
    expect(String(late!.reason)).toBe('Error: timed out after 2000 ms');
  });

  test('two collectors registering one metric name fail the scrape, as merging their registries did', async () => {
    await expect(
      scrapeWith(
        [
          definition('one', async (ctx) => emitValue(ctx, gaugeFamily('test_same', 'h'), 1)),
          definition('two', async (ctx) => gauge(ctx.registry, 'test_same', 'h').set(2)),
        ],
        config,
      ),
    ).rejects.toThrow('A metric with the name test_same has already been registered.');
  });

  test("a collector's logger is made on first use and carries the collector's name", async () => {
    const lines: string[] = [];
    const logger = pino(
      { base: undefined, timestamp: false },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk).trim());
          done();
        },
      }),
    );
    const childCalls: unknown[] = [];
    const counting = Object.assign(Object.create(logger) as typeof logger, {
      child(bindings: Record<string, unknown>) {
        childCalls.push(bindings);
        return logger.child(bindings);
      },
    });
    const { runScrape } = await import('../../src/scrape/run.js');
    await runScrape({
      collectors: [
        { name: 'quiet', collector: { collect: async (ctx) => gauge(ctx.registry, 'test_q', 'h').set(1) } },
        { name: 'talks', collector: { collect: async (ctx) => ctx.logger.info('hello') } },
      ],
      config,
      target: config.documentserver,
      scope: 'metrics',
      budgetMs: 1000,
      logger: counting,
      healthLog: new CollectorHealthLog(logger),
    });
    expect(childCalls).toEqual([{ collector: 'talks' }]);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      { level: 30, collector: 'talks', msg: 'hello' },
    ]);
  });
});

describe('scrape deadline', () => {
  test('from the Prometheus header minus the offset', () => {
    expect(scrapeBudgetMs('4', 500)).toBe(3500);
    expect(scrapeBudgetMs('0.5', 500)).toBe(100);
    expect(scrapeBudgetMs(undefined, 500)).toBe(9500);
    expect(scrapeBudgetMs('garbage', 500)).toBe(9500);
    expect(scrapeBudgetMs(['2'], 0)).toBe(2000);
  });

  test('a huge announced timeout is clamped to one hour, not overflowed into an instant deadline', async () => {
    expect(MAX_SCRAPE_BUDGET_MS).toBe(3_600_000);
    expect(scrapeBudgetMs('3000000', 500)).toBe(3_600_000);
    expect(scrapeBudgetMs('1e308', 500)).toBe(3_600_000);
    expect(scrapeBudgetMs('Infinity', 500)).toBe(3_600_000);
    expect(scrapeBudgetMs('3600', 500)).toBe(3_599_500);
    expect(scrapeBudgetMs('3600.5', 0)).toBe(3_600_000);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      for (const header of ['3000000', '1e308']) {
        const { samples } = await scrapeWith(
          [definition('quick', () => new Promise((resolve) => setTimeout(resolve, 20)))],
          config,
          { budgetMs: scrapeBudgetMs(header, 500) },
        );
        expect({
          header,
          success: value(samples, 'onlyoffice_scrape_collector_success', { collector: 'quick' }),
        }).toEqual({ header, success: 1 });
      }
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
});

describe('collector failure log', () => {
  test('logs once per state change, not on every scrape', () => {
    const lines: Array<{ msg: string; err?: string }> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const log = new CollectorHealthLog(pino({ level: 'info' }, sink));
    log.record('license', 't', 'refused');
    log.record('license', 't', 'refused');
    log.record('license', 't', 'refused');
    log.record('license', 't', 'timed out');
    log.record('license', 't', undefined);
    log.record('license', 't', undefined);
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(lines.map((l) => [l.msg, l.err])).toEqual([
          ['collector failed', 'refused'],
          ['collector failed', 'timed out'],
          ['collector recovered', undefined],
        ]);
        resolve();
      }),
    );
  });
});
