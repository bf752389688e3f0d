/**
 * Building strings from byte ranges, which is where a parser spends its time
 * (measured on Node: ~100 ns per small string however it is made). Two tricks:
 *
 * 1. Use Node's `latin1Slice`/`utf8Slice` on a Buffer view of the input when
 *    the runtime has them (Node, Bun), else `TextDecoder` (Deno, browsers).
 * 2. Intern: names, label names and most label values repeat constantly, so
 *    a direct-mapped cache keyed by a hash of the bytes returns the string
 *    made last time after a byte-for-byte check (~20-40 ns instead of ~100).
 */

type Slicer = (this: Uint8Array, start: number, end: number) => string;

// Node's (and Bun's) Buffer.prototype.latin1Slice / utf8Slice work on any
// Uint8Array receiver and are the fastest way to make a string from bytes.
const NodeProto = (globalThis as { Buffer?: { prototype: { latin1Slice?: Slicer; utf8Slice?: Slicer } } }).Buffer?.prototype;
const nodeLatin1: Slicer | undefined = typeof NodeProto?.latin1Slice === 'function' ? NodeProto.latin1Slice : undefined;
const nodeUtf8: Slicer | undefined = typeof NodeProto?.utf8Slice === 'function' ? NodeProto.utf8Slice : undefined;

const utf8Decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: false });

/**
 * A whole-buffer UTF-8 check where the runtime has a fast native one (Node's
 * `buffer.isUtf8`, reached through `process.getBuiltinModule` so that this
 * module imports nothing from Node: ~37 GB/s), else undefined, and callers
 * check the ranges that hold a byte >= 0x80 one by one in JavaScript
 * (browsers, Deno without Node globals).
 */
export const nativeIsUtf8: ((buf: Uint8Array) => boolean) | undefined = /* @__PURE__ */ findIsUtf8();

