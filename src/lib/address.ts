import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port` (IPv6 in brackets). Returns an error message instead of throwing. */
export function parseHostPort(text: string): HostPort | string {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]@]+):(\d{1,5})$/.exec(text.trim());
  if (!match) return `"${text}" is not host:port, e.g. 127.0.0.1:5432 or [::1]:443`;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return `port ${match[2]} in "${text}" is not between 1 and 65535`;
  const bracketed = match[1]!.startsWith('[');
  const host = match[1]!.replace(/^\[|\]$/g, '');
  if (bracketed && isIP(host) !== 6) return `"${host}" in brackets is not an IPv6 address`;
  return { host, port };
}

/** `host:port` as a label: IPv6 in brackets again. */
export function formatHostPort({ host, port }: HostPort): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
