// The handshake thread's entry (see handshake-thread.ts): TLS handshakes on their own event loop and core.
import { parentPort, workerData } from 'node:worker_threads';
import { createSecureContext } from 'node:tls';
import { startHandshake, type StartedHandshake } from './probe.js';
import type { HandshakeReply, HandshakeRequest } from './handshake-thread.js';

const port = parentPort!;
const secureContext = createSecureContext({ ca: (workerData as { anchorsPem: string[] }).anchorsPem });
const running = new Map<number, StartedHandshake>();

port.on('message', (request: HandshakeRequest) => {
  if (request.kind === 'cancel') {
    running.get(request.id)?.cancel();
    return;
  }
  const started = startHandshake(request.endpoint, secureContext, request.timeoutMs);
  running.set(request.id, started);
  void started.result.then((result) => {
    running.delete(request.id);
    port.postMessage({ id: request.id, result } satisfies HandshakeReply);
  });
});
