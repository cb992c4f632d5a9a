/**
 * The WebSocket side of the DS simulator: the captured frames (test/fixtures/docservice/real-docservice/websocket_*.txt)
 * and a minimal RFC 6455 server codec. Tests use the codec for hostile peers too.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';

export interface CapturedExchange {
  title: string;
  /** The request line as captured, e.g. `GET ws://127.0.0.1:8001/doc/probe-key/c/?EIO=4&transport=websocket`. */
  request: string;
  /** `<-` lines (server to client) and `->` lines (client to server), in order; the HTTP status line included. */
  lines: { dir: '<-' | '->'; text: string }[];
}

/** Splits a capture file into its `# title` sections. */
export function parseCapture(text: string): CapturedExchange[] {
  const out: CapturedExchange[] = [];
  let current: CapturedExchange | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) {
      current = { title: line.slice(2).trim(), request: '', lines: [] };
      out.push(current);
    } else if (current && line.startsWith('GET ')) {
      current.request = line;
    } else if (current && (line.startsWith('<- ') || line.startsWith('-> '))) {
      current.lines.push({ dir: line.slice(0, 2) as '<-' | '->', text: line.slice(3) });
    }
  }
  return out;
}

/** The section whose title starts with `title` (exactly one). */
export function exchange(all: CapturedExchange[], title: string): CapturedExchange {
  const found = all.filter((e) => e.title.startsWith(title));
  if (found.length !== 1) throw new Error(`capture: ${found.length} sections titled "${title}"`);
  return found[0]!;
}

/** The n-th server frame (HTTP status line excluded) of an exchange. */
export function serverFrame(e: CapturedExchange, n: number): string {
  const frames = e.lines.filter((l) => l.dir === '<-' && !l.text.startsWith('HTTP '));
  const frame = frames[n];
  if (frame === undefined) throw new Error(`capture "${e.title}" has no server frame ${n}`);
  return frame.text;
}

/** Engine.IO session ids as captured: 20 characters of base64url. */
export function engineIoSid(): string {
  return randomBytes(15).toString('base64url');
}

export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

/** The server's 101 answer to an upgrade with this Sec-WebSocket-Key (the header names as DS's docservice sends them). */
export function switchingProtocols(key: string): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`;
}

/** An unmasked server frame (FIN set). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(len)]);
  return Buffer.concat([head, payload]);
}

function bigLength(len: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(len));
  return b;
}

export const textFrame = (text: string): Buffer => encodeFrame(0x1, Buffer.from(text, 'utf8'));
export const closeFrame = (code = 1000): Buffer => encodeFrame(0x8, Buffer.from([code >> 8, code & 0xff]));

/**
 * A minimal server side of one upgrade on `socket`: 101, a text frame `o`, and once the client's close is in (a masked
 * close frame with a 2-byte code is 8 bytes), a close frame and the end. `closed` gets the handshake key and every
 * byte the client sent after its request head, when the socket closes.
 */
export function answerUpgrade(socket: Duplex, closed?: (key: string, afterHead: Buffer) => void): void {
  let received = Buffer.alloc(0);
  let headEnd = -1;
  let key = '';
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    if (headEnd < 0) {
      headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      key = /\r\nSec-WebSocket-Key: *(\S+)\r\n/i.exec(received.subarray(0, headEnd + 2).toString('latin1'))![1]!;
      socket.write(switchingProtocols(key));
      socket.write(textFrame('o'));
    }
    if (received.length - (headEnd + 4) >= 8 && socket.writable) socket.end(closeFrame());
  });
  socket.on('close', () => {
    if (headEnd >= 0) closed?.(key, received.subarray(headEnd + 4));
  });
}

export interface ClientFrame {
  opcode: number;
  payload: Buffer;
}

/**
 * Reads masked client frames off a socket. Frames over `maxPayload` end the connection (the simulator only ever
 * expects short text frames from the exporter).
 */
export function readClientFrames(
  socket: Duplex,
  onFrame: (frame: ClientFrame) => void,
  maxPayload = 1024 * 1024,
  head?: Buffer,
): void {
  let buffer: Buffer = head && head.length > 0 ? Buffer.from(head) : Buffer.alloc(0);
  const drain = () => {
    for (;;) {
      if (buffer.length < 2) return;
      const opcode = buffer[0]! & 0x0f;
      const masked = (buffer[1]! & 0x80) !== 0;
      let len = buffer[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (buffer.length < 4) return;
        len = buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (buffer.length < 10) return;
        len = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (len > maxPayload) {
        socket.destroy();
        return;
      }
      const maskLength = masked ? 4 : 0;
      if (buffer.length < offset + maskLength + len) return;
      const payload = Buffer.from(buffer.subarray(offset + maskLength, offset + maskLength + len));
      if (masked) {
        const mask = buffer.subarray(offset, offset + 4);
        for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      }
      buffer = buffer.subarray(offset + maskLength + len);
      onFrame({ opcode, payload });
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    drain();
  });
  drain();
}
