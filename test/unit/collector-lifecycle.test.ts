import pino from 'pino';
import { collectorDefinitions } from '../../src/collectors/index.js';
import { closeCollectors, createCollectors } from '../../src/collectors/lifecycle.js';
import type { CollectorDefinition } from '../../src/collectors/types.js';
import { configFrom, configProblems } from '../support/scrape.js';
import { TestPki, type Issued } from '../support/tls-pki.js';

let pki: TestPki;
let cert: Issued;
beforeAll(() => {
  pki = new TestPki();
  const now = Math.floor(Date.now() / 1000);
  cert = pki.issue('files', {
    subject: '/CN=docs.example.com',
    notBefore: now - 86_400,
    notAfter: now + 90 * 86_400,
    serial: '0a',
  });
});
afterAll(() => pki.remove());

describe('the collector contract', () => {
  test('every collector declares how it runs: on scrape, on its own schedule, or passively', () => {
    expect(Object.fromEntries(collectorDefinitions.map((d) => [d.name, d.runs]))).toEqual({
      healthcheck: 'scrape',
      endpoints: 'scrape',
      websocket: 'scrape',
      build_info: 'scrape',
      commands: 'scrape',
      license: 'scrape',
      docker: 'schedule',
      supervisor: 'schedule',
      disk: 'scrape',
      tls_endpoints: 'scrape',
      tls_files: 'scrape',
      dependencies: 'scrape',
      statsd: 'passive',
      rabbitmq_queues: 'scrape',
      conversion_probe: 'schedule',
      backups: 'scrape',
    });
  });

  test('every collector section but backups (a list) has the same enabled switch: false turns its collectors off whatever else it says', async () => {
    const names = async (yaml: string) => {
      const made = createCollectors(collectorDefinitions, configFrom(yaml), pino({ level: 'silent' }));
      await closeCollectors(made, pino({ level: 'silent' }));
      return made.map((c) => c.name);
    };
    // Which sections have it (docs/CONFIGURATION.md: every collector section but documentserver and backups).
    const defaults = configFrom('') as unknown as Record<string, unknown>;
    expect(
      Object.keys(defaults).filter((section) => {
        const value = defaults[section];
        return typeof value === 'object' && value !== null && 'enabled' in value;
      }),
    ).toEqual(['docker', 'supervisor', 'disk', 'tls', 'dependencies', 'statsd', 'rabbitmq', 'conversion_probe']);
    const sections = [
      'disk: { paths: [/tmp] }',
      `tls: { files: [${JSON.stringify(cert.certPath)}], endpoints: [{ address: "127.0.0.1:1" }] }`,
      'dependencies: { postgresql: "127.0.0.1:1" }',
      'rabbitmq: { url: "amqp://127.0.0.1:1/" }',
      'supervisor: { host_systemd_units: [ds-docservice] }',
    ];
    const switched = ['supervisor', 'disk', 'tls_endpoints', 'tls_files', 'dependencies', 'rabbitmq_queues'];
    const on = await names(['docker: { enabled: false }', ...sections].join('\n'));
    expect(on.filter((name) => switched.includes(name))).toEqual(switched);
    const off = await names(
      [
        'docker: { enabled: false }',
        ...sections.map((line) => line.replace(/^(\w+): \{ /, '$1: { enabled: false, ')),
      ].join('\n'),
    );
    expect(off.filter((name) => [...switched, 'statsd'].includes(name))).toEqual([]);
    // One at a time: a section's switch turns off its own collectors, and only those.
    const tlsFiles = `tls: { files: [${JSON.stringify(cert.certPath)}] }`;
    expect(await names(tlsFiles)).toContain('tls_files');
    expect(await names(tlsFiles.replace('{ ', '{ enabled: false, '))).not.toContain('tls_files');
    const hostUnits = 'docker: { enabled: false }\nsupervisor: { host_systemd_units: [ds-docservice] }';
    expect(await names(hostUnits)).toContain('supervisor');
    expect(await names(hostUnits.replace('supervisor: { ', 'supervisor: { enabled: false, '))).not.toContain(
      'supervisor',
    );
    expect(await names('statsd: { enabled: false, listen: "udp://127.0.0.1:0" }')).not.toContain('statsd');
    // The old forms keep working: an empty list still turns disk and tls_files off.
    expect(
      (await names('disk: { paths: [] }\ntls: { files: [] }')).filter(
        (name) => name === 'disk' || name === 'tls_files',
      ),
    ).toEqual([]);
    // auto where it means something: true insists on what the collector needs.
    expect(configProblems('statsd: { enabled: true }')).toEqual([
      'statsd.listen: statsd.enabled is true: give the address to listen on, e.g. udp://0.0.0.0:9125',
    ]);
    expect(configProblems('rabbitmq: { enabled: true }')).toEqual([
      'rabbitmq.url: rabbitmq.enabled is true: give url, management_url or prometheus_url',
    ]);
  });

  test('createCollectors makes the enabled ones in order with what they declare; closeCollectors closes all, past a failure', async () => {
    const closed: string[] = [];
    const definition = (name: string, enabled: boolean, closeFails = false): CollectorDefinition => ({
      name,
      scopes: ['metrics'],
      runs: name === 'b' ? 'passive' : 'scrape',
      create: () =>
        enabled
          ? {
              collect: async () => undefined,
              close: async () => {
                closed.push(name);
                if (closeFails) throw new Error(`${name} would not close`);
              },
            }
          : undefined,
    });
    const warnings: unknown[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const made = createCollectors(
      [definition('a', true, true), definition('off', false), definition('b', true)],
      configFrom(''),
      logger,
    );
    expect(made.map(({ name, scopes, runs }) => ({ name, scopes, runs }))).toEqual([
      { name: 'a', scopes: ['metrics'], runs: 'scrape' },
      { name: 'b', scopes: ['metrics'], runs: 'passive' },
    ]);
    await closeCollectors(made, logger);
    expect(closed.sort()).toEqual(['a', 'b']);
    expect(warnings).toEqual([
      expect.objectContaining({ collector: 'a', err: 'a would not close', msg: 'collector did not close cleanly' }),
    ]);
  });
});
