import { readdirSync, readFileSync } from 'node:fs';

/** Shared helpers for the real-service harnesses (rabbitmq.ts, postgres.ts, redis.ts). */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > giveUp) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(100);
  }
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stateOf(stat) !== 'Z';
  } catch {
    return false;
  }
}

function stateOf(stat: string): string {
  // The command name is in parentheses and may itself contain spaces or parentheses.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
}

/** Sends `signal` to `pid`, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** SIGCONT then `sig`, then SIGKILL if the process is still there after `graceMs`. */
export async function terminate(pid: number, sig: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<void> {
  if (!isAlive(pid)) return;
  signal(pid, 'SIGCONT');
  signal(pid, sig);
  const giveUp = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > giveUp) {
      signal(pid, 'SIGKILL');
      await waitFor(`pid ${pid} to exit after SIGKILL`, 10_000, () => (isAlive(pid) ? undefined : true));
      return;
    }
    await sleep(50);
  }
}

/** Direct children of `pid` (from /proc). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}
