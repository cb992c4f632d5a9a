import { createHash } from 'node:crypto';
import { storedAnnotation, storedLabelValue } from './render.js';

/** One alert as the notifier keeps it: validated, with null-prototype label and annotation maps. */
export interface Alert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Epoch milliseconds. */
  readonly startsAt: number;
  /** Epoch milliseconds; undefined for a firing alert (Alertmanager sends 0001-01-01 or a future time). */
  readonly endsAt: number | undefined;
  readonly generatorURL: string;
  /** Alertmanager's fingerprint of the label set (computed when a sender leaves it out). */
  readonly fingerprint: string;
  /** Alertmanager's external URL, for silence links. */
  readonly externalURL: string;
}

export interface WebhookPayload {
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly alerts: Alert[];
}

/** A payload Alertmanager would never send; `statusCode` is the 4xx to answer (Alertmanager does not retry 4xx). */
export class PayloadError extends Error {
  constructor(
    message: string,
    readonly statusCode: 400 | 413 = 400,
  ) {
    super(message);
    this.name = 'PayloadError';
  }
}

const MAX_LABELS = 256;
const MAX_NAME_LENGTH = 1024;
const STATUSES = new Set(['firing', 'resolved']);

/**
 * Validates Alertmanager's webhook payload, version 4 (alertmanager notify/webhook): the fields this
 * notifier uses are checked; others (groupLabels, commonLabels, routeLabels, ...) are ignored.
 */
export function parseWebhookPayload(raw: unknown, maxAlerts: number): WebhookPayload {
  const root = object(raw, 'payload');
  if (root.version !== '4')
    throw new PayloadError(`version: expected "4" (Alertmanager webhook payload), got ${describe(root.version)}`);
  const status = oneOf(root.status, 'status');
  const receiver = optionalString(root.receiver, 'receiver');
  const groupKey = optionalString(root.groupKey, 'groupKey');
  const externalURL = optionalString(root.externalURL, 'externalURL');
  const truncatedAlerts = root.truncatedAlerts === undefined ? 0 : root.truncatedAlerts;
  if (typeof truncatedAlerts !== 'number' || !Number.isInteger(truncatedAlerts) || truncatedAlerts < 0) {
    throw new PayloadError(`truncatedAlerts: expected a non-negative integer, got ${describe(truncatedAlerts)}`);
  }
  if (!Array.isArray(root.alerts)) throw new PayloadError(`alerts: expected an array, got ${describe(root.alerts)}`);
  if (root.alerts.length === 0) throw new PayloadError('alerts: is empty');
  if (root.alerts.length > maxAlerts) {
    throw new PayloadError(
      `alerts: ${root.alerts.length} alerts, more than notify.queue.max_alerts (${maxAlerts}); set max_alerts in Alertmanager's webhook_config`,
      413,
    );
  }
  const alerts = root.alerts.map((item, index) => parseAlert(item, `alerts[${index}]`, externalURL));
  return { status, receiver, groupKey, truncatedAlerts, alerts };
}

function parseAlert(raw: unknown, path: string, externalURL: string): Alert {
  const alert = object(raw, path);
  const status = oneOf(alert.status, `${path}.status`);
  const labels = stringMap(alert.labels, `${path}.labels`, true);
  const annotations: Record<string, string> =
    alert.annotations === undefined || alert.annotations === null
      ? nullMap()
      : stringMap(alert.annotations, `${path}.annotations`, false);
  const startsAt = time(alert.startsAt, `${path}.startsAt`);
  const endsRaw = alert.endsAt === undefined ? undefined : time(alert.endsAt, `${path}.endsAt`);
  // Firing alerts carry the zero time (year 1) or a future resolve timeout: neither is an end.
  const endsAt = status === 'resolved' && endsRaw !== undefined && endsRaw > 0 ? endsRaw : undefined;
  const generatorURL = optionalString(alert.generatorURL, `${path}.generatorURL`);
  let fingerprint = optionalString(alert.fingerprint, `${path}.fingerprint`);
  if (fingerprint.length > 128) throw new PayloadError(`${path}.fingerprint: longer than 128 characters`);
  if (fingerprint === '') fingerprint = fingerprintOf(labels);
  // Only what a message can show is kept (after the fingerprint, which is of the whole label set).
  for (const name of Object.keys(labels)) labels[name] = storedLabelValue(labels[name]!);
  for (const name of Object.keys(annotations)) annotations[name] = storedAnnotation(annotations[name]!);
  return { status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint, externalURL };
}

/**
 * What an alert is counted as in notify.queue.max_bytes: 2 bytes per UTF-16 code unit of its label and annotation
 * names and values, generatorURL and fingerprint, plus 256 for the rest (objects, times, shared externalURL).
 */
export function alertBytes(alert: Alert): number {
  let units = alert.generatorURL.length + alert.fingerprint.length;
  for (const map of [alert.labels, alert.annotations]) {
    for (const [name, value] of Object.entries(map)) units += name.length + value.length;
  }
  return 2 * units + 256;
}

/** A stable identity for a label set, for senders that leave out Alertmanager's fingerprint. */
export function fingerprintOf(labels: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(labels).sort()) hash.update(`${name}\u0000${labels[name]}\u0000`);
  return `sha256:${hash.digest('hex').slice(0, 32)}`;
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new PayloadError(`${path}: expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function oneOf(value: unknown, path: string): 'firing' | 'resolved' {
  if (typeof value !== 'string' || !STATUSES.has(value))
    throw new PayloadError(`${path}: expected "firing" or "resolved", got ${describe(value)}`);
  return value as 'firing' | 'resolved';
}

function optionalString(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new PayloadError(`${path}: expected a string, got ${describe(value)}`);
  return value;
}

function nullMap(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

// Copied into a null-prototype object: a "__proto__" label stays a label and touches no prototype.
function stringMap(value: unknown, path: string, needOne: boolean): Record<string, string> {
  const source = object(value, path);
  const keys = Object.keys(source);
  if (needOne && keys.length === 0) throw new PayloadError(`${path}: is empty`);
  if (keys.length > MAX_LABELS) throw new PayloadError(`${path}: more than ${MAX_LABELS} entries`);
  const out = nullMap();
  for (const key of keys) {
    if (key === '' || key.length > MAX_NAME_LENGTH)
      throw new PayloadError(`${path}: a name is empty or longer than ${MAX_NAME_LENGTH} characters`);
    const item = source[key];
    if (typeof item !== 'string')
      throw new PayloadError(`${path}.${clip(key)}: expected a string, got ${describe(item)}`);
    out[key] = item;
  }
  return out;
}

function time(value: unknown, path: string): number {
  // RFC 3339 as Alertmanager writes it (Go time.Time); Date.parse alone would take "1" or "May 1".
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new PayloadError(`${path}: expected an RFC 3339 time, got ${describe(value)}`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new PayloadError(`${path}: expected an RFC 3339 time, got ${describe(value)}`);
  return ms;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(clip(value));
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${clip(String(value))}`;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
