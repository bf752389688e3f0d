import { describe, expect, it } from 'vitest';
import { encode, encodeToString } from '../src/encode/encoder.js';
import { PromwireError } from '../src/errors.js';
import { MetricSet } from '../src/metrics/index.js';
import { type MetricFamily, makeFamily, type NativeHistogram } from '../src/model/index.js';
import { addNativeHistograms, validateNativeHistogram } from '../src/model/native-histogram.js';
import {
  belongsTo,
  canonicalBound,
  createdSeries,
  familyName,
  normalizeLabelValue,
  omName,
  parseBound,
  reservedLabel,
  seriesKey,
  typeFromWord,
  typeWord,
} from '../src/model/rules.js';
import { parse } from '../src/parse/families.js';
import { lint } from '../src/toolkit/lint.js';
import { merge } from '../src/toolkit/merge.js';

describe('rules: reading a bound as Go strconv.ParseFloat does', () => {
  it.each([
    ['1', 1],
    ['1.0', 1],
    ['.5', 0.5],
    ['5.', 5],
    ['1e-5', 1e-5],
    ['1E+3', 1000],
    ['+Inf', Infinity],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
    ['NaN', NaN],
    ['nan', NaN],
    ['0x1p-2', 0.25],
    ['0x10p0', 16],
    ['0X1.8P1', 3],
    ['1_000', 1000],
    ['0x_1p0', 1],
    ['1e-400', 0],
    // Go keeps 16 hex digits and the exponent: a long mantissa is no overflow.
    [`0x1${'0'.repeat(1000)}p-4000`, 1],
    [`0x1${'0'.repeat(300)}p-1200`, 1],
    [`0.${'0'.repeat(4100)}1`, 0],
  ])('%s reads as %s', (s, v) => {
    expect(parseBound(s)).toBe(v);
  });

  it.each(['', ' 1', '1 ', '0x10', '+nan', '-NaN', '1__0', '_1', '1_', '1e400', '-1e400', 'one', '1,5', '0x', '1e', '∞'])(
    '%j is not a number (Go returns an error)',
    (s) => {
      expect(parseBound(s)).toBeUndefined();
    },
  );
});

describe('rules: canonical bounds (labels.FormatOpenMetricsFloat)', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [-1, '-1.0'],
    [10, '10.0'],
    [0.005, '0.005'],
    [1e-5, '1e-05'],
    [1e6, '1e+06'],
    [123456, '123456.0'],
    [2.5, '2.5'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ])('%s is written %s', (v, s) => {
    expect(canonicalBound(v)).toBe(s);
  });

  it('normalises a histogram le and a summary quantile only, as Prometheus 3.5 textparse does', () => {
    expect(normalizeLabelValue('histogram', 'le', '1')).toBe('1.0');
    expect(normalizeLabelValue('histogram', 'le', '0x10')).toBe('0x10');
    expect(normalizeLabelValue('summary', 'quantile', '0.50')).toBe('0.5');
    expect(normalizeLabelValue('gaugehistogram', 'le', '1')).toBe('1');
    expect(normalizeLabelValue('gauge', 'le', '1')).toBe('1');
    expect(normalizeLabelValue('histogram', 'quantile', '1')).toBe('1');
  });
});

