import { counted, type Params, type Pick, type Render } from './i18n.js';
import type { HopId, Verdict } from './vocabulary.js';

export const HOP_NAMES: Record<HopId, Render> = {
  proxy: (_p, t) => t('公开地址（经反向代理）', 'Public URL (through the proxy)'),
  docservice: (_p, t) => t('docservice', 'docservice'),
  healthcheck: (_p, t) => t('健康检查 /healthcheck', 'Health check /healthcheck'),
  jwt: (_p, t) => t('CommandService 与 JWT', 'CommandService and JWT'),
  websocket: (_p, t) => t('协同编辑通道（WebSocket）', 'Co-editing channel (WebSocket)'),
  rabbitmq: () => 'RabbitMQ',
  postgresql: () => 'PostgreSQL',
  redis: () => 'Redis',
  converter: (_p, t) => t('转换队列与转换器', 'Converter queue and consumers'),
  certificates: (_p, t) => t('证书', 'Certificates'),
  disk: (_p, t) => t('磁盘', 'Disk'),
  backups: (_p, t) => t('备份', 'Backups'),
  containers: (_p, t) => t('容器', 'Containers'),
  supervisor: (_p, t) => t('supervisor 进程', 'Supervisor programs'),
};

/** Stable tokens (cron mail, grep): the same in both languages. */
export const VERDICT_TOKENS: Record<Verdict, string> = {
  ok: 'OK',
  warn: 'WARN',
  fail: 'FAIL',
  unknown: 'UNKNOWN',
  skipped: 'SKIPPED',
};

export const VERDICT_WORDS: Record<Verdict, Render> = {
  ok: (_p, t) => t('正常', 'OK'),
  warn: (_p, t) => t('警告', 'warning'),
  fail: (_p, t) => t('故障', 'failure'),
  unknown: (_p, t) => t('无法判断', 'unknown'),
  skipped: (_p, t) => t('未配置', 'not configured'),
};

/** Where an HTTP check went: the URL and path; the WebSocket check's path says so in the reader's punctuation. */
const at = (p: Params, t: Pick) => `${p.url}${String(p.path).replace(/ \((WebSocket)\)$/, t('（$1）', ' ($1)'))}`;
const ms = (p: Params) => `${Math.round(Number(p.seconds) * 1000)} ms`;
const because = (p: Params, t: Pick) => (p.error !== undefined ? t(`，${errorText(p, t)}`, `, ${p.error}`) : '');

/** The failure kinds of the probes (lib/http, lib/tls-probe, lib/protocol-probe: "kind: message"), in Chinese. */
const FAILURE_KINDS: Record<string, string> = {
  refused: '连接被拒绝',
  timeout: '超时',
  reset: '连接被重置',
  dns: '域名解析失败',
  tls: 'TLS 握手失败',
  handshake: 'TLS 握手失败',
  no_certificate: '没有收到证书',
  body_too_large: '响应体过大',
  over_budget: '超出检查时限',
  protocol: '响应不符合协议',
  auth: '认证失败',
  error: '出错',
};
const SYSTEM_CODES: Record<string, string> = {
  ECONNREFUSED: '连接被拒绝',
  ECONNRESET: '连接被重置',
  ETIMEDOUT: '连接超时',
  ENOTFOUND: '域名解析失败',
  EAI_AGAIN: '域名解析失败',
};
/** Messages that only restate their kind: shown as the kind alone. */
const PLAIN_MESSAGES = new Set(['connection refused', 'timed out', 'connection reset', 'connect timed out']);

/**
 * A check's error (p.error) as the reader's language shows it: in English as it was recorded; in Chinese the kind
 * in words, with the system's own message quoted when it says more than the kind.
 */
export function errorText(p: Params, t: Pick): string {
  const error = String(p.error);
  // A system error code says it all: "error: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8000" is a refused connection.
  const code = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN)\b/.exec(error)?.[1];
  if (code !== undefined) return t(SYSTEM_CODES[code]!, error);
  const match = /^([a-z_]+): (.*)$/s.exec(error);
  const kind = match !== null ? FAILURE_KINDS[match[1]!] : undefined;
  if (kind === undefined) return t(`“${error}”`, error);
  const message = match![2]!;
  return t(PLAIN_MESSAGES.has(message) ? kind : `${kind}：“${message}”`, error);
}

