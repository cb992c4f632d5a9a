import { z } from 'zod';
import { duration } from '../duration.js';

/** DS data, cache and log folders (deb/rpm packages and the Docker image's volumes). */
export const DEFAULT_DISK_PATHS: readonly string[] = [
  '/var/lib/onlyoffice',
  '/var/www/onlyoffice/Data',
  '/var/log/onlyoffice',
];

const absolutePath = z.string().refine((value) => value.startsWith('/'), 'must be an absolute path (starting with /)');

/**
 * `disk`: free space and inodes of the file systems holding these paths.
 * Absent `paths`: the DEFAULT_DISK_PATHS that exist; an empty list turns the collector off.
 */
export const diskSection = z
  .object({
    /** false turns the section's collector off, whatever else it says (every collector section has it but documentserver, always on, and backups, off as `[]`). */
    enabled: z.boolean().default(true),
    /**
     * Absolute paths; default: those of /var/lib/onlyoffice, /var/www/onlyoffice/Data and /var/log/onlyoffice that
     * exist. `[]` turns the collector off.
     */
    paths: z
      .array(absolutePath)
      .optional()
      .refine((paths) => paths === undefined || new Set(paths).size === paths.length, 'lists a path twice'),
    /** Longest wait for one path's statfs (a stuck network mount); the scrape deadline still applies. */
    timeout: duration.default('5s'),
  })
  .strict();

export type DiskConfig = z.infer<typeof diskSection>;
