import type { Thresholds } from '../thresholds.js';
import { num } from './common.js';
import { duration, enDuration, minutes, zhDuration, type AlertFile, type TestGroup } from './model.js';

const q = (vhost: string, queue: string) =>
  `onlyoffice_rabbitmq_queue_messages_ready{vhost="${vhost}", queue="${queue}", instance="127.0.0.1:9967", job="onlyoffice"}`;

/** Above the threshold for the `for:` duration and a little more, then drained; at the threshold exactly stays quiet. */
function backlogTest(t: Thresholds): TestGroup {
  const n = t.conversions.backlog_waiting;
  const f = minutes(t.conversions.backlog_for);
  return {
    name: `OnlyofficeDocsConversionBacklog above ${n} waiting for ${t.conversions.backlog_for}; ${n} exactly, or dead letters, do not count`,
    interval: '1m',
    series: [
      { series: q('/', 'ds.converttask6'), values: `0 ${n + 5}x${f + 3} 0x5` },
      { series: q('ds75', 'ds.converttask'), values: `${n}x${f + 9}` },
      { series: q('/', 'ds.convertdead'), values: `${n + 100}x${f + 9}` },
    ],
    checks: [
      { at: duration(f), note: 'pending since 1m', alert: 'OnlyofficeDocsConversionBacklog', fires: [] },
      {
        at: duration(f + 2),
        alert: 'OnlyofficeDocsConversionBacklog',
        fires: [
          {
            labels: {
              severity: 'warning',
              vhost: '/',
              queue: 'ds.converttask6',
              instance: '127.0.0.1:9967',
              job: 'onlyoffice',
            },
            value: n + 5,
          },
        ],
      },
      { at: duration(f + 6), note: 'drained', alert: 'OnlyofficeDocsConversionBacklog', fires: [] },
    ],
  };
}

