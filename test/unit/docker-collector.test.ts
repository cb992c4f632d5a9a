import { jest } from '@jest/globals';
import { Registry } from 'prom-client';
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

function create() {
  const config = {
    docker: {
      enabled: true,
      containers: ['*'],
      labels: ['project'],
      resync_interval: 300000,
      timeout: 1000,
      stats: false,
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

  test('two records with one name: one series each, last value, first position; the cached rows stay as they were', async () => {
    const older = record('dup', { restarts: 3, exitCode: 1, startedAt: 1718000001 });
    const newer = record('dup', { restarts: 5, exitCode: 0, state: 'paused', startedAt: undefined });
    records = [older];
    const collector = create();
    const alone = await scrape(collector);
    records = [older, newer];
    const both = await scrape(collector);
    expect(both.text).toContain('\nonlyoffice_container_restarts{name="dup"} 5\n');
    expect(both.text).toContain('\nonlyoffice_container_exit_code{name="dup"} 0\n');
    expect(both.text).toContain('\nonlyoffice_container_started_timestamp_seconds{name="dup"} 1718000001\n');
    expect(both.text).toContain(
      '{name="dup",state="running"} 0\nonlyoffice_container_state{name="dup",state="paused"} 1\n',
    );
    expect(both.families.get('onlyoffice_container_state')).toHaveLength(7);
    expect(both.families.get('onlyoffice_container_info')).toHaveLength(2);
    records = [older];
    expect((await scrape(collector)).text).toBe(alone.text);
  });
});
