/**
 * Bucket bound generators for `histogram({ buckets })`, under the names
 * prom-client (lib/bucketGenerators.js) and client_golang (histogram.go
 * LinearBuckets, ExponentialBuckets, ExponentialBucketsRange) give them.
 * `+Inf` is not included (the histogram adds it). Invalid arguments fail
 * with a PromwireError INVALID_BUCKETS where those panic or throw, and also
 * where they would return bounds a histogram then refuses (not strictly
 * increasing, not finite).
 */
import { fail } from './definition.js';

function checkCount(fn: string, count: number): void {
  // prom-client / client_golang: "needs a positive count".
  if (!Number.isInteger(count) || count < 1) fail('INVALID_BUCKETS', `${fn}: expected a positive integer count, got ${count}`);
}

function checkFinite(fn: string, what: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v))
    fail('INVALID_BUCKETS', `${fn}: expected ${what} to be a finite number, got ${String(v)}`);
}

/**
 * `count` bounds `start`, `start + width`, ... (`width` > 0). Computed as
 * `start + i * width`, as prom-client 15 does; client_golang adds `width`
 * repeatedly, which can differ in the last bit after a few steps
 * (`0.1 + 0.1 + 0.1 + 0.1` is `0.4`, `0.1 + 3 * 0.1` is `0.4`, but the
 * sums drift apart for longer runs).
 */
export function linearBuckets(start: number, width: number, count: number): number[] {
  checkCount('linearBuckets', count);
  checkFinite('linearBuckets', 'start', start);
  checkFinite('linearBuckets', 'width', width);
  if (!(width > 0) && count > 1) fail('INVALID_BUCKETS', `linearBuckets: expected a width > 0 (bounds must increase), got ${width}`);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = start + i * width;
  return out;
}

/**
 * `count` bounds `start`, `start * factor`, ... (`start` > 0, `factor` > 1),
 * each the previous times `factor`, as both prom-client and client_golang
 * compute them.
 */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  checkCount('exponentialBuckets', count);
  checkFinite('exponentialBuckets', 'start', start);
  checkFinite('exponentialBuckets', 'factor', factor);
  if (!(start > 0)) fail('INVALID_BUCKETS', `exponentialBuckets: expected a positive start, got ${start}`);
  if (!(factor > 1)) fail('INVALID_BUCKETS', `exponentialBuckets: expected a factor greater than 1, got ${factor}`);
  const out = new Array<number>(count);
  let b = start;
  for (let i = 0; i < count; i++) {
    out[i] = b;
    b *= factor;
  }
  checkFinite('exponentialBuckets', 'the last bound', out[count - 1]!);
  return out;
}

/**
 * `count` bounds from `min` to `max` growing by a constant factor
 * (client_golang ExponentialBucketsRange: factor `(max/min)^(1/(count-1))`,
 * bound i `min * factor^i`, so the last bound is `max` up to rounding).
 * `min` > 0; `max` > `min` when `count` > 1. The bounds agree with
 * client_golang's to within a few units in the last place, not bit for bit:
 * Go's math.Pow and the engine's `**` round differently (recorded in
 * test/metricset-buckets.test.ts).
 */
export function exponentialBucketsRange(min: number, max: number, count: number): number[] {
  checkCount('exponentialBucketsRange', count);
  checkFinite('exponentialBucketsRange', 'min', min);
  checkFinite('exponentialBucketsRange', 'max', max);
  if (!(min > 0)) fail('INVALID_BUCKETS', `exponentialBucketsRange: expected min to be greater than 0, got ${min}`);
  if (count > 1 && !(max > min)) {
    fail('INVALID_BUCKETS', `exponentialBucketsRange: expected max greater than min (${min}) for ${count} bounds, got ${max}`);
  }
  const factor = (max / min) ** (1 / (count - 1));
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = min * factor ** i;
  return out;
}
