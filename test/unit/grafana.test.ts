import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DASHBOARDS_DIR, generate } from '../../grafana/build.js';
import { defaults } from '../../alerts/thresholds.js';
import { DATASOURCE_UID } from '../../grafana/src/common.js';
import { documentedMetrics } from '../support/docs.js';
import { promqlReferences, substituteGrafanaVariables } from '../support/prometheus.js';
import { foreignWords, halfWidthPunctuation } from '../support/zh.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
// The exporter serves the runbooks (src/web/runbooks.ts): runbook_url is alerts/thresholds.yml's base + the alert's name.
const RUNBOOK_BASE = defaults().runbook_base_url;
const EXPECTED_UIDS = ['onlyoffice-docs-containers', 'onlyoffice-docs-conversions', 'onlyoffice-docs-overview'];
const LANGUAGE_DIRS = ['en', 'zh-CN'];
const FILES = ['onlyoffice-docs-containers.json', 'onlyoffice-docs-conversions.json', 'onlyoffice-docs-overview.json'];

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; legendFormat?: string; datasource?: { type: string; uid: string } }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  panels: (Panel & {
    transformations?: { id: string; options: Record<string, unknown> }[];
    fieldConfig?: { overrides: { properties: { id: string; value: unknown }[] }[] };
  })[];
  templating: {
    list: { name: string; type: string; query: unknown; datasource?: { uid: string }; current?: { value: unknown } }[];
  };
}
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every committed dashboard file, `<language>/<file>`, with its JSON. */
const committedFiles = (): string[] =>
  readdirSync(DASHBOARDS_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.split('\\').join('/'))
    .sort();
const committedDashboards = (): Map<string, Dashboard> =>
  new Map(committedFiles().map((f) => [f, JSON.parse(readFileSync(DASHBOARDS_DIR + f, 'utf8')) as Dashboard]));
const panelsOf = (d: Dashboard): Panel[] =>
  d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const ruleFiles = (): string[] =>
  readdirSync(new URL('alerts/', ROOT))
    .filter((f) => f.endsWith('.rules.yml'))
    .sort()
    .map((f) => `alerts/${f}`);
