/**
 * A protobuf wire writer into one growing buffer (protobuf encoding spec:
 * varints, zigzag, fixed64, length-delimited fields), for the exposition
 * format's MetricFamily messages. Modelled on protobuf-es' BinaryWriter
 * (`pos`, `ensureCapacity`, `finish`), but without a stack of forked
 * buffers: a length-delimited field reserves its length bytes in place and
 * patches them when the field ends (`beginLength` / `endLength`).
 *
 * Why reserve-and-backpatch rather than computing sizes first: the sizes of
 * the exposition's messages depend on every value (uint64 counts, sint64
 * deltas), so a size pass would walk the data twice. Most submessages
 * (LabelPair, Counter, Gauge, Quantile, BucketSpan, Bucket) are shorter than
 * 128 bytes, so one reserved byte is right; when a message turns out longer,
 * its bytes move up by the missing length bytes (one `copyWithin`, a
 * memmove). A caller that knows the usual size (a family's size at the last
 * encode) reserves that many length bytes, and nothing moves.
 * Measured on the LARGE bench payload: see the encode bench rows.
 */

const INITIAL_SIZE = 64 * 1024;

/** Bytes of the unsigned varint of `n` (0 <= n < 2^53). */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 5;
  n = Math.floor(n / 0x800000000);
  while (n > 0) {
    size++;
    n = Math.floor(n / 0x80);
  }
  return size;
}

/** A field key: field number and wire type, as one varint (field numbers below 16 take one byte). */
export function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

const utf8 = new TextEncoder();

