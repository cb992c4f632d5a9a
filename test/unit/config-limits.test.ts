import { parseConfig } from '../../src/config/load.js';
import { MAX_YAML_DEPTH, MAX_YAML_LINES, MAX_YAML_NODES, yamlLimitProblem } from '../../src/config/yaml-limits.js';
import { configProblems as problemsOf } from '../support/scrape.js';

const AUTH = 'auth: { bearer_token: "0123456789abcdef0123" }';
const MIB = 1024 * 1024;

describe('configuration size and nesting limits', () => {
  test('the limits', () => {
    expect([MAX_YAML_DEPTH, MAX_YAML_NODES, MAX_YAML_LINES]).toEqual([32, 10_000, 20_000]);
  });

  test('a 1 MiB config of nested [[[...]]] is refused before parsing, naming the limit', () => {
    const half = (MIB - 'a: '.length) / 2;
    const text = `a: ${'['.repeat(Math.floor(half))}${']'.repeat(Math.floor(half))}`;
    expect(problemsOf(text)).toEqual(['not accepted: YAML nested more than 32 levels deep (line 1)']);
  });

  test.each([
    ['flow mappings', `a: ${'{b: '.repeat(40)}1${'}'.repeat(40)}`, 1],
    ['compact block sequences', `a:\n  ${'- '.repeat(100_000)}x\n`, 2],
    ['indented block mappings', Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'), 33],
  ])('deep %s are refused too', (_what, text, line) => {
    expect(problemsOf(text)).toEqual([`not accepted: YAML nested more than 32 levels deep (line ${line})`]);
  });

  test('25,000 robots, one per line, are refused by the line limit', () => {
    const lines = ['notify:', `  ${AUTH}`, '  dingtalk:'];
    for (let n = 0; n < 25_000; n++) lines.push(`    r${n}: { url: "http://h/x" }`);
    expect(problemsOf(lines.join('\n'))).toEqual([
      'not accepted: more than 20000 lines; a configuration has a few hundred',
    ]);
  });

  test('25,000 robots on one line are refused by the node limit', () => {
    const robots = Array.from({ length: 25_000 }, (_, n) => `r${n}: { url: "http://127.0.0.1:1/x" }`).join(', ');
    expect(problemsOf(`notify: { ${AUTH}, dingtalk: { ${robots} } }`)).toEqual([
      'not accepted: more than 10000 YAML nodes (keys, values, list items) by line 1; a configuration has a few hundred',
    ]);
  });

  test('within the YAML limits, more than 100 robots in a channel are refused before their templates are read', () => {
    const robots = (n: number) =>
      Array.from({ length: n }, (_, i) => `      r${i}: { url: "http://127.0.0.1:1/x" }`).join('\n');
    expect(problemsOf(`notify:\n  ${AUTH}\n  dingtalk:\n${robots(150)}\n  wecom:\n${robots(101)}\n`)).toEqual([
      'notify.dingtalk: at most 100 robots, not 150',
      'notify.wecom: at most 100 robots, not 101',
    ]);
    const config = parseConfig(`notify:\n  ${AUTH}\n  dingtalk:\n${robots(100)}\n`, 't', {});
    expect(Object.keys(config.notify.dingtalk)).toHaveLength(100);
  });

  test('brackets in quoted strings, comments and block scalars are text, not nesting', () => {
    const brackets = '['.repeat(200);
    const text = [
      `# ${brackets}`,
      'documentserver:',
      `  url: "http://127.0.0.1:8000" # ${brackets}`,
      'notify:',
      `  labels: ['${brackets}', "${brackets}"]`,
      `  language: plain${brackets}`,
      '  templates_dir: |',
      `    ${brackets}`,
    ].join('\n');
    expect(yamlLimitProblem(text)).toBeUndefined();
    // Parsed as YAML: the values arrive whole, and the schema judges them.
    expect(problemsOf(text)).toEqual(['notify.language: must be zh-CN or en']);
    expect(parseConfig(text.replace(`plain${brackets}`, 'en'), 't', {}).notify.labels).toEqual([brackets, brackets]);
  });

  test('32 levels pass the limit (the schema then judges them), 33 do not', () => {
    // `a:` is one level, each flow bracket one more.
    expect(yamlLimitProblem(`a: ${'['.repeat(31)}${']'.repeat(31)}`)).toBeUndefined();
    expect(yamlLimitProblem(`a: ${'['.repeat(32)}${']'.repeat(32)}`)).toBe(
      'YAML nested more than 32 levels deep (line 1)',
    );
    expect(problemsOf(`a: ${'['.repeat(31)}${']'.repeat(31)}`)).toEqual(['a: unknown key']);
  });

  test('10,000 nodes pass, 10,001 do not', () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join('\n');
    expect(yamlLimitProblem(keys(5_000))).toBeUndefined();
    expect(yamlLimitProblem(`${keys(5_000)}\nlast:`)).toBe(
      'more than 10000 YAML nodes (keys, values, list items) by line 5001; a configuration has a few hundred',
    );
  });
});

describe('parsing what passed the limits', () => {
  test('a key given twice in one mapping is refused with its line; the same key in two mappings is fine', () => {
    expect(problemsOf('documentserver:\n  url: http://a\n  timeout: 2s\n  url: http://b\n')).toEqual([
      'not valid YAML (line 4): the key "url" is given twice in one mapping',
    ]);
    expect(
      parseConfig('documentserver: { timeout: 2s }\ndependencies: { timeout: 2s }\n', 't', {}).dependencies.timeout,
    ).toBe(2000);
  });

  test("aliases expanding past the yaml package's alias limit are refused", () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let n = 0; n < 8; n++)
      lines.push(
        `${String.fromCharCode(98 + n)}: &${String.fromCharCode(98 + n)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + n)}`)
          .join(', ')}]`,
      );
    expect(problemsOf(lines.join('\n'))).toEqual([
      'not valid YAML: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  test('a 5,000-key mapping (the node limit) is parsed and judged', () => {
    const keys = Array.from({ length: 4_999 }, (_, i) => `k${i}: 1`).join('\n');
    const problems = problemsOf(keys);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.startsWith('k0: unknown key; k1: unknown key;')).toBe(true);
  });
});
