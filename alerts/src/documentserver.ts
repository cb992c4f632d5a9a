import type { Thresholds } from '../thresholds.js';
import { num } from './common.js';
import { duration, enDuration, minutes, run, zhDuration, type AlertFile, type Rule, type TestGroup } from './model.js';

const SEPARATOR = [
  '---------------------------------------------------------------------------------------------------------',
];

const NEAR_LIMIT = {
  connections: {
    alert: 'OnlyofficeDocsConnectionsNearLimit',
    comment: 'Connection-based licenses (the open-source build allows 20); limit 0 means a user-based license.',
    used: 'onlyoffice_connections',
    limit: 'onlyoffice_license_connections_limit',
    zh: { warning: '连接数接近许可证上限', critical: '连接数几乎达到许可证上限' },
    en: {
      warning: 'Connections are near the licensed limit',
      critical: 'Connections are almost at the licensed limit',
    },
    description: (f: string) =>
      `{{ $labels.instance }} 的 {{ $labels.mode }} 连接数已达许可证上限的 {{ $value | humanizePercentage }}，超过 ${zhDuration(f)}。` +
      '达到上限后新用户只能以只读方式打开文档。',
    description_en: (f: string) =>
      '{{ $labels.mode }} connections of {{ $labels.instance }} have been at {{ $value | humanizePercentage }} ' +
      'of the licensed limit ' +
      `for more than ${enDuration(f)}. At the limit, new users can only open documents read-only.`,
  },
  users: {
    alert: 'OnlyofficeDocsUsersNearLimit',
    comment: 'User-based licenses: unique users this period against the licensed user count.',
    used: 'onlyoffice_users{kind="unique"}',
    limit: 'onlyoffice_license_users_limit',
    zh: { warning: '用户数接近许可证上限', critical: '用户数几乎达到许可证上限' },
    en: { warning: 'Users are near the licensed limit', critical: 'Users are almost at the licensed limit' },
    description: (f: string) =>
      `{{ $labels.instance }} 本期 {{ $labels.mode }} 用户数已达许可证上限的 {{ $value | humanizePercentage }}，超过 ${zhDuration(f)}。`,
    description_en: (f: string) =>
      '{{ $labels.mode }} users of {{ $labels.instance }} this period have been at {{ $value | humanizePercentage }} ' +
      'of the licensed limit ' +
      `for more than ${enDuration(f)}.`,
  },
} as const;

/** Warning above license.warning_percent up to critical_percent, critical above it: never both. */
function nearLimitRules(t: Thresholds, kind: keyof typeof NEAR_LIMIT): Rule[] {
  const k = NEAR_LIMIT[kind];
  const [w, c] = [num(t.license.warning_percent / 100), num(t.license.critical_percent / 100)];
  const ratio = `${k.used}\n/ on (instance, job, mode)\n(${k.limit} > 0)\n`;
  return (['warning', 'critical'] as const).map((severity) => ({
    ...(severity === 'warning'
      ? { comment: [k.comment, `The value is the share of the limit: warning above ${w}, critical above ${c}.`] }
      : {}),
    alert: k.alert,
    expr: `${ratio}${severity === 'warning' ? `> ${w} <= ${c}` : `> ${c}`}\n`,
    for: t.license.for,
    severity,
    summary: k.zh[severity],
    description: k.description(t.license.for),
    summary_en: k.en[severity],
    description_en: k.description_en(t.license.for),
  }));
}

/** Warning, then critical (the warning quiet meanwhile), then back under; another mode and a license of the other kind stay quiet. */
function nearLimitTest(t: Thresholds, kind: keyof typeof NEAR_LIMIT): TestGroup {
  const k = NEAR_LIMIT[kind];
  const f = minutes(t.license.for);
  const { warning_percent: w, critical_percent: c } = t.license;
  const limit = 1000;
  const [low, warn, crit] = [(limit * w) / 200, (limit * (w + c)) / 200, (limit * (c + 100)) / 200];
  const used = (mode: string, instance: string) =>
    kind === 'connections'
      ? `onlyoffice_connections{mode="${mode}", instance="${instance}", job="onlyoffice"}`
      : `onlyoffice_users{mode="${mode}", kind="unique", instance="${instance}", job="onlyoffice"}`;
  const limitOf = (mode: string, instance: string) =>
    `${k.limit}{mode="${mode}", instance="${instance}", job="onlyoffice"}`;
  const n = 2 * f + 12;
  const a = { mode: 'edit', instance: 'a', job: 'onlyoffice' };
  return {
    comment: SEPARATOR,
    name: `${k.alert} above ${w} % of a ${kind === 'connections' ? 'connection' : 'user'}-based limit warns, above ${c} % pages, per mode`,
    interval: '1m',
    series: [
      { series: used('edit', 'a'), values: `${low} ${warn}x${f + 2} ${crit}x${f + 2} ${kind === 'users' ? 0 : low}x5` },
      { series: limitOf('edit', 'a'), values: `${limit}x${n}` },
      ...(kind === 'connections'
        ? [
            { series: used('view', 'a'), values: `${low}x${n}` },
            { series: limitOf('view', 'a'), values: `${limit}x${n}` },
          ]
        : [
            {
              comment: ['anonymous users do not count'],
              series: 'onlyoffice_users{mode="edit", kind="anonymous", instance="a", job="onlyoffice"}',
              values: `${limit}x${n}`,
            },
          ]),
      {
        comment: [
          `b: ${
            kind === 'connections'
              ? 'user-based license (connection limit 0): never a connection ratio'
              : 'connection-based license (user limit 0)'
          }.`,
        ],
        series: used('edit', 'b'),
        values: `${crit}x${n}`,
      },
      { series: limitOf('edit', 'b'), values: `0x${n}` },
    ],
    checks: [
      { at: duration(f), note: 'pending since 1m', alert: k.alert, fires: [] },
      { at: duration(f + 2), alert: k.alert, fires: [{ labels: { severity: 'warning', ...a }, value: warn / limit }] },
      {
        at: duration(2 * f + 3),
        note: `critical pending since ${f + 4}m, the warning ended`,
        alert: k.alert,
        fires: [],
      },
      {
        at: duration(2 * f + 5),
        alert: k.alert,
        fires: [{ labels: { severity: 'critical', ...a }, value: crit / limit }],
      },
      {
        at: duration(2 * f + 8),
        note: kind === 'users' ? 'a new period starts at 0' : 'back under',
        alert: k.alert,
        fires: [],
      },
    ],
  };
}

