/**
 * The zh-CN variant of each dashboard: the same panels and queries, with every text a reader sees in Chinese (titles,
 * the panels' "i" tooltips, variable labels, legends, value mappings). A text without a translation fails the build.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

export type Language = 'en' | 'zh-CN';
export const LANGUAGES: readonly Language[] = ['en', 'zh-CN'];

const ZH: Record<string, string> = {
  // Dashboards
  'ONLYOFFICE Docs / Overview': 'ONLYOFFICE Docs / 总览',
  'ONLYOFFICE Docs / Conversions': 'ONLYOFFICE Docs / 文档转换',
  'ONLYOFFICE Docs / Containers': 'ONLYOFFICE Docs / 容器',
  'Is ONLYOFFICE Docs working, which hop is broken, version, license and connections against their limits.':
    'ONLYOFFICE Docs 是否正常、链路哪一段出了问题、版本、许可证，以及连接数与许可上限的对比。',
  'The conversion queue in RabbitMQ, conversion step timings from the StatsD DocumentServer sends, docservice operations and the StatsD receiver.':
    'RabbitMQ 中的转换队列、DocumentServer 经 StatsD 上报的各转换步骤耗时、docservice 操作，以及 StatsD 接收端。',
  'State, health, restarts, OOM kills and resources of the ONLYOFFICE containers, and the DS programs under supervisor.':
    'ONLYOFFICE 各容器的状态、健康检查、重启、OOM 终止和资源占用，以及 supervisor 管理的 DS 进程。',
  // Overview
  Fleet: '全部实例',
  'Fleet: one line per DocumentServer': '全部实例：每个 DocumentServer 一行',
  scraped: '已采集',
  healthcheck: '健康检查',
  'direct hops': '直连各段',
  'proxy hops': '经代理各段',
  'JWT / commands': 'JWT / 命令',
  'license use': '许可证用量',
  'certificate days left': '证书剩余天数',
  'Is Docs working?': 'Docs 是否正常？',
  Healthcheck: '健康检查',
  'Exporter scrape': 'Exporter 采集',
  'Healthcheck duration': '健康检查耗时',
  'Active alerts': '当前告警',
  'Which hop is broken': '链路逐段检查：哪一段出了问题',
  up: '状态',
  'Endpoints, direct and through the proxy': '各端点：直连与经反向代理',
  'HTTP status': 'HTTP 状态码',
  'Endpoints over time': '端点状态变化',
  'HTTP status by hop': '各段 HTTP 状态码',
  'Endpoint duration': '端点响应耗时',
  "Editors' token (WebSocket)": '编辑器令牌（WebSocket）',
  'Version and license': '版本与许可证',
  'DocumentServer version': 'DocumentServer 版本',
  License: '许可证',
  'License days left': '许可证剩余天数',
  'Connections of the licensed limit': '连接数占许可上限',
  'Users of the licensed limit': '用户数占许可上限',
  'Connections and limit': '连接数与上限',
  'Users this period and limit': '本期用户数与上限',
  'Connections per day (DS statistics)': '每日连接数（DS 统计）',
  Certificates: '证书',
  'Certificate days left': '证书剩余天数',
  'HTTPS endpoints': 'HTTPS 端点',
  handshake: '握手',
  verified: '已验证',
  'chain complete': '证书链完整',
  'host name': '主机名匹配',
  'Certificate files': '证书文件',
  readable: '可读',
  'key matches': '私钥匹配',
  'Disk and dependencies': '磁盘与依赖服务',
  'Space used': '已用空间',
  'Inodes used': '已用 inode',
  'Available space': '可用空间',
  'DS paths': 'DS 目录',
  'read-only': '只读',
  error: '错误',
  Dependencies: '依赖服务',
  'Commands and storage': '命令与存储',
  'CommandService answers': 'CommandService 响应',
  'Forgotten files': '未能保存的文件',
  Backups: '备份',
  age: '距今',
  'max age': '时长上限',
  size: '大小',
  'min size': '大小下限',
  files: '文件数',
  Exporter: 'Exporter',
  Collectors: '采集器',
  'Collector duration': '采集器耗时',
  'Exporter version': 'Exporter 版本',
  'Config file': '配置文件',
  Probes: '探测',
  // Conversions
  'Conversion queue (RabbitMQ)': '转换队列（RabbitMQ）',
  Converters: '转换进程',
  Backlog: '积压',
  'Consumers per queue': '各队列消费者',
  'Message rates': '消息速率',
  'Queues and sources': '队列与数据来源',
  exists: '存在',
  'source up': '来源可用',
  'Conversion probe': '转换拨测',
  'Last probe': '最近一次拨测',
  'Outcome and DS error code': '结果与 DS 错误码',
  'Probe duration': '拨测耗时',
  'Since the last run': '距上次运行',
  'Conversion steps (StatsD conv.*)': '转换步骤（StatsD conv.*）',
  'Step duration: $step': '步骤耗时：$step',
  'Step duration quantiles': '步骤耗时分位数',
  'Steps per second': '每秒步骤数',
  'Average step duration': '步骤平均耗时',
  'Docservice operations (StatsD coauth.*)': 'docservice 操作（StatsD coauth.*）',
  'Operation duration p90': '操作耗时 p90',
  'Operations per second': '每秒操作数',
  'Editing session length p90': '编辑会话时长 p90',
  'Connections reported over StatsD': 'StatsD 上报的连接数',
  'StatsD receiver': 'StatsD 接收端',
  'Last StatsD sample': '最近一个 StatsD 样本',
  'Series in memory': '内存中的序列',
  'Received, invalid and dropped': '接收、无效与丢弃',
  // Containers
  Containers: '容器',
  State: '状态',
  Health: '健康检查',
  Restarts: '重启次数',
  'Last exit': '上次退出',
  'exit code': '退出码',
  'OOM killed': 'OOM 终止',
  Uptime: '运行时长',
  'Resources (docker.stats: true)': '资源（docker.stats: true）',
  CPU: 'CPU',
  Memory: '内存',
  'Stats age': '统计数据延迟',
  'Supervisor programs': 'supervisor 管理的进程',
  Programs: '进程',
  'supervisorctl reachable': 'supervisorctl 可连接',
  'Program uptime': '进程运行时长',
  'Docker engine': 'Docker 引擎',
  'Engine API requests': 'Docker 引擎 API 请求',
  'Since the last resync': '距上次全量同步',

  // Links and variables
  'ONLYOFFICE Docs': 'ONLYOFFICE Docs',
  'Data source': '数据源',
  Job: '采集任务',
  Instance: '实例',
  Container: '容器',
  'Conversion step': '转换步骤',

  // Value mappings (the colours stay as built)
  UP: '正常',
  DOWN: '故障',
  yes: '是',
  YES: '是',
  no: '否',
  NO: '否',
  OK: '成功',
  FAILED: '失败',
  loaded: '已加载',
  REFUSED: '被拒绝',
  // The hops of "Which hop is broken" (its hop column)
  hop: '链路段',
  'reverse proxy': '反向代理',
  docservice: 'docservice',
  WebSocket: 'WebSocket',
  '/healthcheck': '/healthcheck',
  CommandService: 'CommandService',
  RabbitMQ: 'RabbitMQ',
  PostgreSQL: 'PostgreSQL',
  converter: '转换进程',
  // Docker's container states and health
  running: '运行中',
  created: '已创建',
  restarting: '重启中',
  paused: '已暂停',
  removing: '删除中',
  exited: '已退出',
  dead: '已失效',
  healthy: '健康',
  starting: '启动中',
  unhealthy: '不健康',
  none: '无',
  // supervisor's program states (supervisord.org/subprocess.html#process-states)
  RUNNING: '运行中',
  STARTING: '启动中',
  BACKOFF: '启动失败，等待重试',
  STOPPING: '停止中',
  STOPPED: '已停止',
  EXITED: '已退出',
  FATAL: '无法启动',
  UNKNOWN: '未知',

  // Legends with words (legends of labels only stay as they are)
  alerts: '告警',
  '{{instance}} healthcheck (collector)': '{{instance}} 健康检查（采集器）',
  '{{instance}} {{mode}} limit': '{{instance}} {{mode}} 上限',
  '{{instance}} whole scrape (Prometheus)': '{{instance}} 整次采集（Prometheus）',
  '{{instance}} {{name}} limit': '{{instance}} {{name}} 上限',
  '{{instance}} {{vhost}} {{queue}} ready': '{{instance}} {{vhost}} {{queue}} 等待中',
  '{{instance}} {{vhost}} {{queue}} unacked': '{{instance}} {{vhost}} {{queue}} 处理中',
  '{{instance}} error code': '{{instance}} 错误码',
  '{{instance}} {{step}} p{{quantile}}': '{{instance}} {{step}} {{quantile}} 分位',
  '{{instance}} packets': '{{instance}} 数据报',
  '{{instance}} lines': '{{instance}} 行',
  '{{instance}} invalid lines': '{{instance}} 无效行',
  '{{instance}} dropped samples': '{{instance}} 丢弃的样本',
  'steps per second': '每秒步骤数',

  // Descriptions (the panels' "i" tooltips; Grafana renders them as Markdown, so `code` stays code)
  "Each DocumentServer (instance): scraped, /healthcheck, every hop checked directly and through its public_url (1 = all answered as DS), CommandService answering error 0 (JWT right), the highest license use, days left on the earliest leaf certificate, and its version. Empty: not configured for that DS (no public_url, no https). Fleets: probe.targets, discovered from the exporter's /sd.":
    '每个 DocumentServer（`instance`）一行：是否采集成功、`/healthcheck`、直连与经 `public_url` 检查的每一段（1 表示全部按 DS 正常响应）、CommandService 是否返回 `error 0`（JWT 配置正确）、许可证最高用量、最早到期的叶证书剩余天数，以及版本。空白表示该 DS 未配置此项（没有 `public_url`，或未启用 HTTPS）。实例列表来自 `probe.targets`，由 Exporter 的 `/sd` 发现。',
  '/healthcheck answered true in time (DS answers 200 with false when RabbitMQ or PostgreSQL is down).':
    '`/healthcheck` 在超时前返回 true（RabbitMQ 或 PostgreSQL 不可用时，DS 仍返回 200，但内容为 false）。',
  'Prometheus reached the exporter (up). 0: no metric of this instance is current.':
    'Prometheus 能否采集到 Exporter（`up`）。0 表示该实例的指标都不是最新的。',
  'How long /healthcheck took; it hangs while RabbitMQ or PostgreSQL is frozen.':
    '`/healthcheck` 的耗时；RabbitMQ 或 PostgreSQL 卡死时它会一直挂起。',
  'OnlyofficeDocs* alerts pending or firing for these instances.':
    '这些实例上待触发或正在触发的 `OnlyofficeDocs*` 告警。',
  "One row per hop, in the order a request travels: the reverse proxy (public_url), docservice answering directly, the editors' WebSocket, /healthcheck true, CommandService answering error 0, RabbitMQ, PostgreSQL, the converter (a consumer on the task queue, and the test conversion when it runs). The first DOWN row is where to look. A hop that is not configured has no row.":
    '链路逐段检查，每段一行，按请求经过的顺序排列：反向代理（`public_url`）、docservice 直连响应、编辑器的 WebSocket、`/healthcheck` 返回 true、CommandService 返回 `error 0`、RabbitMQ、PostgreSQL、转换进程（任务队列上有消费者；启用转换拨测时还看拨测结果）。第一个“故障”的段就是要排查的地方。未配置的段不显示。',
  "Each endpoint checked directly (documentserver.url) and through the reverse proxy (public_url). api_js is served by nginx from disk, so it answers while docservice is down. websocket is the editors' co-editing channel: up directly and down (400) through the proxy means the proxy does not forward WebSocket upgrades. status 0: no HTTP answer.":
    '每个端点分别直连（`documentserver.url`）和经反向代理（`public_url`）检查。`api_js` 由 nginx 直接从磁盘提供，所以 docservice 停止时它仍有响应。`websocket` 是编辑器的协同编辑通道：直连正常而经代理失败（400），说明反向代理没有转发 WebSocket 升级请求。状态码 0 表示没有 HTTP 响应。',
  'onlyoffice_endpoint_up per endpoint and hop.': '各端点、各段的 `onlyoffice_endpoint_up`。',
  '502 through the proxy with direct down: docservice is down. Direct up and public down: the proxy is broken.':
    '经代理返回 502 且直连失败：docservice 已停止。直连正常而经公开地址失败：反向代理有问题。',
  'How long each endpoint took to answer or to fail.': '各端点从发出请求到响应或失败的耗时。',
  'Whether DocumentServer accepts an editor\'s token signed with documentserver.jwt.browser_secret on the co-editing WebSocket (7.3+, with documentserver.jwt). DOWN: editors say "document security token is not correctly formed".':
    'DocumentServer 是否在协同编辑 WebSocket 上接受用 `documentserver.jwt.browser_secret` 签名的编辑器令牌（7.3 及以后版本，且配置了 `documentserver.jwt`）。故障时编辑器提示“document security token is not correctly formed”。',
  'From CommandService version, else /info/info.json, else /index.html.':
    '优先取自 CommandService 的 `version` 命令，其次是 `/info/info.json`，最后是 `/index.html`。',
  "DocumentServer's license check result (status), flags (mode), package and where it was read.":
    'DocumentServer 的许可证检查结果（`status`）、标志（`mode`）、套餐，以及从哪里读取。',
  'Days until the license ends; absent for a license without end date (the open-source build).':
    '距许可证到期的天数；没有到期日的许可证（开源版）不显示。',
  'Current connections over the connection limit, per mode (connection-based licenses; the open-source build allows 20).':
    '当前连接数占连接上限的比例，按 `mode` 区分（按连接数授权的许可证；开源版上限为 20）。',
  'Unique users this period over the user limit, per mode (user-based licenses).':
    '本期独立用户数占用户上限的比例，按 `mode` 区分（按用户数授权的许可证）。',
  'Current connections by mode (view: live viewers, 7.2+) and the licensed connection limit.':
    '按 `mode` 区分的当前连接数（`view` 为实时查看者，7.2 及以后版本），以及许可的连接上限。',
  'Users counted against a user-based license and the licensed user count.':
    '按用户数授权的许可证所计的用户数，以及许可的用户数。',
  "DocumentServer's own connectionsStat for the last day: max and average, sampled by DS every 2 minutes.":
    'DocumentServer 自身 `connectionsStat` 统计的最近一天数据：最大值和平均值，由 DS 每 2 分钟采样一次。',
  "Days until the earliest certificate of each HTTPS endpoint's chain, and each certificate file, expires.":
    '每个 HTTPS 端点证书链中最早到期的证书，以及每个证书文件，距到期的天数。',
  'Handshake, verification to a trusted root, complete chain (every intermediate sent) and host name, per endpoint.':
    '每个端点的 TLS 握手、能否验证到受信任的根证书、证书链是否完整（是否发送了全部中间证书），以及主机名是否匹配。',
  "The files DS's nginx loads: readable PEM, the .key beside it matches, the file carries its intermediates.":
    'DS 的 nginx 加载的证书文件：PEM 可读、旁边的 `.key` 与之匹配、文件中包含中间证书。',
  'Used share of each file system holding a DS path (available to non-root users, as df shows).':
    '存放 DS 目录的各文件系统的已用比例（按非 `root` 用户的可用空间计算，与 `df` 一致）。',
  'Used share of the inodes of each file system holding a DS path.': '存放 DS 目录的各文件系统的 inode 已用比例。',
  'Bytes available per file system; the disk alerts extrapolate this over 6 hours.':
    '各文件系统的可用字节数；磁盘告警据此外推 6 小时后的用量。',
  'Each configured path, its mount, and whether it is read-only or could not be examined.':
    '每个配置的目录、所在挂载点，以及是否只读或无法检查。',
  'PostgreSQL, RabbitMQ and Redis answering their protocol (a frozen server still accepts TCP).':
    'PostgreSQL、RabbitMQ 和 Redis 是否按各自的协议正常响应（卡死的服务仍会接受 TCP 连接）。',
  'The code each read-only command returned: 0 none is success, 6 token (JWT mismatch), 7 token_expired, 3 unknown (internal). A command this DS version lacks (getForgottenList on 7.1) is in onlyoffice_command_supported, not here.':
    '各只读命令返回的错误码：0（`none`）表示成功，6（`token`）为 JWT 不匹配，7（`token_expired`）为令牌过期，3（`unknown`）为内部错误。当前 DS 版本不支持的命令（如 7.1 的 `getForgottenList`）见 `onlyoffice_command_supported`，不在此处显示。',
  'Files DS keeps because saving them to the storage failed (7.5 and later).':
    '因保存到存储失败而由 DS 暂存的文件（7.5 及以后版本）。',
  'The newest file of each backup job in backups: its age and size against max_age and min_size (0: not checked), and how many files match.':
    '`backups` 中每个备份任务的最新文件：距今时长和大小，分别与 `max_age`、`min_size` 对比（0 表示不检查），以及匹配的文件数。',
  '1 when the collector finished in the scrape, 0 when it failed or ran past the deadline.':
    '采集器在本次采集中完成为 1，失败或超过时限为 0。',
  'How long each collector took in the scrape.': '每个采集器在本次采集中的耗时。',
  'onlyoffice-exporter and Node.js versions.': 'onlyoffice-exporter 与 Node.js 的版本。',
  "Whether the exporter's last load of its config file succeeded; when refused it runs the previous one.":
    'Exporter 最近一次加载配置文件是否成功；被拒绝时继续使用上一份配置。',
  'probe_success of each /probe target (fleet mode): /healthcheck true, as blackbox_exporter says it.':
    '每个 `/probe` 目标的 `probe_success`（多实例模式）：`/healthcheck` 返回 true，含义与 blackbox_exporter 相同。',
  // Conversions
  'Consumers on the task queue (ds.converttask, 8.3+: ds.converttask6): running FileConverter workers. 0: nothing converts.':
    '任务队列（`ds.converttask`，8.3 及以后版本为 `ds.converttask6`）上的消费者，即正在运行的 FileConverter 工作进程。0 表示没有进程在转换。',
  'Tasks waiting for a converter (ready) and being converted (unacked). Tasks expire after 900 s into ds.convertdead.':
    '等待转换进程处理的任务（`ready`）和正在转换的任务（`unacked`）。任务 900 秒后过期，进入死信队列 `ds.convertdead`。',
  'ds.convertresponse and ds.convertdead: one per docservice; ds.delayed: none by design.':
    '`ds.convertresponse` 和 `ds.convertdead`：每个 docservice 一个消费者；`ds.delayed`：按设计没有消费者。',
  "RabbitMQ's sampled rates (management API only); publish on ds.convertdead is tasks being dead-lettered.":
    'RabbitMQ 采样的消息速率（仅管理 API 提供）；`ds.convertdead` 上的 `publish` 表示有任务进入死信队列。',
  'Which queues exist on the vhost (a missing one is not empty: DS never declared it there) and which source answered.':
    '`vhost` 上存在哪些队列（缺失不等于为空：DS 从未在该 `vhost` 上声明它），以及哪个数据来源有响应。',
  'The synthetic conversion (conversion_probe): ConvertService, RabbitMQ, FileConverter and x2t, storage and /cache/files all worked in the last run.':
    '转换拨测（`conversion_probe`）：最近一次运行中 ConvertService、RabbitMQ、FileConverter 与 x2t、存储和 `/cache/files` 是否全部正常。',
  "How the last run ended (ok, error_code, timeout, request_failed, result_fetch_failed, result_url_refused, source_failed) and DS's error code (-4 source download, -8 token, ...).":
    '最近一次运行的结果（`ok`、`error_code`、`timeout`、`request_failed`、`result_fetch_failed`、`result_url_refused`、`source_failed`），以及 DS 返回的错误码（-4 为源文件下载失败，-8 为令牌错误，等等）。',
  'From the first request to the fetched result (or the failure).': '从第一个请求到取回结果（或失败）的耗时。',
  'Time since the last run finished (it runs every conversion_probe.interval, 5m by default).':
    '距上次运行结束的时长（每隔 `conversion_probe.interval` 运行一次，默认 5 分钟）。',
  "FileConverter timings of the chosen step (allconvert: the whole task; spawnSync: x2t): rows are duration buckets in seconds, a cell's colour how many steps per second took that long. Needs DS statsd on and statsd.listen set.":
    '所选步骤的 FileConverter 耗时（`allconvert` 为整个任务，`spawnSync` 为 x2t）：每行是一个以秒计的耗时区间，格子的颜色表示每秒有多少个步骤落在该区间。需要在 DS 中开启 StatsD，并设置 `statsd.listen`。',
  'p50, p90 and p99 over 5 minutes per step (recording rules).': '每个步骤 5 分钟内的 p50、p90 和 p99（记录规则）。',
  'Conversion tasks per second by step over 5 minutes (recording rule).':
    '按步骤统计的每秒转换任务数，5 分钟平均（记录规则）。',
  'Mean time per step.': '每个步骤的平均耗时。',
  'p90 over 5 minutes of docservice operations: convertservice (the conversion API), openDocument.*, downloadAs.*, saveFile, websocket messages (recording rules).':
    'docservice 各操作 5 分钟内的 p90：`convertservice`（转换 API）、`openDocument.*`、`downloadAs.*`、`saveFile`、WebSocket 消息（记录规则）。',
  'Docservice operations per second over 5 minutes (recording rule).':
    'docservice 每秒操作数，5 分钟平均（记录规则）。',
  'Session length at close (coauth.session.edit / view, DS 8.2 and later).':
    '会话关闭时的时长（`coauth.session.edit` / `view`，DS 8.2 及以后版本）。',
  'expireDoc.connections.* gauges: what DS holds, sent on connect/disconnect and every 2 minutes.':
    '`expireDoc.connections.*` 指标：DS 当前持有的连接数，在连接、断开时以及每 2 分钟上报一次。',
  'Seconds since the last valid line arrived. DS sends its connection gauges every 2 minutes, so a large value means DS stopped sending.':
    '距收到最后一行有效数据的秒数。DS 每 2 分钟上报一次连接数，数值很大说明 DS 已停止上报。',
  'Distinct StatsD series held (statsd.max_series caps it).':
    '内存中保存的不同 StatsD 序列数（上限为 `statsd.max_series`）。',
  'Datagrams and lines per second; invalid lines are ignored, dropped samples hit statsd.max_series.':
    '每秒收到的数据报和行数；无效行会被忽略，超出 `statsd.max_series` 的样本会被丢弃。',
  // Containers
  "Docker's state of each container: running, created, restarting, paused, removing, exited, dead.":
    'Docker 报告的各容器状态：运行中、已创建、重启中、已暂停、删除中、已退出、已失效。',
  'Docker healthcheck status (none: the container has no healthcheck; the DS image defines none).':
    'Docker 健康检查状态（“无”表示容器没有定义健康检查；DS 官方镜像没有定义）。',
  "Restarts by the restart policy in the window before each point (the increase of Docker's RestartCount, not its running total; a container re-created counts from 0 again).":
    '每个时间点之前的窗口内，按重启策略发生的重启次数（Docker `RestartCount` 的增量，而非累计值；容器重建后从 0 重新计数）。',
  'Exit code of the last run (137: SIGKILL, OOM kills included) and whether the kernel killed it for memory.':
    '上次运行的退出码（137 表示被 `SIGKILL` 终止，包括 OOM 终止），以及是否因内存不足被内核终止。',
  'Time since each running container started.': '每个运行中的容器自启动以来的时长。',
  'Short id and image of each matched container.': '每个匹配到的容器的短 ID 和镜像。',
  'CPU cores used by each container.': '每个容器占用的 CPU 核数。',
  'Working set (as docker stats shows it) against the limit.': '工作集内存（与 `docker stats` 显示的一致）及其上限。',
  'How old the CPU and memory figures are (gathered in the background every docker.stats_interval).':
    'CPU 和内存数据距上次采集的时长（后台每隔 `docker.stats_interval` 采集一次）。',
  'supervisorctl status of the DS programs (ds:docservice, ds:converter, ds:metrics, ...) in each DocumentServer container.':
    '各 DocumentServer 容器中 DS 进程（`ds:docservice`、`ds:converter`、`ds:metrics` 等）的 `supervisorctl status` 状态。',
  'Whether supervisorctl status reached supervisord in the container.':
    '`supervisorctl status` 能否连接到容器内的 `supervisord`。',
  'Uptime of each RUNNING program as supervisor printed it.': '各运行中进程的运行时长，取自 supervisor 的输出。',
  'Requests to the Docker Engine API per second by operation; flat between scrapes unless containers change.':
    '每秒对 Docker 引擎 API 的请求数，按操作区分；容器没有变化时，两次采集之间保持平稳。',
  'Time since the view was last rebuilt from a full list and inspect (docker.resync_interval).':
    '距上次通过完整的 `list` 和 `inspect` 重建容器视图的时长（`docker.resync_interval`）。',
};

/** Translates through ZH, collecting what has no translation so that one build lists every gap. */
class Translator {
  readonly missing = new Set<string>();
  text(text: string): string {
    const translated = ZH[text];
    if (translated === undefined) this.missing.add(text);
    return translated ?? text;
  }
  /** A legend: translated only when it has words besides its `{{label}}` templates. */
  legend(format: string): string {
    return /[A-Za-z]/.test(format.replace(/\{\{[^}]*\}\}/g, '')) ? this.text(format) : format;
  }
  mappings(mappings: unknown): void {
    if (!Array.isArray(mappings)) return;
    for (const mapping of mappings as { options?: Record<string, { text?: string }> }[])
      for (const result of Object.values(mapping.options ?? {}))
        if (typeof result.text === 'string') result.text = this.text(result.text);
  }
}

