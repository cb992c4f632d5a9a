import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The rooms of src/ from the top down: a module may import its own layer or one below, never one above
 * (same-layer imports are fine while they form no cycle). A top-level file or folder of src/ is one unit; a new one
 * must be placed here.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['main.ts', 'doctor.ts'],
  ['server.ts'],
  ['web'],
  ['runtime.ts', 'doctor', 'security', 'cli.ts'],
  ['scrape'],
  ['collectors'],
  ['documentserver', 'tls', 'dependencies', 'docker', 'supervisor', 'rabbitmq', 'statsd', 'notify', 'disk'],
  ['metrics'],
  ['config'],
  ['templates'],
  ['lib', 'logger.ts', 'version.ts'],
];

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const unitOf = (file: string) => relative(SRC, file).split('/')[0]!;
const layerOf = (unit: string) => LAYERS.findIndex((layer) => layer.includes(unit));

/** Every relative import and re-export of src/, type-only ones included, as unit → unit edges. */
function imports(): { from: string; to: string; file: string; specifier: string }[] {
  return sources(SRC).flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => ({
        from: unitOf(file),
        to: unitOf(resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))),
        file: relative(SRC, file),
        specifier,
      })),
  );
}

describe('the layers of src/', () => {
  const edges = imports();

  test('reads the imports (the check is not vacuous)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({
      from: 'collectors',
      to: 'metrics',
      file: 'collectors/backups.ts',
      specifier: '../metrics/family.js',
    });
  });

  test('places every top-level file and folder of src/ in a layer', () => {
    const units = [...new Set(sources(SRC).map(unitOf))];
    expect(units.filter((unit) => layerOf(unit) < 0)).toEqual([]);
  });

  test('has no import into a layer above', () => {
    const upward = edges
      .filter((edge) => layerOf(edge.to) < layerOf(edge.from))
      .map((edge) => `src/${edge.file} imports ${edge.specifier}`);
    expect(upward).toEqual([]);
  });

  test('has no import cycle between the rooms of one layer', () => {
    const next = new Map<string, Set<string>>();
    for (const edge of edges)
      if (edge.from !== edge.to) next.set(edge.from, (next.get(edge.from) ?? new Set()).add(edge.to));
    const cycles: string[] = [];
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(next.get(from) ?? [])].some(
        (unit) => unit === to || (!seen.has(unit) && (seen.add(unit), reaches(unit, to, seen))),
      );
    for (const [from, tos] of next) for (const to of tos) if (reaches(to, from)) cycles.push(`${from} -> ${to}`);
    expect(cycles).toEqual([]);
  });
});
