import { mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import dependencies from '../../src/collectors/dependencies.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { find, value, type Sample } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { freePort } from '../support/ports.js';
import { POSTGRES_PROGRAMS, startPostgres, type Postgres } from '../support/postgres.js';
import { RABBITMQ_PROGRAMS, startRabbitMQ, type RabbitMQ } from '../support/rabbitmq.js';
import { REDIS_PROGRAMS, startRedis, type Redis } from '../support/redis.js';
import { configFrom, scrapeWith } from '../support/scrape.js';
import { waitFor } from '../support/service-process.js';
import { startExporter } from '../support/exporter-process.js';
import { parseExposition } from '../support/exposition.js';
import { TestPki } from '../support/tls-pki.js';

const gate = requirePrograms(...RABBITMQ_PROGRAMS, ...POSTGRES_PROGRAMS, ...REDIS_PROGRAMS, 'openssl');
const PASSWORD = 'r3dis-s3cret';

gate.describe('dependencies collector against real PostgreSQL, RabbitMQ and Redis', () => {
  let postgres: Postgres;
  let postgresSsl: Postgres;
  let rabbitmq: RabbitMQ;
  let redis: Redis;
  let redisWithPassword: Redis;

  beforeAll(async () => {
    // Each service once for the whole file: they are slow to start and the machine is shared.
    [postgres, postgresSsl, rabbitmq, redis, redisWithPassword] = await Promise.all([
      startPostgres(),
      startPostgres({ ssl: true }),
      startRabbitMQ(),
      startRedis(),
      startRedis({ password: PASSWORD }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([
      postgres?.close(),
      postgresSsl?.close(),
      rabbitmq?.close(),
      redis?.close(),
      redisWithPassword?.close(),
    ]);
  }, 60_000);

  function allThree(redisValue = `127.0.0.1:${redis.port}`, extra = ''): string {
    return `dependencies:\n  postgresql: 127.0.0.1:${postgres.port}\n  rabbitmq: ${rabbitmq.url}\n  redis: "${redisValue}"\n${extra}`;
  }

  function up(samples: Sample[], dependency: string): number {
    return value(samples, 'onlyoffice_dependency_up', { dependency });
  }

  test('running services are up, each under its own host:port and without credentials', async () => {
    const { samples, text } = await scrapeWith([dependencies], configFrom(allThree()));
    expect(
      value(samples, 'onlyoffice_dependency_up', { dependency: 'postgresql', address: `127.0.0.1:${postgres.port}` }),
    ).toBe(1);
    expect(
      value(samples, 'onlyoffice_dependency_up', { dependency: 'rabbitmq', address: `127.0.0.1:${rabbitmq.port}` }),
    ).toBe(1);
    expect(
      value(samples, 'onlyoffice_dependency_up', { dependency: 'redis', address: `127.0.0.1:${redis.port}` }),
    ).toBe(1);
    for (const sample of find(samples, 'onlyoffice_dependency_duration_seconds'))
      expect(sample.value).toBeGreaterThan(0);
    expect(text).not.toContain('guest');
  });

  test('Redis with a password: AUTH then PING is up; a wrong or missing password is down; the password never shows', async () => {
    const good = await scrapeWith(
      [dependencies],
      configFrom(allThree(`redis://:${PASSWORD}@127.0.0.1:${redisWithPassword.port}`)),
    );
    expect(up(good.samples, 'redis')).toBe(1);
    expect(good.text).not.toContain(PASSWORD);
    const mapping = await scrapeWith(
      [dependencies],
      configFrom(
        `dependencies: { postgresql: false, rabbitmq: false, redis: { address: "127.0.0.1:${redisWithPassword.port}", username: default, password: "${PASSWORD}" } }`,
      ),
    );
    expect(up(mapping.samples, 'redis')).toBe(1);
    const wrong = await scrapeWith(
      [dependencies],
      configFrom(allThree(`redis://:nope@127.0.0.1:${redisWithPassword.port}`)),
    );
    expect(up(wrong.samples, 'redis')).toBe(0);
    const missing = await scrapeWith([dependencies], configFrom(allThree(`127.0.0.1:${redisWithPassword.port}`)));
    expect(up(missing.samples, 'redis')).toBe(0);
    // A password for a Redis that has none is a misconfiguration too.
    const extra = await scrapeWith(
      [dependencies],
      configFrom(allThree(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`)),
    );
    expect(up(extra.samples, 'redis')).toBe(0);
  });

  test('RabbitMQ: host:port checks the protocol header; a URL logs in like DS (wrong password or vhost is down)', async () => {
    const headerOnly = await scrapeWith(
      [dependencies],
      configFrom(allThree(`127.0.0.1:${redis.port}`).replace(rabbitmq.url, `127.0.0.1:${rabbitmq.port}`)),
    );
    expect(up(headerOnly.samples, 'rabbitmq')).toBe(1);
    const rabbitOnly = (value: string) =>
      configFrom(`dependencies: { postgresql: false, redis: false, rabbitmq: "${value}" }`);
    // No user in the URL: amqplib's guest/guest, which this broker accepts (loopback_users.guest = false).
    expect(
      up((await scrapeWith([dependencies], rabbitOnly(`amqp://127.0.0.1:${rabbitmq.port}`))).samples, 'rabbitmq'),
    ).toBe(1);
    expect(
      up(
        (await scrapeWith([dependencies], rabbitOnly(`amqp://guest:wrong@127.0.0.1:${rabbitmq.port}`))).samples,
        'rabbitmq',
      ),
    ).toBe(0);
    expect(
      up(
        (await scrapeWith([dependencies], rabbitOnly(`amqp://guest:guest@127.0.0.1:${rabbitmq.port}/no-such-vhost`)))
          .samples,
        'rabbitmq',
      ),
    ).toBe(0);
  });

  test('RabbitMQ logs a URL check as an ordinary login and close, without a warning', async () => {
    const logFile = join(rabbitmq.dir, 'log', `${rabbitmq.nodeName}.log`);
    const before = readFileSync(logFile, 'utf8').length;
    const { samples } = await scrapeWith(
      [dependencies],
      configFrom(`dependencies: { postgresql: false, redis: false, rabbitmq: "${rabbitmq.url}" }`),
    );
    expect(up(samples, 'rabbitmq')).toBe(1);
    // Lines of our connection only (its Erlang process id), once RabbitMQ has logged its end.
    const ours = await waitFor('RabbitMQ to log the closed connection', 10_000, () => {
      const added = readFileSync(logFile, 'utf8').slice(before).split('\n');
      const login = added.find((line) => /user 'guest' authenticated and granted access to vhost '\/'/.test(line));
      const pid = login && /<\d+\.\d+\.\d+>/.exec(login)?.[0];
      const lines = pid ? added.filter((line) => line.includes(pid)) : [];
      return lines.some((line) => /closing AMQP connection/.test(line)) ? lines : undefined;
    });
    expect(ours.filter((line) => /\[(warning|error)\]/.test(line))).toEqual([]);
  });

  test('the check is the protocol, not the port: another service on the address is down', async () => {
    const http: Server = createServer((_request, response) => response.end('hello'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const httpPort = (http.address() as { port: number }).port;
    try {
      const config = configFrom(
        [
          'dependencies:',
          `  postgresql: 127.0.0.1:${redis.port}`,
          `  rabbitmq: 127.0.0.1:${postgres.port}`,
          `  redis: 127.0.0.1:${httpPort}`,
          // Redis waits for the end of an inline command that an SSLRequest never sends: that one is a timeout.
          '  timeout: 1s',
        ].join('\n'),
      );
      const { samples } = await scrapeWith([dependencies], config);
      expect(up(samples, 'postgresql')).toBe(0);
      expect(up(samples, 'rabbitmq')).toBe(0);
      expect(up(samples, 'redis')).toBe(0);
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });

  test('frozen (SIGSTOP: TCP still accepts) is down within the deadline; thawed is up again', async () => {
    const config = configFrom(allThree(`127.0.0.1:${redis.port}`, '  timeout: 30s\n'));
    postgres.freeze();
    rabbitmq.freeze();
    redis.freeze();
    let frozen;
    try {
      frozen = await scrapeWith([dependencies], config, { budgetMs: 5_000 });
    } finally {
      postgres.thaw();
      rabbitmq.thaw();
      redis.thaw();
    }
    // Finished inside the deadline: otherwise the orchestrator would drop its metrics and report success 0.
    expect(value(frozen.samples, 'onlyoffice_scrape_collector_success', { collector: 'dependencies' })).toBe(1);
    expect([up(frozen.samples, 'postgresql'), up(frozen.samples, 'rabbitmq'), up(frozen.samples, 'redis')]).toEqual([
      0, 0, 0,
    ]);
    // The 5 s budget, not the 30 s timeout.
    for (const sample of find(frozen.samples, 'onlyoffice_dependency_duration_seconds'))
      expect(sample.value).toBeLessThan(5);

    const thawed = await scrapeWith([dependencies], config);
    expect([up(thawed.samples, 'postgresql'), up(thawed.samples, 'rabbitmq'), up(thawed.samples, 'redis')]).toEqual([
      1, 1, 1,
    ]);
  });

  test('dependencies.timeout bounds a frozen peer even when the scrape has time left', async () => {
    redis.freeze();
    try {
      // A timeout the live PostgreSQL check meets on a busy machine too, far below the budget.
      const { samples } = await scrapeWith(
        [dependencies],
        configFrom(allThree(`127.0.0.1:${redis.port}`, '  timeout: 2s\n')),
        { budgetMs: 30_000 },
      );
      expect(up(samples, 'redis')).toBe(0);
      // The 2 s timeout, not the 30 s budget.
      expect(value(samples, 'onlyoffice_dependency_duration_seconds', { dependency: 'redis' })).toBeGreaterThanOrEqual(
        1.99,
      );
      expect(value(samples, 'onlyoffice_dependency_duration_seconds', { dependency: 'redis' })).toBeLessThan(15);
      expect(up(samples, 'postgresql')).toBe(1);
    } finally {
      redis.thaw();
    }
  });

  test("the checks leave no complaint in PostgreSQL's log, with ssl off (N) or on (S, then a closed TLS session)", async () => {
    const withSsl = await scrapeWith(
      [dependencies],
      configFrom(`dependencies: { postgresql: "127.0.0.1:${postgresSsl.port}", rabbitmq: false, redis: false }`),
    );
    expect(up(withSsl.samples, 'postgresql')).toBe(1);
    await scrapeWith([dependencies], configFrom(allThree()));
    for (const server of [postgres, postgresSsl]) {
      const log = readFileSync(join(server.dir, 'log'), 'utf8');
      expect(log).toContain('database system is ready to accept connections');
      expect(log.split('\n').filter((line) => /FATAL|ERROR|incomplete startup packet|could not/.test(line))).toEqual(
        [],
      );
    }
  });

  test('through the real daemon: disk, certificate file and dependency health on /metrics; secrets stay out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-host-'));
    const pki = new TestPki();
    try {
      const now = Math.floor(Date.now() / 1000);
      const cert = pki.issue('onlyoffice', {
        subject: '/CN=docs.example.com',
        notBefore: now - 86_400,
        notAfter: now + 90 * 86_400,
        serial: '2a',
        san: 'DNS:docs.example.com',
      });
      writeFileSync(join(dir, 'redis-password'), `${PASSWORD}\n`);
      writeFileSync(
        join(dir, 'config.yml'),
        [
          `disk: { paths: ["/", "${dir}"] }`,
          `tls: { files: ["${cert.certPath}"] }`,
          'dependencies:',
          `  postgresql: postgresql://onlyoffice:db-pass-123@127.0.0.1:${postgres.port}/onlyoffice`,
          `  rabbitmq: ${rabbitmq.url}`,
          `  redis: { address: "127.0.0.1:${redisWithPassword.port}", password_file: ${join(dir, 'redis-password')} }`,
          '',
        ].join('\n'),
      );
      const exporter = await startExporter([`--config.file=${join(dir, 'config.yml')}`]);
      try {
        const text = await (await fetch(`${exporter.url}/metrics`)).text();
        const samples = parseExposition(text);
        expect(
          value(samples, 'onlyoffice_dependency_up', {
            dependency: 'postgresql',
            address: `127.0.0.1:${postgres.port}`,
          }),
        ).toBe(1);
        expect(
          value(samples, 'onlyoffice_dependency_up', { dependency: 'rabbitmq', address: `127.0.0.1:${rabbitmq.port}` }),
        ).toBe(1);
        expect(
          value(samples, 'onlyoffice_dependency_up', {
            dependency: 'redis',
            address: `127.0.0.1:${redisWithPassword.port}`,
          }),
        ).toBe(1);
        const root = statfsSync('/');
        expect(value(samples, 'onlyoffice_filesystem_size_bytes', { path: '/' })).toBe(root.blocks * root.bsize);
        expect(value(samples, 'onlyoffice_filesystem_device_error', { path: dir })).toBe(0);
        expect(value(samples, 'onlyoffice_tls_cert_file_not_after_timestamp_seconds', { path: cert.certPath })).toBe(
          pki.opensslNotAfter(cert.certPath),
        );
        expect(value(samples, 'onlyoffice_tls_cert_file_key_match', { path: cert.certPath })).toBe(1);
        for (const collector of ['disk', 'tls_files', 'tls_endpoints', 'dependencies']) {
          expect(value(samples, 'onlyoffice_scrape_collector_success', { collector })).toBe(1);
        }

        // A frozen broker under a 2 s Prometheus timeout: down, and the scrape still answers in time.
        rabbitmq.freeze();
        let frozenText: string;
        try {
          frozenText = await (
            await fetch(`${exporter.url}/metrics`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2' } })
          ).text();
        } finally {
          rabbitmq.thaw();
        }
        const frozen = parseExposition(frozenText);
        expect(value(frozen, 'onlyoffice_dependency_up', { dependency: 'rabbitmq' })).toBe(0);
        expect(value(frozen, 'onlyoffice_dependency_up', { dependency: 'postgresql' })).toBe(1);
        expect(value(frozen, 'onlyoffice_scrape_collector_success', { collector: 'dependencies' })).toBe(1);

        for (const secret of [PASSWORD, 'db-pass-123', cert.keyPem.split('\n')[1]!]) {
          expect(text).not.toContain(secret);
          expect(exporter.output()).not.toContain(secret);
        }
      } finally {
        await exporter.stop();
      }
    } finally {
      pki.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stopped is down; restarted is up', async () => {
    await postgres.restart();
    const afterRestart = await scrapeWith([dependencies], configFrom(allThree()));
    expect(up(afterRestart.samples, 'postgresql')).toBe(1);

    const nobody = await freePort();
    const { samples } = await scrapeWith(
      [dependencies],
      configFrom(`dependencies:\n  postgresql: 127.0.0.1:${nobody}\n  rabbitmq: false\n  redis: false\n`),
    );
    expect(up(samples, 'postgresql')).toBe(0);

    await redis.close();
    const stopped = await scrapeWith([dependencies], configFrom(allThree()));
    expect(up(stopped.samples, 'redis')).toBe(0);
    expect(up(stopped.samples, 'postgresql')).toBe(1);
  });

  test('docs/metrics.md "dependencies" lists exactly the exported families and labels', async () => {
    const { samples, text } = await scrapeWith([dependencies], configFrom(allThree()));
    const exported = exportedFamilies(samples, text);
    for (const name of [...exported.keys()]) if (name.startsWith('onlyoffice_scrape_')) exported.delete(name);
    const documented = documentedMetrics().filter((metric) => metric.section === 'dependencies');
    expect(documented.map((metric) => [metric.name, metric.type, [...metric.labels].sort()]).sort()).toEqual(
      [...exported].map(([name, labels]) => [name, 'gauge', [...labels].sort()]).sort(),
    );
  });
});
