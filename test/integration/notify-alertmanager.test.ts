import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../src/config/load.js';
import { dingtalkSign } from '../../src/notify/channels.js';
import { createNotifier, notifyRoutes } from '../../src/notify/index.js';
import type { RobotNotifier } from '../../src/notify/notifier.js';
import { formatDuration, formatTime } from '../../src/notify/render.js';
import { loadTemplate } from '../../src/templates/load.js';
import { Runtime } from '../../src/runtime.js';
import { WebSecurity } from '../../src/security/web-server.js';
import { buildServer } from '../../src/server.js';
import { parseExposition, value } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/service-process.js';
import {
  busiestWindow,
  DingTalkRobotEmulator,
  exampleAlertmanagerConfig,
  shownAlerts,
  startAlertmanager,
  WeComRobotEmulator,
  type Alertmanager,
  type DeliveredMessage,
} from '../support/robots.js';

const { describe: describeWithAlertmanager } = requirePrograms('prometheus-alertmanager', 'amtool');

const TOKEN = 'integration-notify-token-0123456789';
const SECRET = 'SECintegration0123456789';
const RATE = { messages: 20, windowMs: 2000 };

/** Puts `app` on a free loopback port and starts the shipped Alertmanager routing pointed at it, with the token in `dir`. */
async function listenWithAlertmanager(
  app: FastifyInstance,
  dir: string,
): Promise<{ base: string; alertmanager: Alertmanager }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  return { base, alertmanager: await startAlertmanager(exampleAlertmanagerConfig(base, join(dir, 'token'))) };
}

requirePrograms('amtool').describe('alerts/alertmanager.yml', () => {
  test('passes amtool check-config', () => {
    const output = execFileSync(
      'amtool',
      ['check-config', new URL('../../alerts/alertmanager.yml', import.meta.url).pathname],
      { encoding: 'utf8' },
    );
    expect(output).toContain('SUCCESS');
    expect(output).toContain(' - 1 inhibit rules');
    expect(output).toContain(' - 2 receivers');
  });
});

