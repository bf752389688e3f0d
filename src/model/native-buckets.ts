/**
 * The bucket arithmetic of exponential native histograms, exactly as
 * client_golang computes it (prometheus/histogram.go, v1.22 to v1.24):
 * which schema a bucket factor gives (pickSchema), which bucket an
 * observation falls in (histogramCounts.observe: math.Frexp, then a binary
 * search in nativeHistogramBounds for schema > 0 or an exponent shift for
 * schema <= 0), and a bucket's upper bound (getLe).
 *
 * Bucket `k` of schema `s` covers `(base^(k-1), base^k]` with
 * `base = 2^(2^-s)`: upper-inclusive, so an exact power of the base lands in
 * the lower bucket. ±Inf is counted one bucket above the one holding
 * ±Number.MAX_VALUE, as client_golang counts it.
 */

/** Lowest and highest exponential schema (client_golang nativeHistogramSchemaMinimum/Maximum). */
export const NATIVE_MIN_SCHEMA = -4;
export const NATIVE_MAX_SCHEMA = 8;

/**
 * client_golang DefNativeHistogramZeroThreshold: 2^-128, a bucket boundary
 * at every schema.
 */
export const DEFAULT_NATIVE_ZERO_THRESHOLD = 2 ** -128;

/**
 * client_golang pickSchema: the largest schema from -4 to 8 whose factor
 * `2^(2^-schema)` is <= `bucketFactor`; 8 for factors below `2^(2^-8)`.
 * A factor <= 1 (or NaN) has no schema: returns null (client_golang then
 * makes no native histogram).
 */
export function pickSchema(bucketFactor: number): number | null {
  if (!(bucketFactor > 1)) return null;
  const floor = Math.floor(Math.log2(Math.log2(bucketFactor)));
  if (floor <= -8) return NATIVE_MAX_SCHEMA;
  if (floor >= 4) return NATIVE_MIN_SCHEMA;
  return -floor | 0; // | 0: schema 0, not -0
}

// frexp over the bits of a float64: one shared scratch buffer, so taking a
// number apart allocates nothing.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
/** Index of the high word (sign, exponent, top of the mantissa) in U32: 1 on little-endian hosts. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const TWO_64 = 2 ** 64;

/**
 * Go's math.Frexp for a finite x > 0: `x = frac * 2^exp` with frac in
 * [0.5, 1). Exact for subnormals too (they are scaled by 2^64 first, which
 * is exact). Writes into `out` ([frac, exp]) so the hot path allocates
 * nothing.
 */
export function frexp(x: number, out: Float64Array | number[]): void {
  F64[0] = x;
  let hi = U32[HI]!;
  let e = (hi >>> 20) & 0x7ff;
  if (e === 0) {
    // Subnormal: the product with 2^64 is normal and exact.
    F64[0] = x * TWO_64;
    hi = U32[HI]!;
    e = ((hi >>> 20) & 0x7ff) - 64;
  }
  // Keep sign and mantissa, set the biased exponent to 1022: [0.5, 1).
  U32[HI] = (hi & 0x800fffff) | 0x3fe00000;
  out[0] = F64[0]!;
  out[1] = e - 1022;
}

/**
 * client_golang's nativeHistogramBounds, generated: for schema i the
 * fractions `2^(j/2^i - 1)` for j from 0 to 2^i - 1, i.e. the upper bounds
 * of the buckets of one power of two, scaled into [0.5, 1). client_golang
 * ships them as constants; they come out bit for bit from the generator in
 * the comment below that table (each odd bound is its neighbour times
 * `2^(2^-i)`, each even one is taken from schema i - 1) with the factors
 * `2^(2^-i)` correctly rounded, except for schema 1, whose factor is one
 * ulp below sqrt(2) (1.414213562373095: client_golang's bound is
 * 0.7071067811865475, not Math.SQRT1_2). test/native-buckets.test.ts checks
 * values of the table against client_golang's.
 */
let BOUNDS: Float64Array[] | null = null;

/** The bounds table for a schema from 1 to 8 (built on first use). */
export function nativeBounds(schema: number): Float64Array {
  if (BOUNDS === null) BOUNDS = buildBounds();
  return BOUNDS[schema]!;
}

