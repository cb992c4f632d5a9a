import type { Params } from '../model.js';

/** Seconds to the millisecond, as the findings show them. */
export function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export function percent(share: number | undefined): number | string {
  return share === undefined ? '?' : Math.floor(share * 1000) / 10;
}

export function minOf(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : Math.min(...values);
}

/** An age in the unit a reader wants: minutes under 2 hours, hours under 3 days, else days; both languages. */
export function ageParams(key: string, seconds: number): Params {
  const [value, zh, en] =
    seconds < 7200
      ? [Math.round(seconds / 60), '分钟', 'min']
      : seconds < 3 * 86400
        ? [Math.round(seconds / 3600), '小时', 'h']
        : [Math.round(seconds / 86400), '天', 'days'];
  return { [`${key}_zh`]: `${value} ${zh}`, [`${key}_en`]: `${value} ${en}` };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
