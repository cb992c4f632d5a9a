import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { CollectorDefinition } from '../../src/collectors/types.js';
import type { Config } from '../../src/config/schema.js';
import type { NamedCollector } from '../../src/scrape/run.js';
import type { Sample } from './exposition.js';
import { scrapeCollector, silentLogger } from './scrape.js';
import { spawnService, type ServiceProcess } from './service-process.js';

const run = promisify(execFile);

/** Programs a test needs for a private engine (pass to requirePrograms). */
export const ENGINE_PROGRAMS = ['dockerd', 'containerd', 'runc', 'docker', '/bin/busybox'] as const;
export const TEST_IMAGE = 'local/busybox:1';

/**
 * A private Docker engine for one test file, run as a CI job without a host engine would:
 * Debian's dockerd as root, own data root, exec root and socket under a short /tmp dir,
 * no iptables, no bridge. Only this engine's PID is ever signalled.
 */
export class PrivateEngine {
  readonly socket: string;
  readonly dockerHost: string;
  readonly docker: Docker;
  private server: ServiceProcess | undefined;

  private constructor(readonly dir: string) {
    // unix socket paths must stay under 108 bytes: the dir is /tmp/ooe-dXXXXXX.
    this.socket = join(dir, 'd.sock');
    this.dockerHost = `unix://${this.socket}`;
    this.docker = new Docker({ socketPath: this.socket });
  }

  static async create(): Promise<PrivateEngine> {
    const engine = new PrivateEngine(mkdtempSync('/tmp/ooe-d'));
    try {
      await engine.start();
      await engine.importImage();
    } catch (error) {
      await engine.destroy();
      throw error;
    }
    return engine;
  }

  get pid(): number | undefined {
    return this.server?.pid;
  }

  /** Starts dockerd (again) on the same data root; resolves when the API answers. */
  async start(): Promise<void> {
    if (this.server) throw new Error('dockerd is already running');
    this.server = await spawnService({
      name: 'dockerd',
      dir: this.dir,
      output: 'dockerd.log',
      command: 'dockerd',
      args: [
        '--host',
        this.dockerHost,
        '--data-root',
        join(this.dir, 'r'),
        '--exec-root',
        join(this.dir, 'x'),
        '--pidfile',
        join(this.dir, 'dockerd.pid'),
        '--storage-driver',
        'overlay2',
        '--iptables=false',
        '--ip6tables=false',
        '--bridge=none',
        '--shutdown-timeout',
        '2',
      ],
      ready: async () => {
        await this.docker.ping();
        return true;
      },
    });
  }

  /** Removes every container (fast shutdown, paused ones too), then SIGTERM by PID and wait. */
  async stop(): Promise<void> {
    if (!this.server) return;
    try {
      const all = await this.docker.listContainers({ all: true });
      await Promise.all(
        all.map((c) =>
          this.docker
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
    } catch {
      // the engine may already be unreachable; SIGTERM below still applies
    }
    await this.terminate();
  }

  /** SIGTERM by PID, leaving containers in place (an engine restart as an operator would do it). */
  async terminate(): Promise<void> {
    if (!this.server) return;
    await this.server.stop('SIGTERM', 40_000);
    this.server = undefined;
  }

  /** Stops the engine and removes its directory, unmounting only mounts under it. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.server) return; // never delete the dirs under a live dockerd
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((mountpoint) => mountpoint.startsWith(`${this.dir}/`))
      .sort()
      .reverse();
    for (const mountpoint of mounts) await run('umount', [mountpoint]).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs the docker CLI against this engine; returns stdout. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run('docker', args, {
      env: { ...process.env, DOCKER_HOST: this.dockerHost },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  }

  /** A file in the engine's dir, e.g. a script to bind-mount into a container. */
  writeFile(name: string, content: string, mode = 0o755): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    chmodSync(path, mode);
    return path;
  }

  /**
   * A registry-free image: busybox-static plus applet symlinks, imported as one layer. `without` leaves applets out;
   * `dash` makes /bin/sh Debian's dash (with its libraries): busybox's own sh runs its applets whatever PATH says,
   * so only another shell can show a container without, e.g., `timeout`.
   */
  async importImage(tag = TEST_IMAGE, options: { without?: string[]; dash?: boolean } = {}): Promise<void> {
    const rootfs = join(this.dir, 'rootfs');
    for (const sub of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, sub), { recursive: true });
    copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
    chmodSync(join(rootfs, 'bin/busybox'), 0o755);
    const skip = new Set(['busybox', ...(options.without ?? []), ...(options.dash ? ['sh'] : [])]);
    const { stdout } = await run(join(rootfs, 'bin/busybox'), ['--list']);
    for (const applet of stdout
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s !== '' && !skip.has(s))) {
      symlinkSync('busybox', join(rootfs, 'bin', applet));
    }
    if (options.dash) {
      copyFileSync('/bin/dash', join(rootfs, 'bin/sh'));
      chmodSync(join(rootfs, 'bin/sh'), 0o755);
      const { stdout: libs } = await run('ldd', ['/bin/dash']);
      for (const lib of libs
        .split('\n')
        .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
        .filter((l): l is string => l !== undefined)) {
        mkdirSync(join(rootfs, dirname(lib)), { recursive: true });
        copyFileSync(lib, join(rootfs, lib));
      }
    }
    writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\n');
    await run(
      'sh',
      ['-c', `tar -C "${rootfs}" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - ${tag} >/dev/null`],
      {
        env: { ...process.env, DOCKER_HOST: this.dockerHost },
      },
    );
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns a value other than undefined (state propagating through events), or fails after `ms`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined) return result;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Collectors created once and scraped many times through the real orchestrator (state that lives across scrapes). */
export class ScrapeHarness {
  readonly collectors: NamedCollector[];

  constructor(
    definitions: readonly CollectorDefinition[],
    readonly config: Config,
    readonly logger: Logger = silentLogger,
  ) {
    this.collectors = definitions.flatMap((definition) => {
      const collector = definition.create(config, logger);
      return collector ? [{ name: definition.name, collector }] : [];
    });
  }

  async scrape(budgetMs = 5_000): Promise<{ text: string; samples: Sample[] }> {
    const { text, samples } = await scrapeCollector(this.collectors, this.config, { budgetMs, logger: this.logger });
    return { text, samples };
  }

  async close(): Promise<void> {
    await Promise.all(this.collectors.map(({ collector }) => collector.close?.()));
  }
}
