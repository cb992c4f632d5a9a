/**
 * The words every other doctor file builds on: the hops and their verdicts. Their own file so that messages.ts (which
 * names them) and model.ts (which uses messages.ts' finding codes) need not import each other.
 */

/** skipped: not configured; unknown: the check could not run (its collector failed, or a hop before it is down). */
export type Verdict = 'ok' | 'warn' | 'fail' | 'unknown' | 'skipped';

/** The hops of a request, from the user's side inwards, then what they run on. */
export const HOP_IDS = [
  'proxy',
  'docservice',
  'healthcheck',
  'jwt',
  'websocket',
  'rabbitmq',
  'postgresql',
  'redis',
  'converter',
  'certificates',
  'disk',
  'backups',
  'containers',
  'supervisor',
] as const;
export type HopId = (typeof HOP_IDS)[number];
