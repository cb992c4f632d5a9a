/** StatsD metric types: counter, gauge, timing (ms), histogram and distribution (unitless), set. */
export type StatsdType = 'c' | 'g' | 'ms' | 'h' | 'd' | 's';

export interface StatsdSample {
  name: string;
  type: StatsdType;
  /** The number; NaN for sets, whose member is in `member`. */
  value: number;
  /** Set member as sent. */
  member?: string;
  /** Gauge given as +N / -N: add to the current value instead of replacing it. */
  delta: boolean;
  /** Sample rate (0, 1]: each received sample stands for 1/rate events. */
  rate: number;
}

const TYPES = new Set<string>(['c', 'g', 'ms', 'h', 'd', 's']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Names reach labels only after sanitising, but control characters and separators never make a valid name.
// eslint-disable-next-line no-control-regex -- control characters are what makes a name bad
const BAD_NAME = /[\s|:\u0000-\u001f\u007f]/;
export const MAX_NAME_LENGTH = 256;

/**
 * Parses one line: `name:value|type[|@rate][|#tags]`, several samples allowed as
 * `name:v1|t1:v2|t2` (Etsy statsd). Returns undefined when any part is malformed, so a line
 * counts as wholly valid or wholly invalid. DogStatsD tags are accepted and ignored (unbounded labels).
 */
export function parseLine(line: string): StatsdSample[] | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return undefined;
  const name = line.slice(0, colon);
  if (name.length > MAX_NAME_LENGTH || BAD_NAME.test(name)) return undefined;
  const samples: StatsdSample[] = [];
  // DogStatsD tags may hold ':' themselves; they are dropped before samples are split.
  for (const part of line
    .slice(colon + 1)
    .replace(/\|#[^|]*/g, '')
    .split(':')) {
    const sample = parseSample(name, part);
    if (!sample) return undefined;
    samples.push(sample);
  }
  return samples;
}

function parseSample(name: string, text: string): StatsdSample | undefined {
  const fields = text.split('|');
  if (fields.length < 2) return undefined;
  const [valueText, type] = fields as [string, string];
  if (!TYPES.has(type)) return undefined;
  let rate = 1;
  let seenRate = false;
  for (const extra of fields.slice(2)) {
    if (extra.startsWith('@') && !seenRate) {
      rate = NUMBER.test(extra.slice(1)) ? Number(extra.slice(1)) : NaN;
      if (!(rate > 0 && rate <= 1)) return undefined;
      seenRate = true;
    } else {
      return undefined;
    }
  }
  if (type === 's') {
    if (valueText === '' || valueText.length > MAX_NAME_LENGTH) return undefined;
    return { name, type, value: NaN, member: valueText, delta: false, rate: 1 };
  }
  if (!NUMBER.test(valueText)) return undefined;
  const value = Number(valueText);
  if (!Number.isFinite(value)) return undefined;
  // A duration below zero is a broken sender, not a measurement.
  if (type === 'ms' && value < 0) return undefined;
  // Counters only go up in Prometheus.
  if (type === 'c' && value < 0) return undefined;
  // The store adds value × weight. A product that is not finite would stick for good: 0 × ∞ is NaN
  // (`x:0|c|@5e-324`), and a histogram sum that got +∞ and -∞ from two lines is NaN too. Gauges
  // ignore the rate. Sums of finite products can still reach ±∞, but never NaN.
  if (type !== 'g' && !Number.isFinite(value * sampleWeight(rate))) return undefined;
  const delta = type === 'g' && (valueText.startsWith('+') || valueText.startsWith('-'));
  return { name, type: type as StatsdType, value, delta, rate };
}

/** How many events one received sample stands for; the parser's overflow check uses the same arithmetic. */
export function sampleWeight(rate: number): number {
  return 1 / rate;
}

/** Splits a datagram into lines; blank lines (e.g. a trailing newline) are not lines. */
export function splitPacket(packet: string): string[] {
  return packet
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
}
