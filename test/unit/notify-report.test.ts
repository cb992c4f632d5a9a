import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createNotifier } from '../../src/notify/index.js';
import type { RobotNotifier } from '../../src/notify/notifier.js';
import { DailySchedule, nextRun, type Clock } from '../../src/notify/schedule.js';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';
import { ReportService } from '../../src/web/report.js';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { DingTalkRobotEmulator, WeComRobotEmulator } from '../support/robots.js';
import { configFrom, configProblems } from '../support/scrape.js';
import { runDoctorCli } from '../support/doctor-cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const logger = pino({ level: 'silent' });
const TOKEN = 'a-token-of-sixteen-chars';
const SECRET = 'SEC-report-test-secret';

/** A clock the test moves: timers fire only when it is advanced past them. */
class FakeClock implements Clock {
  private nextId = 1;
  readonly timers = new Map<number, { fn: () => void; at: number; ms: number }>();
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { fn, at: this.time + ms, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** The delays of the timers armed now. */
  get pending(): number[] {
    return [...this.timers.values()].map((timer) => timer.ms);
  }
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.time && this.timers.has(id)) {
        this.timers.delete(id);
        timer.fn();
      }
    }
  }
}

const NOTIFY = `auth: { bearer_token: ${TOKEN} }, dingtalk: { ops: { url: "http://127.0.0.1:1/robot/send" } }`;

describe('notify.report configuration', () => {
  test('accepted with defaults from notify', () => {
    const config = configFrom(`notify: { ${NOTIFY}, report: { schedule: "08:30", to: [dingtalk/ops] } }`);
    expect(config.notify.report).toEqual({ schedule: '08:30', to: ['dingtalk/ops'] });
  });

  test("the README's report block loads as shown, with its robots configured", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /```yaml\n(notify:\n {2}report:\n[\s\S]*?)```/.exec(readme)![1]!;
    const robots =
      `  auth: { bearer_token: ${TOKEN} }\n  dingtalk: { ops: { url: "http://127.0.0.1:1/robot/send" } }\n` +
      `  wecom: { oncall: { url: "http://127.0.0.1:1/cgi-bin/webhook/send?key=k" } }\n`;
    const config = configFrom(block.replace('notify:\n', `notify:\n${robots}`));
    expect(config.notify.report).toEqual({
      schedule: '08:30',
      timezone: 'Asia/Shanghai',
      language: 'zh-CN',
      to: ['dingtalk/ops', 'wecom/oncall'],
    });
    expect(configProblems(block)).toEqual([
      'notify.report.to.0: dingtalk/ops is not a configured robot',
      'notify.report.to.1: wecom/oncall is not a configured robot',
    ]);
  });

  test('a schedule that is not HH:MM, a robot that is not configured: refused at load, the key named', () => {
    expect(
      configProblems(`notify: { ${NOTIFY}, report: { schedule: "8:30", to: [dingtalk/ops, wecom/oncall, ops] } }`),
    ).toEqual([
      'notify.report.schedule: must be a time of day HH:MM (24-hour), such as 08:30',
      'notify.report.to.2: must be dingtalk/<robot> or wecom/<robot>',
      'notify.report.to.1: wecom/oncall is not a configured robot',
    ]);
    expect(
      configProblems(
        `notify: { ${NOTIFY}, report: { schedule: "24:00", timezone: Mars/Olympus, language: fr, to: [] } }`,
      ),
    ).toEqual([
      'notify.report.schedule: must be a time of day HH:MM (24-hour), such as 08:30',
      'notify.report.timezone: "Mars/Olympus" is not an IANA time zone such as Asia/Shanghai or UTC',
      'notify.report.language: must be zh-CN or en',
      'notify.report.to: must name at least one robot',
    ]);
    expect(
      configProblems(
        `notify: { ${NOTIFY}, report: { schedule: "08:30", to: [dingtalk/ops], prometheus_url: "prometheus:9090" } }`,
      ),
    ).toEqual(['notify.report.prometheus_url: must be an http:// or https:// URL, not prometheus://']);
    expect(configProblems('notify: { report: { schedule: "08:30", to: [dingtalk/ops], at: 1 } }')).toEqual([
      'notify.report.at: unknown key',
      'notify.report.to.0: dingtalk/ops is not a configured robot',
    ]);
    expect(configProblems('notify: { report: { schedule: "08:30", to: [dingtalk/ops] } }')).toEqual([
      'notify.report.to.0: dingtalk/ops is not a configured robot',
    ]);
  });
});

