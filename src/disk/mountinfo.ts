/** One line of /proc/<pid>/mountinfo (proc(5)). */
export interface Mount {
  mountPoint: string;
  /** Per-mount options (field 6), e.g. ["rw", "relatime"]. */
  options: string[];
  fstype: string;
  /** The mount source: /dev/sda1, tmpfs, server:/export, overlay... */
  device: string;
}

/** The kernel escapes space, tab, newline and backslash in paths as \040, \011, \012, \134. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    // Optional fields (shared:N, master:N...) run up to a lone "-".
    const separator = fields.indexOf('-', 6);
    if (fields.length < 10 || separator < 0 || separator + 2 >= fields.length) continue;
    mounts.push({
      mountPoint: unescapeMountField(fields[4]!),
      options: fields[5]!.split(','),
      fstype: fields[separator + 1]!,
      device: unescapeMountField(fields[separator + 2]!),
    });
  }
  return mounts;
}

/** The mount holding `realPath` (already resolved): longest mount point that contains it, the later one when stacked. */
export function mountOf(realPath: string, mounts: readonly Mount[]): Mount | undefined {
  let best: Mount | undefined;
  for (const mount of mounts) {
    const point = mount.mountPoint;
    const contains = point === '/' || realPath === point || realPath.startsWith(`${point}/`);
    if (contains && (best === undefined || point.length >= best.mountPoint.length)) best = mount;
  }
  return best;
}
