/**
 * The newest parsed JSON answer of each kind, kept referenced so that V8 keeps its hidden classes ("maps").
 *
 * V8 drops the maps of parsed JSON at a full GC once no object uses them, and with them all optimized code that read
 * such objects (`--trace-deopt`: "marking dependent code ... reason: weak objects"). The next answer is parsed into new
 * maps and that code is compiled again. A probe's answers die with the probe, so without this the license and command
 * code was recompiled after every full GC: about 0.2 ms of CPU per probe at one probe at a time (docs/BENCHMARKS.md).
 * Bounded: one object per kind, and the kinds are fixed strings in the code.
 */
const newest = new Map<string, unknown>();

export function retainShapes(kind: string, value: unknown): void {
  newest.set(kind, value);
}
