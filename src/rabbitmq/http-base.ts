/** Splits user info off an http(s) URL: requests go to the bare URL with Basic auth, so credentials never reach a log line. */
export function splitCredentials(value: string): { base: string; username?: string; password?: string } {
  const url = new URL(value);
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { base: url.href.replace(/\/+$/, ''), username, password };
}

export function basicAuth(username: string | undefined, password: string | undefined): Record<string, string> {
  if (username === undefined) return {};
  return { authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` };
}