export const FINDINGS = {
  not_configured: (p, t) => t(`未配置（${p.key}）`, `not configured (${p.key})`),
  switched_off: (p, t) => t(`已关闭（${p.key}: false）`, `switched off (${p.key}: false)`),
  ds_answer: (p, t) =>
    t(
      `${at(p, t)}：HTTP ${p.status}，DocumentServer 正常响应（${ms(p)}）`,
      `${at(p, t)}: HTTP ${p.status}, DocumentServer's answer (${ms(p)})`,
    ),
  not_ds_answer: (p, t) =>
    t(
      `${at(p, t)}：HTTP ${p.status}，但响应不是 DocumentServer 发出的`,
      `${at(p, t)}: HTTP ${p.status}, not DocumentServer's answer`,
    ),
  no_http_answer: (p, t) =>
    p.error === undefined
      ? t(
          `${at(p, t)}：没有 HTTP 响应（连接被拒绝、超时或 TLS 失败，${ms(p)}）`,
          `${at(p, t)}: no HTTP answer (refused, timed out or TLS failure, ${ms(p)})`,
        )
      : t(
          `${at(p, t)}：没有 HTTP 响应（${errorText(p, t)}，${ms(p)}）`,
          `${at(p, t)}: no HTTP answer (${p.error}, ${ms(p)})`,
        ),
  static_file: (p, t) =>
    t(
      `${at(p, t)}：HTTP ${p.status}（nginx 直接提供的静态文件，不经过 docservice）`,
      `${at(p, t)}: HTTP ${p.status} (a static file nginx serves itself, not docservice)`,
    ),
  healthcheck_true: (p, t) => t(`/healthcheck 返回 true（${ms(p)}）`, `/healthcheck answered true (${ms(p)})`),
  healthcheck_false: (p, t) => t(`/healthcheck 返回 false（${ms(p)}）`, `/healthcheck answered false (${ms(p)})`),
  healthcheck_hang: (p, t) =>
    t(`/healthcheck 在 ${p.timeout} 内没有响应`, `/healthcheck gave no answer within ${p.timeout}`),
  healthcheck_no_answer: (p, t) => t(`/healthcheck 没有响应（${ms(p)}）`, `/healthcheck did not answer (${ms(p)})`),
  because_hop: (p, t) =>
    t(`未检查：${HOP_NAMES[p.hop as HopId]!(p, t)} 不可用`, `not checked: ${HOP_NAMES[p.hop as HopId]!(p, t)} is down`),
  command_ok: (p, t) =>
    t(
      `version 命令执行成功（错误码 0）${p.version ? `，DS 版本 ${p.version}` : ''}${p.signed ? '，请求带 JWT 签名' : ''}`,
      `version command succeeded (error 0)${p.version ? `, DS ${p.version}` : ''}${p.signed ? ', JWT-signed' : ''}`,
    ),
  command_error: (p, t) =>
    t(`version 命令返回错误码 ${p.code}（${p.reason}）`, `version command answered error ${p.code} (${p.reason})`),
  dependency_up: (p, t) =>
    t(`${p.address}：协议层响应正常（${ms(p)}）`, `${p.address}: answers at the protocol level (${ms(p)})`),
  dependency_down: (p, t) =>
    t(`${p.address}：没有响应（${ms(p)}${because(p, t)}）`, `${p.address}: no answer (${ms(p)}${because(p, t)})`),
  queue: (p, t) =>
    t(
      `${p.queue}：${p.ready} 个任务待处理，${p.consumers} 个消费者`,
      `${p.queue}: ${p.ready} ready, ${counted(p.consumers, 'consumer')}`,
    ),
  probe_ok: (p, t) => t(`测试转换成功（${ms(p)}）`, `test conversion succeeded (${ms(p)})`),
  probe_failed: (p, t) =>
    p.outcome === undefined || p.outcome === 'error_code'
      ? t(`测试转换失败，错误码 ${p.code}`, `test conversion failed with error ${p.code}`)
      : t(`测试转换失败：${outcomeText(p, t)}`, `test conversion failed: ${outcomeText(p, t)}`),
  cert_ok: (p, t) =>
    t(
      `${p.target}：有效期至 ${p.date}（还有 ${p.days} 天）`,
      `${p.target}: valid until ${p.date} (${counted(p.days, 'day')} left)`,
    ),
  cert_problem: (p, t) =>
    t(
      `${p.target}：${CERT_PROBLEMS[p.problem as keyof typeof CERT_PROBLEMS]!(p, t)}${p.error !== undefined ? `（${errorText(p, t)}）` : ''}`,
      `${p.target}: ${CERT_PROBLEMS[p.problem as keyof typeof CERT_PROBLEMS]!(p, t)}${p.error !== undefined ? ` (${p.error})` : ''}`,
    ),
  fs: (p, t) =>
    p.mountpoint === p.path
      ? t(
          `${p.path}：剩余 ${p.percent}% 空间、${p.ipercent}% inode`,
          `${p.path}: ${p.percent}% space and ${p.ipercent}% inodes free`,
        )
      : t(
          `${p.path}（挂载点 ${p.mountpoint}）：剩余 ${p.percent}% 空间、${p.ipercent}% inode`,
          `${p.path} (mount point ${p.mountpoint}): ${p.percent}% space and ${p.ipercent}% inodes free`,
        ),
  backup: (p, t) =>
    t(
      `${p.name}：最新文件写于 ${p.age_zh}前，${p.size}，共匹配 ${p.files} 个文件`,
      `${p.name}: newest file written ${p.age_en} ago, ${p.size}, ${counted(p.files, 'file')} matched`,
    ),
  backup_none: (p, t) => t(`${p.name}：没有匹配 ${p.path} 的文件`, `${p.name}: no file matches ${p.path}`),
  fs_problem: (p, t) =>
    t(
      `${p.path}：${p.problem === 'readonly' ? '只读' : '无法读取（路径不存在或挂载点挂起）'}`,
      `${p.path}: ${p.problem === 'readonly' ? 'read-only' : 'cannot be read (missing or hanging)'}`,
    ),
  container: (p, t) =>
    t(
      `${p.name}：状态 ${p.state}${p.health && p.health !== 'none' ? `，健康检查 ${p.health}` : ''}${Number(p.restarts) > 0 ? `，已重启 ${p.restarts} 次` : ''}`,
      `${p.name}: ${p.state}${p.health && p.health !== 'none' ? `, health ${p.health}` : ''}${Number(p.restarts) > 0 ? `, ${counted(p.restarts, 'restart')}` : ''}`,
    ),
  no_containers: (_p, t) => t('没有匹配 docker.containers 的容器', 'no container matches docker.containers'),
  program: (p, t) =>
    t(
      `${p.container ? `${p.container}：` : ''}${p.program} 状态为 ${p.state}`,
      `${p.container ? `${p.container}: ` : ''}${p.program} ${p.state}`,
    ),
  supervisor_unreachable: (p, t) =>
    t(`${p.container || '主机'}：supervisorctl 没有响应`, `${p.container || 'host'}: supervisorctl did not answer`),
  collector_failed: (p, t) =>
    p.error === undefined
      ? t(`检查 ${p.collector} 失败或超时`, `the ${p.collector} check failed or timed out`)
      : t(`检查 ${p.collector} 失败：${errorText(p, t)}`, `the ${p.collector} check failed: ${p.error}`),
  source_failed: (p, t) =>
    t(
      `RabbitMQ ${p.source}：读不到${p.error !== undefined ? `（${errorText(p, t)}）` : ''}`,
      `RabbitMQ ${p.source}: could not be read${p.error !== undefined ? ` (${p.error})` : ''}`,
    ),
  no_data_yet: (_p, t) => t('还没有结果', 'no result yet'),
  ws_token_accepted: (p, t) =>
    t(
      `${p.url}：编辑器令牌（浏览器密钥签名）被接受`,
      `${p.url}: the editors' token (signed with the browser secret) is accepted`,
    ),
  ws_token_refused: (p, t) =>
    t(
      `${p.url}：编辑器令牌被拒绝（${p.code} ${p.reason}）`,
      `${p.url}: the editors' token is refused: ${p.code} ${p.reason}`,
    ),
} satisfies Record<string, Render>;

