import { parseConfig } from '../../src/config/load.js';
import { configProblems as problemsOf } from '../support/scrape.js';

describe('statsd configuration', () => {
  test('off by default', () => {
    expect(parseConfig('', 't', {}).statsd).toEqual({ enabled: 'auto', max_series: 1000 });
  });

  test('udp://host:port for IPv4, IPv6 and names', () => {
    expect(parseConfig('statsd: { listen: "udp://0.0.0.0:9125" }', 't', {}).statsd.listen).toEqual({
      host: '0.0.0.0',
      port: 9125,
      family: 'udp4',
    });
    expect(parseConfig('statsd: { listen: "udp://[::]:8125", max_series: 20 }', 't', {}).statsd).toEqual({
      enabled: 'auto',
      listen: { host: '::', port: 8125, family: 'udp6' },
      max_series: 20,
    });
    expect(parseConfig('statsd: { max_series: 10000 }', 't', {}).statsd).toEqual({
      enabled: 'auto',
      max_series: 10_000,
    });
    expect(parseConfig('statsd: { listen: "udp://localhost:9125" }', 't', {}).statsd.listen).toEqual({
      host: 'localhost',
      port: 9125,
      family: 'udp4',
    });
  });

  test.each([
    [
      'statsd: { listen: "0.0.0.0:9125" }',
      'statsd.listen: "0.0.0.0:9125" is not udp://host:port, e.g. udp://0.0.0.0:9125 or udp://[::1]:9125',
    ],
    [
      'statsd: { listen: "tcp://0.0.0.0:9125" }',
      'statsd.listen: "tcp://0.0.0.0:9125" is not udp://host:port, e.g. udp://0.0.0.0:9125 or udp://[::1]:9125',
    ],
    [
      'statsd: { listen: "udp://0.0.0.0:70000" }',
      'statsd.listen: "udp://0.0.0.0:70000" is not udp://host:port, e.g. udp://0.0.0.0:9125 or udp://[::1]:9125',
    ],
    [
      'statsd: { listen: "udp://[nope]:9125" }',
      'statsd.listen: "udp://[nope]:9125" is not udp://host:port, e.g. udp://0.0.0.0:9125 or udp://[::1]:9125',
    ],
    ['statsd: { listen: "udp://[1.2.3.4]:9125" }', 'statsd.listen: "1.2.3.4" in brackets is not an IPv6 address'],
    ['statsd: { listen: 9125 }', 'statsd.listen: expected string, got number'],
    ['statsd: { max_series: 0 }', 'statsd.max_series: Number must be greater than or equal to 1'],
    ['statsd: { max_series: 1.5 }', 'statsd.max_series: expected integer, got float'],
    [
      'statsd: { max_series: 10001 }',
      'statsd.max_series: at most 10000: each StatsD series is a histogram of up to 18 rows, and 10000 make a /metrics answer of about 10 MB',
    ],
    [
      'statsd: { max_series: 100000 }',
      'statsd.max_series: at most 10000: each StatsD series is a histogram of up to 18 rows, and 10000 make a /metrics answer of about 10 MB',
    ],
    ['statsd: { prefix: "ds." }', 'statsd.prefix: unknown key'],
  ])('%s', (yaml, problem) => {
    expect(problemsOf(yaml)).toEqual([problem]);
  });
});
