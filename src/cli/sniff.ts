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

/** At most this many bytes are looked at to describe an input. */
const SNIFF_BYTES = 4096;

/**
 * What an input that failed to parse looks like, when it looks like
 * something the exposition formats are not: a sentence for the error
 * message, or undefined when nothing stands out. Checked in order:
 * gzip-compressed (RFC 1952 section 2.3.1: ID1 0x1f, ID2 0x8b), a UTF-8
 * byte order mark (EF BB BF: the formats allow none, a metric name must
 * start the line), HTML (an error or login page served instead of
 * metrics), JSON, CRLF line endings (the formats end lines with `\n` alone:
 * exposition_formats.md "Line format"; Prometheus 3.5's textparse reads the
 * `\r` as part of the value).
 */
export function describeInput(b: Uint8Array): string | undefined {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    return 'it is gzip-compressed (it starts with the gzip magic bytes 1f 8b): decompress it first (gunzip, zcat)';
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    return 'it starts with a UTF-8 byte order mark (EF BB BF), which the exposition formats do not allow: save it without the BOM';
  }
  let at = 0;
  while (at < b.length && at < SNIFF_BYTES && (b[at] === 0x20 || b[at] === 0x09 || b[at] === 0x0a || b[at] === 0x0d)) at++;
  const head = asciiLower(b, at, Math.min(b.length, at + 64));
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<body')) {
    return 'it is an HTML page, not metrics (an error or login page? check the URL and the path, e.g. /metrics)';
  }
  if (head.startsWith('<?xml') || (head.startsWith('<') && /^<[a-z!?]/.test(head))) {
    return 'it looks like HTML or XML (it starts with "<"), not metrics';
  }
  if (head.startsWith('{') || head.startsWith('[')) {
    return (
      'it looks like JSON (it starts with "' +
      head[0] +
      '"), not an exposition format (promwire parse --json writes JSON, it does not read it)'
    );
  }
  const end = Math.min(b.length, SNIFF_BYTES);
  for (let i = b.indexOf(0x0a); i > 0 && i < end; i = b.indexOf(0x0a, i + 1)) {
    if (b[i - 1] === 0x0d) {
      return "its lines end with CRLF (\\r\\n), as a Windows editor or git autocrlf writes them; the exposition formats end lines with \\n alone: convert it (dos2unix, or tr -d '\\r')";
    }
  }
  return undefined;
}

function asciiLower(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  return s;
}
