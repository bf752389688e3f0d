/**
 * Review of issue 9 (protobuf exposition, native histograms): each test
 * pins a defect found in review (each failed before its fix).
 */
import { describe, expect, it } from 'vitest';
import { Entry, encode, type MetricFamily, Parser, PromwireError, parse } from '../src/index.js';
import type { NativeHistogram } from '../src/model/index.js';
import { encodeFamilies } from './helpers/protobuf.js';

function varint(n: number): number[] {
  const o: number[] = [];
  while (n >= 0x80) {
    o.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  o.push(n);
  return o;
}

/** One family `h` (histogram) with one Metric whose Histogram holds `count` empty positive spans. */
function emptySpans(count: number): Uint8Array {
  const hist = new Uint8Array(2 * count);
  for (let i = 0; i < count; i++) {
    hist[2 * i] = (12 << 3) | 2; // positive_span, length-delimited
    hist[2 * i + 1] = 0; // an empty BucketSpan {offset: 0, length: 0}
  }
  const metric = [(7 << 3) | 2, ...varint(hist.length), ...hist];
  const family = [0x0a, 1, 0x68, 0x18, 4, (4 << 3) | 2, ...varint(metric.length), ...metric];
  return Uint8Array.from([...varint(family.length), ...family]);
}

describe('review: protobuf parser safety', () => {
  it('bounds the spans of a native histogram by maxNativeBuckets (spans are allocated one object each)', () => {
    // 2 input bytes become one {offset, length} object (~25x): a 60 MB message
    // (under the 64 MiB maxMessageBytes) takes > 1 GB of heap and kills the
    // process with maxNativeBuckets: 160 set.
    const bytes = emptySpans(10_000);
    let err: unknown;
    try {
      parse(bytes, { format: 'protobuf', maxNativeBuckets: 160 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromwireError);
    expect((err as PromwireError).code).toBe('LIMIT_EXCEEDED');
  });

  it('bounds the exemplars of a native histogram (each a labels object; ~20x the input bytes, 1.4 MB/s)', () => {
    // 7 bytes per exemplar (a timestamp only) become an Exemplar object and a
    // labels object: 14 MB of input took 333 MB of heap and 10 s. No limit
    // applies; client_golang keeps at most NativeHistogramMaxExemplars (10).
    const ex = [0x82, 0x01, 4, 0x1a, 2, 0x08, 0x01]; // exemplars {timestamp {seconds: 1}}
    const head = [0x31, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]; // zero_threshold 1: native
    const hist: number[] = [...head];
    for (let i = 0; i < 10_000; i++) hist.push(...ex);
    const metric = [(7 << 3) | 2, ...varint(hist.length), ...hist];
    const family = [0x0a, 1, 0x68, 0x18, 4, (4 << 3) | 2, ...varint(metric.length), ...metric];
    const bytes = Uint8Array.from([...varint(family.length), ...family]);
    let err: unknown;
    try {
      parse(bytes, { format: 'protobuf', maxNativeBuckets: 160 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromwireError);
  });
});

describe('review fixes: native histogram bounds and merged value fields', () => {
  function code(f: () => unknown): [string, string | undefined] {
    try {
      f();
    } catch (e) {
      return [(e as PromwireError).code, (e as PromwireError).limit];
    }
    return ['none', undefined];
  }

  it('refuses a histogram whose spans alone exceed maxModelBytes before building it; accepts a few empty spans (Prometheus does)', () => {
    expect(code(() => parse(emptySpans(10_000), { format: 'protobuf', maxModelBytes: 100_000 }))).toEqual([
      'LIMIT_EXCEEDED',
      'maxModelBytes',
    ]);
    expect(parse(emptySpans(3), { format: 'protobuf' })[0]!.samples[0]!.value).toMatchObject({ count: 0 });
  });

  it('refuses a native histogram over maxExemplars (LIMIT_EXCEEDED, limit maxExemplars), accepts it at the limit', () => {
    const ex = [0x82, 0x01, 4, 0x1a, 2, 0x08, 0x01];
    const hist = [0x31, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, ...ex, ...ex, ...ex];
    const metric = [(7 << 3) | 2, ...varint(hist.length), ...hist];
    const family = [0x0a, 1, 0x68, 0x18, 4, (4 << 3) | 2, ...varint(metric.length), ...metric];
    const bytes = Uint8Array.from([...varint(family.length), ...family]);
    expect(code(() => parse(bytes, { format: 'protobuf', maxExemplars: 2 }))).toEqual(['LIMIT_EXCEEDED', 'maxExemplars']);
    expect(parse(bytes, { format: 'protobuf', maxExemplars: 3 })[0]!.samples[0]!.exemplars).toHaveLength(3);
  });

  it('merges a summary given twice: quantiles appended, scalars from the last', () => {
    const a = [0x08, 0x01, 0x1a, 9, 0x09, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f]; // count 1, quantile {q 0.5}
    const b = [0x08, 0x03, 0x1a, 9, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]; // count 3, quantile {q 1}
    const metric = [0x22, a.length, ...a, 0x22, b.length, ...b]; // Metric.summary twice
    const family = [0x0a, 1, 0x73, 0x18, 2, 0x22, metric.length, ...metric];
    const fams = parse(Uint8Array.from([family.length, ...family]), { format: 'protobuf' });
    expect(fams[0]!.samples.map((x) => [x.name, x.labels.quantile ?? '', x.value])).toEqual([
      ['s', '0.5', 0],
      ['s', '1.0', 0],
      ['s_sum', '', 0],
      ['s_count', '', 3],
    ]);
  });
});

describe('review: protobuf encoder writes what it (and Prometheus) can read back', () => {
  it('a float native histogram with count 0 and zero buckets round-trips', () => {
    // Valid (validateNativeHistogram accepts it: a float histogram after a
    // rate of 0, read from /federate), but written with sample_count_float 0
    // and zero_count_float 0 it reads back as an integer histogram whose
    // spans cover 1 bucket and no deltas: promwire's own parser refuses it
    // (so does Prometheus: protobufparse.go picks float only when
    // sample_count_float or zero_count_float is > 0).
    const h: NativeHistogram = {
      kind: 'float',
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 0,
      sum: 0,
      positiveSpans: [{ offset: 0, length: 1 }],
      positiveBuckets: [0],
      negativeSpans: [],
      negativeBuckets: [],
    };
    const fams: MetricFamily[] = [
      { name: 'h', type: 'histogram', help: '', unit: '', samples: [{ name: 'h', labels: {}, value: h, timestamp: null }] },
    ];
    const back = parse(encode(fams, { format: 'protobuf' }), { format: 'protobuf' });
    const v = back[0]!.samples[0]!.value as NativeHistogram;
    expect(v.positiveSpans.reduce((a, s) => a + s.length, 0)).toBe(v.positiveBuckets.length);
    expect(v.count).toBe(0);
  });

  it('says when a start timestamp of 0 is dropped (created_timestamp 0 reads as none)', () => {
    const fams = parse('# TYPE c counter\nc_total 1\nc_created 0\n# EOF\n', { format: 'openmetrics' });
    expect(fams[0]!.samples[0]!.startTimestamp).toBe(0);
    const warnings: string[] = [];
    const back = parse(encode(fams, { format: 'protobuf', onWarning: (m) => warnings.push(m) }), { format: 'protobuf' });
    expect(back[0]!.samples[0]!.startTimestamp ?? null).toBeNull(); // the loss is real
    expect(warnings.some((w) => /start timestamp/.test(w))).toBe(true); // and must be said, as timestamp 0 is
  });

  it("says when a series' classic _sum/_count disagree with its native histogram (one is dropped)", () => {
    // writeHistogram writes the native count and sum for both parts; the
    // classic `_sum` 7 and `_count` 3 are lost without a warning.
    const nh: NativeHistogram = {
      kind: 'integer',
      schema: 0,
      zeroThreshold: 0.1,
      zeroCount: 5,
      count: 5,
      sum: 0,
      positiveSpans: [],
      positiveBuckets: [],
      negativeSpans: [],
      negativeBuckets: [],
    };
    const fams: MetricFamily[] = [
      {
        name: 'h',
        type: 'histogram',
        help: '',
        unit: '',
        samples: [
          { name: 'h', labels: {}, value: nh, timestamp: null },
          { name: 'h_bucket', labels: { le: '1' }, value: 1, timestamp: null },
          { name: 'h_bucket', labels: { le: '+Inf' }, value: 3, timestamp: null },
          { name: 'h_sum', labels: {}, value: 7, timestamp: null },
          { name: 'h_count', labels: {}, value: 3, timestamp: null },
        ],
      },
    ];
    const warnings: string[] = [];
    const back = parse(encode(fams, { format: 'protobuf', onWarning: (m) => warnings.push(m) }), { format: 'protobuf' });
    const sum = back[0]!.samples.find((s) => s.name === 'h_sum')!.value;
    expect(sum === 7 || warnings.length > 0).toBe(true);
  });
});

describe('review: pull API on a native histogram entry', () => {
  it('value() on a Histogram entry does not return a number as if it were a float sample', () => {
    const bytes = encodeFamilies([
      { name: 'h', type: 4, metric: [{ histogram: { sampleCount: 1, sampleSum: 2, schema: 0, zeroThreshold: 0.5, zeroCount: 1 } }] },
    ]);
    const p = new Parser(bytes, { format: 'protobuf' });
    let e = p.next();
    while (e !== Entry.Histogram && e !== Entry.EOF) e = p.next();
    expect(e).toBe(Entry.Histogram);
    // histogram() throws on a Series entry; value() on a Histogram entry
    // silently gives 0 (decodeValue's reset), a number-only consumer sums it.
    expect(() => p.value()).toThrow(PromwireError);
  });
});

describe('review: a sub-message given twice merges (protobuf and the gogo decoder Prometheus uses)', () => {
  it('two Metric.histogram fields read as one merged Histogram, not the last alone', () => {
    const a = [0x08, 0x02, 0x28, 0x00, 0x62, 4, 0x08, 0x00, 0x10, 0x01, 0x6a, 1, 0x04]; // count 2, schema 0, span {0,1}, deltas [2]
    const b = [0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]; // sample_sum 1
    const metric = [0x3a, a.length, ...a, 0x3a, b.length, ...b];
    const family = [0x0a, 1, 0x68, 0x18, 4, 0x22, metric.length, ...metric];
    const fams = parse(Uint8Array.from([family.length, ...family]), { format: 'protobuf' });
    // The doc comment says "the last one counts ... Prometheus' gogo decoder would merge the two":
    // Prometheus reads a native histogram {count 2, sum 1, one bucket of 2}; promwire a classic one with count 0.
    const v = fams[0]!.samples[0]!.value;
    expect(typeof v).toBe('object');
  });
});