/** UTF-8 length of `s` (lone surrogates count as U+FFFD, 3 bytes, as TextEncoder writes them). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n++;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export class ProtoWriter {
  /** The buffer; bytes [0, pos) are the output so far. */
  buf: Uint8Array;
  /** Number of bytes written. */
  pos: number;
  private view: DataView;

  constructor(initialSize: number = INITIAL_SIZE) {
    this.buf = new Uint8Array(Math.max(32, initialSize));
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  /** Makes room for `n` more bytes. */
  ensureCapacity(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** A single byte (a field key of a field number below 16). */
  byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** An unsigned varint, 0 <= n < 2^64 (exact below 2^53). */
  uint(n: number): void {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    const buf = this.buf;
    let p = this.pos;
    if (n < 0x80000000) {
      // 32-bit fast path: shifts are exact here.
      while (n > 0x7f) {
        buf[p++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      buf[p++] = n;
    } else {
      while (n > 0x7f) {
        const low = n % 0x80;
        buf[p++] = low | 0x80;
        n = (n - low) / 0x80;
      }
      buf[p++] = n;
    }
    this.pos = p;
  }

  /**
   * A signed int64 varint (two's complement: a negative value takes 10
   * bytes), for `timestamp_ms` and Timestamp.seconds. |n| < 2^63.
   */
  int64(n: number): void {
    if (n >= 0) {
      this.uint(n);
      return;
    }
    if (Number.isSafeInteger(n)) {
      // 2^64 + n, split into two 32-bit halves to stay exact.
      const hi = Math.floor(n / 0x100000000);
      const lo = n - hi * 0x100000000;
      this.varint64(lo >>> 0, (hi + 0x100000000) >>> 0);
      return;
    }
    const u = BigInt.asUintN(64, BigInt(n));
    this.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  /** A varint from two 32-bit halves. */
  private varint64(lo: number, hi: number): void {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < 4; i++) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    // Bits 28..34: four of lo, three of hi.
    const b = (lo & 0x0f) | ((hi & 0x07) << 4);
    hi >>>= 3;
    if (hi === 0) {
      buf[p++] = b;
      this.pos = p;
      return;
    }
    buf[p++] = b | 0x80;
    while (hi > 0x7f) {
      buf[p++] = (hi & 0x7f) | 0x80;
      hi >>>= 7;
    }
    buf[p++] = hi;
    this.pos = p;
  }

  /** A zigzag-encoded signed varint (sint32, sint64), |n| < 2^52. */
  sint(n: number): void {
    this.uint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  /** A field key (field number << 3 | wire type) of any field number. */
  key(k: number): void {
    if (k < 0x80) this.byte(k);
    else this.uint(k);
  }

  /** A little-endian IEEE 754 double (wire type fixed64). */
  double(v: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Field key (below 128: field numbers below 16) then double. */
  doubleField(key: number, v: number): void {
    if (this.pos + 9 > this.buf.length) this.grow(9);
    this.buf[this.pos] = key;
    this.view.setFloat64(this.pos + 1, v, true);
    this.pos += 9;
  }

  /** Bytes as they are (pre-rendered fields). */
  raw(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    // Short arrays: a plain loop beats the cost of a TypedArray.set call.
    if (n <= 32) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = b[i]!;
      this.pos = p;
    } else {
      this.buf.set(b, this.pos);
      this.pos += n;
    }
  }

  /**
   * A string field: key (below 128), length, UTF-8 bytes. ASCII (the common case:
   * names, label values) is copied char by char into place behind a length
   * guessed from `s.length`; only a string with a non-ASCII char goes
   * through `TextEncoder.encodeInto`.
   */
  stringField(key: number, s: string): void {
    const n = s.length;
    const lenBytes = n < 0x80 ? 1 : varintSize(n);
    if (this.pos + 1 + lenBytes + n > this.buf.length) this.grow(1 + lenBytes + n);
    const buf = this.buf;
    const start = this.pos;
    buf[start] = key;
    let p = start + 1 + lenBytes;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start + 1;
        this.utf8Tail(s);
        return;
      }
      buf[p++] = c;
    }
    if (lenBytes === 1) buf[start + 1] = n;
    else {
      this.pos = start + 1;
      this.uint(n);
    }
    this.pos = p;
  }

  /** Out of line: length and UTF-8 bytes of a string that is not ASCII. */
  private utf8Tail(s: string): void {
    const len = utf8Length(s);
    this.uint(len);
    this.ensureCapacity(len);
    const r = utf8.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += r.written;
  }

  /**
   * Starts a length-delimited field whose key is already written: reserves
   * `reserve` length bytes (1 by default) and returns where the content
   * starts, for `endLength`.
   */
  beginLength(reserve = 1): number {
    if (this.pos + reserve > this.buf.length) this.grow(reserve);
    this.pos += reserve;
    return this.pos;
  }

  /**
   * Ends the field `beginLength` started at `start` (with `reserve` bytes):
   * writes its length, moving the content when the varint needs a different
   * number of bytes. Returns the content length.
   */
  endLength(start: number, reserve = 1): number {
    const len = this.pos - start;
    const need = varintSize(len);
    if (need === 1 && reserve === 1) {
      this.buf[start - 1] = len;
      return len;
    }
    if (need !== reserve) {
      const shift = need - reserve;
      if (shift > 0) this.ensureCapacity(shift);
      this.buf.copyWithin(start + shift, start, this.pos);
      this.pos += shift;
    }
    const end = this.pos;
    this.pos = start - reserve;
    this.uint(len);
    this.pos = end;
    return len;
  }

  /**
   * Hands over the bytes written: a view of the buffer when it is at least
   * half full (no copy), else a copy of the right size. The writer must not
   * be used afterwards.
   */
  result(): Uint8Array {
    return this.pos * 2 >= this.buf.length ? this.buf.subarray(0, this.pos) : this.buf.slice(0, this.pos);
  }

  /** A copy of the bytes written (the writer stays usable). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Hands over the bytes written without copying and starts a fresh buffer of the same capacity. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(this.buf.length);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
    return out;
  }

  /** Forgets the bytes written, keeping the buffer. */
  reset(): void {
    this.pos = 0;
  }
}
