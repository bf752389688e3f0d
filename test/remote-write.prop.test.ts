/**
 * Remote-write properties: arbitrary series round-trip through
 * encodeWriteRequest and decodeWriteRequest in both versions, protobufjs
 * (promwire's own .proto descriptions) reads the same labels and values,
 * and any bytes, or a valid request with bytes flipped or cut, give a
 * result or a PromwireError, never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWriteRequest, encodeWriteRequest, type MetricFamily, type NativeHistogram, PromwireError } from '../src/index.js';
import { PbRequestV2, PbWriteRequest, pbDecode } from './proto/remote-write-schema.js';

const RUNS = Number(process.env.PROP_RUNS ?? 100);

const labelName = fc.oneof(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }));
const labels = fc.dictionary(labelName, fc.string({ unit: 'grapheme', maxLength: 6 }), { maxKeys: 5 }).map((l) => {
  delete l.__name__;
  return l;
});
const value = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 0));
const timestamp = fc.oneof(fc.constant(null), fc.integer({ min: -1e12, max: 4e12 }));
const counts = fc.array(fc.nat({ max: 1e6 }), { maxLength: 5 });
const histogram: fc.Arbitrary<NativeHistogram> = fc
  .tuple(
    fc.boolean(),
    fc.integer({ min: -4, max: 8 }),
    counts,
    counts,
    fc.nat({ max: 100 }),
    fc.double({ noNaN: true }),
    fc.integer({ min: -5, max: 5 }),
  )
  .map(([float, schema, pos, neg, zero, sum, offset]) => {
    const k = float ? 0.5 : 0;
    const p = pos.map((c) => c + k);
    const n = neg.map((c) => c + k);
    return {
      kind: float ? 'float' : 'integer',
      schema,
      zeroThreshold: 1e-128,
      zeroCount: zero + k,
      count: zero + k + p.reduce((a, b) => a + b, 0) + n.reduce((a, b) => a + b, 0),
      sum,
      positiveSpans: p.length > 0 ? [{ offset, length: p.length }] : [],
      positiveBuckets: p,
      negativeSpans: n.length > 0 ? [{ offset: 0 - offset || 0, length: n.length }] : [],
      negativeBuckets: n,
    };
  });

const families: fc.Arbitrary<MetricFamily[]> = fc.array(
  fc
    .tuple(
      fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/),
      fc.boolean(),
      fc.array(fc.tuple(labels, value, timestamp, histogram, fc.boolean()), { maxLength: 4 }),
    )
    .map(
      ([name, hist, samples]): MetricFamily =>
        hist
          ? {
              name,
              type: 'histogram',
              help: 'h',
              unit: '',
              samples: samples.map(([l, , ts, h, native]) =>
                native ? { name, labels: l, value: h, timestamp: ts } : { name: `${name}_count`, labels: l, value: h.count, timestamp: ts },
              ),
            }
          : {
              name,
              type: 'gauge',
              help: '',
              unit: 'u',
              samples: samples.map(([l, v, ts]) => ({ name, labels: l, value: v, timestamp: ts })),
            },
    ),
  { maxLength: 4 },
);

const T = 1_700_000_000_000;

describe('remote-write round trips', () => {
  for (const version of ['1.0', '2.0'] as const) {
    it(`decode(encode(series)) gives every series back, and protobufjs agrees (${version})`, () => {
      fc.assert(
        fc.property(families, (fams) => {
          const bytes = encodeWriteRequest(fams, { version, timestamp: T });
          const d = decodeWriteRequest(bytes, version);
          const samples = fams.flatMap((f) => f.samples);
          expect(d.series).toHaveLength(samples.length);
          const pb = pbDecode(version === '1.0' ? PbWriteRequest : PbRequestV2, bytes) as { timeseries: unknown[] };
          expect(pb.timeseries).toHaveLength(samples.length);
          samples.forEach((s, i) => {
            const got = d.series[i]!;
            expect(got.labels).toEqual({ ...s.labels, __name__: s.name });
            const ts = s.timestamp ?? T;
            if (typeof s.value === 'number') expect(got.samples).toEqual([{ value: s.value, timestamp: ts }]);
            else expect(got.histograms).toEqual([{ value: s.value, timestamp: ts, resetHint: 'unknown' }]);
          });
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('decodeWriteRequest on hostile bytes', () => {
  const check = (bytes: Uint8Array, version: '1.0' | '2.0'): void => {
    try {
      decodeWriteRequest(bytes, version);
    } catch (e) {
      if (!(e instanceof PromwireError)) throw e;
    }
  };
  it('any bytes: a result or a PromwireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('1.0' as const, '2.0' as const), (b, v) => check(b, v)),
      { numRuns: RUNS * 5 },
    );
  });
  it('a valid request with bytes changed or cut: a result or a PromwireError', () => {
    fc.assert(
      fc.property(
        families,
        fc.constantFrom('1.0' as const, '2.0' as const),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (fams, v, flips, cut) => {
          const bytes = encodeWriteRequest(fams, { version: v, timestamp: T }).slice();
          if (bytes.length === 0) return;
          for (const [i, x] of flips) bytes[i % bytes.length] = x;
          check(bytes, v);
          check(bytes.subarray(0, cut % (bytes.length + 1)), v);
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });
});
