import { BUILD_INFO_METRICS } from '../../collectors/build_info.js';
import { DEPENDENCY_METRICS } from '../../collectors/dependencies.js';
import dockerCollector, { CONTAINER_METRICS } from '../../collectors/docker.js';
import endpointsCollector, { ENDPOINT_METRICS } from '../../collectors/endpoints.js';
import supervisorCollector, { SUPERVISOR_METRICS } from '../../collectors/supervisor.js';
import type { Config } from '../../config/schema.js';
import { compareStrings } from '../../lib/compare.js';
import { redactText, redactUrl } from '../../lib/redact.js';
import type { HopId, Params } from '../model.js';
import { SampleSet, type Sample } from '../samples.js';
import { formatMs } from './format.js';

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

export type DependencyName = 'rabbitmq' | 'postgresql' | 'redis';
export interface Dependency {
  dependency: string;
  address: string;
  up: number;
  seconds: number;
}
export interface Container {
  name: string;
  state: string;
  image: string;
}
export interface Endpoint {
  up: number;
  status: number;
  seconds: number;
}

/**
 * What several hops need, computed from the samples before any hop runs: which containers run, whether supervisor
 * knows docservice down, the dependencies, whether docservice is down (and which hop explains it), DS's version.
 */
export interface HopContext {
  readonly samples: SampleSet;
  readonly config: Config;
  readonly options: DiagnoseOptions;
  readonly now: number;
  /** The DocumentServer diagnosed: documentserver, or a fleet target's own settings. */
  readonly ds: Config['documentserver'];
  /** documentserver.url and public_url, redacted. */
  readonly direct: string;
  readonly pub: string | undefined;
  /** documentserver.timeout as written in findings (`5s`). */
  readonly timeout: string;
  /** The containers docker reports, by name; none when it is not configured or failed. */
  readonly containers: readonly Container[];
  /** The DS container (by name, or by image for one started without --name) is not running. */
  readonly dsContainerDown: boolean;
  /** Supervisor reports ds:docservice (or ds-docservice) not running. */
  readonly supervisorDocserviceDown: boolean;
  /** The protocol-level checks of each dependency. */
  readonly deps: Readonly<Record<DependencyName, readonly Dependency[]>>;
  /**
   * What the fixes of dependency causes carry: PostgreSQL's and Redis' host and port, the address each dependency was
   * checked at (`rabbitmq_address` ...), the DS container's name, and the containers RabbitMQ, PostgreSQL and Redis run in when they have their own (ONLYOFFICE's compose file).
   */
  readonly depParams: Params;
  /** `{ ds: name }` when the DS container is known, for the fixes of other causes; else empty. */
  readonly dsParam: Params;
  /** docservice gave no answer directly: every hop behind it is judged by that. */
  readonly docserviceDown: boolean;
  /** The hop that explains docservice being down (its container, supervisor), if known. */
  readonly docserviceBecause: HopId | undefined;
  /** DS's version and build (`8.3.3.23`), '' when unknown. */
  readonly version: string;
  /** A dependency down by its own check. */
  checkedDown(name: DependencyName): boolean;
  /** Down by its own check, or its container (ONLYOFFICE's compose names) is not running. */
  depDown(name: DependencyName): boolean;
  /** Why a collector (or a part of one) failed, redacted, as `{ error }`; {} when the scrape did not say. */
  errorOf(key: string): Params;
  /** One endpoint's check, undefined when it did not run. */
  endpoint(name: string, via: 'direct' | 'public'): Endpoint | undefined;
}

const DS_CONTAINER = /documentserver/;
/** The all-in-one DS images (docker.images' defaults), any registry host: a DS container found by its image. */
const DS_IMAGE = /(^|\/)onlyoffice\/documentserver(-ee|-de)?(:|@|$)/;
const DEP_CONTAINER = { rabbitmq: /rabbitmq/, postgresql: /postgres/, redis: /redis/ } as const;

export function contextOf(samples: readonly Sample[], config: Config, options: DiagnoseOptions): HopContext {
  const s = new SampleSet(samples);
  const ds = config.documentserver;
  const direct = redactUrl(ds.url);
  const endpoint = (name: string, via: 'direct' | 'public'): Endpoint | undefined => {
    const labels = { endpoint: name, via };
    const up = s.one(ENDPOINT_METRICS.up, labels);
    if (up === undefined) return undefined;
    return {
      up,
      status: s.one(ENDPOINT_METRICS.statusCode, labels) ?? 0,
      seconds: s.one(ENDPOINT_METRICS.duration, labels) ?? 0,
    };
  };
  const containers = containersOf(s);
  const deps = {
    rabbitmq: dependencies(s, /^(rabbitmq|amqp)$/),
    postgresql: dependencies(s, /^(postgresql|postgres)$/),
    redis: dependencies(s, /^redis$/),
  };
  const checkedDown = (name: DependencyName) => deps[name].some((d) => d.up === 0);
  // By name, or by image for a DS started without --name (a random name): its fixes then carry that name.
  const isDs = (c: Container) => DS_CONTAINER.test(c.name) || DS_IMAGE.test(c.image);
  // Or the container the supervisor check execs into (docker.supervisor): only DS containers run supervisor.
  const dsContainer =
    dsContainerOf(containers.filter(isDs), ds.url) ??
    s
      .all(SUPERVISOR_METRICS.up)
      .map((x) => x.labels.container ?? '')
      .find((c) => c !== '');
  const dsContainerDown = containers.some((c) => isDs(c) && c.state !== 'running');
  const supervisorDocserviceDown = supervisorKnowsDocserviceDown(s);
  const docservice = docserviceState(s, endpoint, dsContainerDown, supervisorDocserviceDown);
  const build = s.all(BUILD_INFO_METRICS.info)[0];
  return {
    samples: s,
    config,
    options,
    now: options.now ?? Date.now(),
    ds,
    direct,
    pub: ds.public_url === undefined ? undefined : redactUrl(ds.public_url),
    timeout: formatMs(ds.timeout),
    containers,
    dsContainerDown,
    supervisorDocserviceDown,
    deps,
    depParams: dependencyParams(
      deps,
      dsContainer,
      containers.filter((c) => !isDs(c)),
    ),
    dsParam: dsContainer === undefined ? {} : { ds: dsContainer },
    docserviceDown: docservice.down,
    docserviceBecause: docservice.because,
    version: build ? `${build.labels.version}.${build.labels.build}` : '',
    checkedDown,
    depDown: (name) =>
      checkedDown(name) || containers.some((c) => DEP_CONTAINER[name].test(c.name) && c.state !== 'running'),
    errorOf: (key): Params => {
      const error = options.errors?.get(key);
      return error === undefined ? {} : { error: redactText(error) };
    },
    endpoint,
  };
}

