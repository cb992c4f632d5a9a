/** What one source knows about one queue; a source that cannot tell a number leaves it out. */
export interface QueueStats {
  ready?: number;
  unacked?: number;
  messages?: number;
  consumers?: number;
  /** Messages per second over the management API's sampling window, by operation. */
  rates?: Partial<Record<RateOperation, number>>;
}

export const RATE_OPERATIONS = ['publish', 'deliver_get', 'ack', 'redeliver'] as const;
export type RateOperation = (typeof RATE_OPERATIONS)[number];

export type SourceName = 'management' | 'prometheus' | 'amqp';

/** Queues found among those asked for (absent = does not exist), or why the source could not answer. */
export type SourceResult = { ok: true; queues: Map<string, QueueStats> } | { ok: false; error: string };

export interface QueueSource {
  readonly name: SourceName;
  query(vhost: string, queues: readonly string[], signal: AbortSignal, timeoutMs: number): Promise<SourceResult>;
  close?(): Promise<void>;
}
