/** "Is Docs working, and if not, which hop broke": health, hops, version, license, exporter. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import {
  gaugePanel,
  newDashboard,
  numberPanels,
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

export const OVERVIEW_UID = 'onlyoffice-docs-overview';

const colorBackground: dashboard.DynamicConfigValue = { id: 'custom.cellOptions', value: { type: 'color-background' } };

/**
 * The hops a request to Docs passes, in that order, each as a PromQL expression that is 1 when the hop works and 0
 * when it does not, one series per instance and job.
 */
export const HOPS: [string, string][] = [
  ['proxy', `min by (instance, job) (onlyoffice_endpoint_up${sel('via="public",endpoint!="websocket"')})`],
  [
    'docservice',
    `min by (instance, job) (onlyoffice_endpoint_up${sel('via="direct",endpoint=~"healthcheck|index|command"')})`,
  ],
  ['WebSocket', `min by (instance, job) (onlyoffice_endpoint_up${sel('endpoint="websocket"')})`],
  ['healthcheck', `max by (instance, job) (onlyoffice_healthcheck_up${sel()})`],
  [
    'CommandService',
    `max by (instance, job) (onlyoffice_command_error${sel('command="version",code="0"')}) or on (instance, job) (0 * max by (instance, job) (onlyoffice_command_error${sel('command="version"')}))`,
  ],
  [
    'RabbitMQ',
    // One RabbitMQ source answering is enough (OnlyofficeDocsRabbitmqUnreachable takes max too).
    `min by (instance, job) (onlyoffice_dependency_up${sel('dependency="rabbitmq"')} or max by (instance, job) (onlyoffice_rabbitmq_up${sel()}))`,
  ],
  ['PostgreSQL', `min by (instance, job) (onlyoffice_dependency_up${sel('dependency="postgresql"')})`],
  [
    'converter',
    // max over ds.converttask and ds.converttask6: the queue an upgrade to 8.3 leaves behind has no consumer for good.
    `min by (instance, job) (onlyoffice_conversion_probe_success${sel()} or (max by (instance, job, vhost) (onlyoffice_rabbitmq_queue_consumers${sel('queue=~"ds\\\\.converttask6?"')}) > bool 0))`,
  ],
];

/** What the hop column shows for each hop (a value mapping, so the zh-CN variant can translate it). */
const HOP_NAMES: Record<string, string> = {
  proxy: 'reverse proxy',
  docservice: 'docservice',
  WebSocket: 'WebSocket',
  healthcheck: '/healthcheck',
  CommandService: 'CommandService',
  RabbitMQ: 'RabbitMQ',
  PostgreSQL: 'PostgreSQL',
  converter: 'converter',
};
const hopMappings: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: Object.fromEntries(HOPS.map(([hop], index) => [hop, { text: HOP_NAMES[hop] ?? hop, index }])),
  },
];

/** All hops as one table query: each hop's series labelled with its name (hop) and its place (order) to sort by. */
function hopQuery(): string {
  return HOPS.map(
    ([hop, expr], i) => `label_replace(label_replace(${expr}, "hop", "${hop}", "", ""), "order", "${i + 1}", "", "")`,
  ).join('\nor\n');
}

/** A table of 0/1 gauges, one column each (metric, column name), shown as yes / NO. */
function yesNoTable(title: string, description: string, columns: [string, string][]): table.PanelBuilder {
  const panel = tablePanel(
    title,
    description,
    columns.map(([metric]) => [`${metric}${sel()}`]),
    ['Time', '__name__'],
  ).mappings(
    valueMap([
      [1, 'yes', 'green'],
      [0, 'NO', 'red'],
    ]),
  );
  // Grafana names the columns of merged table queries Value #A, #B, ... in query order.
  columns.forEach(([, name], i) =>
    panel.overrideByName(`Value #${String.fromCharCode(65 + i)}`, [{ id: 'displayName', value: name }]),
  );
  return panel;
}

