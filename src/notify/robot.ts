import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { httpRequest } from '../lib/http.js';
import type { ChannelAdapter } from './channels.js';
import { pack } from './pack.js';
import { alertBytes, type Alert } from './payload.js';
import { SlidingWindowLimiter } from './ratelimit.js';
import { renderMessage, type RenderedMessage, type RenderOptions } from './render.js';

export const MESSAGE_RESULTS = ['sent', 'retried', 'rejected', 'dropped'] as const;
export type MessageResult = (typeof MESSAGE_RESULTS)[number];

/** How a report offered to a robot ended: delivered, replaced by a newer one or too large, or the robot closed first. */
export type ReportResult = 'sent' | 'dropped' | 'closed';

interface PendingReport {
  readonly message: RenderedMessage;
  readonly settle: (result: ReportResult) => void;
}

export interface RobotSettings {
  readonly name: string;
  readonly adapter: ChannelAdapter;
  readonly render: RenderOptions;
  readonly rateLimit: { messages: number; windowMs: number };
  readonly timeoutMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxAlerts: number;
  /** notify.queue.max_bytes: alertBytes of the queued alerts. */
  readonly maxBytes: number;
  readonly refuseAfterFailures: number;
}

export type OfferResult =
  | { accepted: true; queued: number }
  | { accepted: false; reason: 'queue_full' | 'failing' | 'closed'; message: string };

// A 2xx answer from a robot is a few dozen bytes; anything larger is not a robot.
const MAX_ANSWER_BYTES = 64 * 1024;
// How far a too-large answer (460101/40058) may shrink the size budget before the head alert is given up.
const MAX_SHRINK = 8;

/**
 * One configured robot: a bounded queue of alert states keyed by fingerprint (a newer state of a queued
 * alert replaces the older one in place, keeping its turn), drained in order by one loop that keeps to
 * the rate limit, packs as many alerts per message as the robot's size limit allows, and retries with
 * exponential backoff. An alert leaves the queue only when a robot answered errcode 0 for a message
 * carrying that very state.
 */
export class Robot {
  private readonly queue = new Map<string, Alert>();
  /** alertBytes of everything in the queue. */
  private bytes = 0;
  private readonly limiter: SlidingWindowLimiter;
  private readonly stop = new AbortController();
  private readonly results: Record<MessageResult, number> = { sent: 0, retried: 0, rejected: 0, dropped: 0 };
  private readonly answers = new Map<number, number>();
  private readonly reportResults: Record<MessageResult, number> = { sent: 0, retried: 0, rejected: 0, dropped: 0 };
  /** The daily report waiting for delivery: one at a time, a newer one replaces it. */
  private report: PendingReport | undefined;
  /** The report being sent now: one replaced meanwhile is counted by how that attempt ends. */
  private sending: PendingReport | undefined;
  /** A report still undelivered when the robot closed, for the next configuration's robot. */
  private leftReport: RenderedMessage | undefined;
  private closed = false;
  private failures = 0;
  private retryAt = 0;
  private shrink = 1;
  private lastSuccessMs = 0;
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(
    readonly settings: RobotSettings,
    private readonly logger: Logger,
  ) {
    this.limiter = new SlidingWindowLimiter(settings.rateLimit.messages, settings.rateLimit.windowMs);
    this.loop = this.run();
  }

  get channel() {
    return this.settings.adapter.channel;
  }

  get name() {
    return this.settings.name;
  }

  get queueLength(): number {
    return this.queue.size;
  }

