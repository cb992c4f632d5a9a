import { Counter, Gauge } from 'prom-client';
import { labelNameFor } from '../config/sections/docker.js';
import { dockerEnabled } from '../docker/connection.js';
import { acquireEngine } from '../docker/engine.js';
import { MEASURED_STATES, StatsGatherer } from '../docker/stats.js';
import { CONTAINER_STATES, HEALTH_STATUSES } from '../docker/view.js';
import type { CollectorDefinition } from './types.js';

/**
 * Docker state of the matched containers (the ONLYOFFICE stack), from the in-memory view that the events
 * stream keeps current: a scrape makes no Engine API call. Optional CPU/memory from background stats.
 */
const docker: CollectorDefinition = {
  name: 'docker',
  scopes: ['metrics'],
  create(config, logger) {
    const section = config.docker;
    if (!dockerEnabled(section)) return undefined;
    const lease = acquireEngine(section, logger);
    const { engine } = lease;
    const stats = section.stats ? new StatsGatherer(engine, section.stats_interval, logger.child({ component: 'docker-stats' })) : undefined;
    stats?.start();
    const copied = section.labels.map((label) => ({ docker: label, name: labelNameFor(label) }));

    return {
      async collect(ctx) {
        await engine.view.ready(ctx.signal);
        const registers = [ctx.registry];
        const state = new Gauge({ name: 'onlyoffice_container_state', help: 'Docker state of the container: 1 for the current state, 0 for the others.', labelNames: ['name', 'state'], registers });
        const health = new Gauge({ name: 'onlyoffice_container_health', help: 'Docker healthcheck status: 1 for the current one (none: no healthcheck).', labelNames: ['name', 'status'], registers });
        const restarts = new Gauge({ name: 'onlyoffice_container_restarts', help: "Docker's RestartCount: restarts by the restart policy since the container was created.", labelNames: ['name'], registers });
        const oom = new Gauge({ name: 'onlyoffice_container_oom_killed', help: '1 when the last exit of the container was an OOM kill.', labelNames: ['name'], registers });
        const exitCode = new Gauge({ name: 'onlyoffice_container_exit_code', help: 'Exit code of the last run (0 while it has never exited).', labelNames: ['name'], registers });
        const started = new Gauge({ name: 'onlyoffice_container_started_timestamp_seconds', help: 'When the container last started; absent if it never did.', labelNames: ['name'], registers });
        const finished = new Gauge({ name: 'onlyoffice_container_finished_timestamp_seconds', help: 'When the container last stopped; absent if it never did.', labelNames: ['name'], registers });
        const info = new Gauge({ name: 'onlyoffice_container_info', help: 'Always 1: the container id, image and allowlisted Docker labels.', labelNames: ['name', 'id', 'image', ...copied.map((l) => l.name)], registers });

        for (const container of engine.view.containers()) {
          const name = container.name;
          for (const s of CONTAINER_STATES) state.set({ name, state: s }, container.state === s ? 1 : 0);
          for (const h of HEALTH_STATUSES) health.set({ name, status: h }, container.health === h ? 1 : 0);
          restarts.set({ name }, container.restarts);
          oom.set({ name }, container.oomKilled ? 1 : 0);
          exitCode.set({ name }, container.exitCode);
          if (container.startedAt !== undefined) started.set({ name }, container.startedAt);
          if (container.finishedAt !== undefined) finished.set({ name }, container.finishedAt);
          const labels: Record<string, string> = { name, id: container.id.slice(0, 12), image: container.image };
          for (const label of copied) labels[label.name] = container.labels[label.docker] ?? '';
          info.set(labels, 1);
        }

        if (stats) {
          const cpu = new Counter({ name: 'onlyoffice_container_cpu_usage_seconds_total', help: 'CPU time the container used (stats API, gathered in the background).', labelNames: ['name'], registers });
          const memory = new Gauge({ name: 'onlyoffice_container_memory_usage_bytes', help: 'Memory use of the container cgroup, page cache included.', labelNames: ['name'], registers });
          const workingSet = new Gauge({ name: 'onlyoffice_container_memory_working_set_bytes', help: 'Memory use less inactive file cache, as docker stats shows it.', labelNames: ['name'], registers });
          const limit = new Gauge({ name: 'onlyoffice_container_memory_limit_bytes', help: "The container's memory limit (the host's memory when it has none).", labelNames: ['name'], registers });
          const age = new Gauge({ name: 'onlyoffice_container_stats_age_seconds', help: 'How old the CPU and memory values of the container are.', labelNames: ['name'], registers });
          const now = Date.now();
          for (const container of engine.view.containers()) {
            const sample = MEASURED_STATES.has(container.state) ? stats.sample(container.id) : undefined;
            if (!sample) continue;
            const name = container.name;
            cpu.inc({ name }, sample.usage.cpuSeconds);
            memory.set({ name }, sample.usage.memoryUsageBytes);
            workingSet.set({ name }, sample.usage.memoryWorkingSetBytes);
            if (sample.usage.memoryLimitBytes !== undefined) limit.set({ name }, sample.usage.memoryLimitBytes);
            age.set({ name }, Math.max(0, (now - sample.at) / 1000));
          }
        }

        const requests = new Counter({ name: 'onlyoffice_docker_api_requests_total', help: 'Docker Engine API requests the exporter made since it started, by operation.', labelNames: ['operation'], registers });
        for (const [operation, count] of engine.api.entries()) requests.inc({ operation }, count);
        if (engine.view.lastResyncAt !== undefined) {
          new Gauge({ name: 'onlyoffice_docker_last_resync_timestamp_seconds', help: 'When the container view was last rebuilt from a full list and inspect.', registers })
            .set(engine.view.lastResyncAt / 1000);
        }
      },
      async close() {
        await stats?.close();
        await lease.release();
      },
    };
  },
};

export default docker;
