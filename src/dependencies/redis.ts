import type { DependencyTarget } from '../config/sections/dependencies.js';
import { PROTOCOL, type Conversation } from './conversation.js';

function resp(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
}

// Redis: PING → +PONG, after AUTH when a password is configured (pipelined: both replies come in order).
export function redis(target: DependencyTarget): Conversation {
  const auth =
    target.password === undefined
      ? ''
      : target.username === undefined
        ? resp('AUTH', target.password)
        : resp('AUTH', target.username, target.password);
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
