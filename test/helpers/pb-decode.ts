/**
 * An independent decoder for the protobuf exposition format, for tests:
 * protobufjs over a schema written here as JSON from the field list of
 * prometheus/prometheus prompb/io/prometheus/client/metrics.proto (names,
 * numbers, types), not from promwire's own constants nor a copied .proto file.
 */
import protobuf from 'protobufjs';

const field = (id: number, type: string, rule?: 'repeated') => (rule ? { id, type, rule } : { id, type });

const schema = {
  nested: {
    pbtest: {
      nested: {
        Timestamp: { fields: { seconds: field(1, 'int64'), nanos: field(2, 'int32') } },
        LabelPair: { fields: { name: field(1, 'string'), value: field(2, 'string') } },
        Gauge: { fields: { value: field(1, 'double') } },
        Untyped: { fields: { value: field(1, 'double') } },
        Counter: { fields: { value: field(1, 'double'), exemplar: field(2, 'Exemplar'), createdTimestamp: field(3, 'Timestamp') } },
        Quantile: { fields: { quantile: field(1, 'double'), value: field(2, 'double') } },
        Summary: {
          fields: {
            sampleCount: field(1, 'uint64'),
            sampleSum: field(2, 'double'),
            quantile: field(3, 'Quantile', 'repeated'),
            createdTimestamp: field(4, 'Timestamp'),
          },
        },
        Bucket: {
          fields: {
            cumulativeCount: field(1, 'uint64'),
            upperBound: field(2, 'double'),
            exemplar: field(3, 'Exemplar'),
            cumulativeCountFloat: field(4, 'double'),
          },
        },
        BucketSpan: { fields: { offset: field(1, 'sint32'), length: field(2, 'uint32') } },
        Exemplar: { fields: { label: field(1, 'LabelPair', 'repeated'), value: field(2, 'double'), timestamp: field(3, 'Timestamp') } },
        Histogram: {
          fields: {
            sampleCount: field(1, 'uint64'),
            sampleSum: field(2, 'double'),
            bucket: field(3, 'Bucket', 'repeated'),
            sampleCountFloat: field(4, 'double'),
            schema: field(5, 'sint32'),
            zeroThreshold: field(6, 'double'),
            zeroCount: field(7, 'uint64'),
            zeroCountFloat: field(8, 'double'),
            negativeSpan: field(9, 'BucketSpan', 'repeated'),
            negativeDelta: field(10, 'sint64', 'repeated'),
            negativeCount: field(11, 'double', 'repeated'),
            positiveSpan: field(12, 'BucketSpan', 'repeated'),
            positiveDelta: field(13, 'sint64', 'repeated'),
            positiveCount: field(14, 'double', 'repeated'),
            createdTimestamp: field(15, 'Timestamp'),
            exemplars: field(16, 'Exemplar', 'repeated'),
          },
        },
        Metric: {
          fields: {
            label: field(1, 'LabelPair', 'repeated'),
            gauge: field(2, 'Gauge'),
            counter: field(3, 'Counter'),
            summary: field(4, 'Summary'),
            untyped: field(5, 'Untyped'),
            timestampMs: field(6, 'int64'),
            histogram: field(7, 'Histogram'),
          },
        },
        MetricType: { values: { COUNTER: 0, GAUGE: 1, SUMMARY: 2, UNTYPED: 3, HISTOGRAM: 4, GAUGE_HISTOGRAM: 5 } },
        MetricFamily: {
          fields: {
            name: field(1, 'string'),
            help: field(2, 'string'),
            type: field(3, 'MetricType'),
            metric: field(4, 'Metric', 'repeated'),
            unit: field(5, 'string'),
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);
export const MetricFamilyType = root.lookupType('pbtest.MetricFamily');

// biome-ignore lint/suspicious/noExplicitAny: decoded messages are plain JSON-like objects
export type Decoded = any;

/** Decodes a delimited stream of MetricFamily messages to plain objects (longs as numbers, enums as names, absent fields absent). */
export function decodeDelimited(bytes: Uint8Array): Decoded[] {
  const reader = protobuf.Reader.create(bytes);
  const out: Decoded[] = [];
  while (reader.pos < reader.len) {
    const msg = MetricFamilyType.decodeDelimited(reader);
    out.push(MetricFamilyType.toObject(msg, { longs: Number, enums: String, defaults: false, arrays: false }));
  }
  return out;
}

/** Encodes plain objects (protobufjs' fromObject form) as delimited MetricFamily messages: protobufjs as a competitor. */
export function encodeDelimitedWithProtobufjs(families: Decoded[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const f of families) MetricFamilyType.encodeDelimited(MetricFamilyType.fromObject(f), w);
  return w.finish();
}

/** A google.protobuf.Timestamp (decoded) as milliseconds. */
export function tsMillis(t: Decoded): number {
  return (t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}
