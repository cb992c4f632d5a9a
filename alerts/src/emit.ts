/**
 * Writes rule and test files in the hand-written style they had before they were generated: comments kept,
 * block-literal expressions, single-quoted annotations, flow-style exp_labels. Plain YAML for Prometheus and promtool.
 */
import { ANNOTATION_KEYS, renderTemplate, type AlertFile, type Rule } from './model.js';

/** What the thresholds change at write time, for every group alike. */
export interface Emit {
  severity: Record<'critical' | 'warning' | 'info', string>;
  instanceLabel: string;
  runbookBase: string;
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const comments = (lines: string[] | undefined, indent: string): string[] => (lines ?? []).map((l) => (l === '' ? `${indent}#` : `${indent}# ${l}`));

/** A flow-map value: plain when YAML reads it back as the same string, else single-quoted. */
function flowValue(s: string): string {
  const safe = /^[A-Za-z0-9_./-]+$/.test(s) || /^[\d.]+:\d+$/.test(s);
  const typed = /^(?:true|false|null|yes|no|on|off|~|[-+]?(?:\d[\d_]*)?\.?\d*(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$/i.test(s);
  return safe && !typed ? s : quote(s);
}

/** `instance` in by/on/without lists and $labels.instance, renamed to the configured instance label. */
export function relabelExpr(expr: string, label: string): string {
  if (label === 'instance') return expr;
  return expr.replace(/\b(by|on|without|ignoring)\s*\(([^)]*)\)/g, (_, kw: string, list: string) =>
    `${kw} (${list.split(',').map((l) => (l.trim() === 'instance' ? label : l.trim())).join(', ')})`);
}
const relabelTemplate = (text: string, label: string): string => text.replace(/\$labels\.instance\b/g, `$labels.${label}`);
const relabelSeries = (series: string, label: string): string => series.replace(/([{,]\s*)instance=/g, `$1${label}=`);

export function annotations(rule: Rule, e: Emit): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ANNOTATION_KEYS) out[key] = relabelTemplate(rule[key], e.instanceLabel);
  out.runbook_url = `${e.runbookBase}${rule.alert}`;
  return out;
}

export function rulesYaml(file: AlertFile, e: Emit): string {
  const lines = [...comments(file.header, ''), 'groups:', `  - name: ${file.group}`, '    rules:'];
  file.rules.forEach((rule, i) => {
    if (i > 0) lines.push('');
    lines.push(...comments(rule.comment, '      '), `      - alert: ${rule.alert}`);
    const expr = relabelExpr(rule.expr, e.instanceLabel);
    if (expr.endsWith('\n')) lines.push('        expr: |', ...expr.slice(0, -1).split('\n').map((l) => (l === '' ? '' : `          ${l}`)));
    else lines.push(`        expr: ${expr}`);
    if (rule.for !== undefined) lines.push(`        for: ${rule.for}`);
    lines.push('        labels:', `          severity: ${e.severity[rule.severity]}`, '        annotations:');
    for (const [key, value] of Object.entries(annotations(rule, e))) lines.push(`          ${key}: ${quote(value)}`);
  });
  return `${lines.join('\n')}\n`;
}

export function testsYaml(file: AlertFile, e: Emit): string {
  const lines = [...comments(file.testHeader, ''), 'rule_files:', `  - ../${file.file}.rules.yml`, 'evaluation_interval: 1m', '', 'tests:'];
  file.tests.forEach((group, i) => {
    if (i > 0) lines.push('');
    lines.push(...comments(group.comment, '  '), `  - name: ${group.name}`, `    interval: ${group.interval}`, '    input_series:');
    for (const s of group.series) {
      lines.push(...comments(s.comment, '      '), `      - series: ${quote(relabelSeries(s.series, e.instanceLabel))}`, `        values: ${quote(s.values)}`);
    }
    lines.push('    alert_rule_test:');
    for (const check of group.checks) {
      lines.push(`      - eval_time: ${check.at}${check.note ? ` # ${check.note}` : ''}`, `        alertname: ${check.alert}`);
      if (check.fires.length === 0) {
        lines.push('        exp_alerts: []');
        continue;
      }
      lines.push('        exp_alerts:');
      for (const fired of check.fires) {
        const severity = fired.labels.severity as Rule['severity'];
        const rule = file.rules.find((r) => r.alert === check.alert && r.severity === severity);
        if (!rule) throw new Error(`${file.file}: test "${group.name}" expects ${check.alert} ${severity}, which no rule of the file defines`);
        const labels = Object.entries(fired.labels).map(([k, v]) => [k === 'instance' ? e.instanceLabel : k, k === 'severity' ? e.severity[severity] : v] as const);
        lines.push(`          - exp_labels: { ${labels.map(([k, v]) => `${k}: ${flowValue(v)}`).join(', ')} }`, '            exp_annotations:');
        const labelMap = Object.fromEntries(labels);
        for (const [key, template] of Object.entries(annotations(rule, e))) {
          lines.push(`              ${key}: ${quote(renderTemplate(template, labelMap, fired.value))}`);
        }
      }
    }
  });
  return `${lines.join('\n')}\n`;
}
