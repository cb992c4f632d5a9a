import { PROTOCOL, type Conversation } from './conversation.js';

// PostgreSQL: SSLRequest (length 8, code 80877103); a live postmaster's backend answers one byte, 'S' or 'N'.
// It comes before the startup packet, so no credentials are needed and nothing is logged.
export function postgresql(): Conversation {
  return {
    greeting: Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]),
    onData(received) {
      const first = received[0];
      if (first === 0x53 || first === 0x4e) return { up: true };
      return PROTOCOL(`answered the SSLRequest with byte 0x${first?.toString(16).padStart(2, '0')}, not S or N`);
    },
  };
}
