import { existsSync } from 'node:fs';
import type { DockerOptions } from 'dockerode';
import type { DockerConfig } from '../config/sections/docker.js';
import { redactUrl } from '../lib/redact.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface EngineConnection {
  /** undefined: let dockerode read DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) itself. */
  options: DockerOptions | undefined;
  /** Where the engine is, fit for logs (no credentials). */
  endpoint: string;
}

type Env = Record<string, string | undefined>;

/** docker.socket, else DOCKER_HOST, else the default socket. */
export function engineConnection(config: DockerConfig, env: Env = process.env): EngineConnection {
  if (config.socket !== undefined)
    return { options: { socketPath: config.socket }, endpoint: `unix://${config.socket}` };
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    if (host.startsWith('unix://')) return { options: { socketPath: host.slice('unix://'.length) }, endpoint: host };
    return { options: undefined, endpoint: redactUrl(host) };
  }
  return { options: { socketPath: DEFAULT_SOCKET }, endpoint: `unix://${DEFAULT_SOCKET}` };
}

/** `enabled: auto` turns the Docker part on only where an engine is plausibly there to watch. */
export function dockerEnabled(config: DockerConfig, env: Env = process.env, socketExists = existsSync): boolean {
  if (config.enabled !== 'auto') return config.enabled;
  if (config.socket !== undefined || (env.DOCKER_HOST ?? '').trim() !== '') return true;
  return socketExists(DEFAULT_SOCKET);
}