describe('rules: naming and membership', () => {
  it('names a counter and an info after their series in every format', () => {
    expect(familyName('openmetrics', 'jobs', 'counter')).toBe('jobs_total');
    expect(familyName('openmetrics', 'build', 'info')).toBe('build_info');
    expect(familyName('text', 'jobs_total', 'counter')).toBe('jobs_total');
    expect(familyName('openmetrics', 'lat', 'histogram')).toBe('lat');
    expect(omName({ name: 'jobs_total', type: 'counter' })).toBe('jobs');
    expect(omName({ name: 'jobs', type: 'counter' })).toBe('jobs');
    expect(omName({ name: 'build_info', type: 'info' })).toBe('build');
    expect(omName({ name: 'x_total', type: 'gauge' })).toBe('x_total');
  });

  it('says which sample names belong, per format', () => {
    const c = { name: 'jobs_total', type: 'counter' as const };
    expect(belongsTo('openmetrics', c, 'jobs_total')).toBe(true);
    expect(belongsTo('openmetrics', c, 'jobs_created')).toBe(true);
    expect(belongsTo('text', c, 'jobs_total')).toBe(true);
    expect(belongsTo('text', c, 'jobs_created')).toBe(false);
    const h = { name: 'lat', type: 'histogram' as const };
    for (const n of ['lat_bucket', 'lat_count', 'lat_sum', 'lat_created']) expect(belongsTo('text', h, n)).toBe(true);
    expect(belongsTo('text', h, 'lat')).toBe(false);
    expect(belongsTo('openmetrics', { name: 'g', type: 'gaugehistogram' }, 'g_gsum')).toBe(true);
  });

  it('gives the _created series of start timestamps, one per MetricPoint', () => {
    const h = parse(
      '# TYPE h histogram\nh_bucket{a="1",le="+Inf"} 1 5\nh_count{a="1"} 1 5\nh_sum{a="1"} 1 5\nh_created{a="1"} 1700000000.25 5\n# EOF\n',
      { format: 'openmetrics' },
    )[0]!;
    expect(createdSeries(h, h.samples)).toEqual([{ name: 'h_created', labels: { a: '1' }, value: 1700000000.25, timestamp: 5000 }]);
    const c = { name: 'c_total', type: 'counter' as const };
    expect(createdSeries(c, [{ name: 'c_total', labels: {}, value: 1, timestamp: null, startTimestamp: 1500 }])).toEqual([
      { name: 'c_created', labels: {}, value: 1.5, timestamp: null },
    ]);
  });

  it('knows the label each type reserves', () => {
    expect(reservedLabel({ name: 'h', type: 'histogram' })).toBe('le');
    expect(reservedLabel({ name: 'h', type: 'gaugehistogram' })).toBe('le');
    expect(reservedLabel({ name: 's', type: 'summary' })).toBe('quantile');
    expect(reservedLabel({ name: 'link', type: 'stateset' })).toBe('link');
    expect(reservedLabel({ name: 'c_total', type: 'counter' })).toBeNull();
  });

  it('reads untyped as unknown and writes it back per format', () => {
    expect(typeFromWord('untyped')).toBe('unknown');
    expect(typeFromWord('unknown')).toBe('unknown');
    expect(typeFromWord('bogus')).toBeUndefined();
    expect(typeWord('unknown', 'text')).toBe('untyped');
    expect(typeWord('unknown', 'openmetrics')).toBe('unknown');
  });

  it('gives collision-free series keys, label order ignored', () => {
    expect(seriesKey('a', { x: '1', y: '2' })).toBe(seriesKey('a', { y: '2', x: '1' }));
    // Separators inside names or values cannot make two series one.
    expect(seriesKey('a', { x: '1|1:y=1:2' })).not.toBe(seriesKey('a', { x: '1', y: '2' }));
    expect(seriesKey('a', { 'x=1': '' })).not.toBe(seriesKey('a', { x: '1=' }));
    expect(seriesKey('h_bucket', { le: '1', a: 'b' }, 'le')).toBe(seriesKey('h_bucket', { a: 'b' }));
  });
});

