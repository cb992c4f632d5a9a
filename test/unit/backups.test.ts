import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import backups from '../../src/collectors/backups.js';
import { renderJson } from '../../src/doctor/render.js';
import { diagnoseWith } from '../../src/doctor/run.js';
import { globFiles, segmentMatcher } from '../../src/lib/file-glob.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { value } from '../support/exposition.js';
import { configFrom, configProblems, scrapeWith } from '../support/scrape.js';

/** A file of `bytes` bytes whose modification time is `epochSeconds`. */
function file(path: string, bytes: number, epochSeconds: number): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, Buffer.alloc(bytes));
  utimesSync(path, epochSeconds, epochSeconds);
}

describe('backups', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ooe-backups-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('the newest matching file of each backup, its size and the limits; a glob matching nothing is 0 files, not a failure', async () => {
    file(join(dir, 'pg/ds-2026-12-04.sql.gz'), 3000, 1_796_000_000);
    file(join(dir, 'pg/ds-2026-12-05.sql.gz'), 2048, 1_796_086_400);
    file(join(dir, 'pg/ds-2026-12-03.sql.gz'), 5000, 1_795_913_600);
    file(join(dir, 'pg/notes.txt'), 10, 1_796_200_000);
    mkdirSync(join(dir, 'pg/old.sql.gz'));
    file(join(dir, 'redis/hourly/dump.rdb'), 700, 1_796_090_000);
    file(join(dir, 'redis/daily/a/dump.rdb'), 900, 1_796_100_000);
    const config = configFrom(`
backups:
  - { name: postgresql, path: "${dir}/pg/*.sql.gz", max_age: 26h, min_size: 1KiB }
  - { name: redis, path: "${dir}/redis/**/dump.rdb", max_age: 2h }
  - { name: storage, path: "${dir}/storage/.sync-*", max_age: 1d }
`);
    const { samples } = await scrapeWith([backups], config);
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'backups' })).toBe(1);
    const of = (name: string) =>
      Object.fromEntries(
        samples
          .filter((s) => s.name.startsWith('onlyoffice_backup_') && s.labels.name === name)
          .map((s) => [s.name.slice('onlyoffice_backup_'.length), s.value]),
      );
    expect(of('postgresql')).toEqual({
      files: 3,
      last_timestamp_seconds: 1_796_086_400,
      size_bytes: 2048,
      age_limit_seconds: 93_600,
      min_size_bytes: 1024,
      scan_truncated: 0,
    });
    expect(of('redis')).toEqual({
      files: 2,
      last_timestamp_seconds: 1_796_100_000,
      size_bytes: 900,
      age_limit_seconds: 7200,
      min_size_bytes: 0,
      scan_truncated: 0,
    });
    expect(of('storage')).toEqual({ files: 0, age_limit_seconds: 86_400, min_size_bytes: 0, scan_truncated: 0 });
  });

  test('off unless configured', async () => {
    expect(backups.create(configFrom(''), undefined as never)).toBeUndefined();
  });

  test('config errors name the key', () => {
    expect(
      configProblems(`
backups:
  - { name: pg, path: "backup/*.gz", max_age: 26h }
  - { name: pg, path: "/b/*.gz", max_age: soon, min_size: 1XB }
  - { name: "a b", path: "/c", max_age: 1h, size: 3 }
`),
    ).toEqual([
      'backups.0.path: must be an absolute path or glob (starting with /)',
      'backups.1.max_age: "soon" is not a positive duration such as 10s, 1m30s or 500ms',
      'backups.1.min_size: "1XB" is not a size such as 1MiB, 500KB or 4096 (bytes)',
      'backups.2.name: names are letters, digits, "_", "." and "-" (at most 64)',
      'backups.2.size: unknown key',
      'backups.1.name: "pg" is also the name of backups[0]',
    ]);
    expect(
      configProblems(`
backups:
  - { name: pg, path: "/a/*.gz", max_age: 26h }
  - { name: pg, path: "/b/*.gz", max_age: 26h }
`),
    ).toEqual(['backups.1.name: "pg" is also the name of backups[0]']);
  });
});

