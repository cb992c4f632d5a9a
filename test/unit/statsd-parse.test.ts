import fc from 'fast-check';
import { Registry } from 'prom-client';
import { mapName, sanitiseName } from '../../src/statsd/mapping.js';
import { parseLine, sampleWeight, splitPacket } from '../../src/statsd/parse.js';
import { StatsdStore } from '../../src/statsd/store.js';
import { parseExposition, value } from '../support/exposition.js';

async function exposition(store: StatsdStore): Promise<string> {
  const registry = new Registry();
  store.write(registry);
  return registry.metrics();
}

describe('StatsD line parsing', () => {
  test('each type, as node-statsd sends it', () => {
    expect(parseLine('ds.conv.allconvert:39|ms')).toEqual([
      { name: 'ds.conv.allconvert', type: 'ms', value: 39, delta: false, rate: 1 },
    ]);
    expect(parseLine('ds.expireDoc.connections.edit:0|g')).toEqual([
      { name: 'ds.expireDoc.connections.edit', type: 'g', value: 0, delta: false, rate: 1 },
    ]);
    expect(parseLine('hits:3|c|@0.25')).toEqual([{ name: 'hits', type: 'c', value: 3, delta: false, rate: 0.25 }]);
    expect(parseLine('load:-2.5|g')).toEqual([{ name: 'load', type: 'g', value: -2.5, delta: true, rate: 1 }]);
    expect(parseLine('load:+1|g')).toEqual([{ name: 'load', type: 'g', value: 1, delta: true, rate: 1 }]);
    expect(parseLine('size:12.5|h')).toEqual([{ name: 'size', type: 'h', value: 12.5, delta: false, rate: 1 }]);
    expect(parseLine('size:1e3|d|#env:prod')).toEqual([
      { name: 'size', type: 'd', value: 1000, delta: false, rate: 1 },
    ]);
    expect(parseLine('users:alice|s')).toEqual([
      { name: 'users', type: 's', value: NaN, member: 'alice', delta: false, rate: 1 },
    ]);
  });

  test('several samples of one name on one line (Etsy statsd form)', () => {
    expect(parseLine('t:1|ms:2|ms|@0.5')).toEqual([
      { name: 't', type: 'ms', value: 1, delta: false, rate: 1 },
      { name: 't', type: 'ms', value: 2, delta: false, rate: 0.5 },
    ]);
  });

  test.each([
    ['no value', 'ds.conv.allconvert'],
    ['no type', 'ds.conv.allconvert:5'],
    ['unknown type', 'ds.conv.allconvert:5|xx'],
    ['empty name', ':5|ms'],
    ['not a number', 'a:five|ms'],
    ['hex', 'a:0x10|c'],
    ['infinite', 'a:1e999|g'],
    ['negative timing', 'a:-3|ms'],
    ['negative counter', 'a:-3|c'],
    ['rate zero', 'a:1|c|@0'],
    ['rate above one', 'a:1|c|@1.5'],
    ['rate not a number', 'a:1|c|@x'],
    ['unknown extra field', 'a:1|c|foo'],
    ['one bad sample spoils the line', 't:1|ms:oops|ms'],
    ['space in name', 'a b:1|c'],
    ['DogStatsD event', '_e{5,4}:title|text'],
    ['name too long', `${'x'.repeat(300)}:1|c`],
    ['binary junk', '\u0000\u0001\u0002'],
    // value × (1 / rate) must be finite: 1 / 5e-324 is infinite, and 0 × ∞ is NaN.
    ['zero counter with an infinite weight', 'x:0|c|@5e-324'],
    ['counter with an infinite weight', 'x:1|c|@5e-324'],
    ['timing with an infinite weight', 'x:0|ms|@5e-324'],
    ['counter that overflows once weighted', 'x:1e308|c|@0.1'],
    ['timing that overflows once weighted', 'x:1e308|ms|@0.5'],
    ['histogram that overflows once weighted', 'x:1e308|h|@0.5'],
    ['negative distribution that overflows once weighted', 'x:-1e308|d|@0.5'],
    ['overflowing second sample spoils the line', 'x:1|c:1e308|c|@0.1'],
  ])('%s is invalid', (_what, line) => {
    expect(parseLine(line)).toBeUndefined();
  });

  test('the weight is 1 / rate, and lines near the limits that stay finite are kept', () => {
    expect(sampleWeight(0.5)).toBe(2);
    expect(sampleWeight(1)).toBe(1);
    expect(parseLine('x:1|c|@0.5')).toEqual([{ name: 'x', type: 'c', value: 1, delta: false, rate: 0.5 }]);
    expect(parseLine('x:1e308|c')).toEqual([{ name: 'x', type: 'c', value: 1e308, delta: false, rate: 1 }]);
    expect(parseLine('x:1|c|@1e-308')).toEqual([{ name: 'x', type: 'c', value: 1, delta: false, rate: 1e-308 }]);
    // Gauges ignore the rate, so an infinite weight does not matter to them.
    expect(parseLine('x:0|g|@5e-324')).toEqual([{ name: 'x', type: 'g', value: 0, delta: false, rate: 5e-324 }]);
  });

  test('an overflowing line is counted as invalid and leaves its series untouched', async () => {
    const store = new StatsdStore(10);
    store.receive('x:1|c|@0.5\nx:0|c|@5e-324\nx:1e308|c|@0.1');
    expect(store.lines).toBe(3);
    expect(store.invalidLines).toBe(2);
    const samples = parseExposition(await exposition(store));
    expect(value(samples, 'onlyoffice_statsd_counter_total', { name: 'x' })).toBe(2);
    expect(value(samples, 'onlyoffice_statsd_lines_invalid_total')).toBe(2);
  });

  test('sums of finite weighted values may reach +Inf but never NaN', async () => {
    const store = new StatsdStore(10);
    // +Inf after the first two lines; the negative one alone is finite, and +Inf plus it is still +Inf.
    store.receive('h:1e308|h\nh:1e308|h\nh:-1e308|h\nc:1e308|c\nc:1e308|c');
    expect(store.invalidLines).toBe(0);
    // Read as text: the exposition helper turns "+Inf" into NaN.
    const lines = (await exposition(store)).split('\n');
    expect(lines).toContain('onlyoffice_statsd_histogram_sum{name="h"} +Inf');
    expect(lines).toContain('onlyoffice_statsd_histogram_count{name="h"} 3');
    expect(lines).toContain('onlyoffice_statsd_counter_total{name="c"} +Inf');
    expect(lines.filter((l) => l.endsWith(' NaN'))).toEqual([]);
  });

  test('packets split on newlines; blank lines and CRLF are tolerated', () => {
    expect(splitPacket('a:1|c\nb:2|g\r\n\n')).toEqual(['a:1|c', 'b:2|g']);
  });

  test('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const store = new StatsdStore(50);
        store.receive(text);
        expect(store.lines).toBe(splitPacket(text).length);
        expect(store.invalidLines).toBeLessThanOrEqual(store.lines);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('DS name mapping', () => {
  test.each([
    ['ds.conv.allconvert', 'ms', 'conversion_step', { step: 'allconvert' }],
    ['.dsconv.allconvert', 'ms', 'conversion_step', { step: 'allconvert' }],
    ['ds75.coauth.convertservice', 'ms', 'docservice_operation', { operation: 'convertservice' }],
    ['ds.coauth.data.auth', 'ms', 'docservice_operation', { operation: 'data.auth' }],
    ['ds.coauth.openDocument.open', 'ms', 'docservice_operation', { operation: 'openDocument.open' }],
    ['ds.coauth.session.edit', 'ms', 'docservice_session', { mode: 'edit' }],
    ['ds.expireDoc.connections.liveview', 'g', 'connections', { mode: 'liveview' }],
    ['.dsexpireDoc.connections.edit', 'g', 'connections', { mode: 'edit' }],
    ['onlyoffice.prod.conv.spawnSync', 'ms', 'conversion_step', { step: 'spawnSync' }],
    // A prefix that itself contains a DS root still resolves to the real name after it.
    ['myconv.conv.postProcess', 'ms', 'conversion_step', { step: 'postProcess' }],
    ['conv.downloadFile', 'ms', 'conversion_step', { step: 'downloadFile' }],
    // Known names with an unexpected type, and names DS does not send, keep their whole sanitised name.
    ['ds.conv.allconvert', 'g', 'generic_gauge', { name: 'ds_conv_allconvert' }],
    ['ds.editor.open', 'ms', 'generic_timing', { name: 'ds_editor_open' }],
    ['ds.coauth.a.b.c', 'ms', 'generic_timing', { name: 'ds_coauth_a_b_c' }],
    ['queue-depth', 'c', 'generic_counter', { name: 'queue_depth' }],
  ] as const)('%s|%s', (name, type, family, labels) => {
    expect(mapName(name, type)).toEqual({ family, labels });
  });

  test('sanitising keeps only [A-Za-z0-9_]', () => {
    expect(sanitiseName('a.b-c/d\u00e9')).toBe('a_b_c_d_');
  });
});
