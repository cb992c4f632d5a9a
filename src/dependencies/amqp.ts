import type { DependencyTarget } from '../config/sections/dependencies.js';
import { PROTOCOL, type Conversation } from './conversation.js';

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
  shortstr('product'),
  Buffer.from('S'),
  longstr(Buffer.from('onlyoffice-exporter')),
  shortstr('capabilities'),
  Buffer.from('F'),
  table(shortstr('authentication_failure_close'), Buffer.from('t'), Buffer.from([1])),
);

function amqpMethod(classId: number, methodId: number, ...args: Buffer[]): Buffer {
  const payload = Buffer.concat([u16(classId), u16(methodId), ...args]);
  return Buffer.concat([Buffer.from([1, 0, 0]), u32(payload.length), payload, Buffer.from([0xce])]);
}

export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * AMQP 0-9-1. Always: the protocol header, answered by Connection.Start. With credentials (an amqp:// URL, as DS's
 * AMQP_URI; amqplib's guest/guest when it names none) it goes on as DS does: login, open the vhost, and a polite
 * Connection.Close, so RabbitMQ logs it at info level instead of "client unexpectedly closed TCP connection".
 */
export function amqp(target: DependencyTarget): Conversation {
  const login = target.password !== undefined;
  let offset = 0;
  let loggingIn = false;
  return {
    greeting: Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'),
    onData(received, write) {
      if (offset === 0 && received.subarray(0, 4).toString('latin1') === 'AMQP') {
        return received.length < 8
          ? 'more'
          : PROTOCOL(`the broker wants AMQP ${[...received.subarray(5, 8)].join('-')}, not 0-9-1`);
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
            write(
              amqpMethod(
                10,
                11,
                CLIENT_PROPERTIES,
                shortstr('PLAIN'),
                longstr(Buffer.from(`\0${target.username ?? 'guest'}\0${target.password}`, 'utf8')),
                shortstr('en_US'),
              ),
            );
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
          case '10.50': {
            // Connection.Close from the broker: refused login or vhost
            const code = payload.readUInt16BE(4);
            const text = payload.subarray(7, 7 + (payload[6] ?? 0)).toString('utf8');
            write(amqpMethod(10, 51));
            return {
              up: false,
              failure: code === 403 || code === 530 ? 'auth' : 'protocol',
              message: `RabbitMQ closed the connection: ${code} ${text}`,
            };
          }
          default:
            return PROTOCOL(`unexpected AMQP method ${method} during the handshake`);
        }
      }
    },
    onEnd() {
      // RabbitMQ drops a refused PLAIN login without a Connection.Close unless the client asked for one.
      return loggingIn
        ? { up: false, failure: 'auth', message: 'RabbitMQ closed the connection at login (credentials refused)' }
        : undefined;
    },
  };
}
