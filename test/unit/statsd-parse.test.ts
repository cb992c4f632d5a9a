import fc from 'fast-check';
import { mapName, sanitiseName } from '../../src/statsd/mapping.js';
import { parseLine, splitPacket } from '../../src/statsd/parse.js';
import { StatsdStore } from '../../src/statsd/store.js';

describe('StatsD line parsing', () => {
  test('each type, as node-statsd sends it', () => {
    expect(parseLine('ds.conv.allconvert:39|ms')).toEqual([{ name: 'ds.conv.allconvert', type: 'ms', value: 39, delta: false, rate: 1 }]);
    expect(parseLine('ds.expireDoc.connections.edit:0|g')).toEqual([{ name: 'ds.expireDoc.connections.edit', type: 'g', value: 0, delta: false, rate: 1 }]);
    expect(parseLine('hits:3|c|@0.25')).toEqual([{ name: 'hits', type: 'c', value: 3, delta: false, rate: 0.25 }]);
    expect(parseLine('load:-2.5|g')).toEqual([{ name: 'load', type: 'g', value: -2.5, delta: true, rate: 1 }]);
    expect(parseLine('load:+1|g')).toEqual([{ name: 'load', type: 'g', value: 1, delta: true, rate: 1 }]);
    expect(parseLine('size:12.5|h')).toEqual([{ name: 'size', type: 'h', value: 12.5, delta: false, rate: 1 }]);
    expect(parseLine('size:1e3|d|#env:prod')).toEqual([{ name: 'size', type: 'd', value: 1000, delta: false, rate: 1 }]);
    expect(parseLine('users:alice|s')).toEqual([{ name: 'users', type: 's', value: NaN, member: 'alice', delta: false, rate: 1 }]);
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
  ])('%s is invalid', (_what, line) => {
    expect(parseLine(line)).toBeUndefined();
  });

  test('packets split on newlines; blank lines and CRLF are tolerated', () => {
    expect(splitPacket('a:1|c\nb:2|g\r\n\n')).toEqual(['a:1|c', 'b:2|g']);
  });

  test('never throws, whatever arrives', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      const store = new StatsdStore(50);
      store.receive(text);
      expect(store.lines).toBe(splitPacket(text).length);
      expect(store.invalidLines).toBeLessThanOrEqual(store.lines);
    }), { numRuns: 2000 });
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
