// The bcrypt thread's side (see bcrypt-thread.ts): one comparison per message, answered with its id.
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';
import type { BcryptReply, BcryptRequest } from './bcrypt-thread.js';

parentPort!.on('message', ({ id, password, hash }: BcryptRequest) => {
  let ok = false;
  try {
    ok = bcrypt.compareSync(password, hash);
  } catch {
    // A hash bcryptjs cannot read matches nothing.
  }
  parentPort!.postMessage({ id, ok } satisfies BcryptReply);
});
