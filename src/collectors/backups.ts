import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { BACKUP_MAX_ENTRIES, type BackupsConfig } from '../config/sections/backups.js';
import { globFiles, type GlobResult } from '../lib/file-glob.js';
import { emit, gaugeFamily } from '../metrics/family.js';
import { TransitionLog } from '../lib/transition-log.js';
import type { Collector, CollectorDefinition, ScrapeContext } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const BACKUP_METRICS = {
  files: 'onlyoffice_backup_files',
  last: 'onlyoffice_backup_last_timestamp_seconds',
  size: 'onlyoffice_backup_size_bytes',
} as const;

const FILES = gaugeFamily(BACKUP_METRICS.files, "Files the backup's path glob matches.", ['name']);
const LAST = gaugeFamily(
  BACKUP_METRICS.last,
  'Modification time of the newest matching file, in seconds since the epoch; absent when none matches.',
  ['name'],
);
const SIZE = gaugeFamily(BACKUP_METRICS.size, 'Size of the newest matching file; absent when none matches.', ['name']);
const AGE_LIMIT = gaugeFamily(
  'onlyoffice_backup_age_limit_seconds',
  "The backup's max_age: its newest file is stale past this age.",
  ['name'],
);
const MIN_SIZE = gaugeFamily(
  'onlyoffice_backup_min_size_bytes',
  "The backup's min_size: its newest file is too small under this size (0: not checked).",
  ['name'],
);
const TRUNCATED = gaugeFamily(
  'onlyoffice_backup_scan_truncated',
  `1 when the glob reached ${BACKUP_MAX_ENTRIES} folder entries and stopped: files past them were not looked at; 0 when the scan was complete.`,
  ['name'],
);

type Backup = BackupsConfig[number];

/**
 * The newest file of each configured backup job (a pg_dump, a Redis RDB copy, a storage sync marker): when it was
 * written and how large it is, beside the limits it is judged by, so the alerts need no numbers of their own.
 * A glob that matches nothing is a fact (`onlyoffice_backup_files 0`, the stale alert), not a failure.
 */
class BackupsCollector implements Collector {
  /** Scans still running, by name: a folder stuck in the kernel (a hung NFS mount) is not read again until it answers. */
  private readonly pending = new Map<string, Promise<GlobResult>>();
  private readonly problems: TransitionLog;

  constructor(
    private readonly backups: BackupsConfig,
    logger: Logger,
  ) {
    this.problems = new TransitionLog(logger, {
      failing: 'cannot scan a backup folder',
      recovered: 'backup folder can be scanned again',
    });
  }

  private async scan(backup: Backup, signal: AbortSignal): Promise<GlobResult> {
    if (this.pending.has(backup.name))
      throw new Error(`${backup.path}: the scan of an earlier scrape is still running`);
    const work = globFiles(backup.path, BACKUP_MAX_ENTRIES, signal);
    this.pending.set(backup.name, work);
    try {
      return await work;
    } finally {
      this.pending.delete(backup.name);
    }
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    const files = emit(ctx, FILES);
    const last = emit(ctx, LAST);
    const size = emit(ctx, SIZE);
    const ageLimit = emit(ctx, AGE_LIMIT);
    const minSize = emit(ctx, MIN_SIZE);
    const truncated = emit(ctx, TRUNCATED);

    const failures: string[] = [];
    await Promise.all(
      this.backups.map(async (backup) => {
        const labels = { name: backup.name };
        ageLimit.push({ labels, value: backup.max_age / 1000 });
        minSize.push({ labels, value: backup.min_size });
        let found: GlobResult;
        try {
          found = await this.scan(backup, ctx.signal);
        } catch (error) {
          const message = (error as Error).message;
          this.problems.record(backup.name, { backup: backup.name }, message);
          failures.push(`${backup.name}: ${message}`);
          return;
        }
        this.problems.record(backup.name, { backup: backup.name }, undefined);
        files.push({ labels, value: found.files.length });
        truncated.push({ labels, value: found.truncated ? 1 : 0 });
        const newest = found.files.reduce<GlobResult['files'][number] | undefined>(
          (a, b) => (a === undefined || b.mtimeMs > a.mtimeMs ? b : a),
          undefined,
        );
        if (newest === undefined) return;
        last.push({ labels, value: newest.mtimeMs / 1000 });
        size.push({ labels, value: newest.size });
      }),
    );
    if (failures.length > 0) throw new Error(failures.join('; '));
  }
}

const backups: CollectorDefinition = {
  name: 'backups',
  scopes: ['metrics'],
  runs: 'scrape',
  create(config: Config, logger: Logger) {
    return config.backups.length === 0 ? undefined : new BackupsCollector(config.backups, logger);
  },
};

export default backups;