describeWithAlertmanager(
  'a real Alertmanager delivering to emulated DingTalk and WeCom robots through the exporter',
  () => {
    const dingtalk = new DingTalkRobotEmulator({ secret: SECRET, keywords: ['告警'], rate: RATE, throttleMs: 10_000 });
    const wecom = new WeComRobotEmulator({ rate: RATE });
    let notifier: RobotNotifier;
    let app: FastifyInstance;
    let alertmanager: Alertmanager;
    let dir: string;

    beforeAll(async () => {
      await Promise.all([dingtalk.start(), wecom.start()]);
      notifier = createNotifier(
        parseConfig(
          `
notify:
  auth: { bearer_token: ${TOKEN} }
  language: zh-CN
  timezone: Asia/Shanghai
  rate_limit: { messages: ${RATE.messages}, window: ${RATE.windowMs}ms }
  retry: { initial_backoff: 100ms, max_backoff: 1s }
  dingtalk:
    ops: { url: "${dingtalk.url}", secret: ${SECRET}, keyword: 告警, mention: { mobiles: ["13800000000"] } }
  wecom:
    ops: { url: "${wecom.url}", mention: { user_ids: [zhangsan] } }
`,
          'test',
          {},
        ),
        pino({ level: 'silent' }),
      ) as RobotNotifier;
      app = Fastify({ logger: false });
      await app.register(notifyRoutes, { notifier: () => notifier });
      dir = mkdtempSync(join(tmpdir(), 'ooe-notify-am-'));
      ({ alertmanager } = await listenWithAlertmanager(app, dir));
    }, 60_000);

    afterAll(async () => {
      await alertmanager?.stop();
      await app?.close();
      await notifier?.close();
      await Promise.all([dingtalk.stop(), wecom.stop()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const shown = (messages: DeliveredMessage[]) =>
      messages.flatMap((message) =>
        shownAlerts(message.text).map((alert) => ({ ...alert, at: message.at, text: message.text })),
      );
    const statesOf = (messages: DeliveredMessage[], instance: string) =>
      shown(messages)
        .filter((alert) => alert.instance === instance)
        .map((alert) => alert.status);

    test('firing then resolved: critical to both robots, warnings to WeCom, Down inhibits warnings of its instance; signed, readable, in order', async () => {
      const startsAt = new Date(Date.now() - 90_000);
      const down = {
        labels: {
          alertname: 'OnlyofficeDocsDown',
          severity: 'critical',
          instance: 'docs-1.example.com:443',
          job: 'onlyoffice',
        },
        annotations: {
          summary: 'ONLYOFFICE Docs 不可用',
          description: '/healthcheck 连续 1 分钟未返回 true',
          runbook_url: 'https://runbooks.example.com/onlyoffice#docs-down',
        },
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=onlyoffice_healthcheck_up+%3D%3D+0',
        startsAt: startsAt.toISOString(),
      };
      const inhibited = {
        labels: { alertname: 'OnlyofficeDocsHealthcheckSlow', severity: 'warning', instance: 'docs-1.example.com:443' },
        annotations: { summary: 'DocumentServer 健康检查缓慢' },
        startsAt: startsAt.toISOString(),
      };
      const otherWarning = {
        labels: { alertname: 'OnlyofficeDocsHealthcheckSlow', severity: 'warning', instance: 'docs-2.example.com:443' },
        annotations: { summary: 'DocumentServer 健康检查缓慢' },
        startsAt: startsAt.toISOString(),
      };
      // The source of an inhibition first: Alertmanager inhibits only by alerts its inhibitor has already seen, and one
      // posted in the same batch as its targets can lose that race on a busy machine (prometheus/alertmanager#2229).
      await alertmanager.postAlerts([down]);
      await waitFor(
        'the critical on both robots',
        20_000,
        () =>
          (statesOf(dingtalk.delivered, 'docs-1.example.com:443').includes('firing') &&
            statesOf(wecom.delivered, 'docs-1.example.com:443').includes('firing')) ||
          undefined,
      );
      await alertmanager.postAlerts([inhibited, otherWarning]);
      await waitFor(
        "the other instance's warning on WeCom",
        20_000,
        () => statesOf(wecom.delivered, 'docs-2.example.com:443').includes('firing') || undefined,
      );
      // Two more group intervals: an uninhibited docs-1 warning would have arrived with the other one.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(
        wecom.delivered
          .filter((message) => message.text.includes('OnlyofficeDocsHealthcheckSlow'))
          .flatMap((message) => shownAlerts(message.text).map((alert) => alert.instance)),
      ).toEqual(['docs-2.example.com:443']);
      expect(statesOf(wecom.delivered, 'docs-1.example.com:443')).toEqual(['firing']);
      expect(statesOf(dingtalk.delivered, 'docs-2.example.com:443')).toEqual([]);

      const firing = dingtalk.delivered.find((message) => message.text.includes('OnlyofficeDocsDown'))!;
      expect(firing.title).toBe('告警 1 条：OnlyofficeDocsDown');
      const started = formatTime(Date.parse(down.startsAt), 'Asia/Shanghai');
      expect(firing.text).toBe(
        [
          '### 告警 1 条：OnlyofficeDocsDown',
          '<font color="#D93025">**🔥 告警 · 严重 · OnlyofficeDocsDown（1）**</font>',
          [
            '> **ONLYOFFICE Docs 不可用**',
            '> /healthcheck 连续 1 分钟未返回 true',
            '> 标签：instance=docs-1.example.com:443，job=onlyoffice',
            `> 开始：${started}`,
            `> [处理手册](https://runbooks.example.com/onlyoffice#docs-down) | [查看来源](${down.generatorURL}) | ` +
              `[静默](${alertmanager.url}/#/silences/new?filter=%7Balertname%3D%22OnlyofficeDocsDown%22%2Cinstance%3D%22docs-1.example.com%3A443%22%2Cjob%3D%22onlyoffice%22%2Cseverity%3D%22critical%22%7D)`,
          ].join('  \n'),
          '@13800000000',
        ].join('\n\n'),
      );
      expect(started).toMatch(/ UTC\+08:00$/);
      expect(firing.body.at).toEqual({ atMobiles: ['13800000000'], atUserIds: [], isAtAll: false });
      // The emulator checked the signature; check it once more here, and that it was URL-encoded on the way.
      expect(firing.query.get('sign')).toBe(dingtalkSign(SECRET, Number(firing.query.get('timestamp'))));
      expect(Math.abs(Number(firing.query.get('timestamp')) - firing.at)).toBeLessThan(5000);
      const wecomDown = wecom.delivered.find((message) => message.text.includes('OnlyofficeDocsDown'))!;
      expect(wecomDown.text.split('\n').slice(0, 4)).toEqual([
        '### 告警 1 条：OnlyofficeDocsDown',
        '',
        '<font color="warning">**🔥 告警 · 严重 · OnlyofficeDocsDown（1）**</font>',
        '',
      ]);
      expect(wecomDown.text.endsWith('\n\n<@zhangsan>')).toBe(true);

      const resolvedAt = new Date();
      await alertmanager.postAlerts([
        { ...down, endsAt: resolvedAt.toISOString() },
        { ...otherWarning, endsAt: resolvedAt.toISOString() },
      ]);
      await waitFor(
        'resolved messages',
        20_000,
        () =>
          (statesOf(dingtalk.delivered, 'docs-1.example.com:443').includes('resolved') &&
            statesOf(wecom.delivered, 'docs-1.example.com:443').includes('resolved') &&
            statesOf(wecom.delivered, 'docs-2.example.com:443').includes('resolved')) ||
          undefined,
      );
      expect(statesOf(dingtalk.delivered, 'docs-1.example.com:443')).toEqual(['firing', 'resolved']);
      expect(statesOf(wecom.delivered, 'docs-2.example.com:443')).toEqual(['firing', 'resolved']);
      const resolved = dingtalk.delivered.find((message) => message.text.includes('已恢复'))!;
      // The keyword 告警 is added (the robot's keyword security), no mention for a resolved-only message.
      expect(resolved.title).toBe('告警 恢复 1 条：OnlyofficeDocsDown');
      expect(resolved.text).toContain(
        `> 开始：${started}　结束：${formatTime(Date.parse(resolvedAt.toISOString()), 'Asia/Shanghai')}（持续 ${formatDuration(resolvedAt.getTime() - startsAt.getTime(), loadTemplate('default', 'zh-CN'))}）`,
      );
      expect(resolved.text).not.toContain('@13800000000');
      expect(resolved.body.at).toEqual({ atMobiles: [], atUserIds: [], isAtAll: false });

      // With Down resolved, the inhibited warning on docs-1 is no longer held back.
      await waitFor('the formerly inhibited warning', 20_000, () =>
        shown(wecom.delivered).find(
          (alert) =>
            alert.instance === 'docs-1.example.com:443' && alert.text.includes('OnlyofficeDocsHealthcheckSlow'),
        ),
      );
      expect(
        shown(wecom.delivered)
          .filter(
            (alert) =>
              alert.text.includes('OnlyofficeDocsHealthcheckSlow') && alert.instance === 'docs-1.example.com:443',
          )
          .every((alert) => alert.at >= resolvedAt.getTime()),
      ).toBe(true);
      expect([...dingtalk.attempts, ...wecom.attempts].filter((attempt) => attempt.errcode !== 0)).toEqual([]);
    }, 60_000);

    test('a burst of 200 critical alerts, firing then resolved: all delivered to both robots within 20 messages per 2 s, none lost', async () => {
      const before = { dingtalk: dingtalk.delivered.length, wecom: wecom.delivered.length };
      const instances = Array.from({ length: 200 }, (_, i) => `burst-${String(i).padStart(3, '0')}:443`);
      const startsAt = new Date(Date.now() - 60_000).toISOString();
      const alerts = instances.map((instance) => ({
        labels: { alertname: 'OnlyofficeDocsDocserviceDown', severity: 'critical', instance, job: 'onlyoffice' },
        annotations: { summary: 'docservice 无响应', description: `${instance} 的 docservice（8000 端口）拒绝连接` },
        startsAt,
      }));
      await alertmanager.postAlerts(alerts);
      const allIn = (messages: DeliveredMessage[], status: 'firing' | 'resolved') => {
        const seen = new Set(
          shown(messages)
            .filter((alert) => alert.status === status)
            .map((alert) => alert.instance),
        );
        return instances.every((instance) => seen.has(instance));
      };
      await waitFor(
        '200 firing alerts on both robots',
        60_000,
        () => (allIn(dingtalk.delivered, 'firing') && allIn(wecom.delivered, 'firing')) || undefined,
      );
      const endsAt = new Date().toISOString();
      await alertmanager.postAlerts(alerts.map((alert) => ({ ...alert, endsAt })));
      await waitFor(
        '200 resolved alerts on both robots',
        60_000,
        () => (allIn(dingtalk.delivered, 'resolved') && allIn(wecom.delivered, 'resolved')) || undefined,
      );

      for (const [robot, emulator, start] of [
        ['dingtalk', dingtalk, before.dingtalk],
        ['wecom', wecom, before.wecom],
      ] as const) {
        const messages = emulator.delivered.slice(start);
        // Each alert firing once, then resolved once (Alertmanager may repeat a group it had not finished; never out of order).
        for (const instance of instances) {
          const states = statesOf(messages, instance);
          expect({
            robot,
            instance,
            first: states[0],
            last: states.at(-1),
            resolvedBeforeFiring: states.indexOf('resolved') < states.lastIndexOf('firing'),
          }).toEqual({ robot, instance, first: 'firing', last: 'resolved', resolvedBeforeFiring: false });
        }
        expect(
          busiestWindow(
            emulator.delivered.map((message) => message.at),
            RATE.windowMs,
          ),
        ).toBeLessThanOrEqual(RATE.messages);
        // Packed: far fewer messages than the 400 alert states.
        expect(messages.length).toBeLessThan(200);
      }
      expect([...dingtalk.attempts, ...wecom.attempts].filter((attempt) => attempt.errcode !== 0)).toEqual([]);
      const registry = new Registry();
      notifier.collect(registry);
      const samples = parseExposition(await registry.metrics());
      for (const channel of ['dingtalk', 'wecom'] as const) {
        expect(value(samples, 'onlyoffice_notify_messages_total', { channel, robot: 'ops', result: 'sent' })).toBe(
          (channel === 'dingtalk' ? dingtalk : wecom).delivered.length,
        );
        expect(value(samples, 'onlyoffice_notify_queue_length', { channel, robot: 'ops' })).toBe(0);
        expect(
          value(samples, 'onlyoffice_notify_requests_total', { channel, robot: 'ops', code: '200' }),
        ).toBeGreaterThanOrEqual(200);
      }
    }, 120_000);
  },
);

describeWithAlertmanager(
  'the daemon with web basic auth (--web.config.file) and notify.auth both set, as alerts/alertmanager.yml expects',
  () => {
    const WEB_USER = { user: 'prometheus', password: 'scrape-Pa55-word' };
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const wecom = new WeComRobotEmulator({ rate: RATE });
    const dingtalk = new DingTalkRobotEmulator({ secret: SECRET, keywords: ['告警'], rate: RATE, throttleMs: 10_000 });
    const logger = pino({ level: 'silent' });
    let runtime: Runtime;
    let app: FastifyInstance;
    let alertmanager: Alertmanager;
    let dir: string;
    let base = '';

    beforeAll(async () => {
      await Promise.all([dingtalk.start(), wecom.start()]);
      dir = mkdtempSync(join(tmpdir(), 'ooe-notify-web-'));
      writeFileSync(
        join(dir, 'web.yml'),
        `basic_auth_users:\n  ${WEB_USER.user}: "${bcrypt.hashSync(WEB_USER.password, 4)}"\n`,
      );
      writeFileSync(
        join(dir, 'config.yml'),
        `
documentserver: { url: "http://127.0.0.1:${await freePort()}", timeout: 1s }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
notify:
  auth: { bearer_token: ${TOKEN} }
  rate_limit: { messages: ${RATE.messages}, window: ${RATE.windowMs}ms }
  retry: { initial_backoff: 100ms, max_backoff: 1s }
  dingtalk:
    ops: { url: "${dingtalk.url}", secret: ${SECRET}, keyword: 告警 }
  wecom:
    ops: { url: "${wecom.url}" }
`,
      );
      runtime = new Runtime(join(dir, 'config.yml'), logger);
      await runtime.reload();
      app = buildServer({
        runtime,
        logger,
        timeoutOffsetMs: 500,
        enableRemoteReload: false,
        web: WebSecurity.load(join(dir, 'web.yml')),
      });
      ({ base, alertmanager } = await listenWithAlertmanager(app, dir));
    }, 60_000);

    afterAll(async () => {
      await alertmanager?.stop();
      await app?.close();
      await runtime?.close();
      await Promise.all([dingtalk.stop(), wecom.stop()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const request = async (path: string, authorization: string | undefined, body?: unknown) => {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const method = body === undefined ? 'GET' : 'POST';
      const answer = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: answer.status, challenge: answer.headers.get('www-authenticate'), text: await answer.text() };
    };

    test("Alertmanager's webhooks with the bearer token are taken and delivered; wrong credentials get 401 and are counted", async () => {
      const startsAt = new Date(Date.now() - 60_000).toISOString();
      await alertmanager.postAlerts([
        {
          labels: {
            alertname: 'OnlyofficeDocsDown',
            severity: 'critical',
            instance: 'web-auth-1:443',
            job: 'onlyoffice',
          },
          annotations: { summary: 'ONLYOFFICE Docs 不可用' },
          startsAt,
        },
      ]);
      await waitFor(
        'the alert on both robots',
        30_000,
        () =>
          (shownAlerts(dingtalk.delivered.map((m) => m.text).join('\n')).some((a) => a.instance === 'web-auth-1:443') &&
            shownAlerts(wecom.delivered.map((m) => m.text).join('\n')).some((a) => a.instance === 'web-auth-1:443')) ||
          undefined,
      );

      const payload = {
        version: '4',
        status: 'firing',
        alerts: [{ status: 'firing', labels: { alertname: 'X' }, startsAt }],
      };
      // Neither a wrong token nor the web user's basic credentials stand in for notify.auth.
      expect(await request('/notify/wecom/ops', `Bearer ${TOKEN}-wrong`, payload)).toEqual({
        status: 401,
        challenge: 'Bearer realm="onlyoffice-exporter notify"',
        text: '{"status":"error","error":"missing or wrong credentials (notify.auth)"}',
      });
      expect((await request('/notify/wecom/ops', basic(WEB_USER.user, WEB_USER.password), payload)).status).toBe(401);
      expect((await request('/notify/wecom/ops', undefined, payload)).status).toBe(401);

      // Every other path still needs the web layer's basic auth; the notify token opens none of them.
      for (const path of ['/metrics', '/-/healthy', '/-/ready', '/status.json', '/nowhere']) {
        expect({ path, ...(await request(path, undefined)) }).toMatchObject({ path, status: 401, challenge: 'Basic' });
        expect({ path, status: (await request(path, `Bearer ${TOKEN}`)).status }).toEqual({ path, status: 401 });
      }
      const scrape = await request('/metrics', basic(WEB_USER.user, WEB_USER.password));
      expect(scrape.status).toBe(200);
      const samples = parseExposition(scrape.text);
      expect(value(samples, 'onlyoffice_notify_requests_total', { channel: 'wecom', robot: 'ops', code: '401' })).toBe(
        3,
      );
      expect(
        value(samples, 'onlyoffice_notify_requests_total', { channel: 'wecom', robot: 'ops', code: '200' }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        value(samples, 'onlyoffice_notify_requests_total', { channel: 'dingtalk', robot: 'ops', code: '200' }),
      ).toBeGreaterThanOrEqual(1);
      expect(alertmanager.log()).not.toMatch(/status code 401/);
    }, 90_000);
  },
);
