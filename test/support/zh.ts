/**
 * The zh-CN prose checks shared by test/unit/i18n-zh.test.ts (messages, pages, doctor) and test/unit/grafana.test.ts
 * (the zh-CN dashboards).
 */
/**
 * Every word a zh-CN reader sees is Chinese, except the Latin tokens listed here: product and protocol names,
 * programs and commands, and terms that are the name of a thing in its own software (log text is quoted “…”).
 * Commands, paths, keys, metric names and label values carry a character no prose word has (_ . / = : - digits)
 * and pass as such; fix lines that are commands are checked only for their `# comment`.
 */
export const ALLOWED_LATIN = new Set([
  // products, projects, protocols
  'ONLYOFFICE',
  'Docs',
  'DocumentServer',
  'DS',
  'RabbitMQ',
  'PostgreSQL',
  'Redis',
  'nginx',
  'Docker',
  'JWT',
  'Kubernetes',
  'Prometheus',
  'Alertmanager',
  'Traefik',
  'Caddy',
  'Nextcloud',
  'ownCloud',
  'Seafile',
  'WebSocket',
  'HTTP',
  'HTTPS',
  'TLS',
  'TCP',
  'AMQP',
  'IP',
  'IPv4',
  'API',
  'OOM',
  // the language link's own name
  'English',
  // parts of DocumentServer and the exporter, commands, directives and values by the names their own files and logs use
  'CommandService',
  'ConvertService',
  'FileConverter',
  'docservice',
  'supervisor',
  'supervisorctl',
  'systemd',
  'deb',
  'rpm',
  'compose',
  'inode',
  'npm',
  'run',
  'doctor',
  'version',
  'license',
  'true',
  'false',
  'WARN',
  'FATAL',
  'BACKOFF',
  'HEALTHCHECK',
  'SELECT',
  'OOMKilled',
  'uncaughtException',
  'upstream',
  'location',
  'Upgrade',
  'Connection',
  'dependencies',
  'subjectAltName',
  'localhost',
  // units
  'ms',
  's',
  'KB',
  'MB',
  'GB',
]);

/** The stable verdict tokens (cron mail, grep): allowed only in full-width parentheses, after the word (正常（OK）). */
const TOKEN = '(?:OK|WARN|FAIL|UNKNOWN|SKIPPED)';

/** What remains of zh-CN prose that is neither Chinese nor an allowed token: the Latin words a reader would trip over. */
export function foreignWords(text: string, alsoAllowed: ReadonlySet<string> = new Set()): string[] {
  const stripped = text
    .replace(/`[^`]*`/g, ' ')
    .replace(/“[^”]*”/g, ' ')
    .replace(new RegExp(`（${TOKEN}）`, 'g'), ' ')
    .replace(/\]\([^)]*\)/g, '] ')
    .replace(/https?:\/\/\S+/g, ' ');
  const words: string[] = [];
  for (const raw of stripped.split(/[^\x21-\x7e]+/)) {
    const token = raw.replace(/^[\s.,:;!?()[\]"'*#>|<]+|[\s.,:;!?()[\]"'*#>|<]+$/g, '');
    if (token === '' || !/[A-Za-z]/.test(token)) continue;
    if (/[_./=:\-\d$@{}[\]'"~*<>|]/.test(token)) continue; // a command, path, key, metric name or value
    if (!ALLOWED_LATIN.has(token) && !alsoAllowed.has(token)) words.push(token);
  }
  return words;
}

/** Half-width punctuation touching Chinese text: `(警告)`, `时间: `. */
export function halfWidthPunctuation(text: string): string[] {
  // URLs, commands and IPv6 addresses (`::1`) keep their own punctuation.
  text = text
    .replace(/`[^`]*`/g, ' ')
    .replace(/“[^”]*”/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\S*::\S*/g, ' ');
  const cjk = '[\\u3400-\\u9fff]';
  const punct = '[(),;:!?]';
  // Also an English-style aside " (…)" and half-width punctuation before full-width: "(WebSocket)：".
  return [
    ...text.matchAll(new RegExp(`${cjk} ?${punct}|${punct} ?${cjk}| \\([^)]*\\)|${punct}[：，。；、）]`, 'g')),
  ].map((m) => m[0]);
}
