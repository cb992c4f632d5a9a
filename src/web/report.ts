import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { fleetOf } from '../config/sections/probe.js';
import type { Diagnosis } from '../doctor/model.js';
import { inspectionReport } from '../doctor/report.js';
import { queryTrends } from '../doctor/trends.js';
import { ROBOT_REF } from '../config/sections/notify.js';
import { formatTime } from '../notify/render.js';
import type { ReportResult } from '../notify/robot.js';
import { DailySchedule, systemClock, type Clock } from '../notify/schedule.js';
import type { Generation, Runtime } from '../runtime.js';
import { StatusView } from './status.js';

/** The outcome of one robot's report: what the robot did, or `not_configured`. */
export interface ReportSent {
  readonly to: string;
  readonly result: ReportResult | 'not_configured';
}

/**
 * Sends the doctor's diagnosis to the robots of `to` as one message each, through their delivery queues. `diagnosis` and
 * `fleet` come from the caller: the daemon's status view (its running collectors) or the doctor's one-shot run.
 * Resolves when every robot has delivered it, dropped it, or closed.
 */
export async function sendReport(
  generation: Pick<Generation, 'config' | 'notifier'>,
  to: readonly string[],
  diagnosis: Diagnosis,
  fleet: readonly Diagnosis[] | undefined,
): Promise<ReportSent[]> {
  const notify = generation.config.notify;
  const timeZone = notify.report?.timezone ?? notify.timezone;
  const checkedAt = formatTime(Date.parse(diagnosis.checkedAt), timeZone);
  // Asked once for all robots; a Prometheus that does not answer is a line of the report, not a lost report.
  const prometheus = notify.report?.prometheus_url;
  const trends = prometheus !== undefined ? await queryTrends(prometheus, notify.timeout) : undefined;
  return Promise.all(
    to.map(async (ref) => {
      const match = ROBOT_REF.exec(ref);
      const notifier = generation.notifier;
      if (!match || !notifier?.sendReport || !notifier.reportLanguage)
        return { to: ref, result: 'not_configured' as const };
      const [, channel, name] = match as unknown as [string, string, string];
      const content = inspectionReport(diagnosis, fleet, notifier.reportLanguage(channel, name), checkedAt, trends);
      const pending = notifier.sendReport(channel, name, content);
      return { to: ref, result: pending ? await pending : ('not_configured' as const) };
    }),
  );
}

/**
 * The daily inspection report of the daemon: a timer for notify.report.schedule, re-armed on every reload and cleared
 * when the server closes. The diagnosis comes from the status page's view, so the running collectors are reused.
 */
export class ReportService {
  private readonly schedule: DailySchedule;
  private readonly view: StatusView;
  private readonly unsubscribe: () => void;
  /** The last run, for tests and logs. */
  last: Promise<ReportSent[]> | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    clock: Clock = systemClock,
    view?: StatusView,
  ) {
    this.view = view ?? new StatusView(runtime, logger);
    this.schedule = new DailySchedule(() => {
      this.last = this.runNow();
      void this.last.catch(() => undefined);
    }, clock);
    this.unsubscribe = runtime.onLoad((generation) => this.configure(generation));
    if (runtime.generation) this.configure(runtime.generation);
  }

  /** When the next report is due (epoch ms), undefined when none is configured. */
  get nextAt(): number | undefined {
    return this.schedule.nextAt;
  }

  private configure(generation: Generation): void {
    const { notify } = generation.config;
    const report = notify.report;
    this.schedule.set(
      report && generation.notifier
        ? { schedule: report.schedule, timeZone: report.timezone ?? notify.timezone }
        : undefined,
    );
    if (report)
      this.logger.info(
        { next: new Date(this.schedule.nextAt ?? 0).toISOString(), to: report.to },
        'daily report scheduled',
      );
  }

  /** Builds the report from the current generation and sends it to notify.report.to. */
  async runNow(): Promise<ReportSent[]> {
    const generation = this.runtime.generation;
    const report = generation?.config.notify.report;
    if (!generation || !report) return [];
    try {
      const diagnosis = await this.view.current();
      if (!diagnosis) return [];
      const fleet =
        fleetOf(generation.config).targets.length > 0
          ? (await this.view.fleet())?.map((entry) => entry.diagnosis)
          : undefined;
      const sent = await sendReport(generation, report.to, diagnosis, fleet);
      this.logger.info({ sent }, 'daily report done');
      return sent;
    } catch (error) {
      this.logger.error({ err: (error as Error).message }, 'daily report failed');
      throw error;
    }
  }

  close(): void {
    this.unsubscribe();
    this.schedule.close();
  }
}

/** Starts the daily report with the server and stops it when the server closes. */
export function registerReportSchedule(
  app: FastifyInstance,
  runtime: Runtime,
  logger: Logger,
  view?: StatusView,
): ReportService {
  const service = new ReportService(runtime, logger.child({ component: 'report' }), systemClock, view);
  app.addHook('onClose', async () => service.close());
  return service;
}
