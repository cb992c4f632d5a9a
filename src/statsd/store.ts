import type { Registry } from 'prom-client';
import { counterFamily, emit, emitValue, gaugeFamily, selfFamily, type FamilyDefinition } from '../metrics/family.js';
import { emptyHistogram, histogramValues, observe, type HistogramState, type Labels } from '../metrics/histogram.js';
import { mapName, type FamilyKey } from './mapping.js';
import { parseLine, sampleWeight, splitPacket, type StatsdSample } from './parse.js';

interface FamilySpec extends FamilyDefinition<string> {
  buckets?: readonly number[];
  /** Multiplier into base units: StatsD timings are milliseconds. */
  scale?: number;
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// Bucket bounds follow what each kind of DS timing really spans: x2t is killed after 300 s
// (queue.visibilityTimeout), websocket handlers take milliseconds, editing sessions last hours.
export const FAMILIES: Record<FamilyKey, FamilySpec> = {
  conversion_step: {
    name: 'onlyoffice_conversion_step_duration_seconds',
    help: 'FileConverter step durations from DS StatsD conv.* timings (allconvert = the whole task).',
    type: 'histogram',
    labelNames: ['step'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    scale: 0.001,
  },
  docservice_operation: {
    name: 'onlyoffice_docservice_operation_duration_seconds',
    help: 'Docservice operation durations from DS StatsD coauth.* timings (e.g. convertservice, openDocument.open, data.auth).',
    type: 'histogram',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    scale: 0.001,
  },
  docservice_session: {
    name: 'onlyoffice_docservice_session_duration_seconds',
    help: 'Editor session lengths at close from DS StatsD coauth.session.* timings (DS 8.2+).',
    type: 'histogram',
    labelNames: ['mode'],
    buckets: [10, 30, 60, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400],
    scale: 0.001,
  },
  connections: {
    name: 'onlyoffice_statsd_connections',
    help: 'Live connections by mode, the last value of DS StatsD expireDoc.connections.* gauges.',
    type: 'gauge',
    labelNames: ['mode'],
  },
  generic_timing: {
    name: 'onlyoffice_statsd_timing_seconds',
    help: 'StatsD timings (|ms) with names not known as DS names, by sanitised name.',
    type: 'histogram',
    labelNames: ['name'],
    buckets: DEFAULT_BUCKETS,
    scale: 0.001,
  },
  generic_histogram: {
    name: 'onlyoffice_statsd_histogram',
    help: 'StatsD histograms and distributions (|h, |d; unitless, as sent) by sanitised name.',
    type: 'histogram',
    labelNames: ['name'],
    buckets: DEFAULT_BUCKETS,
  },
  generic_gauge: {
    name: 'onlyoffice_statsd_gauge',
    help: 'StatsD gauges not known as DS names, by sanitised name.',
    type: 'gauge',
    labelNames: ['name'],
  },
  generic_counter: {
    name: 'onlyoffice_statsd_counter_total',
    help: 'StatsD counters (|c, scaled by sample rate) by sanitised name.',
    type: 'counter',
    labelNames: ['name'],
  },
  generic_set: {
    name: 'onlyoffice_statsd_set_members',
    help: 'Distinct members seen in a StatsD set (|s) since start, by sanitised name.',
    type: 'gauge',
    labelNames: ['name'],
  },
};

// Self families: the scrape's series bound never cuts them, they are the ones that tell the cap was hit.
const PACKETS = selfFamily(
  counterFamily('onlyoffice_statsd_packets_received_total', 'UDP datagrams received by the StatsD receiver.'),
);
const LINES = selfFamily(
  counterFamily('onlyoffice_statsd_lines_received_total', 'StatsD lines received, valid or not.'),
);
const LINES_INVALID = selfFamily(
  counterFamily('onlyoffice_statsd_lines_invalid_total', 'StatsD lines that could not be parsed and were ignored.'),
);
const SAMPLES_DROPPED = selfFamily(
  counterFamily(
    'onlyoffice_statsd_samples_dropped_total',
    'Samples ignored because the series cap (statsd.max_series) or the set-member cap was reached.',
  ),
);
const SERIES = selfFamily(gaugeFamily('onlyoffice_statsd_series', 'Distinct StatsD series held in memory.'));
const LAST_SAMPLE = selfFamily(
  gaugeFamily(
    'onlyoffice_statsd_last_sample_timestamp_seconds',
    'When the last valid StatsD line arrived (DS sends connection gauges every 2 minutes).',
  ),
);

interface Series {
  family: FamilyKey;
  labels: Labels;
  histogram?: HistogramState;
  value: number;
  members?: Set<string>;
}

/** Set members are the one thing that grows per sample, so they share one budget. */
const MAX_SET_MEMBERS = 10_000;

/**
 * Everything received since start: cumulative, bounded to `maxSeries` series. Counts packets,
 * lines, invalid lines and dropped samples for the exporter's own metrics.
 */
export class StatsdStore {
  packets = 0;
  lines = 0;
  invalidLines = 0;
  droppedSamples = 0;
  lastSampleAt: number | undefined;
  private readonly series = new Map<string, Series>();
  private setMembers = 0;

  constructor(private readonly maxSeries: number) {}

  get seriesCount(): number {
    return this.series.size;
  }

  receive(packet: string, now = Date.now()): void {
    this.packets++;
    for (const line of splitPacket(packet)) {
      this.lines++;
      const samples = parseLine(line);
      if (!samples) {
        this.invalidLines++;
        continue;
      }
      for (const sample of samples) this.apply(sample);
      this.lastSampleAt = now;
    }
  }

  private apply(sample: StatsdSample): void {
    const mapped = mapName(sample.name, sample.type);
    const key = `${mapped.family}\u0000${Object.values(mapped.labels)[0]}`;
    let series = this.series.get(key);
    if (!series) {
      if (this.series.size >= this.maxSeries) {
        this.droppedSamples++;
        return;
      }
      const spec = FAMILIES[mapped.family];
      series = { family: mapped.family, labels: mapped.labels, value: 0 };
      if (spec.type === 'histogram') series.histogram = emptyHistogram(spec.buckets!);
      if (mapped.family === 'generic_set') series.members = new Set();
      this.series.set(key, series);
    }
    const spec = FAMILIES[series.family];
    const weight = sampleWeight(sample.rate);
    switch (sample.type) {
      case 'ms':
      case 'h':
      case 'd':
        observe(series.histogram!, spec.buckets!, sample.value * (spec.scale ?? 1), weight);
        break;
      case 'g':
        series.value = sample.delta ? series.value + sample.value : sample.value;
        break;
      case 'c':
        series.value += sample.value * weight;
        break;
      case 's':
        if (series.members!.has(sample.member!)) break;
        if (this.setMembers >= MAX_SET_MEMBERS) {
          this.droppedSamples++;
          break;
        }
        series.members!.add(sample.member!);
        this.setMembers++;
        series.value = series.members!.size;
        break;
    }
  }

  /** Writes a copy of the current state into a scrape's registry. */
  write(registry: Registry): void {
    const out = { registry };
    const byFamily = new Map<FamilyKey, Series[]>();
    for (const series of this.series.values()) {
      const list = byFamily.get(series.family) ?? [];
      list.push(series);
      byFamily.set(series.family, list);
    }
    for (const [family, list] of byFamily) {
      const spec = FAMILIES[family];
      const values = list.flatMap((series) =>
        spec.type === 'histogram'
          ? histogramValues(spec.name, series.labels, spec.buckets!, series.histogram!)
          : [{ labels: series.labels, value: series.value }],
      );
      emit(out, spec, values);
    }
    emitValue(out, PACKETS, this.packets);
    emitValue(out, LINES, this.lines);
    emitValue(out, LINES_INVALID, this.invalidLines);
    emitValue(out, SAMPLES_DROPPED, this.droppedSamples);
    emitValue(out, SERIES, this.series.size);
    if (this.lastSampleAt !== undefined) emitValue(out, LAST_SAMPLE, this.lastSampleAt / 1000);
  }
}
