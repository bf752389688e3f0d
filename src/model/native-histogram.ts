/**
 * Native histograms: the rules Prometheus 3.5 checks (model/histogram
 * Histogram.Validate / FloatHistogram.Validate and checkHistogramSpans),
 * and the arithmetic the toolkit needs (adding two histograms, as
 * aggregating a cluster's nodes does).
 */

import type { BucketSpan, NativeHistogram } from './index.js';

/** Schema of custom-bucket histograms (Prometheus: histogram.CustomBucketsSchema). */
export const CUSTOM_BUCKETS_SCHEMA = -53;
export const MIN_SCHEMA = -4;
export const MAX_SCHEMA = 8;

/** Describes what is wrong with `h`, or null when Prometheus 3.5 would accept it. */
export function validateNativeHistogram(h: NativeHistogram): string | null {
  if (h === null || typeof h !== 'object') return 'not an object';
  if (h.kind !== 'integer' && h.kind !== 'float') return `kind must be 'integer' or 'float', got ${String(h.kind)}`;
  const custom = h.schema === CUSTOM_BUCKETS_SCHEMA;
  if (!Number.isInteger(h.schema) || (!custom && (h.schema < MIN_SCHEMA || h.schema > MAX_SCHEMA))) {
    return `schema must be an integer from ${MIN_SCHEMA} to ${MAX_SCHEMA}, or ${CUSTOM_BUCKETS_SCHEMA} for custom buckets, got ${h.schema}`;
  }
  for (const k of ['zeroThreshold', 'zeroCount', 'count', 'sum'] as const) {
    if (typeof h[k] !== 'number') return `${k} must be a number`;
  }
  if (!(h.zeroThreshold >= 0)) return `zeroThreshold must be >= 0, got ${h.zeroThreshold}`;
  const whole = h.kind === 'integer';
  const countOk = (c: number): boolean => c >= 0 && (!whole || Number.isInteger(c));
  if (!countOk(h.zeroCount)) return `zeroCount must be a non-negative ${whole ? 'integer' : 'number'}, got ${h.zeroCount}`;
  if (!countOk(h.count)) return `count must be a non-negative ${whole ? 'integer' : 'number'}, got ${h.count}`;
  const pos = checkSide('positive', h.positiveSpans, h.positiveBuckets, countOk);
  if (typeof pos === 'string') return pos;
  const neg = checkSide('negative', h.negativeSpans, h.negativeBuckets, countOk);
  if (typeof neg === 'string') return neg;
  if (custom) {
    const cv = h.customValues;
    if (!Array.isArray(cv)) return 'a custom-bucket histogram (schema -53) needs customValues';
    for (let i = 0; i < cv.length; i++) {
      if (!Number.isFinite(cv[i]) || (i > 0 && !(cv[i]! > cv[i - 1]!))) return 'customValues must be finite and strictly increasing';
    }
    if (h.negativeBuckets.length > 0 || h.negativeSpans.length > 0) return 'a custom-bucket histogram has no negative buckets';
    if (h.zeroThreshold !== 0 || h.zeroCount !== 0) return 'a custom-bucket histogram has no zero bucket';
    // Buckets index customValues, plus one for +Inf.
    let index = -1;
    for (const s of h.positiveSpans) {
      index += s.offset + s.length;
    }
    if (index > cv.length) return `bucket index ${index} is past the ${cv.length} custom bounds (+Inf included)`;
  } else if (h.customValues !== undefined && h.customValues.length > 0) {
    return 'customValues are only for schema -53';
  }
  // Histogram.Validate: the count covers the buckets (unless the sum is NaN,
  // whose observations are counted in no bucket).
  const inBuckets = pos + neg + h.zeroCount;
  if (whole && !Number.isNaN(h.sum) && h.count < inBuckets) {
    return `count ${h.count} is less than the ${inBuckets} observations in the buckets`;
  }
  return null;
}

