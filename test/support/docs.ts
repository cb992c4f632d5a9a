import { readFileSync } from 'node:fs';
import type { Sample } from './exposition.js';

export interface DocumentedMetric {
  name: string;
  type: string;
  labels: string[];
  section: string;
}

const ROW = /^\|\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\s*\|\s*([a-z]+)\s*\|([^|]*)\|/;

/**
 * Metrics documented in docs/metrics.md: every table row `| \`name\` | type | \`label\`, ... | meaning |`
 * under a `## section` heading (the section is the collector name).
 */
export function documentedMetrics(path = new URL('../../docs/metrics.md', import.meta.url)): DocumentedMetric[] {
  const metrics: DocumentedMetric[] = [];
  let section = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const heading = /^##\s+`?([^`\s]+)`?/.exec(line);
    if (heading) {
      section = heading[1]!;
      continue;
    }
    const row = ROW.exec(line);
    if (!row) continue;
    const labels = [...row[3]!.matchAll(/`([a-zA-Z_][a-zA-Z0-9_]*)`/g)].map((m) => m[1]!);
    metrics.push({ name: row[1]!, type: row[2]!, labels, section });
  }
  return metrics;
}

/** Metric family names in a scrape, with histogram/summary series folded into their family. */
export function exportedFamilies(samples: Sample[], text?: string): Map<string, Set<string>> {
  const histogramFamilies = new Set<string>();
  if (text) {
    for (const match of text.matchAll(/^# TYPE (\S+) (histogram|summary)$/gm)) histogramFamilies.add(match[1]!);
  }
  const families = new Map<string, Set<string>>();
  for (const sample of samples) {
    let name = sample.name;
    const folded = name.replace(/_(bucket|sum|count)$/, '');
    if (folded !== name && histogramFamilies.has(folded)) name = folded;
    const labels = families.get(name) ?? new Set<string>();
    for (const label of Object.keys(sample.labels)) if (label !== 'le' && label !== 'quantile') labels.add(label);
    families.set(name, labels);
  }
  return families;
}
