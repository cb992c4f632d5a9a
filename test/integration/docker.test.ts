import { Writable } from 'node:stream';
import pino from 'pino';
import dockerCollector from '../../src/collectors/docker.js';
import supervisorCollector from '../../src/collectors/supervisor.js';
import { acquireEngine } from '../../src/docker/engine.js';
import { CONTAINER_STATES, HEALTH_STATUSES } from '../../src/docker/view.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { ENGINE_PROGRAMS, eventually, PrivateEngine, ScrapeHarness, TEST_IMAGE } from '../support/dockerd.js';
import { find, value, type Sample } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { configFrom, silentLogger } from '../support/scrape.js';

const { describe: withEngine } = requirePrograms(...ENGINE_PROGRAMS);

interface Inspected {
  Id: string;
  Name: string;
  RestartCount: number;
  State: {
    Status: string;
    ExitCode: number;
    OOMKilled: boolean;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string };
  };
}

const seconds = (text: string) => (text.startsWith('0001-') ? undefined : Date.parse(text) / 1000);

function names(samples: Sample[]): string[] {
  return [...new Set(find(samples, 'onlyoffice_container_info').map((s) => s.labels.name!))].sort();
}

function stateOf(samples: Sample[], name: string): string[] {
  return find(samples, 'onlyoffice_container_state', { name })
    .filter((s) => s.value === 1)
    .map((s) => s.labels.state!);
}

/** Logs as text lines, to count what the collector said. */
function captureLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

