import { z } from 'zod';
import { duration } from '../duration.js';

// Docker container names are [a-zA-Z0-9][a-zA-Z0-9_.-]*; a glob adds * and ?.
const nameGlob = z
  .string()
  .regex(/^[a-zA-Z0-9_.*?-]+$/, 'is not a container name glob (letters, digits, _ . - and the wildcards * ?)');

// An image reference ([registry/]path[:tag][@digest]) with the wildcards * and ?.
const imageGlob = z
  .string()
  .regex(/^[a-zA-Z0-9_.*?/:@-]+$/, 'is not an image glob (letters, digits, _ . - / : @ and the wildcards * ?)');

const socketPath = z.string().transform((value, ctx) => {
  const path = value.startsWith('unix://') ? value.slice('unix://'.length) : value;
  if (!path.startsWith('/')) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `"${value}" is not a unix socket path such as /var/run/docker.sock (for a TCP engine set DOCKER_HOST instead)`,
    });
    return z.NEVER;
  }
  return path;
});

/** A key that moved to another section: its old place names the new one. */
const movedTo = (key: string) =>
  z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `has moved: write it as ${key}` });
    });

/** `label_` plus the Docker label with every character Prometheus does not allow turned into `_`. */
export function labelNameFor(dockerLabel: string): string {
  return `label_${dockerLabel.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** `docker`: container state of the ONLYOFFICE stack and supervisor programs inside the DocumentServer container. */
export const dockerSection = z
  .object({
    /** auto: on when `socket` or DOCKER_HOST is given, or /var/run/docker.sock exists. */
    enabled: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** Engine socket; without it DOCKER_HOST (unix:// or tcp://, read by dockerode), then /var/run/docker.sock. */
    socket: socketPath.optional(),
    /** Container name globs; only these containers are watched and exported. */
    containers: z
      .array(nameGlob)
      .min(1, 'needs at least one glob')
      .default(['onlyoffice*', '*documentserver*', '*-onlyoffice-*', '*_onlyoffice_*']),
    /**
     * Image globs: a container created from a matching image is watched whatever its name (a DS started without --name
     * gets a random one), and runs supervisor; `[]` matches by name only. The registry host is ignored.
     */
    images: z
      .array(imageGlob)
      .default(['onlyoffice/documentserver*', 'onlyoffice/documentserver-ee*', 'onlyoffice/documentserver-de*']),
    /** Docker labels copied into onlyoffice_container_info as label_<sanitised name>; none by default (cardinality). */
    labels: z
      .array(z.string().min(1, 'must not be empty'))
      .default([])
      .superRefine((labels, ctx) => {
        const seen = new Map<string, string>();
        labels.forEach((label, index) => {
          const name = labelNameFor(label);
          const earlier = seen.get(name);
          if (earlier !== undefined) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [index],
              message: `"${earlier}" and "${label}" would both become ${name}`,
            });
          }
          seen.set(name, label);
        });
      }),
    /** Full list+inspect of the matched containers; the events stream keeps the view current in between. */
    resync_interval: duration.default('5m'),
    /** Each Engine API request (list, inspect, events connect, stats, exec). */
    timeout: duration.default('10s'),
    /** CPU and memory from the stats API, gathered in the background (about 1 s per running container). */
    stats: z.boolean().default(false),
    /** Pause between two rounds of stats; at least 1s. */
    stats_interval: duration.default('30s'),
    /** `supervisorctl status` through the Docker exec API in the DocumentServer containers. */
    supervisor: z.boolean().default(true),
    /** Which of the matched containers run supervisor (the all-in-one image). */
    supervisor_containers: z
      .array(nameGlob)
      .min(1, 'needs at least one glob')
      .default(['onlyoffice-documentserver*', '*documentserver*']),
    /** Pause between two rounds of `supervisorctl status`. */
    supervisor_interval: duration.default('30s'),
    /** Longest wait for one `supervisorctl status`. */
    supervisor_timeout: duration.default('5s'),
    /** Moved to the supervisor section. */
    host_supervisorctl: movedTo('supervisor.host_supervisorctl'),
    host_systemd_units: movedTo('supervisor.host_systemd_units'),
  })
  .strict()
  .superRefine((section, ctx) => {
    if (section.stats_interval < 1000) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['stats_interval'],
        message: 'must be at least 1s (one stats call takes about a second)',
      });
    }
  });

export type DockerConfig = z.infer<typeof dockerSection>;
