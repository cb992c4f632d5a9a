import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supervisorCollector from '../../src/collectors/supervisor.js';
import { acquireEngine } from '../../src/docker/engine.js';
import { SUPERVISOR_STATES } from '../../src/supervisor/status.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { ENGINE_PROGRAMS, eventually, PrivateEngine, ScrapeHarness, TEST_IMAGE } from '../support/dockerd.js';
import { startExporter } from '../support/exporter-process.js';
import { find, parseExposition, value, type Sample } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { configFrom, scrapeWith, silentLogger } from '../support/scrape.js';

const { describe: withEngine } = requirePrograms(...ENGINE_PROGRAMS);

// What supervisorctl status prints ('%(name)-32s %(state)-10s %(desc)s'), exit 3 when a program is not RUNNING.
const FATAL_DOCSERVICE = [
  'ds:converter                     RUNNING   pid 27, uptime 2 days, 3:04:05',
  'ds:docservice                    FATAL     Exited too quickly (process log may have details)',
  'ds:example                       STOPPED   Not started',
  'ds:metrics                       BACKOFF   Exited too quickly (process log may have details)',
];
const DOCSERVICE_BACK = FATAL_DOCSERVICE.map((line) =>
  line.replace('FATAL     Exited too quickly (process log may have details)', 'RUNNING   pid 301, uptime 0:00:02'),
);
const ALL_RUNNING = [
  'ds:adminpanel                    EXITED    Nov 25 09:00 AM',
  'ds:converter                     STARTING   ',
  'ds:docservice                    RUNNING   pid 123, uptime 1:02:03',
  'ds:metrics                       RUNNING   pid 130, uptime 0:00:05',
];

function script(lines: string[], exitCode: number): string {
  return `#!/bin/sh\ncat <<'EOF'\n${lines.join('\n')}\nEOF\nexit ${exitCode}\n`;
}

/** program → the one state with value 1 (and checks the others are 0). */
function states(samples: Sample[], container: string): Record<string, string> {
  const out: Record<string, string> = {};
  const programs = new Set(
    find(samples, 'onlyoffice_supervisor_process_state', { container }).map((s) => s.labels.program!),
  );
  for (const program of programs) {
    const series = find(samples, 'onlyoffice_supervisor_process_state', { container, program });
    expect(series.map((s) => s.labels.state).sort()).toEqual([...SUPERVISOR_STATES].sort());
    const on = series.filter((s) => s.value === 1);
    expect(on).toHaveLength(1);
    expect(series.filter((s) => s.value !== 0 && s.value !== 1)).toEqual([]);
    out[program] = on[0]!.labels.state!;
  }
  return out;
}

function uptimes(samples: Sample[], container: string): Record<string, number> {
  return Object.fromEntries(
    find(samples, 'onlyoffice_supervisor_process_uptime_seconds', { container }).map((s) => [
      s.labels.program!,
      s.value,
    ]),
  );
}

