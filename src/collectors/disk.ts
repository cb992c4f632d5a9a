import { readFile, realpath, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { DEFAULT_DISK_PATHS } from '../config/sections/disk.js';
import { mountOf, parseMountinfo, type Mount } from '../disk/mountinfo.js';
import { TransitionLog } from '../lib/transition-log.js';
import { emit, gaugeFamily } from '../metrics/family.js';
import type { Collector, CollectorDefinition, ScrapeContext } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const FILESYSTEM_METRICS = {
  size: 'onlyoffice_filesystem_size_bytes',
  avail: 'onlyoffice_filesystem_avail_bytes',
  files: 'onlyoffice_filesystem_files',
  filesFree: 'onlyoffice_filesystem_files_free',
  readonly: 'onlyoffice_filesystem_readonly',
  deviceError: 'onlyoffice_filesystem_device_error',
} as const;

/** The fields of fs.statfs the collector reads (numbers, as node_exporter's Bsize-based figures). */
export interface FsStats {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

const LABELS = ['path', 'mountpoint', 'device', 'fstype'] as const;
const filesystem = (name: string, help: string) => gaugeFamily(name, help, LABELS);
const SIZE = filesystem(
  FILESYSTEM_METRICS.size,
  'Size of the file system holding the path, in bytes (node_exporter meaning).',
);
const FREE = filesystem('onlyoffice_filesystem_free_bytes', 'Free bytes, including those reserved for root.');
const AVAIL = filesystem(FILESYSTEM_METRICS.avail, 'Bytes available to non-root users.');
const FILES = filesystem(FILESYSTEM_METRICS.files, 'Inodes of the file system.');
const FILES_FREE = filesystem(FILESYSTEM_METRICS.filesFree, 'Free inodes.');
const READONLY = filesystem(
  FILESYSTEM_METRICS.readonly,
  '1 when the file system is mounted read-only, 0 when it is writable.',
);
const DEVICE_ERROR = filesystem(
  FILESYSTEM_METRICS.deviceError,
  '1 when the path could not be examined (missing, not permitted, or no answer in time: a stuck mount), 0 when it was.',
);

/** File system calls, injectable so a test can make them hang like a stuck network mount. */
export interface DiskSeams {
  statfs(path: string): Promise<FsStats>;
  realpath(path: string): Promise<string>;
  readMountinfo(): Promise<string>;
}

const realSeams: DiskSeams = {
  statfs: (path) => statfs(path),
  realpath: (path) => realpath(path),
  readMountinfo: () => readFile('/proc/self/mountinfo', 'utf8'),
};

type Inspection = { ok: true; realPath: string; stats: FsStats } | { ok: false; error: string; missing: boolean };

class StuckError extends Error {}

class DiskCollector implements Collector {
  /**
   * Calls still running, by path. A call stuck in the kernel keeps a libuv worker busy until it returns; a new one on every
   * scrape would use up the pool and stall all file I/O in the process, so a stuck path is not asked again until it answers.
   */
  private readonly pending = new Map<string, Promise<Inspection>>();
  private readonly problems: TransitionLog;

  constructor(
    private readonly paths: readonly string[] | undefined,
    private readonly timeoutMs: number,
    private readonly seams: DiskSeams,
    private readonly logger: Logger,
  ) {
    this.problems = new TransitionLog(logger, {
      failing: 'cannot examine the file system of a path',
      recovered: 'path can be examined again',
    });
  }

  private inspect(path: string): Promise<Inspection> {
    const work = (async (): Promise<Inspection> => {
      try {
        const realPath = await this.seams.realpath(path);
        const stats = await this.seams.statfs(realPath);
        return { ok: true, realPath, stats };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return { ok: false, error: code ?? String(error), missing: code === 'ENOENT' };
      }
    })();
    this.pending.set(path, work);
    void work.finally(() => this.pending.delete(path));
    return work;
  }

  private async inspectWithin(path: string, signal: AbortSignal): Promise<Inspection> {
    if (this.pending.has(path)) return { ok: false, error: 'still stuck from an earlier scrape', missing: false };
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StuckError(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      onAbort = () => reject(new StuckError('no answer before the scrape deadline'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([this.inspect(path), giveUp]);
    } catch (error) {
      return { ok: false, error: (error as Error).message, missing: false };
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    const configured = this.paths !== undefined;
    const paths = this.paths ?? DEFAULT_DISK_PATHS;
    let mounts: Mount[] = [];
    try {
      mounts = parseMountinfo(await this.seams.readMountinfo());
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'cannot read /proc/self/mountinfo; mount labels stay empty');
    }
    // One series per path: a path listed twice is examined once.
    const inspections = await Promise.all(
      [...new Set(paths)].map(async (path) => ({ path, inspection: await this.inspectWithin(path, ctx.signal) })),
    );

    const size = emit(ctx, SIZE);
    const free = emit(ctx, FREE);
    const avail = emit(ctx, AVAIL);
    const files = emit(ctx, FILES);
    const filesFree = emit(ctx, FILES_FREE);
    const readonly = emit(ctx, READONLY);
    const deviceError = emit(ctx, DEVICE_ERROR);

    for (const { path, inspection } of inspections) {
      // Defaults are DS paths that may not exist on this host: leave those out rather than report errors.
      if (!inspection.ok && inspection.missing && !configured) continue;
      // A path that cannot be resolved is placed by its name: a stuck NFS path still shows its mount.
      const mount = mountOf(inspection.ok ? inspection.realPath : resolve(path), mounts);
      const labels = {
        path,
        mountpoint: mount?.mountPoint ?? '',
        device: mount?.device ?? '',
        fstype: mount?.fstype ?? '',
      };
      deviceError.push({ labels, value: inspection.ok ? 0 : 1 });
      this.problems.record(path, { path }, inspection.ok ? undefined : inspection.error);
      if (!inspection.ok) continue;
      const { bsize, blocks, bfree, bavail, files: inodes, ffree } = inspection.stats;
      size.push({ labels, value: blocks * bsize });
      free.push({ labels, value: bfree * bsize });
      avail.push({ labels, value: bavail * bsize });
      files.push({ labels, value: inodes });
      filesFree.push({ labels, value: ffree });
      if (mount) readonly.push({ labels, value: mount.options.includes('ro') ? 1 : 0 });
    }
  }
}

/** The disk collector with its file system calls replaced (tests); the default export uses the real ones. */
export function diskCollectorDefinition(seams: Partial<DiskSeams> = {}): CollectorDefinition {
  const merged: DiskSeams = { ...realSeams, ...seams };
  return {
    name: 'disk',
    scopes: ['metrics'],
    runs: 'scrape',
    create(config: Config, logger: Logger) {
      if (!config.disk.enabled || (config.disk.paths !== undefined && config.disk.paths.length === 0)) return undefined;
      return new DiskCollector(config.disk.paths, config.disk.timeout, merged, logger);
    },
  };
}

export default diskCollectorDefinition();
