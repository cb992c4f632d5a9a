import { readFileSync } from 'node:fs';
import { configDoc, OUTPUT, sections } from '../../scripts/config-doc.js';
import { parseConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

describe('docs/CONFIGURATION.md', () => {
  const all = sections();
  const row = (key: string) => all.flatMap((s) => s.rows).find((r) => r.key === key);

  test('the committed file equals a fresh generation (run npm run config-doc)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(configDoc());
  });

  test('one heading per section of src/config/schema.ts, in its order, each with its comment', () => {
    expect(all.map((s) => s.name)).toEqual(Object.keys(configSchema.shape));
    for (const section of all)
      expect([section.name, section.doc.startsWith(`\`${section.name}\`: `)]).toEqual([section.name, true]);
    const headings = [...configDoc().matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(Object.keys(configSchema.shape));
  });

  test('every key has a doc comment: add /** ... */ above a new key in src/config/sections/', () => {
    const keys = all.flatMap((s) => s.rows);
    expect(keys.length).toBeGreaterThan(90);
    expect(keys.filter((r) => r.doc === '').map((r) => r.key)).toEqual([]);
  });

  test('types and defaults are read from the schemas', () => {
    expect(row('docker.enabled')).toMatchObject({ type: 'boolean or `auto`', default: '`auto`' });
    expect(row('documentserver.timeout')).toMatchObject({ type: 'duration', default: '`10s`' });
    expect(row('documentserver.jwt.secret')).toMatchObject({ type: 'string', default: '**required**' });
    expect(row('documentserver.public_url')).toMatchObject({ type: 'http(s) URL', default: 'unset' });
    expect(row('notify.language')).toMatchObject({ type: '`zh-CN` | `en`', default: '`zh-CN`' });
    expect(row('notify.dingtalk.<name>.mention.all')).toMatchObject({ type: 'boolean', default: '`false`' });
    expect(row('backups[].min_size')).toMatchObject({ type: 'size', default: '`0`' });
    expect(row('statsd.max_series')).toMatchObject({ type: 'integer', default: '`1000`' });
    expect(row('dependencies.redis')!.default).toBe('`false`');
    expect(row('probe.targets[].url')).toMatchObject({ type: 'http(s) URL', default: '**required**' });
  });

  test('each default shown is the one the loader applies', () => {
    const loaded = parseConfig('', 'defaults', {}) as unknown as Record<string, Record<string, unknown>>;
    const durations: Record<string, number> = {
      '10s': 10_000,
      '5m': 300_000,
      '30s': 30_000,
      '5s': 5_000,
      '3s': 3_000,
      '60s': 60_000,
      '1s': 1_000,
      '1m': 60_000,
    };
    let compared = 0;
    for (const r of all.flatMap((s) => s.rows)) {
      if (/\[\]|<name>/.test(r.key) || !/^`[^`]*`$/.test(r.default) || r.default === '`{}`') continue;
      const path = r.key.split('.');
      let value: unknown = loaded;
      for (const part of path) value = (value as Record<string, unknown> | undefined)?.[part];
      if (value === undefined) continue;
      const shown = r.default.slice(1, -1);
      const expected =
        r.type === 'duration'
          ? durations[shown]
          : typeof value === 'number'
            ? Number(shown)
            : typeof value === 'boolean'
              ? shown === 'true'
              : Array.isArray(value)
                ? JSON.parse(shown)
                : shown;
      // A dependency given as host:port is loaded as its target.
      const actual = typeof value === 'object' && value !== null && 'address' in value ? value.address : value;
      expect([r.key, actual]).toEqual([r.key, expected]);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(30);
  });
});
