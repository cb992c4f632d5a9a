import { scrapeVersion } from '../documentserver/version.js';
import { emit, gaugeFamily } from '../metrics/family.js';
import type { CollectorDefinition } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const BUILD_INFO_METRICS = {
  info: 'onlyoffice_build_info',
} as const;

const BUILD_INFO = gaugeFamily(
  BUILD_INFO_METRICS.info,
  "Always 1; DocumentServer's version and build number as labels.",
  ['version', 'build'],
);

/**
 * DocumentServer's version and build, from CommandService `version`; when that is refused
 * (JWT mismatch) or unreachable, from /info/info.json, then from the /index.html greeting.
 */
const buildInfo: CollectorDefinition = {
  name: 'build_info',
  scopes: ['metrics', 'probe'],
  runs: 'scrape',
  create: () => ({
    async collect(ctx) {
      const found = await scrapeVersion(ctx);
      emit(ctx, BUILD_INFO).push({ labels: { version: found.version, build: found.build }, value: 1 });
    },
  }),
};

export default buildInfo;
