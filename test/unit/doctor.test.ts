import { CAUSES, CAUSE_ORDER } from '../../src/doctor/causes.js';
import { DoctorCliError, parseDoctorCli } from '../../src/doctor/cli.js';
import { diagnose } from '../../src/doctor/diagnose.js';
import { langFrom, picker } from '../../src/doctor/i18n.js';
import { FINDINGS } from '../../src/doctor/messages.js';
import { exitCodeOf, type Diagnosis, type HopId } from '../../src/doctor/model.js';
import { renderJson, renderText } from '../../src/doctor/render.js';
import { trendLines } from '../../src/doctor/report.js';
import type { Sample } from '../../src/doctor/samples.js';
import { configFrom } from '../support/scrape.js';

const NOW = Date.parse('2026-11-25T00:00:00Z');
const DAY = 86_400;
const s = (name: string, value: number, labels: Record<string, string> = {}): Sample => ({ name, labels, value });
const ok = (collector: string) => s('onlyoffice_scrape_collector_success', 1, { collector });

/** A DocumentServer that answers everything directly (docservice on :8000, no public URL). */
const HEALTHY_DS: Sample[] = [
  ok('endpoints'),
  ok('healthcheck'),
  ok('commands'),
  s('onlyoffice_endpoint_up', 1, { endpoint: 'index', via: 'direct' }),
  s('onlyoffice_endpoint_status_code', 200, { endpoint: 'index', via: 'direct' }),
  s('onlyoffice_endpoint_up', 1, { endpoint: 'healthcheck', via: 'direct' }),
  s('onlyoffice_endpoint_status_code', 200, { endpoint: 'healthcheck', via: 'direct' }),
  s('onlyoffice_healthcheck_up', 1),
  s('onlyoffice_healthcheck_duration_seconds', 0.05),
  s('onlyoffice_command_error', 1, { command: 'version', code: '0', reason: 'none' }),
  s('onlyoffice_build_info', 1, { version: '8.3.3', build: '23' }),
];
const CONFIG = configFrom('documentserver: { url: "http://127.0.0.1:8000" }');

function run(extra: Sample[], base: Sample[] = HEALTHY_DS): Diagnosis {
  return diagnose([...base, ...extra], CONFIG, { now: NOW });
}
const verdict = (d: Diagnosis, hop: HopId) => d.hops.find((h) => h.id === hop)!.verdict;
const causes = (d: Diagnosis) => d.causes.map((c) => `${c.hop}:${c.id}`);

function containerStates(name: string, state: string): Sample[] {
  return ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'].map((st) =>
    s('onlyoffice_container_state', st === state ? 1 : 0, { name, state: st }),
  );
}
function health(name: string, status: string): Sample[] {
  return ['none', 'starting', 'healthy', 'unhealthy'].map((st) =>
    s('onlyoffice_container_health', st === status ? 1 : 0, { name, status: st }),
  );
}
function program(container: string, name: string, state: string): Sample[] {
  return ['RUNNING', 'STARTING', 'BACKOFF', 'STOPPING', 'STOPPED', 'EXITED', 'FATAL', 'UNKNOWN'].map((st) =>
    s('onlyoffice_supervisor_process_state', st === state ? 1 : 0, { container, program: name, state: st }),
  );
}
function filesystem(
  path: string,
  size: number,
  avail: number,
  extra: { readonly?: number; error?: number; files?: number; filesFree?: number } = {},
): Sample[] {
  const labels = { path, mountpoint: '/', device: '/dev/vda', fstype: 'ext4' };
  return [
    s('onlyoffice_filesystem_size_bytes', size, labels),
    s('onlyoffice_filesystem_avail_bytes', avail, labels),
    s('onlyoffice_filesystem_files', extra.files ?? 1000, labels),
    s('onlyoffice_filesystem_files_free', extra.filesFree ?? 900, labels),
    s('onlyoffice_filesystem_readonly', extra.readonly ?? 0, labels),
    s('onlyoffice_filesystem_device_error', extra.error ?? 0, labels),
  ];
}

