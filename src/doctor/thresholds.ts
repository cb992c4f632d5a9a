/**
 * The doctor's limits, the defaults of alerts/thresholds.yml (test/unit/alerts-build.test.ts keeps them equal), so
 * the doctor and the shipped alert rules call the same disk full, the same certificate close to expiry.
 */
export const DOCTOR_THRESHOLDS = {
  /** disk.used_warning_percent: more of a file system in use than this warns... */
  diskUsedWarnPercent: 80,
  /** disk.used_critical_percent: ...and this fails. */
  diskUsedFailPercent: 90,
  /** certificates.warning_days: a certificate expiring within this many days warns... */
  certWarnDays: 30,
  /** certificates.critical_days: ...and within this many fails. */
  certFailDays: 7,
  /** conversions.backlog_waiting: more conversion tasks waiting than this warns. */
  backlogWarn: 30,
} as const;
