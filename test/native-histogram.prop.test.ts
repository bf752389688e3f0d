import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricSet } from '../src/metrics/index.js';
import { type NativeConfig, NativeState } from '../src/metrics/native.js';
import type { NativeHistogram } from '../src/model/index.js';
import { frexp, nativeBounds, nativeBucketIndex, nativeBucketUpperBound } from '../src/model/native-buckets.js';
import { validateNativeHistogram } from '../src/model/native-histogram.js';

const RUNS = Number(process.env.PROP_RUNS ?? 300);

/** A bucket factor giving each schema from -4 to 8 (client_golang pickSchema). */
const FACTOR: Record<number, number> = {};
for (let s = -4; s <= 8; s++) FACTOR[s] = 2 ** (2 ** -s) * (1 + 1e-9);

/** 2^n built from its bits (independent of Math.pow): exact, subnormals included; 0 below them, +Inf above. */
function pow2(n: number): number {
  if (n > 1023) return Infinity;
  if (n < -1074) return 0;
  const dv = new DataView(new ArrayBuffer(8));
  if (n >= -1022) dv.setUint32(0, (n + 1023) << 20);
  else {
    const bit = n + 1074; // subnormal: one mantissa bit
    if (bit >= 32) dv.setUint32(0, 1 << (bit - 32));
    else dv.setUint32(4, 2 ** bit);
  }
  return dv.getFloat64(0);
}

/** x (finite, > 0) as m * 2^e with m an integer. */
function split(x: number): [bigint, number] {
  let e = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  while (m > 2 ** 53) {
    m /= 2;
    e++;
  }
  return [BigInt(m), e];
}

/** Whether x <= 2^(k/n), exactly. */
function atMostRoot(x: number, k: number, n: number): boolean {
  const [m, e] = split(x);
  const shift = k - e * n;
  if (shift < 0) return false;
  return m ** BigInt(n) <= 1n << BigInt(shift);
}

const special = fc.constantFrom(
  0,
  -0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2 ** -1022,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Infinity,
  -Infinity,
  NaN,
  2 ** -128,
  1,
  -1,
);
const powerOfTwo = fc.tuple(fc.integer({ min: -1074, max: 1023 }), fc.boolean()).map(([k, neg]) => (neg ? -1 : 1) * 2 ** k);
/** Values at and next to bucket boundaries of some schema. */
const nearBoundary = fc
  .tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: -2000, max: 2000 }), fc.integer({ min: -4, max: 4 }))
  .map(([s, k, ulps]) => 2 ** (k / 2 ** s) * (1 + ulps * 2 ** -52));
const anyValue = fc.oneof(
  fc.double(),
  fc.double({ min: -1e3, max: 1e3, noNaN: true }),
  fc.double({ min: 1e-6, max: 10, noNaN: true }),
  special,
  powerOfTwo,
  nearBoundary,
);
const finiteNonZero = fc
  .oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), powerOfTwo, nearBoundary)
  .filter((v) => v !== 0 && Number.isFinite(v));

function state(schema: number, zeroThreshold = 2 ** -128): NativeState {
  const cfg: NativeConfig = {
    schema,
    zeroThreshold,
    maxZeroThreshold: 0,
    maxBuckets: 0,
    minResetDuration: 0,
    now: () => 0,
    manualClock: true,
  };
  return new NativeState(cfg);
}

/**
 * client_golang's histogramCounts.observe, transcribed literally: Frexp, then
 * sort.SearchFloat64s over the bounds (schema > 0) or the exponent shift.
 */
function goIndex(v: number, schema: number): number {
  let x = Math.abs(v);
  let inf = 0;
  if (x === Infinity) {
    x = Number.MAX_VALUE;
    inf = 1;
  }
  const fe = [0, 0];
  frexp(x, fe);
  const [frac, exp] = fe as [number, number];
  if (schema > 0) {
    const bounds = nativeBounds(schema);
    let i = 0;
    while (i < bounds.length && bounds[i]! < frac) i++;
    return i + (exp - 1) * bounds.length + inf;
  }
  let key = exp;
  if (frac === 0.5) key--;
  const offset = (1 << -schema) - 1;
  return ((key + offset) >> -schema) + inf;
}

const total = (h: NativeHistogram): number =>
  h.zeroCount + h.positiveBuckets.reduce((a, b) => a + b, 0) + h.negativeBuckets.reduce((a, b) => a + b, 0);

