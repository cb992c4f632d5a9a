import type { Thresholds } from '../thresholds.js';
import {
  counter,
  duration,
  enDuration,
  minutes,
  run,
  spell,
  zhDuration,
  type AlertFile,
  type Series,
} from './model.js';

const CONTAINER_STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'] as const;

/**
 * A container's state set as the docker collector exports it, one series per Docker state in its order: `values` for
 * the states given, `rest` for the others.
 */
function containerStates(
  name: string,
  rest: string,
  values: Partial<Record<(typeof CONTAINER_STATES)[number], string>>,
): Series[] {
  return CONTAINER_STATES.map((state) => ({
    series: `onlyoffice_container_state{name="${name}", state="${state}", instance="127.0.0.1:9967", job="onlyoffice"}`,
    values: values[state] ?? rest,
  }));
}

export const containers = (t: Thresholds): AlertFile => {
  const ex = minutes(t.containers.exited_for);
  const rs = minutes(t.containers.restarting_for);
  const uh = minutes(t.containers.unhealthy_for);
  const pr = minutes(t.containers.program_not_running_for);
  const su = minutes(t.containers.supervisor_unreachable_for);
  // Restarts every 10 minutes keep the 15-minute window above 0 for as long as the for: asks.
  const restarts = (length: number, first: number): number[] => counter(length, first, 10, first + rs);
  return {
    file: 'containers',
    header: [
      'Containers of the ONLYOFFICE stack (docker collector) and the DS programs under supervisor (supervisor collector).',
    ],
    group: 'onlyoffice-docs.containers',
    rules: [
      {
        comment: [
          "restarts is Docker's RestartCount (a gauge that starts again at 0 when the container is recreated).",
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
        for: t.containers.restarting_for,
        severity: 'warning',
        summary: '容器反复重启',
        description:
          '{{ $labels.instance }} 上的容器 {{ $labels.name }} 在最近 15 分钟内被重启策略重启过，或一直处于 restarting 状态。',
        summary_en: 'A container keeps restarting',
        description_en:
          'Container {{ $labels.name }} on {{ $labels.instance }} was restarted by its restart policy in the last 15 minutes, ' +
          'or keeps being in the restarting state.',
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
        description:
          '{{ $labels.instance }} 上的容器 {{ $labels.name }} 在最近一小时内因超出内存限制被内核杀死（OOM）。',
        summary_en: 'A container was OOM-killed',
        description_en:
          'Container {{ $labels.name }} on {{ $labels.instance }} was killed by the kernel for exceeding its memory (OOM) within the last hour.',
      },
      {
        comment: [
          'Docker keeps the last health status of a stopped container: OnlyofficeDocsContainerExited covers that one.',
        ],
        alert: 'OnlyofficeDocsContainerUnhealthy',
        expr: `onlyoffice_container_health{status="unhealthy"} == 1
and on (instance, job, name) onlyoffice_container_state{state="running"} == 1
`,
        for: t.containers.unhealthy_for,
        severity: 'warning',
        summary: '容器健康检查失败',
        description: `{{ $labels.instance }} 上的容器 {{ $labels.name }} 的 Docker 健康检查已超过 ${zhDuration(t.containers.unhealthy_for)}为 unhealthy。`,
        summary_en: 'A container is unhealthy',
        description_en:
          'The Docker healthcheck of container {{ $labels.name }} on {{ $labels.instance }} has been unhealthy ' +
          `for more than ${enDuration(t.containers.unhealthy_for)}.`,
      },
      {
        alert: 'OnlyofficeDocsContainerExited',
        expr: 'onlyoffice_container_state{state=~"exited|dead"} == 1',
        for: t.containers.exited_for,
        severity: 'critical',
        summary: '容器已退出',
        description: `{{ $labels.instance }} 上的容器 {{ $labels.name }} 已处于 {{ $labels.state }} 状态超过 ${zhDuration(t.containers.exited_for)}。`,
        summary_en: 'A container has exited',
        description_en:
          'Container {{ $labels.name }} on {{ $labels.instance }} has been {{ $labels.state }} ' +
          `for more than ${enDuration(t.containers.exited_for)}.`,
      },
      {
        comment: [
          'STOPPED is left out: ds:example, ds:adminpanel and (from 8.1, without METRICS_ENABLED) ds:metrics are not',
          'started by default. docservice and converter are the ones DS cannot work without.',
        ],
        alert: 'OnlyofficeDocsSupervisorProgramNotRunning',
        expr: 'onlyoffice_supervisor_process_state{state=~"FATAL|BACKOFF|EXITED|UNKNOWN|STARTING|STOPPING", program=~".*(docservice|converter).*"} == 1',
        for: t.containers.program_not_running_for,
        severity: 'critical',
        summary: 'DS 程序未在运行',
        description:
          `{{ $labels.instance }} 上容器 {{ $labels.container }} 里的 {{ $labels.program }} 已超过 ${zhDuration(t.containers.program_not_running_for)}` +
          '处于 {{ $labels.state }} 状态。',
        summary_en: 'A DS program is not running',
        description_en:
          '{{ $labels.program }} in container {{ $labels.container }} on ' +
          `{{ $labels.instance }} has been {{ $labels.state }} for more than ${enDuration(t.containers.program_not_running_for)}.`,
      },
      {
        alert: 'OnlyofficeDocsSupervisorProgramNotRunning',
        expr: 'onlyoffice_supervisor_process_state{state=~"FATAL|BACKOFF|EXITED|UNKNOWN|STARTING|STOPPING", program!~".*(docservice|converter).*"} == 1',
        for: t.containers.program_not_running_for,
        severity: 'warning',
        summary: 'DS 程序未在运行',
        description:
          `{{ $labels.instance }} 上容器 {{ $labels.container }} 里的 {{ $labels.program }} 已超过 ${zhDuration(t.containers.program_not_running_for)}` +
          '处于 {{ $labels.state }} 状态。',
        summary_en: 'A DS program is not running',
        description_en:
          '{{ $labels.program }} in container {{ $labels.container }} on ' +
          `{{ $labels.instance }} has been {{ $labels.state }} for more than ${enDuration(t.containers.program_not_running_for)}.`,
      },
      {
        comment: ['Not for a stopped container (OnlyofficeDocsContainerExited says that).'],
        alert: 'OnlyofficeDocsSupervisorUnreachable',
        expr: `onlyoffice_supervisor_up == 0
unless on (instance, job, container)
label_replace(onlyoffice_container_state{state="running"} == 0, "container", "$1", "name", "(.*)")
`,
        for: t.containers.supervisor_unreachable_for,
        severity: 'warning',
        summary: '无法读取 supervisor 状态',
        description:
          `{{ $labels.instance }} 上容器 {{ $labels.container }} 里的 supervisorctl status 已超过 ${zhDuration(t.containers.supervisor_unreachable_for)}` +
          '没有结果（supervisord 未运行、套接字缺失、没有 supervisorctl 或超时）。',
        summary_en: 'supervisor status cannot be read',
        description_en:
          'supervisorctl status in container {{ $labels.container }} on ' +
          `{{ $labels.instance }} has given no result for more than ${enDuration(t.containers.supervisor_unreachable_for)} (supervisord not running, ` +
          'no socket, no supervisorctl, or a timeout).',
      },
    ],
    testHeader: ['promtool test rules alerts/tests/containers.test.yml'],
    tests: [
      {
        name: 'OnlyofficeDocsContainerRestarting on a restart count increase, quiet 15 minutes later',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_container_restarts{name="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: spell(restarts(rs + 31, 5)),
          },
          {
            series:
              'onlyoffice_container_restarts{name="onlyoffice-rabbitmq", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${rs + 29}`,
          },
          {
            series:
              'onlyoffice_container_info{name="onlyoffice-documentserver", id="0123456789ab", ' +
              'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${rs + 29}`,
          },
          {
            series:
              'onlyoffice_container_info{name="onlyoffice-rabbitmq", id="0123456789ab", ' +
              'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${rs + 29}`,
          },
          {
            comment: [`removed at ${rs + 7}m: its 15-minute window still holds its last restart, but it is gone`],
            series: 'onlyoffice_container_restarts{name="onlyoffice-old", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: spell([...restarts(rs + 7, 1), 'stale']),
          },
          {
            series:
              'onlyoffice_container_info{name="onlyoffice-old", id="0123456789ab", ' +
              'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${rs + 6} stale`,
          },
        ],
        checks: [
          { at: '0m', alert: 'OnlyofficeDocsContainerRestarting', fires: [] },
          {
            at: `${rs + 1}m`,
            note: 'onlyoffice-old, pending since 1m',
            alert: 'OnlyofficeDocsContainerRestarting',
            fires: [
              {
                labels: { severity: 'warning', name: 'onlyoffice-old', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
          {
            at: `${rs + 4}m`,
            note: 'onlyoffice-documentserver pending since 5m',
            alert: 'OnlyofficeDocsContainerRestarting',
            fires: [
              {
                labels: { severity: 'warning', name: 'onlyoffice-old', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
          {
            at: `${rs + 5}m`,
            alert: 'OnlyofficeDocsContainerRestarting',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  name: 'onlyoffice-documentserver',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
              {
                labels: { severity: 'warning', name: 'onlyoffice-old', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
          {
            at: `${rs + 9}m`,
            note: 'onlyoffice-old removed',
            alert: 'OnlyofficeDocsContainerRestarting',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  name: 'onlyoffice-documentserver',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          {
            at: `${5 + 10 * Math.floor((rs - 1) / 10) + 20}m`,
            note: 'no restart in the last 15 minutes',
            alert: 'OnlyofficeDocsContainerRestarting',
            fires: [],
          },
        ],
      },
      {
        name: 'OnlyofficeDocsContainerRestarting while it sits in restarting; a recreated container (count back to 0) is not a restart',
        interval: '1m',
        series: [
          ...containerStates('onlyoffice-documentserver', run(0, rs + 17), {
            running: `1 1 ${run(0, rs + 3)} ${run(1, 12)}`,
            restarting: `0 0 ${run(1, rs + 3)} ${run(0, 12)}`,
          }),
          {
            series:
              'onlyoffice_container_restarts{name="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${rs + 16}`,
          },
          {
            series:
              'onlyoffice_container_restarts{name="onlyoffice-postgresql", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `5x3 0x${rs + 12}`,
          },
          {
            series:
              'onlyoffice_container_info{name="onlyoffice-documentserver", id="0123456789ab", ' +
              'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${rs + 16}`,
          },
          {
            series:
              'onlyoffice_container_info{name="onlyoffice-postgresql", id="0123456789ab", ' +
              'image="onlyoffice/documentserver:9.0", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${rs + 16}`,
          },
        ],
        checks: [
          { at: `${rs + 1}m`, note: 'pending since 2m', alert: 'OnlyofficeDocsContainerRestarting', fires: [] },
          {
            at: `${rs + 2}m`,
            alert: 'OnlyofficeDocsContainerRestarting',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  name: 'onlyoffice-documentserver',
                  state: 'restarting',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          {
            at: `${rs + 11}m`,
            note: 'running for more than 5 minutes',
            alert: 'OnlyofficeDocsContainerRestarting',
            fires: [],
          },
        ],
      },
      {
        name: 'OnlyofficeDocsContainerOomKilled for an hour after the OOM kill',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_container_oom_killed{name="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '0x9 1x80',
          },
          {
            series:
              'onlyoffice_container_finished_timestamp_seconds{name="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '0x9 600x80',
          },
          {
            series:
              'onlyoffice_container_oom_killed{name="onlyoffice-rabbitmq", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '0x89',
          },
          {
            series:
              'onlyoffice_container_finished_timestamp_seconds{name="onlyoffice-rabbitmq", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: '300x89',
          },
        ],
        checks: [
          { at: '9m', alert: 'OnlyofficeDocsContainerOomKilled', fires: [] },
          {
            at: '10m',
            alert: 'OnlyofficeDocsContainerOomKilled',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  name: 'onlyoffice-documentserver',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: '70m', note: 'an hour after it stopped', alert: 'OnlyofficeDocsContainerOomKilled', fires: [] },
        ],
      },
      {
        name: `OnlyofficeDocsContainerUnhealthy after ${enDuration(t.containers.unhealthy_for)}`,
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_container_health{name="onlyoffice-documentserver", status="unhealthy", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 1x${uh + 1} 0x2`,
          },
          {
            series:
              'onlyoffice_container_health{name="onlyoffice-documentserver", status="healthy", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${uh + 1} 1x2`,
          },
          {
            series:
              'onlyoffice_container_health{name="onlyoffice-rabbitmq", status="unhealthy", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${uh + 4}`,
          },
          {
            series:
              'onlyoffice_container_state{name="onlyoffice-documentserver", state="running", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${uh + 4}`,
          },
          {
            comment: ['stopped while unhealthy: Docker keeps the status, OnlyofficeDocsContainerExited speaks for it'],
            series:
              'onlyoffice_container_health{name="onlyoffice-stopped", status="unhealthy", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${uh + 4}`,
          },
          {
            series:
              'onlyoffice_container_state{name="onlyoffice-stopped", state="running", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${uh + 4}`,
          },
        ],
        checks: [
          { at: `${uh}m`, alert: 'OnlyofficeDocsContainerUnhealthy', fires: [] },
          {
            at: `${uh + 1}m`,
            alert: 'OnlyofficeDocsContainerUnhealthy',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  name: 'onlyoffice-documentserver',
                  status: 'unhealthy',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: `${uh + 3}m`, alert: 'OnlyofficeDocsContainerUnhealthy', fires: [] },
        ],
      },
      {
        name: `OnlyofficeDocsContainerExited after ${enDuration(t.containers.exited_for)} exited, until started again`,
        interval: '1m',
        series: [
          ...containerStates('onlyoffice-documentserver', `0x${ex + 5}`, {
            running: `1 0x${ex + 2} 1x2`,
            exited: `0 1x${ex + 2} 0x2`,
          }),
          ...containerStates('onlyoffice-postgresql', `0x${ex + 5}`, { running: `1x${ex + 5}` }),
        ],
        checks: [
          { at: duration(ex), alert: 'OnlyofficeDocsContainerExited', fires: [] },
          {
            at: duration(ex + 1),
            alert: 'OnlyofficeDocsContainerExited',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  name: 'onlyoffice-documentserver',
                  state: 'exited',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: duration(ex + 4), alert: 'OnlyofficeDocsContainerExited', fires: [] },
        ],
      },
      {
        name: 'Several containers of one exporter all name its DocumentServer (onlyoffice_target_info, many to one)',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_target_info{documentserver="https://docs.example.com", public_url="", instance="10.0.0.5:9967", job="onlyoffice"}',
            values: `1x${ex + 2}`,
          },
          {
            series:
              'onlyoffice_container_state{name="onlyoffice-documentserver", state="exited", instance="10.0.0.5:9967", job="onlyoffice"}',
            values: `1x${ex + 2}`,
          },
          {
            series:
              'onlyoffice_container_state{name="onlyoffice-rabbitmq", state="dead", instance="10.0.0.5:9967", job="onlyoffice"}',
            values: `1x${ex + 2}`,
          },
        ],
        checks: [
          {
            at: duration(ex + 1),
            alert: 'OnlyofficeDocsContainerExited',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  documentserver: 'https://docs.example.com',
                  name: 'onlyoffice-documentserver',
                  state: 'exited',
                  instance: '10.0.0.5:9967',
                  job: 'onlyoffice',
                },
                value: 1,
              },
              {
                labels: {
                  severity: 'critical',
                  documentserver: 'https://docs.example.com',
                  name: 'onlyoffice-rabbitmq',
                  state: 'dead',
                  instance: '10.0.0.5:9967',
                  job: 'onlyoffice',
                },
                value: 1,
              },
            ],
          },
        ],
      },
      {
        name: 'OnlyofficeDocsSupervisorProgramNotRunning critical for docservice/converter, warning for others, never for STOPPED',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:docservice", state="RUNNING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 ${run(0, pr + 2)} 1 1 1`,
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:docservice", state="STARTING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:docservice", state="BACKOFF", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:docservice", state="STOPPING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:docservice", state="STOPPED", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:docservice", state="EXITED", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:docservice", state="FATAL", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 ${run(1, pr + 2)} 0 0 0`,
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:docservice", state="UNKNOWN", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:converter", state="RUNNING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(1, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:converter", state="STARTING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:converter", state="BACKOFF", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:converter", state="STOPPING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:converter", state="STOPPED", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:converter", state="EXITED", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:converter", state="FATAL", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:converter", state="UNKNOWN", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:metrics", state="RUNNING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 ${run(0, pr + 2)} 1 1 1`,
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:metrics", state="STARTING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:metrics", state="BACKOFF", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 ${run(1, pr + 2)} 0 0 0`,
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:metrics", state="STOPPING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:metrics", state="STOPPED", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:metrics", state="EXITED", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:metrics", state="FATAL", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:metrics", state="UNKNOWN", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:example", state="RUNNING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:example", state="STARTING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:example", state="BACKOFF", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:example", state="STOPPING", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:example", state="STOPPED", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(1, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:example", state="EXITED", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:example", state="FATAL", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
          {
            series:
              'onlyoffice_supervisor_process_state{container="onlyoffice-documentserver", ' +
              'program="ds:example", state="UNKNOWN", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: run(0, pr + 6),
          },
        ],
        checks: [
          { at: `${pr}m`, alert: 'OnlyofficeDocsSupervisorProgramNotRunning', fires: [] },
          {
            at: `${pr + 1}m`,
            alert: 'OnlyofficeDocsSupervisorProgramNotRunning',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  container: 'onlyoffice-documentserver',
                  program: 'ds:docservice',
                  state: 'FATAL',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
              {
                labels: {
                  severity: 'warning',
                  container: 'onlyoffice-documentserver',
                  program: 'ds:metrics',
                  state: 'BACKOFF',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: `${pr + 4}m`, alert: 'OnlyofficeDocsSupervisorProgramNotRunning', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsSupervisorUnreachable, but not for a container that is not running',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_supervisor_up{container="onlyoffice-documentserver", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${su + 1} 1x2`,
          },
          ...containerStates('onlyoffice-documentserver', run(0, su + 5), { running: run(1, su + 5) }),
          {
            series:
              'onlyoffice_supervisor_up{container="onlyoffice-documentserver-2", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${su + 4}`,
          },
          ...containerStates('onlyoffice-documentserver-2', run(0, su + 5), { exited: run(1, su + 5) }),
        ],
        checks: [
          { at: `${su}m`, note: 'pending since 1m', alert: 'OnlyofficeDocsSupervisorUnreachable', fires: [] },
          {
            at: `${su + 1}m`,
            alert: 'OnlyofficeDocsSupervisorUnreachable',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  container: 'onlyoffice-documentserver',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: `${su + 3}m`, alert: 'OnlyofficeDocsSupervisorUnreachable', fires: [] },
        ],
      },
    ],
  };
};
