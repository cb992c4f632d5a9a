import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import {
  MAX_CONFIG_FILE_BYTES,
  readBoundedFile,
  readBoundedFileAsync,
  readErrorReason,
} from '../../src/lib/read-bounded-file.js';
import { configProblems as problemsOf } from '../support/scrape.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ooe-config-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jwtFile = (file: string) => `documentserver: { jwt: { secret_file: ${file} } }`;

function loadProblems(path: string): string[] {
  try {
    loadConfigFile(path, {});
  } catch (error) {
    return (error as { problems: string[] }).problems;
  }
  throw new Error('expected a ConfigError');
}

interface ChildResult {
  problems: string[];
  ms: number;
}

/**
 * Runs the loader in a child process: a read that blocks on a FIFO, or never ends on /dev/zero, would block
 * jest's own event loop (so no jest timeout could fire); here it fails the test when the child is killed.
 */
function inChild(cases: Array<{ yaml: string } | { file: string }>): ChildResult[] {
  const script = `
    const { loadConfigFile, parseConfig } = await import(process.argv[1]);
    const results = [];
    for (const c of JSON.parse(process.argv[2])) {
      const started = Date.now();
      let problems = [];
      try {
        if ('file' in c) loadConfigFile(c.file, {}); else parseConfig(c.yaml, 'test.yml', {});
      } catch (error) {
        problems = error.problems ?? [String(error)];
      }
      results.push({ problems, ms: Date.now() - started });
    }
    process.stdout.write(JSON.stringify(results));`;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script, join(ROOT, 'src/config/load.ts'), JSON.stringify(cases)],
    {
      cwd: ROOT,
      timeout: 15_000,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as ChildResult[];
}

describe('files the config loader reads: regular files of at most 1 MiB', () => {
  test('/dev/zero and a FIFO are refused by name, at once, as secret files and as the config file', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const zeroLink = join(dir, 'zero-link');
    symlinkSync('/dev/zero', zeroLink);
    const results = inChild([
      { yaml: jwtFile('/dev/zero') },
      { yaml: jwtFile(fifo) },
      { yaml: jwtFile(zeroLink) },
      { yaml: `notify: { auth: { password_file: ${fifo} } }` },
      { file: '/dev/zero' },
      { file: fifo },
    ]);
    expect(results.map((r) => r.problems)).toEqual([
      ['documentserver.jwt.secret_file: cannot read /dev/zero: not a regular file'],
      [`documentserver.jwt.secret_file: cannot read ${fifo}: not a regular file`],
      [`documentserver.jwt.secret_file: cannot read ${zeroLink}: not a regular file`],
      [`notify.auth.password_file: cannot read ${fifo}: not a regular file`],
      ['cannot read the file: not a regular file'],
      ['cannot read the file: not a regular file'],
    ]);
    for (const r of results) expect(r.ms).toBeLessThan(1000);
  }, 20_000);

  test('tls.ca_file: /dev/zero, a FIFO and a file over 1 MiB are refused naming the key, at once', () => {
    const fifo = join(dir, 'ca-fifo');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big-ca.pem');
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1, 'a'));
    const results = inChild([
      { yaml: 'tls: { ca_file: /dev/zero }' },
      { yaml: `tls: { ca_file: ${fifo} }` },
      { yaml: `tls: { ca_file: ${big} }` },
    ]);
    expect(results.map((r) => r.problems)).toEqual([
      ['tls.ca_file: cannot read /dev/zero: not a regular file'],
      [`tls.ca_file: cannot read ${fifo}: not a regular file`],
      [`tls.ca_file: cannot read ${big}: larger than 1048576 bytes`],
    ]);
    for (const r of results) expect(r.ms).toBeLessThan(1000);
  }, 20_000);

  test('a file over 1 MiB is refused naming the key and the cap; exactly 1 MiB is read', () => {
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1, 'a'));
    expect(problemsOf(jwtFile(big))).toEqual([
      `documentserver.jwt.secret_file: cannot read ${big}: larger than 1048576 bytes`,
    ]);
    expect(loadProblems(big)).toEqual(['cannot read the file: larger than 1048576 bytes']);
    const limit = join(dir, 'limit');
    writeFileSync(limit, `${'a'.repeat(MAX_CONFIG_FILE_BYTES - 1)}\n`);
    expect(parseConfig(jwtFile(limit), 't', {}).documentserver.jwt?.secret).toBe('a'.repeat(MAX_CONFIG_FILE_BYTES - 1));
  });

  test('symlinks are followed, as in a Kubernetes secret mount (key -> ..data/key, ..data -> timestamped folder)', () => {
    const mount = join(dir, 'mount');
    mkdirSync(join(mount, '..2024_01_01_00_00_00.1'), { recursive: true });
    writeFileSync(join(mount, '..2024_01_01_00_00_00.1', 'jwt'), 'from-secret\r\n');
    symlinkSync('..2024_01_01_00_00_00.1', join(mount, '..data'));
    symlinkSync('..data/jwt', join(mount, 'jwt'));
    expect(parseConfig(jwtFile(join(mount, 'jwt')), 't', {}).documentserver.jwt?.secret).toBe('from-secret');

    writeFileSync(join(dir, 'config.yml'), jwtFile(join(mount, 'jwt')));
    symlinkSync(join(dir, 'config.yml'), join(dir, 'config-link.yml'));
    expect(loadConfigFile(join(dir, 'config-link.yml'), {}).documentserver.jwt?.secret).toBe('from-secret');
  });

  test('a folder, a dangling symlink and /dev/null are errors too', () => {
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect(problemsOf(jwtFile(dir))).toEqual([
      `documentserver.jwt.secret_file: cannot read ${dir}: not a regular file`,
    ]);
    expect(problemsOf(jwtFile(join(dir, 'dangling')))).toEqual([
      `documentserver.jwt.secret_file: cannot read ${join(dir, 'dangling')}: ENOENT`,
    ]);
    expect(problemsOf(jwtFile('/dev/null'))).toEqual([
      'documentserver.jwt.secret_file: cannot read /dev/null: not a regular file',
    ]);
    expect(loadProblems(dir)).toEqual(['cannot read the file: not a regular file']);
  });
});

