import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import Docker from 'dockerode';
import dockerCollector from '../../src/collectors/docker.js';
import supervisorCollector from '../../src/collectors/supervisor.js';
import { ApiCounter } from '../../src/docker/api.js';
import { acquireEngine } from '../../src/docker/engine.js';
import { globMatcher } from '../../src/docker/glob.js';
import { ContainerView } from '../../src/docker/view.js';
import { followerCount } from '../../src/lib/timeout-signal.js';
import { ENGINE_PROGRAMS, eventually, PrivateEngine, ScrapeHarness, TEST_IMAGE } from '../support/dockerd.js';
import { EngineProxy } from '../support/engine-proxy.js';
import { find, value } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { configFrom, silentLogger } from '../support/scrape.js';

const { describe: withEngine } = requirePrograms(...ENGINE_PROGRAMS);

const NO_TIMEOUT_IMAGE = 'local/notimeout:1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ViewInternals {
  lifetime: AbortController;
  phase: string;
  connecting: Promise<void> | undefined;
}

/** Containers under stress: a frozen engine, a flapping events stream, event bursts, hanging supervisorctl, huge output. */
withEngine('Docker collectors under stress (private engine)', () => {
  let engine: PrivateEngine;

  beforeAll(async () => {
    engine = await PrivateEngine.create();
  }, 90_000);

  afterAll(async () => {
    if (engine?.pid !== undefined) process.kill(engine.pid, 'SIGCONT');
    await engine?.destroy();
  }, 90_000);

  /** Freezes dockerd (SIGSTOP by its PID) for the duration of `work`; always thaws it. */
  async function frozen<T>(work: () => Promise<T>): Promise<T> {
    process.kill(engine.pid!, 'SIGSTOP');
    try {
      return await work();
    } finally {
      process.kill(engine.pid!, 'SIGCONT');
    }
  }

  async function running(container: string, marker: string): Promise<number> {
    const top = await engine.cli('top', container, '-eo', 'pid,args');
    return top.split('\n').filter((line) => line.includes(marker)).length;
  }

  async function execIds(container: string): Promise<string[]> {
    return (JSON.parse(await engine.cli('inspect', '-f', '{{json .ExecIDs}}', container)) as string[]) ?? [];
  }

  test('retries against a missing socket keep one abort listener on the view, however many there are', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const api = new ApiCounter();
    const view = new ContainerView({
      docker: new Docker({ socketPath: join(engine.dir, 'missing.sock') }),
      api,
      match: () => true,
      endpoint: 'unix://missing',
      resyncMs: 3_600_000,
      timeoutMs: 5_000,
      logger: silentLogger,
      retry: { initialMs: 1, maxMs: 1 },
    });
    const internals = view as unknown as ViewInternals;
    try {
      view.start();
      await eventually(
        '50 connect attempts, the view waiting to retry',
        () =>
          api.get('events') >= 50 && internals.phase === 'down' && internals.connecting === undefined
            ? true
            : undefined,
        60_000,
      );
      const signal = internals.lifetime.signal;
      // One shared listener for whatever calls follow the view's lifetime, and none of them left over.
      expect([getEventListeners(signal, 'abort').length, followerCount(signal)]).toEqual([1, 0]);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await view.close();
    }
  }, 90_000);

  test('a flapping events stream keeps its backoff and costs one list per reconnect and an inspect only per changed container', async () => {
    await Promise.all(
      Array.from({ length: 9 }, (_, i) => engine.cli('create', '--name', `fl-${i}`, TEST_IMAGE, 'sleep', '3600')),
    );
    const proxy = await EngineProxy.start(join(engine.dir, 'p.sock'), engine.socket);
    const api = new ApiCounter();
    const view = new ContainerView({
      docker: new Docker({ socketPath: proxy.path }),
      api,
      match: globMatcher(['fl-*']),
      endpoint: `unix://${proxy.path}`,
      resyncMs: 3_600_000,
      // Generous: one connect is held at the proxy while the test changes containers.
      timeoutMs: 60_000,
      logger: silentLogger,
      retry: { initialMs: 200, maxMs: 1_600 },
    });
    try {
      await view.ready(AbortSignal.timeout(30_000));
      expect([proxy.counts.events, proxy.counts.list, proxy.counts.inspect]).toEqual([1, 1, 9]);
      // A proxy that ends every events stream 300 ms after it began.
      proxy.cutEventsAfterMs = 300;
      proxy.cutAt.length = 0;
      proxy.eventsAt.length = 0;
      // Cut the current stream too (it began before the rule).
      (view as unknown as { stream: { destroy(): void } }).stream.destroy();
      await eventually('six reconnects', () => (proxy.eventsAt.length >= 6 ? true : undefined), 60_000);
      // Each reconnect waits at least the backoff, which doubles up to its maximum: 200 ms after the destroy above,
      // then 400, 800, 1600, 1600, 1600 ms after each cut.
      const expected = [400, 800, 1_600, 1_600, 1_600];
      const waits = expected.map((_, i) => proxy.eventsAt[i + 1]! - proxy.cutAt[i]!);
      waits.forEach((wait, i) => expect([i, wait >= expected[i]! - 5]).toEqual([i, true]));
      // Nothing changed: one list per connect and no inspect at all after the first sync.
      await eventually('the last reconnect to list', () =>
        proxy.counts.list === proxy.counts.events ? true : undefined,
      );
      expect(proxy.counts.inspect).toBe(9);

      // Changes while the stream is down: the reconnect lists them and inspects only those.
      proxy.holdEvents();
      await eventually('a reconnect held at the proxy', () => (proxy.heldCount > 0 ? true : undefined), 30_000);
      await engine.cli('create', '--name', 'fl-new', TEST_IMAGE, 'sleep', '3600');
      await engine.cli('rename', 'fl-8', 'fl-renamed');
      await engine.cli('rm', 'fl-7');
      proxy.cutEventsAfterMs = undefined;
      proxy.releaseEvents();
      await eventually(
        'the view to show the changes',
        () => {
          const names = view.containers().map((c) => c.name);
          return view.live && names.includes('fl-new') && names.includes('fl-renamed') && !names.includes('fl-7')
            ? names
            : undefined;
        },
        30_000,
      );
      expect(view.containers().map((c) => c.name)).toEqual([
        'fl-0',
        'fl-1',
        'fl-2',
        'fl-3',
        'fl-4',
        'fl-5',
        'fl-6',
        'fl-new',
        'fl-renamed',
      ]);
      expect(proxy.counts.inspect).toBe(11);
      expect(proxy.counts.list).toBe(proxy.counts.events);
    } finally {
      await view.close();
      await proxy.close();
    }
  }, 120_000);

  test('inspects after an event burst run at most 16 at a time', async () => {
    const created = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        engine.docker.createContainer({
          name: `burst-${String(i).padStart(3, '0')}`,
          Image: TEST_IMAGE,
          Cmd: ['sleep', '3600'],
        }),
      ),
    );
    const config = configFrom(
      `docker: { socket: ${engine.socket}, containers: ["burst-*"], supervisor: false, timeout: 60s, resync_interval: 1h }`,
    );
    const lease = acquireEngine(config.docker, silentLogger);
    try {
      await lease.engine.view.ready(AbortSignal.timeout(60_000));
      expect(lease.engine.api.get('inspect')).toBe(100);
      // Count inspects in flight at the client; hold them until the burst is over, so that they pile up if unbounded.
      const client = lease.engine.docker;
      const getContainer = client.getContainer.bind(client);
      let inflight = 0;
      let max = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      client.getContainer = ((id: string) => {
        const container = getContainer(id);
        const inspect = container.inspect.bind(container) as (options?: object) => Promise<unknown>;
        container.inspect = (async (options?: object) => {
          inflight += 1;
          max = Math.max(max, inflight);
          try {
            await gate;
            return await inspect(options);
          } finally {
            inflight -= 1;
          }
        }) as typeof container.inspect;
        return container;
      }) as typeof client.getContainer;
      // 100 containers changed at once: one update event each.
      await Promise.all(created.map((c) => c.update({ CpuShares: 512 })));
      let previous = -1;
      await eventually('the inspects to stop growing', () => {
        const now = lease.engine.api.get('inspect');
        const stable = now === previous && now > 100;
        previous = now;
        return stable ? true : undefined;
      });
      await sleep(500);
      release();
      await eventually(
        'every container inspected again',
        async () => {
          await lease.engine.view.settled();
          return lease.engine.api.get('inspect') === 200 ? true : undefined;
        },
        60_000,
      );
      expect(max).toBeLessThanOrEqual(16);
      expect(max).toBeGreaterThan(0);
    } finally {
      await lease.release();
      await Promise.all(created.map((c) => c.remove({ force: true })));
    }
  }, 180_000);

  test('a frozen engine: the docker collector fails within the ping deadline, one ping per scrape, and recovers', async () => {
    await engine.cli('create', '--name', 'fz-one', TEST_IMAGE, 'sleep', '3600');
    const config = configFrom(
      `docker: { socket: ${engine.socket}, containers: ["fz-*"], supervisor: false, timeout: 2s }`,
    );
    const harness = new ScrapeHarness([dockerCollector], config);
    const lease = acquireEngine(harness.config.docker, silentLogger);
    try {
      const first = await harness.scrape();
      expect(value(first.samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' })).toBe(1);
      await frozen(async () => {
        for (let i = 0; i < 3; i += 1) {
          const down = await harness.scrape(5_000);
          expect([i, value(down.samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' })]).toEqual([
            i,
            0,
          ]);
          expect(find(down.samples, 'onlyoffice_container_state')).toEqual([]);
        }
        expect(lease.engine.view.live).toBe(false);
      });
      const after = await eventually(
        'the collector to recover',
        async () => {
          const result = await harness.scrape();
          return value(result.samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' }) === 1
            ? result
            : undefined;
        },
        60_000,
      );
      expect(value(after.samples, 'onlyoffice_container_state', { name: 'fz-one', state: 'created' })).toBe(1);
      // What it costs while the engine answers: one ping per scrape, nothing else.
      const calls = (samples: typeof after.samples) =>
        Object.fromEntries(
          find(samples, 'onlyoffice_docker_api_requests_total').map((s) => [s.labels.operation, s.value]),
        );
      const next = await harness.scrape();
      expect(calls(next.samples)).toEqual({ ...calls(after.samples), ping: calls(after.samples).ping! + 1 });
    } finally {
      await lease.release();
      await harness.close();
      await engine.cli('rm', '-f', 'fz-one');
    }
  }, 120_000);

  test('one container whose inspect hangs does not take the view down while the engine answers pings', async () => {
    const stuck = await engine.docker.createContainer({ name: 'lk-stuck', Image: TEST_IMAGE, Cmd: ['sleep', '3600'] });
    await engine.cli('create', '--name', 'lk-fine', TEST_IMAGE, 'sleep', '3600');
    const config = configFrom(
      `docker: { socket: ${engine.socket}, containers: ["lk-*"], supervisor: false, timeout: 1s, resync_interval: 1h }`,
    );
    const harness = new ScrapeHarness([dockerCollector], config);
    const lease = acquireEngine(config.docker, silentLogger);
    try {
      expect(
        value((await harness.scrape()).samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' }),
      ).toBe(1);
      // Its inspect waits for the container's lock (a stuck operation): never answered, only timed out.
      const client = lease.engine.docker;
      const getContainer = client.getContainer.bind(client);
      let timedOut = 0;
      client.getContainer = ((id: string) => {
        const container = getContainer(id);
        if (id !== stuck.id) return container;
        container.inspect = ((options?: { abortSignal?: AbortSignal }) =>
          new Promise((_, reject) => {
            options?.abortSignal?.addEventListener(
              'abort',
              () => {
                timedOut += 1;
                reject(options.abortSignal!.reason);
              },
              { once: true },
            );
          })) as typeof container.inspect;
        return container;
      }) as typeof client.getContainer;
      const pings = lease.engine.api.get('ping');
      await stuck.update({ CpuShares: 512 });
      await eventually('the inspect to time out and the ping after it', () =>
        timedOut === 1 && lease.engine.api.get('ping') > pings ? true : undefined,
      );
      // The ping answered (settled() waits for it): still live.
      await lease.engine.view.settled();
      expect(lease.engine.view.live).toBe(true);
      const { samples } = await harness.scrape();
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' })).toBe(1);
      // What was known of it stays.
      expect(value(samples, 'onlyoffice_container_state', { name: 'lk-stuck', state: 'created' })).toBe(1);
    } finally {
      await lease.release();
      await harness.close();
      await engine.cli('rm', '-f', 'lk-stuck', 'lk-fine');
    }
  }, 60_000);

  test('supervisor checks queue no exec while dockerd is frozen: at most one orphan exec instance afterwards', async () => {
    const ok = engine.writeFile(
      'sv-ok',
      "#!/bin/sh\necho 'ds:docservice                    RUNNING   pid 1, uptime 0:00:05'\n",
    );
    await engine.cli(
      'run',
      '-d',
      '--name',
      'orph-documentserver',
      '-v',
      `${ok}:/bin/supervisorctl:ro`,
      TEST_IMAGE,
      'sleep',
      '3600',
    );
    const config = configFrom(
      `docker: { socket: ${engine.socket}, containers: ["orph-*"], timeout: 2s, supervisor_interval: 1s, supervisor_timeout: 1s }`,
    );
    const harness = new ScrapeHarness([supervisorCollector], config);
    const lease = acquireEngine(config.docker, silentLogger);
    try {
      expect(
        value((await harness.scrape()).samples, 'onlyoffice_supervisor_up', { container: 'orph-documentserver' }),
      ).toBe(1);
      await eventually('background checks', () => (lease.engine.api.get('exec_create') >= 3 ? true : undefined));
      // Eight supervisor intervals with the engine frozen.
      await frozen(() => sleep(8_000));
      await eventually('the engine to answer again', () => engine.docker.ping().then(() => true));
      await harness.close();
      await lease.release();
      // Whatever was started has ended; what is left was created and never started.
      const ids = await eventually('no exec running', async () => {
        const all = await execIds('orph-documentserver');
        const states = await Promise.all(all.map((id) => engine.docker.getExec(id).inspect()));
        return states.every((s) => !s.Running) ? all : undefined;
      });
      expect(ids.length).toBeLessThanOrEqual(1);
    } finally {
      await harness.close();
      await lease.release();
      await engine.cli('rm', '-f', 'orph-documentserver');
    }
  }, 120_000);

  test('a hanging supervisorctl: never more than one stuck process per container, and the check says "hung"', async () => {
    const hang = engine.writeFile('sv-hang', '#!/bin/sh\nexec sleep 7200\n');
    // An image without `timeout` (and dash as sh, as in the DS image): only the exec guard keeps the count at one.
    await engine.importImage(NO_TIMEOUT_IMAGE, { without: ['timeout'], dash: true });
    await engine.cli(
      'run',
      '-d',
      '--name',
      'hang-documentserver',
      '-v',
      `${hang}:/bin/supervisorctl:ro`,
      TEST_IMAGE,
      'sleep',
      '3600',
    );
    await engine.cli(
      'run',
      '-d',
      '--name',
      'hang-documentserver-notimeout',
      '-v',
      `${hang}:/bin/supervisorctl:ro`,
      NO_TIMEOUT_IMAGE,
      'sleep',
      '3600',
    );
    expect(
      await engine.cli('exec', 'hang-documentserver-notimeout', 'sh', '-c', 'command -v timeout || echo none'),
    ).toBe('none');
    const config = configFrom(
      `docker: { socket: ${engine.socket}, containers: ["hang-*"], supervisor_interval: 1s, supervisor_timeout: 1s }`,
    );
    const harness = new ScrapeHarness([supervisorCollector], config);
    const lease = acquireEngine(config.docker, silentLogger);
    try {
      await eventually('the first stuck supervisorctl', async () =>
        (await running('hang-documentserver-notimeout', 'sleep 7200')) === 1 ? true : undefined,
      );
      // About ten intervals: each round makes an exec or checks the one still running, in each container.
      const calls = () => lease.engine.api.get('exec_create') + lease.engine.api.get('exec_inspect');
      const since = calls();
      await eventually('ten more rounds', () => (calls() >= since + 20 ? true : undefined), 60_000);
      expect(await running('hang-documentserver-notimeout', 'sleep 7200')).toBe(1);
      expect(await running('hang-documentserver', 'sleep 7200')).toBeLessThanOrEqual(1);
      // The bounded one was killed by `timeout` and checked again; the unbounded one is still the first exec.
      expect(await execIds('hang-documentserver-notimeout')).toHaveLength(1);
      const { samples } = await harness.scrape();
      for (const container of ['hang-documentserver', 'hang-documentserver-notimeout']) {
        expect([container, value(samples, 'onlyoffice_supervisor_up', { container })]).toEqual([container, 0]);
        expect([container, value(samples, 'onlyoffice_supervisor_check_state', { container, state: 'hung' })]).toEqual([
          container,
          1,
        ]);
        expect([container, value(samples, 'onlyoffice_supervisor_check_state', { container, state: 'error' })]).toEqual(
          [container, 0],
        );
      }
    } finally {
      await harness.close();
      await lease.release();
      await engine.cli('rm', '-f', 'hang-documentserver', 'hang-documentserver-notimeout');
    }
  }, 120_000);

  test('1 MB of supervisorctl output: the cut line is dropped, 64 programs kept, the rest counted', async () => {
    // 101-byte lines: 64 KiB holds 648 whole lines and 88 bytes of the next, past its state word.
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      `${`ds:p${String(i).padStart(5, '0')}`.padEnd(32)} RUNNING   pid ${i}, uptime 0:00:01`.padEnd(100),
    );
    engine.writeFile('big.txt', `${lines.join('\n')}\n`, 0o644);
    const big = engine.writeFile('sv-big', '#!/bin/sh\ncat /big.txt\n');
    await engine.cli(
      'run',
      '-d',
      '--name',
      'big-documentserver',
      '-v',
      `${big}:/bin/supervisorctl:ro`,
      '-v',
      `${join(engine.dir, 'big.txt')}:/big.txt:ro`,
      TEST_IMAGE,
      'sleep',
      '3600',
    );
    const config = configFrom(`docker: { socket: ${engine.socket}, containers: ["big-*"], supervisor_interval: 1h }`);
    const harness = new ScrapeHarness([supervisorCollector], config);
    try {
      const { samples } = await harness.scrape(10_000);
      const container = 'big-documentserver';
      expect(value(samples, 'onlyoffice_supervisor_up', { container })).toBe(1);
      const programs = [
        ...new Set(find(samples, 'onlyoffice_supervisor_process_state', { container }).map((s) => s.labels.program)),
      ];
      expect(programs).toEqual(lines.slice(0, 64).map((line) => line.slice(0, 9)));
      expect(find(samples, 'onlyoffice_supervisor_process_state', { container })).toHaveLength(64 * 8);
      expect(value(samples, 'onlyoffice_supervisor_programs_dropped', { container })).toBe(648 - 64);
    } finally {
      await harness.close();
      await engine.cli('rm', '-f', 'big-documentserver');
    }
  }, 60_000);
});
