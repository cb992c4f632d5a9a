import { readdirSync, readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { markdownToHtml } from '../../src/web/markdown.js';
import { registerRunbookRoutes } from '../../src/web/runbooks.js';

const NAMES = readdirSync(new URL('../../docs/runbooks/', import.meta.url))
  .filter((f) => /^OnlyofficeDocs.*\.md$/.test(f))
  .map((f) => f.slice(0, -3))
  .sort();

describe('markdownToHtml', () => {
  test('headings, paragraphs, lists with continuation lines, code, bold and links; everything else escaped', () => {
    const markdown = [
      '# Title <x>',
      'Severity: **critical** · Rule: [`a.yml`](../../alerts/a.yml)',
      '',
      '### What to check',
      '',
      '- `curl -s "http://localhost/healthcheck" && echo <ok>`',
      '- see [the other](OnlyofficeDocsDown.md) and',
      '  [ONLYOFFICE](https://helpcenter.onlyoffice.com/) then [x](javascript:alert(1))',
      'A paragraph with <script>alert(1)</script> & more',
      '```',
      'docker exec <name> supervisorctl status',
      '```',
    ].join('\n');
    expect(
      markdownToHtml(markdown, (href) =>
        href.endsWith('.md') ? `/runbooks/${href.slice(0, -3)}` : href.startsWith('http') ? href : undefined,
      ),
    ).toBe(
      [
        '<h1 id="title-x">Title &#60;x&#62;</h1>',
        '<p>Severity: <strong>critical</strong> · Rule: <code>a.yml</code></p>',
        '<h3 id="what-to-check">What to check</h3>',
        '<ul><li><code>curl -s &#34;http://localhost/healthcheck&#34; &#38;&#38; echo &#60;ok&#62;</code></li>' +
          '<li>see <a href="/runbooks/OnlyofficeDocsDown">the other</a> and <a href="https://helpcenter.onlyoffice.com/">ONLYOFFICE</a> then x)</li></ul>',
        '<p>A paragraph with &#60;script&#62;alert(1)&#60;/script&#62; &#38; more</p>',
        '<pre><code>docker exec &#60;name&#62; supervisorctl status</code></pre>',
      ].join('\n'),
    );
  });
});

/**
 * The headings of the two blocks every half of a runbook ends with: commands that paste as they are for the official
 * all-in-one container (started by ONLYOFFICE's docker run or compose file) and for the DEB/RPM packages.
 */
const BLOCKS = {
  zh: ['#### Docker（官方一体化镜像 onlyoffice/documentserver）', '#### 软件包安装（DEB/RPM）'],
  en: ['#### Docker (official all-in-one image onlyoffice/documentserver)', '#### Packages (DEB/RPM)'],
} as const;
/** Placeholders a reader must replace before a command runs: ‹容器>, <container>, <主机>, <mountpoint> … */
const PLACEHOLDER = /[‹›]|<[\p{L}_][\p{L}\p{N}_ .-]*>/u;

describe('runbook sources', () => {
  test.each(NAMES)('%s: a Docker and a package block of commands in each language, no placeholder', (name) => {
    const text = readFileSync(new URL(`../../docs/runbooks/${name}.md`, import.meta.url), 'utf8');
    const [zh = '', en = ''] = text.split('\n## English\n');
    for (const [lang, half] of [
      ['zh', zh],
      ['en', en],
    ] as const) {
      const [docker, pkg] = BLOCKS[lang];
      const at = [docker, pkg].map((h) => half.split('\n').indexOf(h));
      expect({ name, lang, docker: at[0]! > 0, pkg: at[1]! > at[0]! }).toEqual({ name, lang, docker: true, pkg: true });
      // Each block holds a fenced block of shell commands before the next heading.
      const lines = half.split('\n');
      for (const start of at) {
        const end = lines.findIndex((l, i) => i > start! && l.startsWith('#'));
        const body = lines.slice(start! + 1, end === -1 ? undefined : end);
        expect({ name, lang, heading: lines[start!], fenced: body.some((l) => l === '```sh') }).toEqual({
          name,
          lang,
          heading: lines[start!],
          fenced: true,
        });
      }
    }
    const placeholders = text.split('\n').filter((l) => PLACEHOLDER.test(l.replace(/<\/dev\/null/g, '')));
    expect({ name, placeholders }).toEqual({ name, placeholders: [] });
  });

  test('zh-CN says 响应 and 链路逐段检查 as the doctor, status page and alerts do: never 应答 or 逐跳 (issue 17)', () => {
    const found = NAMES.flatMap((name) =>
      readFileSync(new URL(`../../docs/runbooks/${name}.md`, import.meta.url), 'utf8')
        .split('\n')
        .filter((line) => /应答|逐跳/.test(line))
        .map((line) => `${name}: ${line}`),
    );
    expect(found).toEqual([]);
  });

  test('the placeholder pattern', () => {
    for (const bad of [
      'docker exec ‹容器> sh',
      'docker logs <container>',
      'pg_isready -h <主机>',
      'df -i <mountpoint>',
      'curl https://<公共地址>/x',
      'ls <path 所在目录>',
    ])
      expect({ bad, found: PLACEHOLDER.test(bad) }).toEqual({ bad, found: true });
    for (const good of [
      'docker exec "$DS" sh -c \'a < b\'',
      'x 2>&1 | grep',
      'a <= b',
      '`</dev/null`'.replace('</dev/null', ''),
    ])
      expect({ good, found: PLACEHOLDER.test(good) }).toEqual({ good, found: false });
  });
});

describe('GET /runbooks/', () => {
  const app = Fastify();
  registerRunbookRoutes(app);
  afterAll(() => app.close());

  test('there are runbooks to serve', () => {
    expect(NAMES.length).toBeGreaterThan(40);
  });

  test.each(NAMES)('%s in zh-CN and in English, one language a page, no Markdown left', async (name) => {
    const zh = await app.inject({ url: `/runbooks/${name}`, headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    const en = await app.inject({ url: `/runbooks/${name}.md?lang=en` });
    for (const [page, own, other] of [
      [zh, ['<h3 id="含义">含义</h3>', '<h3 id="处理">处理</h3>'], '<h3 id="meaning">'],
      [en, ['<h3 id="meaning">Meaning</h3>', '<h3 id="how-to-fix">How to fix</h3>'], '含义'],
    ] as const) {
      expect({ name, status: page.statusCode, type: page.headers['content-type'] }).toEqual({
        name,
        status: 200,
        type: 'text/html; charset=utf-8',
      });
      expect(page.body).toContain(`<h1 id="${name.toLowerCase()}">${name}</h1>`);
      for (const heading of own) expect(page.body).toContain(heading);
      expect(page.body).not.toContain(other);
      expect({ name, leftovers: page.body.match(/\*\*|\]\(|```|^#/m) }).toEqual({ name, leftovers: null });
    }
    expect(zh.body).toContain(`<a href="/runbooks/${name}?lang=en">English</a>`);
  });

  test('the index lists every runbook; unknown names and paths outside are 404', async () => {
    const index = await app.inject({ url: '/runbooks/?lang=en' });
    expect(index.statusCode).toBe(200);
    expect(index.body.match(/<li><a href="\/runbooks\/(\w+)\?lang=en">/g)?.length).toBe(NAMES.length);
    for (const url of [
      '/runbooks/OnlyofficeDocsNoSuchAlert',
      '/runbooks/..%2F..%2Fpackage.json',
      '/runbooks/README',
      '/runbooks/%2Fetc%2Fpasswd',
    ]) {
      const page = await app.inject({ url });
      expect({ url, status: page.statusCode }).toEqual({ url, status: 404 });
    }
  });
});
