import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, Dispatcher } from 'undici';

// undici's index loads all of undici (fetch, WebSocket, caches, mocks) and, through them, Node's own bundled copy
// of it: about 5 MiB resident for code the exporter never runs. Its HTTP client is the Agent and the request API.
const requireUndici = createRequire(import.meta.url);

export const Agent = requireUndici('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;

const requestApi = requireUndici('undici/lib/api/api-request.js') as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'>;

/** undici's `request(url, { dispatcher, ... })`, without the index that defines it. */
export function request(dispatcher: Dispatcher, url: string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const parsed = new URL(url);
  return requestApi.call(dispatcher, { ...options, origin: parsed.origin, path: parsed.pathname + parsed.search } as Dispatcher.RequestOptions);
}
