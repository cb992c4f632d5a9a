import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { DependencyTarget } from '../config/sections/dependencies.js';
import { deadlineSignal } from './timeout-signal.js';

export type ProtocolFailure = 'refused' | 'timeout' | 'reset' | 'dns' | 'tls' | 'protocol' | 'auth' | 'error';

export type ProtocolResult =
  | { up: true; seconds: number }
  | { up: false; seconds: number; failure: ProtocolFailure; message: string };

/** What the reader decides after each chunk: keep reading, the service answered, or it answered wrongly. */
type Verdict = 'more' | { up: true } | { up: false; failure: ProtocolFailure; message: string };

/** One check's dialogue: what we say first, then how we read (and answer) what comes back. */
interface Conversation {
  greeting: Buffer;
  onData(received: Buffer, write: (data: Buffer) => void): Verdict;
  /** The peer closed the connection before a verdict; a more precise reason than "closed" when there is one. */
  onEnd?(): Verdict | undefined;
}

const PROTOCOL = (message: string): Verdict => ({ up: false, failure: 'protocol', message });

// PostgreSQL: SSLRequest (length 8, code 80877103); a live postmaster's backend answers one byte, 'S' or 'N'.
// It comes before the startup packet, so no credentials are needed and nothing is logged.
function postgresql(): Conversation {
  return {
    greeting: Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]),
    onData(received) {
      const first = received[0];
      if (first === 0x53 || first === 0x4e) return { up: true };
      return PROTOCOL(`answered the SSLRequest with byte 0x${first?.toString(16).padStart(2, '0')}, not S or N`);
    },
  };
}

const u16 = (value: number) => Buffer.from([value >> 8, value & 0xff]);
const u32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};
const shortstr = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
};
const longstr = (bytes: Buffer) => Buffer.concat([u32(bytes.length), bytes]);
const table = (...entries: Buffer[]) => longstr(Buffer.concat(entries));

// Asks for a Connection.Close on a refused login: otherwise RabbitMQ just drops the connection after a delay.
const CLIENT_PROPERTIES = table(
  shortstr('product'), Buffer.from('S'), longstr(Buffer.from('onlyoffice-exporter')),
  shortstr('capabilities'), Buffer.from('F'), table(shortstr('authentication_failure_close'), Buffer.from('t'), Buffer.from([1])),
);

function amqpMethod(classId: number, methodId: number, ...args: Buffer[]): Buffer {
  const payload = Buffer.concat([u16(classId), u16(methodId), ...args]);
  return Buffer.concat([Buffer.from([1, 0, 0]), u32(payload.length), payload, Buffer.from([0xce])]);
}

