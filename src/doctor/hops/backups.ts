import backupsCollector, { BACKUP_METRICS } from '../../collectors/backups.js';
import { ageParams, formatBytes } from './format.js';
import type { HopCheck } from './hop.js';

/** Each backup's newest file against the max_age and min_size the collector exports beside it. */
export const backups: HopCheck = {
  id: 'backups',
  check(ctx, out) {
    const s = ctx.samples;
    if (ctx.config.backups.length === 0) {
      out.note('not_configured', { key: 'backups' });
      return;
    }
    if (s.collector(backupsCollector.name) === 0) {
      out.failedCollector(backupsCollector.name);
      return;
    }
    for (const backup of ctx.config.backups) {
      const labels = { name: backup.name };
      const where = {
        name: backup.name,
        path: backup.path,
        dir: backup.path.slice(0, backup.path.lastIndexOf('/')) || '/',
      };
      const files = s.one(BACKUP_METRICS.files, labels) ?? 0;
      const last = s.one(BACKUP_METRICS.last, labels);
      const size = s.one(BACKUP_METRICS.size, labels) ?? 0;
      if (files === 0 || last === undefined) {
        out.set('warn');
        out.note('backup_none', where);
        out.cause('backup_missing', where);
        continue;
      }
      const age = Math.max(0, ctx.now / 1000 - last);
      out.note('backup', { ...where, files, size: formatBytes(size), ...ageParams('age', age) });
      let fine = true;
      if (age > backup.max_age / 1000) {
        fine = false;
        out.set('warn');
        out.cause('backup_stale', { ...where, ...ageParams('age', age), ...ageParams('limit', backup.max_age / 1000) });
      }
      if (size < backup.min_size) {
        fine = false;
        out.set('warn');
        out.cause('backup_too_small', { ...where, size: formatBytes(size), min: formatBytes(backup.min_size) });
      }
      if (fine) out.set('ok');
    }
  },
};
