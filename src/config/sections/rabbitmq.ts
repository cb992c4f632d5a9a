import { z } from 'zod';
import { duration } from '../duration.js';
import { vhostOfAmqpUrl } from '../../lib/amqp-url.js';
import { httpUrl } from '../types.js';

/** amqp:// or amqps:// as DS's `rabbitmq.url` / Docker `AMQP_URI`; kept verbatim (it carries the credentials). */
export const amqpUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not a valid amqp:// URL' });
    return;
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be an amqp:// or amqps:// URL, not ${url.protocol}//` });
  }
});

// RabbitMQ's own limit on queue names (shortstr).
const queueName = z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

/**
 * `rabbitmq`: depth of DS's conversion queues. Any of three sources: the management API, the
 * Prometheus plugin, or a passive declare over the AMQP URI DS itself uses. Off unless one is given.
 */
export const rabbitmqSection = z
  .object({
    /** auto: on when url, management_url or prometheus_url is given; false turns it off whatever else the section says. */
    enabled: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** DS's own AMQP URI (`rabbitmq.url` in DS, `AMQP_URI` in Docker): a passive declare counts the queues. */
    url: amqpUrl.optional(),
    /** The management API, e.g. http://host:15672. */
    management_url: httpUrl.optional(),
    /** The rabbitmq_prometheus plugin, e.g. http://host:15692. */
    prometheus_url: httpUrl.optional(),
    /** Management API user; else the user in management_url, else the one in url. */
    username: z.string().min(1, 'must not be empty').optional(),
    /** Management API password; needs username. */
    password: z.string().optional(),
    /** Defaults to the vhost in `url` (amqplib's rule: empty path is "/"), else "/". */
    vhost: z.string().min(1, 'must not be empty').optional(),
    /**
     * auto: DS's conversion queues (ds.converttask or ds.converttask6, ds.convertresponse, ds.convertdead, ds.delayed);
     * or a list of queue names.
     */
    queues: z
      .union([z.literal('auto'), z.array(queueName).min(1, 'list at least one queue, or say auto')], {
        errorMap: () => ({ message: 'must be auto or a list of queue names' }),
      })
      .default('auto'),
    /** auto: every configured source is asked; queue numbers come from the first that answers (management, prometheus, amqp). */
    source: z.enum(['auto', 'management', 'prometheus', 'amqp']).default('auto'),
    /** Longest wait for one source; the scrape deadline still applies. */
    timeout: duration.default('5s'),
    /** Accept any TLS certificate on https and amqps URLs. */
    insecure_skip_verify: z.boolean().default(false),
  })
  .strict()
  .superRefine((section, ctx) => {
    if (
      section.enabled === true &&
      section.url === undefined &&
      section.management_url === undefined &&
      section.prometheus_url === undefined
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['url'],
        message: 'rabbitmq.enabled is true: give url, management_url or prometheus_url',
      });
    }
    const needs = { management: 'management_url', prometheus: 'prometheus_url', amqp: 'url' } as const;
    if (section.source !== 'auto' && section[needs[section.source]] === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['source'],
        message: `${section.source} needs rabbitmq.${needs[section.source]}`,
      });
    }
    const urlVhost = section.url !== undefined ? vhostOfAmqpUrl(section.url) : undefined;
    if (section.vhost !== undefined && urlVhost !== undefined && section.vhost !== urlVhost) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['vhost'],
        message: `"${section.vhost}" differs from the vhost in rabbitmq.url ("${urlVhost}")`,
      });
    }
    if (section.password !== undefined && section.username === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['password'], message: 'needs rabbitmq.username' });
    }
  });

export type RabbitmqConfig = z.infer<typeof rabbitmqSection>;
