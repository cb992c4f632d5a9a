import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { fleetOf, type FleetTarget } from '../config/sections/probe.js';
import { diagnoseTarget, diagnoseWith } from '../doctor/run.js';
import { langFrom } from '../doctor/i18n.js';
import type { Diagnosis } from '../doctor/model.js';
import { renderJson } from '../doctor/render.js';
import type { Generation, Runtime } from '../runtime.js';
import { CollectorHealthLog } from '../scrape/health-log.js';
import { fleetPage, landingPage, refreshSeconds, type FleetRow } from './landing.js';

/** A page view reuses a diagnosis this young, so a few open tabs do not multiply the checks. */
const FRESH_MS = 5_000;
const BUDGET_MS = 10_000;
/** Targets the fleet index diagnoses at once. */
const FLEET_CONCURRENCY = 16;

interface Cached {
  at: number;
  diagnosis: Promise<Diagnosis>;
}

/**
 * The doctor's diagnosis made from the daemon's own collectors (the current generation), one in flight at
 * a time and reused for a few seconds; the same for each fleet target, as /probe sees it.
 */
export class StatusView {
  private cached: (Cached & { generation: Generation }) | undefined;
  /** Per fleet target (by index) of `targetsOf`: emptied when the generation changes, so it never outgrows probe.targets. */
  private targets = new Map<number, Cached>();
  private targetsOf: Generation | undefined;
  private readonly healthLog: CollectorHealthLog;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    private readonly freshMs = FRESH_MS,
    private readonly budgetMs = BUDGET_MS,
  ) {
    this.healthLog = new CollectorHealthLog(logger.child({ component: 'status' }));
  }

  async current(): Promise<Diagnosis | undefined> {
    const generation = this.runtime.generation;
    if (!generation) return undefined;
    const cached = this.cached;
    if (cached && cached.generation === generation && Date.now() - cached.at < this.freshMs) return cached.diagnosis;
    const diagnosis = diagnoseWith(
      generation.collectorsFor('metrics'),
      generation.config,
      this.logger,
      this.budgetMs,
      this.healthLog,
    );
    this.cached = { generation, at: Date.now(), diagnosis };
    this.keepFresh(
      diagnosis,
      () => this.cached,
      () => (this.cached = undefined),
    );
    return diagnosis;
  }

  /** The diagnosis of one fleet target of the current generation. */
  forTarget(target: FleetTarget): Promise<Diagnosis> | undefined {
    const generation = this.runtime.generation;
    if (!generation) return undefined;
    if (this.targetsOf !== generation) {
      this.targets = new Map();
      this.targetsOf = generation;
    }
    const targets = this.targets;
    const cached = targets.get(target.index);
    if (cached && Date.now() - cached.at < this.freshMs) return cached.diagnosis;
    const diagnosis = diagnoseTarget(
      generation.collectorsFor('probe'),
      generation.config,
      target,
      this.logger,
      this.budgetMs,
      this.healthLog,
    );
    targets.set(target.index, { at: Date.now(), diagnosis });
    this.keepFresh(
      diagnosis,
      () => targets.get(target.index),
      () => targets.delete(target.index),
    );
    return diagnosis;
  }

  /** Every fleet target's diagnosis, a few at a time. */
  async fleet(): Promise<{ target: FleetTarget; diagnosis: Diagnosis }[] | undefined> {
    const generation = this.runtime.generation;
    if (!generation) return undefined;
    const targets = fleetOf(generation.config).targets;
    const results: { target: FleetTarget; diagnosis: Diagnosis }[] = new Array(targets.length);
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const target = targets[next++]!;
        results[target.index] = { target, diagnosis: (await this.forTarget(target))! };
      }
    };
    await Promise.all(Array.from({ length: Math.min(FLEET_CONCURRENCY, targets.length) }, worker));
    return results;
  }

  private keepFresh(diagnosis: Promise<Diagnosis>, entry: () => Cached | undefined, drop: () => void): void {
    // The clock for freshness starts when the answer is there, not when it was asked for.
    void diagnosis.then(
      () => {
        const cached = entry();
        if (cached?.diagnosis === diagnosis) cached.at = Date.now();
      },
      () => {
        if (entry()?.diagnosis === diagnosis) drop();
      },
    );
  }
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/**
 * `GET /` (the status page) and `GET /status.json` (the same diagnosis for scripts). With probe.targets configured,
 * `/` is the fleet index (one line per DocumentServer, each linking to `/?target=`), and `/?local=1` the diagnosis
 * of `documentserver`.
 */
export function registerStatusRoutes(
  app: FastifyInstance,
  runtime: Runtime,
  logger: Logger,
  view = new StatusView(runtime, logger),
): void {
  type Query = { lang?: string; refresh?: string; target?: string; local?: string };
  const html = (reply: import('fastify').FastifyReply, code: number, body: string) =>
    reply
      .code(code)
      .header('content-security-policy', CSP)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(body);

  app.get<{ Querystring: Query }>('/', async (request, reply) => {
    const lang = langFrom(request.query.lang ?? request.headers['accept-language']);
    const refresh = refreshSeconds(request.query.refresh);
    const generation = runtime.generation;
    // Times as the robots show them: notify.timezone, with its offset.
    const shown = { timeZone: generation?.config.notify.timezone };
    const { target } = request.query;
    if (generation && typeof target === 'string' && target !== '') {
      const found = fleetOf(generation.config).find(target);
      if (!found) return html(reply, 404, landingPage(undefined, lang, refresh, { target, unknownTarget: true }));
      return html(
        reply,
        200,
        landingPage(renderJson(await view.forTarget(found)!, lang, shown), lang, refresh, { target: found.key }),
      );
    }
    if (generation && fleetOf(generation.config).targets.length > 0 && request.query.local === undefined) {
      const fleet = (await view.fleet())!;
      const rows: FleetRow[] = fleet.map(({ target: t, diagnosis: d }) => ({
        key: t.key,
        url: d.target,
        labels: t.labels,
        verdict: d.verdict,
        causes: renderJson(d, lang, shown).causes.map((c) => c.title),
      }));
      return html(reply, 200, fleetPage(rows, lang, refresh));
    }
    const diagnosis = await view.current();
    return html(
      reply,
      200,
      landingPage(
        diagnosis && renderJson(diagnosis, lang, shown),
        lang,
        refresh,
        request.query.local === undefined ? {} : { local: true },
      ),
    );
  });

  app.get<{ Querystring: Query }>('/status.json', async (request, reply) => {
    const lang = langFrom(request.query.lang ?? request.headers['accept-language']);
    const generation = runtime.generation;
    if (!generation) return reply.code(503).type('application/json').send({ error: 'not ready' });
    const { target } = request.query;
    let diagnosis: Diagnosis | undefined;
    if (typeof target === 'string' && target !== '') {
      const found = fleetOf(generation.config).find(target);
      if (!found) return reply.code(404).type('application/json').send({ error: 'target is not in probe.targets' });
      diagnosis = await view.forTarget(found);
    } else {
      diagnosis = await view.current();
    }
    if (!diagnosis) return reply.code(503).type('application/json').send({ error: 'not ready' });
    return reply
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(renderJson(diagnosis, lang, { timeZone: generation.config.notify.timezone }));
  });
}
