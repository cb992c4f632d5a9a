import pino from 'pino';
import { ConfigError, loadConfigFile } from './config/load.js';
import { DOCTOR_USAGE, DoctorCliError, parseDoctorCli } from './doctor/cli.js';
import { exitCodeOf } from './doctor/model.js';
import { renderJson, renderText } from './doctor/render.js';
import { runDoctor } from './doctor/run.js';
import { createLogger } from './logger.js';

/** `npm run doctor`: one diagnosis on stdout; the exit code says how it went (cron-friendly). */
async function main(): Promise<number> {
  let options;
  try {
    options = parseDoctorCli(process.argv.slice(2));
  } catch (error) {
    if (error instanceof DoctorCliError) {
      process.stderr.write(`doctor: ${error.message}\n\n${DOCTOR_USAGE}\n`);
      return 4;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  // Logs go to stderr so that stdout stays the report (or pure JSON).
  const logger = createLogger(options.logLevel, pino.destination(2));
  let config;
  try {
    config = loadConfigFile(options.configFile);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`doctor: ${error.message}\n`);
      return 4;
    }
    throw error;
  }
  const diagnosis = await runDoctor(config, logger, options.timeoutMs);
  const color = options.color === 'auto' ? process.stdout.isTTY === true && process.env.NO_COLOR === undefined : options.color;
  const output = options.format === 'json' ? `${JSON.stringify(renderJson(diagnosis, options.lang), null, 2)}\n` : renderText(diagnosis, options.lang, { color });
  await new Promise<void>((resolve) => process.stdout.write(output, () => resolve()));
  return exitCodeOf(diagnosis.verdict);
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`doctor: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(4);
});
