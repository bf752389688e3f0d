/**
 * The snappy block format (src/snappy): streams built by hand from google/snappy
 * `format_description.txt` (its own test data is binary files), exact compressor
 * output where the reference algorithm fixes it, every malformed input with its
 * code and byte offset, and every fixture cross-checked against snappyjs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SnappyJS from 'snappyjs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SNAPPY_MAX_BYTES,
  PromwireError,
  snappyCompress,
  snappyCompressInto,
  snappyDecodedLength,
  snappyDecompress,
  snappyMaxCompressedLength,
} from '../src/index.js';
import type { ErrorCode } from '../src/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const enc = new TextEncoder();
const dec = new TextDecoder();

const bytes = (...parts: (number | string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : typeof p === 'string' ? [...enc.encode(p)] : p)));

/** One element of a snappy stream, as the format describes it. */
interface Element {
  kind: 'literal' | 'copy1' | 'copy2' | 'copy4';
  /** Bytes of output it produces. */
  length: number;
  /** Copies: how far back. */
  offset: number;
  /** Output position it starts at. */
  at: number;
  /** Literals: how many bytes the length took after the tag (0..4). */
  lengthBytes: number;
}

/** Walks a valid stream into its elements (a second, independent reading of the format, for assertions). */
function elements(stream: Uint8Array): { declared: number; list: Element[] } {
  let s = 0;
  let declared = 0;
  for (let shift = 1; ; shift *= 128) {
    const b = stream[s++]!;
    declared += (b & 0x7f) * shift;
    if (b < 0x80) break;
  }
  const list: Element[] = [];
  let at = 0;
  while (s < stream.length) {
    const tag = stream[s]!;
    const upper = tag >> 2;
    switch (tag & 3) {
      case 0: {
        const lengthBytes = upper < 60 ? 0 : upper - 59;
        let len = upper;
        if (lengthBytes > 0) {
          len = 0;
          for (let i = lengthBytes; i >= 1; i--) len = len * 256 + stream[s + i]!;
        }
        len += 1;
        list.push({ kind: 'literal', length: len, offset: 0, at, lengthBytes });
        s += 1 + lengthBytes + len;
        at += len;
        break;
      }
      case 1:
        list.push({ kind: 'copy1', length: 4 + (upper & 7), offset: ((tag >> 5) << 8) | stream[s + 1]!, at, lengthBytes: 0 });
        s += 2;
        break;
      case 2:
        list.push({ kind: 'copy2', length: upper + 1, offset: stream[s + 1]! | (stream[s + 2]! << 8), at, lengthBytes: 0 });
        s += 3;
        break;
      default:
        list.push({
          kind: 'copy4',
          length: upper + 1,
          offset: new DataView(stream.buffer, stream.byteOffset + s + 1, 4).getUint32(0, true),
          at,
          lengthBytes: 0,
        });
        s += 5;
    }
    if (list.at(-1)!.kind !== 'literal') at += list.at(-1)!.length;
  }
  return { declared, list };
}

function expectError(f: () => unknown, code: ErrorCode, offset: number, message?: RegExp): PromwireError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PromwireError);
  const e = err as PromwireError;
  expect({ code: e.code, offset: e.offset }).toEqual({ code, offset });
  expect(e.message).toContain(`at byte ${offset}`);
  if (message !== undefined) expect(e.message).toMatch(message);
  return e;
}

/**
 * 65536 bytes in which no 2-byte sequence repeats, so no 4-byte word does: all literal for any
 * compressor. The order-2 de Bruijn sequence over bytes, as its Lyndon words in order: a, then a b for b > a.
 */
const DE_BRUIJN = Uint8Array.from(
  Array.from({ length: 256 }, (_, a) => [a, ...Array.from({ length: 255 - a }, (_, k) => [a, a + 1 + k]).flat()]).flat(),
);

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

