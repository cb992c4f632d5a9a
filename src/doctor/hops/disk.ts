import diskCollector, { FILESYSTEM_METRICS } from '../../collectors/disk.js';
import type { Params } from '../model.js';
import type { SampleSet } from '../samples.js';
import { DOCTOR_THRESHOLDS } from '../thresholds.js';
import { percent } from './format.js';
import type { HopCheck } from './hop.js';

/** Below this share of free space a file system fails; below WARN_FREE it warns (the alert rules' disk thresholds). */
const FAIL_FREE = (100 - DOCTOR_THRESHOLDS.diskUsedFailPercent) / 100;
const WARN_FREE = (100 - DOCTOR_THRESHOLDS.diskUsedWarnPercent) / 100;
/** Below this share of free inodes a file system fails; below INODES_WARN_FREE it warns (OnlyofficeDocsFilesystemAlmostOutOfFiles). */
const INODES_FAIL_FREE = DOCTOR_THRESHOLDS.inodesFreeFailPercent / 100;
const INODES_WARN_FREE = DOCTOR_THRESHOLDS.inodesFreeWarnPercent / 100;

/** The file systems holding DS's paths (disk.paths): readable, writable, space and inodes left. */
export const disk: HopCheck = {
  id: 'disk',
  check(ctx, out) {
    const s = ctx.samples;
    if (s.collector(diskCollector.name) === 0) {
      out.failedCollector(diskCollector.name);
      return;
    }
    const paths = [...pathsOf(s)].sort();
    if (paths.length === 0) {
      out.note('not_configured', { key: 'disk.paths' });
      return;
    }
    for (const path of paths) {
      const fs = filesystem(s, path);
      if (fs.error) {
        out.set('fail');
        out.note('fs_problem', { path, problem: 'error' });
        out.cause('disk_error', { path });
        continue;
      }
      if (fs.readonly) {
        out.set('fail');
        out.note('fs_problem', { path, problem: 'readonly' });
        out.cause('disk_readonly', { path });
      }
      out.note('fs', { path, mountpoint: fs.mountpoint, percent: percent(fs.free), ipercent: percent(fs.inodesFree) });
      if (fs.free !== undefined && fs.free < WARN_FREE) {
        out.set(fs.free < FAIL_FREE ? 'fail' : 'warn');
        out.cause('disk_full', { path, percent: percent(fs.free) }, fs.free >= FAIL_FREE);
      } else if (fs.inodesFree !== undefined && fs.inodesFree < INODES_WARN_FREE) {
        out.set(fs.inodesFree < INODES_FAIL_FREE ? 'fail' : 'warn');
        out.cause('inodes_low', { path, percent: percent(fs.inodesFree) }, fs.inodesFree >= INODES_FAIL_FREE);
      } else if (!fs.readonly) {
        out.set('ok');
      }
    }
  },
};

/** A read-only or full DS data file system, which makes 7.1–8.0's healthcheck storage write fail. */
export function storageProblem(s: SampleSet): Params | undefined {
  for (const path of pathsOf(s)) {
    const fs = filesystem(s, path);
    if (fs.error) continue;
    if (fs.readonly) return { path, problem: 'read-only' };
    if (fs.free !== undefined && fs.free < 0.001) return { path, problem: 'full' };
  }
  return undefined;
}

function pathsOf(s: SampleSet): Set<string> {
  return new Set(s.all(FILESYSTEM_METRICS.deviceError).map((x) => x.labels.path ?? ''));
}

function filesystem(s: SampleSet, path: string) {
  const get = (metric: keyof typeof FILESYSTEM_METRICS) => s.one(FILESYSTEM_METRICS[metric], { path });
  const size = get('size');
  const avail = get('avail');
  const files = get('files');
  const filesFree = get('filesFree');
  return {
    error: get('deviceError') === 1,
    readonly: get('readonly') === 1,
    mountpoint: s.all(FILESYSTEM_METRICS.size, { path })[0]?.labels.mountpoint ?? '?',
    free: size !== undefined && avail !== undefined && size > 0 ? avail / size : undefined,
    inodesFree: files !== undefined && filesFree !== undefined && files > 0 ? filesFree / files : undefined,
  };
}
