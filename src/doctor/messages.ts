import { counted, type Params, type Pick, type Render } from './i18n.js';
import type { HopId, Verdict } from './model.js';

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
export const VERDICT_TOKENS: Record<Verdict, string> = { ok: 'OK', warn: 'WARN', fail: 'FAIL', unknown: 'UNKNOWN', skipped: 'SKIPPED' };

export const VERDICT_WORDS: Record<Verdict, Render> = {
  ok: (_p, t) => t('正常', 'OK'),
  warn: (_p, t) => t('警告', 'warning'),
  fail: (_p, t) => t('故障', 'failure'),
  unknown: (_p, t) => t('无法判断', 'unknown'),
  skipped: (_p, t) => t('未配置', 'not configured'),
};

const ms = (p: Params) => `${Math.round(Number(p.seconds) * 1000)} ms`;
const because = (p: Params) => (p.error !== undefined ? `, ${p.error}` : '');

export const FINDINGS = {
  not_configured: (p, t) => t(`未配置（${p.key}）`, `not configured (${p.key})`),
  ds_answer: (p, t) => t(`${p.url}${p.path}：HTTP ${p.status}，DocumentServer 的应答（${ms(p)}）`, `${p.url}${p.path}: HTTP ${p.status}, DocumentServer's answer (${ms(p)})`),
  not_ds_answer: (p, t) => t(`${p.url}${p.path}：HTTP ${p.status}，不是 DocumentServer 的应答`, `${p.url}${p.path}: HTTP ${p.status}, not DocumentServer's answer`),
  no_http_answer: (p, t) => (p.error === undefined
    ? t(`${p.url}${p.path}：没有 HTTP 应答（连接被拒绝、超时或 TLS 失败，${ms(p)}）`, `${p.url}${p.path}: no HTTP answer (refused, timed out or TLS failure, ${ms(p)})`)
    : t(`${p.url}${p.path}：没有 HTTP 应答（${p.error}，${ms(p)}）`, `${p.url}${p.path}: no HTTP answer (${p.error}, ${ms(p)})`)),
  static_file: (p, t) => t(`${p.url}${p.path}：HTTP ${p.status}（nginx 直接提供的静态文件，不经过 docservice）`, `${p.url}${p.path}: HTTP ${p.status} (a static file nginx serves itself, not docservice)`),
  healthcheck_true: (p, t) => t(`/healthcheck 返回 true（${ms(p)}）`, `/healthcheck answered true (${ms(p)})`),
  healthcheck_false: (p, t) => t(`/healthcheck 返回 false（${ms(p)}）`, `/healthcheck answered false (${ms(p)})`),
  healthcheck_hang: (p, t) => t(`/healthcheck 在 ${p.timeout} 内没有应答`, `/healthcheck gave no answer within ${p.timeout}`),
  healthcheck_no_answer: (p, t) => t(`/healthcheck 没有应答（${ms(p)}）`, `/healthcheck did not answer (${ms(p)})`),
  because_hop: (p, t) => t(`未检查：${HOP_NAMES[p.hop as HopId]!(p, t)} 不可用`, `not checked: ${HOP_NAMES[p.hop as HopId]!(p, t)} is down`),
  command_ok: (p, t) => t(`version 命令：error 0${p.version ? `，DS ${p.version}` : ''}${p.signed ? '（JWT 签名）' : ''}`, `version command: error 0${p.version ? `, DS ${p.version}` : ''}${p.signed ? ' (JWT-signed)' : ''}`),
  command_error: (p, t) => t(`version 命令：error ${p.code}（${p.reason}）`, `version command: error ${p.code} (${p.reason})`),
  dependency_up: (p, t) => t(`${p.address}：协议层应答正常（${ms(p)}）`, `${p.address}: answers at the protocol level (${ms(p)})`),
  dependency_down: (p, t) => t(`${p.address}：没有应答（${ms(p)}${because(p)}）`, `${p.address}: no answer (${ms(p)}${because(p)})`),
  queue: (p, t) => t(`${p.queue}：${p.ready} 个待处理，${p.consumers} 个消费者`, `${p.queue}: ${p.ready} ready, ${counted(p.consumers, 'consumer')}`),
  probe_ok: (p, t) => t(`测试转换成功（${ms(p)}）`, `test conversion succeeded (${ms(p)})`),
  probe_failed: (p, t) => (p.outcome === undefined || p.outcome === 'error_code'
    ? t(`测试转换失败，错误 ${p.code}`, `test conversion failed with error ${p.code}`)
    : t(`测试转换失败：${p.outcome}`, `test conversion failed: ${p.outcome}`)),
  cert_ok: (p, t) => t(`${p.target}：有效期至 ${p.date}（还有 ${p.days} 天）`, `${p.target}: valid until ${p.date} (${counted(p.days, 'day')} left)`),
  cert_problem: (p, t) => t(
    `${p.target}：${CERT_PROBLEMS[p.problem as keyof typeof CERT_PROBLEMS]!(p, t)}${p.error !== undefined ? `（${p.error}）` : ''}`,
    `${p.target}: ${CERT_PROBLEMS[p.problem as keyof typeof CERT_PROBLEMS]!(p, t)}${p.error !== undefined ? ` (${p.error})` : ''}`),
  fs: (p, t) => t(`${p.path}（${p.mountpoint}）：剩余 ${p.percent}% 空间，${p.ipercent}% inode`, `${p.path} (${p.mountpoint}): ${p.percent}% space and ${p.ipercent}% inodes free`),
  backup: (p, t) => t(`${p.name}：最新文件写于 ${p.age_zh}前，${p.size}，共匹配 ${p.files} 个文件`, `${p.name}: newest file written ${p.age_en} ago, ${p.size}, ${counted(p.files, 'file')} matched`),
  backup_none: (p, t) => t(`${p.name}：没有匹配 ${p.path} 的文件`, `${p.name}: no file matches ${p.path}`),
  fs_problem: (p, t) => t(`${p.path}：${p.problem === 'readonly' ? '只读' : '无法读取（不存在或挂起）'}`, `${p.path}: ${p.problem === 'readonly' ? 'read-only' : 'cannot be read (missing or hanging)'}`),
  container: (p, t) => t(`${p.name}：${p.state}${p.health && p.health !== 'none' ? `，健康状态 ${p.health}` : ''}${Number(p.restarts) > 0 ? `，已重启 ${p.restarts} 次` : ''}`, `${p.name}: ${p.state}${p.health && p.health !== 'none' ? `, health ${p.health}` : ''}${Number(p.restarts) > 0 ? `, ${counted(p.restarts, 'restart')}` : ''}`),
  no_containers: (_p, t) => t('没有匹配 docker.containers 的容器', 'no container matches docker.containers'),
  program: (p, t) => t(`${p.container ? `${p.container}: ` : ''}${p.program} ${p.state}`, `${p.container ? `${p.container}: ` : ''}${p.program} ${p.state}`),
  supervisor_unreachable: (p, t) => t(`${p.container || t('主机', 'host')}：supervisorctl 没有应答`, `${p.container || 'host'}: supervisorctl did not answer`),
  collector_failed: (p, t) => (p.error === undefined
    ? t(`检查 ${p.collector} 失败或超时`, `the ${p.collector} check failed or timed out`)
    : t(`检查 ${p.collector} 失败：${p.error}`, `the ${p.collector} check failed: ${p.error}`)),
  source_failed: (p, t) => t(
    `RabbitMQ ${p.source}：读不到${p.error !== undefined ? `（${p.error}）` : ''}`,
    `RabbitMQ ${p.source}: could not be read${p.error !== undefined ? ` (${p.error})` : ''}`),
  no_data_yet: (_p, t) => t('还没有结果', 'no result yet'),
  ws_token_accepted: (p, t) => t(`${p.url}：编辑器令牌（浏览器密钥签名）被接受`, `${p.url}: the editors' token (signed with the browser secret) is accepted`),
  ws_token_refused: (p, t) => t(`${p.url}：编辑器令牌被拒绝：${p.code} ${p.reason}`, `${p.url}: the editors' token is refused: ${p.code} ${p.reason}`),
} satisfies Record<string, Render>;

export type FindingCode = keyof typeof FINDINGS;

const CERT_PROBLEMS = {
  expired: (p: Params, t: Pick) => t(`已于 ${p.date} 过期`, `expired on ${p.date}`),
  untrusted: (_p: Params, t: Pick) => t('证书链不受信任', 'chain not trusted'),
  chain_incomplete: (_p: Params, t: Pick) => t('没有发送中间证书', 'intermediates not sent'),
  hostname: (_p: Params, t: Pick) => t('与主机名不符', 'does not match the host name'),
  unreadable: (_p: Params, t: Pick) => t('不可读', 'not readable'),
  key_mismatch: (_p: Params, t: Pick) => t('私钥与证书不匹配', 'key does not match'),
  unreachable: (_p: Params, t: Pick) => t('TLS 握手失败', 'TLS handshake failed'),
};