describe('the next HH:MM in a time zone', () => {
  const at = (iso: string) => new Date(nextRun('08:30', 'Asia/Shanghai', Date.parse(iso))).toISOString();

  test('Asia/Shanghai (UTC+8, no DST): today before 08:30, tomorrow from 08:30 on', () => {
    expect(at('2026-12-07T00:29:59.999Z')).toBe('2026-12-07T00:30:00.000Z');
    expect(at('2026-12-07T00:30:00.000Z')).toBe('2026-12-08T00:30:00.000Z');
    // 23:00 UTC is already 07:00 of the next day in Shanghai.
    expect(at('2026-12-06T23:00:00.000Z')).toBe('2026-12-07T00:30:00.000Z');
    expect(at('2026-12-31T16:00:00.000Z')).toBe('2027-01-01T00:30:00.000Z');
  });

  test('a zone with DST: the same wall time across the change, a missing one shifted forward, a doubled one once', () => {
    const ny = (schedule: string, iso: string) =>
      new Date(nextRun(schedule, 'America/New_York', Date.parse(iso))).toISOString();
    // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT.
    expect(ny('08:30', '2026-03-07T13:30:00.000Z')).toBe('2026-03-08T12:30:00.000Z');
    expect(ny('02:30', '2026-03-08T05:00:00.000Z')).toBe('2026-03-08T07:30:00.000Z');
    // 2026-11-01: 01:30 happens twice (EDT, then EST); the first one, and the next run is the next day's.
    expect(ny('01:30', '2026-11-01T04:00:00.000Z')).toBe('2026-11-01T05:30:00.000Z');
    expect(ny('01:30', '2026-11-01T05:30:00.000Z')).toBe('2026-11-02T06:30:00.000Z');
    expect(new Date(nextRun('00:00', 'UTC', Date.parse('2026-12-07T12:00:00Z'))).toISOString()).toBe(
      '2026-12-08T00:00:00.000Z',
    );
  });
});

describe('the daily timer', () => {
  const plan = { schedule: '08:30', timeZone: 'Asia/Shanghai' };

  test('armed for the next run, re-armed after it and on a new plan, never twice for one day, cleared on close', () => {
    const clock = new FakeClock(Date.parse('2026-12-07T00:00:00Z'));
    const runs: string[] = [];
    const schedule = new DailySchedule((due) => runs.push(new Date(due).toISOString()), clock);
    schedule.set(plan);
    expect(clock.pending).toEqual([30 * 60_000]);
    clock.advance(30 * 60_000);
    expect(runs).toEqual(['2026-12-07T00:30:00.000Z']);
    expect(clock.pending).toEqual([24 * 3600_000]);
    // A reload right after the run (same plan): tomorrow, not a second run today.
    schedule.set(plan);
    expect(clock.pending).toEqual([24 * 3600_000]);
    // A timer that fires a second early waits for the rest instead of running.
    const early = new FakeClock(Date.parse('2026-12-07T00:29:00Z'));
    const earlyRuns: number[] = [];
    const other = new DailySchedule((due) => earlyRuns.push(due), early);
    other.set(plan);
    const [timer] = [...early.timers.values()];
    early.time = Date.parse('2026-12-07T00:29:59Z');
    early.timers.clear();
    timer!.fn();
    expect(earlyRuns).toEqual([]);
    expect(early.pending).toEqual([1000]);
    other.close();
    expect(early.pending).toEqual([]);
    // A new time of day: re-armed for it.
    schedule.set({ schedule: '09:00', timeZone: 'Asia/Shanghai' });
    expect(clock.pending).toEqual([30 * 60_000]);
    expect(new Date(schedule.nextAt!).toISOString()).toBe('2026-12-07T01:00:00.000Z');
    schedule.set(undefined);
    expect(clock.pending).toEqual([]);
    expect(schedule.nextAt).toBeUndefined();
    schedule.set(plan);
    schedule.close();
    expect(clock.pending).toEqual([]);
    schedule.set(plan);
    expect(clock.pending).toEqual([]);
    expect(runs).toEqual(['2026-12-07T00:30:00.000Z']);
  });
});

