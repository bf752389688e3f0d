/**
 * An independent decoder for the protobuf exposition format, for tests:
 * protobufjs over test/proto/metrics.proto (promwire's own description of
 * the field list of prometheus/prometheus
 * prompb/io/prometheus/client/metrics.proto), not promwire's own constants.
 */
import protobuf from 'protobufjs';
import { PbMetricFamily } from '../proto/schema.js';

/** protobufjs' MetricFamily, from promwire's own schema description (test/proto/metrics.proto). */
export const MetricFamilyType = PbMetricFamily;

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
