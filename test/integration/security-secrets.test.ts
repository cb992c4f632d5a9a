import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBlackhole, type Blackhole } from '../support/blackhole.js';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, value } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { freePort } from '../support/ports.js';
import { startRedis, REDIS_PROGRAMS, type Redis } from '../support/redis.js';
import { DingTalkRobotEmulator, WeComRobotEmulator, webhookAlert, webhookPayload } from '../support/robots.js';
import { waitFor } from '../support/service-process.js';

// Every secret a configuration can hold, each written the way users write it (inline, URL, ${ENV}, *_file).
const SECRETS = {
  jwt: 'jwt-S3cret-4f8a9c0e',
  browserJwt: 'jwt-Br0wser-8d7c6b5a',
  dsUrlPassword: 'dsurl-Pa55-77e1',
  postgresPassword: 'pg-Pa55-1a2b3c',
  amqpDependencyPassword: 'amqp-Pa55-3c4d5e',
  amqpQueuesPassword: 'amqp-Pa55-5e6f7a',
  managementPassword: 'mgmt-Pa55-7a8b9c',
  redisPassword: 'redis-Pa55-9c0d1e',
  dingtalkToken: 'dt-access-token-11223344',
  dingtalkSecret: 'SECdt-secret-33445566',
  wecomKey: 'wecom-key-55667788',
  bearer: 'notify-bearer-token-77889900',
} as const;

const gate = requirePrograms(...REDIS_PROGRAMS);

