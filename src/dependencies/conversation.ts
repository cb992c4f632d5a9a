/** What a dependency check says, and the shape of one protocol's dialogue (one file per protocol beside this one). */
export type ProtocolFailure = 'refused' | 'timeout' | 'reset' | 'dns' | 'tls' | 'protocol' | 'auth' | 'error';

export type ProtocolResult =
  { up: true; seconds: number } | { up: false; seconds: number; failure: ProtocolFailure; message: string };

/** What the reader decides after each chunk: keep reading, the service answered, or it answered wrongly. */
export type Verdict = 'more' | { up: true } | { up: false; failure: ProtocolFailure; message: string };

/** One check's dialogue: what we say first, then how we read (and answer) what comes back. */
export interface Conversation {
  greeting: Buffer;
  onData(received: Buffer, write: (data: Buffer) => void): Verdict;
  /** The peer closed the connection before a verdict; a more precise reason than "closed" when there is one. */
  onEnd?(): Verdict | undefined;
}

export const PROTOCOL = (message: string): Verdict => ({ up: false, failure: 'protocol', message });
