import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requirePrograms } from '../support/integration.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const ruleFiles = () => readdirSync(`${ROOT}alerts`).filter((f) => f.endsWith('.rules.yml')).sort().map((f) => `alerts/${f}`);
const testFiles = () => readdirSync(`${ROOT}alerts/tests`).filter((f) => f.endsWith('.yml')).sort().map((f) => `alerts/tests/${f}`);

requirePrograms('promtool').describe("Prometheus' promtool accepts what ships", () => {
  test('promtool check config prometheus/prometheus.yml (and the rule files it loads)', async () => {
    const { code, output } = await promtool('check', 'config', 'prometheus/prometheus.yml');
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('is valid prometheus config file syntax') });
    // Every alert rule file and the recording rules are loaded by the example configuration.
    for (const file of [...ruleFiles(), 'prometheus/recording-rules.yml']) expect(output).toContain(`Checking ${file}`);
  });

  test('promtool check rules on every rule file', async () => {
    const { code, output } = await promtool('check', 'rules', ...ruleFiles(), 'prometheus/recording-rules.yml');
    expect({ code, output }).toEqual({ code: 0, output: expect.not.stringContaining('FAILED') });
  });

  test('promtool test rules: every alert unit test passes', async () => {
    const files = testFiles();
    expect(files.length).toBeGreaterThan(0);
    const { code, output } = await promtool('test', 'rules', ...files);
    expect({ code, output }).toEqual({ code: 0, output: expect.not.stringContaining('FAILED') });
    expect(output.match(/SUCCESS/g)?.length).toBe(files.length);
  });

  test('a broken expectation fails promtool test rules (the unit tests can fail)', async () => {
    const dir = mkdtempSync(`${tmpdir()}/ooe-promtool-`);
    writeFileSync(`${dir}/t.yml`, `rule_files: [${ROOT}alerts/documentserver.rules.yml]
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
`);
    const { code, output } = await promtool('test', 'rules', `${dir}/t.yml`);
    expect(code).toBe(1);
    expect(output).toContain('alertname: OnlyofficeDocsDown');
  });
});
