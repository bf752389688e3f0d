import { afterEach, describe, expect, it, vi } from 'vitest';
import { encode, encodeToString } from '../src/encode/encoder.js';
import { PromwireError } from '../src/errors.js';
import { type HistogramOptions, MetricSet, type NativeHistogramOptions } from '../src/metrics/index.js';
import type { Format, NativeHistogram } from '../src/model/index.js';
import { validateNativeHistogram } from '../src/model/native-histogram.js';
import { parse } from '../src/parse/families.js';

const MINUTE = 60_000;
const DEF_ZT = 2.938735877055719e-39;

/**
 * Observes `values` into a fresh native histogram with client_golang's
 * TestNativeHistogram timing: created at 0, the first observation one
 * minute later, one minute between observations; read one minute after
 * the last.
 */
function run(native: Omit<NativeHistogramOptions, 'now'>, values: number[], extra: Partial<HistogramOptions<never>> = {}) {
  let t = 0;
  const set = new MetricSet();
  const h = set.histogram({ name: 'name', help: 'help', ...extra, native: { ...native, now: () => t } });
  t += MINUTE;
  for (const v of values) {
    h.observe(v);
    t += MINUTE;
  }
  const s = h.labels({});
  return { set, h, s, snap: s.nativeSnapshot(), lastReset: s.native?.lastResetTime };
}

/** A native histogram with client_golang's defaults, overridden by `o`. */
function nh(o: Partial<NativeHistogram>): NativeHistogram {
  return {
    kind: 'integer',
    schema: 2,
    zeroThreshold: DEF_ZT,
    zeroCount: 0,
    count: 0,
    sum: 0,
    positiveSpans: [],
    positiveBuckets: [],
    negativeSpans: [],
    negativeBuckets: [],
    ...o,
  };
}

const POS_1_2 = [0, 1, 1.2, 1.4, 1.8, 2];
const NEG_1_2 = POS_1_2.map((v) => -v);
const WIDE = [0, 1, 1.1, 1.2, 1.4, 1.8, 2, 3];

