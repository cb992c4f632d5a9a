import buildInfo from '../../src/collectors/build_info.js';
import commands from '../../src/collectors/commands.js';
import endpoints from '../../src/collectors/endpoints.js';
import healthcheck from '../../src/collectors/healthcheck.js';
import license from '../../src/collectors/license.js';
import { startDsSimulator } from '../support/ds-simulator.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { startExporter } from '../support/exporter-process.js';
import { parseExposition } from '../support/exposition.js';
import { configFrom, scrapeWith } from '../support/scrape.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CORE_SECTIONS = ['healthcheck', 'endpoints', 'build_info', 'commands', 'license'];

describe('docs/metrics.md matches what the DocumentServer collectors export', () => {
  test('every documented metric is exported with exactly its documented labels, and nothing else', async () => {
    // 8.3 has every field (view limits, license end date, forgotten files); a public_url adds via="public".
    const ds = await startDsSimulator({ version: '8.3' });
    try {
      ds.setForgottenFiles(['k1']);
      const config = configFrom(`documentserver: { url: "${ds.url}", public_url: "${ds.url}" }`);
      const { samples, text } = await scrapeWith([healthcheck, endpoints, buildInfo, commands, license], config);
      const exported = exportedFamilies(samples, text);
      const documented = documentedMetrics().filter((m) => CORE_SECTIONS.includes(m.section));
      expect(documented.length).toBeGreaterThan(10);
      const exportedCore = new Map([...exported].filter(([name]) => !name.startsWith('onlyoffice_scrape_')));
      expect([...exportedCore.keys()].sort()).toEqual(documented.map((m) => m.name).sort());
      for (const metric of documented) {
        expect({ name: metric.name, labels: [...exportedCore.get(metric.name)!].sort() }).toEqual({
          name: metric.name,
          labels: [...metric.labels].sort(),
        });
      }
    } finally {
      await ds.stop();
    }
  });

  test('the scrape section matches /metrics and /probe of the real daemon', async () => {
    const ds = await startDsSimulator({ version: '7.5' });
    const dir = mkdtempSync(join(tmpdir(), 'ooe-doc-'));
    writeFileSync(join(dir, 'c.yml'), `documentserver: { url: "${ds.url}" }\nprobe: { targets: ["${ds.url}"] }\n`);
    const exporter = await startExporter([`--config.file=${join(dir, 'c.yml')}`]);
    try {
      const documented = documentedMetrics().filter((m) => m.section === 'scrape');
      const metricsText = await (await fetch(`${exporter.url}/metrics`)).text();
      const probeText = await (await fetch(`${exporter.url}/probe?target=${encodeURIComponent(ds.url)}`)).text();
      const fromMetrics = exportedFamilies(parseExposition(metricsText));
      const fromProbe = exportedFamilies(parseExposition(probeText));
      for (const metric of documented) {
        const source = metric.name.startsWith('probe_') ? fromProbe : fromMetrics;
        expect({ name: metric.name, labels: [...(source.get(metric.name) ?? ['<absent>'])].sort() }).toEqual({
          name: metric.name,
          labels: [...metric.labels].sort(),
        });
      }
      expect(fromMetrics.has('probe_duration_seconds')).toBe(false);
      expect(fromMetrics.has('probe_success')).toBe(false);
      expect(fromProbe.has('onlyoffice_exporter_config_last_reload_successful')).toBe(false);
    } finally {
      await exporter.stop();
      await ds.stop();
    }
  });
});