withEngine('docker collector against a real Docker engine', () => {
  let engine: PrivateEngine;

  beforeAll(async () => {
    engine = await PrivateEngine.create();
    const run = (...args: string[]) => engine.cli('run', '-d', ...args);
    await Promise.all([
      run(
        '--name',
        'oo-healthy',
        '--label',
        'com.example.role=docs',
        '--label',
        'secret.env=hidden',
        '--health-cmd',
        'true',
        '--health-interval',
        '1s',
        TEST_IMAGE,
        'sleep',
        '3600',
      ),
      run(
        '--name',
        'oo-unhealthy',
        '--health-cmd',
        'false',
        '--health-interval',
        '1s',
        '--health-retries',
        '1',
        TEST_IMAGE,
        'sleep',
        '3600',
      ),
      run('--name', 'oo-exit3', TEST_IMAGE, 'sh', '-c', 'exit 3'),
      run('--name', 'oo-restarting', '--restart', 'always', TEST_IMAGE, 'sh', '-c', 'exit 1'),
      // Allocate only after a pause: an OOM kill in the first milliseconds can beat containerd's OOM watch on a
      // busy machine, and Docker then reports exit 137 with OOMKilled false (seen here under load).
      run('--name', 'oo-oom', '--memory', '8m', TEST_IMAGE, 'sh', '-c', 'sleep 2; exec tail /dev/zero'),
      run('--name', 'oo-paused', TEST_IMAGE, 'sleep', '3600'),
      run('--name', 'oo-running', '--memory', '64m', TEST_IMAGE, 'sleep', '3600'),
      run('--name', 'other-app', TEST_IMAGE, 'sleep', '3600'),
      engine.cli('create', '--name', 'oo-created', TEST_IMAGE, 'sleep', '3600'),
    ]);
    await engine.cli('pause', 'oo-paused');
    // Settle: health known, OOM kill done, and the restart back-off long enough to sit in "restarting".
    await eventually(
      'the scenario to settle',
      async () => {
        const all = await inspectAll('oo-healthy', 'oo-unhealthy', 'oo-oom', 'oo-restarting');
        const ok =
          all[0]!.State.Health?.Status === 'healthy' &&
          all[1]!.State.Health?.Status === 'unhealthy' &&
          all[2]!.State.Status === 'exited' &&
          all[2]!.State.OOMKilled &&
          all[3]!.RestartCount >= 3;
        if (!ok)
          throw new Error(
            JSON.stringify(
              all.map((c) => [
                c.Name,
                c.State.Status,
                c.State.Health?.Status,
                c.State.OOMKilled,
                c.State.ExitCode,
                c.RestartCount,
              ]),
            ),
          );
        return true;
      },
      30_000,
    );
  }, 90_000);

  afterAll(async () => {
    await engine?.destroy();
  }, 60_000);

  async function inspectAll(...containers: string[]): Promise<Inspected[]> {
    return JSON.parse(await engine.cli('inspect', ...containers)) as Inspected[];
  }

  function yaml(extra = ''): string {
    return `docker: { socket: ${engine.socket}, containers: ["oo-*"], labels: ["com.example.role"], supervisor: false${extra} }`;
  }

  test('reports every container state, health, restart count, OOM kill, exit code and timestamps as Docker does', async () => {
    const harness = new ScrapeHarness([dockerCollector], configFrom(yaml()));
    try {
      // The restarting container flips between running and restarting: compare with inspects taken just before
      // and just after a scrape that agree with each other.
      const { samples, inspected } = await eventually('a scrape between two identical inspects', async () => {
        const before = await inspectAll('oo-restarting');
        await acquireEngineView(harness);
        const { samples } = await harness.scrape();
        const after = await inspectAll(
          'oo-healthy',
          'oo-unhealthy',
          'oo-exit3',
          'oo-restarting',
          'oo-oom',
          'oo-paused',
          'oo-running',
          'oo-created',
        );
        const same =
          before[0]!.State.Status === after[3]!.State.Status &&
          before[0]!.RestartCount === after[3]!.RestartCount &&
          before[0]!.State.StartedAt === after[3]!.State.StartedAt &&
          before[0]!.State.Status === 'restarting';
        return same ? { samples, inspected: after } : undefined;
      });

      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' })).toBe(1);
      expect(names(samples)).toEqual([
        'oo-created',
        'oo-exit3',
        'oo-healthy',
        'oo-oom',
        'oo-paused',
        'oo-restarting',
        'oo-running',
        'oo-unhealthy',
      ]);

      const expected: Record<string, { state: string; health: string; exit: number; oom: number }> = {
        'oo-healthy': { state: 'running', health: 'healthy', exit: 0, oom: 0 },
        'oo-unhealthy': { state: 'running', health: 'unhealthy', exit: 0, oom: 0 },
        'oo-exit3': { state: 'exited', health: 'none', exit: 3, oom: 0 },
        'oo-restarting': { state: 'restarting', health: 'none', exit: 1, oom: 0 },
        'oo-oom': { state: 'exited', health: 'none', exit: 137, oom: 1 },
        'oo-paused': { state: 'paused', health: 'none', exit: 0, oom: 0 },
        'oo-running': { state: 'running', health: 'none', exit: 0, oom: 0 },
        'oo-created': { state: 'created', health: 'none', exit: 0, oom: 0 },
      };
      for (const info of inspected) {
        const name = info.Name.slice(1);
        const want = expected[name]!;
        for (const state of CONTAINER_STATES) {
          expect([name, state, value(samples, 'onlyoffice_container_state', { name, state })]).toEqual([
            name,
            state,
            state === want.state ? 1 : 0,
          ]);
        }
        for (const status of HEALTH_STATUSES) {
          expect([name, status, value(samples, 'onlyoffice_container_health', { name, status })]).toEqual([
            name,
            status,
            status === want.health ? 1 : 0,
          ]);
        }
        expect([name, value(samples, 'onlyoffice_container_exit_code', { name })]).toEqual([name, want.exit]);
        expect([name, value(samples, 'onlyoffice_container_oom_killed', { name })]).toEqual([name, want.oom]);
        expect([name, value(samples, 'onlyoffice_container_restarts', { name })]).toEqual([name, info.RestartCount]);
        const started = seconds(info.State.StartedAt);
        const finished = seconds(info.State.FinishedAt);
        const startedSamples = find(samples, 'onlyoffice_container_started_timestamp_seconds', { name });
        const finishedSamples = find(samples, 'onlyoffice_container_finished_timestamp_seconds', { name });
        // Date.parse keeps milliseconds; Docker's times have nanoseconds.
        if (started === undefined) expect(startedSamples).toEqual([]);
        else expect(Math.abs(startedSamples[0]!.value - started)).toBeLessThan(0.001);
        if (finished === undefined) expect(finishedSamples).toEqual([]);
        else expect(Math.abs(finishedSamples[0]!.value - finished)).toBeLessThan(0.001);
        expect(find(samples, 'onlyoffice_container_info', { name })).toEqual([
          {
            name: 'onlyoffice_container_info',
            labels: {
              name,
              id: info.Id.slice(0, 12),
              image: TEST_IMAGE,
              label_com_example_role: name === 'oo-healthy' ? 'docs' : '',
            },
            value: 1,
          },
        ]);
      }
      expect(value(samples, 'onlyoffice_container_restarts', { name: 'oo-restarting' })).toBeGreaterThanOrEqual(3);
      // Never started: no timestamps at all. Exited: both.
      expect(find(samples, 'onlyoffice_container_started_timestamp_seconds', { name: 'oo-created' })).toEqual([]);
      expect(find(samples, 'onlyoffice_container_finished_timestamp_seconds', { name: 'oo-running' })).toEqual([]);
      expect(find(samples, 'onlyoffice_container_finished_timestamp_seconds', { name: 'oo-exit3' })).toHaveLength(1);
      // Containers outside the globs and labels outside the allowlist stay out.
      expect(find(samples, 'onlyoffice_container_state', { name: 'other-app' })).toEqual([]);
      expect(samples.some((s) => Object.keys(s.labels).some((l) => l.includes('secret')))).toBe(false);
    } finally {
      await harness.close();
    }
  }, 60_000);

  test('state changes arrive through events; a removed container is gone from the next scrape', async () => {
    const harness = new ScrapeHarness([dockerCollector], configFrom(yaml()));
    const lease = acquireEngine(harness.config.docker, silentLogger);
    try {
      await harness.scrape();
      await engine.cli('run', '-d', '--name', 'oo-late', TEST_IMAGE, 'sleep', '3600');
      await eventually('the new container', async () =>
        stateOf((await harness.scrape()).samples, 'oo-late')[0] === 'running' ? true : undefined,
      );
      await engine.cli('pause', 'oo-late');
      await eventually('paused', async () =>
        stateOf((await harness.scrape()).samples, 'oo-late')[0] === 'paused' ? true : undefined,
      );
      await engine.cli('unpause', 'oo-late');
      await engine.cli('rename', 'oo-late', 'oo-renamed');
      await eventually('renamed', async () => {
        const { samples } = await harness.scrape();
        return names(samples).includes('oo-renamed') && !names(samples).includes('oo-late') ? true : undefined;
      });
      // Renamed out of the globs: it leaves the view.
      await engine.cli('rename', 'oo-renamed', 'elsewhere');
      await eventually('renamed away', async () =>
        names((await harness.scrape()).samples).includes('oo-renamed') ? undefined : true,
      );

      await engine.cli('rm', '-f', 'oo-running');
      await eventually('the destroy event', async () =>
        lease.engine.view.containers().some((c) => c.name === 'oo-running') ? undefined : true,
      );
      const { samples } = await harness.scrape();
      expect(samples.filter((s) => s.labels.name === 'oo-running')).toEqual([]);
      expect(names(samples)).toEqual([
        'oo-created',
        'oo-exit3',
        'oo-healthy',
        'oo-oom',
        'oo-paused',
        'oo-restarting',
        'oo-unhealthy',
      ]);
    } finally {
      await lease.release();
      await harness.close();
      await engine.cli('rm', '-f', 'elsewhere').catch(() => '');
    }
  }, 60_000);

  test('a container removed between list and inspect is simply left out', async () => {
    await engine.cli('run', '-d', '--name', 'oo-vanishing', TEST_IMAGE, 'sleep', '3600');
    const config = configFrom(yaml(', resync_interval: 1h'));
    // Hold the shared engine first, so that the real list call can be followed by a real removal before any inspect.
    const lease = acquireEngine(config.docker, silentLogger);
    const client = lease.engine.docker;
    const list = client.listContainers.bind(client) as (options?: object) => Promise<unknown>;
    let removed = false;
    client.listContainers = (async (options?: object) => {
      const answer = await list(options);
      if (!removed) {
        removed = true;
        await engine.cli('rm', '-f', 'oo-vanishing');
      }
      return answer;
    }) as unknown as typeof client.listContainers;
    const harness = new ScrapeHarness([dockerCollector], config);
    try {
      const { samples } = await harness.scrape();
      expect(removed).toBe(true);
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' })).toBe(1);
      expect(names(samples)).toEqual([
        'oo-created',
        'oo-exit3',
        'oo-healthy',
        'oo-oom',
        'oo-paused',
        'oo-restarting',
        'oo-unhealthy',
      ]);
      // It was listed and inspected (404): one list, one inspect per listed container.
      expect(value(samples, 'onlyoffice_docker_api_requests_total', { operation: 'list' })).toBe(1);
      expect(value(samples, 'onlyoffice_docker_api_requests_total', { operation: 'inspect' })).toBeGreaterThanOrEqual(
        8,
      );
    } finally {
      await harness.close();
      await lease.release();
    }
  }, 60_000);

  test('a lost events stream is reconnected and the view resynced; the periodic resync runs', async () => {
    const config = configFrom(yaml(', resync_interval: 1s'));
    const lease = acquireEngine(config.docker, silentLogger);
    const harness = new ScrapeHarness([dockerCollector], config);
    try {
      expect(
        value((await harness.scrape()).samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' }),
      ).toBe(1);
      const view = lease.engine.view as unknown as { stream: NodeJS.ReadableStream & { destroy(): void } };
      // The connection drops (a proxy, a socket timeout): whatever happens meanwhile must not be missed.
      view.stream.destroy();
      await engine.cli('create', '--name', 'oo-while-disconnected', TEST_IMAGE, 'sleep', '1');
      const { samples } = await eventually('the reconnect', async () => {
        const result = await harness.scrape();
        return names(result.samples).includes('oo-while-disconnected') ? result : undefined;
      });
      expect(stateOf(samples, 'oo-while-disconnected')).toEqual(['created']);
      expect(lease.engine.api.get('events')).toBe(2);
      // Every second a full list (and inspects), besides the events.
      await eventually('two periodic resyncs', () => (lease.engine.api.get('list') >= 4 ? true : undefined));
      expect(
        value((await harness.scrape()).samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' }),
      ).toBe(1);
    } finally {
      await harness.close();
      await lease.release();
      await engine.cli('rm', '-f', 'oo-while-disconnected');
    }
  }, 60_000);

  test('with 100 matched containers a scrape makes one Engine API call, a /_ping', async () => {
    const created = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        engine.docker.createContainer({
          name: `bulk-${String(i).padStart(3, '0')}`,
          Image: TEST_IMAGE,
          Cmd: ['sleep', '3600'],
        }),
      ),
    );
    const harness = new ScrapeHarness(
      [dockerCollector],
      configFrom(`docker: { socket: ${engine.socket}, containers: ["bulk-*"], supervisor: false }`),
    );
    try {
      const first = await harness.scrape();
      expect(names(first.samples)).toHaveLength(100);
      const calls = (samples: Sample[]) =>
        Object.fromEntries(
          find(samples, 'onlyoffice_docker_api_requests_total').map((s) => [s.labels.operation, s.value]),
        );
      // The initial sync: the events stream, one list, one inspect per container; and the scrape's ping.
      expect(calls(first.samples)).toEqual({
        events: 1,
        list: 1,
        inspect: 100,
        images: 0,
        ping: 1,
        stats: 0,
        exec_create: 0,
        exec_start: 0,
        exec_inspect: 0,
      });
      let last = first;
      for (let i = 0; i < 5; i += 1) last = await harness.scrape();
      // Five more scrapes, while the restarting container outside the globs keeps emitting events: one ping each, nothing else.
      expect(calls(last.samples)).toEqual({ ...calls(first.samples), ping: 6 });
      expect(
        find(last.samples, 'onlyoffice_container_state', { state: 'created' }).filter((s) => s.value === 1),
      ).toHaveLength(100);
    } finally {
      await harness.close();
      await Promise.all(created.map((c) => c.remove({ force: true })));
    }
  }, 90_000);

  test('stats: CPU and memory gathered in the background, with their age', async () => {
    const harness = new ScrapeHarness([dockerCollector], configFrom(yaml(', stats: true, stats_interval: 1s')));
    try {
      const samples = await eventually(
        'stats of the running and paused containers',
        async () => {
          const { samples } = await harness.scrape();
          const have = find(samples, 'onlyoffice_container_memory_usage_bytes').map((s) => s.labels.name);
          return ['oo-healthy', 'oo-unhealthy', 'oo-paused'].every((name) => have.includes(name)) ? samples : undefined;
        },
        30_000,
      );
      for (const name of ['oo-healthy', 'oo-unhealthy', 'oo-paused']) {
        const usage = value(samples, 'onlyoffice_container_memory_usage_bytes', { name });
        expect(usage).toBeGreaterThan(0);
        expect(value(samples, 'onlyoffice_container_memory_working_set_bytes', { name })).toBeLessThanOrEqual(usage);
        expect(value(samples, 'onlyoffice_container_cpu_usage_seconds_total', { name })).toBeGreaterThan(0);
        const age = value(samples, 'onlyoffice_container_stats_age_seconds', { name });
        expect(age).toBeGreaterThanOrEqual(0);
      }
      // No process, no stats: created and exited containers have none.
      for (const name of ['oo-created', 'oo-exit3', 'oo-oom'])
        expect(find(samples, 'onlyoffice_container_memory_usage_bytes', { name })).toEqual([]);
      expect(value(samples, 'onlyoffice_docker_api_requests_total', { operation: 'stats' })).toBeGreaterThanOrEqual(3);
    } finally {
      await harness.close();
    }
  }, 60_000);

  test('stats: the memory limit of a limited container is exact', async () => {
    await engine.cli('run', '-d', '--name', 'oo-limited', '--memory', '64m', TEST_IMAGE, 'sleep', '3600');
    const harness = new ScrapeHarness([dockerCollector], configFrom(yaml(', stats: true, stats_interval: 1s')));
    try {
      const samples = await eventually(
        'stats of oo-limited',
        async () => {
          const { samples } = await harness.scrape();
          return find(samples, 'onlyoffice_container_memory_limit_bytes', { name: 'oo-limited' }).length === 1
            ? samples
            : undefined;
        },
        30_000,
      );
      expect(value(samples, 'onlyoffice_container_memory_limit_bytes', { name: 'oo-limited' })).toBe(64 * 1024 * 1024);
    } finally {
      await harness.close();
      await engine.cli('rm', '-f', 'oo-limited');
    }
  }, 60_000);

  test('a DocumentServer started without --name (a random name) is found by its image, registry host or not, and runs supervisor', async () => {
    const first = new ScrapeHarness([dockerCollector], configFrom(yaml()));
    const before = names((await first.scrape()).samples);
    await first.close();
    await engine.cli('tag', TEST_IMAGE, 'onlyoffice/documentserver:8.3');
    await engine.cli('tag', TEST_IMAGE, 'registry.example.internal:5000/onlyoffice/documentserver-ee:9.0');
    const ids = await Promise.all([
      engine.cli('run', '-d', 'onlyoffice/documentserver:8.3', 'sleep', '3600'),
      engine.cli('run', '-d', 'registry.example.internal:5000/onlyoffice/documentserver-ee:9.0', 'sleep', '3600'),
      engine.cli('run', '-d', TEST_IMAGE, 'sleep', '3600'),
    ]);
    const [ds, ee, plain] = (JSON.parse(await engine.cli('inspect', ...ids)) as Inspected[]).map((c) =>
      c.Name.replace(/^\//, ''),
    );
    const harness = new ScrapeHarness(
      [dockerCollector, supervisorCollector],
      configFrom(yaml().replace('supervisor: false', 'supervisor: true, supervisor_interval: 1s')),
    );
    try {
      const { samples } = await eventually(
        'both DocumentServers watched, and their supervisor checked',
        async () => {
          const result = await harness.scrape();
          const checked = new Set(
            find(result.samples, 'onlyoffice_supervisor_check_state').map((s) => s.labels.container),
          );
          return names(result.samples).includes(ds!) &&
            names(result.samples).includes(ee!) &&
            checked.has(ds) &&
            checked.has(ee)
            ? result
            : undefined;
        },
        30_000,
      );
      expect(names(samples)).toEqual([...before, ds!, ee!].sort());
      expect(find(samples, 'onlyoffice_container_info', { name: ds! })[0]!.labels.image).toBe(
        'onlyoffice/documentserver:8.3',
      );
      expect(names(samples)).not.toContain(plain);
      // The name globs of supervisor_containers match neither: the image did.
      expect(new Set(find(samples, 'onlyoffice_supervisor_check_state').map((s) => s.labels.container))).toEqual(
        new Set([ds, ee]),
      );
    } finally {
      await harness.close();
      await engine.cli('rm', '-f', ...ids);
    }
  }, 90_000);

  test('a DocumentServer whose tag was imported again (Docker lists its image by ID) stays watched, from a running view and a fresh one', async () => {
    await engine.importImage('onlyoffice/documentserver:latest');
    const id = await engine.cli('run', '-d', 'onlyoffice/documentserver', 'sleep', '3600');
    const [info] = JSON.parse(await engine.cli('inspect', id)) as (Inspected & {
      Image: string;
      Config: { Image: string };
    })[];
    const name = info!.Name.replace(/^\//, '');
    const config = configFrom(
      `docker: { socket: ${engine.socket}, containers: ["none-by-name"], supervisor: false, resync_interval: 1h }`,
    );
    const rows = (samples: Sample[]) =>
      find(samples, 'onlyoffice_container_info').concat(
        find(samples, 'onlyoffice_container_state').filter((x) => x.value === 1),
      );
    const expected = [
      {
        name: 'onlyoffice_container_info',
        labels: { name, id: id.slice(0, 12), image: 'onlyoffice/documentserver' },
        value: 1,
      },
      { name: 'onlyoffice_container_state', labels: { name, state: 'running' }, value: 1 },
    ];
    const running = new ScrapeHarness([dockerCollector], config);
    const lease = acquireEngine(config.docker, silentLogger);
    let fresh: ScrapeHarness | undefined;
    try {
      expect(rows((await running.scrape()).samples)).toEqual(expected);
      // Another image under the same tag: the container is now listed by its image's ID.
      await engine.importImage('onlyoffice/documentserver:latest');
      const listed = await engine.docker.listContainers({ all: true, filters: { id: [id] } });
      expect(listed.map((c) => [c.Image, c.ImageID])).toEqual([[info!.Image, info!.Image]]);
      expect(info!.Config.Image).toBe('onlyoffice/documentserver');
      // The running view resyncs: it knows what the container was created from, without asking again.
      const before = lease.engine.api.get('inspect');
      await lease.engine.view.resyncNow();
      expect(rows((await running.scrape()).samples)).toEqual(expected);
      // An imported image has no tag left and no digest: one list of the images, then the resync's own inspect only.
      expect([lease.engine.api.get('images'), lease.engine.api.get('inspect') - before]).toEqual([1, 1]);
      // A view started now has never inspected it: one inspect learns what it was created from.
      fresh = new ScrapeHarness(
        [dockerCollector],
        configFrom(
          `docker: { socket: ${engine.socket}, containers: ["none-by-name"], supervisor: false, resync_interval: 2h }`,
        ),
      );
      const { samples } = await fresh.scrape();
      expect(rows(samples)).toEqual(expected);
      expect(
        find(samples, 'onlyoffice_docker_api_requests_total')
          .filter((x) => ['list', 'inspect', 'images'].includes(x.labels.operation!))
          .map((x) => [x.labels.operation, x.value]),
      ).toEqual([
        ['list', 1],
        ['inspect', 1],
        ['images', 1],
      ]);
    } finally {
      await fresh?.close();
      await lease.release();
      await running.close();
      await engine.cli('rm', '-f', id);
    }
  }, 90_000);

  test('docs/metrics.md documents exactly what the docker collector exports', async () => {
    const harness = new ScrapeHarness([dockerCollector], configFrom(yaml(', stats: true, stats_interval: 1s')));
    try {
      const { text, samples } = await eventually(
        'a scrape with stats',
        async () => {
          const result = await harness.scrape();
          return find(result.samples, 'onlyoffice_container_stats_age_seconds').length > 0 &&
            find(result.samples, 'onlyoffice_container_memory_limit_bytes').length > 0
            ? result
            : undefined;
        },
        30_000,
      );
      const exported = exportedFamilies(samples, text);
      const ours = [...exported.entries()]
        .filter(([name]) => name.startsWith('onlyoffice_container_') || name.startsWith('onlyoffice_docker_'))
        .map(([name, labels]) => ({ name, labels: [...labels].sort() }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const documented = documentedMetrics()
        .filter((m) => m.section === 'docker')
        .map((m) => ({ name: m.name, labels: [...m.labels].sort() }))
        .sort((a, b) => a.name.localeCompare(b.name));
      // label_<docker label> columns are configuration-dependent: the doc lists them as the pattern label_*.
      expect(ours.map((m) => ({ ...m, labels: m.labels.filter((l) => !l.startsWith('label_')) }))).toEqual(documented);
    } finally {
      await harness.close();
    }
  }, 60_000);

  test('survives a dockerd restart: success 0 while it is gone (one log line), then the correct view', async () => {
    // Only stopped containers stay: a fast engine shutdown, and a known view afterwards.
    const live = await engine.docker.listContainers({
      all: true,
      filters: { status: ['running', 'paused', 'restarting'] },
    });
    await Promise.all(live.map((c) => engine.docker.getContainer(c.Id).remove({ force: true })));
    const { logger, lines } = captureLogger();
    const harness = new ScrapeHarness([dockerCollector], configFrom(yaml()), logger);
    try {
      const before = await harness.scrape();
      expect(value(before.samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' })).toBe(1);
      expect(names(before.samples)).toEqual(['oo-created', 'oo-exit3', 'oo-oom']);

      await engine.terminate();
      // The view learns it from its events connection closing, a moment after dockerd's exit.
      await eventually('the events stream to close', async () => {
        const down = await harness.scrape();
        return value(down.samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' }) === 0
          ? true
          : undefined;
      });
      for (let i = 0; i < 3; i += 1) {
        const down = await harness.scrape();
        expect(value(down.samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' })).toBe(0);
        expect(find(down.samples, 'onlyoffice_container_state')).toEqual([]);
      }
      const unreachable = lines.filter((l) => String(l.msg).startsWith('Docker engine unreachable'));
      expect(unreachable).toHaveLength(1);
      expect(unreachable[0]).toMatchObject({ level: 40, endpoint: `unix://${engine.socket}` });

      await engine.start();
      const after = await eventually(
        'the collector to recover',
        async () => {
          const result = await harness.scrape();
          return value(result.samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' }) === 1
            ? result
            : undefined;
        },
        30_000,
      );
      expect(names(after.samples)).toEqual(['oo-created', 'oo-exit3', 'oo-oom']);
      // What the restarted engine says (it may reset a stopped container's OOMKilled flag), the view says too.
      for (const info of await inspectAll('oo-created', 'oo-exit3', 'oo-oom')) {
        const name = info.Name.slice(1);
        expect([name, stateOf(after.samples, name)]).toEqual([name, [info.State.Status]]);
        expect([name, value(after.samples, 'onlyoffice_container_exit_code', { name })]).toEqual([
          name,
          info.State.ExitCode,
        ]);
        expect([name, value(after.samples, 'onlyoffice_container_oom_killed', { name })]).toEqual([
          name,
          info.State.OOMKilled ? 1 : 0,
        ]);
      }
      expect(stateOf(after.samples, 'oo-exit3')).toEqual(['exited']);
      const endpoint = `unix://${engine.socket}`;
      expect(lines.filter((l) => l.msg === 'Docker engine reachable again; container view resynced')).toEqual([
        expect.objectContaining({ level: 30, endpoint, containers: 3 }),
      ]);
      expect(lines.filter((l) => String(l.msg).startsWith('Docker engine unreachable'))).toEqual([
        expect.objectContaining({ level: 40, endpoint, err: expect.any(String) }),
      ]);
      expect(lines.filter((l) => l.msg === 'watching Docker containers')).toEqual([
        expect.objectContaining({ level: 30, endpoint, containers: 3 }),
      ]);

      // The new events stream works: a container started now shows up.
      await engine.cli('run', '-d', '--name', 'oo-after', TEST_IMAGE, 'sh', '-c', 'exit 0');
      await eventually('the container started after the restart', async () =>
        names((await harness.scrape()).samples).includes('oo-after') ? true : undefined,
      );
    } finally {
      await harness.close();
    }
  }, 90_000);
});

/** Waits for the shared view's pending event inspects (if any) so that a scrape reflects what inspect shows. */
async function acquireEngineView(harness: ScrapeHarness): Promise<void> {
  const lease = acquireEngine(harness.config.docker, silentLogger);
  try {
    await lease.engine.view.settled();
  } finally {
    await lease.release();
  }
}