type Panel = NonNullable<dashboard.Dashboard['panels']>[number];
interface FieldConfigLike {
  defaults?: { mappings?: unknown };
  overrides?: { properties: { id: string; value?: unknown }[] }[];
}

/**
 * The dashboard in `language`: English as built; zh-CN with every text a reader sees translated (titles, descriptions,
 * variable labels, legends, value mappings, column names, the heatmap's cell name), its own uid (`<uid>-zh-cn`) and a
 * language tag, so both variants load side by side and the dashboards dropdown stays within one language.
 * Throws with the full list when a text has no translation.
 */
export function localize(built: dashboard.Dashboard, language: Language): dashboard.Dashboard {
  const copy = JSON.parse(JSON.stringify(built)) as dashboard.Dashboard;
  copy.tags = [...(copy.tags ?? []), language];
  for (const link of copy.links ?? []) link.tags = [...(link.tags ?? []), language];
  if (language === 'en') return copy;
  const t = new Translator();
  copy.uid = `${copy.uid}-zh-cn`;
  if (copy.title !== undefined) copy.title = t.text(copy.title);
  if (copy.description !== undefined) copy.description = t.text(copy.description);
  for (const link of copy.links ?? []) {
    link.title = t.text(link.title);
    if (link.tooltip) link.tooltip = t.text(link.tooltip);
  }
  for (const variable of copy.templating?.list ?? []) {
    if (variable.label !== undefined) variable.label = t.text(variable.label);
    if (variable.description) variable.description = t.text(variable.description);
  }
  for (const panel of (copy.panels ?? []) as Panel[]) {
    for (const inner of [
      panel,
      ...('panels' in panel && Array.isArray(panel.panels) ? (panel.panels as Panel[]) : []),
    ]) {
      if ('title' in inner && typeof inner.title === 'string') inner.title = t.text(inner.title);
      if ('description' in inner && typeof inner.description === 'string' && inner.description !== '')
        inner.description = t.text(inner.description);
      for (const target of ('targets' in inner ? (inner.targets ?? []) : []) as { legendFormat?: string }[])
        if (typeof target.legendFormat === 'string') target.legendFormat = t.legend(target.legendFormat);
      const fieldConfig = ('fieldConfig' in inner ? inner.fieldConfig : undefined) as FieldConfigLike | undefined;
      t.mappings(fieldConfig?.defaults?.mappings);
      for (const override of fieldConfig?.overrides ?? [])
        for (const property of override.properties) {
          if (property.id === 'displayName') property.value = t.text(String(property.value));
          if (property.id === 'mappings') t.mappings(property.value);
        }
      const rowsFrame = (
        'options' in inner ? (inner.options as { rowsFrame?: { value?: string } } | undefined) : undefined
      )?.rowsFrame;
      if (typeof rowsFrame?.value === 'string') rowsFrame.value = t.text(rowsFrame.value);
    }
  }
  if (t.missing.size > 0)
    throw new Error(
      `grafana/src/i18n.ts: no zh-CN text for:\n${[...t.missing].map((text) => `  ${JSON.stringify(text)}`).join('\n')}`,
    );
  return copy;
}
