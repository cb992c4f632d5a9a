import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseCli } from '../../src/cli.js';
import { requirePrograms } from '../support/integration.js';

const run = promisify(execFile);
const UNIT = fileURLToPath(new URL('../../deploy/systemd/onlyoffice-exporter.service', import.meta.url));

/** `[Section]` → key → values (a key may repeat). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!] = {};
      continue;
    }
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!match || !current) throw new Error(`not a unit file line: ${line}`);
    (current[match[1]!] ??= []).push(match[2]!);
  }
  return sections;
}

describe('deploy/systemd unit (parsed)', () => {
  const unit = parseUnit(readFileSync(UNIT, 'utf8'));
  const service = unit.Service!;

  test('starts the daemon with its config file, reloads with SIGHUP, restarts on failure, as its own user', () => {
    const exec = service.ExecStart![0]!.split(' ');
    // The dist/ build (`npm run build`), with the node flags of `npm start` and the image.
    expect(exec.slice(0, 5)).toEqual([
      '/usr/bin/node',
      '--max-semi-space-size=1',
      '--v8-pool-size=1',
      '--optimize-for-size',
      '/opt/onlyoffice-exporter/dist/main.js',
    ]);
    // The flags are the daemon's own.
    expect(parseCli(exec.slice(5))).toMatchObject({
      configFile: '/etc/onlyoffice-exporter/config.yml',
      listenPort: 9967,
    });
    expect(service.ExecReload).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(service.Restart).toEqual(['on-failure']);
    expect(service.User).toEqual(['onlyoffice-exporter']);
    expect(service.WorkingDirectory).toEqual(['/opt/onlyoffice-exporter']);
    expect(unit.Install!.WantedBy).toEqual(['multi-user.target']);
  });

  test('is hardened: read-only system, no privileges, no capabilities, restricted syscalls and address families', () => {
    expect(service).toMatchObject({
      NoNewPrivileges: ['yes'],
      CapabilityBoundingSet: [''],
      ProtectSystem: ['strict'],
      ProtectHome: ['yes'],
      PrivateTmp: ['yes'],
      PrivateDevices: ['yes'],
      RestrictSUIDSGID: ['yes'],
      RestrictAddressFamilies: ['AF_UNIX AF_INET AF_INET6'],
      SystemCallFilter: ['@system-service'],
    });
    // V8 needs W+X memory: this one would kill node at start.
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
  });
});

const { describe: withSystemd } = requirePrograms('systemd-analyze', '/usr/bin/node');

withSystemd('deploy/systemd unit (systemd-analyze)', () => {
  test('systemd-analyze verify accepts it without a warning', async () => {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', UNIT]);
    expect({ stdout, stderr }).toEqual({ stdout: '', stderr: '' });
  });

  test('systemd-analyze verify does catch a broken copy of it (the check is real)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-unit-'));
    try {
      const broken = join(dir, 'onlyoffice-exporter.service');
      writeFileSync(
        broken,
        readFileSync(UNIT, 'utf8').replace('ExecStart=/usr/bin/node ', 'ExecStart=/usr/bin/no-such-node '),
      );
      await expect(run('systemd-analyze', ['verify', broken])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('Command /usr/bin/no-such-node is not executable'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('systemd-analyze security rates its exposure at most 2.0 ("OK")', async () => {
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', '--threshold=20', UNIT]);
    const score = Number(/Overall exposure level for onlyoffice-exporter\.service: ([\d.]+) OK/.exec(stdout)?.[1]);
    expect(score).toBeLessThanOrEqual(2.0);
  });
});
