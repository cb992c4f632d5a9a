import { execFile } from 'node:child_process';
import { failedReport, parseSupervisorctlStatus, parseSystemctlShow, unitId, type SupervisorReport } from './status.js';

interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Spawn failure (ENOENT ...) or the timeout. */
  failure: string | undefined;
  /** The program was killed at the timeout. */
  timedOut?: boolean;
}

function runProgram(program: string, args: string[], timeoutMs: number, signal: AbortSignal): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { timeout: timeoutMs, signal, maxBuffer: 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ exitCode: 0, stdout, stderr, failure: undefined });
        const err = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        if (typeof err.code === 'number') return resolve({ exitCode: err.code, stdout, stderr, failure: undefined });
        if (err.killed || err.name === 'AbortError') {
          return resolve({
            exitCode: undefined,
            stdout,
            stderr,
            failure: `${program}: no answer within ${timeoutMs} ms`,
            timedOut: true,
          });
        }
        if (err.code === 'ENOENT')
          return resolve({ exitCode: undefined, stdout, stderr, failure: `${program}: not found` });
        resolve({ exitCode: undefined, stdout, stderr, failure: `${program}: ${err.message}` });
      },
    );
  });
}

/** `supervisorctl status` on this host (DS 7.1/7.2 packages). */
export async function hostSupervisorctl(
  program: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<SupervisorReport> {
  const run = await runProgram(program, ['status'], timeoutMs, signal);
  if (run.failure) return failedReport(run.timedOut ? 'hung' : 'error', run.failure);
  return parseSupervisorctlStatus(`${run.stdout}\n${run.stderr}`, run.exitCode);
}

/** The DS systemd units on this host (packages from 7.3: ds-docservice, ds-converter, ds-metrics). */
export async function hostSystemdUnits(
  units: readonly string[],
  timeoutMs: number,
  signal: AbortSignal,
  systemctl = 'systemctl',
): Promise<SupervisorReport> {
  const run = await runProgram(
    systemctl,
    [
      'show',
      '--no-pager',
      '--property=Id,LoadState,ActiveState,SubState,ActiveEnterTimestampMonotonic',
      '--',
      ...units.map(unitId),
    ],
    timeoutMs,
    signal,
  );
  if (run.failure) return failedReport(run.timedOut ? 'hung' : 'error', run.failure);
  if (run.exitCode !== 0) {
    const line = `${run.stderr}\n${run.stdout}`
      .split('\n')
      .map((s) => s.trim())
      .find((s) => s !== '');
    return failedReport('error', line ?? `systemctl exited with code ${run.exitCode}`);
  }
  const now = Number(process.hrtime.bigint()) / 1e9;
  return { up: true, programs: parseSystemctlShow(run.stdout, units, now), error: undefined, check: 'ok', dropped: 0 };
}
