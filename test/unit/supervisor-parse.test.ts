import {
  MAX_PROGRAMS,
  parseSupervisorctlStatus,
  parseSystemctlShow,
  parseUptime,
  unitId,
} from '../../src/supervisor/status.js';

// supervisorctl prints '%(name)-32s %(state)-10s %(desc)s' (supervisor/supervisorctl.py); desc per state from
// rpcinterface make_description: RUNNING "pid N, uptime <timedelta>", FATAL/BACKOFF the spawn error,
// STOPPED/EXITED "Not started" or the stop time '%b %d %I:%M %p', STARTING and STOPPING nothing.
const ALL_IN_ONE = [
  'ds:adminpanel                    STOPPED   Not started',
  'ds:converter                     RUNNING   pid 412, uptime 2 days, 3:04:05',
  'ds:docservice                    FATAL     Exited too quickly (process log may have details)',
  'ds:example                       EXITED    Nov 25 09:00 AM',
  'ds:metrics                       BACKOFF   Exited too quickly (process log may have details)',
  'nginx                            STARTING  ',
  'postgresql                       STOPPING  ',
  'rabbitmq                         RUNNING   pid 77, uptime 1 day, 0:00:01',
  'redis                            UNKNOWN   ',
  'a-program-name-longer-than-thirty-two-chars RUNNING   pid 9, uptime 0:00:05',
].join('\n');

describe('supervisorctl status', () => {
  test('every state and description form', () => {
    const report = parseSupervisorctlStatus(`${ALL_IN_ONE}\n`, 3);
    expect(report.up).toBe(true);
    expect(report.error).toBeUndefined();
    expect(report.programs.map((p) => [p.program, p.state, p.uptimeSeconds])).toEqual([
      ['ds:adminpanel', 'STOPPED', undefined],
      ['ds:converter', 'RUNNING', 2 * 86_400 + 3 * 3_600 + 4 * 60 + 5],
      ['ds:docservice', 'FATAL', undefined],
      ['ds:example', 'EXITED', undefined],
      ['ds:metrics', 'BACKOFF', undefined],
      ['nginx', 'STARTING', undefined],
      ['postgresql', 'STOPPING', undefined],
      ['rabbitmq', 'RUNNING', 86_401],
      ['redis', 'UNKNOWN', undefined],
      ['a-program-name-longer-than-thirty-two-chars', 'RUNNING', 5],
    ]);
    expect(report.programs[2]!.description).toBe('Exited too quickly (process log may have details)');
    expect(report.programs[3]!.description).toBe('Nov 25 09:00 AM');
  });

  test('all RUNNING, exit 0, CRLF line ends (a TTY exec)', () => {
    const report = parseSupervisorctlStatus(
      'ds:docservice                    RUNNING   pid 123, uptime 1:02:03\r\nds:converter                     RUNNING   pid 124, uptime 0:00:00\r\n',
      0,
    );
    expect(report).toEqual({
      up: true,
      error: undefined,
      check: 'ok',
      dropped: 0,
      programs: [
        { program: 'ds:docservice', state: 'RUNNING', uptimeSeconds: 3_723, description: 'pid 123, uptime 1:02:03' },
        { program: 'ds:converter', state: 'RUNNING', uptimeSeconds: 0, description: 'pid 124, uptime 0:00:00' },
      ],
    });
  });

  // supervisor 4 _upcheck: ENOENT prints "<serverurl> no such file" and exits 7, ECONNREFUSED "<serverurl> refused connection" exits 4.
  test('supervisord not reachable: the line supervisorctl prints is the error', () => {
    for (const [line, exit] of [
      ['unix:///var/run/supervisor.sock no such file', 7],
      ['unix:///var/run/supervisor.sock refused connection', 4],
      ['http://localhost:9001 refused connection', 4],
      ['Error: .ini file does not include supervisorctl section', 2],
    ] as const) {
      expect(parseSupervisorctlStatus(`${line}\n`, exit)).toEqual({
        up: false,
        programs: [],
        error: line,
        check: 'error',
        dropped: 0,
      });
    }
  });

  test('no supervisorctl in the container (the OCI runtime error docker exec gives, exit 126)', () => {
    const oci =
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "supervisorctl": executable file not found in $PATH: unknown\r\n';
    expect(parseSupervisorctlStatus(oci, 126)).toEqual({
      up: false,
      programs: [],
      error: oci.trim(),
      check: 'error',
      dropped: 0,
    });
  });

  test('an error line for one program does not hide the others', () => {
    const report = parseSupervisorctlStatus(
      'ds:docservice                    RUNNING   pid 1, uptime 0:01:00\nds:nothing: ERROR (no such process)\n',
      4,
    );
    expect(report.up).toBe(true);
    expect(report.programs.map((p) => p.program)).toEqual(['ds:docservice']);
  });

  test('no programs configured, silence and exit 0, is up; silence with an error exit is not', () => {
    expect(parseSupervisorctlStatus('', 0)).toEqual({
      up: true,
      programs: [],
      error: undefined,
      check: 'ok',
      dropped: 0,
    });
    const silentError = 'supervisorctl exited with code 2 and printed nothing';
    expect(parseSupervisorctlStatus('', 2)).toEqual({
      up: false,
      programs: [],
      error: silentError,
      check: 'error',
      dropped: 0,
    });
    expect(parseSupervisorctlStatus('', undefined)).toEqual({
      up: false,
      programs: [],
      error: 'supervisorctl did not finish',
      check: 'error',
      dropped: 0,
    });
  });

  test('output cut at a byte count: the partial last line is not a program, even when it reads like one', () => {
    const whole =
      'ds:docservice                    RUNNING   pid 1, uptime 0:01:00\nds:converter                     RUNNING   pid 2, upt';
    expect(parseSupervisorctlStatus(whole, 0, true).programs.map((p) => p.program)).toEqual(['ds:docservice']);
    // Not cut: a last line without its newline is whole.
    expect(parseSupervisorctlStatus(whole, 0).programs.map((p) => [p.program, p.uptimeSeconds])).toEqual([
      ['ds:docservice', 60],
      ['ds:converter', undefined],
    ]);
  });

  test('at most 64 programs; the others are counted, not exported', () => {
    const lines = Array.from({ length: 831 }, (_, i) => `${`p${i}`.padEnd(32)} RUNNING   pid ${i}, uptime 0:00:01`);
    const report = parseSupervisorctlStatus(`${lines.join('\n')}\n`, 0);
    expect(MAX_PROGRAMS).toBe(64);
    expect(report.programs.map((p) => p.program)).toEqual(Array.from({ length: 64 }, (_, i) => `p${i}`));
    expect([report.up, report.check, report.dropped]).toEqual([true, 'ok', 831 - 64]);
    expect(parseSupervisorctlStatus(`${lines.slice(0, 64).join('\n')}\n`, 0).dropped).toBe(0);
  });

  test('uptime forms of datetime.timedelta', () => {
    expect(parseUptime('pid 1, uptime 0:00:05')).toBe(5);
    expect(parseUptime('pid 1, uptime 12:34:56')).toBe(45_296);
    expect(parseUptime('pid 1, uptime 1 day, 0:00:00')).toBe(86_400);
    expect(parseUptime('pid 1, uptime 400 days, 23:59:59')).toBe(400 * 86_400 + 86_399);
    expect(parseUptime('Not started')).toBeUndefined();
  });
});