export function overview(): dashboard.Dashboard {
  const builder = newDashboard({
    uid: OVERVIEW_UID,
    title: 'ONLYOFFICE Docs / Overview',
    description:
      'Is ONLYOFFICE Docs working, which hop is broken, version, license and connections against their limits.',
    tags: ['overview'],
  });
  for (const variable of standardVariables('onlyoffice_healthcheck_up')) builder.withVariable(variable);

  // One line per DocumentServer: with a /probe fleet each instance is one DS; with one exporter on /metrics, its one DS.
  const fleetColumns: [string, string, dashboard.DynamicConfigValue[]][] = [
    ['Value #A', 'scraped', [{ id: 'mappings', value: UP_DOWN }, colorBackground]],
    ['Value #B', 'healthcheck', [{ id: 'mappings', value: UP_DOWN }, colorBackground]],
    ['Value #C', 'direct hops', [{ id: 'mappings', value: UP_DOWN }, colorBackground]],
    ['Value #D', 'proxy hops', [{ id: 'mappings', value: UP_DOWN }, colorBackground]],
    ['Value #E', 'JWT / commands', [{ id: 'mappings', value: UP_DOWN }, colorBackground]],
    [
      'Value #F',
      'license use',
      [
        { id: 'unit', value: 'percentunit' },
        { id: 'decimals', value: 0 },
      ],
    ],
    [
      'Value #G',
      'certificate days left',
      [
        { id: 'unit', value: 'd' },
        { id: 'decimals', value: 0 },
      ],
    ],
  ];
  let fleet = tablePanel(
    'Fleet: one line per DocumentServer',
    'Each DocumentServer (instance): scraped, /healthcheck, every hop checked directly and through its public_url (1 = all answered as DS), ' +
      'CommandService answering error 0 (JWT right), the highest license use, days left on the earliest leaf certificate, and its version. ' +
      "Empty: not configured for that DS (no public_url, no https). Fleets: probe.targets, discovered from the exporter's /sd.",
    [
      [`max by (instance) (up${sel()})`, { instant: true }],
      [`max by (instance) (onlyoffice_healthcheck_up${sel()})`, { instant: true }],
      [`min by (instance) (onlyoffice_endpoint_up${sel('via="direct"')})`, { instant: true }],
      [`min by (instance) (onlyoffice_endpoint_up${sel('via="public"')})`, { instant: true }],
      [`max by (instance) (onlyoffice_command_error${sel('command="version",code="0"')})`, { instant: true }],
      [`max by (instance) (instance_mode:onlyoffice_connections:limit_ratio${sel()})`, { instant: true }],
      [
        `min by (instance) (onlyoffice_tls_cert_not_after_timestamp_seconds${sel('position="0"')} - time()) / 86400`,
        { instant: true },
      ],
      [`max by (instance, version) (onlyoffice_build_info${sel()})`, { instant: true }],
    ],
    ['Time', 'Value #H'],
  );
  for (const [field, name, properties] of fleetColumns)
    fleet = fleet.overrideByName(field, [{ id: 'displayName', value: name }, ...properties]);

  builder.withRow(row('Fleet')).withPanel(fleet.height(8).span(24));

  builder
    .withRow(row('Is Docs working?'))
    .withPanel(
      statPanel(
        'Healthcheck',
        '/healthcheck answered true in time (DS answers 200 with false when RabbitMQ or PostgreSQL is down).',
        [[`onlyoffice_healthcheck_up${sel()}`, { legend: '{{instance}}', instant: true }]],
      )
        .mappings(UP_DOWN)
        .thresholds(
          thresholds([
            [null, 'red'],
            [1, 'green'],
          ]),
        )
        .height(5)
        .span(6),
    )
    .withPanel(
      statPanel('Exporter scrape', 'Prometheus reached the exporter (up). 0: no metric of this instance is current.', [
        [`up${sel()}`, { legend: '{{instance}}', instant: true }],
      ])
        .mappings(UP_DOWN)
        .thresholds(
          thresholds([
            [null, 'red'],
            [1, 'green'],
          ]),
        )
        .height(5)
        .span(6),
    )
    .withPanel(
      statPanel(
        'Healthcheck duration',
        'How long /healthcheck took; it hangs while RabbitMQ or PostgreSQL is frozen.',
        [[`onlyoffice_healthcheck_duration_seconds${sel()}`, { legend: '{{instance}}', instant: true }]],
      )
        .unit('s')
        .thresholds(
          thresholds([
            [null, 'green'],
            [1, 'orange'],
            [5, 'red'],
          ]),
        )
        .height(5)
        .span(6),
    )
    .withPanel(
      statPanel('Active alerts', 'OnlyofficeDocs* alerts pending or firing for these instances.', [
        [`count(ALERTS${sel('alertname=~"OnlyofficeDocs.*"')}) or vector(0)`, { legend: 'alerts', instant: true }],
      ])
        .thresholds(
          thresholds([
            [null, 'green'],
            [1, 'red'],
          ]),
        )
        .height(5)
        .span(6),
    )
    .withPanel(
      tablePanel(
        'Which hop is broken',
        "One row per hop, in the order a request travels: the reverse proxy (public_url), docservice answering directly, the editors' WebSocket, /healthcheck true, CommandService answering error 0, RabbitMQ, PostgreSQL, the converter (a consumer on the task queue, and the test conversion when it runs). The first DOWN row is where to look. A hop that is not configured has no row.",
        [[hopQuery(), { instant: true }]],
        ['Time', '__name__', 'job', 'order'],
        'order',
      )
        .overrideByName('hop', [
          { id: 'displayName', value: 'hop' },
          { id: 'mappings', value: hopMappings },
        ])
        .overrideByName('Value', [
          { id: 'displayName', value: 'up' },
          { id: 'mappings', value: UP_DOWN },
          colorBackground,
          {
            id: 'thresholds',
            value: {
              mode: 'absolute',
              steps: [
                { value: null, color: 'red' },
                { value: 1, color: 'green' },
              ],
            },
          },
        ])
        .height(9)
        .span(12),
    )
    .withPanel(
      tablePanel(
        'Endpoints, direct and through the proxy',
        "Each endpoint checked directly (documentserver.url) and through the reverse proxy (public_url). api_js is served by nginx from disk, so it answers while docservice is down. websocket is the editors' co-editing channel: up directly and down (400) through the proxy means the proxy does not forward WebSocket upgrades. status 0: no HTTP answer.",
        [[`onlyoffice_endpoint_up${sel()}`], [`onlyoffice_endpoint_status_code${sel()}`]],
        ['Time', '__name__'],
      )
        .overrideByName('Value #A', [
          { id: 'displayName', value: 'up' },
          { id: 'mappings', value: UP_DOWN },
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
          {
            id: 'thresholds',
            value: {
              mode: 'absolute',
              steps: [
                { value: null, color: 'red' },
                { value: 1, color: 'green' },
              ],
            },
          },
        ])
        .overrideByName('Value #B', [{ id: 'displayName', value: 'HTTP status' }])
        .height(9)
        .span(12),
    )
    .withPanel(
      stateTimelinePanel('Endpoints over time', 'onlyoffice_endpoint_up per endpoint and hop.', [
        [`onlyoffice_endpoint_up${sel()}`, { legend: '{{instance}} {{endpoint}} {{via}}' }],
      ])
        .mappings(UP_DOWN)
        .thresholds(
          thresholds([
            [null, 'red'],
            [1, 'green'],
          ]),
        )
        .height(9)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        'HTTP status by hop',
        '502 through the proxy with direct down: docservice is down. Direct up and public down: the proxy is broken.',
        [[`onlyoffice_endpoint_status_code${sel()}`, { legend: '{{instance}} {{endpoint}} {{via}}' }]],
      )
        .decimals(0)
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel('Endpoint duration', 'How long each endpoint took to answer or to fail.', [
        [`onlyoffice_endpoint_duration_seconds${sel()}`, { legend: '{{instance}} {{endpoint}} {{via}}' }],
        [`onlyoffice_healthcheck_duration_seconds${sel()}`, { legend: '{{instance}} healthcheck (collector)' }],
      ])
        .unit('s')
        .height(8)
        .span(12),
    )
    .withPanel(
      statPanel(
        "Editors' token (WebSocket)",
        'Whether DocumentServer accepts an editor\'s token signed with documentserver.jwt.browser_secret on the co-editing WebSocket (7.3+, with documentserver.jwt). DOWN: editors say "document security token is not correctly formed".',
        [[`onlyoffice_websocket_auth_up${sel()}`, { legend: '{{instance}} {{via}}', instant: true }]],
      )
        .mappings(UP_DOWN)
        .thresholds(
          thresholds([
            [null, 'red'],
            [1, 'green'],
          ]),
        )
        .height(5)
        .span(12),
    );

  builder
    .withRow(row('Version and license'))
    .withPanel(
      tablePanel('DocumentServer version', 'From CommandService version, else /info/info.json, else /index.html.', [
        [`onlyoffice_build_info${sel()}`],
      ])
        .height(6)
        .span(8),
    )
    .withPanel(
      tablePanel(
        'License',
        "DocumentServer's license check result (status), flags (mode), package and where it was read.",
        [[`onlyoffice_license_info${sel()}`]],
        ['Time', 'Value', '__name__', 'status_code'],
      )
        .height(6)
        .span(16),
    )
    .withPanel(
      statPanel(
        'License days left',
        'Days until the license ends; absent for a license without end date (the open-source build).',
        [
          [
            `(onlyoffice_license_expiry_timestamp_seconds${sel()} - time()) / 86400`,
            { legend: '{{instance}}', instant: true },
          ],
        ],
      )
        .unit('d')
        .decimals(1)
        .thresholds(
          thresholds([
            [null, 'red'],
            [14, 'orange'],
            [30, 'green'],
          ]),
        )
        .height(6)
        .span(8),
    )
    .withPanel(
      gaugePanel(
        'Connections of the licensed limit',
        'Current connections over the connection limit, per mode (connection-based licenses; the open-source build allows 20).',
        [
          [
            `instance_mode:onlyoffice_connections:limit_ratio${sel()}`,
            { legend: '{{instance}} {{mode}}', instant: true },
          ],
        ],
      )
        .unit('percentunit')
        .min(0)
        .max(1)
        .thresholds(
          thresholds([
            [null, 'green'],
            [0.8, 'orange'],
            [0.9, 'red'],
          ]),
        )
        .height(6)
        .span(8),
    )
    .withPanel(
      gaugePanel(
        'Users of the licensed limit',
        'Unique users this period over the user limit, per mode (user-based licenses).',
        [[`instance_mode:onlyoffice_users:limit_ratio${sel()}`, { legend: '{{instance}} {{mode}}', instant: true }]],
      )
        .unit('percentunit')
        .min(0)
        .max(1)
        .thresholds(
          thresholds([
            [null, 'green'],
            [0.8, 'orange'],
            [0.9, 'red'],
          ]),
        )
        .height(6)
        .span(8),
    )
    .withPanel(
      timeseriesPanel(
        'Connections and limit',
        'Current connections by mode (view: live viewers, 7.2+) and the licensed connection limit.',
        [
          [`onlyoffice_connections${sel()}`, { legend: '{{instance}} {{mode}}' }],
          [`onlyoffice_license_connections_limit${sel()} > 0`, { legend: '{{instance}} {{mode}} limit' }],
        ],
      )
        .decimals(0)
        .height(8)
        .span(8),
    )
    .withPanel(
      timeseriesPanel(
        'Users this period and limit',
        'Users counted against a user-based license and the licensed user count.',
        [
          [`onlyoffice_users${sel()}`, { legend: '{{instance}} {{mode}} {{kind}}' }],
          [`onlyoffice_license_users_limit${sel()} > 0`, { legend: '{{instance}} {{mode}} limit' }],
        ],
      )
        .decimals(0)
        .height(8)
        .span(8),
    )
    .withPanel(
      timeseriesPanel(
        'Connections per day (DS statistics)',
        "DocumentServer's own connectionsStat for the last day: max and average, sampled by DS every 2 minutes.",
        [
          [
            `onlyoffice_connections_stat${sel('period="day",stat=~"max|avg"')}`,
            { legend: '{{instance}} {{mode}} {{stat}}' },
          ],
        ],
      )
        .decimals(0)
        .height(8)
        .span(8),
    );

  builder
    .withRow(row('Certificates'))
    .withPanel(
      statPanel(
        'Certificate days left',
        "Days until the earliest certificate of each HTTPS endpoint's chain, and each certificate file, expires.",
        [
          [
            `(min without (position, subject) (onlyoffice_tls_cert_not_after_timestamp_seconds${sel()}) - time()) / 86400`,
            { legend: '{{instance}} {{target}}', instant: true },
          ],
          [
            `(onlyoffice_tls_cert_file_not_after_timestamp_seconds${sel()} - time()) / 86400`,
            { legend: '{{instance}} {{path}}', instant: true },
          ],
        ],
      )
        .unit('d')
        .decimals(1)
        .thresholds(
          thresholds([
            [null, 'red'],
            [3, 'orange'],
            [14, 'green'],
          ]),
        )
        .height(6)
        .span(8),
    )
    .withPanel(
      yesNoTable(
        'HTTPS endpoints',
        'Handshake, verification to a trusted root, complete chain (every intermediate sent) and host name, per endpoint.',
        [
          ['onlyoffice_tls_up', 'handshake'],
          ['onlyoffice_tls_cert_verified', 'verified'],
          ['onlyoffice_tls_cert_chain_complete', 'chain complete'],
          ['onlyoffice_tls_cert_hostname_match', 'host name'],
        ],
      )
        .height(6)
        .span(8),
    )
    .withPanel(
      yesNoTable(
        'Certificate files',
        "The files DS's nginx loads: readable PEM, the .key beside it matches, the file carries its intermediates.",
        [
          ['onlyoffice_tls_cert_file_readable', 'readable'],
          ['onlyoffice_tls_cert_file_key_match', 'key matches'],
          ['onlyoffice_tls_cert_file_chain_complete', 'chain complete'],
        ],
      )
        .height(6)
        .span(8),
    );

  builder
    .withRow(row('Disk and dependencies'))
    .withPanel(
      gaugePanel(
        'Space used',
        'Used share of each file system holding a DS path (available to non-root users, as df shows).',
        [
          [
            `1 - max without (path) (onlyoffice_filesystem_avail_bytes${sel()} / onlyoffice_filesystem_size_bytes${sel()})`,
            { legend: '{{instance}} {{mountpoint}}', instant: true },
          ],
        ],
      )
        .unit('percentunit')
        .min(0)
        .max(1)
        .thresholds(
          thresholds([
            [null, 'green'],
            [0.8, 'orange'],
            [0.95, 'red'],
          ]),
        )
        .height(7)
        .span(8),
    )
    .withPanel(
      gaugePanel('Inodes used', 'Used share of the inodes of each file system holding a DS path.', [
        [
          `1 - max without (path) (onlyoffice_filesystem_files_free${sel()} / onlyoffice_filesystem_files${sel()})`,
          { legend: '{{instance}} {{mountpoint}}', instant: true },
        ],
      ])
        .unit('percentunit')
        .min(0)
        .max(1)
        .thresholds(
          thresholds([
            [null, 'green'],
            [0.8, 'orange'],
            [0.95, 'red'],
          ]),
        )
        .height(7)
        .span(8),
    )
    .withPanel(
      timeseriesPanel(
        'Available space',
        'Bytes available per file system; the disk alerts extrapolate this over 6 hours.',
        [[`max without (path) (onlyoffice_filesystem_avail_bytes${sel()})`, { legend: '{{instance}} {{mountpoint}}' }]],
      )
        .unit('bytes')
        .height(7)
        .span(8),
    )
    .withPanel(
      tablePanel(
        'DS paths',
        'Each configured path, its mount, and whether it is read-only or could not be examined.',
        [[`onlyoffice_filesystem_readonly${sel()}`], [`onlyoffice_filesystem_device_error${sel()}`]],
        ['Time', '__name__'],
      )
        .mappings(
          valueMap([
            [1, 'YES', 'red'],
            [0, 'no', 'green'],
          ]),
        )
        .overrideByName('Value #A', [{ id: 'displayName', value: 'read-only' }])
        .overrideByName('Value #B', [{ id: 'displayName', value: 'error' }])
        .height(7)
        .span(12),
    )
    .withPanel(
      stateTimelinePanel(
        'Dependencies',
        'PostgreSQL, RabbitMQ and Redis answering their protocol (a frozen server still accepts TCP).',
        [[`onlyoffice_dependency_up${sel()}`, { legend: '{{instance}} {{dependency}} {{address}}' }]],
      )
        .mappings(UP_DOWN)
        .thresholds(
          thresholds([
            [null, 'red'],
            [1, 'green'],
          ]),
        )
        .height(7)
        .span(12),
    );

  builder
    .withRow(row('Commands and storage'))
    .withPanel(
      tablePanel(
        'CommandService answers',
        'The code each read-only command returned: 0 none is success, 6 token (JWT mismatch), 7 token_expired, 3 unknown (internal). A command this DS version lacks (getForgottenList on 7.1) is in onlyoffice_command_supported, not here.',
        [[`onlyoffice_command_error${sel()} == 1`]],
      )
        .height(7)
        .span(16),
    )
    .withPanel(
      statPanel('Forgotten files', 'Files DS keeps because saving them to the storage failed (7.5 and later).', [
        [`onlyoffice_forgotten_files${sel()}`, { legend: '{{instance}}', instant: true }],
      ])
        .thresholds(
          thresholds([
            [null, 'green'],
            [1, 'red'],
          ]),
        )
        .height(7)
        .span(8),
    );

  builder.withRow(row('Backups')).withPanel(
    tablePanel(
      'Backups',
      'The newest file of each backup job in backups: its age and size against max_age and min_size (0: not checked), and how many files match.',
      [
        [`time() - onlyoffice_backup_last_timestamp_seconds${sel()}`],
        [`onlyoffice_backup_age_limit_seconds${sel()}`],
        [`onlyoffice_backup_size_bytes${sel()}`],
        [`onlyoffice_backup_min_size_bytes${sel()}`],
        [`onlyoffice_backup_files${sel()}`],
      ],
      ['Time', '__name__'],
    )
      .overrideByName('Value #A', [
        { id: 'displayName', value: 'age' },
        { id: 'unit', value: 's' },
      ])
      .overrideByName('Value #B', [
        { id: 'displayName', value: 'max age' },
        { id: 'unit', value: 's' },
      ])
      .overrideByName('Value #C', [
        { id: 'displayName', value: 'size' },
        { id: 'unit', value: 'bytes' },
      ])
      .overrideByName('Value #D', [
        { id: 'displayName', value: 'min size' },
        { id: 'unit', value: 'bytes' },
      ])
      .overrideByName('Value #E', [{ id: 'displayName', value: 'files' }])
      .height(6)
      .span(24),
  );

  builder
    .withRow(row('Exporter'))
    .withPanel(
      stateTimelinePanel(
        'Collectors',
        '1 when the collector finished in the scrape, 0 when it failed or ran past the deadline.',
        [[`onlyoffice_scrape_collector_success${sel()}`, { legend: '{{instance}} {{collector}}' }]],
      )
        .mappings(
          valueMap([
            [1, 'OK', 'green'],
            [0, 'FAILED', 'red'],
          ]),
        )
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel('Collector duration', 'How long each collector took in the scrape.', [
        [`onlyoffice_scrape_collector_duration_seconds${sel()}`, { legend: '{{instance}} {{collector}}' }],
        [`scrape_duration_seconds${sel()}`, { legend: '{{instance}} whole scrape (Prometheus)' }],
      ])
        .unit('s')
        .height(8)
        .span(12),
    )
    .withPanel(
      tablePanel('Exporter version', 'onlyoffice-exporter and Node.js versions.', [
        [`onlyoffice_exporter_build_info${sel()}`],
      ])
        .height(5)
        .span(12),
    )
    .withPanel(
      statPanel(
        'Config file',
        "Whether the exporter's last load of its config file succeeded; when refused it runs the previous one.",
        [[`onlyoffice_exporter_config_last_reload_successful${sel()}`, { legend: '{{instance}}', instant: true }]],
      )
        .mappings(
          valueMap([
            [1, 'loaded', 'green'],
            [0, 'REFUSED', 'red'],
          ]),
        )
        .height(5)
        .span(12),
    )
    .withPanel(
      stateTimelinePanel(
        'Probes',
        'probe_success of each /probe target (fleet mode): /healthcheck true, as blackbox_exporter says it.',
        [[`probe_success${sel()}`, { legend: '{{instance}}' }]],
      )
        .mappings(
          valueMap([
            [1, 'OK', 'green'],
            [0, 'FAILED', 'red'],
          ]),
        )
        .height(6)
        .span(24),
    );

  return numberPanels(builder.build());
}
