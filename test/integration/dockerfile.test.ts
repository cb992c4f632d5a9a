import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from '../../src/config/load.js';
import { ENGINE_PROGRAMS, eventually, PrivateEngine } from '../support/dockerd.js';
import { requirePrograms } from '../support/integration.js';
import { TestPki } from '../support/tls-pki.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions with continuation lines joined and comments dropped; `stage` counts FROMs (0 before the first). */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = 0;
  const joined = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const line of joined) {
    const match = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`not a Dockerfile instruction: ${line}`);
    if (match[1] === 'FROM') stage++;
    out.push({ keyword: match[1]!, args: match[2]!.replace(/\s+/g, ' '), stage });
  }
  return out;
}

describe('Dockerfile (static)', () => {
  const all = instructions(DOCKERFILE);
  const froms = all.filter((i) => i.keyword === 'FROM');
  const last = froms.length;
  const final = all.filter((i) => i.stage === last);

  test('multi-stage on the official Node 24 LTS base (the active LTS): dependencies, the dist/ build, the runtime', () => {
    expect(all[0]).toEqual({ keyword: 'ARG', args: 'NODE_IMAGE=node:24-bookworm-slim', stage: 0 });
    expect(froms.map((f) => f.args)).toEqual(['${NODE_IMAGE} AS deps', 'deps AS build', '${NODE_IMAGE} AS runtime']);
    expect(all.filter((i) => i.stage === 1 && i.keyword === 'RUN').map((i) => i.args)).toEqual([
      'npm ci --omit=dev --no-audit --no-fund ${NPM_REGISTRY:+--registry=$NPM_REGISTRY} && npm cache clean --force',
    ]);
    // The registry is the builder's choice; none is baked in.
    expect(all.filter((i) => i.stage === 1 && i.keyword === 'ARG').map((i) => i.args)).toEqual(['NPM_REGISTRY=']);
    expect(all.filter((i) => i.stage === 2 && i.keyword === 'RUN').map((i) => i.args)).toEqual([
      'node scripts/build.mjs',
    ]);
    // The runtime stage takes the production node_modules and the built dist/, no TypeScript, and runs nothing itself.
    expect(final.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=')).map((i) => i.args)).toEqual([
      '--from=deps /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist',
    ]);
    expect(
      final.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from=') && /(^| )src( |\/|$)/.test(i.args)),
    ).toEqual([]);
    expect(final.filter((i) => i.keyword === 'RUN')).toEqual([]);
  });

  test('NPM_REGISTRY reaches npm ci as --registry when given, and nothing when empty (the RUN line through sh, npm recorded)', () => {
    const line = all.find((i) => i.stage === 1 && i.keyword === 'RUN')!.args;
    const bin = mkdtempSync(join(tmpdir(), 'ooe-npm-'));
    try {
      writeFileSync(join(bin, 'npm'), '#!/bin/sh\necho "npm $*"\n', { mode: 0o755 });
      const npm = (registry: string) =>
        execFileSync('sh', ['-c', line], {
          env: { PATH: `${bin}:/usr/bin:/bin`, NPM_REGISTRY: registry },
          encoding: 'utf8',
        });
      expect(npm('')).toBe('npm ci --omit=dev --no-audit --no-fund\nnpm cache clean --force\n');
      expect(npm('http://127.0.0.1:4873/')).toBe(
        'npm ci --omit=dev --no-audit --no-fund --registry=http://127.0.0.1:4873/\nnpm cache clean --force\n',
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  test('runs as a non-root user, exposes 9967, health-checks with deploy/docker/healthcheck (node, no curl in slim)', () => {
    const users = final.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users).toEqual(['node']);
    expect(final.findIndex((i) => i.keyword === 'USER')).toBeGreaterThan(
      final.findLastIndex((i) => i.keyword === 'COPY'),
    );
    expect(final.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args)).toEqual(['9967']);
    const health = final.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]!.args).toBe(
      '--interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/usr/local/bin/healthcheck"]',
    );
    // The wrapper runs the script from /app, where `yaml` resolves from /app/node_modules.
    expect(final.filter((i) => i.keyword === 'COPY' && i.args.includes('healthcheck')).map((i) => i.args)).toEqual([
      'deploy/docker/entrypoint.sh deploy/docker/doctor deploy/docker/healthcheck /usr/local/bin/',
      'deploy/docker/healthcheck.mjs ./deploy/docker/',
    ]);
    expect(final.find((i) => i.keyword === 'WORKDIR')!.args).toBe('/app');
    expect(readFileSync(join(ROOT, 'deploy/docker/healthcheck'), 'utf8')).toContain(
      'exec node /app/deploy/docker/healthcheck.mjs "$@"\n',
    );
    expect(final.find((i) => i.keyword === 'ENTRYPOINT')!.args).toBe('["/usr/local/bin/entrypoint.sh"]');
  });

  test('no secret is baked in: no ARG/ENV/LABEL naming one, no config with a secret', () => {
    for (const i of all.filter((x) => ['ARG', 'ENV', 'LABEL'].includes(x.keyword))) {
      expect(i.args).not.toMatch(/secret|password|passwd|token|api[_-]?key|credential/i);
    }
    const config = readFileSync(join(ROOT, 'deploy/docker/config.yml'), 'utf8');
    expect(config).not.toMatch(/secret|password|token/i);
    // The image's own config is valid, and takes the DS address from the environment.
    expect(parseConfig(config, 'image', {}).documentserver.url).toBe('http://onlyoffice-documentserver');
    expect(parseConfig(config, 'image', { ONLYOFFICE_DS_URL: 'http://ds:8000' }).documentserver.url).toBe(
      'http://ds:8000',
    );
  });

  test('.dockerignore sends only package files, src/ and its build script, deploy/docker/, docs/runbooks/', () => {
    const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual([
      '*',
      '!package.json',
      '!package-lock.json',
      '!src/',
      '!scripts/build.mjs',
      '!deploy/docker/',
      '!docs/runbooks/',
    ]);
    for (const copy of all.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))) {
      const sources = copy.args.split(' ').slice(0, -1);
      for (const source of sources)
        expect(
          ['package.json', 'package-lock.json', 'src', 'scripts/build.mjs', 'docs/runbooks'].includes(source) ||
            source.startsWith('deploy/docker/'),
        ).toBe(true);
    }
  });
});

