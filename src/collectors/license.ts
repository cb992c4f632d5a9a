import { dsCommand, dsInfoJson, describeHttp } from '../documentserver/client.js';
import {
  licenseFromCommand,
  licenseFromInfo,
  licenseModeName,
  licenseStatusName,
  packageTypeName,
  usageFromInfo,
  type LicenseFacts,
} from '../documentserver/model.js';
import { emit, emitValue, gaugeFamily, type Emitter } from '../metrics/family.js';
import type { CollectorDefinition } from './types.js';

const CONNECTIONS = gaugeFamily(
  'onlyoffice_connections',
  'Current connections by mode, from info.json quota (view counts live viewers, 7.2+).',
  ['mode'],
);
const CONNECTIONS_STAT = gaugeFamily(
  'onlyoffice_connections_stat',
  'Connections over a past period as DocumentServer sampled them every 2 minutes (info.json connectionsStat).',
  ['mode', 'period', 'stat'],
);
const USERS = gaugeFamily(
  'onlyoffice_users',
  'Users counted against a user-based license this period (0 with a connection-based license).',
  ['mode', 'kind'],
);
const LICENSE_INFO = gaugeFamily(
  'onlyoffice_license_info',
  "Always 1; the license as labels: status is DS's license check result by name (Success, Expired, Connections, ...) and status_code its raw number (DS's licenseInfo.type, 3 = Success), mode, package type, where it was read.",
  ['status', 'status_code', 'mode', 'package_type', 'has_license', 'source'],
);
const CONNECTIONS_LIMIT = gaugeFamily(
  'onlyoffice_license_connections_limit',
  'Connections the license allows, by mode (0 with a user-based license).',
  ['mode'],
);
const USERS_LIMIT = gaugeFamily(
  'onlyoffice_license_users_limit',
  'Users the license allows, by mode (0 with a connection-based license).',
  ['mode'],
);
const EXPIRY = gaugeFamily(
  'onlyoffice_license_expiry_timestamp_seconds',
  'When the license ends (absent when it has no end date).',
);

/**
 * License limits and current usage from /info/info.json. Through DS's nginx, /info/ is allowed to
 * 127.0.0.1 only (403 for everyone else); the license then comes from CommandService `license`
 * and only the usage figures, which nothing else gives, are missing.
 */
const license: CollectorDefinition = {
  name: 'license',
  scopes: ['metrics', 'probe'],
  runs: 'scrape',
  create: () => ({
    async collect(ctx) {
      const info = await dsInfoJson(ctx);
      const infoJson = info.json;
      let facts = infoJson ? licenseFromInfo(infoJson) : undefined;
      if (!facts) {
        const command = await dsCommand(ctx, 'direct', 'license');
        facts = command.answer?.error === 0 ? licenseFromCommand(command.answer) : undefined;
        if (!facts) {
          const why = command.answer ? `CommandService error ${command.answer.error}` : describeHttp(command.http);
          throw new Error(`no license from info.json (${describeHttp(info.http)}) or CommandService (${why})`);
        }
      }
      exportLicense(ctx, facts);
      if (!infoJson) return;
      const usage = usageFromInfo(infoJson);
      const connections = emit(ctx, CONNECTIONS);
      for (const row of usage.connections) connections.push({ labels: { mode: row.mode }, value: row.value });
      const stat = emit(ctx, CONNECTIONS_STAT);
      for (const row of usage.connectionsStat)
        stat.push({ labels: { mode: row.mode, period: row.period, stat: row.stat }, value: row.value });
      const users = emit(ctx, USERS);
      for (const row of usage.users) users.push({ labels: { mode: row.mode, kind: row.kind }, value: row.value });
    },
  }),
};

function exportLicense(ctx: Emitter, facts: LicenseFacts): void {
  emit(ctx, LICENSE_INFO).push({
    labels: {
      status: licenseStatusName(facts.type),
      status_code: facts.type === undefined ? '' : String(facts.type),
      mode: licenseModeName(facts.mode),
      package_type: packageTypeName(facts.packageType),
      has_license: facts.hasLicense === undefined ? 'unknown' : String(facts.hasLicense),
      source: facts.source,
    },
    value: 1,
  });
  const connections = emit(ctx, CONNECTIONS_LIMIT);
  if (facts.connections !== undefined) connections.push({ labels: { mode: 'edit' }, value: facts.connections });
  if (facts.connectionsView !== undefined) connections.push({ labels: { mode: 'view' }, value: facts.connectionsView });
  const users = emit(ctx, USERS_LIMIT);
  if (facts.usersCount !== undefined) users.push({ labels: { mode: 'edit' }, value: facts.usersCount });
  if (facts.usersViewCount !== undefined) users.push({ labels: { mode: 'view' }, value: facts.usersViewCount });
  if (facts.endTimestamp !== undefined) emitValue(ctx, EXPIRY, facts.endTimestamp);
}

export default license;
