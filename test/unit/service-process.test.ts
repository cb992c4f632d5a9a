import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptsTcp, closer, isAlive, serviceDir, spawnService } from '../support/service-process.js';
import { freePort } from '../support/ports.js';

// The one start-up path of the private test servers (PostgreSQL, Redis, RabbitMQ, Prometheus, Alertmanager).
describe('spawnService', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = serviceDir('spawn-test');
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await closer(dir, async () => {})();
  });

  test('resolves once the probe says ready; stop ends the process; output goes to <name>.out', async () => {
    const dir = newDir();
    let probes = 0;
    const server = await spawnService({
      name: 'sleeper',
      dir,
      command: 'sh',
      args: ['-c', 'echo started >&2; exec sleep 600'],
      // Ready on the third probe, and only once the process has written its line.
      ready: () => readFileSync(join(dir, 'sleeper.out'), 'utf8') === 'started\n' && ++probes === 3,
    });
    expect(probes).toBe(3);
    expect(isAlive(server.pid)).toBe(true);
    expect(server.output).toBe(join(dir, 'sleeper.out'));
    await server.stop('SIGTERM', 10_000);
    expect(isAlive(server.pid)).toBe(false);
  }, 30_000);

  test('a process that exits before it is ready fails at once, quoting its stderr', async () => {
    const dir = newDir();
    const started = Date.now();
    await expect(
      spawnService({
        name: 'quitter',
        dir,
        command: 'sh',
        args: ['-c', 'echo "bad option --frobnicate" >&2; exit 3'],
        ready: () => false,
        timeoutMs: 60_000,
      }),
    ).rejects.toThrow(/quitter did not start: exited with code 3\n--- .*quitter\.out\nbad option --frobnicate/);
    // Long before the 60 s bound: the exit is noticed, not waited out.
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  test('a process never ready fails after the bound and is stopped', async () => {
    const dir = newDir();
    let pid = 0;
    await expect(
      spawnService({
        name: 'mute',
        dir,
        command: 'sh',
        args: ['-c', 'exec sleep 600'],
        ready: (p) => ((pid = p), false),
        timeoutMs: 500,
      }),
    ).rejects.toThrow(/mute did not start: not ready after 500 ms\n--- .*mute\.out\n/);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  }, 30_000);

  test('a missing program fails with the spawn error', async () => {
    await expect(
      spawnService({ name: 'ghost', dir: newDir(), command: '/nonexistent/ghost', ready: () => true }),
    ).rejects.toThrow(/ghost did not start: Error: spawn \/nonexistent\/ghost ENOENT/);
  });

  test('closer stops once and removes the directory, however often it is called', async () => {
    const dir = serviceDir('spawn-test');
    let stops = 0;
    const close = closer(dir, async () => {
      stops += 1;
    });
    await Promise.all([close(), close()]);
    await close();
    expect(stops).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });

  test('acceptsTcp: false with nothing on the port', async () => {
    expect(await acceptsTcp(await freePort())).toBe(false);
  });
});
