const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Seconds since the epoch from Docker's RFC 3339 times (nanosecond fractions included).
 * Docker writes 0001-01-01T00:00:00Z for "never": that, and anything unparsable, is undefined.
 */
export function dockerTimeSeconds(text: string | undefined): number | undefined {
  const match = text === undefined ? null : RFC3339.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  if (Number(year) <= 1) return undefined;
  let ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    ms -= sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  }
  const seconds = ms / 1000 + (fraction ? Number(`0.${fraction}`) : 0);
  return Number.isFinite(seconds) ? seconds : undefined;
}
