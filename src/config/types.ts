import { z } from 'zod';

/** An http(s) URL, normalised without a trailing slash so paths can be appended. */
export const httpUrl = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not a valid URL' });
    return z.NEVER;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be an http:// or https:// URL, not ${url.protocol}//` });
    return z.NEVER;
  }
  return normaliseUrl(value);
});

export function normaliseUrl(value: string): string {
  const url = new URL(value);
  return url.href.replace(/\/+$/, '');
}

/** host:port, as in Prometheus and blackbox_exporter targets. */
export const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:5432 or [::1]:443');