describe('native histogram properties', () => {
  it('count = bucket counts + zero count + NaN observations; the sum is the observations added in order; Prometheus accepts it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -4, max: 8 }),
        fc.constantFrom(undefined, 0, 1e-3, 1),
        fc.constantFrom(0, 1, 3, 10),
        fc.constantFrom(0, 1e-2, 10),
        fc.array(anyValue, { maxLength: 60 }),
        (schema, zeroThreshold, maxBuckets, maxZeroThreshold, values) => {
          const h = new MetricSet().histogram({
            name: 'h',
            help: '',
            native: {
              bucketFactor: FACTOR[schema]!,
              maxBuckets,
              maxZeroThreshold,
              ...(zeroThreshold === undefined ? {} : { zeroThreshold }),
            },
          });
          let sum = 0;
          for (const v of values) {
            h.observe(v);
            sum += v;
          }
          const snap = h.labels({}).nativeSnapshot()!;
          expect(snap.count).toBe(values.length);
          expect(total(snap) + values.filter((v) => Number.isNaN(v)).length).toBe(values.length);
          expect(Object.is(snap.sum, sum)).toBe(true);
          expect(validateNativeHistogram(snap)).toBeNull();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("the index is client_golang's: Frexp and a search of the bounds", () => {
    fc.assert(
      fc.property(fc.integer({ min: -4, max: 8 }), anyValue, (schema, v) => {
        if (v === 0 || Number.isNaN(v)) return;
        expect(nativeBucketIndex(v, schema)).toBe(goIndex(v, schema));
      }),
      { numRuns: RUNS * 20 },
    );
  });

  it('a value lies in the bucket its index denotes: exactly at schema <= 0; at schema > 0 up to the rounding of client_golang’s table', () => {
    fc.assert(
      fc.property(fc.integer({ min: -4, max: 8 }), finiteNonZero, (schema, v) => {
        const x = Math.abs(v);
        const k = nativeBucketIndex(v, schema);
        // The index agrees with the bucket's upper bound (client_golang getLe).
        expect(x <= nativeBucketUpperBound(k, schema)).toBe(true);
        if (x >= 2 ** -1022) expect(x > nativeBucketUpperBound(k - 1, schema)).toBe(true);
        else expect(x >= nativeBucketUpperBound(k - 1, schema)).toBe(true);
        // Independently: (2^((k-1)/n), 2^(k/n)], n = 2^schema.
        if (schema <= 0) {
          const w = 2 ** -schema;
          expect(x <= pow2(k * w) && x > pow2((k - 1) * w)).toBe(true);
        } else {
          const n = 2 ** schema;
          const close = (j: number) => Math.abs(x / 2 ** (j / n) - 1) < 2 ** -49;
          if (!atMostRoot(x, k, n)) expect(close(k)).toBe(true);
          if (atMostRoot(x, k - 1, n)) expect(close(k - 1)).toBe(true);
        }
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it('halving the resolution keeps every count, and equals observing at the lower schema', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3, max: 8 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(
          anyValue.filter((v) => !Number.isNaN(v)),
          { maxLength: 60 },
        ),
        (schema, steps, values) => {
          const d = Math.min(steps, schema + 4);
          const a = state(schema);
          const b = state(schema - d);
          for (const v of values) {
            a.add(v);
            b.add(v);
          }
          for (let i = 0; i < d; i++) a.doubleBucketWidth();
          const sa = a.snapshot(values.length, 0);
          expect(sa).toEqual(b.snapshot(values.length, 0));
          expect(total(sa)).toBe(values.length);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('maxBuckets: every observation over the limit takes a step (widen the zero bucket or halve), until the limit holds or schema -4 is reached', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -4, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom(0, 1e-3, 1, 1e10),
        fc.array(anyValue, { maxLength: 80 }),
        (schema, maxBuckets, maxZeroThreshold, values) => {
          const h = new MetricSet().histogram({
            name: 'h',
            help: '',
            native: { bucketFactor: FACTOR[schema]!, maxBuckets, maxZeroThreshold },
          });
          const s = h.labels({});
          const nat = s.native!;
          const buckets = () => nat.positive.size + nat.negative.size;
          const observe = (v: number) => {
            const before = [nat.schema, nat.zeroThreshold, buckets()] as const;
            h.observe(v);
            if (Number.isNaN(v)) {
              expect([nat.schema, nat.zeroThreshold, buckets()]).toEqual(before);
            } else if (buckets() > maxBuckets) {
              expect(nat.schema < before[0] || nat.zeroThreshold > before[1] || nat.schema === -4).toBe(true);
            }
          };
          for (const v of values) observe(v);
          // Observing on, each observation takes a step while over the limit.
          for (let i = 0; i < 200 && buckets() > maxBuckets && nat.schema > -4; i++) observe(1);
          expect(buckets() <= maxBuckets || nat.schema === -4).toBe(true);
          expect(s.nativeSnapshot()!.count).toBe(s.getCount());
        },
      ),
      { numRuns: RUNS },
    );
  });
});
