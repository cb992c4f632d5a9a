import { Writable } from 'node:stream';
import pino from 'pino';
import conversionProbe, { BUILT_IN_SOURCE, ConversionProbeCollector } from '../../src/collectors/conversion_probe.js';
import type { Config } from '../../src/config/schema.js';
import {
  verifyHs256,
  startDsSimulator,
  DS_VERSIONS,
  type DsSimulator,
  type DsVersion,
  type RecordedRequest,
} from '../support/ds-simulator.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { find, value, type Sample } from '../support/exposition.js';
import { configFrom, scrapeCollector, silentLogger } from '../support/scrape.js';

const SECRET = 'realds-jwt-secret';
const simulators = new Map<string, DsSimulator>();

/** One simulator per version and JWT setting for the whole file, reset to a working converter before each test. */
async function simulator(version: DsVersion = '7.1', jwt = false): Promise<DsSimulator> {
  const id = `${version}/${jwt}`;
  let sim = simulators.get(id);
  if (!sim) {
    sim = await startDsSimulator({ version, jwtSecret: jwt ? SECRET : undefined });
    simulators.set(id, sim);
  }
  sim.setConverter('working');
  sim.setFault('none');
  sim.setResultBase(undefined);
  sim.requests.length = 0;
  return sim;
}

afterAll(async () => {
  await Promise.all([...simulators.values()].map((sim) => sim.stop()));
});

/**
 * One run per collector unless a test asks for more (`interval`): with a short one, a busy machine could start the
 * next run before the test closes the collector, and requests counted for one run would be two runs'.
 */
function probeConfig(
  sim: DsSimulator,
  options: { secret?: string; extra?: string; interval?: string; timeout?: string; poll?: string } = {},
): Config {
  const jwt = options.secret !== undefined ? `\n  jwt: { secret: "${options.secret}" }` : '';
  return configFrom(`
documentserver:
  url: "${sim.url}"${jwt}
conversion_probe:
  enabled: true
  interval: ${options.interval ?? '1h'}
  timeout: ${options.timeout ?? '3s'}
  poll_interval: ${options.poll ?? '200ms'}
${options.extra ?? ''}`);
}

async function scrape(collector: ConversionProbeCollector, config: Config): Promise<Sample[]> {
  return (await scrapeCollector({ name: 'conversion_probe', collector }, config, { budgetMs: 1_000 })).samples;
}

/** Starts the probe, waits for `runs` runs, scrapes, stops it. */
async function probeOnce(config: Config, runs = 1): Promise<{ samples: Sample[]; text: string }> {
  const collector = conversionProbe.create(config, silentLogger) as ConversionProbeCollector;
  try {
    await collector.waitForRuns(runs);
    const { samples, text } = await scrapeCollector({ name: 'conversion_probe', collector }, config, {
      budgetMs: 1_000,
    });
    return { samples, text };
  } finally {
    await collector.close();
  }
}

function outcomeOf(samples: Sample[]): string {
  const set = find(samples, 'onlyoffice_conversion_probe_outcome').filter((s) => s.value === 1);
  expect(set).toHaveLength(1);
  expect(find(samples, 'onlyoffice_conversion_probe_outcome').map((s) => s.labels.outcome)).toEqual([
    'ok',
    'error_code',
    'timeout',
    'request_failed',
    'result_fetch_failed',
    'result_url_refused',
    'source_failed',
  ]);
  return set[0]!.labels.outcome!;
}

const converts = (sim: DsSimulator) =>
  sim.requests.filter((r) => r.method === 'POST' && r.path === '/ConvertService.ashx');
const bodyOf = (request: RecordedRequest) => JSON.parse(request.body) as Record<string, unknown>;

