import type { Logger } from 'pino';
import type { RabbitmqConfig } from '../config/sections/rabbitmq.js';
import { emit, gaugeFamily } from '../metrics/family.js';
import { AmqpSource } from '../rabbitmq/amqp.js';
import { ManagementSource } from '../rabbitmq/management.js';
import { PrometheusSource } from '../rabbitmq/prometheus.js';
import { vhostOfAmqpUrl } from '../lib/amqp-url.js';
import { TransitionLog } from '../lib/transition-log.js';
import { RATE_OPERATIONS, type QueueSource, type QueueStats, type SourceResult } from '../rabbitmq/types.js';
import type { Collector, CollectorDefinition, ScrapeContext } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const RABBITMQ_METRICS = {
  up: 'onlyoffice_rabbitmq_up',
  queueConsumers: 'onlyoffice_rabbitmq_queue_consumers',
  queueMessagesReady: 'onlyoffice_rabbitmq_queue_messages_ready',
} as const;

const QUEUE = ['vhost', 'queue'] as const;
const UP = gaugeFamily(RABBITMQ_METRICS.up, 'Whether the RabbitMQ source answered in this scrape (1) or not (0).', [
  'source',
]);
const SOURCE_INFO = gaugeFamily(
  'onlyoffice_rabbitmq_queue_source_info',
  'Always 1; the source the queue numbers come from.',
  ['source'],
);
const EXISTS = gaugeFamily(
  'onlyoffice_rabbitmq_queue_exists',
  'Whether the queue exists (1) or not (0); a missing queue has no other queue metric.',
  QUEUE,
);
const READY = gaugeFamily(
  RABBITMQ_METRICS.queueMessagesReady,
  'Messages ready for delivery (the conversion backlog on ds.converttask*).',
  QUEUE,
);
const UNACKED = gaugeFamily(
  'onlyoffice_rabbitmq_queue_messages_unacked',
  'Messages delivered and not yet acknowledged (conversions in progress).',
  QUEUE,
);
const MESSAGES = gaugeFamily(
  'onlyoffice_rabbitmq_queue_messages',
  'Messages in the queue, ready plus unacknowledged.',
  QUEUE,
);
const CONSUMERS = gaugeFamily(
  RABBITMQ_METRICS.queueConsumers,
  'Consumers on the queue (0 on ds.converttask* = no converter).',
  QUEUE,
);
const RATES = gaugeFamily(
  'onlyoffice_rabbitmq_queue_messages_per_second',
  'Message rate by operation, from the management API.',
  [...QUEUE, 'operation'],
);

/** The conversion task queue was renamed in 8.3 (quorum-queue work); after an upgrade both may exist. */
export const CONVERT_TASK_QUEUES = ['ds.converttask', 'ds.converttask6'] as const;
export const OTHER_DS_QUEUES = ['ds.convertresponse', 'ds.convertdead', 'ds.delayed'] as const;

// First that answers wins: management has every count plus rates, the plugin every count, AMQP ready + consumers.
const PREFERENCE = ['management', 'prometheus', 'amqp'] as const;

export class RabbitmqQueuesCollector implements Collector {
  private readonly sources: QueueSource[];
  readonly vhost: string;
  /** Last error per source, so a broker that stays down is logged once, not every scrape. */
  private readonly lastError = new Map<string, string | undefined>();
  private readonly transitions: TransitionLog;