const endpoint = (instance: string, via: string, metric: string) =>
  `onlyoffice_endpoint_${metric}{endpoint="healthcheck", via="${via}", instance="${instance}", job="onlyoffice"}`;

/**
 * Half the warning window left, held steady (promtool's time() is the eval time in seconds: the end date rises 60 s a
 * minute), then renewed for a year; twice the window left stays quiet.
 */
function licenseExpiringTest(t: Thresholds): TestGroup {
  const d = t.license.expiry_warning_days;
  const f = minutes(t.license.expiry_for);
  const day = 86400;
  const steady = (end: number, mins: number) => `${end}+60x${mins}`;
  const half = Math.round((d / 2) * day);
  return {
    comment: [
      ...SEPARATOR,
      'promtool starts at the epoch: time() is the eval time in seconds; each end date rises 60 s a minute.',
    ],
    name: `OnlyofficeDocsLicenseExpiringSoon within ${d} days, not for ${2 * d} days, not once renewed`,
    interval: '1m',
    series: [
      {
        series: 'onlyoffice_license_expiry_timestamp_seconds{instance="a", job="onlyoffice"}',
        values: `${steady(half, f + 4)} ${steady((d + 365) * day + (f + 5) * 60, 10)}`,
      },
      {
        series: 'onlyoffice_license_expiry_timestamp_seconds{instance="b", job="onlyoffice"}',
        values: steady(2 * d * day, f + 15),
      },
    ],
    checks: [
      { at: duration(f - 1), note: 'pending since 0m', alert: 'OnlyofficeDocsLicenseExpiringSoon', fires: [] },
      {
        at: duration(f),
        alert: 'OnlyofficeDocsLicenseExpiringSoon',
        fires: [{ labels: { severity: 'warning', instance: 'a', job: 'onlyoffice' }, value: half / day }],
      },
      { at: duration(f + 10), note: 'renewed for a year', alert: 'OnlyofficeDocsLicenseExpiringSoon', fires: [] },
    ],
  };
}

/** Slow for the `for:` duration and one minute more, then fast again; just under the threshold stays quiet. */
function healthcheckSlowTest(t: Thresholds): TestGroup {
  const s = t.latency.healthcheck_seconds;
  const f = minutes(t.latency.for);
  const fast = Math.min(0.05, s / 20);
  return {
    comment: SEPARATOR,
    name: `OnlyofficeDocsHealthcheckSlow after ${t.latency.for} over ${num(s)} s, directly or on a hop that answers`,
    interval: '1m',
    series: [
      {
        series: 'onlyoffice_healthcheck_duration_seconds{instance="a", job="onlyoffice"}',
        values: `${fast} ${fast} ${num(s * 1.5)}x${f} ${fast} ${fast}`,
      },
      {
        series: 'onlyoffice_healthcheck_duration_seconds{instance="b", job="onlyoffice"}',
        values: `${num(s * 0.9)}x${f + 4}`,
      },
      {
        comment: ['c: DS answers fast, the public hop through the reverse proxy is slow'],
        series: 'onlyoffice_healthcheck_duration_seconds{instance="c", job="onlyoffice"}',
        values: `${fast}x${f + 4}`,
      },
      { series: endpoint('c', 'direct', 'duration_seconds'), values: `${fast}x${f + 4}` },
      { series: endpoint('c', 'direct', 'up'), values: `1x${f + 4}` },
      {
        series: endpoint('c', 'public', 'duration_seconds'),
        values: `${fast} ${fast} ${num(s * 2)}x${f} ${fast} ${fast}`,
      },
      { series: endpoint('c', 'public', 'up'), values: `1x${f + 4}` },
      {
        comment: ['d: the public hop fails slowly (a timeout): OnlyofficeDocsProxyError says it, not this'],
        series: 'onlyoffice_healthcheck_duration_seconds{instance="d", job="onlyoffice"}',
        values: `${fast}x${f + 4}`,
      },
      { series: endpoint('d', 'public', 'duration_seconds'), values: `${num(s * 2)}x${f + 4}` },
      { series: endpoint('d', 'public', 'up'), values: `0x${f + 4}` },
    ],
    checks: [
      { at: duration(f + 1), note: 'pending since 2m', alert: 'OnlyofficeDocsHealthcheckSlow', fires: [] },
      {
        at: duration(f + 2),
        alert: 'OnlyofficeDocsHealthcheckSlow',
        fires: [
          { labels: { severity: 'warning', instance: 'a', job: 'onlyoffice' }, value: Number(num(s * 1.5)) },
          { labels: { severity: 'warning', instance: 'c', job: 'onlyoffice' }, value: Number(num(s * 2)) },
        ],
      },
      { at: duration(f + 3), alert: 'OnlyofficeDocsHealthcheckSlow', fires: [] },
    ],
  };
}

