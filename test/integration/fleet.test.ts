/**
 * Fleet mode end to end: Debian's real Prometheus discovers three DocumentServers from the daemon's /sd with the
 * shipped prometheus.yml (its onlyoffice-fleet job) and scrapes each through /probe with that target's own settings:
 * a 7.1 without JWT, a 7.5 with its own secret and header, and an 8.3 behind real nginx with a public_url (and the
 * secret of `documentserver`, inherited). The doctor and the status page then diagnose each one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { requirePrograms } from '../support/integration.js';
import { startNginx, type NginxProxy } from '../support/nginx.js';
import { configFromExample, startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { waitFor } from '../support/service-process.js';
import { runDoctorCli } from '../support/doctor-cli.js';

const LOCAL_SECRET = 'fleet-local-secret-3';
const OWN_SECRET = 'fleet-own-secret-of-7.5';

const { describe: withPrograms } = requirePrograms('prometheus', '/usr/sbin/nginx');

withPrograms("fleet mode: /sd discovery, /probe with each target's settings, the doctor and the status page", () => {
  let old: DsSimulator;
  let signed: DsSimulator;
  let proxied: DsSimulator;
  let nginx: NginxProxy;
  let exporter: ExporterProcess;
  let prom: PrometheusServer;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    old = await startDsSimulator({ version: '7.1' });
    signed = await startDsSimulator({ version: '7.5', jwtSecret: OWN_SECRET, jwtHeader: 'AuthorizationJwt' });
    proxied = await startDsSimulator({ version: '8.3', jwtSecret: LOCAL_SECRET });
    nginx = await startNginx({ backendPort: proxied.port });
    dir = mkdtempSync(join(tmpdir(), 'ooe-fleet-'));
    writeFileSync(join(dir, 'own.secret'), `${OWN_SECRET}\n`);
    configFile = join(dir, 'exporter.yml');
    writeFileSync(
      configFile,
      `
documentserver: { url: "http://127.0.0.1:9", jwt: { secret: ${LOCAL_SECRET} }, timeout: 3s }
probe:
  targets:
    - { url: "${old.url}", name: ds-7-1, jwt: null, labels: { site: bj, team: hr } }
    - url: "${signed.url}"
      name: ds-7-5
      jwt: { secret_file: ${join(dir, 'own.secret')}, header: AuthorizationJwt }
      labels: { site: sh }
    - { url: "${proxied.url}", public_url: "${nginx.url}", labels: { site: gz } }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
    );
    exporter = await startExporter([`--config.file=${configFile}`, '--web.timeout-offset=100ms']);
    const E = exporter.url.replace('http://', '');
    prom = await startPrometheus(
      configFromExample({ exporter: E, probeTargets: [], discovery: true, discoveryRefresh: '1s' }),
    );
    await waitFor('3 scrapes of each discovered target', 60_000, async () => {
      const counts = await prom.query('count_over_time(up{job="onlyoffice-fleet"}[1m])');
      return counts.length === 3 && counts.every((s) => Number(s.value[1]) >= 3) ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await exporter?.stop();
    await nginx?.stop();
    await Promise.all([old?.stop(), signed?.stop(), proxied?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('Prometheus discovers the three targets from /sd: instance is the name (else the URL), with their labels, scraped through /probe', async () => {
    const E = exporter.url.replace('http://', '');
    const targets = (await prom.targets()).filter((t) => t.labels.job === 'onlyoffice-fleet');
    expect(
      targets.map((t) => [t.labels.instance, t.labels.site, t.labels.team, t.health, t.lastError, t.scrapeUrl]).sort(),
    ).toEqual(
      [
        ['ds-7-1', 'bj', 'hr', 'up', '', `http://${E}/probe?target=ds-7-1`],
        ['ds-7-5', 'sh', undefined, 'up', '', `http://${E}/probe?target=ds-7-5`],
        [proxied.url, 'gz', undefined, 'up', '', `http://${E}/probe?target=${encodeURIComponent(proxied.url)}`],
      ].sort(),
    );
  });

  test('every target answers CommandService with error 0, each signed as it needs', async () => {
    const result = await prom.query('onlyoffice_command_error{job="onlyoffice-fleet",command="version",code="0"}');
    expect(result.map((s) => [s.metric.instance, s.metric.site, s.value[1]]).sort()).toEqual(
      [
        ['ds-7-1', 'bj', '1'],
        ['ds-7-5', 'sh', '1'],
        [proxied.url, 'gz', '1'],
      ].sort(),
    );
    // No JWT error anywhere, and the 7.5's own secret also opens the license and forgotten files.
    expect(
      await prom.query('onlyoffice_command_error{job="onlyoffice-fleet",code!="0",command!="getForgottenList"}'),
    ).toEqual([]);
    const license = await prom.query('onlyoffice_command_error{job="onlyoffice-fleet",command="license",code="0"}');
    expect(license.map((s) => s.metric.instance).sort()).toEqual(['ds-7-1', 'ds-7-5', proxied.url].sort());
    const forgotten = await prom.query('onlyoffice_forgotten_files{job="onlyoffice-fleet"}');
    expect(forgotten.map((s) => s.metric.instance).sort()).toEqual(['ds-7-5', proxied.url].sort());
    expect(signed.requests.some((r) => typeof r.headers.authorizationjwt === 'string')).toBe(true);
  });

  test('the proxied target shows its via="public" hops through real nginx; the others have none', async () => {
    const hops = await prom.query('onlyoffice_endpoint_up{job="onlyoffice-fleet",via="public"}');
    expect(hops.map((s) => [s.metric.instance, s.metric.endpoint, s.value[1]]).sort()).toEqual([
      [proxied.url, 'api_js', '1'],
      [proxied.url, 'command', '1'],
      [proxied.url, 'healthcheck', '1'],
      [proxied.url, 'index', '1'],
      [proxied.url, 'websocket', '1'],
    ]);
    const success = await prom.query('probe_success{job="onlyoffice-fleet"}');
    expect(success.map((s) => [s.metric.instance, s.value[1]]).sort()).toEqual(
      [
        ['ds-7-1', '1'],
        ['ds-7-5', '1'],
        [proxied.url, '1'],
      ].sort(),
    );
  });

  test("npm run doctor -- --all gives each target's diagnosis and the fleet's summary", async () => {
    const { code, stdout } = await runDoctorCli([`--config.file=${configFile}`, '--lang=en', '--all']);
    expect(code).toBe(0);
    expect(stdout).toContain(`DocumentServer: ds-7-1 ${old.url}\n`);
    expect(stdout).toContain(`DocumentServer: ds-7-5 ${signed.url}\n`);
    expect(stdout).toContain(`DocumentServer: ${proxied.url}   public URL: ${nginx.url}\n`);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('Fleet: 3 DocumentServers: 3 OK -> OK');
  }, 60_000);

  test('the status page: the fleet index links each target to its diagnosis, the proxied one with its proxy hop', async () => {
    const index = await (await fetch(`${exporter.url}/?lang=en`)).text();
    const rows = [...index.matchAll(/<tr data-target="([^"]+)" data-verdict="(\w+)">/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['ds-7-1', 'ok'],
      ['ds-7-5', 'ok'],
      [proxied.url, 'ok'],
    ]);
    const page = await (await fetch(`${exporter.url}/?target=${encodeURIComponent(proxied.url)}&lang=en`)).text();
    expect([...page.matchAll(/<tr data-hop="(\w+)" data-verdict="(\w+)">/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual([
      'proxy:ok',
      'docservice:ok',
      'healthcheck:ok',
      'jwt:ok',
      'certificates:skipped',
    ]);
    for (const text of [index, page])
      for (const secret of [LOCAL_SECRET, OWN_SECRET]) expect(text).not.toContain(secret);
  });

  // Last: it takes the 7.1 down.
  test("alerts carry the target's labels from /sd: the 7.1 down gives OnlyofficeDocsDown for ds-7-1 with site and team", async () => {
    await old.stop();
    const alert = await waitFor('OnlyofficeDocsDown for ds-7-1', 60_000, async () =>
      (await prom.alerts()).find((a) => a.labels.alertname === 'OnlyofficeDocsDown' && a.labels.instance === 'ds-7-1'),
    );
    expect([alert.labels.job, alert.labels.site, alert.labels.team, alert.labels.severity]).toEqual([
      'onlyoffice-fleet',
      'bj',
      'hr',
      'critical',
    ]);
    // Only the one that is down among the fleet (the exporter's own documentserver, port 9, is down on job onlyoffice).
    const fleetDown = (await prom.alerts()).filter(
      (a) => a.labels.alertname === 'OnlyofficeDocsDown' && a.labels.job === 'onlyoffice-fleet',
    );
    expect(fleetDown.map((a) => a.labels.instance)).toEqual(['ds-7-1']);
  }, 90_000);
});
