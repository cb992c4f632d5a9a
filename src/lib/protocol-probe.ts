import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { DependencyTarget } from '../config/sections/dependencies.js';

export type ProtocolFailure = 'refused' | 'timeout' | 'reset' | 'dns' | 'tls' | 'protocol' | 'auth' | 'error';

export type ProtocolResult =
  | { up: true; seconds: number }
  | { up: false; seconds: number; failure: ProtocolFailure; message: string };

/** What the reader decides after each chunk: keep reading, the service answered, or it answered wrongly. */
type Verdict = 'more' | { up: true } | { up: false; failure: ProtocolFailure; message: string };

interface Exchange {
  greeting(target: DependencyTarget): Buffer;
  judge(received: Buffer): Verdict;
}

// PostgreSQL: SSLRequest (length 8, code 80877103); a live postmaster's backend answers one byte, 'S' or 'N'.
const postgresql: Exchange = {
  greeting: () => Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]),
  judge(received) {
    const first = received[0];
    if (first === 0x53 || first === 0x4e) return { up: true };
    return { up: false, failure: 'protocol', message: `answered the SSLRequest with byte 0x${first?.toString(16).padStart(2, '0')}, not S or N` };
  },
};

// AMQP 0-9-1: the protocol header; a broker answers with a method frame on channel 0, Connection.Start (class 10, method 10).
const amqp: Exchange = {
  greeting: () => Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'),
  judge(received) {
    if (received.subarray(0, 4).toString('latin1') === 'AMQP') {
      return received.length < 8 ? 'more' : { up: false, failure: 'protocol', message: `the broker wants AMQP ${[...received.subarray(5, 8)].join('-')}, not 0-9-1` };
    }
    if (received.length < 11) return 'more';
    const isStart = received[0] === 1 && received.readUInt16BE(1) === 0 && received.readUInt16BE(7) === 10 && received.readUInt16BE(9) === 10;
    return isStart ? { up: true } : { up: false, failure: 'protocol', message: 'did not answer the AMQP 0-9-1 header with Connection.Start' };
  },
};

function resp(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
}

// Redis: PING → +PONG, after AUTH when a password is configured (pipelined: both replies come in order).
const redis: Exchange = {
  greeting(target) {
    const auth = target.password === undefined ? ''
      : target.username === undefined ? resp('AUTH', target.password) : resp('AUTH', target.username, target.password);
    return Buffer.from(auth + resp('PING'), 'utf8');
  },
  judge(received) {
    const text = received.toString('latin1');
    const lines = text.split('\r\n');
    const complete = lines.slice(0, -1);
    for (const line of complete) {
      if (line.startsWith('-')) {
        // Only the error code: the rest of a Redis error can echo the command.
        const code = line.slice(1).split(' ')[0] ?? '';
        const auth = /^(NOAUTH|WRONGPASS|NOPERM)$/.test(code) || /AUTH/.test(line);
        return { up: false, failure: auth ? 'auth' : 'protocol', message: `Redis answered -${code}` };
      }
      if (line === '+PONG') return { up: true };
    }
    return complete.length >= 2 ? { up: false, failure: 'protocol', message: 'did not answer PING with +PONG' } : 'more';
  },
};

const EXCHANGES: Record<DependencyTarget['dependency'], Exchange> = { postgresql, rabbitmq: amqp, redis };

/** Answers read at most: the verdicts above need a few bytes; a peer that floods us is not what we expect. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Talks just enough of the dependency's protocol to know it answers; never throws. */
export function checkDependency(target: DependencyTarget, signal: AbortSignal, timeoutMs: number): Promise<ProtocolResult> {
  const exchange = EXCHANGES[target.dependency];
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const abort = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  return new Promise((resolve) => {
    if (abort.aborted) {
      resolve({ up: false, seconds: 0, failure: 'timeout', message: 'no time left in the scrape' });
      return;
    }
    let socket: Socket;
    let settled = false;
    let received = Buffer.alloc(0);
    const finish = (result: ProtocolResult) => {
      if (settled) return;
      settled = true;
      abort.removeEventListener('abort', onAbort);
      // end() first so a live server sees an orderly close; destroy() right after frees the socket either way.
      socket.end();
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ up: false, seconds: seconds(), failure: 'timeout', message: `no answer within ${Math.round(seconds() * 1000)} ms` });
    const send = () => socket.write(exchange.greeting(target));
    if (target.tls) {
      socket = tlsConnect({
        host: target.host,
        port: target.port,
        ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
        // Liveness, not certificate health: the TLS collectors judge certificates.
        rejectUnauthorized: false,
      }, send);
    } else {
      socket = netConnect({ host: target.host, port: target.port }, send);
    }
    abort.addEventListener('abort', onAbort, { once: true });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const verdict = exchange.judge(received);
      if (verdict === 'more') {
        if (received.length > MAX_ANSWER_BYTES) finish({ up: false, seconds: seconds(), failure: 'protocol', message: 'unexpected answer' });
        return;
      }
      finish(verdict.up ? { up: true, seconds: seconds() } : { ...verdict, seconds: seconds() });
    });
    socket.on('end', () => finish({ up: false, seconds: seconds(), failure: 'reset', message: 'closed the connection without answering' }));
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ up: false, seconds: seconds(), ...classify(error, target.tls) }));
  });
}

function classify(error: NodeJS.ErrnoException, tls: boolean): { failure: ProtocolFailure; message: string } {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return { failure: 'refused', message: 'connection refused' };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { failure: 'reset', message: 'connection reset' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { failure: 'dns', message: `cannot resolve the host (${code})` };
  if (code === 'ETIMEDOUT') return { failure: 'timeout', message: 'connect timed out' };
  if (tls && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) return { failure: 'tls', message: code };
  return { failure: 'error', message: code || error.message };
}
