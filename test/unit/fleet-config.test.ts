import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/load.js';
import { fleetOf } from '../../src/config/sections/probe.js';
import { Runtime } from '../../src/runtime.js';
import { configFrom, configProblems as problemsOf, silentLogger } from '../support/scrape.js';

const dir = mkdtempSync(join(tmpdir(), 'ooe-fleet-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('probe.targets as objects', () => {
  const config = configFrom(`
documentserver:
  url: http://127.0.0.1:8000
  public_url: https://docs.local.example
  jwt: { secret: local-secret, header: AuthorizationJwt }
  timeout: 7s
  insecure_skip_verify: true
  max_body_bytes: 2048
probe:
  targets:
    - http://plain.internal:8000
    - url: https://docs-2.example.com/
      name: beijing
      labels: { site: bj, team: office }
      public_url: https://docs.bj.example.com
      jwt: { secret: bj-secret }
      timeout: 3s
      insecure_skip_verify: false
      max_body_bytes: 4096
    - { url: "http://old.internal", name: old-7-1, jwt: null }
    - { url: "http://other.internal", jwt: { secret: other, header: X-Token } }
`);
  const fleet = fleetOf(config);

  test('a URL string inherits every setting of documentserver but its public_url', () => {
    expect(fleet.targets[0]).toEqual({
      index: 0,
      name: undefined,
      key: 'http://plain.internal:8000',
      labels: {},
      settings: {
        url: 'http://plain.internal:8000',
        jwt: { secret: 'local-secret', header: 'AuthorizationJwt' },
        timeout: 7000,
        insecure_skip_verify: true,
        max_body_bytes: 2048,
      },
    });
  });

  test('an object with every key set uses its own; jwt.header left out comes from documentserver', () => {
    expect(fleet.targets[1]).toEqual({
      index: 1,
      name: 'beijing',
      key: 'beijing',
      labels: { site: 'bj', team: 'office' },
      settings: {
        url: 'https://docs-2.example.com',
        public_url: 'https://docs.bj.example.com',
        jwt: { secret: 'bj-secret', header: 'AuthorizationJwt' },
        timeout: 3000,
        insecure_skip_verify: false,
        max_body_bytes: 4096,
      },
    });
  });

  test('jwt: null signs nothing; a header of its own is kept', () => {
    expect(fleet.targets[2]!.settings.jwt).toBeUndefined();
    expect(fleet.targets[3]!.settings.jwt).toEqual({ secret: 'other', header: 'X-Token' });
  });

  test('without documentserver.jwt, a target without its own header signs with Authorization', () => {
    const bare = fleetOf(configFrom('probe: { targets: [ { url: "http://a", jwt: { secret: s } } ] }'));
    expect(bare.targets[0]!.settings.jwt).toEqual({ secret: 's', header: 'Authorization' });
  });

  test('found by name or by URL in any spelling, never by anything else', () => {
    expect(fleet.find('beijing')?.index).toBe(1);
    expect(fleet.find('https://docs-2.example.com')?.index).toBe(1);
    expect(fleet.find('HTTPS://docs-2.example.com:443/')?.index).toBe(1);
    expect(fleet.find('http://plain.internal:8000/')?.index).toBe(0);
    expect(fleet.find('old-7-1')?.index).toBe(2);
    expect(fleet.find('Beijing')).toBeUndefined();
    expect(fleet.find('https://docs.bj.example.com')).toBeUndefined();
    expect(fleet.find('http://127.0.0.1:8000')).toBeUndefined();
    expect(fleet.find('site')).toBeUndefined();
  });

  test('one fleet per loaded configuration', () => {
    expect(fleetOf(config)).toBe(fleet);
  });
});

