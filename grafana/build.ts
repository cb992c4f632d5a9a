/**
 * Generates grafana/dashboards/{en,zh-CN}/*.json from the dashboards as code in grafana/src/: the same dashboards
 * with English and with Chinese titles (grafana/src/i18n.ts).
 *   npx tsx grafana/build.ts          writes the files
 *   npx tsx grafana/build.ts --check  exits 1 when a committed file differs from a fresh generation
 * test/unit/grafana.test.ts fails when the committed JSON is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { containers } from './src/containers.js';
import { conversions } from './src/conversions.js';
import { LANGUAGES, localize } from './src/i18n.js';
import { overview } from './src/overview.js';

export const DASHBOARDS_DIR = fileURLToPath(new URL('./dashboards/', import.meta.url));

/** Path under dashboards/ (`<language>/<file>`) → dashboard, in a stable order. */
export function dashboards(): Map<string, dashboard.Dashboard> {
  const built: [string, dashboard.Dashboard][] = [
    ['onlyoffice-docs-overview.json', overview()],
    ['onlyoffice-docs-conversions.json', conversions()],
    ['onlyoffice-docs-containers.json', containers()],
  ];
  return new Map(
    LANGUAGES.flatMap((language) =>
      built.map(([file, d]): [string, dashboard.Dashboard] => [`${language}/${file}`, localize(d, language)]),
    ),
  );
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
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      console.log(`wrote grafana/dashboards/${file}`);
    }
  }
  if (stale > 0) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
