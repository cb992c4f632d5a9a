import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { ConfigError } from './config/load.js';
import { NOTIFY_ROUTE, notifyRoutes } from './notify/index.js';
import { fleetOf } from './config/sections/probe.js';
import type { DocumentServerConfig } from './config/sections/documentserver.js';
import type { Runtime } from './runtime.js';
import { ScrapeAdmission } from './scrape/admission.js';
import { BoundsLog } from './scrape/bounds.js';
import { scrapeBudgetMs } from './scrape/deadline.js';
import { reloadAll, type WebSecurity } from './security/web-server.js';
import { CollectorHealthLog } from './scrape/health-log.js';
import { exposition, EXPOSITION_CONTENT_TYPE } from './metrics/exposition.js';
import { registerFamily, type Family } from './metrics/families.js';
import { runScrape } from './scrape/run.js';
import { registerDiscoveryRoutes } from './web/discovery.js';
import { registerRunbookRoutes } from './web/runbooks.js';
import { registerReportSchedule } from './web/report.js';
import { registerStatusRoutes, StatusView } from './web/status.js';
import { redactUrl } from './lib/redact.js';
import { EXPORTER_VERSION } from './version.js';

export interface ServerOptions {
  runtime: Runtime;
  logger: Logger;
  timeoutOffsetMs: number;
  /** POST /-/reload from non-loopback clients. */
  enableRemoteReload: boolean;
  /** TLS and basic auth from --web.config.file. */
  web?: WebSecurity;
  /** --web.max-requests: scrapes at once, 0 for no limit (DEFAULT_MAX_REQUESTS when not given). */
  maxRequests?: number;
}

