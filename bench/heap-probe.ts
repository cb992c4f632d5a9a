// Preloaded into the daemon by the benchmarks only (node --expose-gc --import ./bench/heap-probe.ts src/main.ts):
// on SIGUSR2, a full GC, then process.memoryUsage(), the live handles by type and (with BENCH_TRACK_TIMERS=1) the live timers go to
// $BENCH_HEAP_FILE.
import { createHook } from 'node:async_hooks';
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.BENCH_HEAP_FILE;
if (file) {
  // process.getActiveResourcesInfo() leaves out unref'd timers (the probes' deadline timers are unref'd, as
  // AbortSignal.timeout's are): count every timer from creation to its end instead. Only when asked (the soak):
  // a hook with `destroy` makes Node track every promise's end, which costs the daemon CPU and memory.
  const liveTimers = process.env.BENCH_TRACK_TIMERS === '1' ? new Set<number>() : undefined;
  if (liveTimers) {
    createHook({
      init(asyncId, type) {
        if (type === 'Timeout') liveTimers.add(asyncId);
      },
      destroy(asyncId) {
        liveTimers.delete(asyncId);
      },
    }).enable();
  }
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    const resources: Record<string, number> = {};
    for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({ ...process.memoryUsage(), resources, liveTimers: liveTimers?.size ?? null }),
    );
    renameSync(`${file}.tmp`, file);
  });
}