describe('readBoundedFile', () => {
  test('reads to the end, not to the size stat gives, and still stops at the cap', () => {
    // /proc files are regular files whose stat size is 0.
    expect(readBoundedFile('/proc/self/status')).toMatch(/^Name:\t/);
    expect(() => readBoundedFile('/proc/self/status', 10)).toThrow(new Error('larger than 10 bytes'));
    const file = join(dir, 'four');
    writeFileSync(file, 'é\n!');
    expect(readBoundedFile(file, 4)).toBe('é\n!');
    expect(() => readBoundedFile(file, 3)).toThrow(new Error('larger than 3 bytes'));
  });

  test('the async reader: same checks and cap, bytes, and it stops when the signal aborts', async () => {
    const file = join(dir, 'async');
    writeFileSync(file, 'é\n!');
    expect(await readBoundedFileAsync(file, 4)).toEqual(Buffer.from('é\n!'));
    await expect(readBoundedFileAsync(file, 3)).rejects.toThrow(new Error('larger than 3 bytes'));
    expect((await readBoundedFileAsync('/proc/self/status')).toString('utf8')).toMatch(/^Name:\t/);
    await expect(readBoundedFileAsync('/proc/self/status', 10)).rejects.toThrow(new Error('larger than 10 bytes'));
    await expect(readBoundedFileAsync('/dev/zero')).rejects.toThrow(new Error('not a regular file'));
    await expect(readBoundedFileAsync(dir)).rejects.toThrow(new Error('not a regular file'));
    await expect(readBoundedFileAsync(join(dir, 'absent'))).rejects.toMatchObject({ code: 'ENOENT' });
    // A FIFO without a writer: refused by the stat, so no threadpool thread waits in open().
    const fifo = join(dir, 'async-fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    await expect(readBoundedFileAsync(fifo)).rejects.toThrow(new Error('not a regular file'));
    expect(Date.now() - started).toBeLessThan(1000);
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    const aborted = await readBoundedFileAsync(file, 4, controller.signal).then(
      () => {
        throw new Error('expected an AbortError');
      },
      (error: unknown) => error as Error & { code: string },
    );
    expect([aborted.name, aborted.code, aborted.cause]).toEqual(['AbortError', 'ABORT_ERR', controller.signal.reason]);
    expect(aborted.cause).toBe(controller.signal.reason);
  });

  test('readErrorReason gives the errno code, else the message', () => {
    const reason = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return readErrorReason(error);
      }
      return 'no error';
    };
    expect(reason(() => readBoundedFile(join(dir, 'absent')))).toBe('ENOENT');
    expect(reason(() => readBoundedFile('/dev/zero'))).toBe('not a regular file');
    expect(readErrorReason('plain')).toBe('plain');
  });
});
