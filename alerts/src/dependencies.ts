import type { Thresholds } from '../thresholds.js';
import type { AlertFile } from './model.js';

export const dependencies = (_t: Thresholds): AlertFile => ({
  file: 'dependencies',
  header: [
    'DocumentServer\'s dependencies checked at the protocol level (dependencies collector): PostgreSQL, RabbitMQ, Redis.',
    'Critical only when DS itself says something is wrong (/healthcheck fails): in the all-in-one DS container the',
    'servers listen inside the container, unpublished, and a check from outside fails while DS is healthy. That case',
    'is a warning about the configured address.',
  ],
  group: 'onlyoffice-docs.dependencies',
  rules: [
    {
      alert: 'OnlyofficeDocsDependencyDown',
      expr: `onlyoffice_dependency_up == 0
and on (instance, job) onlyoffice_healthcheck_up == 0
`,
      for: '1m',
      severity: 'critical',
      summary: 'DocumentServer 的依赖服务不可用',
      description: '{{ $labels.instance }} 检查 {{ $labels.dependency }}（'
        + '{{ $labels.address }}）已超过 1 分钟没有按协议应答（连接被拒绝、被重置、应答错误、认证失败或卡住），同时 DS 自己的 /healthcheck 也失败。',
      summary_en: 'A DocumentServer dependency is down',
      description_en: '{{ $labels.dependency }} ({{ $labels.address }}) has not answered its protocol to {{ $labels.instance }} for '
        + 'more than 1 minute (refused, reset, wrong answer, failed AUTH, or frozen), and DS\'s own /healthcheck fails too.',
    },
    {
      alert: 'OnlyofficeDocsDependencyUnreachable',
      expr: `onlyoffice_dependency_up == 0
unless on (instance, job) onlyoffice_healthcheck_up == 0
`,
      for: '5m',
      severity: 'warning',
      summary: '导出器访问不到配置的依赖地址，但 DS 正常',
      description: '{{ $labels.instance }} 已超过 5 分钟访问不到 {{ $labels.dependency }}（{{ $labels.address }}），而 DS 自己的 /healthcheck '
        + '正常：DS 用的是别的地址（例如一体化容器内未发布的端口）。请把 dependencies.{{ $labels.dependency }} 改为导出器能访问的 DS 所用地址，或设为 false。',
      summary_en: 'The exporter cannot reach a configured dependency address, yet DS is healthy',
      description_en: '{{ $labels.instance }} has not reached {{ $labels.dependency }} at {{ $labels.address }} '
        + 'for more than 5 minutes while DS\'s own /healthcheck passes: DS uses another '
        + 'address (e.g. unpublished ports inside the all-in-one container). '
        + 'Set dependencies.{{ $labels.dependency }} to the address DS uses, reachable from the exporter, or to false.',
    },
  ],
  testHeader: [
    'promtool test rules alerts/tests/dependencies.test.yml',
  ],
  tests: [
    {
      name: 'OnlyofficeDocsDependencyDown per dependency after 1 minute, when DS\'s healthcheck fails too',
      interval: '1m',
      series: [
        {
          series: 'onlyoffice_dependency_up{dependency="rabbitmq", address="127.0.0.1:5672", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 0 0 0 1 1',
        },
        { series: 'onlyoffice_dependency_up{dependency="postgresql", address="127.0.0.1:5432", instance="127.0.0.1:9967", job="onlyoffice"}', values: '1x5' },
        { series: 'onlyoffice_healthcheck_up{instance="127.0.0.1:9967", job="onlyoffice"}', values: '1 0 0 0 1 1' },
      ],
      checks: [
        { at: '1m', note: 'pending', alert: 'OnlyofficeDocsDependencyDown', fires: [] },
        { at: '2m', alert: 'OnlyofficeDocsDependencyDown', fires: [
          { labels: { severity: 'critical', dependency: 'rabbitmq', address: '127.0.0.1:5672', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '2m', alert: 'OnlyofficeDocsDependencyUnreachable', fires: [] },
        { at: '4m', alert: 'OnlyofficeDocsDependencyDown', fires: [] },
      ],
    },
    {
      name: 'A healthy all-in-one DS whose servers the exporter cannot reach is a warning naming the key, never the page',
      interval: '1m',
      series: [
        { series: 'onlyoffice_dependency_up{dependency="postgresql", address="127.0.0.1:5432", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x10' },
        { series: 'onlyoffice_dependency_up{dependency="rabbitmq", address="127.0.0.1:5672", instance="127.0.0.1:9967", job="onlyoffice"}', values: '1x10' },
        { series: 'onlyoffice_healthcheck_up{instance="127.0.0.1:9967", job="onlyoffice"}', values: '1x10' },
      ],
      checks: [
        { at: '10m', alert: 'OnlyofficeDocsDependencyDown', fires: [] },
        { at: '4m', note: 'pending', alert: 'OnlyofficeDocsDependencyUnreachable', fires: [] },
        { at: '5m', alert: 'OnlyofficeDocsDependencyUnreachable', fires: [
          { labels: { severity: 'warning', dependency: 'postgresql', address: '127.0.0.1:5432', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
      ],
    },
    {
      name: 'When DS\'s healthcheck starts failing too, the warning gives way to the page',
      interval: '1m',
      series: [
        { series: 'onlyoffice_dependency_up{dependency="postgresql", address="127.0.0.1:5432", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x10' },
        { series: 'onlyoffice_healthcheck_up{instance="127.0.0.1:9967", job="onlyoffice"}', values: '1 1 1 1 1 1 1 0 0 0 0' },
      ],
      checks: [
        { at: '4m', note: 'pending', alert: 'OnlyofficeDocsDependencyUnreachable', fires: [] },
        { at: '6m', alert: 'OnlyofficeDocsDependencyUnreachable', fires: [
          { labels: { severity: 'warning', dependency: 'postgresql', address: '127.0.0.1:5432', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '8m', alert: 'OnlyofficeDocsDependencyUnreachable', fires: [] },
        { at: '9m', alert: 'OnlyofficeDocsDependencyDown', fires: [
          { labels: { severity: 'critical', dependency: 'postgresql', address: '127.0.0.1:5432', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
      ],
    },
  ],
});
