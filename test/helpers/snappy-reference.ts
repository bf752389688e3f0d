/**
 * A second snappy block decoder, written from google/snappy
 * `format_description.txt` alone, for the tests to compare promwire's with:
 * one byte at a time, no fast paths, no shared code with src/snappy.
 *
 * snappyjs cannot be that oracle. Its decoder asks for four bytes after a
 * literal's tag whenever the literal spells its length in extra bytes, even
 * when only one extra byte is spelled (`pos + 3 >= arrayLength`), so it
 * refuses valid blocks that end in such a literal: `03 04 00 00 f0 00 00`
 * (a 2-byte literal, then a 1-byte literal whose length takes one extra
 * byte) is "Invalid Snappy bitstream" to snappyjs 0.7 and `00 00 00` to
 * golang/snappy, C++ snappy and promwire.
 */

/** What a block decodes to: the bytes, or why it is not a valid block. */
export type ReferenceResult = { ok: true; declared: number; bytes: Uint8Array } | { ok: false; declared: number | undefined; why: string };

export function referenceSnappyDecode(src: Uint8Array): ReferenceResult {
  // 1. The preamble: the decoded length as a little-endian varint, at most 2^32 - 1
  //    (C++ GetUncompressedLength reads at most 5 bytes).
  let declared = 0;
  let p = 0;
  for (let shift = 0; ; shift += 7) {
    if (p >= src.length) return { ok: false, declared: undefined, why: 'input ends inside the preamble' };
    if (shift > 28) return { ok: false, declared: undefined, why: 'preamble longer than 5 bytes' };
    const b = src[p++]!;
    declared += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (declared > 0xffffffff) return { ok: false, declared: undefined, why: 'preamble over 32 bits' };
  const out: number[] = [];
  const bad = (why: string): ReferenceResult => ({ ok: false, declared, why });
  // 2. Elements until the input ends.
  while (p < src.length) {
    const tag = src[p++]!;
    if ((tag & 3) === 0) {
      // 2.1 literal: (len - 1) in the upper six bits, or 60..63 for 1..4 extra bytes holding it.
      let len = (tag >> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (p + extra > src.length) return bad('input ends inside a literal length');
        len = 0;
        for (let i = 0; i < extra; i++) len += src[p + i]! * 2 ** (8 * i);
        len += 1;
        p += extra;
      }
      if (p + len > src.length) return bad('input ends inside a literal');
      if (out.length + len > declared) return bad('literal past the declared length');
      for (let i = 0; i < len; i++) out.push(src[p + i]!);
      p += len;
      continue;
    }
    let len: number;
    let offset: number;
    if ((tag & 3) === 1) {
      // 2.2.1: length 4..11, an 11-bit offset.
      if (p + 1 > src.length) return bad('input ends inside a copy');
      len = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) + src[p]!;
      p += 1;
    } else if ((tag & 3) === 2) {
      // 2.2.2: length 1..64, a 16-bit offset.
      if (p + 2 > src.length) return bad('input ends inside a copy');
      len = (tag >> 2) + 1;
      offset = src[p]! + src[p + 1]! * 256;
      p += 2;
    } else {
      // 2.2.3: length 1..64, a 32-bit offset.
      if (p + 4 > src.length) return bad('input ends inside a copy');
      len = (tag >> 2) + 1;
      offset = src[p]! + src[p + 1]! * 2 ** 8 + src[p + 2]! * 2 ** 16 + src[p + 3]! * 2 ** 24;
      p += 4;
    }
    // 2.2: "Offsets of zero can be encoded, but are not legal"; nor may a copy reach before the start.
    if (offset === 0 || offset > out.length) return bad('copy offset 0 or before the start');
    if (out.length + len > declared) return bad('copy past the declared length');
    for (let i = 0; i < len; i++) out.push(out[out.length - offset]!);
  }
  if (out.length !== declared) return bad('elements decode to fewer bytes than declared');
  return { ok: true, declared, bytes: Uint8Array.from(out) };
}
