import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** The most any configuration file (the config itself, a `<key>_file` secret, a web config PEM) may hold. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * Reads a regular file of at most `maxBytes` as UTF-8, following symlinks (Kubernetes secret mounts are
 * symlinks). Configuration is read synchronously, on reload too, so /dev/zero (never ends) or a FIFO (blocks
 * until a writer comes) named by mistake must be refused, not freeze the event loop and every scrape.
 * Throws an Error whose message (or errno code) says why; readErrorReason() turns it into text.
 */
export function readBoundedFile(path: string, maxBytes = MAX_CONFIG_FILE_BYTES): string {
  // The stat before opening keeps devices from being opened at all (opening some has side effects).
  check(statSync(path), maxBytes);
  // O_NONBLOCK: a FIFO swapped in since the stat opens at once instead of waiting for a writer, and the fstat
  // of the descriptor then refuses it; what is checked is what is read.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    check(fstatSync(fd), maxBytes);
    // Read to the end, not to the size fstat gave: the file may still be growing.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) throw new Error(tooLarge(maxBytes));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * readBoundedFile for reads on the event loop's behalf (each scrape): the same checks, as bytes. Without them
 * /dev/zero would be read until memory runs out, and opening a FIFO would hold a libuv threadpool thread until
 * a writer came; four of those freeze every fs and DNS call of the process. Stops with an AbortError
 * (code ABORT_ERR, as fs.readFile) when `signal` aborts between reads.
 */
export async function readBoundedFileAsync(
  path: string,
  maxBytes = MAX_CONFIG_FILE_BYTES,
  signal?: AbortSignal,
): Promise<Buffer> {
  throwIfAborted(signal);
  check(await stat(path), maxBytes);
  throwIfAborted(signal);
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    check(await handle.stat(), maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      throwIfAborted(signal);
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw new Error(tooLarge(maxBytes));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
      name: 'AbortError',
      code: 'ABORT_ERR',
    });
}

function check(stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new Error('not a regular file');
  if (stats.size > maxBytes) throw new Error(tooLarge(maxBytes));
}

function tooLarge(maxBytes: number): string {
  return `larger than ${maxBytes} bytes`;
}

/** Why a read failed, for a problem text: the errno code (ENOENT, EACCES) or readBoundedFile's reason. */
export function readErrorReason(error: unknown): string {
  // Not instanceof Error: errors from another realm (vm contexts, jest) fail that test.
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string') return code;
  if (typeof message === 'string') return message;
  return String(error);
}