function buildBounds(): Float64Array[] {
  const table: Float64Array[] = [Float64Array.of(0.5)];
  for (let i = 1; i <= NATIVE_MAX_SCHEMA; i++) {
    const factor = i === 1 ? Math.SQRT2 - 2 ** -52 : correctlyRoundedRoot2(i);
    const prev = table[i - 1]!;
    const n = 1 << i;
    const b = new Float64Array(n);
    b[0] = 0.5;
    for (let j = 1; j < n; j++) b[j] = j % 2 === 0 ? prev[j / 2]! : b[j - 1]! * factor;
    table.push(b);
  }
  return table;
}

/**
 * `2^(2^-i)` rounded to the nearest float64, computed exactly (Math.pow is
 * not required to round correctly): the float is `m / 2^52` with m the
 * integer nearest to `2^52 * 2^(2^-i)`, found by comparing `m^(2^i)` with
 * `2^(52 * 2^i + 1)` in BigInt arithmetic.
 */
function correctlyRoundedRoot2(i: number): number {
  const n = BigInt(1 << i);
  const limit = 1n << (52n * n + 1n);
  let m = BigInt(Math.round(2 ** (2 ** -i) * 2 ** 52));
  while (m ** n > limit) m--;
  while ((m + 1n) ** n <= limit) m++;
  // m <= root < m + 1: round up when (m + 1/2)^n <= limit.
  if ((2n * m + 1n) ** n <= limit << n) m++;
  return Number(m) / 2 ** 52;
}

const FREXP = new Float64Array(2);

/**
 * The index of the bucket holding `v` (finite and non-zero, or ±Inf; the
 * sign is ignored: negative observations use the same index in the
 * negative buckets), as client_golang's histogramCounts.observe computes it.
 */
export function nativeBucketIndex(v: number, schema: number): number {
  let x = v < 0 ? -v : v;
  let inf = 0;
  if (x === Infinity) {
    // client_golang: "Pretend v is MaxFloat64 but later increment key by one."
    x = Number.MAX_VALUE;
    inf = 1;
  }
  frexp(x, FREXP);
  const frac = FREXP[0]!;
  const exp = FREXP[1]!;
  if (schema > 0) {
    const bounds = nativeBounds(schema);
    // sort.SearchFloat64s: the first bound >= frac (bounds are inclusive).
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bounds[mid]! < frac) lo = mid + 1;
      else hi = mid;
    }
    return lo + (exp - 1) * bounds.length + inf;
  }
  // An exact power of two (frac 0.5) belongs to the bucket below.
  const key = frac === 0.5 ? exp - 1 : exp;
  const shift = -schema;
  return ((key + (1 << shift) - 1) >> shift) + inf;
}

/**
 * Go's math.Ldexp(frac, exp) for frac in [0.5, 1]: `frac * 2^exp`, rounded
 * once, also where the result is subnormal (Go scales by 2^53 and back),
 * 0 below the subnormals and +Inf above MAX_VALUE.
 */
export function ldexp(frac: number, exp: number): number {
  if (exp > 1023) return frac * 2 ** 1023 * 2 ** (exp - 1023);
  if (exp < -1022) {
    if (exp < -1074) return 0;
    return frac * 2 ** (exp + 53) * 2 ** -53;
  }
  return frac * 2 ** exp;
}

/**
 * client_golang getLe: the upper bound of bucket `key` at `schema`. The
 * bucket holding MAX_VALUE ends at MAX_VALUE (its computed bound would
 * overflow), the one above it (±Inf observations) at +Inf.
 */
export function nativeBucketUpperBound(key: number, schema: number): number {
  if (schema < 0) {
    const exp = key * 2 ** -schema;
    if (exp === 1024) return Number.MAX_VALUE;
    return ldexp(1, exp);
  }
  const bounds = schema === 0 ? BOUNDS_0 : nativeBounds(schema);
  const frac = bounds[key & (bounds.length - 1)]!;
  const exp = (key >> schema) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}

const BOUNDS_0 = Float64Array.of(0.5);