/** The HTTP face of the exporter. Routes only translate HTTP to runtime and scrape calls. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { runtime, logger } = options;
  const https = options.web?.httpsOptions();
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: sharedRequestLogger,
    bodyLimit: 1024 * 1024,
    ...(https ? { https } : {}),
  }) as unknown as FastifyInstance;
  // The notify receivers take Alertmanager's notify.auth credential instead of basic auth (one Authorization header).
  options.web?.install(app, {
    ownCredential: (request) =>
      request.routeOptions.url === NOTIFY_ROUTE &&
      runtime.generation?.config.notify.auth !== undefined &&
      runtime.generation.notifier !== undefined,
  });
  // Which collector fails for which target, to log it once: started over with each configuration, so that a fleet whose
  // targets change across reloads does not keep the failures of targets it no longer has.
  let healthLog = new CollectorHealthLog(logger);
  let healthOf: unknown;
  const bounds = new BoundsLog(logger);
  const admission = new ScrapeAdmission(options.maxRequests);
  // The same for the life of the process: made once, read by every scrape.
  const info = exporterInfo();

  async function scrape(
    request: FastifyRequest,
    reply: FastifyReply,
    scope: 'metrics' | 'probe',
    probe?: { target: DocumentServerConfig; collectors: readonly string[] },
  ) {
    const generation = runtime.generation;
    if (!generation) return reply.code(503).type('text/plain').send('not ready\n');
    if (!admission.tryEnter()) {
      return reply
        .code(503)
        .type('text/plain')
        .send(`too many scrapes at once (--web.max-requests=${admission.maxRequests}); try again later\n`);
    }
    try {
      const { config } = generation;
      if (healthOf !== generation) {
        if (healthOf !== undefined) healthLog = new CollectorHealthLog(logger);
        healthOf = generation;
      }
      // A probe target comes with its whole picture: its own public_url, secret, timeout and TLS setting.
      const target = probe === undefined ? config.documentserver : probe.target;
      const registry = await runScrape({
        collectors: generation
          .collectorsFor(scope)
          .filter((entry) => probe === undefined || probe.collectors.includes(entry.name)),
        config,
        target,
        scope,
        budgetMs: scrapeBudgetMs(request.headers['x-prometheus-scrape-timeout-seconds'], options.timeoutOffsetMs),
        logger,
        healthLog,
        bounds,
      });
      registerFamily(registry, info);
      if (scope === 'metrics') {
        for (const family of reloadFamilies(runtime.lastReload)) registerFamily(registry, family);
        registerFamily(registry, targetInfo(config.documentserver));
      }
      for (const family of bounds.families()) registerFamily(registry, family);
      registerFamily(registry, admission.family());
      return reply.type(EXPOSITION_CONTENT_TYPE).send(await exposition(registry));
    } finally {
      admission.leave();
    }
  }

  app.get('/metrics', (request, reply) => scrape(request, reply, 'metrics'));

  // DingTalk/WeCom receivers for Alertmanager; the getter follows reloads.
  void app.register(notifyRoutes, { notifier: () => runtime.generation?.notifier });

  app.get<{ Querystring: { target?: string; module?: string } }>('/probe', (request, reply) => {
    const generation = runtime.generation;
    const { target, module = 'documentserver' } = request.query;
    if (typeof target !== 'string' || target === '')
      return reply.code(400).type('text/plain').send('target parameter is missing\n');
    // Only configured targets, by name or URL: the exporter must never become an open proxy.
    const found = generation === undefined ? undefined : fleetOf(generation.config).find(target);
    if (generation === undefined || found === undefined) {
      const why = isUrl(target)
        ? 'target is not in probe.targets of the configuration'
        : 'target is neither a URL nor the name of a target in probe.targets';
      return reply.code(400).type('text/plain').send(`${why}\n`);
    }
    const collectors =
      typeof module === 'string' && Object.hasOwn(generation.config.probe.modules, module)
        ? generation.config.probe.modules[module]
        : undefined;
    if (collectors === undefined) {
      return reply
        .code(400)
        .type('text/plain')
        .send(`unknown module; probe.modules has: ${Object.keys(generation.config.probe.modules).join(', ')}\n`);
    }
    return scrape(request, reply, 'probe', { target: found.settings, collectors });
  });

  app.get('/-/healthy', (_request, reply) => reply.type('text/plain').send('OK\n'));
  app.get('/-/ready', (_request, reply) =>
    runtime.generation ? reply.type('text/plain').send('OK\n') : reply.code(503).type('text/plain').send('not ready\n'),
  );

  app.post('/-/reload', async (request, reply) => {
    if (!options.enableRemoteReload && !isLoopback(request.socket.remoteAddress)) {
      return reply
        .code(403)
        .type('text/plain')
        .send('reload is only accepted from loopback (see --web.enable-remote-reload)\n');
    }
    try {
      await reloadAll(() => runtime.reload(), options.web, logger);
      return reply.type('text/plain').send('OK\n');
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : `reload failed: ${(error as Error).message}`;
      logger.error({ err: message }, 'reload failed; keeping the previous configuration');
      return reply.code(500).type('text/plain').send(`${message}\n`);
    }
  });

  // The doctor's diagnosis as a self-refreshing page (/) and as JSON (/status.json).
  // One diagnosis cache for the page and the daily report: a report sent while the page is open runs no check twice.
  const statusView = new StatusView(runtime, logger);
  registerStatusRoutes(app, runtime, logger, statusView);
  registerRunbookRoutes(app);
  // probe.targets for Prometheus' http_sd_configs: the fleet is written once, in the exporter's configuration.
  registerDiscoveryRoutes(app, runtime);
  // notify.report: the doctor's diagnosis to the robots every day at its schedule.
  registerReportSchedule(app, runtime, logger, statusView);

  return app;
}

// Fastify makes a pino child (with its redaction) for every request only to add a request id to its lines; with
// request logging off, few requests ever log, and a scrape should not pay for it. Requests log through the http logger.
function sharedRequestLogger(this: FastifyInstance, logger: FastifyBaseLogger): FastifyBaseLogger {
  return logger;
}

function exporterInfo(): Family {
  // Frozen: exposition() renders its line once for the life of the process.
  const value = Object.freeze({
    labels: Object.freeze({ version: EXPORTER_VERSION, nodejs: process.version }),
    value: 1,
  });
  return Object.freeze({
    name: 'onlyoffice_exporter_build_info',
    help: "Always 1; the exporter's own version and the Node.js running it.",
    type: 'gauge',
    values: Object.freeze([value]),
  });
}

/**
 * Which DocumentServer this /metrics is about: `instance` is the exporter's address there, so alerts and robot messages
 * join this to name the DS (on /probe, `instance` is the DS already).
 */
function targetInfo(ds: DocumentServerConfig): Family {
  const labels: Record<string, string> = {
    documentserver: redactUrl(ds.url),
    public_url: ds.public_url === undefined ? '' : redactUrl(ds.public_url),
  };
  return {
    name: 'onlyoffice_target_info',
    help: 'Always 1; the DocumentServer this exporter watches on /metrics, as labels.',
    type: 'gauge',
    values: [{ labels, value: 1 }],
  };
}

/** blackbox_exporter's blackbox_exporter_config_last_reload_successful{,_success_timestamp_seconds}, in our namespace. */
function reloadFamilies(last: Runtime['lastReload']): Family[] {
  return [
    {
      name: 'onlyoffice_exporter_config_last_reload_successful',
      help: 'Whether the last load or reload of the config file succeeded (1) or was refused (0).',
      type: 'gauge',
      values: [{ labels: {}, value: last.successful ? 1 : 0 }],
    },
    {
      name: 'onlyoffice_exporter_config_last_reload_success_timestamp_seconds',
      help: 'When the config file was last loaded successfully.',
      type: 'gauge',
      values: [{ labels: {}, value: last.successSeconds }],
    },
  ];
}

function isUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function isLoopback(address: string | undefined): boolean {
  return (
    address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'))
  );
}
