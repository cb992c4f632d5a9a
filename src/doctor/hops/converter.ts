import conversionProbeCollector, { CONVERSION_PROBE_METRICS } from '../../collectors/conversion_probe.js';
import rabbitmqQueuesCollector, { RABBITMQ_METRICS } from '../../collectors/rabbitmq_queues.js';
import type { HopId } from '../model.js';
import { DOCTOR_THRESHOLDS } from '../thresholds.js';
import type { HopContext } from './context.js';
import { round } from './format.js';
import type { HopCheck, HopWriter } from './hop.js';

/** The conversion queues in RabbitMQ and their consumers, and the synthetic conversion. */
export const converter: HopCheck = {
  id: 'converter',
  reads: ['jwt'],
  check(ctx, out, earlier) {
    const s = ctx.samples;
    // The queue collector succeeds with `onlyoffice_rabbitmq_up 0` (and no queue) when none of its sources answered:
    // the doctor says the same, with each source's reason, rather than that the collector failed.
    const sources = s.all(RABBITMQ_METRICS.up);
    const sourcesDown = sources.length > 0 && sources.every((x) => x.value === 0);
    const failed = [rabbitmqQueuesCollector.name, conversionProbeCollector.name].find((c) => s.collector(c) === 0);
    const probe = s.one(CONVERSION_PROBE_METRICS.success);
    if (failed !== undefined) {
      if (ctx.depDown('rabbitmq') && failed !== conversionProbeCollector.name) becauseRabbitmq(out);
      else out.failedCollector(failed);
    }
    if (sourcesDown && failed === undefined) {
      if (ctx.depDown('rabbitmq')) {
        becauseRabbitmq(out);
      } else {
        out.set('unknown');
        const names = sources.map((x) => x.labels.source ?? '').sort();
        for (const source of names)
          out.note('source_failed', { source, ...ctx.errorOf(`${rabbitmqQueuesCollector.name}/${source}`) });
        const first =
          names
            .map((source) => ctx.errorOf(`${rabbitmqQueuesCollector.name}/${source}`))
            .find((e) => e.error !== undefined) ?? {};
        out.cause('rabbitmq_source_failed', { sources: names.join(', '), ...first });
      }
    }
    const queues = queuesOf(ctx);
    if (queues.size === 0 && probe === undefined) {
      if (failed === undefined && !sourcesDown) out.note('not_configured', { key: 'rabbitmq / conversion_probe' });
      return;
    }
    judgeQueues(ctx, out, queues);
    if (probe === 1) {
      out.set('ok');
      out.note('probe_ok', { seconds: round(s.one(CONVERSION_PROBE_METRICS.duration) ?? 0) });
    } else if (probe === 0) {
      const code = s.one(CONVERSION_PROBE_METRICS.errorCode) ?? 0;
      const outcome =
        s.all(CONVERSION_PROBE_METRICS.outcome).find((x) => x.value === 1)?.labels.outcome ?? 'error_code';
      out.set('fail');
      out.note('probe_failed', { code, outcome });
      out.cause('conversion_failed', { ...ctx.depParams, code, outcome });
      // A conversion fails when anything before it does: then that is the hop to fix.
      const jwtRejected =
        earlier('jwt').causes.some((c) => c.id === 'jwt_mismatch' || c.id === 'jwt_required') &&
        [-8, -20, -21].includes(code);
      if (out.hop.because === undefined) {
        const upstream: HopId | undefined = ctx.docserviceDown
          ? 'docservice'
          : jwtRejected
            ? 'jwt'
            : ctx.checkedDown('rabbitmq')
              ? 'rabbitmq'
              : ctx.checkedDown('postgresql')
                ? 'postgresql'
                : undefined;
        if (upstream !== undefined) out.hop.because = upstream;
      }
    }
  },
};

function becauseRabbitmq(out: HopWriter): void {
  out.set('unknown');
  out.note('because_hop', { hop: 'rabbitmq' });
  out.hop.because = 'rabbitmq';
}

/** ds.converttask* (ds.converttask6 from 8.3) by vhost and name. */
function queuesOf(ctx: HopContext): Map<string, { ready: number; consumers: number }> {
  const s = ctx.samples;
  const queues = new Map<string, { ready: number; consumers: number }>();
  for (const c of s.all(RABBITMQ_METRICS.queueConsumers, { queue: /^ds\.converttask\d*$/ })) {
    const ready =
      s.one(RABBITMQ_METRICS.queueMessagesReady, { queue: c.labels.queue!, vhost: c.labels.vhost ?? '' }) ?? 0;
    queues.set(`${c.labels.vhost ?? ''} ${c.labels.queue}`, { ready, consumers: c.value });
  }
  return queues;
}

function judgeQueues(ctx: HopContext, out: HopWriter, queues: Map<string, { ready: number; consumers: number }>): void {
  // After an upgrade to 8.3+ the old ds.converttask may linger with nobody on it: ignore it when another one is consumed.
  const consumed = [...queues.values()].some((q) => q.consumers > 0);
  for (const [key, q] of [...queues.entries()].sort()) {
    const queue = key.split(' ')[1]!;
    out.note('queue', { queue, ready: q.ready, consumers: q.consumers });
    if (q.consumers === 0 && !(consumed && q.ready === 0)) {
      out.set('fail');
      out.cause('converter_down', { ...ctx.depParams, queue, ready: q.ready });
    } else if (q.ready > DOCTOR_THRESHOLDS.backlogWarn) {
      out.set('warn');
      out.cause('queue_backlog', { ...ctx.depParams, queue, ready: q.ready, consumers: q.consumers }, true);
    } else {
      out.set('ok');
    }
  }
}