const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * AMQP 0-9-1. Always: the protocol header, answered by Connection.Start. With credentials (an amqp:// URL, as DS's
 * AMQP_URI; amqplib's guest/guest when it names none) it goes on as DS does: login, open the vhost, and a polite
 * Connection.Close, so RabbitMQ logs it at info level instead of "client unexpectedly closed TCP connection".
 */
function amqp(target: DependencyTarget): Conversation {
  const login = target.password !== undefined;
  let offset = 0;
  let loggingIn = false;
  return {
    greeting: Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'),
    onData(received, write) {
      if (offset === 0 && received.subarray(0, 4).toString('latin1') === 'AMQP') {
        return received.length < 8 ? 'more' : PROTOCOL(`the broker wants AMQP ${[...received.subarray(5, 8)].join('-')}, not 0-9-1`);
      }
      for (;;) {
        if (received.length - offset < 7) return 'more';
        const type = received[offset]!;
        const size = received.readUInt32BE(offset + 3);
        if (size > MAX_FRAME_BYTES) return PROTOCOL('not an AMQP frame');
        if (received.length - offset < 8 + size) return 'more';
        if (received[offset + 7 + size] !== 0xce) return PROTOCOL('not an AMQP frame (no frame end)');
        const payload = received.subarray(offset + 7, offset + 7 + size);
        offset += 8 + size;
        if (type === 8) continue; // heartbeat
        if (type !== 1 || payload.length < 4) return PROTOCOL('unexpected AMQP frame during the handshake');
        const method = `${payload.readUInt16BE(0)}.${payload.readUInt16BE(2)}`;
        switch (method) {
          case '10.10': // Connection.Start
            if (!login) return { up: true };
            loggingIn = true;
            write(amqpMethod(10, 11,
              CLIENT_PROPERTIES,
              shortstr('PLAIN'),
              longstr(Buffer.from(`\0${target.username ?? 'guest'}\0${target.password}`, 'utf8')),
              shortstr('en_US')));
            continue;
          case '10.30': // Connection.Tune: accept the broker's limits, no heartbeats for a connection this short
            loggingIn = false;
            write(amqpMethod(10, 31, u16(payload.readUInt16BE(4)), u32(payload.readUInt32BE(6)), u16(0)));
            write(amqpMethod(10, 40, shortstr(target.vhost ?? '/'), shortstr(''), Buffer.from([0])));
            continue;
          case '10.41': // Connection.Open-Ok
            write(amqpMethod(10, 50, u16(200), shortstr(''), u16(0), u16(0)));
            continue;
          case '10.51': // Connection.Close-Ok
            return { up: true };
          case '10.50': { // Connection.Close from the broker: refused login or vhost
            const code = payload.readUInt16BE(4);
            const text = payload.subarray(7, 7 + (payload[6] ?? 0)).toString('utf8');
            write(amqpMethod(10, 51));
            return { up: false, failure: code === 403 || code === 530 ? 'auth' : 'protocol', message: `RabbitMQ closed the connection: ${code} ${text}` };
          }
          default:
            return PROTOCOL(`unexpected AMQP method ${method} during the handshake`);
        }
      }
    },
    onEnd() {
      // RabbitMQ drops a refused PLAIN login without a Connection.Close unless the client asked for one.
      return loggingIn ? { up: false, failure: 'auth', message: 'RabbitMQ closed the connection at login (credentials refused)' } : undefined;
    },
  };
}

function resp(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
}

// Redis: PING → +PONG, after AUTH when a password is configured (pipelined: both replies come in order).
function redis(target: DependencyTarget): Conversation {
  const auth = target.password === undefined ? ''
    : target.username === undefined ? resp('AUTH', target.password) : resp('AUTH', target.username, target.password);
  return {
    greeting: Buffer.from(auth + resp('PING'), 'utf8'),
    onData(received) {
      const lines = received.toString('latin1').split('\r\n');
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
      return complete.length >= 2 ? PROTOCOL('did not answer PING with +PONG') : 'more';
    },
  };
}

const DIALECTS: Record<DependencyTarget['dependency'], (target: DependencyTarget) => Conversation> = { postgresql, rabbitmq: amqp, redis };

/** Answers read at most: the verdicts above need a few bytes; a peer that floods us is not what we expect. */
const MAX_ANSWER_BYTES = 2 * MAX_FRAME_BYTES;

/** Talks just enough of the dependency's protocol to know it answers; never throws. */
export function checkDependency(target: DependencyTarget, signal: AbortSignal, timeoutMs: number): Promise<ProtocolResult> {
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
    const onAbort = () => finish(answered ?? { up: false, seconds: seconds(), failure: 'timeout', message: `no answer within ${Math.round(seconds() * 1000)} ms` });
    const send = () => socket.write(conversation.greeting);
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
      const verdict = conversation.onData(received, (data) => socket.write(data));
      if (verdict === 'more') {
        if (received.length > MAX_ANSWER_BYTES) finish({ up: false, seconds: seconds(), failure: 'protocol', message: 'unexpected answer' });
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
      else finish({ up: false, seconds: seconds(), failure: 'reset', message: 'closed the connection without answering' });
    });
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
