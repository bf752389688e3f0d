import { formatFloat } from '../core/number.js';

/**
 * A growable byte buffer for the encoders: the payload is written as bytes
 * into one `Uint8Array` (doubling when full), never built as one big JS
 * string (measured on Node: string concatenation costs 85-185 ns a line and
 * holds the whole payload as a string). ASCII is written byte by byte; anything
 * else goes through `TextEncoder.encodeInto`.
 *
 * Modelled on protobuf-es' BinaryWriter: `pos`, `ensureCapacity`, `finish`.
 */

const INITIAL_SIZE = 64 * 1024;

const C_MINUS = 0x2d;
const C_DOT = 0x2e;
const C_0 = 0x30;
const C_BACKSLASH = 0x5c;
const C_QUOTE = 0x22;
const C_LF = 0x0a;
const C_N = 0x6e;

const utf8 = new TextEncoder();

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Digits of 0..99 as two ASCII bytes each, for the integer fast path. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = C_0 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = C_0 + (i % 10);
}

export class ByteWriter {
  /** The buffer; bytes [0, pos) are the output so far. */
  buf: Uint8Array;
  /** Number of bytes written. */
  pos: number;

  constructor(initialSize: number = INITIAL_SIZE) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
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
  }

  writeByte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** Writes a string known to be ASCII (numbers, keywords, legacy names). */
  writeAscii(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Writes a string as UTF-8: ASCII directly, the rest through `encodeInto`. */
  writeString(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = p;
        this.writeUtf8Tail(s, i);
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** Out of line: encodes s[from..] as UTF-8 (at most 3 bytes per UTF-16 unit). */
  private writeUtf8Tail(s: string, from: number): void {
    const rest = from === 0 ? s : s.slice(from);
    this.ensureCapacity(rest.length * 3);
    const r = utf8.encodeInto(rest, this.buf.subarray(this.pos));
    this.pos += r.written;
  }

  /**
   * Writes a string escaped as a label value (both formats; exposition_formats.md
   * and the OpenMetrics ABNF): `\` -> `\\`, `"` -> `\"`, LF -> `\n`. One pass,
   * no intermediate string.
   */
  writeEscaped(s: string): void {
    const n = s.length;
    if (this.pos + 2 * n > this.buf.length) this.grow(2 * n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = p;
        this.writeEscapedTail(s, i);
        return;
      }
      if (c === C_BACKSLASH || c === C_QUOTE) {
        buf[p++] = C_BACKSLASH;
        buf[p++] = c;
      } else if (c === C_LF) {
        buf[p++] = C_BACKSLASH;
        buf[p++] = C_N;
      } else buf[p++] = c;
    }
    this.pos = p;
  }

  private writeEscapedTail(s: string, from: number): void {
    const rest = from === 0 ? s : s.slice(from);
    let esc = rest;
    for (let i = 0; i < rest.length; i++) {
      const c = rest.charCodeAt(i);
      if (c === C_BACKSLASH || c === C_QUOTE || c === C_LF) {
        esc = rest.replace(/[\\"\n]/g, (m) => (m === '\n' ? '\\n' : '\\' + m));
        break;
      }
    }
    this.writeUtf8Tail(esc, 0);
  }

  writeBytes(b: Uint8Array): void {
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
   * Writes a sample value as Go's `strconv.FormatFloat(v, 'g', -1, 64)`
   * (core/number.ts `formatFloat`) without making a string in the common
   * cases (measured on Node: `String(v)` costs ~70 ns):
   * - integers below 1e6 (counts, buckets, most gauges), digit by digit;
   * - other values in [1e-4, 1e6) (where Go and JavaScript both write plain
   *   notation with the shortest round-trip digits) that have a short exact
   *   decimal: the smallest k <= 9 such that m = v * 10^k is an integer below
   *   1e15 and m / 10^k gives v back, trailing zeros dropped. With 15
   *   significant digits or fewer at most one decimal of a given length
   *   round-trips, so any such m is the shortest spelling scaled by a power
   *   of ten, and dropping its trailing zeros gives the digits `String(v)`
   *   picks.
   * Anything else goes through `formatFloat`.
   */
  writeNumber(v: number): void {
    const a = v < 0 ? -v : v;
    if (a < 1e6) {
      if (Math.floor(v) === v) {
        if (v !== 0 || 1 / v > 0) {
          this.writeSmallInt(v);
          return;
        }
      } else if (a >= 1e-4) {
        for (let k = 1; k <= 9; k++) {
          const m = a * POW10[k]!;
          if (Math.floor(m) === m) {
            if (m < 1e15 && m / POW10[k]! === a) {
              // v * 10^k is rounded: 0.00015 * 1e5 is not an integer but * 1e6 is;
              // the trailing zeros of that m are dropped.
              let mm = m;
              let kk = k;
              while (kk > 0 && mm % 10 === 0) {
                mm /= 10;
                kk--;
              }
              if (kk === 0) break;
              this.writeDecimal(v < 0, mm, kk);
              return;
            }
            break;
          }
        }
      }
    }
    this.writeAscii(formatFloat(v));
  }

  /** Writes [-]m / 10^k for an integer m < 1e15 with k >= 1 fraction digits (none of them a trailing 0). */
  private writeDecimal(neg: boolean, m: number, k: number): void {
    if (this.pos + 20 > this.buf.length) this.grow(20);
    const buf = this.buf;
    if (neg) buf[this.pos++] = C_MINUS;
    // Digits of m, at least k + 1 of them (leading zeros for 0.00x).
    let digits = 1;
    for (let t = m; t >= 10; t = Math.floor(t / 10)) digits++;
    if (digits <= k) digits = k + 1;
    const end = this.pos + digits + 1;
    let p = end;
    for (let i = 0; i < digits; i++) {
      if (i === k) buf[--p] = C_DOT;
      const q = Math.floor(m / 10);
      buf[--p] = C_0 + (m - q * 10);
      m = q;
    }
    this.pos = end;
  }

  /** Writes an integer with |v| < 2^53 in decimal. */
  writeSmallInt(v: number): void {
    if (this.pos + 18 > this.buf.length) this.grow(18);
    const buf = this.buf;
    if (v < 0) {
      buf[this.pos++] = C_MINUS;
      v = -v;
    }
    if (v < 10) {
      buf[this.pos++] = C_0 + v;
      return;
    }
    let digits = 2;
    for (let t = v; t >= 100; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (v >= 100) {
      let q = Math.floor(v / 100);
      let r = v - q * 100;
      // v / 100 is rounded; near 2^53 the floor can land one too high.
      if (r < 0) {
        q--;
        r += 100;
      }
      r *= 2;
      buf[--p] = DIGIT_PAIRS[r + 1]!;
      buf[--p] = DIGIT_PAIRS[r]!;
      v = q;
    }
    if (v >= 10) {
      buf[--p] = DIGIT_PAIRS[2 * v + 1]!;
      buf[--p] = DIGIT_PAIRS[2 * v]!;
    } else buf[--p] = C_0 + v;
  }

  /** Writes any integral number in decimal (int64 timestamps beyond 2^53 through BigInt). */
  writeInteger(v: number): void {
    if (Number.isSafeInteger(v)) this.writeSmallInt(v);
    else this.writeAscii(BigInt(v).toString());
  }

  /**
   * Hands over the bytes written: a view of the buffer when it is at least
   * half full (no copy), else a copy of the right size. The writer must not
   * be used afterwards.
   */
  result(): Uint8Array {
    return this.pos * 2 >= this.buf.length ? this.buf.subarray(0, this.pos) : this.buf.slice(0, this.pos);
  }

  /** Returns a copy of the bytes written (the writer stays usable). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /**
   * Hands over the bytes written without copying and starts a fresh buffer
   * of the same capacity (for chunked output, where the caller keeps each
   * chunk).
   */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(this.buf.length);
    this.pos = 0;
    return out;
  }

  /** Forgets the bytes written, keeping the buffer. */
  reset(): void {
    this.pos = 0;
  }
}

/** Encodes an ASCII or UTF-8 string to bytes (for precomputed prefixes). */
export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}