test('across a DST change the wait is 23 hours, and a reload during a run plans the next day', () => {
  // 2026-03-07 08:30 EST; the next 08:30 is EDT.
  const clock = new FakeClock(Date.parse('2026-03-07T13:30:00Z') - 1);
  const runs: string[] = [];
  const schedule = new DailySchedule((due) => {
    runs.push(new Date(due).toISOString());
    // The configuration reloaded while the report is being made.
    schedule.set({ schedule: '08:30', timeZone: 'America/New_York' });
  }, clock);
  schedule.set({ schedule: '08:30', timeZone: 'America/New_York' });
  clock.advance(1);
  expect(runs).toEqual(['2026-03-07T13:30:00.000Z']);
  expect(clock.pending).toEqual([23 * 3600_000]);
  clock.advance(23 * 3600_000);
  expect(runs).toEqual(['2026-03-07T13:30:00.000Z', '2026-03-08T12:30:00.000Z']);
  expect(clock.pending).toEqual([24 * 3600_000]);
  schedule.close();
});

function reportMetrics(notifier: RobotNotifier): Promise<string> {
  const registry = new Registry();
  notifier.collect(registry);
  return registry.metrics();
}

/** Lines of a message, without the time (it is the diagnosis' own). */
const linesOf = (text: string) => text.split('\n').filter((line) => !/^(检查时间|Checked at)/.test(line));

