import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { extensionOf } from '../config/sections/conversion_probe.js';
import { PROBE_OUTCOMES, runConversion, type ProbeResult } from '../documentserver/convert-service.js';
import { TransitionLog } from '../lib/transition-log.js';
import { emit, emitValue, gaugeFamily } from '../metrics/family.js';
import type { Collector, CollectorDefinition, ScrapeContext } from './types.js';

/** The names of the series the doctor reads (src/doctor/hops/). */
export const CONVERSION_PROBE_METRICS = {
  success: 'onlyoffice_conversion_probe_success',
  duration: 'onlyoffice_conversion_probe_duration_seconds',
  errorCode: 'onlyoffice_conversion_probe_error_code',
  outcome: 'onlyoffice_conversion_probe_outcome',
} as const;

const SUCCESS = gaugeFamily(
  CONVERSION_PROBE_METRICS.success,
  'Whether the last conversion probe converted the document and fetched the result (1) or not (0).',
);
const DURATION = gaugeFamily(
  CONVERSION_PROBE_METRICS.duration,
  'How long the last conversion probe took, request to fetched result (or failure).',
);
const ERROR_CODE = gaugeFamily(
  CONVERSION_PROBE_METRICS.errorCode,
  'DS ConvertService error code of the last probe (-3 conversion, -4 download, -8 token, ...); 0 when DS reported none.',
);
const LAST_RUN = gaugeFamily(
  'onlyoffice_conversion_probe_last_run_timestamp_seconds',
  'When the last conversion probe finished.',
);
const OUTCOME = gaugeFamily(
  CONVERSION_PROBE_METRICS.outcome,
  'How the last conversion probe ended: 1 for its outcome, 0 for the others.',
  ['outcome'],
);

/** The built-in source: plain text, which every DS version converts to docx with nothing but x2t. */
export const BUILT_IN_SOURCE = 'ONLYOFFICE Docs conversion probe by onlyoffice-exporter.\n';

/**
 * Converts a tiny document through ConvertService every `interval`, off the scrape path, and
 * exports the last result. Runs never overlap; a reload (close + create) starts afresh.
 */
export class ConversionProbeCollector implements Collector {
  private last: ProbeResult | undefined;
  private runs = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private server: Server | undefined;
  private sourceBase: Promise<string> | undefined;
  /** The one path the source server answers, only while a run needs it. */
  private sourcePath: string | undefined;
  private closed = false;
  private readonly transitions: TransitionLog;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    this.transitions = new TransitionLog(logger, {
      failing: 'conversion probe failed',
      recovered: 'conversion probe succeeded',
      first: 'conversion probe succeeded',
      field: false,
    });
    const probe = config.conversion_probe;
    if (probe.source_url === undefined) {
      this.sourceBase = this.serveSource();
      this.sourceBase.catch(() => undefined); // reported by the run as source_failed
    }
    this.timer = setTimeout(() => void this.run(), 0);
  }

  /** Resolves once `count` runs have finished (for tests and the doctor). */
  waitForRuns(count: number): Promise<void> {
    if (this.runs >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private serveSource(): Promise<string> {
    const probe = this.config.conversion_probe;
    const [, host, port] = /^\[?(.*?)\]?:(\d+)$/.exec(probe.source_listen)!;
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://source').pathname;
      if (
        this.sourcePath === undefined ||
        path !== this.sourcePath ||
        (req.method !== 'GET' && req.method !== 'HEAD')
      ) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(BUILT_IN_SOURCE),
      });
      res.end(req.method === 'HEAD' ? undefined : BUILT_IN_SOURCE);
    });
    this.server = server;
    return new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(port), host, () => {
        server.off('error', reject);
        server.on('error', (error) => this.logger.warn({ err: error.message }, 'conversion probe source server error'));
        const address = server.address() as AddressInfo;
        const bound = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(probe.source_base_url ?? `http://${bound}:${address.port}`);
      });
    });
  }

  private async run(): Promise<void> {
    if (this.closed) return;
    const probe = this.config.conversion_probe;
    const started = Date.now();
    let result: ProbeResult;
    let sourceUrl: string | undefined = probe.source_url;
    if (sourceUrl === undefined) {
      try {
        const base = await this.sourceBase!;
        // A random path per run: the server is not a file server for anyone else.
        this.sourcePath = `/conversion-probe/${randomBytes(16).toString('hex')}.txt`;
        sourceUrl = `${base}${this.sourcePath}`;
      } catch (error) {
        result = {
          outcome: 'source_failed',
          errorCode: 0,
          seconds: 0,
          finishedAt: Date.now(),
          detail: `cannot serve the source on ${probe.source_listen}: ${(error as Error).message}`,
        };
      }
    }
    if (sourceUrl !== undefined) {
      const ds = this.config.documentserver;
      result = await runConversion({
        documentserverUrl: ds.url,
        sourceUrl,
        filetype: probe.filetype ?? (probe.source_url !== undefined ? extensionOf(probe.source_url)! : 'txt'),
        outputtype: probe.outputtype,
        jwtSecret: ds.jwt?.secret,
        timeoutMs: probe.timeout,
        pollIntervalMs: probe.poll_interval,
        maxBodyBytes: ds.max_body_bytes,
        insecureSkipVerify: ds.insecure_skip_verify,
        signal: this.stopping.signal,
        resultOrigins: ds.public_url !== undefined ? [ds.url, ds.public_url] : [ds.url],
      });
    }
    this.sourcePath = undefined;
    if (this.closed) return;
    this.record(result!);
    this.timer = setTimeout(() => void this.run(), Math.max(0, started + probe.interval - Date.now()));
  }

  private record(result: ProbeResult): void {
    this.last = result;
    this.runs++;
    // A new outcome or code is news, a new detail alone is not; the first success says the probe works.
    if (result.outcome === 'ok') this.transitions.record('probe', { seconds: result.seconds }, undefined);
    else
      this.transitions.record(
        'probe',
        { outcome: result.outcome, error_code: result.errorCode, detail: result.detail },
        `${result.outcome} ${result.errorCode}`,
      );
    for (const waiter of [...this.waiters]) {
      if (this.runs >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    const last = this.last;
    // Before the first run has finished there is nothing true to say.
    if (!last) return;
    emitValue(ctx, SUCCESS, last.outcome === 'ok' ? 1 : 0);
    emitValue(ctx, DURATION, last.seconds);
    emitValue(ctx, ERROR_CODE, last.errorCode);
    emitValue(ctx, LAST_RUN, last.finishedAt / 1000);
    const outcome = emit(ctx, OUTCOME);
    for (const name of PROBE_OUTCOMES)
      outcome.push({ labels: { outcome: name }, value: name === last.outcome ? 1 : 0 });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.stopping.abort();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }
}

const conversionProbe: CollectorDefinition = {
  name: 'conversion_probe',
  scopes: ['metrics'],
  runs: 'schedule',
  create(config, logger) {
    if (!config.conversion_probe.enabled) return undefined;
    return new ConversionProbeCollector(config, logger);
  },
};

export default conversionProbe;
