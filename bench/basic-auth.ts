// Prometheus' scrapes under basic-auth guessing: the daemon with --web.config.file basic_auth_users (one user, a
// cost-10 bcrypt hash as `htpasswd -nBC 10` makes), one correctly authenticated scraper of /metrics in a closed
// loop (10 s timeout, Prometheus' default scrape_timeout), and GUESSERS closed-loop clients each sending a new wrong
// password with every request; first QUIET_SECONDS without guessers, for reference. Prints the scrape latency
// distributions, a timeout counted as 10 s (docs/BENCHMARKS.md is written by hand from them).
//   npx tsx bench/basic-auth.ts [seconds, default 60] [guessers, default 150]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Pool } from 'undici';
import { freePort } from '../test/support/ports.js';
import { distribution, machine, ms, sleep, startDaemon, today } from './lib.js';

const QUIET_SECONDS = 10;
const [SECONDS = 60, GUESSERS = 150] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map(Number);
const USER = 'prometheus';
const PASSWORD = 'bench-Pa55-word';
const TIMEOUT_MS = 10_000;

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-bench-basic-auth-'));
  writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  ${USER}: "${bcrypt.hashSync(PASSWORD, 10)}"\n`);
  writeFileSync(
    join(dir, 'config.yml'),
    `
documentserver: { url: "http://127.0.0.1:${await freePort()}", timeout: 1s }
docker: { enabled: false }
disk: { paths: [] }
dependencies: { postgresql: false, rabbitmq: false, redis: false }
`,
  );
  const good = basic(USER, PASSWORD);
  const daemon = await startDaemon(
    [`--config.file=${join(dir, 'config.yml')}`, `--web.config.file=${join(dir, 'web.yml')}`, '--log.level=error'],
    {},
    {
      readyHeaders: { authorization: good },
    },
  );
  const scraper = new Pool(daemon.url, { connections: 1 });
  const guessPool = new Pool(daemon.url, { connections: GUESSERS });
  try {
    const scrape = async (): Promise<number | 'timeout' | string> => {
      const started = performance.now();
      try {
        const answer = await scraper.request({
          method: 'GET',
          path: '/metrics',
          headers: { authorization: good },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await answer.body.text();
        return answer.statusCode === 200 ? performance.now() - started : `HTTP ${answer.statusCode}`;
      } catch (error) {
        return (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError'
          ? 'timeout'
          : (error as Error).message;
      }
    };
    // The credential is checked (bcrypt) once and then cached, as after Prometheus' first scrape.
    if (typeof (await scrape()) !== 'number') throw new Error('the first scrape failed');
    for (let i = 0; i < 20; i++) await scrape();
    const measure = async (seconds: number) => {
      const latencies: number[] = [];
      const failures = new Map<string, number>();
      const until = performance.now() + seconds * 1000;
      while (performance.now() < until) {
        const result = await scrape();
        if (typeof result === 'number') latencies.push(result);
        else failures.set(result, (failures.get(result) ?? 0) + 1);
        if (result === 'timeout') latencies.push(TIMEOUT_MS);
        // About Prometheus' pace for one target with a 1 s interval, but never idle long enough to hide a backlog.
        await sleep(100);
      }
      const d = distribution(latencies);
      return (
        `${d.count} scrapes, ${[...failures].map(([what, count]) => `${count} ${what}`).join(', ') || 'no failures'};` +
        ` p50 ${ms(d.p50)}, p90 ${ms(d.p90)}, p99 ${ms(d.p99)}, max ${ms(d.max)}`
      );
    };
    const quiet = await measure(QUIET_SECONDS);

    let stop = false;
    let guesses = 0;
    const guessAnswers = new Map<number, number>();
    const guessers = Array.from({ length: GUESSERS }, async (_, g) => {
      while (!stop) {
        try {
          const answer = await guessPool.request({
            method: 'GET',
            path: '/metrics',
            headers: { authorization: basic(USER, `guess-${g}-${guesses++}`) },
          });
          await answer.body.text();
          guessAnswers.set(answer.statusCode, (guessAnswers.get(answer.statusCode) ?? 0) + 1);
        } catch {
          guessAnswers.set(0, (guessAnswers.get(0) ?? 0) + 1);
        }
      }
    });
    await sleep(1000);
    const guessed = await measure(SECONDS);
    stop = true;
    await Promise.all(guessers);
    console.log(
      [
        `bench/basic-auth.ts, ${today()}, ${machine()}`,
        `${GUESSERS} closed-loop guessers (a new wrong password each request), ${SECONDS} s;` +
          ' one correctly authenticated scraper of /metrics, 100 ms between scrapes',
        `without guessers (${QUIET_SECONDS} s): ${quiet}`,
        `with ${GUESSERS} guessers (${SECONDS} s): ${guessed}`,
        `guesses answered: ${[...guessAnswers].map(([status, count]) => `${count} x ${status === 0 ? 'error' : status}`).join(', ')}`,
      ].join('\n'),
    );
  } finally {
    await scraper.close();
    await guessPool.close();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
