/** Time as the scheduler sees it; tests pass their own to run a day in a few calls. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // unref'd: a pending report never keeps the process from exiting.
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

// setTimeout takes at most 2^31-1 ms; a longer wait is armed in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time at `ms` in `timeZone`, as epoch ms of the same wall time in UTC (seconds precision). */
function wallClock(ms: number, timeZone: string): number {
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    wallFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** The instant of wall time `wall` (epoch ms of that wall time in UTC) in `timeZone`: the earlier of two in a DST overlap, shifted forward in a gap. */
export function zonedInstant(wall: number, timeZone: string): number {
  const first = wall - (wallClock(wall, timeZone) - Math.floor(wall / 1000) * 1000);
  const second = wall - (wallClock(first, timeZone) - Math.floor(first / 1000) * 1000);
  const exact = [first, second].filter((t) => wallClock(t, timeZone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // A wall time that does not exist (spring forward): the instant the offset before the gap gives, which reads as an hour later.
  return Math.max(first, second);
}

/** The first `HH:MM` in `timeZone` strictly after `after` (epoch ms). Uses Intl only, so DST follows the system's zone data. */
export function nextRun(schedule: string, timeZone: string, after: number): number {
  const [hour, minute] = schedule.split(':').map(Number) as [number, number];
  const today = new Date(wallClock(after, timeZone));
  for (let day = 0; day <= 2; day++) {
    const wall = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + day, hour, minute);
    const at = zonedInstant(wall, timeZone);
    if (at > after) return at;
  }
  throw new Error(`no ${schedule} in ${timeZone} within two days of ${new Date(after).toISOString()}`);
}

export interface Plan {
  readonly schedule: string;
  readonly timeZone: string;
}

/**
 * Runs `run` once a day at the plan's HH:MM: one timer, armed for the next run and re-armed when it fires or the plan is
 * set again (a reload). A run's time is remembered, so a reload right after a run, or a timer that fires a little early,
 * never runs the same day's report twice.
 */
export class DailySchedule {
  private plan: Plan | undefined;
  private timer: unknown;
  private next: number | undefined;
  private last = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly run: (at: number) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  /** When the next run is due (epoch ms), or undefined when nothing is planned. */
  get nextAt(): number | undefined {
    return this.next;
  }

  /** A new plan (or none): re-arms the timer. */
  set(plan: Plan | undefined): void {
    if (this.closed) return;
    this.plan = plan;
    this.arm();
  }

  close(): void {
    this.closed = true;
    this.plan = undefined;
    this.arm();
  }

  private arm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.next = undefined;
    const plan = this.plan;
    if (!plan) return;
    const now = this.clock.now();
    const next = nextRun(plan.schedule, plan.timeZone, Math.max(now, this.last));
    this.next = next;
    this.timer = this.clock.setTimeout(() => this.fire(next), Math.min(Math.max(next - now, 0), MAX_TIMER_MS));
  }

  private fire(due: number): void {
    this.timer = undefined;
    if (this.clock.now() < due) {
      // Early (a step of a long wait, or clocks disagreeing by a millisecond): wait for the rest.
      this.arm();
      return;
    }
    this.last = due;
    // Re-armed before the run, from the run's own time: a reload during the run plans tomorrow.
    this.arm();
    this.run(due);
  }
}
