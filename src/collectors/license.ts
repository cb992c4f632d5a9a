import { dsCommand, dsGet, describeHttp, parseJsonObject, PATHS } from '../documentserver/client.js';
import {
  licenseFromCommand, licenseFromInfo, licenseModeName, licenseStatusName, packageTypeName, usageFromInfo, type LicenseFacts,
} from '../documentserver/model.js';
import { gauge } from '../metrics/gauge.js';
import type { CollectorDefinition } from './types.js';

/**
 * License limits and current usage from /info/info.json. Through DS's nginx, /info/ is allowed to
 * 127.0.0.1 only (403 for everyone else); the license then comes from CommandService `license`
 * and only the usage figures, which nothing else gives, are missing.
 */
const license: CollectorDefinition = {
  name: 'license',
  scopes: ['metrics', 'probe'],
  create: () => ({
    async collect(ctx) {
      const info = await dsGet(ctx, 'direct', PATHS.info);
      const infoJson = info.ok && info.status === 200 ? parseJsonObject(info.body) : undefined;
      let facts = infoJson ? licenseFromInfo(infoJson) : undefined;
      if (!facts) {
        const command = await dsCommand(ctx, 'direct', 'license');
        facts = command.answer?.error === 0 ? licenseFromCommand(command.answer) : undefined;
        if (!facts) {
          const why = command.answer ? `CommandService error ${command.answer.error}` : describeHttp(command.http);
          throw new Error(`no license from info.json (${describeHttp(info)}) or CommandService (${why})`);
        }
      }
      exportLicense(ctx.registry, facts);
      if (!infoJson) return;
      const usage = usageFromInfo(infoJson);
      const connections = gauge(ctx.registry, 'onlyoffice_connections', 'Current connections by mode, from info.json quota (view counts live viewers, 7.2+).', ['mode']);
      for (const row of usage.connections) connections.set({ mode: row.mode }, row.value);
      const stat = gauge(ctx.registry, 'onlyoffice_connections_stat', 'Connections over a past period as DocumentServer sampled them every 2 minutes (info.json connectionsStat).', ['mode', 'period', 'stat']);
      for (const row of usage.connectionsStat) stat.set({ mode: row.mode, period: row.period, stat: row.stat }, row.value);
      const users = gauge(ctx.registry, 'onlyoffice_users', 'Users counted against a user-based license this period (0 with a connection-based license).', ['mode', 'kind']);
      for (const row of usage.users) users.set({ mode: row.mode, kind: row.kind }, row.value);
    },
  }),
};

function exportLicense(registry: Parameters<typeof gauge>[0], facts: LicenseFacts): void {
  gauge(registry, 'onlyoffice_license_info', 'Always 1; the license as labels: status decoded from the license check result, mode, package type, where it was read.', ['type', 'status', 'mode', 'package_type', 'has_license', 'source'])
    .set({
      type: facts.type === undefined ? '' : String(facts.type),
      status: licenseStatusName(facts.type),
      mode: licenseModeName(facts.mode),
      package_type: packageTypeName(facts.packageType),
      has_license: facts.hasLicense === undefined ? 'unknown' : String(facts.hasLicense),
      source: facts.source,
    }, 1);
  const connections = gauge(registry, 'onlyoffice_license_connections_limit', 'Connections the license allows, by mode (0 with a user-based license).', ['mode']);
  if (facts.connections !== undefined) connections.set({ mode: 'edit' }, facts.connections);
  if (facts.connectionsView !== undefined) connections.set({ mode: 'view' }, facts.connectionsView);
  const users = gauge(registry, 'onlyoffice_license_users_limit', 'Users the license allows, by mode (0 with a connection-based license).', ['mode']);
  if (facts.usersCount !== undefined) users.set({ mode: 'edit' }, facts.usersCount);
  if (facts.usersViewCount !== undefined) users.set({ mode: 'view' }, facts.usersViewCount);
  if (facts.endTimestamp !== undefined) {
    gauge(registry, 'onlyoffice_license_expiry_timestamp_seconds', 'When the license ends (absent when it has no end date).').set(facts.endTimestamp);
  }
}

export default license;
