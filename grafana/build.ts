/**
 * Generates grafana/dashboards/*.json from the dashboards as code in grafana/src/.
 *   npx tsx grafana/build.ts          writes the files
 *   npx tsx grafana/build.ts --check  exits 1 when a committed file differs from a fresh generation
 * test/unit/grafana.test.ts fails when the committed JSON is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { containers } from './src/containers.js';
import { conversions } from './src/conversions.js';
import { overview } from './src/overview.js';

export const DASHBOARDS_DIR = fileURLToPath(new URL('./dashboards/', import.meta.url));

/** File name → dashboard, in a stable order. */
export function dashboards(): Map<string, dashboard.Dashboard> {
  return new Map([
    ['onlyoffice-docs-overview.json', overview()],
    ['onlyoffice-docs-conversions.json', conversions()],
    ['onlyoffice-docs-containers.json', containers()],
  ]);
}

/** File name → exact file content (bare dashboard JSON, as Grafana's file provisioning wants it). */
export function generate(): Map<string, string> {
  return new Map([...dashboards()].map(([file, built]) => [file, `${JSON.stringify(built, null, 2)}\n`]));
}

function main(): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, content] of generate()) {
    const path = DASHBOARDS_DIR + file;
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== content) {
        console.error(`stale: grafana/dashboards/${file} (run npx tsx grafana/build.ts)`);
        stale++;
      }
    } else {
      writeFileSync(path, content);
      console.log(`wrote grafana/dashboards/${file}`);
    }
  }
  if (stale > 0) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
