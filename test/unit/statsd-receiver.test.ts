import { createSocket, type Socket } from 'node:dgram';
import statsd, { StatsdCollector } from '../../src/collectors/statsd.js';
import { documentedMetrics, exportedFamilies } from '../support/docs.js';
import { find, value, type Sample } from '../support/exposition.js';
import { configFrom, scrapeCollector, silentLogger } from '../support/scrape.js';
import { waitFor } from '../support/service-process.js';

// Every line live DS 7.1.1.76 (prefix ds.) and 7.5.1.35 (prefix ds75.) servers sent in one captured session, received
// on UDP, in order, receipt timestamps removed.
const DS_LINES = `
ds.coauth.convertservice:9|ms
ds.coauth.convertservice:3|ms
ds.coauth.convertservice:3|ms
ds.coauth.convertservice:3|ms
ds.coauth.convertservice:9|ms
ds.conv.downloadFile:30|ms
ds.conv.spawnSync:7|ms
ds.conv.postProcess:1|ms
ds.conv.deleteFolderRecursive:1|ms
ds.conv.allconvert:39|ms
ds.conv.downloadFile:7|ms
ds.conv.spawnSync:3|ms
ds.conv.postProcess:0|ms
ds.conv.deleteFolderRecursive:1|ms
ds.conv.allconvert:11|ms
ds.conv.downloadFile:4|ms
ds.conv.spawnSync:3|ms
ds.conv.postProcess:1|ms
ds.conv.deleteFolderRecursive:0|ms
ds.conv.allconvert:9|ms
ds.conv.downloadFile:3|ms
ds.conv.spawnSync:3|ms
ds.conv.postProcess:0|ms
ds.conv.deleteFolderRecursive:1|ms
ds.conv.allconvert:7|ms
ds.conv.downloadFile:4|ms
ds.conv.spawnSync:3|ms
ds.conv.postProcess:0|ms
ds.conv.deleteFolderRecursive:1|ms
ds.conv.allconvert:8|ms
ds.coauth.convertservice:3|ms
ds.coauth.convertservice:9|ms
ds.conv.downloadFile:5|ms
ds.conv.spawnSync:5|ms
ds.conv.postProcess:0|ms
ds.conv.deleteFolderRecursive:3|ms
ds.conv.allconvert:14|ms
ds.coauth.convertservice:3|ms
ds.coauth.convertservice:2|ms
ds.conv.downloadFile:5|ms
ds.conv.spawnSync:2|ms
ds.conv.postProcess:0|ms
ds.conv.deleteFolderRecursive:1|ms
ds.conv.allconvert:9|ms
ds.coauth.convertservice:1007|ms
ds.coauth.convertservice:6|ms
ds.conv.downloadFile:3019|ms
ds.conv.postProcess:1|ms
ds.conv.deleteFolderRecursive:1|ms
ds.conv.allconvert:3021|ms
ds.coauth.convertservice:4|ms
ds.expireDoc.connections.edit:0|g
ds.expireDoc.connections.view:0|g
ds.coauth.convertservice:9|ms
ds.coauth.convertservice:3|ms
ds.expireDoc.connections.edit:0|g
ds.expireDoc.connections.view:0|g
ds75.coauth.convertservice:6|ms
ds75.coauth.convertservice:3|ms
ds.expireDoc.connections.edit:0|g
ds.expireDoc.connections.view:0|g
ds.expireDoc.connections.edit:0|g
ds.expireDoc.connections.view:0|g
ds.expireDoc.connections.edit:0|g
ds.expireDoc.connections.view:0|g
ds.expireDoc.connections.edit:0|g
ds.expireDoc.connections.view:0|g
ds.expireDoc.connections.edit:0|g
ds.expireDoc.connections.view:0|g
ds.expireDoc.connections.edit:0|g
ds.expireDoc.connections.view:0|g
ds.coauth.convertservice:42|ms
ds.expireDoc.connections.edit:0|g
ds.expireDoc.connections.view:0|g
ds.coauth.convertservice:7|ms
ds.conv.downloadFile:39|ms
ds.conv.spawnSync:6|ms
ds.conv.postProcess:1|ms
ds.conv.deleteFolderRecursive:1|ms
ds.conv.allconvert:48|ms
ds.coauth.convertservice:3|ms
`
  .trim()
  .split('\n');

interface Receiver {
  collector: StatsdCollector;
  port: number;
  send(...packets: string[]): Promise<void>;
  scrape(): Promise<{ text: string; samples: Sample[] }>;
  close(): Promise<void>;
}

