/**
 * Generates docs/CONFIGURATION.md from the zod schemas: every key with its type, default and doc comment.
 *   npm run config-doc            writes the file
 *   npm run config-doc -- --check exits 1 when the committed file differs from a fresh generation
 * test/unit/config-doc.test.ts fails when the committed file is stale or a key has no doc comment.
 *
 * Keys, types and defaults come from the schema objects themselves (src/config/schema.ts lists the sections, so a new
 * section is picked up on regeneration); the text of each key is the `/** ... *\/` comment above it in
 * src/config/sections/*.ts, and a section's is the comment above its exported schema that starts with "`name`:".
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { z } from 'zod';
import { duration } from '../src/config/duration.js';
import { FILE_BACKED_KEYS } from '../src/config/load.js';
import { configSchema } from '../src/config/schema.js';
import { targetObject } from '../src/config/sections/probe.js';
import { amqpUrl } from '../src/config/sections/rabbitmq.js';
import { udpListen } from '../src/config/sections/statsd.js';
import { size } from '../src/config/size.js';
import { hostPort, httpUrl } from '../src/config/types.js';

export const OUTPUT = fileURLToPath(new URL('../docs/CONFIGURATION.md', import.meta.url));
const SECTIONS_DIR = fileURLToPath(new URL('../src/config/sections/', import.meta.url));

/** Shared value types, named instead of walked (they are transforms over string | number). */
const NAMED = new Map<z.ZodTypeAny, string>([
  [duration, 'duration'],
  [size, 'size'],
  [httpUrl, 'http(s) URL'],
  [hostPort, 'host:port'],
  [amqpUrl, 'amqp(s) URL'],
  [udpListen, 'udp://host:port'],
]);

/**
 * Values a schema cannot show because they accept several shapes (z.unknown().transform): their type as written,
 * and, for a mapping, the schema and source object whose keys are listed below it.
 */
const SHAPES: Record<string, { type: string; schema?: z.ZodTypeAny; source?: string }> = {
  'dependencies.postgresql': { type: 'host:port, URL, mapping {address} or false' },
  'dependencies.rabbitmq': { type: 'host:port, amqp(s) URL, mapping {address, username, password} or false' },
  'dependencies.redis': { type: 'host:port, redis(s) URL, mapping {address, username, password} or false' },
  'tls.endpoints[]': { type: 'host:port or mapping {address, server_name}' },
  'probe.targets[]': { type: 'http(s) URL or mapping', schema: targetObject, source: 'targetObject' },
};

/** Mappings whose keys are documented where they are defined, not again here. */
const NOT_EXPANDED: Record<string, string> = {
  'probe.targets[].jwt': 'mapping (the keys of documentserver.jwt) or null',
};

export interface Row {
  key: string;
  type: string;
  default: string;
  doc: string;
}

export interface Section {
  name: string;
  doc: string;
  rows: Row[];
}

// ---------------------------------------------------------------------------------------------------------------
// Doc comments, from the TypeScript source.

interface SourceFile {
  file: ts.SourceFile;
  consts: Map<string, ts.Expression>;
}

function loadSources(): SourceFile[] {
  return readdirSync(SECTIONS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((name) => {
      const file = ts.createSourceFile(name, readFileSync(SECTIONS_DIR + name, 'utf8'), ts.ScriptTarget.ES2022, true);
      const consts = new Map<string, ts.Expression>();
      for (const statement of file.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name) && declaration.initializer)
            consts.set(declaration.name.text, declaration.initializer);
        }
      }
      return { file, consts };
    });
}

