/**
 * The native (sparse, exponential) part of a histogram series, with
 * client_golang's semantics (prometheus/histogram.go): the zero bucket, the
 * positive and negative buckets, and the strategy that keeps their number
 * at `maxBuckets` (limitBuckets: reset, else widen the zero bucket, else
 * halve the resolution). The bucket arithmetic is src/model/native-buckets.ts.
 *
 * Public options (stable; `set.histogram({ ..., native: {...} })`, checked in
 * definition.ts checkNative), with their client_golang HistogramOpts field:
 *   bucketFactor      NativeHistogramBucketFactor (required; <= 1: no native histogram)
 *   zeroThreshold     NativeHistogramZeroThreshold (default 2^-128; 0 or negative: width
 *                     zero; NOTE client_golang reads 0 as the default, here 0 is 0)
 *   maxZeroThreshold  NativeHistogramMaxZeroThreshold (default 0)
 *   maxBuckets        NativeHistogramMaxBucketNumber (default 0: no limit)
 *   minResetDuration  NativeHistogramMinResetDuration, in milliseconds (default 0)
 *   now               the clock for minResetDuration, () => milliseconds (default Date.now)
 * Classic `buckets` alongside: only when given (client_golang: none by default
 * with native buckets). Read a series with `HistogramSeries.nativeSnapshot()`.
 *
 * client_golang double-buffers its counts (hot and cold) so that a scrape
 * never blocks an observation; JavaScript runs one observation at a time,
 * so one set of counts holds what the two together hold there.
 */
import type { BucketSpan, NativeHistogram } from '../model/index.js';
import {
  NATIVE_MIN_SCHEMA,
  NATIVE_SCRATCH,
  nativeBucketUpperBound,
  nativeScratchIndex,
  type SchemaTable,
  schemaTable,
} from '../model/native-buckets.js';
import { SparseBuckets } from './sparse-buckets.js';

/** A histogram's native settings, checked and resolved (definition.ts checkNative). */
export interface NativeConfig {
  /** The schema picked from the bucket factor (client_golang pickSchema). */
  readonly schema: number;
  /** The initial zero threshold (0 for a zero bucket of width zero). */
  readonly zeroThreshold: number;
  readonly maxZeroThreshold: number;
  /** 0: unlimited. */
  readonly maxBuckets: number;
  /** Milliseconds; 0: never reset. */
  readonly minResetDuration: number;
  /** The clock, in milliseconds. */
  readonly now: () => number;
  /**
   * Whether `now` was given (a test clock): a scheduled reset is then found
   * by reading that clock at each observation and read, as no timer can
   * follow it; with the real clock a timer applies it, as in client_golang.
   */
  readonly manualClock: boolean;
}

const MAX = Number.MAX_VALUE;

export class NativeState {
  readonly cfg: NativeConfig;
  /** Current schema (lowered by doubleBucketWidth). */
  schema: number;
  /** The bucket search tables of the current schema (schemaTable), and -schema for schema < 0 (else 0). */
  private table: SchemaTable;
  private shift: number;
  /** Current zero threshold (raised by maybeWidenZeroBucket). */
  zeroThreshold: number;
  zeroCount = 0;
  readonly positive = new SparseBuckets();
  readonly negative = new SparseBuckets();
  /** client_golang lastResetTime: the series' creation, or its last reset. */
  lastResetTime: number;
  /** client_golang resetScheduled: a reset is due at `resetAt`. */
  resetScheduled = false;
  resetAt = 0;
  /** A reset is scheduled on a manual clock: read the clock before each observation and read. */
  pollClock = false;

  constructor(cfg: NativeConfig) {
    this.cfg = cfg;
    this.schema = cfg.schema;
    this.table = schemaTable(cfg.schema);
    this.shift = Math.max(0, -cfg.schema);
    this.zeroThreshold = cfg.zeroThreshold;
    this.lastResetTime = cfg.now();
  }

  /**
   * Counts a non-NaN observation (client_golang histogramCounts.observe).
   * Returns true when the buckets now exceed `maxBuckets` (the caller then
   * runs limitBuckets, which may reset the whole series).
   */
  add(v: number): boolean {
    NATIVE_SCRATCH[0] = v;
    return this.addScratch();
  }