describe('one metric, every layer: parse, encode, MetricSet, merge and lint agree', () => {
  const textPayload =
    '# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 2\n# HELP lat Latency.\n# TYPE lat histogram\nlat_bucket{le="1"} 1\nlat_bucket{le="+Inf"} 2\nlat_sum 3\nlat_count 2\n';
  const omPayload =
    '# TYPE jobs counter\n# HELP jobs Jobs.\njobs_total 3\njobs_created 1700000000.5\n# TYPE lat histogram\n# HELP lat Latency.\nlat_bucket{le="1.0"} 1\nlat_bucket{le="+Inf"} 2\nlat_sum 3\nlat_count 2\nlat_created 1700000000\n# EOF\n';

  it('reads the same family names and series from text and OpenMetrics', () => {
    const a = parse(textPayload, { format: 'text' });
    const b = parse(omPayload, { format: 'openmetrics' });
    expect(a.map((f) => [f.name, f.type])).toEqual(b.map((f) => [f.name, f.type]));
    expect(a.map((f) => f.samples.map((s) => [s.name, s.labels]))).toEqual(b.map((f) => f.samples.map((s) => [s.name, s.labels])));
    expect(b[0]!.samples[0]!.startTimestamp).toBe(1700000000500);
    // The histogram's start timestamp is on every sample of its series.
    expect(b[1]!.samples.map((s) => s.startTimestamp)).toEqual([1.7e12, 1.7e12, 1.7e12, 1.7e12]);
  });

  it('a MetricSet collects the same names', () => {
    const set = new MetricSet();
    set.counter({ name: 'jobs', help: 'Jobs.' }).inc(1);
    set.histogram({ name: 'lat', help: 'Latency.', buckets: [1] }).observe(0.5);
    expect(set.collect().map((f) => [f.name, f.type])).toEqual(parse(textPayload, { format: 'text' }).map((f) => [f.name, f.type]));
  });

  it('merge sums them as one metric and the result lints clean and encodes to both formats', () => {
    const set = new MetricSet();
    set.counter({ name: 'jobs', help: 'Jobs.' }).inc(5);
    const out = merge(
      [
        { node: 'a', families: parse(textPayload, { format: 'text' }) },
        { node: 'b', families: parse(omPayload, { format: 'openmetrics' }) },
        { node: 'c', families: set.collect() },
      ],
      { mode: 'aggregated' },
    );
    expect(out.map((f) => f.name)).toEqual(['jobs_total', 'lat']);
    expect(out[0]!.samples).toEqual([{ name: 'jobs_total', labels: {}, value: 10, timestamp: null, startTimestamp: 1700000000500 }]);
    expect(out[1]!.samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ['lat_bucket', { le: '1.0' }, 2],
      ['lat_bucket', { le: '+Inf' }, 4],
      ['lat_sum', {}, 6],
      ['lat_count', {}, 4],
    ]);
    expect(lint(out)).toEqual([]);
    const om = encodeToString(out, { format: 'openmetrics' });
    expect(om).toContain('# HELP jobs Jobs.\n# TYPE jobs counter\n');
    expect(om).toContain('jobs_total 10\njobs_created 1.7000000005e+09\n');
    expect(om).toContain('lat_bucket{le="1.0"} 2\n');
    expect(parse(om, { format: 'openmetrics' })).toEqual(out);
  });

  it('normalises le by the last TYPE line, as Prometheus 3.5 textparse does, even for a stray sample', () => {
    const f = parse(
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\nuntyped_thing{le="1"} 1\n# TYPE g gauge\ng{le="1"} 1\n',
      { format: 'text' },
    );
    expect(f.map((x) => [x.name, x.type, x.samples.map((s) => s.labels.le)])).toEqual([
      ['h', 'histogram', ['1.0', '+Inf', undefined, undefined]],
      // stored by Prometheus 3.5.3 as le="1.0" (checked by test/integration/real-payloads.test.ts, lint/rules.prom)
      ['untyped_thing', 'unknown', ['1.0']],
      ['g', 'gauge', ['1']],
    ]);
  });

  it('an OpenMetrics _created line before its series still lands on it', () => {
    const f = parse('# TYPE c counter\nc_created{a="1"} 5\nc_total{a="1"} 1\nc_total{a="2"} 2\n# EOF\n', { format: 'openmetrics' });
    expect(f[0]!.samples.map((s) => s.startTimestamp)).toEqual([5000, undefined]);
  });
});

