import { CliError, parseCli, USAGE } from './cli.js';
import { ConfigError } from './config/load.js';
import { setResponseBytesInFlightLimit } from './lib/http.js';
import { createLogger } from './logger.js';
import { Runtime } from './runtime.js';
import { reloadAll, WebSecurity } from './security/web-server.js';
import { buildServer } from './server.js';
import { EXPORTER_VERSION } from './version.js';

async function main(): Promise<number> {
  // First of all: SIGHUP's default action ends the process (exit 129, which systemd's Restart=on-failure does not
  // restart), so a reload asked for while starting (ExecReload, a config-management run) must find a handler. One
  // asked for before the first configuration is loaded is applied after it.
  let reload: (() => void) | undefined;
  let reloadAsked = false;
  process.on('SIGHUP', () => {
    if (reload) reload();
    else reloadAsked = true;
  });

  let options;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`onlyoffice-exporter: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options === 'version') {
    process.stdout.write(`onlyoffice-exporter ${EXPORTER_VERSION} (node ${process.version})\n`);
    return 0;
  }

  const logger = createLogger(options.logLevel);
  setResponseBytesInFlightLimit(options.maxResponseBytesInFlight);
  let web: WebSecurity;
  try {
    web = WebSecurity.load(options.webConfigFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.fatal({ err: error.message }, 'cannot start: invalid web configuration');
    process.stderr.write(`onlyoffice-exporter: ${error.message}\n`);
    return 1;
  }
  const runtime = new Runtime(options.configFile, logger);
  try {
    await runtime.reload();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ err: error.message }, 'cannot start: invalid configuration');
      process.stderr.write(`onlyoffice-exporter: ${error.message}\n`);
      return 1;
    }
    throw error;
  }

  reload = () => {
    reloadAll(() => runtime.reload(), web, logger).catch((error: Error) =>
      logger.error({ err: error.message }, 'reload on SIGHUP failed; keeping the previous configuration'),
    );
  };
  if (reloadAsked) reload();

  const app = buildServer({
    runtime,
    logger,
    timeoutOffsetMs: options.timeoutOffsetMs,
    enableRemoteReload: options.enableRemoteReload,
    web,
    maxRequests: options.maxRequests,
  });
  try {
    await app.listen({ host: options.listenHost, port: options.listenPort });
  } catch (error) {
    logger.fatal({ err: (error as Error).message }, 'cannot listen');
    await runtime.close();
    return 1;
  }
  logger.info(
    {
      address: `${options.listenHost}:${options.listenPort}`,
      version: EXPORTER_VERSION,
      tls: web.tlsEnabled,
      basic_auth: web.basicAuthEnabled,
    },
    'listening',
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // In-flight scrapes finish; then background collectors release their sockets.
      app
        .close()
        .then(() => runtime.close())
        .then(
          () => resolve(0),
          (error: Error) => {
            logger.error({ err: error.message }, 'unclean shutdown');
            resolve(1);
          },
        );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`onlyoffice-exporter: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
