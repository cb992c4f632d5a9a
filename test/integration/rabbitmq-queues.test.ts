import amqp, { type Channel, type ChannelModel } from 'amqplib';
import pino from 'pino';
import { Writable } from 'node:stream';
import rabbitmqQueues, { RabbitmqQueuesCollector } from '../../src/collectors/rabbitmq_queues.js';
import type { Config } from '../../src/config/schema.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { find, value, type Sample } from '../support/exposition.js';
import { requirePrograms } from '../support/integration.js';
import { RABBITMQ_PROGRAMS, startRabbitMQ, type RabbitMQ } from '../support/rabbitmq.js';
import { configFrom, scrapeCollector, silentLogger } from '../support/scrape.js';
import { sleep } from '../support/service-process.js';

const { describe } = requirePrograms(...RABBITMQ_PROGRAMS);

// The monitoring user's password must never show up in metrics or logs.
const SECRET = 'Pa55-never-in-labels';
const SOURCES = ['management', 'prometheus', 'amqp'] as const;
type Source = (typeof SOURCES)[number];

// Queue arguments exactly as DS 7.1.1.76 declared them (read from the management API of a live server).
const TASK_ARGS_7 = {
  'x-max-priority': 4,
  'x-message-ttl': 900000,
  'x-dead-letter-exchange': 'ds.exchangeconvertdead',
};
const TASK_ARGS_83 = {
  'x-max-priority': 6,
  'x-message-ttl': 900000,
  'x-dead-letter-exchange': 'ds.exchangeconvertdead',
  'x-queue-type': 'classic',
};

let rabbit: RabbitMQ;
let admin: ChannelModel;
let publisher: Channel;

