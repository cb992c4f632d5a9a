import { CliError, parseCli } from '../../src/cli.js';

describe('command line', () => {
  test('defaults', () => {
    expect(parseCli([])).toEqual({
      listenHost: '0.0.0.0',
      listenPort: 9967,
      logLevel: 'info',
      timeoutOffsetMs: 500,
      enableRemoteReload: false,
      maxRequests: 40,
      maxResponseBytesInFlight: 67_108_864,
    });
  });

  test('Prometheus-style flags, with = or a separate value', () => {
    expect(
      parseCli([
        '--config.file=/etc/x.yml',
        '--web.listen-address',
        '127.0.0.1:9000',
        '--log.level=debug',
        '--web.timeout-offset=1s',
      ]),
    ).toEqual({
      configFile: '/etc/x.yml',
      listenHost: '127.0.0.1',
      listenPort: 9000,
      logLevel: 'debug',
      timeoutOffsetMs: 1000,
      enableRemoteReload: false,
      maxRequests: 40,
      maxResponseBytesInFlight: 67_108_864,
    });
    expect(parseCli(['--web.max-requests=0', '--web.max-response-bytes-in-flight', '1048576'])).toMatchObject({
      maxRequests: 0,
      maxResponseBytesInFlight: 1_048_576,
    });
    expect(parseCli(['--web.listen-address=[::1]:9001'])).toMatchObject({ listenHost: '::1', listenPort: 9001 });
    expect(parseCli(['--help'])).toBe('help');
  });

  test('bad flags name themselves', () => {
    expect(() => parseCli(['--log.level=loud'])).toThrow(
      new CliError('--log.level must be one of trace, debug, info, warn, error, fatal, silent, not "loud"'),
    );
    expect(() => parseCli(['--web.listen-address=9000'])).toThrow(
      '--web.listen-address must be host:port, [ipv6]:port or :port, not "9000"',
    );
    expect(() => parseCli(['--nope=1'])).toThrow('unknown flag --nope');
    expect(() => parseCli(['--config.file'])).toThrow('--config.file needs a value');
    expect(() => parseCli(['--web.max-requests=-1'])).toThrow(
      '--web.max-requests must be a whole number (0 for no limit), not "-1"',
    );
    expect(() => parseCli(['--web.max-response-bytes-in-flight=256MiB'])).toThrow(
      '--web.max-response-bytes-in-flight must be a whole number (0 for no limit), not "256MiB"',
    );
  });
});
