import { collectorDefinitions } from '../../src/collectors/index.js';
import buildInfo from '../../src/collectors/build_info.js';
import commands from '../../src/collectors/commands.js';
import endpoints from '../../src/collectors/endpoints.js';
import healthcheck from '../../src/collectors/healthcheck.js';
import license from '../../src/collectors/license.js';
import { startBlackhole } from '../support/blackhole.js';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { find, value, type Sample } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { startNginx, type NginxProxy } from '../support/nginx.js';
import { configFrom, scrapeWith } from '../support/scrape.js';

const DS_COLLECTORS = [healthcheck, endpoints, buildInfo, commands, license];

async function scrapeDs(yaml: string, budgetMs = 5_000): Promise<Sample[]> {
  return (await scrapeWith(DS_COLLECTORS, configFrom(yaml), { budgetMs })).samples;
}

const success = (samples: Sample[], collector: string) =>
  value(samples, 'onlyoffice_scrape_collector_success', { collector });

describe('DocumentServer collectors against the simulator', () => {
  const simulators: DsSimulator[] = [];
  afterAll(async () => {
    await Promise.all(simulators.map((s) => s.stop()));
  });
  async function simulator(options: Parameters<typeof startDsSimulator>[0]): Promise<DsSimulator> {
    const sim = await startDsSimulator(options);
    simulators.push(sim);
    return sim;
  }

  test('7.1.1.76 (captured): version, license, usage, no getForgottenList', async () => {
    const ds = await simulator({ version: '7.1' });
    const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
    for (const collector of ['healthcheck', 'endpoints', 'build_info', 'commands', 'license'])
      expect(success(samples, collector)).toBe(1);
    expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(1);
    expect(value(samples, 'onlyoffice_build_info', { version: '7.1.1', build: '76' })).toBe(1);
    expect(value(samples, 'onlyoffice_license_info')).toBe(1);
    expect(find(samples, 'onlyoffice_license_info')[0]!.labels).toEqual({
      status: 'Success',
      status_code: '3',
      mode: 'none',
      package_type: 'open_source',
      has_license: 'false',
      source: 'info_json',
    });
    expect(value(samples, 'onlyoffice_license_connections_limit', { mode: 'edit' })).toBe(20);
    expect(find(samples, 'onlyoffice_license_connections_limit', { mode: 'view' })).toEqual([]);
    expect(value(samples, 'onlyoffice_license_users_limit', { mode: 'edit' })).toBe(0);
    expect(find(samples, 'onlyoffice_license_expiry_timestamp_seconds')).toEqual([]);
    expect(value(samples, 'onlyoffice_connections', { mode: 'edit' })).toBe(0);
    expect(find(samples, 'onlyoffice_connections', { mode: 'view' })).toEqual([]);
    expect(find(samples, 'onlyoffice_connections_stat')).toHaveLength(4 * 2 * 3);
    expect(value(samples, 'onlyoffice_connections_stat', { mode: 'edit', period: 'month', stat: 'avg' })).toBe(0);
    expect(value(samples, 'onlyoffice_users', { mode: 'edit', kind: 'unique' })).toBe(0);
    // 7.1 answers getForgottenList with error 1: unsupported, not an error, and no forgotten-files metric.
    expect(value(samples, 'onlyoffice_command_supported', { command: 'getForgottenList' })).toBe(0);
    expect(find(samples, 'onlyoffice_command_error', { command: 'getForgottenList' })).toEqual([]);
    expect(value(samples, 'onlyoffice_command_supported', { command: 'version' })).toBe(1);
    expect(find(samples, 'onlyoffice_forgotten_files')).toEqual([]);
    expect(value(samples, 'onlyoffice_command_error', { command: 'version', code: '0', reason: 'none' })).toBe(1);
  });

  test('7.5.1.35 (captured): view limits and quota, forgotten files', async () => {
    const ds = await simulator({ version: '7.5' });
    ds.setForgottenFiles(['realds-forgotten-key-1', 'realds-forgotten-key-2']);
    const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
    expect(value(samples, 'onlyoffice_build_info', { version: '7.5.1', build: '35' })).toBe(1);
    expect(value(samples, 'onlyoffice_license_connections_limit', { mode: 'view' })).toBe(20);
    expect(value(samples, 'onlyoffice_license_users_limit', { mode: 'view' })).toBe(0);
    expect(value(samples, 'onlyoffice_connections', { mode: 'view' })).toBe(0);
    expect(find(samples, 'onlyoffice_connections_stat')).toHaveLength(4 * 3 * 3);
    expect(value(samples, 'onlyoffice_forgotten_files')).toBe(2);
    expect(value(samples, 'onlyoffice_command_error', { command: 'getForgottenList', code: '0' })).toBe(1);
    expect(value(samples, 'onlyoffice_command_supported', { command: 'getForgottenList' })).toBe(1);
    // On 7.5 an error 1 is a real error of the command, not 7.1's "no such command".
    ds.setForgottenListError(1);
    const failing = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
    expect(value(failing, 'onlyoffice_command_supported', { command: 'getForgottenList' })).toBe(1);
    expect(find(failing, 'onlyoffice_command_error', { command: 'getForgottenList' })).toEqual([
      {
        name: 'onlyoffice_command_error',
        labels: { command: 'getForgottenList', code: '1', reason: 'document_id' },
        value: 1,
      },
    ]);
    expect(find(failing, 'onlyoffice_forgotten_files')).toEqual([]);
  });

  test('8.3 enterprise shape: user-based license with an end date, live usage', async () => {
    const ds = await simulator({ version: '8.3' });
    const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
    expect(value(samples, 'onlyoffice_build_info', { version: '8.3.3', build: '23' })).toBe(1);
    expect(find(samples, 'onlyoffice_license_info')[0]!.labels).toEqual({
      status: 'Success',
      status_code: '3',
      mode: 'none',
      package_type: 'enterprise',
      has_license: 'true',
      source: 'info_json',
    });
    expect(value(samples, 'onlyoffice_license_users_limit', { mode: 'edit' })).toBe(50);
    expect(value(samples, 'onlyoffice_license_connections_limit', { mode: 'edit' })).toBe(0);
    expect(value(samples, 'onlyoffice_license_expiry_timestamp_seconds')).toBe(
      Date.UTC(2026, 0, 15, 23, 59, 59) / 1000,
    );
    expect(value(samples, 'onlyoffice_connections', { mode: 'edit' })).toBe(6);
    expect(value(samples, 'onlyoffice_connections', { mode: 'view' })).toBe(1);
    expect(value(samples, 'onlyoffice_users', { mode: 'edit', kind: 'unique' })).toBe(12);
    expect(value(samples, 'onlyoffice_users', { mode: 'edit', kind: 'anonymous' })).toBe(1);
    expect(value(samples, 'onlyoffice_users', { mode: 'view', kind: 'unique' })).toBe(3);
    expect(value(samples, 'onlyoffice_connections_stat', { mode: 'edit', period: 'hour', stat: 'max' })).toBe(9);
    expect(value(samples, 'onlyoffice_connections_stat', { mode: 'liveview', period: 'month', stat: 'max' })).toBe(5);
  });

  test('9.3 shape: the year period', async () => {
    const ds = await simulator({ version: '9.3' });
    const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
    expect(value(samples, 'onlyoffice_build_info', { version: '9.3.1', build: '11' })).toBe(1);
    expect(value(samples, 'onlyoffice_connections_stat', { mode: 'edit', period: 'year', stat: 'max' })).toBe(7);
    expect(find(samples, 'onlyoffice_connections_stat')).toHaveLength(5 * 3 * 3);
    expect(value(samples, 'onlyoffice_connections', { mode: 'edit' })).toBe(1);
  });

  describe('JWT', () => {
    test('the right secret is accepted (body token and header)', async () => {
      const ds = await simulator({ version: '7.5', jwtSecret: 'realds-jwt-secret' });
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}", jwt: { secret: realds-jwt-secret } }`);
      for (const command of ['version', 'license', 'getForgottenList']) {
        expect(value(samples, 'onlyoffice_command_error', { command, code: '0' })).toBe(1);
      }
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'command', via: 'direct' })).toBe(1);
      const command = ds.requests.find((r) => r.path.startsWith('/coauthoring/CommandService.ashx'))!;
      expect(JSON.parse(command.body)).toEqual({ token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
      expect(command.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    });

    test('a wrong secret is its own signal; version and license still come from info.json', async () => {
      const ds = await simulator({ version: '7.5', jwtSecret: 'realds-jwt-secret' });
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}", jwt: { secret: not-the-secret } }`);
      for (const command of ['version', 'license', 'getForgottenList']) {
        expect(value(samples, 'onlyoffice_command_error', { command, code: '6', reason: 'token' })).toBe(1);
      }
      expect(success(samples, 'commands')).toBe(1);
      expect(value(samples, 'onlyoffice_build_info', { version: '7.5.1', build: '35' })).toBe(1);
      expect(value(samples, 'onlyoffice_license_connections_limit', { mode: 'edit' })).toBe(20);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(1);
      // DS answered (error 6 is DocumentServer's own answer): the hop is fine, the secret is not.
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'command', via: 'direct' })).toBe(1);
    });

    test('no secret configured against a JWT-enabled DS gives code 6', async () => {
      const ds = await simulator({ version: '7.1', jwtSecret: 'realds-jwt-secret' });
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
      expect(value(samples, 'onlyoffice_command_error', { command: 'version', code: '6', reason: 'token' })).toBe(1);
    });
  });

  describe('the fault table', () => {
    test.each(['rabbitmq_down', 'postgres_down'] as const)('%s: healthcheck false, the rest answers', async (fault) => {
      const ds = await simulator({ version: '7.1' });
      ds.setFault(fault);
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'healthcheck', via: 'direct' })).toBe(1);
      expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'healthcheck', via: 'direct' })).toBe(200);
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'index', via: 'direct' })).toBe(1);
      expect(value(samples, 'onlyoffice_build_info', { version: '7.1.1', build: '76' })).toBe(1);
      expect(value(samples, 'onlyoffice_command_error', { command: 'version', code: '0' })).toBe(1);
      expect(success(samples, 'license')).toBe(1);
    });

    test('redis_down: open-source DS does not use Redis, all healthy', async () => {
      const ds = await simulator({ version: '7.5' });
      ds.setFault('redis_down');
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(1);
    });

    test.each(['rabbitmq_frozen', 'postgres_frozen'] as const)(
      '%s: healthcheck hangs, a timeout is 0, the rest is intact',
      async (fault) => {
        const ds = await simulator({ version: '7.1' });
        ds.setFault(fault);
        const samples = await scrapeDs(`documentserver: { url: "${ds.url}", timeout: 1s }`, 10_000);
        expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
        expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'healthcheck', via: 'direct' })).toBe(0);
        const seconds = value(samples, 'onlyoffice_healthcheck_duration_seconds');
        expect(seconds).toBeGreaterThanOrEqual(0.99);
        // Cut by its own 1 s timeout, far before the scrape's 10 s.
        expect(seconds).toBeLessThan(5);
        expect(success(samples, 'healthcheck')).toBe(1);
        expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'index', via: 'direct' })).toBe(1);
        expect(value(samples, 'onlyoffice_build_info', { version: '7.1.1', build: '76' })).toBe(1);
        ds.setFault('none');
      },
    );

    test.each(['stop', 'postgres_down_crash'] as const)('%s: docservice gone, connection refused', async (how) => {
      const ds = await simulator({ version: '7.5' });
      if (how === 'stop') await ds.stop();
      else ds.setFault('postgres_down_crash');
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
      for (const endpoint of ['healthcheck', 'index', 'api_js', 'command']) {
        expect(value(samples, 'onlyoffice_endpoint_up', { endpoint, via: 'direct' })).toBe(0);
        expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint, via: 'direct' })).toBe(0);
      }
      expect(success(samples, 'healthcheck')).toBe(1);
      expect(success(samples, 'endpoints')).toBe(1);
      expect(success(samples, 'build_info')).toBe(0);
      expect(success(samples, 'commands')).toBe(0);
      expect(success(samples, 'license')).toBe(0);
      // It comes back: the next scrape sees it.
      await ds.start();
      if (how === 'postgres_down_crash') ds.setFault('none');
      const again = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
      expect(value(again, 'onlyoffice_healthcheck_up')).toBe(1);
    });

    test('info forbidden: license from CommandService, no usage, the rest intact', async () => {
      const ds = await simulator({ version: '7.5' });
      ds.setFault('info_forbidden');
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
      expect(success(samples, 'license')).toBe(1);
      expect(find(samples, 'onlyoffice_license_info')[0]!.labels).toEqual({
        status: 'Success',
        status_code: '3',
        mode: 'none',
        package_type: 'open_source',
        has_license: 'false',
        source: 'command',
      });
      expect(value(samples, 'onlyoffice_license_connections_limit', { mode: 'edit' })).toBe(20);
      expect(value(samples, 'onlyoffice_license_connections_limit', { mode: 'view' })).toBe(20);
      expect(find(samples, 'onlyoffice_connections')).toEqual([]);
      expect(find(samples, 'onlyoffice_connections_stat')).toEqual([]);
      expect(value(samples, 'onlyoffice_build_info', { version: '7.5.1', build: '35' })).toBe(1);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(1);
    });

    test("garbage bodies: HTTP 200 but not DocumentServer's answer", async () => {
      const ds = await simulator({ version: '7.5' });
      ds.setFault('garbage');
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
      for (const endpoint of ['healthcheck', 'index', 'command']) {
        expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint, via: 'direct' })).toBe(200);
        expect(value(samples, 'onlyoffice_endpoint_up', { endpoint, via: 'direct' })).toBe(0);
      }
      expect(success(samples, 'build_info')).toBe(0);
      expect(success(samples, 'commands')).toBe(0);
      expect(success(samples, 'license')).toBe(0);
    });

    test('oversized bodies are cut off, not buffered', async () => {
      const ds = await simulator({ version: '7.5' });
      ds.setFault('oversized');
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}", max_body_bytes: 65536 }`);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
      expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'index', via: 'direct' })).toBe(0);
      expect(success(samples, 'license')).toBe(0);
    });
  });

  test.each(['7.1', '9.3'] as const)(
    '%s docservice on a port other than 8000: api.js (Express 404) is not reported, the other hops are',
    async (version) => {
      const ds = await simulator({ version });
      expect(ds.port).not.toBe(8000);
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}" }`);
      for (const family of [
        'onlyoffice_endpoint_up',
        'onlyoffice_endpoint_status_code',
        'onlyoffice_endpoint_duration_seconds',
      ]) {
        expect(
          find(samples, family)
            .map((s) => `${s.labels.endpoint} ${s.labels.via}`)
            .sort(),
        ).toEqual(['command direct', 'healthcheck direct', 'index direct', 'websocket direct']);
      }
      for (const endpoint of ['healthcheck', 'index', 'command']) {
        expect(value(samples, 'onlyoffice_endpoint_up', { endpoint, via: 'direct' })).toBe(1);
        expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint, via: 'direct' })).toBe(200);
      }
      // docservice is where the co-editing channel is served: SockJS on 7.1, socket.io on 9.3.
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'websocket', via: 'direct' })).toBe(1);
      expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'websocket', via: 'direct' })).toBe(101);
      expect(success(samples, 'endpoints')).toBe(1);
      expect(ds.requests.filter((r) => r.path === '/web-apps/apps/api/documents/api.js')).toHaveLength(1);
    },
  );

  test('a target that accepts TCP and never answers: the scrape ends within the deadline, the other hops intact', async () => {
    const hole = await startBlackhole();
    const ds = await simulator({ version: '7.5' });
    try {
      const started = performance.now();
      const { samples } = await scrapeWith(
        collectorDefinitions,
        configFrom(`documentserver: { url: "${hole.url}", public_url: "${ds.url}", timeout: 30s }`),
        { budgetMs: 1_500 },
      );
      // The 1.5 s budget, not the 30 s timeout.
      expect(performance.now() - started).toBeLessThan(1_500 + 8_000);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
      expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'healthcheck', via: 'direct' })).toBe(0);
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'healthcheck', via: 'public' })).toBe(1);
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'index', via: 'public' })).toBe(1);
      expect(success(samples, 'endpoints')).toBe(1);
    } finally {
      await hole.stop();
    }
  });
});

