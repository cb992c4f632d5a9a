import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { CollectorDefinition, ScrapeContext } from '../../src/collectors/types.js';
import { emitValue, gaugeFamily } from '../../src/metrics/family.js';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';
import { find, parseExposition, value } from '../support/exposition.js';
import { configFrom, scrapeWith } from '../support/scrape.js';

const config = configFrom('');

function definition(name: string, collect: (ctx: ScrapeContext) => Promise<void>): CollectorDefinition {
  return { name, scopes: ['probe'], runs: 'scrape', create: () => ({ collect }) };
}
const healthcheck = (up: number) =>
  definition('healthcheck', async (ctx) => emitValue(ctx, gaugeFamily('onlyoffice_healthcheck_up', 'h'), up));
const ok = definition('tls_endpoints', async () => undefined);
const failing = definition('license', async () => {
  throw new Error('no answer');
});

describe("blackbox_exporter's probe_success on /probe", () => {
  test.each([
    ['/healthcheck true', 1, [healthcheck(1), failing]],
    ['/healthcheck false', 0, [healthcheck(0), ok]],
    ['no healthcheck in the module, every check finished', 1, [ok]],
    ['no healthcheck in the module, one check failed', 0, [ok, failing]],
  ] as const)('%s: probe_success %d', async (_, expected, definitions) => {
    const { samples } = await scrapeWith(definitions, config, { scope: 'probe' });
    expect(value(samples, 'probe_success')).toBe(expected);
    expect(find(samples, 'probe_duration_seconds')).toHaveLength(1);
  });

  test('not on /metrics', async () => {
    const { samples } = await scrapeWith([{ ...healthcheck(1), scopes: ['metrics'] }], config);
    expect(find(samples, 'probe_success')).toEqual([]);
  });
});

describe('the config reload gauges on /metrics', () => {
  test('1 with the time of the last good load; 0 after a refused reload, the time kept; 1 again after a good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-reload-'));
    const file = join(dir, 'config.yml');
    writeFileSync(file, 'docker: { enabled: false }\n');
    const runtime = new Runtime(file, pino({ level: 'silent' }), []);
    const app = buildServer({
      runtime,
      logger: pino({ level: 'silent' }),
      timeoutOffsetMs: 500,
      enableRemoteReload: false,
    });
    const scrape = async () => parseExposition((await app.inject({ url: '/metrics' })).body);
    try {
      await runtime.reload();
      const first = runtime.generation!.loadedAt.getTime() / 1000;
      let samples = await scrape();
      expect(value(samples, 'onlyoffice_exporter_config_last_reload_successful')).toBe(1);
      expect(value(samples, 'onlyoffice_exporter_config_last_reload_success_timestamp_seconds')).toBe(first);

      writeFileSync(file, 'docker: { enabld: false }\n');
      await expect(runtime.reload()).rejects.toThrow('docker.enabld: unknown key');
      samples = await scrape();
      expect(value(samples, 'onlyoffice_exporter_config_last_reload_successful')).toBe(0);
      expect(value(samples, 'onlyoffice_exporter_config_last_reload_success_timestamp_seconds')).toBe(first);

      writeFileSync(file, 'docker: { enabled: false }\n');
      await runtime.reload();
      samples = await scrape();
      expect(value(samples, 'onlyoffice_exporter_config_last_reload_successful')).toBe(1);
      expect(value(samples, 'onlyoffice_exporter_config_last_reload_success_timestamp_seconds')).toBe(
        runtime.generation!.loadedAt.getTime() / 1000,
      );
    } finally {
      await app.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('onlyoffice_target_info on /metrics', () => {
  test('names the DocumentServer (credentials redacted), since instance is the exporter there; not on /probe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-target-info-'));
    const file = join(dir, 'config.yml');
    writeFileSync(
      file,
      'documentserver: { url: "http://admin:pw@10.0.0.12:8000/", public_url: "https://docs.example.com/?token=abc" }\n' +
        'probe: { targets: ["http://127.0.0.1:1"] }\ndocker: { enabled: false }\n',
    );
    const runtime = new Runtime(file, pino({ level: 'silent' }), []);
    const app = buildServer({
      runtime,
      logger: pino({ level: 'silent' }),
      timeoutOffsetMs: 500,
      enableRemoteReload: false,
    });
    try {
      await runtime.reload();
      const metrics = parseExposition((await app.inject({ url: '/metrics' })).body);
      expect(find(metrics, 'onlyoffice_target_info')).toEqual([
        {
          name: 'onlyoffice_target_info',
          labels: { documentserver: 'http://10.0.0.12:8000', public_url: 'https://docs.example.com/?token=REDACTED' },
          value: 1,
        },
      ]);
      const probe = parseExposition((await app.inject({ url: '/probe?target=http://127.0.0.1:1' })).body);
      expect(find(probe, 'onlyoffice_target_info')).toEqual([]);
    } finally {
      await app.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
