/**
 * Review of issue 9: the protobuf encoder and counts at or past 2^64 (the
 * uint64 fields' range). Each test fails on the code under review.
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
