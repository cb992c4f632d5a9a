import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { ZodTypeAny } from 'zod';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'ooe-config-prop-'));
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, 'FILESECRETfromfile42\n');
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The object schema inside defaults, effects, optionals and unions (e.g. `false | {...}` shorthands). */
function objectShape(type: ZodTypeAny): Record<string, ZodTypeAny> | undefined {
  let t: ZodTypeAny | undefined = type;
  for (let i = 0; i < 12 && t; i++) {
    const def = t._def as {
      innerType?: ZodTypeAny;
      schema?: ZodTypeAny;
      options?: ZodTypeAny[];
      shape?: () => Record<string, ZodTypeAny>;
    };
    if (typeof def.shape === 'function') return def.shape();
    if (def.options) return def.options.map(objectShape).find((shape) => shape !== undefined);
    t = def.innerType ?? def.schema;
  }
  return undefined;
}

// Every section and key the loader knows today, read from the schema so new sections are fuzzed too.
const SECTIONS = Object.entries(configSchema.shape as Record<string, ZodTypeAny>).map(([name, type]) => ({
  name,
  keys: Object.keys(objectShape(type) ?? {}),
}));

const SECRET = fc.stringMatching(/^SECRET[A-Za-z0-9]{10}$/);
const leaf = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    '10s',
    '0s',
    '-1s',
    '1m30s',
    '500ms',
    'soon',
    '',
    'auto',
    'false',
    'udp://127.0.0.1:0',
    'udp://[::1]:9125',
    'http://127.0.0.1:1',
    'https://[::1]:8443/x',
    'amqp://guest:guest@127.0.0.1:5672/%2f',
    'redis://:pw@127.0.0.1:6379',
    'postgresql://u:p@h/db',
    '127.0.0.1:5432',
    '[::1]:443',
    'host:99999',
    '${HOME}',
    '${NOPE}',
    '${NOPE:-fallback}',
    '${',
    '$${X}',
    'zh-CN',
    'Asia/Shanghai',
    'Mars/Olympus',
    '*',
    '[',
    'onlyoffice*',
  ),
  // Paths: a file, and what the loader must refuse (a device, a folder).
  fc.constantFrom(secretFile, '/dev/null', dir),
  fc.string({ maxLength: 30 }),
);
// A value, or one level deeper with keys of the section's own sub-objects and some strangers.
const value = fc.oneof(
  { weight: 3, arbitrary: leaf },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'secret',
          'secret_file',
          'header',
          'address',
          'password',
          'password_file',
          'username',
          'url',
          'url_file',
          'bearer_token',
          'messages',
          'window',
          'max_alerts',
          'ops',
          '__proto__',
          'constructor',
        ),
        fc.string({ maxLength: 8 }),
      ),
      leaf,
      { maxKeys: 4 },
    ),
  },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }) },
);
const section = fc
  .constantFrom(...SECTIONS)
  .chain(({ name, keys }) =>
    fc.tuple(
      fc.constant(name),
      fc.dictionary(
        fc.oneof(
          fc.constantFrom(...(keys.length > 0 ? keys : ['x'])),
          fc.constantFrom('url_file', 'password_file', 'secret_file', '__proto__'),
          fc.string({ maxLength: 6 }),
        ),
        value,
        { maxKeys: 5 },
      ),
    ),
  );
// The loader's <key>_file secrets, and tls.ca_file (read by its own schema, with the same bounded reader).
const FILE_KEYS = new Set([
  'secret_file',
  'password_file',
  'bearer_token_file',
  'token_file',
  'url_file',
  'username_file',
  'ca_file',
]);

