import { describe, expect, it } from 'vitest';
import { encode, encodeChunks, encodeToString, type MetricFamily, parse, PromwireError } from '../src/index.js';
import type { NativeHistogram } from '../src/model/index.js';
import { decodeDelimited, tsMillis } from './helpers/pb-decode.js';

function pb(
  families: MetricFamily[],
  options: Parameters<typeof encode>[1] = {},
): { out: ReturnType<typeof decodeDelimited>; warnings: string[] } {
  const warnings: string[] = [];
  const bytes = encode(families, { format: 'protobuf', onWarning: (m) => warnings.push(m), ...options });
  return { out: decodeDelimited(bytes), warnings };
}

const OM = `# TYPE http_requests counter
# HELP http_requests Requests served.
http_requests_total{code="200"} 1027 # {trace_id="4bf92f"} 1 1700000001.5
http_requests_created{code="200"} 1700000000.25
http_requests_total{code="500"} 3
# TYPE temperature_celsius gauge
# UNIT temperature_celsius celsius
temperature_celsius{room="lab"} 21.5 1700000000
# TYPE rpc_seconds histogram
rpc_seconds_bucket{le="0.1"} 3
rpc_seconds_bucket{le="1.0"} 5 # {trace_id="4bf92f"} 0.5 1700000002
rpc_seconds_bucket{le="+Inf"} 6
rpc_seconds_sum 4.2
rpc_seconds_count 6
rpc_seconds_created 1700000000
# TYPE queue_seconds gaugehistogram
queue_seconds_bucket{le="1.0"} 2
queue_seconds_bucket{le="+Inf"} 3
queue_seconds_gcount 3
queue_seconds_gsum 2.5
# TYPE gc_seconds summary
gc_seconds{quantile="0.5"} 0.002
gc_seconds{quantile="0.99"} 0.011
gc_seconds_sum 1.5
gc_seconds_count 512
gc_seconds_created 1700000000
# TYPE legacy_thing unknown
legacy_thing 42
# EOF
`;

