import { dsCommand, dsGet, describeHttp, parseJsonObject, PATHS } from '../documentserver/client.js';
import { buildFromInfo, versionFromCommand, versionFromIndex, type BuildVersion } from '../documentserver/model.js';
import { gauge } from '../lib/metrics.js';
import type { CollectorDefinition, ScrapeContext } from './types.js';

/**
 * DocumentServer's version and build, from CommandService `version`; when that is refused
 * (JWT mismatch) or unreachable, from /info/info.json, then from the /index.html greeting.
 */
const buildInfo: CollectorDefinition = {
  name: 'build_info',
  scopes: ['metrics', 'probe'],
  create: () => ({
    async collect(ctx) {
      const found = await findVersion(ctx);
      gauge(ctx.registry, 'onlyoffice_build_info', 'Always 1; DocumentServer\'s version and build number as labels.', ['version', 'build'])
        .set({ version: found.version, build: found.build }, 1);
    },
  }),
};

async function findVersion(ctx: ScrapeContext): Promise<BuildVersion> {
  const [command, info, index] = await Promise.all([
    dsCommand(ctx, 'direct', 'version'),
    dsGet(ctx, 'direct', PATHS.info),
    dsGet(ctx, 'direct', PATHS.index),
  ]);
  const fromCommand = command.answer?.error === 0 ? versionFromCommand(command.answer.version) : undefined;
  if (fromCommand) return fromCommand;
  const infoJson = info.ok && info.status === 200 ? parseJsonObject(info.body) : undefined;
  const fromInfo = infoJson ? buildFromInfo(infoJson) : undefined;
  if (fromInfo) return fromInfo;
  const fromIndex = index.ok && index.status === 200 ? versionFromIndex(index.body) : undefined;
  if (fromIndex) return fromIndex;
  throw new Error(`no version from CommandService (${command.answer ? `error ${command.answer.error}` : describeHttp(command.http)}), info.json (${describeHttp(info)}) or index.html (${describeHttp(index)})`);
}

export default buildInfo;
