/** The vhost amqplib connects to for this URI: the decoded path without its slash, "/" when empty; undefined if not a URL. */
export function vhostOfAmqpUrl(value: string): string | undefined {
  let path: string;
  try {
    path = new URL(value).pathname.replace(/^\//, '');
    return path === '' ? '/' : decodeURIComponent(path);
  } catch {
    return undefined;
  }
}