// The scenarios of client_golang's TestNativeHistogram (prometheus/histogram_test.go), with the
// expected deltas written as absolute counts.
describe('native histograms as client_golang builds them', () => {
  const cases: Array<[string, Omit<NativeHistogramOptions, 'now'>, number[], Partial<NativeHistogram>, number?]> = [
    ['no observations', { bucketFactor: 1.1 }, [], { schema: 3 }],
    [
      'zero threshold of zero and no observations: a no-op span',
      { bucketFactor: 1.1, zeroThreshold: -1 },
      [],
      { schema: 3, zeroThreshold: 0, positiveSpans: [{ offset: 0, length: 0 }] },
    ],
    [
      'factor 1.1 gives schema 3',
      { bucketFactor: 1.1 },
      [0, 1, 2, 3],
      {
        schema: 3,
        zeroCount: 1,
        count: 4,
        sum: 6,
        positiveSpans: [
          { offset: 0, length: 1 },
          { offset: 7, length: 1 },
          { offset: 4, length: 1 },
        ],
        positiveBuckets: [1, 1, 1],
      },
    ],
    [
      'factor 1.2 gives schema 2',
      { bucketFactor: 1.2 },
      POS_1_2,
      { zeroCount: 1, count: 6, sum: 7.4, positiveSpans: [{ offset: 0, length: 5 }], positiveBuckets: [1, 0, 2, 0, 2] },
    ],
    [
      'factor 4 gives schema -1',
      { bucketFactor: 4 },
      [0.0156251, 0.0625, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 3.5, 5, 6, 7, 33.33],
      { schema: -1, count: 14, sum: 63.2581251, positiveSpans: [{ offset: -2, length: 6 }], positiveBuckets: [2, 2, 2, 4, 3, 1] },
    ],
    [
      'factor 17 gives schema -2',
      { bucketFactor: 17 },
      [0.0156251, 0.0625, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 3.5, 5, 6, 7, 33.33],
      { schema: -2, count: 14, sum: 63.2581251, positiveSpans: [{ offset: -1, length: 4 }], positiveBuckets: [2, 4, 7, 1] },
    ],
    [
      'negative buckets',
      { bucketFactor: 1.2 },
      NEG_1_2,
      { zeroCount: 1, count: 6, sum: -7.4, negativeSpans: [{ offset: 0, length: 5 }], negativeBuckets: [1, 0, 2, 0, 2] },
    ],
    [
      'negative and positive buckets',
      { bucketFactor: 1.2 },
      [0, -1, -1.2, -1.4, -1.8, -2, 1, 1.2, 1.4, 1.8, 2],
      {
        zeroCount: 1,
        count: 11,
        sum: 0,
        negativeSpans: [{ offset: 0, length: 5 }],
        negativeBuckets: [1, 0, 2, 0, 2],
        positiveSpans: [{ offset: 0, length: 5 }],
        positiveBuckets: [1, 0, 2, 0, 2],
      },
    ],
    [
      'a wide zero bucket',
      { bucketFactor: 1.2, zeroThreshold: 1.4 },
      [0, -1, -1.2, -1.4, -1.8, -2, 1, 1.2, 1.4, 1.8, 2],
      {
        zeroThreshold: 1.4,
        zeroCount: 7,
        count: 11,
        sum: 0,
        negativeSpans: [{ offset: 4, length: 1 }],
        negativeBuckets: [2],
        positiveSpans: [{ offset: 4, length: 1 }],
        positiveBuckets: [2],
      },
    ],
    [
      'NaN: counted, in no bucket, the sum NaN',
      { bucketFactor: 1.2 },
      [...POS_1_2, NaN],
      { zeroCount: 1, count: 7, sum: NaN, positiveSpans: [{ offset: 0, length: 5 }], positiveBuckets: [1, 0, 2, 0, 2] },
    ],
    [
      '+Inf: one bucket above the one holding MAX_VALUE',
      { bucketFactor: 1.2 },
      [...POS_1_2, Infinity],
      {
        zeroCount: 1,
        count: 7,
        sum: Infinity,
        positiveSpans: [
          { offset: 0, length: 5 },
          { offset: 4092, length: 1 },
        ],
        positiveBuckets: [1, 0, 2, 0, 2, 1],
      },
    ],
    [
      '-Inf',
      { bucketFactor: 1.2 },
      [...POS_1_2, -Infinity],
      {
        zeroCount: 1,
        count: 7,
        sum: -Infinity,
        negativeSpans: [{ offset: 4097, length: 1 }],
        negativeBuckets: [1],
        positiveSpans: [{ offset: 0, length: 5 }],
        positiveBuckets: [1, 0, 2, 0, 2],
      },
    ],
    [
      'bucket limit not reached',
      { bucketFactor: 1.2, maxBuckets: 4 },
      POS_1_2,
      { zeroCount: 1, count: 6, sum: 7.4, positiveSpans: [{ offset: 0, length: 5 }], positiveBuckets: [1, 0, 2, 0, 2] },
    ],
    [
      'bucket limit kept by halving the resolution',
      { bucketFactor: 1.2, maxBuckets: 4 },
      WIDE,
      { schema: 1, zeroCount: 1, count: 8, sum: 11.5, positiveSpans: [{ offset: 0, length: 5 }], positiveBuckets: [1, 3, 2, 0, 1] },
    ],
    [
      'bucket limit kept by widening the zero bucket',
      { bucketFactor: 1.2, maxBuckets: 4, maxZeroThreshold: 1.2 },
      WIDE,
      {
        zeroThreshold: 1,
        zeroCount: 2,
        count: 8,
        sum: 11.5,
        positiveSpans: [{ offset: 1, length: 7 }],
        positiveBuckets: [1, 2, 0, 2, 0, 0, 1],
      },
    ],
    [
      'bucket limit kept by widening the zero bucket twice',
      { bucketFactor: 1.2, maxBuckets: 4, maxZeroThreshold: 1.2 },
      [...WIDE, 4],
      {
        zeroThreshold: 1.189207115002721,
        zeroCount: 3,
        count: 9,
        sum: 15.5,
        positiveSpans: [{ offset: 2, length: 7 }],
        positiveBuckets: [2, 0, 2, 0, 0, 1, 1],
      },
    ],
    [
      'bucket limit kept by a reset (after 8 minutes), keeping the observation that overflowed',
      { bucketFactor: 1.2, maxBuckets: 4, maxZeroThreshold: 1.2, minResetDuration: 5 * MINUTE },
      [...WIDE, 4],
      { count: 2, sum: 7, positiveSpans: [{ offset: 7, length: 2 }], positiveBuckets: [1, 1] },
      8 * MINUTE,
    ],
    [
      'over the limit, an observation into an existing bucket takes a step too (limitBuckets runs after every observation)',
      { bucketFactor: 1.1, maxBuckets: 2 },
      [1, 2, 4, 1, 1, 1],
      { schema: -1, count: 6, sum: 10, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [4, 2], zeroThreshold: DEF_ZT },
    ],
    [
      'over the limit, an observation into the zero bucket takes a step too',
      { bucketFactor: 1.1, maxBuckets: 2 },
      [1, 2, 4, 0, 0, 0],
      { schema: -1, count: 6, sum: 7, zeroCount: 3, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [1, 2] },
    ],
    [
      'negative observations: limit not reached',
      { bucketFactor: 1.2, maxBuckets: 4 },
      NEG_1_2,
      { zeroCount: 1, count: 6, sum: -7.4, negativeSpans: [{ offset: 0, length: 5 }], negativeBuckets: [1, 0, 2, 0, 2] },
    ],
    [
      'negative observations: halving the resolution',
      { bucketFactor: 1.2, maxBuckets: 4 },
      WIDE.map((v) => -v),
      { schema: 1, zeroCount: 1, count: 8, sum: -11.5, negativeSpans: [{ offset: 0, length: 5 }], negativeBuckets: [1, 3, 2, 0, 1] },
    ],
    [
      'negative observations: widening the zero bucket twice',
      { bucketFactor: 1.2, maxBuckets: 4, maxZeroThreshold: 1.2 },
      [...WIDE, 4].map((v) => -v),
      {
        zeroThreshold: 1.189207115002721,
        zeroCount: 3,
        count: 9,
        sum: -15.5,
        negativeSpans: [{ offset: 2, length: 7 }],
        negativeBuckets: [2, 0, 2, 0, 0, 1, 1],
      },
    ],
    [
      'negative observations: a reset',
      { bucketFactor: 1.2, maxBuckets: 4, maxZeroThreshold: 1.2, minResetDuration: 5 * MINUTE },
      [...WIDE, 4].map((v) => -v),
      { count: 2, sum: -7, negativeSpans: [{ offset: 7, length: 2 }], negativeBuckets: [1, 1] },
      8 * MINUTE,
    ],
    [
      'halving the resolution, then the scheduled reset (9 minutes after creation)',
      { bucketFactor: 1.2, maxBuckets: 4, minResetDuration: 9 * MINUTE },
      [0, 1, 1.1, 1.2, 1.4, 1.8, 2, 5, 5.1, 3, 4],
      { count: 3, sum: 12.1, positiveSpans: [{ offset: 7, length: 4 }], positiveBuckets: [1, 1, 0, 1] },
      9 * MINUTE,
    ],
    [
      'widening the zero bucket, then the scheduled reset',
      { bucketFactor: 1.2, maxBuckets: 4, maxZeroThreshold: 1.2, minResetDuration: 9 * MINUTE },
      [0, 1, 1.1, 1.2, 1.4, 1.8, 2, 5, 5.1, 3, 4],
      { count: 3, sum: 12.1, positiveSpans: [{ offset: 7, length: 4 }], positiveBuckets: [1, 1, 0, 1] },
      9 * MINUTE,
    ],
  ];
  for (const [name, native, values, want, lastReset] of cases) {
    it(name, () => {
      const r = run(native, values);
      expect(r.snap).toEqual(nh(want));
      expect(validateNativeHistogram(r.snap!)).toBeNull();
      expect(r.lastReset).toBe(lastReset ?? 0);
    });
  }

  it('a factor <= 1 means no native histogram, and DefBuckets as classic buckets', () => {
    const r = run({ bucketFactor: 1 }, [1, 2, 3]);
    expect(r.snap).toBeUndefined();
    expect(r.h.native).toBeNull();
    expect(r.h.classic).toBe(true);
    expect(r.h.buckets).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    expect(r.set.encodeToString()).toContain('name_bucket{le="1"} 1\nname_bucket{le="2.5"} 2\nname_bucket{le="5"} 3\n');
  });

  it('schema -4 is the lowest: halving stops there and the bucket count may stay above the limit', () => {
    const r = run({ bucketFactor: 65536, maxBuckets: 1 }, [1, 1e10, 1e-10, 1e100]);
    expect(r.snap).toMatchObject({ schema: -4, count: 4 });
    const n = r.snap!.positiveBuckets.filter((c) => c > 0).length;
    expect(n).toBe(4);
  });
});

