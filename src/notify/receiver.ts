import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { PayloadError, parseWebhookPayload } from './payload.js';
import { RobotNotifier, type Notifier } from './notifier.js';
import type { Robot } from './robot.js';

interface Params {
  channel: string;
  robot: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    notifyRobot?: Robot;
  }
}

class BodyError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

/** The receivers' route; they check notify.auth themselves, in place of the web layer's basic auth. */
export const NOTIFY_ROUTE = '/notify/:channel/:robot';

/**
 * POST /notify/dingtalk/:robot and /notify/wecom/:robot: Alertmanager webhook receivers (payload version 4).
 * 200 once the alerts are in the robot's queue; 4xx for requests that can never succeed (Alertmanager
 * gives up on them); 503 when the queue is full, the robot keeps failing or notify is not configured
 * (Alertmanager retries).
 */
export const notifyRoutes: FastifyPluginAsync<{ notifier: () => Notifier | undefined }> = async (app, options) => {
  const current = () => {
    const notifier = options.notifier();
    return notifier instanceof RobotNotifier ? notifier : undefined;
  };

  // This plugin's own JSON parser (encapsulated): the size cap follows the current configuration.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', (request, payload, done) => {
    const limit = current()?.maxRequestBytes ?? 0;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      done(
        new BodyError(`request body of ${declared} bytes is over notify.max_request_bytes (${limit})`, 413),
        undefined,
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (error: Error | null, body?: unknown) => {
      if (finished) return;
      finished = true;
      done(error, body);
    };
    payload.on('data', (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > limit) {
        finish(new BodyError(`request body is over notify.max_request_bytes (${limit})`, 413));
        return;
      }
      chunks.push(chunk);
    });
    payload.on('error', (error) => finish(new BodyError(`cannot read the request body: ${error.message}`, 400)));
    payload.on('end', () => {
      if (finished) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        finish(null, JSON.parse(text));
      } catch (error) {
        finish(
          new BodyError(
            `body is not JSON: ${error instanceof RangeError ? 'nested too deeply' : (error as Error).message.slice(0, 120)}`,
            400,
          ),
        );
      }
    });
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error.message }, 'notify receiver failed');
    return answer(request, reply, status, error.message);
  });

  // Before the body is read: unknown robots and unauthenticated senders cost nothing.
  app.addHook<{ Params: Params }>('onRequest', async (request, reply) => {
    const notifier = current();
    if (!notifier) return answer(request, reply, 503, 'notify is not configured (no robots in the notify section)');
    const robot = notifier.robot(request.params.channel, request.params.robot);
    if (!robot)
      return answer(
        request,
        reply,
        404,
        `no ${request.params.channel} robot named ${JSON.stringify(request.params.robot.slice(0, 64))} in notify`,
      );
    request.notifyRobot = robot;
    if (!notifier.authorized(request.headers.authorization)) {
      reply.header('www-authenticate', notifier.authChallenge);
      return answer(request, reply, 401, 'missing or wrong credentials (notify.auth)');
    }
    return undefined;
  });

  // Every answer for a configured robot: the web layer's basic auth leaves these routes to notify.auth (server.ts).
  app.addHook('onResponse', async (request, reply) => {
    request.notifyRobot?.countAnswer(reply.statusCode);
  });

  app.post<{ Params: Params }>(NOTIFY_ROUTE, async (request, reply) => {
    const notifier = current();
    const robot = request.notifyRobot;
    if (!notifier || !robot) return answer(request, reply, 503, 'notify was reconfigured; retry');
    let payload;
    try {
      payload = parseWebhookPayload(request.body, notifier.config.queue.max_alerts);
    } catch (error) {
      if (error instanceof PayloadError) return answer(request, reply, error.statusCode, error.message);
      throw error;
    }
    if (payload.truncatedAlerts > 0) {
      request.log.warn(
        { channel: robot.channel, robot: robot.name, truncated: payload.truncatedAlerts },
        'Alertmanager left out alerts (max_alerts)',
      );
    }
    const result = robot.offer(payload.alerts);
    if (!result.accepted) {
      reply.header('retry-after', '10');
      return answer(request, reply, 503, result.message);
    }
    return reply.code(200).send({ status: 'queued', alerts: payload.alerts.length, queued: result.queued });
  });
};

function answer(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  if (status !== 404 && status !== 401) request.log.debug({ status, err: message }, 'notify request refused');
  return reply.code(status).send({ status: 'error', error: message });
}