describe('encode({ format: "protobuf" })', () => {
  it('writes every float type as client_golang models it, field by field', () => {
    const { out, warnings } = pb(parse(OM));
    expect(warnings).toEqual([]);
    expect(out.map((f: { name: string; type?: string }) => [f.name, f.type ?? 'COUNTER'])).toEqual([
      ['http_requests_total', 'COUNTER'],
      ['temperature_celsius', 'GAUGE'],
      ['rpc_seconds', 'HISTOGRAM'],
      ['queue_seconds', 'GAUGE_HISTOGRAM'],
      ['gc_seconds', 'SUMMARY'],
      ['legacy_thing', 'UNTYPED'],
    ]);
    const [counter, gauge, hist, ghist, summary, untyped] = out;
    expect(counter.help).toBe('Requests served.');
    expect(counter.metric[0].label).toEqual([{ name: 'code', value: '200' }]);
    expect(counter.metric[0].counter.value).toBe(1027);
    expect(counter.metric[0].counter.exemplar).toEqual({
      label: [{ name: 'trace_id', value: '4bf92f' }],
      value: 1,
      timestamp: { seconds: 1700000001, nanos: 500000000 },
    });
    expect(tsMillis(counter.metric[0].counter.createdTimestamp)).toBe(1700000000250);
    expect(counter.metric[1].counter).toEqual({ value: 3 });
    expect(gauge.unit).toBe('celsius');
    expect(gauge.metric[0]).toEqual({ label: [{ name: 'room', value: 'lab' }], gauge: { value: 21.5 }, timestampMs: 1700000000000 });
    // +Inf is left out when it equals the count (client_golang; Prometheus synthesises it).
    expect(hist.metric).toEqual([
      {
        histogram: {
          sampleCount: 6,
          sampleSum: 4.2,
          bucket: [
            { cumulativeCount: 3, upperBound: 0.1 },
            {
              cumulativeCount: 5,
              upperBound: 1,
              exemplar: { label: [{ name: 'trace_id', value: '4bf92f' }], value: 0.5, timestamp: { seconds: 1700000002 } },
            },
          ],
          createdTimestamp: { seconds: 1700000000 },
        },
      },
    ]);
    expect(ghist.metric[0].histogram).toEqual({ sampleCount: 3, sampleSum: 2.5, bucket: [{ cumulativeCount: 2, upperBound: 1 }] });
    expect(summary.metric[0].summary).toEqual({
      sampleCount: 512,
      sampleSum: 1.5,
      quantile: [
        { quantile: 0.5, value: 0.002 },
        { quantile: 0.99, value: 0.011 },
      ],
      createdTimestamp: { seconds: 1700000000 },
    });
    expect(untyped.metric[0].untyped.value).toBe(42);
  });

  it('groups histogram and summary samples by label set, wherever they appear', () => {
    const fams = parse(`# TYPE h histogram
h_bucket{a="1",le="1"} 1
h_bucket{a="2",le="1"} 2
h_bucket{a="1",le="+Inf"} 4
h_bucket{a="2",le="+Inf"} 2
h_sum{a="1"} 3
h_count{a="1"} 4
h_sum{a="2"} 1
h_count{a="2"} 2
`);
    const { out } = pb(fams);
    expect(out[0].metric.map((m: { label: unknown; histogram: unknown }) => [m.label, m.histogram])).toEqual([
      [[{ name: 'a', value: '1' }], { sampleCount: 4, sampleSum: 3, bucket: [{ cumulativeCount: 1, upperBound: 1 }] }],
      [[{ name: 'a', value: '2' }], { sampleCount: 2, sampleSum: 1, bucket: [{ cumulativeCount: 2, upperBound: 1 }] }],
    ]);
  });

  it('keeps a +Inf bucket that differs from the count, and writes fractional counts to the _float fields', () => {
    const fams: MetricFamily[] = [
      {
        name: 'h',
        type: 'histogram',
        help: '',
        unit: '',
        samples: [
          { name: 'h_bucket', labels: { le: '1' }, value: 0.5, timestamp: null },
          { name: 'h_bucket', labels: { le: '+Inf' }, value: 2.5, timestamp: null },
          { name: 'h_sum', labels: {}, value: 1, timestamp: null },
          { name: 'h_count', labels: {}, value: 3, timestamp: null },
        ],
      },
    ];
    expect(pb(fams).out[0].metric[0].histogram).toEqual({
      sampleCount: 3,
      sampleSum: 1,
      bucket: [
        { upperBound: 1, cumulativeCountFloat: 0.5 },
        { upperBound: Infinity, cumulativeCountFloat: 2.5 },
      ],
    });
  });

  const integer: NativeHistogram = {
    kind: 'integer',
    schema: 0,
    zeroThreshold: 1e-128,
    zeroCount: 1,
    count: 6,
    sum: 10.5,
    positiveSpans: [
      { offset: 0, length: 2 },
      { offset: 1, length: 1 },
    ],
    positiveBuckets: [1, 2, 1],
    negativeSpans: [{ offset: -2, length: 1 }],
    negativeBuckets: [1],
  };

  it('writes an integer native histogram with deltas, spans, zero bucket and exemplars', () => {
    const fams: MetricFamily[] = [
      {
        name: 'rpc_seconds',
        type: 'histogram',
        help: 'h',
        unit: 'seconds',
        samples: [
          {
            name: 'rpc_seconds',
            labels: { job: 'x' },
            value: integer,
            timestamp: 1700000000123,
            startTimestamp: 1600000000000,
            exemplars: [
              { labels: { trace_id: 'a' }, value: 0.7, timestamp: 1700000000000 },
              { labels: { trace_id: 'b' }, value: 3, timestamp: 1700000000001.5 },
            ],
          },
        ],
      },
    ];
    const { out, warnings } = pb(fams);
    expect(warnings).toEqual([]);
    expect(out[0].unit).toBe('seconds');
    const m = out[0].metric[0];
    expect(m.label).toEqual([{ name: 'job', value: 'x' }]);
    expect(m.timestampMs).toBe(1700000000123);
    expect(m.histogram).toEqual({
      sampleCount: 6,
      sampleSum: 10.5,
      zeroThreshold: 1e-128,
      zeroCount: 1,
      negativeSpan: [{ offset: -2, length: 1 }],
      negativeDelta: [1],
      positiveSpan: [{ length: 2 }, { offset: 1, length: 1 }], // protobufjs leaves zeros out of its objects
      positiveDelta: [1, 1, -1],
      createdTimestamp: { seconds: 1600000000 },
      exemplars: [
        { label: [{ name: 'trace_id', value: 'a' }], value: 0.7, timestamp: { seconds: 1700000000 } },
        { label: [{ name: 'trace_id', value: 'b' }], value: 3, timestamp: { seconds: 1700000000, nanos: 1500000 } },
      ],
    });
  });

  it('writes a float native histogram with absolute counts and the _float fields', () => {
    const h: NativeHistogram = {
      ...integer,
      kind: 'float',
      zeroCount: 0.5,
      count: 5.25,
      positiveBuckets: [1.5, 2, 0.25],
      negativeBuckets: [1],
    };
    const fams: MetricFamily[] = [
      { name: 'f', type: 'gaugehistogram', help: '', unit: '', samples: [{ name: 'f', labels: {}, value: h, timestamp: null }] },
    ];
    const hist = pb(fams).out[0].metric[0].histogram;
    expect(hist).toEqual({
      sampleSum: 10.5,
      sampleCountFloat: 5.25,
      zeroThreshold: 1e-128,
      zeroCountFloat: 0.5,
      negativeSpan: [{ offset: -2, length: 1 }],
      negativeCount: [1],
      positiveSpan: [{ length: 2 }, { offset: 1, length: 1 }], // protobufjs leaves zeros out of its objects
      positiveCount: [1.5, 2, 0.25],
    });
    expect(pb(fams).out[0].type).toBe('GAUGE_HISTOGRAM');
  });

  it('gives an empty native histogram with zero threshold 0 a no-op span (metrics.proto)', () => {
    const empty: NativeHistogram = {
      kind: 'integer',
      schema: 3,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 0,
      sum: 0,
      positiveSpans: [],
      positiveBuckets: [],
      negativeSpans: [],
      negativeBuckets: [],
    };
    const fams: MetricFamily[] = [
      { name: 'e', type: 'histogram', help: '', unit: '', samples: [{ name: 'e', labels: {}, value: empty, timestamp: null }] },
    ];
    const hist = pb(fams).out[0].metric[0].histogram;
    expect(hist.positiveSpan).toEqual([{}]); // offset 0, length 0: both fields at their defaults
    expect(hist.schema).toBe(3);
  });

  it('merges a native histogram and classic buckets of the same series into one Histogram', () => {
    const fams: MetricFamily[] = [
      {
        name: 'rpc',
        type: 'histogram',
        help: '',
        unit: '',
        samples: [
          { name: 'rpc_bucket', labels: { a: '1', le: '1.0' }, value: 2, timestamp: null },
          { name: 'rpc_bucket', labels: { a: '1', le: '+Inf' }, value: 6, timestamp: null },
          { name: 'rpc_sum', labels: { a: '1' }, value: 10.5, timestamp: null },
          { name: 'rpc_count', labels: { a: '1' }, value: 6, timestamp: null },
          { name: 'rpc', labels: { a: '1' }, value: integer, timestamp: null },
        ],
      },
    ];
    const { out } = pb(fams);
    expect(out[0].metric).toHaveLength(1);
    const h = out[0].metric[0].histogram;
    expect(h.sampleCount).toBe(6);
    expect(h.bucket).toEqual([{ cumulativeCount: 2, upperBound: 1 }]);
    expect(h.positiveDelta).toEqual([1, 1, -1]);
  });

  it('writes UTF-8 names as they are, and escapes them by the escaping option as expfmt does', () => {
    const fams = parse('# TYPE "my.requests_total" counter\n{"my.requests_total","zone.name"="eu",ok="1"} 2\n');
    const plain = pb(fams).out[0];
    expect(plain.name).toBe('my.requests_total');
    expect(plain.metric[0].label).toEqual([
      { name: 'zone.name', value: 'eu' },
      { name: 'ok', value: '1' },
    ]);
    const escaped = pb(fams, { escaping: 'underscores' }).out[0];
    expect(escaped.name).toBe('my_requests_total');
    expect(escaped.metric[0].label[0].name).toBe('zone_name');
    expect(pb(fams, { escaping: 'values' }).out[0].name).toBe('U__my_2e_requests__total');
  });

  it('writes an empty family with its metadata and no metrics', () => {
    const { out } = pb([{ name: 'nothing', type: 'gauge', help: 'x', unit: '', samples: [] }]);
    expect(out).toEqual([{ name: 'nothing', help: 'x', type: 'GAUGE' }]);
  });

  it('encodeChunks joins to encode() byte for byte, cutting only between families', () => {
    const fams = parse(OM);
    const whole = encode(fams, { format: 'protobuf' });
    for (const chunkSize of [1, 50, 100000]) {
      const chunks = [...encodeChunks(fams, { format: 'protobuf', chunkSize })];
      expect(Buffer.concat(chunks).equals(Buffer.from(whole))).toBe(true);
      if (chunkSize === 1) expect(chunks).toHaveLength(6);
    }
  });

  it('refuses invalid families and encodeToString', () => {
    const bad = {
      name: 'x',
      type: 'histogram',
      help: '',
      unit: '',
      samples: [{ name: 'x', labels: {}, value: { ...integer, count: 1 }, timestamp: null }],
    } as MetricFamily;
    expect(() => encode([bad], { format: 'protobuf' })).toThrow(/invalid native histogram: count 1 is less than/);
    expect(() => encodeToString([], { format: 'protobuf' })).toThrow(PromwireError);
  });
});

