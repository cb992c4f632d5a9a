import type { Thresholds } from '../thresholds.js';
import { minutes, type AlertFile } from './model.js';

export const backups = (t: Thresholds): AlertFile => {
  const stale = minutes(t.backups.stale_for);
  const small = minutes(t.backups.too_small_for);
  /** The next dump comes well after the stale alert fired (at 90m with the default 10m). */
  const dump = 80 + stale;
  /** The first dump of the job whose glob matched nothing (at 30m with the default 10m). */
  const first = 20 + stale;
  return {
    file: 'backups',
    header: [
      'Backups (backups collector, off unless `backups` is configured): the newest file of each backup job, judged by the',
      "limits the exporter exports beside it (max_age, min_size), so the numbers live in the exporter's config only.",
    ],
    group: 'onlyoffice-docs.backups',
    rules: [
      {
        comment: ["The value is the newest file's age in seconds, 0 when no file matches."],
        alert: 'OnlyofficeDocsBackupStale',
        expr: `(
  time() - onlyoffice_backup_last_timestamp_seconds > onlyoffice_backup_age_limit_seconds
)
or
(
  onlyoffice_backup_files == 0
)
`,
        for: t.backups.stale_for,
        severity: 'warning',
        summary: 'ONLYOFFICE 备份过期',
        description:
          '{{ $labels.instance }} 上的备份 {{ $labels.name }}：{{ if gt $value 0.0 }}最新的备份文件写于 {{ $value | humanizeDuration }}前，' +
          '超过了设定的最长间隔{{ else }}没有找到匹配的备份文件{{ end }}。备份任务可能已停止。',
        summary_en: 'An ONLYOFFICE backup is stale',
        description_en:
          'Backup {{ $labels.name }} on {{ $labels.instance }}: ' +
          '{{ if gt $value 0.0 }}the newest backup file was written {{ $value | humanizeDuration }} ago, ' +
          'past its max_age{{ else }}no backup file matches its path{{ end }}. The backup job may have stopped.',
      },
      {
        comment: ["The value is the newest file's size in bytes."],
        alert: 'OnlyofficeDocsBackupTooSmall',
        expr: `onlyoffice_backup_size_bytes < onlyoffice_backup_min_size_bytes
`,
        for: t.backups.too_small_for,
        severity: 'warning',
        summary: 'ONLYOFFICE 最新备份文件过小',
        description:
          '{{ $labels.instance }} 上的备份 {{ $labels.name }}：最新的备份文件只有 {{ $value | humanize1024 }}B，小于设定的下限，可能不完整。',
        summary_en: 'The newest ONLYOFFICE backup file is too small',
        description_en:
          'Backup {{ $labels.name }} on {{ $labels.instance }}: the newest backup file is only {{ $value | humanize1024 }}B, ' +
          'under its min_size; it may be incomplete.',
      },
    ],
    testHeader: ['promtool test rules alerts/tests/backups.test.yml'],
    tests: [
      {
        name: 'OnlyofficeDocsBackupStale when the newest dump passes max_age, resolved by the next dump',
        interval: '1m',
        series: [
          {
            comment: [`Written at t=0; a new dump at t=${dump}m. max_age 1h.`],
            series:
              'onlyoffice_backup_last_timestamp_seconds{name="postgresql", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${dump} ${dump * 60}x30`,
          },
          {
            series:
              'onlyoffice_backup_age_limit_seconds{name="postgresql", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `3600x${dump + 30}`,
          },
          {
            series: 'onlyoffice_backup_files{name="postgresql", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${dump} 2x30`,
          },
        ],
        checks: [
          { at: '60m', note: 'exactly max_age old: not past it', alert: 'OnlyofficeDocsBackupStale', fires: [] },
          { at: `${60 + stale}m`, note: 'past it since 61m: pending', alert: 'OnlyofficeDocsBackupStale', fires: [] },
          {
            at: `${62 + stale}m`,
            alert: 'OnlyofficeDocsBackupStale',
            fires: [
              {
                labels: { severity: 'warning', name: 'postgresql', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: (62 + stale) * 60,
              },
            ],
          },
          { at: `${dump + 5}m`, alert: 'OnlyofficeDocsBackupStale', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsBackupStale when no file matches, resolved by the first dump',
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_backup_files{name="redis", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${first} 1x30`,
          },
          {
            series:
              'onlyoffice_backup_last_timestamp_seconds{name="redis", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `_x${first} ${first * 60}x30`,
          },
          {
            series: 'onlyoffice_backup_age_limit_seconds{name="redis", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `7200x${first + 30}`,
          },
        ],
        checks: [
          { at: `${Math.floor(stale / 2)}m`, alert: 'OnlyofficeDocsBackupStale', fires: [] },
          {
            at: `${stale + 5}m`,
            alert: 'OnlyofficeDocsBackupStale',
            fires: [
              {
                labels: { severity: 'warning', name: 'redis', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
          { at: `${first + 5}m`, alert: 'OnlyofficeDocsBackupStale', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsBackupTooSmall under min_size, resolved by a full-size dump; min_size 0 checks nothing',
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_backup_size_bytes{name="postgresql", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `5242880x10 20480x${20 + small} 5242880x20`,
          },
          {
            series: 'onlyoffice_backup_min_size_bytes{name="postgresql", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1048576x${50 + small}`,
          },
          {
            series: 'onlyoffice_backup_size_bytes{name="storage", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${50 + small}`,
          },
          {
            series: 'onlyoffice_backup_min_size_bytes{name="storage", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${50 + small}`,
          },
        ],
        checks: [
          { at: `${10 + Math.ceil(small / 2)}m`, alert: 'OnlyofficeDocsBackupTooSmall', fires: [] },
          {
            at: `${15 + small}m`,
            alert: 'OnlyofficeDocsBackupTooSmall',
            fires: [
              {
                labels: { severity: 'warning', name: 'postgresql', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 20480,
              },
            ],
          },
          { at: `${35 + small}m`, alert: 'OnlyofficeDocsBackupTooSmall', fires: [] },
        ],
      },
    ],
  };
};
