/**
 * The operator's numbers for the alert rules: alerts/thresholds.yml (the shipped defaults, one comment per key) or a
 * file of theirs given to `npm run rules -- --thresholds my.yml`. A file may set only some keys: the rest keep the
 * defaults. Unknown keys and impossible values are refused with the key named.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { DURATION, seconds } from './src/model.js';

export const DEFAULTS_FILE = fileURLToPath(new URL('./thresholds.yml', import.meta.url));

const isDuration = (d: string): boolean => d !== '' && DURATION.test(d);
const duration = z
  .string()
  .regex(DURATION, 'not a Prometheus duration (e.g. 30s, 5m, 1h)')
  .refine((d) => !isDuration(d) || seconds(d) > 0, 'must be longer than 0');
/** `for:` durations: whole minutes, since the generated promtool tests step one minute at a time. */
const forDuration = duration.refine(
  (d) => !isDuration(d) || seconds(d) % 60 === 0,
  'must be whole minutes (the promtool tests step 1m)',
);
/** A fill-up prediction's for: stays well inside the critical one's 4-hour horizon, or the disk is full before it fires. */
const fillingUpFor = forDuration.refine(
  (d) => !isDuration(d) || seconds(d) <= 7200,
  'must be at most 2h (the critical alert predicts a fill-up within 4 hours)',
);
const percent = z.number().gt(0, 'must be above 0').lt(100, 'must be below 100');
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a Prometheus label name');
const labelValue = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');

/** job_regex fully anchored, as Prometheus matches labels; true for a regex that does not compile (job_regex's own error says so). */
function matches(regex: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${regex})$`).test(value);
  } catch {
    return true;
  }
}

const schema = z
  .object({
    runbook_base_url: z
      .string()
      .url()
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .regex(/\/$/, 'must end with /'),
    job_regex: z
      .string()
      .min(1)
      .refine((r) => {
        try {
          new RegExp(`^(?:${r})$`);
          return true;
        } catch {
          return false;
        }
      }, 'not a regular expression')
      .refine((r) => !/\(\?[=!<]|\\[1-9]/.test(r), 'Prometheus (RE2) has no lookaround or backreference'),
    test_job: labelValue,
    instance_label: labelName,
    severity: z.object({ critical: labelValue, warning: labelValue, info: labelValue }).strict(),
    availability: z
      .object({
        down_for: forDuration,
        exporter_down_for: forDuration,
        exporter_absent_for: forDuration,
        collector_failing_for: forDuration,
        config_reload_failed_for: forDuration,
        tls_endpoint_down_for: forDuration,
        docservice_down_for: forDuration,
        proxy_error_for: forDuration,
        websocket_broken_for: forDuration,
      })
      .strict(),
    disk: z
      .object({
        used_warning_percent: percent,
        used_critical_percent: percent,
        for: forDuration,
        readonly_for: forDuration,
        device_error_for: forDuration,
        space_filling_up_for: fillingUpFor,
        files_filling_up_for: fillingUpFor,
        out_of_files_for: forDuration,
        files_free_warning_percent: percent,
        files_free_critical_percent: percent,
      })
      .strict(),
    documentserver: z
      .object({
        jwt_mismatch_for: forDuration,
        forgotten_files_for: forDuration,
        editor_token_rejected_for: forDuration,
      })
      .strict(),
    containers: z
      .object({
        exited_for: forDuration,
        restarting_for: forDuration,
        unhealthy_for: forDuration,
        program_not_running_for: forDuration,
        supervisor_unreachable_for: forDuration,
      })
      .strict(),
    dependencies: z
      .object({
        down_for: forDuration,
        unreachable_for: forDuration,
      })
      .strict(),
    backups: z
      .object({
        stale_for: forDuration,
        too_small_for: forDuration,
      })
      .strict(),
    conversions: z
      .object({
        backlog_waiting: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(1e6, 'must be at most 1000000'),
        backlog_for: forDuration,
        probe_slow_seconds: z.number().gt(0, 'must be above 0').max(3600, 'must be at most 3600'),
        probe_slow_for: forDuration,
        probe_failing_for: forDuration,
        rabbitmq_unreachable_for: forDuration,
        queue_no_consumers_for: forDuration,
        queue_growing_for: forDuration,
      })
      .strict(),
    latency: z
      .object({
        healthcheck_seconds: z.number().gt(0, 'must be above 0').max(300, 'must be at most 300'),
        for: forDuration,
      })
      .strict(),
    certificates: z
      .object({
        warning_days: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(365, 'must be at most 365'),
        critical_days: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(365, 'must be at most 365'),
        warning_for: forDuration,
        critical_for: forDuration,
        chain_incomplete_for: forDuration,
        hostname_mismatch_for: forDuration,
        file_problem_for: forDuration,
        expired_for: forDuration,
        untrusted_for: forDuration,
      })
      .strict(),
    license: z
      .object({
        warning_percent: percent,
        critical_percent: percent,
        for: forDuration,
        expiry_warning_days: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(3650, 'must be at most 3650'),
        expiry_for: forDuration,
        expired_for: forDuration,
      })
      .strict(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const order = (path: string[], ok: boolean, message: string) => {
      if (!ok) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    };
    order(
      ['disk', 'used_warning_percent'],
      t.disk.used_warning_percent < t.disk.used_critical_percent,
      `must be below disk.used_critical_percent (${t.disk.used_critical_percent})`,
    );
    order(
      ['disk', 'files_free_warning_percent'],
      t.disk.files_free_warning_percent > t.disk.files_free_critical_percent,
      `must be above disk.files_free_critical_percent (${t.disk.files_free_critical_percent})`,
    );
    order(
      ['certificates', 'warning_days'],
      t.certificates.warning_days > t.certificates.critical_days,
      `must be more than certificates.critical_days (${t.certificates.critical_days})`,
    );
    order(
      ['license', 'warning_percent'],
      t.license.warning_percent < t.license.critical_percent,
      `must be below license.critical_percent (${t.license.critical_percent})`,
    );
    order(['test_job'], matches(t.job_regex, t.test_job), `must match job_regex (${t.job_regex})`);
    const values = Object.values(t.severity);
    order(['severity'], new Set(values).size === values.length, 'critical, warning and info must differ');
  });

export type Thresholds = z.infer<typeof schema>;

export class ThresholdsError extends Error {}

type Tree = { [key: string]: unknown };
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The defaults with the file's keys on top (objects merge, values replace). */
function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over))
    out[key] = isTree(value) && isTree(base[key]) ? merge(base[key], value) : value;
  return out;
}

function check(tree: unknown, source: string): Thresholds {
  const result = schema.safeParse(tree);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = [...issue.path, ...(issue.code === z.ZodIssueCode.unrecognized_keys ? [issue.keys[0]!] : [])].join('.');
  const message = issue.code === z.ZodIssueCode.unrecognized_keys ? 'unknown key' : issue.message;
  throw new ThresholdsError(`${source}: ${key || '(top level)'}: ${message}`);
}

function read(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ThresholdsError(
      `${file}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return parse(text) ?? {};
  } catch (error) {
    throw new ThresholdsError(`${file}: not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The shipped defaults (alerts/thresholds.yml). */
export const defaults = (): Thresholds => check(read(DEFAULTS_FILE), 'alerts/thresholds.yml');

/** An operator's file over the defaults. */
export function loadThresholds(file?: string): Thresholds {
  if (file === undefined) return defaults();
  const tree = read(file);
  if (!isTree(tree)) throw new ThresholdsError(`${file}: (top level): must be a mapping of keys`);
  return check(merge(defaults() as unknown as Tree, tree), file);
}