describe('native histograms in the model', () => {
  const h = (over: Partial<NativeHistogram> = {}): NativeHistogram => ({
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
    negativeSpans: [{ offset: 0, length: 1 }],
    negativeBuckets: [1],
    ...over,
  });

  it('validates as Prometheus 3.5 does', () => {
    expect(validateNativeHistogram(h())).toBeNull();
    expect(validateNativeHistogram(h({ schema: 9 }))).toMatch(/schema/);
    expect(validateNativeHistogram(h({ positiveBuckets: [1, 2] }))).toMatch(/spans cover 3 buckets but 2/);
    expect(
      validateNativeHistogram(
        h({
          positiveSpans: [
            { offset: 0, length: 2 },
            { offset: -1, length: 1 },
          ],
        }),
      ),
    ).toMatch(/negative offset/);
    expect(validateNativeHistogram(h({ count: 2 }))).toMatch(/count 2 is less than/);
    expect(validateNativeHistogram(h({ positiveBuckets: [1, 0.5, 1] }))).toMatch(/whole/);
    expect(validateNativeHistogram(h({ kind: 'float', positiveBuckets: [1, 0.5, 1], count: 4.5 }))).toBeNull();
    expect(
      validateNativeHistogram(
        h({ schema: -53, customValues: [1, 2, 3], negativeSpans: [], negativeBuckets: [], zeroThreshold: 0, zeroCount: 0 }),
      ),
    ).toBeNull();
  });

  it('adds two histograms at the coarser schema, bucket by bucket', () => {
    const a = h({
      schema: 1,
      positiveSpans: [{ offset: 1, length: 2 }],
      positiveBuckets: [1, 1],
      negativeSpans: [],
      negativeBuckets: [],
      zeroCount: 0,
      count: 2,
      sum: 3,
    });
    const b = h({
      schema: 0,
      positiveSpans: [{ offset: 1, length: 1 }],
      positiveBuckets: [4],
      negativeSpans: [],
      negativeBuckets: [],
      zeroCount: 0,
      count: 4,
      sum: 4,
    });
    // Schema 1 buckets 1 and 2 ((1, √2], (√2, 2]) are schema 0 bucket 1 ((1, 2]).
    expect(addNativeHistograms(a, b)).toEqual({
      kind: 'integer',
      schema: 0,
      zeroThreshold: 1e-128,
      zeroCount: 0,
      count: 6,
      sum: 7,
      positiveSpans: [{ offset: 1, length: 1 }],
      positiveBuckets: [6],
      negativeSpans: [],
      negativeBuckets: [],
    });
    expect(addNativeHistograms(a, h({ zeroThreshold: 0.5 }))).toMatch(/zero thresholds differ/);
  });

  it('cannot be put in a counter family, at compile time (makeFamily checks at run time)', () => {
    expect(() =>
      makeFamily({
        name: 'c_total',
        type: 'counter',
        help: '',
        unit: '',
        samples: [{ name: 'c_total', labels: {}, value: h(), timestamp: null }],
      }),
    ).toThrow(/cannot hold a native histogram/);
  });

  it('is written to text 0.0.4 as client_golang writes it there, and the loss is reported', () => {
    const f: MetricFamily[] = [
      makeFamily({
        name: 'rpc_seconds',
        type: 'histogram',
        help: 'RPC.',
        unit: '',
        samples: [{ name: 'rpc_seconds', labels: { a: 'b' }, value: h(), timestamp: null }],
      }),
    ];
    const warnings: string[] = [];
    expect(encodeToString(f, { onWarning: (m) => warnings.push(m) })).toBe(
      '# HELP rpc_seconds RPC.\n# TYPE rpc_seconds histogram\nrpc_seconds_bucket{a="b",le="+Inf"} 6\nrpc_seconds_sum{a="b"} 10.5\nrpc_seconds_count{a="b"} 6\n',
    );
    expect(warnings).toEqual([
      '"rpc_seconds": 1 native histogram sample written as +Inf bucket, sum and count: text 0.0.4 has no native histograms',
    ]);
  });

  it('merges across nodes', () => {
    const node = (n: number): MetricFamily[] => [
      makeFamily({
        name: 'rpc',
        type: 'histogram',
        help: '',
        unit: '',
        samples: [
          {
            name: 'rpc',
            labels: {},
            value: h({ count: 6 * n, zeroCount: n, positiveBuckets: [n, 2 * n, n], negativeBuckets: [n] }),
            timestamp: null,
          },
        ],
      }),
    ];
    const out = merge(
      [
        { node: 'a', families: node(1) },
        { node: 'b', families: node(2) },
      ],
      { mode: 'aggregated' },
    );
    expect(out[0]!.samples[0]!.value).toMatchObject({ count: 18, zeroCount: 3, positiveBuckets: [3, 6, 3], negativeBuckets: [3] });
  });
});