async function api(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${rabbit.managementUrl}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

/** What DocService declares on start (7.1 names, or 8.3+ with taskQueue `ds.converttask6`). */
async function declareDsQueues(channel: Channel, taskQueue: string, taskArgs: Record<string, unknown>): Promise<void> {
  await channel.assertExchange('ds.exchangeconvertdead', 'fanout', { durable: true });
  await channel.assertQueue(taskQueue, { durable: true, arguments: taskArgs });
  await channel.assertQueue('ds.convertresponse', { durable: true });
  await channel.assertQueue('ds.convertdead', { durable: true });
  await channel.bindQueue('ds.convertdead', 'ds.exchangeconvertdead', '');
  await channel.assertQueue('ds.delayed', {
    durable: true,
    arguments: { 'x-dead-letter-exchange': 'ds.exchangeconvertdead' },
  });
}

function publishTasks(queue: string, count: number): void {
  for (let i = 0; i < count; i++) {
    publisher.sendToQueue(queue, Buffer.from(JSON.stringify({ cmd: { c: 'conv', id: `conv_k${i}_docx` } })), {
      priority: 1,
      persistent: true,
    });
  }
}

function amqpUrl(vhost = ''): string {
  return `amqp://ooe_monitor:${SECRET}@127.0.0.1:${rabbit.port}/${encodeURIComponent(vhost)}`;
}

function sectionFor(source: Source | 'auto', extra = ''): string {
  const urls = {
    management: `management_url: "${rabbit.managementUrl}"`,
    prometheus: `prometheus_url: "${rabbit.prometheusUrl}"`,
    amqp: '',
  };
  const sources = source === 'auto' ? Object.values(urls).filter(Boolean).join('\n  ') : urls[source];
  return `rabbitmq:\n  url: "${amqpUrl()}"\n  ${sources}\n  source: ${source}\n${extra}`;
}

async function scrapeOnce(
  collector: RabbitmqQueuesCollector,
  config: Config,
  budgetMs = 4_000,
): Promise<{ text: string; samples: Sample[]; seconds: number }> {
  return scrapeCollector({ name: 'rabbitmq_queues', collector }, config, { budgetMs });
}

/** Scrapes `source` until `check` passes: the management API and the plugin refresh their numbers about every 5 s. */
async function eventually(
  source: Source | 'auto',
  check: (samples: Sample[]) => void,
  extra = '',
  timeoutMs = 25_000,
): Promise<Sample[]> {
  const config = configFrom(sectionFor(source, extra));
  const collector = rabbitmqQueues.create(config, silentLogger) as RabbitmqQueuesCollector;
  const giveUp = Date.now() + timeoutMs;
  try {
    for (;;) {
      const { samples } = await scrapeOnce(collector, config);
      try {
        check(samples);
        return samples;
      } catch (error) {
        if (Date.now() > giveUp) throw error;
      }
      await sleep(500);
    }
  } finally {
    await collector.close();
  }
}

const task = { vhost: '/', queue: 'ds.converttask' };

describe('rabbitmq_queues against a real RabbitMQ with DS queues', () => {
  beforeAll(async () => {
    rabbit = await startRabbitMQ();
    // A monitoring user with a password worth hiding, as a deployment would have.
    await api('PUT', '/api/users/ooe_monitor', { password: SECRET, tags: 'monitoring' });
    await api('PUT', '/api/vhosts/ds83');
    await api('PUT', '/api/vhosts/empty');
    for (const vhost of ['%2F', 'ds83', 'empty']) {
      await api('PUT', `/api/permissions/${vhost}/ooe_monitor`, { configure: '', write: '', read: '.*' });
      await api('PUT', `/api/permissions/${vhost}/guest`, { configure: '.*', write: '.*', read: '.*' });
    }
    admin = await amqp.connect(rabbit.url);
    admin.on('error', () => undefined);
    publisher = await admin.createChannel();
    await declareDsQueues(publisher, 'ds.converttask', TASK_ARGS_7);
    const ds83 = await amqp.connect(`${rabbit.url}/ds83`);
    await declareDsQueues(await ds83.createChannel(), 'ds.converttask6', TASK_ARGS_83);
    const channel83 = await ds83.createChannel();
    channel83.sendToQueue('ds.converttask6', Buffer.from('{}'), { priority: 1, persistent: true });
    await channel83.close();
    await ds83.close();
    // DocService consumes its response and dead-letter queues; the converter is not running yet.
    const docservice = await admin.createChannel();
    await docservice.consume('ds.convertresponse', () => undefined);
    await docservice.consume('ds.convertdead', () => undefined);
    publishTasks('ds.converttask', 3);
  }, 120_000);

  afterAll(async () => {
    await admin?.close().catch(() => undefined);
    await rabbit?.close();
  }, 60_000);

  test('is off without any rabbitmq URL', () => {
    expect(rabbitmqQueues.create(configFrom(''), silentLogger)).toBeUndefined();
  });

  test('converter down: 3 tasks wait with 0 consumers, through each of the three sources', async () => {
    const checks: Record<Source, (samples: Sample[]) => void> = {
      management: (samples) => {
        expect(value(samples, 'onlyoffice_rabbitmq_up', { source: 'management' })).toBe(1);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_source_info', { source: 'management' })).toBe(1);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_ready', task)).toBe(3);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_unacked', task)).toBe(0);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_messages', task)).toBe(3);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_consumers', task)).toBe(0);
      },
      prometheus: (samples) => {
        expect(value(samples, 'onlyoffice_rabbitmq_up', { source: 'prometheus' })).toBe(1);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_source_info', { source: 'prometheus' })).toBe(1);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_ready', task)).toBe(3);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_unacked', task)).toBe(0);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_messages', task)).toBe(3);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_consumers', task)).toBe(0);
        expect(find(samples, 'onlyoffice_rabbitmq_queue_messages_per_second')).toEqual([]);
      },
      amqp: (samples) => {
        expect(value(samples, 'onlyoffice_rabbitmq_up', { source: 'amqp' })).toBe(1);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_source_info', { source: 'amqp' })).toBe(1);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_ready', task)).toBe(3);
        expect(value(samples, 'onlyoffice_rabbitmq_queue_consumers', task)).toBe(0);
        // A passive declare tells neither unacked nor total: absent, not 0.
        expect(find(samples, 'onlyoffice_rabbitmq_queue_messages_unacked')).toEqual([]);
        expect(find(samples, 'onlyoffice_rabbitmq_queue_messages')).toEqual([]);
      },
    };
    const results = await Promise.all(
      SOURCES.map((source) =>
        eventually(source, (samples) => {
          checks[source](samples);
          // Every DS queue of 7.1 – 8.2 is reported; ds.converttask6 does not exist on this vhost, so auto leaves it out.
          expect(
            find(samples, 'onlyoffice_rabbitmq_queue_exists')
              .map((s) => [s.labels.queue, s.value])
              .sort(),
          ).toEqual([
            ['ds.convertdead', 1],
            ['ds.convertresponse', 1],
            ['ds.converttask', 1],
            ['ds.delayed', 1],
          ]);
          expect(value(samples, 'onlyoffice_rabbitmq_queue_consumers', { queue: 'ds.convertresponse' })).toBe(1);
          expect(value(samples, 'onlyoffice_rabbitmq_queue_consumers', { queue: 'ds.delayed' })).toBe(0);
        }),
      ),
    );
    for (const samples of results)
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'rabbitmq_queues' })).toBe(1);
  }, 60_000);

  test('a converter attaches, holds one task, and goes away: consumers 1 → 0 and the backlog grows', async () => {
    const converter = await admin.createChannel();
    await converter.prefetch(1);
    await converter.consume('ds.converttask', () => undefined, { noAck: false });
    await Promise.all(
      SOURCES.map((source) =>
        eventually(source, (samples) => {
          expect(value(samples, 'onlyoffice_rabbitmq_queue_consumers', task)).toBe(1);
          expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_ready', task)).toBe(2);
          if (source !== 'amqp') {
            expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_unacked', task)).toBe(1);
            expect(value(samples, 'onlyoffice_rabbitmq_queue_messages', task)).toBe(3);
          }
        }),
      ),
    );

    // The converter dies: its unacknowledged task goes back to the queue, and new tasks pile up.
    await converter.close();
    publishTasks('ds.converttask', 2);
    await Promise.all(
      SOURCES.map((source) =>
        eventually(source, (samples) => {
          expect(value(samples, 'onlyoffice_rabbitmq_queue_consumers', task)).toBe(0);
          expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_ready', task)).toBe(5);
          if (source !== 'amqp') expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_unacked', task)).toBe(0);
        }),
      ),
    );
  }, 90_000);

  test('the management API adds message rates by operation', async () => {
    publishTasks('ds.converttask', 5);
    const samples = await eventually('management', (s) => {
      expect(
        value(s, 'onlyoffice_rabbitmq_queue_messages_per_second', { ...task, operation: 'publish' }),
      ).toBeGreaterThan(0);
    });
    expect(
      find(samples, 'onlyoffice_rabbitmq_queue_messages_per_second', task)
        .map((s) => s.labels.operation)
        .sort(),
    ).toEqual(['ack', 'deliver_get', 'publish', 'redeliver']);
    // No consumer has acknowledged anything on the delayed queue.
    expect(
      value(samples, 'onlyoffice_rabbitmq_queue_messages_per_second', { queue: 'ds.delayed', operation: 'ack' }),
    ).toBe(0);
  }, 60_000);

  test('a configured queue that does not exist is reported missing, not as 0 messages', async () => {
    await Promise.all(
      SOURCES.map((source) =>
        eventually(
          source,
          (samples) => {
            expect(value(samples, 'onlyoffice_rabbitmq_queue_exists', { vhost: '/', queue: 'ds.nope' })).toBe(0);
            expect(value(samples, 'onlyoffice_rabbitmq_queue_exists', task)).toBe(1);
            expect(find(samples, 'onlyoffice_rabbitmq_queue_exists')).toHaveLength(2);
            expect(find(samples, 'onlyoffice_rabbitmq_queue_messages_ready', { queue: 'ds.nope' })).toEqual([]);
            expect(find(samples, 'onlyoffice_rabbitmq_queue_consumers', { queue: 'ds.nope' })).toEqual([]);
            expect(value(samples, 'onlyoffice_rabbitmq_queue_messages_ready', task)).toBeGreaterThanOrEqual(5);
          },
          '  queues: [ds.converttask, ds.nope]\n',
        ),
      ),
    );
  }, 60_000);

  test('DS 8.3+ naming: ds.converttask6 is detected on its vhost; a vhost without DS queues reports them missing', async () => {
    const ds83 = (source: Source) => sectionFor(source).replace(amqpUrl(), amqpUrl('ds83'));
    const empty = (source: Source) => sectionFor(source).replace(amqpUrl(), amqpUrl('empty'));
    await Promise.all(
      SOURCES.map(async (source) => {
        const config = configFrom(ds83(source));
        const collector = rabbitmqQueues.create(config, silentLogger) as RabbitmqQueuesCollector;
        expect(collector.vhost).toBe('ds83');
        try {
          for (let attempt = 0; ; attempt++) {
            const { samples } = await scrapeOnce(collector, config);
            try {
              expect(
                find(samples, 'onlyoffice_rabbitmq_queue_exists')
                  .map((s) => [s.labels.vhost, s.labels.queue, s.value])
                  .sort(),
              ).toEqual([
                ['ds83', 'ds.convertdead', 1],
                ['ds83', 'ds.convertresponse', 1],
                ['ds83', 'ds.converttask6', 1],
                ['ds83', 'ds.delayed', 1],
              ]);
              expect(
                value(samples, 'onlyoffice_rabbitmq_queue_messages_ready', { vhost: 'ds83', queue: 'ds.converttask6' }),
              ).toBe(1);
              break;
            } catch (error) {
              if (attempt > 40) throw error;
              await sleep(500);
            }
          }
        } finally {
          await collector.close();
        }
        const emptyConfig = configFrom(empty(source));
        const emptyCollector = rabbitmqQueues.create(emptyConfig, silentLogger) as RabbitmqQueuesCollector;
        try {
          const { samples } = await scrapeOnce(emptyCollector, emptyConfig);
          expect(value(samples, 'onlyoffice_rabbitmq_up', { source })).toBe(1);
          // Neither task queue name exists: both are reported missing, since we cannot tell the version.
          expect(
            find(samples, 'onlyoffice_rabbitmq_queue_exists')
              .map((s) => [s.labels.queue, s.value])
              .sort(),
          ).toEqual([
            ['ds.convertdead', 0],
            ['ds.convertresponse', 0],
            ['ds.converttask', 0],
            ['ds.converttask6', 0],
            ['ds.delayed', 0],
          ]);
          expect(find(samples, 'onlyoffice_rabbitmq_queue_messages_ready')).toEqual([]);
        } finally {
          await emptyCollector.close();
        }
      }),
    );
  }, 60_000);

  test('auto: a failing management login falls back to the plugin, and no secret reaches output or logs', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const config = configFrom(`${sectionFor('auto')}  username: ooe_monitor\n  password: wrong-${SECRET}\n`);
    const collector = rabbitmqQueues.create(config, logger) as RabbitmqQueuesCollector;
    try {
      const { text, samples } = await scrapeCollector({ name: 'rabbitmq_queues', collector }, config, {
        budgetMs: 4_000,
        logger,
      });
      expect(value(samples, 'onlyoffice_rabbitmq_up', { source: 'management' })).toBe(0);
      expect(value(samples, 'onlyoffice_rabbitmq_up', { source: 'prometheus' })).toBe(1);
      expect(value(samples, 'onlyoffice_rabbitmq_up', { source: 'amqp' })).toBe(1);
      expect(value(samples, 'onlyoffice_rabbitmq_queue_source_info', { source: 'prometheus' })).toBe(1);
      expect(find(samples, 'onlyoffice_rabbitmq_queue_source_info')).toHaveLength(1);
      expect(lines.join('')).toContain('401 unauthorized');
      expect(text).not.toContain(SECRET);
      expect(lines.join('')).not.toContain(SECRET);
    } finally {
      await collector.close();
    }
  }, 30_000);

  test('docs/metrics.md "## rabbitmq_queues" lists exactly what the collector exports', async () => {
    const samples = await eventually('auto', (s) => {
      expect(value(s, 'onlyoffice_rabbitmq_queue_messages_ready', task)).toBeGreaterThan(0);
    });
    const exported = exportedFamilies(samples.filter((s) => !s.name.startsWith('onlyoffice_scrape_')));
    const documented = documentedMetrics().filter((m) => m.section === 'rabbitmq_queues');
    expect(Object.fromEntries(documented.map((m) => [m.name, [...m.labels].sort()]))).toEqual(
      Object.fromEntries([...exported].map(([name, labels]) => [name, [...labels].sort()])),
    );
    expect(documented.every((m) => m.type === 'gauge')).toBe(true);
  }, 60_000);

  test('a frozen broker: every source reports down within the scrape deadline, then recovers', async () => {
    const config = configFrom(`${sectionFor('auto')}  timeout: 10s\n`);
    const collector = rabbitmqQueues.create(config, silentLogger) as RabbitmqQueuesCollector;
    try {
      const before = await scrapeOnce(collector, config);
      expect(value(before.samples, 'onlyoffice_rabbitmq_up', { source: 'amqp' })).toBe(1);
      rabbit.freeze();
      try {
        const frozen = await scrapeOnce(collector, config, 2_000);
        expect(value(frozen.samples, 'onlyoffice_scrape_collector_success', { collector: 'rabbitmq_queues' })).toBe(1);
        for (const source of SOURCES) expect(value(frozen.samples, 'onlyoffice_rabbitmq_up', { source })).toBe(0);
        expect(find(frozen.samples, 'onlyoffice_rabbitmq_queue_exists')).toEqual([]);
        // Cut by the scrape's own deadline (2 s), not the 10 s source timeout.
        expect(frozen.seconds).toBeLessThan(7);
      } finally {
        rabbit.thaw();
      }
      // The stuck AMQP connection was dropped, so the next scrapes reconnect.
      for (let attempt = 0; ; attempt++) {
        const after = await scrapeOnce(collector, config);
        try {
          for (const source of SOURCES) expect(value(after.samples, 'onlyoffice_rabbitmq_up', { source })).toBe(1);
          break;
        } catch (error) {
          if (attempt > 20) throw error;
          await sleep(500);
        }
      }
    } finally {
      await collector.close();
    }
  }, 60_000);

  test('RabbitMQ stopped mid-run: up 0 for every source, no queue numbers, no crash', async () => {
    const config = configFrom(sectionFor('auto'));
    const collector = rabbitmqQueues.create(config, silentLogger) as RabbitmqQueuesCollector;
    try {
      const before = await scrapeOnce(collector, config);
      for (const source of SOURCES) expect(value(before.samples, 'onlyoffice_rabbitmq_up', { source })).toBe(1);
      await admin.close().catch(() => undefined);
      // The collector's AMQP connection is open while the broker goes away under it.
      await rabbit.close();
      const after = await scrapeOnce(collector, config, 2_000);
      expect(value(after.samples, 'onlyoffice_scrape_collector_success', { collector: 'rabbitmq_queues' })).toBe(1);
      for (const source of SOURCES) expect(value(after.samples, 'onlyoffice_rabbitmq_up', { source })).toBe(0);
      expect(find(after.samples, 'onlyoffice_rabbitmq_queue_exists')).toEqual([]);
      expect(find(after.samples, 'onlyoffice_rabbitmq_queue_source_info')).toEqual([]);
    } finally {
      await collector.close();
    }
  }, 60_000);
});
