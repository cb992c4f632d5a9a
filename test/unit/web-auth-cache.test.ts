import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import Fastify, { type FastifyInstance } from 'fastify';
import { Agent, fetch } from 'undici';
import { BcryptThread } from '../../src/security/bcrypt-thread.js';
import { WebSecurity } from '../../src/security/web-server.js';

const USER = 'prometheus';
const PASSWORD = 'right-password';
const GUESSES = 160;

/**
 * Basic auth under credential guessing: bcrypt calls are counted and, where the test needs guesses in flight, held
 * until the test lets them go, so nothing depends on how fast bcrypt runs.
 */
describe('basic auth verdicts under guessing (--web.config.file basic_auth_users)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-web-auth-'));
  const hash = bcrypt.hashSync(PASSWORD, 4);
  // Plenty of connections: every guess is its own request in flight.
  const agent = new Agent({ connections: GUESSES + 20 });
  let app: FastifyInstance;
  let url = '';
  const held: Array<() => void> = [];
  let holding = false;
  // bcrypt as the daemon runs it (its own thread), counted and, while `holding`, held.
  const thread = new BcryptThread();
  const calls: string[] = [];
  const compare = async (password: string, against: string) => {
    calls.push(password);
    if (holding) await new Promise<void>((resolve) => held.push(resolve));
    return thread.compare(password, against);
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  ${USER}: "${hash}"\n`);
    const web = WebSecurity.load(join(dir, 'web.yml'), compare);
    app = Fastify({ logger: false });
    web.install(app);
    app.get('/metrics', async () => 'metrics\n');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/metrics`;
  });
  afterAll(async () => {
    await thread.close();
    await app.close();
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (user: string, password: string) => {
    const answer = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      dispatcher: agent,
    });
    await answer.text();
    return answer.status;
  };

  test('a cached good credential is answered at once while guesses wait for bcrypt; past the queue, guesses get 401 without bcrypt', async () => {
    expect(await get(USER, PASSWORD)).toBe(200);
    expect(calls).toHaveLength(1);

    holding = true;
    const answers: number[] = [];
    const guesses = Array.from({ length: GUESSES }, (_, i) =>
      get(USER, `guess-${i}`).then((status) => {
        answers.push(status);
        return status;
      }),
    );
    // One bcrypt runs (held) and 16 wait for it; every other guess is refused without bcrypt, without waiting.
    await until(() => answers.length >= GUESSES - 17);
    expect(answers).toEqual(Array(GUESSES - 17).fill(401));
    expect(held).toHaveLength(1);
    expect(calls).toHaveLength(2);

    // The good credential comes from the cache: no bcrypt, no waiting behind the held one.
    expect(await get(USER, PASSWORD)).toBe(200);
    expect(calls).toHaveLength(2);
    expect(answers).toHaveLength(GUESSES - 17);

    holding = false;
    held.shift()!();
    expect(await Promise.all(guesses)).toEqual(Array(GUESSES).fill(401));
    // The held one and the 16 that waited: each once.
    expect(calls).toHaveLength(2 + 16);
  });

  test('requests with one new credential share one bcrypt', async () => {
    const before = calls.length;
    holding = true;
    const same = Array.from({ length: 20 }, () => get(USER, 'shared-guess'));
    await until(() => held.length === 1);
    holding = false;
    held.shift()!();
    expect(await Promise.all(same)).toEqual(Array(20).fill(401));
    expect(calls.length - before).toBe(1);
  });

  test('hundreds of distinct wrong guesses never evict the good credential', async () => {
    const before = calls.length;
    // Waves the queue can take: every guess reaches bcrypt and is remembered as refused.
    for (let wave = 0; wave < 10; wave++) {
      const answers = await Promise.all(Array.from({ length: 17 }, (_, i) => get(USER, `wave-${wave}-${i}`)));
      expect(answers).toEqual(Array(17).fill(401));
    }
    expect(calls.length - before).toBe(170);
    expect(await get(USER, PASSWORD)).toBe(200);
    expect(calls.length - before).toBe(170);
    // A refused guess is remembered too (the last 100): no second bcrypt for it.
    expect(await get(USER, 'wave-9-16')).toBe(401);
    expect(calls.length - before).toBe(170);
  });
});

/** Waits for a condition the test's own requests bring about (generous: a busy machine is slow, never wrong). */
async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('bcrypt on its own thread', () => {
  test('answers right and wrong passwords, leaves this thread free meanwhile, and ends when idle', async () => {
    const thread = new BcryptThread(50);
    try {
      // Cost 12: hundreds of milliseconds of bcrypt. bcryptjs on this thread would give the event loop a turn only
      // every 100 ms; on the worker this thread keeps turning.
      const hash = bcrypt.hashSync('slow-password', 12);
      let turns = 0;
      let done = false;
      const spin = () => {
        turns++;
        if (!done) setImmediate(spin);
      };
      setImmediate(spin);
      const right = thread.compare('slow-password', hash);
      expect(thread.running).toBe(true);
      expect(await right).toBe(true);
      done = true;
      expect(turns).toBeGreaterThan(1000);
      expect(await thread.compare('wrong-password', hash)).toBe(false);
      expect(await thread.compare('anything', 'not a bcrypt hash')).toBe(false);
      await until(() => !thread.running);
      // A new comparison starts it again.
      expect(await thread.compare('slow-password', hash)).toBe(true);
    } finally {
      await thread.close();
    }
  });
});
