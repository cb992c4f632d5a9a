import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { sections } from '../../scripts/config-doc.js';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

const PATH = new URL('../../config.example.yml', import.meta.url).pathname;
const TEXT = readFileSync(PATH, 'utf8');

/** Every `# key: value` line switched on (as the file's header says); prose comments stay comments. */
function switchedOn(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const match = /^(\s*)# ( *(?:[a-z_]+:|- |\{ ).*)$/.exec(line);
      return match ? `${match[1]}${match[2]}` : line;
    })
    .join('\n');
}

/** The lines of one top-level section, its comments included. */
function block(text: string, section: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`${section}:`));
  const end = lines.findIndex(
    (line, index) => index > start && /^[a-z_]+:/.test(line) && !line.startsWith(`${section}:`),
  );
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

describe('config.example.yml', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'ooe-example-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test('shows every section of the schema, in its order, each with a comment above it', () => {
    const sectionsShown = Object.keys(parse(TEXT) as Record<string, unknown>);
    expect(sectionsShown).toEqual(Object.keys(configSchema.shape));
    const lines = TEXT.split('\n');
    for (const section of sectionsShown) {
      const index = lines.findIndex((line) => line.startsWith(`${section}:`));
      expect([section, lines[index - 1]!.startsWith('# ')]).toEqual([section, true]);
    }
  });

  test('shows every key of every section (docs/CONFIGURATION.md), switched on or as a comment', () => {
    for (const section of sections()) {
      const text = block(TEXT, section.name);
      const keys = section.rows
        .map((row) => row.key.split('.'))
        .filter((parts) => parts.length === 2 || section.name === 'backups');
      expect(keys.length).toBeGreaterThan(0);
      for (const parts of keys) {
        const key = parts.at(-1)!.replace('backups[]', '');
        expect([section.name, key, new RegExp(`(^|[\\s{,#-])${key}:`, 'm').test(text)]).toEqual([
          section.name,
          key,
          true,
        ]);
      }
    }
  });

  test('loads as it is, through the real loader, with no environment: the package-install defaults', () => {
    const config = loadConfigFile(PATH, {});
    expect(config.documentserver.url).toBe('http://127.0.0.1:8000');
    expect(config.documentserver.jwt).toBeUndefined();
    expect(config.dependencies.postgresql).toMatchObject({ address: '127.0.0.1:5432' });
    expect(config.dependencies.redis).toBe(false);
    expect(config.docker.enabled).toBe('auto');
    expect(config.statsd.listen).toBeUndefined();
    expect(config.notify.dingtalk).toEqual({});
    expect(config.backups).toEqual([]);
  });

  test('loads with every commented setting switched on, each taking effect', () => {
    const ca = join(scratch, 'ca.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=example CA',
        '-days',
        '2',
        '-keyout',
        join(scratch, 'ca.key'),
        '-out',
        ca,
      ],
      { stdio: 'ignore' },
    );
    const templates = join(scratch, 'templates');
    mkdirSync(templates);
    const on = switchedOn(TEXT)
      .replace('/etc/ssl/internal-ca.pem', ca)
      .replace('/etc/onlyoffice-exporter/templates', templates);
    expect(on).not.toBe(TEXT);
    // An alternative comes after the default it replaces: the later key wins, as YAML tools other than ours allow.
    const merged = stringify(parse(on, { uniqueKeys: false }));
    const env = {
      DS_JWT_SECRET: 'jwt',
      DS_BROWSER_SECRET: 'browser',
      DS_BJ_JWT_SECRET: 'bj',
      AMQP_PASSWORD: 'amqp',
      REDIS_PASSWORD: 'redis',
      NOTIFY_TOKEN: 'a-notify-token-0123456789',
      DINGTALK_TOKEN: 'dt',
      DINGTALK_SECRET: 'SECdt',
      WECOM_KEY: 'wk',
      RABBITMQ_PASSWORD: 'rmq',
    };
    const config = parseConfig(merged, 'config.example.yml (switched on)', env);
    expect(config.documentserver).toMatchObject({
      public_url: 'https://docs.example.com',
      jwt: { secret: 'jwt', header: 'Authorization', browser_secret: 'browser' },
    });
    expect(config.probe.targets.map((t) => t.url)).toEqual([
      'http://10.0.0.12:8000',
      'https://docs-bj.example.com',
      'http://old-docs.internal',
    ]);
    expect(Object.keys(config.probe.modules)).toEqual(expect.arrayContaining(['documentserver', 'expiry', 'version']));
    expect(config.docker).toMatchObject({ socket: '/var/run/docker.sock', stats: true });
    expect(config.supervisor).toEqual({ enabled: true, host_supervisorctl: false, host_systemd_units: [] });
    expect(config.disk.paths).toEqual(['/var/lib/onlyoffice', '/var/www/onlyoffice/Data', '/var/log/onlyoffice']);
    expect(config.tls.endpoints.map((e) => [e.target, e.host])).toEqual([
      ['docs.example.com:443', 'docs.example.com'],
      ['office.example.com:443', '10.0.0.5'],
    ]);
    expect(config.tls.ca_file?.path).toBe(ca);
    expect(config.dependencies.rabbitmq).toMatchObject({ username: 'guest', password: 'amqp' });
    expect(config.dependencies.redis).toMatchObject({ address: '127.0.0.1:6379', password: 'redis' });
    expect(config.statsd.listen).toEqual({ host: '127.0.0.1', port: 9125, family: 'udp4' });
    expect(config.notify.auth).toEqual({ bearer_token: 'a-notify-token-0123456789' });
    expect(Object.keys(config.notify.dingtalk)).toEqual(['ops']);
    expect(config.notify.wecom.oncall!.language).toBe('en');
    expect(config.notify.report).toMatchObject({ schedule: '08:30', to: ['dingtalk/ops', 'wecom/oncall'] });
    expect(config.rabbitmq).toMatchObject({
      management_url: 'http://127.0.0.1:15672',
      queues: ['ds.converttask6', 'ds.convertresponse', 'ds.convertdead', 'ds.delayed'],
    });
    expect(config.conversion_probe).toMatchObject({ source_base_url: 'http://127.0.0.1:9877', filetype: 'txt' });
    expect(config.conversion_probe.source_url).toBeUndefined();
    expect(config.backups.map((b) => b.name)).toEqual(['postgresql', 'storage']);
  });
});
