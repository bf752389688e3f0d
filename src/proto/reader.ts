/**
 * A lazy protobuf wire reader over a Uint8Array (protobuf encoding spec,
 * "Message Structure"): varints, zigzag, fixed64 doubles, length-delimited
 * fields as offsets into the input (no copy), and skipping of unknown
 * fields of every wire type, so messages written by a newer schema read
 * (proto3 forward compatibility).
 *
 * One reader is positioned over one message at a time (`pos`..`end`) and
 * moved by its owner: nothing is allocated per field. Every malformed input
 * raises a PromwireError with the byte offset in the whole payload
 * (`byteBase + pos`) and, through `where`, the family and metric it was in:
 * a varint cut by the end of its message or longer than 10 bytes, a length
 * past the end of its message, a group (wire types 3 and 4, which proto3
 * and Prometheus' gogo decoder refuse), wire types 6 and 7, field number 0,
 * and a known field with another wire type than the schema's.
 */

import { type ErrorCode, PromwireError } from '../errors.js';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './metrics-proto.js';

const TWO_32 = 4294967296;

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start group', 'end group', 'fixed32', 'wire type 6', 'wire type 7'];

export class WireReader {
  buf: Uint8Array;
  /** A DataView over `buf`, made once per buffer (for doubles). */
  view: DataView;
  pos = 0;
  /** End of the message being read. */
  end = 0;
  /** Offset of `buf[0]` in the whole payload (streaming). */
  byteBase = 0;
  /**
   * High 32 bits of the last `varint64Parts()` read. A double from the start
   * (-0; it holds values up to 2^32 - 1), so its representation never
   * changes after construction (core/keep-shape.ts).
   */
  hi = -0;
  /** Describes where the reader is (family, metric), for messages; only called on the error path. */
  where: () => string = () => '';

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Points at another buffer. */
  setBuffer(buf: Uint8Array, byteBase: number): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.byteBase = byteBase;
    this.pos = 0;
    this.end = buf.length;
  }

  /**
   * Reads a varint and returns its low 32 bits as an unsigned number; the
   * high bits are left in `hi`. Up to 10 bytes, the longest a 64-bit value
   * takes (a negative int32 is written as 10 bytes too).
   */
  varint64Parts(): number {
    const buf = this.buf;
    let p = this.pos;
    const end = this.end;
    if (p < end) {
      const b = buf[p]!;
      if (b < 0x80) {
        // The common case: one byte (tags, small lengths, enum values).
        this.pos = p + 1;
        this.hi = 0;
        return b;
      }
    }
    const start = p;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    // Bytes 1-4: 28 bits into lo.
    for (; shift < 28; shift += 7) {
      if (p >= end) throw this.truncated(start, 'varint');
      const b = buf[p++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    // Byte 5: 4 bits into lo, 3 into hi.
    if (p >= end) throw this.truncated(start, 'varint');
    let b = buf[p++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      // Bytes 6-10: 7 bits each into hi (the 10th carries the last bit).
      for (shift = 3; ; shift += 7) {
        if (p - start >= 10) throw this.malformed(start, 'a varint longer than 10 bytes');
        if (p >= end) throw this.truncated(start, 'varint');
        b = buf[p++]!;
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.pos = p;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** A uint32 (or enum, int32 as unsigned bits): the low 32 bits of a varint. */
  uint32(): number {
    return this.varint64Parts();
  }

  /** An int32 (enum): the low 32 bits as a signed number. */
  int32(): number {
    return this.varint64Parts() | 0;
  }

  /** A uint64 as a number (exact below 2^53). */
  uint64(): number {
    const lo = this.varint64Parts();
    return this.hi * TWO_32 + lo;
  }

  /** An int64 (two's complement) as a number (exact within ±2^53): timestamps. */
  int64(): number {
    const lo = this.varint64Parts();
    return (this.hi | 0) * TWO_32 + lo;
  }

  /** A zigzag sint32. */
  sint32(): number {
    const n = this.varint64Parts();
    return (n >>> 1) ^ -(n & 1);
  }

  /** A zigzag sint64 as a number (exact within ±2^53). */
  sint64(): number {
    const lo = this.varint64Parts();
    const u = this.hi * TWO_32 + lo;
    // u even: u / 2; odd: -(u + 1) / 2. `lo & 1` is the parity, exact however large u is.
    return (lo & 1) === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** A fixed64 double, little-endian. */
  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated(p, 'fixed64 double');
    this.pos = p + 8;
    return this.view.getFloat64(p, true);
  }

  /**
   * Reads a field tag: returns the field number, and leaves the wire type in
   * `wire`. Groups, wire types 6-7 and field number 0 are errors.
   */
  tag(): number {
    const at = this.pos;
    const t = this.varint64Parts();
    const wire = t & 7;
    const field = t >>> 3;
    if (this.hi !== 0 || field === 0) throw this.malformed(at, `field number ${this.hi !== 0 ? 'over 2^29' : '0'}`);
    if (wire === 3 || wire === 4 || wire > 5) throw this.malformed(at, `a ${WIRE_NAMES[wire]} field (groups are not part of proto3)`);
    this.wire = wire;
    return field;
  }

  /** Wire type of the last tag. */
  wire = 0;

  /**
   * Reads a length prefix and returns the end offset of the bytes it
   * announces (they start at `pos`); a length past the end of the message is
   * an error.
   */
  lengthEnd(): number {
    const at = this.pos;
    const lo = this.varint64Parts();
    // The end as a small integer: every length that fits the message is under
    // 2^31, and `lo` (from `>>> 0`) is then one. Through uint64()'s
    // `hi * 2^32 + lo` it was a boxed double even for a length of 3, and a
    // double stored into a position field moved every parser's position
    // fields to boxed doubles (V8 field representations; core/keep-shape.ts).
    if (this.hi === 0 && lo <= this.end - this.pos) return this.pos + lo;
    const n = this.hi * TWO_32 + lo;
    throw this.error(
      'UNEXPECTED_END',
      `length ${n} runs past the end of its message (${this.end - this.pos} bytes left) at byte ${this.byteBase + at}${this.context()}`,
      at,
    );
  }

  /** Skips the value of the last tag's field, whatever its wire type. */
  skip(): void {
    const w = this.wire;
    if (w === WIRE_VARINT) this.varint64Parts();
    else if (w === WIRE_FIXED64) this.fixed(8);
    else if (w === WIRE_LEN) this.pos = this.lengthEnd();
    else this.fixed(4); // WIRE_FIXED32: tag() let no other wire type through
  }

  private fixed(n: number): void {
    if (this.pos + n > this.end) throw this.truncated(this.pos, n === 8 ? 'fixed64' : 'fixed32');
    this.pos += n;
  }

  /** Requires the last tag's wire type to be `expected` for the known field `name`. */
  expect(expected: number, name: string, at: number): void {
    if (this.wire !== expected) {
      throw this.malformed(at, `${name} with wire type ${WIRE_NAMES[this.wire]}, expected ${WIRE_NAMES[expected]}`);
    }
  }

  // ----------------------------------------------------------------- errors

  private context(): string {
    const w = this.where();
    return w === '' ? '' : ` (${w})`;
  }

  /** A payload error at byte `at` of the buffer. */
  error(code: ErrorCode, reason: string, at: number, limit?: string): PromwireError {
    return new PromwireError(code, reason, { line: 0, column: 0, offset: this.byteBase + at }, limit);
  }

  /** `INVALID_PROTOBUF`: a wire-format violation. */
  malformed(at: number, what: string): PromwireError {
    return this.error('INVALID_PROTOBUF', `invalid protobuf: ${what} at byte ${this.byteBase + at}${this.context()}`, at);
  }

  /** `UNEXPECTED_END`: a value cut by the end of its message. */
  truncated(at: number, what: string): PromwireError {
    return this.error('UNEXPECTED_END', `${what} cut by the end of its message at byte ${this.byteBase + at}${this.context()}`, at);
  }

  /** An error with the position and context appended to the reason. */
  fail(code: ErrorCode, what: string, at: number, limit?: string): PromwireError {
    return this.error(code, `${what} at byte ${this.byteBase + at}${this.context()}`, at, limit);
  }
}

export { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT };
