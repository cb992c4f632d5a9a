import { logLevel, readFlags } from '../cli.js';
import { parseDuration } from '../config/duration.js';
import { LANGS, type Lang } from './i18n.js';

export interface DoctorOptions {
  configFile?: string;
  lang: Lang;
  format: 'text' | 'json';
  /** Whole run, every check included. */
  timeoutMs: number;
  logLevel: string;
  color: boolean | 'auto';
  /** A fleet target (probe.targets) by name or URL instead of documentserver. */
  target?: string;
  /** Every fleet target, one report each and a summary line. */
  all: boolean;
  /** Robots (dingtalk/NAME, wecom/NAME) to send the daily report to now. */
  notify: string[];
}

export const DOCTOR_USAGE = `usage: npm run doctor -- [flags]     (in the image: docker run ... onlyoffice-exporter doctor [flags])

Runs every configured check once and says which hop is broken and how to fix it.
  --config.file=PATH     the exporter's YAML configuration (the daemon's flag; default: built-in defaults)
  --lang=zh-CN|en        report language (default zh-CN)
  --format=text|json     text for people and cron mail, json for scripts (default text)
  --timeout=DUR          give up on checks after this long (default 30s)
  --target=NAME|URL      diagnose this target of probe.targets (by its name or URL) instead of documentserver
  --all                  diagnose every target of probe.targets: one report each, then a summary line
  --notify=CHANNEL/ROBOT send the daily inspection report (notify.report's message) to this robot of the notify section
                         now, e.g. --notify dingtalk/ops; repeat for more robots
  --color / --no-color   colour the verdicts (default: when writing to a terminal)
  --log.level=LEVEL      exporter log lines on stderr (default error)
  --help
The daemon's --web.* flags are accepted and ignored, so the service's own arguments work.
Exit code: 0 all well, 1 warnings, 2 a hop failed, 3 a check could not run, 4 bad flags or configuration
(with --all, the worst of the targets; with --notify, the report's verdict, which includes probe.targets),
5 the report could not be delivered in --timeout (--notify; retried until then).
A target is seen as /probe sees it: its proxy, docservice, healthcheck, JWT and certificates, with its own settings.`;

export class DoctorCliError extends Error {}

const IGNORED = new Set([
  'web.listen-address',
  'web.timeout-offset',
  'web.config.file',
  'web.max-requests',
  'web.max-response-bytes-in-flight',
]);

export function parseDoctorCli(argv: readonly string[]): DoctorOptions | 'help' {
  const options: DoctorOptions = {
    lang: 'zh-CN',
    format: 'text',
    timeoutMs: 30_000,
    logLevel: 'error',
    color: 'auto',
    all: false,
    notify: [],
  };
  const fail = (message: string) => new DoctorCliError(message);
  for (const { flag, value } of readFlags(
    argv,
    ['help', 'h', 'color', 'no-color', 'all', 'web.enable-remote-reload'],
    fail,
  )) {
    switch (flag) {
      case 'help':
      case 'h':
        return 'help';
      case 'color':
        options.color = true;
        break;
      case 'no-color':
        options.color = false;
        break;
      case 'web.enable-remote-reload':
        break;
      case 'all':
        options.all = true;
        break;
      case 'target':
        if (value === '') throw new DoctorCliError('--target needs a name or URL of probe.targets');
        options.target = value;
        break;
      case 'notify':
        if (!/^(dingtalk|wecom)\/[A-Za-z0-9_-]{1,64}$/.test(value)) {
          throw new DoctorCliError(`--notify needs a robot as dingtalk/NAME or wecom/NAME, not "${value}"`);
        }
        if (!options.notify.includes(value)) options.notify.push(value);
        break;
      case 'config.file':
        options.configFile = value;
        break;
      case 'lang':
        if (!(LANGS as readonly string[]).includes(value))
          throw new DoctorCliError(`--lang must be zh-CN or en, not "${value}"`);
        options.lang = value as Lang;
        break;
      case 'format':
        if (value !== 'text' && value !== 'json')
          throw new DoctorCliError(`--format must be text or json, not "${value}"`);
        options.format = value;
        break;
      case 'timeout': {
        const ms = parseDuration(value);
        if (ms === undefined || ms <= 0)
          throw new DoctorCliError(`--timeout must be a duration such as 30s, not "${value}"`);
        options.timeoutMs = ms;
        break;
      }
      case 'log.level':
        options.logLevel = logLevel(value, fail);
        break;
      default:
        if (!IGNORED.has(flag)) throw new DoctorCliError(`unknown flag --${flag}`);
    }
  }
  if (options.all && options.target !== undefined) throw new DoctorCliError('give --target or --all, not both');
  if (options.notify.length > 0 && (options.all || options.target !== undefined)) {
    throw new DoctorCliError(
      '--notify sends the report of documentserver and every target; give it without --target or --all',
    );
  }
  return options;
}
