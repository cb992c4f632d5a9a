/** The Engine API operations the exporter makes, counted so tests and benchmarks can see what a scrape costs. */
export const API_OPERATIONS = [
  'events',
  'list',
  'inspect',
  'images',
  'ping',
  'stats',
  'exec_create',
  'exec_start',
  'exec_inspect',
] as const;
export type ApiOperation = (typeof API_OPERATIONS)[number];

export class ApiCounter {
  private readonly counts = new Map<ApiOperation, number>(API_OPERATIONS.map((operation) => [operation, 0]));

  count(operation: ApiOperation): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  get(operation: ApiOperation): number {
    return this.counts.get(operation) ?? 0;
  }

  entries(): [ApiOperation, number][] {
    return [...this.counts.entries()];
  }

  total(): number {
    let sum = 0;
    for (const value of this.counts.values()) sum += value;
    return sum;
  }
}

/** Docker API errors carry the HTTP status as statusCode; connection errors carry an errno code. */
export function apiErrorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** One short line about why an Engine API call failed (no stack, no request dump). */
export function describeApiError(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { statusCode?: number; json?: { message?: string } };
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return 'timed out';
  if (err.code === 'ENOENT') return 'no such socket (connect ENOENT)';
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'EACCES') return 'permission denied on the socket (is the exporter in the docker group?)';
  if (typeof err.statusCode === 'number') {
    const message = err.json?.message ?? err.message.replace(/^\(HTTP code \d+\)\s*/, '');
    return `HTTP ${err.statusCode}: ${message.trim()}`;
  }
  return err.code ? `${err.code}: ${err.message}` : (err.message ?? String(error));
}