describe('systemctl show', () => {
  // systemctl show --property=Id,LoadState,ActiveState,SubState,ActiveEnterTimestampMonotonic: Key=Value blocks, blank line between units.
  const OUTPUT = [
    'Id=ds-docservice.service',
    'LoadState=loaded',
    'ActiveState=active',
    'SubState=running',
    'ActiveEnterTimestampMonotonic=1000000000',
    '',
    'Id=ds-converter.service',
    'LoadState=loaded',
    'ActiveState=activating',
    'SubState=auto-restart',
    'ActiveEnterTimestampMonotonic=0',
    '',
    'Id=ds-metrics.service',
    'LoadState=loaded',
    'ActiveState=failed',
    'SubState=failed',
    'ActiveEnterTimestampMonotonic=5000000',
    '',
    'Id=ds-example.service',
    'LoadState=not-found',
    'ActiveState=inactive',
    'SubState=dead',
    'ActiveEnterTimestampMonotonic=0',
    '',
    'Id=ds-adminpanel.service',
    'LoadState=loaded',
    'ActiveState=inactive',
    'SubState=dead',
    'ActiveEnterTimestampMonotonic=0',
    '',
    'Id=other.service',
    'LoadState=loaded',
    'ActiveState=deactivating',
    'SubState=stop-sigterm',
    'ActiveEnterTimestampMonotonic=1',
    '',
    'Id=starting.service',
    'LoadState=loaded',
    'ActiveState=activating',
    'SubState=start',
    'ActiveEnterTimestampMonotonic=0',
  ].join('\n');

  test('maps systemd states onto supervisor states; uptime from the monotonic clock', () => {
    const programs = parseSystemctlShow(
      OUTPUT,
      [
        'ds-docservice',
        'ds-converter',
        'ds-metrics.service',
        'ds-example',
        'ds-adminpanel',
        'other',
        'starting',
        'absent',
      ],
      4_600,
    );
    expect(programs.map((p) => [p.program, p.state, p.uptimeSeconds])).toEqual([
      ['ds-docservice', 'RUNNING', 3_600],
      ['ds-converter', 'BACKOFF', undefined],
      ['ds-metrics.service', 'FATAL', undefined],
      ['ds-example', 'UNKNOWN', undefined],
      ['ds-adminpanel', 'STOPPED', undefined],
      ['other', 'STOPPING', undefined],
      ['starting', 'STARTING', undefined],
      ['absent', 'UNKNOWN', undefined],
    ]);
  });

  test('unit names get .service unless they have a suffix', () => {
    expect(unitId('ds-docservice')).toBe('ds-docservice.service');
    expect(unitId('ds-docservice.service')).toBe('ds-docservice.service');
    expect(unitId('ds.target')).toBe('ds.target');
  });
});
