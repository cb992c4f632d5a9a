import { httpRequest } from '../lib/http.js';
import { basicAuth, splitCredentials } from './http-base.js';
import type { QueueSource, QueueStats, SourceResult } from './types.js';

const MAX_BODY = 16 * 1024 * 1024;
const SAMPLE = /^rabbitmq_(?:detailed_)?queue_(messages_ready|messages_unacked|messages|consumers)\{([^}]*)\}\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const FIELD = {
  messages_ready: 'ready',
  messages_unacked: 'unacked',
  messages: 'messages',
  consumers: 'consumers',
} as const;

/**
 * rabbitmq_prometheus (port 15692): `/metrics/detailed` with the two queue families (3.10+), else
 * `/metrics/per-object` on older plugins. Each node lists only the queues it hosts.
 */
export class PrometheusSource implements QueueSource {
  readonly name = 'prometheus' as const;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private detailedMissing = false;

  constructor(
    url: string,
    private readonly insecureSkipVerify: boolean,
  ) {
    const split = splitCredentials(url);
    this.base = split.base;
    this.headers = basicAuth(split.username, split.password);
  }

  async query(vhost: string, queues: readonly string[], signal: AbortSignal, timeoutMs: number): Promise<SourceResult> {
    const detailed = `${this.base}/metrics/detailed?vhost=${encodeURIComponent(vhost)}&family=queue_coarse_metrics&family=queue_consumer_count`;
    let result = this.detailedMissing ? undefined : await this.get(detailed, signal, timeoutMs);
    if (result === undefined || (result.ok && result.status === 404)) {
      this.detailedMissing = true;
      result = await this.get(`${this.base}/metrics/per-object`, signal, timeoutMs);
    }
    if (!result.ok) return { ok: false, error: `prometheus plugin: ${result.message}` };
    if (result.status !== 200) return { ok: false, error: `prometheus plugin: HTTP ${result.status}` };
    return { ok: true, queues: parseQueueMetrics(result.body, vhost, queues) };
  }

  private get(url: string, signal: AbortSignal, timeoutMs: number) {
    return httpRequest({
      url,
      headers: this.headers,
      signal,
      timeoutMs,
      maxBodyBytes: MAX_BODY,
      insecureSkipVerify: this.insecureSkipVerify,
    });
  }
}

/** Queue numbers of `vhost` from the plugin's text exposition, for the queues asked for. */
export function parseQueueMetrics(text: string, vhost: string, queues: readonly string[]): Map<string, QueueStats> {
  const wanted = new Set(queues);
  const found = new Map<string, QueueStats>();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, raw] of match[2]!.matchAll(LABEL))
      labels[key!] = raw!.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    if (labels.vhost !== vhost || labels.queue === undefined || !wanted.has(labels.queue)) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    const stats = found.get(labels.queue) ?? {};
    stats[FIELD[match[1] as keyof typeof FIELD]] = value;
    found.set(labels.queue, stats);
  }
  return found;
}
