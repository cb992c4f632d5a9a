import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { UdpAddress } from '../config/sections/statsd.js';
import { StatsdStore } from '../statsd/store.js';
import type { Collector, CollectorDefinition, ScrapeContext } from './types.js';

/**
 * Receives DS's StatsD stream on its own UDP socket for as long as the config lives; every scrape
 * writes a snapshot of what arrived so far. A bind failure fails the collector, never the process.
 */
export class StatsdCollector implements Collector {
  readonly store: StatsdStore;
  /** Resolves with the bound address (port 0 picks one), rejects with the bind error. */
  readonly ready: Promise<AddressInfo>;
  private readonly socket: Socket;
  private bindError: Error | undefined;
  private listening = false;
  private closed = false;

  constructor(
    listen: UdpAddress,
    maxSeries: number,
    private readonly logger: Logger,
  ) {
    this.store = new StatsdStore(maxSeries);
    this.socket = createSocket({ type: listen.family, reuseAddr: false });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('listening', () => {
        this.listening = true;
        resolve(this.socket.address());
      });
      this.socket.on('error', (error) => {
        // Before 'listening' this is a bind failure; afterwards a socket error we only log.
        if (!this.listening) {
          this.bindError = error;
          logger.error(
            { err: error.message, listen: `${listen.host}:${listen.port}` },
            'statsd receiver cannot listen',
          );
          reject(error);
        } else {
          logger.warn({ err: error.message }, 'statsd receiver socket error');
        }
      });
    });
    this.ready.catch(() => undefined);
    this.socket.on('message', (packet) => this.store.receive(packet.toString('utf8')));
    this.socket.bind(listen.port, listen.host);
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    if (this.bindError) throw new Error(`statsd receiver is not listening: ${this.bindError.message}`);
    this.store.write(ctx.registry);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // never bound
      }
    });
  }
}

const statsd: CollectorDefinition = {
  name: 'statsd',
  scopes: ['metrics'],
  runs: 'passive',
  create(config, logger) {
    if (config.statsd.enabled === false || config.statsd.listen === undefined) return undefined;
    return new StatsdCollector(config.statsd.listen, config.statsd.max_series, logger);
  },
};

export default statsd;
