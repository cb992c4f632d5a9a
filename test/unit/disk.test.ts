import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskCollectorDefinition, type DiskSeams, type FsStats } from '../../src/collectors/disk.js';
import { DEFAULT_DISK_PATHS } from '../../src/config/sections/disk.js';
import { mountOf, parseMountinfo, unescapeMountField } from '../../src/disk/mountinfo.js';
import { find, value } from '../support/exposition.js';
import { configFrom, scrapeWith, silentLogger, configProblems as problemsOf } from '../support/scrape.js';

const MOUNTINFO = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '60 27 0:50 / /var/lib/onlyoffice rw,nosuid shared:7 master:3 - nfs4 files.internal:/export/ds rw,vers=4.2',
  '61 60 0:51 / /var/lib/onlyoffice/App\\040Data ro,relatime - tmpfs my\\040tmpfs ro,size=1024k',
  '62 27 0:52 / /mnt/stack rw - tmpfs first rw',
  '63 27 0:53 / /mnt/stack rw - xfs /dev/sdb1 rw',
  '64 27 0:54 / /var/lib/onlyofficex rw - ext4 /dev/sdc1 rw',
  '',
].join('\n');

describe('mountinfo', () => {
  const mounts = parseMountinfo(MOUNTINFO);

  test('parses mount point, per-mount options, fstype and source, with optional fields and escapes', () => {
    expect(mounts).toHaveLength(7);
    expect(mounts[2]).toEqual({
      mountPoint: '/var/lib/onlyoffice',
      options: ['rw', 'nosuid'],
      fstype: 'nfs4',
      device: 'files.internal:/export/ds',
    });
    expect(mounts[3]).toEqual({
      mountPoint: '/var/lib/onlyoffice/App Data',
      options: ['ro', 'relatime'],
      fstype: 'tmpfs',
      device: 'my tmpfs',
    });
  });

  test('unescapes the octal escapes the kernel writes', () => {
    expect(unescapeMountField('a\\040b\\011c\\012d\\134e')).toBe('a b\tc\nd\\e');
  });

  test('the longest mount point holding the path wins; a name prefix is not a parent', () => {
    expect(mountOf('/var/lib/onlyoffice/documentserver/App_Data', mounts)?.device).toBe('files.internal:/export/ds');
    expect(mountOf('/var/lib/onlyoffice', mounts)?.device).toBe('files.internal:/export/ds');
    expect(mountOf('/var/lib/onlyoffice/App Data/cache', mounts)?.device).toBe('my tmpfs');
    expect(mountOf('/var/lib/onlyofficex/y', mounts)?.device).toBe('/dev/sdc1');
    expect(mountOf('/var/lib/onlyoffic', mounts)?.device).toBe('/dev/vda');
    expect(mountOf('/etc', mounts)?.mountPoint).toBe('/');
  });

  test('of two mounts on the same point, the later (on top) wins', () => {
    expect(mountOf('/mnt/stack/file', mounts)?.device).toBe('/dev/sdb1');
  });

  test('no mount at all gives undefined', () => {
    expect(mountOf('/x', [])).toBeUndefined();
  });
});

function fakeStats(overrides: Partial<FsStats> = {}): FsStats {
  return { bsize: 4096, blocks: 1000, bfree: 600, bavail: 500, files: 300, ffree: 200, ...overrides };
}

