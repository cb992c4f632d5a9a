import { labelNameFor } from '../config/sections/docker.js';
import { dockerEnabled } from '../docker/connection.js';
import { acquireEngine } from '../docker/engine.js';
import { MEASURED_STATES, StatsGatherer } from '../docker/stats.js';
import { CONTAINER_STATES, HEALTH_STATUSES, type ContainerRecord } from '../docker/view.js';
import { counterFamily, emitRows, gaugeFamily } from '../metrics/family.js';
import type { Labels } from '../metrics/histogram.js';
import type { CollectorDefinition } from './types.js';

interface Row {
  readonly labels: Labels;
  readonly value: number;
}

/** The rows that depend only on one record (and the collector's copied labels), frozen. */
interface RecordRows {
  readonly byName: Labels;
  readonly state: readonly Row[];
  readonly health: readonly Row[];
  readonly restarts: Row;
  readonly oom: Row;
  readonly exitCode: Row;
  readonly started: Row | undefined;
  readonly finished: Row | undefined;
  readonly info: Row;
}

const row = (labels: Labels, value: number): Row => Object.freeze({ labels, value });

const BY_NAME = ['name'] as const;
const STATE = gaugeFamily(
  'onlyoffice_container_state',
  'Docker state of the container: 1 for the current state, 0 for the others.',
  ['name', 'state'],
);
const HEALTH = gaugeFamily(
  'onlyoffice_container_health',
  'Docker healthcheck status: 1 for the current one, 0 for the others (none: no healthcheck).',
  ['name', 'status'],
);
const RESTARTS = gaugeFamily(
  'onlyoffice_container_restarts',
  "Docker's RestartCount: restarts by the restart policy since the container was created.",
  BY_NAME,
);
const OOM_KILLED = gaugeFamily(
  'onlyoffice_container_oom_killed',
  '1 when the last exit of the container was an OOM kill, 0 otherwise.',
  BY_NAME,
);
const EXIT_CODE = gaugeFamily(
  'onlyoffice_container_exit_code',
  'Exit code of the last run (0 while it has never exited).',
  BY_NAME,
);
const STARTED = gaugeFamily(
  'onlyoffice_container_started_timestamp_seconds',
  'When the container last started; absent if it never did.',
  BY_NAME,
);
const FINISHED = gaugeFamily(
  'onlyoffice_container_finished_timestamp_seconds',
  'When the container last stopped; absent if it never did.',
  BY_NAME,
);
/** Then one label per docker.labels entry (labelNameFor). */
const INFO = gaugeFamily(
  'onlyoffice_container_info',
  'Always 1: the container id, image and allowlisted Docker labels.',
  ['name', 'id', 'image'],
);
const CPU = counterFamily(
  'onlyoffice_container_cpu_usage_seconds_total',
  'CPU time the container used (stats API, gathered in the background).',
  BY_NAME,
);
const MEMORY = gaugeFamily(
  'onlyoffice_container_memory_usage_bytes',
  'Memory use of the container cgroup, page cache included.',
  BY_NAME,
);
const WORKING_SET = gaugeFamily(
  'onlyoffice_container_memory_working_set_bytes',
  'Memory use less inactive file cache, as docker stats shows it.',
  BY_NAME,
);
const LIMIT = gaugeFamily(
  'onlyoffice_container_memory_limit_bytes',
  "The container's memory limit (the host's memory when it has none).",
  BY_NAME,
);
const STATS_AGE = gaugeFamily(
  'onlyoffice_container_stats_age_seconds',
  'How old the CPU and memory values of the container are.',
  BY_NAME,
);
const API_REQUESTS = counterFamily(
  'onlyoffice_docker_api_requests_total',
  'Docker Engine API requests the exporter made since it started, by operation.',
  ['operation'],
);
const LAST_RESYNC = gaugeFamily(
  'onlyoffice_docker_last_resync_timestamp_seconds',
  'When the container view was last rebuilt from a full list and inspect.',
);

/** The names of the series the doctor reads (src/doctor/hops/). */
export const CONTAINER_METRICS = {
  state: STATE.name,
  health: HEALTH.name,
  restarts: RESTARTS.name,
  oomKilled: OOM_KILLED.name,
  exitCode: EXIT_CODE.name,
  info: INFO.name,
} as const;

/**
 * One record per name. Docker frees a name before it is given again, but the view can hold two records with one
 * name for a moment: a rename and a create whose inspects land out of order. The record inspected last (highest seq)
 * holds the name, since its inspect started after the other container had given the name up. Its rows alone are
 * exported: no series twice, and no mix of two containers. `sorted` is by name, as view.containers() gives it.
 */
function nameHolders(sorted: readonly ContainerRecord[]): ContainerRecord[] {
  const holders: ContainerRecord[] = [];
  for (const record of sorted) {
    const last = holders.length - 1;
    if (last >= 0 && holders[last]!.name === record.name) {
      if (record.seq > holders[last]!.seq) holders[last] = record;
    } else holders.push(record);
  }
  return holders;
}

/**
 * Engine answers are JSON, where a number too large for a double parses as Infinity. A value that is not finite
 * (or a CPU total below zero) fails the collector, onlyoffice_scrape_collector_success 0: +Inf or NaN is never exported.
 */
function finite(name: string, what: string, value: number, min = -Infinity): number {
  if (!Number.isFinite(value) || value < min)
    throw new Error(`Docker reported ${what} ${value} for container ${name}: not exported`);
  return value;
}