const rulesIn = (path: string): Rule[] =>
  (parse(read(path)) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const alertRules = (): Rule[] => ruleFiles().flatMap(rulesIn);
const recordingRules = (): Rule[] => rulesIn('prometheus/recording-rules.yml');

describe('dashboards as code', () => {
  test('the committed JSON equals a fresh generation (run npx tsx grafana/build.ts)', () => {
    const fresh = generate();
    const committed = committedFiles();
    expect(committed).toEqual([...fresh.keys()].sort());
    expect(committed).toEqual(LANGUAGE_DIRS.flatMap((language) => FILES.map((file) => `${language}/${file}`)));
    for (const [file, content] of fresh)
      expect({ file, content: readFileSync(DASHBOARDS_DIR + file, 'utf8') }).toEqual({ file, content });
  });

  test('fixed uids, unique titles, the datasource/job/instance variables on every dashboard', () => {
    const dashboards = [...committedDashboards().values()];
    expect(dashboards.map((d) => d.uid).sort()).toEqual(
      [...EXPECTED_UIDS, ...EXPECTED_UIDS.map((uid) => `${uid}-zh-cn`)].sort(),
    );
    expect(new Set(dashboards.map((d) => d.title)).size).toBe(dashboards.length);
    for (const d of dashboards) {
      const variables = d.templating.list;
      expect(variables.slice(0, 3).map((v) => [v.name, v.type])).toEqual([
        ['datasource', 'datasource'],
        ['job', 'query'],
        ['instance', 'query'],
      ]);
      expect(variables[0]!.query).toBe('prometheus');
      expect(variables[0]!.current?.value).toBe(DATASOURCE_UID);
      for (const v of variables.slice(1))
        expect({ variable: v.name, uid: v.datasource?.uid }).toEqual({ variable: v.name, uid: '${datasource}' });
      expect(JSON.stringify(d)).not.toMatch(/__inputs|\$\{DS_/);
    }
  });

  test('every panel and every query reads from the datasource variable; panel ids and refIds are unique', () => {
    for (const d of committedDashboards().values()) {
      const ids = d.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((q) => q.id)]);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of panelsOf(d)) {
        const where = `${d.uid} / ${panel.title}`;
        expect({ where, datasource: panel.datasource }).toEqual({
          where,
          datasource: { type: 'prometheus', uid: '${datasource}' },
        });
        expect({ where, targets: (panel.targets ?? []).length > 0 }).toEqual({ where, targets: true });
        const refIds = panel.targets!.map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const target of panel.targets!) {
          expect({ where, datasource: target.datasource }).toEqual({
            where,
            datasource: { type: 'prometheus', uid: '${datasource}' },
          });
          // The fleet view: every selector filters by job and instance.
          for (const selector of target.expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*\{[^}]*\}/g) ?? []) {
            expect({
              where,
              selector,
              filtered: selector.includes('job=~"$job"') && selector.includes('instance=~"$instance"'),
            }).toEqual({ where, selector, filtered: true });
          }
        }
      }
    }
  });

  test('provisioning: the datasource has the uid the dashboards default to; the provider loads the dashboards folder', () => {
    const datasources = parse(read('grafana/provisioning/datasources/onlyoffice.yml')) as {
      apiVersion: number;
      datasources: { uid: string; type: string }[];
    };
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources.map((d) => [d.uid, d.type])).toEqual([[DATASOURCE_UID, 'prometheus']]);
    const providers = parse(read('grafana/provisioning/dashboards/onlyoffice.yml')) as {
      apiVersion: number;
      providers: { type: string; folder: string; options: { path: string; foldersFromFilesStructure: boolean } }[];
    };
    expect(providers.apiVersion).toBe(1);
    // One folder for both languages: the provider walks en/ and zh-CN/ under path; their titles and uids all differ
    // (the test above), as Grafana's provisioning docs require within one folder.
    expect(
      providers.providers.map((p) => [p.type, p.folder, p.options.path, p.options.foldersFromFilesStructure]),
    ).toEqual([['file', 'ONLYOFFICE Docs', '/var/lib/grafana/dashboards/onlyoffice', false]]);
  });

  test('the zh-CN and English variants: same panels and queries, every title translated, each in its own language', () => {
    const all = committedDashboards();
    const CJK = /[\u4e00-\u9fff]/;
    for (const file of FILES) {
      const en = all.get(`en/${file}`)!;
      const zh = all.get(`zh-CN/${file}`)!;
      expect(zh.uid).toBe(`${en.uid}-zh-cn`);
      expect({ en: en.tags.at(-1), zh: zh.tags.at(-1) }).toEqual({ en: 'en', zh: 'zh-CN' });
      const shape = (d: Dashboard) =>
        d.panels
          .flatMap((p) => [p, ...(p.panels ?? [])])
          .map((p) => ({
            id: p.id,
            type: p.type,
            // Legends are translated; their {{label}} templates stay, in the same order.
            targets: (p.targets ?? []).map(({ legendFormat, ...target }) => ({
              ...target,
              legendLabels: legendFormat?.match(/\{\{[^}]*\}\}/g) ?? [],
            })),
          }));
      expect(shape(zh)).toEqual(shape(en));
      const titles = (d: Dashboard) => [
        d.title,
        ...d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => p.title),
      ];
      const zhTitles = titles(zh);
      const enTitles = titles(en);
      expect(zhTitles).toHaveLength(enTitles.length);
      expect({
        file,
        zh: CJK.test(zh.title) && CJK.test(zh.description),
        en: CJK.test(JSON.stringify(enTitles)) || CJK.test(en.description),
      }).toEqual({ file, zh: true, en: false });
      // Every title changes, except names that read the same in both (CPU, Exporter, a metric or program name).
      const SAME = new Set(['CPU', 'Exporter']);
      for (const [i, title] of enTitles.entries()) {
        if (SAME.has(title)) continue;
        expect({ file, title, zh: CJK.test(zhTitles[i]!) }).toEqual({ file, title, zh: true });
      }
    }
  });

  test('"Which hop is broken": one row per hop, in the order a request travels, sorted by that order', () => {
    for (const language of LANGUAGE_DIRS) {
      const d = committedDashboards().get(`${language}/onlyoffice-docs-overview.json`)!;
      const panel = d.panels.find(
        (p) =>
          p.id ===
          committedDashboards()
            .get('en/onlyoffice-docs-overview.json')!
            .panels.find((q) => q.title === 'Which hop is broken')!.id,
      )!;
      expect(panel.targets).toHaveLength(1);
      const expr = panel.targets![0]!.expr;
      const hops = [...expr.matchAll(/"hop", "([^"]+)", "", ""\), "order", "(\d+)"/g)].map(([, hop, order]) => [
        order,
        hop,
      ]);
      expect(hops).toEqual([
        ['1', 'proxy'],
        ['2', 'docservice'],
        ['3', 'WebSocket'],
        ['4', 'healthcheck'],
        ['5', 'CommandService'],
        ['6', 'RabbitMQ'],
        ['7', 'PostgreSQL'],
        ['8', 'converter'],
      ]);
      expect(panel.transformations!.map((t) => t.id)).toEqual(['merge', 'sortBy', 'organize']);
      expect(panel.transformations![1]!.options).toEqual({ sort: [{ field: 'order', desc: false }] });
      expect(
        (panel.transformations![2]!.options as { excludeByName: Record<string, boolean> }).excludeByName.order,
      ).toBe(true);
    }
  });

  test('restarts are shown as increases, and the step-timing heatmap has units on both axes', () => {
    const containers = committedDashboards().get('en/onlyoffice-docs-containers.json')!;
    const restarts = containers.panels.find((p) => p.title === 'Restarts')!;
    expect(restarts.targets!.map((t) => t.expr)).toEqual([
      'increase(onlyoffice_container_restarts{job=~"$job",instance=~"$instance",name=~"$container"}[$__rate_interval])',
    ]);
    const conversions = committedDashboards().get('en/onlyoffice-docs-conversions.json')!;
    const heatmap = conversions.panels.find((p) => p.type === 'heatmap') as unknown as {
      options: { yAxis: { unit: string }; cellValues: { unit: string }; rowsFrame: { value: string } };
      fieldConfig: { defaults: { unit: string } };
    };
    expect({
      y: heatmap.options.yAxis.unit,
      cells: heatmap.options.cellValues.unit,
      value: heatmap.options.rowsFrame.value,
      field: heatmap.fieldConfig.defaults.unit,
    }).toEqual({ y: 's', cells: 'ops', value: 'steps per second', field: 's' });
  });
});