function findIsUtf8(): ((buf: Uint8Array) => boolean) | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  try {
    const mod = proc.getBuiltinModule('buffer') as { isUtf8?: unknown } | undefined;
    const f = mod?.isUtf8;
    return typeof f === 'function' ? (f as (buf: Uint8Array) => boolean) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A string from a byte range, one character per byte, uncached: ASCII as it
 * is (every caller's range but `StringMaker.slice`'s windows is ASCII, and a
 * window is only ever sliced at ASCII ranges).
 */
export function latin1Slice(buf: Uint8Array, start: number, end: number): string {
  if (nodeLatin1 !== undefined) return nodeLatin1.call(buf, start, end);
  if (end - start < 32) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  // windows-1252 (what the WHATWG 'latin1' label decodes) maps each byte to
  // one character and ASCII to itself.
  return latin1Decoder.decode(buf.subarray(start, end));
}
const latin1Decoder = /* @__PURE__ */ new TextDecoder('latin1');

/** A string from a UTF-8 byte range, uncached (invalid sequences become U+FFFD). */
export function utf8Slice(buf: Uint8Array, start: number, end: number): string {
  if (nodeUtf8 !== undefined) return nodeUtf8.call(buf, start, end);
  return utf8Decoder.decode(buf.subarray(start, end));
}

const CACHE_BITS = 12;
const CACHE_SIZE = 1 << CACHE_BITS;
const MAX_CACHED_LENGTH = 64;
/** The largest unescaping scratch buffer kept between calls. */
const MAX_SCRATCH = 64 * 1024;

/** Bytes in one `slice()` window. */
const WINDOW = 4 * 1024;

export class StringMaker {
  private buf: Uint8Array;
  private readonly cache: (string | undefined)[];
  private scratch: Uint8Array = new Uint8Array(256);
  /** A window of the buffer as one Latin-1 string, from `winStart` on (see `slice()`). */
  private win = '';
  private winStart = 0;
  private winEnd = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.cache = new Array<string | undefined>(CACHE_SIZE).fill(undefined);
  }

  /** Points at another buffer (the next piece of a stream), keeping the cache. */
  setBuffer(buf: Uint8Array): void {
    this.buf = buf;
    this.win = '';
    this.winStart = this.winEnd = 0;
  }

  /**
   * An ASCII range as a `slice` of a string of up to 4 KiB of the buffer
   * from the range on (the window, made again when a range falls outside
   * it). V8 copies a slice under 13 characters and makes a longer one a view
   * that keeps the window alive: cheap to make, costly to keep (see the pull
   * API's docs).
   */
  slice(start: number, end: number): string {
    const ws = this.winStart;
    if (start >= ws && end <= this.winEnd) return this.win.slice(start - ws, end - ws);
    return this.sliceMiss(start, end);
  }

  private sliceMiss(start: number, end: number): string {
    if (end - start >= WINDOW >>> 2) return this.rawAscii(start, end);
    const we = Math.min(this.buf.length, start + WINDOW);
    this.win = latin1Slice(this.buf, start, we);
    this.winStart = start;
    this.winEnd = we;
    return this.win.slice(0, end - start);
  }

  /** Decodes an ASCII-only range. */
  ascii(start: number, end: number): string {
    const len = end - start;
    if (len === 0) return '';
    if (len > MAX_CACHED_LENGTH) return this.rawAscii(start, end);
    const buf = this.buf;
    // Hash a fixed sample of the bytes (both ends, the middle, the length):
    // O(1) whatever the length; the byte-for-byte check below makes any
    // collision a plain miss.
    const m = (start + end) >>> 1;
    let h = Math.imul(len ^ buf[start]!, 0x01000193);
    h = Math.imul(h ^ buf[end - 1]!, 0x01000193);
    h = Math.imul(h ^ buf[m]!, 0x01000193);
    h = Math.imul(h ^ buf[start + (len >>> 2)]!, 0x01000193);
    h = Math.imul(h ^ buf[end - 1 - (len >>> 2)]!, 0x01000193);
    h = Math.imul(h ^ buf[Math.max(end - 2, start)]!, 0x01000193);
    const slot = (h ^ (h >>> 15)) & (CACHE_SIZE - 1);
    const hit = this.cache[slot];
    if (hit !== undefined && hit.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (hit.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit;
    }
    const s = this.rawAscii(start, end);
    this.cache[slot] = s;
    return s;
  }

  /** Decodes a UTF-8 range (invalid sequences become U+FFFD; the parser validates first). */
  utf8(start: number, end: number): string {
    return utf8Slice(this.buf, start, end);
  }

  /**
   * Decodes a range that holds backslash escapes, per text 0.0.4 rules:
   * `\\`, `\n`, and (when `quotes`, label values and OpenMetrics HELP)
   * `\"`; every other backslash pair stays as it is, as promparse's
   * strings.Replacer does. Works on the bytes, into a scratch buffer, then
   * makes one string: linear in the range (building the result by string
   * concatenation went super-linear, 12x the time for 2x the escapes at
   * 500k escapes).
   */
  unescaped(start: number, end: number, utf8: boolean, quotes: boolean): string {
    const buf = this.buf;
    const len = end - start;
    let out = this.scratch;
    if (out.length < len) {
      out = new Uint8Array(Math.max(len, out.length * 2));
      // Keep a grown scratch only while it is small, so one huge value does not stay held.
      if (out.length <= MAX_SCRATCH) this.scratch = out;
    }
    let o = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c === 0x5c && i + 1 < end) {
        const n = buf[i + 1]!;
        if (n === 0x5c || n === 0x6e || (n === 0x22 && quotes)) {
          out[o++] = n === 0x6e ? 0x0a : n;
          i++;
          continue;
        }
      }
      out[o++] = c;
    }
    return utf8 ? utf8Slice(out, 0, o) : latin1Slice(out, 0, o);
  }

  private rawAscii(start: number, end: number): string {
    return latin1Slice(this.buf, start, end);
  }
}
