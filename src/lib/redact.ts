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