// ---------------------------------------------------------------------------------------------------------------

/**
 * Latin words the zh-CN dashboards may show besides test/support/zh.ts's list: names of things in their own software
 * (StatsD, the exporter, CPU, PEM, a container's ID) that a Chinese operator reads as they are, and the prefixes of
 * DS's StatsD metrics in the row titles (conv.*, coauth.*).
 */
const DASHBOARD_LATIN = new Set(['StatsD', 'Exporter', 'CPU', 'PEM', 'ID', 'conv', 'coauth']);

/** String keys whose values a reader sees: checked. `text` and `value` only where they are text (see below). */
const TEXT_KEYS = new Set(['title', 'description', 'label', 'legendFormat', 'tooltip', 'text', 'value']);
/**
 * String keys whose values no reader sees as prose: queries, ids, units, colours, enum settings, field names the
 * overrides match, and the tags the dashboards' link menu matches on. A key in neither list fails the test, so a new
 * kind of text cannot slip through untranslated.
 */
const NON_TEXT_KEYS = new Set([
  ...[
    'timezone',
    'type',
    'name',
    'auto_min',
    'query',
    'uid',
    'definition',
    'allValue',
    'tags',
    'refresh',
    'from',
    'to',
  ],
  ...['icon', 'placement', 'repeatDirection', 'showValue', 'alignValue', 'displayMode', 'mode', 'sort', 'color'],
  ...['expr', 'refId', 'calcs', 'showPoints', 'cellHeight', 'align', 'id', 'options', 'format', 'graphMode'],
  ...['colorMode', 'justifyMode', 'textMode', 'percentChangeColorMode', 'orientation', 'unit', 'scheme', 'fill'],
  ...['scale', 'axisPlacement', 'selectionMode', 'layout', 'field', 'sizing'],
]);

