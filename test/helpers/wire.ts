/**
 * Test-only: hand-built protobuf bytes (for malformed messages no encoder
 * would write). Each helper returns the bytes of one field.
 */
export type Bytes = number[];

export function varint(n: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  while (v >= 128n) {
    out.push(Number(v & 127n) | 128);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

export const tag = (field: number, wire: number): Bytes => varint((field << 3) | wire);
export const vint = (field: number, n: number | bigint): Bytes => [...tag(field, 0), ...varint(n)];
export const zig = (n: number): bigint => (BigInt(n) << 1n) ^ (BigInt(n) < 0n ? -1n : 0n);
export const sint = (field: number, n: number): Bytes => vint(field, zig(n));
export function dbl(field: number, v: number): Bytes {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return [...tag(field, 1), ...b];
}
export const len = (field: number, body: Bytes): Bytes => [...tag(field, 2), ...varint(body.length), ...body];
export const str = (field: number, s: string | Uint8Array): Bytes =>
  len(field, [...(typeof s === 'string' ? new TextEncoder().encode(s) : s)]);
/** A MetricFamily frame: the varint length, then the message. */
export const frame = (...fields: Bytes[]): Bytes => {
  const body = fields.flat();
  return [...varint(body.length), ...body];
};
export const u8 = (...parts: Bytes[]): Uint8Array => new Uint8Array(parts.flat());

// io.prometheus.client field builders
export const label = (name: string | Uint8Array, value: string | Uint8Array): Bytes => len(1, [...str(1, name), ...str(2, value)]);
export const gaugeMetric = (v: number, ...more: Bytes[]): Bytes => len(4, [...more.flat(), ...len(2, dbl(1, v))]);
export const family = (name: string, type: number, ...metrics: Bytes[]): Bytes => frame(str(1, name), vint(3, type), ...metrics);
