// What DS's answers mean, per version: /info/info.json (ONLYOFFICE/server DocService/sources/DocsCoServer.js
// `licenseInfo`, v7.1.1.76 to v9.0.4.54; DocService/sources/routes/info.js from v9.1.0.188) and CommandService
// (DocsCoServer.js `commandFromServer`; error codes in Common/sources/commondefines.js `c_oAscServerCommandErrors`).
// Answers of live 7.1 and 7.5 servers: test/fixtures/docservice/real-docservice/.

export interface BuildVersion {
  version: string;
  build: string;
}

/** CommandService `version`: "7.1.1.76" = buildVersion "7.1.1" + "." + buildNumber 76. */
export function versionFromCommand(text: unknown): BuildVersion | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d+\.\d+\.\d+)\.(\w+)$/.exec(text.trim());
  return match ? { version: match[1]!, build: match[2]! } : undefined;
}

/** /index.html: "Server is functioning normally. Version: 7.1.1. Build: 76. Release date: ..." */
export function versionFromIndex(text: string): BuildVersion | undefined {
  const match = /Version: (\d+(?:\.\d+)*)\. Build: (\w+)\./.exec(text);
  return match ? { version: match[1]!, build: match[2]! } : undefined;
}

export const INDEX_GREETING = 'Server is functioning normally.';

// ONLYOFFICE/server Common/sources/constants.js: LICENSE_RESULT (1-11 at v7.1.1.76; 12-16 added in 8.x, same at
// v9.3.1.11) and PACKAGE_TYPE_OS/_I/_D. licenseInfo.type and the license command's server.resultType are this number.
const LICENSE_RESULT: Record<number, string> = {
  1: 'Error',
  2: 'Expired',
  3: 'Success',
  4: 'UnknownUser',
  5: 'Connections',
  6: 'ExpiredTrial',
  7: 'SuccessLimit',
  8: 'UsersCount',
  9: 'ConnectionsOS',
  10: 'UsersCountOS',
  11: 'ExpiredLimited',
  12: 'ConnectionsLiveOS',
  13: 'ConnectionsLive',
  14: 'UsersViewCount',
  15: 'UsersViewCountOS',
  16: 'NotBefore',
};
const PACKAGE_TYPE: Record<number, string> = { 0: 'open_source', 1: 'enterprise', 2: 'developer' };

export function licenseStatusName(type: number | undefined): string {
  return type === undefined ? 'unknown' : (LICENSE_RESULT[type] ?? `unknown_${type}`);
}

export function packageTypeName(type: number | undefined): string {
  return type === undefined ? 'unknown' : (PACKAGE_TYPE[type] ?? `unknown_${type}`);
}

/** License mode bit flags: 1 Trial, 2 Developer, 4 Limited; 0 is "none". */
export function licenseModeName(mode: number | undefined): string {
  if (mode === undefined) return 'unknown';
  const names = [
    [1, 'trial'],
    [2, 'developer'],
    [4, 'limited'],
  ]
    .filter(([bit]) => (mode & (bit as number)) !== 0)
    .map(([, name]) => name);
  return names.length === 0 ? 'none' : names.join(',');
}

/** The license and usage facts the exporter reports, whichever DS answer they came from. */
export interface LicenseFacts {
  source: 'info_json' | 'command';
  type?: number;
  mode?: number;
  packageType?: number;
  hasLicense?: boolean;
  connections?: number;
  connectionsView?: number;
  usersCount?: number;
  usersViewCount?: number;
  /** Epoch seconds; undefined when the license has no end date. */
  endTimestamp?: number;
}

export interface UsageFacts {
  /** connectionsStat rows: period hour/day/week/month[/year], mode edit/view/liveview, stat min/avg/max. */
  connectionsStat: { period: string; mode: string; stat: string; value: number }[];
  /** Current connections from quota: edit, and (7.2+) view (DS counts live viewers there). */
  connections: { mode: string; value: number }[];
  users: { mode: string; kind: string; value: number }[];
}

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const obj = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function timestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** licenseInfo from /info/info.json (same keys 7.1 - 9.x, 7.2 adds the view limits). */
export function licenseFromInfo(info: Record<string, unknown>): LicenseFacts | undefined {
  const license = obj(info.licenseInfo);
  if (!license) return undefined;
  return {
    source: 'info_json',
    type: num(license.type),
    mode: num(license.mode),
    packageType: num(license.packageType),
    hasLicense: typeof license.hasLicense === 'boolean' ? license.hasLicense : undefined,
    connections: num(license.connections),
    connectionsView: num(license.connectionsView),
    usersCount: num(license.usersCount),
    usersViewCount: num(license.usersViewCount),
    endTimestamp: timestamp(license.endDate),
  };
}

