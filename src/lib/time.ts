/**
 * Times as people read them everywhere (robot messages, the daily report, the status page, the doctor): in one
 * configured zone (notify.timezone), with the offset written out so nobody has to guess which zone it is.
 */
const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** "2024-05-01 20:34:56 UTC+08:00" in `timeZone`. */
export function formatTime(ms: number, timeZone: string): string {
  let format = timeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    timeFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, 'UTC');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset === 'UTC' ? 'UTC+00:00' : offset}`;
}
