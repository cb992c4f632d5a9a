import { globMatcher } from '../../src/docker/glob.js';
import { parseStats } from '../../src/docker/stats.js';
import { dockerTimeSeconds } from '../../src/docker/time.js';

// Captured from dockerd 20.10.24 on this machine (cgroup v1): a busybox container with --memory 64m that wrote 8 MiB to /tmp.
const V1_RUNNING = {
  read: '2026-11-25T09:16:48.494783387Z',
  preread: '2026-11-25T09:16:47.492062531Z',
  pids_stats: { current: 1 },
  blkio_stats: {
    io_service_bytes_recursive: [],
    io_serviced_recursive: [],
    io_queue_recursive: [],
    io_service_time_recursive: [],
    io_wait_time_recursive: [],
    io_merged_recursive: [],
    io_time_recursive: [],
    sectors_recursive: [],
  },
  num_procs: 0,
  storage_stats: {},
  cpu_stats: {
    cpu_usage: {
      total_usage: 17398358,
      percpu_usage: [2508766, 14889592],
      usage_in_kernelmode: 10000000,
      usage_in_usermode: 0,
    },
    system_cpu_usage: 2430940000000,
    online_cpus: 2,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  },
  precpu_stats: {
    cpu_usage: {
      total_usage: 17398358,
      percpu_usage: [2508766, 14889592],
      usage_in_kernelmode: 10000000,
      usage_in_usermode: 0,
    },
    system_cpu_usage: 2428930000000,
    online_cpus: 2,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  },
  memory_stats: {
    usage: 9162752,
    max_usage: 10588160,
    stats: {
      active_anon: 4096,
      active_file: 0,
      cache: 8388608,
      dirty: 0,
      hierarchical_memory_limit: 67108864,
      hierarchical_memsw_limit: 134217728,
      inactive_anon: 49152,
      inactive_file: 8388608,
      mapped_file: 0,
      pgfault: 1371,
      pgmajfault: 0,
      pgpgin: 1046,
      pgpgout: 1025,
      rss: 53248,
      rss_huge: 0,
      total_active_anon: 4096,
      total_active_file: 0,
      total_cache: 8388608,
      total_dirty: 0,
      total_inactive_anon: 49152,
      total_inactive_file: 8388608,
      total_mapped_file: 0,
      total_pgfault: 1371,
      total_pgmajfault: 0,
      total_pgpgin: 1046,
      total_pgpgout: 1025,
      total_rss: 53248,
      total_rss_huge: 0,
      total_unevictable: 0,
      total_writeback: 0,
      unevictable: 0,
      writeback: 0,
    },
    limit: 67108864,
  },
  name: '/onlyoffice-documentserver',
  id: 'aa275dbefbfde87ac6c2e11924457ba068674fb3035165a3fd1863f0836e4d67',
};

// The same engine, a created (never started) container: zero read time, empty memory_stats.
const V1_CREATED = {
  read: '0001-01-01T00:00:00Z',
  preread: '0001-01-01T00:00:00Z',
  pids_stats: {},
  blkio_stats: {
    io_service_bytes_recursive: null,
    io_serviced_recursive: null,
    io_queue_recursive: null,
    io_service_time_recursive: null,
    io_wait_time_recursive: null,
    io_merged_recursive: null,
    io_time_recursive: null,
    sectors_recursive: null,
  },
  num_procs: 0,
  storage_stats: {},
  cpu_stats: {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  },
  precpu_stats: {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  },
  memory_stats: {},
  name: '/oo-created',
  id: 'f7b4576025e01446ef0b704310318925ba01c1daca87b1962cb886982561fe61',
};