describe('doctor diagnosis (from samples)', () => {
  test('a healthy DocumentServer with nothing else configured: OK, exit code 0', () => {
    const d = run([]);
    expect(Object.fromEntries(d.hops.map((h) => [h.id, h.verdict]))).toEqual({
      proxy: 'skipped',
      docservice: 'ok',
      healthcheck: 'ok',
      jwt: 'ok',
      websocket: 'skipped',
      rabbitmq: 'skipped',
      postgresql: 'skipped',
      redis: 'skipped',
      converter: 'skipped',
      certificates: 'skipped',
      disk: 'skipped',
      backups: 'skipped',
      containers: 'skipped',
      supervisor: 'skipped',
    });
    expect(d.verdict).toBe('ok');
    expect(exitCodeOf(d.verdict)).toBe(0);
    expect(d.checkedAt).toBe('2026-11-25T00:00:00.000Z');
  });

  test('containers: exited, OOM-killed, restarting, unhealthy, paused each named; the DS container explains docservice', () => {
    const down = HEALTHY_DS.map((x) =>
      x.name === 'onlyoffice_endpoint_up' || x.name === 'onlyoffice_healthcheck_up'
        ? { ...x, value: 0 }
        : x.name === 'onlyoffice_endpoint_status_code'
          ? { ...x, value: 0 }
          : x,
    ).filter((x) => x.name !== 'onlyoffice_command_error');
    const d = run(
      [
        ok('docker'),
        ...containerStates('onlyoffice-documentserver', 'exited'),
        s('onlyoffice_container_exit_code', 137, { name: 'onlyoffice-documentserver' }),
        s('onlyoffice_container_oom_killed', 1, { name: 'onlyoffice-documentserver' }),
        ...containerStates('onlyoffice-rabbitmq', 'restarting'),
        s('onlyoffice_container_restarts', 7, { name: 'onlyoffice-rabbitmq' }),
        ...containerStates('onlyoffice-postgresql', 'running'),
        ...health('onlyoffice-postgresql', 'unhealthy'),
        ...containerStates('onlyoffice-redis', 'paused'),
        ...containerStates('onlyoffice-exporter', 'exited'),
        s('onlyoffice_container_exit_code', 3, { name: 'onlyoffice-exporter' }),
      ],
      down,
    );
    expect(verdict(d, 'containers')).toBe('fail');
    expect(verdict(d, 'docservice')).toBe('fail');
    expect(d.hops.find((h) => h.id === 'docservice')!.because).toBe('containers');
    expect(causes(d)).toEqual([
      'containers:container_down',
      'containers:container_oom',
      'containers:container_restarting',
      'containers:container_unhealthy',
      'containers:container_paused',
    ]);
    expect(d.causes[0]!.params).toEqual({ name: 'onlyoffice-exporter', state: 'exited', exit_code: 3 });
    expect(renderJson(d, 'en').causes[1]!.title).toBe(
      'container onlyoffice-documentserver was killed for lack of memory (OOM)',
    );
  });

  test('a DS container with a random name is known by its image: it explains docservice, and fixes carry its name', () => {
    const down = HEALTHY_DS.map((x) =>
      x.name === 'onlyoffice_endpoint_up' || x.name === 'onlyoffice_healthcheck_up'
        ? { ...x, value: 0 }
        : x.name === 'onlyoffice_endpoint_status_code'
          ? { ...x, value: 0 }
          : x,
    ).filter((x) => x.name !== 'onlyoffice_command_error');
    const info = (name: string, image: string) =>
      s('onlyoffice_container_info', 1, { name, id: '0123456789ab', image });
    const stopped = run(
      [
        ok('docker'),
        ...containerStates('clever_turing', 'exited'),
        info('clever_turing', 'registry.example.internal:5000/onlyoffice/documentserver-ee:9.0'),
        ...containerStates('onlyoffice-exporter', 'running'),
        info('onlyoffice-exporter', 'onlyoffice-exporter:local'),
      ],
      down,
    );
    expect(stopped.hops.find((h) => h.id === 'docservice')!.because).toBe('containers');
    expect(renderJson(stopped, 'en').causes.map((c) => c.fix[0])).toEqual(['docker logs --tail 100 clever_turing']);
    // Running, with docservice down inside it: the fixes are docker exec into that very container.
    const inside = run(
      [
        ok('docker'),
        ...containerStates('clever_turing', 'running'),
        info('clever_turing', 'onlyoffice/documentserver:8.3'),
      ],
      down,
    );
    expect(renderText(inside, 'en')).toContain('docker exec clever_turing ');
    expect(renderText(inside, 'en')).not.toContain('onlyoffice-documentserver');
  });

  describe("commands for DS's RabbitMQ, PostgreSQL and nginx run where the doctor found them", () => {
    const PG =
      '"select pid, state, wait_event_type, now() - query_start as running from pg_stat_activity order by running desc nulls last limit 10"';
    // /healthcheck hangs while /index.html answers, and both dependencies are down: RabbitMQ and PostgreSQL frozen.
    const hanging = HEALTHY_DS.map((x) =>
      x.name === 'onlyoffice_healthcheck_up'
        ? { ...x, value: 0 }
        : x.labels.endpoint === 'healthcheck'
          ? { ...x, value: 0 }
          : x,
    );
    const deps = [
      ok('dependencies'),
      s('onlyoffice_dependency_up', 0, { dependency: 'rabbitmq', address: '127.0.0.1:5672' }),
      s('onlyoffice_dependency_up', 0, { dependency: 'postgresql', address: '127.0.0.1:5432' }),
    ];
    const info = (name: string, image: string) =>
      s('onlyoffice_container_info', 1, { name, id: '0123456789ab', image });
    const fixes = (d: Diagnosis, lang: 'en' | 'zh-CN' = 'en') =>
      Object.fromEntries(renderJson(d, lang).causes.map((c) => [c.id, c.fix]));

    test('the all-in-one container (random name, found by its image): docker exec into it', () => {
      const d = run(
        [
          ...deps,
          ok('docker'),
          ...containerStates('clever_turing', 'running'),
          info('clever_turing', 'onlyoffice/documentserver:8.3'),
        ],
        hanging,
      );
      expect(causes(d)).toEqual(['rabbitmq:rabbitmq_frozen', 'postgresql:postgres_frozen']);
      expect(fixes(d)).toEqual({
        rabbitmq_frozen: [
          'docker exec clever_turing rabbitmq-diagnostics -q alarms',
          'docker exec clever_turing rabbitmqctl status',
          '# if it still does not answer, restart it:',
          'docker exec clever_turing service rabbitmq-server restart',
        ],
        postgres_frozen: [
          'pg_isready -h 127.0.0.1 -p 5432',
          `docker exec -u postgres clever_turing psql -d onlyoffice -c ${PG}`,
          '# if it still does not answer, restart it:',
          'docker exec clever_turing service postgresql restart',
        ],
      });
      expect(fixes(d, 'zh-CN').rabbitmq_frozen).toEqual([
        'docker exec clever_turing rabbitmq-diagnostics -q alarms',
        'docker exec clever_turing rabbitmqctl status',
        '# 仍无响应时重启：',
        'docker exec clever_turing service rabbitmq-server restart',
      ]);
    });

    test("found only as the supervisor check's container (no Docker view): docker exec into it", () => {
      const d = run(
        [
          ...deps,
          ok('supervisor'),
          s('onlyoffice_supervisor_up', 1, { container: 'ds1' }),
          ...program('ds1', 'ds:docservice', 'RUNNING'),
        ],
        hanging,
      );
      expect(fixes(d).rabbitmq_frozen).toEqual([
        'docker exec ds1 rabbitmq-diagnostics -q alarms',
        'docker exec ds1 rabbitmqctl status',
        '# if it still does not answer, restart it:',
        'docker exec ds1 service rabbitmq-server restart',
      ]);
    });

    test("ONLYOFFICE's compose file: RabbitMQ and PostgreSQL in containers of their own", () => {
      const d = run(
        [
          ...deps,
          ok('docker'),
          ...['onlyoffice-documentserver', 'onlyoffice-rabbitmq', 'onlyoffice-postgresql'].flatMap((name) =>
            containerStates(name, 'running'),
          ),
        ],
        hanging,
      );
      expect(fixes(d)).toEqual({
        rabbitmq_frozen: [
          'docker exec onlyoffice-rabbitmq rabbitmq-diagnostics -q alarms',
          'docker exec onlyoffice-rabbitmq rabbitmqctl status',
          '# if it still does not answer, restart it:',
          'docker restart onlyoffice-rabbitmq',
        ],
        postgres_frozen: [
          'pg_isready -h 127.0.0.1 -p 5432',
          `docker exec onlyoffice-postgresql psql -U onlyoffice -c ${PG}`,
          '# if it still does not answer, restart it:',
          'docker restart onlyoffice-postgresql',
        ],
      });
    });

    test("no container found (packages): the host's commands, no docker at all", () => {
      const d = run(deps, hanging);
      expect(fixes(d)).toEqual({
        rabbitmq_frozen: [
          'rabbitmq-diagnostics -q alarms',
          'rabbitmqctl status',
          '# if it still does not answer, restart it:',
          'systemctl restart rabbitmq-server',
        ],
        postgres_frozen: [
          'pg_isready -h 127.0.0.1 -p 5432',
          `psql -U onlyoffice -c ${PG}`,
          '# if it still does not answer, restart it:',
          'systemctl restart postgresql',
        ],
      });
      // Down rather than frozen: started where they live.
      const down = run(
        [ok('dependencies'), s('onlyoffice_dependency_up', 0, { dependency: 'rabbitmq', address: '127.0.0.1:5672' })],
        HEALTHY_DS.map((x) => (x.name === 'onlyoffice_healthcheck_up' ? { ...x, value: 0 } : x)),
      );
      expect(fixes(down)).toEqual({
        rabbitmq_down: ['rabbitmq-diagnostics -q ping   # 127.0.0.1:5672', 'systemctl start rabbitmq-server'],
      });
      const downInDs = run(
        [
          ok('dependencies'),
          s('onlyoffice_dependency_up', 0, { dependency: 'rabbitmq', address: '127.0.0.1:5672' }),
          ok('docker'),
          ...containerStates('clever_turing', 'running'),
          info('clever_turing', 'onlyoffice/documentserver:8.3'),
        ],
        HEALTHY_DS.map((x) => (x.name === 'onlyoffice_healthcheck_up' ? { ...x, value: 0 } : x)),
      );
      expect(fixes(downInDs)).toEqual({
        rabbitmq_down: [
          'docker exec clever_turing rabbitmq-diagnostics -q ping   # 127.0.0.1:5672',
          'docker exec clever_turing service rabbitmq-server start',
        ],
      });
    });

    test('a DS container, but the broker and the database checked on other hosts: the host commands, each saying where', () => {
      const d = run(
        [
          ok('dependencies'),
          s('onlyoffice_dependency_up', 0, { dependency: 'rabbitmq', address: '10.0.0.8:5672' }),
          s('onlyoffice_dependency_up', 0, { dependency: 'postgresql', address: 'db.internal:5432' }),
          ok('docker'),
          ...containerStates('clever_turing', 'running'),
          info('clever_turing', 'onlyoffice/documentserver:8.3'),
        ],
        hanging,
      );
      expect(fixes(d)).toEqual({
        rabbitmq_frozen: [
          'rabbitmq-diagnostics -q alarms   # on the host of 10.0.0.8:5672',
          'rabbitmqctl status   # on the host of 10.0.0.8:5672',
          '# if it still does not answer, restart it:',
          'systemctl restart rabbitmq-server   # on the host of 10.0.0.8:5672',
        ],
        postgres_frozen: [
          'pg_isready -h db.internal -p 5432',
          `psql -U onlyoffice -c ${PG}   # on the host of db.internal:5432`,
          '# if it still does not answer, restart it:',
          'systemctl restart postgresql   # on the host of db.internal:5432',
        ],
      });
      expect(fixes(d, 'zh-CN').rabbitmq_frozen![3]).toBe(
        'systemctl restart rabbitmq-server   # 在 10.0.0.8:5672 所在的主机上',
      );
      const en = picker('en');
      expect(CAUSES.rabbitmq_down.fix({ ds: 'clever_turing', address: '10.0.0.8:5672' }, en)).toEqual([
        'rabbitmq-diagnostics -q ping   # on the host of 10.0.0.8:5672',
        'systemctl start rabbitmq-server   # on the host of 10.0.0.8:5672',
      ]);
      // Loopback (127.0.0.0/8, ::1, localhost) or the DS container's name (a compose service): inside DS.
      for (const address of ['127.0.1.1:5672', '[::1]:5672', 'localhost:5672', 'clever_turing:5672'])
        expect([address, CAUSES.rabbitmq_down.fix({ ds: 'clever_turing', address }, en)[1]]).toEqual([
          address,
          'docker exec clever_turing service rabbitmq-server start',
        ]);
      // Causes about several services read each one's own address; none checked: no guess that it runs inside DS.
      expect(
        CAUSES.postgres_crash.fix(
          { ds: 'clever_turing', address: '127.0.0.1:5672', postgresql_address: '10.0.0.9:5432' },
          en,
        )[2],
      ).toBe('systemctl start postgresql   # on the host of 10.0.0.9:5432');
      expect(CAUSES.healthcheck_hang.fix({ ds: 'clever_turing' }, en)[0]).toBe('rabbitmq-diagnostics -q alarms');
      expect(CAUSES.healthcheck_hang.fix({ ds: 'clever_turing', rabbitmq_address: '127.0.0.1:5672' }, en)[0]).toBe(
        'docker exec clever_turing rabbitmq-diagnostics -q alarms',
      );
    });

    test("DS's own programs: the Docker commands when DS was found as a container, the host's otherwise (issue 17)", () => {
      const en = picker('en');
      expect(CAUSES.docservice_down.fix({ ds: 'clever_turing' }, en)).toEqual([
        '# Docker (all-in-one onlyoffice/documentserver image)',
        'docker exec clever_turing supervisorctl status ds:docservice',
        'docker logs --tail 100 clever_turing',
        'docker exec clever_turing supervisorctl restart ds:docservice',
      ]);
      expect(CAUSES.docservice_down.fix({}, en)).toEqual([
        '# host install (deb/rpm packages; systemd units from 7.3)',
        'systemctl status ds-docservice',
        'tail -n 100 /var/log/onlyoffice/documentserver/docservice/out.log',
        'systemctl restart ds-docservice',
      ]);
      expect(CAUSES.converter_down.fix({ ds: 'clever_turing' }, en)).toEqual([
        '# Docker (all-in-one onlyoffice/documentserver image)',
        'docker exec clever_turing supervisorctl status ds:converter',
        'docker exec clever_turing supervisorctl restart ds:converter',
      ]);
      expect(CAUSES.converter_down.fix({}, en)).toEqual([
        '# host install (deb/rpm packages; systemd units from 7.3)',
        'systemctl restart ds-converter',
        'tail -n 100 /var/log/onlyoffice/documentserver/converter/out.log',
      ]);
      expect(
        CAUSES.postgres_crash.fix({ ds: 'clever_turing', postgresql_address: '127.0.0.1:5432' }, en).slice(2),
      ).toEqual([
        'docker exec clever_turing service postgresql start',
        '# then restart docservice:',
        '# Docker (all-in-one onlyoffice/documentserver image)',
        'docker exec clever_turing supervisorctl restart ds:docservice',
      ]);
      expect(CAUSES.postgres_crash.fix({}, picker('zh-CN')).slice(2)).toEqual([
        'systemctl start postgresql',
        '# 然后重启 docservice：',
        '# 主机安装（deb/rpm 软件包，7.3 起为 systemd 服务）',
        'systemctl restart ds-docservice',
      ]);
    });

    test("several DS containers: the fixes go to the one named as documentserver.url's host, else the first running", () => {
      const containers = [
        ok('docker'),
        ...containerStates('a-old-documentserver', 'exited'),
        ...containerStates('b-documentserver', 'running'),
        ...containerStates('c-documentserver', 'running'),
      ];
      const healthFalse = HEALTHY_DS.map((x) => (x.name === 'onlyoffice_healthcheck_up' ? { ...x, value: 0 } : x));
      const fixOf = (d: Diagnosis) => renderJson(d, 'en').causes.find((c) => c.id === 'healthcheck_false')!.fix[0];
      expect(fixOf(run(containers, healthFalse))).toBe(
        "docker logs --tail 300 b-documentserver 2>&1 | grep -i -A2 'healthCheck error'",
      );
      const byUrl = configFrom('documentserver: { url: "http://c-documentserver:8000" }');
      expect(fixOf(diagnose([...healthFalse, ...containers], byUrl, { now: NOW }))).toBe(
        "docker logs --tail 300 c-documentserver 2>&1 | grep -i -A2 'healthCheck error'",
      );
      const noneRunning = [
        ok('docker'),
        ...containerStates('a-documentserver', 'exited'),
        ...containerStates('b-documentserver', 'exited'),
      ];
      expect(fixOf(run(noneRunning, healthFalse))).toBe(
        "docker logs --tail 300 a-documentserver 2>&1 | grep -i -A2 'healthCheck error'",
      );
    });

    test("a 502 through the public URL: DS's own nginx first when DS is a container, then the host's proxy, each named", () => {
      const config = configFrom(
        'documentserver: { url: "http://127.0.0.1:8000", public_url: "https://docs.example.com" }',
      );
      const pub = [
        s('onlyoffice_endpoint_up', 0, { endpoint: 'healthcheck', via: 'public' }),
        s('onlyoffice_endpoint_status_code', 502, { endpoint: 'healthcheck', via: 'public' }),
        s('onlyoffice_endpoint_up', 0, { endpoint: 'index', via: 'public' }),
        s('onlyoffice_endpoint_status_code', 502, { endpoint: 'index', via: 'public' }),
      ];
      const tail = [
        '# look for "connect() failed … while connecting to upstream" or "upstream timed out" in the proxy\'s error log:',
        'tail -n 50 /var/log/nginx/error.log',
        "grep -rn 'proxy_pass\\|upstream' /etc/nginx/",
        '# from the proxy host, check that docservice answers:',
        'curl -sS http://127.0.0.1:8000/healthcheck',
        'systemctl reload nginx',
      ];
      const inDocker = diagnose(
        [
          ...HEALTHY_DS,
          ...pub,
          ok('docker'),
          ...containerStates('clever_turing', 'running'),
          info('clever_turing', 'onlyoffice/documentserver:8.3'),
        ],
        config,
        { now: NOW },
      );
      expect(fixes(inDocker).proxy_bad_gateway).toEqual([
        'docker port clever_turing',
        "docker exec clever_turing sh -c 'tail -n 50 /var/log/onlyoffice/documentserver/nginx.error.log'   # DS's own nginx",
        'nginx -t   # the reverse proxy on the host',
        ...tail,
      ]);
      expect(fixes(inDocker, 'zh-CN').proxy_bad_gateway!.slice(0, 3)).toEqual([
        'docker port clever_turing',
        "docker exec clever_turing sh -c 'tail -n 50 /var/log/onlyoffice/documentserver/nginx.error.log'   # DS 自带的 nginx",
        'nginx -t   # 主机上的反向代理',
      ]);
      expect(fixes(diagnose([...HEALTHY_DS, ...pub], config, { now: NOW })).proxy_bad_gateway).toEqual([
        'nginx -t',
        ...tail,
      ]);
    });
  });

  /** The healthy DS as seen while docservice is down behind nginx: every hop 0, the proxy's 502, no command answer. */
  const docserviceBehind502 = () =>
    HEALTHY_DS.map((x) =>
      ['onlyoffice_endpoint_up', 'onlyoffice_healthcheck_up'].includes(x.name)
        ? { ...x, value: 0 }
        : x.name === 'onlyoffice_endpoint_status_code'
          ? { ...x, value: 502 }
          : x,
    ).filter((x) => x.name !== 'onlyoffice_command_error');

  test('supervisor switched off: the hop says which key did it, not "not configured"', () => {
    const off = diagnose(
      HEALTHY_DS,
      configFrom('documentserver: { url: "http://127.0.0.1:8000" }\nsupervisor: { enabled: false }'),
      { now: NOW },
    );
    const hop = off.hops.find((h) => h.id === 'supervisor')!;
    expect([hop.verdict, hop.findings]).toEqual([
      'skipped',
      [{ code: 'switched_off', params: { key: 'supervisor.enabled' } }],
    ]);
    expect(renderJson(off, 'zh-CN').hops.find((h) => h.id === 'supervisor')!.findings[0]!.text).toBe(
      '已关闭（supervisor.enabled: false）',
    );
    expect(renderJson(off, 'en').hops.find((h) => h.id === 'supervisor')!.findings[0]!.text).toBe(
      'switched off (supervisor.enabled: false)',
    );
    expect(
      run([])
        .hops.find((h) => h.id === 'supervisor')!
        .findings.map((f) => f.code),
    ).toEqual(['not_configured']);
  });

  test('supervisor: ds:docservice FATAL explains docservice; a STOPPED ds:metrics is fine (autostart follows METRICS_ENABLED)', () => {
    const down = docserviceBehind502();
    const d = run(
      [
        ok('docker'),
        ok('supervisor'),
        ...containerStates('onlyoffice-documentserver', 'running'),
        s('onlyoffice_supervisor_up', 1, { container: 'onlyoffice-documentserver' }),
        ...program('onlyoffice-documentserver', 'ds:docservice', 'FATAL'),
        ...program('onlyoffice-documentserver', 'ds:converter', 'RUNNING'),
        ...program('onlyoffice-documentserver', 'ds:metrics', 'STOPPED'),
      ],
      down,
    );
    expect(verdict(d, 'supervisor')).toBe('fail');
    expect(d.hops.find((h) => h.id === 'docservice')!.because).toBe('supervisor');
    expect(causes(d)).toEqual(['supervisor:supervisor_program_down']);
    const text = renderText(d, 'en');
    expect(text).toContain('1. [Supervisor programs] ds:docservice is FATAL in onlyoffice-documentserver');
    expect(text).toContain('docker exec onlyoffice-documentserver supervisorctl restart ds:docservice');
  });

  test('the same report in zh-CN: full-width punctuation, 【hop】 headings, times in notify.timezone with the offset', () => {
    const down = docserviceBehind502();
    const d = run(
      [
        ok('docker'),
        ok('supervisor'),
        ...containerStates('onlyoffice-documentserver', 'running'),
        s('onlyoffice_supervisor_up', 1, { container: 'onlyoffice-documentserver' }),
        ...program('onlyoffice-documentserver', 'ds:docservice', 'FATAL'),
      ],
      down,
    );
    const text = renderText(d, 'zh-CN');
    // notify.timezone defaults to Asia/Shanghai: 00:00 UTC is 08:00 there.
    expect(text).toContain('检查时间：2026-11-25 08:00:00 UTC+08:00（耗时 ');
    expect(text).toContain('→ 问题出在：supervisor 进程');
    expect(text).toContain('1. 【supervisor 进程】ds:docservice 处于 FATAL（容器 onlyoffice-documentserver）');
    expect(text).toContain('   处理方法：\n');
    expect(text).toContain('结论：故障（FAIL）');
    expect(text).toContain('[故障]      supervisor 进程\n');
    const warned = renderText(
      { ...d, causes: [{ id: 'disk_full', hop: 'disk', severity: 'warn', params: { path: '/', percent: 4 } }] },
      'zh-CN',
    );
    expect(warned).toContain('1. 【磁盘】警告：/ 所在磁盘快满了（剩余 4%）\n');
    expect(renderText(d, 'en', { timeZone: 'UTC' })).toContain('Checked at: 2026-11-25 00:00:00 UTC+00:00 (');
    expect(renderJson(d, 'en', { timeZone: 'America/New_York' })).toMatchObject({
      checkedAt: '2026-11-25T00:00:00.000Z',
      checkedAtLocal: '2026-11-24 19:00:00 UTC-05:00',
    });
  });

  test('host systemd units: ds-converter failed gets systemctl and journalctl', () => {
    const d = run([
      ok('supervisor'),
      s('onlyoffice_supervisor_up', 1, { container: '' }),
      ...program('', 'ds-docservice', 'RUNNING'),
      ...program('', 'ds-converter', 'EXITED'),
    ]);
    expect(causes(d)).toEqual(['supervisor:supervisor_program_down']);
    expect(renderJson(d, 'en').causes[0]!.fix).toEqual([
      '# systemd unit',
      'systemctl status ds-converter',
      'journalctl -u ds-converter -n 100',
      'systemctl restart ds-converter',
    ]);
  });

  test('the Docker engine unreachable: UNKNOWN containers with the socket advice, exit code 3', () => {
    const d = run([s('onlyoffice_scrape_collector_success', 0, { collector: 'docker' })]);
    expect(verdict(d, 'containers')).toBe('unknown');
    expect(d.verdict).toBe('unknown');
    expect(exitCodeOf(d.verdict)).toBe(3);
    expect(causes(d)).toEqual(['containers:docker_unreachable']);
  });

  test('certificates: expired, expiring in 10 / 2 days, untrusted, chain incomplete, wrong name, unreadable file, key mismatch', () => {
    const ep = (
      target: string,
      notAfter: number,
      v: { verified?: number; complete?: number; hostname?: number } = {},
    ) => [
      s('onlyoffice_tls_up', 1, { target }),
      s('onlyoffice_tls_cert_not_after_timestamp_seconds', notAfter, { target, position: '0', subject: 'CN=x' }),
      s('onlyoffice_tls_cert_verified', v.verified ?? 1, { target }),
      s('onlyoffice_tls_cert_chain_complete', v.complete ?? 1, { target }),
      s('onlyoffice_tls_cert_hostname_match', v.hostname ?? 1, { target }),
    ];
    const now = NOW / 1000;
    const d = run([
      ok('tls_endpoints'),
      ok('tls_files'),
      ...ep('expired.example:443', now - 2 * DAY, { verified: 0 }),
      ...ep('soon.example:443', now + 10 * DAY + 60),
      ...ep('tomorrow.example:443', now + 2 * DAY + 60),
      ...ep('selfsigned.example:443', now + 300 * DAY, { verified: 0 }),
      ...ep('leaf-only.example:443', now + 300 * DAY, { complete: 0, verified: 0 }),
      ...ep('other-name.example:443', now + 300 * DAY, { hostname: 0, verified: 0 }),
      s('onlyoffice_tls_up', 0, { target: 'down.example:443' }),
      s('onlyoffice_tls_cert_file_readable', 0, { path: '/certs/a.crt' }),
      s('onlyoffice_tls_cert_file_readable', 1, { path: '/certs/b.crt' }),
      s('onlyoffice_tls_cert_file_not_after_timestamp_seconds', now + 100 * DAY, { path: '/certs/b.crt' }),
      s('onlyoffice_tls_cert_file_key_match', 0, { path: '/certs/b.crt' }),
      s('onlyoffice_tls_cert_file_chain_complete', 1, { path: '/certs/b.crt' }),
      s('onlyoffice_tls_cert_file_readable', 1, { path: '/certs/b.key' }),
    ]);
    expect(verdict(d, 'certificates')).toBe('fail');
    // Failures first (most fundamental first), then the warning.
    expect(d.causes.map((c) => `${c.id} ${c.params.target} ${c.severity}`)).toEqual([
      'tls_handshake_failed down.example:443 fail',
      'cert_expired expired.example:443 fail',
      'cert_untrusted leaf-only.example:443 fail',
      'cert_untrusted selfsigned.example:443 fail',
      'cert_chain_incomplete leaf-only.example:443 fail',
      'cert_hostname_mismatch other-name.example:443 fail',
      'cert_file_unreadable /certs/a.crt fail',
      'cert_key_mismatch /certs/b.crt fail',
      'cert_expiring tomorrow.example:443 fail',
      'cert_expiring soon.example:443 warn',
    ]);
    expect(d.causes.filter((c) => c.id === 'cert_expiring').map((c) => c.params.days)).toEqual([2, 10]);
    expect(d.causes.find((c) => c.id === 'cert_expired')!.params).toEqual({
      target: 'expired.example:443',
      date: '2026-11-23',
    });
    // An expired certificate is not also reported as untrusted.
    expect(d.causes.filter((c) => c.id === 'cert_untrusted').map((c) => c.params.target)).toEqual([
      'leaf-only.example:443',
      'selfsigned.example:443',
    ]);
  });

  test('a certificate expiring in 10 days alone only warns (exit code 1)', () => {
    const d = run([
      ok('tls_files'),
      s('onlyoffice_tls_cert_file_readable', 1, { path: '/c.crt' }),
      s('onlyoffice_tls_cert_file_not_after_timestamp_seconds', NOW / 1000 + 10 * DAY + 60, { path: '/c.crt' }),
    ]);
    expect(verdict(d, 'certificates')).toBe('warn');
    expect(d.verdict).toBe('warn');
    expect(exitCodeOf(d.verdict)).toBe(1);
    expect(renderJson(d, 'zh-CN').causes[0]!.title).toBe('证书将在 10 天后到期：/c.crt');
  });

  test('disk: almost full fails below 10 % free (90 % used), warns below 20 % (80 % used); read-only, unreadable and inodes named', () => {
    const d = run([
      ok('disk'),
      ...filesystem('/var/lib/onlyoffice', 1000, 40),
      ...filesystem('/var/log/onlyoffice', 1000, 150),
      ...filesystem('/var/www/onlyoffice/Data', 1000, 500, { readonly: 1 }),
      ...filesystem('/mnt/nfs', 0, 0, { error: 1 }),
      ...filesystem('/srv', 1000, 500, { files: 1000, filesFree: 10 }),
    ]);
    expect(verdict(d, 'disk')).toBe('fail');
    expect(d.causes.map((c) => [c.id, c.params.path, c.severity])).toEqual([
      ['disk_error', '/mnt/nfs', 'fail'],
      ['disk_readonly', '/var/www/onlyoffice/Data', 'fail'],
      ['disk_full', '/var/lib/onlyoffice', 'fail'],
      ['inodes_low', '/srv', 'fail'],
      ['disk_full', '/var/log/onlyoffice', 'warn'],
    ]);
    expect(d.causes.find((c) => c.params.path === '/var/log/onlyoffice')!.params.percent).toBe(15);
  });

  test("disk inodes: under 5 % free warns, under 3 % fails (OnlyofficeDocsFilesystemAlmostOutOfFiles' defaults)", () => {
    const at = (filesFree: number) => run([ok('disk'), ...filesystem('/srv', 1000, 500, { files: 1000, filesFree })]);
    expect(
      [50, 49, 30, 29].map((free) => [free, verdict(at(free), 'disk'), at(free).causes.map((c) => c.severity)]),
    ).toEqual([
      [50, 'ok', []],
      [49, 'warn', ['warn']],
      [30, 'warn', ['warn']],
      [29, 'fail', ['fail']],
    ]);
    expect(renderJson(at(40), 'en').causes[0]!.title).toBe(
      'the file system of /srv is running out of inodes (4% left)',
    );
  });

  test('healthcheck false with a read-only data volume and no dependency down: storage named', () => {
    const falseHealth = HEALTHY_DS.map((x) => (x.name === 'onlyoffice_healthcheck_up' ? { ...x, value: 0 } : x));
    const d = run([ok('disk'), ...filesystem('/var/lib/onlyoffice', 1000, 500, { readonly: 1 })], falseHealth);
    expect(causes(d)).toEqual(['healthcheck:storage_not_writable', 'disk:disk_readonly']);
  });

  test('converter: no consumer on ds.converttask6 fails; the orphan ds.converttask of an upgrade is ignored; a backlog warns', () => {
    const queue = (q: string, ready: number, consumers: number) => [
      s('onlyoffice_rabbitmq_queue_consumers', consumers, { vhost: '/', queue: q }),
      s('onlyoffice_rabbitmq_queue_messages_ready', ready, { vhost: '/', queue: q }),
    ];
    const down = run([...queue('ds.converttask6', 3, 0), ...queue('ds.convertresponse', 0, 1)]);
    expect(causes(down)).toEqual(['converter:converter_down']);
    expect(down.causes[0]!.params).toMatchObject({ queue: 'ds.converttask6', ready: 3 });
    const upgraded = run([...queue('ds.converttask6', 0, 1), ...queue('ds.converttask', 0, 0)]);
    expect(verdict(upgraded, 'converter')).toBe('ok');
    const backlog = run([...queue('ds.converttask', 120, 1)]);
    expect(verdict(backlog, 'converter')).toBe('warn');
    expect(causes(backlog)).toEqual(['converter:queue_backlog']);
  });

  test('conversion probe failing with -4 says the source download failed', () => {
    const d = run([s('onlyoffice_conversion_probe_success', 0), s('onlyoffice_conversion_probe_error_code', -4)]);
    expect(causes(d)).toEqual(['converter:conversion_failed']);
    expect(renderJson(d, 'en').causes[0]!.why).toMatch(/^downloading the source failed/);
  });

  test('a dependency down while DS is healthy only warns: DS does not use that address', () => {
    const d = run([
      ok('dependencies'),
      s('onlyoffice_dependency_up', 0, { dependency: 'postgresql', address: 'db:5432' }),
      s('onlyoffice_dependency_up', 1, { dependency: 'rabbitmq', address: 'mq:5672' }),
    ]);
    expect(verdict(d, 'postgresql')).toBe('warn');
    expect(verdict(d, 'rabbitmq')).toBe('ok');
    expect(causes(d)).toEqual(['postgresql:dependency_unreachable']);
    // The same case the OnlyofficeDocsDependencyUnreachable warning names: the key to fix.
    expect(renderJson(d, 'en').causes).toEqual([
      {
        id: 'dependency_unreachable',
        hop: 'postgresql',
        severity: 'warn',
        title: 'postgresql does not answer at db:5432, yet DS is healthy',
        why: "DS's /healthcheck is true, so DS does not use this address: set dependencies.postgresql in the exporter's configuration to the address DS really uses (local.json / the Docker environment), or to false when the all-in-one container does not publish it.",
        fix: ['nc -vz db 5432'],
      },
    ]);
  });

  test('a failed collector carries its error, redacted, in the finding and the cause', () => {
    const errors = new Map([['disk', 'cannot stat http://user:pa55@nas.local/share?token=abc: EACCES']]);
    const d = diagnose([...HEALTHY_DS, s('onlyoffice_scrape_collector_success', 0, { collector: 'disk' })], CONFIG, {
      now: NOW,
      errors,
    });
    const error = 'cannot stat http://nas.local/share?token=REDACTED: EACCES';
    expect(d.hops.find((h) => h.id === 'disk')!.findings).toEqual([
      { code: 'collector_failed', params: { collector: 'disk', error } },
    ]);
    const en = renderJson(d, 'en');
    expect(en.hops.find((h) => h.id === 'disk')!.findings[0]!.text).toBe(`the disk check failed: ${error}`);
    expect(en.causes).toEqual([
      {
        id: 'check_failed',
        hop: 'disk',
        severity: 'fail',
        title: "the exporter's disk check failed",
        why: `this hop cannot be judged, the check failed: ${error}`,
        fix: ['# fix what the reason above names (the disk configuration or its target), then run the doctor again'],
      },
    ]);
    expect(renderText(d, 'en')).not.toContain('docker logs');
  });

  test('RabbitMQ sources that did not answer: the collector ran (as /metrics says), each source with its reason', () => {
    const errors = new Map([
      ['rabbitmq_queues/management', 'management API: 401 unauthorized (check rabbitmq.username/password)'],
    ]);
    const d = diagnose(
      [...HEALTHY_DS, ok('rabbitmq_queues'), s('onlyoffice_rabbitmq_up', 0, { source: 'management' })],
      CONFIG,
      { now: NOW, errors },
    );
    expect(verdict(d, 'converter')).toBe('unknown');
    const en = renderJson(d, 'en');
    expect(en.hops.find((h) => h.id === 'converter')!.findings.map((f) => f.text)).toEqual([
      'RabbitMQ management: could not be read (management API: 401 unauthorized (check rabbitmq.username/password))',
    ]);
    expect(en.causes.map((c) => [c.id, c.title, c.why])).toEqual([
      [
        'rabbitmq_source_failed',
        'the exporter cannot read the queues from RabbitMQ (management)',
        'the conversion queue cannot be judged: management API: 401 unauthorized (check rabbitmq.username/password). /metrics says the same with onlyoffice_rabbitmq_up 0.',
      ],
    ]);
    expect(renderText(d, 'en')).not.toContain('check failed');
  });

  test('a dependency that does not answer says why', () => {
    const errors = new Map([['dependencies/postgresql db:5432', 'refused: connect ECONNREFUSED 10.0.0.5:5432']]);
    const d = diagnose(
      [
        ...HEALTHY_DS,
        ok('dependencies'),
        s('onlyoffice_dependency_up', 0, { dependency: 'postgresql', address: 'db:5432' }),
        s('onlyoffice_dependency_duration_seconds', 0.002, { dependency: 'postgresql', address: 'db:5432' }),
      ],
      CONFIG,
      { now: NOW, errors },
    );
    expect(
      renderJson(d, 'en')
        .hops.find((h) => h.id === 'postgresql')!
        .findings.map((f) => f.text),
    ).toEqual(['db:5432: no answer (2 ms, refused: connect ECONNREFUSED 10.0.0.5:5432)']);
  });

  test('the proxy: 504 with docservice up is a bad gateway; a 404 is another site; no answer is a down proxy', () => {
    const config = configFrom(
      'documentserver: { url: "http://127.0.0.1:8000", public_url: "https://docs.example.com" }',
    );
    const pub = (status: number, up = 0) => [
      s('onlyoffice_endpoint_up', up, { endpoint: 'healthcheck', via: 'public' }),
      s('onlyoffice_endpoint_status_code', status, { endpoint: 'healthcheck', via: 'public' }),
      s('onlyoffice_endpoint_up', up, { endpoint: 'index', via: 'public' }),
      s('onlyoffice_endpoint_status_code', status, { endpoint: 'index', via: 'public' }),
    ];
    const of = (status: number) => diagnose([...HEALTHY_DS, ...pub(status)], config, { now: NOW });
    expect(causes(of(504))).toEqual(['proxy:proxy_bad_gateway']);
    expect(causes(of(404))).toEqual(['proxy:proxy_wrong_site']);
    const refused = of(0);
    expect(causes(refused)).toEqual(['proxy:proxy_down']);
    expect(renderJson(refused, 'en').causes[0]!.fix).toContain(
      'openssl s_client -connect docs.example.com:443 -servername docs.example.com </dev/null',
    );
    expect(refused.publicUrl).toBe('https://docs.example.com');
  });

  describe('the co-editing channel (WebSocket)', () => {
    const config = configFrom(
      'documentserver: { url: "http://127.0.0.1:8000", public_url: "https://docs.example.com", jwt: { secret: s } }',
    );
    const wsRow = (via: string, up: number, status: number) => [
      s('onlyoffice_endpoint_up', up, { endpoint: 'websocket', via }),
      s('onlyoffice_endpoint_status_code', status, { endpoint: 'websocket', via }),
      s('onlyoffice_endpoint_duration_seconds', 0.01, { endpoint: 'websocket', via }),
    ];
    const publicOk = ['healthcheck', 'index'].flatMap((endpoint) => [
      s('onlyoffice_endpoint_up', 1, { endpoint, via: 'public' }),
      s('onlyoffice_endpoint_status_code', 200, { endpoint, via: 'public' }),
    ]);
    const of = (extra: Sample[]) =>
      diagnose([...HEALTHY_DS, ok('websocket'), ...publicOk, ...extra], config, { now: NOW });

    test('direct 101, public 101, token accepted: OK', () => {
      const d = of([
        ...wsRow('direct', 1, 101),
        ...wsRow('public', 1, 101),
        s('onlyoffice_websocket_auth_up', 1, { via: 'direct' }),
        s('onlyoffice_websocket_auth_up', 1, { via: 'public' }),
      ]);
      expect([verdict(d, 'websocket'), causes(d)]).toEqual(['ok', []]);
      expect(renderText(d, 'en')).toContain(
        "https://docs.example.com/doc/ (WebSocket): HTTP 101, DocumentServer's answer (10 ms)",
      );
      expect(renderText(d, 'zh-CN')).toContain(
        'https://docs.example.com/doc/（WebSocket）：HTTP 101，DocumentServer 正常响应（10 ms）',
      );
    });

    test('the proxy does not forward upgrades: direct 101, public 400 -> the nginx lines, in both languages', () => {
      const d = of([...wsRow('direct', 1, 101), ...wsRow('public', 0, 400)]);
      expect([verdict(d, 'proxy'), verdict(d, 'websocket'), causes(d)]).toEqual([
        'ok',
        'fail',
        ['websocket:proxy_no_websocket_upgrade'],
      ]);
      const en = renderJson(d, 'en').causes[0]!;
      expect(en.title).toBe('the reverse proxy does not forward WebSocket upgrades');
      expect(en.why).toContain('HTTP 400 through https://docs.example.com');
      for (const line of [
        'map $http_upgrade $proxy_connection { default upgrade; "" close; }',
        'proxy_http_version 1.1;',
        'proxy_set_header Upgrade $http_upgrade;',
        'proxy_set_header Connection $proxy_connection;',
      ]) {
        expect(en.fix).toContain(line);
      }
      expect(en.fix.some((line) => line.includes('Traefik') && line.includes('Caddy'))).toBe(true);
      expect(en.fix.some((line) => line.includes('ingress-nginx'))).toBe(true);
      const zh = renderJson(d, 'zh-CN').causes[0]!;
      expect(zh.title).toBe('反向代理没有转发 WebSocket 升级');
      expect(zh.fix).toContain('proxy_set_header Upgrade $http_upgrade;');
      expect(renderText(d, 'zh-CN')).toContain('协同编辑通道（WebSocket）');
    });

    test('a proxy that is down altogether: the websocket hop points at the proxy', () => {
      const down = HEALTHY_DS.concat(
        ok('websocket'),
        ['healthcheck', 'index'].flatMap((endpoint) => [
          s('onlyoffice_endpoint_up', 0, { endpoint, via: 'public' }),
          s('onlyoffice_endpoint_status_code', 0, { endpoint, via: 'public' }),
        ]),
        wsRow('direct', 1, 101),
        wsRow('public', 0, 0),
      );
      const d = diagnose(down, config, { now: NOW });
      expect(causes(d)).toEqual(['proxy:proxy_down']);
      expect(d.hops.find((h) => h.id === 'websocket')!.because).toBe('proxy');
    });

    test("editors' token rejected: DS's code and description, where each side sets the browser secret", () => {
      const d = of([
        ...wsRow('direct', 1, 101),
        ...wsRow('public', 1, 101),
        s('onlyoffice_websocket_auth_up', 0, { via: 'direct' }),
        s('onlyoffice_websocket_auth_up', 0, { via: 'public' }),
        s('onlyoffice_websocket_auth_error', 1, { via: 'direct', code: '4006', reason: 'token:invalid signature' }),
        s('onlyoffice_websocket_auth_error', 1, { via: 'public', code: '4006', reason: 'token:invalid signature' }),
      ]);
      expect([verdict(d, 'websocket'), causes(d)]).toEqual(['fail', ['websocket:editor_token_rejected']]);
      const en = renderJson(d, 'en').causes[0]!;
      expect(en.why).toContain('4006 token:invalid signature');
      expect(en.why).toContain('document security token is not correctly formed');
      expect(en.fix.join('\n')).toMatch(
        /services\.CoAuthoring\.secret\.browser[\s\S]*JWT_SECRET|JWT_SECRET[\s\S]*services\.CoAuthoring\.secret\.browser/,
      );
      expect(en.fix.join('\n')).toContain('documentserver.jwt.browser_secret');
      expect(en.fix.join('\n')).toContain('"Secret key"');
      expect(renderJson(d, 'zh-CN').causes[0]!.title).toBe('编辑器的令牌被拒绝：浏览器密钥不一致');
      expect(renderText(d, 'en')).toContain(
        "https://docs.example.com: the editors' token is refused: 4006 token:invalid signature",
      );
    });

    test('docservice refusing the channel directly: websocket_down with the status', () => {
      const d = of([...wsRow('direct', 0, 101), ...wsRow('public', 0, 101)]);
      expect(causes(d)).toEqual(['websocket:websocket_down']);
      expect(renderJson(d, 'en').causes[0]!.why).toContain(
        "was upgraded (101) but DocumentServer's first frame did not come in time",
      );
    });
  });

  test('JWT: error 7 is a clock problem; another error code is named as is', () => {
    const withCode = (code: string, reason: string) =>
      HEALTHY_DS.map((x) =>
        x.name === 'onlyoffice_command_error' ? { ...x, labels: { command: 'version', code, reason } } : x,
      );
    expect(causes(run([], withCode('7', 'token_expired')))).toEqual(['jwt:jwt_expired']);
    expect(causes(run([], withCode('3', 'unknown')))).toEqual(['jwt:command_failed']);
  });

  test('URLs are shown redacted', () => {
    const config = configFrom(
      'documentserver: { url: "http://user:pw@127.0.0.1:8000", public_url: "https://docs.example.com/?token=abc" }',
    );
    const d = diagnose(HEALTHY_DS, config, { now: NOW });
    expect(d.target).toBe('http://127.0.0.1:8000');
    expect(d.publicUrl).toBe('https://docs.example.com/?token=REDACTED');
  });
});