describe('the encoder checks what it is given (PromwireError naming family and sample)', () => {
  const bad = (f: unknown): PromwireError => {
    try {
      encode([f as MetricFamily]);
    } catch (e) {
      return e as PromwireError;
    }
    throw new Error('no error');
  };
  it.each([
    [
      { name: 'g', type: 'gauge', help: '', unit: '', samples: [{ name: 'g', labels: {}, value: 'oops', timestamp: null }] },
      /family "g" sample 0 \(g\): expected a number as value, got "oops"/,
    ],
    [{ name: 'g', type: 'gauge', help: '', unit: '' }, /family "g": expected samples to be an array, got undefined/],
    [{ name: 'g', type: 'gauge', help: 3, unit: '', samples: [] }, /expected help to be a string, got number 3/],
    [{ name: 'g', type: 'bogus', help: '', unit: '', samples: [] }, /expected type counter, gauge, .* got "bogus"/],
    [
      { name: 'g', type: 'gauge', help: '', unit: '', samples: [{ name: 'g', labels: { '': 'x' }, value: 1, timestamp: null }] },
      /label name "" is not allowed/,
    ],
    [
      { name: 'g', type: 'gauge', help: '', unit: '', samples: [{ name: 'g', labels: { a: 1 }, value: 1, timestamp: null }] },
      /expected label "a" to be a string, got number 1/,
    ],
    [
      { name: 'g', type: 'gauge', help: '', unit: '', samples: [{ name: 'h', labels: {}, value: 1, timestamp: null }] },
      /sample name "h" does not belong to the gauge family "g"/,
    ],
    [
      { name: 'g', type: 'gauge', help: '', unit: '', samples: [{ name: 'g', labels: {}, value: 1, timestamp: Infinity }] },
      /expected timestamp to be finite milliseconds or null/,
    ],
    [{ name: '', type: 'gauge', help: '', unit: '', samples: [] }, /expected a non-empty UTF-8 family name/],
  ])('%j', (f, message) => {
    const e = bad(f);
    expect(e).toBeInstanceOf(PromwireError);
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(message);
  });
});

describe('review findings', () => {
  it('a unit cannot write lines of its own', () => {
    const f = makeFamily({
      name: 'g_x',
      type: 'gauge',
      help: '',
      unit: 'x\ng_x 666',
      samples: [{ name: 'g_x', labels: {}, value: 1, timestamp: null }],
    });
    expect(() => encode([f], { format: 'openmetrics' })).toThrow(/expected unit to hold only/);
  });

  it('a _created value that is no time is an error, not a start timestamp NaN', () => {
    for (const v of ['NaN', '+Inf']) {
      expect(() => parse(`# TYPE a counter\na_total 1\na_created ${v}\n# EOF\n`, { format: 'openmetrics' })).toThrow(
        /a_created must be a finite number of seconds/,
      );
    }
  });

  it('a _created line whose labels match no series is an error, not silently lost', () => {
    const e = (() => {
      try {
        parse('# TYPE a counter\na_total{x="1"} 1\na_created{x="2"} 100\n# EOF\n', { format: 'openmetrics' });
      } catch (err) {
        return err as PromwireError;
      }
      return undefined;
    })();
    expect(e?.code).toBe('UNEXPECTED_SAMPLE');
    expect(e?.line).toBe(3);
    expect(e?.message).toContain('a _created line for {x="2"} has no series with those labels');
  });

  it('rejects native histogram spans outside int32, as Prometheus holds them', () => {
    const h: NativeHistogram = {
      kind: 'integer',
      schema: 1,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 1,
      sum: 1,
      positiveSpans: [{ offset: 2 ** 32 + 1, length: 1 }],
      positiveBuckets: [1],
      negativeSpans: [],
      negativeBuckets: [],
    };
    expect(validateNativeHistogram(h)).toMatch(/int32/);
  });
});