/** The text of the JSDoc comment right above `node`, on one line. */
function jsDoc(node: ts.Node, file: ts.SourceFile): string {
  const ranges = ts.getLeadingCommentRanges(file.text, node.getFullStart()) ?? [];
  const last = ranges.filter((r) => file.text.startsWith('/**', r.pos)).at(-1);
  if (last === undefined) return '';
  return file.text
    .slice(last.pos + 3, last.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
    .join(' ')
    .trim();
}

/** The object literal of the first `z.object({...})` in `node`, following local consts; not inside functions. */
function objectLiteral(
  node: ts.Node | undefined,
  source: SourceFile,
  seen = new Set<string>(),
): ts.ObjectLiteralExpression | undefined {
  if (node === undefined || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return undefined;
  if (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    ts.isIdentifier(node.expression.expression) &&
    node.expression.expression.text === 'z' &&
    node.expression.name.text === 'object'
  ) {
    // `z.object(...)` however it is laid out: a formatter may break it as `z\n  .object(`.
    const [argument] = node.arguments;
    return argument !== undefined && ts.isObjectLiteralExpression(argument) ? argument : undefined;
  }
  if (ts.isIdentifier(node) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
    const initializer = source.consts.get(node.text);
    if (initializer === undefined || seen.has(node.text)) return undefined;
    return objectLiteral(initializer, source, new Set([...seen, node.text]));
  }
  let found: ts.ObjectLiteralExpression | undefined;
  node.forEachChild((child) => {
    found ??= objectLiteral(child, source, seen);
  });
  return found;
}

/** The property `key` of an object literal, spreads of local object literals included. */
function property(
  literal: ts.ObjectLiteralExpression,
  key: string,
  source: SourceFile,
): ts.PropertyAssignment | undefined {
  for (const element of literal.properties) {
    if (ts.isPropertyAssignment(element) && element.name.getText(source.file) === key) return element;
    if (ts.isSpreadAssignment(element) && ts.isIdentifier(element.expression)) {
      const spread = source.consts.get(element.expression.text);
      const found =
        spread !== undefined && ts.isObjectLiteralExpression(spread) ? property(spread, key, source) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Types and defaults, from the schema objects.

interface Unwrapped {
  schema: z.ZodTypeAny;
  default?: unknown;
  optional: boolean;
  nullable: boolean;
}

function unwrap(schema: z.ZodTypeAny): Unwrapped {
  const out: Unwrapped = { schema, optional: false, nullable: false };
  for (;;) {
    const current: z.ZodTypeAny = out.schema;
    if (NAMED.has(current)) return out;
    if (current instanceof z.ZodDefault) {
      if (!('default' in out)) out.default = current._def.defaultValue();
      out.schema = current._def.innerType;
    } else if (current instanceof z.ZodOptional) {
      out.optional = true;
      out.schema = current._def.innerType;
    } else if (current instanceof z.ZodNullable) {
      out.nullable = true;
      out.schema = current._def.innerType;
    } else if (current instanceof z.ZodEffects && !(current._def.schema instanceof z.ZodUnknown)) {
      out.schema = current._def.schema;
    } else {
      return out;
    }
  }
}

function isRefusedKey(schema: z.ZodTypeAny): boolean {
  return schema instanceof z.ZodUnknown;
}

function typeOf(schema: z.ZodTypeAny): string {
  const named = NAMED.get(schema);
  if (named !== undefined) return named;
  const inner = unwrap(schema).schema;
  if (inner !== schema) return typeOf(inner);
  if (schema instanceof z.ZodString) return 'string';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodNumber) return schema.isInt ? 'integer' : 'number';
  if (schema instanceof z.ZodLiteral) return `\`${String(schema._def.value)}\``;
  if (schema instanceof z.ZodEnum) return (schema._def.values as string[]).map((v) => `\`${v}\``).join(' | ');
  if (schema instanceof z.ZodUnion) return (schema._def.options as z.ZodTypeAny[]).map(typeOf).join(' or ');
  if (schema instanceof z.ZodArray) return `list of ${typeOf(schema._def.type)}`;
  if (schema instanceof z.ZodRecord) return `mapping of name → ${typeOf(schema._def.valueType)}`;
  if (schema instanceof z.ZodObject) return 'mapping';
  throw new Error(`config-doc: no type name for ${schema.constructor.name}`);
}

function formatDefault(entry: Unwrapped): string {
  if ('default' in entry) {
    const value = entry.default;
    if (typeof value === 'string') return `\`${value}\``;
    if (Array.isArray(value)) return value.length === 0 ? '`[]`' : value.map((v) => `\`${String(v)}\``).join(', ');
    if (typeof value === 'object' && value !== null)
      return Object.keys(value).length === 0 ? '`{}`' : `\`${JSON.stringify(value)}\``;
    return `\`${String(value)}\``;
  }
  return entry.optional || entry.nullable ? 'unset' : '**required**';
}

// ---------------------------------------------------------------------------------------------------------------

/** One row per key, depth first, in the schema's order. */
function walk(
  schema: z.ZodTypeAny,
  path: string,
  literal: ts.ObjectLiteralExpression | undefined,
  source: SourceFile,
  rows: Row[],
): void {
  const shape = SHAPES[path];
  if (shape?.schema !== undefined && shape.schema !== schema) {
    walk(shape.schema, path, objectLiteral(source.consts.get(shape.source!), source), source, rows);
    return;
  }
  const inner = unwrap(schema).schema;
  if (inner instanceof z.ZodArray) return walk(inner._def.type, `${path}[]`, literal, source, rows);
  if (inner instanceof z.ZodRecord) return walk(inner._def.valueType, `${path}.<name>`, literal, source, rows);
  if (!(inner instanceof z.ZodObject)) return;
  for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodTypeAny>)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const node = literal && property(literal, key, source);
    const entry = unwrap(child);
    const override = SHAPES[childPath] ?? SHAPES[`${childPath}[]`];
    // A key that has moved (docker.host_* → supervisor.*) is kept only to refuse it with the new name: not documented.
    if (override === undefined && NOT_EXPANDED[childPath] === undefined && isRefusedKey(entry.schema)) continue;
    let type = NOT_EXPANDED[childPath] ?? override?.type ?? typeOf(child);
    if (SHAPES[`${childPath}[]`] !== undefined) type = `list of ${override!.type}`;
    rows.push({ key: childPath, type, default: formatDefault(entry), doc: node ? jsDoc(node, source.file) : '' });
    if (NOT_EXPANDED[childPath] === undefined)
      walk(child, childPath, node && objectLiteral(node.initializer, source), source, rows);
  }
}

export function sections(): Section[] {
  const sources = loadSources();
  return Object.entries(configSchema.shape as Record<string, z.ZodTypeAny>).map(([name, schema]) => {
    // The exported schema whose comment starts with "`name`:" is the section's.
    let found: { source: SourceFile; statement: ts.VariableStatement; expression: ts.Expression } | undefined;
    for (const source of sources) {
      for (const statement of source.file.statements) {
        if (!ts.isVariableStatement(statement) || !jsDoc(statement, source.file).startsWith(`\`${name}\`:`)) continue;
        found = { source, statement, expression: statement.declarationList.declarations[0]!.initializer! };
      }
    }
    if (found === undefined)
      throw new Error(`config-doc: no schema in src/config/sections/ has a comment starting with "\`${name}\`:"`);
    const rows: Row[] = [];
    walk(schema, name, objectLiteral(found.expression, found.source), found.source, rows);
    return { name, doc: jsDoc(found.statement, found.source.file), rows };
  });
}

/** A table cell: `|` escaped, and `<` outside code spans too (dingtalk/<name> is not an HTML tag). */
const cell = (text: string) =>
  text
    .split('`')
    .map((part, index) => (index % 2 === 0 ? part.replace(/</g, '&lt;') : part))
    .join('`')
    .replace(/\|/g, '\\|');

export function configDoc(): string {
  const all = sections();
  const lines = [
    '<!-- Generated by `npm run config-doc` from src/config/schema.ts and src/config/sections/*.ts: edit the doc comments there. -->',
    '# Configuration reference',
    '',
    'One YAML file (`--config.file`), validated at start and on reload; every error names the key. Every section and',
    'every key is optional unless marked **required**; an absent key takes its default. `${VAR}` and `${VAR:-default}`',
    'are replaced from the environment. These keys can be read from a file named by `<key>_file` instead (Docker and',
    `Kubernetes secrets): ${[...FILE_BACKED_KEYS].map((k) => `\`${k}\``).join(', ')}.`,
    'A commented example of every section: [config.example.yml](../config.example.yml).',
    '',
    'Types: a *duration* is `500ms`, `10s`, `1m30s`, `5m`, `1h`, ... (or a number of seconds); a *size* is `4096` (bytes),',
    '`500KB`, `1MiB`, `1.5GB`, ...; `[]` after a key means each item of a list, `<name>` a name you choose.',
    '',
    ...all.map((s) => `- [\`${s.name}\`](#${s.name})`),
    '',
  ];
  for (const section of all) {
    lines.push(
      `## ${section.name}`,
      '',
      section.doc,
      '',
      '| key | type | default | description |',
      '|---|---|---|---|',
    );
    for (const row of section.rows)
      lines.push(`| \`${row.key}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.doc)} |`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

function main(): void {
  const text = configDoc();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(OUTPUT, 'utf8');
    if (committed !== text) {
      console.error('docs/CONFIGURATION.md is stale: run npm run config-doc');
      process.exit(1);
    }
    return;
  }
  writeFileSync(OUTPUT, text);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
