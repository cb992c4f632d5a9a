import { writeFileSync } from 'node:fs';
import { runDoctor } from '../../src/doctor/run.js';
import { renderJson, renderText } from '../../src/doctor/render.js';
import type { Diagnosis, HopId } from '../../src/doctor/model.js';
import { ENGINE_PROGRAMS, eventually, PrivateEngine, TEST_IMAGE } from '../support/dockerd.js';
import { requirePrograms } from '../support/integration.js';
import { freePort } from '../support/ports.js';
import { configFrom, silentLogger } from '../support/scrape.js';

// What supervisorctl status prints in the all-in-one image ('%(name)-32s %(state)-10s %(desc)s'), exit 3 when one is not RUNNING.
const FATAL_DOCSERVICE = [
  'ds:converter                     RUNNING   pid 27, uptime 2 days, 3:04:05',
  'ds:docservice                    FATAL     Exited too quickly (process log may have details)',
  'ds:example                       STOPPED   Not started',
  'ds:metrics                       STOPPED   Not started',
];
const ALL_RUNNING = FATAL_DOCSERVICE.map((line) =>
  line.replace('FATAL     Exited too quickly (process log may have details)', 'RUNNING   pid 301, uptime 0:00:02'),
);
const script = (lines: string[], exitCode: number) =>
  `#!/bin/sh\ncat <<'EOF'\n${lines.join('\n')}\nEOF\nexit ${exitCode}\n`;

const { describe: withEngine } = requirePrograms(...ENGINE_PROGRAMS);

