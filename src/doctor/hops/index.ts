import { backups } from './backups.js';
import { certificates } from './certificates.js';
import { containers } from './containers.js';
import { converter } from './converter.js';
import { dependencyHop } from './dependency.js';
import { disk } from './disk.js';
import { docservice } from './docservice.js';
import { healthcheck } from './healthcheck.js';
import type { HopCheck } from './hop.js';
import { jwt } from './jwt.js';
import { proxy } from './proxy.js';
import { supervisor } from './supervisor.js';
import { websocket } from './websocket.js';

// Every hop, one line each, in the order they are evaluated: a hop that reads another (its `reads`) comes after it.
// The report lists them in HOP_IDS' order (the request's path), whatever this one is.
export const HOPS: readonly HopCheck[] = [
  containers,
  supervisor,
  docservice,
  proxy,
  healthcheck,
  jwt,
  websocket,
  dependencyHop('rabbitmq'),
  dependencyHop('postgresql'),
  dependencyHop('redis'),
  converter,
  certificates,
  disk,
  backups,
];
