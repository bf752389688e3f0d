/**
 * protobufjs types for the remote-write messages, from promwire's own
 * descriptions (remote-write-v1.proto, remote-write-v2.proto): an
 * independent codec to check promwire's remote-write encoder and decoder
 * against, in tests and benchmarks. Not a runtime dependency.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const HERE = dirname(fileURLToPath(import.meta.url));

function load(file: string): protobuf.Root {
  return protobuf.parse(readFileSync(join(HERE, file), 'utf8'), { keepCase: false }).root;
}

/** `prometheus.WriteRequest` (1.0). */
export const PbWriteRequest: protobuf.Type = load('remote-write-v1.proto').lookupType('prometheus.WriteRequest');

/** `io.prometheus.write.v2.Request` (2.0). */
export const PbRequestV2: protobuf.Type = load('remote-write-v2.proto').lookupType('io.prometheus.write.v2.Request');

/** protobufjs' decode as plain objects: int64 as numbers, enums as numbers, defaults filled in, oneof names set. */
export function pbDecode(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), { longs: Number, enums: Number, defaults: true, arrays: true, oneofs: true }) as Record<
    string,
    unknown
  >;
}
