/**
 * Remote write 1.0 and 2.0 messages: promwire's encoder checked field by
 * field with protobufjs (promwire's own .proto descriptions in test/proto),
 * protobufjs-encoded requests read by promwire's decoder, round trips, the
 * pull-parser path against the families path on every fixture, splitting,
 * and every refusal of the decoder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareUtf8,
  decodeWriteRequest,
  encode,
  encodeWriteRequest,
  encodeWriteRequestSnappy,
  encodeWriteRequests,
  type MetricFamily,
  MetricSet,
  type NativeHistogram,
  parse,
  PromwireError,
  type RemoteWriteVersion,
  snappyDecompress,
  writeRequestFamilies,
} from '../src/index.js';
import { PbRequestV2, PbWriteRequest, pbDecode } from './proto/remote-write-schema.js';

const T = 1_700_000_000_000;

const INT_H: NativeHistogram = {
  kind: 'integer',
  schema: 1,
  zeroThreshold: 1e-128,
  zeroCount: 2,
  count: 12,
  sum: 33.5,
  positiveSpans: [
    { offset: -2, length: 2 },
    { offset: 3, length: 1 },
  ],
  positiveBuckets: [4, 1, 3],
  negativeSpans: [{ offset: 0, length: 1 }],
  negativeBuckets: [2],
};
const FLOAT_H: NativeHistogram = {
  kind: 'float',
  schema: -2,
  zeroThreshold: 0,
  zeroCount: 0.5,
  count: 7.25,
  sum: -4,
  positiveSpans: [{ offset: 1, length: 2 }],
  positiveBuckets: [1.5, 5.25],
  negativeSpans: [],
  negativeBuckets: [],
};
const NHCB: NativeHistogram = {
  kind: 'integer',
  schema: -53,
  zeroThreshold: 0,
  zeroCount: 0,
  count: 6,
  sum: 9,
  positiveSpans: [{ offset: 0, length: 3 }],
  positiveBuckets: [1, 0, 5],
  negativeSpans: [],
  negativeBuckets: [],
  customValues: [0.5, 1, 2.5],
};

/** Every feature: types, metadata, unsorted and UTF-8 labels, exemplars, start timestamps, the three kinds of native histogram. */
const FAMILIES: MetricFamily[] = [
  {
    name: 'jobs_total',
    type: 'counter',
    help: 'Jobs done.',
    unit: '',
    samples: [
      {
        name: 'jobs_total',
        labels: { zone: 'b', Kind: 'x', a: 'é' },
        value: 17,
        timestamp: null,
        startTimestamp: T - 5000,
        exemplars: [{ labels: { trace_id: 'abc', span: '1' }, value: 0.5, timestamp: null }],
      },
      { name: 'jobs_total', labels: { zone: 'a' }, value: 0, timestamp: T + 1.9 },
    ],
  },
  {
    name: 'temp_celsius',
    type: 'gauge',
    help: '',
    unit: 'celsius',
    samples: [{ name: 'temp_celsius', labels: {}, value: -0.5, timestamp: T }],
  },
  {
    name: 'nothing',
    type: 'unknown',
    help: '',
    unit: '',
    samples: [{ name: 'nothing', labels: { '😀': 'v', '\uffff': 'w' }, value: Number.NaN, timestamp: T }],
  },
  {
    name: 'rpc_seconds',
    type: 'histogram',
    help: 'RPC latency.',
    unit: 'seconds',
    samples: [
      {
        name: 'rpc_seconds',
        labels: { method: 'get' },
        value: INT_H,
        timestamp: T,
        startTimestamp: T - 60_000,
        exemplars: [
          { labels: { trace_id: 'a' }, value: 0.7, timestamp: T - 1000 },
          { labels: { trace_id: 'b' }, value: 3, timestamp: T - 500 },
        ],
      },
      { name: 'rpc_seconds', labels: { method: 'put' }, value: FLOAT_H, timestamp: T },
      { name: 'rpc_seconds', labels: { method: 'nhcb' }, value: NHCB, timestamp: T },
      { name: 'rpc_seconds_bucket', labels: { method: 'get', le: '1.0' }, value: 4, timestamp: T },
      { name: 'rpc_seconds_bucket', labels: { method: 'get', le: '+Inf' }, value: 12, timestamp: T },
      { name: 'rpc_seconds_sum', labels: { method: 'get' }, value: 33.5, timestamp: T },
      { name: 'rpc_seconds_count', labels: { method: 'get' }, value: 12, timestamp: T },
    ],
  },
  {
    name: 'queue_seconds',
    type: 'gaugehistogram',
    help: '',
    unit: '',
    samples: [{ name: 'queue_seconds', labels: {}, value: { ...INT_H, negativeSpans: [], negativeBuckets: [] }, timestamp: T }],
  },
  { name: 'empty_family', type: 'summary', help: 'No samples.', unit: '', samples: [] },
];