describe('probe.targets: bad input names the target and the key', () => {
  test('keys, names and labels', () => {
    expect(problemsOf('probe: { targets: [ "http://a", { url: "http://b", timeot: 5s } ] }')).toEqual([
      'probe.targets.1.timeot: unknown key',
    ]);
    expect(problemsOf('probe: { targets: [ { name: x } ] }')).toEqual([
      'probe.targets.0.url: expected string, got nothing',
    ]);
    expect(problemsOf('probe: { targets: [ { url: "ftp://b" } ] }')).toEqual([
      'probe.targets.0.url: must be an http:// or https:// URL, not ftp://',
    ]);
    expect(
      problemsOf('probe: { targets: [ "http://a", "http://b", { url: "http://c", jwt: { secret: "" } } ] }'),
    ).toEqual(['probe.targets.2.jwt.secret: must not be empty']);
    expect(problemsOf('probe: { targets: [ { url: "http://b", name: "a b" } ] }')).toEqual([
      'probe.targets.0.name: target names are letters, digits, "_", ".", ":" and "-"',
    ]);
    expect(problemsOf('probe: { targets: [ { url: "http://b", labels: { 1x: a } } ] }')).toEqual([
      'probe.targets.0.labels.1x: label names are letters, digits and "_", not starting with a digit',
    ]);
    expect(
      problemsOf('probe: { targets: [ { url: "http://b", labels: { instance: a, __param_target: b } } ] }'),
    ).toEqual([
      'probe.targets.0.labels.instance: instance, job and names starting with "__" are set by Prometheus and /sd',
      'probe.targets.0.labels.__param_target: instance, job and names starting with "__" are set by Prometheus and /sd',
    ]);
    expect(problemsOf('probe: { targets: [ 42 ] }')).toEqual([
      'probe.targets.0: must be a URL or a mapping with url (and name, labels, public_url, jwt, ...)',
    ]);
  });

  test('two targets with one url or one name: refused, naming both', () => {
    expect(
      problemsOf('probe: { targets: [ "http://a:8000/", "http://b", { url: "http://a:8000", name: x } ] }'),
    ).toEqual([
      'probe.targets.2.url: "http://a:8000" is also probe.targets.0; each target answers to one url and one name',
    ]);
    expect(problemsOf('probe: { targets: [ { url: "http://a", name: bj }, { url: "http://b", name: bj } ] }')).toEqual([
      'probe.targets.1.name: "bj" is also probe.targets.0; each target answers to one url and one name',
    ]);
    expect(problemsOf('probe: { targets: [ { url: "http://u:pw@a", name: x }, "http://u:pw@a" ] }')).toEqual([
      'probe.targets.1.url: "http://a" is also probe.targets.0; each target answers to one url and one name',
    ]);
  });

  test('an unreadable secret file is refused with the index of its target', () => {
    const missing = join(dir, 'missing');
    expect(
      problemsOf(
        `probe: { targets: [ "http://a", "http://b", { url: "http://c", jwt: { secret_file: ${missing} } } ] }`,
      ),
    ).toEqual([`probe.targets.2.jwt.secret_file: cannot read ${missing}: ENOENT`]);
  });
});

describe('a reload with a broken target keeps the old target set', () => {
  test('the old generation stays, and a good reload then applies', async () => {
    const secret = join(dir, 'bj.secret');
    writeFileSync(secret, 'bj-secret\n');
    const path = join(dir, 'config.yml');
    const write = (targets: string) =>
      writeFileSync(path, `docker: { enabled: false }\ndisk: { paths: [] }\nprobe: { targets: [ ${targets} ] }\n`);
    write(`"http://a", { url: "http://b", name: bj, jwt: { secret_file: ${secret} } }`);
    const runtime = new Runtime(path, silentLogger, []);
    try {
      const first = await runtime.reload();
      expect(fleetOf(first.config).find('bj')?.settings.jwt?.secret).toBe('bj-secret');

      // The secret goes away (a rotated Kubernetes secret, say) while a new target is added.
      rmSync(secret);
      write(`"http://a", { url: "http://b", name: bj, jwt: { secret_file: ${secret} } }, "http://c"`);
      const error = await runtime.reload().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^probe\.targets\.1\.jwt\.secret_file: cannot read .*bj\.secret: ENOENT$/),
      ]);
      expect(runtime.generation).toBe(first);
      expect(fleetOf(runtime.generation!.config).targets.map((t) => t.key)).toEqual(['http://a', 'bj']);
      expect(runtime.lastReload.successful).toBe(false);

      write('"http://c"');
      const second = await runtime.reload();
      expect(fleetOf(second.config).targets.map((t) => t.key)).toEqual(['http://c']);
    } finally {
      await runtime.close();
    }
  });
});