/** CommandService `license`: the license file (or derived keys) plus server.resultType/packageType. */
export function licenseFromCommand(answer: Record<string, unknown>): LicenseFacts | undefined {
  const license = obj(answer.license);
  const server = obj(answer.server);
  if (!license || !server) return undefined;
  let mode = 0;
  if (license.trial === true) mode |= 1;
  if (license.developer === true) mode |= 2;
  if (license.timelimited === true) mode |= 4;
  const packageType = num(server.packageType);
  return {
    source: 'command',
    type: num(server.resultType),
    mode,
    packageType,
    // The open-source build derives its answer without a license file (packageType 0).
    hasLicense: packageType === undefined ? undefined : packageType !== 0,
    connections: num(license.connections),
    connectionsView: num(license.connections_view),
    usersCount: num(license.users_count),
    usersViewCount: num(license.users_view_count),
    endTimestamp: timestamp(license.end_date),
  };
}

export function usageFromInfo(info: Record<string, unknown>): UsageFacts {
  const usage: UsageFacts = { connectionsStat: [], connections: [], users: [] };
  for (const [period, modes] of Object.entries(obj(info.connectionsStat) ?? {})) {
    for (const [mode, stats] of Object.entries(obj(modes) ?? {})) {
      const row = obj(stats) ?? {};
      // DS spells the average "avr".
      for (const [key, stat] of [
        ['min', 'min'],
        ['avr', 'avg'],
        ['max', 'max'],
      ] as const) {
        const value = num(row[key]);
        if (value !== undefined) usage.connectionsStat.push({ period, mode, stat, value });
      }
    }
  }
  const quota = obj(info.quota) ?? {};
  if ('editorConnectionsCount' in quota) {
    // 7.1 shape
    push(usage.connections, { mode: 'edit' }, quota.editorConnectionsCount);
    push(usage.users, { mode: 'edit', kind: 'unique' }, quota.uniqueUserCount);
    push(usage.users, { mode: 'edit', kind: 'anonymous' }, quota.anonymousUserCount);
  } else {
    for (const mode of ['edit', 'view']) {
      const part = obj(quota[mode]);
      if (!part) continue;
      push(usage.connections, { mode }, part.connectionsCount);
      const users = obj(part.usersCount) ?? {};
      push(usage.users, { mode, kind: 'unique' }, users.unique);
      push(usage.users, { mode, kind: 'anonymous' }, users.anonymous);
    }
  }
  return usage;
}

function push<L extends object>(rows: (L & { value: number })[], labels: L, value: unknown): void {
  const n = num(value);
  if (n !== undefined) rows.push({ ...labels, value: n });
}

export function buildFromInfo(info: Record<string, unknown>): BuildVersion | undefined {
  const server = obj(info.serverInfo);
  if (!server || typeof server.buildVersion !== 'string') return undefined;
  const build = server.buildNumber;
  return typeof build === 'number' || typeof build === 'string'
    ? { version: server.buildVersion, build: String(build) }
    : undefined;
}

/** CommandService error codes (Common/sources/commondefines.js c_oAscServerCommandErrors). */
const COMMAND_ERRORS: Record<number, string> = {
  0: 'none',
  1: 'document_id',
  2: 'parse',
  3: 'unknown',
  4: 'not_modified',
  5: 'unknown_command',
  6: 'token',
  7: 'token_expired',
};

export function commandErrorReason(code: number): string {
  return COMMAND_ERRORS[code] ?? 'other';
}

/**
 * Whether an answer means the DS version implements the command. 5 (UnknownCommand) is the generic "no".
 * getForgottenList came in 7.5 (the Docs API changelog, "Version 7.5"; ONLYOFFICE/server
 * DocService/sources/DocsCoServer.js has no such command at v7.1.1.76; the first 7.5 build is not pinned). 7.1.1.76
 * answers it, sent without a key, with 1 DocumentIdError
 * (test/fixtures/docservice/real-docservice/nojwt_command_getForgottenList.json). So with the version known,
 * getForgottenList is supported from 7.5 whatever the code (a 1 there is a real error) and not before; with it unknown,
 * a 1 is read as 7.1's "no such command".
 */
export function commandSupported(command: string, code: number, version?: BuildVersion): boolean {
  if (code === 5) return false;
  if (command !== 'getForgottenList') return true;
  const match = version ? /^(\d+)\.(\d+)/.exec(version.version) : null;
  if (!match) return code !== 1;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 7 || (major === 7 && minor >= 5);
}
