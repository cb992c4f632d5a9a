import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What test/support/hold-listen.ts writes to stderr when the daemon reached its held listen(). */
export const HOLD_LISTEN_MARKER = 'hold-listen: held';

export interface ExporterProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** https when a --web.config.file turns TLS on. */
  scheme?: 'http' | 'https';
  /** Replaces `fetch(url + '/-/ready')` as the readiness check (a private CA, basic auth). */
  ready?: (url: string) => Promise<boolean>;
  /** Replaces `node --import tsx src/main.ts`, e.g. the dist/ build or scripts/start.sh; the flags follow it. */
  command?: readonly string[];
  /** How long to wait for readiness (20 s). */
  readyTimeoutMs?: number;
  /** Runs as soon as the process is spawned, before readiness is awaited (e.g. to signal it during start-up). */
  spawned?: (child: ChildProcess, output: () => string) => Promise<void>;
}

/** Runs the real daemon (`src/main.ts` through tsx, as `npm start` does) on a free loopback port. */
export async function startExporter(
  args: string[] = [],
  env: Record<string, string> = {},
  start: StartOptions = {},
): Promise<ExporterProcess> {
  const port = await freePort();
  const [program, ...programArgs] = start.command ?? [process.execPath, '--import', 'tsx', 'src/main.ts'];
  const child = spawn(program!, [...programArgs, `--web.listen-address=127.0.0.1:${port}`, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await start.spawned?.(child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const url = `${start.scheme ?? 'http'}://127.0.0.1:${port}`;
  const ready = start.ready ?? (async (base: string) => (await fetch(`${base}/-/ready`)).status === 200);
  const deadline = Date.now() + (start.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exporter exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    try {
      if (await ready(url)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`exporter did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs the daemon expecting it to exit by itself (e.g. on a bad config); returns its code and output. */
export async function runExporterToExit(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}
