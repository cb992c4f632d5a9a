import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { DockerConfig } from '../config/sections/docker.js';
import { ApiCounter } from './api.js';
import { engineConnection } from './connection.js';
import { containerMatcher } from './glob.js';
import { loadDockerode } from './load-dockerode.js';
import { ContainerView } from './view.js';

/** One Engine API client and one container view, shared by the docker and supervisor collectors. */
export interface DockerEngine {
  readonly docker: Docker;
  readonly api: ApiCounter;
  readonly view: ContainerView;
  readonly endpoint: string;
  readonly timeoutMs: number;
}

interface Shared {
  engine: DockerEngine;
  refs: number;
}

const shared = new Map<string, Shared>();

// dockerode costs resident memory: loaded only when a configuration watches Docker. It is CommonJS, so
// require() keeps acquireEngine synchronous.
let DockerClient: typeof Docker | undefined;

export interface EngineLease {
  readonly engine: DockerEngine;
  /** Drops this holder's reference; the last one closes the view. Idempotent. */
  release(): Promise<void>;
}

/**
 * Both collectors ask for the engine; they get the same view (one events stream, one resync schedule) when
 * their settings agree. A reload that builds collectors before closing the old ones keeps the view warm.
 */
export function acquireEngine(
  config: DockerConfig,
  logger: Logger,
  env: Record<string, string | undefined> = process.env,
): EngineLease {
  const connection = engineConnection(config, env);
  const key = JSON.stringify([
    connection.endpoint,
    config.containers,
    config.images,
    config.resync_interval,
    config.timeout,
  ]);
  let entry = shared.get(key);
  if (entry === undefined) {
    DockerClient ??= loadDockerode();
    const docker = connection.options ? new DockerClient(connection.options) : new DockerClient();
    const api = new ApiCounter();
    const view = new ContainerView({
      docker,
      api,
      match: containerMatcher(config.containers, config.images),
      endpoint: connection.endpoint,
      resyncMs: config.resync_interval,
      timeoutMs: config.timeout,
      logger: logger.child({ component: 'docker-view' }),
    });
    entry = { engine: { docker, api, view, endpoint: connection.endpoint, timeoutMs: config.timeout }, refs: 0 };
    shared.set(key, entry);
    view.start();
  }
  entry.refs += 1;
  const held = entry;
  let released = false;
  return {
    engine: held.engine,
    async release() {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs > 0) return;
      if (shared.get(key) === held) shared.delete(key);
      await held.engine.view.close();
    },
  };
}
