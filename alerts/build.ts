/**
 * Generates the alert rules, their promtool tests and the Kubernetes PrometheusRule from the rules as code in
 * alerts/src/ (one file per group) and the numbers of alerts/thresholds.yml.
 *   npm run rules                                      writes alerts/*.rules.yml, alerts/tests/*.test.yml,
 *                                                      deploy/kubernetes/prometheusrule.yaml and the doctor's limits
 *                                                      (src/doctor/thresholds.ts) from the defaults
 *   npm run rules -- --check                           exits 1 when a committed file differs from a fresh generation
 *   npm run rules -- --thresholds my.yml --out DIR     writes DIR/*.rules.yml, DIR/tests/*.test.yml and
 *                                                      DIR/prometheusrule.yaml for your numbers
 * test/unit/alerts-build.test.ts fails when the committed files are stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { prometheusRuleOf, RECORDING_RULES } from '../deploy/kubernetes/generate-prometheusrule.js';
import { backups } from './src/backups.js';
import { containers } from './src/containers.js';
import { conversions } from './src/conversions.js';
import { dependencies } from './src/dependencies.js';
import { disk } from './src/disk.js';
import { doctorThresholdsModule } from './doctor-thresholds.js';
import { documentserver } from './src/documentserver.js';
import type { Emit } from './src/emit.js';
import { rulesYaml, testsYaml } from './src/emit.js';
import { exporter } from './src/exporter.js';
import type { AlertFile } from './src/model.js';
import { tls } from './src/tls.js';
import { loadThresholds, ThresholdsError, type Thresholds } from './thresholds.js';

export const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));

/** The groups, in file-name order (the order of the PrometheusRule). */
export function alertFiles(t: Thresholds): AlertFile[] {
  return [backups, containers, conversions, dependencies, disk, documentserver, exporter, tls]
    .map((f) => f(t))
    .sort((a, b) => a.file.localeCompare(b.file));
}

export interface Layout {
  rules: (file: string) => string;
  tests: (file: string) => string;
  prometheusRule: string;
  /** The doctor's copy of the defaults (src/doctor/thresholds.ts): only for the shipped set. */
  doctorThresholds?: string;
}

/** Where the shipped set lives in the repository. */
export const REPOSITORY_LAYOUT: Layout = {
  rules: (file) => `alerts/${file}.rules.yml`,
  tests: (file) => `alerts/tests/${file}.test.yml`,
  prometheusRule: 'deploy/kubernetes/prometheusrule.yaml',
  doctorThresholds: 'src/doctor/thresholds.ts',
};
/** A custom set in one directory: the tests' `../<file>.rules.yml` still resolves. */
export const OUT_LAYOUT: Layout = {
  rules: (file) => `${file}.rules.yml`,
  tests: (file) => `tests/${file}.test.yml`,
  prometheusRule: 'prometheusrule.yaml',
};

/** Relative path → exact file content. */
export function generate(t: Thresholds, layout: Layout = REPOSITORY_LAYOUT): Map<string, string> {
  const emit: Emit = { severity: t.severity, instanceLabel: t.instance_label, runbookBase: t.runbook_base_url };
  const out = new Map<string, string>();
  const rules: { name: string; text: string }[] = [];
  for (const file of alertFiles(t)) {
    const text = rulesYaml(file, emit);
    out.set(layout.rules(file.file), text);
    rules.push({ name: `alerts/${file.file}.rules.yml`, text });
  }
  for (const file of alertFiles(t)) out.set(layout.tests(file.file), testsYaml(file, emit));
  rules.push({ name: RECORDING_RULES, text: readFileSync(join(REPOSITORY, RECORDING_RULES), 'utf8') });
  out.set(layout.prometheusRule, prometheusRuleOf(rules));
  if (layout.doctorThresholds !== undefined) out.set(layout.doctorThresholds, doctorThresholdsModule(t));
  return out;
}

/** Writes the set under `dir`; returns the paths written. */
export function write(files: Map<string, string>, dir: string): string[] {
  return [...files].map(([path, content]) => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    return full;
  });
}

/** The committed files that differ from a fresh generation of the defaults. */
export function stale(): string[] {
  return [...generate(loadThresholds())]
    .filter(([path, content]) => {
      try {
        return readFileSync(join(REPOSITORY, path), 'utf8') !== content;
      } catch {
        return true;
      }
    })
    .map(([path]) => path);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new ThresholdsError(`${name} needs a value`);
  return value;
}

export function main(args: string[]): number {
  try {
    const valued = ['--thresholds', '--out'];
    const unknown = args.filter(
      (a, i) => a.startsWith('--') && ![...valued, '--check'].includes(a) && !valued.includes(args[i - 1] ?? ''),
    );
    if (unknown.length > 0)
      throw new ThresholdsError(`unknown option ${unknown[0]} (use --thresholds FILE, --out DIR, --check)`);
    const thresholds = option(args, '--thresholds');
    const out = option(args, '--out');
    if (args.includes('--check')) {
      const paths = stale();
      for (const path of paths) console.error(`stale: ${path} (run npm run rules)`);
      return paths.length > 0 ? 1 : 0;
    }
    if (thresholds !== undefined && out === undefined) {
      throw new ThresholdsError(
        '--thresholds needs --out DIR (the shipped files keep the defaults of alerts/thresholds.yml)',
      );
    }
    const files = generate(loadThresholds(thresholds), out === undefined ? REPOSITORY_LAYOUT : OUT_LAYOUT);
    for (const path of write(files, out ?? REPOSITORY)) console.log(`wrote ${relative(process.cwd(), path) || path}`);
    return 0;
  } catch (error) {
    if (error instanceof ThresholdsError) {
      console.error(error.message);
      return 2;
    }
    // Writing the set failed (no such folder, no permission): say where, without a stack trace.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) {
      console.error(`cannot write the rules: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = main(process.argv.slice(2));