function checkSide(
  side: string,
  spans: readonly BucketSpan[],
  buckets: readonly number[],
  countOk: (c: number) => boolean,
): number | string {
  if (!Array.isArray(spans) || !Array.isArray(buckets)) return `${side}Spans and ${side}Buckets must be arrays`;
  let total = 0;
  let index = 0;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    // Prometheus holds offsets as int32 and lengths as uint32 (BucketSpan).
    if (
      !Number.isInteger(s.offset) ||
      !Number.isInteger(s.length) ||
      s.length < 0 ||
      Math.abs(s.offset) > 2 ** 31 - 1 ||
      s.length > 2 ** 32 - 1
    ) {
      return `${side} span ${i} must have an int32 offset and a uint32 length`;
    }
    // checkHistogramSpans: only the first span may have a negative offset.
    if (i > 0 && s.offset < 0) return `${side} span ${i} has a negative offset ${s.offset}`;
    index += s.offset + s.length;
    if (Math.abs(index) > 2 ** 31 - 1) return `${side} bucket indices must stay within int32`;
    total += s.length;
  }
  if (total !== buckets.length) {
    return `${side} spans cover ${total} buckets but ${buckets.length} ${side} bucket counts are given`;
  }
  let sum = 0;
  for (const c of buckets) {
    if (typeof c !== 'number' || !countOk(c)) return `${side} bucket counts must be non-negative numbers (whole for integer histograms)`;
    sum += c;
  }
  return sum;
}

/** The histogram's buckets of one side as index -> count. */
function bucketMap(spans: readonly BucketSpan[], counts: readonly number[], reduceBy: number): Map<number, number> {
  const m = new Map<number, number>();
  let index = 0;
  let k = 0;
  for (const s of spans) {
    index += s.offset;
    for (let j = 0; j < s.length; j++) {
      // Reducing the schema by d merges 2^d neighbours: bucket i, covering
      // (base^(i-1), base^i], lands in ((i - 1) >> d) + 1 (Prometheus
      // histogram.reduceResolution / targetIdx).
      const target = reduceBy === 0 ? index : ((index - 1) >> reduceBy) + 1;
      m.set(target, (m.get(target) ?? 0) + counts[k]!);
      index++;
      k++;
    }
  }
  return m;
}

function fromMap(m: Map<number, number>): { spans: BucketSpan[]; buckets: number[] } {
  const indices = [...m.keys()].sort((a, b) => a - b);
  const spans: BucketSpan[] = [];
  const buckets: number[] = [];
  let next = 0;
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i]!;
    if (i > 0 && idx === next) spans[spans.length - 1]!.length++;
    else spans.push({ offset: i === 0 ? idx : idx - next, length: 1 });
    buckets.push(m.get(idx)!);
    next = idx + 1;
  }
  return { spans, buckets };
}

/**
 * a + b, as Prometheus' FloatHistogram.Add does: at the coarser of the two
 * schemas, with the same zero threshold (different thresholds, or custom
 * buckets with different bounds, cannot be added: returns a reason).
 */
export function addNativeHistograms(a: NativeHistogram, b: NativeHistogram): NativeHistogram | string {
  const customA = a.schema === CUSTOM_BUCKETS_SCHEMA;
  const customB = b.schema === CUSTOM_BUCKETS_SCHEMA;
  if (customA !== customB) return 'a custom-bucket histogram cannot be added to an exponential one';
  if (customA) {
    const x = a.customValues ?? [];
    const y = b.customValues ?? [];
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return 'custom-bucket histograms with different bounds cannot be added';
  }
  if (a.zeroThreshold !== b.zeroThreshold) {
    return `zero thresholds differ (${a.zeroThreshold} and ${b.zeroThreshold})`;
  }
  const schema = Math.min(a.schema, b.schema);
  const add = (sa: readonly BucketSpan[], ca: readonly number[], sb: readonly BucketSpan[], cb: readonly number[]) => {
    const m = bucketMap(sa, ca, customA ? 0 : a.schema - schema);
    for (const [k, v] of bucketMap(sb, cb, customA ? 0 : b.schema - schema)) m.set(k, (m.get(k) ?? 0) + v);
    return fromMap(m);
  };
  const pos = add(a.positiveSpans, a.positiveBuckets, b.positiveSpans, b.positiveBuckets);
  const neg = add(a.negativeSpans, a.negativeBuckets, b.negativeSpans, b.negativeBuckets);
  const out: NativeHistogram = {
    kind: a.kind === 'integer' && b.kind === 'integer' ? 'integer' : 'float',
    schema,
    zeroThreshold: a.zeroThreshold,
    zeroCount: a.zeroCount + b.zeroCount,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    positiveSpans: pos.spans,
    positiveBuckets: pos.buckets,
    negativeSpans: neg.spans,
    negativeBuckets: neg.buckets,
  };
  if (customA) out.customValues = [...(a.customValues ?? [])];
  return out;
}
