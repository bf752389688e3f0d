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

// Floats taken apart through one shared scratch buffer: no allocation.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
/** Index of the high word (sign, exponent, top of the mantissa) in U32: 1 on little-endian hosts. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;
const TWO_64 = 2 ** 64;
const TWO_32 = 2 ** 32;

/**
 * Go's math.Frexp for a finite x > 0: `x = frac * 2^exp` with frac in
 * [0.5, 1). Exact for subnormals too (they are scaled by 2^64 first, which
 * is exact). Writes [frac, exp] into `out`.
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
 * ulp below sqrt(2) (client_golang's bound is 0.7071067811865475, not
 * Math.SQRT1_2). test/native-buckets.test.ts checks values of the table
 * against client_golang's.
 */
/** @internal The per-schema tables of the bucket search. */
export class SchemaTable {
  /** Bounds per power of two (2^schema). */
  readonly n: number;
  readonly bounds: Float64Array;
  /** The bounds' 52-bit mantissas (exact in a float64): comparing them compares the bounds, which share one exponent. */
  readonly mantissas: Float64Array;
  /**
   * For each value of the top schema + 1 mantissa bits, how many bounds lie
   * below the smallest fraction with those bits. The cells are narrower than
   * the smallest gap between two bounds (1/4 of 2^-schema against more than
   * 0.34 of it), so a cell holds at most one bound: the search for the first
   * bound >= frac is this lookup and one comparison (the table lookup the
   * TODO above client_golang's table suggests).
   */
  readonly cells: Uint16Array;
  readonly shift: number;

  constructor(bounds: Float64Array, schema: number) {
    this.n = bounds.length;
    this.bounds = bounds;
    this.mantissas = new Float64Array(bounds.length);
    for (let j = 0; j < bounds.length; j++) {
      F64[0] = bounds[j]!;
      this.mantissas[j] = (U32[HI]! & 0xfffff) * TWO_32 + U32[LO]!;
    }
    this.shift = 20 - (schema + 1);
    this.cells = new Uint16Array(1 << (schema + 1));
    for (let c = 0, j = 0; c < this.cells.length; c++) {
      const start = c * 2 ** (52 - (schema + 1));
      while (j < bounds.length && this.mantissas[j]! < start) j++;
      this.cells[c] = j;
    }
  }
}

let TABLES: SchemaTable[] | null = null;

/** The bounds table for a schema from 0 to 8 (built on first use). */
export function nativeBounds(schema: number): Float64Array {
  return (TABLES ?? buildTables())[schema]!.bounds;
}

/**
 * @internal The search tables for a schema: its own for schema > 0, schema
 * 0's for schema <= 0 (whose buckets are schema 0's merged 2^-schema at a
 * time: see nativeScratchIndex).
 */
export function schemaTable(schema: number): SchemaTable {
  return (TABLES ?? buildTables())[Math.max(schema, 0)]!;
}

function buildTables(): SchemaTable[] {
  const bounds: Float64Array[] = [Float64Array.of(0.5)];
  for (let i = 1; i <= NATIVE_MAX_SCHEMA; i++) {
    // One ulp below sqrt(2) for schema 1: see above.
    const factor = i === 1 ? Math.SQRT2 - 2 ** -52 : correctlyRoundedRoot2(i);
    const prev = bounds[i - 1]!;
    const n = 1 << i;
    const b = new Float64Array(n);
    b[0] = 0.5;
    for (let j = 1; j < n; j++) b[j] = j % 2 === 0 ? prev[j / 2]! : b[j - 1]! * factor;
    bounds.push(b);
  }
  TABLES = bounds.map((b, i) => new SchemaTable(b, i));
  return TABLES;
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

/**
 * The index of the bucket holding `v` (non-zero: finite or ±Inf; the sign
 * is ignored: negative observations use the same index in the negative
 * buckets), as client_golang's histogramCounts.observe computes it:
 * `frac, exp := math.Frexp(|v|)`, then for schema > 0 the first bound >=
 * frac (sort.SearchFloat64s) plus `(exp - 1) * 2^schema`, for schema <= 0
 * `exp` (one less for an exact power of two) shifted right by -schema,
 * rounding up.
 */
export function nativeBucketIndex(v: number, schema: number): number {
  F64[0] = v;
  return nativeScratchIndex(schema < 0 ? -schema : 0, schemaTable(schema));
}

/**
 * @internal The scratch float `nativeScratchIndex` reads. A double passed
 * to a function V8 does not inline is boxed (16 bytes); MetricSet's observe
 * writes the value here and passes none, so an observation allocates
 * nothing whatever V8 inlines.
 */
export const NATIVE_SCRATCH = F64;

/**
 * @internal `nativeBucketIndex` of the value in NATIVE_SCRATCH[0], given
 * `shift` (-schema for schema < 0, else 0) and schemaTable(schema). Kept
 * small so that V8 inlines it: ±Inf and subnormals take an out-of-line path.
 *
 * With frac = 0.5 + mantissa / 2^53 and exp = e - 1022 (Frexp), the index at
 * the table's schema (0 for schema <= 0) is the first bound >= frac plus
 * `(exp - 1) * 2^schema`; at schema 0 that is exp, or exp - 1 for an exact
 * power of two, as client_golang's schema <= 0 branch computes it, and
 * `(key + 2^shift - 1) >> shift` is that branch's shift for schema < 0.
 */
export function nativeScratchIndex(shift: number, t: SchemaTable): number {
  const hi = U32[HI]! & 0x7fffffff; // |v|
  const lo = U32[LO]!;
  const e = hi >>> 20;
  if (e === 0 || e === 0x7ff) return rareIndex(shift, t);
  const top = hi & 0xfffff;
  let j = t.cells[top >>> t.shift]!;
  if (j < t.n && t.mantissas[j]! < top * TWO_32 + lo) j++;
  return (j + (e - 1023) * t.n + (1 << shift) - 1) >> shift;
}

/** The index of a subnormal or infinite value in NATIVE_SCRATCH[0]. */
function rareIndex(shift: number, t: SchemaTable): number {
  let x = Math.abs(F64[0]!);
  let inf = 0;
  let scale = 0;
  if (x === Infinity) {
    // client_golang: "Pretend v is MaxFloat64 but later increment key by one."
    x = Number.MAX_VALUE;
    inf = 1;
  } else {
    // Subnormal: scaled by 2^64 (exact), the exponent corrected.
    x *= TWO_64;
    scale = 64;
  }
  F64[0] = x;
  const hi = U32[HI]!;
  const lo = U32[LO]!;
  const top = hi & 0xfffff;
  let j = t.cells[top >>> t.shift]!;
  if (j < t.n && t.mantissas[j]! < top * TWO_32 + lo) j++;
  return ((j + ((hi >>> 20) - 1023 - scale) * t.n + (1 << shift) - 1) >> shift) + inf;
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
  const bounds = nativeBounds(schema);
  const frac = bounds[key & (bounds.length - 1)]!;
  const exp = (key >> schema) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}
