// Preloaded into the daemon by the benchmarks only (node --expose-gc --import ./bench/heap-probe.ts src/main.ts):
// on SIGUSR2, a full GC, then process.memoryUsage() and the live handles by type go to $BENCH_HEAP_FILE.
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.BENCH_HEAP_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    const resources: Record<string, number> = {};
    for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...process.memoryUsage(), resources }));
    renameSync(`${file}.tmp`, file);
  });
}
