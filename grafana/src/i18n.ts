/**
 * The zh-CN variant of each dashboard: the same panels and queries, with the dashboard, row, panel and column titles
 * in Chinese. Descriptions (the panels' "i" tooltips) stay English. A title without a translation fails the build.
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
  'Supervisor programs': 'Supervisor 进程',
  Programs: '进程',
  'supervisorctl reachable': 'supervisorctl 可连接',
  'Program uptime': '进程运行时长',
  'Docker engine': 'Docker 引擎',
  'Engine API requests': 'Engine API 请求',
  'Since the last resync': '距上次全量同步',
};

function zh(text: string): string {
  const translated = ZH[text];
  if (translated === undefined) throw new Error(`grafana/src/i18n.ts: no zh-CN title for "${text}"`);
  return translated;
}

type Panel = NonNullable<dashboard.Dashboard['panels']>[number];

/**
 * The dashboard in `language`: English as built; zh-CN with its titles translated, its own uid (`<uid>-zh-cn`) and a
 * language tag, so both variants load side by side and the dashboards dropdown stays within one language.
 */
export function localize(built: dashboard.Dashboard, language: Language): dashboard.Dashboard {
  const copy = JSON.parse(JSON.stringify(built)) as dashboard.Dashboard;
  copy.tags = [...(copy.tags ?? []), language];
  for (const link of copy.links ?? []) link.tags = [...(link.tags ?? []), language];
  if (language === 'en') return copy;
  copy.uid = `${copy.uid}-zh-cn`;
  if (copy.title !== undefined) copy.title = zh(copy.title);
  if (copy.description !== undefined) copy.description = zh(copy.description);
  for (const panel of (copy.panels ?? []) as Panel[]) {
    for (const inner of [
      panel,
      ...('panels' in panel && Array.isArray(panel.panels) ? (panel.panels as Panel[]) : []),
    ]) {
      if ('title' in inner && typeof inner.title === 'string') inner.title = zh(inner.title);
      const overrides = 'fieldConfig' in inner ? (inner.fieldConfig?.overrides ?? []) : [];
      for (const override of overrides) {
        for (const property of override.properties)
          if (property.id === 'displayName') property.value = zh(String(property.value));
      }
    }
  }
  return copy;
}