export type FindingCode = keyof typeof FINDINGS;

/** How the test conversion ended when DS gave no error code (onlyoffice_conversion_probe_outcome). */
const OUTCOMES: Record<string, Render> = {
  timeout: (_p, t) => t('超时未完成', 'it timed out'),
  request_failed: (_p, t) => t('ConvertService 没有响应', 'ConvertService did not answer'),
  result_fetch_failed: (_p, t) => t('取不回结果文件', 'the result could not be fetched'),
  result_url_refused: (_p, t) =>
    t('结果地址不在 DS 的源上，未去获取', 'the result URL is not on the DS origin, so it was not fetched'),
  source_failed: (_p, t) => t('导出器无法提供源文件', 'the exporter could not serve the source file'),
};

/** The outcome in words; an outcome this version does not know stays as its label value. */
export function outcomeText(p: Params, t: Pick): string {
  return OUTCOMES[String(p.outcome)]?.(p, t) ?? String(p.outcome);
}

const CERT_PROBLEMS = {
  expired: (p: Params, t: Pick) => t(`已于 ${p.date} 过期`, `expired on ${p.date}`),
  untrusted: (_p: Params, t: Pick) => t('证书链不受信任', 'chain not trusted'),
  chain_incomplete: (_p: Params, t: Pick) => t('没有发送中间证书', 'intermediates not sent'),
  hostname: (_p: Params, t: Pick) => t('与主机名不符', 'does not match the host name'),
  unreadable: (_p: Params, t: Pick) => t('不可读', 'not readable'),
  key_mismatch: (_p: Params, t: Pick) => t('私钥与证书不匹配', 'key does not match'),
  unreachable: (_p: Params, t: Pick) => t('TLS 握手失败', 'TLS handshake failed'),
};
