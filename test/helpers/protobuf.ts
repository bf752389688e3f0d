/**
 * Test-only: an independent encoder for the protobuf exposition, built with
 * protobufjs from test/proto/metrics.proto (promwire's own description of
 * io.prometheus.client's field names, numbers and types). Messages are plain objects in protobufjs' camelCase.
 */
import protobuf from 'protobufjs';
import { PbMetricFamily } from '../proto/schema.js';

/** protobufjs' MetricFamily, from promwire's own schema description (test/proto/metrics.proto). */
export const MetricFamilyType = PbMetricFamily;

/** Plain-object MetricFamily, as protobufjs takes it (camelCase; type as the enum number or name). */
export type PbFamily = Record<string, unknown>;

/** Encodes families as the delimited stream (each message after its varint length). */
export function encodeFamilies(families: PbFamily[]): Uint8Array {
  const parts = families.map((f) => {
    const msg = MetricFamilyType.fromObject(f);
    const err = MetricFamilyType.verify(msg);
    if (err !== null) throw new Error(`test message invalid: ${err}`);
    return MetricFamilyType.encodeDelimited(msg).finish();
  });
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Decodes a delimited stream with protobufjs (the independent decoder), as plain objects. */
export function decodeFamilies(bytes: Uint8Array): PbFamily[] {
  const reader = protobuf.Reader.create(bytes);
  const out: PbFamily[] = [];
  while (reader.pos < reader.len) {
    const m = MetricFamilyType.decodeDelimited(reader);
    out.push(MetricFamilyType.toObject(m, { longs: Number, enums: Number, defaults: false }) as PbFamily);
  }
  return out;
}

/**
 * The protobuf form of model families of float samples (what client_golang
 * would expose for them), for tests and ad-hoc benchmarks: counters, gauges
 * and unknowns one Metric per sample; summaries and classic histograms one
 * Metric per label set (less quantile/le) with its `_sum` and `_count`;
 * info and stateset as gauges (protobuf has neither).
 */
export function familiesToPb(families: readonly MetricFamilyLike[]): PbFamily[] {
  const out: PbFamily[] = [];
  const TYPE: Record<string, number> = {
    counter: 0,
    gauge: 1,
    summary: 2,
    unknown: 3,
    histogram: 4,
    gaugehistogram: 5,
    info: 1,
    stateset: 1,
  };
  for (const f of families) {
    const type = TYPE[f.type]!;
    const labelPairs = (l: Record<string, string>, omit?: string) =>
      Object.entries(l)
        .filter(([k]) => k !== omit)
        .map(([name, value]) => ({ name, value }));
    const metric: Record<string, unknown>[] = [];
    if (type === 2 || type === 4 || type === 5) {
      const omit = type === 2 ? 'quantile' : 'le';
      const groups = new Map<string, { labels: Record<string, string>; parts: Record<string, unknown>[]; sum: number; count: number }>();
      for (const s of f.samples) {
        if (typeof s.value !== 'number') continue;
        const key = JSON.stringify(labelPairs(s.labels, omit));
        let g = groups.get(key);
        if (g === undefined) {
          g = { labels: s.labels, parts: [], sum: 0, count: 0 };
          groups.set(key, g);
        }
        if (s.name.endsWith('_sum') || s.name.endsWith('_gsum')) g.sum = s.value;
        else if (s.name.endsWith('_count') || s.name.endsWith('_gcount')) g.count = s.value;
        else if (type === 2) g.parts.push({ quantile: Number(s.labels.quantile), value: s.value });
        else g.parts.push({ upperBound: Number(s.labels.le), cumulativeCount: s.value });
      }
      for (const g of groups.values()) {
        const label = labelPairs(g.labels, omit);
        if (type === 2) metric.push({ label, summary: { sampleCount: g.count, sampleSum: g.sum, quantile: g.parts } });
        else metric.push({ label, histogram: { sampleCount: g.count, sampleSum: g.sum, bucket: g.parts } });
      }
    } else {
      for (const s of f.samples) {
        if (typeof s.value !== 'number') continue;
        const m: Record<string, unknown> = { label: labelPairs(s.labels) };
        if (s.timestamp !== null) m.timestampMs = s.timestamp;
        m[type === 0 ? 'counter' : type === 3 ? 'untyped' : 'gauge'] = { value: s.value };
        metric.push(m);
      }
    }
    out.push({ name: f.name, help: f.help, type, metric, ...(f.unit === '' ? {} : { unit: f.unit }) });
  }
  return out;
}

/** The parts of a MetricFamily the conversion reads. */
export interface MetricFamilyLike {
  name: string;
  type: string;
  help: string;
  unit: string;
  samples: readonly { name: string; labels: Record<string, string>; value: unknown; timestamp: number | null }[];
}