  constructor(
    private readonly config: RabbitmqConfig,
    logger: Logger,
  ) {
    this.transitions = new TransitionLog(logger, {
      failing: 'rabbitmq source failed',
      recovered: 'rabbitmq source recovered',
      field: 'err',
    });
    this.vhost = config.vhost ?? (config.url !== undefined ? vhostOfAmqpUrl(config.url) : undefined) ?? '/';
    const wanted = (source: (typeof PREFERENCE)[number]) => config.source === 'auto' || config.source === source;
    this.sources = [];
    if (config.management_url !== undefined && wanted('management')) {
      const fromAmqp = config.url !== undefined ? new URL(config.url) : undefined;
      const management = new URL(config.management_url);
      // The management user defaults to the one in management_url, then to DS's AMQP user (often the same account).
      const credentials =
        config.username !== undefined
          ? { username: config.username, password: config.password }
          : management.username === '' && fromAmqp && fromAmqp.username !== ''
            ? { username: decodeURIComponent(fromAmqp.username), password: decodeURIComponent(fromAmqp.password) }
            : {};
      this.sources.push(new ManagementSource(config.management_url, credentials, config.insecure_skip_verify));
    }
    if (config.prometheus_url !== undefined && wanted('prometheus')) {
      this.sources.push(new PrometheusSource(config.prometheus_url, config.insecure_skip_verify));
    }
    if (config.url !== undefined && wanted('amqp')) {
      this.sources.push(new AmqpSource(config.url, config.insecure_skip_verify, logger));
    }
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    const candidates =
      this.config.queues === 'auto' ? [...CONVERT_TASK_QUEUES, ...OTHER_DS_QUEUES] : this.config.queues;
    const timeoutMs = Math.max(1, Math.min(this.config.timeout, ctx.deadline - Date.now()));
    const results = await Promise.all(
      this.sources.map(async (source) => ({
        source,
        result: await source
          .query(this.vhost, candidates, ctx.signal, timeoutMs)
          .catch((error: unknown): SourceResult => ({ ok: false, error: String(error) })),
      })),
    );

    const up = emit(ctx, UP);
    for (const { source, result } of results) {
      up.push({ labels: { source: source.name }, value: result.ok ? 1 : 0 });
      const error = result.ok ? undefined : result.error;
      this.transitions.record(source.name, { source: source.name }, error);
      this.lastError.set(source.name, error);
    }
    const chosen = PREFERENCE.map((name) => results.find(({ source }) => source.name === name)).find(
      (entry) => entry?.result.ok,
    );
    if (!chosen || !chosen.result.ok) return;
    const found = chosen.result.queues;
    emit(ctx, SOURCE_INFO).push({ labels: { source: chosen.source.name }, value: 1 });

    const exists = emit(ctx, EXISTS);
    const families = {
      ready: emit(ctx, READY),
      unacked: emit(ctx, UNACKED),
      messages: emit(ctx, MESSAGES),
      consumers: emit(ctx, CONSUMERS),
    } as const;
    const rates = emit(ctx, RATES);

    for (const queue of this.reported(candidates, found)) {
      const labels = { vhost: this.vhost, queue };
      const stats: QueueStats | undefined = found.get(queue);
      exists.push({ labels, value: stats ? 1 : 0 });
      if (!stats) continue;
      for (const key of ['ready', 'unacked', 'messages', 'consumers'] as const) {
        const value = stats[key];
        if (value !== undefined) families[key].push({ labels, value });
      }
      for (const operation of RATE_OPERATIONS) {
        const value = stats.rates?.[operation];
        if (value !== undefined) rates.push({ labels: { ...labels, operation }, value });
      }
    }
  }

  /** auto: the task queue name(s) this DS version uses (both when neither exists), plus the other DS queues. */
  private reported(candidates: readonly string[], found: Map<string, QueueStats>): string[] {
    // A queue listed twice is one series.
    if (this.config.queues !== 'auto') return [...new Set(candidates)];
    const tasks = CONVERT_TASK_QUEUES.filter((queue) => found.has(queue));
    return [...(tasks.length > 0 ? tasks : CONVERT_TASK_QUEUES), ...OTHER_DS_QUEUES];
  }

  /** The sources that did not answer in the last scrape (onlyoffice_rabbitmq_up 0), with why. */
  sourceErrors(): ReadonlyMap<string, string> {
    const out = new Map<string, string>();
    for (const [source, error] of this.lastError) if (error !== undefined) out.set(source, error);
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((source) => source.close?.()));
  }
}

const rabbitmqQueues: CollectorDefinition = {
  name: 'rabbitmq_queues',
  scopes: ['metrics'],
  runs: 'scrape',
  create(config, logger) {
    const section = config.rabbitmq;
    if (
      section.enabled === false ||
      (section.url === undefined && section.management_url === undefined && section.prometheus_url === undefined)
    )
      return undefined;
    return new RabbitmqQueuesCollector(section, logger);
  },
};

export default rabbitmqQueues;
