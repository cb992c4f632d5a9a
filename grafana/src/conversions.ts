/** Conversions: FileConverter step timings and docservice operations from StatsD, and the StatsD receiver. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  heatmapPanel,
  newDashboard,
  numberPanels,
  queryVariable,
  row,
  sel,
  standardVariables,
  statPanel,
  tablePanel,
  thresholds,
  timeseriesPanel,
  valueMap,
} from './common.js';

export const CONVERSIONS_UID = 'onlyoffice-docs-conversions';

export function conversions(): dashboard.Dashboard {
  const builder = newDashboard({
    uid: CONVERSIONS_UID,
    title: 'ONLYOFFICE Docs / Conversions',
    description:
      'The conversion queue in RabbitMQ, conversion step timings from the StatsD DocumentServer sends, docservice operations and the StatsD receiver.',
    tags: ['conversions'],
  });
  for (const variable of standardVariables()) builder.withVariable(variable);
  builder.withVariable(
    queryVariable(
      'step',
      'Conversion step',
      `label_values(onlyoffice_conversion_step_duration_seconds_count${sel()}, step)`,
      { multi: false, current: 'allconvert' },
    ),
  );

  const task = 'queue=~"ds\\\\.converttask6?"';
  builder
    .withRow(row('Conversion queue (RabbitMQ)'))
    .withPanel(
      statPanel(
        'Converters',
        'Consumers on the task queue (ds.converttask, 8.3+: ds.converttask6): running FileConverter workers. 0: nothing converts.',
        [
          [
            `max by (instance, vhost) (onlyoffice_rabbitmq_queue_consumers${sel(task)})`,
            { legend: '{{instance}} {{vhost}}', instant: true },
          ],
        ],
      )
        .thresholds(
          thresholds([
            [null, 'red'],
            [1, 'green'],
          ]),
        )
        .height(7)
        .span(6),
    )
    .withPanel(
      timeseriesPanel(
        'Backlog',
        'Tasks waiting for a converter (ready) and being converted (unacked). Tasks expire after 900 s into ds.convertdead.',
        [
          [
            `onlyoffice_rabbitmq_queue_messages_ready${sel(task)}`,
            { legend: '{{instance}} {{vhost}} {{queue}} ready' },
          ],
          [
            `onlyoffice_rabbitmq_queue_messages_unacked${sel(task)}`,
            { legend: '{{instance}} {{vhost}} {{queue}} unacked' },
          ],
        ],
      )
        .decimals(0)
        .height(7)
        .span(9),
    )
    .withPanel(
      timeseriesPanel(
        'Consumers per queue',
        'ds.convertresponse and ds.convertdead: one per docservice; ds.delayed: none by design.',
        [[`onlyoffice_rabbitmq_queue_consumers${sel()}`, { legend: '{{instance}} {{vhost}} {{queue}}' }]],
      )
        .decimals(0)
        .height(7)
        .span(9),
    )
    .withPanel(
      timeseriesPanel(
        'Message rates',
        "RabbitMQ's sampled rates (management API only); publish on ds.convertdead is tasks being dead-lettered.",
        [[`onlyoffice_rabbitmq_queue_messages_per_second${sel()}`, { legend: '{{instance}} {{queue}} {{operation}}' }]],
      )
        .unit('ops')
        .height(7)
        .span(12),
    )
    .withPanel(
      tablePanel(
        'Queues and sources',
        'Which queues exist on the vhost (a missing one is not empty: DS never declared it there) and which source answered.',
        [[`onlyoffice_rabbitmq_queue_exists${sel()}`], [`onlyoffice_rabbitmq_up${sel()}`]],
        ['Time', '__name__'],
      )
        .overrideByName('Value #A', [{ id: 'displayName', value: 'exists' }])
        .overrideByName('Value #B', [{ id: 'displayName', value: 'source up' }])
        .height(7)
        .span(12),
    );

  builder
    .withRow(row('Conversion probe'))
    .withPanel(
      statPanel(
        'Last probe',
        'The synthetic conversion (conversion_probe): ConvertService, RabbitMQ, FileConverter and x2t, storage and /cache/files all worked in the last run.',
        [[`onlyoffice_conversion_probe_success${sel()}`, { legend: '{{instance}}', instant: true }]],
      )
        .mappings(
          valueMap([
            [1, 'OK', 'green'],
            [0, 'FAILED', 'red'],
          ]),
        )
        .thresholds(
          thresholds([
            [null, 'red'],
            [1, 'green'],
          ]),
        )
        .height(6)
        .span(6),
    )
    .withPanel(
      statPanel(
        'Outcome and DS error code',
        "How the last run ended (ok, error_code, timeout, request_failed, result_fetch_failed, result_url_refused, source_failed) and DS's error code (-4 source download, -8 token, ...).",
        [
          [`onlyoffice_conversion_probe_outcome${sel()} == 1`, { legend: '{{instance}} {{outcome}}', instant: true }],
          [`onlyoffice_conversion_probe_error_code${sel()}`, { legend: '{{instance}} error code', instant: true }],
        ],
      )
        .textMode(common.BigValueTextMode.Name)
        .colorMode(common.BigValueColorMode.None)
        .height(6)
        .span(6),
    )
    .withPanel(
      timeseriesPanel('Probe duration', 'From the first request to the fetched result (or the failure).', [
        [`onlyoffice_conversion_probe_duration_seconds${sel()}`, { legend: '{{instance}}' }],
      ])
        .unit('s')
        .height(6)
        .span(8),
    )
    .withPanel(
      statPanel(
        'Since the last run',
        'Time since the last run finished (it runs every conversion_probe.interval, 5m by default).',
        [
          [
            `time() - onlyoffice_conversion_probe_last_run_timestamp_seconds${sel()}`,
            { legend: '{{instance}}', instant: true },
          ],
        ],
      )
        .unit('s')
        .height(6)
        .span(4),
    );

  builder
    .withRow(row('Conversion steps (StatsD conv.*)'))
    .withPanel(
      heatmapPanel(
        'Step duration: $step',
        "FileConverter timings of the chosen step (allconvert: the whole task; spawnSync: x2t): rows are duration buckets in seconds, a cell's colour how many steps per second took that long. Needs DS statsd on and statsd.listen set.",
        `sum by (le) (rate(onlyoffice_conversion_step_duration_seconds_bucket${sel('step=~"$step"')}[$__rate_interval]))`,
        'ops',
        'steps per second',
      )
        .height(9)
        .span(12),
    )
    .withPanel(
      timeseriesPanel('Step duration quantiles', 'p50, p90 and p99 over 5 minutes per step (recording rules).', [
        [
          `instance_step_quantile:onlyoffice_conversion_step_duration_seconds:histogram_quantile_5m${sel('step=~"$step"')}`,
          { legend: '{{instance}} {{step}} p{{quantile}}' },
        ],
      ])
        .unit('s')
        .height(9)
        .span(12),
    )
    .withPanel(
      timeseriesPanel('Steps per second', 'Conversion tasks per second by step over 5 minutes (recording rule).', [
        [
          `instance_step:onlyoffice_conversion_step_duration_seconds_count:rate5m${sel()}`,
          { legend: '{{instance}} {{step}}' },
        ],
      ])
        .unit('ops')
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel('Average step duration', 'Mean time per step.', [
        [
          `sum by (instance, step) (rate(onlyoffice_conversion_step_duration_seconds_sum${sel()}[$__rate_interval])) / sum by (instance, step) (rate(onlyoffice_conversion_step_duration_seconds_count${sel()}[$__rate_interval]))`,
          { legend: '{{instance}} {{step}}' },
        ],
      ])
        .unit('s')
        .height(8)
        .span(12),
    );

  builder
    .withRow(row('Docservice operations (StatsD coauth.*)'))
    .withPanel(
      timeseriesPanel(
        'Operation duration p90',
        'p90 over 5 minutes of docservice operations: convertservice (the conversion API), openDocument.*, downloadAs.*, saveFile, websocket messages (recording rules).',
        [
          [
            `instance_operation_quantile:onlyoffice_docservice_operation_duration_seconds:histogram_quantile_5m${sel('quantile="0.9"')}`,
            { legend: '{{instance}} {{operation}}' },
          ],
        ],
      )
        .unit('s')
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel('Operations per second', 'Docservice operations per second over 5 minutes (recording rule).', [
        [
          `instance_operation:onlyoffice_docservice_operation_duration_seconds_count:rate5m${sel()}`,
          { legend: '{{instance}} {{operation}}' },
        ],
      ])
        .unit('ops')
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        'Editing session length p90',
        'Session length at close (coauth.session.edit / view, DS 8.2 and later).',
        [
          [
            `histogram_quantile(0.9, sum by (instance, mode, le) (rate(onlyoffice_docservice_session_duration_seconds_bucket${sel()}[$__rate_interval])))`,
            { legend: '{{instance}} {{mode}}' },
          ],
        ],
      )
        .unit('s')
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        'Connections reported over StatsD',
        'expireDoc.connections.* gauges: what DS holds, sent on connect/disconnect and every 2 minutes.',
        [[`onlyoffice_statsd_connections${sel()}`, { legend: '{{instance}} {{mode}}' }]],
      )
        .decimals(0)
        .height(8)
        .span(12),
    );

  builder
    .withRow(row('StatsD receiver'))
    .withPanel(
      statPanel(
        'Last StatsD sample',
        'Seconds since the last valid line arrived. DS sends its connection gauges every 2 minutes, so a large value means DS stopped sending.',
        [
          [
            `time() - onlyoffice_statsd_last_sample_timestamp_seconds${sel()}`,
            { legend: '{{instance}}', instant: true },
          ],
        ],
      )
        .unit('s')
        .thresholds(
          thresholds([
            [null, 'green'],
            [300, 'orange'],
            [900, 'red'],
          ]),
        )
        .height(6)
        .span(6),
    )
    .withPanel(
      statPanel('Series in memory', 'Distinct StatsD series held (statsd.max_series caps it).', [
        [`onlyoffice_statsd_series${sel()}`, { legend: '{{instance}}', instant: true }],
      ])
        .height(6)
        .span(6),
    )
    .withPanel(
      timeseriesPanel(
        'Received, invalid and dropped',
        'Datagrams and lines per second; invalid lines are ignored, dropped samples hit statsd.max_series.',
        [
          [
            `rate(onlyoffice_statsd_packets_received_total${sel()}[$__rate_interval])`,
            { legend: '{{instance}} packets' },
          ],
          [`rate(onlyoffice_statsd_lines_received_total${sel()}[$__rate_interval])`, { legend: '{{instance}} lines' }],
          [
            `rate(onlyoffice_statsd_lines_invalid_total${sel()}[$__rate_interval])`,
            { legend: '{{instance}} invalid lines' },
          ],
          [
            `rate(onlyoffice_statsd_samples_dropped_total${sel()}[$__rate_interval])`,
            { legend: '{{instance}} dropped samples' },
          ],
        ],
      )
        .unit('pps')
        .height(6)
        .span(12),
    );

  return numberPanels(builder.build());
}
