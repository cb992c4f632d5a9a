import { z } from 'zod';
import { formatHostPort, parseHostPort } from '../../lib/address.js';
import { shorthand } from '../../lib/config-forms.js';
import { duration } from '../duration.js';

export type DependencyKind = 'postgresql' | 'rabbitmq' | 'redis';

/** One dependency to check. `address` (host:port) is the only part that reaches labels and logs. */
export interface DependencyTarget {
  dependency: DependencyKind;
  address: string;
  host: string;
  port: number;
  /** amqps:// or rediss://: the protocol check runs inside TLS. */
  tls: boolean;
  /** Redis: AUTH before PING. RabbitMQ: log in and open `vhost` (given only with a URL or credentials). */
  username?: string;
  password?: string;
  vhost?: string;
}

const SCHEMES: Record<DependencyKind, { plain: string[]; tls: string[]; port: number; example: string }> = {
  postgresql: {
    plain: ['postgres:', 'postgresql:'],
    tls: [],
    port: 5432,
    example: '127.0.0.1:5432 or postgresql://host:5432/db',
  },
  rabbitmq: { plain: ['amqp:'], tls: ['amqps:'], port: 5672, example: '127.0.0.1:5672 or amqp://user:pass@host:5672' },
  redis: { plain: ['redis:'], tls: ['rediss:'], port: 6379, example: '127.0.0.1:6379 or redis://:password@host:6379' },
};

/** The target, or undefined after recording the problem in `ctx`. */
function parseTarget(kind: DependencyKind, value: string, ctx: z.RefinementCtx): DependencyTarget | undefined {
  const scheme = SCHEMES[kind];
  if (!value.includes('://')) {
    const parsed = parseHostPort(value);
    if (typeof parsed === 'string') {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['address'],
        message: `${parsed.replace(/, e\.g\..*$/, '')}; give ${scheme.example}`,
      });
      return undefined;
    }
    return { dependency: kind, address: formatHostPort(parsed), ...parsed, tls: false };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Never echo the value: it may hold a password.
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['address'],
      message: `is not a valid URL; give ${scheme.example}`,
    });
    return undefined;
  }
  const tls = scheme.tls.includes(url.protocol);
  if (!tls && !scheme.plain.includes(url.protocol)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['address'],
      message: `${url.protocol}// is not a ${kind} URL; give ${scheme.example}`,
    });
    return undefined;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['address'],
      message: `the URL has no host; give ${scheme.example}`,
    });
    return undefined;
  }
  const port = url.port === '' ? (tls && kind === 'rabbitmq' ? 5671 : scheme.port) : Number(url.port);
  const target: DependencyTarget = { dependency: kind, address: formatHostPort({ host, port }), host, port, tls };
  // PostgreSQL is checked before any login, so its credentials are dropped here.
  try {
    if (kind === 'redis' && url.password !== '') {
      target.password = decodeURIComponent(url.password);
      if (url.username !== '') target.username = decodeURIComponent(url.username);
    }
    if (kind === 'rabbitmq') {
      // As amqplib reads DS's AMQP_URI: guest/guest when the URL names no user, vhost "/" when it names none.
      target.username = url.username === '' ? 'guest' : decodeURIComponent(url.username);
      target.password = url.username === '' ? 'guest' : decodeURIComponent(url.password);
      target.vhost = decodeURIComponent(url.pathname.slice(1)) || '/';
    }
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['address'], message: 'the URL is not valid percent-encoding' });
    return undefined;
  }
  return target;
}

function dependency(kind: DependencyKind, fallback: string | false) {
  // `address` alone may be written as a plain string; the mapping lets a password come from a file (`password_file`).
  // A password given there replaces the URL's.
  return shorthand(
    z
      .object({
        address: z.string(),
        username: z.string().min(1, 'must not be empty').optional(),
        password: z.string().min(1, 'must not be empty').optional(),
      })
      .strict()
      .transform((value, ctx) => {
        const target = parseTarget(kind, value.address.trim(), ctx);
        if (target === undefined) return z.NEVER;
        if (kind === 'postgresql' && (value.username !== undefined || value.password !== undefined)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: 'username/password are not used for postgresql (its check runs before any login)',
          });
          return z.NEVER;
        }
        if (value.username !== undefined) target.username = value.username;
        if (value.password !== undefined) target.password = value.password;
        if (kind === 'rabbitmq' && target.password !== undefined) {
          target.username ??= 'guest';
          target.vhost ??= '/';
        }
        return target;
      }),
    'address',
    true,
  ).default(fallback);
}

/**
 * `dependencies`: what DocumentServer needs, checked at the protocol level (a frozen server still
 * accepts TCP). Defaults: the DS defaults on localhost; `false` leaves one out. Redis is off unless given:
 * Community does not use it, and a check of a server nobody runs would only ever say "down".
 */
export const dependenciesSection = z
  .object({
    /** false turns the section's checks off, whatever else it says (every collector section has it but documentserver, always on, and backups, off as `[]`). */
    enabled: z.boolean().default(true),
    /** DS's database: `host:port` or `postgresql://host:port/db`; checked before any login. `false` leaves it out. */
    postgresql: dependency('postgresql', '127.0.0.1:5432'),
    /**
     * DS's broker: `host:port` (protocol handshake), `amqp://user:pw@host:5672/vhost` or `{address, username,
     * password}` (logs in and opens the vhost, as DS does). `false` leaves it out.
     */
    rabbitmq: dependency('rabbitmq', '127.0.0.1:5672'),
    /**
     * Redis (Enterprise/Developer): `host:port`, `redis://:pw@host:6379` (rediss:// for TLS) or `{address, username,
     * password}`; AUTH then PING. Off unless given.
     */
    redis: dependency('redis', false),
    /** Longest wait for one check; the scrape deadline still applies. */
    timeout: duration.default('3s'),
  })
  .strict();

export type DependenciesConfig = z.infer<typeof dependenciesSection>;
