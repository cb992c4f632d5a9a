import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import disk from '../../src/collectors/disk.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { find, value } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { configFrom, scrapeWith } from '../support/scrape.js';

/** What util-linux findmnt says of the mount holding `path` (it resolves symlinks too). */
function findmnt(path: string): { mountpoint: string; device: string; fstype: string; options: string[] } {
  const out = execFileSync('findmnt', ['-n', '-T', path, '-o', 'TARGET,SOURCE,FSTYPE,VFS-OPTIONS', '-P'], {
    encoding: 'utf8',
  }).trim();
  const fields = Object.fromEntries(
    [...out.matchAll(/([A-Z-]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]!.replace(/\\x20/g, ' ')]),
  );
  return {
    mountpoint: fields.TARGET!,
    device: fields.SOURCE!,
    fstype: fields.FSTYPE!,
    options: fields['VFS-OPTIONS']!.split(','),
  };
}

/** coreutils `stat -f`: %s block size (f_bsize), %b blocks, %f free, %a available, %c inodes, %d free inodes. */
function statF(path: string): {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
} {
  const [bsize, blocks, bfree, bavail, files, ffree] = execFileSync('stat', ['-f', '-c', '%s %b %f %a %c %d', path], {
    encoding: 'utf8',
  })
    .trim()
    .split(' ')
    .map(Number);
  return { bsize: bsize!, blocks: blocks!, bfree: bfree!, bavail: bavail!, files: files!, ffree: ffree! };
}

/** `df -B1` size and Avail columns. */
function df(path: string): { size: number; avail: number } {
  const line = execFileSync('df', ['-B1', '--output=size,avail', path], { encoding: 'utf8' }).trim().split('\n')[1]!;
  const [size, avail] = line.trim().split(/\s+/).map(Number);
  return { size: size!, avail: avail! };
}

const gate = requirePrograms('mount', 'umount', 'findmnt', 'stat', 'df');

