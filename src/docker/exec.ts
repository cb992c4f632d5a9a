import type Docker from 'dockerode';
import type { DockerEngine } from './engine.js';
import { deadlineSignal } from '../lib/timeout-signal.js';

export interface ExecResult {
  /** undefined when the process had not finished when we stopped reading. */
  exitCode: number | undefined;
  /** stdout and stderr interleaved, capped at MAX_OUTPUT bytes. */
  output: string;
  /** The process printed more than MAX_OUTPUT: `output` ends where it was cut, maybe inside a line. */
  truncated: boolean;
}

export const MAX_OUTPUT = 64 * 1024;

/** The process did not end its output within the timeout (the engine answered: the exec was created and started). */
export class ExecTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'ExecTimeout';
  }
}

/**
 * Runs `cmd` in a container through the exec API (create, start attached, inspect): three Engine API calls.
 * `onCreated` gets the exec instance as soon as it exists, so that a caller can tell later whether it still runs
 * (a timed-out exec keeps running in the container: destroying our end of the stream does not stop it).
 */
export async function execInContainer(
  engine: DockerEngine,
  containerId: string,
  cmd: string[],
  timeoutMs: number,
  signal?: AbortSignal,
  onCreated?: (exec: Docker.Exec) => void,
): Promise<ExecResult> {
  const { docker, api } = engine;
  const deadline = deadlineSignal(signal, timeoutMs);
  const abort = deadline.signal;
  let exec: Docker.Exec;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    api.count('exec_create');
    exec = await docker
      .getContainer(containerId)
      .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, abortSignal: abort } as object);
    onCreated?.(exec);
    api.count('exec_start');
    const stream = (await exec.start({
      hijack: true,
      stdin: false,
      abortSignal: abort,
    } as object)) as NodeJS.ReadableStream & { destroy(): void };
    const sink = {
      write(chunk: Buffer) {
        if (size < MAX_OUTPUT) chunks.push(chunk.subarray(0, MAX_OUTPUT - size));
        size += chunk.length;
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    docker.modem.demuxStream(stream, sink, sink);
    // A late socket error after we stopped listening must not become an uncaught exception.
    stream.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      // The hijacked socket outlives the request's abort signal: end it ourselves.
      const onAbort = () => {
        stream.destroy();
        reject(new ExecTimeout(timeoutMs));
      };
      if (abort.aborted) return onAbort();
      abort.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        abort.removeEventListener('abort', onAbort);
        resolve();
      };
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
    });
  } finally {
    deadline.clear();
  }
  const info = await inspectExec(engine, exec, timeoutMs);
  return {
    exitCode: info.Running ? undefined : (info.ExitCode ?? undefined),
    output: Buffer.concat(chunks).toString('utf8'),
    truncated: size > MAX_OUTPUT,
  };
}

/** GET /exec/{id}/json under a timeout of its own. */
export async function inspectExec(
  engine: DockerEngine,
  exec: Docker.Exec,
  timeoutMs: number,
): Promise<{ Running: boolean; ExitCode: number | null }> {
  engine.api.count('exec_inspect');
  const deadline = deadlineSignal(undefined, timeoutMs);
  try {
    return (await exec.inspect({ abortSignal: deadline.signal } as object)) as {
      Running: boolean;
      ExitCode: number | null;
    };
  } finally {
    deadline.clear();
  }
}
