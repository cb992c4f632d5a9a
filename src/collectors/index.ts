import buildInfo from './build_info.js';
import commands from './commands.js';
import docker from './docker.js';
import endpoints from './endpoints.js';
import healthcheck from './healthcheck.js';
import license from './license.js';
import supervisor from './supervisor.js';
import disk from './disk.js';
import tlsEndpoints from './tls_endpoints.js';
import tlsFiles from './tls_files.js';
import dependencies from './dependencies.js';
import statsd from './statsd.js';
import rabbitmqQueues from './rabbitmq_queues.js';
import conversionProbe from './conversion_probe.js';
import backups from './backups.js';
import websocket from './websocket.js';
import type { CollectorDefinition } from './types.js';

// Every collector, one line each. A collector is one file exporting a CollectorDefinition.
export const collectorDefinitions: readonly CollectorDefinition[] = [
  healthcheck,
  endpoints,
  websocket,
  buildInfo,
  commands,
  license,
  docker,
  supervisor,
  disk,
  tlsEndpoints,
  tlsFiles,
  dependencies,
  statsd,
  rabbitmqQueues,
  conversionProbe,
  backups,
];