describe('native histogram options', () => {
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(PromwireError);
      return (e as PromwireError).code;
    }
    return undefined;
  };
  const define = (native: unknown) => () => new MetricSet().histogram({ name: 'h', help: '', native: native as NativeHistogramOptions });

  it('are checked at definition time', () => {
    expect(code(define({}))).toBe('INVALID_ARGUMENT');
    expect(code(define({ bucketFactor: NaN }))).toBe('INVALID_ARGUMENT');
    expect(code(define({ bucketFactor: '1.1' }))).toBe('INVALID_ARGUMENT');
    expect(code(define({ bucketFactor: 1.1, maxBuckets: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(code(define({ bucketFactor: 1.1, maxBuckets: -1 }))).toBe('INVALID_ARGUMENT');
    expect(code(define({ bucketFactor: 1.1, minResetDuration: -1 }))).toBe('INVALID_ARGUMENT');
    expect(code(define({ bucketFactor: 1.1, zeroThreshold: NaN }))).toBe('INVALID_ARGUMENT');
    expect(code(define({ bucketFactor: 1.1, now: 5 }))).toBe('INVALID_ARGUMENT');
    expect(code(define(null))).toBe('INVALID_ARGUMENT');
    expect(code(define({ bucketFactor: 1.1 }))).toBeUndefined();
  });

  it('resolve as client_golang resolves them', () => {
    const h = new MetricSet().histogram({ name: 'h', help: '', native: { bucketFactor: 1.1 } });
    expect(h.native).toMatchObject({ schema: 3, zeroThreshold: 2 ** -128, maxZeroThreshold: 0, maxBuckets: 0, minResetDuration: 0 });
    expect(h.buckets).toEqual([]);
    expect(h.classic).toBe(false);
    const zero = (zeroThreshold: number) =>
      new MetricSet().histogram({ name: 'h', help: '', native: { bucketFactor: 1.1, zeroThreshold } }).native?.zeroThreshold;
    expect(zero(0)).toBe(0);
    expect(zero(-1)).toBe(0);
    expect(zero(0.001)).toBe(0.001);
    // Given buckets: classic alongside; +Inf alone is no classic bucket (client_golang drops the implicit +Inf).
    expect(new MetricSet().histogram({ name: 'h', help: '', buckets: [1, 2], native: { bucketFactor: 2 } }).classic).toBe(true);
    expect(new MetricSet().histogram({ name: 'h', help: '', buckets: [Infinity], native: { bucketFactor: 2 } }).classic).toBe(false);
    expect(new MetricSet().histogram({ name: 'h', help: '', buckets: [], native: { bucketFactor: 2 } }).classic).toBe(false);
  });

  it('set() belongs to classic histograms', () => {
    const h = new MetricSet().histogram({ name: 'h', help: '', native: { bucketFactor: 1.1 } });
    expect(code(() => h.set({ buckets: [1], sum: 1 }))).toBe('INVALID_ARGUMENT');
  });
});

describe('resets after minResetDuration', () => {
  it('a scheduled reset is applied before the next observation and before a read, at the time it was due', () => {
    let t = 1000;
    const set = new MetricSet();
    const h = set.histogram({ name: 'h', help: '', native: { bucketFactor: 2, maxBuckets: 2, minResetDuration: 100, now: () => t } });
    h.observe(1);
    h.observe(2);
    t = 1050;
    h.observe(4); // 3 buckets > 2: too early for a reset, so schema 0 -> -1, and a reset is due at 1100
    const s = h.labels({});
    expect(s.nativeSnapshot()).toMatchObject({ schema: -1, count: 3 });
    t = 1099;
    expect(s.getCount()).toBe(3);
    t = 1100;
    expect(s.getCount()).toBe(0);
    expect(s.nativeSnapshot()).toMatchObject({ schema: 0, count: 0, sum: 0, positiveSpans: [] });
    expect(s.native!.lastResetTime).toBe(1100);
    expect(set.encodeToString()).toContain('h_bucket{le="+Inf"} 0\nh_sum 0\nh_count 0\n');
    h.observe(8);
    expect(s.nativeSnapshot()).toMatchObject({ schema: 0, count: 1, positiveSpans: [{ offset: 3, length: 1 }] });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('with the real clock, a timer resets the series when it is due, as client_golang afterFunc does', () => {
    vi.useFakeTimers({ now: 5000 });
    const h = new MetricSet().histogram({ name: 'h', help: '', native: { bucketFactor: 2, maxBuckets: 2, minResetDuration: 100 } });
    const s = h.labels({});
    h.observe(1);
    h.observe(2);
    vi.advanceTimersByTime(30);
    h.observe(4); // over the limit 30 ms after creation: halved, and a reset due at 5100
    expect(s.nativeSnapshot()).toMatchObject({ schema: -1, count: 3 });
    expect(s.native!.pollClock).toBe(false);
    vi.advanceTimersByTime(69);
    expect(s.getCount()).toBe(3);
    vi.advanceTimersByTime(1);
    expect(s.nativeSnapshot()).toMatchObject({ schema: 0, count: 0, sum: 0 });
    expect(s.native!.lastResetTime).toBe(5100);
    expect(s.native!.resetScheduled).toBe(false);
  });

  it('the classic buckets reset with the native ones', () => {
    let t = 0;
    const h = new MetricSet().histogram({
      name: 'h',
      help: '',
      buckets: [1, 10],
      native: { bucketFactor: 2, maxBuckets: 1, minResetDuration: 10, now: () => t },
    });
    h.observe(0.5);
    t = 20;
    h.observe(5); // 2 buckets > 1, and 20 ms since creation: reset, keeping 5
    const f = h.collect();
    expect(f.samples.map((s) => [s.name, s.labels.le, typeof s.value === 'number' ? s.value : s.value.count])).toEqual([
      ['h', undefined, 1],
      ['h_bucket', '1.0', 0],
      ['h_bucket', '10.0', 1],
      ['h_bucket', '+Inf', 1],
      ['h_sum', undefined, 5],
      ['h_count', undefined, 1],
    ]);
  });
});

describe('exposition of native histograms', () => {
  function sample(): MetricSet {
    const set = new MetricSet({ defaultLabels: { job: 'j' } });
    const n = set.histogram({ name: 'native_seconds', help: 'Native.', labelNames: ['route'], native: { bucketFactor: 1.1 } });
    for (const v of [0, 0.001, 0.5, 1, 2, -3, 1e300, Infinity]) n.labels({ route: '/a' }).observe(v);
    n.labels({ route: '/b' }).observe(-2); // a negative sum: OpenMetrics gets no _sum/_count for it
    n.labels({ route: '/c' });
    const both = set.histogram({ name: 'both_seconds', help: 'Both.', buckets: [0.1, 1], native: { bucketFactor: 1.1, maxBuckets: 3 } });
    for (const v of [0.05, 0.5, 5, 50, NaN]) both.observe(v);
    set.histogram({ name: 'empty_zero', help: '', native: { bucketFactor: 1.5, zeroThreshold: 0 } });
    return set;
  }

  it('text 0.0.4: a native-only histogram as client_golang writes it (+Inf bucket with the count, _sum, _count); classic buckets when given', () => {
    expect(sample().encodeToString()).toBe(
      [
        '# HELP native_seconds Native.',
        '# TYPE native_seconds histogram',
        'native_seconds_bucket{job="j",route="/a",le="+Inf"} 8',
        'native_seconds_sum{job="j",route="/a"} +Inf',
        'native_seconds_count{job="j",route="/a"} 8',
        'native_seconds_bucket{job="j",route="/b",le="+Inf"} 1',
        'native_seconds_sum{job="j",route="/b"} -2',
        'native_seconds_count{job="j",route="/b"} 1',
        'native_seconds_bucket{job="j",route="/c",le="+Inf"} 0',
        'native_seconds_sum{job="j",route="/c"} 0',
        'native_seconds_count{job="j",route="/c"} 0',
        '# HELP both_seconds Both.',
        '# TYPE both_seconds histogram',
        'both_seconds_bucket{job="j",le="0.1"} 1',
        'both_seconds_bucket{job="j",le="1"} 2',
        'both_seconds_bucket{job="j",le="+Inf"} 5',
        'both_seconds_sum{job="j"} NaN',
        'both_seconds_count{job="j"} 5',
        '# TYPE empty_zero histogram',
        'empty_zero_bucket{job="j",le="+Inf"} 0',
        'empty_zero_sum{job="j"} 0',
        'empty_zero_count{job="j"} 0',
        '',
      ].join('\n'),
    );
  });

  it('collect(): the native sample named after the family, then the classic samples when there are classic buckets', () => {
    const fams = sample().collect();
    const native = fams[0]!;
    expect(native.samples.map((s) => [s.name, s.labels])).toEqual([
      ['native_seconds', { job: 'j', route: '/a' }],
      ['native_seconds', { job: 'j', route: '/b' }],
      ['native_seconds', { job: 'j', route: '/c' }],
    ]);
    const a = native.samples[0]!.value as NativeHistogram;
    expect(a).toMatchObject({ schema: 3, zeroCount: 1, count: 8, sum: Infinity });
    expect(a.negativeSpans).toEqual([{ offset: 13, length: 1 }]); // 3 is in (2^(12/8), 2^(13/8)]
    const both = fams[1]!;
    expect(both.samples.map((s) => s.name)).toEqual([
      'both_seconds',
      'both_seconds_bucket',
      'both_seconds_bucket',
      'both_seconds_bucket',
      'both_seconds_sum',
      'both_seconds_count',
    ]);
    const b = both.samples[0]!.value as NativeHistogram;
    expect(b.count).toBe(5);
    expect(b.positiveBuckets.reduce((x, y) => x + y, 0)).toBe(4); // NaN in no bucket
    // 4 buckets > 3 at the 4th observation: one halving (schema 3 -> 2), which merges none of
    // them; client_golang reduces one step per observation, and NaN observations take none.
    expect(b.schema).toBe(2);
    expect(b.positiveBuckets.filter((c) => c > 0).length).toBe(4);
    expect(fams[2]!.samples[0]!.value).toMatchObject({ zeroThreshold: 0, positiveSpans: [{ offset: 0, length: 0 }] });
    for (const f of fams) for (const s of f.samples) if (typeof s.value !== 'number') expect(validateNativeHistogram(s.value)).toBeNull();
  });

  it('encode(collect()) writes the same bytes as the set, every format and scheme, chunked too', () => {
    const set = sample();
    for (const format of ['text', 'openmetrics'] as Format[]) {
      for (const escaping of ['allow-utf-8', 'underscores'] as const) {
        const direct = set.encodeToString({ format, escaping });
        const warnings: string[] = [];
        expect(encodeToString(set.collect(), { format, escaping, onWarning: (m) => warnings.push(m) })).toBe(direct);
        // OpenMetrics also says which _sum/_count lines it left out (a negative or NaN sum).
        expect(warnings.length).toBe(format === 'openmetrics' ? 5 : 3);
        expect(Buffer.concat([...set.encodeChunks({ format, escaping, chunkSize: 40 })]).toString()).toBe(direct);
        expect(() => parse(direct, { format })).not.toThrow();
      }
    }
    const om = set.encodeToString({ format: 'openmetrics' });
    expect(om).not.toContain('route="/b"}'); // a negative sum: no _sum, no _count in OpenMetrics
    expect(om).toContain('native_seconds_bucket{job="j",route="/b",le="+Inf"} 1\n');
    expect(Buffer.from(encode(set.collect(), { format: 'openmetrics' })).equals(Buffer.from(set.encode({ format: 'openmetrics' })))).toBe(
      true,
    );
  });
});
