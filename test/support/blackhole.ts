import { createServer, type Socket } from 'node:net';

export interface Blackhole {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers: the peer a client timeout exists for. */
export async function startBlackhole(): Promise<Blackhole> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.resume(); // read and drop what the client sends, answer nothing
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('blackhole has no address');
  let stopped: Promise<void> | undefined;
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopped;
    },
  };
}