  get queueBytes(): number {
    return this.bytes;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  get lastSuccessSeconds(): number {
    return this.lastSuccessMs / 1000;
  }

  resultCount(result: MessageResult): number {
    return this.results[result];
  }

  /** Reports (notify.report) by outcome; each also counts as a message. */
  reportCount(result: MessageResult): number {
    return this.reportResults[result];
  }

  /** The undelivered report the robot closed with, once. */
  takeLeftReport(): RenderedMessage | undefined {
    const left = this.leftReport;
    this.leftReport = undefined;
    return left;
  }

  /**
   * Queues a report (one message, already fitted to the robot's size limit) ahead of queued alerts. It goes through the
   * same rate limit, signing and backoff, and is retried until delivered, replaced by a newer report, or the robot closes.
   */
  offerReport(message: RenderedMessage): Promise<ReportResult> {
    if (this.closed) return Promise.resolve('closed');
    return new Promise((settle) => {
      const previous = this.report;
      if (previous && previous !== this.sending) this.drop(previous);
      this.report = { message, settle };
      this.wake?.();
    });
  }

  /** Webhook requests answered, by HTTP status. */
  answerCounts(): ReadonlyMap<number, number> {
    return this.answers;
  }

  countAnswer(status: number): void {
    this.answers.set(status, (this.answers.get(status) ?? 0) + 1);
  }

  /**
   * Takes a notification's alerts, all or nothing. Refused while the robot keeps failing (so the
   * alerts stay with Alertmanager, which retries) or when they would overflow the queue.
   */
  offer(alerts: readonly Alert[]): OfferResult {
    if (this.closed)
      return { accepted: false, reason: 'closed', message: 'the notifier is reloading or shutting down' };
    if (this.failures >= this.settings.refuseAfterFailures) {
      return {
        accepted: false,
        reason: 'failing',
        message:
          `robot ${this.name} failed ${this.failures} ${this.failures === 1 ? 'delivery' : 'deliveries'} in a row; ` +
          `${this.queue.size} ${this.queue.size === 1 ? 'alert waits' : 'alerts wait'} for it`,
      };
    }
    const fresh = new Set(
      alerts.filter((alert) => !this.queue.has(alert.fingerprint)).map((alert) => alert.fingerprint),
    );
    if (this.queue.size + fresh.size > this.settings.maxAlerts) {
      return {
        accepted: false,
        reason: 'queue_full',
        message: `queue of robot ${this.name} is full (${this.queue.size} of ${this.settings.maxAlerts} alerts)`,
      };
    }
    // The last state of each alert replaces what is queued under its fingerprint.
    const incoming = new Map(alerts.map((alert) => [alert.fingerprint, alert]));
    let bytes = this.bytes;
    for (const [fingerprint, alert] of incoming) {
      const queued = this.queue.get(fingerprint);
      bytes += alertBytes(alert) - (queued ? alertBytes(queued) : 0);
    }
    // An empty queue takes any notification max_alerts allows: one that can never fit would be retried forever.
    if (bytes > this.settings.maxBytes && this.queue.size > 0) {
      return {
        accepted: false,
        reason: 'queue_full',
        message: `queue of robot ${this.name} is full (${this.bytes} of ${this.settings.maxBytes} bytes, notify.queue.max_bytes)`,
      };
    }
    for (const alert of alerts) this.queue.set(alert.fingerprint, alert);
    this.bytes = bytes;
    this.wake?.();
    return { accepted: true, queued: this.queue.size };
  }

  /** Alerts handed over from the previous configuration: they go first, unless a newer state is already queued. */
  adopt(alerts: readonly Alert[]): void {
    if (alerts.length === 0) return;
    const current = [...this.queue.entries()];
    this.queue.clear();
    for (const alert of alerts) this.queue.set(alert.fingerprint, alert);
    for (const [key, alert] of current) this.queue.set(key, alert);
    this.bytes = 0;
    for (const alert of this.queue.values()) this.bytes += alertBytes(alert);
    this.wake?.();
  }

  /** Stops the loop (an attempt under way finishes first) and returns what was not delivered. */
  async close(): Promise<Alert[]> {
    this.closed = true;
    this.stop.abort();
    this.wake?.();
    await this.loop;
    const report = this.report;
    this.report = undefined;
    if (report) {
      this.leftReport = report.message;
      report.settle('closed');
    }
    const left = [...this.queue.values()];
    this.queue.clear();
    this.bytes = 0;
    return left;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        if (this.queue.size === 0 && this.report === undefined) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          this.wake = undefined;
          continue;
        }
        const now = Date.now();
        const wait = Math.max(this.limiter.delay(now), this.retryAt - now);
        if (wait > 0) {
          await this.pause(wait);
          continue;
        }
        await (this.report ? this.deliverReport(this.report) : this.deliverNext());
      } catch (error) {
        // A bug here must not end deliveries for good.
        this.logger.error({ err: (error as Error).message }, 'notify loop failed; retrying');
        await this.pause(this.settings.maxBackoffMs);
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stop.signal });
    } catch {
      // aborted by close()
    }
  }

  private async deliverNext(): Promise<void> {
    const { adapter, render } = this.settings;
    const snapshot = [...this.queue.values()];
    const budget = Math.floor(adapter.limit / this.shrink);
    const packed = pack(
      snapshot,
      (alerts, remaining, limit) => renderMessage(alerts, remaining, render, limit),
      (message) => adapter.size(message),
      budget,
    );
    if (!packed) {
      this.take(snapshot.slice(0, 1));
      this.results.dropped++;
      this.logger.error(
        { fingerprint: snapshot[0]!.fingerprint, budget },
        'alert cannot fit in any message for this robot; dropped',
      );
      return;
    }
    const outcome = await this.send(packed.message);
    const carried = snapshot.slice(0, packed.count);
    switch (outcome.kind) {
      case 'sent':
        this.take(carried);
        this.results.sent++;
        this.failures = 0;
        this.retryAt = 0;
        this.shrink = 1;
        this.lastSuccessMs = Date.now();
        if (packed.truncated)
          this.logger.warn(
            { fingerprint: carried[0]!.fingerprint },
            'alert was too large for one message and was shortened',
          );
        this.logger.debug({ alerts: packed.count, queued: this.queue.size }, 'message delivered');
        return;
      case 'retry':
        this.results.retried++;
        this.failed(outcome.reason, 'warn');
        return;
      case 'rejected':
        // Signature, keyword, key, IP allow-list: every later message would fail the same way, so keep them queued.
        this.results.rejected++;
        this.failed(outcome.reason, 'error');
        return;
      case 'too_large':
        this.results.rejected++;
        if (this.shrink < MAX_SHRINK) {
          this.shrink *= 2;
          this.logger.warn(
            { reason: outcome.reason, budget: Math.floor(adapter.limit / this.shrink) },
            'robot found the message too large; sending smaller ones',
          );
          return;
        }
        this.take(carried);
        this.results.dropped += 1;
        this.shrink = 1;
        this.logger.error(
          { reason: outcome.reason, alerts: carried.length },
          'robot refuses even small messages as too large; alerts dropped',
        );
        return;
    }
  }

  private drop(report: PendingReport): void {
    this.reportResults.dropped++;
    this.logger.warn('an undelivered report was replaced by a newer one');
    report.settle('dropped');
  }

  private async deliverReport(report: PendingReport): Promise<void> {
    const { adapter } = this.settings;
    this.sending = report;
    let outcome;
    try {
      outcome = await this.send(report.message);
    } finally {
      this.sending = undefined;
    }
    const current = this.report === report;
    // Replaced while it was under way and not taken: the newer one goes instead.
    if (!current && outcome.kind !== 'sent' && outcome.kind !== 'too_large') this.drop(report);
    switch (outcome.kind) {
      case 'sent':
        if (current) this.report = undefined;
        this.results.sent++;
        this.reportResults.sent++;
        this.failures = 0;
        this.retryAt = 0;
        this.lastSuccessMs = Date.now();
        this.logger.info('report delivered');
        report.settle('sent');
        return;
      case 'retry':
        this.results.retried++;
        this.reportResults.retried++;
        this.failed(outcome.reason, 'warn');
        return;
      case 'rejected':
        // Like alerts: signature, keyword or key are wrong for every message; kept until fixed or replaced.
        this.results.rejected++;
        this.reportResults.rejected++;
        this.failed(outcome.reason, 'error');
        return;
      case 'too_large':
        // The report was fitted to adapter.limit: a robot with a smaller limit will not take a resend either.
        this.results.rejected++;
        this.reportResults.rejected++;
        this.reportResults.dropped++;
        if (current) this.report = undefined;
        this.logger.error(
          { reason: outcome.reason, limit: adapter.limit },
          'robot refuses the report as too large; dropped',
        );
        report.settle('dropped');
        return;
    }
  }

  private async send(message: RenderedMessage) {
    const { adapter } = this.settings;
    const { url, body } = adapter.request(message, Date.now());
    const answer = await httpRequest({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      signal: new AbortController().signal,
      timeoutMs: this.settings.timeoutMs,
      maxBodyBytes: MAX_ANSWER_BYTES,
    });
    // Counted from the answer: the robot counted it on arrival, somewhere between sending and now.
    this.limiter.record(Date.now());
    return adapter.classify(answer);
  }

  private failed(reason: string, level: 'warn' | 'error'): void {
    this.failures++;
    const backoff = Math.min(
      this.settings.maxBackoffMs,
      this.settings.initialBackoffMs * 2 ** Math.min(this.failures - 1, 30),
    );
    this.retryAt = Date.now() + backoff;
    this.logger[level](
      { reason, failures: this.failures, retry_in_ms: backoff, queued: this.queue.size },
      'robot did not take the message; will retry',
    );
  }

  /** Removes alerts a robot took, unless a newer state replaced them meanwhile. */
  private take(alerts: readonly Alert[]): void {
    for (const alert of alerts) {
      if (this.queue.get(alert.fingerprint) === alert) {
        this.queue.delete(alert.fingerprint);
        this.bytes -= alertBytes(alert);
      }
    }
  }
}
