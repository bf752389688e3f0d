/**
 * The facts of the snappy block format shared by the compressor and the
 * decompressor: the element tags, the block size, the bound on the compressed
 * size, and the preamble (the decoded length as a varint).
 *
 * Source: google/snappy `format_description.txt` (sections cited at each
 * rule); the compressor's constants follow golang/snappy `encode.go`. This is
 * the *block* format that Prometheus remote write sends (`Content-Encoding:
 * snappy`), not the framing format (`framing_format.txt`, stream identifier
 * and CRC-checked chunks), which remote write does not use.
 */
import { PromwireError } from '../errors.js';

// format_description.txt 2: the low two bits of an element's tag byte.
export const TAG_LITERAL = 0;
export const TAG_COPY_1 = 1;
export const TAG_COPY_2 = 2;
export const TAG_COPY_4 = 3;

/**
 * The compressor works on independent blocks of this many input bytes (copies
 * never reach into an earlier block), so every offset fits in 16 bits.
 * golang/snappy `maxBlockSize`, C++ `kBlockSize`.
 */
export const MAX_BLOCK_SIZE = 65536;

/** format_description.txt 1: the decoded length is at most 2^32 - 1, a varint of at most 5 bytes. */
export const MAX_DECODED_LENGTH = 0xffffffff;

/**
 * The default decoded-size limit of `snappyDecompress`: 32 MiB, what
 * Prometheus accepts in a remote request (`decodeReadLimit = 32 * 1024 * 1024`
 * in prometheus/prometheus `storage/remote/codec.go`; VictoriaMetrics'
 * `-maxInsertRequestSize` defaults to the same 32 MiB for remote write).
 */
export const DEFAULT_SNAPPY_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The largest compressed size of `n` input bytes: `32 + n + floor(n / 6)`
 * (golang/snappy `MaxEncodedLen`; the worst item is a 1-byte literal followed
 * by a 5-byte copy, 6 input bytes written as 7). `snappyCompress` allocates
 * this once; `snappyCompressInto` needs an output at least this long.
 */
export function snappyMaxCompressedLength(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_DECODED_LENGTH) {
    throw new PromwireError('INVALID_ARGUMENT', `snappy: input length must be an integer from 0 to 2^32 - 1, got ${n}`);
  }
  return 32 + n + Math.floor(n / 6);
}

/** Where `readPreamble` stopped: the offset of the first element (a module field, so the hot path returns one number). */
let preambleEnd = 0;

/** The byte offset just past the preamble read by the last `readPreamble` call. */
export function lastPreambleEnd(): number {
  return preambleEnd;
}

/**
 * Reads the decoded length (format_description.txt 1: a little-endian base-128
 * varint, 7 data bits per byte, the high bit set when more bytes follow, at
 * most 2^32 - 1 so at most 5 bytes). Throws `UNEXPECTED_END` when the input
 * ends inside it and `INVALID_SNAPPY` when it exceeds 32 bits. A longer
 * non-minimal spelling (`80 80 80 80 80 00`) is refused like C++ snappy's
 * `GetUncompressedLength` (5 bytes at most); golang/snappy's `binary.Uvarint`
 * would accept it, but no encoder writes one.
 */
export function readPreamble(input: Uint8Array): number {
  let value = 0;
  let scale = 1;
  const n = input.length;
  for (let i = 0; i < 5; i++) {
    if (i >= n) {
      throw new PromwireError(
        'UNEXPECTED_END',
        `snappy: the input ends inside the decoded-length preamble (${n} byte${n === 1 ? '' : 's'}) at byte ${n}`,
        { line: 0, column: 0, offset: n },
      );
    }
    const b = input[i]!;
    // Multiplication, not shifts: the fifth byte carries bits 28..31, past a signed 32-bit shift.
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (value > MAX_DECODED_LENGTH) break;
      preambleEnd = i + 1;
      return value;
    }
    scale *= 128;
  }
  throw new PromwireError(
    'INVALID_SNAPPY',
    'snappy: the decoded-length preamble exceeds 32 bits (2^32 - 1 is the largest length) at byte 0',
    {
      line: 0,
      column: 0,
      offset: 0,
    },
  );
}

/** Writes `n` (at most 2^32 - 1) as a varint at `out[at]`; returns the offset after it. */
export function writePreamble(out: Uint8Array, at: number, n: number): number {
  let v = n;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    // Division, not `>>>`: n can reach 2^32 - 1.
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}
