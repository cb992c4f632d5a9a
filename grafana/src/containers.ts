/** Containers of the ONLYOFFICE stack and the DS programs under supervisor. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  newDashboard,
  numberPanels,
  queryVariable,
  row,
  sel,
  standardVariables,
  statPanel,
  stateTimelinePanel,
  tablePanel,
  thresholds,
  timeseriesPanel,
  UP_DOWN,
  valueMap,
} from './common.js';

export const CONTAINERS_UID = 'onlyoffice-docs-containers';

const CONTAINER_STATES: [string, string][] = [
  ['running', 'green'],
  ['created', 'blue'],
  ['restarting', 'orange'],
  ['paused', 'yellow'],
  ['removing', 'purple'],
  ['exited', 'red'],
  ['dead', 'dark-red'],
];
const HEALTH: [string, string][] = [
  ['healthy', 'green'],
  ['starting', 'blue'],
  ['unhealthy', 'red'],
  ['none', 'text'],
];
const PROGRAM_STATES: [string, string][] = [
  ['RUNNING', 'green'],
  ['STARTING', 'blue'],
  ['BACKOFF', 'orange'],
  ['STOPPING', 'yellow'],
  ['STOPPED', 'text'],
  ['EXITED', 'red'],
  ['FATAL', 'dark-red'],
  ['UNKNOWN', 'purple'],
];

/**
 * A state set (one series per state, 1 for the current one) as one number per object, so a state timeline can
 * show it: the states are numbered 1, 2, ... and only the current one contributes to the sum.
 */
function stateCode(metric: string, label: string, states: [string, string][], matchers: string, by: string): string {
  const terms = states.map(([state], i) => `${metric}${sel(`${matchers},${label}="${state}"`)} * ${i + 1}`);
  return `sum by (${by}) (${terms.join(' or ')})`;
}
function stateMappings(states: [string, string][]): dashboard.ValueMapping[] {
  return valueMap(states.map(([state, color], i) => [i + 1, state, color]));
}