describe('globFiles', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ooe-glob-'));
    for (let i = 0; i < 8; i++) file(join(dir, `wide/f${i}.gz`), i, 1_700_000_000 + i);
    file(join(dir, 'deep/a/b/c/x.gz'), 1, 1_700_000_000);
    file(join(dir, 'deep/.hidden/y.gz'), 1, 1_700_000_000);
    file(join(dir, 'deep/z.gz'), 1, 1_700_000_000);
    file(join(dir, 'target/t.gz'), 1, 1_700_000_000);
    // A symlinked folder pointing back up: `**` must not loop through it.
    symlinkSync(join(dir, 'deep'), join(dir, 'deep/a/loop'));
    symlinkSync(join(dir, 'target/t.gz'), join(dir, 'deep/link.gz'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const paths = (result: { files: { path: string }[] }) => result.files.map((f) => f.path.slice(dir.length + 1)).sort();

  test('reads at most maxEntries folder entries and says when it stopped', async () => {
    const all = await globFiles(`${dir}/wide/*.gz`, 100);
    expect({ files: all.files.length, examined: all.examined, truncated: all.truncated }).toEqual({
      files: 8,
      examined: 8,
      truncated: false,
    });
    const capped = await globFiles(`${dir}/wide/*.gz`, 5);
    expect({ files: capped.files.length, examined: capped.examined, truncated: capped.truncated }).toEqual({
      files: 5,
      examined: 5,
      truncated: true,
    });
  });

  test('** is any depth of folders, not hidden ones, not through symlinked folders; a symlink to a file counts', async () => {
    expect(paths(await globFiles(`${dir}/deep/**/*.gz`, 1000))).toEqual([
      'deep/a/b/c/x.gz',
      'deep/link.gz',
      'deep/z.gz',
    ]);
  });

  test('a literal path, a missing folder, and an abort', async () => {
    expect(paths(await globFiles(`${dir}/deep/z.gz`, 1000))).toEqual(['deep/z.gz']);
    expect(await globFiles(`${dir}/missing/*.gz`, 1000)).toEqual({ files: [], examined: 0, truncated: false });
    await expect(globFiles(`${dir}/wide/*.gz`, 1000, AbortSignal.abort())).rejects.toThrow();
    await expect(globFiles('relative/*.gz', 1000)).rejects.toThrow('not an absolute path: relative/*.gz');
  });

  test.each([
    ['*.sql.gz', 'ds.sql.gz', true],
    ['*.sql.gz', 'ds.sql', false],
    ['*', '.hidden', false],
    ['.*', '.hidden', true],
    ['dump-??.rdb', 'dump-01.rdb', true],
    ['dump-??.rdb', 'dump-1.rdb', false],
    ['[a-c]x', 'bx', true],
    ['[!a-c]x', 'bx', false],
    ['[!a-c]x', 'dx', true],
    ['a+b(1)', 'a+b(1)', true],
    ['a.b', 'aXb', false],
    ['[', '[', true],
  ])('segment %s matches %s: %s', (pattern, name, matches) => {
    expect(segmentMatcher(pattern)(name)).toBe(matches);
  });
});

describe('docs/metrics.md "backups"', () => {
  test('lists exactly the exported families and labels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-backups-doc-'));
    try {
      file(join(dir, 'a.gz'), 1, 1_700_000_000);
      const { samples, text } = await scrapeWith(
        [backups],
        configFrom(`backups: [{ name: a, path: "${dir}/*.gz", max_age: 1d }]`),
      );
      const exported = exportedFamilies(samples, text);
      exported.delete('onlyoffice_scrape_collector_success');
      exported.delete('onlyoffice_scrape_collector_duration_seconds');
      const documented = documentedMetrics().filter((metric) => metric.section === 'backups');
      expect(documented.map((metric) => [metric.name, metric.type, [...metric.labels].sort()]).sort()).toEqual(
        [...exported].map(([name, labels]) => [name, 'gauge', [...labels].sort()]).sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the doctor's backups hop, from the real collector on real files", () => {
  test('stale, missing and too small each named with its fix; a fresh one is fine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-backups-doctor-'));
    const now = Math.floor(Date.now() / 1000);
    try {
      file(join(dir, 'pg/a.dump'), 4096, now - 3 * 86_400);
      file(join(dir, 'redis/dump.rdb'), 100, now - 600);
      file(join(dir, 'fresh/x.gz'), 2 * 1024 * 1024, now - 3600);
      const config = configFrom(`
docker: { enabled: false }
backups:
  - { name: postgresql, path: "${dir}/pg/*.dump", max_age: 26h }
  - { name: redis, path: "${dir}/redis/*.rdb", max_age: 2h, min_size: 1KiB }
  - { name: storage, path: "${dir}/storage/.last-sync", max_age: 1d }
  - { name: files, path: "${dir}/fresh/*.gz", max_age: 1d, min_size: 1MiB }
`);
      const collector = backups.create(config, pino({ level: 'silent' }))!;
      const diagnosis = await diagnoseWith([{ name: 'backups', collector }], config, pino({ level: 'silent' }), 5000);
      const hop = diagnosis.hops.find((h) => h.id === 'backups')!;
      expect(hop.verdict).toBe('warn');
      const en = renderJson(diagnosis, 'en');
      expect(en.hops.find((h) => h.id === 'backups')!.findings.map((f) => f.text)).toEqual([
        'postgresql: newest file written 3 days ago, 4.0 KiB, 1 file matched',
        'redis: newest file written 10 min ago, 100 B, 1 file matched',
        `storage: no file matches ${dir}/storage/.last-sync`,
        'files: newest file written 60 min ago, 2.0 MiB, 1 file matched',
      ]);
      expect(en.causes.filter((c) => c.hop === 'backups').map((c) => [c.severity, c.title, c.fix[0]])).toEqual([
        [
          'warn',
          'backup postgresql is stale (newest file written 3 days ago, limit 26 h)',
          `ls -lt ${dir}/pg | head -n 5`,
        ],
        ['warn', `backup storage has no file (${dir}/storage/.last-sync)`, `ls -la ${dir}/storage`],
        [
          'warn',
          'the newest file of backup redis is too small (100 B, minimum 1.0 KiB)',
          `ls -lt ${dir}/redis | head -n 5`,
        ],
      ]);
      const zh = renderJson(diagnosis, 'zh-CN');
      expect(zh.causes.filter((c) => c.hop === 'backups').map((c) => c.title)).toEqual([
        '备份 postgresql 已过期（最新文件写于 3 天前，上限 26 小时）',
        `备份 storage 没有任何文件（${dir}/storage/.last-sync）`,
        '备份 redis 的最新文件过小（100 B，下限 1.0 KiB）',
      ]);
      await collector.close?.();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
