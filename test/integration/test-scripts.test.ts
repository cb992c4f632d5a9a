import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The README's two commands in the order that failed: `npm start` first (production dependencies), then the tests. */
describe('npm start, then npm test, on a fresh checkout', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ooe-fresh-'));
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.json'])
      cpSync(join(ROOT, file), join(dir, file));
    for (const folder of ['scripts', 'src']) cpSync(join(ROOT, folder), join(dir, folder), { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the test set-up brings in the dev dependencies that npm start left out', async () => {
    const start = await run('bash', ['scripts/start.sh', '--version'], {
      cwd: dir,
      env: { ...process.env, npm_config_prefer_offline: 'true' },
    });
    expect(start.stdout).toContain(VERSION);
    // What `npm start` installs: no TypeScript, no jest.
    expect(existsSync(join(dir, 'node_modules/fastify/package.json'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules/.bin/tsc'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/jest'))).toBe(false);

    await run('bash', ['scripts/test-setup.sh'], {
      cwd: dir,
      env: { ...process.env, npm_config_prefer_offline: 'true' },
    });
    const tsc = await run(join(dir, 'node_modules/.bin/tsc'), ['--version'], { cwd: dir });
    expect(tsc.stdout).toMatch(/^Version 5\./);
    expect(existsSync(join(dir, 'node_modules/jest/bin/jest.js'))).toBe(true);

    // npm start again, with a lock file touched since the install (a pull, a merge): the dev dependencies stay, so a
    // test that runs npm start in the middle of the suite cannot take jest and tsc away from it.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'package-lock.json'), later, later);
    expect((await run('bash', ['scripts/start.sh', '--version'], { cwd: dir })).stdout).toContain(VERSION);
    expect(existsSync(join(dir, 'node_modules/.bin/tsc'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules/jest/bin/jest.js'))).toBe(true);
  }, 300_000);

  test('the scripts call the local binaries, never a bare npx that may fetch a package of the same name', () => {
    for (const script of readdirSync(join(ROOT, 'scripts')).filter((name) => name.endsWith('.sh'))) {
      const code = readFileSync(join(ROOT, 'scripts', script), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*#/.test(line))
        .join('\n');
      expect({ script, npx: /(^|[\s;&|(])npx\s/m.test(code) }).toEqual({ script, npx: false });
    }
    expect(readFileSync(join(ROOT, 'scripts/test.sh'), 'utf8')).toContain('node_modules/.bin/tsc --noEmit');
  });
});

/**
 * scripts/install-test-deps.sh on a host that already runs services. apt-get, dpkg, service and id are stand-ins
 * here (a real install would change this machine); they keep their state in files and log every call, and the stand-in
 * apt-get starts each installed package's service the way a maintainer script does, through invoke-rc.d's
 * policy-rc.d question.
 */
describe('scripts/install-test-deps.sh never stops a service it did not start', () => {
  const ALL = [
    'nginx',
    'rabbitmq-server',
    'postgresql',
    'redis-server',
    'prometheus',
    'prometheus-alertmanager',
    'docker.io',
    'busybox-static',
    'chromium',
    'openssl',
    'prometheus-blackbox-exporter',
    'docker-compose',
    'fonts-wqy-microhei',
  ];
  let dir: string;
  let state: string;
  let policy: string;

  function stub(name: string, body: string): void {
    writeFileSync(join(dir, 'bin', name), `#!/bin/sh\nSTATE=${JSON.stringify(state)}\n${body}\n`);
    chmodSync(join(dir, 'bin', name), 0o755);
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ooe-deps-'));
    state = join(dir, 'state');
    policy = join(dir, 'policy-rc.d');
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(state, 'installed'), { recursive: true });
    mkdirSync(join(state, 'running'));
    writeFileSync(join(state, 'calls.log'), '');
    stub('id', 'echo 0');
    stub('dpkg', '[ "$1" = "-s" ] && [ -e "$STATE/installed/$2" ]');
    stub(
      'service',
      [
        'echo "service $*" >>"$STATE/calls.log"',
        'case "$2" in status) [ -e "$STATE/running/$1" ];; stop) rm -f "$STATE/running/$1";; esac',
      ].join('\n'),
    );
    // The service a package brings: the package's own name but for docker.io's.
    stub(
      'apt-get',
      [
        'echo "apt-get $*" >>"$STATE/calls.log"',
        'skip=; for arg in "$@"; do [ -n "$skip" ] && { skip=; continue; }; case "$arg" in -o) skip=1;; -*|install|update) ;; *)',
        '  touch "$STATE/installed/$arg"',
        '  svc=$arg; [ "$arg" = docker.io ] && svc=docker',
        `  if [ -x ${JSON.stringify(policy)} ] && ! ${JSON.stringify(policy)} "$svc" start; then echo "refused start $svc" >>"$STATE/calls.log"; else touch "$STATE/running/$svc"; fi`,
        'esac; done',
      ].join('\n'),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function install(): Promise<string[]> {
    await run('bash', [join(ROOT, 'scripts/install-test-deps.sh')], {
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, OOE_POLICY_RC_D: policy },
    });
    return readFileSync(join(state, 'calls.log'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.endsWith(' status'));
  }

  test('one missing package on a host running nginx and docker: installed with no start and no stop', async () => {
    for (const pkg of ALL.filter((name) => name !== 'prometheus-blackbox-exporter'))
      writeFileSync(join(state, 'installed', pkg), '');
    for (const svc of ['nginx', 'docker']) writeFileSync(join(state, 'running', svc), '');
    expect(await install()).toEqual([
      'apt-get -o DPkg::Lock::Timeout=600 update -qq',
      'apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends --no-remove prometheus-blackbox-exporter',
      'refused start prometheus-blackbox-exporter',
    ]);
    expect(readdirSync(join(state, 'running')).sort()).toEqual(['docker', 'nginx']);
    // The policy lasted for the install only.
    expect(existsSync(policy)).toBe(false);
  });

  test('under a policy-rc.d of the host that lets starts through, it is kept, and only what the install started is stopped', async () => {
    const hostPolicy = "#!/bin/sh\n# the host's own\nexit 0\n";
    writeFileSync(policy, hostPolicy, { mode: 0o755 });
    for (const pkg of ALL.filter((name) => name !== 'redis-server' && name !== 'nginx'))
      writeFileSync(join(state, 'installed', pkg), '');
    writeFileSync(join(state, 'running', 'postgresql'), '');
    expect(await install()).toEqual([
      'apt-get -o DPkg::Lock::Timeout=600 update -qq',
      'apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends --no-remove nginx redis-server',
      'service nginx stop',
      'service redis-server stop',
    ]);
    expect(readdirSync(join(state, 'running'))).toEqual(['postgresql']);
    expect(readFileSync(policy, 'utf8')).toBe(hostPolicy);
  });

  test('nothing missing: no apt-get, no service touched', async () => {
    for (const pkg of ALL) writeFileSync(join(state, 'installed', pkg), '');
    writeFileSync(join(state, 'running', 'nginx'), '');
    expect(await install()).toEqual([]);
    expect(existsSync(policy)).toBe(false);
  });
});
