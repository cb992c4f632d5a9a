import { createServer, type Server, type Socket } from 'node:net';
import { openWebSocket } from '../../src/lib/websocket-client.js';
import { answerUpgrade } from '../support/ds-websocket.js';

/** A WebSocket server that records each handshake key and the bytes the client sent after the handshake. */
interface Recorder {
  url: string;
  keys: string[];
  /** Per closed connection: every byte after the request head. */
  afterHead: Buffer[];
  stop(): Promise<void>;
}

async function recorder(): Promise<Recorder> {
  const keys: string[] = [];
  const afterHead: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    answerUpgrade(socket, (key, after) => {
      keys.push(key);
      afterHead.push(after);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/doc/k/c/000/abcdefgh/websocket`,
    keys,
    afterHead,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the WebSocket client', () => {
  // 300 connections take 16 bytes for the key and 4 for the close frame's mask each: 6,000 bytes, past the
  // 4,096-byte random pool, so it is refilled at least once in between.
  test('a fresh handshake key and a masked close (1000) on every connection, across refills of the random pool', async () => {
    const server = await recorder();
    try {
      const CONNECTIONS = 300;
      for (let i = 0; i < CONNECTIONS; i++) {
        const open = await openWebSocket({ url: server.url, timeoutMs: 10_000, maxPayloadBytes: 1024 });
        if (!open.upgraded) throw new Error(open.message);
        expect(await open.connection.next()).toBe('o');
        open.connection.close();
      }
      const deadline = Date.now() + 30_000;
      while (server.afterHead.length < CONNECTIONS && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.keys).toHaveLength(CONNECTIONS);
      expect(new Set(server.keys).size).toBe(CONNECTIONS);
      expect(server.keys.every((key) => Buffer.from(key, 'base64').length === 16)).toBe(true);
      // Each connection sent one frame after the handshake: FIN + close, masked, 2 bytes, 1000 under its mask.
      expect(server.afterHead).toHaveLength(CONNECTIONS);
      const unmasked = server.afterHead.map((raw) => [
        raw.length,
        raw[0],
        raw[1],
        (raw[6]! ^ raw[2]!) * 256 + (raw[7]! ^ raw[3]!),
      ]);
      expect(
        unmasked.filter(([length, b0, b1, code]) => length !== 8 || b0 !== 0x88 || b1 !== 0x82 || code !== 1000),
      ).toEqual([]);
      // The masks are random bytes, not a constant: 300 draws of 32 bits are all different but for a 1 in 100,000 chance.
      const masks = new Set(server.afterHead.map((raw) => raw.subarray(2, 6).toString('hex')));
      expect(masks.size).toBeGreaterThan(CONNECTIONS - 2);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
