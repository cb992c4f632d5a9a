/** Pieces of the rules that come from the thresholds and are shared by several groups. */
import type { Thresholds } from '../thresholds.js';

/** The job matcher for PromQL: job_regex inside a double-quoted PromQL string. */
export const jobMatcher = (t: Thresholds): string =>
  `job=~"${t.job_regex.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A job name job_regex does not match, for the tests' "other jobs stay quiet" series. */
export function otherJob(t: Thresholds): string {
  const re = new RegExp(`^(?:${t.job_regex})$`);
  return ['node', 'prometheus', 'blackbox', 'x-unrelated-9'].find((job) => !re.test(job)) ?? 'x-unrelated-9';
}

/** How the descriptions name the matched jobs: "starts with onlyoffice" for a prefix, else the regex. */
export function jobsText(t: Thresholds): { zh: string; en: string } {
  const prefix = /^([A-Za-z0-9_-]+)\.\*$/.exec(t.job_regex)?.[1];
  return prefix !== undefined
    ? { zh: `job 名以 ${prefix} 开头`, en: `whose name starts with ${prefix}` }
    : { zh: `job 名匹配 ${t.job_regex}`, en: `whose name matches ${t.job_regex}` };
}

/** A number the way the descriptions print it: 5, 0.5, 2.5 (no trailing zeros). */
export const num = (n: number): string => String(Number(n.toFixed(6)));
