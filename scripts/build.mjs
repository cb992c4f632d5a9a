// Transpiles src/ to plain JavaScript in dist/ (same layout, imports unchanged), for running with plain node:
// no TypeScript loader thread at run time, which saves about 30 MiB of resident memory (docs/BENCHMARKS.md).
//   node scripts/build.mjs [outdir, default dist]
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(root, process.argv[2] ?? 'dist');
const src = join(root, 'src');

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

const files = walk(src);
// Built beside the target, then swapped in whole, so a daemon starting meanwhile never sees half a tree.
const staging = `${outdir}.${process.pid}.tmp`;
rmSync(staging, { recursive: true, force: true });
await build({
  entryPoints: files.filter((file) => file.endsWith('.ts')),
  outdir: staging,
  outbase: src,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// Non-code files (notification templates) are read at run time from beside the modules.
for (const file of files.filter((file) => !file.endsWith('.ts'))) {
  const target = join(staging, relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
}
rmSync(outdir, { recursive: true, force: true });
renameSync(staging, outdir);
