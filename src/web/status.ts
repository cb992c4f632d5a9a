import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { diagnoseWith } from '../doctor/run.js';
import { langFrom } from '../doctor/i18n.js';
import type { Diagnosis } from '../doctor/model.js';
import { renderJson } from '../doctor/render.js';
import type { Generation, Runtime } from '../runtime.js';
import { CollectorHealthLog } from '../scrape/health-log.js';
import { landingPage, refreshSeconds } from './landing.js';

/** A page view reuses a diagnosis this young, so a few open tabs do not multiply the checks. */
const FRESH_MS = 5_000;
const BUDGET_MS = 10_000;

/**
 * The doctor's diagnosis made from the daemon's own collectors (the current generation), one in flight at
 * a time and reused for a few seconds.
 */
export class StatusView {
  private cached: { generation: Generation; at: number; diagnosis: Promise<Diagnosis> } | undefined;
  private readonly healthLog: CollectorHealthLog;

  constructor(private readonly runtime: Runtime, private readonly logger: Logger, private readonly freshMs = FRESH_MS, private readonly budgetMs = BUDGET_MS) {
    this.healthLog = new CollectorHealthLog(logger.child({ component: 'status' }));
  }

  async current(): Promise<Diagnosis | undefined> {
    const generation = this.runtime.generation;
    if (!generation) return undefined;
    const cached = this.cached;
    if (cached && cached.generation === generation && Date.now() - cached.at < this.freshMs) return cached.diagnosis;
    const diagnosis = diagnoseWith(generation.collectorsFor('metrics'), generation.config, this.logger, this.budgetMs, this.healthLog);
    this.cached = { generation, at: Date.now(), diagnosis };
    // The clock for freshness starts when the answer is there, not when it was asked for.
    void diagnosis.then(() => {
      if (this.cached?.diagnosis === diagnosis) this.cached.at = Date.now();
    }, () => {
      if (this.cached?.diagnosis === diagnosis) this.cached = undefined;
    });
    return diagnosis;
  }
}

/** `GET /` (the status page) and `GET /status.json` (the same diagnosis for scripts). */
export function registerStatusRoutes(app: FastifyInstance, runtime: Runtime, logger: Logger): void {
  const view = new StatusView(runtime, logger);
  app.get<{ Querystring: { lang?: string; refresh?: string } }>('/', async (request, reply) => {
    const lang = langFrom(request.query.lang ?? request.headers['accept-language']);
    const diagnosis = await view.current();
    return reply
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(landingPage(diagnosis && renderJson(diagnosis, lang), lang, refreshSeconds(request.query.refresh)));
  });
  app.get<{ Querystring: { lang?: string } }>('/status.json', async (request, reply) => {
    const lang = langFrom(request.query.lang ?? request.headers['accept-language']);
    const diagnosis = await view.current();
    if (!diagnosis) return reply.code(503).type('application/json').send({ error: 'not ready' });
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(renderJson(diagnosis, lang));
  });
}
