import * as promClient from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import { exponentialBuckets, exponentialBucketsRange, linearBuckets, MetricSet } from '../src/index.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PromwireError);
    return (e as PromwireError).code + ': ' + (e as PromwireError).message;
  }
  return undefined;
}

describe('bucket helpers', () => {
  it('linearBuckets and exponentialBuckets return what prom-client 15 returns', () => {
    const cases: Array<[number, number, number]> = [
      [0.1, 0.1, 12],
      [0, 5, 10],
      [-1, 0.25, 9],
      [0.005, 0.005, 40],
    ];
    for (const [a, b, n] of cases) expect(linearBuckets(a, b, n)).toEqual(promClient.linearBuckets(a, b, n));
    const exp: Array<[number, number, number]> = [
      [0.001, 2.5, 15],
      [1, 2, 1],
      [0.0001, 1.1, 100],
    ];
    for (const [a, b, n] of exp) expect(exponentialBuckets(a, b, n)).toEqual(promClient.exponentialBuckets(a, b, n));
  });

  it("exponentialBucketsRange agrees with client_golang's ExponentialBucketsRange to a few ulps", () => {
    // Printed by client_golang (Debian sid golang-github-prometheus-client-golang-dev, Go 1.26) with
    // strconv.FormatFloat(x, 'g', -1, 64): Go's math.Pow rounds differently from `**`.
    const golang: Array<[number, number, number, number[]]> = [
      [
        0.001,
        10,
        12,
        [
          0.001, 0.0023101297000831605, 0.005336699231206312, 0.01232846739442067, 0.028480358684358047, 0.06579332246575688,
          0.1519911082952936, 0.3511191734215137, 0.8111308307896887, 1.8738174228603883, 4.328761281083069, 10.000000000000027,
        ],
      ],
      [1, 1000, 7, [1, 3.162277660168379, 9.999999999999998, 31.622776601683785, 99.99999999999997, 316.2277660168378, 999.9999999999995]],
    ];
    for (const [min, max, n, want] of golang) {
      const got = exponentialBucketsRange(min, max, n);
      expect(got).toHaveLength(n);
      expect(got[0]).toBe(min);
      for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - want[i]!) / want[i]!).toBeLessThan(1e-14);
    }
    expect(exponentialBucketsRange(3, 3, 1)).toEqual([3]);
  });

  it('refuses what prom-client and client_golang refuse, and bounds a histogram would refuse', () => {
    expect(code(() => linearBuckets(0, 1, 0))).toMatch(/^INVALID_BUCKETS: linearBuckets: expected a positive integer count, got 0/);
    expect(code(() => linearBuckets(0, 1, 2.5))).toMatch(/positive integer count, got 2.5/);
    expect(code(() => linearBuckets(0, 0, 3))).toMatch(/expected a width > 0/);
    expect(code(() => linearBuckets(Number.NaN, 1, 3))).toMatch(/start to be a finite number, got NaN/);
    expect(code(() => exponentialBuckets(0, 2, 3))).toMatch(/expected a positive start, got 0/);
    expect(code(() => exponentialBuckets(1, 1, 3))).toMatch(/factor greater than 1, got 1/);
    expect(code(() => exponentialBuckets(1, 2, -1))).toMatch(/positive integer count/);
    expect(code(() => exponentialBuckets(1e300, 1e10, 3))).toMatch(/the last bound to be a finite number/);
    expect(code(() => exponentialBucketsRange(0, 10, 3))).toMatch(/min to be greater than 0, got 0/);
    expect(code(() => exponentialBucketsRange(10, 1, 3))).toMatch(/max greater than min \(10\) for 3 bounds, got 1/);
    expect(code(() => linearBuckets(0, 1, 1))).toBeUndefined();
  });

  it('feeds a histogram', () => {
    const set = new MetricSet();
    const h = set.histogram({ name: 'size_bytes', help: '', buckets: exponentialBuckets(100, 10, 3) });
    h.observe(500);
    expect(set.encodeToString()).toContain('size_bytes_bucket{le="1000"} 1\n');
    expect(h.buckets).toEqual([100, 1000, 10000]);
  });
});
