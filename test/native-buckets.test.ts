import { describe, expect, it } from 'vitest';
import { frexp, ldexp, nativeBounds, nativeBucketIndex, nativeBucketUpperBound, pickSchema } from '../src/model/native-buckets.js';

/** The float64 nearest below or at 2^(j/n - 1), computed exactly (BigInt), for checking the generated table. */
function exactBound(j: number, n: number): number {
  const limit = 1n << BigInt(52 * n + j);
  const N = BigInt(n);
  let m = BigInt(Math.floor(2 ** (j / n - 1) * 2 ** 53));
  while (m ** N > limit) m--;
  while ((m + 1n) ** N <= limit) m++;
  return Number(m) / 2 ** 53;
}

describe('pickSchema (client_golang pickSchema)', () => {
  it('the largest schema whose factor is <= the bucket factor, clamped to -4..8; none for a factor <= 1', () => {
    const cases: Array<[number, number | null]> = [
      [1.1, 3],
      [1.2, 2],
      [4, -1],
      [17, -2],
      [2, 0],
      [Math.SQRT2, 1],
      [1.0027112750502025, 8],
      [1.001, 8],
      [1.0000001, 8],
      [65536, -4],
      [1e10, -4],
      [1, null],
      [0.5, null],
      [-3, null],
      [NaN, null],
    ];
    for (const [factor, schema] of cases) expect([factor, pickSchema(factor)]).toEqual([factor, schema]);
    expect(Object.is(pickSchema(2), 0)).toBe(true);
  });
});

describe("the bounds table (client_golang's nativeHistogramBounds, generated)", () => {
  it("has client_golang's values, which are not the correctly rounded powers of two", () => {
    // Values of client_golang's table, where a naive 2 ** (j/n - 1) is 1 to 4 ulps off.
    const golang: Array<[number, number, number]> = [
      [1, 1, 0.7071067811865475],
      [2, 3, 0.8408964152537144],
      [3, 5, 0.7711054127039704],
      [3, 7, 0.9170040432046711],
      [5, 27, 0.8973545375015533],
      [6, 55, 0.9071260877501991],
      [7, 111, 0.9120516927035263],
      [7, 125, 0.9838856116165875],
      [8, 1, 0.5013556375251013],
      [8, 99, 0.6537082229673385],
      [8, 218, 0.9022270839033115],
      [8, 255, 0.9972960560854698],
    ];
    for (const [schema, j, v] of golang) expect([schema, j, nativeBounds(schema)[j]]).toEqual([schema, j, v]);
    expect(nativeBounds(1)[1]).not.toBe(Math.SQRT1_2);
  });

  it('each schema halves the previous one, and every bound is within 4 ulps of the exact one', () => {
    for (let s = 1; s <= 8; s++) {
      const b = nativeBounds(s);
      const prev = s === 1 ? [0.5] : nativeBounds(s - 1);
      expect(b.length).toBe(1 << s);
      for (let j = 0; j < b.length; j++) {
        if (j > 0) expect(b[j]!).toBeGreaterThan(b[j - 1]!);
        if (j % 2 === 0) expect(b[j]).toBe(prev[j / 2]);
        expect(Math.abs(b[j]! - exactBound(j, b.length)) * 2 ** 53).toBeLessThanOrEqual(4);
      }
    }
  });
});

describe('frexp and ldexp (Go math.Frexp, math.Ldexp)', () => {
  it('take a float apart exactly, subnormals included', () => {
    const out = [0, 0];
    const cases: Array<[number, number, number]> = [
      [1, 0.5, 1],
      [3, 0.75, 2],
      [0.1, 0.8, -3],
      [Number.MAX_VALUE, 1 - 2 ** -53, 1024],
      [2 ** -1022, 0.5, -1021],
      [Number.MIN_VALUE, 0.5, -1073],
      [3 * 2 ** -1074, 0.75, -1072],
      [2 ** -1022 - 2 ** -1074, 1 - 2 ** -52, -1022],
    ];
    for (const [x, frac, exp] of cases) {
      frexp(x, out);
      expect([x, out[0], out[1]]).toEqual([x, frac, exp]);
      expect(ldexp(out[0]!, out[1]!)).toBe(x);
    }
  });

  it('ldexp rounds once into the subnormals and overflows to +Inf', () => {
    expect(ldexp(0.5, -1073)).toBe(Number.MIN_VALUE);
    expect(ldexp(0.75, -1073)).toBe(2 * Number.MIN_VALUE); // 1.5 ulps: to even
    expect(ldexp(0.5, -1074)).toBe(0); // half of the smallest subnormal: to even
    expect(ldexp(0.9, -1075)).toBe(0);
    expect(ldexp(0.5, 1024)).toBe(2 ** 1023);
    expect(ldexp(0.5, 1025)).toBe(Infinity);
    expect(ldexp(1, -1074)).toBe(Number.MIN_VALUE);
  });
});

