import { httpRequest } from '../lib/http.js';
import { basicAuth, splitCredentials } from './http-base.js';
import { RATE_OPERATIONS, type QueueSource, type QueueStats, type SourceResult } from './types.js';

interface ManagementQueue {
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  message_stats?: Record<string, { rate?: number } | number | undefined>;
}

const MAX_BODY = 1024 * 1024;

/** RabbitMQ management HTTP API: GET /api/queues/{vhost}/{name}, 404 = no such queue. Stats lag about 5 s. */
export class ManagementSource implements QueueSource {
  readonly name = 'management' as const;
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(
    url: string,
    credentials: { username?: string; password?: string },
    private readonly insecureSkipVerify: boolean,
  ) {
    const split = splitCredentials(url);
    this.base = split.base;
    this.headers = {
      accept: 'application/json',
      ...basicAuth(
        credentials.username ?? split.username,
        credentials.username !== undefined ? credentials.password : split.password,
      ),
    };
  }

  async query(vhost: string, queues: readonly string[], signal: AbortSignal, timeoutMs: number): Promise<SourceResult> {
    const answers = await Promise.all(
      queues.map(async (queue) => {
        const result = await httpRequest({
          url: `${this.base}/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`,
          headers: this.headers,
          signal,
          timeoutMs,
          maxBodyBytes: MAX_BODY,
          insecureSkipVerify: this.insecureSkipVerify,
        });
        return { queue, result };
      }),
    );
    const found = new Map<string, QueueStats>();
    for (const { queue, result } of answers) {
      if (!result.ok) return { ok: false, error: `management API: ${result.message}` };
      if (result.status === 404) continue;
      if (result.status === 401)
        return { ok: false, error: 'management API: 401 unauthorized (check rabbitmq.username/password)' };
      if (result.status !== 200) return { ok: false, error: `management API: HTTP ${result.status}` };
      let body: ManagementQueue;
      try {
        body = JSON.parse(result.body) as ManagementQueue;
      } catch {
        return { ok: false, error: 'management API: not JSON' };
      }
      found.set(queue, statsOf(body));
    }
    return { ok: true, queues: found };
  }
}

function statsOf(body: ManagementQueue): QueueStats {
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  // A queue declared moments ago has no counts until its first stats emission: leave them out rather than say 0.
  const stats: QueueStats = {
    ready: number(body.messages_ready),
    unacked: number(body.messages_unacknowledged),
    messages: number(body.messages),
    consumers: number(body.consumers),
    rates: {},
  };
  for (const operation of RATE_OPERATIONS) {
    const details = body.message_stats?.[`${operation}_details`];
    // message_stats appears only after the first message: no activity yet is a rate of 0.
    stats.rates![operation] = typeof details === 'object' ? (number(details.rate) ?? 0) : 0;
  }
  return stats;
}
