/**
 * Independent protobuf codecs for tests and benchmarks: protobufjs (schema
 * loaded at run time from test/proto/metrics.proto) and @bufbuild/protobuf
 * (code generated from the same file by `npm run gen:proto`). Neither is a
 * runtime dependency of promwire; they check its codec and race it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export { MetricFamilySchema, MetricType } from './gen/metrics_pb.js';
export type { MetricFamily as BufMetricFamily } from './gen/metrics_pb.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** protobufjs' root for package io.prometheus.client. */
export const pbRoot: protobuf.Root = protobuf.parse(readFileSync(join(HERE, 'metrics.proto'), 'utf8'), { keepCase: false }).root;

/** protobufjs' MetricFamily type. */
export const PbMetricFamily: protobuf.Type = pbRoot.lookupType('io.prometheus.client.MetricFamily');

/** Splits a delimited stream (varint length, message) into message bodies, as expfmt's reader does. */
export function splitDelimited(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const len = r.uint32();
    out.push(bytes.subarray(r.pos, r.pos + len));
    r.skip(len);
  }
  return out;
}

/** Joins message bodies into a delimited stream. */
export function joinDelimited(messages: readonly Uint8Array[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const m of messages) w.bytes(m);
  return w.finish();
}
