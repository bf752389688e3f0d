/**
 * No hash flooding. The OpenMetrics rules remember every label group of a
 * family in a `Set<number>` of group keys. V8 hashes numbers with an unseeded
 * function, so with keys anyone can compute (the unseeded FNV-1a keys of
 * before), label values whose keys share one V8 bucket can be found offline
 * and every lookup then walks one long chain (20k series took 2.1-5.4 s
 * instead of 38-59 ms). This test builds such series against the old keys
 * and checks that they cost about what random series cost now that the keys
 * are seeded per process. A ratio of the fastest of interleaved runs (the
 * least disturbed by other work), never a wall-clock bound.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../src/index.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * V8's hash of a non-Smi number: ComputeLongHash (src/utils/utils.h) of the
 * double's bits, & 0x3fffffff. In 32-bit halves (a BigInt version is 20x slower).
 */
function v8NumberHash(x: number): number {
  f64[0] = x;
  let lo = u32[0]!;
  let hi = u32[1]!;
  // h = ~h + (h << 18)
  const slo = (lo << 18) >>> 0;
  const shi = ((hi << 18) | (lo >>> 14)) >>> 0;
  const nlo = ~lo >>> 0;
  lo = (nlo + slo) >>> 0;
  hi = (~hi + shi + (lo < nlo ? 1 : 0)) >>> 0;
  // h ^= h >> 31
  lo = (lo ^ ((hi << 1) | (lo >>> 31))) >>> 0;
  hi = (hi ^ (hi >>> 31)) >>> 0;
  // h *= 21 (h*16 + h*4 + h)
  const l16 = (lo << 4) >>> 0;
  const h16 = ((hi << 4) | (lo >>> 28)) >>> 0;
  const l4 = (lo << 2) >>> 0;
  const h4 = ((hi << 2) | (lo >>> 30)) >>> 0;
  const l20 = (l16 + l4) >>> 0;
  const h20 = (h16 + h4 + (l20 < l16 ? 1 : 0)) >>> 0;
  const l21 = (l20 + lo) >>> 0;
  hi = (h20 + hi + (l21 < l20 ? 1 : 0)) >>> 0;
  lo = l21;
  // h ^= h >> 11
  lo = (lo ^ ((hi << 21) | (lo >>> 11))) >>> 0;
  hi = (hi ^ (hi >>> 11)) >>> 0;
  // h += h << 6
  const sl = (lo << 6) >>> 0;
  const sh = ((hi << 6) | (lo >>> 26)) >>> 0;
  const l = (lo + sl) >>> 0;
  hi = (hi + sh + (l < lo ? 1 : 0)) >>> 0;
  lo = l;
  // h ^= h >> 22
  lo = (lo ^ ((hi << 10) | (lo >>> 22))) >>> 0;
  return lo & 0x3fffffff;
}

/** The group key of `{a="<value>"}` under the old, unseeded scheme (om-rules.ts groupKey before). */
function oldGroupKey(value: Uint8Array): number {
  let a = 0x811c9dc5;
  let c = 0x9e3779b1;
  for (const b of [0x61, 0xff, ...value]) {
    a = Math.imul(a ^ b, 0x01000193);
    c = Math.imul(c ^ b, 0x85ebca6b);
  }
  return (a >>> 0) * 0x200000 + (((c ^ (c >>> 15)) >>> 0) & 0x1fffff);
}

/** A fixed-width value for counter i: `v` and 8 letters a-p. */
function counterValue(i: number, out: Uint8Array): Uint8Array {
  out[0] = 0x76;
  for (let j = 8, x = i; j >= 1; j--, x >>>= 4) out[j] = 0x61 + (x & 15);
  return out;
}

const N = 3000;
/** 12 bits: V8's table for 3000 entries has 2048 buckets, so all N share one. */
const BUCKET_MASK = 0xfff;

function collidingValues(): string[] {
  const buf = new Uint8Array(9);
  const out: string[] = [];
  let target = -1;
  for (let i = 0; out.length < N; i++) {
    const h = v8NumberHash(oldGroupKey(counterValue(i, buf))) & BUCKET_MASK;
    if (target < 0) target = h;
    if (h === target) out.push(new TextDecoder().decode(buf));
  }
  return out;
}

function randomValues(): string[] {
  const buf = new Uint8Array(9);
  const seen = new Set<string>();
  while (seen.size < N) seen.add(new TextDecoder().decode(counterValue((Math.random() * 0x100000000) >>> 0, buf)));
  return [...seen];
}

const payload = (values: string[]) => `# TYPE g gauge\n${values.map((v) => `g{a="${v}"} 1\n`).join('')}# EOF\n`;

describe('OpenMetrics group keys resist hash flooding', () => {
  it('parses series built to collide in V8 under the old unseeded keys as fast as random ones', () => {
    const colliding = payload(collidingValues());
    const random = payload(randomValues());
    expect(parse(colliding, { format: 'openmetrics' })[0]!.samples).toHaveLength(N);
    expect(parse(random, { format: 'openmetrics' })[0]!.samples).toHaveLength(N);
    const tc: number[] = [];
    const tr: number[] = [];
    for (let r = 0; r < 9; r++) {
      let t = performance.now();
      parse(colliding, { format: 'openmetrics' });
      tc.push(performance.now() - t);
      t = performance.now();
      parse(random, { format: 'openmetrics' });
      tr.push(performance.now() - t);
    }
    expect(Math.min(...tc) / Math.min(...tr)).toBeLessThan(3);
  }, 30_000);
});