// cgroup v2 (not available on this machine): built from the fields moby fills from memory.stat and cpu.stat
// (no cache/total_* keys, no max_usage), values chosen by hand. Not a capture.
const V2_RUNNING = {
  read: '2026-11-25T09:20:00.123456789Z',
  preread: '2026-11-25T09:19:59.120000000Z',
  pids_stats: { current: 12, limit: 4915 },
  cpu_stats: {
    cpu_usage: { total_usage: 5234567000, usage_in_kernelmode: 1200000000, usage_in_usermode: 4034567000 },
    system_cpu_usage: 9871230000000,
    online_cpus: 2,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  },
  memory_stats: {
    usage: 314572800,
    stats: {
      active_anon: 157286400,
      active_file: 20971520,
      anon: 167772160,
      anon_thp: 0,
      file: 125829120,
      file_dirty: 0,
      file_mapped: 10485760,
      file_writeback: 0,
      inactive_anon: 10485760,
      inactive_file: 104857600,
      kernel_stack: 245760,
      pgactivate: 0,
      pgdeactivate: 0,
      pgfault: 120000,
      pglazyfree: 0,
      pglazyfreed: 0,
      pgmajfault: 12,
      pgrefill: 0,
      pgscan: 0,
      pgsteal: 0,
      shmem: 0,
      slab: 4194304,
      slab_reclaimable: 3145728,
      slab_unreclaimable: 1048576,
      sock: 0,
      thp_collapse_alloc: 0,
      thp_fault_alloc: 0,
      unevictable: 0,
      workingset_activate: 0,
      workingset_nodereclaim: 0,
      workingset_refault: 0,
    },
    limit: 1073741824,
  },
  name: '/onlyoffice-documentserver',
  id: '0123456789ab0123456789ab0123456789ab0123456789ab0123456789ab0123',
};

describe('container name globs', () => {
  test('* and ? are wildcards, everything else is literal, the whole name must match', () => {
    const match = globMatcher(['onlyoffice*', '*documentserver*', 'ds-?']);
    expect(
      ['onlyoffice-rabbitmq', 'onlyoffice', 'docker-documentserver-1', 'documentserver', 'ds-1'].map(match),
    ).toEqual([true, true, true, true, true]);
    expect(['my-onlyoffice', 'ds-10', 'ds-', 'rabbitmq'].map(match)).toEqual([false, false, false, false]);
    expect(globMatcher(['a.b'])('aXb')).toBe(false);
    expect(globMatcher(['a.b'])('a.b')).toBe(true);
  });
});

describe('Docker times', () => {
  test('RFC 3339 with nanoseconds, to seconds', () => {
    expect(dockerTimeSeconds('2026-11-25T09:16:48Z')).toBe(Date.UTC(2026, 10, 25, 9, 16, 48) / 1000);
    expect(dockerTimeSeconds('2026-11-25T09:16:48.494783387Z')).toBeCloseTo(
      Date.UTC(2026, 10, 25, 9, 16, 48) / 1000 + 0.494783387,
      6,
    );
    expect(dockerTimeSeconds('2026-11-25T10:16:48.5+01:00')).toBe(Date.UTC(2026, 10, 25, 9, 16, 48, 500) / 1000);
    expect(dockerTimeSeconds('2026-11-25T04:46:48-04:30')).toBe(Date.UTC(2026, 10, 25, 9, 16, 48) / 1000);
  });

  test('"never" (year 1) and garbage are undefined', () => {
    expect(dockerTimeSeconds('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(dockerTimeSeconds('')).toBeUndefined();
    expect(dockerTimeSeconds(undefined)).toBeUndefined();
    expect(dockerTimeSeconds('yesterday')).toBeUndefined();
  });
});

describe('stats answers', () => {
  test('cgroup v1 (captured): working set is usage less total_inactive_file', () => {
    expect(parseStats(V1_RUNNING)).toEqual({
      cgroup: 'v1',
      cpuSeconds: 0.017398358,
      memoryUsageBytes: 9_162_752,
      memoryWorkingSetBytes: 9_162_752 - 8_388_608,
      memoryLimitBytes: 67_108_864,
    });
  });

  test('cgroup v2 (constructed): working set is usage less inactive_file', () => {
    expect(parseStats(V2_RUNNING)).toEqual({
      cgroup: 'v2',
      cpuSeconds: 5.234567,
      memoryUsageBytes: 314_572_800,
      memoryWorkingSetBytes: 314_572_800 - 104_857_600,
      memoryLimitBytes: 1_073_741_824,
    });
  });

  test('inactive file cache larger than usage (a racy read) leaves usage as it is', () => {
    const odd = {
      ...V2_RUNNING,
      memory_stats: {
        ...V2_RUNNING.memory_stats,
        usage: 1000,
        stats: { ...V2_RUNNING.memory_stats.stats, inactive_file: 5000 },
      },
    };
    expect(parseStats(odd)?.memoryWorkingSetBytes).toBe(1000);
  });

  test('a container with no process gives nothing, as does garbage', () => {
    expect(parseStats(V1_CREATED)).toBeUndefined();
    expect(
      parseStats({ read: '2026-11-25T09:20:00Z', memory_stats: {}, cpu_stats: { cpu_usage: { total_usage: 1 } } }),
    ).toBeUndefined();
    expect(parseStats(null)).toBeUndefined();
    expect(parseStats('nope')).toBeUndefined();
  });
});
