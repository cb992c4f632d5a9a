import pino from 'pino';
import { ConfigError, loadConfigFile } from './config/load.js';
import { DOCTOR_USAGE, DoctorCliError, parseDoctorCli } from './doctor/cli.js';
import { fleetOf } from './config/sections/probe.js';
import { exitCodeOf, type Diagnosis } from './doctor/model.js';
import { renderJson, renderText, summaryLine } from './doctor/render.js';
import { fleetSummary, runDoctor, runDoctorTargets } from './doctor/run.js';
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
  const color = options.color === 'auto' ? process.stdout.isTTY === true && process.env.NO_COLOR === undefined : options.color;
  const write = (output: string) => new Promise<void>((resolve) => process.stdout.write(output, () => resolve()));
  const report = (diagnosis: Diagnosis) =>
    (options.format === 'json' ? `${JSON.stringify(renderJson(diagnosis, options.lang), null, 2)}\n` : renderText(diagnosis, options.lang, { color }));
  if (options.target === undefined && !options.all) {
    const diagnosis = await runDoctor(config, logger, options.timeoutMs);
    await write(report(diagnosis));
    return exitCodeOf(diagnosis.verdict);
  }
  const fleet = fleetOf(config);
  const targets = options.all ? fleet.targets : [fleet.find(options.target!)].filter((t) => t !== undefined);
  if (targets.length === 0) {
    const known = fleet.targets.map((t) => t.key).join(', ');
    const why = options.all ? 'probe.targets is empty' : `--target ${options.target} is not in probe.targets`;
    process.stderr.write(`doctor: ${why}${known ? ` (configured: ${known})` : ''}\n`);
    return 4;
  }
  const diagnoses = await runDoctorTargets(config, targets, logger, options.timeoutMs);
  if (!options.all) {
    const diagnosis = diagnoses[0]!;
    await write(report(diagnosis));
    return exitCodeOf(diagnosis.verdict);
  }
  const summary = fleetSummary(diagnoses);
  if (options.format === 'json') {
    const targetsJson = diagnoses.map((d) => renderJson(d, options.lang));
    const json = { verdict: summary.verdict, exitCode: exitCodeOf(summary.verdict), counts: summary.counts, targets: targetsJson };
    await write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    await write(`${diagnoses.map((d) => renderText(d, options.lang, { color })).join(`\n${'='.repeat(72)}\n\n`)}\n${summaryLine(diagnoses, options.lang)}\n`);
  }
  return exitCodeOf(summary.verdict);
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`doctor: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(4);
});
