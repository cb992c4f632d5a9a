import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { DependencyTarget } from '../config/sections/dependencies.js';
import { deadlineSignal } from '../lib/timeout-signal.js';
import { amqp, MAX_FRAME_BYTES } from './amqp.js';
import type { Conversation, ProtocolFailure, ProtocolResult } from './conversation.js';
import { postgresql } from './postgresql.js';
import { redis } from './redis.js';

export type { ProtocolFailure, ProtocolResult } from './conversation.js';

const DIALECTS: Record<DependencyTarget['dependency'], (target: DependencyTarget) => Conversation> = {
  postgresql,
  rabbitmq: amqp,
  redis,
};

/** Answers read at most: the verdicts above need a few bytes; a peer that floods us is not what we expect. */
const MAX_ANSWER_BYTES = 2 * MAX_FRAME_BYTES;

/** Talks just enough of the dependency's protocol to know it answers; never throws. */
export function checkDependency(
  target: DependencyTarget,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<ProtocolResult> {
  const conversation = DIALECTS[target.dependency](target);
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const deadline = deadlineSignal(signal, timeoutMs);
  const abort = deadline.signal;
  return new Promise((resolve) => {
    if (abort.aborted) {
      deadline.clear();
      resolve({ up: false, seconds: 0, failure: 'timeout', message: 'no time left in the scrape' });
      return;
    }
    let socket: Socket;
    let secure: TLSSocket | undefined;
    let settled = false;
    let received = Buffer.alloc(0);
    /** Set once the server has answered, while we only take our leave. */
    let answered: ProtocolResult | undefined;
    const finish = (result: ProtocolResult) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      abort.removeEventListener('abort', onAbort);
      secure?.destroy();
      // end() first so a live server sees an orderly close (and gets what we last wrote); destroy() frees the socket.
      socket.end(() => socket.destroy());
      setImmediate(() => socket.destroy());
      resolve(result);
    };
    const onAbort = () =>
      finish(
        answered ?? {
          up: false,
          seconds: seconds(),
          failure: 'timeout',
          message: `no answer within ${Math.round(seconds() * 1000)} ms`,
        },
      );
    const send = () => socket.write(conversation.greeting);
    if (target.tls) {
      socket = tlsConnect(
        {
          host: target.host,
          port: target.port,
          ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
          // Liveness, not certificate health: the TLS collectors judge certificates.
          rejectUnauthorized: false,
        },
        send,
      );
    } else {
      socket = netConnect({ host: target.host, port: target.port }, send);
    }
    abort.addEventListener('abort', onAbort, { once: true });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const verdict = conversation.onData(received, (data) => socket.write(data));
      if (verdict === 'more') {
        if (received.length > MAX_ANSWER_BYTES)
          finish({ up: false, seconds: seconds(), failure: 'protocol', message: 'unexpected answer' });
        return;
      }
      if (verdict.up && target.dependency === 'postgresql' && received[0] === 0x53) {
        // 'S': leaving now would make PostgreSQL log "could not accept SSL connection: EOF detected" on every
        // scrape. Finish the handshake and close it properly instead: an EOF before the startup packet is not logged.
        answered = { up: true, seconds: seconds() };
        const result = answered;
        socket.removeAllListeners('data');
        socket.removeAllListeners('end');
        secure = tlsConnect({ socket, rejectUnauthorized: false });
        secure.once('secureConnect', () => secure!.end());
        secure.once('close', () => finish(result));
        secure.once('error', () => finish(result));
        return;
      }
      finish(verdict.up ? { up: true, seconds: seconds() } : { ...verdict, seconds: seconds() });
    });
    socket.on('end', () => {
      const verdict = conversation.onEnd?.();
      if (verdict !== undefined && verdict !== 'more' && !verdict.up) finish({ ...verdict, seconds: seconds() });
      else
        finish({ up: false, seconds: seconds(), failure: 'reset', message: 'closed the connection without answering' });
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({ up: false, seconds: seconds(), ...classify(error, target.tls) }),
    );
  });
}

function classify(error: NodeJS.ErrnoException, tls: boolean): { failure: ProtocolFailure; message: string } {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return { failure: 'refused', message: 'connection refused' };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { failure: 'reset', message: 'connection reset' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { failure: 'dns', message: `cannot resolve the host (${code})` };
  if (code === 'ETIMEDOUT') return { failure: 'timeout', message: 'connect timed out' };
  if (tls && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) return { failure: 'tls', message: code };
  return { failure: 'error', message: code || error.message };
}
