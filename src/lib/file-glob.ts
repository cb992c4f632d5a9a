import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A regular file a glob matched. */
export interface GlobFile {
  path: string;
  mtimeMs: number;
  size: number;
}

export interface GlobResult {
  files: GlobFile[];
  /** Directory entries read (the bound's measure). */
  examined: number;
  /** The walk stopped at `maxEntries`: there may be more matches than `files`. */
  truncated: boolean;
}

const MAGIC = /[*?[]/;

/**
 * Regular files matching an absolute glob: `*` and `?` within one path segment, `[abc]`/`[a-z]`/`[!a]` classes, and
 * `**` for any depth of folders. The walk reads at most `maxEntries` directory entries in all, so a glob pointed at a
 * huge tree stops there (`truncated`) instead of walking it whole. Symlinked folders are not followed by `**` (a loop
 * would never end); a symlink to a file counts as that file. Folders that cannot be read are passed over.
 */
export async function globFiles(pattern: string, maxEntries: number, signal?: AbortSignal): Promise<GlobResult> {
  if (!pattern.startsWith('/')) throw new Error(`not an absolute path: ${pattern}`);
  const segments = pattern.split('/').filter((segment) => segment !== '');
  const result: GlobResult = { files: [], examined: 0, truncated: false };
  const seen = new Set<string>();

  const addFile = async (path: string): Promise<void> => {
    if (seen.has(path)) return;
    seen.add(path);
    try {
      const stats = await stat(path);
      if (stats.isFile()) result.files.push({ path, mtimeMs: stats.mtimeMs, size: stats.size });
    } catch {
      // Gone since it was listed, or a dangling symlink: not a backup.
    }
  };

  const entries = async (dir: string) => {
    signal?.throwIfAborted();
    let list;
    try {
      list = await readdir(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    const room = maxEntries - result.examined;
    if (list.length > room) {
      result.truncated = true;
      list = list.slice(0, Math.max(0, room));
    }
    result.examined += list.length;
    return list;
  };

  const walk = async (dir: string, index: number): Promise<void> => {
    if (result.truncated) return;
    // Literal segments are joined without reading the folder.
    let at = index;
    let base = dir;
    while (at < segments.length && !MAGIC.test(segments[at]!)) base = join(base, segments[at++]!);
    if (at === segments.length) return addFile(base);
    const segment = segments[at]!;
    const last = at === segments.length - 1;
    if (segment === '**') {
      // Zero folders, then every folder below, one level at a time.
      await walk(base, at + 1);
      for (const entry of await entries(base)) {
        if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(join(base, entry.name), at);
      }
      return;
    }
    const match = segmentMatcher(segment);
    for (const entry of await entries(base)) {
      if (!match(entry.name)) continue;
      const path = join(base, entry.name);
      if (last) await addFile(path);
      else if (entry.isDirectory() || entry.isSymbolicLink()) await walk(path, at + 1);
    }
  };

  await walk('/', 0);
  return result;
}

/** A matcher for one path segment; a leading dot is matched only by a pattern that starts with one, as in sh. */
export function segmentMatcher(segment: string): (name: string) => boolean {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`);
  const dotAllowed = segment.startsWith('.');
  return (name) => (dotAllowed || !name.startsWith('.')) && regex.test(name);
}
