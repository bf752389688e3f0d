/**
 * Review of issue 9: the protobuf encoder and counts at or past 2^64 (the
 * uint64 fields' range). Regression tests from the review (each failed before its fix).
 */
import { describe, expect, it } from 'vitest';
import { encode, type MetricFamily, parse } from '../src/index.js';
import type { NativeHistogram } from '../src/model/index.js';
import { decodeFamilies } from './helpers/protobuf.js';

const TWO_64 = 2 ** 64;

describe('review: protobuf encoder, counts at or past 2^64', () => {
  it('a summary _count of 2^64 is not written as 0 without a warning', () => {
    // writeCount checks v <= 18446744073709551615, a literal that is 2^64
    // as a double: 2^64 passes and the varint wraps to 0.
    const fams: MetricFamily[] = [
      {
        name: 's',
        type: 'summary',
        help: '',
        unit: '',
        samples: [
          { name: 's_sum', labels: {}, value: 1, timestamp: null },
          { name: 's_count', labels: {}, value: TWO_64, timestamp: null },
        ],
      },
    ];
    const warnings: string[] = [];
    const back = parse(encode(fams, { format: 'protobuf', onWarning: (m) => warnings.push(m) }), { format: 'protobuf' });
    const count = back[0]!.samples.find((s) => s.name === 's_count')!.value;
    expect(count !== 0 || warnings.length > 0).toBe(true);
  });

  it('a classic bucket count of 2^70 gives valid protobuf (varints are at most 10 bytes)', () => {
    const fams: MetricFamily[] = [
      {
        name: 'h',
        type: 'histogram',
        help: '',
        unit: '',
        samples: [
          { name: 'h_bucket', labels: { le: '1' }, value: 2 ** 70, timestamp: null },
          { name: 'h_bucket', labels: { le: '+Inf' }, value: 2 ** 70, timestamp: null },
          { name: 'h_sum', labels: {}, value: 1, timestamp: null },
          { name: 'h_count', labels: {}, value: 2 ** 70, timestamp: null },
        ],
      },
    ];
    const bytes = encode(fams, { format: 'protobuf' });
    expect(() => decodeFamilies(bytes)).not.toThrow(); // protobufjs: "invalid varint encoding"
  });

  it('an integer native histogram with counts of 2^64 does not read back as zeroes', () => {
    // validateNativeHistogram accepts any whole count; the encoder writes
    // zero_count and the deltas as wrapped varints (0), silently.
    const h: NativeHistogram = {
      kind: 'integer',
      schema: 0,
      zeroThreshold: 0.1,
      zeroCount: TWO_64,
      count: TWO_64,
      sum: 0,
      positiveSpans: [],
      positiveBuckets: [],
      negativeSpans: [],
      negativeBuckets: [],
    };
    const fams: MetricFamily[] = [
      { name: 'h', type: 'histogram', help: '', unit: '', samples: [{ name: 'h', labels: {}, value: h, timestamp: null }] },
    ];
    const warnings: string[] = [];
    const back = parse(encode(fams, { format: 'protobuf', onWarning: (m) => warnings.push(m) }), { format: 'protobuf' });
    const v = back[0]!.samples[0]!.value as NativeHistogram;
    expect(v.count !== 0 || warnings.length > 0).toBe(true);
  });
});

describe('review: what the protobuf and OpenMetrics encoders say they changed', () => {
  const warn = (fams: MetricFamily[], format: 'protobuf' | 'openmetrics') => {
    const warnings: string[] = [];
    const bytes = encode(fams, { format, onWarning: (m) => warnings.push(m) });
    return { warnings, back: parse(bytes, { format }) };
  };

  it('a histogram count of 2^64 goes to sample_count_float, with a warning', () => {
    const fams: MetricFamily[] = [
      {
        name: 'h',
        type: 'histogram',
        help: '',
        unit: '',
        samples: [
          { name: 'h_bucket', labels: { le: '1' }, value: TWO_64, timestamp: null },
          { name: 'h_bucket', labels: { le: '+Inf' }, value: TWO_64, timestamp: null },
          { name: 'h_sum', labels: {}, value: 1, timestamp: null },
          { name: 'h_count', labels: {}, value: TWO_64, timestamp: null },
        ],
      },
    ];
    const { warnings, back } = warn(fams, 'protobuf');
    const pb = decodeFamilies(encode(fams, { format: 'protobuf' }))[0] as { metric: { histogram: Record<string, unknown> }[] };
    expect(pb.metric[0]!.histogram.sampleCountFloat).toBe(TWO_64);
    expect(back[0]!.samples.find((s) => s.name === 'h_count')!.value).toBe(TWO_64);
    expect(warnings.some((w) => /2\^64 or more written as float counts/.test(w))).toBe(true);
  });

  it('an integer native histogram with a count of 2^64 is written as a float one and says so', () => {
    const h: NativeHistogram = {
      kind: 'integer',
      schema: 0,
      zeroThreshold: 0.1,
      zeroCount: TWO_64,
      count: TWO_64,
      sum: 0,
      positiveSpans: [],
      positiveBuckets: [],
      negativeSpans: [],
      negativeBuckets: [],
    };
    const fams: MetricFamily[] = [
      { name: 'h', type: 'histogram', help: '', unit: '', samples: [{ name: 'h', labels: {}, value: h, timestamp: null }] },
    ];
    const { warnings, back } = warn(fams, 'protobuf');
    const v = back[0]!.samples[0]!.value as NativeHistogram;
    expect(v).toMatchObject({ kind: 'float', count: TWO_64, zeroCount: TWO_64 });
    expect(warnings.some((w) => /written as float ones/.test(w))).toBe(true);
  });

  it('an empty float native histogram reads back as an integer one, and the kind change is said', () => {
    const h: NativeHistogram = {
      kind: 'float',
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 0,
      sum: 0,
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveBuckets: [0, 0],
      negativeSpans: [],
      negativeBuckets: [],
    };
    const fams: MetricFamily[] = [
      { name: 'h', type: 'histogram', help: '', unit: '', samples: [{ name: 'h', labels: {}, value: h, timestamp: null }] },
    ];
    const { warnings, back } = warn(fams, 'protobuf');
    expect(back[0]!.samples[0]!.value).toEqual({ ...h, kind: 'integer' });
    expect(warnings.some((w) => /written as integer ones/.test(w))).toBe(true);
  });

  it('a summary or histogram start timestamp of 0 is reported as dropped', () => {
    const text =
      '# TYPE s summary\ns_sum 1\ns_count 1\ns_created 0\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\nh_created 0\n# EOF\n';
    const { warnings } = warn(parse(text, { format: 'openmetrics' }), 'protobuf');
    expect(warnings.filter((w) => /start timestamp 0 dropped/.test(w))).toHaveLength(2);
  });

  it('a protobuf counter without _total written to OpenMetrics says its samples were renamed', () => {
    const fams: MetricFamily[] = [
      { name: 'c2', type: 'counter', help: '', unit: '', samples: [{ name: 'c2', labels: {}, value: 1, timestamp: null }] },
    ];
    const { warnings, back } = warn(fams, 'openmetrics');
    expect(back[0]!.samples[0]!.name).toBe('c2_total');
    expect(warnings).toEqual(['"c2": written as "c2_total": an OpenMetrics 1.0 counter\'s samples end in _total (1 sample)']);
  });
});
