import type { Config } from '../config/schema.js';
import { compareStrings } from '../lib/compare.js';
import { redactText, redactUrl } from '../lib/redact.js';
import { CAUSE_ORDER, type CauseId } from './causes.js';
import type { FindingCode } from './messages.js';
import { HOP_IDS, worst, type Diagnosis, type Hop, type HopId, type Params, type Verdict } from './model.js';
import { SampleSet, type Sample } from './samples.js';
import { DOCTOR_THRESHOLDS } from './thresholds.js';

export interface DiagnoseOptions {
  /** Epoch ms the samples were taken (certificate days left). */
  now?: number;
  /** How long gathering the samples took. */
  seconds?: number;
  /**
   * Why checks failed, by collector (`rabbitmq_queues`) or collector and part (`rabbitmq_queues/management`,
   * `dependencies/postgresql 127.0.0.1:5432`): shown with the findings, redacted.
   */
  errors?: ReadonlyMap<string, string>;
  /** Only these hops: a fleet target is seen through /probe, which knows nothing of its containers, disks or queues. */
  hops?: readonly HopId[];
  /** The key that would configure the public URL (a fleet target's own, `probe.targets.N.public_url`). */
  publicUrlKey?: string;
  /** The key of the JWT settings (a fleet target's own, `probe.targets.N.jwt`), named in the JWT causes' fixes. */
  jwtKey?: string;
  /** The fleet target's name, shown beside its URL. */
  name?: string;
}

/** Below this share of free space a file system fails; below WARN_FREE it warns (the alert rules' disk thresholds). */
const FAIL_FREE = (100 - DOCTOR_THRESHOLDS.diskUsedFailPercent) / 100;
const WARN_FREE = (100 - DOCTOR_THRESHOLDS.diskUsedWarnPercent) / 100;
/** Below this share of free inodes a file system fails (where OnlyofficeDocsFilesystemAlmostOutOfFiles starts warning). */
const INODES_FAIL_FREE = 0.05;
const CERT_WARN_DAYS = DOCTOR_THRESHOLDS.certWarnDays;
const CERT_FAIL_DAYS = DOCTOR_THRESHOLDS.certFailDays;
const BACKLOG_WARN = DOCTOR_THRESHOLDS.backlogWarn;
const CORE_PROGRAM = /docservice|converter/;
const DS_CONTAINER = /documentserver/;
/** The all-in-one DS images (docker.images' defaults), any registry host: a DS container found by its image. */
const DS_IMAGE = /(^|\/)onlyoffice\/documentserver(-ee|-de)?(:|@|$)/;
const DEP_CONTAINER = { rabbitmq: /rabbitmq/, postgresql: /postgres/, redis: /redis/ } as const;

/**
 * Reads one scrape's samples (the same series /metrics shows) as a chain of hops, each OK / WARN / FAIL /
 * UNKNOWN / SKIPPED with what was seen and, for failures, the most likely cause. It runs no check itself.
 */
