import { counted, type Params, type Pick } from './i18n.js';
import { errorText, outcomeText } from './messages.js';

/**
 * The causes the doctor can name, most fundamental first: when several hops fail, the conclusion lists
 * their causes in this order. Texts and fixes follow the behaviour measured on DS 7.1.1.76 with each dependency stopped
 * or frozen (the fault captures in test/fixtures/docservice/real-docservice/), the health check of ONLYOFFICE/server
 * (DocService/sources/DocsCoServer.js, v7.1.1.76 to v9.3.1.11: false when RabbitMQ or PostgreSQL fails), and the image
 * layout of ONLYOFFICE/Docker-DocumentServer (Dockerfile, run-document-server.sh, config/supervisor/ds/*.conf, master):
 * supervisor programs ds:docservice, ds:converter, ds:metrics, logs under /var/log/onlyoffice/documentserver/,
 * certificates in /var/www/onlyoffice/Data/certs/.
 * `{ds}` in a fix is the DocumentServer container seen by the Docker collector (onlyoffice-documentserver otherwise).
 */
export interface CauseDefinition {
  title(p: Params, t: Pick): string;
  why(p: Params, t: Pick): string;
  /** Commands, in the order to try them; lines starting with `#` say where a command applies. */
  fix(p: Params, t: Pick): string[];
}

const DOCKER = (t: Pick) =>
  t('# Docker（一体化镜像 onlyoffice/documentserver）', '# Docker (all-in-one onlyoffice/documentserver image)');
const HOST = (t: Pick) =>
  t('# 主机安装（deb/rpm 软件包，7.3 起为 systemd 服务）', '# host install (deb/rpm packages; systemd units from 7.3)');
/**
 * DS's own programs: the Docker block when the DS container is known (it was found as a container), the host's
 * packages' block otherwise (issue 17), each under its heading.
 */
const dockerOrHost = (p: Params, t: Pick, docker: (name: string) => string[], host: string[]) =>
  p.ds === undefined ? [HOST(t), ...host] : [DOCKER(t), ...docker(String(p.ds))];
/** An alternative command after the first (`docker … # or: systemctl …`): the comment in the reader's language. */
const or = (t: Pick, command: string) => `   # ${t('或：', 'or: ')}${command}`;
const ds = (p: Params) => String(p.ds ?? 'onlyoffice-documentserver');
/** A WebSocket upgrade as an editor asks it (socket.io URL); the first line of the answer is the status. */
const wsCurl = (p: Params) =>
  "curl -sS -i -N --max-time 5 -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' " +
  `-H 'Sec-WebSocket-Key: b25seW9mZmljZS1leHBvcnQ=' '${p.url}/doc/onlyoffice-exporter-probe/c/?EIO=4&transport=websocket'`;

/**
 * Where DS's RabbitMQ, PostgreSQL and Redis run, so their commands paste as they are: in a container of their own that
 * the Docker view found (ONLYOFFICE's compose file: `rabbitmq_container` ...), inside the DS container it found (the
 * all-in-one image runs them under supervisor's neighbours, `service ... start`) when their check reached them there,
 * or else on the host (packages), named when it is not this one.
 */
type Service = 'rabbitmq' | 'postgresql' | 'redis';
const UNIT: Record<Service, string> = { rabbitmq: 'rabbitmq-server', postgresql: 'postgresql', redis: 'redis-server' };
const own = (p: Params, service: Service) =>
  p[`${service}_container`] === undefined ? undefined : String(p[`${service}_container`]);
/** The address the check of `service` used: the failing check's own (`address`), else the first configured. */
const addressOf = (p: Params, service: Service, own: boolean) => {
  const a = own ? (p.address ?? p[`${service}_address`]) : p[`${service}_address`];
  return a === undefined ? undefined : String(a);
};
const hostOf = (address: string) => address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i;
/**
 * The DS container when the service runs inside it (the all-in-one image): only when the check reached it on loopback
 * or by the DS container's name. A service checked elsewhere, or not checked at all, is not guessed to be inside DS.
 * `ownAddress`: the cause is about this service, so a failing check's `address` is its address.
 */
const insideDs = (p: Params, service: Service, ownAddress: boolean) => {
  if (p.ds === undefined || own(p, service) !== undefined) return undefined;
  const address = addressOf(p, service, ownAddress);
  if (address === undefined) return undefined;
  const host = hostOf(address);
  return LOOPBACK.test(host) || host === String(p.ds) ? String(p.ds) : undefined;
};
/** A host command for a service checked at an address other than loopback: says on which host it runs. */
const remote = (p: Params, service: Service, ownAddress: boolean, t: Pick, cmd: string) => {
  const address = addressOf(p, service, ownAddress);
  return address === undefined || LOOPBACK.test(hostOf(address))
    ? cmd
    : `${cmd}   # ${t(`在 ${address} 所在的主机上`, `on the host of ${address}`)}`;
};
/** `cmd` where the service runs. */
const inService = (p: Params, service: Service, cmd: string, t: Pick, ownAddress = true) => {
  const where = own(p, service) ?? insideDs(p, service, ownAddress);
  return where === undefined ? remote(p, service, ownAddress, t, cmd) : `docker exec ${where} ${cmd}`;
};
/** Starts (or restarts) the service where it runs. */
const startService = (p: Params, service: Service, verb: 'start' | 'restart', t: Pick, ownAddress = true) => {
  const container = own(p, service);
  if (container !== undefined) return `docker ${verb} ${container}`;
  const inDs = insideDs(p, service, ownAddress);
  return inDs === undefined
    ? remote(p, service, ownAddress, t, `systemctl ${verb} ${UNIT[service]}`)
    : `docker exec ${inDs} service ${UNIT[service]} ${verb}`;
};
/** The ping annotated with the address it concerns (the remote form names it already). */
const pingRabbitmq = (p: Params, t: Pick) => {
  const ping = inService(p, 'rabbitmq', 'rabbitmq-diagnostics -q ping', t);
  return ping.includes('   # ') ? ping : `${ping}   # ${addressOf(p, 'rabbitmq', true) ?? '127.0.0.1:5672'}`;
};
const PG_ACTIVITY =
  '"select pid, state, wait_event_type, now() - query_start as running from pg_stat_activity order by running desc nulls last limit 10"';
/** The longest-running queries: the all-in-one image's database is reached as its postgres user, compose's and the host's as onlyoffice. */
const pgActivity = (p: Params, t: Pick) => {
  const inDs = insideDs(p, 'postgresql', true);
  return inDs !== undefined
    ? `docker exec -u postgres ${inDs} psql -d onlyoffice -c ${PG_ACTIVITY}`
    : inService(p, 'postgresql', `psql -U onlyoffice -c ${PG_ACTIVITY}`, t);
};

/**
 * A DS container publishes 80/443 through its own nginx, which may be the proxy of the public URL: its port mapping and
 * error log first, then the host's reverse proxy, each named.
 */
