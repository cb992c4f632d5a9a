import type { StatsdType } from './parse.js';

/** Where a DS StatsD name lands: a named family and its one label. */
export interface MappedName {
  family: FamilyKey;
  labels: Record<string, string>;
}

export type FamilyKey =
  | 'conversion_step'
  | 'docservice_operation'
  | 'docservice_session'
  | 'connections'
  | 'generic_timing'
  | 'generic_histogram'
  | 'generic_gauge'
  | 'generic_counter'
  | 'generic_set';

interface Rule {
  pattern: RegExp;
  types: readonly StatsdType[];
  family: FamilyKey;
  label: string;
}

const SEGMENT = '[A-Za-z0-9_]+';

// DS names without prefix, as ONLYOFFICE/server sends them (`clientStatsD` calls in FileConverter/sources/converter.js
// and DocService/sources/{DocsCoServer,canvasservice,converterservice}.js, v7.1.1.76 to v9.3.1.11; coauth.session.* from
// v8.2). Sessions are minutes to hours, so they get their own buckets.
const RULES: readonly Rule[] = [
  { pattern: new RegExp(`^conv\\.(${SEGMENT})$`), types: ['ms'], family: 'conversion_step', label: 'step' },
  {
    pattern: new RegExp(`^coauth\\.session\\.(${SEGMENT})$`),
    types: ['ms'],
    family: 'docservice_session',
    label: 'mode',
  },
  {
    pattern: new RegExp(`^coauth\\.(${SEGMENT}(?:\\.${SEGMENT})?)$`),
    types: ['ms'],
    family: 'docservice_operation',
    label: 'operation',
  },
  {
    pattern: new RegExp(`^expireDoc\\.connections\\.(${SEGMENT})$`),
    types: ['g'],
    family: 'connections',
    label: 'mode',
  },
];

const ROOTS = ['conv.', 'coauth.', 'expireDoc.'];

/**
 * Maps a received name to a family, whatever the prefix: `ds.`, the Docker script's `.ds`
 * (`.dsconv.allconvert`), `ds75.` or a custom one. The earliest position where the rest is a known
 * DS name wins; anything else keeps its whole name, sanitised, under a generic family.
 */
export function mapName(name: string, type: StatsdType): MappedName {
  for (let at = 0; at < name.length; at++) {
    if (!ROOTS.some((root) => name.startsWith(root, at))) continue;
    const rest = name.slice(at);
    for (const rule of RULES) {
      const match = rule.pattern.exec(rest);
      if (match && rule.types.includes(type)) return { family: rule.family, labels: { [rule.label]: match[1]! } };
    }
  }
  return { family: GENERIC[type], labels: { name: sanitiseName(name) } };
}

const GENERIC: Record<StatsdType, FamilyKey> = {
  ms: 'generic_timing',
  h: 'generic_histogram',
  d: 'generic_histogram',
  g: 'generic_gauge',
  c: 'generic_counter',
  s: 'generic_set',
};

/** statsd_exporter's rule for unmapped names: anything but [A-Za-z0-9_] becomes `_` (`ds.editor.open` → `ds_editor_open`). */
export function sanitiseName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}
