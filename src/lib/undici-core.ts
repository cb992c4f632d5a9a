import { Agent, request as undiciRequest, type Dispatcher } from 'undici';

// undici's public entry point only: its files under lib/ are private and any release may move them. The index loads
// all of undici (fetch, WebSocket, caches, mocks), about 4 MiB more resident than the Agent and request modules
// alone (docs/BENCHMARKS.md, "Resident memory").
export { Agent };

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'>;

/** undici's `request(url, { dispatcher, ... })`, with the dispatcher first as the callers hold it. */
export function request(
  dispatcher: Dispatcher,
  url: string,
  options: RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return undiciRequest(url, { ...options, dispatcher });
}
