import { parseConfig } from '../../src/config/load.js';
import { parseQueueMetrics } from '../../src/rabbitmq/prometheus.js';
import { vhostOfAmqpUrl } from '../../src/lib/amqp-url.js';
import { configProblems as problemsOf } from '../support/scrape.js';

describe('rabbitmq configuration', () => {
  test('defaults: nothing configured, queues and source auto', () => {
    expect(parseConfig('', 't', {}).rabbitmq).toEqual({
      enabled: 'auto',
      queues: 'auto',
      source: 'auto',
      timeout: 5000,
      insecure_skip_verify: false,
    });
  });

  test('the shape from the issue, with the password from the environment', () => {
    const config = parseConfig(
      `
rabbitmq:
  url: amqp://guest:\${RABBIT_PASS}@127.0.0.1:5672/
  management_url: http://127.0.0.1:15672
  prometheus_url: http://127.0.0.1:15692
  queues: auto
`,
      't',
      { RABBIT_PASS: 'guest' },
    );
    expect(config.rabbitmq).toEqual({
      enabled: 'auto',
      url: 'amqp://guest:guest@127.0.0.1:5672/',
      management_url: 'http://127.0.0.1:15672',
      prometheus_url: 'http://127.0.0.1:15692',
      queues: 'auto',
      source: 'auto',
      timeout: 5000,
      insecure_skip_verify: false,
    });
    expect(
      parseConfig(
        'rabbitmq: { prometheus_url: "http://r:15692", queues: [ds.converttask6, custom.q], timeout: 2s }',
        't',
        {},
      ).rabbitmq,
    ).toMatchObject({ queues: ['ds.converttask6', 'custom.q'], timeout: 2000 });
  });

  test.each([
    [
      'rabbitmq: { url: "http://user:hunter2@h:5672" }',
      'rabbitmq.url: must be an amqp:// or amqps:// URL, not http://',
    ],
    ['rabbitmq: { url: "not a url" }', 'rabbitmq.url: is not a valid amqp:// URL'],
    [
      'rabbitmq: { management_url: "amqp://h:15672" }',
      'rabbitmq.management_url: must be an http:// or https:// URL, not amqp://',
    ],
    ['rabbitmq: { url: "amqp://h", source: management }', 'rabbitmq.source: management needs rabbitmq.management_url'],
    ['rabbitmq: { url: "amqp://h", source: prometheus }', 'rabbitmq.source: prometheus needs rabbitmq.prometheus_url'],
    ['rabbitmq: { management_url: "http://h:15672", source: amqp }', 'rabbitmq.source: amqp needs rabbitmq.url'],
    [
      'rabbitmq: { url: "amqp://h", source: http }',
      "rabbitmq.source: Invalid enum value. Expected 'auto' | 'management' | 'prometheus' | 'amqp', received 'http'",
    ],
    ['rabbitmq: { management_url: "http://h:15672", password: x }', 'rabbitmq.password: needs rabbitmq.username'],
    [
      'rabbitmq: { url: "amqp://h:5672/ds75", vhost: other }',
      'rabbitmq.vhost: "other" differs from the vhost in rabbitmq.url ("ds75")',
    ],
    ['rabbitmq: { url: "amqp://h", queues: [] }', 'rabbitmq.queues: list at least one queue, or say auto'],
    ['rabbitmq: { url: "amqp://h", queues: some }', 'rabbitmq.queues: must be auto or a list of queue names'],
    [
      'rabbitmq: { url: "amqp://h", timeout: fast }',
      'rabbitmq.timeout: "fast" is not a positive duration such as 10s, 1m30s or 500ms',
    ],
    ['rabbitmq: { uri: "amqp://h" }', 'rabbitmq.uri: unknown key'],
  ])('%s', (yaml, problem) => {
    const problems = problemsOf(yaml);
    expect(problems).toEqual([problem]);
    expect(problems.join('')).not.toContain('hunter2');
  });

  test('the vhost follows amqplib: empty path is "/", the path is decoded', () => {
    expect(vhostOfAmqpUrl('amqp://guest:guest@localhost:5672')).toBe('/');
    expect(vhostOfAmqpUrl('amqp://guest:guest@localhost:5672/')).toBe('/');
    expect(vhostOfAmqpUrl('amqp://localhost/%2F')).toBe('/');
    expect(vhostOfAmqpUrl('amqp://localhost/ds75')).toBe('ds75');
    expect(vhostOfAmqpUrl('nonsense')).toBeUndefined();
  });
});

describe('rabbitmq_prometheus text', () => {
  // The /metrics/per-object form (plugins before 3.10 have no /metrics/detailed), with a vhost and queue name that need escaping.
  const text = [
    '# TYPE rabbitmq_queue_messages_ready gauge',
    'rabbitmq_queue_messages_ready{vhost="/",queue="ds.converttask"} 3',
    'rabbitmq_queue_messages_ready{vhost="ds75",queue="ds.converttask"} 9',
    'rabbitmq_queue_messages_ready{vhost="/",queue="other"} 1',
    'rabbitmq_queue_messages_ready_ram{vhost="/",queue="ds.converttask"} 3',
    'rabbitmq_queue_messages_unacked{vhost="/",queue="ds.converttask"} 1',
    'rabbitmq_queue_messages{vhost="/",queue="ds.converttask"} 4',
    'rabbitmq_queue_consumers{vhost="/",queue="ds.converttask"} 0',
    'rabbitmq_queue_consumer_capacity{vhost="/",queue="ds.converttask"} 0',
    'rabbitmq_detailed_queue_consumers{vhost="/",queue="we\\"ird"} 2',
    'rabbitmq_queue_messages_ready 13',
  ].join('\n');

  test('takes the four families of the asked queues on the asked vhost only', () => {
    expect(Object.fromEntries(parseQueueMetrics(text, '/', ['ds.converttask', 'ds.delayed', 'we"ird']))).toEqual({
      'ds.converttask': { ready: 3, unacked: 1, messages: 4, consumers: 0 },
      'we"ird': { consumers: 2 },
    });
    expect(Object.fromEntries(parseQueueMetrics(text, 'ds75', ['ds.converttask']))).toEqual({
      'ds.converttask': { ready: 9 },
    });
  });
});