withEngine('supervisor collector: supervisorctl status through the Docker exec API', () => {
  let engine: PrivateEngine;
  let fatalScript: string;

  beforeAll(async () => {
    engine = await PrivateEngine.create();
    fatalScript = engine.writeFile('sv-fatal', script(FATAL_DOCSERVICE, 3));
    const running = engine.writeFile('sv-running', script(ALL_RUNNING, 3));
    const noSocket = engine.writeFile('sv-nosock', script(['unix:///var/run/supervisor.sock no such file'], 7));
    const refused = engine.writeFile('sv-refused', script(['unix:///var/run/supervisor.sock refused connection'], 4));
    const hanging = engine.writeFile('sv-hang', '#!/bin/sh\nsleep 30\n');
    const mount = (path: string) => ['-v', `${path}:/bin/supervisorctl:ro`];
    const run = (name: string, ...args: string[]) =>
      engine.cli('run', '-d', '--name', name, ...args, TEST_IMAGE, 'sleep', '3600');
    await Promise.all([
      run('onlyoffice-documentserver', ...mount(fatalScript)),
      run('onlyoffice-documentserver-2', ...mount(running)),
      run('onlyoffice-documentserver-nosock', ...mount(noSocket)),
      run('onlyoffice-documentserver-refused', ...mount(refused)),
      run('onlyoffice-documentserver-bare'),
      run('onlyoffice-rabbitmq', ...mount(fatalScript)),
      engine.cli('create', '--name', 'onlyoffice-documentserver-created', TEST_IMAGE, 'sleep', '3600'),
    ]);
    await engine.cli('run', '-d', '--name', 'slow-documentserver', ...mount(hanging), TEST_IMAGE, 'sleep', '3600');
  }, 90_000);

  afterAll(async () => {
    await engine?.destroy();
  }, 60_000);

  const yaml = (extra = ', supervisor_interval: 1s') =>
    `docker: { socket: ${engine.socket}, containers: ["onlyoffice*"]${extra} }`;

  test('exports each program state of every running DocumentServer container, FATAL ds:docservice included', async () => {
    // No background round during this test: every exec counted below comes from this scrape.
    const harness = new ScrapeHarness([supervisorCollector], configFrom(yaml(', supervisor_interval: 1h')));
    const lease = acquireEngine(harness.config.docker, silentLogger);
    let samples: Sample[];
    try {
      samples = (await harness.scrape()).samples;
      // One exec (create, start, inspect) per running DocumentServer container; none into the created one.
      expect([
        lease.engine.api.get('exec_create'),
        lease.engine.api.get('exec_start'),
        lease.engine.api.get('exec_inspect'),
      ]).toEqual([5, 5, 5]);
    } finally {
      await lease.release();
      await harness.close();
    }
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'supervisor' })).toBe(1);

    expect(value(samples, 'onlyoffice_supervisor_up', { container: 'onlyoffice-documentserver' })).toBe(1);
    expect(states(samples, 'onlyoffice-documentserver')).toEqual({
      'ds:converter': 'RUNNING',
      'ds:docservice': 'FATAL',
      'ds:example': 'STOPPED',
      'ds:metrics': 'BACKOFF',
    });
    expect(
      value(samples, 'onlyoffice_supervisor_process_state', {
        container: 'onlyoffice-documentserver',
        program: 'ds:docservice',
        state: 'FATAL',
      }),
    ).toBe(1);
    expect(uptimes(samples, 'onlyoffice-documentserver')).toEqual({
      'ds:converter': 2 * 86_400 + 3 * 3_600 + 4 * 60 + 5,
    });

    expect(value(samples, 'onlyoffice_supervisor_up', { container: 'onlyoffice-documentserver-2' })).toBe(1);
    expect(states(samples, 'onlyoffice-documentserver-2')).toEqual({
      'ds:adminpanel': 'EXITED',
      'ds:converter': 'STARTING',
      'ds:docservice': 'RUNNING',
      'ds:metrics': 'RUNNING',
    });
    expect(uptimes(samples, 'onlyoffice-documentserver-2')).toEqual({ 'ds:docservice': 3_723, 'ds:metrics': 5 });

    // supervisorctl failing, missing, or the container not running: up 0 and no program series.
    for (const container of [
      'onlyoffice-documentserver-nosock',
      'onlyoffice-documentserver-refused',
      'onlyoffice-documentserver-bare',
      'onlyoffice-documentserver-created',
    ]) {
      expect([container, value(samples, 'onlyoffice_supervisor_up', { container })]).toEqual([container, 0]);
      expect(find(samples, 'onlyoffice_supervisor_process_state', { container })).toEqual([]);
    }
    // Not a DocumentServer container, or not matched by docker.containers at all: nothing.
    expect(find(samples, 'onlyoffice_supervisor_up', { container: 'onlyoffice-rabbitmq' })).toEqual([]);
    expect(find(samples, 'onlyoffice_supervisor_up', { container: 'slow-documentserver' })).toEqual([]);
    expect(
      find(samples, 'onlyoffice_supervisor_up')
        .map((s) => s.labels.container)
        .sort(),
    ).toEqual([
      'onlyoffice-documentserver',
      'onlyoffice-documentserver-2',
      'onlyoffice-documentserver-bare',
      'onlyoffice-documentserver-created',
      'onlyoffice-documentserver-nosock',
      'onlyoffice-documentserver-refused',
    ]);
  }, 60_000);

  test('the background check picks up a change', async () => {
    const harness = new ScrapeHarness([supervisorCollector], configFrom(yaml()));
    try {
      const first = await harness.scrape();
      expect(states(first.samples, 'onlyoffice-documentserver')['ds:docservice']).toBe('FATAL');
      // The same inode, so the bind mount sees the new content.
      writeFileSync(fatalScript, script(DOCSERVICE_BACK, 0));
      const later = await eventually('the next background check', async () => {
        const { samples } = await harness.scrape();
        return states(samples, 'onlyoffice-documentserver')['ds:docservice'] === 'RUNNING' ? samples : undefined;
      });
      expect(uptimes(later, 'onlyoffice-documentserver')).toEqual({ 'ds:converter': 183_845, 'ds:docservice': 2 });
    } finally {
      writeFileSync(fatalScript, script(FATAL_DOCSERVICE, 3));
      await harness.close();
    }
  }, 60_000);

  test('a scrape reads the last check, except for a container restarted since, which it checks again at once', async () => {
    const harness = new ScrapeHarness([supervisorCollector], configFrom(yaml(', supervisor_interval: 1h')));
    const lease = acquireEngine(harness.config.docker, silentLogger);
    try {
      expect(states((await harness.scrape()).samples, 'onlyoffice-documentserver')['ds:docservice']).toBe('FATAL');
      writeFileSync(fatalScript, script(DOCSERVICE_BACK, 0));
      const checks = lease.engine.api.get('exec_create');
      expect(states((await harness.scrape()).samples, 'onlyoffice-documentserver')['ds:docservice']).toBe('FATAL');
      expect(lease.engine.api.get('exec_create')).toBe(checks);

      await engine.cli('restart', '-t', '0', 'onlyoffice-documentserver');
      const [restarted] = JSON.parse(await engine.cli('inspect', 'onlyoffice-documentserver')) as {
        State: { StartedAt: string };
      }[];
      await eventually('the view to see the restart', async () => {
        await lease.engine.view.settled();
        const record = lease.engine.view.containers().find((c) => c.name === 'onlyoffice-documentserver');
        return record && Math.abs(record.startedAt! - Date.parse(restarted!.State.StartedAt) / 1000) < 0.001
          ? true
          : undefined;
      });
      expect(states((await harness.scrape()).samples, 'onlyoffice-documentserver')['ds:docservice']).toBe('RUNNING');
      expect(lease.engine.api.get('exec_create')).toBe(checks + 1);
    } finally {
      writeFileSync(fatalScript, script(FATAL_DOCSERVICE, 3));
      await lease.release();
      await harness.close();
    }
  }, 60_000);

  test('a hanging supervisorctl costs at most supervisor_timeout and never holds the scrape past its deadline', async () => {
    const base = `docker: { socket: ${engine.socket}, containers: ["onlyoffice-documentserver", "slow-*"], supervisor_containers: ["*documentserver*"]`;
    const short = await scrapeWith([supervisorCollector], configFrom(`${base}, supervisor_timeout: 1s }`), {
      budgetMs: 5_000,
    });
    expect(value(short.samples, 'onlyoffice_scrape_collector_success', { collector: 'supervisor' })).toBe(1);
    expect(value(short.samples, 'onlyoffice_supervisor_up', { container: 'slow-documentserver' })).toBe(0);
    expect(value(short.samples, 'onlyoffice_supervisor_up', { container: 'onlyoffice-documentserver' })).toBe(1);

    // A check longer than the scrape: the scrape ends in time without that container.
    const long = await scrapeWith([supervisorCollector], configFrom(`${base}, supervisor_timeout: 20s }`), {
      budgetMs: 1_500,
    });
    expect(value(long.samples, 'onlyoffice_scrape_collector_success', { collector: 'supervisor' })).toBe(1);
    expect(find(long.samples, 'onlyoffice_supervisor_up', { container: 'slow-documentserver' })).toEqual([]);
    expect(value(long.samples, 'onlyoffice_supervisor_up', { container: 'onlyoffice-documentserver' })).toBe(1);
  }, 60_000);

  test('the real daemon shows the FATAL ds:docservice on /metrics, and again after a reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-svd-'));
    const configPath = join(dir, 'config.yml');
    writeFileSync(configPath, `${yaml()}\n`);
    const exporter = await startExporter([`--config.file=${configPath}`]);
    try {
      for (const round of ['first', 'after reload']) {
        const samples = parseExposition(await (await fetch(`${exporter.url}/metrics`)).text());
        expect([round, value(samples, 'onlyoffice_scrape_collector_success', { collector: 'supervisor' })]).toEqual([
          round,
          1,
        ]);
        expect([round, value(samples, 'onlyoffice_scrape_collector_success', { collector: 'docker' })]).toEqual([
          round,
          1,
        ]);
        expect([
          round,
          value(samples, 'onlyoffice_supervisor_process_state', {
            container: 'onlyoffice-documentserver',
            program: 'ds:docservice',
            state: 'FATAL',
          }),
        ]).toEqual([round, 1]);
        expect([
          round,
          value(samples, 'onlyoffice_container_state', { name: 'onlyoffice-documentserver', state: 'running' }),
        ]).toEqual([round, 1]);
        if (round === 'first') expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      }
    } finally {
      await exporter.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('docs/metrics.md documents exactly what the supervisor collector exports', async () => {
    const { text, samples } = await scrapeWith([supervisorCollector], configFrom(yaml()));
    const ours = [...exportedFamilies(samples, text).entries()]
      .filter(([name]) => name.startsWith('onlyoffice_supervisor_'))
      .map(([name, labels]) => ({ name, labels: [...labels].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const documented = documentedMetrics()
      .filter((m) => m.section === 'supervisor')
      .map((m) => ({ name: m.name, labels: [...m.labels].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(ours).toEqual(documented);
  }, 60_000);
});

describe('supervisor collector on a host install (no Docker)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ooe-sv-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function program(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    chmodSync(path, 0o755);
    return path;
  }

  test('host_supervisorctl: the same parsing, container ""', async () => {
    const path = program('supervisorctl', script(FATAL_DOCSERVICE, 3));
    const { samples } = await scrapeWith(
      [supervisorCollector],
      configFrom(`docker: { enabled: false }\nsupervisor: { host_supervisorctl: ${path} }`),
    );
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'supervisor' })).toBe(1);
    expect(value(samples, 'onlyoffice_supervisor_up', { container: '' })).toBe(1);
    expect(states(samples, '')).toEqual({
      'ds:converter': 'RUNNING',
      'ds:docservice': 'FATAL',
      'ds:example': 'STOPPED',
      'ds:metrics': 'BACKOFF',
    });
    expect(uptimes(samples, '')).toEqual({ 'ds:converter': 183_845 });
  });

  test('host_supervisorctl: supervisord not running, or no such program, is up 0', async () => {
    const refused = program('refused', script(['unix:///var/run/supervisor.sock refused connection'], 4));
    for (const path of [refused, join(dir, 'missing')]) {
      const { samples } = await scrapeWith(
        [supervisorCollector],
        configFrom(`docker: { enabled: false }\nsupervisor: { host_supervisorctl: ${path} }`),
      );
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'supervisor' })).toBe(1);
      expect(value(samples, 'onlyoffice_supervisor_up', { container: '' })).toBe(0);
      expect(find(samples, 'onlyoffice_supervisor_process_state')).toEqual([]);
    }
  });

  test('host_systemd_units: systemctl as this machine has it', async () => {
    const { samples } = await scrapeWith(
      [supervisorCollector],
      configFrom(
        'docker: { enabled: false }\nsupervisor: { host_systemd_units: [ds-docservice, ds-converter, ds-metrics] }',
      ),
    );
    expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'supervisor' })).toBe(1);
    if (existsSync('/run/systemd/system')) {
      // systemd runs here, and DS is not installed: the units are unknown to it.
      expect(value(samples, 'onlyoffice_supervisor_up', { container: '' })).toBe(1);
      expect(states(samples, '')).toEqual({
        'ds-docservice': 'UNKNOWN',
        'ds-converter': 'UNKNOWN',
        'ds-metrics': 'UNKNOWN',
      });
    } else {
      // "System has not been booted with systemd as init system": systemctl cannot answer.
      expect(value(samples, 'onlyoffice_supervisor_up', { container: '' })).toBe(0);
      expect(find(samples, 'onlyoffice_supervisor_process_state')).toEqual([]);
    }
  });
});