describe('doctor texts', () => {
  const params = {
    name: 'c',
    state: 'exited',
    exit_code: 1,
    restarts: 2,
    program: 'ds:docservice',
    container: 'c',
    path: '/p',
    percent: 3,
    target: 'h:443',
    date: '2026-01-01',
    days: 5,
    queue: 'ds.converttask',
    ready: 4,
    consumers: 1,
    code: -4,
    reason: 'unknown',
    url: 'http://x',
    status: 502,
    direct: 'http://d',
    failure: 'refused',
    host: 'h',
    hostport: 'h:443',
    dependency: 'rabbitmq',
    address: 'a:1',
    collector: 'disk',
    timeout: '10s',
    problem: 'read-only',
    seconds: 0.1,
    version: '8.3.3.23',
    signed: 1,
    hop: 'docservice',
    mountpoint: '/',
    ipercent: 50,
    key: 'k',
    source: 'management',
    sources: 'management, amqp',
    dir: '/backup',
    files: 2,
    size: '1.0 MiB',
    min: '2.0 MiB',
    age_zh: '3 天',
    age_en: '3 days',
    limit_zh: '26 小时',
    limit_en: '26 h',
  };

  test.each(['zh-CN', 'en'] as const)('every cause and finding renders in %s without a hole', (lang) => {
    const t = picker(lang);
    for (const id of CAUSE_ORDER) {
      const texts = [CAUSES[id].title(params, t), CAUSES[id].why(params, t), ...CAUSES[id].fix(params, t)];
      for (const text of texts) {
        expect(text).not.toMatch(/undefined|NaN|\[object/);
        expect(text.length).toBeGreaterThan(0);
      }
      expect(CAUSES[id].fix(params, t).length).toBeGreaterThan(0);
    }
    for (const render of Object.values(FINDINGS))
      expect(render({ ...params, problem: 'expired' }, t)).not.toMatch(/undefined|NaN/);
    // With the underlying error known, too.
    for (const id of CAUSE_ORDER) {
      for (const text of [CAUSES[id].title({ ...params, error: 'E' }, t), CAUSES[id].why({ ...params, error: 'E' }, t)])
        expect(text).not.toMatch(/undefined|NaN|\[object/);
    }
    for (const render of Object.values(FINDINGS))
      expect(render({ ...params, problem: 'expired', error: 'E' }, t)).not.toMatch(/undefined|NaN/);
  });

  test("a check's error reads Chinese in zh-CN: the kind in words, the system's message quoted when it says more; English keeps it as recorded", () => {
    const zh = picker('zh-CN');
    const at = { url: 'http://x', path: '/healthcheck', seconds: 0.012 };
    expect(FINDINGS.no_http_answer({ ...at, error: 'refused: connection refused' }, zh)).toBe(
      'http://x/healthcheck：没有 HTTP 响应（连接被拒绝，12 ms）',
    );
    expect(FINDINGS.no_http_answer({ ...at, error: 'reset: socket hang up' }, zh)).toBe(
      'http://x/healthcheck：没有 HTTP 响应（连接被重置：“socket hang up”，12 ms）',
    );
    expect(FINDINGS.no_http_answer({ ...at, error: 'refused: connection refused' }, picker('en'))).toBe(
      'http://x/healthcheck: no HTTP answer (refused: connection refused, 12 ms)',
    );
    expect(FINDINGS.collector_failed({ collector: 'disk', error: 'EACCES on /data' }, zh)).toBe(
      '检查 disk 失败：“EACCES on /data”',
    );
    expect(
      FINDINGS.no_http_answer({ ...at, error: 'error: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8000' }, zh),
    ).toBe('http://x/healthcheck：没有 HTTP 响应（连接被拒绝，12 ms）');
    expect(FINDINGS.fs({ path: '/', mountpoint: '/', percent: 40, ipercent: 90 }, zh)).toBe(
      '/：剩余 40% 空间、90% inode',
    );
    expect(FINDINGS.fs({ path: '/var/lib/onlyoffice', mountpoint: '/', percent: 40, ipercent: 90 }, zh)).toBe(
      '/var/lib/onlyoffice（挂载点 /）：剩余 40% 空间、90% inode',
    );
    expect(CAUSES.proxy_down.title({}, zh)).toBe('反向代理连不上：没有运行、连接被拦截，或 TLS 握手失败');
    expect(CAUSES.cert_chain_incomplete.fix({ target: 'x:443' }, zh)[2]).toBe(
      'docker restart onlyoffice-documentserver   # 或：systemctl reload nginx',
    );
    expect(CAUSES.cert_chain_incomplete.fix({ target: 'x:443' }, picker('en'))[2]).toBe(
      'docker restart onlyoffice-documentserver   # or: systemctl reload nginx',
    );
  });

  test('titles differ between the languages (each is really translated)', () => {
    for (const id of CAUSE_ORDER)
      expect(CAUSES[id].why(params, picker('zh-CN'))).not.toBe(CAUSES[id].why(params, picker('en')));
  });

  test('language from ?lang or Accept-Language, zh-CN by default', () => {
    expect(langFrom(undefined)).toBe('zh-CN');
    expect(langFrom('en-US,en;q=0.9')).toBe('en');
    expect(langFrom('zh-TW')).toBe('zh-CN');
    expect(langFrom('fr-FR')).toBe('zh-CN');
  });

  test('English counts agree with their number; Chinese has none to agree', () => {
    const en = picker('en');
    const zh = picker('zh-CN');
    const p = (extra: Record<string, string | number>) => ({ ...params, ...extra });
    expect(FINDINGS.queue(p({ consumers: 1 }), en)).toBe('ds.converttask: 4 ready, 1 consumer');
    expect(FINDINGS.queue(p({ consumers: 0 }), en)).toBe('ds.converttask: 4 ready, 0 consumers');
    expect(FINDINGS.queue(p({ consumers: 1 }), zh)).toBe('ds.converttask：4 个任务待处理，1 个消费者');
    expect(FINDINGS.cert_ok(p({ days: 1 }), en)).toBe('h:443: valid until 2026-01-01 (1 day left)');
    expect(FINDINGS.cert_ok(p({ days: 5 }), en)).toBe('h:443: valid until 2026-01-01 (5 days left)');
    expect(FINDINGS.container(p({ restarts: 1 }), en)).toBe('c: exited, 1 restart');
    expect(FINDINGS.container(p({ restarts: 3 }), en)).toBe('c: exited, 3 restarts');
    expect(CAUSES.queue_backlog.title(p({ ready: 1 }), en)).toBe('1 task waits in ds.converttask');
    expect(CAUSES.queue_backlog.title(p({ ready: 4 }), en)).toBe('4 tasks wait in ds.converttask');
    expect(CAUSES.queue_backlog.why(p({ consumers: 1 }), en)).toMatch(/^there is 1 consumer but tasks pile up/);
    expect(CAUSES.queue_backlog.why(p({ consumers: 2 }), en)).toMatch(/^there are 2 consumers but tasks pile up/);
    expect(CAUSES.container_restarting.why(p({ restarts: 1 }), en)).toMatch(/^its restart policy restarted it 1 time:/);
    expect(CAUSES.cert_expiring.title(p({ days: 1 }), en)).toBe('certificate expires in 1 day: h:443');
    expect(CAUSES.converter_down.why(p({ ready: 1 }), en)).toMatch(
      /^ds.converttask has 1 task waiting and 0 consumers/,
    );
    const trends = (filesystems: number, days: number) =>
      trendLines(
        {
          filling: days > 0 ? [{ instance: '', mountpoint: '/', days }] : [],
          filesystems,
          connections: [],
          conversions: [],
        },
        'en',
      );
    expect(trends(0, 0)[1]).toBe('- Disk: no filesystem reported');
    expect(trends(1, 0)[1]).toBe('- Disk: the one filesystem is not filling up');
    expect(trends(3, 0)[1]).toBe('- Disk: none of 3 filesystems is filling up');
    expect(trends(3, 1)[1]).toBe('- Disk /: full in about 1 day at this pace');
    expect(trends(3, 1.5)[1]).toBe('- Disk /: full in about 1.5 days at this pace');
  });
});

describe('doctor command line', () => {
  test('defaults: zh-CN text, 30 s, errors only on stderr', () => {
    expect(parseDoctorCli([])).toEqual({
      lang: 'zh-CN',
      format: 'text',
      timeoutMs: 30_000,
      logLevel: 'error',
      color: 'auto',
      all: false,
      notify: [],
    });
  });

  test("the daemon's config flag and its own flags; the daemon's --web.* flags are accepted and ignored", () => {
    expect(
      parseDoctorCli([
        '--config.file=/etc/x.yml',
        '--lang',
        'en',
        '--format=json',
        '--timeout=5s',
        '--no-color',
        '--web.listen-address=:9000',
        '--web.enable-remote-reload',
        '--web.max-requests=10',
        '--web.max-response-bytes-in-flight=1048576',
      ]),
    ).toEqual({
      configFile: '/etc/x.yml',
      lang: 'en',
      format: 'json',
      timeoutMs: 5000,
      logLevel: 'error',
      color: false,
      all: false,
      notify: [],
    });
    expect(parseDoctorCli(['--help'])).toBe('help');
    expect(parseDoctorCli(['--target', 'beijing'])).toMatchObject({ target: 'beijing', all: false });
    expect(parseDoctorCli(['--all'])).toMatchObject({ all: true });
    expect(() => parseDoctorCli(['--target='])).toThrow('--target needs a name or URL of probe.targets');
    expect(
      parseDoctorCli(['--notify', 'dingtalk/ops', '--notify=wecom/oncall', '--notify=dingtalk/ops']),
    ).toMatchObject({ notify: ['dingtalk/ops', 'wecom/oncall'] });
  });

  test('bad flags name themselves', () => {
    expect(() => parseDoctorCli(['--lang=fr'])).toThrow(new DoctorCliError('--lang must be zh-CN or en, not "fr"'));
    expect(() => parseDoctorCli(['--format=xml'])).toThrow('--format must be text or json, not "xml"');
    expect(() => parseDoctorCli(['--timeout=soon'])).toThrow('--timeout must be a duration such as 30s, not "soon"');
    expect(() => parseDoctorCli(['--nope=1'])).toThrow('unknown flag --nope');
    expect(() => parseDoctorCli(['--config.file'])).toThrow('--config.file needs a value');
    expect(() => parseDoctorCli(['stray'])).toThrow('unexpected argument "stray"');
    expect(() => parseDoctorCli(['--notify=slack/ops'])).toThrow(
      '--notify needs a robot as dingtalk/NAME or wecom/NAME, not "slack/ops"',
    );
    expect(() => parseDoctorCli(['--notify=dingtalk/ops', '--all'])).toThrow(
      '--notify sends the report of documentserver and every target; give it without --target or --all',
    );
  });
});
