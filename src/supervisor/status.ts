/** Supervisor's process states (supervisor.states.ProcessStates), plus UNKNOWN for anything else. */
export const SUPERVISOR_STATES = [
  'RUNNING',
  'STARTING',
  'BACKOFF',
  'STOPPING',
  'STOPPED',
  'EXITED',
  'FATAL',
  'UNKNOWN',
] as const;
export type SupervisorState = (typeof SUPERVISOR_STATES)[number];

export interface ProgramStatus {
  /** As supervisor names it: `group:name` (ds:docservice), or the systemd unit as configured. */
  program: string;
  state: SupervisorState;
  /** Only for RUNNING programs whose uptime was printed. */
  uptimeSeconds: number | undefined;
  description: string;
}

/**
 * How the check itself went: `ok` (supervisorctl answered), `error` (it printed an error, is missing, exited with
 * nothing), `hung` (it did not finish within supervisor_timeout, or an earlier one still runs in the container),
 * `exec_failed` (the Docker exec API failed), `not_running` (the container is not running).
 */
export const CHECK_STATES = ['ok', 'error', 'hung', 'exec_failed', 'not_running'] as const;
export type CheckState = (typeof CHECK_STATES)[number];

/** The DS image runs fewer than 10 programs: more than this is not supervisorctl status output worth a series each. */
export const MAX_PROGRAMS = 64;

export interface SupervisorReport {
  /** supervisorctl reached supervisord (or systemctl answered). */
  up: boolean;
  programs: ProgramStatus[];
  /** Why `up` is false: the first line supervisorctl printed, e.g. "unix:///var/run/supervisor.sock no such file". */
  error: string | undefined;
  check: CheckState;
  /** Program lines past MAX_PROGRAMS, left out. */
  dropped: number;
}

/** A check that produced no program list. */
export function failedReport(check: Exclude<CheckState, 'ok'>, error: string): SupervisorReport {
  return { up: false, programs: [], error, check, dropped: 0 };
}

// supervisorctl prints '%(name)-32s %(state)-10s %(desc)s' per process.
const PROCESS_LINE = new RegExp(`^(\\S+)\\s+(${SUPERVISOR_STATES.join('|')})(?:\\s+(.*))?$`);
// datetime.timedelta as str(): "0:00:05", "1:02:03", "1 day, 0:00:01", "2 days, 3:04:05".
const UPTIME = /\buptime (?:(\d+) days?, )?(\d+):(\d{2}):(\d{2})\b/;

export function parseUptime(description: string): number | undefined {
  const match = UPTIME.exec(description);
  if (!match) return undefined;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86_400 + Number(hours) * 3_600 + Number(minutes) * 60 + Number(seconds);
}

/**
 * `supervisorctl status` output and exit code. Exit 3 only says some program is not RUNNING, so any
 * process line means supervisord answered. With none, the first other line is the error
 * (`unix:///var/run/supervisor.sock no such file`, `... refused connection`, an OCI "executable file not found").
 * `truncated` output was cut at a byte count: its last line is partial and dropped. At most MAX_PROGRAMS
 * programs are kept; the rest are counted in `dropped`.
 */
export function parseSupervisorctlStatus(
  output: string,
  exitCode: number | undefined,
  truncated = false,
): SupervisorReport {
  const programs: ProgramStatus[] = [];
  const other: string[] = [];
  let dropped = 0;
  const lines = output.split(/\r?\n/);
  if (truncated) lines.pop();
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    const match = PROCESS_LINE.exec(line.trim());
    if (!match) {
      other.push(line.trim());
      continue;
    }
    if (programs.length >= MAX_PROGRAMS) {
      dropped += 1;
      continue;
    }
    const state = match[2] as SupervisorState;
    const description = (match[3] ?? '').trim();
    programs.push({
      program: match[1]!,
      state,
      uptimeSeconds: state === 'RUNNING' ? parseUptime(description) : undefined,
      description,
    });
  }
  if (programs.length > 0) return { up: true, programs, error: undefined, check: 'ok', dropped };
  if (other.length === 0 && exitCode === 0) return { up: true, programs, error: undefined, check: 'ok', dropped };
  const error =
    other[0] ??
    (exitCode === undefined
      ? 'supervisorctl did not finish'
      : `supervisorctl exited with code ${exitCode} and printed nothing`);
  return failedReport('error', error);
}

/** systemd unit names as `systemctl show` reports them in Id=. */
export function unitId(unit: string): string {
  return /\.[a-z]+$/.test(unit) ? unit : `${unit}.service`;
}

/**
 * `systemctl show --property=Id,LoadState,ActiveState,SubState,ActiveEnterTimestampMonotonic -- UNIT...`:
 * one block of Key=Value lines per unit, blank lines between. States map onto supervisor's:
 * active → RUNNING, activating → STARTING (auto-restart → BACKOFF), deactivating → STOPPING,
 * failed → FATAL, inactive → STOPPED; a unit that is not installed is UNKNOWN.
 * `nowMonotonicSeconds` is CLOCK_MONOTONIC, the clock of the *Monotonic timestamps.
 */
export function parseSystemctlShow(
  output: string,
  units: readonly string[],
  nowMonotonicSeconds: number,
): ProgramStatus[] {
  const blocks = new Map<string, Record<string, string>>();
  for (const chunk of output.split(/\n\s*\n/)) {
    const block: Record<string, string> = {};
    for (const line of chunk.split('\n')) {
      const equals = line.indexOf('=');
      if (equals > 0) block[line.slice(0, equals).trim()] = line.slice(equals + 1).trim();
    }
    if (block.Id) blocks.set(block.Id, block);
  }
  return units.map((unit) => {
    const block = blocks.get(unitId(unit));
    if (!block)
      return { program: unit, state: 'UNKNOWN', uptimeSeconds: undefined, description: 'not in systemctl output' };
    const description = `${block.ActiveState ?? '?'} (${block.SubState ?? '?'})`;
    if (block.LoadState === 'not-found')
      return { program: unit, state: 'UNKNOWN', uptimeSeconds: undefined, description: 'unit not found' };
    let state: SupervisorState;
    switch (block.ActiveState) {
      case 'active':
      case 'reloading':
        state = 'RUNNING';
        break;
      case 'activating':
        state = block.SubState === 'auto-restart' ? 'BACKOFF' : 'STARTING';
        break;
      case 'deactivating':
        state = 'STOPPING';
        break;
      case 'failed':
        state = 'FATAL';
        break;
      case 'inactive':
        state = 'STOPPED';
        break;
      default:
        state = 'UNKNOWN';
    }
    let uptimeSeconds: number | undefined;
    const enteredMicros = Number(block.ActiveEnterTimestampMonotonic);
    if (state === 'RUNNING' && Number.isFinite(enteredMicros) && enteredMicros > 0) {
      uptimeSeconds = Math.max(0, Math.floor(nowMonotonicSeconds - enteredMicros / 1e6));
    }
    return { program: unit, state, uptimeSeconds, description };
  });
}
