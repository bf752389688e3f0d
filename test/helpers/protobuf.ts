/**
 * Test-only: an independent encoder for the protobuf exposition, built with
 * protobufjs from a schema written here as JSON (field names, numbers and
 * types as io.prometheus.client's metrics.proto describes them; not a copy
 * of the .proto file). Messages are plain objects in protobufjs' camelCase.
 */
import protobuf from 'protobufjs';

const ts = { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } };
const label = { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } };
const exemplar = {
  fields: {
    label: { rule: 'repeated', type: 'LabelPair', id: 1 },
    value: { type: 'double', id: 2 },
    timestamp: { type: 'Timestamp', id: 3 },
  },
};

const SCHEMA = {
  nested: {
    Timestamp: ts,
    LabelPair: label,
    Exemplar: exemplar,
    MetricType: { values: { COUNTER: 0, GAUGE: 1, SUMMARY: 2, UNTYPED: 3, HISTOGRAM: 4, GAUGE_HISTOGRAM: 5 } },
    Gauge: { fields: { value: { type: 'double', id: 1 } } },
    Untyped: { fields: { value: { type: 'double', id: 1 } } },
    Counter: {
      fields: { value: { type: 'double', id: 1 }, exemplar: { type: 'Exemplar', id: 2 }, createdTimestamp: { type: 'Timestamp', id: 3 } },
    },
    Quantile: { fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } } },
    Summary: {
      fields: {
        sampleCount: { type: 'uint64', id: 1 },
        sampleSum: { type: 'double', id: 2 },
        quantile: { rule: 'repeated', type: 'Quantile', id: 3 },
        createdTimestamp: { type: 'Timestamp', id: 4 },
      },
    },
    Bucket: {
      fields: {
        cumulativeCount: { type: 'uint64', id: 1 },
        upperBound: { type: 'double', id: 2 },
        exemplar: { type: 'Exemplar', id: 3 },
        cumulativeCountFloat: { type: 'double', id: 4 },
      },
    },
    BucketSpan: { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } },
    Histogram: {
      fields: {
        sampleCount: { type: 'uint64', id: 1 },
        sampleCountFloat: { type: 'double', id: 4 },
        sampleSum: { type: 'double', id: 2 },
        bucket: { rule: 'repeated', type: 'Bucket', id: 3 },
        createdTimestamp: { type: 'Timestamp', id: 15 },
        schema: { type: 'sint32', id: 5 },
        zeroThreshold: { type: 'double', id: 6 },
        zeroCount: { type: 'uint64', id: 7 },
        zeroCountFloat: { type: 'double', id: 8 },
        negativeSpan: { rule: 'repeated', type: 'BucketSpan', id: 9 },
        negativeDelta: { rule: 'repeated', type: 'sint64', id: 10 },
        negativeCount: { rule: 'repeated', type: 'double', id: 11 },
        positiveSpan: { rule: 'repeated', type: 'BucketSpan', id: 12 },
        positiveDelta: { rule: 'repeated', type: 'sint64', id: 13 },
        positiveCount: { rule: 'repeated', type: 'double', id: 14 },
        exemplars: { rule: 'repeated', type: 'Exemplar', id: 16 },
      },
    },
    Metric: {
      fields: {
        label: { rule: 'repeated', type: 'LabelPair', id: 1 },
        gauge: { type: 'Gauge', id: 2 },
        counter: { type: 'Counter', id: 3 },
        summary: { type: 'Summary', id: 4 },
        untyped: { type: 'Untyped', id: 5 },
        histogram: { type: 'Histogram', id: 7 },
        timestampMs: { type: 'int64', id: 6 },
      },
    },
    MetricFamily: {
      fields: {
        name: { type: 'string', id: 1 },
        help: { type: 'string', id: 2 },
        type: { type: 'MetricType', id: 3 },
        metric: { rule: 'repeated', type: 'Metric', id: 4 },
        unit: { type: 'string', id: 5 },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(SCHEMA);
export const MetricFamilyType = root.lookupType('MetricFamily');

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
