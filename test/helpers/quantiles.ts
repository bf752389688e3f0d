/**
 * Shared by the summary quantile tests (test/summary-quantiles.prop.test.ts,
 * test/integration/summary-client-golang.test.ts): a seeded PRNG and the
 * distance of a written quantile from its target position.
 */

/** A deterministic PRNG in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** How far (in positions) `v` is from the target position of q in `sorted`; Infinity when `v` is not an observation. */
export function rankDistance(sorted: Float64Array, v: number, q: number): number {
  const n = sorted.length;
  // Positions lo+1 .. hi hold v (1-based).
  let a = 0;
  let b = n;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (sorted[m]! < v) a = m + 1;
    else b = m;
  }
  const lo = a;
  b = n;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (sorted[m]! <= v) a = m + 1;
    else b = m;
  }
  const hi = a;
  if (hi === lo) return Infinity;
  const r = Math.max(1, q * n);
  if (r < lo + 1) return lo + 1 - r;
  if (r > hi) return r - hi;
  return 0;
}
