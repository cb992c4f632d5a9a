import { scrapeVersion } from '../documentserver/version.js';
import { gauge } from '../metrics/gauge.js';
import type { CollectorDefinition } from './types.js';

/**
 * DocumentServer's version and build, from CommandService `version`; when that is refused
 * (JWT mismatch) or unreachable, from /info/info.json, then from the /index.html greeting.
 */
const buildInfo: CollectorDefinition = {
  name: 'build_info',
  scopes: ['metrics', 'probe'],
  create: () => ({
    async collect(ctx) {
      const found = await scrapeVersion(ctx);
      gauge(ctx.registry, 'onlyoffice_build_info', 'Always 1; DocumentServer\'s version and build number as labels.', ['version', 'build'])
        .set({ version: found.version, build: found.build }, 1);
    },
  }),
};

export default buildInfo;
