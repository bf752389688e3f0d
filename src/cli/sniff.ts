/**
 * Telling a protobuf payload from a text one when there is no Content-Type
 * to go by (files and standard input).
 */

/**
 * Does the payload start as a delimited MetricFamily stream? A length
 * varint (at most 5 bytes, as Prometheus' protobufparse.go reads it) of at
 * least 3, then field 1 (`name`, wire type 2: byte 0x0a), a one-byte length
 * that fits in the message, and a name without spaces or control
 * characters (UTF-8 allowed). A text payload would need a one-character
 * first line followed by such a line, which no exposition has.
 */
export function looksLikeProtobuf(b: Uint8Array): boolean {
  let len = 0;
  let i = 0;
  for (; i < 5 && i < b.length; i++) {
    len += (b[i]! & 0x7f) * 2 ** (7 * i);
    if (b[i]! < 0x80) break;
  }
  if (i >= 5 || i >= b.length) return false;
  i++;
  if (len < 3 || b[i] !== 0x0a) return false;
  const nameLen = b[i + 1];
  if (nameLen === undefined || nameLen === 0 || nameLen >= 0x80 || nameLen + 2 > len) return false;
  const end = Math.min(b.length, i + 2 + nameLen);
  for (let j = i + 2; j < end; j++) if (b[j]! <= 0x20 || b[j]! === 0x7f) return false;
  return true;
}
