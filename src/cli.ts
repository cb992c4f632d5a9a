import { parseDuration } from './config/duration.js';
import { DEFAULT_MAX_RESPONSE_BYTES_IN_FLIGHT } from './lib/http.js';
import { DEFAULT_MAX_REQUESTS } from './scrape/admission.js';

export interface CliOptions {
  configFile?: string;
  listenHost: string;
  listenPort: number;
  logLevel: string;
  timeoutOffsetMs: number;
  enableRemoteReload: boolean;
  webConfigFile?: string;
  /** Scrapes at once; 0 for no limit. */
  maxRequests: number;
  /** Bytes of target answers held at once across all requests; 0 for no limit. */
  maxResponseBytesInFlight: number;
}

export const DEFAULT_LISTEN = ':9967';
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export const USAGE = `usage: npm start -- [flags]

  --config.file=PATH            YAML configuration (default: built-in defaults, a DS at http://127.0.0.1)
  --web.listen-address=ADDR     host:port to listen on (default ${DEFAULT_LISTEN})
  --web.timeout-offset=DUR      subtracted from Prometheus' scrape timeout (default 500ms)
  --web.enable-remote-reload    accept POST /-/reload from any address, not only loopback
  --web.config.file=PATH        exporter-toolkit web config: TLS and basic auth on every endpoint (reloaded with the config)
  --web.max-requests=N          scrapes (/metrics, /probe) at once; past it 503 at once; 0 = no limit (default ${DEFAULT_MAX_REQUESTS})
  --web.max-response-bytes-in-flight=BYTES
                                bytes of target answers held at once, all scrapes together; 0 = no limit
                                (default ${DEFAULT_MAX_RESPONSE_BYTES_IN_FLIGHT}, 64 MiB)
  --log.level=LEVEL             ${LOG_LEVELS.join('|')} (default info)
  --help, --version`;

export class CliError extends Error {}

/** Parses flags in Prometheus style (`--flag=value` or `--flag value`); throws CliError naming the flag. */
export function parseCli(argv: readonly string[]): CliOptions | 'help' | 'version' {
  const options: CliOptions = {
    listenHost: '',
    listenPort: 9967,
    logLevel: 'info',
    timeoutOffsetMs: 500,
    enableRemoteReload: false,
    maxRequests: DEFAULT_MAX_REQUESTS,
    maxResponseBytesInFlight: DEFAULT_MAX_RESPONSE_BYTES_IN_FLIGHT,
  };
  setListen(options, DEFAULT_LISTEN);
  for (const { flag, value } of readFlags(
    argv,
    ['help', 'h', 'version', 'web.enable-remote-reload'],
    (message) => new CliError(message),
  )) {
    switch (flag) {
      case 'help':
      case 'h':
        return 'help';
      case 'version':
        return 'version';
      case 'web.enable-remote-reload':
        options.enableRemoteReload = true;
        break;
      case 'config.file':
        options.configFile = value;
        break;
      case 'web.config.file':
        options.webConfigFile = value;
        break;
      case 'web.listen-address':
        setListen(options, value);
        break;
      case 'log.level':
        options.logLevel = logLevel(value, (message) => new CliError(message));
        break;
      case 'web.timeout-offset': {
        const ms = parseDuration(value);
        if (ms === undefined)
          throw new CliError(`--web.timeout-offset must be a duration such as 500ms, not "${value}"`);
        options.timeoutOffsetMs = ms;
        break;
      }
      case 'web.max-requests':
        options.maxRequests = count(flag, value);
        break;
      case 'web.max-response-bytes-in-flight':
        options.maxResponseBytesInFlight = count(flag, value);
        break;
      default:
        throw new CliError(`unknown flag --${flag}`);
    }
  }
  return options;
}

export interface Flag {
  flag: string;
  /** Always set for flags that are not switches. */
  value: string;
}

/**
 * Splits Prometheus-style arguments: `--flag=value`, `--flag value`, or a bare `--switch` named in
 * `switches` (whose value is ''). `fail` makes the error each command line reports.
 */
export function* readFlags(
  argv: readonly string[],
  switches: readonly string[],
  fail: (message: string) => Error,
): Generator<Flag> {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--?([a-z][a-z.-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw fail(`unexpected argument "${arg}"`);
    const flag = match[1]!;
    if (switches.includes(flag) && match[2] === undefined) {
      yield { flag, value: '' };
      continue;
    }
    let value = match[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw fail(`--${flag} needs a value`);
    }
    yield { flag, value };
  }
}

export function logLevel(value: string, fail: (message: string) => Error): string {
  if (!LOG_LEVELS.includes(value)) throw fail(`--log.level must be one of ${LOG_LEVELS.join(', ')}, not "${value}"`);
  return value;
}

function count(flag: string, value: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw new CliError(`--${flag} must be a whole number (0 for no limit), not "${value}"`);
  return Number(value);
}

function setListen(options: CliOptions, value: string): void {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535)
    throw new CliError(`--web.listen-address must be host:port, [ipv6]:port or :port, not "${value}"`);
  options.listenHost = match[1] ?? (match[2] || '0.0.0.0');
  options.listenPort = port;
}
