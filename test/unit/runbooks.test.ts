import { readdirSync } from 'node:fs';
import Fastify from 'fastify';
import { markdownToHtml } from '../../src/web/markdown.js';
import { registerRunbookRoutes } from '../../src/web/runbooks.js';

const NAMES = readdirSync(new URL('../../docs/runbooks/', import.meta.url)).filter((f) => /^OnlyofficeDocs.*\.md$/.test(f)).map((f) => f.slice(0, -3)).sort();

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
    expect(markdownToHtml(markdown, (href) => (href.endsWith('.md') ? `/runbooks/${href.slice(0, -3)}` : href.startsWith('http') ? href : undefined))).toBe([
      '<h1 id="title-x">Title &#60;x&#62;</h1>',
      '<p>Severity: <strong>critical</strong> · Rule: <code>a.yml</code></p>',
      '<h3 id="what-to-check">What to check</h3>',
      '<ul><li><code>curl -s &#34;http://localhost/healthcheck&#34; &#38;&#38; echo &#60;ok&#62;</code></li>'
      + '<li>see <a href="/runbooks/OnlyofficeDocsDown">the other</a> and <a href="https://helpcenter.onlyoffice.com/">ONLYOFFICE</a> then x)</li></ul>',
      '<p>A paragraph with &#60;script&#62;alert(1)&#60;/script&#62; &#38; more</p>',
      '<pre><code>docker exec &#60;name&#62; supervisorctl status</code></pre>',
    ].join('\n'));
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
    for (const [page, own, other] of [[zh, ['<h3 id="含义">含义</h3>', '<h3 id="处理">处理</h3>'], '<h3 id="meaning">'], [en, ['<h3 id="meaning">Meaning</h3>', '<h3 id="how-to-fix">How to fix</h3>'], '含义']] as const) {
      expect({ name, status: page.statusCode, type: page.headers['content-type'] }).toEqual({ name, status: 200, type: 'text/html; charset=utf-8' });
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
    for (const url of ['/runbooks/OnlyofficeDocsNoSuchAlert', '/runbooks/..%2F..%2Fpackage.json', '/runbooks/README', '/runbooks/%2Fetc%2Fpasswd']) {
      const page = await app.inject({ url });
      expect({ url, status: page.statusCode }).toEqual({ url, status: 404 });
    }
  });
});
