import type { Thresholds } from '../thresholds.js';
import { enDuration, minutes, run, zhDuration, type AlertFile } from './model.js';

export const dependencies = (t: Thresholds): AlertFile => {
  const down = minutes(t.dependencies.down_for);
  const unreachable = minutes(t.dependencies.unreachable_for);
  return {
    file: 'dependencies',
    header: [
      "DocumentServer's dependencies checked at the protocol level (dependencies collector): PostgreSQL, RabbitMQ, Redis.",
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
        for: t.dependencies.down_for,
        severity: 'critical',
        summary: 'DocumentServer 的依赖服务不可用',
        description:
          `{{ $labels.instance }} 检查 {{ $labels.dependency }}（` +
          `{{ $labels.address }}）已超过 ${zhDuration(t.dependencies.down_for)}没有按协议响应` +
          '（连接被拒绝、被重置、响应错误、认证失败或卡住），同时 DS 自己的 /healthcheck 也失败。',
        summary_en: 'A DocumentServer dependency is down',
        description_en:
          '{{ $labels.dependency }} ({{ $labels.address }}) has not answered its protocol to {{ $labels.instance }} for ' +
          `more than ${enDuration(t.dependencies.down_for)} (refused, reset, wrong answer, failed AUTH, or frozen), ` +
          "and DS's own /healthcheck fails too.",
      },
      {
        alert: 'OnlyofficeDocsDependencyUnreachable',
        expr: `onlyoffice_dependency_up == 0
unless on (instance, job) onlyoffice_healthcheck_up == 0
`,
        for: t.dependencies.unreachable_for,
        severity: 'warning',
        summary: '导出器访问不到配置的依赖地址，但 DS 正常',
        description:
          `{{ $labels.instance }} 已超过 ${zhDuration(t.dependencies.unreachable_for)}访问不到 {{ $labels.dependency }}（{{ $labels.address }}），而 DS 自己的 /healthcheck ` +
          `正常：DS 用的是别的地址（例如一体化容器内未发布的端口）。请把 dependencies.{{ $labels.dependency }} 改为导出器能访问的 DS 所用地址，或设为 false。`,
        summary_en: 'The exporter cannot reach a configured dependency address, yet DS is healthy',
        description_en:
          '{{ $labels.instance }} has not reached {{ $labels.dependency }} at {{ $labels.address }} ' +
          `for more than ${enDuration(t.dependencies.unreachable_for)} while DS's own /healthcheck passes: DS uses another ` +
          'address (e.g. unpublished ports inside the all-in-one container). ' +
          'Set dependencies.{{ $labels.dependency }} to the address DS uses, reachable from the exporter, or to false.',
      },
    ],
    testHeader: ['promtool test rules alerts/tests/dependencies.test.yml'],
    tests: [
      {
        name: `OnlyofficeDocsDependencyDown per dependency after ${enDuration(t.dependencies.down_for)}, when DS's healthcheck fails too`,
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_dependency_up{dependency="rabbitmq", address="127.0.0.1:5672", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 ${run(0, down + 2)} 1 1`,
          },
          {
            series:
              'onlyoffice_dependency_up{dependency="postgresql", address="127.0.0.1:5432", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${down + 4}`,
          },
          {
            series: 'onlyoffice_healthcheck_up{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 ${run(0, down + 2)} 1 1`,
          },
        ],
        checks: [
          { at: `${down}m`, note: 'pending', alert: 'OnlyofficeDocsDependencyDown', fires: [] },
          {
            at: `${down + 1}m`,
            alert: 'OnlyofficeDocsDependencyDown',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  dependency: 'rabbitmq',
                  address: '127.0.0.1:5672',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: `${down + 1}m`, alert: 'OnlyofficeDocsDependencyUnreachable', fires: [] },
          { at: `${down + 3}m`, alert: 'OnlyofficeDocsDependencyDown', fires: [] },
        ],
      },
      {
        name: 'A healthy all-in-one DS whose servers the exporter cannot reach is a warning naming the key, never the page',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_dependency_up{dependency="postgresql", address="127.0.0.1:5432", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${unreachable + 5}`,
          },
          {
            series:
              'onlyoffice_dependency_up{dependency="rabbitmq", address="127.0.0.1:5672", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${unreachable + 5}`,
          },
          {
            series: 'onlyoffice_healthcheck_up{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${unreachable + 5}`,
          },
        ],
        checks: [
          { at: `${unreachable + 5}m`, alert: 'OnlyofficeDocsDependencyDown', fires: [] },
          { at: `${unreachable - 1}m`, note: 'pending', alert: 'OnlyofficeDocsDependencyUnreachable', fires: [] },
          {
            at: `${unreachable}m`,
            alert: 'OnlyofficeDocsDependencyUnreachable',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  dependency: 'postgresql',
                  address: '127.0.0.1:5432',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
        ],
      },
      {
        name: "When DS's healthcheck starts failing too, the warning gives way to the page",
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_dependency_up{dependency="postgresql", address="127.0.0.1:5432", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${unreachable + down + 4}`,
          },
          {
            series: 'onlyoffice_healthcheck_up{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `${run(1, unreachable + 2)} ${run(0, down + 3)}`,
          },
        ],
        checks: [
          { at: `${unreachable - 1}m`, note: 'pending', alert: 'OnlyofficeDocsDependencyUnreachable', fires: [] },
          {
            at: `${unreachable + 1}m`,
            alert: 'OnlyofficeDocsDependencyUnreachable',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  dependency: 'postgresql',
                  address: '127.0.0.1:5432',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: `${unreachable + 3}m`, alert: 'OnlyofficeDocsDependencyUnreachable', fires: [] },
          {
            at: `${unreachable + down + 3}m`,
            alert: 'OnlyofficeDocsDependencyDown',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  dependency: 'postgresql',
                  address: '127.0.0.1:5432',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
        ],
      },
    ],
  };
};
