import { parseConfig } from '../../src/config/load.js';
import { labelNameFor } from '../../src/config/sections/docker.js';
import { dockerEnabled, engineConnection } from '../../src/docker/connection.js';
import { imageMatcher } from '../../src/docker/glob.js';
import { configProblems as problemsOf } from '../support/scrape.js';

describe('docker configuration section', () => {
  test('defaults', () => {
    const { docker } = parseConfig('', 't', {});
    expect(docker).toEqual({
      enabled: 'auto',
      containers: ['onlyoffice*', '*documentserver*', '*-onlyoffice-*', '*_onlyoffice_*'],
      images: ['onlyoffice/documentserver*', 'onlyoffice/documentserver-ee*', 'onlyoffice/documentserver-de*'],
      labels: [],
      resync_interval: 300_000,
      timeout: 10_000,
      stats: false,
      stats_interval: 30_000,
      supervisor: true,
      supervisor_containers: ['onlyoffice-documentserver*', '*documentserver*'],
      supervisor_interval: 30_000,
      supervisor_timeout: 5_000,
    });
    expect(parseConfig('', 't', {}).supervisor).toEqual({
      enabled: true,
      host_supervisorctl: false,
      host_systemd_units: [],
    });
  });

  test('accepts the shape from the issue', () => {
    const { docker } = parseConfig(
      `
docker:
  socket: /var/run/docker.sock
  containers: ["onlyoffice*"]
  labels: [com.docker.compose.service]
  stats: false
  supervisor: true
`,
      't',
      {},
    );
    expect(docker.socket).toBe('/var/run/docker.sock');
    expect(docker.containers).toEqual(['onlyoffice*']);
    expect(docker.labels).toEqual(['com.docker.compose.service']);
  });

  test('a unix:// socket is taken as its path; ${VAR} interpolates', () => {
    expect(parseConfig('docker: { socket: "unix:///run/user/1000/docker.sock" }', 't', {}).docker.socket).toBe(
      '/run/user/1000/docker.sock',
    );
    expect(parseConfig('docker: { socket: "${SOCK}" }', 't', { SOCK: '/tmp/d.sock' }).docker.socket).toBe(
      '/tmp/d.sock',
    );
  });

  test('bad values name the key', () => {
    expect(problemsOf('docker: { socket: tcp://10.0.0.1:2375 }')).toEqual([
      'docker.socket: "tcp://10.0.0.1:2375" is not a unix socket path such as /var/run/docker.sock (for a TCP engine set DOCKER_HOST instead)',
    ]);
    expect(problemsOf('docker: { containers: [] }')).toEqual(['docker.containers: needs at least one glob']);
    expect(problemsOf('docker: { containers: ["only office"] }')).toEqual([
      'docker.containers.0: is not a container name glob (letters, digits, _ . - and the wildcards * ?)',
    ]);
    expect(problemsOf('docker: { containers: "onlyoffice*" }')).toEqual([
      'docker.containers: expected array, got string',
    ]);
    expect(problemsOf('docker: { enabled: maybe }')[0]).toMatch(/^docker\.enabled: /);
    expect(problemsOf('docker: { stats: yes please }')).toEqual(['docker.stats: expected boolean, got string']);
    expect(problemsOf('docker: { resync_interval: often }')).toEqual([
      'docker.resync_interval: "often" is not a positive duration such as 10s, 1m30s or 500ms',
    ]);
    expect(problemsOf('docker: { stats_interval: 500ms }')).toEqual([
      'docker.stats_interval: must be at least 1s (one stats call takes about a second)',
    ]);
    expect(problemsOf('docker: { supervisor_timeout: 0s }')).toEqual([
      'docker.supervisor_timeout: "0s" is not a positive duration such as 10s, 1m30s or 500ms',
    ]);
    expect(problemsOf('supervisor: { host_systemd_units: ["ds docservice"] }')).toEqual([
      'supervisor.host_systemd_units.0: is not a systemd unit name such as ds-docservice',
    ]);
    expect(problemsOf('docker: { sockett: /x }')).toEqual(['docker.sockett: unknown key']);
  });

  test('two labels that would become the same Prometheus label are refused', () => {
    expect(problemsOf('docker: { labels: [com.example.role, com-example-role] }')).toEqual([
      'docker.labels.1: "com.example.role" and "com-example-role" would both become label_com_example_role',
    ]);
    expect(problemsOf('docker: { labels: [""] }')).toEqual(['docker.labels.0: must not be empty']);
  });

  test('host_supervisorctl and host_systemd_units exclude each other', () => {
    expect(problemsOf('supervisor: { host_supervisorctl: true, host_systemd_units: [ds-docservice] }')).toEqual([
      'supervisor.host_systemd_units: give either host_supervisorctl or host_systemd_units, not both (a host runs DS under one of them)',
    ]);
  });

  test('the host keys moved from docker to supervisor: their old place names the new key, whatever the value', () => {
    expect(problemsOf('docker: { host_supervisorctl: true }')).toEqual([
      'docker.host_supervisorctl: has moved: write it as supervisor.host_supervisorctl',
    ]);
    expect(problemsOf('docker: { host_supervisorctl: false, host_systemd_units: [] }')).toEqual([
      'docker.host_supervisorctl: has moved: write it as supervisor.host_supervisorctl',
      'docker.host_systemd_units: has moved: write it as supervisor.host_systemd_units',
    ]);
    expect(
      parseConfig('supervisor: { host_systemd_units: [ds-docservice, ds-converter] }', 't', {}).supervisor,
    ).toEqual({ enabled: true, host_supervisorctl: false, host_systemd_units: ['ds-docservice', 'ds-converter'] });
  });

  test('label names are sanitised with a label_ prefix', () => {
    expect(labelNameFor('com.docker.compose.service')).toBe('label_com_docker_compose_service');
    expect(labelNameFor('org.opencontainers.image/version')).toBe('label_org_opencontainers_image_version');
  });

  test('which engine: docker.socket, then DOCKER_HOST, then the default socket', () => {
    const section = (yaml: string) => parseConfig(yaml, 't', {}).docker;
    expect(engineConnection(section('docker: { socket: /a.sock }'), { DOCKER_HOST: 'unix:///b.sock' })).toEqual({
      options: { socketPath: '/a.sock' },
      endpoint: 'unix:///a.sock',
    });
    expect(engineConnection(section(''), { DOCKER_HOST: 'unix:///b.sock' })).toEqual({
      options: { socketPath: '/b.sock' },
      endpoint: 'unix:///b.sock',
    });
    expect(engineConnection(section(''), { DOCKER_HOST: 'tcp://user:pw@10.0.0.5:2376' })).toEqual({
      options: undefined,
      endpoint: 'tcp://10.0.0.5:2376',
    });
    expect(engineConnection(section(''), {})).toEqual({
      options: { socketPath: '/var/run/docker.sock' },
      endpoint: 'unix:///var/run/docker.sock',
    });
  });

  test('enabled: auto turns on only with a socket, DOCKER_HOST, or /var/run/docker.sock present', () => {
    const section = (yaml: string) => parseConfig(yaml, 't', {}).docker;
    const none = () => false;
    const present = (path: unknown): boolean => path === '/var/run/docker.sock';
    expect(dockerEnabled(section(''), {}, none)).toBe(false);
    expect(dockerEnabled(section(''), {}, present)).toBe(true);
    expect(dockerEnabled(section(''), { DOCKER_HOST: 'tcp://10.0.0.5:2375' }, none)).toBe(true);
    expect(dockerEnabled(section('docker: { socket: /x.sock }'), {}, none)).toBe(true);
    expect(dockerEnabled(section('docker: { enabled: false, socket: /x.sock }'), {}, present)).toBe(false);
    expect(dockerEnabled(section('docker: { enabled: true }'), {}, none)).toBe(true);
  });
});

