import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../src/config/load.js';
import { createNotifier } from '../../src/notify/index.js';
import type { RobotNotifier } from '../../src/notify/notifier.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { parseExposition } from '../support/exposition.js';

describe('docs/metrics.md ## notify', () => {
  test('documents exactly the families, types and labels the notifier exports', async () => {
    const notifier = createNotifier(
      parseConfig(
        `
notify:
  auth: { bearer_token: docs-test-token-0123456789 }
  dingtalk: { ops: { url: "http://127.0.0.1:9/robot/send?access_token=t", secret: s } }
  wecom: { ops: { url: "http://127.0.0.1:9/cgi-bin/webhook/send?key=k" } }
`,
        't',
        {},
      ),
      pino({ level: 'silent' }),
    ) as RobotNotifier;
    try {
      notifier.robot('wecom', 'ops')!.countAnswer(200);
      const registry = new Registry();
      notifier.collect(registry);
      const text = await registry.metrics();
      const exported = exportedFamilies(parseExposition(text), text);
      const documented = documentedMetrics().filter((metric) => metric.section === 'notify');
      expect(Object.fromEntries(documented.map((m) => [m.name, [...m.labels].sort()]))).toEqual(
        Object.fromEntries([...exported].map(([name, labels]) => [name, [...labels].sort()])),
      );
      const types = Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
      for (const metric of documented) expect([metric.name, metric.type]).toEqual([metric.name, types[metric.name]]);
      // Both robots named "ops" stay apart by channel.
      expect(text).toContain('onlyoffice_notify_queue_length{channel="dingtalk",robot="ops"} 0');
      expect(text).toContain('onlyoffice_notify_queue_length{channel="wecom",robot="ops"} 0');
      expect(text).not.toMatch(/access_token|key=k|127\.0\.0\.1/);
    } finally {
      await notifier.close();
    }
  });
});
