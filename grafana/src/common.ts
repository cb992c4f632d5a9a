/**
 * Shared pieces of the ONLYOFFICE Docs dashboards: the variables every dashboard has (datasource, job,
 * instance), the selector every query uses, and panel builders with the datasource variable already set.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** The uid grafana/provisioning/datasources/onlyoffice.yml gives the Prometheus datasource. */
export const DATASOURCE_UID = 'onlyoffice-prometheus';
/** Every panel and query variable reads from the datasource the `datasource` variable picks. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** `{job=~"$job",instance=~"$instance",<extra>}`: every selector in every dashboard query. */
export function sel(extra = ''): string {
  return `{job=~"$job",instance=~"$instance"${extra ? `,${extra}` : ''}}`;
}

/**
 * datasource, job and instance. One exporter on /metrics gives one instance (the exporter); a /probe fleet
 * gives one instance per DocumentServer (prometheus/prometheus.yml relabels instance to the target).
 */
export function standardVariables(
  instanceMetric = 'onlyoffice_exporter_build_info',
): cog.Builder<dashboard.VariableModel>[] {
  return [
    new dashboard.DatasourceVariableBuilder('datasource')
      .label('Data source')
      .type('prometheus')
      .current({ selected: true, text: 'ONLYOFFICE Prometheus', value: DATASOURCE_UID }),
    queryVariable('job', 'Job', 'label_values(onlyoffice_exporter_build_info, job)'),
    queryVariable('instance', 'Instance', `label_values(${instanceMetric}{job=~"$job"}, instance)`),
  ];
}

export function queryVariable(
  name: string,
  label: string,
  query: string,
  options: { multi?: boolean; current?: string } = {},
): dashboard.QueryVariableBuilder {
  const multi = options.multi ?? true;
  const builder = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(multi);
  if (multi) builder.allValue('.+').current({ selected: true, text: ['All'], value: ['$__all'] });
  else if (options.current) builder.current({ selected: true, text: options.current, value: options.current });
  return builder;
}

export interface QueryOptions {
  legend?: string;
  instant?: boolean;
  table?: boolean;
  heatmap?: boolean;
}

export function query(expr: string, refId: string, options: QueryOptions = {}): prometheus.DataqueryBuilder {
  const builder = new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(refId).expr(expr);
  if (options.legend !== undefined) builder.legendFormat(options.legend);
  if (options.instant || options.table) builder.instant();
  else builder.range();
  if (options.table) builder.format(prometheus.PromQueryFormat.Table);
  if (options.heatmap) builder.format(prometheus.PromQueryFormat.Heatmap);
  return builder;
}

/** Targets A, B, C... in order. */
function targets(queries: [string, QueryOptions?][]): prometheus.DataqueryBuilder[] {
  return queries.map(([expr, options], i) => query(expr, String.fromCharCode(65 + i), options));
}

export function thresholds(steps: [number | null, string][]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));
}

/** Value → text and colour, e.g. 1 "UP" green, 0 "DOWN" red. */
export function valueMap(entries: [number, string, string][]): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  entries.forEach(([value, text, color], index) => (options[String(value)] = { text, color, index }));
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

export const UP_DOWN = valueMap([
  [1, 'UP', 'green'],
  [0, 'DOWN', 'red'],
]);

const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

export function statPanel(title: string, description: string, queries: [string, QueryOptions?][]): stat.PanelBuilder {
  const builder = new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .reduceOptions(lastValue())
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Background)
    .textMode(common.BigValueTextMode.ValueAndName);
  for (const target of targets(queries)) builder.withTarget(target);
  return builder;
}

export function gaugePanel(title: string, description: string, queries: [string, QueryOptions?][]): gauge.PanelBuilder {
  const builder = new gauge.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .reduceOptions(lastValue());
  for (const target of targets(queries)) builder.withTarget(target);
  return builder;
}

export function timeseriesPanel(
  title: string,
  description: string,
  queries: [string, QueryOptions?][],
): timeseries.PanelBuilder {
  const builder = new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending),
    );
  for (const target of targets(queries)) builder.withTarget(target);
  return builder;
}

/** One row per series, its labels as columns (instant query in table format); rows sorted by `sortBy` when given. */
export function tablePanel(
  title: string,
  description: string,
  queries: [string, QueryOptions?][],
  hide: string[] = ['Time', 'Value', '__name__'],
  sortBy?: string,
): table.PanelBuilder {
  const builder = new table.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .withTransformation({ id: 'merge', options: {} });
  // Before organize, which may hide the field sorted by.
  if (sortBy !== undefined)
    builder.withTransformation({ id: 'sortBy', options: { sort: [{ field: sortBy, desc: false }] } });
  builder.withTransformation({
    id: 'organize',
    options: { excludeByName: Object.fromEntries(hide.map((name) => [name, true])) },
  });
  for (const target of targets(queries.map(([expr, options]) => [expr, { ...options, table: true }])))
    builder.withTarget(target);
  return builder;
}

export function stateTimelinePanel(
  title: string,
  description: string,
  queries: [string, QueryOptions?][],
): statetimeline.PanelBuilder {
  const builder = new statetimeline.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.9);
  for (const target of targets(queries)) builder.withTarget(target);
  return builder;
}

/**
 * A Prometheus histogram of seconds as a heatmap: buckets as Grafana's own rows (no recalculation), the y axis and
 * the panel in seconds, the cells in `cellUnit` (what the expression counts, e.g. per second for a rate).
 */
export function heatmapPanel(
  title: string,
  description: string,
  expr: string,
  cellUnit: string,
  cellName: string,
): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .calculate(false)
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme('Oranges')
        .exponent(0.5)
        .steps(64)
        .fill('dark-orange')
        .reverse(false)
        .scale(heatmap.HeatmapColorScale.Exponential),
    )
    .unit('s')
    .yAxis(new heatmap.YAxisConfigBuilder().unit('s').axisPlacement(common.AxisPlacement.Left))
    .cellValues(new heatmap.CellValuesBuilder().unit(cellUnit))
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Ge).value(cellName))
    .cellGap(1)
    .withTarget(query(expr, 'A', { heatmap: true, legend: '{{le}}' }));
}

export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title);
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
}

export function newDashboard(spec: DashboardSpec): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['onlyoffice', ...spec.tags])
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(
      new dashboard.DashboardLinkBuilder('ONLYOFFICE Docs')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['onlyoffice'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

/** Panel ids in layout order, so links to a panel stay stable across regenerations. */
export function numberPanels(built: dashboard.Dashboard): dashboard.Dashboard {
  let id = 1;
  for (const panel of built.panels ?? []) {
    panel.id = id++;
    if ('panels' in panel && Array.isArray(panel.panels)) for (const inner of panel.panels) inner.id = id++;
  }
  return built;
}
