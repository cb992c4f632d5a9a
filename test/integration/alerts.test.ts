import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requirePrograms } from '../support/integration.js';
import { promtool } from '../support/prometheus.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** `npm run rules -- ARGS`, as the operator runs it. */
async function npmRules(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '-s', 'rules', '--', ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const ruleFiles = () =>
  readdirSync(`${ROOT}alerts`)
    .filter((f) => f.endsWith('.rules.yml'))
    .sort()
    .map((f) => `alerts/${f}`);
const testFiles = () =>
  readdirSync(`${ROOT}alerts/tests`)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => `alerts/tests/${f}`);

requirePrograms('promtool').describe("Prometheus' promtool accepts what ships", () => {
  test('promtool check config prometheus/prometheus.yml (and the rule files it loads)', async () => {
    const { code, output } = await promtool(['check', 'config', 'prometheus/prometheus.yml'], ROOT);
    expect({ code, output }).toEqual({
      code: 0,
      output: expect.stringContaining('is valid prometheus config file syntax'),
    });
    // Every alert rule file and the recording rules are loaded by the example configuration.
    for (const file of [...ruleFiles(), 'prometheus/recording-rules.yml']) expect(output).toContain(`Checking ${file}`);
  });

  test('promtool check rules on every rule file', async () => {
    const { code, output } = await promtool(['check', 'rules', ...ruleFiles(), 'prometheus/recording-rules.yml'], ROOT);
    expect({ code, output }).toEqual({ code: 0, output: expect.not.stringContaining('FAILED') });
  });

  test('promtool test rules: every alert unit test passes', async () => {
    const files = testFiles();
    expect(files.length).toBeGreaterThan(0);
    const { code, output } = await promtool(['test', 'rules', ...files], ROOT);
    expect({ code, output }).toEqual({ code: 0, output: expect.not.stringContaining('FAILED') });
    expect(output.match(/SUCCESS/g)?.length).toBe(files.length);
  });

  test('a broken expectation fails promtool test rules (the unit tests can fail)', async () => {
    const dir = mkdtempSync(`${tmpdir()}/ooe-promtool-`);
    writeFileSync(
      `${dir}/t.yml`,
      `rule_files: [${ROOT}alerts/documentserver.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'onlyoffice_healthcheck_up{instance="a", job="onlyoffice"}'
        values: '0x5'
    alert_rule_test:
      - eval_time: 5m
        alertname: OnlyofficeDocsDown
        exp_alerts: []
`,
    );
    const { code, output } = await promtool(['test', 'rules', `${dir}/t.yml`], ROOT);
    expect(code).toBe(1);
    expect(output).toContain('alertname: OnlyofficeDocsDown');
  });

  test("npm run rules with an operator's thresholds writes rules, tests and a PrometheusRule that promtool checks and whose tests pass", async () => {
    const dir = mkdtempSync(`${tmpdir()}/ooe-rules-`);
    try {
      writeFileSync(
        `${dir}/my.yml`,
        [
          'runbook_base_url: https://exporter.intranet.example:9967/runbooks/',
          'job_regex: ds-exporter|ds-probe',
          'test_job: ds-probe',
          'instance_label: host',
          'severity: { critical: P1, warning: P2, info: P3 }',
          'disk: { used_warning_percent: 70.5, used_critical_percent: 85, for: 1h }',
          'conversions: { backlog_waiting: 100, backlog_for: 10m }',
          'latency: { healthcheck_seconds: 2.5, for: 3m }',
          'certificates: { warning_days: 45, critical_days: 10, warning_for: 2h, critical_for: 1m }',
          'license: { warning_percent: 70, critical_percent: 90, for: 1m }',
          '',
        ].join('\n'),
      );
      const out = `${dir}/out`;
      const written = await npmRules('--thresholds', `${dir}/my.yml`, '--out', out);
      expect({ code: written.code, stderr: written.stderr }).toEqual({ code: 0, stderr: '' });
      const rules = readdirSync(out)
        .filter((f) => f.endsWith('.rules.yml'))
        .sort();
      const tests = readdirSync(`${out}/tests`).sort();
      expect(rules).toEqual(ruleFiles().map((f) => f.slice('alerts/'.length)));
      expect(tests.length).toBe(rules.length);

      const check = await promtool(['check', 'rules', ...rules.map((f) => `${out}/${f}`)], ROOT);
      expect({ code: check.code, output: check.output }).toEqual({
        code: 0,
        output: expect.not.stringContaining('FAILED'),
      });
      const unit = await promtool(['test', 'rules', ...tests.map((f) => `${out}/tests/${f}`)], ROOT);
      expect({ code: unit.code, output: unit.output }).toEqual({
        code: 0,
        output: expect.not.stringContaining('FAILED'),
      });
      expect(unit.output.match(/SUCCESS/g)?.length).toBe(tests.length);

      // The numbers are the file's, not the defaults.
      const disk = readFileSync(`${out}/disk.rules.yml`, 'utf8');
      expect(disk).toContain('onlyoffice_filesystem_avail_bytes / onlyoffice_filesystem_size_bytes * 100 < 29.5');
      expect(disk).toContain('severity: P2');
      expect(readFileSync(`${out}/exporter.rules.yml`, 'utf8')).toContain('expr: up{job=~"ds-exporter|ds-probe"} == 0');
      const ds = readFileSync(`${out}/documentserver.rules.yml`, 'utf8');
      expect(ds).toContain('\n            onlyoffice_healthcheck_duration_seconds > 2.5\n');
      expect(ds).toContain('\n              onlyoffice_endpoint_duration_seconds{endpoint="healthcheck"} > 2.5\n');
      expect(readFileSync(`${out}/conversions.rules.yml`, 'utf8')).toContain('on (host, job, vhost, queue)');
      // The DocumentServer join follows instance_label too.
      expect(ds).toContain('* on (host, job) group_left (documentserver) onlyoffice_target_info\n');
      const k8s = readFileSync(`${out}/prometheusrule.yaml`, 'utf8');
      expect(k8s).toContain(
        'runbook_url: https://exporter.intranet.example:9967/runbooks/OnlyofficeDocsCertificateExpiring',
      );
      expect(k8s).toContain('0 < (onlyoffice_tls_cert_file_not_after_timestamp_seconds - time()) / 86400 < 10');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  // The generated tests compute their inputs from the numbers: thresholds close together, far apart, at the edges,
  // and for: durations from a minute to a day still give passing tests.
  // promtool evaluates every rule of a file at each minute of its longest scene: the long set takes minutes.
  test.each([
    [
      'tight and short',
      'disk: { used_warning_percent: 1, used_critical_percent: 99.9, for: 1m, readonly_for: 1m, device_error_for: 1m, ' +
        'space_filling_up_for: 1m, files_filling_up_for: 1m, out_of_files_for: 1m }\n' +
        'conversions: { backlog_waiting: 1, backlog_for: 1m, probe_slow_seconds: 0.5, probe_slow_for: 1m, rabbitmq_unreachable_for: 1m, ' +
        'probe_failing_for: 1m, queue_no_consumers_for: 1m, queue_growing_for: 1m }\n' +
        'containers: { exited_for: 1m, restarting_for: 1m, unhealthy_for: 1m, program_not_running_for: 1m, supervisor_unreachable_for: 1m }\n' +
        'documentserver: { jwt_mismatch_for: 1m, forgotten_files_for: 1m, editor_token_rejected_for: 1m }\n' +
        'dependencies: { down_for: 1m, unreachable_for: 1m }\nbackups: { stale_for: 1m, too_small_for: 1m }\n' +
        'latency: { healthcheck_seconds: 0.001, for: 1m }\ncertificates: { warning_days: 2, critical_days: 1, warning_for: 1m, critical_for: 1m, ' +
        'chain_incomplete_for: 1m, hostname_mismatch_for: 1m, file_problem_for: 1m, expired_for: 1m, untrusted_for: 1m }\n' +
        'license: { warning_percent: 1, critical_percent: 2, for: 1m, expiry_warning_days: 1, expiry_for: 1m, expired_for: 1m }\n' +
        'availability: { down_for: 1m, exporter_down_for: 1m, exporter_absent_for: 1m, collector_failing_for: 1m, ' +
        'config_reload_failed_for: 1m, tls_endpoint_down_for: 1m, docservice_down_for: 1m, proxy_error_for: 1m, websocket_broken_for: 1m }\n',
    ],
    [
      'close and long',
      'disk: { used_warning_percent: 98, used_critical_percent: 99, for: 1d, readonly_for: 2h, device_error_for: 1d, ' +
        'space_filling_up_for: 2h, files_filling_up_for: 1h30m, out_of_files_for: 3h }\n' +
        'conversions: { backlog_waiting: 1000000, backlog_for: 2h, probe_slow_seconds: 3600, probe_slow_for: 1d, rabbitmq_unreachable_for: 3h, ' +
        'probe_failing_for: 2h, queue_no_consumers_for: 3h, queue_growing_for: 6h }\n' +
        'containers: { exited_for: 1d, restarting_for: 3h, unhealthy_for: 2h, program_not_running_for: 3h, supervisor_unreachable_for: 2h }\n' +
        'documentserver: { jwt_mismatch_for: 2h, forgotten_files_for: 1d, editor_token_rejected_for: 2h }\n' +
        'dependencies: { down_for: 3h, unreachable_for: 4h }\nbackups: { stale_for: 6h, too_small_for: 2h }\n' +
        'latency: { healthcheck_seconds: 300, for: 1h30m }\ncertificates: { warning_days: 365, critical_days: 364, warning_for: 1d, critical_for: 12h, ' +
        'chain_incomplete_for: 2h, hostname_mismatch_for: 1d, file_problem_for: 30m, expired_for: 4h, untrusted_for: 2h }\n' +
        'license: { warning_percent: 98, critical_percent: 99.5, for: 6h, expiry_warning_days: 3650, expiry_for: 2d, expired_for: 6h }\n' +
        'availability: { down_for: 15m, exporter_down_for: 1h, exporter_absent_for: 1d, collector_failing_for: 2h, ' +
        'config_reload_failed_for: 3h, tls_endpoint_down_for: 45m, docservice_down_for: 1h, proxy_error_for: 3h, websocket_broken_for: 2h }\n',
    ],
  ])(
    'thresholds %s: the generated promtool tests pass',
    async (_, text) => {
      const dir = mkdtempSync(`${tmpdir()}/ooe-rules-`);
      try {
        writeFileSync(`${dir}/my.yml`, text);
        expect((await npmRules('--thresholds', `${dir}/my.yml`, '--out', `${dir}/out`)).code).toBe(0);
        const tests = readdirSync(`${dir}/out/tests`)
          .sort()
          .map((f) => `${dir}/out/tests/${f}`);
        const unit = await promtool(['test', 'rules', ...tests], ROOT);
        expect({ code: unit.code, output: unit.output }).toEqual({
          code: 0,
          output: expect.not.stringContaining('FAILED'),
        });
        expect(unit.output.match(/SUCCESS/g)?.length).toBe(tests.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    600_000,
  );

  test('npm run rules refuses a bad thresholds file with the key named and writes nothing', async () => {
    const dir = mkdtempSync(`${tmpdir()}/ooe-rules-`);
    try {
      writeFileSync(`${dir}/bad.yml`, 'disk:\n  used_warning_percent: 95\n  used_critical_percent: 90\n');
      const refused = await npmRules('--thresholds', `${dir}/bad.yml`, '--out', `${dir}/out`);
      expect(refused).toEqual({
        code: 2,
        stdout: '',
        stderr: `${dir}/bad.yml: disk.used_warning_percent: must be below disk.used_critical_percent (90)\n`,
      });
      expect(readdirSync(dir)).toEqual(['bad.yml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
