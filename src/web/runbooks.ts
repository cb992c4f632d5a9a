import { readdir, readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { langFrom, type Lang } from '../doctor/i18n.js';
import { escapeHtml, markdownToHtml } from './markdown.js';

/** docs/runbooks/ of the checkout, or of the image (/app/docs/runbooks beside /app/dist): two levels up either way. */
const RUNBOOKS = new URL('../../docs/runbooks/', import.meta.url);
const NAME = /^(OnlyofficeDocs[A-Za-z0-9]{1,80})(?:\.md)?$/;
const SECTION = { 'zh-CN': '## 中文', en: '## English' } as const;
const TEXT = {
  title: { 'zh-CN': '处理手册', en: 'Runbooks' },
  other: { 'zh-CN': 'English', en: '中文' },
  missing: { 'zh-CN': '没有这个处理手册', en: 'No such runbook' },
} as const;

/**
 * `GET /runbooks/` and `GET /runbooks/<AlertName>`: the runbooks of docs/runbooks/ as pages, in zh-CN or English
 * (`?lang=`, else Accept-Language), so an alert's runbook opens on an intranet without the internet. Behind the same
 * web auth as every page.
 */
export function registerRunbookRoutes(app: FastifyInstance): void {
  app.get<{ Querystring: { lang?: string } }>('/runbooks/', async (request, reply) => {
    const lang = langFrom(request.query.lang ?? request.headers['accept-language']);
    const names = (await readdir(RUNBOOKS))
      .map((file) => NAME.exec(file)?.[1])
      .filter((name) => name !== undefined)
      .sort();
    const list = names.map((name) => `<li><a href="/runbooks/${name}?lang=${lang}">${name}</a></li>`).join('');
    return page(reply, lang, TEXT.title[lang], `<h1>${TEXT.title[lang]}</h1><ul>${list}</ul>`, '/runbooks/');
  });

  app.get<{ Params: { name: string }; Querystring: { lang?: string } }>('/runbooks/:name', async (request, reply) => {
    const lang = langFrom(request.query.lang ?? request.headers['accept-language']);
    const name = NAME.exec(request.params.name)?.[1];
    const markdown =
      name === undefined ? undefined : await readFile(new URL(`${name}.md`, RUNBOOKS), 'utf8').catch(() => undefined);
    if (name === undefined || markdown === undefined) {
      return page(
        reply.code(404),
        lang,
        TEXT.missing[lang],
        `<h1>${TEXT.missing[lang]}</h1><p><a href="/runbooks/?lang=${lang}">${TEXT.title[lang]}</a></p>`,
        '/runbooks/',
      );
    }
    return page(
      reply,
      lang,
      name,
      markdownToHtml(inLanguage(markdown, lang), (href) => runbookLink(href, lang)),
      `/runbooks/${name}`,
    );
  });
}

/** The title and header lines, then the section of the language only. */
export function inLanguage(markdown: string, lang: Lang): string {
  const zh = markdown.indexOf(SECTION['zh-CN']);
  const en = markdown.indexOf(SECTION.en);
  if (zh < 0 || en < 0) return markdown;
  const header = markdown.slice(0, Math.min(zh, en));
  const body =
    lang === 'zh-CN'
      ? markdown.slice(zh + SECTION['zh-CN'].length, en > zh ? en : undefined)
      : markdown.slice(en + SECTION.en.length, zh > en ? zh : undefined);
  return `${header}${body.trim()}\n`;
}

/** Another runbook opens here; the repository's other files are not served, so those links keep their text only. */
function runbookLink(href: string, lang: Lang): string | undefined {
  if (/^https?:/i.test(href) || href.startsWith('#')) return href;
  const other = /^(?:\.\/)?(OnlyofficeDocs[A-Za-z0-9]+)\.md(#.*)?$/.exec(href);
  return other ? `/runbooks/${other[1]}?lang=${lang}${other[2] ?? ''}` : undefined;
}

function page(reply: FastifyReply, lang: Lang, title: string, body: string, path: string): FastifyReply {
  const other: Lang = lang === 'zh-CN' ? 'en' : 'zh-CN';
  return reply
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    )
    .type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#202124}
code{background:#f1f3f4;padding:0 .25em;border-radius:3px}pre{background:#f1f3f4;padding:.75em;overflow-x:auto}nav{font-size:.9em}</style></head>
<body><nav><a href="/runbooks/?lang=${lang}">${TEXT.title[lang]}</a> · <a href="${path}?lang=${other}">${TEXT.other[lang]}</a></nav>
${body}
</body></html>
`);
}
