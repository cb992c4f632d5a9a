import { dsCommand, dsGet, dsInfoJson, describeHttp, PATHS, type DsScrape } from './client.js';
import { buildFromInfo, versionFromCommand, versionFromIndex, type BuildVersion } from './model.js';

/**
 * DocumentServer's version and build, from CommandService `version`; when that is refused
 * (JWT mismatch) or unreachable, from /info/info.json, then from the /index.html greeting.
 * Once per scrape: build_info exports it, the WebSocket check picks its transport by it.
 */
export function scrapeVersion(ctx: DsScrape): Promise<BuildVersion> {
  return ctx.memo(`VERSION ${ctx.target.url}`, () => findVersion(ctx));
}

async function findVersion(ctx: DsScrape): Promise<BuildVersion> {
  const [command, info, index] = await Promise.all([
    dsCommand(ctx, 'direct', 'version'),
    dsInfoJson(ctx),
    dsGet(ctx, 'direct', PATHS.index),
  ]);
  const fromCommand = command.answer?.error === 0 ? versionFromCommand(command.answer.version) : undefined;
  if (fromCommand) return fromCommand;
  const fromInfo = info.json ? buildFromInfo(info.json) : undefined;
  if (fromInfo) return fromInfo;
  const fromIndex = index.ok && index.status === 200 ? versionFromIndex(index.body) : undefined;
  if (fromIndex) return fromIndex;
  const fromWhat = command.answer ? `error ${command.answer.error}` : describeHttp(command.http);
  throw new Error(
    `no version from CommandService (${fromWhat}), info.json (${describeHttp(info.http)}) or index.html (${describeHttp(index)})`,
  );
}
