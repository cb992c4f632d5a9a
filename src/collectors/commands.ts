import { dsCommand, describeHttp } from '../documentserver/client.js';
import { commandErrorReason } from '../documentserver/model.js';
import { emit, emitValue, gaugeFamily } from '../metrics/family.js';
import type { CollectorDefinition } from './types.js';

const COMMAND_ERROR = gaugeFamily('onlyoffice_command_error',
  'The error code CommandService returned for a read-only command (1 for the code seen; code 0 is success, 6 a rejected JWT, 7 an expired JWT).',
  ['command', 'code', 'reason']);
const FORGOTTEN = gaugeFamily('onlyoffice_forgotten_files', 'Files DocumentServer kept because saving them to the storage failed (getForgottenList, 7.5+).');

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
      const outcomes = await Promise.all(COMMANDS.map(async (command) => ({ command, outcome: await dsCommand(ctx, 'direct', command) })));
      const answered = outcomes.filter(({ outcome }) => typeof outcome.answer?.error === 'number');
      if (answered.length === 0) {
        throw new Error(`CommandService gave no answer: ${describeHttp(outcomes[0]!.outcome.http)}`);
      }
      const error = emit(ctx, COMMAND_ERROR);
      for (const { command, outcome } of answered) {
        const code = outcome.answer!.error!;
        error.push({ labels: { command, code: String(code), reason: commandErrorReason(code) }, value: 1 });
      }
      const forgotten = outcomes.find(({ command }) => command === 'getForgottenList')?.outcome.answer;
      // 7.1 has no getForgottenList (it answers error 1): the metric is absent there.
      if (forgotten?.error === 0 && Array.isArray(forgotten.keys)) {
        emitValue(ctx, FORGOTTEN, forgotten.keys.length);
      }
    },
  }),
};

export default commands;
