// Runs the DocumentServer simulator (replayed real DocService responses) for trying the exporter by hand:
//   npx tsx scripts/simulator.ts --port=8000 --version=7.5 [--jwt-secret=...] [--fault=rabbitmq_down]
import { DS_VERSIONS, startDsSimulator, type DsFault, type DsVersion } from '../test/support/ds-simulator.js';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, ...rest] = arg.replace(/^--/, '').split('=');
    return [key!, rest.join('=')] as const;
  }),
);
const version = (args.get('version') ?? '7.5') as DsVersion;
if (!DS_VERSIONS.includes(version)) {
  process.stderr.write(`--version must be one of ${DS_VERSIONS.join(', ')}\n`);
  process.exit(2);
}
const simulator = await startDsSimulator({
  version,
  port: Number(args.get('port') ?? 8000),
  jwtSecret: args.get('jwt-secret') || undefined,
});
const fault = args.get('fault');
if (fault) simulator.setFault(fault as DsFault);
process.stdout.write(`DocumentServer ${version} simulator on ${simulator.url}${fault ? ` with fault ${fault}` : ''}\n`);
process.on('SIGINT', () => void simulator.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void simulator.stop().then(() => process.exit(0)));
