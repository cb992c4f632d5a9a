// The image's health check (Dockerfile HEALTHCHECK, a Kubernetes exec probe, `docker exec ... healthcheck`):
// GET /-/healthy on the exporter's own listen address, over HTTPS when its --web.config.file turns TLS on.
//
//   healthcheck [--web.listen-address=ADDR] [--web.config.file=PATH] [--timeout=3s]
//
// Without --web.listen-address and --web.config.file it takes them from the running exporter's command line
// (/proc/<pid>/cmdline), so it follows whatever flags the container was started with. The exporter's other
// flags are accepted and ignored, so its whole flag list can be passed as is (a host install).
// Exit 0: healthy, or alive where a health check cannot get further (basic auth, client certificates).
// Exit 1: anything else (Docker reserves 2). One line on stdout says why; Docker keeps it in the health log.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

const DEFAULT_LISTEN = ':9967';
const DEFAULT_TIMEOUT_MS = 3000;
// The exporter's flags (src/cli.ts) this script has no use for; a test keeps the list in step with USAGE.
const IGNORED = [
  'config.file',
  'web.timeout-offset',
  'log.level',
  'web.max-requests',
  'web.max-response-bytes-in-flight',
];
const SWITCHES = ['web.enable-remote-reload'];

/** `strict`: unknown flags are errors (typed by a person); otherwise skipped (the exporter's own, newer flags). */
function parseFlags(argv, strict) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--?([a-z][a-z.-]*)(?:=(.*))?$/.exec(argv[i]);
    if (!match) {
      if (strict) throw new Error(`unexpected argument "${argv[i]}"`);
      continue;
    }
    const flag = match[1];
    if (flag === 'help' || flag === 'h') return { help: true };
    if (SWITCHES.includes(flag) && match[2] === undefined) continue;
    const known =
      flag === 'web.listen-address' ||
      flag === 'web.config.file' ||
      IGNORED.includes(flag) ||
      (strict && flag === 'timeout');
    if (!known) {
      if (strict) throw new Error(`unknown flag --${flag}`);
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${flag} needs a value`);
    if (flag === 'web.listen-address') flags.listen = value;
    else if (flag === 'web.config.file') flags.webConfig = value;
    else if (flag === 'timeout') flags.timeoutMs = duration(value);
  }
  return flags;
}

function duration(value) {
  const match = /^(\d+)(ms|s)$/.exec(value);
  if (!match || Number(match[1]) === 0)
    throw new Error(`--timeout must be a duration such as 3s or 500ms, not "${value}"`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

/** The flags of the exporter running beside us: the process whose script is dist/main.js or src/main.ts (PID 1, or under --init). */
function runningExporter() {
  const found = new Map();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let argv;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (argv.at(-1) === '') argv.pop();
    const main = argv.findIndex((arg, i) => i > 0 && /(^|\/)(dist\/main\.js|src\/main\.ts)$/.test(arg));
    if (main < 0) continue;
    let cwd = process.cwd();
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // another user's process: its relative --web.config.file is taken as relative to ours
    }
    const args = argv.slice(main + 1);
    // `tsx src/main.ts` runs the same command line in a child process: one exporter, not two.
    found.set(JSON.stringify([cwd, args]), { pid, cwd, args });
  }
  if (found.size > 1) {
    throw new Error(
      `${found.size} exporters run here (pids ${[...found.values()].map((p) => p.pid).join(', ')}): pass --web.listen-address and --web.config.file`,
    );
  }
  return found.values().next().value;
}

function listenTarget(address) {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  if (!match || Number(match[3]) > 65535)
    throw new Error(`--web.listen-address must be host:port, [ipv6]:port or :port, not "${address}"`);
  const host = match[1] ?? match[2];
  // A wildcard listen address is reached on loopback, of the same family.
  const connect = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return { host: connect, port: Number(match[3]) };
}

/** What the health check must know from the web config: whether TLS is on, and what stops an anonymous request. */
function webSettings(path) {
  const none = { tls: false, clientCertRequired: false, basicAuth: false };
  if (path === undefined) return none;
  let raw;
  try {
    raw = parse(readFileSync(path, 'utf8')) ?? {};
  } catch (error) {
    throw new Error(`cannot read the web config ${path}: ${error.code ?? error.message.split('\n')[0]}`);
  }
  const tls = raw.tls_server_config;
  const users = raw.basic_auth_users;
  return {
    tls: typeof tls === 'object' && tls !== null,
    clientCertRequired: ['RequireAnyClientCert', 'RequireAndVerifyClientCert'].includes(tls?.client_auth_type),
    basicAuth: typeof users === 'object' && users !== null && Object.keys(users).length > 0,
  };
}

function check({ host, port }, web, timeoutMs) {
  const url = `${web.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/-/healthy`;
  return new Promise((done) => {
    const options = { host, port, path: '/-/healthy', agent: false, headers: { connection: 'close' } };
    // Our own process over loopback: the certificate is issued for the name Prometheus uses, often by a private CA,
    // and this check is about liveness, not identity. Every version the server may be limited to is offered.
    if (web.tls) Object.assign(options, { rejectUnauthorized: false, minVersion: 'TLSv1' });
    let handshake = false;
    const req = (web.tls ? httpsRequest : httpRequest)(options, (res) => {
      res.resume();
      if (res.statusCode === 200) done([0, `healthy: 200 from ${url}`]);
      // The bcrypt hashes cannot be reversed, so a health check cannot log in. Our server answers an
      // anonymous request with this challenge (no bcrypt run) from its event loop: alive and answering.
      else if (res.statusCode === 401 && web.basicAuth && res.headers['www-authenticate'] === 'Basic') {
        done([0, `alive: 401 from ${url} (basic auth is on; a health check has no password)`]);
      } else done([1, `unhealthy: ${res.statusCode} from ${url}`]);
    });
    req.on('socket', (socket) => socket.once('secureConnect', () => (handshake = true)));
    req.on('error', (error) => {
      const alert = /^ERR_SSL_.*ALERT/.test(error.code ?? '') || /SSL alert number \d+/.test(error.message);
      // Client certificates required: the server completed a TLS handshake and then refused us (TLS 1.3 and
      // RequireAnyClientCert), or refused it with a TLS alert (TLS 1.2). Only a live process does either.
      if (web.clientCertRequired && (handshake || alert))
        done([0, `alive: ${url} refused a client without a certificate: ${why(error)}`]);
      else done([1, `unhealthy: ${url}: ${why(error)}`]);
    });
    setTimeout(() => {
      done([1, `unhealthy: no answer from ${url} within ${timeoutMs}ms`]);
      req.destroy();
    }, timeoutMs);
    req.end();
  });
}

// OpenSSL's messages carry the reason between the routine and the source file: keep that, not the rest.
function why(error) {
  const ssl = /SSL routines:[^:]*:([^:]+)/.exec(error.message);
  return ssl ? `${ssl[1]} (${error.code})` : error.message.split('\n')[0];
}

async function main(argv) {
  const explicit = parseFlags(argv, true);
  if (explicit.help) {
    process.stdout.write('usage: healthcheck [--web.listen-address=ADDR] [--web.config.file=PATH] [--timeout=3s]\n');
    return 0;
  }
  let flags = explicit;
  let cwd = process.cwd();
  if (explicit.listen === undefined && explicit.webConfig === undefined) {
    const exporter = runningExporter();
    if (exporter) {
      flags = { ...parseFlags(exporter.args, false), timeoutMs: explicit.timeoutMs };
      cwd = exporter.cwd;
    }
  }
  const target = listenTarget(flags.listen ?? DEFAULT_LISTEN);
  const webConfig =
    flags.webConfig === undefined || isAbsolute(flags.webConfig) ? flags.webConfig : resolve(cwd, flags.webConfig);
  const [code, message] = await check(target, webSettings(webConfig), flags.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  process.stdout.write(`${message}\n`);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stdout.write(`unhealthy: ${error.message}\n`);
    process.exit(1);
  },
);