/** The doctor's container and supervisor hops against a real Docker engine (private dockerd, busybox containers). */
withEngine('doctor: containers and supervisor programs on a real Docker engine', () => {
  let engine: PrivateEngine;
  let supervisorctl: string;
  let dsPort: number;

  beforeAll(async () => {
    engine = await PrivateEngine.create();
    supervisorctl = engine.writeFile('supervisorctl', script(FATAL_DOCSERVICE, 3));
    dsPort = await freePort(); // docservice is not listening
    await engine.cli(
      'run',
      '-d',
      '--name',
      'onlyoffice-documentserver',
      '-v',
      `${supervisorctl}:/bin/supervisorctl:ro`,
      TEST_IMAGE,
      'sleep',
      '3600',
    );
    await engine.cli('run', '-d', '--name', 'onlyoffice-rabbitmq', TEST_IMAGE, 'sh', '-c', 'exit 1');
    await engine.cli(
      'run',
      '-d',
      '--name',
      'onlyoffice-postgresql',
      '--health-cmd',
      'false',
      '--health-interval',
      '1s',
      '--health-retries',
      '1',
      TEST_IMAGE,
      'sleep',
      '3600',
    );
    await engine.cli('run', '-d', '--name', 'unrelated', TEST_IMAGE, 'sh', '-c', 'exit 2');
    await eventually('the states to settle', async () => {
      const states = await engine.cli('ps', '-a', '--format', '{{.Names}} {{.State}} {{.Status}}');
      return states.includes('onlyoffice-rabbitmq exited') && /onlyoffice-postgresql running .*unhealthy/.test(states)
        ? states
        : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await engine?.destroy();
  }, 60_000);

  const yaml = (socket = engine.socket) => `
documentserver: { url: "http://127.0.0.1:${dsPort}", timeout: 2s }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
disk: { paths: [] }
docker:
  socket: ${socket}
  containers: ["onlyoffice-*"]
  supervisor_containers: ["onlyoffice-documentserver"]
`;
  const doctor = (text: string) => runDoctor(configFrom(text), silentLogger, 10_000);
  const verdict = (d: Diagnosis, id: HopId) => d.hops.find((h) => h.id === id)!.verdict;

  test('ds:docservice FATAL explains docservice; exited and unhealthy containers are named', async () => {
    const d = await doctor(yaml());
    expect(verdict(d, 'docservice')).toBe('fail');
    expect(d.hops.find((h) => h.id === 'docservice')!.because).toBe('supervisor');
    expect(verdict(d, 'containers')).toBe('fail');
    expect(verdict(d, 'supervisor')).toBe('fail');
    expect(d.causes.map((c) => `${c.id} ${c.params.name ?? c.params.program} ${c.severity}`)).toEqual([
      'container_down onlyoffice-rabbitmq fail',
      'container_unhealthy onlyoffice-postgresql fail',
      'supervisor_program_down ds:docservice fail',
    ]);
    expect(d.causes[0]!.params).toEqual({ name: 'onlyoffice-rabbitmq', state: 'exited', exit_code: 1 });
    // Only the globbed containers; ds:metrics and ds:example STOPPED are how the image ships them.
    expect(d.hops.find((h) => h.id === 'containers')!.findings.map((f) => f.params.name)).toEqual([
      'onlyoffice-documentserver',
      'onlyoffice-postgresql',
      'onlyoffice-rabbitmq',
    ]);
    const text = renderText(d, 'en');
    expect(text).toContain('3. [Supervisor programs] ds:docservice is FATAL in onlyoffice-documentserver');
    expect(text).toContain('docker exec onlyoffice-documentserver supervisorctl restart ds:docservice');
    expect(renderJson(d, 'zh-CN').causes[0]!.title).toBe('容器 onlyoffice-rabbitmq 没有运行（exited）');
  });

  test('docservice back to RUNNING but not listening: the exited RabbitMQ container is why', async () => {
    writeFileSync(supervisorctl, script(ALL_RUNNING, 3));
    const d = await doctor(yaml());
    expect(verdict(d, 'supervisor')).toBe('ok');
    expect(d.causes.map((c) => `${c.hop}:${c.id}`)).toEqual([
      'containers:container_down',
      'containers:container_unhealthy',
      'docservice:rabbitmq_unreachable_at_start',
    ]);
    // ONLYOFFICE's compose file: RabbitMQ in a container of its own, named as the engine names it.
    expect(
      renderJson(d, 'en')
        .causes.find((c) => c.id === 'rabbitmq_unreachable_at_start')!
        .fix.slice(0, 2),
    ).toEqual(['docker exec onlyoffice-rabbitmq rabbitmq-diagnostics -q ping', 'docker start onlyoffice-rabbitmq']);
  });

  test('a DS started from onlyoffice/documentserver whose tag was imported again (listed by image ID) is still named in the fixes', async () => {
    await engine.importImage('onlyoffice/documentserver:latest');
    const id = await engine.cli('run', '-d', 'onlyoffice/documentserver', 'sleep', '3600');
    await engine.importImage('onlyoffice/documentserver:latest');
    try {
      const name = (JSON.parse(await engine.cli('inspect', id)) as { Name: string }[])[0]!.Name.replace(/^\//, '');
      const listed = await engine.docker.listContainers({ all: true, filters: { id: [id] } });
      expect(listed[0]!.Image).toMatch(/^sha256:[0-9a-f]{64}$/);
      const d = await doctor(`
documentserver: { url: "http://127.0.0.1:${dsPort}", timeout: 2s }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
disk: { paths: [] }
docker: { socket: ${engine.socket}, containers: ["none-by-name"], supervisor: false }
`);
      expect(d.hops.find((h) => h.id === 'containers')!.findings.map((f) => [f.params.name, f.params.state])).toEqual([
        [name, 'running'],
      ]);
      expect(renderJson(d, 'en').causes.map((c) => [c.id, c.fix.slice(0, 3)])).toEqual([
        [
          'docservice_down',
          [
            '# Docker (all-in-one onlyoffice/documentserver image)',
            `docker exec ${name} supervisorctl status ds:docservice`,
            `docker logs --tail 100 ${name}`,
          ],
        ],
      ]);
    } finally {
      await engine.cli('rm', '-f', id);
    }
  }, 90_000);

  test('the engine unreachable: containers and supervisor UNKNOWN, with the socket mount advice', async () => {
    const d = await doctor(yaml('/tmp/no-such-docker.sock'));
    expect(verdict(d, 'containers')).toBe('unknown');
    expect(d.causes.filter((c) => c.hop === 'containers').map((c) => c.id)).toEqual(['docker_unreachable']);
    expect(renderJson(d, 'en').causes.find((c) => c.id === 'docker_unreachable')!.fix).toContain(
      'ls -ln /var/run/docker.sock',
    );
  });
});
