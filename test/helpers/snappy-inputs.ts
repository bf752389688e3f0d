/**
 * The inputs the snappy tests draw from (fast-check arbitraries): data to
 * compress of several kinds, and bytes biased to the block format for the
 * decoder. Shared by test/snappy.prop.test.ts and
 * test/integration/snappy-golang.test.ts.
 */
import fc from 'fast-check';

const enc = new TextEncoder();

/** Random bytes, sometimes longer than a 64 KiB block. */
export const randomBytes = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 5 },
  { arbitrary: fc.uint8Array({ minLength: 60_000, maxLength: 140_000 }), weight: 1 },
);

/** A few short pieces repeated at random: long copies, runs, overlapping copies, block edges. */
export const repetitiveBytes = fc
  .tuple(
    fc.array(fc.uint8Array({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
    fc.array(fc.nat(), { minLength: 1, maxLength: 400 }),
    fc.integer({ min: 1, max: 40 }),
  )
  .map(([pieces, picks, repeat]) => {
    const parts: number[] = [];
    for (let r = 0; r < repeat; r++) for (const p of picks) parts.push(...pieces[p % pieces.length]!);
    return Uint8Array.from(parts);
  });

/** Lines that look like an exposition payload: names, labels, numbers, newlines. */
export const textLikeBytes = fc
  .array(
    fc.tuple(
      fc.constantFrom('http_requests_total', 'process_cpu_seconds_total', 'node_disk_io_time_seconds_total', 'go_gc_duration_seconds'),
      fc.array(fc.tuple(fc.constantFrom('job', 'instance', 'method', 'code', 'le'), fc.stringMatching(/^[a-z0-9.:_-]{0,16}$/)), {
        maxLength: 4,
      }),
      fc.oneof(fc.double({ noNaN: true }), fc.integer()),
    ),
    { maxLength: 600 },
  )
  .map((lines) =>
    enc.encode(lines.map(([name, labels, v]) => `${name}{${labels.map(([k, x]) => `${k}="${x}"`).join(',')}} ${v}\n`).join('')),
  );

export const anyInput = fc.oneof(randomBytes, repetitiveBytes, textLikeBytes);

/** Short valid inputs for the mutation fuzz (many runs, each cheap). */
export const smallInput = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }),
  repetitiveBytes.filter((b) => b.length > 0 && b.length < 5000),
  textLikeBytes.filter((b) => b.length > 0 && b.length < 5000),
);

/** Bytes biased to the format: small preambles, tags of every kind, small offsets. */
export const streamByte = fc.oneof(
  fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0d, 0x11, 0xee, 0xef, 0xf0, 0xf4, 0xf8, 0xfc, 0xfe, 0xff, 0x80),
  fc.integer({ min: 0, max: 255 }),
);

/** One element of a hand-built block: its kind, its length, and where a copy reaches back to. */
type Element =
  | { kind: 'literal'; len: number; extra: number; seed: number }
  | { kind: 'copy1' | 'copy2' | 'copy4'; len: number; pick: number };

const element: fc.Arbitrary<Element> = fc.oneof(
  fc.record({
    kind: fc.constant('literal' as const),
    // Up to 60 bytes fit the tag; above, 1..4 extra length bytes; 65536 + n needs three.
    len: fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 60 }), weight: 40 },
      { arbitrary: fc.integer({ min: 61, max: 300 }), weight: 20 },
      { arbitrary: fc.integer({ min: 65_000, max: 70_000 }), weight: 1 },
    ),
    // Extra length bytes beyond the fewest (format_description.txt 2.1 allows a longer spelling).
    extra: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
    seed: fc.nat(255),
  }),
  fc.record({ kind: fc.constant('copy1' as const), len: fc.integer({ min: 4, max: 11 }), pick: fc.nat() }),
  fc.record({ kind: fc.constant('copy2' as const), len: fc.integer({ min: 1, max: 64 }), pick: fc.nat() }),
  fc.record({ kind: fc.constant('copy4' as const), len: fc.integer({ min: 1, max: 64 }), pick: fc.nat() }),
);

/**
 * Valid blocks built element by element, with what they decode to: literals
 * with 0 to 4 extra length bytes (the longer spellings too), copies with 1-,
 * 2- and 4-byte offsets reaching anywhere back (overlapping runs included),
 * and a preamble padded to up to 5 bytes. The encoders write only some of
 * these forms (no 4-byte offsets, no 3- or 4-byte literal lengths).
 */