const TYPES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];

/** Labels sorted as Go sorts strings (bytes), independently of promwire's compareUtf8. */
function sortedByBytes(labels: Record<string, string>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function deltas(counts: number[]): number[] {
  return counts.map((c, i) => c - (i === 0 ? 0 : counts[i - 1]!));
}

/** What the Histogram message must hold, in protobufjs' object form. */
function expectedHistogram(h: NativeHistogram, timestamp: number, resetHint: number): Record<string, unknown> {
  const int = h.kind === 'integer';
  return {
    count: int ? 'countInt' : 'countFloat',
    [int ? 'countInt' : 'countFloat']: h.count,
    zeroCount: int ? 'zeroCountInt' : 'zeroCountFloat',
    [int ? 'zeroCountInt' : 'zeroCountFloat']: h.zeroCount,
    sum: h.sum,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    negativeSpans: h.negativeSpans.map((s) => ({ offset: s.offset, length: s.length })),
    negativeDeltas: int ? deltas(h.negativeBuckets) : [],
    negativeCounts: int ? [] : h.negativeBuckets,
    positiveSpans: h.positiveSpans.map((s) => ({ offset: s.offset, length: s.length })),
    positiveDeltas: int ? deltas(h.positiveBuckets) : [],
    positiveCounts: int ? [] : h.positiveBuckets,
    resetHint,
    timestamp,
    customValues: h.customValues ?? [],
  };
}

describe('encodeWriteRequest 1.0, read by protobufjs', () => {
  const msg = pbDecode(PbWriteRequest, encodeWriteRequest(FAMILIES, { version: '1.0', timestamp: T })) as {
    timeseries: {
      labels: { name: string; value: string }[];
      samples: unknown[];
      exemplars: unknown[];
      histograms: Record<string, unknown>[];
    }[];
    metadata: unknown[];
  };

  it('writes one TimeSeries per sample with sorted labels, __name__ included', () => {
    const samples = FAMILIES.flatMap((f) => f.samples);
    expect(msg.timeseries).toHaveLength(samples.length);
    samples.forEach((s, i) => {
      const ts = msg.timeseries[i]!;
      expect(ts.labels.map((l) => [l.name, l.value])).toEqual(sortedByBytes({ ...s.labels, __name__: s.name }));
    });
    // Byte order: 'Kind' < '__name__' < 'a' < 'zone'; '\uffff' < '😀' (U+1F600 is after U+FFFF).
    expect(msg.timeseries[0]!.labels.map((l) => l.name)).toEqual(['Kind', '__name__', 'a', 'zone']);
    expect(msg.timeseries[3]!.labels.map((l) => l.name)).toEqual(['__name__', '\uffff', '😀']);
  });

  it('writes values and timestamps, the default timestamp where the sample has none, fractions truncated', () => {
    expect(msg.timeseries[0]!.samples).toEqual([{ value: 17, timestamp: T }]);
    expect(msg.timeseries[1]!.samples).toEqual([{ value: 0, timestamp: T + 1 }]);
    expect(msg.timeseries[2]!.samples).toEqual([{ value: -0.5, timestamp: T }]);
    expect((msg.timeseries[3]!.samples[0] as { value: number }).value).toBeNaN();
    expect(msg.timeseries[7]!.samples).toEqual([{ value: 4, timestamp: T }]);
  });

  it('writes exemplars with sorted labels, taking the sample timestamp when they have none', () => {
    expect(msg.timeseries[0]!.exemplars).toEqual([
      {
        labels: [
          { name: 'span', value: '1' },
          { name: 'trace_id', value: 'abc' },
        ],
        value: 0.5,
        timestamp: T,
      },
    ]);
    expect(msg.timeseries[4]!.exemplars).toEqual([
      { labels: [{ name: 'trace_id', value: 'a' }], value: 0.7, timestamp: T - 1000 },
      { labels: [{ name: 'trace_id', value: 'b' }], value: 3, timestamp: T - 500 },
    ]);
  });

  it('writes integer (deltas), float (counts) and custom-bucket histograms, GAUGE reset hint for a gauge histogram', () => {
    expect(msg.timeseries[4]!.samples).toEqual([]);
    expect(msg.timeseries[4]!.histograms).toEqual([expectedHistogram(INT_H, T, 0)]);
    expect(msg.timeseries[5]!.histograms).toEqual([expectedHistogram(FLOAT_H, T, 0)]);
    expect(msg.timeseries[6]!.histograms).toEqual([expectedHistogram(NHCB, T, 0)]);
    const gauge = FAMILIES[4]!.samples[0]!.value as NativeHistogram;
    expect(msg.timeseries[11]!.histograms).toEqual([expectedHistogram(gauge, T, 3)]);
  });

  it('writes one MetricMetadata per family, a family without samples included', () => {
    expect(msg.metadata).toEqual(
      FAMILIES.map((f) => ({ type: TYPES.indexOf(f.type), metricFamilyName: f.name, help: f.help, unit: f.unit })),
    );
  });
});

describe('encodeWriteRequest 2.0, read by protobufjs', () => {
  const msg = pbDecode(PbRequestV2, encodeWriteRequest(FAMILIES, { version: '2.0', timestamp: T })) as {
    symbols: string[];
    timeseries: {
      labelsRefs: number[];
      samples: unknown[];
      histograms: unknown[];
      exemplars: { labelsRefs: number[]; value: number; timestamp: number }[];
      metadata: { type: number; helpRef: number; unitRef: number } | null;
      createdTimestamp: number;
    }[];
  };
  const sym = (refs: number[]): [string, string][] => {
    const out: [string, string][] = [];
    for (let i = 0; i < refs.length; i += 2) out.push([msg.symbols[refs[i]!]!, msg.symbols[refs[i + 1]!]!]);
    return out;
  };

  it('starts the symbols with "" and interns each string once', () => {
    expect(msg.symbols[0]).toBe('');
    expect(new Set(msg.symbols).size).toBe(msg.symbols.length);
  });

  it('writes label refs sorted, samples, histograms, exemplars, per-series metadata and created_timestamp', () => {
    const samples = FAMILIES.flatMap((f) => f.samples.map((s) => ({ f, s })));
    expect(msg.timeseries).toHaveLength(samples.length);
    samples.forEach(({ f, s }, i) => {
      const ts = msg.timeseries[i]!;
      expect(sym(ts.labelsRefs)).toEqual(sortedByBytes({ ...s.labels, __name__: s.name }));
      const t = s.timestamp === null ? T : Math.trunc(s.timestamp);
      if (typeof s.value === 'number') {
        expect(ts.samples).toHaveLength(1);
        expect(ts.histograms).toEqual([]);
      } else {
        expect(ts.samples).toEqual([]);
        expect(ts.histograms).toEqual([expectedHistogram(s.value, t, f.type === 'gaugehistogram' ? 3 : 0)]);
      }
      const md = ts.metadata ?? { type: 0, helpRef: 0, unitRef: 0 };
      expect([TYPES[md.type], msg.symbols[md.helpRef], msg.symbols[md.unitRef]]).toEqual([f.type, f.help, f.unit]);
      expect(ts.createdTimestamp).toBe(s.startTimestamp ?? 0);
      expect(ts.exemplars.map((e) => ({ labels: sym(e.labelsRefs), value: e.value, timestamp: e.timestamp }))).toEqual(
        (s.exemplars ?? []).map((e) => ({ labels: sortedByBytes(e.labels), value: e.value, timestamp: e.timestamp ?? t })),
      );
    });
  });

  it('leaves the metadata out of a series whose type, help and unit are all empty', () => {
    expect(msg.timeseries[3]!.metadata).toBeNull();
  });
});

describe('requests encoded by protobufjs, read by decodeWriteRequest', () => {
  it('reads a 1.0 request: unsorted labels sorted, unpacked deltas, float histogram, metadata', () => {
    const bytes = PbWriteRequest.encode(
      PbWriteRequest.fromObject({
        timeseries: [
          {
            labels: [
              { name: 'b', value: '2' },
              { name: '__name__', value: 'x_total' },
              { name: 'a', value: '1' },
            ],
            samples: [
              { value: 1.5, timestamp: T },
              { value: 2.5, timestamp: T + 15000 },
            ],
            exemplars: [{ labels: [{ name: 'trace_id', value: 't' }], value: 1, timestamp: T }],
          },
          {
            labels: [{ name: '__name__', value: 'h' }],
            histograms: [
              {
                countFloat: 3.5,
                sum: 2,
                schema: 0,
                zeroCountFloat: 0.5,
                positiveSpans: [{ offset: 1, length: 2 }],
                positiveCounts: [1, 2],
                resetHint: 3,
                timestamp: T,
              },
              {
                countInt: 3,
                zeroCountInt: 1,
                schema: -1,
                negativeSpans: [{ offset: -1, length: 2 }],
                negativeDeltas: [1, 0],
                timestamp: T + 1,
              },
            ],
          },
        ],
        metadata: [{ type: 1, metricFamilyName: 'x_total', help: 'X.', unit: '' }],
      }),
    ).finish();
    const d = decodeWriteRequest(bytes, '1.0');
    expect(d.series[0]!.name).toBe('x_total');
    expect(Object.keys(d.series[0]!.labels)).toEqual(['__name__', 'a', 'b']);
    expect(d.series[0]!.samples).toEqual([
      { value: 1.5, timestamp: T },
      { value: 2.5, timestamp: T + 15000 },
    ]);
    expect(d.series[0]!.exemplars).toEqual([{ labels: { trace_id: 't' }, value: 1, timestamp: T }]);
    expect(d.series[1]!.histograms).toEqual([
      {
        value: {
          kind: 'float',
          schema: 0,
          zeroThreshold: 0,
          zeroCount: 0.5,
          count: 3.5,
          sum: 2,
          positiveSpans: [{ offset: 1, length: 2 }],
          positiveBuckets: [1, 2],
          negativeSpans: [],
          negativeBuckets: [],
        },
        timestamp: T,
        resetHint: 'gauge',
      },
      {
        value: {
          kind: 'integer',
          schema: -1,
          zeroThreshold: 0,
          zeroCount: 1,
          count: 3,
          sum: 0,
          positiveSpans: [],
          positiveBuckets: [],
          negativeSpans: [{ offset: -1, length: 2 }],
          negativeBuckets: [1, 1],
        },
        timestamp: T + 1,
        resetHint: 'unknown',
      },
    ]);
    expect(d.metadata).toEqual([{ familyName: 'x_total', type: 'counter', help: 'X.', unit: '' }]);
  });

  it('reads a 2.0 request whose symbols come after the series', () => {
    const series = PbRequestV2.encode(
      PbRequestV2.fromObject({
        timeseries: [
          {
            labelsRefs: [1, 2, 3, 4],
            samples: [{ value: 7, timestamp: T }],
            metadata: { type: 2, helpRef: 5, unitRef: 0 },
            createdTimestamp: T - 1,
            exemplars: [{ labelsRefs: [3, 4], value: 1, timestamp: T }],
          },
        ],
      }),
    ).finish();
    const symbols = PbRequestV2.encode(PbRequestV2.fromObject({ symbols: ['', '__name__', 'g', 'k', 'v', 'Help.'] })).finish();
    const d = decodeWriteRequest(new Uint8Array([...series, ...symbols]), '2.0');
    expect(d.series).toEqual([
      {
        name: 'g',
        labels: { __name__: 'g', k: 'v' },
        samples: [{ value: 7, timestamp: T }],
        histograms: [],
        exemplars: [{ labels: { k: 'v' }, value: 1, timestamp: T }],
        metadata: { type: 'gauge', help: 'Help.', unit: '' },
        startTimestamp: T - 1,
      },
    ]);
  });
});

describe('round trips', () => {
  for (const version of ['1.0', '2.0'] as const) {
    it(`decode(encode(families)) as families equals the input (${version})`, () => {
      const d = decodeWriteRequest(encodeWriteRequest(FAMILIES, { version, timestamp: T }), version);
      expect(d.series).toHaveLength(12);
      const back = writeRequestFamilies(d);
      const withTs = FAMILIES.filter((f) => f.samples.length > 0).map((f) => ({
        ...f,
        samples: f.samples.map((s) => {
          const out = { ...s, timestamp: s.timestamp === null ? T : Math.trunc(s.timestamp) } as typeof s;
          if (version === '1.0') delete out.startTimestamp;
          if (s.exemplars) out.exemplars = s.exemplars.map((e) => ({ ...e, timestamp: e.timestamp ?? out.timestamp }));
          return out;
        }),
      }));
      expect(back).toEqual(withTs);
    });
  }

  it('a MetricSet encodes as its collect() does', () => {
    const set = new MetricSet();
    set
      .counter({ name: 'a_total', help: 'A.', labelNames: ['x'] })
      .labels({ x: '1' })
      .inc(3);
    set.histogram({ name: 'h_seconds', help: 'H.', buckets: [1, 2] }).observe(1.5);
    for (const version of ['1.0', '2.0'] as const) {
      expect(encodeWriteRequest(set, { version, timestamp: T })).toEqual(encodeWriteRequest(set.collect(), { version, timestamp: T }));
    }
  });

  it('the snappy helper compresses encodeWriteRequest', () => {
    const raw = encodeWriteRequest(FAMILIES, { version: '2.0', timestamp: T });
    expect(snappyDecompress(encodeWriteRequestSnappy(FAMILIES, { version: '2.0', timestamp: T }))).toEqual(raw);
  });
});

const FIXTURES = join(__dirname, '..', 'fixtures');
const FIXTURE_FILES = readdirSync(FIXTURES).filter((f) => f.endsWith('.prom') || f.endsWith('.om.txt'));

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

describe('the pull-parser path writes the same bytes as the families path', () => {
  it('covers the text and OpenMetrics fixtures', () => {
    expect(FIXTURE_FILES.length).toBeGreaterThanOrEqual(10);
    expect(FIXTURE_FILES).toContain('python_client.om.txt');
  });
  for (const file of FIXTURE_FILES) {
    for (const version of ['1.0', '2.0'] as const) {
      it(`${file} (${version})`, () => {
        const bytes = new Uint8Array(readFileSync(join(FIXTURES, file)));
        const families = parse(bytes);
        const a = encodeWriteRequest(families, { version, timestamp: T });
        const b = encodeWriteRequest(bytes, { version, timestamp: T });
        expect(same(a, b)).toBe(true);
        expect(decodeWriteRequest(b, version).series.length).toBe(families.reduce((n, f) => n + f.samples.length, 0));
        const split = (input: MetricFamily[] | Uint8Array): Uint8Array[] =>
          [...encodeWriteRequests(input, { version, timestamp: T, maxSamplesPerRequest: 97, metadata: false })].map((r) => r.body);
        const sa = split(families);
        const sb = split(bytes);
        expect(sb.length).toBe(sa.length);
        for (let i = 0; i < sa.length; i++) expect(same(sa[i]!, sb[i]!)).toBe(true);
      });
    }
  }

  it('OpenMetrics _created lines are start timestamps (2.0 created_timestamp), not series', () => {
    const om = new TextEncoder().encode(
      '# TYPE a counter\na_total{x="1"} 5\na_created{x="1"} 1700000000.5\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_count 2\nh_sum 3\nh_created 1700000001\n# EOF\n',
    );
    const d = decodeWriteRequest(encodeWriteRequest(om, { version: '2.0', timestamp: T, parser: { format: 'openmetrics' } }), '2.0');
    expect(d.series.map((s) => [s.name, s.startTimestamp])).toEqual([
      ['a_total', 1700000000500],
      ['h_bucket', 1700000001000],
      ['h_bucket', 1700000001000],
      ['h_count', 1700000001000],
      ['h_sum', 1700000001000],
    ]);
    expect(d.series[1]!.labels.le).toBe('1.0');
  });

  for (const version of ['1.0', '2.0'] as const) {
    it(`a protobuf payload with native histograms (${version})`, () => {
      const pb = encode(
        FAMILIES.filter((f) => f.type !== 'unknown' && !f.samples.some((s) => typeof s.value !== 'number' && s.value.schema === -53)),
        { format: 'protobuf' },
      );
      const families = parse(pb, { format: 'protobuf' });
      expect(families.some((f) => f.samples.some((s) => typeof s.value !== 'number'))).toBe(true);
      const a = encodeWriteRequest(families, { version, timestamp: T });
      const b = encodeWriteRequest(pb, { version, timestamp: T, parser: { format: 'protobuf' } });
      expect(same(a, b)).toBe(true);
    });
  }
});

describe('encodeWriteRequests splits by maxSamplesPerRequest', () => {
  const big: MetricFamily[] = [
    {
      name: 'g',
      type: 'gauge',
      help: 'G.',
      unit: '',
      samples: Array.from({ length: 250 }, (_, i) => ({ name: 'g', labels: { i: String(i) }, value: i, timestamp: T })),
    },
    { name: 'h', type: 'histogram', help: '', unit: '', samples: [{ name: 'h', labels: {}, value: INT_H, timestamp: T }] },
  ];
  for (const version of ['1.0', '2.0'] as RemoteWriteVersion[]) {
    it(`never more than the maximum, nothing lost, each request whole (${version})`, () => {
      const reqs = [...encodeWriteRequests(big, { version, maxSamplesPerRequest: 100, compress: true })];
      expect(reqs.map((r) => r.samples + r.histograms)).toEqual([100, 100, 51]);
      expect(reqs.map((r) => r.histograms)).toEqual([0, 0, 1]);
      const all = reqs.flatMap((r) => decodeWriteRequest(snappyDecompress(r.body), version).series);
      expect(all.map((s) => s.labels.i ?? s.name)).toEqual([...Array.from({ length: 250 }, (_, i) => String(i)), 'h']);
      if (version === '1.0') {
        // The family's metadata travels with its first series; h's with h.
        expect(reqs.map((r) => r.metadata)).toEqual([1, 0, 1]);
      } else {
        for (const r of reqs) expect((pbDecode(PbRequestV2, snappyDecompress(r.body)).symbols as string[])[0]).toBe('');
      }
    });
  }

  it('yields nothing for no input, and refuses a bad maximum', () => {
    expect([...encodeWriteRequests([], { version: '2.0' })]).toEqual([]);
    expect(() => [...encodeWriteRequests(big, { maxSamplesPerRequest: 0 })]).toThrow(PromwireError);
  });
});

describe('decodeWriteRequest refuses', () => {
  const v1 = (timeseries: unknown[]): Uint8Array => PbWriteRequest.encode(PbWriteRequest.fromObject({ timeseries })).finish();
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(PromwireError);
      return (e as PromwireError).code;
    }
    return 'none';
  };

  it('truncated bytes, with the offset', () => {
    const bytes = encodeWriteRequest(FAMILIES, { version: '1.0', timestamp: T });
    for (const cut of [1, 7, 100, bytes.length - 1]) {
      let err: unknown;
      try {
        decodeWriteRequest(bytes.subarray(0, cut), '1.0');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PromwireError);
      expect((err as PromwireError).offset).toBeLessThanOrEqual(cut);
    }
  });

  it('a series without __name__, with a duplicate or empty label name (Prometheus 3.5 write_handler.go)', () => {
    expect(code(() => decodeWriteRequest(v1([{ labels: [{ name: 'a', value: '1' }] }]), '1.0'))).toBe('INVALID_METRIC_NAME');
    const dup = v1([
      {
        labels: [
          { name: '__name__', value: 'x' },
          { name: 'a', value: '1' },
          { name: 'a', value: '2' },
        ],
      },
    ]);
    expect(code(() => decodeWriteRequest(dup, '1.0'))).toBe('DUPLICATE_LABEL');
    expect(code(() => decodeWriteRequest(v1([{ labels: [{ name: '__name__', value: 'x' }, { value: '1' }] }]), '1.0'))).toBe(
      'INVALID_LABEL_NAME',
    );
    const skipped = decodeWriteRequest(new Uint8Array([...dup, ...v1([{ labels: [{ name: '__name__', value: 'ok' }] }])]), '1.0', {
      invalidSeries: 'skip',
    });
    expect(skipped.invalidSeries).toBe(1);
    expect(skipped.series.map((s) => s.name)).toEqual(['ok']);
  });

  it('invalid UTF-8 in a label', () => {
    const bytes = v1([{ labels: [{ name: '__name__', value: 'x' }] }]);
    const bad = new Uint8Array(bytes);
    bad[bad.length - 1] = 0xff;
    expect(code(() => decodeWriteRequest(bad, '1.0'))).toBe('INVALID_UTF8');
  });

  it('2.0 symbol refs out of range and odd labels_refs', () => {
    const req = (labelsRefs: number[]): Uint8Array =>
      PbRequestV2.encode(PbRequestV2.fromObject({ symbols: ['', '__name__', 'x'], timeseries: [{ labelsRefs }] })).finish();
    expect(decodeWriteRequest(req([1, 2]), '2.0').series[0]!.name).toBe('x');
    expect(code(() => decodeWriteRequest(req([1, 3]), '2.0'))).toBe('INVALID_PROTOBUF');
    expect(code(() => decodeWriteRequest(req([1, 2, 1]), '2.0'))).toBe('INVALID_PROTOBUF');
  });

  it('past the series, label and sample limits', () => {
    const bytes = encodeWriteRequest(FAMILIES, { version: '2.0', timestamp: T });
    expect(code(() => decodeWriteRequest(bytes, '2.0', { maxSeries: 11 }))).toBe('LIMIT_EXCEEDED');
    expect(code(() => decodeWriteRequest(bytes, '2.0', { maxLabels: 3 }))).toBe('LIMIT_EXCEEDED');
    expect(code(() => decodeWriteRequest(bytes, '2.0', { maxSamples: 11 }))).toBe('LIMIT_EXCEEDED');
    expect(decodeWriteRequest(bytes, '2.0', { maxSeries: 12, maxLabels: 4, maxSamples: 12 }).series).toHaveLength(12);
  });

  it('a wrong wire type for a known field', () => {
    // TimeSeries (field 1) as a varint.
    expect(code(() => decodeWriteRequest(new Uint8Array([0x08, 0x01]), '1.0'))).toBe('INVALID_PROTOBUF');
  });
});

describe('compareUtf8', () => {
  it('orders as UTF-8 bytes do', () => {
    const words = ['', 'a', 'B', '_', '__name__', 'é', '\uffff', '\ue000', '😀', '𝔸', 'a😀', 'a\uffff', 'ab'];
    const byBytes = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...words].sort(compareUtf8)).toEqual(byBytes);
  });
});
