import type Docker from 'dockerode';
import type { DockerEngine } from './engine.js';
import { deadlineSignal } from '../lib/timeout-signal.js';

export interface ExecResult {
  /** undefined when the process had not finished when we stopped reading. */
  exitCode: number | undefined;
  /** stdout and stderr interleaved, capped. */
  output: string;
}

const MAX_OUTPUT = 64 * 1024;

export class ExecTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'ExecTimeout';
  }
}

/** Runs `cmd` in a container through the exec API (create, start attached, inspect): three Engine API calls. */
export async function execInContainer(engine: DockerEngine, containerId: string, cmd: string[], timeoutMs: number, signal?: AbortSignal): Promise<ExecResult> {
  const { docker, api } = engine;
  const deadline = deadlineSignal(signal, timeoutMs);
  const abort = deadline.signal;
  let exec: Docker.Exec;
  const chunks: Buffer[] = [];
  try {
    api.count('exec_create');
    exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, abortSignal: abort } as object);
    api.count('exec_start');
    const stream = await exec.start({ hijack: true, stdin: false, abortSignal: abort } as object) as NodeJS.ReadableStream & { destroy(): void };
    let size = 0;
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
  api.count('exec_inspect');
  // A timeout of its own, as before: the exit code is still read once the output has ended.
  const inspectDeadline = deadlineSignal(undefined, timeoutMs);
  try {
    const info = await exec.inspect({ abortSignal: inspectDeadline.signal } as object);
    return { exitCode: info.Running ? undefined : info.ExitCode ?? undefined, output: Buffer.concat(chunks).toString('utf8') };
  } finally {
    inspectDeadline.clear();
  }
}
