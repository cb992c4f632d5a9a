import fc from 'fast-check';
import { Registry } from 'prom-client';
import { mapName, sanitiseName } from '../../src/statsd/mapping.js';
import { MAX_NAME_LENGTH, parseLine, sampleWeight, splitPacket, type StatsdType } from '../../src/statsd/parse.js';
import { StatsdStore } from '../../src/statsd/store.js';
import { parseExposition } from '../support/exposition.js';

const TYPES: StatsdType[] = ['c', 'g', 'ms', 'h', 'd', 's'];

// Pieces that look like StatsD, so the fuzzer reaches past the first check as often as it fails it.
const namePart = fc.oneof(
  fc.constantFrom(
    'ds',
    'ds75',
    '.ds',
    'conv',
    'coauth',
    'session',
    'expireDoc',
    'connections',
    'edit',
    'allconvert',
    'data',
    'auth',
  ),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
);
const name = fc.oneof(
  fc.array(namePart, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
  fc.string({ maxLength: 300 }),
  fc.integer({ min: MAX_NAME_LENGTH - 2, max: MAX_NAME_LENGTH + 2 }).map((length) => 'n'.repeat(length)),
);
const number = fc.oneof(
  fc.double().map(String),
  fc.integer().map(String),
  fc.constantFrom(
    '0',
    '-0',
    '+1',
    '-1',
    '.5',
    '5.',
    '1e3',
    '1e999',
    '-1e999',
    'NaN',
    'Infinity',
    '0x10',
    '',
    ' 1',
    '1_000',
  ),
  // Finite, but a weight above 1 or a sum of two overflows them.
  fc.constantFrom('1e308', '-1e308', '1.7976931348623157e308', '-1.7976931348623157e308'),
);
const type = fc.oneof(fc.constantFrom<string>(...TYPES), fc.string({ maxLength: 3 }));
const extra = fc.oneof(
  fc.constantFrom('@0.5', '@1', '@0', '@1.5', '@x', '@', '#env:prod', '#a:b,c:d', '#', 'foo', ''),
  // Valid rates whose weight (1 / rate) is huge or, for the subnormal one, infinite.
  fc.constantFrom('@5e-324', '@1e-308', '@1e-300'),
  fc.double().map((rate) => `@${rate}`),
);
const sample = fc
  .tuple(number, type, fc.array(extra, { maxLength: 3 }))
  .map(([value, t, extras]) => [value, t, ...extras].join('|'));
const line = fc.oneof(
  fc.tuple(name, fc.array(sample, { minLength: 1, maxLength: 3 })).map(([n, samples]) => `${n}:${samples.join(':')}`),
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
);
const packet = fc
  .array(line, { maxLength: 8 })
  .chain((lines) => fc.constantFrom('\n', '\r\n', '\n\n').map((sep) => lines.join(sep)));

describe('StatsD parser and store: property-based', () => {
  test('parseLine never throws, and what it accepts is well-formed', () => {
    fc.assert(
      fc.property(line, (text) => {
        const samples = parseLine(text);
        if (samples === undefined) return;
        expect(samples.length).toBeGreaterThan(0);
        for (const s of samples) {
          expect(s.name.length).toBeGreaterThan(0);
          expect(s.name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
          // eslint-disable-next-line no-control-regex -- control characters are what a name must not hold
          expect(s.name).not.toMatch(/[\s|:\u0000-\u001f\u007f]/);
          expect(TYPES).toContain(s.type);
          expect(s.rate > 0 && s.rate <= 1).toBe(true);
          if (s.type === 's') {
            expect(s.member!.length).toBeGreaterThan(0);
          } else {
            expect(Number.isFinite(s.value)).toBe(true);
            if (s.type === 'c' || s.type === 'ms') expect(s.value).toBeGreaterThanOrEqual(0);
            if (s.type !== 'g') expect(Number.isFinite(s.value * sampleWeight(s.rate))).toBe(true);
          }
        }
      }),
      { numRuns: 5000 },
    );
  });

  test('well-formed lines parse to exactly what was sent', () => {
    const goodName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/);
    const goodSample = fc.record({
      type: fc.constantFrom<StatsdType>('c', 'g', 'ms', 'h', 'd'),
      value: fc.integer({ min: 0, max: 1_000_000 }),
      rate: fc.option(
        fc.integer({ min: 1, max: 100 }).map((percent) => percent / 100),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(goodName, fc.array(goodSample, { minLength: 1, maxLength: 4 }), (n, samples) => {
        const text = `${n}:${samples.map((s) => `${s.value}|${s.type}${s.rate === undefined ? '' : `|@${s.rate}`}`).join(':')}`;
        expect(parseLine(text)).toEqual(
          samples.map((s) => ({ name: n, type: s.type, value: s.value, delta: false, rate: s.rate ?? 1 })),
        );
      }),
      { numRuns: 2000 },
    );
  });

  test('mapping never throws and always yields a Prometheus-safe label value', () => {
    fc.assert(
      fc.property(name, fc.constantFrom(...TYPES), (n, t) => {
        const mapped = mapName(n, t);
        const labels = Object.values(mapped.labels);
        expect(labels).toHaveLength(1);
        expect(labels[0]).toMatch(/^[A-Za-z0-9_.]*$/);
        expect(sanitiseName(n)).toHaveLength(n.length);
      }),
      { numRuns: 3000 },
    );
  });

  test('the store stays within max_series whatever arrives, counts every line, and always writes a valid exposition', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(packet, { maxLength: 20 }),
        fc.integer({ min: 1, max: 20 }),
        async (packets, maxSeries) => {
          const store = new StatsdStore(maxSeries);
          let lines = 0;
          for (const p of packets) {
            store.receive(p);
            lines += splitPacket(p).length;
          }
          expect(store.packets).toBe(packets.length);
          expect(store.lines).toBe(lines);
          expect(store.invalidLines).toBeLessThanOrEqual(lines);
          expect(store.seriesCount).toBeLessThanOrEqual(maxSeries);
          const registry = new Registry();
          store.write(registry);
          const text = await registry.metrics();
          const samples = parseExposition(text);
          for (const s of samples) expect(s.name).toMatch(/^onlyoffice_[a-z_]+$/);
          // On the text: sums of huge finite values may be written as +Inf, which parseExposition reads as NaN.
          expect(text.split('\n').filter((l) => !l.startsWith('#') && / NaN$/.test(l))).toEqual([]);
          expect(samples.find((s) => s.name === 'onlyoffice_statsd_series')?.value).toBe(store.seriesCount);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('10,000 rotating names keep the store at max_series and count the rest as dropped', () => {
    const store = new StatsdStore(100);
    for (let i = 0; i < 10_000; i++) store.receive(`bench.rotating.${i}:1|c`);
    expect(store.seriesCount).toBe(100);
    expect(store.droppedSamples).toBe(9_900);
    expect(store.invalidLines).toBe(0);
  });
});
