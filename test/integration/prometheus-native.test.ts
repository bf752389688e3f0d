/**
 * Prometheus 3.5.3 (Debian sid) scrapes promwire's native histograms over
 * protobuf, and promwire reads them back from Prometheus' /federate.
 *
 * One Prometheus, started with `--enable-feature=native-histograms` (3.5
 * then puts PrometheusProto first in its scrape_protocols), scrapes a
 * MetricSet through promwire's node:http handler (createNodeHandler, which
 * negotiates protobuf from Prometheus' Accept header) every second:
 *
 * - `pw_nh_seconds{route}`: native-only histograms (mixed signs and zero,
 *   500 log-uniform values, an empty one), `pw_reduced_seconds` (schema
 *   reduced by maxBuckets), `pw_both_seconds` (native and classic buckets,
 *   the job keeping both with always_scrape_classic_histograms);
 * - a second job serves `pw_odd_seconds` alone: ±Inf and NaN observed;
 * - a third serves hand-built families through `encode` (createNodeHandler's
 *   `collect`): a float native histogram and a native gauge histogram.
 *
 * Through the HTTP API: `histogram_count` and `histogram_sum` are the
 * observed count and sum; `histogram_quantile` lands in the bucket that
 * holds the rank (Prometheus interpolates within it); an instant query
 * returns the raw buckets, which are exactly MetricSet's (bounds computed
 * from schema and index, boundary rules: positive (l,u], negative [l,u),
 * zero [-t,t]). Then /federate in protobuf, read with promwire's parser,
 * holds the histograms that were served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricSet } from '../../src/metrics/index.js';
import type { HistogramSample, Labels, MetricFamily, NativeHistogram } from '../../src/model/index.js';
import { parse } from '../../src/parse/families.js';
import { createNodeHandler } from '../../src/toolkit/handler.js';
import { CONTENT_TYPE_PROTOBUF, PROMETHEUS_PROTO_ACCEPT } from '../../src/toolkit/negotiate.js';
import { BIN, Cleanup, parsePromValue, serve, startPrometheus, waitFor } from './helpers.js';
import type { Prometheus } from './helpers.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

/** mulberry32, so every run observes the same values. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logUniform(seed: number, n: number, lo: number, hi: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = 10 ** (lo + (hi - lo) * r());
    out.push(r() < 0.3 ? -v : v);
  }
  return out;
}

const OBSERVED: Record<string, number[]> = {
  '/mixed': [0, 0, 0.001, 0.1, 0.5, 1, 1.5, 2, 3, 100, 1e6, -1, -0.002, -50, 1, 1, 2.5e-7],
  '/random': logUniform(11, 500, -4, 4),
  '/empty': [],
};

function buildSet(): MetricSet {
  const set = new MetricSet();
  const nh = set.histogram({ name: 'pw_nh_seconds', help: 'Native latency.', labelNames: ['route'], native: { bucketFactor: 1.1 } });
  for (const [route, values] of Object.entries(OBSERVED)) {
    const s = nh.labels({ route });
    for (const v of values) s.observe(v);
  }
  const reduced = set.histogram({ name: 'pw_reduced_seconds', help: 'Reduced.', native: { bucketFactor: 1.01, maxBuckets: 12 } });
  for (const v of logUniform(12, 300, -2, 2)) reduced.observe(v);
  const both = set.histogram({ name: 'pw_both_seconds', help: 'Both.', buckets: [0.1, 1, 10], native: { bucketFactor: 2 } });
  for (const v of [0.05, 0.5, 5, 50, 0.5]) both.observe(v);
  return set;
}

function buildOddSet(): MetricSet {
  const set = new MetricSet();
  const odd = set.histogram({ name: 'pw_odd_seconds', help: 'Odd values.', native: { bucketFactor: 1.1 } });
  for (const v of [1, Infinity, -Infinity, NaN, 0, 2]) odd.observe(v);
  return set;
}

/**
 * Families built by hand, served through `encode` (createNodeHandler's
 * `collect`): what a MetricSet never makes, a float native histogram, a
 * gauge histogram, negative buckets, and exemplars on a native histogram.
 */
