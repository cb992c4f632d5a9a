import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import bcrypt from 'bcryptjs';
import Fastify, { type FastifyInstance } from 'fastify';
import { Agent, fetch } from 'undici';
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
  const realCompare = bcrypt.compare.bind(bcrypt) as (password: string, hash: string) => Promise<boolean>;
  // Plenty of connections: every guess is its own request in flight.
  const agent = new Agent({ connections: GUESSES + 20 });
  let app: FastifyInstance;
  let url = '';
  let held: Array<() => void> = [];
  let holding = false;
  const compare = jest.spyOn(bcrypt, 'compare').mockImplementation((async (password: string, against: string) => {
    if (holding) await new Promise<void>((resolve) => held.push(resolve));
    return realCompare(password, against);
  }) as typeof bcrypt.compare);

  beforeAll(async () => {
    writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  ${USER}: "${hash}"\n`);
    const web = WebSecurity.load(join(dir, 'web.yml'));
    app = Fastify({ logger: false });
    web.install(app);
    app.get('/metrics', async () => 'metrics\n');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/metrics`;
  });
  afterAll(async () => {
    compare.mockRestore();
    await app.close();
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (user: string, password: string) => {
    const answer = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }, dispatcher: agent });
    await answer.text();
    return answer.status;
  };

  test('a cached good credential is answered at once while guesses wait for bcrypt; past the queue, guesses get 401 without bcrypt', async () => {
    expect(await get(USER, PASSWORD)).toBe(200);
    expect(compare).toHaveBeenCalledTimes(1);

    holding = true;
    const answers: number[] = [];
    const guesses = Array.from({ length: GUESSES }, (_, i) => get(USER, `guess-${i}`).then((status) => {
      answers.push(status);
      return status;
    }));
    // One bcrypt runs (held) and 16 wait for it; every other guess is refused without bcrypt, without waiting.
    await until(() => answers.length >= GUESSES - 17);
    expect(answers).toEqual(Array(GUESSES - 17).fill(401));
    expect(held).toHaveLength(1);
    expect(compare).toHaveBeenCalledTimes(2);

    // The good credential comes from the cache: no bcrypt, no waiting behind the held one.
    expect(await get(USER, PASSWORD)).toBe(200);
    expect(compare).toHaveBeenCalledTimes(2);
    expect(answers).toHaveLength(GUESSES - 17);

    holding = false;
    held.shift()!();
    expect(await Promise.all(guesses)).toEqual(Array(GUESSES).fill(401));
    // The held one and the 16 that waited: each once.
    expect(compare).toHaveBeenCalledTimes(2 + 16);
  });

  test('requests with one new credential share one bcrypt', async () => {
    const before = compare.mock.calls.length;
    holding = true;
    const same = Array.from({ length: 20 }, () => get(USER, 'shared-guess'));
    await until(() => held.length === 1);
    holding = false;
    held.shift()!();
    expect(await Promise.all(same)).toEqual(Array(20).fill(401));
    expect(compare.mock.calls.length - before).toBe(1);
  });

  test('hundreds of distinct wrong guesses never evict the good credential', async () => {
    const before = compare.mock.calls.length;
    // Waves the queue can take: every guess reaches bcrypt and is remembered as refused.
    for (let wave = 0; wave < 10; wave++) {
      const answers = await Promise.all(Array.from({ length: 17 }, (_, i) => get(USER, `wave-${wave}-${i}`)));
      expect(answers).toEqual(Array(17).fill(401));
    }
    expect(compare.mock.calls.length - before).toBe(170);
    expect(await get(USER, PASSWORD)).toBe(200);
    expect(compare.mock.calls.length - before).toBe(170);
    // A refused guess is remembered too (the last 100): no second bcrypt for it.
    expect(await get(USER, 'wave-9-16')).toBe(401);
    expect(compare.mock.calls.length - before).toBe(170);
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
