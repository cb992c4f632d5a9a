import pino from 'pino';
import { collectorDefinitions } from '../../src/collectors/index.js';
import { closeCollectors, createCollectors } from '../../src/collectors/lifecycle.js';
import type { CollectorDefinition } from '../../src/collectors/types.js';
import { configFrom } from '../support/scrape.js';

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

  test('createCollectors makes the enabled ones in order with what they declare; closeCollectors closes all, past a failure', async () => {
    const closed: string[] = [];
    const definition = (name: string, enabled: boolean, closeFails = false): CollectorDefinition => ({
      name,
      scopes: ['metrics'],
      runs: name === 'b' ? 'passive' : 'scrape',
      create: () => (enabled ? {
        collect: async () => undefined,
        close: async () => {
          closed.push(name);
          if (closeFails) throw new Error(`${name} would not close`);
        },
      } : undefined),
    });
    const warnings: unknown[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const made = createCollectors([definition('a', true, true), definition('off', false), definition('b', true)], configFrom(''), logger);
    expect(made.map(({ name, scopes, runs }) => ({ name, scopes, runs }))).toEqual([
      { name: 'a', scopes: ['metrics'], runs: 'scrape' },
      { name: 'b', scopes: ['metrics'], runs: 'passive' },
    ]);
    await closeCollectors(made, logger);
    expect(closed.sort()).toEqual(['a', 'b']);
    expect(warnings).toEqual([expect.objectContaining({ collector: 'a', err: 'a would not close', msg: 'collector did not close cleanly' })]);
  });
});
