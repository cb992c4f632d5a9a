import { z } from 'zod';

const unitName = z.string().regex(/^[a-zA-Z0-9:_.@\\-]+$/, 'is not a systemd unit name such as ds-docservice');

/**
 * `supervisor`: the DS programs of a host install without Docker. Inside the all-in-one container supervisor is
 * checked through Docker exec instead (docker.supervisor). The host checks take docker.supervisor_timeout.
 */
export const supervisorSection = z
  .object({
    /**
     * false turns the supervisor checks off, in the containers (docker.supervisor) and on the host, whatever else it
     * says (every collector section has it but documentserver, always on, and backups, off as `[]`).
     */
    enabled: z.boolean().default(true),
    /** Host install, 7.1/7.2 packages: true runs `supervisorctl status` from PATH, a string names the program. */
    host_supervisorctl: z.union([z.boolean(), z.string().min(1, 'must not be empty')]).default(false),
    /** Host install, packages from 7.3: systemd units such as ds-docservice, ds-converter, ds-metrics. */
    host_systemd_units: z.array(unitName).default([]),
  })
  .strict()
  .superRefine((section, ctx) => {
    if (section.host_supervisorctl !== false && section.host_systemd_units.length > 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['host_systemd_units'],
        message: 'give either host_supervisorctl or host_systemd_units, not both (a host runs DS under one of them)',
      });
    }
  });

export type SupervisorConfig = z.infer<typeof supervisorSection>;
