import type { Thresholds } from '../thresholds.js';
import { duration, enDuration, minutes, zhDuration, type AlertFile } from './model.js';

export const containers = (t: Thresholds): AlertFile => {
  const ex = minutes(t.containers.exited_for);
  return {
  file: 'containers',
  header: [
    'Containers of the ONLYOFFICE stack (docker collector) and the DS programs under supervisor (supervisor collector).',
  ],
  group: 'onlyoffice-docs.containers',
  rules: [
    {
      comment: [
        'restarts is Docker\'s RestartCount (a gauge that starts again at 0 when the container is recreated).',
        'The windows remember a removed container: only containers that still exist count.',
      ],
      alert: 'OnlyofficeDocsContainerRestarting',
      expr: `(
  increase(onlyoffice_container_restarts[15m]) > 0
  or on (instance, job, name)
  max_over_time(onlyoffice_container_state{state="restarting"}[5m]) == 1
)
and on (instance, job, name) onlyoffice_container_info
`,
      for: '5m',
      severity: 'warning',
      summary: '容器反复重启',
      description: '{{ $labels.instance }} 上的容器 {{ $labels.name }} 在最近 15 分钟内被重启策略重启过，或一直处于 restarting 状态。',
      summary_en: 'A container keeps restarting',
      description_en: 'Container {{ $labels.name }} on {{ $labels.instance }} was restarted by its restart policy in the last 15 minutes, '
        + 'or keeps being in the restarting state.',
    },
    {
      comment: [
        'oom_killed describes the last exit and stays 1 until the next one: only an OOM kill of the last hour counts.',
      ],
      alert: 'OnlyofficeDocsContainerOomKilled',
      expr: `onlyoffice_container_oom_killed == 1
and on (instance, job, name)
time() - onlyoffice_container_finished_timestamp_seconds < 3600
`,
      severity: 'warning',
      summary: '容器因内存不足被杀死',
      description: '{{ $labels.instance }} 上的容器 {{ $labels.name }} 在最近一小时内因超出内存限制被内核杀死（OOM）。',
      summary_en: 'A container was OOM-killed',
      description_en: 'Container {{ $labels.name }} on {{ $labels.instance }} was killed by the kernel for exceeding its memory (OOM) within the last hour.',
    },
    {
      comment: [
        'Docker keeps the last health status of a stopped container: OnlyofficeDocsContainerExited covers that one.',
      ],
      alert: 'OnlyofficeDocsContainerUnhealthy',
      expr: `onlyoffice_container_health{status="unhealthy"} == 1
and on (instance, job, name) onlyoffice_container_state{state="running"} == 1
`,
      for: '5m',
      severity: 'warning',
      summary: '容器健康检查失败',
      description: '{{ $labels.instance }} 上的容器 {{ $labels.name }} 的 Docker 健康检查已超过 5 分钟为 unhealthy。',
      summary_en: 'A container is unhealthy',
      description_en: 'The Docker healthcheck of container {{ $labels.name }} on {{ $labels.instance }} has been unhealthy for more than 5 minutes.',
    },
    {
      alert: 'OnlyofficeDocsContainerExited',
      expr: 'onlyoffice_container_state{state=~"exited|dead"} == 1',
      for: t.containers.exited_for,
      severity: 'critical',
      summary: '容器已退出',
      description: `{{ $labels.instance }} 上的容器 {{ $labels.name }} 已处于 {{ $labels.state }} 状态超过 ${zhDuration(t.containers.exited_for)}。`,
      summary_en: 'A container has exited',
      description_en: 'Container {{ $labels.name }} on {{ $labels.instance }} has been {{ $labels.state }} '
        + `for more than ${enDuration(t.containers.exited_for)}.`,
    },
    {
      comment: [
        'STOPPED is left out: ds:example, ds:adminpanel and (from 8.1, without METRICS_ENABLED) ds:metrics are not',
        'started by default. docservice and converter are the ones DS cannot work without.',
      ],
      alert: 'OnlyofficeDocsSupervisorProgramNotRunning',
      expr: 'onlyoffice_supervisor_process_state{state=~"FATAL|BACKOFF|EXITED|UNKNOWN|STARTING|STOPPING", program=~".*(docservice|converter).*"} == 1',
      for: '5m',
      severity: 'critical',
      summary: 'DS 程序未在运行',
      description: '{{ $labels.instance }} 上容器 {{ $labels.container }} 里的 {{ $labels.program }} 已超过 5 分钟处于 {{ $labels.state }} 状态。',
      summary_en: 'A DS program is not running',
      description_en: '{{ $labels.program }} in container {{ $labels.container }} on '
        + '{{ $labels.instance }} has been {{ $labels.state }} for more than 5 minutes.',
    },
    {
      alert: 'OnlyofficeDocsSupervisorProgramNotRunning',
      expr: 'onlyoffice_supervisor_process_state{state=~"FATAL|BACKOFF|EXITED|UNKNOWN|STARTING|STOPPING", program!~".*(docservice|converter).*"} == 1',
      for: '5m',
      severity: 'warning',
      summary: 'DS 程序未在运行',
      description: '{{ $labels.instance }} 上容器 {{ $labels.container }} 里的 {{ $labels.program }} 已超过 5 分钟处于 {{ $labels.state }} 状态。',
      summary_en: 'A DS program is not running',
      description_en: '{{ $labels.program }} in container {{ $labels.container }} on '
        + '{{ $labels.instance }} has been {{ $labels.state }} for more than 5 minutes.',
    },
    {
      comment: [
        'Not for a stopped container (OnlyofficeDocsContainerExited says that).',
      ],
      alert: 'OnlyofficeDocsSupervisorUnreachable',
      expr: `onlyoffice_supervisor_up == 0
unless on (instance, job, container)
label_replace(onlyoffice_container_state{state="running"} == 0, "container", "$1", "name", "(.*)")
`,
      for: '10m',
      severity: 'warning',
      summary: '无法读取 supervisor 状态',
      description: '{{ $labels.instance }} 上容器 {{ $labels.container }} 里的 supervisorctl status 已超过 10 分钟没有结果（supervisord 未运行、套接字缺失、没有 supervisorctl 或超时）。',
      summary_en: 'supervisor status cannot be read',
      description_en: 'supervisorctl status in container {{ $labels.container }} on '
        + '{{ $labels.instance }} has given no result for more than 10 minutes (supervisord not running, '
        + 'no socket, no supervisorctl, or a timeout).',
    },
  ],
  testHeader: [
    'promtool test rules alerts/tests/containers.test.yml',
  ],
  tests: [
    {
      name: 'OnlyofficeDocsContainerRestarting on a restart count increase, quiet 15 minutes later',
      interval: '1m',
      series: [
        { series: 'onlyoffice_container_restarts{name="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x4 1x30' },
        { series: 'onlyoffice_container_restarts{name="onlyoffice-rabbitmq", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x34' },
        {
          series: 'onlyoffice_container_info{name="onlyoffice-documentserver", id="0123456789ab", '
            + 'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1x34',
        },
        {
          series: 'onlyoffice_container_info{name="onlyoffice-rabbitmq", id="0123456789ab", '
            + 'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1x34',
        },
        {
          comment: ['removed at 12m, 5 minutes after its restart: its window still holds the increase, but it is gone'],
          series: 'onlyoffice_container_restarts{name="onlyoffice-old", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 1x10 stale',
        },
        {
          series: 'onlyoffice_container_info{name="onlyoffice-old", id="0123456789ab", '
            + 'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1x11 stale',
        },
      ],
      checks: [
        { at: '0m', alert: 'OnlyofficeDocsContainerRestarting', fires: [] },
        { at: '6m', note: 'onlyoffice-old, pending since 1m', alert: 'OnlyofficeDocsContainerRestarting', fires: [
          { labels: { severity: 'warning', name: 'onlyoffice-old', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '9m', note: 'onlyoffice-documentserver pending since 5m', alert: 'OnlyofficeDocsContainerRestarting', fires: [
          { labels: { severity: 'warning', name: 'onlyoffice-old', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '10m', alert: 'OnlyofficeDocsContainerRestarting', fires: [
          { labels: { severity: 'warning', name: 'onlyoffice-documentserver', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
          { labels: { severity: 'warning', name: 'onlyoffice-old', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '14m', note: 'onlyoffice-old removed', alert: 'OnlyofficeDocsContainerRestarting', fires: [
          { labels: { severity: 'warning', name: 'onlyoffice-documentserver', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '25m', note: 'no restart in the last 15 minutes', alert: 'OnlyofficeDocsContainerRestarting', fires: [] },
      ],
    },
    {
      name: 'OnlyofficeDocsContainerRestarting while it sits in restarting; a recreated container (count back to 0) is not a restart',
      interval: '1m',
      series: [
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="created", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="running", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 1 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 1 1 1 1',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="paused", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="restarting", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 1 1 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="removing", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="exited", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="dead", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        { series: 'onlyoffice_container_restarts{name="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x21' },
        { series: 'onlyoffice_container_restarts{name="onlyoffice-postgresql", instance="127.0.0.1:9967", job="onlyoffice"}', values: '5x3 0x17' },
        {
          series: 'onlyoffice_container_info{name="onlyoffice-documentserver", id="0123456789ab", '
            + 'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1x21',
        },
        {
          series: 'onlyoffice_container_info{name="onlyoffice-postgresql", id="0123456789ab", '
            + 'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1x21',
        },
      ],
      checks: [
        { at: '6m', note: 'pending since 2m', alert: 'OnlyofficeDocsContainerRestarting', fires: [] },
        { at: '7m', alert: 'OnlyofficeDocsContainerRestarting', fires: [
          { labels: { severity: 'warning', name: 'onlyoffice-documentserver', state: 'restarting', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '16m', note: 'running for more than 5 minutes', alert: 'OnlyofficeDocsContainerRestarting', fires: [] },
      ],
    },
    {
      name: 'OnlyofficeDocsContainerOomKilled for an hour after the OOM kill',
      interval: '1m',
      series: [
        { series: 'onlyoffice_container_oom_killed{name="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x9 1x80' },
        {
          series: 'onlyoffice_container_finished_timestamp_seconds{name="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0x9 600x80',
        },
        { series: 'onlyoffice_container_oom_killed{name="onlyoffice-rabbitmq", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x89' },
        {
          series: 'onlyoffice_container_finished_timestamp_seconds{name="onlyoffice-rabbitmq", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '300x89',
        },
      ],
      checks: [
        { at: '9m', alert: 'OnlyofficeDocsContainerOomKilled', fires: [] },
        { at: '10m', alert: 'OnlyofficeDocsContainerOomKilled', fires: [
          { labels: { severity: 'warning', name: 'onlyoffice-documentserver', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '70m', note: 'an hour after it stopped', alert: 'OnlyofficeDocsContainerOomKilled', fires: [] },
      ],
    },
    {
      name: 'OnlyofficeDocsContainerUnhealthy after 5 minutes',
      interval: '1m',
      series: [
        {
          series: 'onlyoffice_container_health{name="onlyoffice-documentserver", status="unhealthy", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 1x6 0x2',
        },
        {
          series: 'onlyoffice_container_health{name="onlyoffice-documentserver", status="healthy", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 0x6 1x2',
        },
        { series: 'onlyoffice_container_health{name="onlyoffice-rabbitmq", status="unhealthy", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x9' },
        { series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="running", instance="127.0.0.1:9967", job="onlyoffice"}', values: '1x9' },
        {
          comment: ['stopped while unhealthy: Docker keeps the status, OnlyofficeDocsContainerExited speaks for it'],
          series: 'onlyoffice_container_health{name="onlyoffice-stopped", status="unhealthy", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1x9',
        },
        { series: 'onlyoffice_container_state{name="onlyoffice-stopped", state="running", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x9' },
      ],
      checks: [
        { at: '5m', alert: 'OnlyofficeDocsContainerUnhealthy', fires: [] },
        { at: '6m', alert: 'OnlyofficeDocsContainerUnhealthy', fires: [
          { labels: { severity: 'warning', name: 'onlyoffice-documentserver', status: 'unhealthy', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '8m', alert: 'OnlyofficeDocsContainerUnhealthy', fires: [] },
      ],
    },
    {
      name: `OnlyofficeDocsContainerExited after ${enDuration(t.containers.exited_for)} exited, until started again`,
      interval: '1m',
      series: [
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="created", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="running", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `1 0x${ex + 2} 1x2`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="paused", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="restarting", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="removing", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="exited", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0 1x${ex + 2} 0x2`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="dead", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-postgresql", state="created", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-postgresql", state="running", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `1x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-postgresql", state="paused", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-postgresql", state="restarting", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-postgresql", state="removing", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-postgresql", state="exited", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-postgresql", state="dead", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: `0x${ex + 5}`,
        },
      ],
      checks: [
        { at: duration(ex), alert: 'OnlyofficeDocsContainerExited', fires: [] },
        { at: duration(ex + 1), alert: 'OnlyofficeDocsContainerExited', fires: [
          { labels: { severity: 'critical', name: 'onlyoffice-documentserver', state: 'exited', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: duration(ex + 4), alert: 'OnlyofficeDocsContainerExited', fires: [] },
      ],
    },
    {
      name: 'OnlyofficeDocsSupervisorProgramNotRunning critical for docservice/converter, warning for others, never for STOPPED',
      interval: '1m',
      series: [
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:docservice", state="RUNNING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 0 0 0 0 0 0 0 1 1 1',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:docservice", state="STARTING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:docservice", state="BACKOFF", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:docservice", state="STOPPING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:docservice", state="STOPPED", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:docservice", state="EXITED", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:docservice", state="FATAL", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 1 1 1 1 1 1 1 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:docservice", state="UNKNOWN", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:converter", state="RUNNING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 1 1 1 1 1 1 1 1 1 1',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:converter", state="STARTING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:converter", state="BACKOFF", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:converter", state="STOPPING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:converter", state="STOPPED", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:converter", state="EXITED", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:converter", state="FATAL", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:converter", state="UNKNOWN", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:metrics", state="RUNNING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 0 0 0 0 0 0 0 1 1 1',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:metrics", state="STARTING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:metrics", state="BACKOFF", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 1 1 1 1 1 1 1 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:metrics", state="STOPPING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:metrics", state="STOPPED", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:metrics", state="EXITED", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:metrics", state="FATAL", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:metrics", state="UNKNOWN", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:example", state="RUNNING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:example", state="STARTING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:example", state="BACKOFF", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:example", state="STOPPING", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:example", state="STOPPED", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 1 1 1 1 1 1 1 1 1 1',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:example", state="EXITED", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:example", state="FATAL", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", '
            + 'program="ds:example", state="UNKNOWN", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0',
        },
      ],
      checks: [
        { at: '5m', alert: 'OnlyofficeDocsSupervisorProgramNotRunning', fires: [] },
        { at: '6m', alert: 'OnlyofficeDocsSupervisorProgramNotRunning', fires: [
          {
            labels: {
              severity: 'critical', container: 'onlyoffice-documentserver', program: 'ds:docservice',
              state: 'FATAL', instance: '127.0.0.1:9967', job: 'onlyoffice',
            },
            value: 0,
          },
          {
            labels: {
              severity: 'warning', container: 'onlyoffice-documentserver', program: 'ds:metrics',
              state: 'BACKOFF', instance: '127.0.0.1:9967', job: 'onlyoffice',
            },
            value: 0,
          },
        ] },
        { at: '9m', alert: 'OnlyofficeDocsSupervisorProgramNotRunning', fires: [] },
      ],
    },
    {
      name: 'OnlyofficeDocsSupervisorUnreachable, but not for a container that is not running',
      interval: '1m',
      series: [
        { series: 'onlyoffice_supervisor_up{container="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}', values: '1 0x11 1x2' },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="created", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="running", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 1 1 1 1 1 1 1 1 1 1 1 1 1 1',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="paused", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="restarting", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="removing", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="exited", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver", state="dead", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        { series: 'onlyoffice_supervisor_up{container="onlyoffice-documentserver-2", instance="127.0.0.1:9967", job="onlyoffice"}', values: '0x14' },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver-2", state="created", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver-2", state="running", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver-2", state="paused", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver-2", state="restarting", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver-2", state="removing", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver-2", state="exited", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '1 1 1 1 1 1 1 1 1 1 1 1 1 1 1',
        },
        {
          series: 'onlyoffice_container_state{name="onlyoffice-documentserver-2", state="dead", instance="127.0.0.1:9967", job="onlyoffice"}',
          values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
        },
      ],
      checks: [
        { at: '10m', note: 'pending since 1m', alert: 'OnlyofficeDocsSupervisorUnreachable', fires: [] },
        { at: '11m', alert: 'OnlyofficeDocsSupervisorUnreachable', fires: [
          { labels: { severity: 'warning', container: 'onlyoffice-documentserver', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 },
        ] },
        { at: '13m', alert: 'OnlyofficeDocsSupervisorUnreachable', fires: [] },
      ],
    },
  ],
  };
};