const FLOAT_NH: NativeHistogram = {
  kind: 'float',
  schema: 1,
  zeroThreshold: 0.001,
  zeroCount: 0.5,
  count: 7.75,
  sum: 12.5,
  positiveSpans: [
    { offset: 0, length: 2 },
    { offset: 3, length: 1 },
  ],
  positiveBuckets: [1.25, 2, 3],
  negativeSpans: [{ offset: -1, length: 1 }],
  negativeBuckets: [1],
};
const GAUGE_NH: NativeHistogram = {
  kind: 'integer',
  schema: 0,
  zeroThreshold: 2.938735877055719e-39,
  zeroCount: 1,
  count: 6,
  sum: -2,
  positiveSpans: [{ offset: 1, length: 2 }],
  positiveBuckets: [2, 1],
  negativeSpans: [{ offset: 2, length: 1 }],
  negativeBuckets: [2],
};
const FAMILIES: MetricFamily[] = [
  {
    name: 'pw_float_seconds',
    type: 'histogram',
    help: 'A float native histogram.',
    unit: '',
    samples: [
      {
        name: 'pw_float_seconds',
        labels: { shard: 'a' },
        value: FLOAT_NH,
        timestamp: null,
        exemplars: [{ labels: { trace_id: 'f1' }, value: 0.75, timestamp: 1_700_000_000_000 }],
      },
    ],
  },
  {
    name: 'pw_queue_seconds',
    type: 'gaugehistogram',
    help: 'A gauge native histogram.',
    unit: '',
    samples: [{ name: 'pw_queue_seconds', labels: {}, value: GAUGE_NH, timestamp: null }],
  },
];

/** Every native series of a MetricSet by `name{labels}` (labels without job/instance). */
function natives(set: MetricSet): Map<string, NativeHistogram> {
  const out = new Map<string, NativeHistogram>();
  for (const fam of set.collect()) {
    for (const s of fam.samples) {
      if (typeof s.value !== 'number') out.set(key(s.name, s.labels), s.value);
    }
  }
  return out;
}

