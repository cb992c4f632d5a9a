// Preloaded into a daemon under test (`node --import tsx --import ./test/support/hold-listen.ts src/main.ts`): the
// first server.listen() is held until the process gets SIGUSR2, and "hold-listen: held" is written to stderr when
// it is reached. A test can so act on a daemon that has loaded its configuration but is not listening yet, at a
// point that does not depend on how fast the machine is. Never import it: it patches the process that loads it.
import { Server } from 'node:net';

// HOLD_LISTEN_MARKER of exporter-process.ts.
const HELD_MARKER = 'hold-listen: held';

const listen = Server.prototype.listen;
const held: Array<() => void> = [];
let released = false;
// Nothing else may hold the event loop open while the listen waits.
const keepAlive = setInterval(() => undefined, 1 << 30);

process.on('SIGUSR2', () => {
  released = true;
  clearInterval(keepAlive);
  for (const resume of held.splice(0)) resume();
});

Server.prototype.listen = function holdListen(this: Server, ...args: unknown[]): Server {
  if (released) return (listen as (...a: unknown[]) => Server).apply(this, args);
  held.push(() => (listen as (...a: unknown[]) => Server).apply(this, args));
  process.stderr.write(`${HELD_MARKER}\n`);
  return this;
} as typeof Server.prototype.listen;