function enoent(path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOENT: no such file or directory, realpath '${path}'`);
  error.code = 'ENOENT';
  return error;
}

describe('disk collector', () => {
  test('reports statfs figures in node_exporter units with the mount of the resolved path', async () => {
    const seams: Partial<DiskSeams> = {
      readMountinfo: async () => MOUNTINFO,
      realpath: async (path) => (path === '/data/link' ? '/var/lib/onlyoffice/App Data/x' : path),
      statfs: async () => fakeStats(),
    };
    const { samples } = await scrapeWith([diskCollectorDefinition(seams)], configFrom('disk: { paths: [/data/link] }'));
    const labels = {
      path: '/data/link',
      mountpoint: '/var/lib/onlyoffice/App Data',
      device: 'my tmpfs',
      fstype: 'tmpfs',
    };
    expect(value(samples, 'onlyoffice_filesystem_size_bytes', labels)).toBe(4096 * 1000);
    expect(value(samples, 'onlyoffice_filesystem_free_bytes', labels)).toBe(4096 * 600);
    expect(value(samples, 'onlyoffice_filesystem_avail_bytes', labels)).toBe(4096 * 500);
    expect(value(samples, 'onlyoffice_filesystem_files', labels)).toBe(300);
    expect(value(samples, 'onlyoffice_filesystem_files_free', labels)).toBe(200);
    expect(value(samples, 'onlyoffice_filesystem_readonly', labels)).toBe(1);
    expect(value(samples, 'onlyoffice_filesystem_device_error', labels)).toBe(0);
    expect(find(samples, 'onlyoffice_filesystem_device_error')).toHaveLength(1);
  });

  test('a configured path that does not exist gives device_error 1 and no figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-disk-'));
    try {
      const missing = join(dir, 'missing');
      const { samples } = await scrapeWith(
        [diskCollectorDefinition({ readMountinfo: async () => MOUNTINFO })],
        configFrom(`disk: { paths: ["${missing}", "${dir}"] }`),
      );
      // Placed by name: a missing path under /tmp falls under the root mount of MOUNTINFO.
      expect(
        value(samples, 'onlyoffice_filesystem_device_error', {
          path: missing,
          mountpoint: '/',
          device: '/dev/vda',
          fstype: 'ext4',
        }),
      ).toBe(1);
      expect(find(samples, 'onlyoffice_filesystem_size_bytes', { path: missing })).toEqual([]);
      expect(value(samples, 'onlyoffice_filesystem_device_error', { path: dir })).toBe(0);
      const real = statfsSync(dir);
      expect(value(samples, 'onlyoffice_filesystem_size_bytes', { path: dir })).toBe(real.blocks * real.bsize);
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'disk' })).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('by default only the DS paths that exist are reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-disk-'));
    try {
      const seams: Partial<DiskSeams> = {
        readMountinfo: async () => MOUNTINFO,
        // /var/www/onlyoffice/Data "exists" (is our temp dir); the other two do not.
        realpath: async (path) => {
          if (path === '/var/www/onlyoffice/Data') return dir;
          throw enoent(path);
        },
      };
      const { samples } = await scrapeWith([diskCollectorDefinition(seams)], configFrom(''));
      expect(DEFAULT_DISK_PATHS).toEqual(['/var/lib/onlyoffice', '/var/www/onlyoffice/Data', '/var/log/onlyoffice']);
      expect(find(samples, 'onlyoffice_filesystem_device_error').map((s) => s.labels.path)).toEqual([
        '/var/www/onlyoffice/Data',
      ]);
      // The size, not the free space: other processes write to the same file system while the test runs.
      const real = statfsSync(dir);
      expect(value(samples, 'onlyoffice_filesystem_size_bytes', { path: '/var/www/onlyoffice/Data' })).toBe(
        real.blocks * real.bsize,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a hanging statfs gives device_error 1 within the deadline, is not asked again while stuck, and recovers', async () => {
    let calls = 0;
    let hang = true;
    let release: ((stats: FsStats) => void) | undefined;
    const seams: Partial<DiskSeams> = {
      readMountinfo: async () => MOUNTINFO,
      realpath: async (path) => path,
      statfs: (path) => {
        if (path !== '/mnt/nfs/stuck') return Promise.resolve(fakeStats({ blocks: 10 }));
        calls++;
        if (!hang) return Promise.resolve(fakeStats({ blocks: 7 }));
        return new Promise<FsStats>((resolve) => {
          release = resolve;
        });
      },
    };
    const definition = diskCollectorDefinition(seams);
    const config = configFrom('disk: { paths: [/mnt/nfs/stuck, /var/log/onlyoffice], timeout: 30s }');
    // One collector instance across scrapes, as the daemon keeps it between reloads.
    const collector = definition.create(config, silentLogger)!;
    const sameInstance = { ...definition, create: () => collector };

    const first = await scrapeWith([sameInstance], config, { budgetMs: 600 });
    expect(value(first.samples, 'onlyoffice_scrape_collector_success', { collector: 'disk' })).toBe(1);
    expect(
      value(first.samples, 'onlyoffice_filesystem_device_error', {
        path: '/mnt/nfs/stuck',
        mountpoint: '/',
        device: '/dev/vda',
        fstype: 'ext4',
      }),
    ).toBe(1);
    expect(find(first.samples, 'onlyoffice_filesystem_size_bytes', { path: '/mnt/nfs/stuck' })).toEqual([]);
    // The healthy path is not held up by the stuck one.
    expect(value(first.samples, 'onlyoffice_filesystem_size_bytes', { path: '/var/log/onlyoffice' })).toBe(40960);
    expect(calls).toBe(1);

    const second = await scrapeWith([sameInstance], config, { budgetMs: 600 });
    expect(value(second.samples, 'onlyoffice_filesystem_device_error', { path: '/mnt/nfs/stuck' })).toBe(1);
    expect(calls).toBe(1);

    hang = false;
    release!(fakeStats({ blocks: 7 }));
    await new Promise((resolve) => setImmediate(resolve));
    const third = await scrapeWith([sameInstance], config, { budgetMs: 600 });
    expect(calls).toBe(2);
    expect(value(third.samples, 'onlyoffice_filesystem_device_error', { path: '/mnt/nfs/stuck' })).toBe(0);
    expect(value(third.samples, 'onlyoffice_filesystem_size_bytes', { path: '/mnt/nfs/stuck' })).toBe(7 * 4096);
  });

  test('a statfs slower than disk.timeout is an error even when the scrape has time left', async () => {
    const seams: Partial<DiskSeams> = {
      readMountinfo: async () => MOUNTINFO,
      realpath: async (path) => path,
      statfs: () => new Promise<FsStats>(() => undefined),
    };
    const { samples } = await scrapeWith(
      [diskCollectorDefinition(seams)],
      configFrom('disk: { paths: [/slow], timeout: 50ms }'),
      { budgetMs: 5_000 },
    );
    expect(value(samples, 'onlyoffice_filesystem_device_error', { path: '/slow' })).toBe(1);
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'disk' })).toBe(1);
  });

  test('unreadable mountinfo leaves the mount labels empty but still reports the figures', async () => {
    const seams: Partial<DiskSeams> = {
      readMountinfo: async () => {
        throw new Error('no /proc');
      },
      realpath: async (path) => path,
      statfs: async () => fakeStats(),
    };
    const { samples } = await scrapeWith([diskCollectorDefinition(seams)], configFrom('disk: { paths: [/srv] }'));
    expect(
      value(samples, 'onlyoffice_filesystem_size_bytes', { path: '/srv', mountpoint: '', device: '', fstype: '' }),
    ).toBe(4096000);
    expect(find(samples, 'onlyoffice_filesystem_readonly')).toEqual([]);
  });

  test('an empty path list turns the collector off', () => {
    expect(diskCollectorDefinition().create(configFrom('disk: { paths: [] }'), silentLogger)).toBeUndefined();
  });
});

describe('disk configuration', () => {
  test('defaults: DS paths decided at scrape time, 5s per path', () => {
    const config = configFrom('');
    expect(config.disk.paths).toBeUndefined();
    expect(config.disk.timeout).toBe(5_000);
  });

  test('bad inputs name the key', () => {
    expect(problemsOf('disk: { paths: [var/lib] }')).toEqual([
      'disk.paths.0: must be an absolute path (starting with /)',
    ]);
    expect(problemsOf('disk: { paths: [/a, /a] }')).toEqual(['disk.paths: lists a path twice']);
    expect(problemsOf('disk: { paths: /a }')).toEqual(['disk.paths: expected array, got string']);
    expect(problemsOf('disk: { timeout: never }')).toEqual([
      'disk.timeout: "never" is not a positive duration such as 10s, 1m30s or 500ms',
    ]);
    expect(problemsOf('disk: { path: [/a] }')).toEqual(['disk.path: unknown key']);
  });
});