const dsNginx = (p: Params, t: Pick) =>
  p.ds === undefined
    ? []
    : [
        `docker port ${p.ds}`,
        `docker exec ${p.ds} sh -c 'tail -n 50 /var/log/onlyoffice/documentserver/nginx.error.log'   # ${t('DS 自带的 nginx', "DS's own nginx")}`,
      ];
const hostNginx = (p: Params, t: Pick, cmd: string) =>
  p.ds === undefined ? cmd : `${cmd}   # ${t('主机上的反向代理', 'the reverse proxy on the host')}`;

/** Where the JWT settings of the diagnosed DS live: documentserver.jwt, or a fleet target's own (probe.targets.N.jwt). */
const jwtKey = (p: Params) => String(p.jwt_key ?? 'documentserver.jwt');

export const CAUSES = {
  container_down: {
    title: (p, t) => t(`容器 ${p.name} 没有运行（${p.state}）`, `container ${p.name} is not running (${p.state})`),
    why: (p, t) =>
      t(
        `容器状态为 ${p.state}${p.exit_code !== undefined ? `，上次退出码 ${p.exit_code}` : ''}。容器里的服务全部不可用，代理对所有请求返回 502。`,
        `the container is ${p.state}${p.exit_code !== undefined ? `, last exit code ${p.exit_code}` : ''}. Nothing inside it answers, so the proxy answers 502 to every request.`,
      ),
    fix: (p) => [
      `docker logs --tail 100 ${p.name}`,
      `docker start ${p.name}`,
      `docker inspect ${p.name} --format '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}'`,
    ],
  },
  container_oom: {
    title: (p, t) =>
      t(`容器 ${p.name} 因内存不足被杀死（OOM）`, `container ${p.name} was killed for lack of memory (OOM)`),
    why: (_p, t) =>
      t(
        '内核在容器达到内存上限时杀死了它（OOMKilled=true，退出码 137）。',
        'the kernel killed it when it reached its memory limit (OOMKilled=true, exit code 137).',
      ),
    fix: (p, t) => [
      `docker inspect ${p.name} --format '{{.State.OOMKilled}} {{.HostConfig.Memory}}'`,
      t(
        '# 提高内存上限（compose 中的 mem_limit，Kubernetes 中的 resources.limits.memory），然后：',
        '# raise the memory limit (mem_limit in compose, resources.limits.memory in Kubernetes), then:',
      ),
      `docker start ${p.name}`,
    ],
  },
  container_restarting: {
    title: (p, t) => t(`容器 ${p.name} 在不断重启`, `container ${p.name} keeps restarting`),
    why: (p, t) =>
      t(
        `重启策略已经重启它 ${p.restarts} 次：主进程启动后很快退出。`,
        `its restart policy restarted it ${counted(p.restarts, 'time')}: the main process exits soon after it starts.`,
      ),
    fix: (p) => [
      `docker logs --tail 100 ${p.name}`,
      `docker inspect ${p.name} --format '{{.RestartCount}} {{.State.ExitCode}} {{.State.Error}}'`,
    ],
  },
  container_unhealthy: {
    title: (p, t) => t(`容器 ${p.name} 的健康检查失败`, `container ${p.name} fails its health check`),
    why: (_p, t) =>
      t('容器在运行，但它自己的 HEALTHCHECK 连续失败。', 'the container runs, but its own HEALTHCHECK keeps failing.'),
    fix: (p) => [`docker inspect ${p.name} --format '{{json .State.Health}}'`, `docker logs --tail 100 ${p.name}`],
  },
  container_paused: {
    title: (p, t) => t(`容器 ${p.name} 被暂停`, `container ${p.name} is paused`),
    why: (_p, t) =>
      t('暂停的容器接受 TCP 连接但不作任何响应。', 'a paused container accepts TCP connections and answers nothing.'),
    fix: (p) => [`docker unpause ${p.name}`],
  },
  supervisor_program_down: {
    title: (p, t) =>
      t(
        `${p.program} 处于 ${p.state}${p.container ? `（容器 ${p.container}）` : ''}`,
        `${p.program} is ${p.state}${p.container ? ` in ${p.container}` : ''}`,
      ),
    why: (p, t) =>
      t(
        `supervisor 报告 ${p.program} 为 ${p.state}：FATAL 表示“Exited too quickly”（启动即退出，常见原因是 local.json 格式错误或依赖不可用），BACKOFF 表示正在反复重启。`,
        `supervisor reports ${p.program} ${p.state}: FATAL is "Exited too quickly" (it exits at start, often a malformed local.json or a missing dependency), BACKOFF is a restart loop.`,
      ),
    fix: (p, t) =>
      p.container
        ? [
            `docker exec ${p.container} supervisorctl status`,
            `docker exec ${p.container} sh -c 'tail -n 50 /var/log/onlyoffice/documentserver/*/err.log'`,
            `docker exec ${p.container} supervisorctl restart ${p.program}`,
          ]
        : String(p.program).startsWith('ds-')
          ? [
              t('# systemd 服务', '# systemd unit'),
              `systemctl status ${p.program}`,
              `journalctl -u ${p.program} -n 100`,
              `systemctl restart ${p.program}`,
            ]
          : [
              'supervisorctl status',
              'tail -n 50 /var/log/onlyoffice/documentserver/*/err.log',
              `supervisorctl restart ${p.program}`,
            ],
  },
  postgres_crash: {
    title: (_p, t) => t('PostgreSQL 断开后 docservice 进程退出了', 'docservice exited when PostgreSQL went away'),
    why: (_p, t) =>
      t(
        'PostgreSQL 停止时，若连接池中有空闲连接，docservice 会因 uncaughtException（日志 “terminating connection due to administrator command”）直接退出，不会自行恢复；代理返回 502。',
        'when PostgreSQL stops while the pool holds an idle connection, docservice dies on an uncaughtException ("terminating connection due to administrator command") and does not come back by itself; the proxy answers 502.',
      ),
    fix: (p, t) => [
      t('# 先让 PostgreSQL 恢复：', '# bring PostgreSQL back first:'),
      `pg_isready -h ${p.pg_host ?? '127.0.0.1'} -p ${p.pg_port ?? 5432}`,
      startService(p, 'postgresql', 'start', t, false),
      t('# 然后重启 docservice：', '# then restart docservice:'),
      ...dockerOrHost(p, t, (name) => [`docker exec ${name} supervisorctl restart ds:docservice`], [
        'systemctl restart ds-docservice',
      ]),
    ],
  },
  rabbitmq_unreachable_at_start: {
    title: (_p, t) =>
      t('docservice 在等待 RabbitMQ，因此没有监听端口', 'docservice is waiting for RabbitMQ, so it does not listen'),
    why: (_p, t) =>
      t(
        'docservice 只有在连上消息队列之后才监听 8000 端口；RabbitMQ 不可达时它每秒重试，日志循环出现 “[AMQP] Error: connect ECONNREFUSED …:5672”，代理对所有请求返回 502（AMQP_URI 写错也是这样）。',
        'docservice listens on port 8000 only after it has connected to the broker; while RabbitMQ is unreachable it retries every second, logs "[AMQP] Error: connect ECONNREFUSED …:5672" in a loop, and the proxy answers 502 to everything (a wrong AMQP_URI does the same).',
      ),
    fix: (p, t) => [
      inService(p, 'rabbitmq', 'rabbitmq-diagnostics -q ping', t, false),
      startService(p, 'rabbitmq', 'start', t, false),
      t(
        '# 检查 DS 使用的地址（Docker 变量 AMQP_URI，local.json 中的 rabbitmq.url）：',
        '# check the address DS uses (Docker variable AMQP_URI, rabbitmq.url in local.json):',
      ),
      `docker logs --tail 50 ${ds(p)} 2>&1 | grep -i amqp`,
      t(
        '# RabbitMQ 恢复后 docservice 会自行开始监听。',
        '# docservice starts listening by itself once RabbitMQ answers.',
      ),
    ],
  },
  docservice_down: {
    title: (_p, t) => t('docservice 没有在监听', 'docservice is not listening'),
    why: (_p, t) =>
      t(
        'docservice（端口 8000）没有响应：正在启动、崩溃循环（ds:docservice FATAL “Exited too quickly”）或 local.json 格式错误。代理对 /healthcheck、/index.html、CommandService 返回 502，而 api.js（nginx 直接提供的静态文件）仍然返回 200；nginx 错误日志中是 “connect() failed (111: Connection refused) while connecting to upstream”。8.2 起数据库表缺失时也不会监听（日志 “DB table … does not exist”）；RabbitMQ ≥ 4.1 配 DS ≤ 8.3 时 RabbitMQ 日志为 “frame_max … lower than the minimum”。',
        'docservice (port 8000) does not answer: starting, in a crash loop (ds:docservice FATAL "Exited too quickly") or a malformed local.json. The proxy answers 502 on /healthcheck, /index.html and CommandService while api.js (a static file nginx serves itself) still answers 200; nginx\'s error log says "connect() failed (111: Connection refused) while connecting to upstream". From 8.2 it also never listens when database tables are missing (log "DB table … does not exist"); RabbitMQ 4.1+ with DS 8.3 or older logs "frame_max … lower than the minimum" on the RabbitMQ side.',
      ),
    fix: (p, t) =>
      dockerOrHost(
        p,
        t,
        (name) => [
          `docker exec ${name} supervisorctl status ds:docservice`,
          `docker logs --tail 100 ${name}`,
          `docker exec ${name} supervisorctl restart ds:docservice`,
        ],
        [
          'systemctl status ds-docservice',
          'tail -n 100 /var/log/onlyoffice/documentserver/docservice/out.log',
          'systemctl restart ds-docservice',
        ],
      ),
  },
  wrong_target: {
    title: (_p, t) =>
      t('documentserver.url 指向的不是 DocumentServer', 'documentserver.url does not point at DocumentServer'),
    why: (p, t) =>
      t(
        `${p.url} 有响应（HTTP ${p.status}），但响应不是 DocumentServer 发出的：这个地址上是别的服务，或路径前缀不对。`,
        `${p.url} answers (HTTP ${p.status}) but not as DocumentServer does: another service listens there, or the path prefix is wrong.`,
      ),
    fix: (p, t) => [
      `curl -sS -i ${p.url}/index.html`,
      t(
        '# 把 documentserver.url 设为 docservice 的地址（http://主机:8000）或 DS 自带 nginx 的根地址。',
        "# set documentserver.url to docservice (http://HOST:8000) or to the root of DS's own nginx.",
      ),
    ],
  },
  rabbitmq_frozen: {
    title: (_p, t) => t('RabbitMQ 接受连接但不响应', 'RabbitMQ accepts connections but does not answer'),
    why: (_p, t) =>
      t(
        '/healthcheck 一直挂起：RabbitMQ 进程被冻结、过载，或触发了内存/磁盘告警。/index.html 仍然正常。',
        '/healthcheck hangs: the RabbitMQ process is frozen, overloaded or in a memory/disk alarm. /index.html still answers.',
      ),
    fix: (p, t) => [
      inService(p, 'rabbitmq', 'rabbitmq-diagnostics -q alarms', t),
      inService(p, 'rabbitmq', 'rabbitmqctl status', t),
      t('# 仍无响应时重启：', '# if it still does not answer, restart it:'),
      startService(p, 'rabbitmq', 'restart', t),
    ],
  },
  rabbitmq_down: {
    title: (_p, t) => t('RabbitMQ 不可用', 'RabbitMQ is down'),
    why: (_p, t) =>
      t(
        'docservice 连不上消息队列：/healthcheck 返回 false，version 命令仍然正常，文档转换停在 {"percent":0,"endConvert":false}。RabbitMQ 恢复后 DS 会在一秒内自动重连。',
        'docservice cannot reach the broker: /healthcheck answers false, the version command still works, conversions stay at {"percent":0,"endConvert":false}. DS reconnects within a second once RabbitMQ is back.',
      ),
    fix: (p, t) => [pingRabbitmq(p, t), startService(p, 'rabbitmq', 'start', t)],
  },
  postgres_frozen: {
    title: (_p, t) => t('PostgreSQL 接受连接但不响应', 'PostgreSQL accepts connections but does not answer'),
    why: (_p, t) =>
      t(
        '/healthcheck 一直挂起（它执行 SELECT 1）：PostgreSQL 被冻结、锁住或过载。',
        '/healthcheck hangs (it runs SELECT 1): PostgreSQL is frozen, locked or overloaded.',
      ),
    fix: (p, t) => [
      `pg_isready -h ${p.pg_host ?? '127.0.0.1'} -p ${p.pg_port ?? 5432}`,
      pgActivity(p, t),
      t('# 仍无响应时重启：', '# if it still does not answer, restart it:'),
      startService(p, 'postgresql', 'restart', t),
    ],
  },
  postgres_down: {
    title: (_p, t) => t('PostgreSQL 不可用', 'PostgreSQL is down'),
    why: (_p, t) =>
      t(
        '/healthcheck 返回 false，转换返回 -1，version、license 和 info.json 仍然正常。若 docservice 在 PostgreSQL 停止时持有空闲连接，它会直接退出（见 docservice）。',
        '/healthcheck answers false and conversions fail with -1 while version, license and info.json still work. If docservice held an idle pooled connection when PostgreSQL stopped, it exits outright (see docservice).',
      ),
    fix: (p, t) => [
      `pg_isready -h ${p.pg_host ?? '127.0.0.1'} -p ${p.pg_port ?? 5432}`,
      startService(p, 'postgresql', 'start', t),
    ],
  },
  redis_down: {
    title: (_p, t) => t('Redis 不可用', 'Redis is down'),
    why: (_p, t) =>
      t(
        '开发者版和企业版用 Redis 保存编辑数据，Redis 不可用时 /healthcheck 返回 false（日志 “redisClient error … ECONNREFUSED”）；社区版不使用 Redis，/healthcheck 仍为 true——社区版请从配置中去掉 dependencies.redis。',
        'Developer and Enterprise editions keep editor data in Redis and answer /healthcheck false without it (log "redisClient error … ECONNREFUSED"); Community does not use Redis and stays true: on Community, remove redis from dependencies.',
      ),
    fix: (p, t) => [
      `redis-cli -h ${p.redis_host ?? '127.0.0.1'} -p ${p.redis_port ?? 6379} ping`,
      startService(p, 'redis', 'start', t),
    ],
  },
  storage_not_writable: {
    title: (_p, t) => t('DS 的存储不可写', 'DS storage is not writable'),
    why: (p, t) =>
      t(
        `/healthcheck 返回 false，同时 ${p.path} 所在文件系统${p.problem === 'full' ? '已写满' : '为只读'}。7.1–8.0 的 /healthcheck 在写入存储失败时返回 false（8.1 起只在日志中记一条 WARN）。`,
        `/healthcheck answers false while the file system of ${p.path} is ${p.problem === 'full' ? 'full' : 'read-only'}. DS 7.1–8.0 answer /healthcheck false when the storage write fails (8.1+ only log a WARN).`,
      ),
    fix: (p) => [`df -h ${p.path}`, `findmnt -T ${p.path} -o TARGET,SOURCE,OPTIONS`],
  },
  healthcheck_hang: {
    title: (_p, t) =>
      t(
        '/healthcheck 挂起：某个依赖接受连接但不响应',
        '/healthcheck hangs: a dependency accepts connections but does not answer',
      ),
    why: (p, t) =>
      t(
        `/healthcheck 在 ${p.timeout} 内没有响应，而 /index.html 正常：冻结的 RabbitMQ 或 PostgreSQL 会让它一直挂起。在配置中加入 dependencies 可以指出是哪一个。`,
        `/healthcheck gave no answer within ${p.timeout} while /index.html answers: a frozen RabbitMQ or PostgreSQL makes it hang. Configure dependencies to tell which.`,
      ),
    fix: (p, t) => [
      inService(p, 'rabbitmq', 'rabbitmq-diagnostics -q alarms', t, false),
      `pg_isready -h ${p.pg_host ?? '127.0.0.1'} -p ${p.pg_port ?? 5432}`,
    ],
  },
  healthcheck_false: {
    title: (_p, t) =>
      t('/healthcheck 返回 false：某个依赖检查失败', '/healthcheck answers false: one of its checks failed'),
    why: (_p, t) =>
      t(
        '/healthcheck 依次检查数据库（SELECT 1）、Redis（开发者版/企业版）、消息队列和存储写入（7.1–8.0）；任何一项失败都返回 false。在配置中加入 dependencies 可以指出是哪一个。',
        '/healthcheck checks the database (SELECT 1), Redis (Developer/Enterprise), the message broker and a storage write (7.1–8.0) in turn; any failure gives false. Configure dependencies to tell which.',
      ),
    fix: (p) => [
      `docker logs --tail 300 ${ds(p)} 2>&1 | grep -i -A2 'healthCheck error'`,
      "grep -i -A2 'healthCheck error' /var/log/onlyoffice/documentserver/docservice/out.log | tail -n 20",
    ],
  },
  proxy_bad_gateway: {
    title: (p, t) =>
      t(
        `反向代理返回 ${p.status}，而 docservice 本身正常`,
        `the reverse proxy answers ${p.status} although docservice is up`,
      ),
    why: (p, t) =>
      t(
        `直连 docservice 正常，经过 ${p.url} 却得到 HTTP ${p.status}：代理的上游（proxy_pass / upstream）指向了错误的主机或端口（例如 localhost 解析成 ::1，而 docservice 只监听 IPv4），或代理连不进 DS 容器所在的网络。${Number(p.status) === 504 ? '504 表示代理等待上游超时。' : ''}`,
        `docservice answers directly, but through ${p.url} the answer is HTTP ${p.status}: the proxy's upstream points at the wrong host or port (e.g. localhost resolving to ::1 while docservice listens on IPv4), or the proxy cannot reach the DS container's network.${Number(p.status) === 504 ? ' 504 is an upstream timeout.' : ''}`,
      ),
    fix: (p, t) => [
      ...dsNginx(p, t),
      hostNginx(p, t, 'nginx -t'),
      t(
        '# 在代理的错误日志中找 “connect() failed … while connecting to upstream” 或 “upstream timed out”：',
        '# look for "connect() failed … while connecting to upstream" or "upstream timed out" in the proxy\'s error log:',
      ),
      'tail -n 50 /var/log/nginx/error.log',
      "grep -rn 'proxy_pass\\|upstream' /etc/nginx/",
      t(`# 在代理主机上确认 docservice 可达：`, '# from the proxy host, check that docservice answers:'),
      `curl -sS ${p.direct}/healthcheck`,
      'systemctl reload nginx',
    ],
  },
  proxy_down: {
    title: (_p, t) =>
      t(
        '反向代理连不上：没有运行、连接被拦截，或 TLS 握手失败',
        'the reverse proxy cannot be reached: it is down, the connection is blocked, or TLS fails',
      ),
    why: (p, t) =>
      t(
        `${p.url} 没有任何 HTTP 响应（连接被拒绝、超时，或 TLS 握手失败）。常见原因：反向代理（nginx）没有运行或没有监听 80/443 端口；防火墙或安全组拦截了连接；域名解析到了错误的地址；HTTPS 的证书或私钥缺失、不可读，握手失败。`,
        `${p.url} gives no HTTP answer at all (refused, timed out, or a failed TLS handshake). Usually the reverse proxy (nginx) is not running or not listening on 80/443; a firewall or security group drops the connection; the name resolves to the wrong address; or the HTTPS certificate or key is missing or unreadable, so the handshake fails.`,
      ),
    fix: (p, t) => [
      ...dsNginx(p, t),
      hostNginx(p, t, 'systemctl status nginx'),
      "ss -ltnp | grep -E ':(80|443) '",
      ...(String(p.url).startsWith('https:')
        ? [`openssl s_client -connect ${p.hostport} -servername ${p.host} </dev/null`]
        : []),
      `curl -sS -i ${p.url}/healthcheck`,
    ],
  },
  proxy_wrong_site: {
    title: (_p, t) => t('公开地址上响应的是别的站点', 'something other than DocumentServer answers the public URL'),
    why: (p, t) =>
      t(
        `${p.url} 返回 HTTP ${p.status}，但响应不是 DocumentServer 发出的：代理的 server_name、location 或路径前缀配置不对。`,
        `${p.url} answers HTTP ${p.status}, not DocumentServer's answer: the proxy's server_name / location or path prefix is wrong.`,
      ),
    fix: (p) => [`curl -sS -i ${p.url}/healthcheck`, "grep -rn 'server_name\\|location\\|proxy_pass' /etc/nginx/"],
  },
  proxy_no_websocket_upgrade: {
    title: (_p, t) => t('反向代理没有转发 WebSocket 升级', 'the reverse proxy does not forward WebSocket upgrades'),
    why: (p, t) =>
      t(
        `直连时协同编辑 WebSocket 正常（HTTP 101），经 ${p.url} 却返回 HTTP ${p.status}：代理丢掉了 Upgrade/Connection 请求头（nginx 默认以 HTTP/1.0 连接上游，且不转发这两个头）。/healthcheck、api.js 都正常，但编辑器打开文档后提示连接已断开，修改无法保存。`,
        `the co-editing WebSocket answers HTTP 101 directly but HTTP ${p.status} through ${p.url}: the proxy drops the Upgrade/Connection headers (nginx talks HTTP/1.0 to its upstream and does not pass them on by default). /healthcheck and api.js are fine, yet editors open a document, then say the connection was lost, and changes are not saved.`,
      ),
    fix: (p, t) => [
      t('# nginx：在 `http` 块中加入', '# nginx: in the http block'),
      'map $http_upgrade $proxy_connection { default upgrade; "" close; }',
      t('# 在反代 DocumentServer 的 location 中加入', '# in the location that proxies to DocumentServer'),
      'proxy_http_version 1.1;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection $proxy_connection;',
      'nginx -t && systemctl reload nginx',
      t(
        '# Traefik、Caddy（reverse_proxy）默认转发 WebSocket：检查是否有中间件或请求头规则删除了 Upgrade/Connection',
        '# Traefik and Caddy (reverse_proxy) forward WebSocket upgrades by default: look for a middleware or header rule that removes Upgrade/Connection',
      ),
      t(
        '# Kubernetes ingress-nginx 默认转发 WebSocket；把注解 nginx.ingress.kubernetes.io/proxy-read-timeout 和 proxy-send-timeout 调到 3600，避免空闲的编辑会话 60 秒后被断开',
        '# Kubernetes ingress-nginx forwards upgrades by default; set the annotations nginx.ingress.kubernetes.io/proxy-read-timeout and proxy-send-timeout to 3600 so idle editing sessions are not cut after 60 s',
      ),
      t('# 验证（应返回 101）：', '# check (101 expected):'),
      `${wsCurl(p)} | head -1`,
    ],
  },
  websocket_down: {
    title: (_p, t) => t('docservice 不接受协同编辑 WebSocket', 'docservice does not accept the co-editing WebSocket'),
    why: (p, t) =>
      t(
        `${p.url} 的 WebSocket ${Number(p.status) === 0 ? '没有 HTTP 响应' : Number(p.status) === 101 ? '已升级（101），但没有在时限内收到 DocumentServer 的首帧' : `升级返回 HTTP ${p.status}`}，而 /index.html 正常：documentserver.url 指向的可能是 docservice 前面另一层代理（同样需要转发升级），或者 docservice 过载。`,
        `the WebSocket at ${p.url} ${Number(p.status) === 0 ? 'got no HTTP answer' : Number(p.status) === 101 ? "was upgraded (101) but DocumentServer's first frame did not come in time" : `answered the upgrade with HTTP ${p.status}`} while /index.html answers: documentserver.url may be a proxy in front of docservice (which must forward upgrades too), or docservice is overloaded.`,
      ),
    fix: (p) => [
      `${wsCurl(p)} | head -3`,
      `docker exec ${ds(p)} sh -c 'tail -n 50 /var/log/onlyoffice/documentserver/docservice/out.log'`,
    ],
  },
  jwt_required: {
    title: (_p, t) => t('DS 要求 JWT，但导出器没有配置密钥', 'DS requires JWT but the exporter has no secret'),
    why: (p, t) =>
      t(
        `CommandService 返回错误码 6（令牌无效）：DS 启用了 JWT（Docker 镜像 7.2 起默认启用，密钥随机生成），而导出器没有配置 ${jwtKey(p)}.secret。`,
        `CommandService answers error 6 (token): DS has JWT on (the default of the Docker image since 7.2, with a random secret) and the exporter has no ${jwtKey(p)}.secret.`,
      ),
    fix: (p, t) => [
      `docker exec ${ds(p)} documentserver-jwt-status.sh`,
      t(
        `# 把显示的密钥写入导出器配置 ${jwtKey(p)}.secret（或 secret_file），然后重新加载：`,
        `# put the secret it prints into ${jwtKey(p)}.secret (or secret_file) of the exporter's configuration, then reload:`,
      ),
      'curl -X POST http://127.0.0.1:9967/-/reload',
    ],
  },
  jwt_mismatch: {
    title: (_p, t) => t('JWT 密钥不一致', 'JWT secret mismatch'),
    why: (p, t) =>
      t(
        `CommandService 拒绝了用 ${jwtKey(p)}.secret 签名的令牌（错误码 6）：DS 的密钥不同（或 JWT 头不同）。使用同一个错误密钥的集成会让编辑器显示 “document security token is not correctly formed”，转换返回 -8。`,
        `CommandService rejects tokens signed with ${jwtKey(p)}.secret (error 6): DS has another secret (or another JWT header). Integrations with the same wrong secret make the editor say "document security token is not correctly formed" and conversions fail with -8.`,
      ),
    fix: (p, t) => [
      `docker exec ${ds(p)} documentserver-jwt-status.sh`,
      t(
        `# 让 ${jwtKey(p)}.secret 和 ${jwtKey(p)}.header 与之一致（集成端也要一致），然后：`,
        `# make ${jwtKey(p)}.secret / header match it (and the integration's), then:`,
      ),
      'curl -X POST http://127.0.0.1:9967/-/reload',
    ],
  },
  jwt_expired: {
    title: (_p, t) => t('JWT 被判定为过期：时钟不一致', 'JWT seen as expired: clocks disagree'),
    why: (_p, t) =>
      t(
        'CommandService 对刚签发的令牌返回错误码 7（令牌已过期）：DS 主机与导出器主机的时钟相差了几分钟以上。',
        'CommandService answers error 7 (token expired) for a token signed just now: the clocks of the DS host and the exporter host differ by minutes.',
      ),
    fix: () => ['timedatectl status', 'chronyc tracking', 'date -u'],
  },
  editor_token_rejected: {
    title: (_p, t) => t('编辑器的令牌被拒绝：浏览器密钥不一致', "editors' token rejected: the browser secret differs"),
    why: (p, t) =>
      t(
        `DS 在协同编辑 WebSocket 连接时拒绝了用 documentserver.jwt.browser_secret（默认 jwt.secret）签名的令牌（${p.code} ${p.reason}）。DS 用 services.CoAuthoring.secret.browser 检查编辑器令牌，集成（连接器）用它自己的 JWT 密钥签名编辑器配置：两者不一致时编辑器显示 “document security token is not correctly formed”。`,
        `when the co-editing WebSocket connects, DS refuses a token signed with documentserver.jwt.browser_secret (default jwt.secret): ${p.code} ${p.reason}. DS checks editors' tokens against services.CoAuthoring.secret.browser, and the integration (connector) signs the editor config with its own JWT secret: when they differ, editors say "document security token is not correctly formed".`,
      ),
    fix: (p, t) => [
      t('# DS 这边：', '# on the DS side:'),
      `docker exec ${ds(p)} documentserver-jwt-status.sh`,
      t(
        '# Docker：环境变量 JWT_SECRET（同时设置 secret.browser、secret.inbox、secret.outbox 三个密钥），修改后重建容器',
        '# Docker: the JWT_SECRET variable (sets the browser, inbox and outbox secrets alike); recreate the container after changing it',
      ),
      t(
        '# 软件包安装：/etc/onlyoffice/documentserver/local.json 中的 services.CoAuthoring.secret.browser.string，修改后重启 ds-docservice',
        '# packages: services.CoAuthoring.secret.browser.string in /etc/onlyoffice/documentserver/local.json; restart ds-docservice after changing it',
      ),
      'grep -A2 \'"browser"\' /etc/onlyoffice/documentserver/local.json',
      t(
        '# 集成这边（Nextcloud、ownCloud、Seafile 或自己的应用）：其 “Secret key”/JWT 密钥设置必须与 DS 的浏览器密钥相同',
        '# on the integration side (Nextcloud, ownCloud, Seafile or your own app): its "Secret key" / JWT secret setting must equal DS\'s browser secret',
      ),
      t(
        '# 导出器：documentserver.jwt.browser_secret（与 documentserver.jwt.secret 不同时才需要），然后：',
        '# the exporter: documentserver.jwt.browser_secret (only when it differs from the inbox secret), then:',
      ),
      'curl -X POST http://127.0.0.1:9967/-/reload',
    ],
  },
  command_failed: {
    title: (p, t) => t(`CommandService 返回错误码 ${p.code}`, `CommandService answers error ${p.code}`),
    why: (p, t) =>
      t(
        `version 命令返回错误码 ${p.code}（${p.reason}），原因见 DS 日志。`,
        `the version command answers error ${p.code} (${p.reason}); the DS log says why.`,
      ),
    fix: (p) => [`docker logs --tail 100 ${ds(p)}`],
  },
  disk_error: {
    title: (p, t) => t(`无法读取 ${p.path} 的文件系统`, `cannot read the file system of ${p.path}`),
    why: (_p, t) =>
      t(
        '路径不存在，或所在挂载（例如网络存储）挂起。',
        'the path does not exist, or its mount (e.g. network storage) hangs.',
      ),
    fix: (p) => [`ls -ld ${p.path}`, `findmnt -T ${p.path}`, 'dmesg | tail -n 20'],
  },
  disk_readonly: {
    title: (p, t) => t(`${p.path} 所在文件系统为只读`, `the file system of ${p.path} is read-only`),
    why: (_p, t) =>
      t(
        'DS 无法保存文件和缓存；文件系统出错后内核常把它重新挂载为只读。',
        'DS cannot save files or cache; the kernel often remounts a file system read-only after an error.',
      ),
    fix: (p) => [`findmnt -T ${p.path} -o TARGET,SOURCE,OPTIONS`, 'dmesg | tail -n 20'],
  },
  disk_full: {
    title: (p, t) =>
      t(`${p.path} 所在磁盘快满了（剩余 ${p.percent}%）`, `the disk of ${p.path} is almost full (${p.percent}% left)`),
    why: (_p, t) => t('磁盘写满后转换和保存会失败。', 'conversions and saves fail once the disk is full.'),
    fix: (p, t) => [
      `df -h ${p.path}`,
      `du -xh --max-depth=2 ${p.path} 2>/dev/null | sort -h | tail -n 15`,
      t(
        '# 常见占用：/var/lib/onlyoffice/documentserver/App_Data/cache/files（转换缓存）和 /var/log/onlyoffice（日志）。',
        '# usual suspects: /var/lib/onlyoffice/documentserver/App_Data/cache/files (conversion cache) and /var/log/onlyoffice (logs).',
      ),
    ],
  },
  inodes_low: {
    title: (p, t) =>
      t(
        `${p.path} 所在文件系统 inode 快用完了（剩余 ${p.percent}%）`,
        `the file system of ${p.path} is running out of inodes (${p.percent}% left)`,
      ),
    why: (_p, t) =>
      t(
        '大量小文件（转换缓存）会耗尽 inode，之后无法创建新文件。',
        'many small files (the conversion cache) exhaust inodes; then no file can be created.',
      ),
    fix: (p) => [`df -i ${p.path}`],
  },
  backup_stale: {
    title: (p, t) =>
      t(
        `备份 ${p.name} 已过期（最新文件写于 ${p.age_zh}前，上限 ${p.limit_zh}）`,
        `backup ${p.name} is stale (newest file written ${p.age_en} ago, limit ${p.limit_en})`,
      ),
    why: (_p, t) =>
      t(
        '备份任务很可能已经停止：定时任务被删除、磁盘已满、数据库密码已改或目标目录已卸载。',
        'the backup job has most likely stopped: its timer or cron entry is gone, the disk is full, the database password changed or the target folder is unmounted.',
      ),
    fix: (p) => [
      `ls -lt ${p.dir} | head -n 5`,
      'systemctl list-timers --all | grep -i backup',
      'crontab -l; crontab -l -u postgres',
    ],
  },
  backup_missing: {
    title: (p, t) => t(`备份 ${p.name} 没有任何文件（${p.path}）`, `backup ${p.name} has no file (${p.path})`),
    why: (_p, t) =>
      t(
        '路径没有匹配到文件：备份从未运行、换了目录或文件名，或者导出器看不到这个目录（容器中需要挂载）。',
        'the path matches no file: the backup never ran, moved or was renamed, or the exporter cannot see the folder (mount it into the container).',
      ),
    fix: (p) => [
      `ls -la ${p.dir}`,
      'systemctl list-timers --all | grep -i backup',
      'crontab -l; crontab -l -u postgres',
    ],
  },
  backup_too_small: {
    title: (p, t) =>
      t(
        `备份 ${p.name} 的最新文件过小（${p.size}，下限 ${p.min}）`,
        `the newest file of backup ${p.name} is too small (${p.size}, minimum ${p.min})`,
      ),
    why: (_p, t) =>
      t(
        '备份任务运行了，但文件很可能不完整：转储中途失败，或管道中的一步出错。',
        'the job ran, but the file is probably incomplete: a dump that failed half-way, or a failed step of a pipe.',
      ),
    fix: (p, t) => [
      `ls -lt ${p.dir} | head -n 5`,
      t('# pg_dump -Fc 的转储：能列出内容才说明完整', '# a pg_dump -Fc dump is complete when its contents list:'),
      `pg_restore --list "$(ls -t ${p.path} | head -n 1)" | tail -n 3`,
    ],
  },
  tls_handshake_failed: {
    title: (p, t) => t(`${p.target} 的 TLS 握手失败`, `TLS handshake with ${p.target} failed`),
    why: (_p, t) =>
      t(
        'HTTPS 端口拒绝连接或重置：没有配置 HTTPS（证书和私钥必须都存在），或 nginx 无法加载证书/私钥（缺失、不可读）。HTTP 可能仍然可用。',
        'the HTTPS port refuses or resets: HTTPS is not configured (both certificate and key must exist) or nginx could not load them (missing, unreadable). HTTP may still work.',
      ),
    fix: (p) => [
      `openssl s_client -connect ${p.target} -servername ${String(p.target)
        .replace(/:\d+$/, '')
        .replace(/^\[|\]$/g, '')} </dev/null`,
      `docker exec ${ds(p)} ls -l /var/www/onlyoffice/Data/certs/`,
      `docker logs --tail 50 ${ds(p)} 2>&1 | grep -i -E "ssl|cert"`,
    ],
  },
  cert_expired: {
    title: (p, t) => t(`证书已过期：${p.target}`, `certificate expired: ${p.target}`),
    why: (p, t) =>
      t(
        `证书在 ${p.date} 到期，浏览器会拒绝打开编辑器。`,
        `the certificate ended on ${p.date}; browsers refuse to load the editor.`,
      ),
    fix: (p, t) => certFix(p, t),
  },
  cert_untrusted: {
    title: (p, t) => t(`证书不受信任：${p.target}`, `certificate not trusted: ${p.target}`),
    why: (_p, t) =>
      t(
        '证书链无法验证到受信任的根证书（自签名或签发者未知）。',
        'the chain does not verify to a trusted root (self-signed or unknown issuer).',
      ),
    fix: (p, t) => certFix(p, t),
  },
  cert_chain_incomplete: {
    title: (p, t) => t(`证书缺少中间证书：${p.target}`, `certificate sent without its intermediates: ${p.target}`),
    why: (_p, t) =>
      t(
        '服务器只发送了叶子证书；部分浏览器和集成端（Nextcloud、Seafile 等服务端）会拒绝连接。',
        'the server sends only the leaf; some browsers and integrations (Nextcloud, Seafile servers …) refuse the connection.',
      ),
    fix: (p, t) => [
      t(
        '# 把中间证书追加到证书文件后面，然后重启：',
        '# append the intermediate certificate(s) to the certificate file, then restart:',
      ),
      'cat onlyoffice.crt intermediate.crt > /app/onlyoffice/DocumentServer/data/certs/onlyoffice.crt',
      `docker restart ${ds(p)}${or(t, 'systemctl reload nginx')}`,
    ],
  },
  cert_hostname_mismatch: {
    title: (p, t) => t(`证书与主机名不符：${p.target}`, `certificate does not match the host name: ${p.target}`),
    why: (_p, t) =>
      t('证书的 subjectAltName 不包含该主机名。', "the certificate's subjectAltName does not include the host name."),
    fix: (p, t) => certFix(p, t),
  },
  cert_file_unreadable: {
    title: (p, t) => t(`证书文件不可读：${p.path}`, `certificate file not readable: ${p.path}`),
    why: (_p, t) =>
      t(
        'nginx 读不到证书或私钥时不会启动 HTTPS（端口拒绝连接或被重置）。',
        'nginx without a readable certificate or key does not serve HTTPS (the port refuses or resets).',
      ),
    fix: (p) => [`ls -l ${p.path}`, `chmod 644 ${p.path}`],
  },
  cert_key_mismatch: {
    title: (p, t) => t(`私钥与证书不匹配：${p.path}`, `private key does not match the certificate: ${p.path}`),
    why: (_p, t) => t('nginx 会拒绝加载这对证书和私钥。', 'nginx refuses to load this certificate and key pair.'),
    fix: (p) => [
      `openssl x509 -noout -pubkey -in ${p.path} | sha256sum`,
      `openssl pkey -pubout -in ${String(p.path).replace(/\.(crt|pem)$/, '.key')} | sha256sum`,
    ],
  },
  cert_expiring: {
    title: (p, t) =>
      t(`证书将在 ${p.days} 天后到期：${p.target}`, `certificate expires in ${counted(p.days, 'day')}: ${p.target}`),
    why: (p, t) => t(`证书在 ${p.date} 到期。`, `the certificate ends on ${p.date}.`),
    fix: (p, t) => certFix(p, t),
  },
  converter_down: {
    title: (p, t) => t(`没有转换器消费 ${p.queue}`, `no converter consumes ${p.queue}`),
    why: (p, t) =>
      t(
        `${p.queue} 有 ${p.ready} 个任务等待、0 个消费者：FileConverter 没有运行。打开、保存和“另存为”都会等待，900 秒后任务进入死信，用户看到错误码 -2。`,
        `${p.queue} has ${counted(p.ready, 'task')} waiting and 0 consumers: FileConverter is not running. Opening, saving and download-as wait; after 900 s the tasks are dead-lettered and users get error -2.`,
      ),
    fix: (p, t) =>
      dockerOrHost(
        p,
        t,
        (name) => [
          `docker exec ${name} supervisorctl status ds:converter`,
          `docker exec ${name} supervisorctl restart ds:converter`,
        ],
        ['systemctl restart ds-converter', 'tail -n 100 /var/log/onlyoffice/documentserver/converter/out.log'],
      ),
  },
  conversion_failed: {
    title: (p, t) =>
      p.outcome === undefined || p.outcome === 'error_code'
        ? t(`测试转换失败（错误码 ${p.code}）`, `the test conversion failed (error ${p.code})`)
        : t(`测试转换失败（${outcomeText(p, t)}）`, `the test conversion failed (${outcomeText(p, t)})`),
    why: (p, t) =>
      t(
        conversionWhy(Number(p.code), String(p.outcome ?? 'error_code'), 'zh-CN'),
        conversionWhy(Number(p.code), String(p.outcome ?? 'error_code'), 'en'),
      ),
    fix: (p) => [
      `docker logs --tail 100 ${ds(p)} 2>&1 | grep -i -E 'convert|error'`,
      'tail -n 100 /var/log/onlyoffice/documentserver/converter/out.log',
    ],
  },
  dependency_unreachable: {
    title: (p, t) =>
      t(
        `${p.dependency} 在 ${p.address} 没有响应，但 DS 健康检查正常`,
        `${p.dependency} does not answer at ${p.address}, yet DS is healthy`,
      ),
    why: (p, t) =>
      t(
        `DS 的 /healthcheck 为 true，说明 DS 使用的不是这个地址：请把导出器配置中的 dependencies.${p.dependency} 改成 DS 实际使用的地址（local.json / Docker 环境变量），一体化容器不发布端口时设为 false。`,
        `DS's /healthcheck is true, so DS does not use this address: set dependencies.${p.dependency} in the exporter's configuration to the address DS really uses (local.json / the Docker environment), or to false when the all-in-one container does not publish it.`,
      ),
    fix: (p) => [`nc -vz ${String(p.address).replace(/:(\d+)$/, ' $1')}`],
  },
  docker_unreachable: {
    title: (_p, t) => t('导出器无法访问 Docker 引擎', 'the exporter cannot reach the Docker engine'),
    why: (_p, t) =>
      t(
        '容器和 supervisor 检查需要 Docker API：把 /var/run/docker.sock 只读挂载进导出器容器，并让其用户属于套接字的属组（或使用 docker-socket-proxy，配置 docker.socket / DOCKER_HOST）。',
        "the container and supervisor checks need the Docker API: mount /var/run/docker.sock read-only into the exporter container and give its user the socket's group (or use a docker-socket-proxy with docker.socket / DOCKER_HOST).",
      ),
    fix: () => [
      'ls -ln /var/run/docker.sock',
      'docker run ... -v /var/run/docker.sock:/var/run/docker.sock:ro --group-add "$(stat -c %g /var/run/docker.sock)" ...',
    ],
  },
  check_failed: {
    title: (p, t) => t(`导出器的 ${p.collector} 检查失败`, `the exporter's ${p.collector} check failed`),
    why: (p, t) =>
      p.error === undefined
        ? t(
            '这一项无法判断：检查本身出错或超时，原因见导出器日志。',
            "this hop cannot be judged: the check itself failed or timed out; the exporter's log says why.",
          )
        : t(`这一项无法判断，检查失败：${errorText(p, t)}`, `this hop cannot be judged, the check failed: ${p.error}`),
    fix: (p, t) =>
      p.error === undefined
        ? [`docker logs --tail 50 onlyoffice-exporter${or(t, 'journalctl -u onlyoffice-exporter -n 50')}`]
        : [
            t(
              `# 按上面的原因修正 ${p.collector} 的配置或目标，然后再运行诊断`,
              `# fix what the reason above names (the ${p.collector} configuration or its target), then run the doctor again`,
            ),
          ],
  },
  rabbitmq_source_failed: {
    title: (p, t) =>
      t(
        `导出器读不到 RabbitMQ 的队列（${String(p.sources).split(', ').join('、')}）`,
        `the exporter cannot read the queues from RabbitMQ (${p.sources})`,
      ),
    why: (p, t) =>
      t(
        `转换队列无法判断：${p.error !== undefined ? errorText(p, t) : '原因见导出器日志'}。/metrics 中对应的是 onlyoffice_rabbitmq_up 0。`,
        `the conversion queue cannot be judged: ${p.error ?? "the exporter's log says why"}. /metrics says the same with onlyoffice_rabbitmq_up 0.`,
      ),
    fix: (_p, t) => [
      t(
        '# 检查 rabbitmq.management_url、rabbitmq.prometheus_url、rabbitmq.url，以及 rabbitmq.username、rabbitmq.password（管理 API 需要登录）',
        '# check rabbitmq.management_url / prometheus_url / url, and rabbitmq.username, rabbitmq.password (the management API needs a login)',
      ),
    ],
  },
  queue_backlog: {
    title: (p, t) =>
      t(
        `${p.queue} 积压了 ${p.ready} 个任务`,
        `${counted(p.ready, 'task')} ${Number(p.ready) === 1 ? 'waits' : 'wait'} in ${p.queue}`,
      ),
    why: (p, t) =>
      t(
        `有 ${p.consumers} 个消费者但任务在积压：转换器跟不上（单个社区版转换器只有一个工作进程）。`,
        `there ${Number(p.consumers) === 1 ? 'is' : 'are'} ${counted(p.consumers, 'consumer')} but tasks pile up: the converters cannot keep up (a Community converter runs one worker).`,
      ),
    fix: (p) => [`docker exec ${ds(p)} supervisorctl status ds:converter`],
  },
} satisfies Record<string, CauseDefinition>;

