// The "Which hop is broken" rows evaluated by promtool on scenes the alerts already treat as healthy: a row must not
// say DOWN where OnlyofficeDocsRabbitmqUnreachable and the conversion alerts stay quiet.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOPS } from '../../grafana/src/overview.js';
import { requirePrograms } from '../support/integration.js';
import { promtool, substituteGrafanaVariables } from '../support/prometheus.js';

const { describe: withPromtool } = requirePrograms('promtool');

const hop = (name: string) => substituteGrafanaVariables(HOPS.find(([hopName]) => hopName === name)![1]);

/** The hop's value at 1m for these series (each a constant), through `promtool test rules` and a recording rule. */
async function hopValue(name: string, series: Record<string, number>, expected: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-hops-'));
  try {
    writeFileSync(
      join(dir, 'rules.yml'),
      JSON.stringify({ groups: [{ name: 'hops', rules: [{ record: 'hop', expr: hop(name) }] }] }),
    );
    writeFileSync(
      join(dir, 'test.yml'),
      JSON.stringify({
        rule_files: ['rules.yml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: Object.entries(series).map(([s, v]) => ({ series: s, values: `${v}x3` })),
            promql_expr_test: [
              {
                expr: 'hop',
                eval_time: '1m',
                exp_samples: [{ labels: 'hop{instance="e:9967", job="onlyoffice"}', value: expected }],
              },
            ],
          },
        ],
      }),
    );
    const { code, output } = await promtool(['test', 'rules', join(dir, 'test.yml')]);
    expect([code, output]).toEqual([0, expect.stringContaining('SUCCESS')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = 'instance="e:9967", job="onlyoffice"';

withPromtool('"Which hop is broken" rows (promtool)', () => {
  test('RabbitMQ is up while one of its two sources answers, down when the AMQP check fails', async () => {
    const sources = (management: number) => ({
      [`onlyoffice_rabbitmq_up{${at}, source="amqp"}`]: 1,
      [`onlyoffice_rabbitmq_up{${at}, source="management"}`]: management,
    });
    await hopValue(
      'RabbitMQ',
      { [`onlyoffice_dependency_up{${at}, dependency="rabbitmq", address="r:5672"}`]: 1, ...sources(0) },
      1,
    );
    await hopValue(
      'RabbitMQ',
      { [`onlyoffice_dependency_up{${at}, dependency="rabbitmq", address="r:5672"}`]: 0, ...sources(1) },
      0,
    );
  });

  test('the converter is up with consumers on ds.converttask6 beside the queue an 8.3 upgrade left without any', async () => {
    const queues = (six: number) => ({
      [`onlyoffice_rabbitmq_queue_consumers{${at}, vhost="/", queue="ds.converttask"}`]: 0,
      [`onlyoffice_rabbitmq_queue_consumers{${at}, vhost="/", queue="ds.converttask6"}`]: six,
    });
    await hopValue('converter', queues(1), 1);
    await hopValue('converter', queues(0), 0);
  });
});
