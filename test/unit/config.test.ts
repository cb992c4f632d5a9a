import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { parseDuration } from '../../src/config/duration.js';
import { configProblems as problemsOf } from '../support/scrape.js';

describe('configuration', () => {
  test('no file gives the built-in defaults', () => {
    const config = loadConfigFile(undefined, {});
    expect(config.documentserver.url).toBe('http://127.0.0.1');
    expect(config.documentserver.timeout).toBe(10_000);
    expect(config.documentserver.public_url).toBeUndefined();
    expect(config.probe.targets).toEqual([]);
  });

  test('accepts the documented shape with env interpolation', () => {
    const config = parseConfig(
      `
documentserver:
  url: http://127.0.0.1:8000/
  public_url: https://docs.example.com
  jwt: { secret: "\${DS_JWT_SECRET}", header: Authorization }
  timeout: 1m30s
probe:
  targets: ["http://docs-1.internal:8000", "https://docs-2.example.com"]
`,
      't',
      { DS_JWT_SECRET: 's3cret' },
    );
    expect(config.documentserver.url).toBe('http://127.0.0.1:8000');
    expect(config.documentserver.jwt).toEqual({ secret: 's3cret', header: 'Authorization' });
    expect(config.documentserver.timeout).toBe(90_000);
    expect(config.probe.targets).toEqual([
      { url: 'http://docs-1.internal:8000', labels: {} },
      { url: 'https://docs-2.example.com', labels: {} },
    ]);
  });

  test('${VAR:-default} falls back', () => {
    const config = parseConfig('documentserver: { url: "${DS_URL:-http://10.0.0.1:8000}" }', 't', {});
    expect(config.documentserver.url).toBe('http://10.0.0.1:8000');
  });

  test('a missing env var names the key and the variable', () => {
    expect(problemsOf('documentserver: { jwt: { secret: "${NOPE}" } }')).toEqual([
      'documentserver.jwt.secret: environment variable NOPE is not set',
    ]);
  });

  test('unknown keys are named', () => {
    expect(problemsOf('documentserver: { timeot: 5s }')).toEqual(['documentserver.timeot: unknown key']);
    expect(problemsOf('documentservers: {}')).toEqual(['documentservers: unknown key']);
  });

  test('wrong types are named', () => {
    expect(problemsOf('documentserver: { url: 42 }')).toEqual(['documentserver.url: expected string, got number']);
    expect(problemsOf('documentserver: { timeout: soon }')).toEqual([
      'documentserver.timeout: "soon" is not a positive duration such as 10s, 1m30s or 500ms',
    ]);
    expect(problemsOf('probe: { targets: [ "ftp://x" ] }')).toEqual([
      'probe.targets.0: must be an http:// or https:// URL, not ftp://',
    ]);
    expect(problemsOf('documentserver: { insecure_skip_verify: "yes" }')).toEqual([
      'documentserver.insecure_skip_verify: expected boolean, got string',
    ]);
  });

  test('broken YAML says where', () => {
    expect(problemsOf('documentserver:\n  url: [unclosed\n')[0]).toMatch(/^not valid YAML \(line \d+\)/);
  });

  test('*_file reads a secret from a file, and both forms at once is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-config-'));
    writeFileSync(join(dir, 'jwt'), 'from-file\n');
    const config = parseConfig(`documentserver: { jwt: { secret_file: ${join(dir, 'jwt')} } }`, 't', {});
    expect(config.documentserver.jwt?.secret).toBe('from-file');
    expect(problemsOf(`documentserver: { jwt: { secret: a, secret_file: ${join(dir, 'jwt')} } }`)).toEqual([
      'documentserver.jwt.secret_file: give either secret or secret_file, not both',
    ]);
    expect(problemsOf(`documentserver: { jwt: { secret_file: ${join(dir, 'missing')} } }`)).toEqual([
      `documentserver.jwt.secret_file: cannot read ${join(dir, 'missing')}: ENOENT`,
    ]);
  });

  test("jwt.browser_secret: optional (the editors' token is then signed with jwt.secret), from a file too, never empty", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-config-'));
    writeFileSync(join(dir, 'browser'), 'browser-from-file\n');
    expect(
      parseConfig('documentserver: { jwt: { secret: a } }', 't', {}).documentserver.jwt?.browser_secret,
    ).toBeUndefined();
    const config = parseConfig(
      `documentserver: { jwt: { secret: a, browser_secret_file: ${join(dir, 'browser')} } }`,
      't',
      {},
    );
    expect(config.documentserver.jwt).toEqual({
      secret: 'a',
      header: 'Authorization',
      browser_secret: 'browser-from-file',
    });
    expect(problemsOf('documentserver: { jwt: { secret: a, browser_secret: "" } }')).toEqual([
      'documentserver.jwt.browser_secret: must not be empty',
    ]);
  });

  test('an unreadable config file is a clear error', () => {
    expect(() => loadConfigFile('/nonexistent/config.yml')).toThrow(
      'invalid configuration in /nonexistent/config.yml:\n  - cannot read the file: ENOENT',
    );
  });

  test('durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('1x')).toBeUndefined();
  });
});