  /**
   * `add` of the value in NATIVE_SCRATCH[0]: MetricSet's observe passes the
   * value there, not as an argument, because a double passed to a call V8
   * does not inline is boxed (16 bytes an observation, measured).
   */
  addScratch(): boolean {
    const v = NATIVE_SCRATCH[0]!;
    const a = v < 0 ? -v : v;
    // client_golang compares ±Inf as ±MaxFloat64 with the zero threshold.
    if ((a === Infinity ? MAX : a) > this.zeroThreshold) {
      (v > 0 ? this.positive : this.negative).add(nativeScratchIndex(this.shift, this.table), 1);
    } else {
      this.zeroCount++;
    }
    // client_golang runs limitBuckets after every observation, so one that
    // lands in an existing bucket or the zero bucket also takes a step while
    // the buckets are over the limit.
    const max = this.cfg.maxBuckets;
    return max !== 0 && this.positive.size + this.negative.size > max;
  }

  /** Back to the initial schema and zero threshold, no observations (client_golang resetCounts). */
  clear(): void {
    this.schema = this.cfg.schema;
    this.table = schemaTable(this.schema);
    this.shift = Math.max(0, -this.schema);
    this.zeroThreshold = this.cfg.zeroThreshold;
    this.zeroCount = 0;
    this.positive.clear();
    this.negative.clear();
  }

  /**
   * client_golang maybeWidenZeroBucket: raises the zero threshold to the
   * upper bound of the populated bucket nearest zero (on either side; both
   * when both sides have that index) and moves that bucket's counts into
   * the zero bucket, unless the new threshold would pass
   * `maxZeroThreshold`. Returns whether it did.
   */
  maybeWidenZeroBucket(): boolean {
    const maxZero = this.cfg.maxZeroThreshold;
    if (this.zeroThreshold >= maxZero) return false;
    const key = Math.min(this.positive.minKey(), this.negative.minKey());
    if (key === 0x7fffffff) return false;
    const threshold = nativeBucketUpperBound(key, this.schema);
    if (threshold > maxZero) return false;
    this.zeroThreshold = threshold;
    this.zeroCount += this.positive.delete(key) + this.negative.delete(key);
    return true;
  }

  /**
   * client_golang doubleBucketWidth: one schema lower (down to -4), each
   * pair of buckets merged: index k goes to ceil(k / 2) (client_golang:
   * `if key > 0 { key++ }; key /= 2` with Go's truncating division), so
   * (1, 2] pairs up as 1, 2 -> 1 and -1, 0 -> 0, on both sides.
   */
  doubleBucketWidth(): void {
    if (this.schema === NATIVE_MIN_SCHEMA) return;
    this.schema--;
    this.table = schemaTable(this.schema);
    this.shift = Math.max(0, -this.schema);
    this.positive.remap(halveIndex);
    this.negative.remap(halveIndex);
  }

  /** The native histogram as the model holds it (client_golang Write and makeBuckets). */
  snapshot(count: number, sum: number): NativeHistogram {
    const pos = spansOf(this.positive);
    const neg = spansOf(this.negative);
    // client_golang Write: "Add a no-op span to a histogram without
    // observations and with a zero threshold of zero. Otherwise, a native
    // histogram would look like a classic histogram to scrapers."
    if (this.zeroThreshold === 0 && this.zeroCount === 0 && pos.spans.length === 0 && neg.spans.length === 0) {
      pos.spans.push({ offset: 0, length: 0 });
    }
    return {
      kind: 'integer',
      schema: this.schema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount,
      count,
      sum,
      positiveSpans: pos.spans,
      positiveBuckets: pos.buckets,
      negativeSpans: neg.spans,
      negativeBuckets: neg.buckets,
    };
  }
}

function halveIndex(k: number): number {
  return (k + 1) >> 1;
}

/**
 * client_golang makeBuckets: spans over the sorted indices, where a gap of
 * one or two empty buckets does not start a new span but is filled with
 * zero counts ("gaps of one or two buckets should not create a new span");
 * the first span's offset is its first index, each later one's the gap
 * since the previous span's end.
 */
function spansOf(b: SparseBuckets): { spans: BucketSpan[]; buckets: number[] } {
  const spans: BucketSpan[] = [];
  const buckets: number[] = [];
  const keys = b.sortedKeys();
  let next = 0;
  let span: BucketSpan | null = null;
  for (let n = 0; n < keys.length; n++) {
    const k = keys[n]!;
    const gap = k - next;
    if (span === null || gap > 2) {
      span = { offset: gap, length: 0 };
      spans.push(span);
    } else {
      for (let j = 0; j < gap; j++) {
        buckets.push(0);
        span.length++;
      }
    }
    buckets.push(b.get(k));
    span.length++;
    next = k + 1;
  }
  return { spans, buckets };
}
