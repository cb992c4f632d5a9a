import type { Thresholds } from '../thresholds.js';
import { num } from './common.js';
import { duration, minutes, type AlertFile, type TestGroup } from './model.js';

const SIZE = 100_000_000_000;
const ROOT = { mountpoint: '/', device: '/dev/sda1', fstype: 'ext4', instance: '127.0.0.1:9967', job: 'onlyoffice' };
const fs = (metric: string, path: string, mount: string, device: string, fstype: string) =>
  `${metric}{path="${path}", mountpoint="${mount}", device="${device}", fstype="${fstype}", instance="127.0.0.1:9967", job="onlyoffice"}`;

/**
 * The scene of a fill-up test: two DS paths on one mount (/), whose free space or inodes follow `rootFree`, and
 * /var/log/onlyoffice on a mount of its own, healthy; `length` minutes of samples.
 */
function fillingScene(kind: 'space' | 'files', rootFree: string, length: number): { series: string; values: string }[] {
  const [total, free, size, logFree] =
    kind === 'space'
      ? [
          'onlyoffice_filesystem_size_bytes',
          'onlyoffice_filesystem_avail_bytes',
          `100000000000x${length}`,
          `90000000000x${length}`,
        ]
      : ['onlyoffice_filesystem_files', 'onlyoffice_filesystem_files_free', `1000000x${length}`, `900000x${length}`];
  const root = (metric: string, values: string) =>
    ['/var/lib/onlyoffice', '/var/www/onlyoffice/Data'].map((path) => ({
      series: fs(metric, path, '/', '/dev/sda1', 'ext4'),
      values,
    }));
  const log = (metric: string, values: string) => ({
    series: fs(metric, '/var/log/onlyoffice', '/var/log', '/dev/sdb1', 'xfs'),
    values,
  });
  return [
    ...root(total, size),
    ...root(free, rootFree),
    ...root('onlyoffice_filesystem_readonly', `0x${length}`),
    log(total, size),
    log(free, logFree),
    log('onlyoffice_filesystem_readonly', `0x${length}`),
  ];
}

/** disk.used_*_percent as the share still available, the way the rules compare it. */
function freePercent(t: Thresholds) {
  return { warning: num(100 - t.disk.used_warning_percent), critical: num(100 - t.disk.used_critical_percent) };
}

/**
 * Warning, then critical, never both, then cleaned up; a read-only mount below critical stays quiet. The space used in
 * each phase lies halfway between the thresholds, so any valid thresholds file gets a test that passes.
 */
