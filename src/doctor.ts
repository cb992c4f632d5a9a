import pino from 'pino';
import { ConfigError, loadConfigFile } from './config/load.js';
import { DOCTOR_USAGE, DoctorCliError, parseDoctorCli } from './doctor/cli.js';
import { fleetOf } from './config/sections/probe.js';
import { exitCodeOf, type Diagnosis } from './doctor/model.js';
import { renderJson, renderText, summaryLine } from './doctor/render.js';
import { fleetSummary, runDoctor, runDoctorTargets } from './doctor/run.js';
import { createLogger } from './logger.js';
import { createNotifier } from './notify/index.js';
import { worst } from './doctor/model.js';
import { sendReport } from './web/report.js';

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
  if (options.notify.length > 0) {
    const configured = [
      ...Object.keys(config.notify.dingtalk).map((n) => `dingtalk/${n}`),
      ...Object.keys(config.notify.wecom).map((n) => `wecom/${n}`),
    ];
    const unknown = options.notify.filter((ref) => !configured.includes(ref));
    if (unknown.length > 0) {
      const known = configured.length > 0 ? `configured: ${configured.join(', ')}` : 'notify configures no robot';
      process.stderr.write(
        `doctor: --notify ${unknown.join(', ')}: not a configured robot of the notify section (${known})\n`,
      );
      return 4;
    }
  }
  const color =
    options.color === 'auto' ? process.stdout.isTTY === true && process.env.NO_COLOR === undefined : options.color;
  const write = (output: string) => new Promise<void>((resolve) => process.stdout.write(output, () => resolve()));
  // Times as the robots and the status page show them: notify.timezone, with its offset.
  const timeZone = config.notify.timezone;
  const report = (diagnosis: Diagnosis) =>
    options.format === 'json'
      ? `${JSON.stringify(renderJson(diagnosis, options.lang, { timeZone }), null, 2)}\n`
      : renderText(diagnosis, options.lang, { color, timeZone });
  if (options.target === undefined && !options.all) {
    const diagnosis = await runDoctor(config, logger, options.timeoutMs);
    if (options.notify.length > 0) {
      // The report covers the fleet too, as the daemon's does.
      const targets = fleetOf(config).targets;
      const fleet = targets.length > 0 ? await runDoctorTargets(config, targets, logger, options.timeoutMs) : undefined;
      await write(report(diagnosis));
      if (!(await deliver(config, options.notify, diagnosis, fleet, logger, options.timeoutMs))) return 5;
      return exitCodeOf(worst([diagnosis.verdict, ...(fleet ?? []).map((d) => d.verdict)]));
    }
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
    const targetsJson = diagnoses.map((d) => renderJson(d, options.lang, { timeZone }));
    const json = {
      verdict: summary.verdict,
      exitCode: exitCodeOf(summary.verdict),
      counts: summary.counts,
      targets: targetsJson,
    };
    await write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    await write(
      `${diagnoses.map((d) => renderText(d, options.lang, { color, timeZone })).join(`\n${'='.repeat(72)}\n\n`)}\n${summaryLine(diagnoses, options.lang)}\n`,
    );
  }
  return exitCodeOf(summary.verdict);
}

/** Sends the report through the notify section's robots (signing, limits, retries); false when one did not take it in time. */
async function deliver(
  config: ReturnType<typeof loadConfigFile>,
  to: readonly string[],
  diagnosis: Diagnosis,
  fleet: Diagnosis[] | undefined,
  logger: ReturnType<typeof createLogger>,
  timeoutMs: number,
): Promise<boolean> {
  const notifier = createNotifier(config, logger)!;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  const delivery = sendReport({ config, notifier }, to, diagnosis, fleet);
  // On time-out, closing the robots ends the pending deliveries as `closed`.
  await Promise.race([delivery, timedOut.then(() => notifier.close())]);
  const results = await delivery;
  clearTimeout(timer);
  await notifier.close();
  let ok = true;
  for (const { to: robot, result } of results) {
    if (result === 'sent') {
      process.stderr.write(`doctor: report sent to ${robot}\n`);
    } else {
      ok = false;
      const why =
        result === 'dropped'
          ? 'the robot refused it as too large'
          : `not delivered within --timeout (${timeoutMs / 1000} s); see the log lines above (--log.level=warn)`;
      process.stderr.write(`doctor: report to ${robot} failed: ${why}\n`);
    }
  }
  return ok;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`doctor: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(4);
  },
);