describe('decompress: streams built from the format description', () => {
  it.each([
    ['empty', bytes(0x00), ''],
    // 2.1: (len - 1) in the tag's upper six bits.
    ['a literal', bytes(0x05, 4 << 2, 'hello'), 'hello'],
    // 2.2.1: literal "abcd", then 8 bytes from 4 back: tag (8 - 4) << 2 | 01, offset byte.
    ['a copy with a 1-byte offset', bytes(12, 3 << 2, 'abcd', (4 << 2) | 1, 4), 'abcdabcdabcd'],
    // 2.2.2: the same copy with a 16-bit offset: tag (8 - 1) << 2 | 10.
    ['a copy with a 2-byte offset', bytes(12, 3 << 2, 'abcd', (7 << 2) | 2, 4, 0), 'abcdabcdabcd'],
    // 2.2.3: and with a 32-bit offset: tag (8 - 1) << 2 | 11.
    ['a copy with a 4-byte offset', bytes(12, 3 << 2, 'abcd', (7 << 2) | 3, 4, 0, 0, 0), 'abcdabcdabcd'],
    // 2.2: "xababab" as <literal: "xab"> <copy: offset=2 length=4>, the description's own example.
    ['an overlapping copy (offset < length)', bytes(7, 2 << 2, 'xab', 1, 2), 'xababab'],
    // A run: one byte, then 64 from 1 back, forwards, byte by byte.
    ['a run (offset 1)', bytes(65, 0, 'z', (63 << 2) | 2, 1, 0), 'z'.repeat(65)],
    // Two literals in a row: never optimal, "nevertheless fully permitted".
    ['two literals in a row', bytes(4, 1 << 2, 'ab', 1 << 2, 'cd'), 'abcd'],
    ['a copy of one byte (2-byte offset)', bytes(3, 1 << 2, 'ab', 2, 2, 0), 'aba'],
  ])('%s', (_, stream, text) => {
    expect(dec.decode(snappyDecompress(stream))).toBe(text);
    expect(dec.decode(SnappyJS.uncompress(stream))).toBe(text);
  });

  it('literal lengths in 1, 2, 3 and 4 bytes after the tag (tags 60..63)', () => {
    for (const [n, tag, lenBytes] of [
      [61, 60, [60]],
      [256, 60, [255]],
      [257, 61, [0, 1]],
      [65536, 61, [255, 255]],
      [70000, 62, [0x6f, 0x11, 0x01]],
      [300, 63, [43, 1, 0, 0]],
    ] as const) {
      const payload = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
      const preamble = [];
      for (let v = n; ; v >>>= 7) {
        if (v < 0x80) {
          preamble.push(v);
          break;
        }
        preamble.push((v & 0x7f) | 0x80);
      }
      const stream = bytes(preamble, tag << 2, [...lenBytes], [...payload]);
      expect(same(snappyDecompress(stream), payload)).toBe(true);
    }
  });

  it('a 1-byte-offset copy carries offset bits 8..10 in the tag', () => {
    // 1500 = 0x5dc: tag 101 << 5 | (11 - 4) << 2 | 01, then 0xdc.
    const head = Uint8Array.from({ length: 1500 }, (_, i) => (i * 31 + 7) & 0xff);
    const stream = bytes(0xe7, 0x0b, 61 << 2, [0xdb, 0x05], [...head], (5 << 5) | (7 << 2) | 1, 0xdc);
    const out = snappyDecompress(stream);
    expect(out.length).toBe(1511);
    expect(same(out.subarray(1500), head.subarray(0, 11))).toBe(true);
  });

  it('a long copy (>= 32 bytes, no overlap) and the preamble of a 5-byte length', () => {
    const head = Uint8Array.from({ length: 64 }, (_, i) => i);
    const stream = bytes(128, 1, 60 << 2, 63, [...head], (63 << 2) | 2, 64, 0);
    const out = snappyDecompress(stream);
    expect(out.length).toBe(128);
    expect(same(out.subarray(64), head)).toBe(true);
    expect(snappyDecodedLength(bytes(0xff, 0xff, 0xff, 0xff, 0x0f))).toBe(0xffffffff);
    // A non-minimal spelling within 5 bytes is read (its value is what counts).
    expect(snappyDecodedLength(bytes(0x80, 0x80, 0x00))).toBe(0);
  });
});

