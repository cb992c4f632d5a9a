import { z } from 'zod';
import { dockerSection } from './sections/docker.js';
import { documentserverSection } from './sections/documentserver.js';
import { probeSection } from './sections/probe.js';
import { diskSection } from './sections/disk.js';
import { tlsSection } from './sections/tls.js';
import { dependenciesSection } from './sections/dependencies.js';
import { statsdSection } from './sections/statsd.js';
import { notifySection } from './sections/notify.js';
import { rabbitmqSection } from './sections/rabbitmq.js';
import { conversionProbeSection } from './sections/conversion_probe.js';
import { backupsSection } from './sections/backups.js';
import { supervisorSection } from './sections/supervisor.js';

// One line per section: each section's schema and defaults live in its own file under sections/.
export const configSchema = z
  .object({
    documentserver: documentserverSection.default({}),
    probe: probeSection.default({}),
    docker: dockerSection.default({}),
    supervisor: supervisorSection.default({}),
    disk: diskSection.default({}),
    tls: tlsSection.default({}),
    dependencies: dependenciesSection.default({}),
    statsd: statsdSection.default({}),
    notify: notifySection.default({}),
    rabbitmq: rabbitmqSection.default({}),
    conversion_probe: conversionProbeSection.default({}),
    backups: backupsSection.default([]),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
