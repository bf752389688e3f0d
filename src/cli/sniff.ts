/**
 * Telling a protobuf payload from a text one when there is no Content-Type
 * to go by (files and standard input).
 */

/**
 * Does the payload start as a delimited MetricFamily stream? A length
 * varint (at most 5 bytes, as Prometheus' protobufparse.go reads it) of at
 * least 3, then field 1 (`name`, wire type 2: byte 0x0a), a length varint
 * (names of 128 bytes or more take two bytes or more) of at least 1 that
 * fits in the message, and a name without spaces or control characters
 * (UTF-8 allowed). A text payload would need a one-character first line
 * followed by such a line, which no exposition has.
 */
export function looksLikeProtobuf(b: Uint8Array): boolean {
  const msg = readVarint(b, 0);
  if (msg === undefined || msg.value < 3 || b[msg.next] !== 0x0a) return false;
  const name = readVarint(b, msg.next + 1);
  if (name === undefined || name.value === 0) return false;
  // The tag byte, the length varint and the name must fit in the message.
  if (name.next - msg.next + name.value > msg.value) return false;
  const end = Math.min(b.length, name.next + name.value);
  for (let j = name.next; j < end; j++) if (b[j]! <= 0x20 || b[j]! === 0x7f) return false;
  return true;
}

/** A varint of at most 5 bytes at `at`, or undefined when it is longer or cut short. */
function readVarint(b: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5 && at + i < b.length; i++) {
    const byte = b[at + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { value, next: at + i + 1 };
  }
  return undefined;
}
