/**
 * Snappy block compression: the reference algorithm's shape (C++ snappy
 * `CompressFragment`, golang/snappy `encodeBlock` in `encode_other.go`), so the
 * output and the ratio match what Prometheus and every other remote-write
 * client write:
 *
 * - the input is cut into independent 64 KiB blocks (copies never cross one);
 * - per block, a hash table of 4-byte sequences (up to 2^14 entries of 16-bit
 *   positions) finds a candidate match; a hit is extended byte by byte and
 *   emitted as a copy, the bytes since the last copy as one literal;
 * - after 32 misses in a row the scan steps 2 bytes at a time, after 32 more
 *   3, and so on (incompressible data is skimmed, not searched);
 * - after a copy, the positions just before and at its end are hashed, so a
 *   second copy can follow at once.
 *
 * Tag choices (format_description.txt 2.1, 2.2): a literal of up to 60 bytes
 * in its tag, else a 1- or 2-byte length; a copy of 4..11 bytes with an offset
 * under 2048 as a 2-byte element (1-byte offset), anything else as 3-byte
 * elements (2-byte offset) of at most 64 bytes. The compressor never writes a
 * 4-byte offset: blocks are 64 KiB.
 */
import { PromwireError } from '../errors.js';
import { MAX_BLOCK_SIZE, TAG_COPY_1, TAG_COPY_2, TAG_LITERAL, snappyMaxCompressedLength, writePreamble } from './format.js';

/**
 * Bytes kept free at a block's end by the match search (golang/snappy
 * `inputMargin`): the search never reads a 4-byte word past the block, and the
 * same cut-off as the reference keeps the output the same.
 */
const INPUT_MARGIN = 15;

/** Blocks shorter than this are one literal (golang/snappy `minNonLiteralBlockSize`: 1 + 1 + INPUT_MARGIN). */
const MIN_NON_LITERAL_BLOCK = 17;

/** The hash table's largest size, 2^14 entries (reference: 1<<8 .. 1<<14, growing with the block). */
const MAX_TABLE_BITS = 14;

/**
 * One table for every call: 32 KiB reused, cleared per block over the part in
 * use, rather than allocated per call or per block. Safe because compression
 * runs to completion synchronously (nothing can re-enter it).
 */
const table = new Uint16Array(1 << MAX_TABLE_BITS);

/** The reference hash: multiply by 0x1e35a7bd, keep the top `32 - shift` bits. */
const HASH_MUL = 0x1e35a7bd;

/**
 * Compresses `input` into a snappy block. The output is allocated once, at
 * the bound `snappyMaxCompressedLength(input.length)`, and returned as a view
 * of its first bytes: copy it (`.slice()`) to keep it long, or use
 * `snappyCompressInto` with a buffer of your own to reuse one across calls.
 */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(snappyMaxCompressedLength(input.length));
  return out.subarray(0, compressTo(input, out));
}

/**
 * Compresses `input` into `output` (at least `snappyMaxCompressedLength(input.length)`
 * bytes long); returns the compressed length. Nothing is allocated.
 */
export function snappyCompressInto(input: Uint8Array, output: Uint8Array): number {
  const need = snappyMaxCompressedLength(input.length);
  if (output.length < need) {
    throw new PromwireError(
      'INVALID_ARGUMENT',
      `snappyCompressInto: the output has ${output.length} bytes, ${need} are needed for ${input.length} input bytes (snappyMaxCompressedLength)`,
    );
  }
  return compressTo(input, output);
}

function compressTo(src: Uint8Array, dst: Uint8Array): number {
  const n = src.length;
  // Little-endian 32-bit words through a DataView: one unaligned load each where V8
  // optimizes it, rather than four byte loads and three shifts.
  const words = new DataView(src.buffer, src.byteOffset, src.byteLength);
  let d = writePreamble(dst, 0, n);
  for (let b0 = 0; b0 < n; b0 += MAX_BLOCK_SIZE) {
    const b1 = Math.min(b0 + MAX_BLOCK_SIZE, n);
    d = b1 - b0 < MIN_NON_LITERAL_BLOCK ? emitLiteral(dst, d, src, b0, b1) : compressBlock(src, words, b0, b1, dst, d);
  }
  return d;
}

/**
 * Compresses `src[b0, b1)` (17 bytes to 64 KiB) to `dst` from `d`; returns the
 * new end of `dst`. The table holds positions relative to `b0` (they fit in 16
 * bits); a fresh entry of 0 points at the block's first byte, a valid if
 * useless candidate that the 4-byte comparison settles, as in the reference.
 */
