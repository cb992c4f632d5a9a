import { accessSync, constants } from 'node:fs';
import { execFileSync } from 'node:child_process';

/**
 * Gate for tests that need real programs (nginx, rabbitmq-server, ...). Outside CI a missing
 * program skips the block with a message saying what to install; with CI=true it fails the run.
 */
export function requirePrograms(...programs: string[]): { missing: string[]; describe: jest.Describe } {
  const missing = programs.filter((program) => !findProgram(program));
  if (missing.length === 0) return { missing, describe };
  const message = `missing programs: ${missing.join(', ')} (run scripts/install-test-deps.sh as root)`;
  if (process.env.CI === 'true') {
    return {
      missing,
      describe: ((name: string) =>
        describe(name, () => {
          test('has the programs it needs', () => {
            throw new Error(message);
          });
        })) as unknown as jest.Describe,
    };
  }
  console.warn(`SKIPPED: ${message}`);
  return { missing, describe: describe.skip };
}

export function findProgram(program: string): string | undefined {
  if (program.startsWith('/')) {
    try {
      accessSync(program, constants.X_OK);
      return program;
    } catch {
      return undefined;
    }
  }
  try {
    return execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