const nginx = requirePrograms('nginx');
nginx.describe('behind a real nginx: which hop broke', () => {
  let ds: DsSimulator;
  let proxy: NginxProxy;
  let denying: NginxProxy;

  beforeAll(async () => {
    ds = await startDsSimulator({ version: '7.5' });
    proxy = await startNginx({ backendPort: ds.port });
    denying = await startNginx({ backendPort: ds.port, denyInfo: true });
  });
  afterAll(async () => {
    await Promise.all([proxy?.stop(), denying?.stop(), ds?.stop()]);
  });

  test('all up: direct and public agree', async () => {
    const samples = await scrapeDs(`documentserver: { url: "${ds.url}", public_url: "${proxy.url}" }`);
    for (const endpoint of ['healthcheck', 'index', 'api_js', 'command']) {
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint, via: 'public' })).toBe(1);
      expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint, via: 'public' })).toBe(200);
    }
    expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(1);
  });

  test('docservice gone: the proxy answers 502, api.js still 200, direct refused', async () => {
    await ds.stop();
    try {
      const samples = await scrapeDs(`documentserver: { url: "${ds.url}", public_url: "${proxy.url}" }`);
      for (const endpoint of ['healthcheck', 'index', 'command']) {
        expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint, via: 'public' })).toBe(502);
        expect(value(samples, 'onlyoffice_endpoint_up', { endpoint, via: 'public' })).toBe(0);
        expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint, via: 'direct' })).toBe(0);
      }
      expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'api_js', via: 'public' })).toBe(200);
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'api_js', via: 'public' })).toBe(1);
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
    } finally {
      await ds.start();
    }
  });

  test('docservice up but the proxy broken', async () => {
    const broken = await startNginx({ backendPort: ds.port });
    await broken.stop();
    const samples = await scrapeDs(`documentserver: { url: "${ds.url}", public_url: "${broken.url}" }`);
    expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'healthcheck', via: 'direct' })).toBe(1);
    expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'healthcheck', via: 'public' })).toBe(0);
    expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'api_js', via: 'public' })).toBe(0);
    expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(1);
  });

  test('DS root behind its nginx with /info/ denied: license via CommandService', async () => {
    const samples = await scrapeDs(`documentserver: { url: "${denying.url}" }`);
    expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'api_js', via: 'direct' })).toBe(1);
    expect(find(samples, 'onlyoffice_license_info')[0]!.labels.source).toBe('command');
    expect(value(samples, 'onlyoffice_license_connections_limit', { mode: 'edit' })).toBe(20);
    expect(find(samples, 'onlyoffice_connections')).toEqual([]);
    expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(1);
  });

  test('nginx without api.js (its own 404 page) is reported down, directly and through the proxy', async () => {
    const missing = await startNginx({ backendPort: ds.port, apiJsMissing: true });
    try {
      const samples = await scrapeDs(`documentserver: { url: "${missing.url}", public_url: "${missing.url}" }`);
      for (const via of ['direct', 'public']) {
        expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'api_js', via })).toBe(0);
        expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'api_js', via })).toBe(404);
        expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'index', via })).toBe(1);
      }
    } finally {
      await missing.stop();
    }
  });

  test('a frozen dependency behind the proxy: the healthcheck times out, nginx keeps waiting', async () => {
    ds.setFault('rabbitmq_frozen');
    try {
      const samples = await scrapeDs(
        `documentserver: { url: "${ds.url}", public_url: "${proxy.url}", timeout: 1s }`,
        3_000,
      );
      expect(value(samples, 'onlyoffice_healthcheck_up')).toBe(0);
      expect(value(samples, 'onlyoffice_endpoint_status_code', { endpoint: 'healthcheck', via: 'public' })).toBe(0);
      expect(value(samples, 'onlyoffice_endpoint_up', { endpoint: 'index', via: 'public' })).toBe(1);
    } finally {
      ds.setFault('none');
    }
  });
});