function almostOutOfSpaceTest(t: Thresholds): TestGroup {
  const { used_warning_percent: w, used_critical_percent: c } = t.disk;
  const f = minutes(t.disk.for);
  const avail = (used: number) => Math.round((SIZE * (100 - used)) / 100);
  const [warn, crit, clean] = [avail((w + c) / 2), avail((c + 100) / 2), avail(w / 2)];
  const n = 2 * f + 72;
  const root = (path: string) => [
    { series: fs('onlyoffice_filesystem_size_bytes', path, '/', '/dev/sda1', 'ext4'), values: `${SIZE}x${n}` },
    {
      series: fs('onlyoffice_filesystem_avail_bytes', path, '/', '/dev/sda1', 'ext4'),
      values: `${warn}x${f + 10} ${crit}x${f + 20} ${clean}x40`,
    },
    { series: fs('onlyoffice_filesystem_readonly', path, '/', '/dev/sda1', 'ext4'), values: `0x${n}` },
  ];
  const [rootA, rootB] = [root('/var/lib/onlyoffice'), root('/var/www/onlyoffice/Data')];
  return {
    name:
      `OnlyofficeDocsFilesystemAlmostOutOfSpace warning at ${num(100 - (w + c) / 2)} % free, critical at ${num(100 - (c + 100) / 2)} %, never both; ` +
      'a read-only mount is left out',
    interval: '1m',
    series: [
      rootA[0]!,
      rootB[0]!,
      rootA[1]!,
      rootB[1]!,
      rootA[2]!,
      rootB[2]!,
      {
        series: fs('onlyoffice_filesystem_size_bytes', '/var/log/onlyoffice', '/var/log', '/dev/sdb1', 'xfs'),
        values: `${SIZE}x${n}`,
      },
      {
        series: fs('onlyoffice_filesystem_avail_bytes', '/var/log/onlyoffice', '/var/log', '/dev/sdb1', 'xfs'),
        values: `${clean}x${n}`,
      },
      {
        series: fs('onlyoffice_filesystem_readonly', '/var/log/onlyoffice', '/var/log', '/dev/sdb1', 'xfs'),
        values: `0x${n}`,
      },
      {
        series: fs(
          'onlyoffice_filesystem_size_bytes',
          '/var/www/onlyoffice/documentserver',
          '/opt',
          '/dev/sdc1',
          'ext4',
        ),
        values: `${SIZE}x${n}`,
      },
      {
        series: fs(
          'onlyoffice_filesystem_avail_bytes',
          '/var/www/onlyoffice/documentserver',
          '/opt',
          '/dev/sdc1',
          'ext4',
        ),
        values: `${crit}x${n}`,
      },
      {
        series: fs('onlyoffice_filesystem_readonly', '/var/www/onlyoffice/documentserver', '/opt', '/dev/sdc1', 'ext4'),
        values: `1x${n}`,
      },
    ],
    checks: [
      { at: duration(f - 1), note: 'pending', alert: 'OnlyofficeDocsFilesystemAlmostOutOfSpace', fires: [] },
      {
        at: duration(f + 5),
        alert: 'OnlyofficeDocsFilesystemAlmostOutOfSpace',
        fires: [{ labels: { severity: 'warning', ...ROOT }, value: (warn / SIZE) * 100 }],
      },
      {
        at: duration(2 * f + 10),
        note: `critical pending since ${f + 11}m`,
        alert: 'OnlyofficeDocsFilesystemAlmostOutOfSpace',
        fires: [],
      },
      {
        at: duration(2 * f + 16),
        alert: 'OnlyofficeDocsFilesystemAlmostOutOfSpace',
        fires: [{ labels: { severity: 'critical', ...ROOT }, value: (crit / SIZE) * 100 }],
      },
      { at: duration(2 * f + 42), note: 'cleaned up', alert: 'OnlyofficeDocsFilesystemAlmostOutOfSpace', fires: [] },
    ],
  };
}

