/**
 * Snappy block decompression (google/snappy `format_description.txt`; the
 * checks follow golang/snappy `decode_other.go`).
 *
 * Every malformed input is a `PromwireError` with the byte offset of the
 * element at fault: the input ends early (`UNEXPECTED_END`), a copy reaches
 * before the start of the output or has offset 0, an element writes past the
 * declared length, the output falls short of it (`INVALID_SNAPPY`), or the
 * declared length exceeds `maxBytes` (`LIMIT_EXCEEDED`). The declared length
 * is checked against `maxBytes`, and against what the input could possibly
 * decode to, before the output is allocated: a few bytes claiming 4 GB cost
 * nothing (a "snappy bomb").
 */
import { PromwireError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { DEFAULT_SNAPPY_MAX_BYTES, TAG_COPY_1, TAG_COPY_2, TAG_LITERAL, lastPreambleEnd, readPreamble } from './format.js';

export type SnappyDecompressOptions = Partial<
  Readonly<{
    /**
     * The largest decoded size accepted, in bytes; a larger declared length
     * is refused (`LIMIT_EXCEEDED`, limit `maxBytes`) before anything is
     * allocated. `Infinity` accepts the format's own maximum, 2^32 - 1.
     * Defaults to 32 MiB (33554432), what Prometheus accepts in a remote
     * request (prometheus/prometheus `storage/remote/codec.go` `decodeReadLimit`).
     */
    maxBytes: number;
  }>
>;

/**
 * The largest output one input byte can produce: a 2-byte-offset copy writes
 * up to 64 bytes from 3 input bytes (format_description.txt 2.2.2); literals
 * write fewer bytes than they take, 1-byte-offset copies at most 11 from 2.
 * A declared length above `ceil(rest / 3) * 64` cannot be honest.
 */
const MAX_COPY_LENGTH = 64;

/**
 * Reads the decoded length a snappy block declares (its preamble) without
 * decompressing: what `snappyDecompress` would allocate. Throws
 * `UNEXPECTED_END` for a truncated preamble and `INVALID_SNAPPY` for one over
 * 32 bits.
 */
export function snappyDecodedLength(input: Uint8Array): number {
  return readPreamble(input);
}

/**
 * Decompresses a snappy block (the format of remote-write bodies, not the
 * framing format). The output is allocated once, at the declared length,
 * after that length has been checked against `maxBytes`.
 */
export function snappyDecompress(input: Uint8Array, options?: SnappyDecompressOptions): Uint8Array {
  const maxBytes = options?.maxBytes ?? DEFAULT_SNAPPY_MAX_BYTES;
  if (!(maxBytes >= 0)) {
    throw new PromwireError('INVALID_ARGUMENT', `snappyDecompress: maxBytes must be a number >= 0, got ${String(maxBytes)}`);
  }
  const length = readPreamble(input);
  const start = lastPreambleEnd();
  if (length > maxBytes) {
    throw new PromwireError(
      'LIMIT_EXCEEDED',
      `snappy: the block declares ${length} decoded bytes, over the limit of ${maxBytes} (maxBytes) at byte 0`,
      { line: 0, column: 0, offset: 0 },
      'maxBytes',
    );
  }
  const rest = input.length - start;
  const possible = Math.ceil(rest / 3) * MAX_COPY_LENGTH;
  if (length > possible) {
    throw fail(
      'INVALID_SNAPPY',
      `the block declares ${length} decoded bytes, but its ${rest} bytes of elements can decode to at most ${possible}`,
      0,
    );
  }
  const out = new Uint8Array(length);
  const end = decodeElements(input, start, out);
  if (end !== length) {
    throw fail('INVALID_SNAPPY', `the elements decode to ${end} bytes, fewer than the ${length} the block declares`, input.length);
  }
  return out;
}

/**
 * Decodes the elements of `src` from `s` into `out`; returns how many bytes
 * were written. Throws on any element that does not fit (no output byte is
 * written past `out.length`, no input byte read past `src.length`).
 */
function decodeElements(src: Uint8Array, s: number, out: Uint8Array): number {
  const n = src.length;
  const outLen = out.length;
  // Copies move 4 bytes at a time through DataViews (one unaligned load and store each
  // where V8 optimizes them) rather than byte by byte.
  const from32 = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const out32 = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let d = 0;
  while (s < n) {
    const at = s;
    const tag = src[s]!;
    const kind = tag & 3;
    let length: number;
    let offset: number;
    if (kind === TAG_LITERAL) {
      // 2.1: up to 60 bytes, (len - 1) in the upper six bits; above, those bits
      // say 60..63 for 1..4 little-endian bytes of (len - 1) after the tag.
      length = tag >>> 2;
      s++;
      if (length >= 60) {
        const extra = length - 59;
        if (s + extra > n) throw cut(`a literal's ${extra}-byte length`, at, n);
        length = src[s]!;
        if (extra > 1) length |= src[s + 1]! << 8;
        if (extra > 2) length |= src[s + 2]! << 16;
        // The fourth byte by multiplication: (len - 1) can reach 2^32 - 1, past a signed shift.
        if (extra > 3) length += src[s + 3]! * 0x1000000;
        s += extra;
      }
      length += 1;
      if (length > n - s) throw cut(`a literal of ${length} bytes (${n - s} left)`, at, n);
      if (length > outLen - d) {
        throw fail('INVALID_SNAPPY', `a literal of ${length} bytes runs past the declared length ${outLen} (${d} written)`, at);
      }
      // Short literals by words: a subarray() view and set() cost more below ~64 bytes.
      if (length < 64) {
        let i = 0;
        for (; i + 4 <= length; i += 4) out32.setInt32(d + i, from32.getInt32(s + i, true), true);
        for (; i < length; i++) out[d + i] = src[s + i]!;
      } else {
        out.set(src.subarray(s, s + length), d);
      }
      d += length;
      s += length;
      continue;
    }
    if (kind === TAG_COPY_1) {
      // 2.2.1: length 4..11 in bits 2..4, offset's upper three bits in 5..7, lower eight in the next byte.
      if (s + 2 > n) throw cut('a copy with a 1-byte offset', at, n);
      length = 4 + ((tag >>> 2) & 7);
      offset = ((tag & 0xe0) << 3) | src[s + 1]!;
      s += 2;
    } else if (kind === TAG_COPY_2) {
      // 2.2.2: length 1..64 in the upper six bits, a little-endian 16-bit offset.
      if (s + 3 > n) throw cut('a copy with a 2-byte offset', at, n);
      length = 1 + (tag >>> 2);
      offset = src[s + 1]! | (src[s + 2]! << 8);
      s += 3;
    } else {
      // 2.2.3: as 2.2.2 with a 32-bit offset (our compressor never writes one; others may).
      if (s + 5 > n) throw cut('a copy with a 4-byte offset', at, n);
      length = 1 + (tag >>> 2);
      offset = (src[s + 1]! | (src[s + 2]! << 8) | (src[s + 3]! << 16) | (src[s + 4]! << 24)) >>> 0;
      s += 5;
    }
    // 2.2: "Offsets of zero can be encoded, but are not legal", nor an offset past the current position.
    if (offset === 0) throw fail('INVALID_SNAPPY', 'a copy with offset 0', at);
    if (offset > d) throw fail('INVALID_SNAPPY', `a copy reaches ${offset} bytes back from output position ${d}, before the start`, at);
    if (length > outLen - d) {
      throw fail('INVALID_SNAPPY', `a copy of ${length} bytes runs past the declared length ${outLen} (${d} written)`, at);
    }
    // Forwards: when offset < length the copy reads bytes it has just written, which is
    // how the format spells a run ("xab" + copy(2, 4) = "xababab"). Words are safe from
    // offset 4 on (each word read was written before); closer repeats go byte by byte.
    const from = d - offset;
    let i = 0;
    if (offset >= 4) for (; i + 4 <= length; i += 4) out32.setInt32(d + i, out32.getInt32(from + i, true), true);
    for (; i < length; i++) out[d + i] = out[from + i]!;
    d += length;
  }
  return d;
}

function fail(code: ErrorCode, what: string, at: number): PromwireError {
  return new PromwireError(code, `snappy: ${what} at byte ${at}`, { line: 0, column: 0, offset: at });
}

function cut(what: string, at: number, n: number): PromwireError {
  return fail('UNEXPECTED_END', `the input ends (${n} bytes) inside ${what}`, at);
}
