/** A URL fit for logs, labels and pages: user info and secret-looking query values removed. */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value.replace(/\/\/[^/@\s]*@/, '//');
  }
  if (url.username !== '' || url.password !== '') {
    url.username = '';
    url.password = '';
  }
  for (const key of [...url.searchParams.keys()]) {
    if (/token|key|secret|sign|pass|auth/i.test(key)) url.searchParams.set(key, 'REDACTED');
  }
  return url.href.replace(/\/$/, value.endsWith('/') ? '/' : '');
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/** A free text (an error message) fit for logs and reports: every URL in it redacted as redactUrl does. */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (found) => {
    // Punctuation that ends a sentence or a clause ("... http://h/x: refused") is not part of the URL.
    const url = found.replace(/[.,;:)\]]+$/, '');
    return redactUrl(url) + found.slice(url.length);
  });
}