interface ReadableString {
  where: string;
  text: string;
}

/**
 * Every string of a dashboard a reader sees, with its JSON path. `text` is a value mapping's display text (a variable's
 * `current.text` is its selected value); `value` is text as a displayName override and as the heatmap's cell name.
 * Legend formats are checked without their `{{label}}` templates. Unknown string keys are returned as problems.
 */
export function readableStrings(dashboard: unknown): { strings: ReadableString[]; unknownKeys: string[] } {
  const strings: ReadableString[] = [];
  const unknownKeys: string[] = [];
  const walk = (node: unknown, path: string, key: string, parent: Record<string, unknown> | undefined) => {
    if (typeof node === 'string') {
      if (NON_TEXT_KEYS.has(key)) return;
      if (!TEXT_KEYS.has(key)) {
        unknownKeys.push(path);
        return;
      }
      if (key === 'text' && path.includes('.current.')) return;
      if (key === 'value' && parent?.id !== 'displayName' && !path.endsWith('.rowsFrame.value')) return;
      const text = key === 'legendFormat' ? node.replace(/\{\{[^}]*\}\}/g, ' ') : node;
      if (text.trim() !== '') strings.push({ where: path, text });
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`, key, parent));
    } else if (node !== null && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      for (const [k, v] of Object.entries(object)) walk(v, `${path}.${k}`, k, object);
    }
  };
  walk(dashboard, '$', '', undefined);
  return { strings, unknownKeys };
}

/** What a zh-CN reader would trip over in one dashboard: English words, half-width punctuation, unknown keys. */
function zhDashboardProblems(file: string, dashboard: unknown): string[] {
  const { strings, unknownKeys } = readableStrings(dashboard);
  const problems = unknownKeys.map((path) => `${file} ${path}: a string key neither checked nor known to be non-text`);
  for (const { where, text } of strings) {
    const words = foreignWords(text, DASHBOARD_LATIN);
    if (words.length > 0)
      problems.push(`${file} ${where}: English words ${JSON.stringify(words)} in ${JSON.stringify(text)}`);
    const punct = halfWidthPunctuation(text);
    if (punct.length > 0)
      problems.push(`${file} ${where}: half-width punctuation ${JSON.stringify(punct)} in ${JSON.stringify(text)}`);
  }
  return problems;
}

describe('the zh-CN dashboards read in Chinese', () => {
  test('the walk finds every kind of text: titles, descriptions, labels, legends, mappings, displayName, cell name', () => {
    const { strings, unknownKeys } = readableStrings({
      title: 'T',
      description: 'D',
      templating: { list: [{ label: 'L', current: { text: 'All', value: '$__all' } }] },
      links: [{ title: 'K', tooltip: '' }],
      panels: [
        {
          targets: [{ expr: 'up', legendFormat: '{{instance}} limit' }, { legendFormat: '{{instance}}' }],
          fieldConfig: {
            defaults: { mappings: [{ options: { '1': { text: 'UP', color: 'green' } } }] },
            overrides: [
              { matcher: { id: 'byName', options: 'Value #A' }, properties: [{ id: 'displayName', value: 'V' }] },
            ],
          },
          options: { rowsFrame: { value: 'cells' } },
        },
      ],
      somethingNew: 'x',
    });
    expect(strings.map((s) => [s.where, s.text])).toEqual([
      ['$.title', 'T'],
      ['$.description', 'D'],
      ['$.templating.list[0].label', 'L'],
      ['$.links[0].title', 'K'],
      ['$.panels[0].targets[0].legendFormat', '  limit'],
      ['$.panels[0].fieldConfig.defaults.mappings[0].options.1.text', 'UP'],
      ['$.panels[0].fieldConfig.overrides[0].properties[0].value', 'V'],
      ['$.panels[0].options.rowsFrame.value', 'cells'],
    ]);
    expect(unknownKeys).toEqual(['$.somethingNew']);
  });

  test('every string a reader sees in grafana/dashboards/zh-CN is Chinese, except the allowed Latin tokens', () => {
    const problems = [...committedDashboards()]
      .filter(([file]) => file.startsWith('zh-CN/'))
      .flatMap(([file, dashboard]) => zhDashboardProblems(file, dashboard));
    expect(problems).toEqual([]);
  });

  test('the hop column of "Which hop is broken" names each hop in the reader\'s language', () => {
    const hopNames = (file: string) => {
      const d = committedDashboards().get(file)! as unknown as {
        panels: {
          title: string;
          fieldConfig?: { overrides: { matcher: { options: string }; properties: { id: string; value: unknown }[] }[] };
        }[];
      };
      const panel = d.panels.find((p) => p.title === 'Which hop is broken' || p.title.startsWith('链路逐段检查'))!;
      const hop = panel.fieldConfig!.overrides.find((o) => o.matcher.options === 'hop')!;
      const mappings = hop.properties.find((p) => p.id === 'mappings')!.value as {
        options: Record<string, { text: string }>;
      }[];
      return Object.entries(mappings[0]!.options).map(([value, { text }]) => `${value}=${text}`);
    };
    expect(hopNames('en/onlyoffice-docs-overview.json')).toEqual([
      'proxy=reverse proxy',
      'docservice=docservice',
      'WebSocket=WebSocket',
      'healthcheck=/healthcheck',
      'CommandService=CommandService',
      'RabbitMQ=RabbitMQ',
      'PostgreSQL=PostgreSQL',
      'converter=converter',
    ]);
    expect(hopNames('zh-CN/onlyoffice-docs-overview.json')).toEqual([
      'proxy=反向代理',
      'docservice=docservice',
      'WebSocket=WebSocket',
      'healthcheck=/healthcheck',
      'CommandService=CommandService',
      'RabbitMQ=RabbitMQ',
      'PostgreSQL=PostgreSQL',
      'converter=转换进程',
    ]);
  });

  test('the English variant has no Chinese in what a reader sees', () => {
    const HAN = /[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]/;
    const chinese = [...committedDashboards()]
      .filter(([file]) => file.startsWith('en/'))
      .flatMap(([file, dashboard]) =>
        readableStrings(dashboard)
          .strings.filter((s) => HAN.test(s.text))
          .map((s) => `${file} ${s.where}: ${s.text}`),
      );
    expect(chinese).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Series Prometheus makes itself, with the labels they carry. */
const SYNTHETIC: Record<string, string[]> = {
  up: [],
  scrape_duration_seconds: [],
  ALERTS: ['alertname', 'alertstate', 'severity'],
};
const TARGET_LABELS = ['instance', 'job'];

/** Every metric name usable in a query → the label names it may be selected or grouped by. */
function knownMetrics(): Map<string, Set<string>> {
  const known = new Map<string, Set<string>>();
  for (const metric of documentedMetrics()) {
    const labels = [...metric.labels, ...TARGET_LABELS];
    if (metric.type === 'histogram') {
      known.set(`${metric.name}_bucket`, new Set([...labels, 'le']));
      known.set(`${metric.name}_sum`, new Set(labels));
      known.set(`${metric.name}_count`, new Set(labels));
    } else {
      known.set(metric.name, new Set(labels));
    }
  }
  for (const [name, labels] of Object.entries(SYNTHETIC)) known.set(name, new Set([...labels, ...TARGET_LABELS]));
  // Recording rules: what their expression keeps (grouping labels, else the sources' labels) plus static labels.
  for (const rule of recordingRules()) {
    const refs = promqlReferences(rule.expr);
    const kept =
      refs.grouping.size > 0 ? [...refs.grouping] : [...refs.metrics.keys()].flatMap((m) => [...(known.get(m) ?? [])]);
    const labels = known.get(rule.record!) ?? new Set<string>();
    for (const label of [...kept, ...Object.keys(rule.labels ?? {}), ...TARGET_LABELS])
      if (label !== 'le') labels.add(label);
    known.set(rule.record!, labels);
  }
  return known;
}

/** Problems with one expression: unknown metrics, labels a metric does not have, grouping by labels none of its metrics has. */
function problemsOf(where: string, expr: string, known: Map<string, Set<string>>, legend?: string): string[] {
  const problems: string[] = [];
  const refs = promqlReferences(expr);
  const available = new Set<string>(TARGET_LABELS);
  for (const [metric, labels] of refs.metrics) {
    const allowed = known.get(metric);
    if (!allowed) {
      problems.push(`${where}: metric ${metric} is not in docs/metrics.md nor a recording rule`);
      continue;
    }
    for (const label of allowed) available.add(label);
    for (const label of labels) if (!allowed.has(label)) problems.push(`${where}: ${metric} has no label ${label}`);
  }
  for (const label of refs.grouping)
    if (!available.has(label)) problems.push(`${where}: groups by ${label}, which none of its metrics has`);
  for (const [, label] of (legend ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
    if (!available.has(label!)) problems.push(`${where}: legend uses ${label}, which none of its metrics has`);
  }
  return problems;
}

describe('every metric and label used exists in docs/metrics.md', () => {
  test('the PromQL scanner finds metrics, their matchers and grouping labels', () => {
    const refs = promqlReferences(
      'sum by (instance, le) (rate(a_bucket{job=~"x", step="y"}[5m])) / on (job) b > 0 or vector(0) and absent(up{job=~"o.*"})',
    );
    expect([...refs.metrics].map(([m, l]) => [m, [...l].sort()])).toEqual([
      ['a_bucket', ['job', 'step']],
      ['b', []],
      ['up', ['job']],
    ]);
    expect([...refs.grouping].sort()).toEqual(['instance', 'job', 'le']);
    const known = new Map([['a_bucket', new Set(['job', 'le'])]]);
    expect(problemsOf('t', 'sum by (nope) (a_bucket{step="x"}) + c', known, '{{bad}}')).toEqual([
      't: a_bucket has no label step',
      't: metric c is not in docs/metrics.md nor a recording rule',
      't: groups by nope, which none of its metrics has',
      't: legend uses bad, which none of its metrics has',
    ]);
  });

  test('dashboards: every panel query, legend and variable query', () => {
    const known = knownMetrics();
    const problems: string[] = [];
    for (const d of committedDashboards().values()) {
      for (const panel of panelsOf(d)) {
        for (const target of panel.targets ?? []) {
          problems.push(
            ...problemsOf(
              `${d.uid} / ${panel.title} / ${target.refId}`,
              substituteGrafanaVariables(target.expr),
              known,
              target.legendFormat,
            ),
          );
        }
      }
      for (const variable of d.templating.list.filter((v) => v.type === 'query')) {
        const match = /^label_values\((.*),\s*(\w+)\)$/.exec(String(variable.query));
        expect({ variable: variable.name, query: variable.query, labelValues: match !== null }).toEqual({
          variable: variable.name,
          query: variable.query,
          labelValues: true,
        });
        problems.push(
          ...problemsOf(
            `${d.uid} / $${variable.name}`,
            `sum by (${match![2]}) (${substituteGrafanaVariables(match![1]!)})`,
            known,
          ),
        );
      }
    }
    expect(problems).toEqual([]);
  });

  test('recording rules and alert rules', () => {
    const known = knownMetrics();
    const problems = [
      ...recordingRules().flatMap((r) => problemsOf(`record ${r.record}`, r.expr, known)),
      ...alertRules().flatMap((r) => problemsOf(`alert ${r.alert}`, r.expr, known)),
    ];
    expect(problems).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('alert rules follow the conventions', () => {
  const CJK = /[\u4e00-\u9fff]/;

  test('OnlyofficeDocs* CamelCase names, unique; severity critical/warning/info; zh-CN and English annotations; runbook', () => {
    const alerts = alertRules();
    expect(alerts.length).toBeGreaterThan(10);
    expect(alerts.every((r) => r.alert !== undefined && r.record === undefined)).toBe(true);
    // One name may come in two severities (node-mixin style: warning and critical thresholds of one condition).
    const keys = alerts.map((r) => `${r.alert} ${r.labels?.severity}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(alerts.map((r) => r.alert)).toContain('OnlyofficeDocsDown');
    for (const rule of alerts) {
      const name = rule.alert!;
      expect({ name, camel: /^OnlyofficeDocs[A-Z][A-Za-z0-9]*$/.test(name) }).toEqual({ name, camel: true });
      expect({ name, severity: ['critical', 'warning', 'info'].includes(rule.labels?.severity ?? '') }).toEqual({
        name,
        severity: true,
      });
      expect({ name, annotations: Object.keys(rule.annotations ?? {}).sort() }).toEqual({
        name,
        annotations: ['description', 'description_en', 'runbook_url', 'summary', 'summary_en'],
      });
      const a = rule.annotations!;
      expect({
        name,
        zh: CJK.test(a.summary!) && CJK.test(a.description!),
        en: !CJK.test(a.summary_en!) && !CJK.test(a.description_en!),
      }).toEqual({ name, zh: true, en: true });
      expect(a.runbook_url).toBe(`${RUNBOOK_BASE}${name}`);
    }
  });

  test('every alert has a runbook page, zh-CN first with English alongside, and every page has an alert', () => {
    const names = [...new Set(alertRules().map((r) => r.alert!))].sort();
    const pages = readdirSync(new URL('docs/runbooks/', ROOT))
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .map((f) => f.replace(/\.md$/, ''))
      .sort();
    expect(pages).toEqual(names);
    for (const name of names) {
      const text = read(`docs/runbooks/${name}.md`);
      expect({ name, title: text.split('\n')[0] }).toEqual({ name, title: `# ${name}` });
      const zh = text.indexOf('## 中文');
      const en = text.indexOf('## English');
      expect({ name, zhFirst: zh > 0 && en > zh }).toEqual({ name, zhFirst: true });
      for (const heading of [
        '### 含义',
        '### 检查',
        '### 处理',
        '### Meaning',
        '### What to check',
        '### How to fix',
      ]) {
        expect({ name, heading, present: text.includes(heading) }).toEqual({ name, heading, present: true });
      }
    }
  });

  test('every alert (and severity) has a promtool test group that fires it, sees it quiet before (for:) and after (resolution)', () => {
    interface AlertTest {
      eval_time: string;
      alertname: string;
      exp_alerts?: { exp_labels?: Record<string, string> }[];
    }
    const seconds = (d: string) =>
      [...d.matchAll(/(\d+)(ms|[smhdwy])/g)].reduce(
        (s, [, n, u]) => s + Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[u!]!,
        0,
      );
    const proven = new Set<string>();
    const loaded = new Set<string>();
    for (const file of readdirSync(new URL('alerts/tests/', ROOT)).filter((f) => f.endsWith('.yml'))) {
      const suite = parse(read(`alerts/tests/${file}`)) as {
        rule_files: string[];
        tests: { alert_rule_test?: AlertTest[] }[];
      };
      for (const ruleFile of suite.rule_files) {
        for (const rule of rulesIn(`alerts/tests/${ruleFile}`.replace(/[^/]+\/\.\.\//g, '')))
          if (rule.alert) loaded.add(rule.alert);
      }
      for (const group of suite.tests) {
        const fires = new Map<string, number[]>();
        const quiet = new Map<string, number[]>();
        for (const c of group.alert_rule_test ?? []) {
          const t = seconds(c.eval_time);
          if ((c.exp_alerts ?? []).length === 0) quiet.set(c.alertname, [...(quiet.get(c.alertname) ?? []), t]);
          for (const a of c.exp_alerts ?? []) {
            const key = `${c.alertname} ${a.exp_labels?.severity}`;
            fires.set(key, [...(fires.get(key) ?? []), t]);
          }
        }
        for (const [key, times] of fires) {
          const first = Math.min(...times);
          const q = quiet.get(key.split(' ')[0]!) ?? [];
          if (q.some((t) => t < first) && q.some((t) => t > first)) proven.add(key);
        }
      }
    }
    for (const rule of alertRules()) {
      const key = `${rule.alert} ${rule.labels?.severity}`;
      expect({ key, loaded: loaded.has(rule.alert!), proven: proven.has(key) }).toEqual({
        key,
        loaded: true,
        proven: true,
      });
    }
  });
});
