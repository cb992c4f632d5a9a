import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dependencies from '../../src/collectors/dependencies.js';
import { configFrom, silentLogger, configProblems as problemsOf } from '../support/scrape.js';

describe('dependencies configuration', () => {
  test("defaults are DocumentServer's own, on localhost, 3s per check; Redis (unused by Community) is off", () => {
    const config = configFrom('');
    expect(config.dependencies).toEqual({
      enabled: true,
      postgresql: { dependency: 'postgresql', address: '127.0.0.1:5432', host: '127.0.0.1', port: 5432, tls: false },
      rabbitmq: { dependency: 'rabbitmq', address: '127.0.0.1:5672', host: '127.0.0.1', port: 5672, tls: false },
      redis: false,
      timeout: 3_000,
    });
    expect(configFrom('dependencies: { redis: "127.0.0.1:6379" }').dependencies.redis).toEqual({
      dependency: 'redis',
      address: '127.0.0.1:6379',
      host: '127.0.0.1',
      port: 6379,
      tls: false,
    });
  });

  test('the shape from the issue, and false to leave one out', () => {
    const config = configFrom(`
dependencies:
  postgresql: db.internal:5433
  rabbitmq: "[::1]:5672"
  redis: false
  timeout: 1500ms
`);
    expect(config.dependencies.postgresql).toEqual({
      dependency: 'postgresql',
      address: 'db.internal:5433',
      host: 'db.internal',
      port: 5433,
      tls: false,
    });
    expect(config.dependencies.rabbitmq).toEqual({
      dependency: 'rabbitmq',
      address: '[::1]:5672',
      host: '::1',
      port: 5672,
      tls: false,
    });
    expect(config.dependencies.redis).toBe(false);
    expect(config.dependencies.timeout).toBe(1_500);
  });

  test('URLs as DS writes them: PostgreSQL credentials are dropped, RabbitMQ and Redis keep theirs to log in; the address has none', () => {
    const config = configFrom(`
dependencies:
  postgresql: postgresql://onlyoffice:dbpass@db:5432/onlyoffice
  rabbitmq: amqps://ds:mq%40pass@mq.internal/ds%2Fvhost
  redis: redis://default:s%3Acret@cache:6380/0
`);
    expect(config.dependencies.postgresql).toEqual({
      dependency: 'postgresql',
      address: 'db:5432',
      host: 'db',
      port: 5432,
      tls: false,
    });
    expect(config.dependencies.rabbitmq).toEqual({
      dependency: 'rabbitmq',
      address: 'mq.internal:5671',
      host: 'mq.internal',
      port: 5671,
      tls: true,
      username: 'ds',
      password: 'mq@pass',
      vhost: 'ds/vhost',
    });
    expect(config.dependencies.redis).toEqual({
      dependency: 'redis',
      address: 'cache:6380',
      host: 'cache',
      port: 6380,
      tls: false,
      username: 'default',
      password: 's:cret',
    });
    expect(JSON.stringify(config.dependencies)).not.toContain('dbpass');
  });

  test('an AMQP URL without user or vhost means what amqplib (and so DS) makes of it: guest/guest on "/"', () => {
    expect(configFrom('dependencies: { rabbitmq: "amqp://localhost:5672" }').dependencies.rabbitmq).toEqual({
      dependency: 'rabbitmq',
      address: 'localhost:5672',
      host: 'localhost',
      port: 5672,
      tls: false,
      username: 'guest',
      password: 'guest',
      vhost: '/',
    });
    // host:port alone: only the protocol header, no login.
    expect(configFrom('dependencies: { rabbitmq: "localhost:5672" }').dependencies.rabbitmq).toEqual({
      dependency: 'rabbitmq',
      address: 'localhost:5672',
      host: 'localhost',
      port: 5672,
      tls: false,
    });
  });

  test('the mapping form takes the Redis password from a file (password_file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-deps-'));
    try {
      writeFileSync(join(dir, 'redis-password'), 'from-file\n');
      const config = configFrom(
        `dependencies: { redis: { address: "127.0.0.1:6379", password_file: ${join(dir, 'redis-password')} } }`,
      );
      expect(config.dependencies.redis).toEqual({
        dependency: 'redis',
        address: '127.0.0.1:6379',
        host: '127.0.0.1',
        port: 6379,
        tls: false,
        password: 'from-file',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad inputs name the key and never echo a password', () => {
    expect(problemsOf('dependencies: { postgresql: localhost }')).toEqual([
      'dependencies.postgresql: "localhost" is not host:port; give 127.0.0.1:5432 or postgresql://host:5432/db',
    ]);
    expect(problemsOf('dependencies: { rabbitmq: "http://guest:topsecret@mq:5672" }')).toEqual([
      'dependencies.rabbitmq: http:// is not a rabbitmq URL; give 127.0.0.1:5672 or amqp://user:pass@host:5672',
    ]);
    expect(problemsOf('dependencies: { redis: "redis://:%zz@cache:6379" }')).toEqual([
      'dependencies.redis: the URL is not valid percent-encoding',
    ]);
    expect(problemsOf('dependencies: { redis: { address: "cache:99999" } }')).toEqual([
      'dependencies.redis.address: port 99999 in "cache:99999" is not between 1 and 65535; give 127.0.0.1:6379 or redis://:password@host:6379',
    ]);
    expect(problemsOf('dependencies: { postgresql: { address: "db:5432", password: x } }')).toEqual([
      'dependencies.postgresql: username/password are not used for postgresql (its check runs before any login)',
    ]);
    expect(problemsOf('dependencies: { redis: { address: "cache:6379", pasword: x } }')).toEqual([
      'dependencies.redis.pasword: unknown key',
    ]);
    expect(problemsOf('dependencies: { redis: 6379 }')).toEqual([
      'dependencies.redis: expected a string or a mapping (or false), got number',
    ]);
    expect(problemsOf('dependencies: { redis: true }')).toEqual([
      'dependencies.redis: expected a string or a mapping (or false), got boolean',
    ]);
    expect(problemsOf('dependencies: { mysql: "db:3306" }')).toEqual(['dependencies.mysql: unknown key']);
    expect(problemsOf('dependencies: { timeout: fast }')).toEqual([
      'dependencies.timeout: "fast" is not a positive duration such as 10s, 1m30s or 500ms',
    ]);
    for (const problem of problemsOf('dependencies: { rabbitmq: "http://guest:topsecret@mq:5672" }'))
      expect(problem).not.toContain('topsecret');
  });

  test('all three left out turns the collector off', () => {
    expect(
      dependencies.create(
        configFrom('dependencies: { postgresql: false, rabbitmq: false, redis: false }'),
        silentLogger,
      ),
    ).toBeUndefined();
    expect(dependencies.create(configFrom(''), silentLogger)).toBeDefined();
  });
});
