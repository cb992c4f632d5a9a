import type { ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { deadlineSignal } from '../lib/timeout-signal.js';
import type { QueueSource, QueueStats, SourceResult } from './types.js';

class Deadline extends Error {}

/**
 * Plain AMQP, what every DS deployment has: a passive queue.declare per queue on one long-lived
 * connection (reopened after a failure). Gives ready messages and consumers; NOT_FOUND = no such queue.
 */
export class AmqpSource implements QueueSource {
  readonly name = 'amqp' as const;
  private model: ChannelModel | undefined;
  private connecting: Promise<ChannelModel> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly insecureSkipVerify: boolean,
    private readonly logger: Logger,
  ) {}

  async query(
    _vhost: string,
    queues: readonly string[],
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<SourceResult> {
    const deadline = deadlineSignal(signal, timeoutMs);
    const giveUp = deadline.signal;
    try {
      const model = await bounded(this.connection(timeoutMs), giveUp);
      const found = new Map<string, QueueStats>();
      // One channel per queue: a NOT_FOUND closes the channel it happened on.
      const answers = await bounded(Promise.all(queues.map((queue) => this.check(model, queue))), giveUp);
      queues.forEach((queue, index) => {
        const answer = answers[index];
        if (answer) found.set(queue, answer);
      });
      return { ok: true, queues: found };
    } catch (error) {
      // A frozen broker leaves the socket open and silent: drop it so the next scrape starts afresh.
      if (error instanceof Deadline) this.discard();
      return { ok: false, error: `amqp: ${error instanceof Deadline ? 'timed out' : describe(error)}` };
    } finally {
      deadline.clear();
    }
  }

  private async check(model: ChannelModel, queue: string): Promise<QueueStats | undefined> {
    const channel = await model.createChannel();
    channel.on('error', () => undefined); // the NOT_FOUND also arrives as a rejected checkQueue
    try {
      const reply = await channel.checkQueue(queue);
      return { ready: reply.messageCount, consumers: reply.consumerCount };
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    } finally {
      channel.close().catch(() => undefined);
    }
  }

  private connection(timeoutMs: number): Promise<ChannelModel> {
    if (this.model) return Promise.resolve(this.model);
    if (this.connecting) return this.connecting;
    // amqplib is loaded by the first AMQP check only: most configurations read queues over HTTP.
    this.connecting = import('amqplib')
      .then(({ default: amqp }) =>
        amqp.connect(this.url, {
          timeout: timeoutMs,
          rejectUnauthorized: !this.insecureSkipVerify,
          clientProperties: { connection_name: 'onlyoffice-exporter' },
        }),
      )
      .then(
        (model) => {
          this.connecting = undefined;
          if (this.closed) {
            model.close().catch(() => undefined);
            throw new Error('closed');
          }
          // Unhandled 'error' on an EventEmitter would crash the process; a lost connection is just reopened next time.
          model.on('error', (error: Error) =>
            this.logger.warn({ err: describe(error) }, 'rabbitmq amqp connection error'),
          );
          model.on('close', () => {
            if (this.model === model) this.model = undefined;
          });
          this.model = model;
          return model;
        },
        (error: unknown) => {
          this.connecting = undefined;
          throw error;
        },
      );
    return this.connecting;
  }

  private discard(): void {
    const model = this.model;
    this.model = undefined;
    if (model) destroy(model);
  }

  async close(): Promise<void> {
    this.closed = true;
    const model = this.model ?? (await this.connecting?.catch(() => undefined));
    this.model = undefined;
    if (!model) return;
    // close() waits for the broker's close-ok, which a frozen broker never sends.
    const closed = await Promise.race([
      model.close().then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000).unref()),
    ]);
    if (!closed) destroy(model);
  }
}

/** Tears the socket down with an error: amqplib then runs its own close path, which stops the heartbeat timers. */
function destroy(model: ChannelModel): void {
  (model.connection as unknown as { stream?: { destroy(error?: Error): void } }).stream?.destroy(
    new Error('abandoned by the exporter'),
  );
}

function bounded<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Deadline());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Deadline());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Error text without the URI (amqplib messages carry host:port at most, never the credentials). */
function describe(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  const message = err.message ?? String(error);
  return message.replace(/amqps?:\/\/[^\s]*/g, 'amqp://…').split('\n')[0]!;
}
