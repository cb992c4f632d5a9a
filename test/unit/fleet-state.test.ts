import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';

/**
 * The daemon remembers which collector fails for which target, to log a failure once rather than every scrape. A fleet
 * whose targets change across reloads must not keep the failures of targets it no longer has: that memory starts over
 * with each configuration, so it never outgrows the targets configured.
 */
test('the failure log of /probe starts over with each configuration', async () => {
  const lines: { msg: string; target?: string; collector?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const dir = mkdtempSync(join(tmpdir(), 'ooe-fleet-state-'));
  const path = join(dir, 'config.yml');
  const write = (targets: string) =>
    writeFileSync(
      path,
      `documentserver: { timeout: 2s }\ndocker: { enabled: false }\ndisk: { paths: [] }\nprobe: { targets: [ ${targets} ] }\n`,
    );
  const runtime = new Runtime(path, logger);
  const app = buildServer({ runtime, logger, timeoutOffsetMs: 500, enableRemoteReload: false });
  const failures = (target: string) =>
    lines.filter((l) => l.msg === 'collector failed' && l.target === target && l.collector === 'commands').length;
  try {
    write('"http://127.0.0.1:9/a"');
    await runtime.reload();
    for (let i = 0; i < 2; i++)
      expect((await app.inject({ url: '/probe?target=http://127.0.0.1:9/a' })).statusCode).toBe(200);
    expect(failures('http://127.0.0.1:9/a')).toBe(1);

    // A removed, then configured again: the new configuration knows nothing of its old failure, and says it again.
    write('"http://127.0.0.1:9/b"');
    await runtime.reload();
    await app.inject({ url: '/probe?target=http://127.0.0.1:9/b' });
    write('"http://127.0.0.1:9/a"');
    await runtime.reload();
    await app.inject({ url: '/probe?target=http://127.0.0.1:9/a' });
    expect(failures('http://127.0.0.1:9/a')).toBe(2);
    expect(failures('http://127.0.0.1:9/b')).toBe(1);
  } finally {
    await app.close();
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