describe('bucket index (client_golang histogramCounts.observe)', () => {
  it('an exact power of the base lands in the lower bucket (buckets are upper-inclusive)', () => {
    for (let s = -4; s <= 8; s++) {
      for (const k of [-1074, -1022, -100, -3, -1, 0, 1, 2, 7, 64, 1023]) {
        const want = s >= 0 ? k * 2 ** s : Math.ceil(k / 2 ** -s) + 0; // + 0: not -0
        expect([s, k, nativeBucketIndex(2 ** k, s)]).toEqual([s, k, want]);
        // The next float up is in the next bucket at schema >= 0 (normal numbers: above the smallest
        // subnormal the next float is a whole power of two away).
        if (s >= 0 && k >= -1022) expect(nativeBucketIndex(2 ** k * (1 + 2 ** -52), s)).toBe(want + 1);
      }
    }
  });

  it('values from client_golang TestNativeHistogram', () => {
    expect([1, 1.2, 1.4, 1.8, 2].map((v) => nativeBucketIndex(v, 2))).toEqual([0, 2, 2, 4, 4]);
    expect([0.0156251, 0.0625, 0.1, 0.25, 0.5, 1, 1.5, 3.5, 5, 33.33].map((v) => nativeBucketIndex(v, -1))).toEqual([
      -2, -2, -1, -1, 0, 0, 1, 1, 2, 3,
    ]);
    expect([2, 3].map((v) => nativeBucketIndex(v, 3))).toEqual([8, 13]);
  });

  it('the sign is ignored (negative buckets use the same indices)', () => {
    for (const v of [1e-300, 0.3, 7, 1e300]) expect(nativeBucketIndex(-v, 5)).toBe(nativeBucketIndex(v, 5));
  });

  it('MAX_VALUE is in the last bucket, ±Inf one above (client_golang getLe: MaxFloat64, then +Inf)', () => {
    const cases: Array<[number, number]> = [
      [-1, 512],
      [0, 1024],
      [2, 4096],
      [8, 262144],
      [-4, 64],
    ];
    for (const [schema, last] of cases) {
      expect(nativeBucketIndex(Number.MAX_VALUE, schema)).toBe(last);
      expect(nativeBucketIndex(Infinity, schema)).toBe(last + 1);
      expect(nativeBucketIndex(-Infinity, schema)).toBe(last + 1);
      expect(nativeBucketUpperBound(last, schema)).toBe(Number.MAX_VALUE);
      expect(nativeBucketUpperBound(last + 1, schema)).toBe(Infinity);
    }
  });

  it('subnormals: the smallest is the upper bound of its bucket', () => {
    expect(nativeBucketIndex(Number.MIN_VALUE, 0)).toBe(-1074);
    expect(nativeBucketIndex(Number.MIN_VALUE, 8)).toBe(-1074 * 256);
    expect(nativeBucketIndex(Number.MIN_VALUE, -4)).toBe(Math.ceil(-1074 / 16));
    expect(nativeBucketIndex(3 * Number.MIN_VALUE, 0)).toBe(-1072);
    expect(nativeBucketUpperBound(-1074, 0)).toBe(Number.MIN_VALUE);
    expect(nativeBucketUpperBound(-1074 * 256, 8)).toBe(Number.MIN_VALUE);
  });
});

describe('upper bounds (client_golang getLe, TestGetLe)', () => {
  it('as client_golang computes them', () => {
    const cases: Array<[number, number, number]> = [
      [-1, -1, 0.25],
      [0, -1, 1],
      [1, -1, 4],
      [512, -1, Number.MAX_VALUE],
      [513, -1, Infinity],
      [-1, 0, 0.5],
      [0, 0, 1],
      [1, 0, 2],
      [1024, 0, Number.MAX_VALUE],
      [1025, 0, Infinity],
      [-1, 2, 0.8408964152537144],
      [0, 2, 1],
      [1, 2, 1.189207115002721],
      [4096, 2, Number.MAX_VALUE],
      [4097, 2, Infinity],
    ];
    for (const [key, schema, want] of cases) expect([key, schema, nativeBucketUpperBound(key, schema)]).toEqual([key, schema, want]);
  });
});
