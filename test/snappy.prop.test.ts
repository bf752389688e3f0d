/**
 * Snappy properties (src/snappy): random, highly repetitive and text-like bytes
 * round-trip through promwire and snappyjs in every direction; blocks built
 * element by element (every element form, test/helpers/snappy-inputs.ts
 * builtBlock) decode to what they were built from; and any bytes given to the
 * decompressor give what the reference decoder written from the format
 * description gives (test/helpers/snappy-reference.ts), within maxBytes, or a
 * PromwireError. test/integration/snappy-golang.test.ts holds both to
 * golang/snappy.
 */
import fc from 'fast-check';
import SnappyJS from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { PromwireError, snappyCompress, snappyDecompress, snappyMaxCompressedLength } from '../src/index.js';
import { anyInput, builtBlock, handMadeBlocks, smallInput, streamByte } from './helpers/snappy-inputs.js';
import { referenceSnappyDecode } from './helpers/snappy-reference.js';

const RUNS = Number(process.env.PROP_RUNS ?? 200);

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

describe('round trips', () => {
  it('promwire compress -> promwire decompress, within the bound', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const c = snappyCompress(input);
        expect(c.length).toBeLessThanOrEqual(snappyMaxCompressedLength(input.length));
        expect(same(snappyDecompress(c, { maxBytes: Infinity }), input)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('promwire compress -> snappyjs uncompress', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        expect(same(SnappyJS.uncompress(snappyCompress(input)), input)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('snappyjs compress -> promwire decompress', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        expect(same(snappyDecompress(SnappyJS.compress(input), { maxBytes: Infinity }), input)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Decompresses, and checks promwire against the reference decoder written from
 * the format description (test/helpers/snappy-reference.ts): the same blocks
 * accepted with the same bytes, the same refused; the only failure is a
 * PromwireError, and a result never exceeds maxBytes. Where snappyjs also
 * accepts, it must give the same bytes (it refuses some valid blocks, see the
 * helper, so it cannot decide acceptance).
 */
function decompressOrPromwireError(input: Uint8Array, maxBytes: number): void {
  const reference = referenceSnappyDecode(input);
  let out: Uint8Array;
  try {
    out = snappyDecompress(input, { maxBytes });
  } catch (e) {
    if (!(e instanceof PromwireError)) throw e;
    expect(['INVALID_SNAPPY', 'UNEXPECTED_END', 'LIMIT_EXCEEDED']).toContain(e.code);
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(input.length);
    if (e.code === 'LIMIT_EXCEEDED') expect(reference.declared).toBeGreaterThan(maxBytes);
    else expect(reference.ok, `promwire refused (${e.message}) a block the reference decodes`).toBe(false);
    return;
  }
  expect(out.length).toBeLessThanOrEqual(maxBytes);
  expect(reference.ok, `promwire accepted a block the reference refuses: ${reference.ok ? '' : reference.why}`).toBe(true);
  if (reference.ok) expect(same(reference.bytes, out)).toBe(true);
  let viaSnappyjs: Uint8Array | undefined;
  try {
    viaSnappyjs = SnappyJS.uncompress(input);
  } catch {
    viaSnappyjs = undefined;
  }
  if (viaSnappyjs !== undefined) expect(same(viaSnappyjs, out)).toBe(true);
}

describe('fuzz: any bytes give a result within maxBytes or a PromwireError', () => {
  it.each(handMadeBlocks())('$what', ({ block, decoded }) => {
    if (decoded === undefined) {
      expect(() => snappyDecompress(block, { maxBytes: Infinity })).toThrow(PromwireError);
      expect(referenceSnappyDecode(block).ok).toBe(false);
    } else {
      expect(same(snappyDecompress(block, { maxBytes: Infinity }), decoded)).toBe(true);
      const reference = referenceSnappyDecode(block);
      expect(reference.ok && same(reference.bytes, decoded)).toBe(true);
    }
    decompressOrPromwireError(block, 1 << 17);
    decompressOrPromwireError(block, 2);
  });

  it('arbitrary and format-biased bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.array(streamByte, { maxLength: 200 }).map((a) => Uint8Array.from(a)),
        ),
        fc.constantFrom(0, 64, 1 << 16),
        (input, maxBytes) => decompressOrPromwireError(input, maxBytes),
      ),
      { numRuns: 5000 },
    );
  });

  it('blocks built element by element decode to what they were built from, as the reference decodes them', () => {
    fc.assert(
      fc.property(builtBlock, ({ block, decoded }) => {
        expect(same(snappyDecompress(block, { maxBytes: Infinity }), decoded)).toBe(true);
        const reference = referenceSnappyDecode(block);
        expect(reference.ok && same(reference.bytes, decoded)).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('mutations of built blocks: bytes changed, cut', () => {
    fc.assert(
      fc.property(
        builtBlock,
        fc.array(fc.tuple(fc.nat(), streamByte), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        ({ block }, edits, cut) => {
          const c = block.slice();
          for (const [at, b] of edits) c[at % c.length] = b;
          decompressOrPromwireError(c.subarray(0, c.length - (cut % Math.min(4, c.length))), 1 << 17);
        },
      ),
      { numRuns: RUNS * 5 },
    );
  });

  it('mutations of valid streams: bytes changed, cut', () => {
    fc.assert(
      fc.property(smallInput, fc.array(fc.tuple(fc.nat(), streamByte), { minLength: 1, maxLength: 4 }), fc.nat(), (input, edits, cut) => {
        const c = SnappyJS.compress(input).slice();
        for (const [at, b] of edits) c[at % c.length] = b;
        decompressOrPromwireError(c.subarray(0, c.length - (cut % Math.min(4, c.length))), 1 << 16);
      }),
      { numRuns: 2000 },
    );
  });
});