export function containers(): dashboard.Dashboard {
  const builder = newDashboard({
    uid: CONTAINERS_UID,
    title: 'ONLYOFFICE Docs / Containers',
    description:
      'State, health, restarts, OOM kills and resources of the ONLYOFFICE containers, and the DS programs under supervisor.',
    tags: ['containers'],
  });
  for (const variable of standardVariables('onlyoffice_container_state')) builder.withVariable(variable);
  builder.withVariable(
    queryVariable('container', 'Container', `label_values(onlyoffice_container_state${sel()}, name)`),
  );
  const c = 'name=~"$container"';

  builder
    .withRow(row('Containers'))
    .withPanel(
      stateTimelinePanel(
        'State',
        "Docker's state of each container: running, created, restarting, paused, removing, exited, dead.",
        [
          [
            stateCode('onlyoffice_container_state', 'state', CONTAINER_STATES, c, 'instance, name'),
            { legend: '{{instance}} {{name}}' },
          ],
        ],
      )
        .mappings(stateMappings(CONTAINER_STATES))
        .height(8)
        .span(12),
    )
    .withPanel(
      stateTimelinePanel(
        'Health',
        'Docker healthcheck status (none: the container has no healthcheck; the DS image defines none).',
        [
          [
            stateCode('onlyoffice_container_health', 'status', HEALTH, c, 'instance, name'),
            { legend: '{{instance}} {{name}}' },
          ],
        ],
      )
        .mappings(stateMappings(HEALTH))
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        'Restarts',
        "Restarts by the restart policy in the window before each point (the increase of Docker's RestartCount, not its running total; a container re-created counts from 0 again).",
        [[`increase(onlyoffice_container_restarts${sel(c)}[$__rate_interval])`, { legend: '{{instance}} {{name}}' }]],
      )
        .decimals(0)
        .min(0)
        .height(8)
        .span(8),
    )
    .withPanel(
      tablePanel(
        'Last exit',
        'Exit code of the last run (137: SIGKILL, OOM kills included) and whether the kernel killed it for memory.',
        [[`onlyoffice_container_exit_code${sel(c)}`], [`onlyoffice_container_oom_killed${sel(c)}`]],
        ['Time', '__name__'],
      )
        .overrideByName('Value #A', [{ id: 'displayName', value: 'exit code' }])
        .overrideByName('Value #B', [
          { id: 'displayName', value: 'OOM killed' },
          {
            id: 'mappings',
            value: valueMap([
              [1, 'YES', 'red'],
              [0, 'no', 'green'],
            ]),
          },
        ])
        .height(8)
        .span(8),
    )
    .withPanel(
      statPanel('Uptime', 'Time since each running container started.', [
        [
          `time() - onlyoffice_container_started_timestamp_seconds${sel(c)} and on (instance, job, name) (onlyoffice_container_state${sel(`${c},state="running"`)} == 1)`,
          { legend: '{{name}}', instant: true },
        ],
      ])
        .unit('s')
        .thresholds(
          thresholds([
            [null, 'orange'],
            [600, 'green'],
          ]),
        )
        .height(8)
        .span(8),
    )
    .withPanel(
      tablePanel('Containers', 'Short id and image of each matched container.', [
        [`onlyoffice_container_info${sel(c)}`],
      ])
        .height(6)
        .span(24),
    );

  builder
    .withRow(row('Resources (docker.stats: true)'))
    .withPanel(
      timeseriesPanel('CPU', 'CPU cores used by each container.', [
        [
          `rate(onlyoffice_container_cpu_usage_seconds_total${sel(c)}[$__rate_interval])`,
          { legend: '{{instance}} {{name}}' },
        ],
      ])
        .unit('short')
        .height(8)
        .span(8),
    )
    .withPanel(
      timeseriesPanel('Memory', 'Working set (as docker stats shows it) against the limit.', [
        [`onlyoffice_container_memory_working_set_bytes${sel(c)}`, { legend: '{{instance}} {{name}}' }],
        [`onlyoffice_container_memory_limit_bytes${sel(c)}`, { legend: '{{instance}} {{name}} limit' }],
      ])
        .unit('bytes')
        .height(8)
        .span(8),
    )
    .withPanel(
      timeseriesPanel(
        'Stats age',
        'How old the CPU and memory figures are (gathered in the background every docker.stats_interval).',
        [[`onlyoffice_container_stats_age_seconds${sel(c)}`, { legend: '{{instance}} {{name}}' }]],
      )
        .unit('s')
        .height(8)
        .span(8),
    );

  builder
    .withRow(row('Supervisor programs'))
    .withPanel(
      stateTimelinePanel(
        'Programs',
        'supervisorctl status of the DS programs (ds:docservice, ds:converter, ds:metrics, ...) in each DocumentServer container.',
        [
          [
            stateCode(
              'onlyoffice_supervisor_process_state',
              'state',
              PROGRAM_STATES,
              'container=~"$container"',
              'instance, container, program',
            ),
            { legend: '{{container}} {{program}}' },
          ],
        ],
      )
        .mappings(stateMappings(PROGRAM_STATES))
        .height(8)
        .span(12),
    )
    .withPanel(
      statPanel('supervisorctl reachable', 'Whether supervisorctl status reached supervisord in the container.', [
        [`onlyoffice_supervisor_up${sel('container=~"$container"')}`, { legend: '{{container}}', instant: true }],
      ])
        .mappings(UP_DOWN)
        .thresholds(
          thresholds([
            [null, 'red'],
            [1, 'green'],
          ]),
        )
        .height(8)
        .span(4),
    )
    .withPanel(
      timeseriesPanel('Program uptime', 'Uptime of each RUNNING program as supervisor printed it.', [
        [
          `onlyoffice_supervisor_process_uptime_seconds${sel('container=~"$container"')}`,
          { legend: '{{container}} {{program}}' },
        ],
      ])
        .unit('s')
        .height(8)
        .span(8),
    );

  builder
    .withRow(row('Docker engine'))
    .withPanel(
      timeseriesPanel(
        'Engine API requests',
        'Requests to the Docker Engine API per second by operation; flat between scrapes unless containers change.',
        [
          [
            `sum by (instance, operation) (rate(onlyoffice_docker_api_requests_total${sel()}[$__rate_interval]))`,
            { legend: '{{instance}} {{operation}}' },
          ],
        ],
      )
        .unit('reqps')
        .height(6)
        .span(16),
    )
    .withPanel(
      statPanel(
        'Since the last resync',
        'Time since the view was last rebuilt from a full list and inspect (docker.resync_interval).',
        [
          [
            `time() - onlyoffice_docker_last_resync_timestamp_seconds${sel()}`,
            { legend: '{{instance}}', instant: true },
          ],
        ],
      )
        .unit('s')
        .height(6)
        .span(8),
    );

  return numberPanels(builder.build());
}
