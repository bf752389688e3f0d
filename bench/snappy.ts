/**
 * The snappy rows of `npm run bench` (the block format of remote-write
 * bodies): compress and decompress of the large text payload (16 MB, as one
 * block stream) and of the real node_exporter payload, promwire against
 * snappyjs; MB/s of uncompressed bytes and the compression ratio.
 */
import { compressSync as napiCompress, uncompressSync as napiUncompress } from 'snappy';
import SnappyJS from 'snappyjs';
import { snappyCompress, snappyDecompress } from '../src/index.js';
import { type Case, expect } from './cases.js';
import { fmt, MB, ratio, type Result } from './table.js';

/** Byte-for-byte equality (a check, outside the timed runs). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
  );
}

/**
 * Snappy rows for one payload: compress and decompress, promwire and snappyjs.
 * Each compressor's output is checked by the other implementation's
 * decompressor; each decompressor decodes promwire's stream (the decoders are
 * timed on the same bytes) and must give the payload back.
 */
export function snappyCases(payload: string, input: Uint8Array): Case[] {
  const base = { area: 'snappy' as const, payload, bytes: input.length, samples: 0 };
  const stream = snappyCompress(input).slice();
  const streamJs = SnappyJS.compress(input);
  const ratioNote = (c: Uint8Array): string => `${fmt(input.length / c.length, 2)}:1 (${fmt(c.length / MB, 2)} MB)`;
  return [
    {
      ...base,
      row: 'promwire snappyCompress',
      kind: 'promwire',
      run: () => snappyCompress(input),
      check: (r) => {
        const c = r as Uint8Array;
        expect(sameBytes(SnappyJS.uncompress(c), input), 'snappyjs does not decode it to the payload');
        return ratioNote(c);
      },
    },
    {
      ...base,
      row: 'snappyjs compress',
      kind: 'competitor',
      run: () => SnappyJS.compress(input),
      check: (r) => {
        const c = r as Uint8Array;
        expect(sameBytes(snappyDecompress(c), input), 'promwire does not decode it to the payload');
        return ratioNote(c);
      },
    },
    {
      ...base,
      row: 'promwire snappyDecompress',
      kind: 'promwire',
      run: () => snappyDecompress(stream),
      check: (r) => {
        expect(sameBytes(r as Uint8Array, input), 'the output is not the payload');
        return `promwire's stream; snappyjs's stream ${sameBytes(snappyDecompress(streamJs), input) ? 'too' : 'WRONG'}`;
      },
    },
    {
      ...base,
      row: 'snappyjs uncompress',
      kind: 'competitor',
      run: () => SnappyJS.uncompress(stream),
      check: (r) => {
        expect(sameBytes(r as Uint8Array, input), 'the output is not the payload');
        return "promwire's stream";
      },
    },
    {
      ...base,
      row: 'snappy (napi-rs, native) compress',
      kind: 'competitor',
      run: () => napiCompress(Buffer.from(input.buffer, input.byteOffset, input.length)),
      check: (r) => {
        const c = r as Uint8Array;
        expect(sameBytes(snappyDecompress(c), input), 'promwire does not decode it to the payload');
        return ratioNote(c);
      },
    },
    {
      ...base,
      row: 'snappy (napi-rs, native) uncompress',
      kind: 'competitor',
      run: () => napiUncompress(Buffer.from(stream.buffer, stream.byteOffset, stream.length)),
      check: (r) => {
        expect(sameBytes(r as Uint8Array, input), 'the output is not the payload');
        return "promwire's stream";
      },
    },
    {
      ...base,
      row: 'floor: Uint8Array.slice of the payload',
      kind: 'floor',
      run: () => input.slice(),
      check: (r) => {
        expect((r as Uint8Array).length === input.length, 'wrong length');
        return 'a copy: what any compressor or decompressor at least costs';
      },
    },
  ];
}

export function snappyTable(results: Result[]): string {
  const out = [
    '| payload | row | MB/s (uncompressed) | ms | vs competitors (same job) | allocated per run | ratio, notes |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const p = `${r.c.payload} (${fmt(r.c.bytes / MB, 2)} MB)`;
    if (r.ms === null) {
      out.push(`| ${p} | ${r.c.row} | | | | | WRONG: ${r.error} |`);
      continue;
    }
    // The competitors of a promwire row: the rows doing the same thing (compress or uncompress) on the same payload.
    const verb = r.c.row.endsWith('snappyCompress') ? ' compress' : ' uncompress';
    const vs =
      r.c.kind !== 'promwire'
        ? ''
        : results
            .filter((x) => x.c.payload === r.c.payload && x.c.kind === 'competitor' && x.c.row.endsWith(verb) && x.ms !== null)
            .map((x) => `${ratio(x.ms!, r.ms!)} ${x.c.row.split(' ')[0]}`)
            .join(', ');
    const alloc = r.allocPerRun === null ? 'n/a' : `${fmt(r.allocPerRun / MB, 1)} MB`;
    out.push(
      `| ${p} | ${r.c.row} | ${fmt(r.c.bytes / MB / (r.ms / 1000), 0)} | ${fmt(r.ms, r.ms < 1 ? 3 : 1)} | ${vs} | ${alloc} | ${r.note} |`,
    );
  }
  return out.join('\n');
}
