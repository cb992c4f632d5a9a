import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { containerMatcher } from '../../src/docker/glob.js';
import { requirePrograms } from '../support/integration.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const COMPOSE = join(ROOT, 'deploy/compose');

interface Service {
  image?: string;
  build?: { context: string } | string;
  container_name?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  user?: string;
  cap_drop?: string[];
  command?: string[];
  healthcheck?: { test: string[] };
  networks?: Record<string, { aliases?: string[] } | null>;
  restart?: string;
}

const { describe: withCompose } = requirePrograms('docker-compose', 'promtool', 'amtool');

withCompose('deploy/compose: the whole stack', () => {
  let services: Record<string, Service>;
  let volumes: Record<string, { name?: string }>;
  let networks: Record<string, { name?: string }>;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ooe-compose-'));
    // `docker-compose config` validates the file and resolves paths and defaults, as `up` would.
    const { stdout } = await run('docker-compose', ['-f', join(COMPOSE, 'docker-compose.yml'), 'config'], {
      cwd: COMPOSE,
      env: cleanEnv(),
    });
    const resolved = parse(stdout) as {
      services: Record<string, Service>;
      volumes: Record<string, { name?: string }>;
      networks: Record<string, { name?: string }>;
    };
    services = resolved.services;
    volumes = resolved.volumes;
    networks = resolved.networks;
  });

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test('has DocumentServer (7.1+), RabbitMQ 3.x, PostgreSQL, the exporter, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual([
      'ooexp-alertmanager',
      'ooexp-documentserver',
      'ooexp-exporter',
      'ooexp-grafana',
      'ooexp-init-secrets',
      'ooexp-postgresql',
      'ooexp-prometheus',
      'ooexp-rabbitmq',
    ]);
    const ds = services['ooexp-documentserver']!;
    const [major, minor] = ds.image!.replace('onlyoffice/documentserver:', '').split('.').map(Number);
    expect(major! * 100 + minor!).toBeGreaterThanOrEqual(701);
    // RabbitMQ 4.1+ rejects the AMQP client of DS 8.3 and older (frame_max 4096: ONLYOFFICE/Docker-DocumentServer#815).
    expect(services['ooexp-rabbitmq']!.image).toMatch(/^rabbitmq:3\./);
    expect(ds.environment).toMatchObject({
      JWT_ENABLED: 'true',
      DB_HOST: 'ooexp-postgresql',
      AMQP_URI: 'amqp://guest:guest@ooexp-rabbitmq',
      METRICS_ENABLED: 'true',
      METRICS_HOST: 'ooexp-exporter',
      METRICS_PORT: '9125',
      METRICS_PREFIX: 'ds.',
    });
    // No secret in the file: DS gets JWT_SECRET and DB_PWD from the generated files.
    expect(JSON.stringify(services)).not.toMatch(/JWT_SECRET": "[^"]|DB_PWD": "|POSTGRES_PASSWORD": "/);
    expect(services['ooexp-postgresql']!.environment!.POSTGRES_PASSWORD_FILE).toBe(
      '/run/onlyoffice-secrets/db-password',
    );
    expect(ds.depends_on).toEqual({
      'ooexp-init-secrets': { condition: 'service_completed_successfully' },
      'ooexp-postgresql': { condition: 'service_healthy' },
      'ooexp-rabbitmq': { condition: 'service_healthy' },
    });
  });

  test("every name it creates carries ooexp-, so it runs beside ONLYOFFICE's own compose file and any DS already there", () => {
    // ONLYOFFICE/Docker-DocumentServer docker-compose.yml: onlyoffice-documentserver, onlyoffice-rabbitmq, onlyoffice-postgresql.
    const created = [
      ...Object.keys(services),
      ...Object.values(services).map((s) => s.container_name ?? ''),
      ...Object.keys(volumes),
      ...Object.values(volumes).map((v) => v.name ?? ''),
      ...Object.values(networks).map((n) => n.name ?? ''),
    ];
    expect(created.filter((name) => !/^ooexp(-|$)/.test(name))).toEqual([]);
    expect(Object.values(services).map((s) => s.container_name)).toEqual(Object.keys(services));
    expect(networks).toEqual({ default: { name: 'ooexp' } });
  });

  test('the exporter: built from the repository Dockerfile, read-only, no capabilities, DS volumes and socket read-only', () => {
    const exporter = services['ooexp-exporter']!;
    expect(exporter.build).toMatchObject({ context: ROOT });
    expect(exporter.read_only).toBe(true);
    expect(exporter.cap_drop).toEqual(['ALL']);
    expect(exporter.ports).toEqual(['127.0.0.1:9967:9967/tcp']);
    expect(exporter.volumes).toEqual(
      expect.arrayContaining([
        `${COMPOSE}/exporter.yml:/etc/onlyoffice-exporter/config.yml:ro`,
        '/var/run/docker.sock:/var/run/docker.sock:ro',
        'ooexp-ds-data:/var/www/onlyoffice/Data:ro',
        'ooexp-ds-lib:/var/lib/onlyoffice:ro',
        'ooexp-ds-logs:/var/log/onlyoffice:ro',
      ]),
    );
    // Prometheus scrapes it by this name; the shipped alerts/alertmanager.yml delivers to the alias on the stack's network.
    expect(exporter.container_name).toBe('ooexp-exporter');
    expect(exporter.networks).toEqual({ default: { aliases: ['onlyoffice-exporter'] } });
  });

  test('every bind-mounted file or folder exists in the repository', () => {
    const binds = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0]!)
      .filter((source) => source.startsWith('/'));
    expect(binds.length).toBeGreaterThan(8);
    for (const source of binds.filter((s) => s !== '/var/run/docker.sock'))
      expect([source, existsSync(source)]).toEqual([source, true]);
    for (const named of Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0]!)
      .filter((s) => !s.startsWith('/'))) {
      expect(Object.keys(volumes)).toContain(named);
    }
  });

  /** deploy/compose/exporter.yml as the exporter loads it, with its secret files in `scratch`. */
  function exporterConfig(): ReturnType<typeof parseConfig> {
    const secrets = join(scratch, 'secrets');
    mkdirSync(secrets, { recursive: true });
    writeFileSync(join(secrets, 'jwt-secret'), 'generated-jwt\n');
    writeFileSync(join(secrets, 'onlyoffice-exporter-notify-token'), 'generated-notify-token-0123456789\n');
    const text = readFileSync(join(COMPOSE, 'exporter.yml'), 'utf8')
      .replace('/run/onlyoffice-secrets/jwt-secret', join(secrets, 'jwt-secret'))
      .replace(
        '/run/onlyoffice-notify/onlyoffice-exporter-notify-token',
        join(secrets, 'onlyoffice-exporter-notify-token'),
      );
    return parseConfig(text, 'deploy/compose/exporter.yml', {});
  }

  test('the exporter configuration loads, with the generated secrets and the stack addresses', () => {
    const config = exporterConfig();
    expect(config.documentserver.url).toBe('http://ooexp-documentserver');
    expect(config.documentserver.jwt).toEqual({ secret: 'generated-jwt', header: 'Authorization' });
    expect(config.dependencies.postgresql).toMatchObject({ address: 'ooexp-postgresql:5432' });
    expect(config.dependencies.rabbitmq).toMatchObject({ address: 'ooexp-rabbitmq:5672' });
    expect(config.statsd.listen).toEqual({ host: '0.0.0.0', port: 9125, family: 'udp4' });
    expect(config.rabbitmq.management_url).toBe('http://ooexp-rabbitmq:15672');
    expect(config.conversion_probe).toMatchObject({
      enabled: true,
      source_listen: '0.0.0.0:9877',
      source_base_url: 'http://ooexp-exporter:9877',
    });
    expect(config.docker).toMatchObject({ supervisor_containers: ['ooexp-documentserver'] });
    expect(config.notify.auth).toEqual({ bearer_token: 'generated-notify-token-0123456789' });
    // The secrets the exporter reads are the ones init-secrets writes into the volumes it mounts.
    const init = readFileSync(join(COMPOSE, 'init-secrets.mjs'), 'utf8');
    expect(init).toContain("'/secrets/ds/jwt-secret'");
    expect(init).toContain("'/secrets/notify/onlyoffice-exporter-notify-token'");
    expect(services['ooexp-init-secrets']!.volumes).toEqual([
      `${COMPOSE}/init-secrets.mjs:/init-secrets.mjs:ro`,
      'ooexp-ds-secrets:/secrets/ds:rw',
      'ooexp-notify-secret:/secrets/notify:rw',
    ]);
  });

  test('the exporter watches every long-running container and no one-shot one (an exited setup container would page)', () => {
    // A one-shot container (ooexp-init-secrets) exits 0 and stays listed: watched, it would fire
    // OnlyofficeDocsContainerExited (critical) and fail the doctor on every healthy `up`.
    const { containers, images } = exporterConfig().docker;
    const watched = containerMatcher(containers, images);
    const oneShot = Object.entries(services).filter(([, s]) => s.restart !== 'always');
    const longRunning = Object.entries(services).filter(([, s]) => s.restart === 'always');
    expect(oneShot.map(([name]) => name)).toEqual(['ooexp-init-secrets']);
    for (const [name] of oneShot) {
      expect(
        Object.values(services).some((s) => s.depends_on?.[name]?.condition === 'service_completed_successfully'),
      ).toBe(true);
    }
    const matches = ([, s]: [string, Service]): boolean => watched(s.container_name!, s.image ?? '');
    expect(oneShot.filter(matches).map(([name]) => name)).toEqual([]);
    expect(longRunning.filter((entry) => !matches(entry)).map(([name]) => name)).toEqual([]);
    expect(longRunning).toHaveLength(7);
  });

  test('Prometheus loads the shipped rules (promtool) and scrapes the exporter', async () => {
    const prometheus = services['ooexp-prometheus']!;
    expect(prometheus.volumes).toEqual(
      expect.arrayContaining([
        `${ROOT}/alerts:/etc/prometheus/alerts:ro`,
        `${ROOT}/prometheus/recording-rules.yml:/etc/prometheus/recording-rules.yml:ro`,
      ]),
    );
    const config = parse(readFileSync(join(COMPOSE, 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    expect(config.scrape_configs[0]!.static_configs[0]!.targets).toEqual(['ooexp-exporter:9967']);
    expect(config.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['ooexp-alertmanager:9093']);
    // The same file with the container paths mapped to the repository: promtool must accept it and its rules.
    const rewritten = join(scratch, 'prometheus.yml');
    writeFileSync(
      rewritten,
      readFileSync(join(COMPOSE, 'prometheus.yml'), 'utf8')
        .replace('/etc/prometheus/alerts/', `${ROOT}/alerts/`)
        .replace('/etc/prometheus/recording-rules.yml', `${ROOT}/prometheus/recording-rules.yml`),
    );
    const { stdout } = await run('promtool', ['check', 'config', rewritten]);
    const ruleFiles = readdirSync(join(ROOT, 'alerts')).filter((f) => f.endsWith('.rules.yml'));
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(stdout).toContain(`SUCCESS: ${ruleFiles.length + 1} rule files found`);
    for (const file of [...ruleFiles.map((f) => `alerts/${f}`), 'prometheus/recording-rules.yml']) {
      expect(stdout).toMatch(new RegExp(`Checking ${ROOT}/${file}\\n\\s+SUCCESS: \\d+ rules found`));
    }
  });

  test('Alertmanager runs the shipped routing, which reaches the exporter with the generated token', async () => {
    const am = services['ooexp-alertmanager']!;
    expect(am.command).toEqual(['--config.file=/etc/onlyoffice/alertmanager.yml', '--storage.path=/alertmanager']);
    expect(am.volumes).toEqual(
      expect.arrayContaining([
        `${ROOT}/alerts/alertmanager.yml:/etc/onlyoffice/alertmanager.yml:ro`,
        'ooexp-notify-secret:/etc/alertmanager:ro',
      ]),
    );
    const shipped = parse(readFileSync(join(ROOT, 'alerts/alertmanager.yml'), 'utf8')) as {
      receivers: {
        webhook_configs?: { url: string; http_config?: { authorization?: { credentials_file?: string } } }[];
      }[];
    };
    const hooks = shipped.receivers.flatMap((r) => r.webhook_configs ?? []);
    expect(hooks.length).toBeGreaterThan(0);
    for (const hook of hooks) {
      expect(new URL(hook.url).host).toBe('onlyoffice-exporter:9967');
      // notify-secret is mounted at /etc/alertmanager, and init-secrets writes this file name into it.
      expect(hook.http_config?.authorization?.credentials_file).toBe(
        '/etc/alertmanager/onlyoffice-exporter-notify-token',
      );
    }
    const amDir = join(scratch, 'am');
    mkdirSync(amDir);
    cpSync(join(ROOT, 'alerts/alertmanager.yml'), join(amDir, 'alertmanager.yml'));
    await expect(run('amtool', ['check-config', join(amDir, 'alertmanager.yml')])).resolves.toMatchObject({
      stdout: expect.stringContaining('SUCCESS'),
    });
  });

  test('Grafana gets the shipped dashboards and the shipped datasource, pointed at this Prometheus', () => {
    const grafana = services['ooexp-grafana']!;
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        `${ROOT}/grafana/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro`,
        `${ROOT}/grafana/dashboards:/var/lib/grafana/dashboards/onlyoffice:ro`,
      ]),
    );
    const provider = parse(readFileSync(join(ROOT, 'grafana/provisioning/dashboards/onlyoffice.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    expect(provider.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards/onlyoffice');
    const shipped = parse(readFileSync(join(ROOT, 'grafana/provisioning/datasources/onlyoffice.yml'), 'utf8')) as {
      datasources: Record<string, unknown>[];
    };
    const ours = parse(readFileSync(join(COMPOSE, 'grafana-datasource.yml'), 'utf8')) as {
      datasources: Record<string, unknown>[];
    };
    expect(ours).toEqual({
      ...shipped,
      datasources: shipped.datasources.map((d) => ({ ...d, url: 'http://ooexp-prometheus:9090' })),
    });
  });
});