/**
 * Of several DS containers, the one the fixes go to: named as documentserver.url's host (a compose service name), else
 * the first running, else the first (by name).
 */
function dsContainerOf(candidates: readonly Container[], url: string): string | undefined {
  let host: string | undefined;
  try {
    host = new URL(url).hostname;
  } catch {
    host = undefined;
  }
  return (candidates.find((c) => c.name === host) ?? candidates.find((c) => c.state === 'running') ?? candidates[0])
    ?.name;
}

function dependencies(s: SampleSet, name: RegExp): Dependency[] {
  return s.all(DEPENDENCY_METRICS.up, { dependency: name }).map((x) => ({
    dependency: x.labels.dependency ?? '',
    address: x.labels.address ?? '',
    up: x.value,
    seconds:
      s.one(DEPENDENCY_METRICS.duration, { dependency: x.labels.dependency!, address: x.labels.address ?? '' }) ?? 0,
  }));
}

function dependencyParams(
  deps: HopContext['deps'],
  dsContainer: string | undefined,
  others: readonly Container[],
): Params {
  const params: Params = {};
  const pg = deps.postgresql[0]?.address.match(/^(.*):(\d+)$/);
  if (pg) Object.assign(params, { pg_host: pg[1]!.replace(/^\[|\]$/g, ''), pg_port: pg[2]! });
  const rd = deps.redis[0]?.address.match(/^(.*):(\d+)$/);
  if (rd) Object.assign(params, { redis_host: rd[1]!.replace(/^\[|\]$/g, ''), redis_port: rd[2]! });
  if (dsContainer !== undefined) params.ds = dsContainer;
  // The address each check used: the fixes run inside DS only when it is loopback or the DS container's name.
  for (const name of ['rabbitmq', 'postgresql', 'redis'] as const) {
    const address = deps[name][0]?.address;
    if (address !== undefined && address !== '') params[`${name}_address`] = address;
  }
  // RabbitMQ, PostgreSQL, Redis in containers of their own (ONLYOFFICE's compose file): their fixes exec there.
  for (const name of ['rabbitmq', 'postgresql', 'redis'] as const) {
    const own = others.find((c) => DEP_CONTAINER[name].test(c.name))?.name;
    if (own !== undefined) params[`${name}_container`] = own;
  }
  return params;
}

/** The containers the docker collector reports, by name: none when it failed or is not configured. */
function containersOf(s: SampleSet): Container[] {
  if (s.collector(dockerCollector.name) === 0) return [];
  const states = s.stateSet(CONTAINER_METRICS.state, ['name'], 'state');
  return [...states.values()]
    .sort((a, b) => compareStrings(a.labels.name!, b.labels.name!))
    .map(({ labels, state }) => ({
      name: labels.name!,
      state,
      image: s.all(CONTAINER_METRICS.info, { name: labels.name! })[0]?.labels.image ?? '',
    }));
}

/** True when supervisor reports ds:docservice (or ds-docservice) neither running nor starting. */
function supervisorKnowsDocserviceDown(s: SampleSet): boolean {
  if (s.collector(supervisorCollector.name) === 0) return false;
  if (s.collector(supervisorCollector.name) === undefined && s.all(SUPERVISOR_METRICS.up).length === 0) return false;
  return [...s.stateSet(SUPERVISOR_METRICS.processState, ['container', 'program'], 'state').values()].some(
    ({ labels, state }) => /docservice/.test(labels.program ?? '') && state !== 'RUNNING' && state !== 'STARTING',
  );
}

/**
 * docservice is down when neither /index.html nor /healthcheck gave its answer directly and /index.html got no HTTP
 * answer (or a 5xx): any other status is something else at that address. A stopped DS container or supervisor program
 * explains it.
 */
function docserviceState(
  s: SampleSet,
  endpoint: HopContext['endpoint'],
  dsContainerDown: boolean,
  supervisorDown: boolean,
): { down: boolean; because: HopId | undefined } {
  const index = endpoint('index', 'direct');
  if (
    s.collector(endpointsCollector.name) === 0 ||
    index === undefined ||
    index.up === 1 ||
    endpoint('healthcheck', 'direct')?.up === 1
  )
    return { down: false, because: undefined };
  if (index.status !== 0 && index.status < 500) return { down: false, because: undefined };
  return { down: true, because: dsContainerDown ? 'containers' : supervisorDown ? 'supervisor' : undefined };
}