export type CauseId = keyof typeof CAUSES;
export const CAUSE_ORDER = Object.keys(CAUSES) as CauseId[];

function certFix(p: Params, t: Pick): string[] {
  const target = String(p.target ?? '');
  const host = target.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const lines = /:\d+$/.test(target)
    ? [
        `openssl s_client -connect ${target} -servername ${host} -showcerts </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -dates -ext subjectAltName`,
      ]
    : [`openssl x509 -noout -subject -issuer -dates -in ${target}`];
  return [
    ...lines,
    t(
      '# 更新 /var/www/onlyoffice/Data/certs/ 中的证书（onlyoffice.crt 或 tls.crt，含中间证书）后重启：',
      '# renew the certificate in /var/www/onlyoffice/Data/certs/ (onlyoffice.crt or tls.crt, with intermediates), then restart:',
    ),
    `docker restart ${ds(p)}${or(t, 'systemctl reload nginx')}`,
  ];
}

/** ConvertService error codes (ONLYOFFICE/server Common/sources/utils.js `mapAscServerErrorToOldError`, v7.1.1.76 and v9.3.1.11), or how the probe itself ended. */
function conversionWhy(code: number, outcome: string, lang: 'zh-CN' | 'en'): string {
  const zh = lang === 'zh-CN';
  switch (outcome) {
    case 'timeout':
      return zh
        ? '在超时之前没有完成：任务在队列中等待（转换器没有运行或过慢），或 RabbitMQ 不可用时停在 0%。'
        : 'it did not finish before the timeout: the task waits in the queue (no converter, or too slow), or stays at 0% while RabbitMQ is unreachable.';
    case 'request_failed':
      return zh
        ? 'ConvertService 没有响应（docservice 不可用）。'
        : 'ConvertService did not answer (docservice is down).';
    case 'result_fetch_failed':
      return zh
        ? '转换完成，但取回结果文件（nginx 的 /cache/files，secure_link）失败。'
        : 'the conversion finished but fetching the result (nginx /cache/files, secure_link) failed.';
    case 'result_url_refused':
      return zh
        ? '转换完成，但结果地址不在 documentserver.url 或 public_url 的源上，没有去取：响应被伪造或 DS 被篡改（日志中有该地址的源）。'
        : 'the conversion finished but the result URL is not on the origin of documentserver.url or public_url, so it was not fetched: a spoofed answer or a tampered DS (the log names its origin).';
    case 'source_failed':
      return zh
        ? '导出器无法提供源文件（conversion_probe.source_listen / source_base_url）。'
        : 'the exporter could not serve the source file (conversion_probe.source_listen / source_base_url).';
  }
  switch (code) {
    case -1:
      return zh
        ? '未知错误，常见于存储或数据库（PostgreSQL）不可用。'
        : 'unknown error, usually storage or the database (PostgreSQL).';
    case -2:
      return zh
        ? '转换超时，或任务在队列中等待超过 900 秒进入死信（转换器没有运行）。'
        : 'conversion timeout, or the task waited 900 s in the queue and was dead-lettered (no converter running).';
    case -3:
      return zh
        ? '转换出错：x2t 缺失、崩溃，或文件损坏。'
        : 'conversion error: x2t missing or crashing, or a corrupt file.';
    case -4:
      return zh
        ? '下载源文件失败：DS 访问不到源文件地址（9.x 未签名请求禁止访问私有 IP，需要 JWT 或 ALLOW_PRIVATE_IP_ADDRESS=true）。'
        : 'downloading the source failed: DS cannot reach the source URL (9.x refuses private IPs for unsigned requests: JWT or ALLOW_PRIVATE_IP_ADDRESS=true).';
    case -6:
      return zh ? '任务队列或任务结果数据库出错。' : 'task queue or task-result database error.';
    case -8:
    case -20:
    case -21:
      return zh ? 'JWT 令牌无效或过期：密钥不一致。' : 'invalid or expired JWT: the secrets differ.';
    case 0:
      return zh
        ? '在超时之前没有完成（转换器没有运行或过慢）。'
        : 'it did not finish before the timeout (no converter running, or too slow).';
    default:
      return zh ? `DS 返回错误 ${code}。` : `DS answered error ${code}.`;
  }
}