withCompose(
  "deploy/compose/beside-ds: the exporter alone, beside the DS of ONLYOFFICE's own docker run or compose file",
  () => {
    const BESIDE = join(COMPOSE, 'beside-ds');
    const config = async (env: Record<string, string>) => {
      const { stdout } = await run('docker-compose', ['-f', join(BESIDE, 'docker-compose.yml'), 'config'], {
        cwd: BESIDE,
        env: { ...cleanEnv(), ...env },
      });
      return (
        parse(stdout) as { services: Record<string, Service & { network_mode?: string; extra_hosts?: string[] }> }
      ).services;
    };

    test("only the exporter; the official container's host volumes read-only at its own paths; the default bridge by default", async () => {
      const services = await config({ JWT_SECRET: 'ds-secret' });
      expect(Object.keys(services)).toEqual(['onlyoffice-exporter']);
      const exporter = services['onlyoffice-exporter']!;
      // ONLYOFFICE's docker run: -v /app/onlyoffice/DocumentServer/{logs,data,lib}:/var/log/onlyoffice, /var/www/onlyoffice/Data, /var/lib/onlyoffice.
      expect(exporter.volumes).toEqual([
        `${BESIDE}/config.yml:/etc/onlyoffice-exporter/config.yml:ro`,
        '/var/run/docker.sock:/var/run/docker.sock:ro',
        '/app/onlyoffice/DocumentServer/data:/var/www/onlyoffice/Data:ro',
        '/app/onlyoffice/DocumentServer/lib:/var/lib/onlyoffice:ro',
        '/app/onlyoffice/DocumentServer/logs:/var/log/onlyoffice:ro',
      ]);
      expect(exporter.network_mode).toBe('bridge');
      expect(exporter.extra_hosts).toEqual(['host.docker.internal:host-gateway']);
      expect(exporter.environment).toEqual({
        ONLYOFFICE_DS_URL: 'http://host.docker.internal',
        JWT_SECRET: 'ds-secret',
      });
      expect(exporter).toMatchObject({
        container_name: 'onlyoffice-exporter',
        read_only: true,
        cap_drop: ['ALL'],
        ports: ['127.0.0.1:9967:9967/tcp'],
      });
    });

    test('the network, the DS address and the volume root of a compose-started DS', async () => {
      const exporter = (
        await config({
          JWT_SECRET: 's',
          DS_NETWORK: 'docker-documentserver_default',
          DS_URL: 'http://onlyoffice-documentserver',
          DS_ROOT: '/srv/ds',
        })
      )['onlyoffice-exporter']!;
      expect(exporter.network_mode).toBe('docker-documentserver_default');
      expect(exporter.environment!.ONLYOFFICE_DS_URL).toBe('http://onlyoffice-documentserver');
      expect(exporter.volumes!.slice(2)).toEqual([
        '/srv/ds/data:/var/www/onlyoffice/Data:ro',
        '/srv/ds/lib:/var/lib/onlyoffice:ro',
        '/srv/ds/logs:/var/log/onlyoffice:ro',
      ]);
    });

    test('without JWT_SECRET it refuses to start and says what to set', async () => {
      await expect(config({})).rejects.toMatchObject({
        stderr: expect.stringContaining('set JWT_SECRET to the JWT secret your DocumentServer runs with'),
      });
    });

    test('its configuration loads from the environment the compose file sets', () => {
      const loaded = parseConfig(
        readFileSync(join(BESIDE, 'config.yml'), 'utf8'),
        'deploy/compose/beside-ds/config.yml',
        { ONLYOFFICE_DS_URL: 'http://host.docker.internal', JWT_SECRET: 'ds-secret' },
      );
      expect(loaded.documentserver.url).toBe('http://host.docker.internal');
      expect(loaded.documentserver.jwt).toEqual({ secret: 'ds-secret', header: 'Authorization' });
      expect(loaded.dependencies).toMatchObject({ postgresql: false, rabbitmq: false, redis: false });
      expect(loaded.docker).toMatchObject({ socket: '/var/run/docker.sock', supervisor: true });
    });
  },
);

/** docker-compose reads .env and the caller's environment: neither may change what the test sees. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return env;
}
