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