export function diagnose(samples: readonly Sample[], config: Config, options: DiagnoseOptions = {}): Diagnosis {
  const s = new SampleSet(samples);
  const now = options.now ?? Date.now();
  const hops = new Map<HopId, Hop>(HOP_IDS.map((id) => [id, { id, verdict: 'skipped', findings: [], causes: [] }]));
  const hop = (id: HopId) => hops.get(id)!;
  const note = (id: HopId, code: FindingCode, params: Params = {}) => hop(id).findings.push({ code, params });
  const cause = (id: HopId, causeId: CauseId, params: Params = {}, warnOnly = false) => hop(id).causes.push({ id: causeId, params, ...(warnOnly ? { warnOnly } : {}) });
  const set = (id: HopId, verdict: Verdict) => (hop(id).verdict = worst([hop(id).verdict === 'skipped' ? 'ok' : hop(id).verdict, verdict]));
  const errorOf = (key: string): Params => {
    const error = options.errors?.get(key);
    return error === undefined ? {} : { error: redactText(error) };
  };
  const failedCollector = (id: HopId, collector: string, causeId: CauseId = 'check_failed') => {
    set(id, 'unknown');
    note(id, 'collector_failed', { collector, ...errorOf(collector) });
    cause(id, causeId, { collector, ...errorOf(collector) });
  };

  const ds = config.documentserver;
  const direct = redactUrl(ds.url);
  const pub = ds.public_url === undefined ? undefined : redactUrl(ds.public_url);
  const timeout = formatMs(ds.timeout);

  const endpoint = (name: string, via: 'direct' | 'public') => {
    const labels = { endpoint: name, via };
    const up = s.one('onlyoffice_endpoint_up', labels);
    if (up === undefined) return undefined;
    return { up, status: s.one('onlyoffice_endpoint_status_code', labels) ?? 0, seconds: s.one('onlyoffice_endpoint_duration_seconds', labels) ?? 0 };
  };
  const describe = (id: HopId, name: string, path: string, via: 'direct' | 'public', url: string) => {
    const e = endpoint(name, via);
    if (!e) return undefined;
    const params = { url, path, status: e.status, seconds: round(e.seconds) };
    if (name === 'api_js' && e.up === 1) note(id, 'static_file', params);
    else if (e.status === 0 && e.up !== 1) note(id, 'no_http_answer', { ...params, ...errorOf(`endpoints/${name} ${via}`) });
    else note(id, e.up === 1 ? 'ds_answer' : 'not_ds_answer', params);
    return e;
  };

  // Containers and supervisor first: the DocumentServer hops point at them when they are the reason.
  const containers = containerHop();
  const supervisorDown = supervisorHop();

  // Dependencies (protocol-level checks), used by several hops.
  const deps = {
    rabbitmq: dependency(s, /^(rabbitmq|amqp)$/),
    postgresql: dependency(s, /^(postgresql|postgres)$/),
    redis: dependency(s, /^redis$/),
  };
  const checkedDown = (name: keyof typeof deps) => deps[name].some((d) => d.up === 0);
  // Down by its own check, or its container (ONLYOFFICE's compose names) is not running.
  const depDown = (name: keyof typeof deps) => checkedDown(name) || containers.some((c) => DEP_CONTAINER[name].test(c.name) && c.state !== 'running');
  const depParams: Params = {};
  const pg = deps.postgresql[0]?.address.match(/^(.*):(\d+)$/);
  if (pg) Object.assign(depParams, { pg_host: pg[1]!.replace(/^\[|\]$/g, ''), pg_port: pg[2]! });
  const rd = deps.redis[0]?.address.match(/^(.*):(\d+)$/);
  if (rd) Object.assign(depParams, { redis_host: rd[1]!.replace(/^\[|\]$/g, ''), redis_port: rd[2]! });

  // By name, or by image for a DS started without --name (a random name): its fixes then carry that name.
  const isDs = (c: { name: string; image: string }) => DS_CONTAINER.test(c.name) || DS_IMAGE.test(c.image);
  const dsContainer = containers.find(isDs)?.name;
  if (dsContainer !== undefined) depParams.ds = dsContainer;
  const dsContainerDown = containers.some((c) => isDs(c) && c.state !== 'running');

  // docservice, directly.
  let docserviceDown = false;
  if (s.collector('endpoints') === 0) {
    failedCollector('docservice', 'endpoints');
  } else {
    const index = describe('docservice', 'index', '/index.html', 'direct', direct);
    const health = describe('docservice', 'healthcheck', '/healthcheck', 'direct', direct);
    // docservice itself does not serve api.js: only worth a line when DS's nginx answered it.
    if (endpoint('api_js', 'direct')?.up === 1) describe('docservice', 'api_js', '/web-apps/apps/api/documents/api.js', 'direct', direct);
    if (index?.up === 1 || health?.up === 1) {
      set('docservice', 'ok');
    } else if (index !== undefined) {
      set('docservice', 'fail');
      docserviceDown = true;
      const answered = index.status !== 0 && index.status < 500;
      if (answered) {
        docserviceDown = false;
        cause('docservice', 'wrong_target', { url: direct, status: index.status });
      } else if (dsContainerDown) {
        hop('docservice').because = 'containers';
      } else if (supervisorDown) {
        hop('docservice').because = 'supervisor';
      } else {
        if (depDown('postgresql')) cause('docservice', 'postgres_crash', depParams);
        if (depDown('rabbitmq')) cause('docservice', 'rabbitmq_unreachable_at_start', depParams);
        if (hop('docservice').causes.length === 0) cause('docservice', 'docservice_down', depParams);
      }
    }
  }

  // The public URL, through the reverse proxy.
  if (pub === undefined) {
    note('proxy', 'not_configured', { key: options.publicUrlKey ?? 'documentserver.public_url' });
  } else if (s.collector('endpoints') === 0) {
    failedCollector('proxy', 'endpoints');
  } else {
    const health = describe('proxy', 'healthcheck', '/healthcheck', 'public', pub);
    const index = describe('proxy', 'index', '/index.html', 'public', pub);
    describe('proxy', 'api_js', '/web-apps/apps/api/documents/api.js', 'public', pub);
    if (health !== undefined) {
      // A /healthcheck that hangs directly hangs through the proxy too: then the proxy is judged by /index.html.
      const directHang = endpoint('healthcheck', 'direct')?.status === 0 && endpoint('index', 'direct')?.up === 1;
      if ((health.up === 1 || (directHang && health.status === 0)) && (index?.up ?? 1) === 1) {
        set('proxy', 'ok');
      } else {
        set('proxy', 'fail');
        const url = new URL(ds.public_url!);
        const status = health.up === 1 ? index!.status : health.status;
        if (docserviceDown) hop('proxy').because = 'docservice';
        else if (status === 0) cause('proxy', 'proxy_down', { url: pub, failure: 'no HTTP answer', host: url.hostname, hostport: `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}` });
        else if (status === 502 || status === 503 || status === 504) cause('proxy', 'proxy_bad_gateway', { url: pub, status, direct });
        else cause('proxy', 'proxy_wrong_site', { url: pub, status });
      }
    }
  }

  // /healthcheck: DS's own view of its dependencies.
  const healthUp = s.one('onlyoffice_healthcheck_up');
  if (s.collector('healthcheck') === 0) {
    failedCollector('healthcheck', 'healthcheck');
  } else if (healthUp !== undefined) {
    const seconds = round(s.one('onlyoffice_healthcheck_duration_seconds') ?? 0);
    const status = endpoint('healthcheck', 'direct')?.status;
    if (healthUp === 1) {
      set('healthcheck', 'ok');
      note('healthcheck', 'healthcheck_true', { seconds });
    } else if (docserviceDown || hop('docservice').because !== undefined) {
      set('healthcheck', 'fail');
      note('healthcheck', 'healthcheck_no_answer', { seconds });
      hop('healthcheck').because = 'docservice';
    } else {
      set('healthcheck', 'fail');
      // DS answers 200 true/false at once; no HTTP answer while docservice answers /index.html is a hang.
      const hang = status === 0 || seconds >= (ds.timeout / 1000) * 0.9;
      note('healthcheck', hang ? 'healthcheck_hang' : 'healthcheck_false', { seconds, timeout });
      if (depDown('rabbitmq')) cause('healthcheck', hang ? 'rabbitmq_frozen' : 'rabbitmq_down', depParams);
      if (depDown('postgresql')) cause('healthcheck', hang ? 'postgres_frozen' : 'postgres_down', depParams);
      if (!hang && depDown('redis')) cause('healthcheck', 'redis_down', depParams);
      // A dependency that is down is the hop to fix; /healthcheck only reports it.
      const culprit = (['rabbitmq', 'postgresql', 'redis'] as const).find((d) => checkedDown(d) && (d !== 'redis' || !hang));
      if (culprit !== undefined) hop('healthcheck').because = culprit;
      if (hop('healthcheck').causes.length === 0) {
        const storage = storageProblem();
        if (!hang && storage) cause('healthcheck', 'storage_not_writable', storage);
        else cause('healthcheck', hang ? 'healthcheck_hang' : 'healthcheck_false', { ...depParams, timeout });
      }
    }
  }

  // CommandService (version), JWT-signed when a secret is configured.
  const answer = s.all('onlyoffice_command_error', { command: 'version' }).find((x) => x.value === 1);
  if (answer === undefined && (docserviceDown || hop('docservice').because !== undefined)) {
    set('jwt', 'unknown');
    note('jwt', 'because_hop', { hop: 'docservice' });
    hop('jwt').because = 'docservice';
  } else if (s.collector('commands') === 0) {
    failedCollector('jwt', 'commands');
  } else {
    if (answer !== undefined) {
      const code = Number(answer.labels.code);
      if (code === 0) {
        set('jwt', 'ok');
        const build = s.all('onlyoffice_build_info')[0];
        note('jwt', 'command_ok', { version: build ? `${build.labels.version}.${build.labels.build}` : '', signed: ds.jwt ? 1 : 0 });
      } else {
        set('jwt', 'fail');
        note('jwt', 'command_error', { code, reason: answer.labels.reason ?? '' });
        const jwtParams = options.jwtKey === undefined ? depParams : { ...depParams, jwt_key: options.jwtKey };
        if (code === 6) cause('jwt', ds.jwt ? 'jwt_mismatch' : 'jwt_required', jwtParams);
        else if (code === 7) cause('jwt', 'jwt_expired');
        else cause('jwt', 'command_failed', { ...depParams, code, reason: answer.labels.reason ?? '' });
      }
    }
  }

  // The co-editing channel: the WebSocket editors hold, directly and through the proxy, and DS's verdict on their token.
  const WS_PATH = '/doc/ (WebSocket)';
  const wsDirect = endpoint('websocket', 'direct');
  if (s.collector('endpoints') === 0) {
    failedCollector('websocket', 'endpoints');
  } else if (wsDirect !== undefined) {
    describe('websocket', 'websocket', WS_PATH, 'direct', direct);
    const wsPublic = pub === undefined ? undefined : describe('websocket', 'websocket', WS_PATH, 'public', pub);
    if (docserviceDown || hop('docservice').because !== undefined) {
      set('websocket', 'unknown');
      hop('websocket').because = 'docservice';
    } else if (wsDirect.up === 0) {
      set('websocket', 'fail');
      cause('websocket', 'websocket_down', { ...depParams, url: direct, status: wsDirect.status });
    } else if (wsPublic !== undefined && wsPublic.up === 0) {
      set('websocket', 'fail');
      // A proxy that fails every request is the proxy hop's failure; one that refuses only the upgrade is this one.
      if (hop('proxy').verdict === 'fail') hop('websocket').because = 'proxy';
      else cause('websocket', 'proxy_no_websocket_upgrade', { url: pub!, status: wsPublic.status });
    } else {
      set('websocket', 'ok');
    }
    if (s.collector('websocket') === 0) {
      failedCollector('websocket', 'websocket');
    } else {
      for (const [via, url] of [['direct', direct], ['public', pub]] as const) {
        if (url === undefined) continue;
        const accepted = s.one('onlyoffice_websocket_auth_up', { via });
        if (accepted === 1) note('websocket', 'ws_token_accepted', { url });
        if (accepted !== 0) continue;
        const error = s.all('onlyoffice_websocket_auth_error', { via })[0];
        const params = { url, code: error?.labels.code ?? '', reason: error?.labels.reason ?? '' };
        note('websocket', 'ws_token_refused', params);
        set('websocket', 'fail');
        // Signed with the inbox secret CommandService already refuses: one cause, the JWT hop's.
        if (ds.jwt?.browser_secret === undefined && hop('jwt').causes.some((c) => c.id === 'jwt_mismatch')) hop('websocket').because = 'jwt';
        else if (!hop('websocket').causes.some((c) => c.id === 'editor_token_rejected')) {
          cause('websocket', 'editor_token_rejected', { ...depParams, ...params });
        }
      }
    }
  }

  // RabbitMQ, PostgreSQL, Redis at the protocol level.
  const healthHang = hop('healthcheck').findings.some((f) => f.code === 'healthcheck_hang');
  for (const name of ['rabbitmq', 'postgresql', 'redis'] as const) {
    if (s.collector('dependencies') === 0) {
      failedCollector(name, 'dependencies');
      continue;
    }
    if (deps[name].length === 0) {
      note(name, 'not_configured', { key: `dependencies.${name}` });
      continue;
    }
    for (const d of deps[name]) {
      const why = d.up === 1 ? {} : errorOf(`dependencies/${d.dependency} ${d.address}`);
      note(name, d.up === 1 ? 'dependency_up' : 'dependency_down', { address: d.address, seconds: round(d.seconds), ...why });
      if (d.up === 1) {
        set(name, 'ok');
      } else if (hop('healthcheck').verdict === 'ok') {
        // DS passes its own check without it: Community ignores Redis; otherwise DS uses another address.
        set(name, 'warn');
        if (name === 'redis') cause(name, 'redis_down', { ...depParams, address: d.address }, true);
        else cause(name, 'dependency_unreachable', { dependency: name, address: d.address }, true);
      } else {
        set(name, 'fail');
        const id: CauseId = name === 'rabbitmq' ? (healthHang ? 'rabbitmq_frozen' : 'rabbitmq_down')
          : name === 'postgresql' ? (healthHang ? 'postgres_frozen' : 'postgres_down') : 'redis_down';
        cause(name, id, { ...depParams, address: d.address });
      }
    }
  }

  converterHop();
  certificateHop();
  diskHop();
  backupsHop();

  // Hops whose every failure is explained by another hop do not add causes of their own.
  const ordered = HOP_IDS.filter((id) => options.hops === undefined || options.hops.includes(id)).map((id) => hop(id));
  const causes: Diagnosis['causes'] = [];
  const seen = new Set<string>();
  for (const h of ordered) {
    if (h.because !== undefined || (h.verdict !== 'fail' && h.verdict !== 'warn' && h.verdict !== 'unknown')) continue;
    for (const c of h.causes) {
      const key = `${c.id}${JSON.stringify(c.params)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const { warnOnly, ...ref } = c;
      causes.push({ ...ref, hop: h.id, severity: h.verdict === 'warn' || warnOnly === true ? 'warn' : 'fail' });
    }
  }
  causes.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'fail' ? -1 : 1) || CAUSE_ORDER.indexOf(a.id) - CAUSE_ORDER.indexOf(b.id));

  return {
    verdict: worst(ordered.map((h) => h.verdict)),
    target: direct,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(pub !== undefined ? { publicUrl: pub } : {}),
    checkedAt: new Date(now).toISOString(),
    seconds: round(options.seconds ?? 0),
    hops: ordered,
    causes,
  };

  function containerHop(): { name: string; state: string; image: string }[] {
    if (s.collector('docker') === 0) {
      failedCollector('containers', 'docker', 'docker_unreachable');
      return [];
    }
    const states = s.stateSet('onlyoffice_container_state', ['name'], 'state');
    if (s.collector('docker') === undefined && states.size === 0) {
      note('containers', 'not_configured', { key: 'docker' });
      return [];
    }
    if (states.size === 0) {
      note('containers', 'no_containers');
      return [];
    }
    const health = s.stateSet('onlyoffice_container_health', ['name'], 'status');
    const list: { name: string; state: string; image: string }[] = [];
    for (const { labels, state } of [...states.values()].sort((a, b) => compareStrings(a.labels.name!, b.labels.name!))) {
      const name = labels.name!;
      const status = health.get(JSON.stringify({ name }))?.state ?? 'none';
      const restarts = s.one('onlyoffice_container_restarts', { name }) ?? 0;
      const exitCode = s.one('onlyoffice_container_exit_code', { name });
      list.push({ name, state, image: s.all('onlyoffice_container_info', { name })[0]?.labels.image ?? '' });
      note('containers', 'container', { name, state, health: status, restarts });
      if (state === 'running') {
        set('containers', status === 'unhealthy' ? 'fail' : status === 'starting' ? 'warn' : 'ok');
        if (status === 'unhealthy') cause('containers', 'container_unhealthy', { name });
      } else if (state === 'restarting') {
        set('containers', 'fail');
        cause('containers', 'container_restarting', { name, restarts });
      } else if (state === 'paused') {
        set('containers', 'fail');
        cause('containers', 'container_paused', { name });
      } else {
        set('containers', 'fail');
        if (s.one('onlyoffice_container_oom_killed', { name }) === 1) cause('containers', 'container_oom', { name });
        else cause('containers', 'container_down', { name, state, ...(exitCode !== undefined ? { exit_code: exitCode } : {}) });
      }
    }
    return list;
  }

  /** True when ds:docservice (or ds-docservice) is known not to be running. */
  function supervisorHop(): boolean {
    if (s.collector('supervisor') === 0) {
      failedCollector('supervisor', 'supervisor');
      return false;
    }
    const reached = s.all('onlyoffice_supervisor_up');
    if (s.collector('supervisor') === undefined && reached.length === 0) {
      note('supervisor', 'not_configured', { key: 'docker.supervisor / supervisor.host_systemd_units' });
      return false;
    }
    let docserviceDown = false;
    for (const r of reached) {
      const container = r.labels.container ?? '';
      if (r.value === 0) {
        const containerState = s.stateSet('onlyoffice_container_state', ['name'], 'state').get(JSON.stringify({ name: container }))?.state;
        note('supervisor', 'supervisor_unreachable', { container });
        if (containerState !== undefined && containerState !== 'running') {
          hop('supervisor').because ??= 'containers';
          set('supervisor', 'fail');
        } else {
          set('supervisor', 'unknown');
        }
      }
    }
    const programs = [...s.stateSet('onlyoffice_supervisor_process_state', ['container', 'program'], 'state').values()]
      .sort((a, b) => compareStrings(`${a.labels.container}${a.labels.program}`, `${b.labels.container}${b.labels.program}`));
    for (const { labels, state } of programs) {
      const params = { container: labels.container ?? '', program: labels.program ?? '', state };
      note('supervisor', 'program', params);
      const core = CORE_PROGRAM.test(params.program);
      if (state === 'RUNNING' || (!core && (state === 'STOPPED' || state === 'STOPPING'))) {
        set('supervisor', 'ok');
      } else if (core && state !== 'STARTING') {
        set('supervisor', 'fail');
        cause('supervisor', 'supervisor_program_down', params);
        if (/docservice/.test(params.program)) docserviceDown = true;
      } else {
        set('supervisor', 'warn');
        cause('supervisor', 'supervisor_program_down', params, true);
      }
    }
    if (hop('supervisor').findings.length === 0) note('supervisor', 'no_data_yet');
    return docserviceDown;
  }

  function converterHop(): void {
    // The queue collector succeeds with `onlyoffice_rabbitmq_up 0` (and no queue) when none of its sources answered:
    // the doctor says the same, with each source's reason, rather than that the collector failed.
    const sources = s.all('onlyoffice_rabbitmq_up');
    const sourcesDown = sources.length > 0 && sources.every((x) => x.value === 0);
    const failed = ['rabbitmq_queues', 'conversion_probe'].find((c) => s.collector(c) === 0);
    const queues = new Map<string, { ready: number; consumers: number }>();
    for (const c of s.all('onlyoffice_rabbitmq_queue_consumers', { queue: /^ds\.converttask\d*$/ })) {
      const ready = s.one('onlyoffice_rabbitmq_queue_messages_ready', { queue: c.labels.queue!, vhost: c.labels.vhost ?? '' }) ?? 0;
      queues.set(`${c.labels.vhost ?? ''} ${c.labels.queue}`, { ready, consumers: c.value });
    }
    const probe = s.one('onlyoffice_conversion_probe_success');
    if (failed !== undefined) {
      if (depDown('rabbitmq') && failed !== 'conversion_probe') {
        set('converter', 'unknown');
        note('converter', 'because_hop', { hop: 'rabbitmq' });
        hop('converter').because = 'rabbitmq';
      } else {
        failedCollector('converter', failed);
      }
    }
    if (sourcesDown && failed === undefined) {
      if (depDown('rabbitmq')) {
        set('converter', 'unknown');
        note('converter', 'because_hop', { hop: 'rabbitmq' });
        hop('converter').because = 'rabbitmq';
      } else {
        set('converter', 'unknown');
        const names = sources.map((x) => x.labels.source ?? '').sort();
        for (const source of names) note('converter', 'source_failed', { source, ...errorOf(`rabbitmq_queues/${source}`) });
        const first = names.map((source) => errorOf(`rabbitmq_queues/${source}`)).find((e) => e.error !== undefined) ?? {};
        cause('converter', 'rabbitmq_source_failed', { sources: names.join(', '), ...first });
      }
    }
    if (queues.size === 0 && probe === undefined) {
      if (failed === undefined && !sourcesDown) note('converter', 'not_configured', { key: 'rabbitmq / conversion_probe' });
      return;
    }
    // After an upgrade to 8.3+ the old ds.converttask may linger with nobody on it: ignore it when another one is consumed.
    const consumed = [...queues.values()].some((q) => q.consumers > 0);
    for (const [key, q] of [...queues.entries()].sort()) {
      const queue = key.split(' ')[1]!;
      note('converter', 'queue', { queue, ready: q.ready, consumers: q.consumers });
      if (q.consumers === 0 && !(consumed && q.ready === 0)) {
        set('converter', 'fail');
        cause('converter', 'converter_down', { ...depParams, queue, ready: q.ready });
      } else if (q.ready > BACKLOG_WARN) {
        set('converter', 'warn');
        cause('converter', 'queue_backlog', { ...depParams, queue, ready: q.ready, consumers: q.consumers }, true);
      } else {
        set('converter', 'ok');
      }
    }
    if (probe === 1) {
      set('converter', 'ok');
      note('converter', 'probe_ok', { seconds: round(s.one('onlyoffice_conversion_probe_duration_seconds') ?? 0) });
    } else if (probe === 0) {
      const code = s.one('onlyoffice_conversion_probe_error_code') ?? 0;
      const outcome = s.all('onlyoffice_conversion_probe_outcome').find((x) => x.value === 1)?.labels.outcome ?? 'error_code';
      set('converter', 'fail');
      note('converter', 'probe_failed', { code, outcome });
      cause('converter', 'conversion_failed', { ...depParams, code, outcome });
      // A conversion fails when anything before it does: then that is the hop to fix.
      const jwtRejected = hop('jwt').causes.some((c) => c.id === 'jwt_mismatch' || c.id === 'jwt_required') && [-8, -20, -21].includes(code);
      if (hop('converter').because === undefined) {
        const upstream: HopId | undefined = docserviceDown || hop('docservice').because !== undefined ? 'docservice'
          : jwtRejected ? 'jwt'
          : checkedDown('rabbitmq') ? 'rabbitmq'
          : checkedDown('postgresql') ? 'postgresql'
          : undefined;
        if (upstream !== undefined) hop('converter').because = upstream;
      }
    }
  }

  function certificateHop(): void {
    const failed = ['tls_endpoints', 'tls_files'].filter((c) => s.collector(c) === 0);
    for (const collector of failed) failedCollector('certificates', collector);
    const targets = new Set(s.all('onlyoffice_tls_up').map((x) => x.labels.target ?? ''));
    const files = new Set(s.all('onlyoffice_tls_cert_file_readable').map((x) => x.labels.path ?? ''));
    if (targets.size === 0 && files.size === 0) {
      if (failed.length === 0) note('certificates', 'not_configured', { key: 'tls.endpoints / tls.files' });
      return;
    }
    const expiry = (target: string, notAfter: number | undefined): boolean => {
      if (notAfter === undefined) return false;
      const date = new Date(notAfter * 1000).toISOString().slice(0, 10);
      const days = Math.floor((notAfter * 1000 - now) / 86_400_000);
      if (notAfter * 1000 <= now) {
        set('certificates', 'fail');
        note('certificates', 'cert_problem', { target, problem: 'expired', date });
        cause('certificates', 'cert_expired', { target, date });
        return true;
      }
      note('certificates', 'cert_ok', { target, date, days });
      if (days < CERT_WARN_DAYS) {
        set('certificates', days < CERT_FAIL_DAYS ? 'fail' : 'warn');
        cause('certificates', 'cert_expiring', { target, date, days }, days >= CERT_FAIL_DAYS);
      } else {
        set('certificates', 'ok');
      }
      return false;
    };
    const problem = (target: string, metric: string, labels: Record<string, string>, kind: string, id: CauseId) => {
      if (s.one(metric, labels) !== 0) return;
      set('certificates', 'fail');
      note('certificates', 'cert_problem', { target, problem: kind, ...(kind === 'unreachable' ? errorOf(`tls_endpoints/${target}`) : {}) });
      cause('certificates', id, { target, path: target });
    };
    for (const target of [...targets].sort()) {
      if (s.one('onlyoffice_tls_up', { target }) === 0) {
        problem(target, 'onlyoffice_tls_up', { target }, 'unreachable', 'tls_handshake_failed');
        continue;
      }
      const expired = expiry(target, minOf(s.all('onlyoffice_tls_cert_not_after_timestamp_seconds', { target })));
      problem(target, 'onlyoffice_tls_cert_hostname_match', { target }, 'hostname', 'cert_hostname_mismatch');
      if (!expired && s.one('onlyoffice_tls_cert_hostname_match', { target }) !== 0) {
        problem(target, 'onlyoffice_tls_cert_verified', { target }, 'untrusted', 'cert_untrusted');
      }
      problem(target, 'onlyoffice_tls_cert_chain_complete', { target }, 'chain_incomplete', 'cert_chain_incomplete');
    }
    for (const path of [...files].sort()) {
      if (s.one('onlyoffice_tls_cert_file_readable', { path }) === 0) {
        problem(path, 'onlyoffice_tls_cert_file_readable', { path }, 'unreadable', 'cert_file_unreadable');
        continue;
      }
      // The .key beside a certificate only reports readability.
      if (s.one('onlyoffice_tls_cert_file_not_after_timestamp_seconds', { path }) === undefined) continue;
      expiry(path, s.one('onlyoffice_tls_cert_file_not_after_timestamp_seconds', { path }));
      problem(path, 'onlyoffice_tls_cert_file_key_match', { path }, 'key_mismatch', 'cert_key_mismatch');
      problem(path, 'onlyoffice_tls_cert_file_chain_complete', { path }, 'chain_incomplete', 'cert_chain_incomplete');
    }
  }

  function diskHop(): void {
    if (s.collector('disk') === 0) {
      failedCollector('disk', 'disk');
      return;
    }
    const paths = [...new Set(s.all('onlyoffice_filesystem_device_error').map((x) => x.labels.path ?? ''))].sort();
    if (paths.length === 0) {
      note('disk', 'not_configured', { key: 'disk.paths' });
      return;
    }
    for (const path of paths) {
      const fs = filesystem(s, path);
      if (fs.error) {
        set('disk', 'fail');
        note('disk', 'fs_problem', { path, problem: 'error' });
        cause('disk', 'disk_error', { path });
        continue;
      }
      if (fs.readonly) {
        set('disk', 'fail');
        note('disk', 'fs_problem', { path, problem: 'readonly' });
        cause('disk', 'disk_readonly', { path });
      }
      note('disk', 'fs', { path, mountpoint: fs.mountpoint, percent: percent(fs.free), ipercent: percent(fs.inodesFree) });
      if (fs.free !== undefined && fs.free < WARN_FREE) {
        set('disk', fs.free < FAIL_FREE ? 'fail' : 'warn');
        cause('disk', 'disk_full', { path, percent: percent(fs.free) }, fs.free >= FAIL_FREE);
      } else if (fs.inodesFree !== undefined && fs.inodesFree < INODES_FAIL_FREE) {
        set('disk', 'fail');
        cause('disk', 'inodes_low', { path, percent: percent(fs.inodesFree) });
      } else if (!fs.readonly) {
        set('disk', 'ok');
      }
    }
  }

  /** Each backup's newest file against the max_age and min_size the collector exports beside it. */
  function backupsHop(): void {
    if (config.backups.length === 0) {
      note('backups', 'not_configured', { key: 'backups' });
      return;
    }
    if (s.collector('backups') === 0) {
      failedCollector('backups', 'backups');
      return;
    }
    for (const backup of config.backups) {
      const labels = { name: backup.name };
      const where = { name: backup.name, path: backup.path, dir: backup.path.slice(0, backup.path.lastIndexOf('/')) || '/' };
      const files = s.one('onlyoffice_backup_files', labels) ?? 0;
      const last = s.one('onlyoffice_backup_last_timestamp_seconds', labels);
      const size = s.one('onlyoffice_backup_size_bytes', labels) ?? 0;
      if (files === 0 || last === undefined) {
        set('backups', 'warn');
        note('backups', 'backup_none', where);
        cause('backups', 'backup_missing', where);
        continue;
      }
      const age = Math.max(0, now / 1000 - last);
      note('backups', 'backup', { ...where, files, size: formatBytes(size), ...ageParams('age', age) });
      let fine = true;
      if (age > backup.max_age / 1000) {
        fine = false;
        set('backups', 'warn');
        cause('backups', 'backup_stale', { ...where, ...ageParams('age', age), ...ageParams('limit', backup.max_age / 1000) });
      }
      if (size < backup.min_size) {
        fine = false;
        set('backups', 'warn');
        cause('backups', 'backup_too_small', { ...where, size: formatBytes(size), min: formatBytes(backup.min_size) });
      }
      if (fine) set('backups', 'ok');
    }
  }

  /** A read-only or full DS data file system, which makes 7.1–8.0's healthcheck storage write fail. */
  function storageProblem(): Params | undefined {
    for (const path of new Set(s.all('onlyoffice_filesystem_device_error').map((x) => x.labels.path ?? ''))) {
      const fs = filesystem(s, path);
      if (fs.error) continue;
      if (fs.readonly) return { path, problem: 'read-only' };
      if (fs.free !== undefined && fs.free < 0.001) return { path, problem: 'full' };
    }
    return undefined;
  }
}

function dependency(s: SampleSet, name: RegExp): { dependency: string; address: string; up: number; seconds: number }[] {
  return s.all('onlyoffice_dependency_up', { dependency: name }).map((x) => ({
    dependency: x.labels.dependency ?? '',
    address: x.labels.address ?? '',
    up: x.value,
    seconds: s.one('onlyoffice_dependency_duration_seconds', { dependency: x.labels.dependency!, address: x.labels.address ?? '' }) ?? 0,
  }));
}

function filesystem(s: SampleSet, path: string) {
  const get = (metric: string) => s.one(`onlyoffice_filesystem_${metric}`, { path });
  const size = get('size_bytes');
  const avail = get('avail_bytes');
  const files = get('files');
  const filesFree = get('files_free');
  return {
    error: get('device_error') === 1,
    readonly: get('readonly') === 1,
    mountpoint: s.all('onlyoffice_filesystem_size_bytes', { path })[0]?.labels.mountpoint ?? '?',
    free: size !== undefined && avail !== undefined && size > 0 ? avail / size : undefined,
    inodesFree: files !== undefined && filesFree !== undefined && files > 0 ? filesFree / files : undefined,
  };
}

function minOf(samples: Sample[]): number | undefined {
  return samples.length === 0 ? undefined : Math.min(...samples.map((x) => x.value));
}

function percent(share: number | undefined): number | string {
  return share === undefined ? '?' : Math.floor(share * 1000) / 10;
}

/** An age in the unit a reader wants: minutes under 2 hours, hours under 3 days, else days; both languages. */
function ageParams(key: string, seconds: number): Params {
  const [value, zh, en] = seconds < 7200 ? [Math.round(seconds / 60), '分钟', 'min'] : seconds < 3 * 86400 ? [Math.round(seconds / 3600), '小时', 'h'] : [Math.round(seconds / 86400), '天', 'days'];
  return { [`${key}_zh`]: `${value} ${zh}`, [`${key}_en`]: `${value} ${en}` };
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
