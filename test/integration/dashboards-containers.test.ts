/**
 * End to end for the containers dashboard and the container/supervisor alerts: a private Docker engine runs
 * busybox containers in every state the alerts care about (healthy with supervisor programs, unhealthy,
 * crash-looping, OOM-killed, exited, a DocumentServer container without supervisor), the real daemon watches them
 * (stats and supervisor checks every second), Debian's real Prometheus scrapes it with the shipped configuration.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentedMetrics } from '../support/docs.js';
import { ENGINE_PROGRAMS, PrivateEngine, TEST_IMAGE } from '../support/dockerd.js';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { requirePrograms } from '../support/integration.js';
import {
  configFromExample,
  dashboardQueries,
  dashboardVariables,
  expectActiveAlerts,
  promqlReferences,
  shippedRules,
  startPrometheus,
  substituteGrafanaVariables,
  type PrometheusServer,
} from '../support/prometheus.js';
import { waitFor } from '../support/service-process.js';

const DASHBOARD = 'onlyoffice-docs-containers';

// What supervisorctl status prints ('%(name)-32s %(state)-10s %(desc)s'); exit 3 when a program is not RUNNING.
const status = (docservice: string) => `#!/bin/sh
cat <<'EOF'
ds:converter                     RUNNING   pid 27, uptime 2 days, 3:04:05
${docservice}
ds:example                       STOPPED   Not started
ds:metrics                       BACKOFF   Exited too quickly (process log may have details)
EOF
exit 3
`;
const FATAL = 'ds:docservice                    FATAL     Exited too quickly (process log may have details)';
const RUNNING = 'ds:docservice                    RUNNING   pid 301, uptime 0:00:02';

const { describe: withPrograms } = requirePrograms(...ENGINE_PROGRAMS, 'prometheus');

withPrograms('Prometheus on the real exporter watching containers: containers dashboard and alerts', () => {
  let engine: PrivateEngine;
  let ds: DsSimulator;
  let exporter: ExporterProcess;
  let prom: PrometheusServer;
  let dir: string;
  let supervisorctl: string;
  let E: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ooe-e2e-containers-'));
    engine = await PrivateEngine.create();
    supervisorctl = engine.writeFile('supervisorctl', status(FATAL));
    const run = (name: string, ...args: string[]) => engine.cli('run', '-d', '--name', name, ...args);
    await Promise.all([
      run(
        'onlyoffice-documentserver',
        '--health-cmd',
        'true',
        '--health-interval',
        '1s',
        '-v',
        `${supervisorctl}:/bin/supervisorctl:ro`,
        TEST_IMAGE,
        'sleep',
        '3600',
      ),
      run('onlyoffice-documentserver-bare', TEST_IMAGE, 'sleep', '3600'),
      run(
        'onlyoffice-unhealthy',
        '--health-cmd',
        'false',
        '--health-interval',
        '1s',
        '--health-retries',
        '1',
        TEST_IMAGE,
        'sleep',
        '3600',
      ),
      run('onlyoffice-restarting', '--restart', 'always', TEST_IMAGE, 'sh', '-c', 'exit 1'),
      run('onlyoffice-oom', '--memory', '8m', TEST_IMAGE, 'sh', '-c', 'sleep 2; exec tail /dev/zero'),
      run('onlyoffice-exited', TEST_IMAGE, 'sh', '-c', 'exit 3'),
    ]);
    ds = await startDsSimulator({ version: '7.5' });
    const configPath = join(dir, 'exporter.yml');
    writeFileSync(
      configPath,
      `
documentserver: { url: "${ds.url}" }
probe: { targets: ["${ds.url}"] }
disk: { paths: [] }
tls: { files: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
docker:
  socket: ${engine.socket}
  containers: ["onlyoffice-*"]
  stats: true
  stats_interval: 1s
  supervisor_interval: 1s
  supervisor_timeout: 2s
`,
    );
    exporter = await startExporter([`--config.file=${configPath}`, '--web.timeout-offset=100ms']);
    E = exporter.url.replace('http://', '');
    prom = await startPrometheus(configFromExample({ exporter: E, probeTargets: [ds.url] }));
    let seen = '';
    await waitFor('8 scrapes, the OOM kill and CPU rates', 90_000, async () => {
      const scrapes = Number((await prom.query(`count_over_time(up{instance="${E}"}[1m])`))[0]?.value[1] ?? 0);
      const oom = (await prom.query('onlyoffice_container_oom_killed{name="onlyoffice-oom"} == 1')).length;
      const cpu = (await prom.query('rate(onlyoffice_container_cpu_usage_seconds_total[1m])')).length;
      seen = `scrapes ${scrapes}, oom ${oom}, cpu rates ${cpu}`;
      return scrapes >= 8 && oom === 1 && cpu > 0 ? true : undefined;
    }).catch(async (error: Error) => {
      const targets = (await prom.targets()).map((t) => `${t.labels.job} ${t.health} ${t.lastError}`).join('; ');
      throw new Error(`${error.message}: ${seen}; targets: ${targets}\n${exporter.output().slice(-2000)}`);
    });
  }, 180_000);

  afterAll(async () => {
    await prom?.stop();
    await exporter?.stop();
    await ds?.stop();
    await engine?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  test('every containers panel query and variable returns data', async () => {
    const queries = dashboardQueries([DASHBOARD]);
    expect(queries.length).toBeGreaterThan(12);
    const empty: string[] = [];
    for (const q of queries) {
      if ((await prom.query(substituteGrafanaVariables(q.expr, { container: '.+' }))).length === 0)
        empty.push(`${q.panel} / ${q.refId}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
    for (const v of dashboardVariables([DASHBOARD]))
      expect({
        variable: v.name,
        values: (await prom.labelValues(v.label, substituteGrafanaVariables(v.metric))).length > 0,
      }).toEqual({ variable: v.name, values: true });
    expect((await prom.labelValues('name', 'onlyoffice_container_state')).sort()).toEqual([
      'onlyoffice-documentserver',
      'onlyoffice-documentserver-bare',
      'onlyoffice-exited',
      'onlyoffice-oom',
      'onlyoffice-restarting',
      'onlyoffice-unhealthy',
    ]);
  });

  test('the state timeline query gives each container the code of its Docker state', async () => {
    const state = dashboardQueries([DASHBOARD]).find((q) => q.panel === 'State')!;
    const result = await prom.query(substituteGrafanaVariables(state.expr, { container: '.+' }));
    const byName = Object.fromEntries(result.map((s) => [s.metric.name, Number(s.value[1])]));
    // 1 running, 6 exited (see CONTAINER_STATES in grafana/src/containers.ts); the crash loop is 1 or 3 (restarting).
    expect({ ...byName, 'onlyoffice-restarting': [1, 3].includes(byName['onlyoffice-restarting']!) }).toEqual({
      'onlyoffice-documentserver': 1,
      'onlyoffice-documentserver-bare': 1,
      'onlyoffice-unhealthy': 1,
      'onlyoffice-oom': 6,
      'onlyoffice-exited': 6,
      'onlyoffice-restarting': true,
    });
  });

  test('every docker and supervisor metric the dashboards and rules use is in the real output, with its labels', async () => {
    const documented = documentedMetrics().filter((m) => m.section === 'docker' || m.section === 'supervisor');
    const used = new Map<string, Set<string>>();
    for (const expr of [
      ...dashboardQueries().map((q) => substituteGrafanaVariables(q.expr, { container: '.+', step: 'allconvert' })),
      ...shippedRules().map((r) => r.expr),
    ]) {
      for (const [metric, labels] of promqlReferences(expr).metrics)
        used.set(metric, new Set([...(used.get(metric) ?? []), ...labels]));
    }
    const problems: string[] = [];
    let checked = 0;
    for (const [metric, labels] of used) {
      if (!documented.some((m) => m.name === metric)) continue;
      checked++;
      const series = await prom.series(`{__name__="${metric}"}`);
      if (series.length === 0) problems.push(`${metric}: no series`);
      for (const label of labels)
        if (!series.some((s) => label in s)) problems.push(`${metric}: no series with label ${label}`);
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(12);
  });

  test('container and supervisor alerts go pending (the OOM kill fires at once), and resolve', async () => {
    const quiet: string[] = [];
    await expectActiveAlerts(
      prom,
      {
        [E]: [
          'OnlyofficeDocsContainerRestarting{name=onlyoffice-restarting}',
          'OnlyofficeDocsContainerOomKilled{name=onlyoffice-oom}',
          'OnlyofficeDocsContainerExited{name=onlyoffice-oom,state=exited}',
          'OnlyofficeDocsContainerExited{name=onlyoffice-exited,state=exited}',
          'OnlyofficeDocsContainerUnhealthy{name=onlyoffice-unhealthy,status=unhealthy}',
          'OnlyofficeDocsSupervisorProgramNotRunning{container=onlyoffice-documentserver,program=ds:docservice,state=FATAL}',
          'OnlyofficeDocsSupervisorProgramNotRunning{container=onlyoffice-documentserver,program=ds:metrics,state=BACKOFF}',
          'OnlyofficeDocsSupervisorUnreachable{container=onlyoffice-documentserver-bare}',
        ],
        [ds.url]: quiet,
      },
      { timeoutMs: 45_000 },
    );
    const alerts = await prom.alerts();
    expect(alerts.filter((a) => a.labels.alertname === 'OnlyofficeDocsContainerOomKilled').map((a) => a.state)).toEqual(
      ['firing'],
    );
    expect(
      alerts.find(
        (a) =>
          a.labels.alertname === 'OnlyofficeDocsSupervisorProgramNotRunning' && a.labels.program === 'ds:docservice',
      )!.labels.severity,
    ).toBe('critical');

    // docservice back to RUNNING, the bare container and the unhealthy one stopped, the crash loop removed.
    writeFileSync(supervisorctl, status(RUNNING));
    await Promise.all([
      engine.cli('rm', '-f', 'onlyoffice-restarting'),
      engine.cli('stop', '-t', '0', 'onlyoffice-unhealthy'),
      engine.cli('stop', '-t', '0', 'onlyoffice-documentserver-bare'),
    ]);
    await expectActiveAlerts(
      prom,
      {
        [E]: [
          'OnlyofficeDocsContainerOomKilled{name=onlyoffice-oom}',
          'OnlyofficeDocsContainerExited{name=onlyoffice-oom,state=exited}',
          'OnlyofficeDocsContainerExited{name=onlyoffice-exited,state=exited}',
          'OnlyofficeDocsContainerExited{name=onlyoffice-unhealthy,state=exited}',
          'OnlyofficeDocsContainerExited{name=onlyoffice-documentserver-bare,state=exited}',
          'OnlyofficeDocsSupervisorProgramNotRunning{container=onlyoffice-documentserver,program=ds:metrics,state=BACKOFF}',
        ],
        [ds.url]: quiet,
      },
      { timeoutMs: 45_000 },
    );
  }, 120_000);
});