/**
 * Docker state of the matched containers (the ONLYOFFICE stack), from the in-memory view that the events
 * stream keeps current: a scrape makes one Engine API call, a /_ping. Optional CPU/memory from background stats.
 */
const docker: CollectorDefinition = {
  name: 'docker',
  scopes: ['metrics'],
  runs: 'schedule',
  create(config, logger) {
    const section = config.docker;
    if (!dockerEnabled(section)) return undefined;
    const lease = acquireEngine(section, logger);
    const { engine } = lease;
    const stats = section.stats
      ? new StatsGatherer(engine, section.stats_interval, logger.child({ component: 'docker-stats' }))
      : undefined;
    stats?.start();
    const copied = section.labels.map((label) => ({ docker: label, name: labelNameFor(label) }));
    // Records are replaced, never mutated, when a container changes: a steady scrape reuses every row
    // (and exposition() its rendered line) instead of allocating ~7,600 of them at 500 containers.
    const cache = new WeakMap<ContainerRecord, RecordRows>();
    const rowsOf = (container: ContainerRecord): RecordRows => {
      let cached = cache.get(container);
      if (cached !== undefined) return cached;
      const name = container.name;
      // Shared by the one-label families: nothing downstream mutates a row's labels.
      const byName: Labels = Object.freeze({ name });
      const labels: Labels = { name, id: container.id.slice(0, 12), image: container.image };
      for (const label of copied) labels[label.name] = container.labels[label.docker] ?? '';
      cached = {
        byName,
        state: CONTAINER_STATES.map((s) => row(Object.freeze({ name, state: s }), container.state === s ? 1 : 0)),
        health: HEALTH_STATUSES.map((h) => row(Object.freeze({ name, status: h }), container.health === h ? 1 : 0)),
        restarts: row(byName, finite(name, 'a restart count of', container.restarts)),
        oom: row(byName, container.oomKilled ? 1 : 0),
        exitCode: row(byName, finite(name, 'an exit code of', container.exitCode)),
        started: container.startedAt === undefined ? undefined : row(byName, container.startedAt),
        finished: container.finishedAt === undefined ? undefined : row(byName, container.finishedAt),
        info: row(Object.freeze(labels), 1),
      };
      cache.set(container, cached);
      return cached;
    };

    return {
      // Rows are emitted as built, no label set hashed (at 500 containers prom-client's set() hashed ~7,600 per
      // scrape): one record per name keeps each label set once. Label order in each object is the exposition's.
      async collect(ctx) {
        // One /_ping per scrape, shared with the supervisor collector: a frozen engine is not served as current.
        await engine.view.ready(ctx.signal, (key, compute) => ctx.memo(key, compute));
        const state: Row[] = [];
        const health: Row[] = [];
        const restarts: Row[] = [];
        const oom: Row[] = [];
        const exitCode: Row[] = [];
        const started: Row[] = [];
        const finished: Row[] = [];
        const info: Row[] = [];
        const cpu: Row[] = [];
        const memory: Row[] = [];
        const workingSet: Row[] = [];
        const limit: Row[] = [];
        const age: Row[] = [];
        const now = Date.now();

        for (const container of nameHolders(engine.view.containers())) {
          const rows = rowsOf(container);
          state.push(...rows.state);
          health.push(...rows.health);
          restarts.push(rows.restarts);
          oom.push(rows.oom);
          exitCode.push(rows.exitCode);
          if (rows.started !== undefined) started.push(rows.started);
          if (rows.finished !== undefined) finished.push(rows.finished);
          info.push(rows.info);

          // Stats change every scrape: fresh rows, not cached.
          const sample = stats && MEASURED_STATES.has(container.state) ? stats.sample(container.id) : undefined;
          if (!sample) continue;
          const { usage } = sample;
          const { name } = container;
          const byName = rows.byName;
          cpu.push({ labels: byName, value: finite(name, 'a CPU total of', usage.cpuSeconds, 0) });
          memory.push({ labels: byName, value: finite(name, 'a memory use of', usage.memoryUsageBytes) });
          workingSet.push({ labels: byName, value: finite(name, 'a working set of', usage.memoryWorkingSetBytes) });
          if (usage.memoryLimitBytes !== undefined)
            limit.push({ labels: byName, value: finite(name, 'a memory limit of', usage.memoryLimitBytes) });
          age.push({ labels: byName, value: Math.max(0, (now - sample.at) / 1000) });
        }

        // Registration order is the exposition's family order.
        emitRows(ctx, STATE, state);
        emitRows(ctx, HEALTH, health);
        emitRows(ctx, RESTARTS, restarts);
        emitRows(ctx, OOM_KILLED, oom);
        emitRows(ctx, EXIT_CODE, exitCode);
        emitRows(ctx, STARTED, started);
        emitRows(ctx, FINISHED, finished);
        emitRows(ctx, INFO, info);
        if (stats) {
          emitRows(ctx, CPU, cpu);
          emitRows(ctx, MEMORY, memory);
          emitRows(ctx, WORKING_SET, workingSet);
          emitRows(ctx, LIMIT, limit);
          emitRows(ctx, STATS_AGE, age);
        }
        emitRows(
          ctx,
          API_REQUESTS,
          engine.api.entries().map(([operation, count]) => ({ labels: { operation }, value: count })),
        );
        if (engine.view.lastResyncAt !== undefined)
          emitRows(ctx, LAST_RESYNC, [{ labels: {}, value: engine.view.lastResyncAt / 1000 }]);
      },
      async close() {
        await stats?.close();
        await lease.release();
      },
    };
  },
};

export default docker;