function compressBlock(src: Uint8Array, words: DataView, b0: number, b1: number, dst: Uint8Array, d: number): number {
  const len = b1 - b0;
  let bits = 8;
  while (bits < MAX_TABLE_BITS && 1 << bits < len) bits++;
  const shift = 32 - bits;
  table.fill(0, 0, 1 << bits);

  const sLimit = b1 - INPUT_MARGIN;
  let nextEmit = b0;
  // A block starts with a literal: nothing precedes its first byte.
  let s = b0 + 1;
  let nextHash = Math.imul(words.getInt32(s, true), HASH_MUL) >>> shift;

  outer: for (;;) {
    // The search for a 4-byte match, skipping faster the longer it misses.
    let skip = 32;
    let nextS = s;
    let candidate = 0;
    for (;;) {
      s = nextS;
      const step = skip >>> 5;
      nextS = s + step;
      skip += step;
      if (nextS > sLimit) break outer;
      candidate = b0 + table[nextHash]!;
      table[nextHash] = s - b0;
      nextHash = Math.imul(words.getInt32(nextS, true), HASH_MUL) >>> shift;
      if (words.getInt32(s, true) === words.getInt32(candidate, true)) break;
    }

    d = emitLiteral(dst, d, src, nextEmit, s);

    // Copies, as long as the bytes right after one start another match.
    for (;;) {
      const base = s;
      let i = candidate + 4;
      s += 4;
      // Four bytes at a time while a whole word fits, then byte by byte.
      while (s + 4 <= b1 && words.getInt32(i, true) === words.getInt32(s, true)) {
        i += 4;
        s += 4;
      }
      while (s < b1 && src[i] === src[s]) {
        i++;
        s++;
      }
      d = emitCopy(dst, d, base - candidate, s - base);
      nextEmit = s;
      if (s >= sLimit) break outer;

      // Hash the positions before and at the copy's end: a repeat right here is the common case.
      table[Math.imul(words.getInt32(s - 1, true), HASH_MUL) >>> shift] = s - 1 - b0;
      const word = words.getInt32(s, true);
      const h = Math.imul(word, HASH_MUL) >>> shift;
      candidate = b0 + table[h]!;
      table[h] = s - b0;
      if (word !== words.getInt32(candidate, true)) {
        s++;
        nextHash = Math.imul(words.getInt32(s, true), HASH_MUL) >>> shift;
        break;
      }
    }
  }

  return nextEmit < b1 ? emitLiteral(dst, d, src, nextEmit, b1) : d;
}

/** Writes `src[from, to)` (1 to 65536 bytes) as one literal at `dst[d]`; returns the new end. */
function emitLiteral(dst: Uint8Array, d: number, src: Uint8Array, from: number, to: number): number {
  const n = to - from - 1;
  if (n < 60) {
    dst[d++] = (n << 2) | TAG_LITERAL;
  } else if (n < 0x100) {
    dst[d++] = (60 << 2) | TAG_LITERAL;
    dst[d++] = n;
  } else {
    // A block is at most 64 KiB, so (len - 1) fits the 2-byte form (61).
    dst[d++] = (61 << 2) | TAG_LITERAL;
    dst[d++] = n & 0xff;
    dst[d++] = n >>> 8;
  }
  // Short literals by hand: a subarray() view and set() cost more than the loop below ~16 bytes.
  if (n < 16) {
    for (let i = from; i < to; i++) dst[d++] = src[i]!;
    return d;
  }
  dst.set(src.subarray(from, to), d);
  return d + n + 1;
}

/** Writes a copy of `length` (>= 4) bytes from `offset` (1..65535) back; returns the new end. */
function emitCopy(dst: Uint8Array, d: number, offset: number, length: number): number {
  const lo = offset & 0xff;
  const hi = offset >>> 8;
  // 64-byte copies (3 bytes each) while more than 67 remain. Between 65 and 67, a
  // 60-byte copy first, so that the rest (5..7) still fits a 2-byte element rather
  // than leaving 1..3 bytes that only a 3-byte element can carry (golang/snappy emitCopy).
  while (length >= 68) {
    dst[d++] = (63 << 2) | TAG_COPY_2;
    dst[d++] = lo;
    dst[d++] = hi;
    length -= 64;
  }
  if (length > 64) {
    dst[d++] = (59 << 2) | TAG_COPY_2;
    dst[d++] = lo;
    dst[d++] = hi;
    length -= 60;
  }
  if (length >= 12 || offset >= 2048) {
    dst[d++] = ((length - 1) << 2) | TAG_COPY_2;
    dst[d++] = lo;
    dst[d++] = hi;
    return d;
  }
  // 2.2.1: offset bits 8..10 in the tag's top three bits, (length - 4) in bits 2..4.
  dst[d++] = (hi << 5) | ((length - 4) << 2) | TAG_COPY_1;
  dst[d++] = lo;
  return d;
}