const { describe: withEngine } = requirePrograms(...ENGINE_PROGRAMS, '/usr/bin/node', 'openssl');
// exporter-toolkit's test hash (Go's bcrypt, cost 10) of "fakepassword".
const GO_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';

/**
 * No registry is reachable here, so node:24-bookworm-slim cannot be pulled: the runtime stage of the real
 * Dockerfile is built on the private engine against a base made from this machine's own Node 20 binary
 * (plus busybox for /bin/sh and a `node` user, uid 1000, as in the official image), with the production
 * node_modules the deps stage would produce (`npm ls --omit=dev`). Then the image runs read-only and non-root.
 */
withEngine('Dockerfile runtime stage on a real engine (local base image)', () => {
  let engine: PrivateEngine;
  let context: string;
  const IMAGE = 'local/onlyoffice-exporter:test';

  beforeAll(async () => {
    engine = await PrivateEngine.create();
    context = mkdtempSync(join(tmpdir(), 'ooe-image-'));
    await importNodeBase(engine, join(context, 'base'));
    makeContext(join(context, 'ctx'));
  }, 180_000);

  afterAll(async () => {
    await engine?.destroy();
    if (context) rmSync(context, { recursive: true, force: true });
  }, 60_000);

  test('builds, runs as uid 1000 on a read-only root, turns healthy, and runs the doctor inside', async () => {
    const build = await execCode(engine, [
      'build',
      '--network',
      'none',
      '--build-arg',
      'NODE_IMAGE=local/node:20-bookworm-slim',
      '-t',
      IMAGE,
      join(context, 'ctx'),
    ]);
    expect({ code: build.code, stderr: build.code === 0 ? '' : build.stderr }).toEqual({ code: 0, stderr: '' });
    expect(build.stdout).toContain(`Successfully tagged ${IMAGE}`);
    const config = JSON.parse(await engine.cli('image', 'inspect', IMAGE, '--format', '{{json .Config}}')) as {
      User: string;
      ExposedPorts: Record<string, unknown>;
      Healthcheck: { Test: string[] };
      Entrypoint: string[];
    };
    expect(config.User).toBe('node');
    expect(Object.keys(config.ExposedPorts)).toEqual(['9967/tcp']);
    expect(config.Healthcheck.Test).toEqual(['CMD', '/usr/local/bin/healthcheck']);

    await engine.cli(
      'run',
      '-d',
      '--name',
      'exporter',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--health-interval',
      '1s',
      '--health-start-period',
      '1s',
      '-e',
      'ONLYOFFICE_DS_URL=http://127.0.0.1:1',
      IMAGE,
    );
    const health = await eventually(
      'the container to be healthy',
      async () => {
        const status = await engine.cli('inspect', 'exporter', '--format', '{{.State.Health.Status}}');
        if (status === 'unhealthy') throw new Error(await engine.cli('logs', 'exporter'));
        return status === 'healthy' ? status : undefined;
      },
      60_000,
    );
    expect(health).toBe('healthy');
    expect(await engine.cli('exec', 'exporter', 'id', '-u')).toBe('1000');
    expect(await engine.cli('exec', 'exporter', 'healthcheck')).toBe(
      'healthy: 200 from http://127.0.0.1:9967/-/healthy',
    );

    // The daemon answers /metrics inside the container (the image has no curl: node's fetch).
    const metrics = await engine.cli(
      'exec',
      'exporter',
      'node',
      '-e',
      "fetch('http://127.0.0.1:9967/metrics').then(r => r.text()).then(t => console.log(t))",
    );
    expect(metrics).toContain('onlyoffice_healthcheck_up 0');
    // The runbooks ship with it: an alert's runbook opens without the internet.
    const runbook = await engine.cli(
      'exec',
      'exporter',
      'node',
      '-e',
      "fetch('http://127.0.0.1:9967/runbooks/OnlyofficeDocsDown?lang=en').then(async r => console.log(r.status, (await r.text()).includes('<h3 id=\"how-to-fix\">How to fix</h3>')))",
    );
    expect(runbook).toBe('200 true');

    // `docker exec ... doctor`: DocumentServer at 127.0.0.1:1 is not there, so docservice is the broken hop (exit 2).
    const doctor = await execCode(engine, ['exec', 'exporter', 'doctor', '--format=json', '--lang=en', '--timeout=5s']);
    expect(doctor.code).toBe(2);
    const report = JSON.parse(doctor.stdout) as { verdict: string; causes: { id: string; hop: string }[] };
    expect(report.verdict).toBe('fail');
    expect(report.causes[0]).toMatchObject({ id: 'docservice_down', hop: 'docservice' });

    // `docker run --rm IMAGE doctor` works the same way.
    const once = await execCode(engine, [
      'run',
      '--rm',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '-e',
      'ONLYOFFICE_DS_URL=http://127.0.0.1:1',
      IMAGE,
      'doctor',
      '--lang=zh-CN',
      '--timeout=5s',
    ]);
    expect(once.code).toBe(2);
    expect(once.stdout).toContain('1. 【docservice】docservice 没有在监听');
  }, 180_000);

  test('with --web.config.file (TLS and basic auth) on another port, under --init, the container still turns healthy', async () => {
    // The image of the test above. The health check finds the flags in the exporter's command line (not PID 1
    // here) and reads the same web config: HTTPS on :9443, where the 401 of basic auth means alive.
    const pki = new TestPki();
    try {
      const now = Math.floor(Date.now() / 1000);
      const issuer = pki.issue('ca', {
        subject: '/CN=image test CA',
        notBefore: now - 86_400,
        notAfter: now + 86_400,
        serial: '01',
        ca: true,
      });
      pki.issue('server', {
        subject: '/CN=localhost',
        issuer,
        notBefore: now - 86_400,
        notAfter: now + 86_400,
        serial: '11',
        san: 'IP:127.0.0.1',
      });
      writeFileSync(
        join(pki.dir, 'web.yml'),
        `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: "${GO_HASH}"\n`,
      );
      // The container's uid 1000 reads them (throwaway test keys).
      chmodSync(pki.dir, 0o755);
      for (const file of ['server.crt', 'server.key', 'web.yml']) chmodSync(join(pki.dir, file), 0o644);

      await engine.cli(
        'run',
        '-d',
        '--name',
        'exporter-tls',
        '--init',
        '--read-only',
        '--tmpfs',
        '/tmp',
        '--cap-drop',
        'ALL',
        '--health-interval',
        '1s',
        '--health-start-period',
        '1s',
        '-e',
        'ONLYOFFICE_DS_URL=http://127.0.0.1:1',
        '-v',
        `${pki.dir}:/etc/onlyoffice-exporter/web:ro`,
        IMAGE,
        '--web.listen-address',
        ':9443',
        '--web.config.file=/etc/onlyoffice-exporter/web/web.yml',
      );
      const health = await eventually(
        'the TLS container to be healthy',
        async () => {
          const status = await engine.cli('inspect', 'exporter-tls', '--format', '{{.State.Health.Status}}');
          if (status === 'unhealthy')
            throw new Error(
              `${await engine.cli('inspect', 'exporter-tls', '--format', '{{json .State.Health}}')}\n${await engine.cli('logs', 'exporter-tls')}`,
            );
          return status === 'healthy' ? status : undefined;
        },
        60_000,
      );
      expect(health).toBe('healthy');
      expect(await engine.cli('exec', 'exporter-tls', 'cat', '/proc/1/cmdline')).toMatch(/^\/sbin\/docker-init\0/);
      expect(await engine.cli('exec', 'exporter-tls', 'healthcheck')).toBe(
        'alive: 401 from https://127.0.0.1:9443/-/healthy (basic auth is on; a health check has no password)',
      );
      // The check the image had before: plain HTTP on :9967 finds nothing there.
      expect((await execCode(engine, ['exec', 'exporter-tls', 'healthcheck', '--web.listen-address=:9967'])).code).toBe(
        1,
      );
    } finally {
      pki.remove();
    }
  }, 120_000);

  function makeContext(dir: string): void {
    mkdirSync(dir, { recursive: true });
    // The real runtime stage; only the sources of node_modules and dist/ change (the deps stage would need the
    // registry): dist/ is what the build stage runs, scripts/build.mjs, here on this machine.
    const runtime = DOCKERFILE.slice(DOCKERFILE.indexOf('FROM ${NODE_IMAGE} AS runtime'));
    expect(runtime.match(/COPY --from=deps \/app\/node_modules \.\/node_modules/g)).toHaveLength(1);
    expect(runtime.match(/COPY --from=build \/app\/dist \.\/dist/g)).toHaveLength(1);
    writeFileSync(
      join(dir, 'Dockerfile'),
      `ARG NODE_IMAGE\n${runtime.replace('COPY --from=deps /app/node_modules ./node_modules', 'COPY node_modules ./node_modules').replace('COPY --from=build /app/dist ./dist', 'COPY dist ./dist')}`,
    );
    for (const path of ['package.json', 'package-lock.json', 'deploy/docker', 'docs/runbooks'])
      cpSync(join(ROOT, path), join(dir, path), { recursive: true });
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), join(dir, 'dist')], { cwd: ROOT });
    // npm ls exits 1 on an extraneous package (a colleague's install in progress); its list is still complete.
    const listed = spawnSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: ROOT, encoding: 'utf8' });
    const production = listed.stdout.split('\n').filter((p) => p.includes('/node_modules/'));
    expect(production.some((p) => p.endsWith('/node_modules/fastify'))).toBe(true);
    for (const path of production)
      cpSync(path, join(dir, relative(ROOT, path)), { recursive: true, dereference: false });
  }
});

