import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { NotifyConfig } from '../config/sections/notify.js';
import { counterFamily, emit, gaugeFamily } from '../metrics/family.js';
import { dingtalkAdapter, dingtalkMentionText, wecomAdapter, wecomMentionText } from './channels.js';
import type { Alert } from './payload.js';
import { reportMessage, type ReportContent } from './report.js';
import type { Channel, RenderedMessage } from './render.js';
import { MESSAGE_RESULTS, Robot, type ReportResult, type RobotSettings } from './robot.js';
import { loadTemplate } from '../templates/load.js';

/** What the server needs: metrics on every /metrics scrape, and close on reload and shutdown. */
export interface Notifier {
  collect(registry: Registry): void;
  close(): Promise<void>;
  /** Sends the daily report to `channel/name` (fitted to that robot); undefined when no such robot is configured. */
  sendReport?(channel: string, name: string, content: ReportContent): Promise<ReportResult> | undefined;
  reportLanguage?(channel: string, name: string): 'zh-CN' | 'en';
}

// The notifier's families, declared once; each /metrics scrape adds the robots' rows (collect).
const MESSAGES = counterFamily(
  'onlyoffice_notify_messages_total',
  'Messages sent to chat robots by outcome: sent (errcode 0), retried (throttled, 5xx, network; kept queued), rejected (refused by the robot: signature, keyword, key, size), dropped (given up).',
  ['channel', 'robot', 'result'],
);
const QUEUE = gaugeFamily(
  'onlyoffice_notify_queue_length',
  'Alerts waiting for delivery to the robot (a newer state of a queued alert replaces the older one).',
  ['channel', 'robot'],
);
const LAST_SUCCESS = gaugeFamily(
  'onlyoffice_notify_last_success_timestamp_seconds',
  'When the robot last accepted a message (errcode 0); 0 until the first one.',
  ['channel', 'robot'],
);
const REQUESTS = counterFamily(
  'onlyoffice_notify_requests_total',
  'Alertmanager webhook requests to /notify/<channel>/<robot> by HTTP status answered (503: Alertmanager retries).',
  ['channel', 'robot', 'code'],
);
const REPORTS = counterFamily(
  'onlyoffice_notify_reports_total',
  'Daily reports (notify.report, doctor --notify) by outcome: sent, retried (kept, sent again after a backoff), rejected, ' +
    'dropped (replaced by a newer report or refused as too large).',
  ['channel', 'robot', 'result'],
);

// Notifiers alive now, and undelivered alerts of closed ones waiting for a successor (config reload).
const live = new Set<RobotNotifier>();
const orphans = new Map<string, Alert[]>();
const orphanReports = new Map<string, RenderedMessage>();

const robotKey = (channel: Channel, name: string) => `${channel}/${name}`;

export class RobotNotifier implements Notifier {
  private readonly robots = new Map<string, Robot>();
  private readonly expectedAuth: Buffer;
  private readonly authScheme: 'Bearer' | 'Basic';
  private closing: Promise<void> | undefined;

  constructor(
    readonly config: NotifyConfig,
    private readonly logger: Logger,
  ) {
    const auth = config.auth;
    if (!auth) throw new Error('notify.auth is required when robots are configured');
    if (auth.bearer_token !== undefined) {
      this.authScheme = 'Bearer';
      this.expectedAuth = digest(auth.bearer_token);
    } else {
      this.authScheme = 'Basic';
      this.expectedAuth = digest(`${auth.username}:${auth.password}`);
    }
    const common = {
      rateLimit: { messages: config.rate_limit.messages, windowMs: config.rate_limit.window },
      timeoutMs: config.timeout,
      initialBackoffMs: config.retry.initial_backoff,
      maxBackoffMs: config.retry.max_backoff,
      maxAlerts: config.queue.max_alerts,
      maxBytes: config.queue.max_bytes,
      refuseAfterFailures: config.queue.refuse_after_failures,
    };
    const renderBase = (channel: Channel, template: string, language: 'zh-CN' | 'en') => ({
      channel,
      template: loadTemplate(template, language, config.templates_dir),
      language,
      timeZone: config.timezone,
      labels: config.labels,
    });
    for (const [name, robot] of Object.entries(config.dingtalk)) {
      const language = robot.language ?? config.language;
      this.add({
        name,
        adapter: dingtalkAdapter({ url: robot.url, secret: robot.secret, mention: robot.mention }),
        render: {
          ...renderBase('dingtalk', robot.template, language),
          mentionText: dingtalkMentionText(robot.mention),
          mentionResolved: robot.mention.resolved,
          keyword: robot.keyword,
        },
        ...common,
      });
    }
    for (const [name, robot] of Object.entries(config.wecom)) {
      const language = robot.language ?? config.language;
      this.add({
        name,
        adapter: wecomAdapter({ url: robot.url }),
        render: {
          ...renderBase('wecom', robot.template, language),
          mentionText: wecomMentionText(robot.mention),
          mentionResolved: robot.mention.resolved,
        },
        ...common,
      });
    }
    for (const [key, robot] of this.robots) {
      const waiting = orphans.get(key);
      if (waiting) {
        orphans.delete(key);
        robot.adopt(waiting);
        this.logger.info(
          { channel: robot.channel, robot: robot.name, alerts: waiting.length },
          'took over undelivered alerts from the previous configuration',
        );
      }
      const report = orphanReports.get(key);
      if (report) {
        orphanReports.delete(key);
        void robot.offerReport(report);
      }
    }
    live.add(this);
  }

