import type { ZodError } from 'zod';
import { readBoundedFile, readErrorReason } from '../lib/read-bounded-file.js';
import { configSchema, type Config } from './schema.js';
import { parseYaml, yamlLimitProblem } from './yaml-limits.js';

/** A configuration problem, with every offending key named ("documentserver.timeout: ..."). */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

// Keys whose value may instead come from a file named by `<key>_file` (Docker/Kubernetes secrets).
export const FILE_BACKED_KEYS = new Set([
  'secret',
  'browser_secret',
  'password',
  'bearer_token',
  'token',
  'url',
  'username',
]);
const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

type Env = Record<string, string | undefined>;

/** Loads and validates the YAML file at `path`; with no path, the built-in defaults. */
export function loadConfigFile(path: string | undefined, env: Env = process.env): Config {
  if (path === undefined) return parseConfig('', '(defaults)', env);
  let text: string;
  try {
    text = readBoundedFile(path);
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${readErrorReason(error)}`]);
  }
  return parseConfig(text, path, env);
}

export function parseConfig(text: string, source: string, env: Env = process.env): Config {
  // Bounded before parsing: a pathological text must be refused at once, not freeze the event loop on a reload.
  const tooBig = yamlLimitProblem(text);
  if (tooBig !== undefined) throw new ConfigError(source, [`not accepted: ${tooBig}`]);
  const parsed = parseYaml(text);
  if (!parsed.ok)
    throw new ConfigError(source, [
      `not valid YAML${parsed.line !== undefined ? ` (line ${parsed.line})` : ''}: ${parsed.message}`,
    ]);
  const raw = parsed.value ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(source, ['the top level must be a mapping of sections']);
  const problems: string[] = [];
  const resolved = resolveValues(raw, [], env, problems);
  if (problems.length > 0) throw new ConfigError(source, problems);
  const result = configSchema.safeParse(resolved);
  if (!result.success) throw new ConfigError(source, describeZodError(result.error));
  return result.data;
}

/** Expands ${VAR} / ${VAR:-default} in strings and `<key>_file` indirections, recording problems by key path. */
function resolveValues(value: unknown, path: string[], env: Env, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push(`${keyPath(path)}: environment variable ${name} is not set`);
      return '';
    });
  }
  if (Array.isArray(value))
    return value.map((item, index) => resolveValues(item, [...path, String(index)], env, problems));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const base = key.endsWith('_file') ? key.slice(0, -'_file'.length) : undefined;
    if (base !== undefined && FILE_BACKED_KEYS.has(base)) {
      if (base in (value as Record<string, unknown>)) {
        problems.push(`${keyPath([...path, key])}: give either ${base} or ${key}, not both`);
        continue;
      }
      const file = resolveValues(item, [...path, key], env, problems);
      if (typeof file !== 'string') {
        problems.push(`${keyPath([...path, key])}: must be a file path`);
        continue;
      }
      try {
        out[base] = readBoundedFile(file).replace(/\r?\n$/, '');
      } catch (error) {
        problems.push(`${keyPath([...path, key])}: cannot read ${file}: ${readErrorReason(error)}`);
      }
      continue;
    }
    out[key] = resolveValues(item, [...path, key], env, problems);
  }
  return out;
}

function keyPath(path: (string | number)[]): string {
  return path.length === 0 ? '(top level)' : path.join('.');
}

function describeZodError(error: ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${keyPath([...issue.path, key])}: unknown key`).join('; ');
    }
    if (issue.code === 'invalid_type') {
      const got = issue.received === 'undefined' ? 'nothing' : issue.received;
      return `${keyPath(issue.path)}: expected ${issue.expected}, got ${got}`;
    }
    return `${keyPath(issue.path)}: ${issue.message}`;
  });
}