/** A base image with this machine's Node binary, its shared libraries, busybox and a `node` user (uid 1000). */
async function importNodeBase(engine: PrivateEngine, rootfs: string): Promise<void> {
  for (const sub of ['bin', 'etc', 'tmp', 'usr/local/bin', 'home/node'])
    mkdirSync(join(rootfs, sub), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync('/usr/bin/node', join(rootfs, 'usr/local/bin/node'));
  chmodSync(join(rootfs, 'usr/local/bin/node'), 0o755);
  const libs = execFileSync('ldd', ['/usr/bin/node'], { encoding: 'utf8' }).matchAll(/(\/\S+\.so[.\d]*)/g);
  for (const [lib] of libs) {
    mkdirSync(join(rootfs, dirname(lib!)), { recursive: true });
    copyFileSync(lib!, join(rootfs, lib!));
  }
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const applet of ['sh', 'id', 'cat', 'ls', 'env']) symlinkSync('busybox', join(rootfs, 'bin', applet));
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
  execFileSync('chown', ['1000:1000', join(rootfs, 'home/node')]);
  await run(
    'sh',
    [
      '-c',
      `tar -C "${rootfs}" -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - local/node:20-bookworm-slim >/dev/null`,
    ],
    {
      env: { ...process.env, DOCKER_HOST: engine.dockerHost },
    },
  );
  rmSync(rootfs, { recursive: true, force: true });
}

async function execCode(
  engine: PrivateEngine,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // The engine is 20.10: its own (legacy) builder, not BuildKit through buildx.
    const env = { ...process.env, DOCKER_HOST: engine.dockerHost, DOCKER_BUILDKIT: '0' };
    const { stdout, stderr } = await run('docker', args, { env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
