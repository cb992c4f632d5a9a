/**
 * The Markdown the runbooks use, as HTML: headings, paragraphs, `-` lists, fenced code, `code`, **bold** and links.
 * Everything else is text: every character from the source is escaped, and a link keeps only an http(s), relative or
 * fragment target, so no page can carry script.
 */
export function markdownToHtml(markdown: string, linkTarget: LinkTarget = (href) => href): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: string[] | undefined;
  let code: string[] | undefined;
  const flush = () => {
    if (paragraph.length > 0) out.push(`<p>${inline(paragraph.join(' '), linkTarget)}</p>`);
    paragraph = [];
    if (list !== undefined) out.push(`<ul>${list.map((item) => `<li>${inline(item, linkTarget)}</li>`).join('')}</ul>`);
    list = undefined;
  };
  for (const line of markdown.split('\n')) {
    if (code !== undefined) {
      if (line.trimStart().startsWith('```')) {
        out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
        code = undefined;
      } else code.push(line);
      continue;
    }
    if (line.trimStart().startsWith('```')) {
      flush();
      code = [];
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      out.push(`<h${level} id="${slug(heading[2]!)}">${inline(heading[2]!, linkTarget)}</h${level}>`);
      continue;
    }
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (item) {
      if (paragraph.length > 0) flush();
      (list ??= []).push(item[1]!);
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    // A continuation line of a list item belongs to it.
    if (list !== undefined && /^\s+\S/.test(line)) list[list.length - 1] += ` ${line.trim()}`;
    else {
      if (list !== undefined) flush();
      paragraph.push(line.trim());
    }
  }
  if (code !== undefined) out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
  flush();
  return out.join('\n');
}

/** Where a link of the source points on the page; undefined keeps its text without a link. */
export type LinkTarget = (href: string) => string | undefined;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '');
}

/** Links first (their label may hold code), then code spans (their content is literal), then bold in the rest. */
function inline(text: string, linkTarget: LinkTarget): string {
  return text
    .split(/(\[[^\]]+\]\([^)\s]+\))/)
    .map((part) => {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part);
      if (!link) return codeAndBold(part);
      const href = link[2]!;
      const target = /^[a-z][a-z0-9+.-]*:/i.test(href) && !/^https?:/i.test(href) ? undefined : linkTarget(href);
      return target === undefined
        ? codeAndBold(link[1]!)
        : `<a href="${escapeHtml(target)}">${codeAndBold(link[1]!)}</a>`;
    })
    .join('');
}

function codeAndBold(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) =>
      part.length >= 2 && part.startsWith('`') && part.endsWith('`')
        ? `<code>${escapeHtml(part.slice(1, -1))}</code>`
        : escapeHtml(part).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>'),
    )
    .join('');
}
