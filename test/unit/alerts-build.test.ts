import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { parse, stringify } from 'yaml';
import { generate, main, OUT_LAYOUT, stale } from '../../alerts/build.js';
import { goG, humanize1024, humanizeDuration, humanizePercentage, renderTemplate } from '../../alerts/src/model.js';
import { DEFAULTS_FILE, defaults, loadThresholds } from '../../alerts/thresholds.js';
import { DOCTOR_THRESHOLDS } from '../../src/doctor/thresholds.js';
import { registerRunbookRoutes } from '../../src/web/runbooks.js';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rulesOf = (text: string): Rule[] =>
  (parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ooe-thresholds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function thresholdsFile(text: string): string {
  const file = join(dir, 'my.yml');
  writeFileSync(file, text);
  return file;
}
const refusal = (text: string): string => {
  try {
    loadThresholds(thresholdsFile(text));
  } catch (error) {
    return (error as Error).message.replace(dir, 'DIR');
  }
  return 'accepted';
};

describe('alert rules as code', () => {
  test('the committed rules, promtool tests and PrometheusRule equal a fresh generation (run npm run rules)', () => {
    expect(stale()).toEqual([]);
  });

  test('zh-CN alert texts say 响应 as the doctor, status page and runbooks do: never 应答 or 逐跳 (issue 17)', () => {
    const files = generate(defaults(), OUT_LAYOUT);
    const rules = [...files].filter(([path]) => path.endsWith('.rules.yml')).flatMap(([, text]) => rulesOf(text));
    expect(rules.length).toBeGreaterThan(40);
    const found = rules.flatMap((r) =>
      Object.entries(r.annotations)
        .filter(([, text]) => /应答|逐跳/.test(text))
        .map(([key]) => `${r.alert} ${key}`),
    );
    expect(found).toEqual([]);
  });

  test('every key of alerts/thresholds.yml has its comment', () => {
    const lines = readFileSync(DEFAULTS_FILE, 'utf8').split('\n');
    const keys = lines.flatMap((line, i) =>
      /^\s*[a-z_]+:/.test(line)
        ? [{ key: line.trim().split(':')[0], commented: /^\s*#/.test(lines[i - 1] ?? '') }]
        : [],
    );
    expect(keys.length).toBeGreaterThan(15);
    expect(keys.filter((k) => !k.commented)).toEqual([]);
  });

  test('the default runbook_url base is the exporter on its default port, whose /runbooks/<AlertName> answers', async () => {
    const base = defaults().runbook_base_url;
    expect(base).toBe('http://localhost:9967/runbooks/');
    const app = Fastify();
    registerRunbookRoutes(app);
    const res = await app.inject({ url: `${new URL(base).pathname}OnlyofficeDocsDown?lang=en` });
    expect(res.statusCode).toBe(200);
    await app.close();
    for (const rule of [...generate(defaults())]
      .filter(([p]) => p.endsWith('.rules.yml'))
      .flatMap(([, text]) => rulesOf(text))) {
      expect(rule.annotations.runbook_url).toBe(`${base}${rule.alert}`);
    }
  });
});

test("the README's thresholds example is a valid file, and its values are the defaults", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```yaml\n(# my-thresholds\.yml[^]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const t = loadThresholds(thresholdsFile(block!));
  expect({ ...t, runbook_base_url: defaults().runbook_base_url }).toEqual(defaults());
  expect(t.runbook_base_url).toBe('http://exporter.intranet:9967/runbooks/');
});

test("the doctor's limits are the alert rules' defaults (issue 18: one place, kept equal)", () => {
  const t = defaults();
  expect(DOCTOR_THRESHOLDS).toEqual({
    diskUsedWarnPercent: t.disk.used_warning_percent,
    diskUsedFailPercent: t.disk.used_critical_percent,
    inodesFreeWarnPercent: t.disk.files_free_warning_percent,
    inodesFreeFailPercent: t.disk.files_free_critical_percent,
    certWarnDays: t.certificates.warning_days,
    certFailDays: t.certificates.critical_days,
    backlogWarn: t.conversions.backlog_waiting,
  });
});

test("npm run rules writes the doctor's limits from the thresholds it is given; a set written with --out leaves them out", () => {
  const t = loadThresholds(thresholdsFile('disk:\n  used_warning_percent: 70\ncertificates:\n  critical_days: 3\n'));
  const module = generate(t).get('src/doctor/thresholds.ts')!;
  expect(module).toContain('  diskUsedWarnPercent: 70,\n');
  expect(module).toContain('  certFailDays: 3,\n');
  const inodes = loadThresholds(
    thresholdsFile('disk:\n  files_free_warning_percent: 10\n  files_free_critical_percent: 2.5\n'),
  );
  expect(generate(inodes).get('src/doctor/thresholds.ts')).toContain(
    '  inodesFreeWarnPercent: 10,\n  /** disk.files_free_critical_percent: ...and this fails. */\n  inodesFreeFailPercent: 2.5,\n',
  );
  const rules = generate(inodes).get('alerts/disk.rules.yml')!;
  expect(rules).toContain('onlyoffice_filesystem_files_free / onlyoffice_filesystem_files * 100 < 10\n');
  expect(rules).toContain('unless onlyoffice_filesystem_files_free / onlyoffice_filesystem_files * 100 < 2.5\n');
  expect(defaults().disk).toMatchObject({ files_free_warning_percent: 5, files_free_critical_percent: 3 });
  expect([...generate(t, OUT_LAYOUT).keys()].filter((path) => path.includes('doctor'))).toEqual([]);
});

describe('a thresholds file is refused with the key named', () => {
  test.each([
    ['disk:\n  used_warn_percent: 70\n', 'DIR/my.yml: disk.used_warn_percent: unknown key'],
    ['colour: blue\n', 'DIR/my.yml: colour: unknown key'],
    [
      'disk:\n  used_warning_percent: 95\n',
      'DIR/my.yml: disk.used_warning_percent: must be below disk.used_critical_percent (90)',
    ],
    [
      'disk:\n  files_free_critical_percent: 5\n',
      'DIR/my.yml: disk.files_free_warning_percent: must be above disk.files_free_critical_percent (5)',
    ],
    ['license:\n  warning_percent: -5\n', 'DIR/my.yml: license.warning_percent: must be above 0'],
    ['license:\n  critical_percent: 120\n', 'DIR/my.yml: license.critical_percent: must be below 100'],
    [
      'certificates:\n  critical_days: 40\n',
      'DIR/my.yml: certificates.warning_days: must be more than certificates.critical_days (40)',
    ],
    ['latency:\n  for: 5 minutes\n', 'DIR/my.yml: latency.for: not a Prometheus duration (e.g. 30s, 5m, 1h)'],
    ['disk:\n  for: 90s\n', 'DIR/my.yml: disk.for: must be whole minutes (the promtool tests step 1m)'],
    [
      'backups:\n  stale_for: ten minutes\n',
      'DIR/my.yml: backups.stale_for: not a Prometheus duration (e.g. 30s, 5m, 1h)',
    ],
    ['dependencies:\n  down_for: 0m\n', 'DIR/my.yml: dependencies.down_for: must be longer than 0'],
    ['containers:\n  restarting_for: 5\n', 'DIR/my.yml: containers.restarting_for: Expected string, received number'],
    [
      'certificates:\n  untrusted_for: 1h30s\n',
      'DIR/my.yml: certificates.untrusted_for: must be whole minutes (the promtool tests step 1m)',
    ],
    [
      'disk:\n  space_filling_up_for: 3h\n',
      'DIR/my.yml: disk.space_filling_up_for: must be at most 2h (the critical alert predicts a fill-up within 4 hours)',
    ],
    ['conversions:\n  backlog_waiting: 2.5\n', 'DIR/my.yml: conversions.backlog_waiting: must be a whole number'],
    [
      'conversions:\n  backlog_waiting: "30"\n',
      'DIR/my.yml: conversions.backlog_waiting: Expected number, received string',
    ],
    ['instance_label: "host name"\n', 'DIR/my.yml: instance_label: not a Prometheus label name'],
    ['job_regex: "ds-.*"\n', 'DIR/my.yml: test_job: must match job_regex (ds-.*)'],
    [
      'job_regex: "onlyoffice(?!-old).*"\n',
      'DIR/my.yml: job_regex: Prometheus (RE2) has no lookaround or backreference',
    ],
    ['job_regex: "onlyoffice(["\n', 'DIR/my.yml: job_regex: not a regular expression'],
    ['runbook_base_url: http://exporter.intranet:9967/runbooks\n', 'DIR/my.yml: runbook_base_url: must end with /'],
    ['- 1\n', 'DIR/my.yml: (top level): must be a mapping of keys'],
  ])('%j', (text, message) => {
    expect(refusal(text)).toBe(message);
  });

  test('an --out that cannot be written exits 1 with the reason', () => {
    writeFileSync(join(dir, 'file'), '');
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => errors.push(m));
    try {
      expect(main(['--out', join(dir, 'file', 'rules')])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([`cannot write the rules: ENOTDIR: not a directory, mkdir '${dir}/file/rules'`]);
  });

  test('a missing file is named, not a stack trace', () => {
    expect(() => loadThresholds(join(dir, 'nope.yml'))).toThrow(`${dir}/nope.yml: cannot read it: ENOENT`);
  });

  test('npm run rules exits 2 with the message, writing nothing', () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => errors.push(m));
    try {
      expect(
        main(['--thresholds', thresholdsFile('disk:\n  used_critical_percent: 0\n'), '--out', join(dir, 'out')]),
      ).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([`${dir}/my.yml: disk.used_critical_percent: must be above 0`]);
    expect(() => readFileSync(join(dir, 'out', 'disk.rules.yml'))).toThrow();
  });
});

describe("Prometheus' template functions, as Go renders them", () => {
  test('humanizeDuration, humanizePercentage, humanize1024, %v and printf', () => {
    expect([0, 0.25, 2.5, 59, 90, 3600, 3661, 90061].map(humanizeDuration)).toEqual([
      '0s',
      '250ms',
      '2.5s',
      '59s',
      '1m 30s',
      '1h 0m 0s',
      '1h 1m 1s',
      '1d 1h 1m 1s',
    ]);
    expect([0.95, 0.8, 0.123456, 1].map(humanizePercentage)).toEqual(['95%', '80%', '12.35%', '100%']);
    expect([512, 1024, 524288, 1536, 1073741824].map(humanize1024)).toEqual(['512', '1ki', '512ki', '1.5ki', '1Gi']);
    expect([31, 0.5, 502, 1000000, 123456, 1e-5].map((v) => goG(v, -1))).toEqual([
      '31',
      '0.5',
      '502',
      '1e+06',
      '123456',
      '1e-05',
    ]);
    expect(
      renderTemplate(
        '{{ $labels.a }}{{ $labels.b }}: {{ printf "%.1f" $value }} {{ if gt $value 0.0 }}yes{{ else }}no{{ end }}',
        { a: 'x' },
        35.46,
      ),
    ).toBe('x: 35.5 yes');
    expect(() => renderTemplate('{{ $value | humanizeTimestamp }}', {}, 1)).toThrow('template construct not supported');
  });
});

test('OUT_LAYOUT keeps the tests next to the rules they load', () => {
  const files = generate(defaults(), OUT_LAYOUT);
  const suite = parse(files.get('tests/disk.test.yml')!) as { rule_files: string[] };
  expect(suite.rule_files).toEqual(['../disk.rules.yml']);
  expect(files.has('disk.rules.yml') && files.has('prometheusrule.yaml')).toBe(true);
});

test("every alert's for: comes from the thresholds file: a file setting every …_for key changes each rule's for:", () => {
  const forKeys = Object.fromEntries(
    Object.entries(defaults()).flatMap(([section, value]) =>
      typeof value === 'object' && value !== null && section !== 'severity'
        ? [
            [
              section,
              Object.fromEntries(
                Object.keys(value)
                  .filter((k) => k === 'for' || k.endsWith('_for'))
                  .map((k) => [k, '7m']),
              ),
            ],
          ]
        : [],
    ),
  );
  const files = generate(loadThresholds(thresholdsFile(stringify(forKeys))), OUT_LAYOUT);
  const rules = [...files].filter(([path]) => path.endsWith('.rules.yml')).flatMap(([, text]) => rulesOf(text));
  expect(rules.length).toBeGreaterThan(40);
  const without = rules.filter((r) => r.for === undefined).map((r) => r.alert);
  expect(without).toEqual(['OnlyofficeDocsContainerOomKilled', 'OnlyofficeDocsConversionDeadLetters']);
  expect(rules.filter((r) => r.for !== undefined && r.for !== '7m').map((r) => `${r.alert} ${r.for}`)).toEqual([]);
  // The descriptions say the new duration, never a default one.
  const fixed = rules.filter(
    (r) => r.for !== undefined && /已超过 (?!7 分钟)\d+ (分钟|小时)/.test(r.annotations.description ?? ''),
  );
  expect(fixed.map((r) => r.alert)).toEqual([]);
});
