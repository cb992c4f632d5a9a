import { z } from 'zod';
import { duration } from '../duration.js';
import { size } from '../size.js';

/** Directory entries one backup's glob may read per scrape: a glob pointed at a huge tree stops there. */
export const BACKUP_MAX_ENTRIES = 10_000;

const backupName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'names are letters, digits, "_", "." and "-" (at most 64)');

const backup = z
  .object({
    /** The `name` label: postgresql, redis, storage, ... */
    name: backupName,
    /** An absolute glob: `*`, `?`, `[...]` within a folder, `**` for any depth. The newest matching file is the backup. */
    path: z.string().refine((value) => value.startsWith('/'), 'must be an absolute path or glob (starting with /)'),
    /** The newest file is stale past this age (the BackupStale alert). */
    max_age: duration,
    /** The newest file is too small under this size (the BackupTooSmall alert); 0, the default, checks nothing. */
    min_size: size.default(0),
  })
  .strict();

/** `backups`: the newest file of each backup job, watched for age and size. Off (an empty list) unless configured. */
export const backupsSection = z.array(backup).superRefine((backups, ctx) => {
  const seen = new Map<string, number>();
  backups.forEach((entry, index) => {
    const first = seen.get(entry.name);
    if (first !== undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [index, 'name'],
        message: `"${entry.name}" is also the name of backups[${first}]`,
      });
    else seen.set(entry.name, index);
  });
});

export type BackupsConfig = z.infer<typeof backupsSection>;