export const conversions = (t: Thresholds): AlertFile => {
  const n = t.conversions.backlog_waiting;
  const ru = minutes(t.conversions.rabbitmq_unreachable_for);
  const nc = minutes(t.conversions.queue_no_consumers_for);
  const gr = minutes(t.conversions.queue_growing_for);
  const pf = minutes(t.conversions.probe_failing_for);
  const [slowS, slowF] = [t.conversions.probe_slow_seconds, minutes(t.conversions.probe_slow_for)];
  const [probeSlow, probeFast] = [num(slowS), num(Math.min(2, slowS / 15))];
  return {
    file: 'conversions',
    header: [
      "Conversions: DS's task queues in RabbitMQ (rabbitmq_queues collector). ds.converttask (7.1 – 8.2) or",
      'ds.converttask6 (8.3+) is what FileConverter consumes; ds.convertdead receives tasks whose 900 s TTL ran out.',
    ],
    group: 'onlyoffice-docs.conversions',
    rules: [
      {
        comment: [
          'Per vhost, across both task queue names: an orphan ds.converttask left by an upgrade to 8.3 has no',
          'consumer and must not alert while ds.converttask6 has one.',
        ],
        alert: 'OnlyofficeDocsConversionQueueNoConsumers',
        expr: 'max by (instance, job, vhost) (onlyoffice_rabbitmq_queue_consumers{queue=~"ds\\\\.converttask6?"}) == 0',
        for: t.conversions.queue_no_consumers_for,
        severity: 'critical',
        summary: '转换队列没有消费者：FileConverter 未运行',
        description:
          `{{ $labels.instance }} 上 vhost {{ $labels.vhost }} 的转换任务队列已超过 ${zhDuration(t.conversions.queue_no_consumers_for)}没有消费者：` +
          '没有 FileConverter（converter）在运行，文档无法打开和转换，任务在队列中堆积，' +
          '15 分钟后过期（用户得到错误 -2）。',
        summary_en: 'The conversion queue has no consumer: FileConverter is not running',
        description_en:
          'The conversion task queue of vhost {{ $labels.vhost }} on {{ $labels.instance }} has had no consumer ' +
          `for more than ${enDuration(t.conversions.queue_no_consumers_for)}: ` +
          'no FileConverter (converter) runs, documents cannot be opened or converted, ' +
          'tasks pile up and expire after 15 minutes (users get error -2).',
      },
      {
        comment: [
          'Never empty for 15 minutes and still rising. The value is the current backlog; the instant selector makes',
          'the alert end with the series (the 15-minute windows would remember a queue or exporter that is gone).',
        ],
        alert: 'OnlyofficeDocsConversionQueueGrowing',
        expr: `onlyoffice_rabbitmq_queue_messages_ready{queue=~"ds\\\\.converttask6?"}
and min_over_time(onlyoffice_rabbitmq_queue_messages_ready{queue=~"ds\\\\.converttask6?"}[15m]) > 0
and deriv(onlyoffice_rabbitmq_queue_messages_ready{queue=~"ds\\\\.converttask6?"}[15m]) > 0
`,
        for: t.conversions.queue_growing_for,
        severity: 'warning',
        summary: '转换任务积压并在增长',
        description:
          '{{ $labels.instance }} 上 {{ $labels.vhost }}/{{ $labels.queue }} 的转换任务 15 分钟内从未清空并且还在增长，现在有 {{ $value }} 个在等待：转换速度跟不上请求。',
        summary_en: 'The conversion backlog keeps growing',
        description_en:
          'The conversion backlog of {{ $labels.vhost }}/{{ $labels.queue }} on ' +
          '{{ $labels.instance }} has not emptied for 15 minutes and still grows, ' +
          '{{ $value }} waiting now: conversions do not keep up with requests.',
      },
      {
        comment: [
          `More than conversions.backlog_waiting tasks waiting, whether or not the backlog grows. The value is the backlog.`,
        ],
        alert: 'OnlyofficeDocsConversionBacklog',
        expr: `onlyoffice_rabbitmq_queue_messages_ready{queue=~"ds\\\\.converttask6?"} > ${n}`,
        for: t.conversions.backlog_for,
        severity: 'warning',
        summary: `转换任务积压超过 ${n} 个`,
        description:
          `{{ $labels.instance }} 上 {{ $labels.vhost }}/{{ $labels.queue }} 已超过 ${zhDuration(t.conversions.backlog_for)}有超过 ${n} 个转换任务在等待，` +
          '现在有 {{ $value }} 个：转换速度跟不上请求，用户打开和保存文档要等待。',
        summary_en: `More than ${n} conversion tasks are waiting`,
        description_en:
          `More than ${n} conversion tasks have been waiting in {{ $labels.vhost }}/{{ $labels.queue }} on {{ $labels.instance }} ` +
          `for more than ${enDuration(t.conversions.backlog_for)}, {{ $value }} now: conversions do not keep up, users wait to open and save documents.`,
      },
      {
        comment: [
          'Publish rate into ds.convertdead (management API), or dead letters left unconsumed (docservice not reading them).',
          'The window is only read while the queue is still reported.',
        ],
        alert: 'OnlyofficeDocsConversionDeadLetters',
        expr: `(
  max_over_time(onlyoffice_rabbitmq_queue_messages_per_second{queue="ds.convertdead", operation="publish"}[15m]) > 0
  and on (instance, job, vhost, queue) onlyoffice_rabbitmq_queue_exists == 1
)
or on (instance, job, vhost, queue)
onlyoffice_rabbitmq_queue_messages_ready{queue="ds.convertdead"} > 0
`,
        severity: 'warning',
        summary: '转换任务超时进入死信队列',
        description:
          '{{ $labels.instance }} 上 vhost {{ $labels.vhost }} 在最近 15 分钟内有转换任务超过 900 秒未被处理而进入 ds.convertdead：这些转换失败了，用户得到错误 -2。',
        summary_en: 'Conversion tasks expired into the dead-letter queue',
        description_en:
          'On {{ $labels.instance }}, vhost {{ $labels.vhost }}, ' +
          'conversion tasks waited more than 900 s and were dead-lettered to ds.convertdead in the last 15 minutes: ' +
          'those conversions failed and users got error -2.',
      },
      {
        comment: ['None of the configured sources answered: the queue alerts above cannot fire meanwhile.'],
        alert: 'OnlyofficeDocsRabbitmqUnreachable',
        expr: 'max by (instance, job) (onlyoffice_rabbitmq_up) == 0',
        for: t.conversions.rabbitmq_unreachable_for,
        severity: 'warning',
        summary: '导出器读不到 RabbitMQ 的队列信息',
        description:
          `{{ $labels.instance }} 已超过 ${zhDuration(t.conversions.rabbitmq_unreachable_for)}无法从任何已配置的来源` +
          '（管理 API、Prometheus 插件、AMQP）读取 RabbitMQ 队列信息，转换队列告警在此期间不会触发。',
        summary_en: 'The exporter cannot read RabbitMQ queues',
        description_en:
          '{{ $labels.instance }} has not read RabbitMQ queue figures from any configured source (management API, Prometheus plugin, ' +
          `AMQP) for more than ${enDuration(t.conversions.rabbitmq_unreachable_for)}; the conversion queue alerts cannot fire meanwhile.`,
      },
      {
        comment: [
          "The synthetic conversion (conversion_probe collector, every conversion_probe.interval). The value is DS's",
          'error code of the last run (0: DS reported none, e.g. a timeout).',
        ],
        alert: 'OnlyofficeDocsConversionProbeFailing',
        expr: `(onlyoffice_conversion_probe_outcome{outcome!="ok"} == 1)
* on (instance, job) group_left
onlyoffice_conversion_probe_error_code
`,
        for: t.conversions.probe_failing_for,
        severity: 'critical',
        summary: '转换探测失败：文档无法转换',
        description:
          `{{ $labels.instance }} 的合成转换已超过 ${zhDuration(t.conversions.probe_failing_for)}失败，` +
          '结果为 {{ $labels.outcome }}，DS 错误码 {{ $value }}。打开文档也要经过转换，用户很可能打不开文档。',
        summary_en: 'The conversion probe fails: documents cannot be converted',
        description_en:
          `The synthetic conversion on {{ $labels.instance }} has failed for more than ${enDuration(t.conversions.probe_failing_for)} ` +
          'with outcome {{ $labels.outcome }}, ' +
          'DS error code {{ $value }}. Opening a document is a conversion too: users most likely cannot open documents.',
      },
      {
        alert: 'OnlyofficeDocsConversionProbeSlow',
        expr: `onlyoffice_conversion_probe_duration_seconds > ${probeSlow} and on (instance, job) onlyoffice_conversion_probe_success == 1`,
        for: t.conversions.probe_slow_for,
        severity: 'warning',
        summary: '转换探测很慢',
        description:
          `{{ $labels.instance }} 的合成转换成功了，但已超过 ${zhDuration(t.conversions.probe_slow_for)}每次耗时超过 ${probeSlow} 秒` +
          '（最近一次 {{ $value | humanizeDuration }}）。',
        summary_en: 'The conversion probe is slow',
        description_en:
          'The synthetic conversion on {{ $labels.instance }} succeeds but has taken over ' +
          `${probeSlow} second${probeSlow === '1' ? '' : 's'} for more than ${enDuration(t.conversions.probe_slow_for)} ` +
          '(last run {{ $value | humanizeDuration }}).',
      },
    ],
    testHeader: ['promtool test rules alerts/tests/conversions.test.yml'],
    tests: [
      {
        name: 'OnlyofficeDocsConversionQueueNoConsumers when no task queue of a vhost has a consumer; an orphan queue does not count',
        interval: '1m',
        series: [
          {
            comment: [
              'vhost / (8.3+ after an upgrade): the orphan ds.converttask has no consumer, ds.converttask6 loses its converter at 2m',
            ],
            series:
              'onlyoffice_rabbitmq_queue_consumers{vhost="/", queue="ds.converttask", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${nc + 7}`,
          },
          {
            series:
              'onlyoffice_rabbitmq_queue_consumers{vhost="/", queue="ds.converttask6", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 1 0x${nc + 2} 1x3`,
          },
          {
            comment: ['vhost ds75: its converter runs'],
            series:
              'onlyoffice_rabbitmq_queue_consumers{vhost="ds75", queue="ds.converttask", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${nc + 7}`,
          },
          {
            comment: ['ds.delayed never has a consumer, by design'],
            series:
              'onlyoffice_rabbitmq_queue_consumers{vhost="/", queue="ds.delayed", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${nc + 7}`,
          },
        ],
        checks: [
          {
            at: '1m',
            note: 'the orphan alone does not alert',
            alert: 'OnlyofficeDocsConversionQueueNoConsumers',
            fires: [],
          },
          { at: `${nc + 1}m`, note: 'pending since 2m', alert: 'OnlyofficeDocsConversionQueueNoConsumers', fires: [] },
          {
            at: `${nc + 2}m`,
            alert: 'OnlyofficeDocsConversionQueueNoConsumers',
            fires: [
              { labels: { severity: 'critical', vhost: '/', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
            ],
          },
          {
            at: `${nc + 5}m`,
            note: 'the converter is back',
            alert: 'OnlyofficeDocsConversionQueueNoConsumers',
            fires: [],
          },
        ],
      },
      {
        name: 'OnlyofficeDocsConversionQueueGrowing when the backlog never empties and rises; a backlog that drains is fine',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_rabbitmq_queue_messages_ready{vhost="/", queue="ds.converttask6", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 1+1x${gr + 24} 0x20`,
          },
          {
            comment: [
              `vhost ds75: the same, but no longer reported from ${gr + 18}m (exporter or queue gone): the windows must not keep it`,
            ],
            series:
              'onlyoffice_rabbitmq_queue_messages_ready{vhost="ds75", queue="ds.converttask", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 1+1x${gr + 16} stale`,
          },
          {
            comment: ['busy but draining: never empty, but not growing'],
            series:
              'onlyoffice_rabbitmq_queue_messages_ready{vhost="/", queue="ds.converttask", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `${gr + 45}-1x${gr + 35}`,
          },
        ],
        checks: [
          {
            at: '15m',
            note: 'the 15-minute window still holds the empty queue at 0m',
            alert: 'OnlyofficeDocsConversionQueueGrowing',
            fires: [],
          },
          { at: `${gr + 15}m`, note: 'pending since 16m', alert: 'OnlyofficeDocsConversionQueueGrowing', fires: [] },
          {
            at: `${gr + 16}m`,
            alert: 'OnlyofficeDocsConversionQueueGrowing',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  vhost: '/',
                  queue: 'ds.converttask6',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: gr + 16,
              },
              {
                labels: {
                  severity: 'warning',
                  vhost: 'ds75',
                  queue: 'ds.converttask',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: gr + 16,
              },
            ],
          },
          {
            at: `${gr + 20}m`,
            note: 'ds75 no longer reported',
            alert: 'OnlyofficeDocsConversionQueueGrowing',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  vhost: '/',
                  queue: 'ds.converttask6',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: gr + 20,
              },
            ],
          },
          {
            at: `${gr + 30}m`,
            note: `drained at ${gr + 26}m`,
            alert: 'OnlyofficeDocsConversionQueueGrowing',
            fires: [],
          },
        ],
      },
      backlogTest(t),
      {
        name: 'OnlyofficeDocsConversionDeadLetters for 15 minutes after a dead-letter publish, or while dead letters wait',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_rabbitmq_queue_messages_per_second{vhost="/", queue="ds.convertdead", ' +
              'operation="publish", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '0x4 0.2 0x25',
          },
          {
            series:
              'onlyoffice_rabbitmq_queue_messages_per_second{vhost="/", queue="ds.convertdead", ' +
              'operation="deliver_get", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '0x4 0.2 0x25',
          },
          {
            series:
              'onlyoffice_rabbitmq_queue_messages_ready{vhost="/", queue="ds.convertdead", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '0x30',
          },
          {
            series:
              'onlyoffice_rabbitmq_queue_exists{vhost="/", queue="ds.convertdead", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '1x30',
          },
          {
            comment: [
              'vhost gone: dead letters at 5m, then the vhost is no longer reported (from 8m): its window must not keep it',
            ],
            series:
              'onlyoffice_rabbitmq_queue_messages_per_second{vhost="gone", queue="ds.convertdead", ' +
              'operation="publish", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '0x4 0.5 0.5 0.5 stale',
          },
          {
            series:
              'onlyoffice_rabbitmq_queue_exists{vhost="gone", queue="ds.convertdead", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '1x7 stale',
          },
          {
            comment: ['vhost ds75 read over AMQP (no rates): dead letters nobody consumes'],
            series:
              'onlyoffice_rabbitmq_queue_messages_ready{vhost="ds75", queue="ds.convertdead", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '0x9 3x5 0x15',
          },
        ],
        checks: [
          { at: '4m', alert: 'OnlyofficeDocsConversionDeadLetters', fires: [] },
          {
            at: '5m',
            alert: 'OnlyofficeDocsConversionDeadLetters',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  vhost: '/',
                  queue: 'ds.convertdead',
                  operation: 'publish',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
              {
                labels: {
                  severity: 'warning',
                  vhost: 'gone',
                  queue: 'ds.convertdead',
                  operation: 'publish',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          {
            at: '12m',
            alert: 'OnlyofficeDocsConversionDeadLetters',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  vhost: '/',
                  queue: 'ds.convertdead',
                  operation: 'publish',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
              {
                labels: {
                  severity: 'warning',
                  vhost: 'ds75',
                  queue: 'ds.convertdead',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          {
            at: '21m',
            note: 'no dead letter in the last 15 minutes',
            alert: 'OnlyofficeDocsConversionDeadLetters',
            fires: [],
          },
        ],
      },
      {
        name: `OnlyofficeDocsRabbitmqUnreachable only when no source answers, after ${t.conversions.rabbitmq_unreachable_for}`,
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_rabbitmq_up{source="management", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${ru + 7}`,
          },
          {
            series: 'onlyoffice_rabbitmq_up{source="amqp", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x3 0x${ru + 2} 1x2`,
          },
        ],
        checks: [
          { at: '3m', note: 'AMQP still answers', alert: 'OnlyofficeDocsRabbitmqUnreachable', fires: [] },
          { at: duration(ru + 3), note: 'pending since 4m', alert: 'OnlyofficeDocsRabbitmqUnreachable', fires: [] },
          {
            at: duration(ru + 4),
            alert: 'OnlyofficeDocsRabbitmqUnreachable',
            fires: [{ labels: { severity: 'warning', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 }],
          },
          { at: duration(ru + 8), alert: 'OnlyofficeDocsRabbitmqUnreachable', fires: [] },
        ],
      },
      {
        name:
          `OnlyofficeDocsConversionProbeFailing after ${enDuration(t.conversions.probe_failing_for)} of failed runs, ` +
          "with DS's error code; success resolves it",
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_conversion_probe_outcome{outcome="ok", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 1 0x${pf + 1} 1x2`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="error_code", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 0 1x${pf + 1} 0x2`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="timeout", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 6}`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="request_failed", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 6}`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="result_fetch_failed", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 6}`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="source_failed", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 6}`,
          },
          {
            series: 'onlyoffice_conversion_probe_error_code{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 0 -4x${pf + 1} 0x3`,
          },
          {
            series: 'onlyoffice_conversion_probe_success{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 1 0x${pf + 1} 1x3`,
          },
        ],
        checks: [
          { at: duration(pf + 1), note: 'pending since 2m', alert: 'OnlyofficeDocsConversionProbeFailing', fires: [] },
          {
            at: duration(pf + 2),
            alert: 'OnlyofficeDocsConversionProbeFailing',
            fires: [
              {
                labels: { severity: 'critical', outcome: 'error_code', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: -4,
              },
            ],
          },
          { at: duration(pf + 5), note: 'converting again', alert: 'OnlyofficeDocsConversionProbeFailing', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsConversionProbeFailing on a timeout (no DS error code)',
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_conversion_probe_outcome{outcome="ok", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 1}`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="error_code", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 1}`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="timeout", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${pf + 1}`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="request_failed", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 1}`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="result_fetch_failed", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 1}`,
          },
          {
            series:
              'onlyoffice_conversion_probe_outcome{outcome="source_failed", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 1}`,
          },
          {
            series: 'onlyoffice_conversion_probe_error_code{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${pf + 1}`,
          },
        ],
        checks: [
          { at: duration(pf - 1), alert: 'OnlyofficeDocsConversionProbeFailing', fires: [] },
          {
            at: duration(pf),
            alert: 'OnlyofficeDocsConversionProbeFailing',
            fires: [
              {
                labels: { severity: 'critical', outcome: 'timeout', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
        ],
      },
      {
        name: 'OnlyofficeDocsConversionProbeSlow on slow successful runs only',
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_conversion_probe_duration_seconds{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `${probeFast} ${num(slowS * 1.4)}x${slowF + 1} ${probeFast}x3`,
          },
          {
            series: 'onlyoffice_conversion_probe_success{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${slowF + 5}`,
          },
          {
            comment: ["failing runs that hit the timeout are OnlyofficeDocsConversionProbeFailing's"],
            series: 'onlyoffice_conversion_probe_duration_seconds{instance="b", job="onlyoffice"}',
            values: `${num(slowS * 2)}x${slowF + 5}`,
          },
          { series: 'onlyoffice_conversion_probe_success{instance="b", job="onlyoffice"}', values: `0x${slowF + 5}` },
        ],
        checks: [
          { at: duration(slowF), note: 'pending since 1m', alert: 'OnlyofficeDocsConversionProbeSlow', fires: [] },
          {
            at: duration(slowF + 1),
            alert: 'OnlyofficeDocsConversionProbeSlow',
            fires: [
              {
                labels: { severity: 'warning', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: Number(num(slowS * 1.4)),
              },
            ],
          },
          { at: duration(slowF + 4), alert: 'OnlyofficeDocsConversionProbeSlow', fires: [] },
        ],
      },
    ],
  };
};