export const disk = (t: Thresholds): AlertFile => {
  const free = freePercent(t);
  const used = { warning: num(t.disk.used_warning_percent), critical: num(t.disk.used_critical_percent) };
  const files = { warning: num(t.disk.files_free_warning_percent), critical: num(t.disk.files_free_critical_percent) };
  /** The free inode shares of the out-of-files scene: between the two thresholds (warning), then under the critical one. */
  const filesAt = {
    warning: Number(((t.disk.files_free_warning_percent + t.disk.files_free_critical_percent) / 2).toFixed(4)),
    critical: Number(((t.disk.files_free_critical_percent * 2) / 3).toFixed(4)),
  };
  const [ro, de] = [minutes(t.disk.readonly_for), minutes(t.disk.device_error_for)];
  const [sf, ff, of] = [
    minutes(t.disk.space_filling_up_for),
    minutes(t.disk.files_filling_up_for),
    minutes(t.disk.out_of_files_for),
  ];
  /** The free share of the fill-up scenes after `at` minutes: 39 % falling 0.05 %/min (warning), 19 % falling 0.1 %/min (critical). */
  const falling = (start: number, step: number, at: number) => Number((start - step * at).toFixed(6));
  /**
   * One fill-up scene (fillingScene's root file system, `root` its free values): quiet at `for` (the predicted fill
   * needs samples first), firing `severity` 10 minutes later with that free share, quiet again at `quietAt`.
   */
  const fillingUpTest = (scene: {
    name: string;
    kind: 'space' | 'files';
    root: string;
    wait: number;
    severity: 'warning' | 'critical';
    quietAt: number;
    notes?: { pending?: string; resolved?: string };
  }): TestGroup => {
    const alert =
      scene.kind === 'space' ? 'OnlyofficeDocsFilesystemSpaceFillingUp' : 'OnlyofficeDocsFilesystemFilesFillingUp';
    const note = (text: string | undefined) => (text === undefined ? {} : { note: text });
    const [start, step] = scene.severity === 'warning' ? [39, 0.05] : [19, 0.1];
    return {
      name: scene.name,
      interval: '1m',
      series: fillingScene(scene.kind, scene.root, scene.wait + 120),
      checks: [
        { at: `${scene.wait}m`, ...note(scene.notes?.pending), alert, fires: [] },
        {
          at: `${scene.wait + 10}m`,
          alert,
          fires: [
            {
              labels: {
                severity: scene.severity,
                mountpoint: '/',
                device: '/dev/sda1',
                fstype: 'ext4',
                instance: '127.0.0.1:9967',
                job: 'onlyoffice',
              },
              value: falling(start, step, scene.wait + 10),
            },
          ],
        },
        { at: `${scene.quietAt}m`, ...note(scene.notes?.resolved), alert, fires: [] },
      ],
    };
  };
  return {
    file: 'disk',
    header: [
      "File systems holding DS's paths (disk collector), in the node-mixin way (NodeFilesystem* thresholds and windows).",
      'One alert per mount: paths on the same file system are folded (max without (path)).',
      'Warning and critical of the same name never fire together: the warning leaves out what the critical covers.',
    ],
    group: 'onlyoffice-docs.disk',
    rules: [
      {
        comment: ['The value is the percentage still available.'],
        alert: 'OnlyofficeDocsFilesystemSpaceFillingUp',
        expr: `max without (path) (
  (
    onlyoffice_filesystem_avail_bytes / onlyoffice_filesystem_size_bytes * 100 < 40
    and predict_linear(onlyoffice_filesystem_avail_bytes[6h], 24 * 3600) < 0
    and onlyoffice_filesystem_readonly == 0
  )
  unless
  (
    onlyoffice_filesystem_avail_bytes / onlyoffice_filesystem_size_bytes * 100 < 20
    and predict_linear(onlyoffice_filesystem_avail_bytes[6h], 4 * 3600) < 0
  )
)
`,
        for: t.disk.space_filling_up_for,
        severity: 'warning',
        summary: 'DS 所在文件系统预计 24 小时内写满',
        description:
          '{{ $labels.instance }} 上的 {{ $labels.mountpoint }}（{{ $labels.device }}）只剩 {{ printf "%.1f" $value }}% 可用，按最近 6 小时的趋势将在 24 小时内写满。',
        summary_en: 'A DS file system is predicted to fill up within 24 hours',
        description_en:
          '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ printf "%.1f" $value }}% available and, ' +
          'at the trend of the last 6 hours, fills up within 24 hours.',
      },
      {
        alert: 'OnlyofficeDocsFilesystemSpaceFillingUp',
        expr: `max without (path) (
  onlyoffice_filesystem_avail_bytes / onlyoffice_filesystem_size_bytes * 100 < 20
  and predict_linear(onlyoffice_filesystem_avail_bytes[6h], 4 * 3600) < 0
  and onlyoffice_filesystem_readonly == 0
)
`,
        for: t.disk.space_filling_up_for,
        severity: 'critical',
        summary: 'DS 所在文件系统预计 4 小时内写满',
        description:
          '{{ $labels.instance }} 上的 {{ $labels.mountpoint }}（{{ $labels.device }}）只剩 {{ printf "%.1f" $value }}% 可用，按最近 6 小时的趋势将在 4 小时内写满。',
        summary_en: 'A DS file system is predicted to fill up within 4 hours',
        description_en:
          '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ printf "%.1f" $value }}% available and, ' +
          'at the trend of the last 6 hours, fills up within 4 hours.',
      },
      {
        comment: [
          `The value is the percentage still available: below ${free.warning} % is more than ${used.warning} % used`,
          '(root-reserved blocks count as used).',
        ],
        alert: 'OnlyofficeDocsFilesystemAlmostOutOfSpace',
        expr: `max without (path) (
  (
    onlyoffice_filesystem_avail_bytes / onlyoffice_filesystem_size_bytes * 100 < ${free.warning}
    and onlyoffice_filesystem_readonly == 0
  )
  unless onlyoffice_filesystem_avail_bytes / onlyoffice_filesystem_size_bytes * 100 < ${free.critical}
)
`,
        for: t.disk.for,
        severity: 'warning',
        summary: `DS 所在文件系统已用空间超过 ${used.warning}%`,
        description:
          '{{ $labels.instance }} 上的 {{ $labels.mountpoint }}（{{ $labels.device }}）只剩 {{ printf "%.1f" $value }}% 可用。',
        summary_en: `A DS file system is more than ${used.warning}% full`,
        description_en:
          '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only {{ printf "%.1f" $value }}% available.',
      },
      {
        alert: 'OnlyofficeDocsFilesystemAlmostOutOfSpace',
        expr: `max without (path) (
  onlyoffice_filesystem_avail_bytes / onlyoffice_filesystem_size_bytes * 100 < ${free.critical}
  and onlyoffice_filesystem_readonly == 0
)
`,
        for: t.disk.for,
        severity: 'critical',
        summary: `DS 所在文件系统已用空间超过 ${used.critical}%`,
        description:
          '{{ $labels.instance }} 上的 {{ $labels.mountpoint }}（{{ $labels.device }}）只剩 {{ printf "%.1f" $value }}% 可用。',
        summary_en: `A DS file system is more than ${used.critical}% full`,
        description_en:
          '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only {{ printf "%.1f" $value }}% available.',
      },
      {
        comment: ['The value is the percentage of inodes still free.'],
        alert: 'OnlyofficeDocsFilesystemFilesFillingUp',
        expr: `max without (path) (
  (
    onlyoffice_filesystem_files_free / onlyoffice_filesystem_files * 100 < 40
    and predict_linear(onlyoffice_filesystem_files_free[6h], 24 * 3600) < 0
    and onlyoffice_filesystem_readonly == 0
  )
  unless
  (
    onlyoffice_filesystem_files_free / onlyoffice_filesystem_files * 100 < 20
    and predict_linear(onlyoffice_filesystem_files_free[6h], 4 * 3600) < 0
  )
)
`,
        for: t.disk.files_filling_up_for,
        severity: 'warning',
        summary: 'DS 所在文件系统的 inode 预计 24 小时内耗尽',
        description:
          '{{ $labels.instance }} 上的 {{ $labels.mountpoint }}（{{ $labels.device }}）只剩 {{ printf "%.1f" $value }}% 的 inode，按最近 6 小时的趋势将在 24 小时内耗尽。',
        summary_en: 'A DS file system is predicted to run out of inodes within 24 hours',
        description_en:
          '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ printf "%.1f" $value }}% of its inodes free and, ' +
          'at the trend of the last 6 hours, runs out within 24 hours.',
      },
      {
        alert: 'OnlyofficeDocsFilesystemFilesFillingUp',
        expr: `max without (path) (
  onlyoffice_filesystem_files_free / onlyoffice_filesystem_files * 100 < 20
  and predict_linear(onlyoffice_filesystem_files_free[6h], 4 * 3600) < 0
  and onlyoffice_filesystem_readonly == 0
)
`,
        for: t.disk.files_filling_up_for,
        severity: 'critical',
        summary: 'DS 所在文件系统的 inode 预计 4 小时内耗尽',
        description:
          '{{ $labels.instance }} 上的 {{ $labels.mountpoint }}（{{ $labels.device }}）只剩 {{ printf "%.1f" $value }}% 的 inode，按最近 6 小时的趋势将在 4 小时内耗尽。',
        summary_en: 'A DS file system is predicted to run out of inodes within 4 hours',
        description_en:
          '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ printf "%.1f" $value }}% of its inodes free and, ' +
          'at the trend of the last 6 hours, runs out within 4 hours.',
      },
      {
        alert: 'OnlyofficeDocsFilesystemAlmostOutOfFiles',
        expr: `max without (path) (
  (
    onlyoffice_filesystem_files_free / onlyoffice_filesystem_files * 100 < ${files.warning}
    and onlyoffice_filesystem_readonly == 0
  )
  unless onlyoffice_filesystem_files_free / onlyoffice_filesystem_files * 100 < ${files.critical}
)
`,
        for: t.disk.out_of_files_for,
        severity: 'warning',
        summary: `DS 所在文件系统的 inode 不足 ${files.warning}%`,
        description:
          '{{ $labels.instance }} 上的 {{ $labels.mountpoint }}（{{ $labels.device }}）只剩 {{ printf "%.1f" $value }}% 的 inode。',
        summary_en: `A DS file system has less than ${files.warning}% of its inodes left`,
        description_en:
          '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only {{ printf "%.1f" $value }}% of its inodes free.',
      },
      {
        alert: 'OnlyofficeDocsFilesystemAlmostOutOfFiles',
        expr: `max without (path) (
  onlyoffice_filesystem_files_free / onlyoffice_filesystem_files * 100 < ${files.critical}
  and onlyoffice_filesystem_readonly == 0
)
`,
        for: t.disk.out_of_files_for,
        severity: 'critical',
        summary: `DS 所在文件系统的 inode 不足 ${files.critical}%`,
        description:
          '{{ $labels.instance }} 上的 {{ $labels.mountpoint }}（{{ $labels.device }}）只剩 {{ printf "%.1f" $value }}% 的 inode。',
        summary_en: `A DS file system has less than ${files.critical}% of its inodes left`,
        description_en:
          '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only {{ printf "%.1f" $value }}% of its inodes free.',
      },
      {
        comment: [
          'DS writes to all of its paths (cache, documents, logs): a read-only mount breaks saving. From 8.1 the',
          'healthcheck no longer fails on an unwritable storage, so this is the signal.',
        ],
        alert: 'OnlyofficeDocsFilesystemReadOnly',
        expr: 'max without (path) (onlyoffice_filesystem_readonly == 1)',
        for: t.disk.readonly_for,
        severity: 'critical',
        summary: 'DS 所在文件系统被挂载为只读',
        description:
          '{{ $labels.instance }} 上的 {{ $labels.mountpoint }}（{{ $labels.device }}）是只读的，DS 无法写入缓存、文档和日志。',
        summary_en: 'A DS file system is mounted read-only',
        description_en:
          '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} is read-only; DS cannot write its cache, documents and logs.',
      },
      {
        alert: 'OnlyofficeDocsFilesystemDeviceError',
        expr: 'onlyoffice_filesystem_device_error == 1',
        for: t.disk.device_error_for,
        severity: 'warning',
        summary: '无法检查 DS 的路径',
        description:
          '{{ $labels.instance }} 上的 {{ $labels.path }} 不存在、无法读取，或 statfs 没有在时限内返回（卡住的网络挂载）。',
        summary_en: 'A DS path cannot be examined',
        description_en:
          '{{ $labels.path }} on {{ $labels.instance }} does not exist, cannot be read, ' +
          'or its statfs did not answer in time (a stuck network mount).',
      },
    ],
    testHeader: [
      'promtool test rules alerts/tests/disk.test.yml',
      'Two DS paths on the same mount (/) fold into one alert; /var/log on its own mount stays healthy.',
    ],
    tests: [
      fillingUpTest({
        name: 'OnlyofficeDocsFilesystemSpaceFillingUp warning below 40 % and predicted full within 24 h, resolved by a clean-up',
        kind: 'space',
        root: `39000000000-50000000x${sf + 60} 80000000000x30`,
        wait: sf,
        severity: 'warning',
        quietAt: sf + 90,
        notes: { pending: 'pending since 1m (two samples needed for predict_linear)', resolved: 'cleaned up' },
      }),
      fillingUpTest({
        name: 'OnlyofficeDocsFilesystemSpaceFillingUp critical below 20 % and full within 4 h; the warning stays quiet',
        kind: 'space',
        root: `19000000000-100000000x${sf + 20} 80000000000x70`,
        wait: sf,
        severity: 'critical',
        quietAt: sf + 50,
      }),
      almostOutOfSpaceTest(t),
      fillingUpTest({
        name: 'OnlyofficeDocsFilesystemFilesFillingUp warning and critical on inodes',
        kind: 'files',
        root: `390000-500x${ff + 60} 800000x30`,
        wait: ff,
        severity: 'warning',
        quietAt: ff + 90,
      }),
      fillingUpTest({
        name: 'OnlyofficeDocsFilesystemFilesFillingUp critical',
        kind: 'files',
        root: `190000-1000x${ff + 20} 800000x70`,
        wait: ff,
        severity: 'critical',
        quietAt: ff + 50,
      }),
      {
        name: `OnlyofficeDocsFilesystemAlmostOutOfFiles warning at ${num(filesAt.warning)} %, critical at ${num(filesAt.critical)} %`,
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_filesystem_files{path="/var/lib/onlyoffice", mountpoint="/", ' +
              'device="/dev/sda1", fstype="ext4", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1000000x${2 * of + 60}`,
          },
          {
            series:
              'onlyoffice_filesystem_files{path="/var/www/onlyoffice/Data", mountpoint="/", ' +
              'device="/dev/sda1", fstype="ext4", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1000000x${2 * of + 60}`,
          },
          {
            series:
              'onlyoffice_filesystem_files_free{path="/var/lib/onlyoffice", mountpoint="/", ' +
              'device="/dev/sda1", fstype="ext4", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `${Math.round(filesAt.warning * 10000)}x${of + 10} ${Math.round(filesAt.critical * 10000)}x${of + 10} 500000x30`,
          },
          {
            series:
              'onlyoffice_filesystem_files_free{path="/var/www/onlyoffice/Data", mountpoint="/", ' +
              'device="/dev/sda1", fstype="ext4", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `${Math.round(filesAt.warning * 10000)}x${of + 10} ${Math.round(filesAt.critical * 10000)}x${of + 10} 500000x30`,
          },
          {
            series:
              'onlyoffice_filesystem_readonly{path="/var/lib/onlyoffice", mountpoint="/", ' +
              'device="/dev/sda1", fstype="ext4", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${2 * of + 60}`,
          },
          {
            series:
              'onlyoffice_filesystem_readonly{path="/var/www/onlyoffice/Data", mountpoint="/", ' +
              'device="/dev/sda1", fstype="ext4", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${2 * of + 60}`,
          },
          {
            series:
              'onlyoffice_filesystem_files{path="/var/log/onlyoffice", mountpoint="/var/log", ' +
              'device="/dev/sdb1", fstype="xfs", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1000000x${2 * of + 60}`,
          },
          {
            series:
              'onlyoffice_filesystem_files_free{path="/var/log/onlyoffice", mountpoint="/var/log", ' +
              'device="/dev/sdb1", fstype="xfs", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `900000x${2 * of + 60}`,
          },
          {
            series:
              'onlyoffice_filesystem_readonly{path="/var/log/onlyoffice", mountpoint="/var/log", ' +
              'device="/dev/sdb1", fstype="xfs", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${2 * of + 60}`,
          },
        ],
        checks: [
          {
            at: `${Math.floor((of * 5) / 6)}m`,
            note: 'pending',
            alert: 'OnlyofficeDocsFilesystemAlmostOutOfFiles',
            fires: [],
          },
          {
            at: `${of}m`,
            alert: 'OnlyofficeDocsFilesystemAlmostOutOfFiles',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  mountpoint: '/',
                  device: '/dev/sda1',
                  fstype: 'ext4',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: filesAt.warning,
              },
            ],
          },
          {
            at: `${2 * of + 10}m`,
            note: `critical pending since ${of + 11}m`,
            alert: 'OnlyofficeDocsFilesystemAlmostOutOfFiles',
            fires: [],
          },
          {
            at: `${2 * of + 20}m`,
            alert: 'OnlyofficeDocsFilesystemAlmostOutOfFiles',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  mountpoint: '/',
                  device: '/dev/sda1',
                  fstype: 'ext4',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: filesAt.critical,
              },
            ],
          },
          { at: `${2 * of + 50}m`, alert: 'OnlyofficeDocsFilesystemAlmostOutOfFiles', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsFilesystemReadOnly per mount',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_filesystem_readonly{path="/var/lib/onlyoffice", mountpoint="/", ' +
              'device="/dev/sda1", fstype="ext4", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 1x${ro + 2} 0x3`,
          },
          {
            series:
              'onlyoffice_filesystem_readonly{path="/var/www/onlyoffice/Data", mountpoint="/", ' +
              'device="/dev/sda1", fstype="ext4", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 1x${ro + 2} 0x3`,
          },
          {
            series:
              'onlyoffice_filesystem_readonly{path="/var/log/onlyoffice", mountpoint="/var/log", ' +
              'device="/dev/sdb1", fstype="xfs", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${ro + 6}`,
          },
        ],
        checks: [
          { at: duration(ro), alert: 'OnlyofficeDocsFilesystemReadOnly', fires: [] },
          {
            at: duration(ro + 1),
            alert: 'OnlyofficeDocsFilesystemReadOnly',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  mountpoint: '/',
                  device: '/dev/sda1',
                  fstype: 'ext4',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: duration(ro + 4), alert: 'OnlyofficeDocsFilesystemReadOnly', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsFilesystemDeviceError per path',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_filesystem_device_error{path="/mnt/nfs/docs", mountpoint="/mnt/nfs", ' +
              'device="nfs:/docs", fstype="nfs4", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0 1x${de + 1} 0x2`,
          },
          {
            series:
              'onlyoffice_filesystem_device_error{path="/var/log/onlyoffice", mountpoint="/var/log", ' +
              'device="/dev/sdb1", fstype="xfs", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${de + 4}`,
          },
        ],
        checks: [
          { at: duration(de), alert: 'OnlyofficeDocsFilesystemDeviceError', fires: [] },
          {
            at: duration(de + 1),
            alert: 'OnlyofficeDocsFilesystemDeviceError',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  path: '/mnt/nfs/docs',
                  mountpoint: '/mnt/nfs',
                  device: 'nfs:/docs',
                  fstype: 'nfs4',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: duration(de + 3), alert: 'OnlyofficeDocsFilesystemDeviceError', fires: [] },
        ],
      },
    ],
  };
};
