import { Writable } from 'node:stream';
import pino from 'pino';
import { TransitionLog, type TransitionMessages } from '../../src/lib/transition-log.js';

function capture(messages: TransitionMessages) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { base: undefined, timestamp: false },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { log: new TransitionLog(logger, messages), lines };
}

describe('TransitionLog', () => {
  test('a problem when it starts or changes, its end once; a first success is silent by default', () => {
    const { log, lines } = capture({ failing: 'x failed', recovered: 'x recovered', field: 'err' });
    log.record('a', { target: 'a' }, undefined);
    log.record('a', { target: 'a' }, 'refused');
    log.record('a', { target: 'a' }, 'refused');
    log.record('a', { target: 'a' }, 'timeout');
    log.record('b', { target: 'b' }, 'refused');
    log.record('a', { target: 'a' }, undefined);
    log.record('a', { target: 'a' }, undefined);
    expect(lines).toEqual([
      { level: 40, target: 'a', err: 'refused', msg: 'x failed' },
      { level: 40, target: 'a', err: 'timeout', msg: 'x failed' },
      { level: 40, target: 'b', err: 'refused', msg: 'x failed' },
      { level: 30, target: 'a', msg: 'x recovered' },
    ]);
  });

  test('the field defaults to problem', () => {
    const { log, lines } = capture({ failing: 'f', recovered: 'r' });
    log.record('k', {}, 'gone');
    expect(lines).toEqual([{ level: 40, problem: 'gone', msg: 'f' }]);
  });

  test('first: a first record without a problem is logged once per key, then only changes', () => {
    const { log, lines } = capture({ failing: 'down', recovered: 'up again', first: 'watching' });
    log.record('a', { n: 1 }, undefined);
    log.record('a', { n: 2 }, undefined);
    log.record('b', { n: 3 }, undefined);
    log.record('a', { n: 4 }, 'gone');
    log.record('a', { n: 5 }, undefined);
    log.record('a', { n: 6 }, undefined);
    expect(lines).toEqual([
      { level: 30, n: 1, msg: 'watching' },
      { level: 30, n: 3, msg: 'watching' },
      { level: 40, n: 4, problem: 'gone', msg: 'down' },
      { level: 30, n: 5, msg: 'up again' },
    ]);
  });

  test('first: a key whose first record is a problem recovers with the recovered message', () => {
    const { log, lines } = capture({ failing: 'down', recovered: 'up again', first: 'watching' });
    log.record('a', {}, 'refused');
    log.record('a', {}, undefined);
    expect(lines.map((line) => line.msg)).toEqual(['down', 'up again']);
  });

  test('field false: the fields describe the problem, which only tells one from the next', () => {
    const { log, lines } = capture({ failing: 'probe failed', recovered: 'probe ok', field: false });
    log.record('p', { outcome: 'timeout', detail: 'after 3 s' }, 'timeout 0');
    log.record('p', { outcome: 'timeout', detail: 'after 4 s' }, 'timeout 0');
    log.record('p', { outcome: 'failed', detail: 'x2t' }, 'failed -3');
    expect(lines).toEqual([
      { level: 40, outcome: 'timeout', detail: 'after 3 s', msg: 'probe failed' },
      { level: 40, outcome: 'failed', detail: 'x2t', msg: 'probe failed' },
    ]);
  });
});
