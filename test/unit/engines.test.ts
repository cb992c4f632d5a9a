import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// fastify's own semver: the range grammar npm applies to `engines`.
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string };
};

interface LockEntry {
  engines?: { node?: string };
  dev?: boolean;
  optional?: boolean;
}

describe('the Node.js versions we support', () => {
  const ours = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines
    .node;
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };

  test('start at the oldest Node 20 that undici 7 runs on', () => {
    expect(ours).toBe('>=20.18.1');
  });

  // npm ci warned (EBADENGINE) that cookie@2.0.2, pulled in through fastify's light-my-request, wants Node >= 22.
  test.each(['20.18.1', '22.0.0', '24.0.0'])('every locked package runs on Node %s', (version) => {
    const refusing = Object.entries(lock.packages)
      .filter(
        ([path, entry]) =>
          path !== '' && entry.engines?.node !== undefined && !semver.satisfies(version, entry.engines.node),
      )
      .map(([path, entry]) => `${path} (${entry.engines!.node})`);
    expect(refusing).toEqual([]);
    expect(semver.satisfies(version, ours)).toBe(true);
  });
});