describe('decompress: malformed input is a PromwireError with its byte offset', () => {
  it.each([
    ['empty input: no preamble', bytes(), 'UNEXPECTED_END', 0],
    ['a preamble cut after a continuation byte', bytes(0x80), 'UNEXPECTED_END', 1],
    ['a preamble cut after four continuation bytes', bytes(0xff, 0xff, 0xff, 0xff), 'UNEXPECTED_END', 4],
    ['a preamble over 32 bits (fifth byte > 15)', bytes(0xff, 0xff, 0xff, 0xff, 0x10), 'INVALID_SNAPPY', 0],
    ['a preamble longer than 5 bytes', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 'INVALID_SNAPPY', 0],
    ['a copy with offset 0', bytes(5, 0, 'a', 1, 0), 'INVALID_SNAPPY', 3],
    ['a copy reaching before the start', bytes(5, 0, 'a', 1, 2), 'INVALID_SNAPPY', 3],
    ['a stream starting with a copy', bytes(4, 1, 1), 'INVALID_SNAPPY', 1],
    ['a copy past the declared length', bytes(3, 0, 'a', 1, 1), 'INVALID_SNAPPY', 3],
    ['a literal past the declared length', bytes(1, 1 << 2, 'ab'), 'INVALID_SNAPPY', 1],
    ['a literal past the end of the input', bytes(5, 4 << 2, 'ab'), 'UNEXPECTED_END', 1],
    ['a literal whose length bytes are cut', bytes(5, 61 << 2, 1), 'UNEXPECTED_END', 1],
    ['a literal with a 4-byte length of 2^32', bytes(5, 63 << 2, 0xff, 0xff, 0xff, 0xff), 'UNEXPECTED_END', 1],
    ['a 1-byte-offset copy without its offset', bytes(5, 0, 'a', 1), 'UNEXPECTED_END', 3],
    ['a 2-byte-offset copy without its offset', bytes(5, 0, 'a', 2, 1), 'UNEXPECTED_END', 3],
    ['a 4-byte-offset copy without its offset', bytes(5, 0, 'a', 3, 1, 0, 0), 'UNEXPECTED_END', 3],
    ['a 4-byte offset beyond 2^31', bytes(9, 0, 'a', 3, 0, 0, 0, 0x80), 'INVALID_SNAPPY', 3],
    ['output shorter than declared', bytes(5, 0, 'a'), 'INVALID_SNAPPY', 3],
    ['elements after the declared length is reached', bytes(1, 0, 'a', 0, 'b'), 'INVALID_SNAPPY', 3],
  ] as const)('%s', (_, stream, code, offset) => {
    expectError(() => snappyDecompress(stream), code, offset);
  });

  it('the decoded length is refused before anything is allocated: over maxBytes, or more than the input can hold', () => {
    // 2^32 - 1 declared: over the default limit (32 MiB)...
    const bomb = bytes(0xff, 0xff, 0xff, 0xff, 0x0f, 0, 'a');
    const e = expectError(() => snappyDecompress(bomb), 'LIMIT_EXCEEDED', 0, /4294967295 decoded bytes, over the limit of 33554432/);
    expect(e.limit).toBe('maxBytes');
    // ... and, with no limit, more than 2 bytes of elements could ever produce (a 4 GiB allocation would fail otherwise).
    expectError(() => snappyDecompress(bomb, { maxBytes: Infinity }), 'INVALID_SNAPPY', 0, /can decode to at most 64/);
    // The bound is exact enough not to refuse the densest honest stream: 3 bytes -> 64.
    expect(snappyDecompress(bytes(65, 0, 'z', (63 << 2) | 2, 1, 0)).length).toBe(65);
    expectError(() => snappyDecompress(bytes(0x81, 0x01, 0, 'z', (63 << 2) | 2, 1, 0)), 'INVALID_SNAPPY', 0, /129 .*at most 128/);
  });

  it('maxBytes: 32 MiB by default, the declared length compared with it', () => {
    expect(DEFAULT_SNAPPY_MAX_BYTES).toBe(32 * 1024 * 1024);
    const over = snappyCompress(new Uint8Array(DEFAULT_SNAPPY_MAX_BYTES + 1));
    expectError(() => snappyDecompress(over), 'LIMIT_EXCEEDED', 0);
    expect(snappyDecompress(over, { maxBytes: DEFAULT_SNAPPY_MAX_BYTES + 1 }).length).toBe(DEFAULT_SNAPPY_MAX_BYTES + 1);
    const ten = snappyCompress(enc.encode('0123456789'));
    expect(snappyDecompress(ten, { maxBytes: 10 }).length).toBe(10);
    expectError(() => snappyDecompress(ten, { maxBytes: 9 }), 'LIMIT_EXCEEDED', 0);
    expect(snappyDecompress(bytes(0), { maxBytes: 0 }).length).toBe(0);
  });

  it('invalid arguments', () => {
    for (const maxBytes of [-1, Number.NaN]) {
      expect(() => snappyDecompress(bytes(0), { maxBytes })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(() => snappyMaxCompressedLength(-1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => snappyMaxCompressedLength(2 ** 32)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => snappyCompressInto(new Uint8Array(10), new Uint8Array(snappyMaxCompressedLength(10) - 1))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('snappyDecodedLength reads the preamble alone, with the same errors', () => {
    expect(snappyDecodedLength(bytes(0xfe, 0xff, 0x7f))).toBe(2097150); // format_description.txt 1's example
    expect(snappyDecodedLength(bytes(0x40, 0xff))).toBe(64);
    expectError(() => snappyDecodedLength(bytes(0xfe, 0xff)), 'UNEXPECTED_END', 2);
    expectError(() => snappyDecodedLength(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0x01)), 'INVALID_SNAPPY', 0);
  });
});

describe('compress: the reference algorithm', () => {
  it('empty and short inputs: the preamble, then one literal', () => {
    expect([...snappyCompress(new Uint8Array(0))]).toEqual([0]);
    expect([...snappyCompress(enc.encode('hello'))]).toEqual([5, 4 << 2, ...enc.encode('hello')]);
    // Under 17 bytes a block is a literal even when it repeats (golang/snappy minNonLiteralBlockSize).
    const aaa = enc.encode('a'.repeat(16));
    expect([...snappyCompress(aaa)]).toEqual([16, 15 << 2, ...aaa]);
  });

  it('a run: a 1-byte literal, then 64-byte copies with 2-byte offsets, the rest in one element', () => {
    // 100 x "a": literal "a", copy(1, 99) = copy2(64) + copy2(35) (35 >= 12: no 1-byte-offset form).
    expect([...snappyCompress(enc.encode('a'.repeat(100)))]).toEqual([100, 0, 0x61, (63 << 2) | 2, 1, 0, (34 << 2) | 2, 1, 0]);
    // 68 x "a": copy(1, 67) = copy2(60) + copy1(7): 3 + 2 bytes rather than 3 + 3 (golang/snappy emitCopy).
    expect([...snappyCompress(enc.encode('a'.repeat(68)))]).toEqual([68, 0, 0x61, (59 << 2) | 2, 1, 0, (3 << 2) | 1, 1]);
    // 12 x "a" + 8 others: copy(1, 11) fits the 1-byte-offset form (4..11).
    expect([...snappyCompress(enc.encode(`${'a'.repeat(12)}bcdefghi`))]).toEqual([
      20,
      0,
      0x61,
      (7 << 2) | 1,
      1,
      7 << 2,
      ...enc.encode('bcdefghi'),
    ]);
  });

  it('literal lengths in the tag up to 60 bytes, then 1 byte, then 2 bytes', () => {
    for (const [n, lengthBytes] of [
      [60, 0],
      [61, 1],
      [256, 1],
      [257, 2],
      [65536, 2],
    ] as const) {
      const input = DE_BRUIJN.subarray(0, n);
      const { list } = elements(snappyCompress(input));
      expect(list.map((e) => e.kind)).toEqual(['literal']);
      expect(list[0]!.lengthBytes).toBe(lengthBytes);
    }
  });

  it('the output is allocated once, at the bound; snappyCompressInto writes the same bytes', () => {
    const input = readFileSync(join(FIXTURES, 'node_exporter.prom'));
    const out = snappyCompress(input);
    expect(out.buffer.byteLength).toBe(snappyMaxCompressedLength(input.length));
    expect(snappyMaxCompressedLength(0)).toBe(32);
    expect(snappyMaxCompressedLength(6)).toBe(39);
    const into = new Uint8Array(snappyMaxCompressedLength(input.length) + 10);
    const n = snappyCompressInto(input, into);
    expect(same(into.subarray(0, n), out)).toBe(true);
    // Reused buffers: a second, shorter input leaves no trace of the first.
    const m = snappyCompressInto(enc.encode('short'), into);
    expect(dec.decode(snappyDecompress(into.subarray(0, m)))).toBe('short');
  });

  it('views at any byte offset into a larger buffer, in and out (32-bit words read unaligned)', () => {
    const payload = readFileSync(join(FIXTURES, 'prometheus.prom'));
    const expected = snappyCompress(payload).slice();
    for (const at of [1, 2, 3, 5]) {
      const backing = new Uint8Array(payload.length + 16).fill(0xaa);
      backing.set(payload, at);
      const view = backing.subarray(at, at + payload.length);
      expect(same(snappyCompress(view), expected)).toBe(true);
      const streamBacking = new Uint8Array(expected.length + 16).fill(0x55);
      streamBacking.set(expected, at);
      expect(same(snappyDecompress(streamBacking.subarray(at, at + expected.length)), payload)).toBe(true);
      // The bytes around the views are untouched.
      expect(backing[at - 1]).toBe(0xaa);
      expect(backing[at + payload.length]).toBe(0xaa);
    }
  });

  it('64 KiB blocks: no copy reaches into an earlier block or across a block end', () => {
    // A repeating 1000-byte pattern: every block has long copies right up to its edges.
    const unit = Uint8Array.from({ length: 1000 }, (_, i) => (i * 97 + 11) & 0xff);
    for (const n of [65536, 65537, 65536 + 16, 65536 + 17, 3 * 65536 + 1234]) {
      const input = Uint8Array.from({ length: n }, (_, i) => unit[i % 1000]!);
      const stream = snappyCompress(input);
      const { declared, list } = elements(stream);
      expect(declared).toBe(n);
      for (const e of list) {
        const block = Math.floor(e.at / 65536);
        if (e.kind !== 'literal') expect(e.at - e.offset).toBeGreaterThanOrEqual(block * 65536);
        expect(e.at + e.length).toBeLessThanOrEqual((block + 1) * 65536);
      }
      // Each block starts with a literal (nothing to copy from yet).
      for (let b = 0; b * 65536 < n; b++) expect(list.find((e) => e.at === b * 65536)?.kind).toBe('literal');
      expect(same(snappyDecompress(stream), input)).toBe(true);
      expect(same(SnappyJS.uncompress(stream), input)).toBe(true);
    }
  });

  it('incompressible input: the bound holds and the data goes out as literals', () => {
    let x = 0x9e3779b9;
    const noise = Uint8Array.from({ length: 200_000 }, () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x & 0xff;
    });
    const out = snappyCompress(noise);
    expect(out.length).toBeLessThanOrEqual(snappyMaxCompressedLength(noise.length));
    // Literal overhead only: 3 bytes per 64 KiB block plus the preamble, give or take a stray 4-byte match.
    expect(out.length).toBeLessThan(noise.length + 64);
    expect(same(snappyDecompress(out), noise)).toBe(true);
  });
});

describe('fixtures: cross-checked with snappyjs both ways', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(prom|txt)$/.test(f));

  it('there are fixtures to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s', (file) => {
    const input = new Uint8Array(readFileSync(join(FIXTURES, file)));
    const ours = snappyCompress(input);
    const theirs = SnappyJS.compress(input);
    expect(same(snappyDecompress(ours), input)).toBe(true);
    expect(same(SnappyJS.uncompress(ours), input)).toBe(true);
    expect(same(snappyDecompress(theirs), input)).toBe(true);
    // The same algorithm: the ratio within 1% of snappyjs's (a port of C++ snappy).
    expect(ours.length).toBeLessThanOrEqual(Math.ceil(theirs.length * 1.01));
    expect(snappyDecodedLength(ours)).toBe(input.length);
    // Tag choices: copies of 4..11 bytes under 2048 back take the 2-byte form, nothing else does; no 4-byte offsets.
    const { list } = elements(ours);
    expect(list[0]!.kind).toBe('literal');
    for (const e of list) {
      if (e.kind === 'copy1') expect(e.length <= 11 && e.offset < 2048).toBe(true);
      if (e.kind === 'copy2') expect(e.length >= 12 || e.offset >= 2048).toBe(true);
      if (e.kind !== 'literal') expect(e.length).toBeGreaterThanOrEqual(4);
      expect(e.kind).not.toBe('copy4');
    }
  });
});