describe('protobuf conversion warnings (one per family and kind of loss)', () => {
  it('info and stateset become gauges', () => {
    const fams = parse('# TYPE build info\nbuild_info{v="1"} 1\n# TYPE s stateset\ns{s="a"} 1\ns{s="b"} 0\n# EOF\n');
    const { out, warnings } = pb(fams);
    expect(out.map((f: { name: string; type: string }) => [f.name, f.type])).toEqual([
      ['build_info', 'GAUGE'],
      ['s', 'GAUGE'],
    ]);
    expect(out[1].metric[1]).toEqual({ label: [{ name: 's', value: 'b' }], gauge: {} }); // value 0: protobufjs leaves zeros out
    expect(warnings).toEqual([
      '"build_info": written as a gauge: protobuf has no info type (1 sample)',
      '"s": written as a gauge: protobuf has no stateset type (2 samples)',
    ]);
  });

  it('exemplars beyond the first, exemplars where protobuf has none, a timestamp of 0, fractional milliseconds', () => {
    const ex = (v: number) => ({ labels: { t: String(v) }, value: v, timestamp: null });
    const fams: MetricFamily[] = [
      {
        name: 'c_total',
        type: 'counter',
        help: '',
        unit: '',
        samples: [
          { name: 'c_total', labels: { a: '1' }, value: 1, timestamp: 0, exemplars: [ex(1), ex(2), ex(3)] },
          { name: 'c_total', labels: { a: '2' }, value: 1, timestamp: 1.5, exemplars: [ex(1), ex(2)] },
        ],
      },
      {
        name: 'g',
        type: 'gauge',
        help: '',
        unit: '',
        samples: [{ name: 'g', labels: {}, value: 1, timestamp: null, exemplars: [ex(1)], startTimestamp: 5 }],
      },
    ];
    const { out, warnings } = pb(fams);
    expect(out[0].metric[0].timestampMs).toBeUndefined();
    expect(out[0].metric[1].timestampMs).toBe(1);
    expect(out[0].metric[0].counter.exemplar.value).toBe(1);
    expect(warnings).toEqual([
      '"c_total": exemplars beyond the first dropped: protobuf carries one exemplar per counter and per bucket (3 samples)',
      '"c_total": timestamp 0 dropped: protobuf reads timestamp_ms 0 as no timestamp (1 sample)',
      '"c_total": timestamps truncated to whole milliseconds: protobuf timestamp_ms is an integer (1 sample)',
      '"g": exemplars dropped: protobuf has no exemplars on gauges and untyped metrics (1 sample)',
      '"g": start timestamps dropped: protobuf has created_timestamp only on counters, summaries and histograms (1 sample)',
    ]);
  });

  it('a custom-bucket native histogram is written as its classic buckets', () => {
    const nhcb: NativeHistogram = {
      kind: 'integer',
      schema: -53,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 5,
      sum: 3,
      positiveSpans: [{ offset: 0, length: 3 }],
      positiveBuckets: [1, 2, 2],
      negativeSpans: [],
      negativeBuckets: [],
      customValues: [0.5, 1],
    };
    const { out, warnings } = pb([
      { name: 'c', type: 'histogram', help: '', unit: '', samples: [{ name: 'c', labels: {}, value: nhcb, timestamp: null }] },
    ]);
    expect(out[0].metric[0].histogram).toEqual({
      sampleCount: 5,
      sampleSum: 3,
      bucket: [
        { cumulativeCount: 1, upperBound: 0.5 },
        { cumulativeCount: 3, upperBound: 1 },
      ],
    });
    expect(warnings).toEqual([
      '"c": a custom-bucket native histogram written as classic buckets: the protobuf exposition has no custom bucket bounds (1 sample)',
    ]);
  });

  it('a summary count that is not a whole number, missing _sum/_count, bucket and _sum exemplars', () => {
    const fams = parse(`# TYPE s summary
s{quantile="0.5"} 1
s_count 1.5
s_sum 2
# TYPE t summary
t{quantile="0.5"} 1
# TYPE h histogram
h_bucket{le="1.0"} 1 # {a="1"} 1
h_bucket{le="+Inf"} 1
h_count 1
h_sum 1
# EOF
`);
    fams[2]!.samples[3]!.exemplars = [{ labels: {}, value: 1, timestamp: null }];
    const { out, warnings } = pb(fams);
    expect(out[0].metric[0].summary.sampleCount).toBeUndefined();
    expect(out[2].metric[0].histogram.bucket[0].exemplar).toEqual({ label: [{ name: 'a', value: '1' }], value: 1 });
    expect(warnings).toEqual([
      '"s": a _count that is not a whole number from 0 to 2^64-1 dropped: protobuf summaries count in uint64 (1 sample)',
      '"t": series without _sum or _count: protobuf readers take them as 0 (1 sample)',
      '"h": exemplars dropped: protobuf has exemplars on histogram buckets only (1 sample)',
    ]);
  });
});