gate.describe('secrets never reach logs, metrics, pages or error messages', () => {
  let ds: DsSimulator;
  let redis: Redis;
  let management: Blackhole;
  let dingtalk: DingTalkRobotEmulator;
  let wecom: WeComRobotEmulator;
  let exporter: ExporterProcess;
  let dir: string;
  let configPath: string;
  let config: string;
  /** Everything the exporter answered, route by route, for the final grep. */
  const seen: Array<[string, string]> = [];

  async function fetchText(path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
    const response = await fetch(`${exporter.url}${path}`, init);
    const text = await response.text();
    seen.push([
      `${init.method ?? 'GET'} ${path} (${response.status})`,
      `${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`,
    ]);
    return { status: response.status, text };
  }

  async function everyRoute(): Promise<void> {
    for (const path of [
      '/metrics',
      `/probe?target=${encodeURIComponent(ds.url)}`,
      '/',
      '/?lang=en',
      '/status.json',
      '/status.json?lang=en',
      '/-/healthy',
      '/-/ready',
    ]) {
      expect([path, (await fetchText(path)).status]).toEqual([path, 200]);
    }
  }

  beforeAll(async () => {
    ds = await startDsSimulator({ version: '8.3', jwtSecret: SECRETS.jwt, jwtBrowserSecret: SECRETS.browserJwt });
    redis = await startRedis({ password: SECRETS.redisPassword });
    management = await startBlackhole();
    dingtalk = await new DingTalkRobotEmulator({
      accessToken: SECRETS.dingtalkToken,
      secret: SECRETS.dingtalkSecret,
    }).start();
    wecom = await new WeComRobotEmulator({ key: SECRETS.wecomKey }).start();
    dir = mkdtempSync(join(tmpdir(), 'ooe-secrets-'));
    writeFileSync(join(dir, 'jwt'), `${SECRETS.jwt}\n`);
    writeFileSync(join(dir, 'mgmt'), SECRETS.managementPassword);
    const closed = await freePort();
    config = `
documentserver:
  url: "${ds.url}"
  public_url: "http://monitor:${SECRETS.dsUrlPassword}@127.0.0.1:${ds.port}"
  jwt: { secret_file: "${join(dir, 'jwt')}", browser_secret: "${SECRETS.browserJwt}" }
  timeout: 2s
probe:
  targets: ["${ds.url}"]
dependencies:
  postgresql: "postgresql://docs:${SECRETS.postgresPassword}@127.0.0.1:${closed}/onlyoffice"
  rabbitmq: "amqp://docs:${SECRETS.amqpDependencyPassword}@127.0.0.1:${closed}/docs"
  redis: "redis://:${SECRETS.redisPassword}@127.0.0.1:${redis.port}"
  timeout: 1s
rabbitmq:
  url: "amqp://docs:${SECRETS.amqpQueuesPassword}@127.0.0.1:${closed}"
  management_url: "${management.url}"
  username: monitor
  password_file: "${join(dir, 'mgmt')}"
  timeout: 1s
notify:
  auth: { bearer_token: "\${NOTIFY_TOKEN}" }
  dingtalk:
    ops: { url: "${dingtalk.url}", secret: "${SECRETS.dingtalkSecret}" }
  wecom:
    ops: { url: "${wecom.url}" }
  retry: { initial_backoff: 100ms, max_backoff: 200ms }
docker: { enabled: false }
disk: { paths: [] }
`;
    configPath = join(dir, 'config.yml');
    writeFileSync(configPath, config);
    exporter = await startExporter([`--config.file=${configPath}`, '--log.level=trace'], {
      NOTIFY_TOKEN: SECRETS.bearer,
    });
  });

  afterAll(async () => {
    await exporter?.stop();
    await Promise.all([ds?.stop(), redis?.close(), management?.stop(), dingtalk?.stop(), wecom?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('every route, with everything up that can be', async () => {
    await everyRoute();
    const metrics = parseExposition(seen[0]![1].slice(seen[0]![1].indexOf('\n# HELP') + 1));
    // The secrets did their job: DS accepted the JWT, Redis the password.
    expect(value(metrics, 'onlyoffice_command_error', { command: 'version', code: '0', reason: 'none' })).toBe(1);
    expect(value(metrics, 'onlyoffice_websocket_auth_up', { via: 'direct' })).toBe(1);
    expect(
      value(metrics, 'onlyoffice_dependency_up', { dependency: 'redis', address: `127.0.0.1:${redis.port}` }),
    ).toBe(1);
  });

  test('alert delivery to both robots, and a sender with a wrong token', async () => {
    const payload = JSON.stringify(webhookPayload([webhookAlert()]));
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.bearer}` };
    expect((await fetchText('/notify/dingtalk/ops', { method: 'POST', headers, body: payload })).status).toBe(200);
    expect((await fetchText('/notify/wecom/ops', { method: 'POST', headers, body: payload })).status).toBe(200);
    expect(
      (
        await fetchText('/notify/wecom/ops', {
          method: 'POST',
          headers: { ...headers, authorization: 'Bearer wrong-token-0000000000' },
          body: payload,
        })
      ).status,
    ).toBe(401);
    await waitFor('both robots to get the alert', 10_000, () =>
      dingtalk.delivered.length === 1 && wecom.delivered.length === 1 ? true : undefined,
    );
    // A robot that fails makes the exporter log and retry: the URL with its token must not be in those lines either.
    await dingtalk.setOutage('http500');
    expect(
      (
        await fetchText('/notify/dingtalk/ops', {
          method: 'POST',
          headers,
          body: JSON.stringify(
            webhookPayload([webhookAlert({ labels: { alertname: 'Second', severity: 'warning' } })]),
          ),
        })
      ).status,
    ).toBe(200);
    await waitFor('failed attempts', 10_000, () =>
      dingtalk.attempts.filter((a) => a.httpStatus === 500).length >= 2 ? true : undefined,
    );
    await dingtalk.setOutage(undefined);
    await fetchText('/metrics');
  });

  test('every route again with DocumentServer broken and Redis gone', async () => {
    ds.setFault('garbage');
    await redis.close();
    await everyRoute();
    ds.setFault('rabbitmq_down');
    await everyRoute();
  });

  test('a bad reload names the keys without echoing a secret', async () => {
    const broken = config
      .replace(
        `redis://:${SECRETS.redisPassword}@127.0.0.1:${redis.port}`,
        `redis://:${SECRETS.redisPassword}@127.0.0.1:99999`,
      )
      .replace(`amqp://docs:${SECRETS.amqpQueuesPassword}@`, `amqpx://docs:${SECRETS.amqpQueuesPassword}@`)
      .replace(dingtalk.url, dingtalk.url.replace('http://', 'ftp://'))
      .replace('bearer_token: "${NOTIFY_TOKEN}"', 'bearer_token: "${NOTIFY_TOKEN}", password: "x"')
      .replace(
        `secret: "${SECRETS.dingtalkSecret}"`,
        `secret: "${SECRETS.dingtalkSecret}", secrett: "${SECRETS.dingtalkSecret}"`,
      );
    writeFileSync(configPath, broken);
    const answer = await fetchText('/-/reload', { method: 'POST' });
    expect(answer.status).toBe(500);
    for (const key of [
      'dependencies.redis',
      'rabbitmq.url',
      'notify.dingtalk.ops.url',
      'notify.auth',
      'notify.dingtalk.ops.secrett: unknown key',
    ])
      expect(answer.text).toContain(key);
    writeFileSync(configPath, config);
    expect((await fetchText('/-/reload', { method: 'POST' })).status).toBe(200);
  });

  test('the grep: no secret in any answer or in the log', () => {
    expect(seen.length).toBeGreaterThan(25);
    const log = exporter.output();
    // The log is not empty of the things around the secrets: the targets and errors are there, only without credentials.
    expect(log).toContain(
      `"dependency":"redis","address":"127.0.0.1:${redis.port}","problem":"refused: connection refused"`,
    );
    expect(log).toContain('"channel":"dingtalk","robot":"ops","reason":"http 500"');
    expect(log).toContain('notify.dingtalk.ops.secrett: unknown key');
    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(SECRETS)) {
      for (const [route, text] of [...seen, ['log', log] as [string, string]]) {
        if (text.includes(secret))
          leaks.push(
            `${name} in ${route}: …${text.slice(Math.max(0, text.indexOf(secret) - 120), text.indexOf(secret) + secret.length + 40)}…`,
          );
      }
    }
    expect(leaks).toEqual([]);
  });
});
