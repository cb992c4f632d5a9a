/**
 * Plain string order (UTF-16 code units) for sort(): stable across machines and without localeCompare, whose
 * collation loads ICU's data into the daemon's resident memory.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