  private add(settings: RobotSettings): void {
    const robot = new Robot(settings, this.logger.child({ channel: settings.adapter.channel, robot: settings.name }));
    this.robots.set(robotKey(settings.adapter.channel, settings.name), robot);
  }

  robot(channel: string, name: string): Robot | undefined {
    return channel === 'dingtalk' || channel === 'wecom' ? this.robots.get(robotKey(channel, name)) : undefined;
  }

  /** Queues a report for `channel/name` (notify.report.to); undefined for a robot that is not configured. */
  sendReport(channel: string, name: string, content: ReportContent): Promise<ReportResult> | undefined {
    const robot = this.robot(channel, name);
    return robot?.offerReport(reportMessage(content, robot.settings.adapter, robot.settings.render.keyword));
  }

  /** The language a report to `channel/name` is written in: notify.report.language, else the robot's, else notify.language. */
  reportLanguage(channel: string, name: string): 'zh-CN' | 'en' {
    const robots: Record<string, { language?: 'zh-CN' | 'en' } | undefined> =
      channel === 'wecom' ? this.config.wecom : this.config.dingtalk;
    return (
      this.config.report?.language ??
      (Object.hasOwn(robots, name) ? robots[name]?.language : undefined) ??
      this.config.language
    );
  }

  get maxRequestBytes(): number {
    return this.config.max_request_bytes;
  }

  /** Timing-safe check of an Authorization header against the configured bearer token or basic credentials. */
  authorized(header: string | undefined): boolean {
    if (typeof header !== 'string') return false;
    const match = /^(\S+)\s+(\S+)\s*$/.exec(header);
    if (!match || match[1]!.toLowerCase() !== this.authScheme.toLowerCase()) return false;
    let presented = match[2]!;
    if (this.authScheme === 'Basic') {
      presented = Buffer.from(presented, 'base64').toString('utf8');
    }
    return timingSafeEqual(digest(presented), this.expectedAuth);
  }

  get authChallenge(): string {
    return this.authScheme === 'Bearer'
      ? 'Bearer realm="onlyoffice-exporter notify"'
      : 'Basic realm="onlyoffice-exporter notify", charset="UTF-8"';
  }

  collect(registry: Registry): void {
    const ctx = { registry };
    const messages = emit(ctx, MESSAGES);
    const queue = emit(ctx, QUEUE);
    const lastSuccess = emit(ctx, LAST_SUCCESS);
    const requests = emit(ctx, REQUESTS);
    const reports = emit(ctx, REPORTS);
    for (const robot of this.robots.values()) {
      const labels = { channel: robot.channel, robot: robot.name };
      for (const result of MESSAGE_RESULTS)
        messages.push({ labels: { ...labels, result }, value: robot.resultCount(result) });
      for (const result of MESSAGE_RESULTS)
        reports.push({ labels: { ...labels, result }, value: robot.reportCount(result) });
      queue.push({ labels, value: robot.queueLength });
      lastSuccess.push({ labels, value: robot.lastSuccessSeconds });
      for (const [code, count] of robot.answerCounts())
        requests.push({ labels: { ...labels, code: String(code) }, value: count });
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    live.delete(this);
    await Promise.all(
      [...this.robots].map(async ([key, robot]) => {
        const left = await robot.close();
        const successor = [...live].map((notifier) => notifier.robots.get(key)).find((found) => found !== undefined);
        const report = robot.takeLeftReport();
        if (report && successor) void successor.offerReport(report);
        else if (report) orphanReports.set(key, report);
        if (left.length === 0) return;
        if (successor) {
          successor.adopt(left);
          this.logger.info(
            { channel: robot.channel, robot: robot.name, alerts: left.length },
            'handed undelivered alerts to the new configuration',
          );
        } else {
          // Kept for a notifier created after this one closes (the runtime closes before it creates).
          orphans.set(key, [...(orphans.get(key) ?? []), ...left]);
          this.logger.warn(
            { channel: robot.channel, robot: robot.name, alerts: left.length },
            'notifier closed with undelivered alerts; a reloaded configuration with this robot delivers them, a shutdown loses them',
          );
        }
      }),
    );
  }
}

function digest(text: string): Buffer {
  // Equal-length digests let timingSafeEqual compare secrets of any length.
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A notifier for `config.notify`, or undefined when no robot is configured. */
export function createNotifier(config: Config, logger: Logger): RobotNotifier | undefined {
  const notify = config.notify;
  if (Object.keys(notify.dingtalk).length + Object.keys(notify.wecom).length === 0) return undefined;
  return new RobotNotifier(notify, logger.child({ component: 'notify' }));
}
