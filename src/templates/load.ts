// Message templates: the built-in defaults beside this file and an operator's templates_dir, checked by config at
// load and filled by notify. Their own room so config can check them without importing notify.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { readBoundedFile, readErrorReason } from '../lib/read-bounded-file.js';

/** A template file problem, naming the file and the key. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

// Every snippet and the placeholders it may use; message structure (sections, splitting) stays in code.
const SNIPPETS = {
  title: ['status_summary', 'alertnames'],
  header: ['title', 'status_summary', 'alertnames'],
  section_firing: ['alertname', 'severity', 'count', 'color'],
  section_resolved: ['alertname', 'severity', 'count', 'color'],
  alert_firing: [
    'alertname',
    'severity',
    'summary',
    'description',
    'labels',
    'instance',
    'documentserver',
    'starts_at',
    'links',
  ],
  alert_resolved: [
    'alertname',
    'severity',
    'summary',
    'description',
    'labels',
    'instance',
    'documentserver',
    'starts_at',
    'ends_at',
    'duration',
    'links',
  ],
  label: ['name', 'value'],
  label_separator: [],
  link_runbook: ['url'],
  link_source: ['url'],
  link_silence: ['url'],
  link_separator: [],
  more: ['remaining'],
  more_one: ['remaining'],
  count_firing: ['count'],
  count_resolved: ['count'],
  count_separator: [],
  alertnames_more: ['count', 'total'],
  alertname_separator: [],
  duration_separator: [],
} as const satisfies Record<string, readonly string[]>;

export type SnippetName = keyof typeof SNIPPETS;

// The singular form of a count-bearing snippet (English "1 more alert follows"); a language without one (Chinese)
// leaves it out and gets the general snippet.
const SINGULAR_OF: Partial<Record<SnippetName, SnippetName>> = { more_one: 'more' };

export interface Template {
  readonly snippets: Readonly<Record<SnippetName, string>>;
  readonly durationUnits: Readonly<{ d: string; h: string; m: string; s: string }>;
  readonly severityNames: Readonly<Record<string, string>>;
  /** The files it was read from, for messages. */
  readonly files: readonly string[];
}

export const BUILTIN_TEMPLATES_DIR = fileURLToPath(new URL('./', import.meta.url));
const PLACEHOLDER = /\{([a-z_]+)\}/g;

/** Throws TemplateError when `<name>.<language>.yml` cannot be built from templates_dir and the built-in files. */
export function checkTemplate(name: string, language: string, templatesDir?: string): void {
  loadTemplate(name, language, templatesDir);
}

/**
 * The template `name` for `language`: the built-in default file, overlaid with `<name>.<language>.yml`
 * from the built-in folder, then from `templatesDir`. A name other than `default` must exist somewhere.
 */
export function loadTemplate(name: string, language: string, templatesDir?: string): Template {
  const fileName = `${name}.${language}.yml`;
  const base = join(BUILTIN_TEMPLATES_DIR, `default.${language}.yml`);
  if (!existsSync(base)) throw new TemplateError(`no built-in template for language ${language}`);
  const layers = [base];
  if (name !== 'default' && existsSync(join(BUILTIN_TEMPLATES_DIR, fileName)))
    layers.push(join(BUILTIN_TEMPLATES_DIR, fileName));
  if (templatesDir !== undefined && existsSync(join(templatesDir, fileName))) layers.push(join(templatesDir, fileName));
  if (name !== 'default' && layers.length === 1) {
    throw new TemplateError(
      `template ${fileName} not found${templatesDir === undefined ? '' : ` in ${templatesDir}`} nor among the built-in templates`,
    );
  }
  const snippets: Partial<Record<SnippetName, string>> = {};
  let durationUnits: Record<string, string> = {};
  let severityNames: Record<string, string> = {};
  for (const file of layers) {
    const data = readLayer(file);
    for (const [key, value] of Object.entries(data)) {
      if (key === 'duration_units') {
        durationUnits = { ...durationUnits, ...stringMap(value, file, key, ['d', 'h', 'm', 's']) };
      } else if (key === 'severity_names') {
        severityNames = { ...severityNames, ...stringMap(value, file, key) };
      } else if (key in SNIPPETS) {
        snippets[key as SnippetName] = checkSnippet(value, file, key as SnippetName);
      } else {
        throw new TemplateError(
          `${file}: ${key}: unknown key (known: ${[...Object.keys(SNIPPETS), 'duration_units', 'severity_names'].join(', ')})`,
        );
      }
    }
  }
  for (const [singular, general] of Object.entries(SINGULAR_OF) as [SnippetName, SnippetName][]) {
    if (snippets[singular] === undefined) snippets[singular] = snippets[general];
  }
  for (const key of Object.keys(SNIPPETS) as SnippetName[]) {
    if (snippets[key] === undefined) throw new TemplateError(`${base}: ${key}: missing`);
  }
  for (const unit of ['d', 'h', 'm', 's']) {
    if (durationUnits[unit] === undefined) throw new TemplateError(`${base}: duration_units.${unit}: missing`);
  }
  const nullProto = Object.assign(Object.create(null) as Record<string, string>, severityNames);
  return {
    snippets: snippets as Record<SnippetName, string>,
    durationUnits: durationUnits as Template['durationUnits'],
    severityNames: nullProto,
    files: layers,
  };
}