describe('conversion probe against the DS simulator', () => {
  test('is off unless enabled', () => {
    expect(conversionProbe.create(configFrom(''), silentLogger)).toBeUndefined();
    expect(conversionProbe.scopes).toEqual(['metrics']);
  });

  test.each(DS_VERSIONS)(
    'DS %s, no JWT: converts the built-in file, polls, and fetches the result',
    async (version) => {
      const sim = await simulator(version);
      const before = Date.now() / 1000;
      const { samples } = await probeOnce(probeConfig(sim));
      expect(value(samples, 'onlyoffice_conversion_probe_success')).toBe(1);
      expect(value(samples, 'onlyoffice_conversion_probe_error_code')).toBe(0);
      expect(outcomeOf(samples)).toBe('ok');
      expect(value(samples, 'onlyoffice_conversion_probe_duration_seconds')).toBeGreaterThan(0);
      expect(value(samples, 'onlyoffice_conversion_probe_last_run_timestamp_seconds')).toBeGreaterThanOrEqual(before);

      const posts = converts(sim);
      // The simulator finishes a task after about a second: the first answer is "pending", so the probe polled.
      expect(posts.length).toBeGreaterThanOrEqual(2);
      const first = bodyOf(posts[0]!);
      expect(first).toMatchObject({ async: true, filetype: 'txt', outputtype: 'docx', title: 'probe.txt' });
      expect(first.key).toMatch(/^ooe-probe-[0-9a-z]+-[0-9a-f]{12}$/);
      expect(String(first.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/conversion-probe\/[0-9a-f]{32}\.txt$/);
      // Polls repeat the same parameters (DS finds the task by key).
      for (const post of posts) expect(bodyOf(post)).toEqual(first);
      expect(posts[0]!.headers.accept).toBe('application/json');
      // The result link was fetched, which is what proves storage and nginx's /cache/files serve it.
      expect(sim.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/cache/files/'))).toHaveLength(1);
    },
  );

  test("the built-in source is served only at the run's random path, and only during the run", async () => {
    const sim = await simulator();
    const config = probeConfig(sim);
    const collector = conversionProbe.create(config, silentLogger) as ConversionProbeCollector;
    try {
      await collector.waitForRuns(1);
      const url = String(bodyOf(converts(sim)[0]!).url);
      // The simulator's "converted" file is the source it downloaded from us.
      const result = sim.requests.find((r) => r.path.startsWith('/cache/files/'))!;
      const file = await fetch(`${sim.url}${result.path}`);
      expect(await file.text()).toBe(BUILT_IN_SOURCE);
      expect((await fetch(url)).status).toBe(404);
      expect((await fetch(new URL('/conversion-probe/other.txt', url))).status).toBe(404);
    } finally {
      await collector.close();
    }
  });

  test('runs on its own timer with a fresh key each time; a scrape never triggers a conversion', async () => {
    const sim = await simulator();
    const config = probeConfig(sim, { interval: '1500ms', timeout: '1400ms', poll: '100ms' });
    const collector = conversionProbe.create(config, silentLogger) as ConversionProbeCollector;
    try {
      await collector.waitForRuns(2);
      const keys = new Set(converts(sim).map((r) => bodyOf(r).key));
      expect(keys.size).toBeGreaterThanOrEqual(2);
      const count = sim.requests.length;
      const samples = await scrape(collector, config);
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'conversion_probe' })).toBe(1);
      expect(sim.requests.length).toBe(count);
    } finally {
      await collector.close();
    }
    // Closed: no further runs.
    const after = sim.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(sim.requests.length).toBe(after);
  });

  test('logs its first success, a failure when it starts, and the success that ends it: not every run', async () => {
    const sim = await simulator();
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    // Each run is timed by the collector, so the converter is switched between runs, not raced against one.
    const config = probeConfig(sim, { interval: '3s', timeout: '2900ms', poll: '100ms' });
    const collector = conversionProbe.create(config, logger) as ConversionProbeCollector;
    try {
      await collector.waitForRuns(2);
      sim.setConverter('no_x2t');
      await collector.waitForRuns(3);
      sim.setConverter('working');
      await collector.waitForRuns(4);
    } finally {
      await collector.close();
    }
    const probe = lines.filter((l) => String(l.msg).startsWith('conversion probe'));
    expect(probe.map((l) => [l.level, l.msg, l.outcome, l.error_code])).toEqual([
      [30, 'conversion probe succeeded', undefined, undefined],
      [40, 'conversion probe failed', 'error_code', -3],
      [30, 'conversion probe succeeded', undefined, undefined],
    ]);
    expect(typeof probe[0]!.seconds).toBe('number');
    expect(typeof probe[1]!.detail).toBe('string');
  }, 60_000);

  test('before the first run has finished, nothing is exported', async () => {
    const sim = await simulator();
    sim.setConverter('stopped');
    const config = probeConfig(sim);
    const collector = conversionProbe.create(config, silentLogger) as ConversionProbeCollector;
    try {
      const samples = await scrape(collector, config);
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'conversion_probe' })).toBe(1);
      expect(samples.filter((s) => s.name.startsWith('onlyoffice_conversion_probe_'))).toEqual([]);
    } finally {
      await collector.close();
    }
  });

  test.each(['7.1', '9.3'] as const)(
    'DS %s with JWT: the request is a body token of the parameters, signed with documentserver.jwt.secret',
    async (version) => {
      const sim = await simulator(version, true);
      const { samples } = await probeOnce(probeConfig(sim, { secret: SECRET }));
      expect(value(samples, 'onlyoffice_conversion_probe_success')).toBe(1);
      expect(outcomeOf(samples)).toBe('ok');
      const post = bodyOf(converts(sim)[0]!);
      expect(Object.keys(post)).toEqual(['token']);
      const check = verifyHs256(String(post.token), SECRET);
      expect(check.ok).toBe(true);
      expect((check as { payload: Record<string, unknown> }).payload).toMatchObject({
        async: true,
        filetype: 'txt',
        outputtype: 'docx',
      });
    },
  );

  test('JWT required but not configured, or the wrong secret: error code -8', async () => {
    const sim = await simulator('9.3', true);
    for (const secret of [undefined, 'not-the-secret']) {
      const { samples } = await probeOnce(probeConfig(sim, { secret }));
      expect(value(samples, 'onlyoffice_conversion_probe_success')).toBe(0);
      expect(value(samples, 'onlyoffice_conversion_probe_error_code')).toBe(-8);
      expect(outcomeOf(samples)).toBe('error_code');
    }
  });

  test('FileConverter without x2t: error code -3', async () => {
    const sim = await simulator();
    sim.setConverter('no_x2t');
    const { samples } = await probeOnce(probeConfig(sim));
    expect(value(samples, 'onlyoffice_conversion_probe_success')).toBe(0);
    expect(value(samples, 'onlyoffice_conversion_probe_error_code')).toBe(-3);
    expect(outcomeOf(samples)).toBe('error_code');
  });

  test('a source DS cannot download: error code -4', async () => {
    const sim = await simulator();
    const { samples } = await probeOnce(probeConfig(sim, { extra: `  source_url: "${sim.url}/no/such/probe.docx"\n` }));
    expect(value(samples, 'onlyoffice_conversion_probe_error_code')).toBe(-4);
    expect(bodyOf(converts(sim)[0]!)).toMatchObject({
      filetype: 'docx',
      url: `${sim.url}/no/such/probe.docx`,
      title: 'probe.docx',
    });
  });

  test('an output type DS refuses: error code -7', async () => {
    const sim = await simulator();
    const { samples } = await probeOnce(probeConfig(sim, { extra: '  outputtype: xyz\n' }));
    expect(value(samples, 'onlyoffice_conversion_probe_error_code')).toBe(-7);
  });

  test('PostgreSQL down behind DS: error code -1', async () => {
    const sim = await simulator();
    sim.setFault('postgres_down');
    const { samples } = await probeOnce(probeConfig(sim));
    expect(value(samples, 'onlyoffice_conversion_probe_error_code')).toBe(-1);
  });

  test('no converter consuming the queue: the task stays pending and the probe fails at its timeout', async () => {
    const sim = await simulator();
    sim.setConverter('stopped');
    const { samples } = await probeOnce(probeConfig(sim));
    expect(value(samples, 'onlyoffice_conversion_probe_success')).toBe(0);
    // DS itself reports nothing until the 900 s TTL (-2 after that): no DS code yet.
    expect(value(samples, 'onlyoffice_conversion_probe_error_code')).toBe(0);
    expect(outcomeOf(samples)).toBe('timeout');
    expect(value(samples, 'onlyoffice_conversion_probe_duration_seconds')).toBeGreaterThan(2.9);
    expect(converts(sim).length).toBeGreaterThan(3);
  });

  test('ConvertService that never answers: timeout', async () => {
    const sim = await simulator();
    sim.setConverter('hang');
    const { samples } = await probeOnce(probeConfig(sim));
    expect(outcomeOf(samples)).toBe('timeout');
    expect(converts(sim)).toHaveLength(1);
  });

  test('DS not listening: request_failed', async () => {
    const sim = await startDsSimulator({ version: '7.1' });
    const config = probeConfig(sim);
    await sim.stop();
    const { samples } = await probeOnce(config);
    expect(value(samples, 'onlyoffice_conversion_probe_success')).toBe(0);
    expect(outcomeOf(samples)).toBe('request_failed');
  });

  test('a fileUrl on another origin (a spoofed or compromised DS) is not fetched: result_url_refused, logged with its origin', async () => {
    const sim = await simulator();
    // Another loopback port is another origin; it stands for any host the answer could name.
    const foreign = await startDsSimulator({ version: '7.1' });
    simulators.set('foreign', foreign);
    sim.setResultBase(foreign.url);
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const config = probeConfig(sim);
    const collector = conversionProbe.create(config, logger) as ConversionProbeCollector;
    try {
      await collector.waitForRuns(1);
      const samples = await scrape(collector, config);
      expect(value(samples, 'onlyoffice_conversion_probe_success')).toBe(0);
      expect(value(samples, 'onlyoffice_conversion_probe_error_code')).toBe(0);
      expect(outcomeOf(samples)).toBe('result_url_refused');
    } finally {
      await collector.close();
    }
    expect(foreign.requests).toEqual([]);
    expect(sim.requests.filter((r) => r.path.startsWith('/cache/files/'))).toEqual([]);
    expect(lines.filter((l) => l.msg === 'conversion probe failed').map((l) => [l.outcome, l.detail])).toEqual([
      ['result_url_refused', `result file: on ${foreign.url}, not DocumentServer's origin (${sim.url}); not fetched`],
    ]);
  });

  test("a fileUrl on public_url's origin is fetched", async () => {
    const sim = await simulator();
    const other = await startDsSimulator({ version: '7.1' });
    simulators.set('public', other);
    // The result link names public_url's origin (DS behind the proxy users reach): allowed, and it is fetched there.
    sim.setResultBase(other.url);
    const { samples } = await probeOnce(
      configFrom(`
documentserver: { url: "${sim.url}", public_url: "${other.url}" }
conversion_probe: { enabled: true, interval: 1h, timeout: 3s, poll_interval: 200ms }`),
    );
    expect(outcomeOf(samples)).toBe('result_fetch_failed');
    // The link was asked of public_url's host (which, being another simulator, has no such file: 404).
    expect(other.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/cache/files/'))).toHaveLength(1);
  });

  test('the built-in source cannot be served (port taken): source_failed, no request to DS', async () => {
    const sim = await simulator();
    const holder = conversionProbe.create(probeConfig(sim), silentLogger) as ConversionProbeCollector;
    try {
      await holder.waitForRuns(1);
      const port = new URL(String(bodyOf(converts(sim)[0]!).url)).port;
      sim.requests.length = 0;
      const { samples } = await probeOnce(probeConfig(sim, { extra: `  source_listen: "127.0.0.1:${port}"\n` }));
      expect(outcomeOf(samples)).toBe('source_failed');
      expect(converts(sim)).toEqual([]);
    } finally {
      await holder.close();
    }
  });

  test('docs/metrics.md "## conversion_probe" lists exactly what the collector exports', async () => {
    const sim = await simulator();
    const { samples, text } = await probeOnce(probeConfig(sim));
    const exported = exportedFamilies(
      samples.filter((s) => !s.name.startsWith('onlyoffice_scrape_')),
      text,
    );
    const documented = documentedMetrics().filter((m) => m.section === 'conversion_probe');
    expect(Object.fromEntries(documented.map((m) => [m.name, [...m.labels].sort()]))).toEqual(
      Object.fromEntries([...exported].map(([name, labels]) => [name, [...labels].sort()])),
    );
    expect(documented.every((m) => m.type === 'gauge')).toBe(true);
  });
});
