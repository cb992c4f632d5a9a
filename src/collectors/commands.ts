import { dsCommand, describeHttp } from '../documentserver/client.js';
import { commandErrorReason, commandSupported } from '../documentserver/model.js';
import { scrapeVersion } from '../documentserver/version.js';
import { emit, emitValue, gaugeFamily } from '../metrics/family.js';
import type { CollectorDefinition } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const COMMAND_METRICS = {
  error: 'onlyoffice_command_error',
} as const;

const COMMAND_ERROR = gaugeFamily(
  COMMAND_METRICS.error,
  'Always 1, on the row of the error code CommandService returned for a supported read-only command: code="0" reason="none" is success (no error), 6 token is a rejected JWT, 7 token_expired an expired JWT, 3 unknown an internal error.',
  ['command', 'code', 'reason'],
);
const COMMAND_SUPPORTED = gaugeFamily(
  'onlyoffice_command_supported',
  'Whether this DocumentServer version implements the read-only command: 1 yes, 0 no (it answered "unknown command"; getForgottenList on DS older than 7.5, or answered with error 1 when the version is unknown). An unsupported command has no onlyoffice_command_error row.',
  ['command'],
);
const FORGOTTEN = gaugeFamily(
  'onlyoffice_forgotten_files',
  'Files DocumentServer kept because saving them to the storage failed (getForgottenList, 7.5+).',
);

// Read-only, keyless commands; everything else CommandService offers mutates or needs a document key.
const COMMANDS = ['version', 'license', 'getForgottenList'] as const;

/**
 * CommandService answers HTTP 200 whatever happens; the outcome is the `error` field. A JWT mismatch
 * (6 token, 7 token expired) is its own signal here rather than a generic failure.
 */
const commands: CollectorDefinition = {
  name: 'commands',
  scopes: ['metrics', 'probe'],
  runs: 'scrape',
  create: () => ({
    async collect(ctx) {
      const outcomes = await Promise.all(
        COMMANDS.map(async (command) => ({ command, outcome: await dsCommand(ctx, 'direct', command) })),
      );
      const answered = outcomes.filter(({ outcome }) => typeof outcome.answer?.error === 'number');
      if (answered.length === 0) {
        throw new Error(`CommandService gave no answer: ${describeHttp(outcomes[0]!.outcome.http)}`);
      }
      // The version this scrape found already (build_info): getForgottenList's error 1 means "no such command" only
      // before 7.5.
      const version = await scrapeVersion(ctx).catch(() => undefined);
      const supported = emit(ctx, COMMAND_SUPPORTED);
      const error = emit(ctx, COMMAND_ERROR);
      for (const { command, outcome } of answered) {
        const code = outcome.answer!.error!;
        const known = commandSupported(command, code, version);
        supported.push({ labels: { command }, value: known ? 1 : 0 });
        if (known) error.push({ labels: { command, code: String(code), reason: commandErrorReason(code) }, value: 1 });
      }
      const forgotten = outcomes.find(({ command }) => command === 'getForgottenList')?.outcome.answer;
      // 7.1 has no getForgottenList: the metric is absent there.
      if (forgotten?.error === 0 && Array.isArray(forgotten.keys)) {
        emitValue(ctx, FORGOTTEN, forgotten.keys.length);
      }
    },
  }),
};

export default commands;