function readLayer(file: string): Record<string, unknown> {
  // Read at config load and reload: a FIFO or device under the template's name must not hang them.
  let text: string;
  try {
    text = readBoundedFile(file);
  } catch (error) {
    throw new TemplateError(`${file}: cannot read: ${readErrorReason(error)}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new TemplateError(`${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new TemplateError(`${file}: must be a mapping of snippet names to text`);
  return data as Record<string, unknown>;
}

function checkSnippet(value: unknown, file: string, key: SnippetName): string {
  if (typeof value !== 'string') throw new TemplateError(`${file}: ${key}: must be text`);
  const allowed: readonly string[] = SNIPPETS[key];
  for (const [, name] of value.replaceAll('{{', '').replaceAll('}}', '').matchAll(PLACEHOLDER)) {
    if (!allowed.includes(name!)) {
      throw new TemplateError(
        `${file}: ${key}: unknown placeholder {${name}}${allowed.length > 0 ? ` (allowed: ${allowed.map((p) => `{${p}}`).join(', ')})` : ' (it takes none)'}`,
      );
    }
  }
  return value.replace(/\n+$/, '');
}

function stringMap(value: unknown, file: string, key: string, only?: string[]): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new TemplateError(`${file}: ${key}: must be a mapping`);
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (only && !only.includes(name))
      throw new TemplateError(`${file}: ${key}.${name}: unknown key (known: ${only.join(', ')})`);
    if (typeof text !== 'string') throw new TemplateError(`${file}: ${key}.${name}: must be text`);
    out[name] = text;
  }
  return out;
}

/**
 * Fills a snippet: each {placeholder} gets its (already escaped) value; a line with an empty or absent
 * value is left out, so optional fields need no conditionals. Returns the remaining lines. A value that starts a
 * line (after any spaces and > quote markers) goes through `atLineStart`, where markdown reads block syntax.
 */
export function fillLines(
  snippet: string,
  values: Readonly<Record<string, string | undefined>>,
  atLineStart?: (value: string) => string,
): string[] {
  const lines: string[] = [];
  for (const line of snippet.split('\n')) {
    let empty = false;
    const filled = line.replace(/\{\{|\}\}|\{([a-z_]+)\}/g, (match, name: string | undefined, offset: number) => {
      if (name === undefined) return match[0]!;
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      if (value === undefined || value === '') {
        empty = true;
        return '';
      }
      return atLineStart !== undefined && /^[\s>]*$/.test(line.slice(0, offset)) ? atLineStart(value) : value;
    });
    if (!empty) lines.push(filled);
  }
  return lines;
}

/** fillLines for one-line snippets (titles, labels, links): lines joined by a space. */
export function fill(snippet: string, values: Readonly<Record<string, string | undefined>>): string {
  return fillLines(snippet, values).join(' ');
}