gate.describe('disk collector on real mounts', () => {
  let dir: string;
  let writable: string;
  let readonly: string;
  const mounted: string[] = [];

  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts tmpfs file systems: run it as root (CI does)');
    dir = mkdtempSync(join(tmpdir(), 'ooe-disk-'));
    // A space in the mount point: mountinfo writes it as \040.
    writable = join(dir, 'ds data');
    readonly = join(dir, 'ro');
    mkdirSync(writable);
    mkdirSync(readonly);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,nr_inodes=1000', 'ooe test tmpfs', writable]);
    mounted.push(writable);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=4m', 'ooe-ro', readonly]);
    mounted.push(readonly);
    mkdirSync(join(writable, 'App_Data'));
    writeFileSync(join(writable, 'App_Data', 'file'), Buffer.alloc(1024 * 1024, 1));
    symlinkSync(join(writable, 'App_Data'), join(dir, 'link'));
  });

  afterAll(() => {
    for (const point of mounted.reverse()) execFileSync('umount', [point]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a tmpfs mounted by the test: figures equal stat -f and df, labels equal findmnt', async () => {
    const path = join(writable, 'App_Data');
    const { samples } = await scrapeWith([disk], configFrom(`disk: { paths: ["${path}"] }`));
    const mount = findmnt(path);
    expect(mount).toMatchObject({ mountpoint: writable, device: 'ooe test tmpfs', fstype: 'tmpfs' });
    const labels = { path, mountpoint: mount.mountpoint, device: mount.device, fstype: mount.fstype };
    const figures = statF(path);
    expect(value(samples, 'onlyoffice_filesystem_size_bytes', labels)).toBe(figures.blocks * figures.bsize);
    expect(value(samples, 'onlyoffice_filesystem_size_bytes', labels)).toBe(8 * 1024 * 1024);
    expect(value(samples, 'onlyoffice_filesystem_free_bytes', labels)).toBe(figures.bfree * figures.bsize);
    expect(value(samples, 'onlyoffice_filesystem_avail_bytes', labels)).toBe(figures.bavail * figures.bsize);
    expect(value(samples, 'onlyoffice_filesystem_avail_bytes', labels)).toBe(df(path).avail);
    expect(value(samples, 'onlyoffice_filesystem_size_bytes', labels)).toBe(df(path).size);
    // The 1 MiB file the test wrote is used space.
    expect(
      value(samples, 'onlyoffice_filesystem_size_bytes', labels) -
        value(samples, 'onlyoffice_filesystem_free_bytes', labels),
    ).toBe(1024 * 1024);
    expect(value(samples, 'onlyoffice_filesystem_files', labels)).toBe(1000);
    expect(value(samples, 'onlyoffice_filesystem_files_free', labels)).toBe(figures.ffree);
    expect(value(samples, 'onlyoffice_filesystem_readonly', labels)).toBe(0);
    expect(value(samples, 'onlyoffice_filesystem_device_error', labels)).toBe(0);
  });

  test('a symlink is followed to the mount it points into; a read-only mount says so', async () => {
    const link = join(dir, 'link');
    const { samples } = await scrapeWith([disk], configFrom(`disk: { paths: ["${link}", "${readonly}"] }`));
    expect(
      value(samples, 'onlyoffice_filesystem_size_bytes', {
        path: link,
        mountpoint: writable,
        device: 'ooe test tmpfs',
        fstype: 'tmpfs',
      }),
    ).toBe(8 * 1024 * 1024);
    const ro = findmnt(readonly);
    expect(ro.options).toContain('ro');
    expect(
      value(samples, 'onlyoffice_filesystem_readonly', {
        path: readonly,
        mountpoint: readonly,
        device: 'ooe-ro',
        fstype: 'tmpfs',
      }),
    ).toBe(1);
    expect(value(samples, 'onlyoffice_filesystem_size_bytes', { path: readonly })).toBe(4 * 1024 * 1024);
  });

  test('the root file system: size and inodes equal statfs, mount labels equal findmnt', async () => {
    const { samples } = await scrapeWith([disk], configFrom('disk: { paths: [/] }'));
    const mount = findmnt('/');
    const labels = { path: '/', mountpoint: mount.mountpoint, device: mount.device, fstype: mount.fstype };
    const real = statfsSync('/');
    // Free space moves with other processes' writes; size and inode count do not.
    expect(value(samples, 'onlyoffice_filesystem_size_bytes', labels)).toBe(real.blocks * real.bsize);
    expect(value(samples, 'onlyoffice_filesystem_files', labels)).toBe(real.files);
    expect(value(samples, 'onlyoffice_filesystem_readonly', labels)).toBe(mount.options.includes('ro') ? 1 : 0);
  });

  test('a missing path among real ones: device_error 1 for it only', async () => {
    const missing = join(writable, 'no such dir');
    const { samples } = await scrapeWith([disk], configFrom(`disk: { paths: ["${missing}", "${writable}"] }`));
    expect(
      value(samples, 'onlyoffice_filesystem_device_error', {
        path: missing,
        mountpoint: writable,
        device: 'ooe test tmpfs',
        fstype: 'tmpfs',
      }),
    ).toBe(1);
    expect(find(samples, 'onlyoffice_filesystem_avail_bytes', { path: missing })).toEqual([]);
    expect(value(samples, 'onlyoffice_filesystem_device_error', { path: writable })).toBe(0);
  });

  test('docs/metrics.md "disk" lists exactly the exported families and labels', async () => {
    const { samples, text } = await scrapeWith([disk], configFrom(`disk: { paths: ["${writable}"] }`));
    const exported = exportedFamilies(samples, text);
    exported.delete('onlyoffice_scrape_collector_success');
    exported.delete('onlyoffice_scrape_collector_duration_seconds');
    const documented = documentedMetrics().filter((metric) => metric.section === 'disk');
    expect(documented.map((metric) => [metric.name, metric.type, [...metric.labels].sort()]).sort()).toEqual(
      [...exported].map(([name, labels]) => [name, 'gauge', [...labels].sort()]).sort(),
    );
  });
});
