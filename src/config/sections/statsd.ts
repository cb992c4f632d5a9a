import { isIP } from 'node:net';
import { z } from 'zod';

export interface UdpAddress {
  host: string;
  port: number;
  family: 'udp4' | 'udp6';
}

/** `udp://host:port` (IPv6 in brackets) → where the StatsD receiver binds. */
export const udpListen = z.string().transform((value, ctx): UdpAddress => {
  const match = /^udp:\/\/(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `"${value}" is not udp://host:port, e.g. udp://0.0.0.0:9125 or udp://[::1]:9125`,
    });
    return z.NEVER;
  }
  const host = match[1]!.replace(/^\[|\]$/g, '');
  if (match[1]!.startsWith('[') && isIP(host) !== 6) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${host}" in brackets is not an IPv6 address` });
    return z.NEVER;
  }
  return { host, port, family: isIP(host) === 6 ? 'udp6' : 'udp4' };
});

/**
 * What one scrape can carry: each StatsD series is a histogram of 14 to 18 rows, and 10,000 of them already make a
 * /metrics answer of about 10 MB that takes half a second to build (docs/BENCHMARKS.md); 100,000 took 9 s and GBs.
 */
export const MAX_STATSD_SERIES = 10_000;
const MAX_SERIES_REASON =
  `at most ${MAX_STATSD_SERIES}: each StatsD series is a histogram of up to 18 rows, ` +
  `and ${MAX_STATSD_SERIES} make a /metrics answer of about 10 MB`;

/**
 * `statsd`: a StatsD receiver DS sends its own timings to (DS `statsd.host/port`, Docker `METRICS_HOST/PORT`).
 * Off unless `listen` is given.
 */
export const statsdSection = z
  .object({
    /** auto: on when `listen` is given; false turns it off whatever else the section says. */
    enabled: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /**
     * Where to receive: `udp://0.0.0.0:9125`; point DS's statsd.host/port (Docker: METRICS_ENABLED=true,
     * METRICS_HOST/PORT) here. Off when absent.
     */
    listen: udpListen.optional(),
    /** Distinct series kept in memory; samples of further new series are dropped and counted. */
    max_series: z.number().int().min(1).max(MAX_STATSD_SERIES, MAX_SERIES_REASON).default(1000),
  })
  .strict()
  .superRefine((section, ctx) => {
    if (section.enabled === true && section.listen === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['listen'],
        message: 'statsd.enabled is true: give the address to listen on, e.g. udp://0.0.0.0:9125',
      });
    }
  });

export type StatsdConfig = z.infer<typeof statsdSection>;
