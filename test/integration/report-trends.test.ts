import pino from 'pino';
import { trendLines } from '../../src/doctor/report.js';
import { queryTrends } from '../../src/doctor/trends.js';
import { createNotifier } from '../../src/notify/index.js';
import { sendReport } from '../../src/web/report.js';
import type { Diagnosis } from '../../src/doctor/model.js';
import { requirePrograms } from '../support/integration.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { WeComRobotEmulator } from '../support/robots.js';
import { configFrom } from '../support/scrape.js';

const { describe: withPrograms } = requirePrograms('prometheus', 'promtool');
const logger = pino({ level: 'silent' });
const DAY = 86_400;

/** A day and an hour of one exporter's history, one sample a minute, as OpenMetrics for promtool's backfill. */
function history(end: number): string {
  const base = 'instance="docs-1:9967",job="onlyoffice"';
  const times = Array.from({ length: 25 * 60 + 1 }, (_, i) => end - 25 * 3600 + i * 60);
  const series = (name: string, labels: string, value: (t: number) => number) =>
    times.map((t) => `${name}{${labels}} ${value(t)} ${t}`);
  // A test conversion every 5 minutes; three of them failed: two in a row ten hours ago, one two hours ago.
  const lastRun = (t: number) => t - (t % 300);
  const failedRuns = new Set([lastRun(end - 10 * 3600), lastRun(end - 10 * 3600) + 300, lastRun(end - 2 * 3600)]);
  return [
    '# TYPE onlyoffice_filesystem_avail_bytes gauge',
    // 50 GB free at the end, 2 GB less every day: 25 days left. The other one does not change.
    ...series(
      'onlyoffice_filesystem_avail_bytes',
      `${base},mountpoint="/var/lib/onlyoffice"`,
      (t) => 50e9 + (2e9 * (end - t)) / DAY,
    ),
    ...series('onlyoffice_filesystem_avail_bytes', `${base},mountpoint="/var/log/onlyoffice"`, () => 10e9),
    '# TYPE onlyoffice_connections gauge',
    ...series('onlyoffice_connections', `${base},mode="edit"`, (t) => (t === end - 6 * 3600 ? 85 : 10)),
    ...series('onlyoffice_connections', `${base},mode="view"`, () => 3),
    '# TYPE onlyoffice_license_connections_limit gauge',
    ...series('onlyoffice_license_connections_limit', `${base},mode="edit"`, () => 100),
    ...series('onlyoffice_license_connections_limit', `${base},mode="view"`, () => 0),
    '# TYPE onlyoffice_conversion_probe_last_run_timestamp_seconds gauge',
    ...series('onlyoffice_conversion_probe_last_run_timestamp_seconds', base, lastRun),
    '# TYPE onlyoffice_conversion_probe_success gauge',
    ...series('onlyoffice_conversion_probe_success', base, (t) => (failedRuns.has(lastRun(t)) ? 0 : 1)),
    '# EOF',
    '',
  ].join('\n');
}

withPrograms("the report's trends from Prometheus (notify.report.prometheus_url)", () => {
  let prometheus: PrometheusServer;
  // Minute-aligned, a little in the past: the history ends here.
  const end = Math.floor(Date.now() / 60_000) * 60 - 120;

  beforeAll(async () => {
    prometheus = await startPrometheus(
      'global: { scrape_interval: 1m }\nscrape_configs: []\n',
      {},
      { backfill: history(end) },
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  test('days until each filling filesystem is full, the peak of connections against the license, failed test conversions', async () => {
    const trends = await queryTrends(prometheus.url, 10_000, end * 1000);
    expect({
      ...trends,
      filling: trends.filling.map((f) => ({ ...f, days: Math.round(f.days * 1000) / 1000 })),
    }).toEqual({
      filling: [{ instance: 'docs-1:9967', mountpoint: '/var/lib/onlyoffice', days: 25 }],
      filesystems: 2,
      connections: [
        { instance: 'docs-1:9967', mode: 'edit', peak: 85, limit: 100 },
        { instance: 'docs-1:9967', mode: 'view', peak: 3 },
      ],
      conversions: [{ instance: 'docs-1:9967', failed: 3 }],
    });
    expect(trendLines(trends, 'en')).toEqual([
      '**Trends of the last 24 hours** (Prometheus)',
      '- Disk /var/lib/onlyoffice (docs-1:9967): full in about 25 days at this pace',
      '- Peak edit connections (docs-1:9967): 85 / 100 (85% of the license)',
      '- Peak view connections (docs-1:9967): 3',
      '- Failed test conversions (docs-1:9967): 3',
    ]);
    expect(trendLines(trends, 'zh-CN')).toEqual([
      '**过去 24 小时的趋势**（Prometheus）',
      '- 磁盘 /var/lib/onlyoffice（docs-1:9967）：按此速度约 25 天后写满',
      '- 编辑连接峰值（docs-1:9967）：85 / 100（许可证的 85%）',
      '- 查看连接峰值（docs-1:9967）：3',
      '- 失败的测试转换（docs-1:9967）：3',
    ]);
  });

  test('a day without trouble, and a Prometheus that does not answer', async () => {
    // Two days later nothing of the history is in the last day's window.
    const later = await queryTrends(prometheus.url, 10_000, (end + 2 * DAY) * 1000);
    expect(later).toEqual({ filling: [], filesystems: 0, connections: [], conversions: [] });
    expect(trendLines(later, 'en')).toEqual([
      '**Trends of the last 24 hours** (Prometheus)',
      '- Disk: no filesystem reported',
      '- Peak connections: no data',
      '- Failed test conversions: no test conversion configured (conversion_probe)',
    ]);
    const down = await queryTrends('http://127.0.0.1:9', 5_000);
    expect(down.error).toMatch(/^refused: /);
    expect(trendLines(down, 'en')).toEqual([
      '**Trends of the last 24 hours** (Prometheus)',
      `- Prometheus could not be queried: ${down.error}`,
    ]);
  });

  test('in the report delivered to a robot', async () => {
    const wecom = await new WeComRobotEmulator().start();
    const config = configFrom(`
notify:
  auth: { bearer_token: a-token-of-sixteen-chars }
  language: en
  wecom: { oncall: { url: "${wecom.url}" } }
  report: { schedule: "08:30", to: [wecom/oncall], prometheus_url: "${prometheus.url}" }
`);
    const notifier = createNotifier(config, logger)!;
    try {
      const diagnosis: Diagnosis = {
        verdict: 'ok',
        target: 'http://127.0.0.1:8000',
        checkedAt: new Date().toISOString(),
        seconds: 0.1,
        hops: [],
        causes: [],
      };
      expect(await sendReport({ config, notifier }, ['wecom/oncall'], diagnosis, undefined)).toEqual([
        { to: 'wecom/oncall', result: 'sent' },
      ]);
      const lines = wecom.delivered[0]!.text.split('\n');
      const from = lines.indexOf('**Trends of the last 24 hours** (Prometheus)');
      expect(from).toBeGreaterThan(0);
      // Asked now, a little after the history ends: the pace is the same, the days a hair fewer.
      expect(lines[from + 1]).toMatch(
        /^- Disk \/var\/lib\/onlyoffice \(docs-1:9967\): full in about 2[45](\.\d)? days at this pace$/,
      );
      expect(lines.slice(from + 2, from + 5)).toEqual([
        '- Peak edit connections (docs-1:9967): 85 / 100 (85% of the license)',
        '- Peak view connections (docs-1:9967): 3',
        '- Failed test conversions (docs-1:9967): 3',
      ]);
    } finally {
      await notifier.close();
      await wecom.stop();
    }
  });
});