function key(name: string, labels: Labels): string {
  const { job: _job, instance: _instance, __name__: _n, ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name}{${pairs.join(',')}}`;
}

/**
 * A bucket's upper bound: base^index with base = 2^(2^-schema)
 * (Prometheus model/histogram getBound; it reads 2^(j/2^schema) from a table
 * for schema > 0, so bounds are compared to a relative 1e-12 here).
 */
function bound(index: number, schema: number): number {
  return 2 ** (index * 2 ** -schema);
}

type ApiBucket = [number, string, string, string];

/** The buckets Prometheus' API lists for a histogram, from ours: [rule, lower, upper, count], zero counts left out, ascending. */
function expectedBuckets(h: NativeHistogram): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  const walk = (spans: { offset: number; length: number }[], counts: number[], sign: 1 | -1) => {
    let idx = 0;
    let n = 0;
    for (const sp of spans) {
      idx += sp.offset;
      for (let j = 0; j < sp.length; j++, idx++, n++) {
        const c = counts[n]!;
        if (c === 0) continue;
        const lo = bound(idx - 1, h.schema);
        const hi = bound(idx, h.schema);
        out.push(sign === 1 ? [0, lo, hi, c] : [1, -hi, -lo, c]);
      }
    }
  };
  walk(h.negativeSpans, h.negativeBuckets, -1);
  if (h.zeroCount > 0) out.push([3, -h.zeroThreshold, h.zeroThreshold, h.zeroCount]);
  walk(h.positiveSpans, h.positiveBuckets, 1);
  return out.sort((a, b) => a[1] - b[1]);
}

/** A histogram as its content: settings, totals, and the non-empty buckets by index (whatever the spans and the kind). */
function canonical(h: NativeHistogram) {
  const buckets = (spans: { offset: number; length: number }[], counts: number[]) => {
    const out: [number, number][] = [];
    let idx = 0;
    let n = 0;
    for (const sp of spans) {
      idx += sp.offset;
      for (let j = 0; j < sp.length; j++, idx++, n++) if (counts[n] !== 0) out.push([idx, counts[n]!]);
    }
    return out;
  };
  return {
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    positive: buckets(h.positiveSpans, h.positiveBuckets),
    negative: buckets(h.negativeSpans, h.negativeBuckets),
  };
}

function closeTo(a: number, b: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/** The [lower, upper] of the bucket that holds rank q*count, walking buckets in ascending order. */
function quantileBucket(h: NativeHistogram, q: number): [number, number] {
  const buckets = expectedBuckets(h);
  const rank = q * h.count;
  let seen = 0;
  for (const [, lo, hi, c] of buckets) {
    seen += c;
    if (seen >= rank) return [lo, hi];
  }
  const last = buckets[buckets.length - 1]!;
  return [last[1], last[2]];
}

let prom: Prometheus;
const set = buildSet();
const oddSet = buildOddSet();
const served: { accept: string; contentType: string; status: number }[] = [];
const errors: unknown[] = [];

const record =
  (h: ReturnType<typeof createNodeHandler>) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    void h(req, res).then(() =>
      served.push({
        accept: String(req.headers.accept ?? ''),
        contentType: String(res.getHeader('content-type') ?? ''),
        status: res.statusCode,
      }),
    );
  };

beforeAll(async () => {
  const app = await serve(cleanup, record(createNodeHandler({ metrics: set, onError: (e) => errors.push(e) })));
  const odd = await serve(cleanup, record(createNodeHandler({ metrics: oddSet, onError: (e) => errors.push(e) })));
  const fams = await serve(cleanup, record(createNodeHandler({ collect: () => FAMILIES, onError: (e) => errors.push(e) })));
  prom = await startPrometheus(
    cleanup,
    `  - job_name: pw_native
    always_scrape_classic_histograms: true
    static_configs:
      - targets: ['127.0.0.1:${app.port}']
  - job_name: pw_odd
    static_configs:
      - targets: ['127.0.0.1:${odd.port}']
  - job_name: pw_families
    static_configs:
      - targets: ['127.0.0.1:${fams.port}']
`,
    '1s',
    BIN.prometheus,
    ['--enable-feature=native-histograms'],
  );
  // Both targets scraped once: `up` is 1 and their series are stored (the
  // assertions then say what Prometheus made of them).
  await waitFor(
    'both targets scraped, their series stored',
    async () => {
      const up = await prom.query('up{job=~"pw_native|pw_odd|pw_families"} == 1');
      const stored = await prom.query('count by (job) ({__name__=~"pw_.+",job=~"pw_native|pw_odd|pw_families"})');
      return up.length === 3 && stored.length === 3;
    },
    60_000,
    250,
  );
}, 120_000);

interface HistogramResult {
  metric: Record<string, string>;
  histogram?: [number, { count: string; sum: string; buckets?: ApiBucket[] }];
  value?: [number, string];
}

describe('Prometheus 3.5.3 scrapes native histograms from promwire over protobuf', () => {
  it('Prometheus asked for protobuf first and got it; both targets are up with no error', async () => {
    expect(served.length).toBeGreaterThan(0);
    for (const s of served) {
      expect(s.accept).toBe(PROMETHEUS_PROTO_ACCEPT);
      // client_golang's promhttp answers the same: expfmt.Negotiate adds the
      // default escaping when the matched media range names none.
      expect(s.contentType).toBe(`${CONTENT_TYPE_PROTOBUF}; escaping=underscores`);
      expect(s.status).toBe(200);
    }
    for (const job of ['pw_native', 'pw_odd', 'pw_families']) {
      const [t] = await prom.targets(job);
      expect(t?.health).toBe('up');
      expect(t?.lastError).toBe('');
    }
    expect(errors).toEqual([]);
  });

  it('histogram_count and histogram_sum are the observed count and sum', async () => {
    const want = new Map([...natives(set), ...natives(oddSet)]);
    let seen = 0;
    for (const name of ['pw_nh_seconds', 'pw_reduced_seconds', 'pw_both_seconds', 'pw_odd_seconds']) {
      for (const fn of ['histogram_count', 'histogram_sum'] as const) {
        for (const { metric, value } of await prom.query(`${fn}(${name})`)) {
          const h = want.get(key(name, metric));
          expect(h, `${fn}(${name}) ${JSON.stringify(metric)}`).toBeDefined();
          expect(value).toEqual(fn === 'histogram_count' ? h!.count : h!.sum);
          seen++;
        }
      }
    }
    expect(seen).toBe(2 * want.size);
    // The observed values themselves, not only MetricSet's view of them.
    for (const [route, values] of Object.entries(OBSERVED)) {
      const sum = (await prom.query(`histogram_sum(pw_nh_seconds{route="${route}"})`))[0]!.value;
      expect(sum).toBe(values.reduce((a, b) => a + b, 0));
      const count = (await prom.query(`histogram_count(pw_nh_seconds{route="${route}"})`))[0]!.value;
      expect(count).toBe(values.length);
    }
    const odd = (await prom.query('histogram_count(pw_odd_seconds)'))[0]!.value;
    expect(odd).toBe(6);
  });

  it('an instant query returns exactly the served buckets (bounds, boundary rules, counts), count and sum', async () => {
    const want = natives(set);
    const data = await prom.api<{ resultType: string; result: HistogramResult[] }>(
      `/api/v1/query?query=${encodeURIComponent('{__name__=~"pw_(nh|reduced|both)_seconds",job="pw_native"}')}`,
    );
    expect(data.resultType).toBe('vector');
    expect(data.result).toHaveLength(want.size);
    for (const r of data.result) {
      const h = want.get(key(r.metric['__name__']!, r.metric))!;
      expect(h, JSON.stringify(r.metric)).toBeDefined();
      expect(r.histogram, 'a native histogram sample').toBeDefined();
      const [, got] = r.histogram!;
      expect(parsePromValue(got.count)).toBe(h.count);
      expect(parsePromValue(got.sum)).toBe(h.sum);
      const buckets = (got.buckets ?? []).map(
        ([rule, lo, hi, c]) => [rule, parsePromValue(lo), parsePromValue(hi), parsePromValue(c)] as const,
      );
      const exp = expectedBuckets(h);
      expect(buckets.map((b) => [b[0], b[3]])).toEqual(exp.map((b) => [b[0], b[3]]));
      buckets.forEach((b, i) => {
        expect(
          closeTo(b[1], exp[i]![1]) && closeTo(b[2], exp[i]![2]),
          `bucket ${i} of ${key(r.metric['__name__']!, r.metric)}: ${b} vs ${exp[i]}`,
        ).toBe(true);
      });
    }
    // The reduced histogram was stored at its reduced schema, and the classic buckets beside the native ones.
    const reduced = want.get('pw_reduced_seconds{}')!;
    expect(reduced.schema).toBeLessThan(7);
    const classic = await prom.query('pw_both_seconds_bucket');
    expect(classic.map((r) => [r.metric['le'], r.value]).sort()).toEqual([
      ['+Inf', 5],
      ['0.1', 1],
      ['1.0', 3],
      ['10.0', 4],
    ]);
  });

  it('hand-built families through encode: a float histogram and a gauge histogram are stored as written', async () => {
    const data = await prom.api<{ resultType: string; result: HistogramResult[] }>(
      `/api/v1/query?query=${encodeURIComponent('{job="pw_families"}')}`,
    );
    const byName = new Map(data.result.map((r) => [r.metric['__name__'], r]));
    for (const [name, h] of [
      ['pw_float_seconds', FLOAT_NH],
      ['pw_queue_seconds', GAUGE_NH],
    ] as const) {
      const r = byName.get(name);
      expect(r?.histogram, name).toBeDefined();
      const [, got] = r!.histogram!;
      expect(parsePromValue(got.count)).toBe(h.count);
      expect(parsePromValue(got.sum)).toBe(h.sum);
      const buckets = (got.buckets ?? []).map(
        ([rule, lo, hi, c]) => [rule, parsePromValue(lo), parsePromValue(hi), parsePromValue(c)] as const,
      );
      const exp = expectedBuckets(h);
      expect(buckets.map((b) => [b[0], b[3]])).toEqual(exp.map((b) => [b[0], b[3]]));
      buckets.forEach((b, i) => {
        expect(closeTo(b[1], exp[i]![1]) && closeTo(b[2], exp[i]![2]), `${name} bucket ${i}`).toBe(true);
      });
    }
    // The gauge histogram keeps its type in the metadata Prometheus stored.
    const meta = await prom.api<Record<string, { type: string }[]>>('/api/v1/metadata?metric=pw_queue_seconds');
    expect(meta['pw_queue_seconds']?.[0]?.type).toBe('gaugehistogram');
  });

  it('histogram_quantile lands in the bucket that holds the rank', async () => {
    const want = natives(set);
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.99]) {
      const got = await prom.query(`histogram_quantile(${q}, {__name__=~"pw_(nh|reduced)_seconds",job="pw_native"})`);
      // histogram_quantile drops the name: the route label tells pw_nh_seconds apart.
      for (const { metric, value } of got) {
        const h = want.get(key(metric['route'] === undefined ? 'pw_reduced_seconds' : 'pw_nh_seconds', metric))!;
        if (h.count === 0) {
          expect(value).toBeNaN();
          continue;
        }
        const [lo, hi] = quantileBucket(h, q);
        const slack = 1e-9 * Math.max(Math.abs(lo), Math.abs(hi));
        expect(value, `q=${q} ${JSON.stringify(metric)} in [${lo}, ${hi}]`).toBeGreaterThanOrEqual(lo - slack);
        expect(value, `q=${q} ${JSON.stringify(metric)} in [${lo}, ${hi}]`).toBeLessThanOrEqual(hi + slack);
      }
      expect(got).toHaveLength(4);
    }
  });

  it('promwire reads the histograms back from /federate in protobuf, identical to what was served', async () => {
    const r = await fetch(`${prom.base}/federate?match[]=${encodeURIComponent('{__name__=~"pw_.+_seconds"}')}`, {
      headers: { accept: PROMETHEUS_PROTO_ACCEPT },
    });
    expect(r.status).toBe(200);
    const contentType = r.headers.get('content-type') ?? '';
    expect(contentType).toContain('application/vnd.google.protobuf');
    const fams = parse(new Uint8Array(await r.arrayBuffer()), { format: 'protobuf', contentType });
    const want = new Map([...natives(set), ...natives(oddSet)]);
    for (const fam of FAMILIES) for (const smp of fam.samples) want.set(key(smp.name, smp.labels), smp.value as NativeHistogram);
    expect(want.size).toBe(8);
    const got = new Map<string, HistogramSample>();
    // Federation keeps each family's type: the gauge histogram stays one.
    expect(fams.find((f) => f.name === 'pw_queue_seconds')?.type).toBe('gaugehistogram');
    expect(fams.find((f) => f.name === 'pw_nh_seconds')?.type).toBe('histogram');
    for (const fam of fams) {
      for (const s of fam.samples) {
        if (typeof s.value !== 'number') got.set(key(s.name, s.labels), s as HistogramSample);
      }
    }
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, h] of want) {
      const s = got.get(k)!;
      expect(s.timestamp).toBeTypeOf('number');
      expect(s.labels['job']).toBe(
        k.startsWith('pw_odd') ? 'pw_odd' : k.startsWith('pw_float') || k.startsWith('pw_queue') ? 'pw_families' : 'pw_native',
      );
      // Prometheus 3.5.3 federates every native histogram with float counts
      // and compacted spans (the empty buckets client_golang's layout keeps
      // between two close ones are gone): the same histogram, another spelling.
      // (An empty one has no field that says so: gogo-protobuf leaves zeros out.)
      expect({ series: k, kind: s.value.kind }).toEqual({ series: k, kind: h.count === 0 ? 'integer' : 'float' });
      expect({ series: k, h: canonical(s.value) }).toEqual({ series: k, h: canonical(h) });
    }
  });
});
