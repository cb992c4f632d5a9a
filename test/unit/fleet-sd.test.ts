import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';

const logger = pino({ level: 'silent' });

describe('GET /sd: probe.targets for Prometheus http_sd_configs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-fleet-sd-'));
  const path = join(dir, 'config.yml');
  const runtime = new Runtime(path, logger, []);
  const app = buildServer({ runtime, logger, timeoutOffsetMs: 500, enableRemoteReload: false });
  afterAll(async () => {
    await app.close();
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('503 before the configuration is loaded: Prometheus keeps what it had', async () => {
    const response = await app.inject({ url: '/sd' });
    expect([response.statusCode, response.body]).toEqual([503, 'not ready\n']);
  });

  test('one group per target, instance and __param_target its name (else its URL), its labels; no secret anywhere', async () => {
    writeFileSync(join(dir, 'secret'), 'FILE-SECRET-42\n');
    writeFileSync(
      path,
      `
documentserver: { jwt: { secret: LOCAL-SECRET-1 } }
probe:
  targets:
    - http://10.0.0.12:8000/
    - url: https://ds-user:URL-PASSWORD-7@docs-bj.example.com
      name: beijing
      public_url: https://docs.bj.example.com/
      jwt: { secret_file: ${join(dir, 'secret')} }
      labels: { site: bj, team: office }
    - { url: "http://other.internal", jwt: { secret: INLINE-SECRET-9 }, labels: { site: sh } }
`,
    );
    await runtime.reload();
    const response = await app.inject({ url: '/sd' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual([
      {
        targets: ['http://10.0.0.12:8000'],
        labels: {
          instance: 'http://10.0.0.12:8000',
          __param_target: 'http://10.0.0.12:8000',
          __meta_onlyoffice_target_url: 'http://10.0.0.12:8000',
        },
      },
      {
        targets: ['https://docs-bj.example.com'],
        labels: {
          site: 'bj',
          team: 'office',
          instance: 'beijing',
          __param_target: 'beijing',
          __meta_onlyoffice_target_url: 'https://docs-bj.example.com',
          __meta_onlyoffice_target_name: 'beijing',
          __meta_onlyoffice_target_public_url: 'https://docs.bj.example.com',
        },
      },
      {
        targets: ['http://other.internal'],
        labels: {
          site: 'sh',
          instance: 'http://other.internal',
          __param_target: 'http://other.internal',
          __meta_onlyoffice_target_url: 'http://other.internal',
        },
      },
    ]);
    for (const secret of ['LOCAL-SECRET-1', 'FILE-SECRET-42', 'URL-PASSWORD-7', 'INLINE-SECRET-9', 'ds-user'])
      expect(response.body).not.toContain(secret);
  });

  test('every __param_target /sd hands out is one /probe accepts', async () => {
    const groups = JSON.parse((await app.inject({ url: '/sd' })).body) as { labels: Record<string, string> }[];
    for (const { labels } of groups) {
      const response = await app.inject({
        url: `/probe?target=${encodeURIComponent(labels.__param_target!)}&module=healthcheck`,
      });
      // No collectors in this runtime: the answer is the probe's own lines, not a 400.
      expect(response.statusCode).toBe(200);
    }
  });

  test('no targets: an empty list', async () => {
    writeFileSync(path, 'probe: { targets: [] }\n');
    await runtime.reload();
    expect((await app.inject({ url: '/sd' })).body).toBe('[]');
  });
});