async function startReceiver(yaml = 'statsd: { listen: "udp://127.0.0.1:0" }'): Promise<Receiver> {
  const config = configFrom(yaml);
  const collector = statsd.create(config, silentLogger) as StatsdCollector;
  const { port, family } = await collector.ready;
  const client: Socket = createSocket(family === 'IPv6' ? 'udp6' : 'udp4');
  const host = family === 'IPv6' ? '::1' : '127.0.0.1';
  let sent = 0;
  return {
    collector,
    port,
    async send(...packets) {
      for (const packet of packets) {
        await new Promise<void>((resolve, reject) =>
          client.send(packet, port, host, (error) => (error ? reject(error) : resolve())),
        );
        sent++;
      }
      await waitFor(`${sent} datagrams`, 5_000, () => (collector.store.packets >= sent ? true : undefined));
    },
    async scrape() {
      const { text, samples } = await scrapeCollector({ name: 'statsd', collector }, config, { budgetMs: 2_000 });
      return { text, samples };
    },
    async close() {
      client.close();
      await collector.close();
    },
  };
}

function bucket(samples: Sample[], name: string, labels: Record<string, string>, le: string): number {
  return value(samples, `${name}_bucket`, { ...labels, le });
}

describe('StatsD receiver over real UDP', () => {
  test('is off unless statsd.listen is set', () => {
    expect(statsd.create(configFrom(''), silentLogger)).toBeUndefined();
  });

  test('the exact lines DS 7.1.1 and 7.5.1 sent become histograms in seconds and connection gauges', async () => {
    const receiver = await startReceiver();
    try {
      const lines = DS_LINES;
      expect(lines).toHaveLength(81);
      // One line per datagram, as node-statsd sends them.
      await receiver.send(...lines);
      const { samples } = await receiver.scrape();
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'statsd' })).toBe(1);
      expect(value(samples, 'onlyoffice_statsd_packets_received_total')).toBe(81);
      expect(value(samples, 'onlyoffice_statsd_lines_received_total')).toBe(81);
      expect(value(samples, 'onlyoffice_statsd_lines_invalid_total')).toBe(0);
      expect(value(samples, 'onlyoffice_statsd_samples_dropped_total')).toBe(0);

      const step = 'onlyoffice_conversion_step_duration_seconds';
      // allconvert: 39, 11, 9, 7, 8, 14, 9, 3021, 48 ms
      expect(value(samples, `${step}_count`, { step: 'allconvert' })).toBe(9);
      expect(value(samples, `${step}_sum`, { step: 'allconvert' })).toBeCloseTo(3.166, 9);
      expect(bucket(samples, step, { step: 'allconvert' }, '0.01')).toBe(4);
      expect(bucket(samples, step, { step: 'allconvert' }, '0.025')).toBe(6);
      expect(bucket(samples, step, { step: 'allconvert' }, '0.05')).toBe(8);
      expect(bucket(samples, step, { step: 'allconvert' }, '2.5')).toBe(8);
      expect(bucket(samples, step, { step: 'allconvert' }, '5')).toBe(9);
      expect(bucket(samples, step, { step: 'allconvert' }, '+Inf')).toBe(9);
      // The download that failed after 3 attempts (3019 ms) has no spawnSync.
      expect(value(samples, `${step}_count`, { step: 'downloadFile' })).toBe(9);
      expect(value(samples, `${step}_count`, { step: 'spawnSync' })).toBe(8);
      expect(value(samples, `${step}_sum`, { step: 'spawnSync' })).toBeCloseTo(0.032, 9);
      expect(value(samples, `${step}_count`, { step: 'postProcess' })).toBe(9);
      expect(value(samples, `${step}_count`, { step: 'deleteFolderRecursive' })).toBe(9);

      const op = 'onlyoffice_docservice_operation_duration_seconds';
      // 17 from ds., 2 from ds75. (the second DocService of the capture): any prefix maps.
      expect(value(samples, `${op}_count`, { operation: 'convertservice' })).toBe(19);
      expect(value(samples, `${op}_sum`, { operation: 'convertservice' })).toBeCloseTo(1.134, 9);
      expect(bucket(samples, op, { operation: 'convertservice' }, '0.001')).toBe(0);
      expect(bucket(samples, op, { operation: 'convertservice' }, '0.0025')).toBe(1);
      expect(bucket(samples, op, { operation: 'convertservice' }, '0.005')).toBe(10);
      expect(bucket(samples, op, { operation: 'convertservice' }, '0.01')).toBe(17);
      expect(bucket(samples, op, { operation: 'convertservice' }, '0.05')).toBe(18);
      expect(bucket(samples, op, { operation: 'convertservice' }, '1')).toBe(18);
      expect(bucket(samples, op, { operation: 'convertservice' }, '2.5')).toBe(19);

      expect(value(samples, 'onlyoffice_statsd_connections', { mode: 'edit' })).toBe(0);
      expect(value(samples, 'onlyoffice_statsd_connections', { mode: 'view' })).toBe(0);
      expect(find(samples, 'onlyoffice_statsd_connections')).toHaveLength(2);
      expect(find(samples, 'onlyoffice_statsd_gauge')).toEqual([]);
      expect(find(samples, 'onlyoffice_statsd_timing_seconds_count')).toEqual([]);
      expect(value(samples, 'onlyoffice_statsd_series')).toBe(8);
      expect(value(samples, 'onlyoffice_statsd_last_sample_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
    } finally {
      await receiver.close();
    }
  });

  test('multi-line packets, the Docker ".ds" prefix, sample rates, gauge deltas, sets and garbage', async () => {
    const receiver = await startReceiver();
    try {
      await receiver.send(
        '.dsexpireDoc.connections.edit:6|g\n.dsexpireDoc.connections.view:2|g\n.dsconv.allconvert:2600|ms\n',
        'ds.expireDoc.connections.liveview:1|g\r\nds.coauth.session.edit:1843211|ms\r\nds.coauth.data.auth:14|ms|@0.5',
        'ds.expireDoc.connections.edit:+3|g\nds.expireDoc.connections.view:-2|g',
        'garbage\n\u0000\u00ff\nds.conv.allconvert:oops|ms\nds.conv.allconvert:5|ms|@2\nvalid.after.garbage:4|c|@0.1',
        'uniq:a|s\nuniq:b|s\nuniq:a|s',
        'custom.thing:1.5|h\nds.new.metric:250|ms\nds.new.gauge:-1|g',
      );
      const { samples } = await receiver.scrape();
      expect(value(samples, 'onlyoffice_statsd_packets_received_total')).toBe(6);
      expect(value(samples, 'onlyoffice_statsd_lines_received_total')).toBe(19);
      expect(value(samples, 'onlyoffice_statsd_lines_invalid_total')).toBe(4);
      expect(value(samples, 'onlyoffice_statsd_connections', { mode: 'edit' })).toBe(9);
      expect(value(samples, 'onlyoffice_statsd_connections', { mode: 'view' })).toBe(0);
      expect(value(samples, 'onlyoffice_statsd_connections', { mode: 'liveview' })).toBe(1);
      expect(value(samples, 'onlyoffice_conversion_step_duration_seconds_sum', { step: 'allconvert' })).toBe(2.6);
      expect(value(samples, 'onlyoffice_conversion_step_duration_seconds_count', { step: 'allconvert' })).toBe(1);
      expect(value(samples, 'onlyoffice_docservice_session_duration_seconds_sum', { mode: 'edit' })).toBe(1843.211);
      expect(
        value(samples, 'onlyoffice_docservice_session_duration_seconds_bucket', { mode: 'edit', le: '1800' }),
      ).toBe(0);
      expect(
        value(samples, 'onlyoffice_docservice_session_duration_seconds_bucket', { mode: 'edit', le: '3600' }),
      ).toBe(1);
      // @0.5: the one sample stands for two.
      expect(value(samples, 'onlyoffice_docservice_operation_duration_seconds_count', { operation: 'data.auth' })).toBe(
        2,
      );
      expect(value(samples, 'onlyoffice_docservice_operation_duration_seconds_sum', { operation: 'data.auth' })).toBe(
        0.028,
      );
      expect(value(samples, 'onlyoffice_statsd_counter_total', { name: 'valid_after_garbage' })).toBe(40);
      expect(value(samples, 'onlyoffice_statsd_set_members', { name: 'uniq' })).toBe(2);
      expect(value(samples, 'onlyoffice_statsd_histogram_sum', { name: 'custom_thing' })).toBe(1.5);
      expect(value(samples, 'onlyoffice_statsd_histogram_bucket', { name: 'custom_thing', le: '1' })).toBe(0);
      expect(value(samples, 'onlyoffice_statsd_histogram_bucket', { name: 'custom_thing', le: '2.5' })).toBe(1);
      expect(value(samples, 'onlyoffice_statsd_timing_seconds_sum', { name: 'ds_new_metric' })).toBe(0.25);
      // A first gauge sample with a sign is a delta from 0.
      expect(value(samples, 'onlyoffice_statsd_gauge', { name: 'ds_new_gauge' })).toBe(-1);
    } finally {
      await receiver.close();
    }
  });

  test('counters and histograms are cumulative across scrapes', async () => {
    const receiver = await startReceiver();
    try {
      await receiver.send('ds.conv.allconvert:100|ms\nhits:1|c');
      const first = await receiver.scrape();
      expect(value(first.samples, 'onlyoffice_conversion_step_duration_seconds_count', { step: 'allconvert' })).toBe(1);
      expect(value(first.samples, 'onlyoffice_statsd_counter_total', { name: 'hits' })).toBe(1);
      await receiver.send('ds.conv.allconvert:300|ms\nhits:2|c');
      const second = await receiver.scrape();
      expect(value(second.samples, 'onlyoffice_conversion_step_duration_seconds_count', { step: 'allconvert' })).toBe(
        2,
      );
      expect(value(second.samples, 'onlyoffice_conversion_step_duration_seconds_sum', { step: 'allconvert' })).toBe(
        0.4,
      );
      expect(value(second.samples, 'onlyoffice_statsd_counter_total', { name: 'hits' })).toBe(3);
      expect(value(second.samples, 'onlyoffice_statsd_packets_received_total')).toBe(2);
      // Nothing new: the same numbers again, not zero.
      const third = await receiver.scrape();
      expect(value(third.samples, 'onlyoffice_statsd_counter_total', { name: 'hits' })).toBe(3);
    } finally {
      await receiver.close();
    }
  });

  test('a flood of distinct names stays within statsd.max_series and counts what was dropped', async () => {
    const receiver = await startReceiver('statsd: { listen: "udp://127.0.0.1:0", max_series: 50 }');
    try {
      await receiver.send('ds.conv.allconvert:10|ms');
      const packets: string[] = [];
      for (let p = 0; p < 20; p++) {
        packets.push(Array.from({ length: 100 }, (_, i) => `flood.name${p * 100 + i}:1|c`).join('\n'));
      }
      await receiver.send(...packets);
      // Series that exist keep receiving after the cap is reached.
      await receiver.send('ds.conv.allconvert:20|ms\nflood.name0:5|c');
      const { samples } = await receiver.scrape();
      expect(value(samples, 'onlyoffice_statsd_series')).toBe(50);
      expect(find(samples, 'onlyoffice_statsd_counter_total')).toHaveLength(49);
      expect(value(samples, 'onlyoffice_statsd_samples_dropped_total')).toBe(2000 - 49);
      expect(value(samples, 'onlyoffice_statsd_counter_total', { name: 'flood_name0' })).toBe(6);
      expect(value(samples, 'onlyoffice_conversion_step_duration_seconds_count', { step: 'allconvert' })).toBe(2);
      expect(value(samples, 'onlyoffice_statsd_lines_invalid_total')).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  test('listens on IPv6 loopback too', async () => {
    const receiver = await startReceiver('statsd: { listen: "udp://[::1]:0" }');
    try {
      await receiver.send('ds.expireDoc.connections.edit:4|g');
      const { samples } = await receiver.scrape();
      expect(value(samples, 'onlyoffice_statsd_connections', { mode: 'edit' })).toBe(4);
    } finally {
      await receiver.close();
    }
  });

  test('a port already in use fails the collector in the scrape, not the process', async () => {
    const first = await startReceiver();
    try {
      const clash = statsd.create(
        configFrom(`statsd: { listen: "udp://127.0.0.1:${first.port}" }`),
        silentLogger,
      ) as StatsdCollector;
      await expect(clash.ready).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const config = configFrom('');
      const { samples } = await scrapeCollector({ name: 'statsd', collector: clash }, config, { budgetMs: 1_000 });
      expect(value(samples, 'onlyoffice_scrape_collector_success', { collector: 'statsd' })).toBe(0);
      await clash.close();
    } finally {
      await first.close();
    }
  });

  test('close() releases the port so a reload can bind it again', async () => {
    const first = await startReceiver();
    const port = first.port;
    await first.close();
    const again = await startReceiver(`statsd: { listen: "udp://127.0.0.1:${port}" }`);
    expect(again.port).toBe(port);
    await again.close();
  });

  test('docs/metrics.md "## statsd" lists exactly the exported families, types and labels', async () => {
    const receiver = await startReceiver();
    try {
      await receiver.send(
        'ds.conv.allconvert:1|ms\nds.coauth.convertservice:1|ms\nds.coauth.session.view:1|ms\nds.expireDoc.connections.edit:1|g',
        'x.timing:1|ms\nx.hist:1|h\nx.gauge:1|g\nx.count:1|c\nx.set:1|s',
      );
      const { text, samples } = await receiver.scrape();
      const exported = exportedFamilies(
        samples.filter((s) => !s.name.startsWith('onlyoffice_scrape_')),
        text,
      );
      const documented = documentedMetrics().filter((m) => m.section === 'statsd');
      expect(Object.fromEntries(documented.map((m) => [m.name, [...m.labels].sort()]))).toEqual(
        Object.fromEntries([...exported].map(([name, labels]) => [name, [...labels].sort()])),
      );
      const types = Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
      for (const metric of documented) expect([metric.name, types[metric.name]]).toEqual([metric.name, metric.type]);
    } finally {
      await receiver.close();
    }
  });
});
