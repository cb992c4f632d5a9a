import { readFileSync } from 'node:fs';
import { CAUSES, CAUSE_ORDER, type CauseId } from '../../src/doctor/causes.js';
import { LANGS, picker, type Lang, type Params } from '../../src/doctor/i18n.js';
import { CAUSE_RUNBOOKS } from '../../src/doctor/runbooks.js';

/**
 * Every command the doctor can print in a fix is in the runbook of the alert for the same fault (CAUSE_RUNBOOKS), in the
 * same language's half: a command line of a fenced block, or an inline code span. Parameters (names, paths, URLs) are
 * rendered as slots that match any one word, so the runbook's `"$DS"` or `/app/onlyoffice/...` fills them.
 */
const SLOT = (key: string) => `⟦${key}⟧`;
const SLOTS = /⟦\w+⟧/g;
/**
 * The container names fixes fall back to when the Docker view found none (ONLYOFFICE's compose name for DS, this
 * project's for the exporter): in a docker command they are slots too, as the runbooks find the real name.
 */
const DEFAULT_CONTAINERS = /\b(onlyoffice-documentserver|onlyoffice-exporter)\b/g;

const KEYS = [
  'name',
  'state',
  'exit_code',
  'restarts',
  'program',
  'container',
  'ds',
  'path',
  'dir',
  'percent',
  'target',
  'date',
  'days',
  'queue',
  'ready',
  'consumers',
  'code',
  'reason',
  'url',
  'status',
  'direct',
  'failure',
  'host',
  'hostport',
  'dependency',
  'address',
  'collector',
  'timeout',
  'problem',
  'pg_host',
  'pg_port',
  'redis_host',
  'redis_port',
  'rabbitmq_container',
  'postgresql_container',
  'redis_container',
  'rabbitmq_address',
  'postgresql_address',
  'redis_address',
  'jwt_key',
  'sources',
  'size',
  'min',
  'age_zh',
  'age_en',
  'limit_zh',
  'limit_en',
  'outcome',
];
const all: Record<string, string> = {
  ...Object.fromEntries(KEYS.map((k) => [k, SLOT(k)])),
  address: `${SLOT('host')}:5432`,
};
const without = (...keys: string[]) => Object.fromEntries(Object.entries(all).filter(([k]) => !keys.includes(k)));

/**
 * The parameter sets that reach each branch of the fixes: a DS container found by the Docker view (its name in `ds`,
 * `container`) with RabbitMQ, PostgreSQL and Redis in containers of their own (ONLYOFFICE's compose file) or inside it
 * (the all-in-one image), none found (package install, defaults), supervisor programs in a container, on a host's supervisor,
 * or as 7.3+ systemd units; certificates of an endpoint or of a file; HTTP and HTTPS; a check failed with and without
 * a reason.
 */
