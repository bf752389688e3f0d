/**
 * The protobuf exposition read through the pull API, parse() and
 * parseStream(): messages built with protobufjs from a schema written in the
 * test (test/helpers/protobuf.ts) and, for what no encoder writes, by hand
 * (test/helpers/wire.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  Entry,
  type MetricFamily,
  Parser,
  type ParserOptions,
  PromwireError,
  detectFormat,
  entryName,
  parse,
  parseStream,
} from '../src/index.js';
import { ProtobufParser, TextParser } from '../src/parse/parser.js';
import { encodeFamilies, type PbFamily } from './helpers/protobuf.js';
import { dbl, family, frame, gaugeMetric, label, len, sint, str, u8, varint, vint } from './helpers/wire.js';

const PB: ParserOptions = { format: 'protobuf' };
const CT = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

/** Every entry of a walk, as plain data. */
function walk(bytes: Uint8Array, options: ParserOptions = PB): unknown[] {
  const p = new Parser(bytes, options);
  const out: unknown[] = [];
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    const k = entryName(e);
    if (e === Entry.Help) out.push([k, p.familyName(), p.help()]);
    else if (e === Entry.Type) out.push([k, p.familyName(), p.type()]);
    else if (e === Entry.Unit) out.push([k, p.familyName(), p.unit()]);
    else if (e === Entry.Histogram)
      out.push([k, p.metricName(), p.labels(), p.histogram(), p.timestamp(), p.startTimestamp(), p.exemplars()]);
    else {
      const x: unknown[] = [k, p.metricName(), p.labels(), p.value()];
      if (p.timestamp() !== null) x.push({ ts: p.timestamp() });
      if (p.startTimestamp() !== null) x.push({ st: p.startTimestamp() });
      if (p.hasExemplar()) x.push({ ex: p.exemplar() });
      out.push(x);
    }
  }
  return out;
}

function error(f: () => unknown): PromwireError {
  try {
    f();
  } catch (e) {
    if (e instanceof PromwireError) return e;
    throw e;
  }
  throw new Error('expected a PromwireError');
}

const ts = (seconds: number, nanos = 0) => ({ seconds, nanos });

