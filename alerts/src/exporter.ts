import type { Thresholds } from '../thresholds.js';
import { jobMatcher, jobsText, otherJob } from './common.js';
import { duration, enDuration, minutes, zhDuration, type AlertFile } from './model.js';

export const exporter = (t: Thresholds): AlertFile => {
  const a = t.availability;
  const [cf, ed, ea] = [minutes(a.collector_failing_for), minutes(a.exporter_down_for), minutes(a.exporter_absent_for)];
  const cr = minutes(a.config_reload_failed_for);
  return {
    file: 'exporter',
    header: [
      'The exporter itself: a collector that fails, an exporter Prometheus cannot scrape or does not scrape at all.',
      `Job names are expected to match ${t.job_regex} (job_regex of alerts/thresholds.yml; prometheus/prometheus.yml: onlyoffice, onlyoffice-probe).`,
    ],
    group: 'onlyoffice-docs.exporter',
    rules: [
      {
        alert: 'OnlyofficeDocsCollectorFailing',
        expr: 'onlyoffice_scrape_collector_success == 0',
        for: a.collector_failing_for,
        severity: 'warning',
        summary: '导出器的采集器失败',
        description: `{{ $labels.instance }} 上的采集器 {{ $labels.collector }} 已超过 ${zhDuration(a.collector_failing_for)}无法完成（出错或超过抓取期限），它的指标缺失。`,
        summary_en: 'An exporter collector is failing',
        description_en:
          'Collector {{ $labels.collector }} on {{ $labels.instance }} has not ' +
          `finished for more than ${enDuration(a.collector_failing_for)} (error or past the scrape deadline); ` +
          'its metrics are missing.',
      },
      {
        alert: 'OnlyofficeDocsExporterDown',
        expr: `up{${jobMatcher(t)}} == 0`,
        documentserver: false,
        for: a.exporter_down_for,
        severity: 'critical',
        summary: 'Prometheus 抓取不到 ONLYOFFICE 导出器',
        description: `Prometheus 已超过 ${zhDuration(a.exporter_down_for)}抓取不到 {{ $labels.job }} 的 {{ $labels.instance }}；在此期间不会有任何 ONLYOFFICE Docs 告警。`,
        summary_en: 'Prometheus cannot scrape the ONLYOFFICE exporter',
        description_en:
          `Prometheus has failed to scrape {{ $labels.instance }} of job {{ $labels.job }} for more than ${enDuration(a.exporter_down_for)}; ` +
          'no ONLYOFFICE Docs alert can fire meanwhile.',
      },
      {
        alert: 'OnlyofficeDocsExporterAbsent',
        expr: `absent(up{${jobMatcher(t)}})`,
        documentserver: false,
        for: a.exporter_absent_for,
        severity: 'critical',
        summary: 'Prometheus 没有抓取任何 ONLYOFFICE 导出器',
        description: `Prometheus 已超过 ${zhDuration(a.exporter_absent_for)}没有任何 ${jobsText(t).zh}的抓取目标，ONLYOFFICE Docs 没有被监控。`,
        summary_en: 'Prometheus scrapes no ONLYOFFICE exporter',
        description_en:
          `For more than ${enDuration(a.exporter_absent_for)} Prometheus has had no target in a job ${jobsText(t).en}: ` +
          'ONLYOFFICE Docs is not monitored.',
      },
      {
        alert: 'OnlyofficeDocsExporterConfigReloadFailed',
        expr: 'onlyoffice_exporter_config_last_reload_successful == 0',
        for: a.config_reload_failed_for,
        severity: 'warning',
        summary: '导出器拒绝了新的配置文件',
        description:
          '{{ $labels.instance }} 上的导出器最近一次加载配置文件失败，仍在使用之前的配置；配置文件中的修改没有生效。',
        summary_en: 'The exporter refused its new config file',
        description_en:
          'The last reload of the config file of the exporter on {{ $labels.instance }} failed; ' +
          'it keeps running the previous configuration, and the changes in the file have not taken effect.',
      },
    ],
    testHeader: ['promtool test rules alerts/tests/exporter.test.yml'],
    tests: [
      {
        name: `OnlyofficeDocsCollectorFailing after ${enDuration(a.collector_failing_for)} of success 0, per collector`,
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_scrape_collector_success{collector="license", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 1 0x${cf} 1 1`,
          },
          {
            series:
              'onlyoffice_scrape_collector_success{collector="healthcheck", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${cf + 3}`,
          },
        ],
        checks: [
          { at: duration(cf + 1), note: 'pending since 2m', alert: 'OnlyofficeDocsCollectorFailing', fires: [] },
          {
            at: duration(cf + 2),
            alert: 'OnlyofficeDocsCollectorFailing',
            fires: [
              {
                labels: { severity: 'warning', collector: 'license', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
          { at: duration(cf + 3), alert: 'OnlyofficeDocsCollectorFailing', fires: [] },
        ],
      },
      {
        name: "OnlyofficeDocsExporterDown for the exporter's jobs only",
        interval: '1m',
        series: [
          { series: `up{instance="https://docs.example.com", job="${t.test_job}"}`, values: `1 0x${ed + 1} 1` },
          { series: `up{instance="127.0.0.1:9100", job="${otherJob(t)}"}`, values: `0x${ed + 3}` },
        ],
        checks: [
          { at: duration(ed), note: 'pending since 1m', alert: 'OnlyofficeDocsExporterDown', fires: [] },
          {
            at: duration(ed + 1),
            alert: 'OnlyofficeDocsExporterDown',
            fires: [
              { labels: { severity: 'critical', instance: 'https://docs.example.com', job: t.test_job }, value: 0 },
            ],
          },
          { at: duration(ed + 3), alert: 'OnlyofficeDocsExporterDown', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsExporterAbsent when no onlyoffice job is scraped, until one is',
        interval: '1m',
        series: [
          { series: `up{instance="127.0.0.1:9100", job="${otherJob(t)}"}`, values: `1x${ea + 10}` },
          { series: `up{instance="127.0.0.1:9967", job="${t.test_job}"}`, values: `_x${ea + 4} 1x6` },
        ],
        checks: [
          { at: duration(ea - 1), note: 'pending since 0m', alert: 'OnlyofficeDocsExporterAbsent', fires: [] },
          {
            at: duration(ea),
            alert: 'OnlyofficeDocsExporterAbsent',
            fires: [{ labels: { severity: 'critical' }, value: 0 }],
          },
          { at: duration(ea + 5), alert: 'OnlyofficeDocsExporterAbsent', fires: [] },
        ],
      },
      {
        name: `OnlyofficeDocsExporterConfigReloadFailed after ${enDuration(a.config_reload_failed_for)} on a refused config, resolved by a good reload`,
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_exporter_config_last_reload_successful{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 1 0x${cr + 1} 1x3`,
          },
        ],
        checks: [
          {
            at: duration(cr + 1),
            note: 'pending since 2m',
            alert: 'OnlyofficeDocsExporterConfigReloadFailed',
            fires: [],
          },
          {
            at: duration(cr + 2),
            alert: 'OnlyofficeDocsExporterConfigReloadFailed',
            fires: [{ labels: { severity: 'warning', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 }],
          },
          { at: duration(cr + 4), alert: 'OnlyofficeDocsExporterConfigReloadFailed', fires: [] },
        ],
      },
    ],
  };
};