const FORMS: Record<string, Params> = {
  docker: {
    ...all,
    program: 'ds:docservice',
    target: `${SLOT('host')}:443`,
    url: `https://${SLOT('url')}`,
    code: -4,
    status: 502,
  },
  allInOne: {
    ...without('rabbitmq_container', 'postgresql_container', 'redis_container'),
    program: 'ds:docservice',
    target: `${SLOT('host')}:443`,
    url: `https://${SLOT('url')}`,
    address: '127.0.0.1:5672',
    rabbitmq_address: '127.0.0.1:5672',
    postgresql_address: '127.0.0.1:5432',
    redis_address: 'localhost:6379',
  },
  // A DS container, its dependencies checked on other hosts: the host's commands, each saying where.
  dsWithRemoteDependencies: {
    ...without('rabbitmq_container', 'postgresql_container', 'redis_container'),
    program: 'ds:docservice',
  },
  dockerConverter: { ...all, program: 'ds:converter', target: `${SLOT('host')}:443` },
  package: {
    ...without(
      'ds',
      'container',
      'rabbitmq_container',
      'postgresql_container',
      'redis_container',
      'pg_host',
      'pg_port',
      'redis_host',
      'redis_port',
      'error',
      'jwt_key',
      'outcome',
    ),
    program: 'ds-docservice',
    url: `http://${SLOT('url')}`,
    code: -3,
  },
  packageConverter: {
    ...without('ds', 'container', 'rabbitmq_container', 'postgresql_container', 'redis_container', 'error'),
    program: 'ds-converter',
  },
  hostSupervisor: {
    ...without('ds', 'container', 'rabbitmq_container', 'postgresql_container', 'redis_container', 'error'),
    program: 'ds:docservice',
  },
  certFile: { ...all, target: SLOT('path') },
  checkFailedWithReason: { ...all, error: SLOT('error') },
};

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A command without its trailing ` # remark`. */
const command = (line: string) => line.replace(/\s+#\s.*$/, '').trim();

/** The commands of one fix line: the command itself and, after "# or:" / "# 或：", the alternative it names. */
function commandsOf(line: string): string[] {
  if (line.startsWith('#')) return [];
  const out = [command(line)];
  const alternative = /\s#\s*(?:or|或)\s*[:：]\s*(.+)$/.exec(line);
  if (alternative) out.push(command(alternative[1]!));
  return out.filter((c) => c !== '');
}

function pattern(cmd: string): RegExp {
  // The scheme belongs to a URL slot: the runbook's http://localhost fills an https URL of the doctor's as well.
  const withSlots = (cmd.startsWith('docker ') ? cmd.replace(DEFAULT_CONTAINERS, SLOT('container')) : cmd).replace(
    /https?:\/\/(⟦\w+⟧)/g,
    '$1',
  );
  const parts = withSlots.split(SLOTS).map(escape);
  // A slot is one shell word (possibly quoted); the rest is literal.
  return new RegExp(`^${parts.join('\\S+?')}$`);
}

/** One language's half of a runbook: the lines of its fenced blocks and its inline code spans. */
function candidates(name: string, lang: Lang): string[] {
  const text = readFileSync(new URL(`../../docs/runbooks/${name}.md`, import.meta.url), 'utf8');
  const [, zh = '', en = ''] = /^[\s\S]*?\n## 中文\n([\s\S]*?)\n## English\n([\s\S]*)$/.exec(text) ?? [];
  const half = lang === 'zh-CN' ? zh : en;
  const out: string[] = [];
  let inBlock = false;
  for (const line of half.split('\n')) {
    if (line.trimStart().startsWith('```')) inBlock = !inBlock;
    else if (inBlock) out.push(command(line));
  }
  for (const m of half
    .replace(/```[\s\S]*?```/g, '')
    .replace(/\n\s*/g, ' ')
    .matchAll(/`([^`]+)`/g))
    out.push(command(m[1]!));
  return out;
}

describe("the doctor's fix commands are in the runbooks", () => {
  test('every cause names a runbook that exists', () => {
    for (const id of CAUSE_ORDER) {
      expect({
        id,
        exists: readFileSync(
          new URL(`../../docs/runbooks/${CAUSE_RUNBOOKS[id]}.md`, import.meta.url),
          'utf8',
        ).startsWith(`# ${CAUSE_RUNBOOKS[id]}\n`),
      }).toEqual({ id, exists: true });
    }
  });

  test.each(LANGS)('in %s, every command of every fix form is in its runbook', (lang) => {
    const t = picker(lang);
    const missing: string[] = [];
    let checked = 0;
    for (const id of CAUSE_ORDER as CauseId[]) {
      const runbook = CAUSE_RUNBOOKS[id];
      const lines = candidates(runbook, lang);
      const seen = new Set<string>();
      for (const params of Object.values(FORMS)) {
        for (const fix of CAUSES[id].fix(params, t)) {
          for (const cmd of commandsOf(fix)) {
            const re = pattern(cmd);
            if (seen.has(re.source)) continue;
            seen.add(re.source);
            checked++;
            if (!lines.some((l) => re.test(l))) missing.push(`${runbook} (${id}): ${cmd}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  test('a slot stands for one word, the rest must be equal', () => {
    expect(
      pattern(`docker exec ${SLOT('ds')} supervisorctl restart ds:docservice`).test(
        'docker exec "$DS" supervisorctl restart ds:docservice',
      ),
    ).toBe(true);
    expect(
      pattern('docker exec onlyoffice-documentserver supervisorctl status').test(
        'docker exec "$DS" supervisorctl status',
      ),
    ).toBe(true);
    expect(pattern('journalctl -u onlyoffice-exporter -n 50').test('journalctl -u exporter -n 50')).toBe(false);
    expect(
      pattern(`curl -sS -i https://${SLOT('url')}/healthcheck`).test('curl -sS -i http://localhost/healthcheck'),
    ).toBe(true);
    expect(
      pattern(`docker exec ${SLOT('ds')} supervisorctl restart ds:docservice`).test(
        'docker exec "$DS" supervisorctl restart ds:converter',
      ),
    ).toBe(false);
    expect(pattern(`df -h ${SLOT('path')}`).test('df -h /app/onlyoffice/DocumentServer/data /var/lib/docker')).toBe(
      false,
    );
    expect(commandsOf('docker start onlyoffice-postgresql   # or: systemctl start postgresql')).toEqual([
      'docker start onlyoffice-postgresql',
      'systemctl start postgresql',
    ]);
    expect(commandsOf('# systemd unit')).toEqual([]);
  });
});
