/**
 * promwire's snappy codec judged by golang/snappy 1.0.0, the library
 * Prometheus 3.5 decodes remote-write bodies with (storage/remote codec.go),
 * run as test/integration/go/snappy-decode (Debian sid's sources, GOPATH mode).
 *
 * - Decoding: every one of about 13,000 blocks is accepted by both with the
 *   same bytes, or refused by both. The accepted ones that matter are the
 *   hand-made rare forms and the blocks built element by element
 *   (test/helpers/snappy-inputs.ts: 4-byte offsets, 3- and 4-byte literal
 *   lengths, padded preambles; golang/snappy must decode those to what they
 *   were built from), and valid blocks of both encoders and built ones with
 *   bytes changed and cut; random and format-biased bytes are nearly all
 *   refusals, which both must agree on too. One
 *   difference is by design (src/snappy/format.ts readPreamble): a preamble
 *   longer than 5 bytes, which golang/snappy's binary.Uvarint reads and C++
 *   snappy and promwire refuse.
 * - The reference decoder the unit fuzz uses (test/helpers/snappy-reference.ts)
 *   agrees with golang/snappy on the same blocks, so the unit test's oracle is
 *   checked against the real one here.
 * - Encoding: golang/snappy decodes what promwire compresses, and promwire
 *   decodes what golang/snappy compresses, to the original bytes.
 *
 * The inputs come from fixed seeds, so a failure names a block that fails again.
 */
import fc from 'fast-check';
import SnappyJS from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { PromwireError, snappyCompress, snappyDecompress } from '../../src/index.js';
import { anyInput, builtBlock, handMadeBlocks, smallInput, streamByte } from '../helpers/snappy-inputs.js';
import { referenceSnappyDecode } from '../helpers/snappy-reference.js';
import { runGo } from './helpers.js';

/** Records for snappy-decode: a little-endian uint32 length, then the bytes. */
function records(blocks: Uint8Array[]): Uint8Array {
  const out = Buffer.alloc(blocks.reduce((n, b) => n + 4 + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.writeUInt32LE(b.length, at);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

type GoResult = { ok: true; bytes: string } | { ok: false; why: string };

async function golang(blocks: Uint8Array[], args: string[] = []): Promise<GoResult[]> {
  const lines = (await runGo('snappy-decode', args, records(blocks))).toString('utf8').split('\n');
  lines.pop();
  expect(lines.length).toBe(blocks.length);
  return lines.map((l) => (l.startsWith('ok ') ? { ok: true, bytes: l.slice(3) } : { ok: false, why: l.slice(4) }));
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function promwire(block: Uint8Array): GoResult {
  try {
    return { ok: true, bytes: hex(snappyDecompress(block, { maxBytes: Infinity })) };
  } catch (e) {
    if (!(e instanceof PromwireError)) throw e;
    return { ok: false, why: `${e.code}: ${e.message}` };
  }
}

/** The preamble's length in bytes (a varint: bytes with the high bit set, then one without). */
function preambleLength(block: Uint8Array): number {
  let i = 0;
  while (i < block.length && block[i]! >= 0x80) i++;
  return i + 1;
}

/** The blocks compared, and what each decodes to where that is known by construction. */
function blocks(): { block: Uint8Array; decoded?: Uint8Array }[] {
  const out: { block: Uint8Array; decoded?: Uint8Array }[] = handMadeBlocks().map(({ block, decoded }) =>
    decoded === undefined ? { block } : { block, decoded },
  );
  // Valid blocks of every element form (4-byte offsets, 3- and 4-byte literal lengths, padded preambles).
  out.push(...fc.sample(builtBlock, { seed: 6, numRuns: 600 }));
  // Random bytes and bytes biased to the format: nearly all refused, which both must do alike.
  for (const block of fc.sample(fc.uint8Array({ maxLength: 200 }), { seed: 1, numRuns: 3000 })) out.push({ block });
  const biased = fc.array(streamByte, { maxLength: 200 }).map((a) => Uint8Array.from(a));
  for (const block of fc.sample(biased, { seed: 2, numRuns: 5000 })) out.push({ block });
  // Valid blocks of both encoders and built ones, with bytes changed and the end cut.
  const mutated = fc
    .tuple(
      fc.oneof(
        smallInput.map((input) => snappyCompress(input)),
        smallInput.map((input) => SnappyJS.compress(input) as Uint8Array),
        builtBlock.map((b) => b.block),
      ),
      fc.array(fc.tuple(fc.nat(), streamByte), { maxLength: 4 }),
      fc.nat(),
    )
    .map(([valid, edits, cut]) => {
      const c = valid.slice();
      for (const [at, b] of edits) c[at % c.length] = b;
      return c.subarray(0, c.length - (cut % Math.min(4, c.length)));
    });
  for (const block of fc.sample(mutated, { seed: 3, numRuns: 4000 })) out.push({ block });
  return out;
}

describe('snappy: promwire and golang/snappy (Prometheus 3.5 remote write)', () => {
  it('accept and refuse the same blocks, with the same bytes; the reference decoder agrees', async () => {
    const cases = blocks();
    const all = cases.map((c) => c.block);
    const theirs = await golang(all);
    let accepted = 0;
    let byDesign = 0;
    for (let i = 0; i < all.length; i++) {
      const block = all[i]!;
      const go = theirs[i]!;
      const ours = promwire(block);
      const what = `block ${i} (${hex(block)}): golang/snappy ${go.ok ? 'decodes it' : `refuses it (${go.why})`}`;
      if (go.ok && !ours.ok && preambleLength(block) > 5) {
        byDesign++;
      } else {
        expect(ours.ok, `${what}; promwire ${ours.ok ? 'decodes it' : `refuses it (${ours.why})`}`).toBe(go.ok);
        if (go.ok && ours.ok) expect(ours.bytes, what).toBe(go.bytes);
      }
      const ref = referenceSnappyDecode(block);
      if (!(go.ok && !ref.ok && preambleLength(block) > 5)) {
        expect(ref.ok, `${what}; the reference ${ref.ok ? 'decodes it' : `refuses it (${ref.why})`}`).toBe(go.ok);
        if (go.ok && ref.ok) expect(hex(ref.bytes), what).toBe(go.bytes);
      }
      const built = cases[i]!.decoded;
      if (built !== undefined) expect(go, `${what}; built to decode to ${hex(built)}`).toEqual({ ok: true, bytes: hex(built) });
      if (go.ok) accepted++;
    }
    // The comparison means something only if both outcomes are common.
    expect(accepted).toBeGreaterThan(all.length / 20);
    expect(byDesign).toBeGreaterThanOrEqual(1);
    expect(all.length - accepted).toBeGreaterThan(all.length / 4);
    console.log(`snappy vs golang/snappy: ${all.length} blocks, ${accepted} accepted, ${byDesign} differ by design (>5-byte preamble)`);
  });

  it('each decodes what the other compresses', async () => {
    const data = fc.sample(anyInput, { seed: 4, numRuns: 300 });
    const ours = await golang(data.map((d) => snappyCompress(d)));
    for (let i = 0; i < data.length; i++) {
      expect(ours[i], `golang/snappy decoding promwire's block of input ${i}`).toEqual({ ok: true, bytes: hex(data[i]!) });
    }
    const theirs = await golang(data, ['-encode']);
    for (let i = 0; i < data.length; i++) {
      const r = theirs[i]!;
      expect(r.ok).toBe(true);
      if (r.ok) expect(hex(snappyDecompress(Buffer.from(r.bytes, 'hex'), { maxBytes: Infinity })), `input ${i}`).toBe(hex(data[i]!));
    }
  });
});