describe('docker.images', () => {
  const ds = imageMatcher([
    'onlyoffice/documentserver*',
    'onlyoffice/documentserver-ee*',
    'onlyoffice/documentserver-de*',
  ]);
  test.each([
    ['onlyoffice/documentserver', true],
    ['onlyoffice/documentserver:8.3.3', true],
    ['onlyoffice/documentserver-ee:9.0', true],
    ['onlyoffice/documentserver-de@sha256:0123', true],
    ['docker.io/onlyoffice/documentserver:latest', true],
    ['registry.example.internal:5000/onlyoffice/documentserver:8.3', true],
    ['localhost/onlyoffice/documentserver', true],
    ['mirror/onlyoffice/documentserver', false],
    ['onlyoffice/docs-docservice:9.0', false],
    ['rabbitmq:3.13', false],
    ['', false],
  ])('%s matches: %s', (image, matches) => {
    expect(ds(image)).toBe(matches);
  });

  test('[] matches by name only; a bad glob names the key', () => {
    expect(imageMatcher([])('onlyoffice/documentserver')).toBe(false);
    expect(problemsOf('docker: { images: ["onlyoffice/documentserver*", "bad glob"] }')).toEqual([
      'docker.images.1: is not an image glob (letters, digits, _ . - / : @ and the wildcards * ?)',
    ]);
  });
});
