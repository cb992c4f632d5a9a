import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExposition, value } from '../support/exposition.js';
import { freePort } from '../support/ports.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';

const dir = mkdtempSync(join(tmpdir(), 'ooe-limits-'));
const configPath = join(dir, 'config.yml');

describe('a pathological config on reload', () => {
  let exporter: ExporterProcess;
  let dsPort: number;

  beforeAll(async () => {
    dsPort = await freePort(); // nothing listens there
    writeFileSync(configPath, `documentserver: { url: "http://127.0.0.1:${dsPort}", timeout: 1s }\n`);
    exporter = await startExporter([`--config.file=${configPath}`]);
  });

  afterAll(async () => {
    await exporter?.stop();
  });

  async function reloadRefused(text: string, problem: string): Promise<void> {
    writeFileSync(configPath, text);
    // Asked together with the reload: answered, whatever the reload does.
    const [reload, healthy] = await Promise.all([
      fetch(`${exporter.url}/-/reload`, { method: 'POST' }),
      fetch(`${exporter.url}/-/healthy`),
    ]);
    expect(reload.status).toBe(500);
    expect(await reload.text()).toBe(`invalid configuration in ${configPath}:\n  - ${problem}\n`);
    expect(await healthy.text()).toBe('OK\n');
    // The running configuration is kept and the daemon answers scrapes.
    const metrics = await fetch(`${exporter.url}/metrics`);
    expect(metrics.status).toBe(200);
    const samples = parseExposition(await metrics.text());
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'healthcheck' })).toBe(1);
    expect(await (await fetch(`${exporter.url}/`)).text()).toContain(`http://127.0.0.1:${dsPort}`);
  }

  test('1 MiB of nested [[[...]]] is refused, naming the limit, and the daemon keeps answering', async () => {
    const half = (1024 * 1024 - 'a: '.length) / 2;
    await reloadRefused(
      `a: ${'['.repeat(Math.floor(half))}${']'.repeat(Math.floor(half))}`,
      'not accepted: YAML nested more than 32 levels deep (line 1)',
    );
  });

  test('25,000 robots are refused, naming the limit, and the daemon keeps answering', async () => {
    const lines = ['notify:', '  auth: { bearer_token: "0123456789abcdef0123" }', '  dingtalk:'];
    for (let n = 0; n < 25_000; n++) lines.push(`    r${n}: { url: "http://h/x" }`);
    await reloadRefused(lines.join('\n'), 'not accepted: more than 20000 lines; a configuration has a few hundred');
  });
});