export const documentserver = (t: Thresholds): AlertFile => {
  const slow = num(t.latency.healthcheck_seconds);
  const down = minutes(t.availability.down_for);
  const [jm, ff] = [minutes(t.documentserver.jwt_mismatch_for), minutes(t.documentserver.forgotten_files_for)];
  const [dd, pe, wb] = [
    minutes(t.availability.docservice_down_for),
    minutes(t.availability.proxy_error_for),
    minutes(t.availability.websocket_broken_for),
  ];
  const [et, le] = [minutes(t.documentserver.editor_token_rejected_for), minutes(t.license.expired_for)];
  return {
    file: 'documentserver',
    header: [
      'ONLYOFFICE Docs (DocumentServer) alerts, from the healthcheck, endpoints, commands and license collectors.',
      'Monitoring-mixin style: OnlyofficeDocs* names, severity critical/warning/info, zh-CN summary/description',
      'with English alongside (*_en), runbook_url to the runbook the exporter serves (runbook_base_url + <alert>).',
      'Works for /metrics (instance = the exporter) and /probe fleets (instance = the DS URL, see prometheus/prometheus.yml).',
    ],
    group: 'onlyoffice-docs.documentserver',
    rules: [
      {
        comment: [
          'The Alertmanager configuration inhibits warning/info alerts of the same instance while this one fires.',
        ],
        alert: 'OnlyofficeDocsDown',
        expr: 'onlyoffice_healthcheck_up == 0',
        for: t.availability.down_for,
        severity: 'critical',
        summary: 'ONLYOFFICE Docs 不可用',
        description:
          `{{ $labels.instance }} 的 /healthcheck 已超过 ${zhDuration(t.availability.down_for)}没有在超时内返回 true` +
          '（返回 false、超时、连接被拒绝或不是 DocumentServer 的响应），编辑器无法打开或保存文档。',
        summary_en: 'ONLYOFFICE Docs is down',
        description_en:
          '/healthcheck of {{ $labels.instance }} has not answered true in time ' +
          `for more than ${enDuration(t.availability.down_for)} (false, timeout, ` +
          'connection refused or not a DocumentServer answer); editors cannot open or save documents.',
      },
      {
        comment: [
          'nginx still answers (api.js is served from disk, or the proxy gives 502/503/504) but no hop gets',
          "docservice's own /index.html: docservice on port 8000 is not listening.",
        ],
        alert: 'OnlyofficeDocsDocserviceDown',
        expr: `max without (via) (onlyoffice_endpoint_up{endpoint="index"}) == 0
and on (instance, job)
(
  max without (via) (onlyoffice_endpoint_status_code{endpoint="healthcheck"} >= 502 <= 504)
  or
  max without (via) (onlyoffice_endpoint_up{endpoint="api_js"} == 1)
)
`,
        for: t.availability.docservice_down_for,
        severity: 'critical',
        summary: 'docservice 未运行，代理仍有响应',
        description:
          '{{ $labels.instance }}：nginx 仍有响应（api.js 可以取到，或代理返回 502/503/504），但没有任何一跳拿到 docservice 自己的 /index.html，' +
          `已超过 ${zhDuration(t.availability.docservice_down_for)}。` +
          'docservice（8000 端口）没有启动、崩溃或启动时连不上 RabbitMQ/PostgreSQL。',
        summary_en: 'docservice is down behind a working proxy',
        description_en:
          '{{ $labels.instance }}: nginx still answers (api.js is served, ' +
          `or the proxy returns 502/503/504) but no hop has got docservice's own /index.html for more than ${enDuration(t.availability.docservice_down_for)}. ` +
          'docservice (port 8000) is not started, crashed, or cannot reach RabbitMQ/PostgreSQL at start-up.',
      },
      {
        comment: ["The value is the public hop's HTTP status (0: no HTTP answer at all)."],
        alert: 'OnlyofficeDocsProxyError',
        expr: `onlyoffice_endpoint_status_code{endpoint="healthcheck", via="public"}
and on (instance, job) (onlyoffice_endpoint_up{endpoint="healthcheck", via="public"} == 0)
and on (instance, job) (onlyoffice_endpoint_up{endpoint="healthcheck", via="direct"} == 1)
`,
        for: t.availability.proxy_error_for,
        severity: 'critical',
        summary: '反向代理出错，docservice 正常',
        description:
          `{{ $labels.instance }}：直连 DocumentServer 正常，但经公共地址（public_url）访问 /healthcheck 失败已超过 ${zhDuration(t.availability.proxy_error_for)}，` +
          'HTTP 状态 {{ $value }}（0 表示没有 HTTP 响应：' +
          '连接被拒绝、超时或 TLS 错误）。用户打不开编辑器，问题在反向代理。',
        summary_en: 'The reverse proxy fails while docservice is up',
        description_en:
          '{{ $labels.instance }}: DocumentServer answers directly, ' +
          `but /healthcheck through the public URL (public_url) has failed for more than ${enDuration(t.availability.proxy_error_for)} ` +
          'with HTTP status {{ $value }} (0: ' +
          'no HTTP answer: refused, timeout or TLS error). Users cannot open the editor; the reverse proxy is at fault.',
      },
      {
        comment: [
          "The editors' co-editing WebSocket: refused through the proxy while docservice accepts it and the proxy passes",
          "DS's pages (the proxy does not forward upgrades; a proxy down altogether is OnlyofficeDocsProxyError), or",
          'refused on every hop while docservice answers /index.html. The value is the HTTP status of the failing hop',
          "(101: upgraded but DS's first frame did not come; 0: no HTTP answer).",
        ],
        alert: 'OnlyofficeDocsWebsocketBroken',
        expr: `(
  onlyoffice_endpoint_status_code{endpoint="websocket", via="public"}
  and on (instance, job) (onlyoffice_endpoint_up{endpoint="websocket", via="public"} == 0)
  and on (instance, job) (onlyoffice_endpoint_up{endpoint="websocket", via="direct"} == 1)
  and on (instance, job) (onlyoffice_endpoint_up{endpoint="index", via="public"} == 1)
)
or
(
  onlyoffice_endpoint_status_code{endpoint="websocket", via="direct"}
  and on (instance, job) (max without (via) (onlyoffice_endpoint_up{endpoint="websocket"}) == 0)
  and on (instance, job) (max without (via) (onlyoffice_endpoint_up{endpoint="index"}) == 1)
)
`,
        for: t.availability.websocket_broken_for,
        severity: 'critical',
        summary: '协同编辑通道（WebSocket）不可用',
        description:
          `{{ $labels.instance }}：经 {{ $labels.via }} 打开协同编辑 WebSocket 失败已超过 ${zhDuration(t.availability.websocket_broken_for)}，` +
          'HTTP 状态 {{ $value }}（400 通常表示反向代理没有转发 ' +
          'Upgrade/Connection 头；101 表示已升级但没有收到 DocumentServer 的首帧；0 表示没有 HTTP 响应），而 DocumentServer 的其他页面正常。编辑器能打开，随后提示连接已断开，修改无法保存。',
        summary_en: 'The co-editing channel (WebSocket) is broken',
        description_en:
          '{{ $labels.instance }}: opening the co-editing WebSocket via {{ $labels.via }} has failed ' +
          `for more than ${enDuration(t.availability.websocket_broken_for)} ` +
          'with HTTP status {{ $value }} (400 usually means the reverse proxy does not forward the Upgrade/Connection ' +
          "headers; 101: upgraded but DocumentServer's first frame did not come; 0: no HTTP answer) while " +
          "DocumentServer's other pages answer. Editors open, then say the connection was lost, and changes are not saved.",
      },
      {
        comment: [
          'DS refuses a token signed with documentserver.jwt.browser_secret when the WebSocket connects (7.3+).',
        ],
        alert: 'OnlyofficeDocsEditorTokenRejected',
        expr: 'max without (via) (onlyoffice_websocket_auth_error) == 1',
        for: t.documentserver.editor_token_rejected_for,
        severity: 'warning',
        summary: '编辑器令牌被拒绝：浏览器密钥不一致',
        description:
          `{{ $labels.instance }} 在协同编辑 WebSocket 连接时拒绝用浏览器密钥签名的令牌已超过 ${zhDuration(t.documentserver.editor_token_rejected_for)}：` +
          '{{ $labels.code }}（{{ $labels.reason }}）。' +
          '若集成使用同一密钥，编辑器会显示 “document security token is not correctly formed”。',
        summary_en: "Editors' token rejected: the browser secret differs",
        description_en:
          '{{ $labels.instance }} has refused the token signed with the browser ' +
          `secret when the co-editing WebSocket connects for more than ${enDuration(t.documentserver.editor_token_rejected_for)}: ` +
          '{{ $labels.code }} ({{ $labels.reason }}). Integrations signing with the same ' +
          'secret make editors say "document security token is not correctly formed".',
      },
      {
        comment: [
          "DS's /healthcheck, or a hop to it that answers (the public one through the reverse proxy): a hop that fails",
          "is OnlyofficeDocsProxyError's or OnlyofficeDocsDown's, however long it took. The value is the slowest hop's time",
          "(when one is slow), else /healthcheck's.",
        ],
        alert: 'OnlyofficeDocsHealthcheckSlow',
        expr: `max without (endpoint, via) (
  onlyoffice_endpoint_duration_seconds{endpoint="healthcheck"} > ${slow}
  and on (instance, job, endpoint, via) onlyoffice_endpoint_up == 1
)
or on (instance, job)
onlyoffice_healthcheck_duration_seconds > ${slow}
`,
        for: t.latency.for,
        severity: 'warning',
        summary: 'DocumentServer 健康检查缓慢',
        description:
          `{{ $labels.instance }} 的 /healthcheck（直连或经过代理）耗时 {{ $value | humanizeDuration }}，已连续 ${zhDuration(t.latency.for)}超过 ${slow} 秒` +
          '（正常只需几十毫秒）。RabbitMQ 或 PostgreSQL 可能卡住或过载，或反向代理很慢。',
        summary_en: 'DocumentServer healthcheck is slow',
        description_en:
          `/healthcheck of {{ $labels.instance }} (directly or through the proxy) takes {{ $value | humanizeDuration }}, ` +
          `over ${slow} second${slow === '1' ? '' : 's'} for ${enDuration(t.latency.for)} (a few tens of milliseconds is normal). ` +
          'RabbitMQ or PostgreSQL may be frozen or overloaded, or the reverse proxy is slow.',
      },
      {
        alert: 'OnlyofficeDocsJwtMismatch',
        expr: 'max without (command) (onlyoffice_command_error{code=~"6|7"}) == 1',
        for: t.documentserver.jwt_mismatch_for,
        severity: 'warning',
        summary: 'JWT 不匹配：CommandService 拒绝了令牌',
        description:
          `{{ $labels.instance }} 的 CommandService 拒绝导出器签名的请求已超过 ${zhDuration(t.documentserver.jwt_mismatch_for)}：` +
          '错误码 {{ $labels.code }}（{{ $labels.reason }}）。6 表示密钥不一致或缺少令牌，' +
          '7 表示令牌过期（时钟偏差）。用同一密钥的集成（Nextcloud、Seafile 等）也会失败。',
        summary_en: 'JWT mismatch: CommandService rejects the token',
        description_en:
          "CommandService of {{ $labels.instance }} has rejected the exporter's signed requests " +
          `for more than ${enDuration(t.documentserver.jwt_mismatch_for)}: ` +
          'error {{ $labels.code }} ({{ $labels.reason }}). 6 means a secret mismatch or a missing token, ' +
          '7 an expired token (clock skew). Integrations using the same secret (Nextcloud, Seafile, ...) fail too.',
      },
      {
        comment: ['The value is the number of days left.'],
        alert: 'OnlyofficeDocsLicenseExpiringSoon',
        expr: `0 < (onlyoffice_license_expiry_timestamp_seconds - time()) / 86400 < ${t.license.expiry_warning_days}`,
        for: t.license.expiry_for,
        severity: 'warning',
        summary: 'ONLYOFFICE Docs 许可证即将到期',
        description: '{{ $labels.instance }} 的许可证将在 {{ printf "%.1f" $value }} 天后到期。',
        summary_en: 'The ONLYOFFICE Docs license expires soon',
        description_en: 'The license of {{ $labels.instance }} expires in {{ printf "%.1f" $value }} days.',
      },
      {
        alert: 'OnlyofficeDocsLicenseExpired',
        expr: `onlyoffice_license_expiry_timestamp_seconds <= time()
or on (instance, job)
onlyoffice_license_info{status=~"Expired|ExpiredTrial|ExpiredLimited"} == 1
`,
        for: t.license.expired_for,
        severity: 'critical',
        summary: 'ONLYOFFICE Docs 许可证已过期',
        description:
          '{{ $labels.instance }} 的许可证已过期（到期日已过，或 DocumentServer 的许可证检查结果为 Expired）。',
        summary_en: 'The ONLYOFFICE Docs license has expired',
        description_en:
          "The license of {{ $labels.instance }} has expired (its end date is past, or DocumentServer's license check says Expired).",
      },
      ...nearLimitRules(t, 'connections'),
      ...nearLimitRules(t, 'users'),
      {
        alert: 'OnlyofficeDocsForgottenFiles',
        expr: 'onlyoffice_forgotten_files > 0',
        for: t.documentserver.forgotten_files_for,
        severity: 'warning',
        summary: '有文档未能保存到存储',
        description:
          '{{ $labels.instance }} 保留着 {{ $value }} 个未能保存到存储的文件（getForgottenList），用户的修改只在 DocumentServer 上。',
        summary_en: 'Documents could not be saved to the storage',
        description_en:
          '{{ $labels.instance }} keeps {{ if gt $value 1.0 }}{{ $value }} files{{ else }}a file{{ end }} it could not save to the storage (getForgottenList); ' +
          "the users' changes exist only on DocumentServer.",
      },
    ],
    testHeader: [
      'promtool test rules alerts/tests/documentserver.test.yml',
      'Each alert: series that fire it (after its for:), series that do not, and resolution.',
    ],
    tests: [
      {
        comment: [
          '---------------------------------------------------------------------------------------------------------',
        ],
        name: `OnlyofficeDocsDown fires after ${t.availability.down_for} of healthcheck 0 and resolves; a healthy instance stays quiet`,
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_healthcheck_up{instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 1 0x${down + 1} 1 1`,
          },
          {
            series: 'onlyoffice_healthcheck_up{instance="https://docs2.example.com", job="onlyoffice-probe"}',
            values: `1x${down + 5}`,
          },
        ],
        checks: [
          { at: '1m', alert: 'OnlyofficeDocsDown', fires: [] },
          {
            at: duration(down + 1),
            note: `pending: 0 for less than ${t.availability.down_for}`,
            alert: 'OnlyofficeDocsDown',
            fires: [],
          },
          {
            at: duration(down + 2),
            alert: 'OnlyofficeDocsDown',
            fires: [{ labels: { severity: 'critical', instance: '127.0.0.1:9967', job: 'onlyoffice' }, value: 0 }],
          },
          { at: duration(down + 4), note: 'healthcheck true again', alert: 'OnlyofficeDocsDown', fires: [] },
        ],
      },
      {
        name: 'On /metrics the alert names the DocumentServer from onlyoffice_target_info; on /probe (no target_info) it fires unchanged',
        interval: '1m',
        series: [
          {
            comment: ["/metrics: instance is the exporter's address, onlyoffice_target_info names the DS it watches."],
            series:
              'onlyoffice_target_info{documentserver="http://10.0.0.12:8000", public_url="https://docs.example.com/", instance="10.0.0.5:9967", job="onlyoffice"}',
            values: `1x${down + 3}`,
          },
          {
            series: 'onlyoffice_healthcheck_up{instance="10.0.0.5:9967", job="onlyoffice"}',
            values: `1 0x${down + 2}`,
          },
          {
            comment: ['/probe: instance is the DS URL, and there is no target_info.'],
            series: 'onlyoffice_healthcheck_up{instance="https://docs2.example.com", job="onlyoffice-probe"}',
            values: `1 0x${down + 2}`,
          },
          {
            comment: ["Another exporter's DS: matched on instance and job, it names no one else's alert."],
            series:
              'onlyoffice_target_info{documentserver="http://10.0.0.99:8000", public_url="", instance="10.0.0.6:9967", job="onlyoffice"}',
            values: `1x${down + 3}`,
          },
          { series: 'onlyoffice_healthcheck_up{instance="10.0.0.6:9967", job="onlyoffice"}', values: `1x${down + 3}` },
        ],
        checks: [
          {
            at: duration(down + 1),
            alert: 'OnlyofficeDocsDown',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  documentserver: 'http://10.0.0.12:8000',
                  instance: '10.0.0.5:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
              {
                labels: { severity: 'critical', instance: 'https://docs2.example.com', job: 'onlyoffice-probe' },
                value: 0,
              },
            ],
          },
        ],
      },
      {
        comment: [
          '---------------------------------------------------------------------------------------------------------',
        ],
        name: "OnlyofficeDocsDocserviceDown only when a proxy still answers and no hop gets docservice's index",
        interval: '1m',
        series: [
          {
            comment: [
              'a: direct is docservice :8000 (refused), public goes through nginx (502 while docservice is down).',
            ],
            series: 'onlyoffice_endpoint_up{endpoint="index", via="direct", instance="a", job="onlyoffice"}',
            values: `1 1 ${run(0, dd + 2)} 1 1 1`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="index", via="public", instance="a", job="onlyoffice"}',
            values: `1 1 ${run(0, dd + 2)} 1 1 1`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="healthcheck", via="direct", instance="a", job="onlyoffice"}',
            values: `200 200 ${run(0, dd + 2)} 200 200 200`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="healthcheck", via="public", instance="a", job="onlyoffice"}',
            values: `200 200 ${run(502, dd + 2)} 200 200 200`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="api_js", via="public", instance="a", job="onlyoffice"}',
            values: `1x${dd + 6}`,
          },
          {
            comment: [
              'b: only docservice :8000, nothing answers at all: cannot tell docservice from the host (OnlyofficeDocsDown says it).',
            ],
            series: 'onlyoffice_endpoint_up{endpoint="index", via="direct", instance="b", job="onlyoffice"}',
            values: `0x${dd + 6}`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="healthcheck", via="direct", instance="b", job="onlyoffice"}',
            values: `0x${dd + 6}`,
          },
          {
            comment: [
              "c: DS's own nginx as direct: docservice hangs (no status within the timeout) while api.js is served from disk.",
            ],
            series: 'onlyoffice_endpoint_up{endpoint="index", via="direct", instance="c", job="onlyoffice"}',
            values: `1 1 ${run(0, dd + 3)} 1 1`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="healthcheck", via="direct", instance="c", job="onlyoffice"}',
            values: `200 200 ${run(0, dd + 3)} 200 200`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="api_js", via="direct", instance="c", job="onlyoffice"}',
            values: `1x${dd + 6}`,
          },
          {
            comment: ['d: RabbitMQ down: healthcheck says false, index still answers: docservice is up.'],
            series: 'onlyoffice_endpoint_up{endpoint="index", via="direct", instance="d", job="onlyoffice"}',
            values: `1x${dd + 6}`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="healthcheck", via="direct", instance="d", job="onlyoffice"}',
            values: `200x${dd + 6}`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="api_js", via="direct", instance="d", job="onlyoffice"}',
            values: `1x${dd + 6}`,
          },
        ],
        checks: [
          { at: `${dd + 1}m`, alert: 'OnlyofficeDocsDocserviceDown', fires: [] },
          {
            at: `${dd + 2}m`,
            alert: 'OnlyofficeDocsDocserviceDown',
            fires: [
              { labels: { severity: 'critical', endpoint: 'index', instance: 'a', job: 'onlyoffice' }, value: 0 },
              { labels: { severity: 'critical', endpoint: 'index', instance: 'c', job: 'onlyoffice' }, value: 0 },
            ],
          },
          {
            at: `${dd + 4}m`,
            note: 'a recovered; c still hangs',
            alert: 'OnlyofficeDocsDocserviceDown',
            fires: [
              { labels: { severity: 'critical', endpoint: 'index', instance: 'c', job: 'onlyoffice' }, value: 0 },
            ],
          },
          { at: `${dd + 6}m`, note: 'c answers again', alert: 'OnlyofficeDocsDocserviceDown', fires: [] },
        ],
      },
      {
        comment: [
          '---------------------------------------------------------------------------------------------------------',
        ],
        name: 'OnlyofficeDocsProxyError when the public hop fails while the direct one answers',
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_endpoint_up{endpoint="healthcheck", via="direct", instance="a", job="onlyoffice"}',
            values: `1x${pe + 6}`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="healthcheck", via="public", instance="a", job="onlyoffice"}',
            values: `1 ${run(0, pe + 2)} 1 1 1 1`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="healthcheck", via="public", instance="a", job="onlyoffice"}',
            values: `200 ${run(502, pe + 1)} 0 200 200 200 200`,
          },
          {
            comment: ['e: both hops down: the DS itself is down (OnlyofficeDocsDown), not the proxy.'],
            series: 'onlyoffice_endpoint_up{endpoint="healthcheck", via="direct", instance="e", job="onlyoffice"}',
            values: `0x${pe + 6}`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="healthcheck", via="public", instance="e", job="onlyoffice"}',
            values: `0x${pe + 6}`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="healthcheck", via="public", instance="e", job="onlyoffice"}',
            values: `502x${pe + 6}`,
          },
        ],
        checks: [
          { at: `${pe}m`, note: 'pending since 1m', alert: 'OnlyofficeDocsProxyError', fires: [] },
          {
            at: `${pe + 1}m`,
            alert: 'OnlyofficeDocsProxyError',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  endpoint: 'healthcheck',
                  via: 'public',
                  instance: 'a',
                  job: 'onlyoffice',
                },
                value: 502,
              },
            ],
          },
          {
            at: `${pe + 2}m`,
            note: 'the proxy stopped answering at all: still firing, status 0',
            alert: 'OnlyofficeDocsProxyError',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  endpoint: 'healthcheck',
                  via: 'public',
                  instance: 'a',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: `${pe + 3}m`, alert: 'OnlyofficeDocsProxyError', fires: [] },
        ],
      },
      {
        comment: [
          '---------------------------------------------------------------------------------------------------------',
        ],
        name: 'OnlyofficeDocsWebsocketBroken when the proxy refuses the upgrade (direct 101, public 400), and resolves',
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_endpoint_up{endpoint="websocket", via="direct", instance="a", job="onlyoffice"}',
            values: `1x${wb + 6}`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="websocket", via="public", instance="a", job="onlyoffice"}',
            values: `1 ${run(0, wb + 2)} 1 1 1 1`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="websocket", via="public", instance="a", job="onlyoffice"}',
            values: `101 ${run(400, wb + 2)} 101 101 101 101`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="index", via="direct", instance="a", job="onlyoffice"}',
            values: `1x${wb + 6}`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="index", via="public", instance="a", job="onlyoffice"}',
            values: `1x${wb + 6}`,
          },
          {
            comment: [
              "p: the proxy down altogether (OnlyofficeDocsProxyError's case): the channel is not named on its own.",
            ],
            series: 'onlyoffice_endpoint_up{endpoint="websocket", via="direct", instance="p", job="onlyoffice"}',
            values: `1x${wb + 6}`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="websocket", via="public", instance="p", job="onlyoffice"}',
            values: `0x${wb + 6}`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="websocket", via="public", instance="p", job="onlyoffice"}',
            values: `502x${wb + 6}`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="index", via="public", instance="p", job="onlyoffice"}',
            values: `0x${wb + 6}`,
          },
          {
            comment: [
              "e: docservice down on every hop, /index.html too: OnlyofficeDocsDocserviceDown's case, not this one.",
            ],
            series: 'onlyoffice_endpoint_up{endpoint="websocket", via="direct", instance="e", job="onlyoffice"}',
            values: `0x${wb + 6}`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="websocket", via="direct", instance="e", job="onlyoffice"}',
            values: `0x${wb + 6}`,
          },
          {
            series: 'onlyoffice_endpoint_up{endpoint="index", via="direct", instance="e", job="onlyoffice"}',
            values: `0x${wb + 6}`,
          },
        ],
        checks: [
          { at: `${wb}m`, note: 'pending since 1m', alert: 'OnlyofficeDocsWebsocketBroken', fires: [] },
          {
            at: `${wb + 1}m`,
            alert: 'OnlyofficeDocsWebsocketBroken',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  endpoint: 'websocket',
                  via: 'public',
                  instance: 'a',
                  job: 'onlyoffice',
                },
                value: 400,
              },
            ],
          },
          { at: `${wb + 3}m`, alert: 'OnlyofficeDocsWebsocketBroken', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsWebsocketBroken when every hop refuses the channel while /index.html answers (a /probe target)',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_endpoint_up{endpoint="websocket", via="direct", instance="https://docs.example.com", job="onlyoffice-probe"}',
            values: `0x${wb + 3}`,
          },
          {
            series:
              'onlyoffice_endpoint_status_code{endpoint="websocket", via="direct", instance="https://docs.example.com", job="onlyoffice-probe"}',
            values: `101x${wb + 3}`,
          },
          {
            series:
              'onlyoffice_endpoint_up{endpoint="index", via="direct", instance="https://docs.example.com", job="onlyoffice-probe"}',
            values: `1x${wb + 3}`,
          },
        ],
        checks: [
          { at: `${wb - 1}m`, alert: 'OnlyofficeDocsWebsocketBroken', fires: [] },
          {
            at: `${wb}m`,
            alert: 'OnlyofficeDocsWebsocketBroken',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  endpoint: 'websocket',
                  via: 'direct',
                  instance: 'https://docs.example.com',
                  job: 'onlyoffice-probe',
                },
                value: 101,
              },
            ],
          },
        ],
      },
      {
        comment: [
          '---------------------------------------------------------------------------------------------------------',
        ],
        name: `OnlyofficeDocsEditorTokenRejected after ${enDuration(t.documentserver.editor_token_rejected_for)} of refusals, one alert for both hops`,
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_websocket_auth_up{via="direct", instance="a", job="onlyoffice"}',
            values: `1 ${run(0, et + 2)} 1 1`,
          },
          {
            series:
              'onlyoffice_websocket_auth_error{via="direct", code="4006", reason="token:invalid signature", instance="a", job="onlyoffice"}',
            values: `_ ${run(1, et + 2)} stale`,
          },
          {
            series:
              'onlyoffice_websocket_auth_error{via="public", code="4006", reason="token:invalid signature", instance="a", job="onlyoffice"}',
            values: `_ ${run(1, et + 2)} stale`,
          },
          {
            comment: ['b: accepted all along.'],
            series: 'onlyoffice_websocket_auth_up{via="direct", instance="b", job="onlyoffice"}',
            values: `1x${et + 4}`,
          },
        ],
        checks: [
          { at: `${et}m`, note: 'pending since 1m', alert: 'OnlyofficeDocsEditorTokenRejected', fires: [] },
          {
            at: `${et + 1}m`,
            alert: 'OnlyofficeDocsEditorTokenRejected',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  code: '4006',
                  reason: 'token:invalid signature',
                  instance: 'a',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: `${et + 4}m`, alert: 'OnlyofficeDocsEditorTokenRejected', fires: [] },
        ],
      },
      healthcheckSlowTest(t),
      {
        comment: [
          '---------------------------------------------------------------------------------------------------------',
        ],
        name: 'OnlyofficeDocsJwtMismatch on error 6 or 7 of any command, one alert per code',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_command_error{command="version", code="0", reason="none", instance="a", job="onlyoffice"}',
            values: '1 1 stale',
          },
          {
            series:
              'onlyoffice_command_error{command="version", code="6", reason="token", instance="a", job="onlyoffice"}',
            values: `_ _ 1x${jm + 1} stale`,
          },
          {
            series:
              'onlyoffice_command_error{command="license", code="6", reason="token", instance="a", job="onlyoffice"}',
            values: `_ _ 1x${jm + 1} stale`,
          },
          {
            series:
              'onlyoffice_command_error{command="version", code="0", reason="none", instance="a", job="onlyoffice"}',
            values: `_x${jm + 4} 1 1`,
          },
          {
            comment: ['b: the command answers, but with an error that is not about the token.'],
            series:
              'onlyoffice_command_error{command="version", code="3", reason="unknown", instance="b", job="onlyoffice"}',
            values: `1x${jm + 5}`,
          },
        ],
        checks: [
          { at: duration(jm + 1), note: 'pending since 2m', alert: 'OnlyofficeDocsJwtMismatch', fires: [] },
          {
            at: duration(jm + 2),
            alert: 'OnlyofficeDocsJwtMismatch',
            fires: [
              {
                labels: { severity: 'warning', code: '6', reason: 'token', instance: 'a', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
          { at: duration(jm + 5), alert: 'OnlyofficeDocsJwtMismatch', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsJwtMismatch on an expired token (7)',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_command_error{command="version", code="7", reason="token_expired", instance="https://docs.example.com", job="onlyoffice-probe"}',
            values: `1x${jm + 1}`,
          },
        ],
        checks: [
          { at: duration(jm - 1), alert: 'OnlyofficeDocsJwtMismatch', fires: [] },
          {
            at: duration(jm),
            alert: 'OnlyofficeDocsJwtMismatch',
            fires: [
              {
                labels: {
                  severity: 'warning',
                  code: '7',
                  reason: 'token_expired',
                  instance: 'https://docs.example.com',
                  job: 'onlyoffice-probe',
                },
                value: 0,
              },
            ],
          },
        ],
      },
      licenseExpiringTest(t),
      {
        comment: [
          '---------------------------------------------------------------------------------------------------------',
        ],
        name: "OnlyofficeDocsLicenseExpired by end date or by DS's license check",
        interval: '1m',
        series: [
          {
            comment: [`a: ends 10 minutes after the epoch, renewed at ${le + 15}m.`],
            series: 'onlyoffice_license_expiry_timestamp_seconds{instance="a", job="onlyoffice"}',
            values: `600x${le + 14} 31536000x5`,
          },
          {
            comment: ['b: no end date (license from CommandService), but DS says Expired.'],
            series:
              'onlyoffice_license_info{status="Expired", status_code="2", mode="none", package_type="enterprise", ' +
              'has_license="unknown", source="command", instance="b", job="onlyoffice"}',
            values: `1x${le + 17} stale`,
          },
          {
            series:
              'onlyoffice_license_info{status="Success", status_code="3", mode="none", package_type="enterprise", ' +
              'has_license="unknown", source="command", instance="b", job="onlyoffice"}',
            values: `_x${le + 18} 1`,
          },
          {
            comment: ['c: the open-source build: Success, no end date.'],
            series:
              'onlyoffice_license_info{status="Success", status_code="3", mode="none", package_type="open_source", ' +
              'has_license="false", source="info_json", instance="c", job="onlyoffice"}',
            values: `1x${le + 19}`,
          },
        ],
        checks: [
          { at: `${le - 1}m`, alert: 'OnlyofficeDocsLicenseExpired', fires: [] },
          {
            at: `${le}m`,
            alert: 'OnlyofficeDocsLicenseExpired',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  status: 'Expired',
                  status_code: '2',
                  mode: 'none',
                  package_type: 'enterprise',
                  has_license: 'unknown',
                  source: 'command',
                  instance: 'b',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          {
            at: `${le + 9}m`,
            note: 'a: past its end since 10m, pending',
            alert: 'OnlyofficeDocsLicenseExpired',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  status: 'Expired',
                  status_code: '2',
                  mode: 'none',
                  package_type: 'enterprise',
                  has_license: 'unknown',
                  source: 'command',
                  instance: 'b',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          {
            at: `${le + 10}m`,
            alert: 'OnlyofficeDocsLicenseExpired',
            fires: [
              { labels: { severity: 'critical', instance: 'a', job: 'onlyoffice' }, value: 0 },
              {
                labels: {
                  severity: 'critical',
                  status: 'Expired',
                  status_code: '2',
                  mode: 'none',
                  package_type: 'enterprise',
                  has_license: 'unknown',
                  source: 'command',
                  instance: 'b',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          {
            at: `${le + 17}m`,
            note: 'a renewed',
            alert: 'OnlyofficeDocsLicenseExpired',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  status: 'Expired',
                  status_code: '2',
                  mode: 'none',
                  package_type: 'enterprise',
                  has_license: 'unknown',
                  source: 'command',
                  instance: 'b',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: `${le + 19}m`, note: 'b got a valid license', alert: 'OnlyofficeDocsLicenseExpired', fires: [] },
        ],
      },
      nearLimitTest(t, 'connections'),
      nearLimitTest(t, 'users'),
      {
        comment: [
          '---------------------------------------------------------------------------------------------------------',
        ],
        name: `OnlyofficeDocsForgottenFiles while DS keeps files it could not save, after ${t.documentserver.forgotten_files_for}`,
        interval: '1m',
        series: [
          { series: 'onlyoffice_forgotten_files{instance="a", job="onlyoffice"}', values: `0 2x${ff} 0 0` },
          { series: 'onlyoffice_forgotten_files{instance="b", job="onlyoffice"}', values: `0x${ff + 3}` },
          {
            comment: ['c: one file, told in the singular.'],
            series: 'onlyoffice_forgotten_files{instance="c", job="onlyoffice"}',
            values: `0 1x${ff} 0 0`,
          },
        ],
        checks: [
          { at: duration(ff), alert: 'OnlyofficeDocsForgottenFiles', fires: [] },
          {
            at: duration(ff + 1),
            alert: 'OnlyofficeDocsForgottenFiles',
            fires: [
              { labels: { severity: 'warning', instance: 'a', job: 'onlyoffice' }, value: 2 },
              { labels: { severity: 'warning', instance: 'c', job: 'onlyoffice' }, value: 1 },
            ],
          },
          { at: duration(ff + 3), alert: 'OnlyofficeDocsForgottenFiles', fires: [] },
        ],
      },
    ],
  };
};
