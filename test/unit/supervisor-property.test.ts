import fc from 'fast-check';
import {
  parseSupervisorctlStatus,
  parseSystemctlShow,
  parseUptime,
  SUPERVISOR_STATES,
  unitId,
} from '../../src/supervisor/status.js';

const state = fc.constantFrom(...SUPERVISOR_STATES);
const program = fc.oneof(
  fc.constantFrom('ds:docservice', 'ds:converter', 'ds:metrics', 'ds:example', 'nginx', 'rabbitmq-server'),
  fc.stringMatching(/^[A-Za-z0-9_:.-]{1,40}$/),
);
const uptime = fc.record({
  days: fc.integer({ min: 0, max: 400 }),
  h: fc.integer({ min: 0, max: 23 }),
  m: fc.integer({ min: 0, max: 59 }),
  s: fc.integer({ min: 0, max: 59 }),
});
const uptimeText = (u: { days: number; h: number; m: number; s: number }) =>
  `${u.days === 0 ? '' : `${u.days} day${u.days === 1 ? '' : 's'}, `}${u.h}:${String(u.m).padStart(2, '0')}:${String(u.s).padStart(2, '0')}`;

// What supervisorctl prints, what breaks it, and plain noise.
const line = fc.oneof(
  fc
    .tuple(program, state, fc.integer({ min: 1, max: 99999 }), uptime)
    .map(([p, st, pid, u]) => `${p.padEnd(32)} ${st.padEnd(10)} pid ${pid}, uptime ${uptimeText(u)}`),
  fc.tuple(program, state, fc.string({ maxLength: 40 })).map(([p, st, d]) => `${p} ${st} ${d}`),
  fc.constantFrom(
    'unix:///var/run/supervisor.sock no such file',
    'unix:///var/run/supervisor.sock refused connection',
    'OCI runtime exec failed: exec failed: unable to start container process: exec: "supervisorctl": executable file not found in $PATH: unknown',
    'ds:docservice                    FATAL     Exited too quickly (process log may have details)',
    'ds:converter                     STOPPED   Not started',
    '',
  ),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);
const output = fc
  .array(line, { maxLength: 12 })
  .chain((lines) => fc.constantFrom('\n', '\r\n').map((sep) => lines.join(sep)));
const exitCode = fc.option(fc.integer({ min: -1, max: 255 }), { nil: undefined });

describe('supervisor output parsers: property-based', () => {
  test('supervisorctl status: never throws; up exactly when supervisord answered; every program well-formed', () => {
    fc.assert(
      fc.property(output, exitCode, (text, code) => {
        const report = parseSupervisorctlStatus(text, code);
        const nonEmpty = text.split(/\r?\n/).filter((l) => l.trim() !== '');
        if (report.programs.length > 0) expect([report.up, report.error]).toEqual([true, undefined]);
        if (report.programs.length === 0) {
          expect(report.up).toBe(nonEmpty.length === 0 && code === 0);
          if (!report.up) expect(typeof report.error).toBe('string');
        }
        expect(report.programs.length).toBeLessThanOrEqual(nonEmpty.length);
        for (const p of report.programs) {
          expect(SUPERVISOR_STATES).toContain(p.state);
          expect(p.program).not.toMatch(/\s/);
          expect(p.program.length).toBeGreaterThan(0);
          if (p.uptimeSeconds !== undefined) {
            expect(p.state).toBe('RUNNING');
            expect(Number.isSafeInteger(p.uptimeSeconds) && p.uptimeSeconds >= 0).toBe(true);
          }
        }
      }),
      { numRuns: 5000 },
    );
  });

  test('printed uptimes come back to the second', () => {
    fc.assert(
      fc.property(program, fc.integer({ min: 1, max: 99999 }), uptime, (p, pid, u) => {
        const report = parseSupervisorctlStatus(`${p.padEnd(32)} RUNNING   pid ${pid}, uptime ${uptimeText(u)}\n`, 0);
        expect(report.programs).toEqual([
          {
            program: p,
            state: 'RUNNING',
            uptimeSeconds: u.days * 86_400 + u.h * 3600 + u.m * 60 + u.s,
            description: `pid ${pid}, uptime ${uptimeText(u)}`,
          },
        ]);
        expect(parseUptime(`pid ${pid}, uptime ${uptimeText(u)}`)).toBe(u.days * 86_400 + u.h * 3600 + u.m * 60 + u.s);
      }),
      { numRuns: 2000 },
    );
  });

  test('systemctl show: never throws and answers one entry per unit asked, in order', () => {
    const units = fc.array(
      fc.oneof(
        fc.constantFrom('ds-docservice', 'ds-converter', 'ds-metrics.service', 'nginx.service'),
        fc.string({ maxLength: 20 }),
      ),
      { maxLength: 6 },
    );
    const block = fc
      .record(
        {
          Id: fc.oneof(
            fc.constantFrom('ds-docservice.service', 'ds-converter.service', 'ds-metrics.service', 'nginx.service'),
            fc.string({ maxLength: 20 }),
          ),
          LoadState: fc.oneof(fc.constantFrom('loaded', 'not-found', 'masked'), fc.string({ maxLength: 10 })),
          ActiveState: fc.oneof(
            fc.constantFrom('active', 'reloading', 'activating', 'deactivating', 'failed', 'inactive'),
            fc.string({ maxLength: 10 }),
          ),
          SubState: fc.oneof(
            fc.constantFrom('running', 'auto-restart', 'dead', 'exited'),
            fc.string({ maxLength: 10 }),
          ),
          ActiveEnterTimestampMonotonic: fc.oneof(
            fc.bigInt({ min: 0n, max: 10n ** 15n }).map(String),
            fc.string({ maxLength: 12 }),
          ),
        },
        { requiredKeys: [] },
      )
      .map((b) =>
        Object.entries(b)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      );
    const show = fc.oneof(
      fc.array(block, { maxLength: 6 }).map((blocks) => blocks.join('\n\n')),
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fc.assert(
      fc.property(show, units, fc.double({ min: 0, max: 1e9, noNaN: true }), (text, asked, now) => {
        const statuses = parseSystemctlShow(text, asked, now);
        expect(statuses.map((s) => s.program)).toEqual(asked);
        for (const s of statuses) {
          expect(SUPERVISOR_STATES).toContain(s.state);
          if (s.uptimeSeconds !== undefined)
            expect(Number.isSafeInteger(s.uptimeSeconds) && s.uptimeSeconds >= 0).toBe(true);
        }
        for (const unit of asked) expect(unitId(unit).length).toBeGreaterThanOrEqual(unit.length);
      }),
      { numRuns: 3000 },
    );
  });
});