export const builtBlock: fc.Arbitrary<{ block: Uint8Array; decoded: Uint8Array }> = fc
  .tuple(fc.array(element, { maxLength: 30 }), fc.integer({ min: 0, max: 4 }))
  .map(([elements, pad]) => {
    const out: number[] = [];
    const body: number[] = [];
    for (const e of elements) {
      if (e.kind === 'literal') {
        const n = e.len - 1;
        const fewest = n < 60 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
        const extra = Math.min(4, fewest + e.extra);
        if (extra === 0) body.push(n << 2);
        else {
          body.push((59 + extra) << 2);
          for (let i = 0; i < extra; i++) body.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
        }
        for (let i = 0; i < e.len; i++) {
          const b = (e.seed + i * 7) & 0xff;
          body.push(b);
          out.push(b);
        }
        continue;
      }
      const max = e.kind === 'copy1' ? 2047 : e.kind === 'copy2' ? 65535 : 0xffffffff;
      if (out.length === 0) continue;
      const offset = 1 + (e.pick % Math.min(out.length, max));
      if (e.kind === 'copy1') body.push(1 | ((e.len - 4) << 2) | ((offset >> 8) << 5), offset & 0xff);
      else if (e.kind === 'copy2') body.push(2 | ((e.len - 1) << 2), offset & 0xff, offset >> 8);
      else body.push(3 | ((e.len - 1) << 2), offset & 0xff, (offset >> 8) & 0xff, (offset >> 16) & 0xff, offset >>> 24);
      for (let i = 0; i < e.len; i++) out.push(out[out.length - offset]!);
    }
    // The preamble: the decoded length as a varint, padded with 0x80 continuation bytes to at most 5.
    const pre: number[] = [];
    let v = out.length;
    while (v >= 0x80) {
      pre.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    pre.push(v);
    for (let i = 0; i < pad && pre.length < 5; i++) {
      pre[pre.length - 1]! |= 0x80;
      pre.push(0);
    }
    return { block: Uint8Array.from([...pre, ...body]), decoded: Uint8Array.from(out) };
  });

/**
 * Rare forms written by hand, with what they decode to (undefined: refused):
 * what neither encoder writes and random bytes seldom spell correctly.
 */
export function handMadeBlocks(): { what: string; block: Uint8Array; decoded: Uint8Array | undefined }[] {
  const big = 65_537;
  const body = new Uint8Array(big).map((_, i) => (i * 13) & 0xff);
  const lit3 = new Uint8Array(7 + big);
  // Preamble 65537 (81 80 04); tag 62 << 2: (len - 1) = 65536 in 3 little-endian bytes.
  lit3.set([0x81, 0x80, 0x04, 0xf8, 0x00, 0x00, 0x01]);
  lit3.set(body, 7);
  return [
    {
      what: "CI's seed 1826655384: ends in a literal with a 1-byte extra length",
      block: Uint8Array.from([3, 4, 0, 0, 240, 0, 0]),
      decoded: Uint8Array.from([0, 0, 0]),
    },
    {
      what: 'a copy with a 4-byte offset of 1 (an overlapping run)',
      block: Uint8Array.from([5, 0x00, 0x61, 0x0f, 1, 0, 0, 0]),
      decoded: Uint8Array.from([0x61, 0x61, 0x61, 0x61, 0x61]),
    },
    { what: 'a literal whose length takes 3 extra bytes', block: lit3, decoded: body },
    {
      what: 'a literal of 2^24 + 1 bytes (4th length byte 1) in a 7-byte input',
      block: Uint8Array.from([1, 0xfc, 0, 0, 0, 1, 0x41]),
      decoded: undefined,
    },
    {
      what: 'a 5-byte preamble of 2^32 - 1 and nothing after it',
      block: Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
      decoded: undefined,
    },
    { what: 'a 5-byte preamble of 2^32', block: Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x10]), decoded: undefined },
    {
      what: 'a 6-byte preamble spelling 0 (C++ snappy and promwire refuse it; golang/snappy reads it)',
      block: Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
      decoded: undefined,
    },
    {
      what: 'a 5-byte preamble spelling 1 (padded), then a literal',
      block: Uint8Array.from([0x81, 0x80, 0x80, 0x80, 0x00, 0x00, 0x7a]),
      decoded: Uint8Array.from([0x7a]),
    },
  ];
}
