import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { fleetOf } from '../../src/config/sections/probe.js';
import type { Diagnosis } from '../../src/doctor/model.js';
import { renderJson, renderText, summaryLine } from '../../src/doctor/render.js';
import { runDoctorTargets, TARGET_HOPS } from '../../src/doctor/run.js';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { configFrom } from '../support/scrape.js';
import { runDoctorCli } from '../support/doctor-cli.js';

const logger = pino({ level: 'silent' });
const SECRET = 'fleet-doctor-secret-9';
const verdicts = (d: Diagnosis) => Object.fromEntries(d.hops.map((h) => [h.id, h.verdict]));

describe('the doctor and the status page for any DocumentServer of the fleet', () => {
  let old: DsSimulator;
  let signed: DsSimulator;
  let dir: string;
  let configFile: string;
  let yaml: string;

  beforeAll(async () => {
    old = await startDsSimulator({ version: '7.1' });
    signed = await startDsSimulator({ version: '7.5', jwtSecret: SECRET });
    dir = mkdtempSync(join(tmpdir(), 'ooe-fleet-doctor-'));
    configFile = join(dir, 'config.yml');
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    yaml = `
documentserver: { url: "http://127.0.0.1:9", timeout: 5s }
probe:
  targets:
    - { url: "${old.url}", name: old }
    - { url: "${signed.url}", name: signed, jwt: { secret: ${SECRET} }, labels: { site: bj } }
    - { url: "http://127.0.0.1:9/dead", name: dead }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`;
    writeFileSync(configFile, yaml);
  });

  afterAll(async () => {
    await Promise.all([old?.stop(), signed?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('each target diagnosed with its own settings, on the hops /probe sees', async () => {
    const config = configFrom(yaml);
    const [a, b, c] = await runDoctorTargets(config, fleetOf(config).targets, logger, 10_000);
    expect(a!.hops.map((h) => h.id)).toEqual([...TARGET_HOPS]);
    expect(verdicts(a!)).toEqual({
      proxy: 'skipped',
      docservice: 'ok',
      healthcheck: 'ok',
      jwt: 'ok',
      certificates: 'skipped',
    });
    expect([a!.name, a!.target, a!.verdict]).toEqual(['old', old.url, 'ok']);
    expect(verdicts(b!)).toEqual({
      proxy: 'skipped',
      docservice: 'ok',
      healthcheck: 'ok',
      jwt: 'ok',
      certificates: 'skipped',
    });
    expect(b!.hops.find((h) => h.id === 'jwt')!.findings[0]!.params.signed).toBe(1);
    expect(b!.hops.find((h) => h.id === 'proxy')!.findings).toEqual([
      { code: 'not_configured', params: { key: 'probe.targets.1.public_url' } },
    ]);
    expect([c!.name, c!.verdict, verdicts(c!).docservice]).toEqual(['dead', 'fail', 'fail']);
    expect(renderText(b!, 'en')).toContain(`DocumentServer: signed ${signed.url}`);
    expect(summaryLine([a!, b!, c!], 'en')).toBe('Fleet: 3 DocumentServers: 2 OK, 1 FAIL -> FAIL (dead FAIL)');
    expect(summaryLine([a!, b!, c!], 'zh-CN')).toBe(
      '集群共 3 个 DocumentServer：故障 1 个，正常 2 个 → 故障（FAIL）；有问题的：dead（故障）',
    );
  });

  test("a target with the wrong secret or none: the JWT cause names that target's own jwt key", async () => {
    const other = await startDsSimulator({ version: '8.3', jwtSecret: SECRET });
    const config = configFrom(
      `probe: { targets: [ "${old.url}", { url: "${signed.url}", name: wrong, jwt: { secret: not-it } }, "${other.url}" ] }`,
    );
    const [, wrong, none] = await runDoctorTargets(config, fleetOf(config).targets, logger, 10_000).finally(() =>
      other.stop(),
    );
    expect(wrong!.causes.map((c) => [c.hop, c.id, c.params.jwt_key])).toEqual([
      ['jwt', 'jwt_mismatch', 'probe.targets.1.jwt'],
    ]);
    expect(renderJson(wrong!, 'en').causes[0]!.fix).toContain(
      "# make probe.targets.1.jwt.secret / header match it (and the integration's), then:",
    );
    expect(renderJson(none!, 'en').causes.map((c) => c.why)).toEqual([
      'CommandService answers error 6 (token): DS has JWT on (the default of the Docker image since 7.2, with a random secret) and the exporter has no probe.targets.2.jwt.secret.',
    ]);
  });

  test('npm run doctor -- --target NAME|URL, --all (worst exit code), and bad targets', async () => {
    const one = await runDoctorCli([`--config.file=${configFile}`, '--lang=en', '--target', 'signed']);
    expect([one.code, one.stderr]).toEqual([0, '']);
    expect(one.stdout).toContain(`DocumentServer: signed ${signed.url}`);
    expect(one.stdout).toContain('Verdict: [OK] OK\nEvery configured check passed.');

    const byUrl = await runDoctorCli([`--config.file=${configFile}`, '--format=json', `--target=${old.url}/`]);
    expect(byUrl.code).toBe(0);
    expect(JSON.parse(byUrl.stdout)).toMatchObject({ name: 'old', target: old.url, verdict: 'ok', exitCode: 0 });

    const all = await runDoctorCli([`--config.file=${configFile}`, '--lang=en', '--all']);
    expect(all.code).toBe(2);
    expect(all.stdout.trimEnd().split('\n').at(-1)).toBe('Fleet: 3 DocumentServers: 2 OK, 1 FAIL -> FAIL (dead FAIL)');
    expect(all.stdout.split('ONLYOFFICE Docs diagnosis')).toHaveLength(4);

    const json = await runDoctorCli([`--config.file=${configFile}`, '--format=json', '--all']);
    const parsed = JSON.parse(json.stdout) as {
      verdict: string;
      exitCode: number;
      counts: Record<string, number>;
      targets: { name: string; verdict: string }[];
    };
    expect([json.code, parsed.verdict, parsed.exitCode, parsed.counts]).toEqual([2, 'fail', 2, { ok: 2, fail: 1 }]);
    expect(parsed.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['old', 'ok'],
      ['signed', 'ok'],
      ['dead', 'fail'],
    ]);

    const unknown = await runDoctorCli([`--config.file=${configFile}`, '--target=nope']);
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([
      4,
      '',
      'doctor: --target nope is not in probe.targets (configured: old, signed, dead)\n',
    ]);
    const both = await runDoctorCli([`--config.file=${configFile}`, '--target=old', '--all']);
    expect([both.code, both.stderr.split('\n')[0]]).toEqual([4, 'doctor: give --target or --all, not both']);
  }, 120_000);

  test('the status page: a fleet index at /, each line linking to /?target=, which gives its diagnosis', async () => {
    const runtime = new Runtime(configFile, logger);
    await runtime.reload();
    const app = buildServer({ runtime, logger, timeoutOffsetMs: 500, enableRemoteReload: false });
    try {
      const index = await app.inject({ url: '/?lang=en' });
      expect(index.statusCode).toBe(200);
      const rows = [
        ...index.body.matchAll(/<tr data-target="([^"]+)" data-verdict="(\w+)">.*?<a href="([^"]+)">/g),
      ].map((m) => [m[1], m[2], m[3]]);
      expect(rows).toEqual([
        ['old', 'ok', '/?target=old&amp;lang=en'],
        ['signed', 'ok', '/?target=signed&amp;lang=en'],
        ['dead', 'fail', '/?target=dead&amp;lang=en'],
      ]);
      expect(index.body).toContain('<code>site=bj</code>');
      expect(index.body).toContain('<title>FAIL · ONLYOFFICE Docs status</title>');
      expect(index.body).toContain('<p class="banner fail" id="verdict">FAIL · DocumentServer fleet: 3</p>');
      // In zh-CN the badges are words, and times are in notify.timezone (Asia/Shanghai by default).
      const zh = (await app.inject({ url: '/?lang=zh-CN' })).body;
      expect(zh).toContain('<p class="banner fail" id="verdict">故障 · 集群共 3 个 DocumentServer</p>');
      expect(zh).toContain('<tr data-target="dead" data-verdict="fail"><td><span class="badge fail">故障</span></td>');
      expect(zh).toContain('<title>故障 · ONLYOFFICE Docs 状态</title>');
      expect((await app.inject({ url: '/?target=signed&lang=zh-CN' })).body).toMatch(
        /检查时间 <time datetime="[^"]+Z">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+08:00<\/time>（耗时 [\d.]+ 秒）/,
      );

      const page = await app.inject({ url: '/?target=signed&lang=en' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<p class="banner ok" id="verdict">OK · All is well</p>');
      expect(page.body).toContain(`DocumentServer <strong>signed</strong> <code>${signed.url}</code>`);
      expect(
        [...page.body.matchAll(/<tr data-hop="(\w+)" data-verdict="(\w+)">/g)].map((m) => `${m[1]}:${m[2]}`),
      ).toEqual(['proxy:skipped', 'docservice:ok', 'healthcheck:ok', 'jwt:ok', 'certificates:skipped']);
      expect(page.body).not.toContain(SECRET);
      // The language switch stays on this target; the way back leads to the fleet index.
      expect(page.body).toContain('<a href="/?target=signed&amp;lang=zh-CN" hreflang="zh-CN">中文</a>');
      expect(page.body).toContain('<a href="/?lang=en">← fleet overview</a>');

      const dead = await app.inject({ url: '/status.json?target=dead&lang=en' });
      expect(dead.json()).toMatchObject({ name: 'dead', verdict: 'fail', exitCode: 2 });
      expect((await app.inject({ url: '/?target=nope&lang=en' })).statusCode).toBe(404);
      expect((await app.inject({ url: '/status.json?target=nope' })).statusCode).toBe(404);
      // The local documentserver stays one link away.
      expect((await app.inject({ url: '/?local=1&lang=en' })).body).toContain(
        'DocumentServer <code>http://127.0.0.1:9</code>',
      );
    } finally {
      await app.close();
      await runtime.close();
    }
  }, 60_000);
});