describe('protobuf: entries of each type', () => {
  it('counter, gauge, untyped: HELP (always), UNIT when set, TYPE, one Series per Metric', () => {
    const b = encodeFamilies([
      {
        name: 'http_requests_total',
        help: 'Requests served.',
        type: 0,
        metric: [
          {
            label: [{ name: 'code', value: '200' }],
            counter: {
              value: 1027,
              createdTimestamp: ts(1700000000, 500_000_000),
              exemplar: { label: [{ name: 'trace_id', value: '4bf92f' }], value: 1, timestamp: ts(1700000001, 500_000_000) },
            },
          },
          { label: [{ name: 'code', value: '500' }], counter: { value: 3 }, timestampMs: 1700000000123 },
        ],
      },
      {
        name: 'temperature_celsius',
        type: 1,
        unit: 'celsius',
        metric: [{ label: [{ name: 'room', value: 'lab' }], gauge: { value: 21.5 } }],
      },
      { name: 'legacy_thing', type: 3, metric: [{ untyped: { value: Number.NaN } }] },
    ]);
    expect(walk(b)).toEqual([
      ['Help', 'http_requests_total', 'Requests served.'],
      ['Type', 'http_requests_total', 'counter'],
      [
        'Series',
        'http_requests_total',
        { code: '200' },
        1027,
        { st: 1700000000500 },
        { ex: { labels: { trace_id: '4bf92f' }, value: 1, timestamp: 1700000001500 } },
      ],
      ['Series', 'http_requests_total', { code: '500' }, 3, { ts: 1700000000123 }],
      ['Help', 'temperature_celsius', ''],
      ['Unit', 'temperature_celsius', 'celsius'],
      ['Type', 'temperature_celsius', 'gauge'],
      ['Series', 'temperature_celsius', { room: 'lab' }, 21.5],
      ['Help', 'legacy_thing', ''],
      ['Type', 'legacy_thing', 'unknown'],
      ['Series', 'legacy_thing', {}, Number.NaN],
    ]);
  });

  it('summary: quantiles, then _sum and _count; created timestamp on each', () => {
    const b = encodeFamilies([
      {
        name: 'gc_seconds',
        type: 2,
        metric: [
          {
            summary: {
              sampleCount: 512,
              sampleSum: 1.5,
              quantile: [
                { quantile: 0.5, value: 0.002 },
                { quantile: 1, value: 0.011 },
              ],
              createdTimestamp: ts(1700000000),
            },
          },
          { label: [{ name: 'x', value: 'y' }], summary: { sampleCount: 1, sampleSum: 2 } },
        ],
      },
    ]);
    expect(walk(b).slice(2)).toEqual([
      ['Series', 'gc_seconds', { quantile: '0.5' }, 0.002, { st: 1700000000000 }],
      ['Series', 'gc_seconds', { quantile: '1.0' }, 0.011, { st: 1700000000000 }],
      ['Series', 'gc_seconds_sum', {}, 1.5, { st: 1700000000000 }],
      ['Series', 'gc_seconds_count', {}, 512, { st: 1700000000000 }],
      ['Series', 'gc_seconds_sum', { x: 'y' }, 2],
      ['Series', 'gc_seconds_count', { x: 'y' }, 1],
    ]);
  });

  it('classic histogram: buckets with le as Prometheus spells it, a missing +Inf synthesised, _sum, _count; bucket exemplars', () => {
    const b = encodeFamilies([
      {
        name: 'rpc_seconds',
        type: 4,
        metric: [
          {
            histogram: {
              sampleCount: 6,
              sampleSum: 4.2,
              bucket: [
                { cumulativeCount: 3, upperBound: 0.1 },
                { cumulativeCount: 5, upperBound: 1, exemplar: { label: [{ name: 't', value: 'a' }], value: 0.5 } },
              ],
            },
          },
          // An explicit +Inf ends the buckets (protobufparse.go getMagicLabel); a float count wins.
          {
            label: [{ name: 'k', value: 'v' }],
            histogram: {
              sampleCount: 1,
              sampleCountFloat: 2.5,
              bucket: [
                { cumulativeCountFloat: 2.5, upperBound: Number.POSITIVE_INFINITY },
                { cumulativeCount: 9, upperBound: 5 },
              ],
            },
          },
          // No buckets at all: still a +Inf bucket.
          { label: [{ name: 'k', value: 'w' }], histogram: { sampleCount: 0 } },
        ],
      },
    ]);
    expect(walk(b).slice(2)).toEqual([
      ['Series', 'rpc_seconds_bucket', { le: '0.1' }, 3],
      ['Series', 'rpc_seconds_bucket', { le: '1.0' }, 5, { ex: { labels: { t: 'a' }, value: 0.5, timestamp: null } }],
      ['Series', 'rpc_seconds_bucket', { le: '+Inf' }, 6],
      ['Series', 'rpc_seconds_sum', {}, 4.2],
      ['Series', 'rpc_seconds_count', {}, 6],
      ['Series', 'rpc_seconds_bucket', { k: 'v', le: '+Inf' }, 2.5],
      ['Series', 'rpc_seconds_sum', { k: 'v' }, 0],
      ['Series', 'rpc_seconds_count', { k: 'v' }, 2.5],
      ['Series', 'rpc_seconds_bucket', { k: 'w', le: '+Inf' }, 0],
      ['Series', 'rpc_seconds_sum', { k: 'w' }, 0],
      ['Series', 'rpc_seconds_count', { k: 'w' }, 0],
    ]);
  });

  it('native integer histogram: deltas decoded to absolute counts, both sides, zero bucket, exemplars with timestamps only', () => {
    const b = encodeFamilies([
      {
        name: 'rpc_seconds',
        type: 4,
        metric: [
          {
            label: [{ name: 'a', value: 'b' }],
            timestampMs: 1700000000000,
            histogram: {
              sampleCount: 6,
              sampleSum: 10.5,
              schema: 0,
              zeroThreshold: 1e-128,
              zeroCount: 1,
              positiveSpan: [
                { offset: 0, length: 2 },
                { offset: 1, length: 1 },
              ],
              positiveDelta: [1, 1, -1],
              negativeSpan: [{ offset: -2, length: 1 }],
              negativeDelta: [1],
              createdTimestamp: ts(1699999999, 999_999_999),
              exemplars: [
                { label: [{ name: 'trace_id', value: 'x' }], value: 0.7, timestamp: ts(1700000000, 1_000_000) },
                { label: [{ name: 'trace_id', value: 'y' }], value: 0.8 },
              ],
            },
          },
        ],
      },
    ]);
    const native = {
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
    expect(walk(b).slice(2)).toEqual([
      [
        'Histogram',
        'rpc_seconds',
        { a: 'b' },
        native,
        1700000000000,
        1699999999999,
        [{ labels: { trace_id: 'x' }, value: 0.7, timestamp: 1700000000001 }],
      ],
    ]);
  });

  it('native float histogram (sample_count_float or zero_count_float > 0): counts as written, schema negative', () => {
    const b = encodeFamilies([
      {
        name: 'f',
        type: 4,
        metric: [
          {
            histogram: {
              sampleCountFloat: 3.5,
              sampleSum: 1,
              schema: -4,
              zeroThreshold: 0.001,
              zeroCountFloat: 0.5,
              positiveSpan: [{ offset: 3, length: 2 }],
              positiveCount: [1.5, 1.5],
              positiveDelta: [9, 9],
            },
          },
        ],
      },
    ]);
    const [, , h] = walk(b) as unknown[][];
    expect(h![3]).toEqual({
      kind: 'float',
      schema: -4,
      zeroThreshold: 0.001,
      zeroCount: 0.5,
      count: 3.5,
      sum: 1,
      positiveSpans: [{ offset: 3, length: 2 }],
      positiveBuckets: [1.5, 1.5],
      negativeSpans: [],
      negativeBuckets: [],
    });
  });

  it('a histogram is native only with a span, a zero threshold or a zero count; an empty one carries a no-op span', () => {
    const b = encodeFamilies([
      {
        name: 'h',
        type: 4,
        metric: [
          { histogram: { sampleCount: 0, positiveSpan: [{ offset: 0, length: 0 }] } },
          { histogram: { sampleCount: 0, zeroThreshold: 1e-128 } },
          { histogram: { sampleCount: 2, zeroCount: 2 } },
          { histogram: { sampleCount: 0, schema: 3 } }, // classic: no span, no threshold, no zero count
        ],
      },
    ]);
    const kinds = (walk(b).slice(2) as unknown[][]).map((x) => `${x[0]}:${x[1]}`);
    expect(kinds).toEqual(['Histogram:h', 'Histogram:h', 'Histogram:h', 'Series:h_bucket', 'Series:h_sum', 'Series:h_count']);
    const p = new Parser(b, PB);
    p.next();
    p.next();
    expect(p.next()).toBe(Entry.Histogram);
    expect(p.histogram().positiveSpans).toEqual([{ offset: 0, length: 0 }]);
  });

  it('native and classic together: the Histogram entry, then the classic series; gauge histograms as _sum/_count', () => {
    const b = encodeFamilies([
      {
        name: 'q',
        type: 5,
        metric: [
          {
            histogram: {
              sampleCount: 2,
              sampleSum: 3,
              schema: 1,
              positiveSpan: [{ offset: 1, length: 1 }],
              positiveDelta: [2],
              bucket: [{ cumulativeCount: 2, upperBound: 2 }],
            },
          },
        ],
      },
    ]);
    const kinds = (walk(b).slice(2) as unknown[][]).map((x) => `${x[0]}:${x[1]}:${JSON.stringify(x[2])}`);
    expect(kinds).toEqual([
      'Histogram:q:{}',
      'Series:q_bucket:{"le":"2.0"}',
      'Series:q_bucket:{"le":"+Inf"}',
      'Series:q_sum:{}',
      'Series:q_count:{}',
    ]);
    expect((walk(b)[1] as unknown[])[2]).toBe('gaugehistogram');
  });

  it("a native histogram without exemplars takes its buckets' exemplars that have a timestamp (protobufparse.go Exemplar)", () => {
    const b = encodeFamilies([
      {
        name: 'h',
        type: 4,
        metric: [
          {
            histogram: {
              sampleCount: 3,
              schema: 0,
              positiveSpan: [{ offset: 0, length: 1 }],
              positiveDelta: [3],
              bucket: [
                { cumulativeCount: 1, upperBound: 0.5, exemplar: { label: [{ name: 't', value: 'a' }], value: 0.4, timestamp: ts(10) } },
                { cumulativeCount: 3, upperBound: 1, exemplar: { label: [{ name: 't', value: 'b' }], value: 0.9 } },
              ],
            },
          },
        ],
      },
    ]);
    const p = new Parser(b, PB);
    p.next();
    p.next();
    expect(p.next()).toBe(Entry.Histogram);
    expect(p.hasExemplar()).toBe(true);
    expect(p.exemplars()).toEqual([{ labels: { t: 'a' }, value: 0.4, timestamp: 10000 }]);
    expect(p.exemplar()).toEqual({ labels: { t: 'a' }, value: 0.4, timestamp: 10000 });
    // The classic buckets keep theirs, with or without a timestamp.
    expect(p.next()).toBe(Entry.Series);
    expect(p.exemplars()).toEqual([{ labels: { t: 'a' }, value: 0.4, timestamp: 10000 }]);
    expect(p.next()).toBe(Entry.Series);
    expect(p.exemplar()).toEqual({ labels: { t: 'b' }, value: 0.9, timestamp: null });
    expect(() => p.histogram()).toThrow(PromwireError);
  });

  it('parseStream cuts a large protobuf family into batches between series', async () => {
    const metric = Array.from({ length: 10 }, (_, i) => ({
      label: [{ name: 'i', value: String(i) }],
      histogram: { sampleCount: 1, sampleSum: 1, bucket: [{ cumulativeCount: 1, upperBound: 1 }] },
    }));
    const b = encodeFamilies([{ name: 'h', type: 4, metric }]);
    async function* one() {
      yield b;
    }
    const pieces: MetricFamily[] = [];
    for await (const f of parseStream(one(), { ...PB, batchSamples: 5 })) pieces.push(f);
    expect(pieces.length).toBeGreaterThan(1);
    // Every piece holds whole series (4 samples each: two buckets, _sum, _count).
    for (const f of pieces) expect(f.samples.length % 4).toBe(0);
    expect(pieces.flatMap((f) => f.samples)).toEqual(parse(b, PB)[0]!.samples);
  });

  it('skips families without metrics and the fields it does not know (of every wire type)', () => {
    const unknown = [...vint(90, 7), ...dbl(91, 1), ...str(92, 'x'), ...[0xe5, 0x05, 1, 2, 3, 4]];
    const b = u8(
      family('empty', 1),
      frame(str(1, ''), vint(3, 99)), // empty: not even checked (protobufparse.go)
      frame(unknown, str(1, 'g'), vint(3, 1), len(4, [...unknown, ...label('a', '1'), ...len(2, [...unknown, ...dbl(1, 2)])])),
    );
    expect(walk(b)).toEqual([
      ['Help', 'g', ''],
      ['Type', 'g', 'gauge'],
      ['Series', 'g', { a: '1' }, 2],
    ]);
  });

  it('reads a value field of another type as absent (zeroes), as Prometheus decoder getters do; the last of a repeated field counts', () => {
    const b = u8(
      frame(str(1, 'c'), vint(3, 0), len(4, len(2, dbl(1, 5)))), // a counter family with a gauge value
      frame(str(1, 'd'), vint(3, 1), len(4, [...len(2, dbl(1, 1)), ...len(2, dbl(1, 2)), ...vint(6, 0)])),
    );
    expect(walk(b)).toEqual([
      ['Help', 'c', ''],
      ['Type', 'c', 'counter'],
      ['Series', 'c', {}, 0],
      ['Help', 'd', ''],
      ['Type', 'd', 'gauge'],
      ['Series', 'd', {}, 2],
    ]);
  });

  it('accepts a unit that is a suffix of the name after _, before _total for a counter (protobufparse.go)', () => {
    const ok = encodeFamilies([
      { name: 'rpc_duration_seconds_total', type: 0, unit: 'seconds', metric: [{ counter: { value: 1 } }] },
      { name: 'heap_bytes', type: 1, unit: 'bytes', metric: [{ gauge: { value: 1 } }] },
    ]);
    expect(parse(ok, PB).map((f) => [f.name, f.unit])).toEqual([
      ['rpc_duration_seconds_total', 'seconds'],
      ['heap_bytes', 'bytes'],
    ]);
    for (const [name, unit] of [
      ['heapbytes', 'bytes'],
      ['bytes', 'bytes'],
      ['x_total', 'total_x'],
    ]) {
      const e = error(() => parse(encodeFamilies([{ name, type: 1, unit, metric: [{ gauge: { value: 1 } }] }]), PB));
      expect(e.code).toBe('INVALID_METADATA');
    }
  });

  it('keeps names, help and label values in UTF-8, and seriesBytes as name and labels', () => {
    const b = encodeFamilies([
      { name: 'température', help: 'ça ☃', type: 1, metric: [{ label: [{ name: 'pièce', value: 'été' }], gauge: { value: 1 } }] },
    ]);
    const p = new Parser(b, PB);
    expect(p.next()).toBe(Entry.Help);
    expect(p.help()).toBe('ça ☃');
    p.next();
    expect(p.next()).toBe(Entry.Series);
    expect(p.metricName()).toBe('température');
    expect(p.labels()).toEqual({ pièce: 'été' });
    expect(new TextDecoder().decode(p.seriesBytes())).toBe('température\uFFFDpièce\uFFFDété');
    expect(p.seriesHash()).toBe(p.seriesHash());
    expect(p.line()).toBe(0);
    expect(p.comment()).toBe('');
  });
});

describe('protobuf: Parser, format detection', () => {
  it('Parser constructs a ProtobufParser or a TextParser; instanceof Parser holds for both', () => {
    const pb = new Parser(new Uint8Array(0), PB);
    expect(pb).toBeInstanceOf(ProtobufParser);
    expect(pb).toBeInstanceOf(Parser);
    expect(pb.format).toBe('protobuf');
    const tx = new Parser(new TextEncoder().encode('a 1\n'));
    expect(tx).toBeInstanceOf(TextParser);
    expect(tx).toBeInstanceOf(Parser);
    expect(tx.startTimestamp()).toBeNull();
    expect(() => tx.histogram()).toThrow(PromwireError);
    expect(new Parser(new Uint8Array(0), { contentType: CT }).format).toBe('protobuf');
  });

  it('detectFormat reads the protobuf media type, never guesses it from bytes', () => {
    expect(detectFormat(CT)).toBe('protobuf');
    expect(detectFormat('application/vnd.google.protobuf')).toBe('protobuf');
    expect(detectFormat('Application/Vnd.Google.Protobuf ; encoding=delimited')).toBe('protobuf');
    expect(detectFormat(undefined, u8(family('g', 1, gaugeMetric(1))))).toBe('text');
  });
});

describe('protobuf: families', () => {
  it('parse() builds the model: family named as given, native sample named after the family, start timestamps, exemplars', () => {
    const b = encodeFamilies([
      {
        name: 'jobs_total',
        help: 'Jobs.',
        type: 0,
        metric: [{ counter: { value: 2, createdTimestamp: ts(1700000000), exemplar: { label: [{ name: 't', value: '1' }], value: 1 } } }],
      },
      {
        name: 'rpc_seconds',
        type: 4,
        metric: [
          {
            histogram: {
              sampleCount: 2,
              sampleSum: 3,
              schema: 0,
              zeroThreshold: 1e-128,
              positiveSpan: [{ offset: 1, length: 1 }],
              positiveDelta: [2],
              createdTimestamp: ts(1700000000),
            },
          },
        ],
      },
      {
        name: 'queue_seconds',
        type: 5,
        metric: [{ histogram: { sampleCount: 3, sampleSum: 2.5, bucket: [{ cumulativeCount: 2, upperBound: 1 }] } }],
      },
    ]);
    const fams = parse(b, PB);
    expect(fams).toEqual([
      {
        name: 'jobs_total',
        type: 'counter',
        help: 'Jobs.',
        unit: '',
        samples: [
          {
            name: 'jobs_total',
            labels: {},
            value: 2,
            timestamp: null,
            exemplars: [{ labels: { t: '1' }, value: 1, timestamp: null }],
            startTimestamp: 1700000000000,
          },
        ],
      },
      {
        name: 'rpc_seconds',
        type: 'histogram',
        help: '',
        unit: '',
        samples: [
          {
            name: 'rpc_seconds',
            labels: {},
            timestamp: null,
            startTimestamp: 1700000000000,
            value: {
              kind: 'integer',
              schema: 0,
              zeroThreshold: 1e-128,
              zeroCount: 0,
              count: 2,
              sum: 3,
              positiveSpans: [{ offset: 1, length: 1 }],
              positiveBuckets: [2],
              negativeSpans: [],
              negativeBuckets: [],
            },
          },
        ],
      },
      {
        name: 'queue_seconds',
        type: 'gaugehistogram',
        help: '',
        unit: '',
        samples: [
          { name: 'queue_seconds_bucket', labels: { le: '1.0' }, value: 2, timestamp: null },
          { name: 'queue_seconds_bucket', labels: { le: '+Inf' }, value: 3, timestamp: null },
          { name: 'queue_seconds_gsum', labels: {}, value: 2.5, timestamp: null },
          { name: 'queue_seconds_gcount', labels: {}, value: 3, timestamp: null },
        ],
      },
    ]);
  });

  it('reads to the same families as the text form of the same series', () => {
    const text = [
      '# HELP http_requests_total Requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{code="200"} 1027',
      '# HELP rpc_seconds RPC latency.',
      '# TYPE rpc_seconds histogram',
      'rpc_seconds_bucket{le="0.1"} 3',
      'rpc_seconds_bucket{le="1"} 5',
      'rpc_seconds_bucket{le="+Inf"} 6',
      'rpc_seconds_sum 4.2',
      'rpc_seconds_count 6',
      '# HELP gc_seconds GC.',
      '# TYPE gc_seconds summary',
      'gc_seconds{quantile="0.5"} 0.002',
      'gc_seconds_sum 1.5',
      'gc_seconds_count 512',
      '',
    ].join('\n');
    const b = encodeFamilies([
      {
        name: 'http_requests_total',
        help: 'Requests.',
        type: 0,
        metric: [{ label: [{ name: 'code', value: '200' }], counter: { value: 1027 } }],
      },
      {
        name: 'rpc_seconds',
        help: 'RPC latency.',
        type: 4,
        metric: [
          {
            histogram: {
              sampleCount: 6,
              sampleSum: 4.2,
              bucket: [
                { cumulativeCount: 3, upperBound: 0.1 },
                { cumulativeCount: 5, upperBound: 1 },
              ],
            },
          },
        ],
      },
      {
        name: 'gc_seconds',
        help: 'GC.',
        type: 2,
        metric: [{ summary: { sampleCount: 512, sampleSum: 1.5, quantile: [{ quantile: 0.5, value: 0.002 }] } }],
      },
    ]);
    expect(parse(b, PB)).toEqual(parse(text, { format: 'text' }));
  });

  it('parseStream gives the same families split at every byte, and with contentType', async () => {
    const b = encodeFamilies([
      { name: 'a_total', type: 0, metric: [{ counter: { value: 1 } }, { label: [{ name: 'x', value: 'é' }], counter: { value: 2 } }] },
      { name: 'h', type: 4, metric: [{ histogram: { sampleCount: 1, sampleSum: 1, zeroThreshold: 1, zeroCount: 1 } }] },
    ]);
    const whole = JSON.stringify(parse(b, PB));
    for (let cut = 0; cut <= b.length; cut++) {
      async function* two() {
        yield b.subarray(0, cut);
        yield b.subarray(cut);
      }
      const got: MetricFamily[] = [];
      for await (const f of parseStream(two(), { contentType: CT })) got.push(f);
      expect(JSON.stringify(got)).toBe(whole);
    }
    async function* bytes() {
      for (let i = 0; i < b.length; i++) yield b.subarray(i, i + 1);
    }
    const got: MetricFamily[] = [];
    for await (const f of parseStream(bytes(), PB)) got.push(f);
    expect(JSON.stringify(got)).toBe(whole);
  });
});

/** Hand-built malformed payloads: [name, bytes, code, offset]. */
const G = gaugeMetric(1);
const MALFORMED: [string, Uint8Array, string, number][] = [
  ['length prefix over 5 bytes', u8([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 'INVALID_PROTOBUF', 0],
  ['length prefix cut', u8(family('g', 1, G), [0x80]), 'UNEXPECTED_END', 19],
  ['message past the end', u8(family('g', 1, G), [0x05, 0x0a]), 'UNEXPECTED_END', 19],
  ['truncated varint inside', u8(frame(str(1, 'g'), [0x18, 0x80])), 'UNEXPECTED_END', 5],
  [
    'varint over 10 bytes',
    u8(frame(str(1, 'g'), [0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
    'INVALID_PROTOBUF',
    5,
  ],
  ['length past its message', u8(frame(str(1, 'g'), vint(3, 1), [0x22, 0x09, 0x12, 0x00])), 'UNEXPECTED_END', 7],
  ['group', u8(frame(str(1, 'g'), [0x1b, 0x1c])), 'INVALID_PROTOBUF', 4],
  ['wrong wire type for name', u8(frame(vint(1, 5))), 'INVALID_PROTOBUF', 1],
  ['wrong wire type for type', u8(frame(str(1, 'g'), str(3, 'x'))), 'INVALID_PROTOBUF', 4],
  ['wrong wire type for a label', u8(frame(str(1, 'g'), vint(3, 1), len(4, [...vint(1, 1), ...len(2, dbl(1, 1))]))), 'INVALID_PROTOBUF', 8],
  ['wrong wire type for a gauge value', u8(frame(str(1, 'g'), vint(3, 1), len(4, len(2, vint(1, 1))))), 'INVALID_PROTOBUF', 10],
  [
    'wrong wire type for timestamp_ms',
    u8(frame(str(1, 'g'), vint(3, 1), len(4, [...dbl(6, 1), ...len(2, dbl(1, 1))]))),
    'INVALID_PROTOBUF',
    8,
  ],
  ['cut double', u8(frame(str(1, 'g'), vint(3, 1), len(4, len(2, [0x09, 1, 2, 3])))), 'UNEXPECTED_END', 11],
  ['empty family name', u8(frame(str(1, ''), vint(3, 1), len(4, len(2, dbl(1, 1))))), 'INVALID_METRIC_NAME', 0],
  ['family name not UTF-8', u8(frame(str(1, new Uint8Array([0x67, 0xff])), vint(3, 1), G)), 'INVALID_UTF8', 3],
  ['help not UTF-8', u8(frame(str(1, 'g'), str(2, new Uint8Array([0xc3])), vint(3, 1), G)), 'INVALID_UTF8', 6],
  ['unknown type', u8(family('g', 6, G)), 'INVALID_METADATA', 0],
  ['negative type', u8(family('g', -1, G)), 'INVALID_METADATA', 0],
  ['unit not a suffix', u8(frame(str(1, 'g_bytes'), vint(3, 1), str(5, 'seconds'), G)), 'INVALID_METADATA', 14],
  ['empty label name', u8(family('g', 1, gaugeMetric(1, label('', 'v')))), 'INVALID_LABEL_NAME', 10],
  ['label name not UTF-8', u8(family('g', 1, gaugeMetric(1, label(new Uint8Array([0xe2, 0x82]), 'v')))), 'INVALID_UTF8', 12],
  ['label value not UTF-8', u8(family('g', 1, gaugeMetric(1, label('a', new Uint8Array([0xed, 0xa0, 0x80]))))), 'INVALID_UTF8', 15],
  ['duplicate label', u8(family('g', 1, gaugeMetric(1, label('a', '1'), label('a', '2')))), 'DUPLICATE_LABEL', 20],
  ['__name__ label', u8(family('g', 1, gaugeMetric(1, label('__name__', 'x')))), 'DUPLICATE_LABEL', 12],
  [
    'spans do not cover the deltas',
    u8(family('h', 4, len(4, len(7, [...vint(1, 1), ...len(12, [...sint(1, 0), ...vint(2, 2)]), ...len(13, [2])])))),
    'INVALID_VALUE',
    10,
  ],
  [
    'negative bucket count',
    u8(
      family('h', 4, len(4, len(7, [...vint(1, 9), ...len(12, [...sint(1, 0), ...vint(2, 2)]), ...len(13, [...varint(4), ...varint(9)])]))),
    ),
    'INVALID_VALUE',
    10,
  ],
  [
    'count below the buckets',
    u8(
      family('h', 4, len(4, len(7, [...vint(1, 1), ...dbl(2, 1), ...len(12, [...sint(1, 0), ...vint(2, 1)]), ...len(13, [...varint(4)])]))),
    ),
    'INVALID_VALUE',
    10,
  ],
  ['schema out of range', u8(family('h', 4, len(4, len(7, [...sint(5, 9), ...len(12, [])])))), 'INVALID_VALUE', 10],
  [
    'custom buckets (no custom values in the exposition)',
    u8(family('h', 4, len(4, len(7, [...sint(5, -53), ...len(12, [])])))),
    'INVALID_VALUE',
    10,
  ],
];

describe('protobuf: malformed input', () => {
  it.each(MALFORMED)('%s: %s at its byte offset', (_name, bytes, code, offset) => {
    const e = error(() => parse(bytes, PB));
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
    expect(e.message).toContain(`at byte ${offset}`);
    // The pull API and the stream say the same.
    const p = new Parser(bytes, PB);
    const e2 = error(() => {
      while (p.next() !== Entry.EOF);
    });
    expect([e2.code, e2.offset]).toEqual([code, offset]);
  });

  it('names the family and metric in the message', () => {
    const e = error(() => parse(u8(family('g', 1, G), family('h', 1, G, gaugeMetric(1, label('a', '1'), label('a', '2')))), PB));
    expect(e.message).toMatch(/duplicate label name "a" at byte \d+ \(metric 2 of family "h" at byte 19\)/);
  });

  it('streams the same errors however the bytes are cut', async () => {
    for (const [, bytes, code, offset] of MALFORMED) {
      for (const size of [1, 3, 1000]) {
        async function* chunks() {
          for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
        }
        let err: unknown;
        try {
          for await (const _ of parseStream(chunks(), PB));
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(PromwireError);
        expect([(err as PromwireError).code, (err as PromwireError).offset]).toEqual([code, offset]);
      }
    }
  });

  it('lenient mode skips a family whose frame is intact and stops at a broken frame', () => {
    const errors: PromwireError[] = [];
    const b = u8(
      family('a', 1, G),
      family('b', 1, gaugeMetric(1), gaugeMetric(2, label('x', '1'), label('x', '1'))),
      family('c', 1, G),
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
      family('d', 1, G),
    );
    const fams = parse(b, { ...PB, onError: (e) => errors.push(e) });
    expect(fams.map((f) => [f.name, f.samples.length])).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ]);
    expect(errors.map((e) => e.code)).toEqual(['DUPLICATE_LABEL', 'INVALID_PROTOBUF']);
  });
});

describe('protobuf: limits', () => {
  const many = encodeFamilies([
    {
      name: 'g',
      type: 1,
      metric: [
        {
          label: [
            { name: 'aa', value: '1' },
            { name: 'b', value: '22' },
          ],
          gauge: { value: 1 },
        },
        { gauge: { value: 2 } },
      ],
    },
    {
      name: 'h',
      type: 4,
      metric: [{ histogram: { sampleCount: 3, schema: 0, positiveSpan: [{ offset: 0, length: 3 }], positiveDelta: [1, 0, 0] } }],
    },
  ]);
  const cases: [string, ParserOptions, string][] = [
    ['maxBodyBytes', { maxBodyBytes: many.length - 1 }, 'maxBodyBytes'],
    ['maxMessageBytes', { maxMessageBytes: 10 }, 'maxMessageBytes'],
    ['maxLabels', { maxLabels: 1 }, 'maxLabels'],
    ['maxLabelNameLength', { maxLabelNameLength: 1 }, 'maxLabelNameLength'],
    ['maxLabelValueLength', { maxLabelValueLength: 1 }, 'maxLabelValueLength'],
    ['maxSeries', { maxSeries: 2 }, 'maxSeries'],
    ['maxNativeBuckets', { maxNativeBuckets: 2 }, 'maxNativeBuckets'],
    ['maxModelBytes', { maxModelBytes: 600 }, 'maxModelBytes'],
  ];
  it.each(cases)('%s applies to parse() and parseStream() alike', async (_n, limits, name) => {
    const e = error(() => parse(many, { ...PB, ...limits, onError: () => {} }));
    expect([e.code, e.limit]).toEqual(['LIMIT_EXCEEDED', name]);
    for (const size of [1, 5, 1 << 16]) {
      async function* chunks() {
        for (let i = 0; i < many.length; i += size) yield many.subarray(i, i + size);
      }
      let err: unknown;
      try {
        for await (const _ of parseStream(chunks(), { ...PB, ...limits }));
      } catch (x) {
        err = x;
      }
      expect([(err as PromwireError).code, (err as PromwireError).limit]).toEqual(['LIMIT_EXCEEDED', name]);
    }
  });

  it('the defaults accept the payload, and a native histogram counts as one sample', () => {
    expect(DEFAULT_LIMITS.maxMessageBytes).toBe(64 * 1024 * 1024);
    expect(DEFAULT_LIMITS.maxNativeBuckets).toBe(Infinity);
    expect(parse(many, { ...PB, maxSeries: 3, maxNativeBuckets: 3, maxLabels: 2 }).length).toBe(2);
  });

  it('the stream refuses an announced message over maxMessageBytes before it arrives', async () => {
    async function* prefixOnly() {
      yield new Uint8Array(varint(1 << 20));
      throw new Error('read past the refusal');
    }
    let err: unknown;
    try {
      for await (const _ of parseStream(prefixOnly(), { ...PB, maxMessageBytes: 1000 }));
    } catch (e) {
      err = e;
    }
    expect((err as PromwireError).limit).toBe('maxMessageBytes');
  });
});

describe('protobuf: independent decoder agrees', () => {
  it('protobufjs reads the test payloads as the parser does (sanity of the test encoder)', async () => {
    const { decodeFamilies } = await import('./helpers/protobuf.js');
    const src: PbFamily[] = [{ name: 'x', type: 1, metric: [{ label: [{ name: 'a', value: 'b' }], gauge: { value: 3 } }] }];
    const b = encodeFamilies(src);
    expect(decodeFamilies(b)).toEqual(src);
    expect(parse(b, PB)[0]!.samples[0]).toEqual({ name: 'x', labels: { a: 'b' }, value: 3, timestamp: null });
  });
});
