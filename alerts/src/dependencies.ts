import type { Thresholds } from '../thresholds.js';
import type { AlertFile } from './model.js';

export const dependencies = (t: Thresholds): AlertFile => ({
  file: 'dependencies',
  header: [
    'DocumentServer\'s dependencies checked at the protocol level (dependencies collector): PostgreSQL, RabbitMQ, Redis.',
  ],
  group: 'onlyoffice-docs.dependencies',
  rules: [
    {
      alert: 'OnlyofficeDocsDependencyDown',
      expr: 'onlyoffice_dependency_up == 0',
      for: '1m',
      severity: 'critical',
      summary: 'DocumentServer 的依赖服务不可用',
      description: '{{ $labels.instance }} 检查 {{ $labels.dependency }}（{{ $labels.address }}）已超过 1 分钟没有按协议应答（连接被拒绝、被重置、应答错误、认证失败或卡住）。',
      summary_en: 'A DocumentServer dependency is down',
      description_en: '{{ $labels.dependency }} ({{ $labels.address }}) has not answered its '
        + 'protocol to {{ $labels.instance }} for more than 1 minute (refused, '
        + 'reset, wrong answer, failed AUTH, or frozen).',
    },
  ],
  testHeader: [
    'promtool test rules alerts/tests/dependencies.test.yml',
  ],
  tests: [
    {
      name: 'OnlyofficeDocsDependencyDown per dependency after 1 minute',
      interval: '1m',
      series: [
        {
          series: 'onlyoffice_dependency_up{dependency="rabbitmq", address="127.0.0.1:5672", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 0 0 0 1 1',
        },
        { series: 'onlyoffice_dependency_up{dependency="postgresql", address="127.0.0.1:5432", instance="127.0.0.1:9967", job="onlyoffice"}', values: '1x5' },
      ],
      checks: [
        { at: '1m', note: 'pending', alert: 'OnlyofficeDocsDependencyDown', fires: [] },
        { at: '2m', alert: 'OnlyofficeDocsDependencyDown', fires: [
          { labels: { severity: 'critical', dependency: 'rabbitmq', address: '127.0.0.1:5672', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '4m', alert: 'OnlyofficeDocsDependencyDown', fires: [] },
      ],
    },
  ],
});