describe('the daily inspection report (notify.report)', () => {
  let ds: DsSimulator;
  let dingtalk: DingTalkRobotEmulator;
  let wecom: WeComRobotEmulator;
  let dir: string;

  beforeAll(async () => {
    ds = await startDsSimulator({ version: '8.3' });
    dingtalk = await new DingTalkRobotEmulator({ secret: SECRET, keywords: ['巡检'] }).start();
    wecom = await new WeComRobotEmulator().start();
    dir = mkdtempSync(join(tmpdir(), 'ooe-report-'));
  });

  afterAll(async () => {
    await Promise.all([ds?.stop(), dingtalk?.stop(), wecom?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    dingtalk.delivered.length = 0;
    dingtalk.attempts.length = 0;
    wecom.delivered.length = 0;
    wecom.attempts.length = 0;
    await wecom.setOutage(undefined);
  });

  const yaml = (documentserver: string, schedule = '08:30') => `
documentserver: { url: "${documentserver}", timeout: 5s }
probe:
  targets:
    - { url: "${ds.url}", name: docs-a }
    - { url: "http://127.0.0.1:9/dead", name: docs-dead }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
notify:
  auth: { bearer_token: ${TOKEN} }
  retry: { initial_backoff: 100ms, max_backoff: 200ms }
  dingtalk:
    ops: { url: "${dingtalk.url}", secret: ${SECRET}, keyword: 巡检 }
  wecom:
    oncall: { url: "${wecom.url}", language: en }
  report: { schedule: "${schedule}", timezone: Asia/Shanghai, to: [dingtalk/ops, wecom/oncall] }
`;

  async function daemon(documentserver: string, at: string) {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, yaml(documentserver));
    const runtime = new Runtime(file, logger);
    await runtime.reload();
    const clock = new FakeClock(Date.parse(at));
    const service = new ReportService(runtime, logger, clock);
    return {
      file,
      runtime,
      clock,
      service,
      close: async () => {
        service.close();
        await runtime.close();
      },
    };
  }

  test('on schedule: one signed message per robot, the verdict first, what is fine, the fleet; a reload does not send again', async () => {
    // 08:29 in Shanghai.
    const d = await daemon(ds.url, '2026-12-07T00:29:00Z');
    try {
      expect(d.clock.pending).toEqual([60_000]);
      d.clock.advance(59_999);
      expect(d.service.last).toBeUndefined();
      d.clock.advance(1);
      expect(await d.service.last!).toEqual([
        { to: 'dingtalk/ops', result: 'sent' },
        { to: 'wecom/oncall', result: 'sent' },
      ]);
      expect(dingtalk.delivered).toHaveLength(1);
      expect(wecom.delivered).toHaveLength(1);
      const [ding] = dingtalk.delivered;
      // The emulator checked the signature; the request carried it.
      expect([ding!.query.has('timestamp'), ding!.query.has('sign')]).toEqual([true, true]);
      expect(ding!.title).toBe('ONLYOFFICE Docs 每日巡检：❌ 故障');
      expect(linesOf(ding!.text)).toEqual([
        '### ONLYOFFICE Docs 每日巡检：❌ 故障',
        '',
        '**结论：❌ 故障（FAIL）**  ',
        `DocumentServer：${ds.url} ✅ 正常`,
        '',
        '✅ 正常：docservice、健康检查 /healthcheck、CommandService 与 JWT、协同编辑通道（WebSocket）',
        '',
        '**集群共 2 个 DocumentServer**：故障 1 个，正常 1 个  ',
        '- ❌ docs-dead：故障（docservice 没有在监听）  ',
        '- ✅ docs-a：正常',
      ]);
      expect(ding!.text).toMatch(/\n检查时间：2\d{3}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+08:00 {2}\n/);
      expect(linesOf(wecom.delivered[0]!.text)).toEqual([
        '### ONLYOFFICE Docs daily inspection: ❌ failure',
        '',
        '**Verdict: ❌ failure (FAIL)**',
        `DocumentServer: ${ds.url} ✅ OK`,
        '',
        '✅ Fine: docservice, Health check /healthcheck, CommandService and JWT, Co-editing channel (WebSocket)',
        '',
        '**Fleet of 2 DocumentServers**: 1 failure, 1 OK',
        '- ❌ docs-dead: failure (docservice is not listening)',
        '- ✅ docs-a: OK',
      ]);
      // Re-armed for tomorrow; a reload keeps it there and sends nothing.
      expect(new Date(d.service.nextAt!).toISOString()).toBe('2026-12-08T00:30:00.000Z');
      await d.runtime.reload();
      expect(d.clock.pending).toEqual([24 * 3600_000]);
      expect(new Date(d.service.nextAt!).toISOString()).toBe('2026-12-08T00:30:00.000Z');
      // A reload with another time re-arms for it.
      writeFileSync(d.file, yaml(ds.url, '09:15'));
      await d.runtime.reload();
      expect(new Date(d.service.nextAt!).toISOString()).toBe('2026-12-07T01:15:00.000Z');
      expect(d.clock.pending).toEqual([45 * 60_000]);
      expect([dingtalk.delivered.length, wecom.delivered.length]).toEqual([1, 1]);
      const metrics = await reportMetrics(d.runtime.generation!.notifier as RobotNotifier);
      // Counters start at 0 with each configuration.
      expect(metrics).toContain('onlyoffice_notify_reports_total{channel="dingtalk",robot="ops",result="sent"} 0');
    } finally {
      await d.close();
    }
  });

  test('each failing hop with its cause and the first fix command', async () => {
    const d = await daemon('http://127.0.0.1:9', '2026-12-07T00:29:00Z');
    try {
      d.clock.advance(60_000);
      expect(await d.service.last!).toEqual([
        { to: 'dingtalk/ops', result: 'sent' },
        { to: 'wecom/oncall', result: 'sent' },
      ]);
      expect(linesOf(wecom.delivered[0]!.text)).toEqual([
        '### ONLYOFFICE Docs daily inspection: ❌ failure',
        '',
        '**Verdict: ❌ failure (FAIL)**',
        'DocumentServer: http://127.0.0.1:9 ❌ failure',
        '',
        '- ❌ **docservice**: docservice is not listening',
        '  Fix: `systemctl status ds-docservice` — host install (deb/rpm packages; systemd units from 7.3)',
        '- ❌ **Health check /healthcheck**: because docservice is down',
        '- ❔ **CommandService and JWT**: because docservice is down',
        '- ❔ **Co-editing channel (WebSocket)**: because docservice is down',
        '',
        '**Fleet of 2 DocumentServers**: 1 failure, 1 OK',
        '- ❌ docs-dead: failure (docservice is not listening)',
        '- ✅ docs-a: OK',
      ]);
      expect(dingtalk.delivered[0]!.text).toContain(
        '- ❌ **docservice**：docservice 没有在监听  \n' +
          '  处理：`systemctl status ds-docservice`' +
          ' — 主机安装（deb/rpm 软件包，7.3 起为 systemd 服务）\n',
      );
    } finally {
      await d.close();
    }
  });

  test('a robot that fails: the report is retried with backoff until it is taken, and counted', async () => {
    const d = await daemon(ds.url, '2026-12-07T00:29:00Z');
    try {
      await wecom.setOutage('http500');
      d.clock.advance(60_000);
      const last = d.service.last!;
      for (let i = 0; i < 600 && wecom.attempts.length < 2; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await wecom.setOutage(undefined);
      expect(await last).toEqual([
        { to: 'dingtalk/ops', result: 'sent' },
        { to: 'wecom/oncall', result: 'sent' },
      ]);
      const failed = wecom.attempts.filter((attempt) => attempt.httpStatus === 500).length;
      expect(failed).toBeGreaterThanOrEqual(2);
      expect(wecom.delivered).toHaveLength(1);
      const metrics = await reportMetrics(d.runtime.generation!.notifier as RobotNotifier);
      expect(metrics).toContain(
        `onlyoffice_notify_reports_total{channel="wecom",robot="oncall",result="retried"} ${failed}`,
      );
      expect(metrics).toContain('onlyoffice_notify_reports_total{channel="wecom",robot="oncall",result="sent"} 1');
      expect(metrics).toContain('onlyoffice_notify_reports_total{channel="wecom",robot="oncall",result="dropped"} 0');
      expect(metrics).toContain('onlyoffice_notify_reports_total{channel="dingtalk",robot="ops",result="sent"} 1');
      expect(metrics).toContain('onlyoffice_notify_reports_total{channel="dingtalk",robot="ops",result="retried"} 0');
      // A report is a message too.
      expect(metrics).toContain(
        `onlyoffice_notify_messages_total{channel="wecom",robot="oncall",result="retried"} ${failed}`,
      );
    } finally {
      await d.close();
    }
  });
});

describe("the daemon's timer", () => {
  test('armed when the server is built and on each reload, from the loaded schedule; cleared when the server closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-report-daemon-'));
    const file = join(dir, 'config.yml');
    const config = (schedule: string) => `
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
notify:
  auth: { bearer_token: ${TOKEN} }
  timezone: America/New_York
  dingtalk: { ops: { url: "http://127.0.0.1:9/robot/send" } }
  report: { schedule: "${schedule}", to: [dingtalk/ops] }
`;
    const lines: { msg: string; next?: string; to?: string[] }[] = [];
    const captured = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) },
    );
    writeFileSync(file, config('08:30'));
    const runtime = new Runtime(file, captured);
    await runtime.reload();
    const app = buildServer({ runtime, logger: captured, timeoutOffsetMs: 500, enableRemoteReload: false });
    try {
      const scheduled = () => lines.filter((line) => line.msg === 'daily report scheduled');
      const before = Date.now();
      expect(scheduled()).toHaveLength(1);
      expect(scheduled()[0]!.to).toEqual(['dingtalk/ops']);
      // The time zone defaults to notify.timezone.
      const expected = (schedule: string) =>
        [nextRun(schedule, 'America/New_York', before - 60_000), nextRun(schedule, 'America/New_York', Date.now())].map(
          (ms) => new Date(ms).toISOString(),
        );
      expect(expected('08:30')).toContain(scheduled()[0]!.next);
      writeFileSync(file, config('21:05'));
      await runtime.reload();
      expect(scheduled()).toHaveLength(2);
      expect(expected('21:05')).toContain(scheduled()[1]!.next);
    } finally {
      await app.close();
    }
    // Closed: a reload arms nothing.
    await runtime.reload();
    expect(lines.filter((line) => line.msg === 'daily report scheduled')).toHaveLength(2);
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a report a robot refuses', () => {
  test('kept and retried with backoff, counted as rejected; a newer report replaces it (dropped); a closing robot hands it on', async () => {
    const robot = await new DingTalkRobotEmulator({ secret: SECRET }).start();
    const yaml = `
notify:
  auth: { bearer_token: ${TOKEN} }
  retry: { initial_backoff: 100ms, max_backoff: 200ms }
  dingtalk: { ops: { url: "${robot.url}", secret: wrong-secret } }
`;
    const notifier = createNotifier(configFrom(yaml), logger)!;
    let successor: RobotNotifier | undefined;
    try {
      const content = (title: string) => ({
        title,
        head: ['**Verdict: ✅ OK (OK)**'],
        items: [],
        fleet: [],
        omitted: (n: number) => `${n}`,
      });
      const first = notifier.sendReport('dingtalk', 'ops', content('first'))!;
      for (let i = 0; i < 600 && robot.attempts.length < 2; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const second = notifier.sendReport('dingtalk', 'ops', content('second'))!;
      expect(await first).toBe('dropped');
      for (let i = 0; i < 600 && robot.attempts.length < 3; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await notifier.close();
      expect(await second).toBe('closed');
      expect(robot.delivered).toEqual([]);
      expect(new Set(robot.attempts.map((attempt) => `${attempt.errcode} ${attempt.errmsg}`))).toEqual(
        new Set(['310000 sign not match']),
      );
      const metrics = await reportMetrics(notifier);
      expect(metrics).toContain(
        `onlyoffice_notify_reports_total{channel="dingtalk",robot="ops",result="rejected"} ${robot.attempts.length}`,
      );
      expect(metrics).toContain('onlyoffice_notify_reports_total{channel="dingtalk",robot="ops",result="dropped"} 1');
      expect(metrics).toContain('onlyoffice_notify_reports_total{channel="dingtalk",robot="ops",result="sent"} 0');
      // The configuration reloaded with the right secret: the undelivered report goes out, once.
      successor = createNotifier(configFrom(yaml.replace('wrong-secret', SECRET)), logger)!;
      for (let i = 0; i < 600 && robot.delivered.length < 1; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(robot.delivered.map((message) => message.title)).toEqual(['second']);
    } finally {
      await notifier.close();
      await successor?.close();
      await robot.stop();
    }
  });
});

describe('a report larger than a message', () => {
  let dingtalk: DingTalkRobotEmulator;
  let wecom: WeComRobotEmulator;
  let notifier: RobotNotifier;

  beforeAll(async () => {
    dingtalk = await new DingTalkRobotEmulator({ secret: SECRET, keywords: ['巡检'] }).start();
    wecom = await new WeComRobotEmulator().start();
    notifier = createNotifier(
      configFrom(`
notify:
  auth: { bearer_token: ${TOKEN} }
  dingtalk: { big: { url: "${dingtalk.url}", secret: ${SECRET}, keyword: 巡检, language: en } }
  wecom: { big: { url: "${wecom.url}" } }
`),
      logger,
    )!;
  });

  afterAll(async () => {
    await notifier?.close();
    await Promise.all([dingtalk?.stop(), wecom?.stop()]);
  });

  test("keeps the verdict and drops fleet rows from the end, saying how many, under each robot's limit", async () => {
    const rows = Array.from(
      { length: 1000 },
      (_, i) => `- ❌ docs-${String(i).padStart(4, '0')}: failure (docservice is not listening)`,
    );
    const content = {
      title: 'ONLYOFFICE Docs daily inspection: ❌ failure',
      head: ['**Verdict: ❌ failure (FAIL)**'],
      items: ['- ❌ **docservice**: docservice is not listening'],
      fleetHeader: '**Fleet of 1000 DocumentServers**: 1000 failures',
      fleet: rows,
      omitted: (count: number) => `… ${count} more not shown`,
    };
    expect(await notifier.sendReport('wecom', 'big', content)).toBe('sent');
    expect(await notifier.sendReport('dingtalk', 'big', content)).toBe('sent');
    const shown = (text: string) => text.split('\n').filter((line) => line.startsWith('- ❌ docs-')).length;
    const w = wecom.delivered[0]!;
    expect(Buffer.byteLength(w.text)).toBeLessThanOrEqual(4096);
    expect(
      w.text.startsWith(
        '### ONLYOFFICE Docs daily inspection: ❌ failure\n\n**Verdict: ❌ failure (FAIL)**\n\n- ❌ **docservice**',
      ),
    ).toBe(true);
    expect(w.text.endsWith(`\n\n… ${1000 - shown(w.text)} more not shown`)).toBe(true);
    // One row more would not have fitted.
    expect(Buffer.byteLength(w.text) + Buffer.byteLength(`\n${rows[shown(w.text)]!}`)).toBeGreaterThan(4096 - 10);
    const d = dingtalk.delivered[0]!;
    expect(d.bytes).toBeLessThanOrEqual(20_000);
    expect(d.title).toBe('巡检 ONLYOFFICE Docs daily inspection: ❌ failure');
    expect(shown(d.text)).toBeGreaterThan(shown(w.text));
    expect(d.text.endsWith(`\n\n… ${1000 - shown(d.text)} more not shown`)).toBe(true);
    expect(notifier.sendReport('wecom', 'nobody', content)).toBeUndefined();
  });
});

describe('npm run doctor -- --notify', () => {
  let ds: DsSimulator;
  let dingtalk: DingTalkRobotEmulator;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    ds = await startDsSimulator({ version: '8.3' });
    dingtalk = await new DingTalkRobotEmulator({ secret: SECRET }).start();
    dir = mkdtempSync(join(tmpdir(), 'ooe-report-cli-'));
    configFile = join(dir, 'config.yml');
    writeFileSync(
      configFile,
      `
documentserver: { url: "${ds.url}", timeout: 5s }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
notify:
  auth: { bearer_token: ${TOKEN} }
  language: en
  dingtalk:
    ops: { url: "${dingtalk.url}", secret: ${SECRET} }
    down: { url: "http://127.0.0.1:9/robot/send", secret: ${SECRET} }
`,
    );
  });

  afterAll(async () => {
    await Promise.all([ds?.stop(), dingtalk?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("sends the report now, signed; the exit code is the verdict's", async () => {
    const result = await runDoctorCli([`--config.file=${configFile}`, '--notify', 'dingtalk/ops', '--lang=en']);
    expect(result.stderr).toBe('doctor: report sent to dingtalk/ops\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Verdict: [OK] OK');
    expect(dingtalk.delivered).toHaveLength(1);
    expect(dingtalk.delivered[0]!.title).toBe('ONLYOFFICE Docs daily inspection: ✅ OK');
    expect(dingtalk.delivered[0]!.query.has('sign')).toBe(true);
  });

  test("with probe.targets the report covers the fleet, and the exit code is the fleet's worst verdict", async () => {
    const fleetFile = join(dir, 'fleet.yml');
    const targets = `[{ url: "${ds.url}", name: docs-a }, { url: "http://127.0.0.1:9/dead", name: docs-dead }]`;
    writeFileSync(fleetFile, `${readFileSync(configFile, 'utf8')}\nprobe: { targets: ${targets} }\n`);
    dingtalk.delivered.length = 0;
    const result = await runDoctorCli([`--config.file=${fleetFile}`, '--notify=dingtalk/ops']);
    expect([result.code, result.stderr]).toEqual([2, 'doctor: report sent to dingtalk/ops\n']);
    // stdout is the documentserver's own report, as without --notify.
    expect(result.stdout).toContain('结论：正常（OK）');
    const text = dingtalk.delivered[0]!.text;
    expect(text.split('\n').slice(0, 3)).toEqual([
      '### ONLYOFFICE Docs daily inspection: ❌ failure',
      '',
      '**Verdict: ❌ failure (FAIL)**  ',
    ]);
    expect(text).toContain(`DocumentServer: ${ds.url} ✅ OK\n`);
    expect(
      text.endsWith(
        '**Fleet of 2 DocumentServers**: 1 failure, 1 OK  \n- ❌ docs-dead: failure (docservice is not listening)  \n- ✅ docs-a: OK',
      ),
    ).toBe(true);
  });

  test('an unknown robot: a clear error and exit code 4, nothing sent; an undeliverable report: exit code 5', async () => {
    const unknown = await runDoctorCli([`--config.file=${configFile}`, '--notify', 'wecom/oncall']);
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([
      4,
      '',
      'doctor: --notify wecom/oncall: not a configured robot of the notify section (configured: dingtalk/ops, dingtalk/down)\n',
    ]);
    const malformed = await runDoctorCli([`--config.file=${configFile}`, '--notify', 'ops']);
    expect(malformed.code).toBe(4);
    expect(malformed.stderr.split('\n')[0]).toBe(
      'doctor: --notify needs a robot as dingtalk/NAME or wecom/NAME, not "ops"',
    );
    const down = await runDoctorCli([`--config.file=${configFile}`, '--notify', 'dingtalk/down', '--timeout=3s']);
    expect(down.code).toBe(5);
    expect(down.stderr).toBe(
      'doctor: report to dingtalk/down failed: not delivered within --timeout (3 s); see the log lines above (--log.level=warn)\n',
    );
  });
});
