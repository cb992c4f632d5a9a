import { jest } from '@jest/globals';
import { Registry } from 'prom-client';
import type { ContainerUsage } from '../../src/docker/stats.js';
import type { ContainerRecord } from '../../src/docker/view.js';

// The collector reads its engine from acquireEngine: a fake view (records in, no dockerd) stands in for it.
let records: ContainerRecord[] = [];
const engine = {
  api: { entries: () => [] as [string, number][] },
  view: {
    lastResyncAt: undefined,
    ready: async () => undefined,
    containers: () => [...records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  },
};
jest.unstable_mockModule('../../src/docker/engine.js', () => ({
  acquireEngine: () => ({ engine, release: async () => undefined }),
}));
// Stats the background gatherer would hold, by container id.
const usages = new Map<string, ContainerUsage>();
jest.unstable_mockModule('../../src/docker/stats.js', () => ({
  MEASURED_STATES: new Set(['running', 'paused', 'restarting']),
  StatsGatherer: class {
    start(): void {}
    sample(id: string) {
      const usage = usages.get(id);
      return usage === undefined ? undefined : { usage, at: Date.now() };
    }
    async close(): Promise<void> {}
  },
}));
const { default: docker } = await import('../../src/collectors/docker.js');
const { exposition } = await import('../../src/metrics/exposition.js');

let seq = 0;
function record(name: string, change: Partial<ContainerRecord> = {}): ContainerRecord {
  seq++;
  return {
    id: `${seq.toString(16).padStart(12, '0')}ffff`,
    name,
    image: 'onlyoffice/documentserver:8.2',
    state: 'running',
    health: 'healthy',
    restarts: 1,
    oomKilled: false,
    exitCode: 0,
    startedAt: 1718000000.5,
    finishedAt: undefined,
    labels: { project: 'oo' },
    seq,
    ...change,
  };
}

interface Value {
  labels: Record<string, string>;
  value: number;
}

async function scrape(collector: { collect(ctx: never): Promise<void> }) {
  const registry = new Registry();
  await collector.collect({ registry, signal: new AbortController().signal } as never);
  const text = await exposition(registry);
  expect(text).toBe(await registry.metrics());
  const families = new Map<string, Value[]>();
  for (const metric of registry.getMetricsAsArray()) {
    const got = await (metric as unknown as { get(): Promise<{ name: string; values: Value[] }> }).get();
    families.set(got.name, got.values);
  }
  return { text, families };
}

function create(stats = false) {
  const config = {
    docker: {
      enabled: true,
      containers: ['*'],
      labels: ['project'],
      resync_interval: 300000,
      timeout: 1000,
      stats,
      stats_interval: 30000,
    },
  };
  const logger = { child: () => logger };
  return docker.create(config as never, logger as never)!;
}

describe('docker collector rows', () => {
  test('rows of an unchanged record are the same frozen objects from one scrape to the next', async () => {
    records = [record('a'), record('b', { state: 'exited', health: 'none', finishedAt: 1718000100 })];
    const collector = create();
    const first = await scrape(collector);
    const second = await scrape(collector);
    expect(second.text).toBe(first.text);
    // The eight record families, and the API request counter (empty here, built each scrape).
    expect(first.families.size).toBe(9);
    for (const [name, values] of first.families) {
      const again = second.families.get(name)!;
      expect(again).toHaveLength(values.length);
      values.forEach((value, index) => {
        expect(again[index]).toBe(value);
        expect(Object.isFrozen(value) && Object.isFrozen(value.labels)).toBe(true);
      });
    }
    expect(first.text).toContain(
      '\nonlyoffice_container_info{name="a",id="000000000001",image="onlyoffice/documentserver:8.2",label_project="oo"} 1\n',
    );

    // A changed container is a new record: new rows, the other container's rows still reused.
    const aRows = first.families.get('onlyoffice_container_restarts')![0];
    records = [record('a', { restarts: 2 }), records[1]!];
    const third = await scrape(collector);
    expect(third.families.get('onlyoffice_container_restarts')![0]).toEqual({ labels: { name: 'a' }, value: 2 });
    expect(third.families.get('onlyoffice_container_restarts')![0]).not.toBe(aRows);
    expect(third.families.get('onlyoffice_container_restarts')![1]).toBe(
      first.families.get('onlyoffice_container_restarts')![1],
    );
  });

  // A rename and a create whose inspects land out of order: the view holds two records named "dup" for a moment.
  test('two records with one name: the one inspected last holds it, its rows alone, no series twice', async () => {
    const older = record('dup', { restarts: 3, exitCode: 1, startedAt: 1718000001 });
    const newer = record('dup', { restarts: 5, exitCode: 0, state: 'paused', startedAt: undefined });
    usages.set(older.id, usage({ cpuSeconds: 7, memoryUsageBytes: 100 }));
    usages.set(newer.id, usage({ cpuSeconds: 2, memoryUsageBytes: 200 }));
    const collector = create(true);
    records = [newer];
    const alone = await scrape(collector);
    // Whichever the view lists first, the newer inspect wins.
    for (const both of [
      [older, newer],
      [newer, older],
    ]) {
      records = both;
      const scraped = await scrape(collector);
      expect(scraped.text).toBe(alone.text);
    }
    expect(alone.text).toContain('\nonlyoffice_container_restarts{name="dup"} 5\n');
    expect(alone.text).toContain('\nonlyoffice_container_cpu_usage_seconds_total{name="dup"} 2\n');
    expect(alone.text).not.toContain('onlyoffice_container_started_timestamp_seconds{');
    expect(alone.text).toContain(
      '{name="dup",state="running"} 0\nonlyoffice_container_state{name="dup",state="paused"} 1\n',
    );
    expect(alone.families.get('onlyoffice_container_state')).toHaveLength(7);
    expect(alone.families.get('onlyoffice_container_info')).toEqual([
      { labels: { name: 'dup', id: newer.id.slice(0, 12), image: newer.image, label_project: 'oo' }, value: 1 },
    ]);
    await collector.close?.();
  });

  test('stats: CPU, memory, working set, limit and age of the measured containers', async () => {
    const running = record('a');
    const exited = record('b', { state: 'exited' });
    usages.set(running.id, usage({ cpuSeconds: 12.5, memoryLimitBytes: 4096 }));
    usages.set(exited.id, usage({ cpuSeconds: 99 }));
    records = [running, exited];
    const collector = create(true);
    const { text } = await scrape(collector);
    expect(text).toContain(
      [
        '# TYPE onlyoffice_container_cpu_usage_seconds_total counter',
        'onlyoffice_container_cpu_usage_seconds_total{name="a"} 12.5',
      ].join('\n'),
    );
    expect(text).toContain('\nonlyoffice_container_memory_usage_bytes{name="a"} 1024\n');
    expect(text).toContain('\nonlyoffice_container_memory_working_set_bytes{name="a"} 512\n');
    expect(text).toContain('\nonlyoffice_container_memory_limit_bytes{name="a"} 4096\n');
    expect(text).toMatch(/\nonlyoffice_container_stats_age_seconds\{name="a"\} \d/);
    expect(text).not.toContain('{name="b"} 99');
    await collector.close?.();
  });

  // JSON.parse gives Infinity for a number too large for a double; NaN cannot come from JSON, but is refused too.
  test.each([
    ['a CPU total of Infinity', { cpuSeconds: JSON.parse('1e400') as number }],
    ['a CPU total of NaN', { cpuSeconds: NaN }],
    ['a CPU total of -1', { cpuSeconds: -1 }],
    ['a memory use of Infinity', { memoryUsageBytes: Infinity }],
    ['a working set of NaN', { memoryWorkingSetBytes: NaN }],
    ['a memory limit of -Infinity', { memoryLimitBytes: -Infinity }],
  ])('stats with %s fail the collector: nothing exported', async (what, change) => {
    const a = record('a');
    usages.set(a.id, usage(change));
    records = [a];
    const collector = create(true);
    const registry = new Registry();
    await expect(collector.collect({ registry, signal: new AbortController().signal } as never)).rejects.toThrow(
      `Docker reported ${what} for container a: not exported`,
    );
    expect(registry.getMetricsAsArray()).toEqual([]);
    await collector.close?.();
  });

  test.each([
    ['a restart count of Infinity', { restarts: Infinity }],
    ['an exit code of NaN', { exitCode: NaN }],
  ])('an inspect with %s fails the collector', async (what, change) => {
    records = [record('a', change)];
    const collector = create();
    const registry = new Registry();
    await expect(collector.collect({ registry, signal: new AbortController().signal } as never)).rejects.toThrow(
      `Docker reported ${what} for container a: not exported`,
    );
  });
});

function usage(change: Partial<ContainerUsage>): ContainerUsage {
  return {
    cgroup: 'v2',
    cpuSeconds: 1,
    memoryUsageBytes: 1024,
    memoryWorkingSetBytes: 512,
    memoryLimitBytes: undefined,
    ...change,
  };
}