/** A copy of `value` whose file keys (FILE_KEYS), at any depth, all name `path`. */
function pointFileKeys(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item) => pointFileKeys(item, path));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty: a generated "__proto__" key stays an own key, as in the original.
    Object.defineProperty(out, key, {
      value: FILE_KEYS.has(key) ? path : pointFileKeys(item, path),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

// Sometimes every file key names /dev/zero or a FIFO, which must be refused without blocking.
const document = fc
  .tuple(fc.array(section, { maxLength: 4 }), fc.option(fc.constantFrom('/dev/zero', fifo), { nil: undefined }))
  .map(([sections, path]) => {
    const doc = Object.fromEntries(sections);
    return path === undefined ? doc : (pointFileKeys(doc, path) as Record<string, unknown>);
  });
const env = fc.dictionary(fc.constantFrom('HOME', 'NOPE', 'X', 'TOKEN'), fc.string({ maxLength: 10 }), { maxKeys: 3 });

/** parseConfig's contract: a Config, or a ConfigError with at least one non-empty problem. Anything else is a bug. */
function outcome(text: string, environment: Record<string, string> = {}): 'ok' | ConfigError {
  try {
    parseConfig(text, 'fuzz.yml', environment);
    return 'ok';
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) expect(problem.trim().length).toBeGreaterThan(0);
    expect(error.message.startsWith('invalid configuration in fuzz.yml:\n  - ')).toBe(true);
    return error;
  }
}

describe('config loader: property-based', () => {
  test('any text is a config or a ConfigError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        outcome(text);
      }),
      { numRuns: 3000 },
    );
  });

  test('YAML documents built from the real sections and keys are a config or a ConfigError', () => {
    let valid = 0;
    fc.assert(
      fc.property(document, env, (doc, environment) => {
        if (outcome(stringify(doc), environment) === 'ok') valid++;
      }),
      { numRuns: 3000 },
    );
    // The generator does reach valid configurations, not only the first error.
    expect(valid).toBeGreaterThan(0);
  });

  test('a secret in a bad configuration is never echoed in the error', () => {
    const placements: Array<(secret: string) => object> = [
      (s) => ({ documentserver: { jwt: { secret: s, header: 7 }, timeout: 'soon' } }),
      (s) => ({ documentserver: { url: `http://u:${s}@127.0.0.1:99999` } }),
      (s) => ({ documentserver: { public_url: `ftp://u:${s}@host` } }),
      (s) => ({ dependencies: { rabbitmq: `amqp://u:${s}@host:notaport` } }),
      (s) => ({ dependencies: { redis: `redis://:${s}@[::1` } }),
      (s) => ({ dependencies: { postgresql: { address: `postgresql://u:${s}@h:5432/db`, password: s } } }),
      (s) => ({ dependencies: { rabbitmq: { address: 'amqp://h', password: s, extra: s } } }),
      (s) => ({ rabbitmq: { url: `amqpx://u:${s}@h`, password: s } }),
      (s) => ({ rabbitmq: { management_url: `http://u:${s}@h:1:2` } }),
      (s) => ({
        notify: {
          auth: { bearer_token: s, password: s },
          dingtalk: { ops: { url: `http://h/robot/send?access_token=${s}`, secret: s, secrett: s } },
        },
      }),
      (s) => ({ notify: { auth: { bearer_token: s.slice(0, 10) } } }),
      (s) => ({
        notify: { auth: { bearer_token: s }, wecom: { ops: { url: `gopher://h/cgi-bin/webhook/send?key=${s}` } } },
      }),
    ];
    fc.assert(
      fc.property(SECRET, fc.integer({ min: 0, max: placements.length - 1 }), (secret, index) => {
        const result = outcome(stringify(placements[index]!(secret)));
        expect(result).toBeInstanceOf(ConfigError);
        expect((result as ConfigError).message).not.toContain(secret.slice(6));
      }),
      { numRuns: 1000 },
    );
  });

  test('secrets from ${ENV} and *_file stay out of errors too', () => {
    const text = `documentserver: { jwt: { secret_file: "${secretFile}" }, timeout: nope }\nnotify: { auth: { bearer_token: "\${TOKEN}", password: x } }\n`;
    const result = outcome(text, { TOKEN: 'SECRETfromtheenv99' });
    expect(result).toBeInstanceOf(ConfigError);
    expect((result as ConfigError).message).not.toContain('fromfile42');
    expect((result as ConfigError).message).not.toContain('fromtheenv99');
  });

  test('hostile YAML: alias bombs, deep nesting, huge scalars and odd keys end in a ConfigError', () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      laughs.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    for (const text of [
      laughs.join('\n'),
      `documentserver: ${'['.repeat(5000)}${']'.repeat(5000)}`,
      `documentserver:\n${Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} 1`,
      '__proto__: { polluted: 1 }',
      'constructor: { prototype: { polluted: 1 } }',
      '? [a, b]\n: c',
      '!!js/function "function(){}"',
      'documentserver: !!binary aGVsbG8=',
      '%YAML 9.9\n---\na: 1',
      'a: 1\n---\nb: 2',
    ]) {
      expect([text.slice(0, 30), outcome(text)]).toEqual([text.slice(0, 30), expect.any(ConfigError)]);
    }
    // A megabyte-long host name is still a URL: accepted, not a crash.
    expect(outcome(`documentserver: { url: "http://${'a'.repeat(1_000_000)}" }`)).toBe('ok');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
