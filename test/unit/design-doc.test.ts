import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { HOPS } from '../../src/doctor/hops/index.js';
import { HOP_IDS } from '../../src/doctor/vocabulary.js';

const ROOT = new URL('../../', import.meta.url);
const DESIGN = readFileSync(new URL('docs/DESIGN.md', ROOT), 'utf8');

describe('docs/DESIGN.md', () => {
  test('every file it names exists', () => {
    const named = [
      ...DESIGN.matchAll(/`((?:src|alerts|grafana|docs|deploy|scripts|test|bench)\/[\w./-]+\.(?:ts|mjs|md|yml))`/g),
    ].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((path) => !existsSync(new URL(path, ROOT)))).toEqual([]);
  });

  test('every folder of src/ has its row in the table of rooms', () => {
    const table = DESIGN.slice(DESIGN.indexOf('## The room of each concern'), DESIGN.indexOf('## Adding a collector'));
    const folders = readdirSync(new URL('src/', ROOT), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.length).toBeGreaterThan(8);
    expect(folders.filter((folder) => !table.includes(`\`src/${folder}/`))).toEqual([]);
  });

  test('the checklist for a new collector names every place a collector must reach', () => {
    const checklist = DESIGN.slice(
      DESIGN.indexOf('## Adding a collector'),
      DESIGN.indexOf('## Why it is built this way'),
    );
    for (const place of [
      'src/collectors/index.ts',
      'src/config/schema.ts',
      'config.example.yml',
      'docs/metrics.md',
      'alerts/src/',
      'docs/runbooks/',
      'grafana/src/',
      'src/doctor/',
      'test/support/ds-simulator.ts',
      'CHANGELOG.md',
    ]) {
      expect([place, checklist.includes(place)]).toEqual([place, true]);
    }
  });

  test('the doctor evaluates the hops in the order of HOPS, which it names in that order', () => {
    const sentence = /`src\/doctor\/hops\/index\.ts`: ([^;]+);/.exec(DESIGN)![1]!;
    const named = [...sentence.matchAll(/[a-z]+/g)]
      .map((m) => m[0])
      .filter((word) => (HOP_IDS as readonly string[]).includes(word));
    expect(named).toEqual(HOPS.map((hop) => hop.id));
  });

  test('the rule it states: outside src/metrics/ and src/scrape/, prom-client is imported for its Registry type only', () => {
    const files = readdirSync(new URL('src/', ROOT), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !/^(metrics|scrape)\//.test(f),
    );
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.filter((f) =>
      [...readFileSync(new URL(`src/${f}`, ROOT), 'utf8').matchAll(/^import (.*) from 'prom-client';$/gm)].some(
        (m) => m[1] !== 'type { Registry }',
      ),
    );
    expect(offenders).toEqual([]);
  });
});
