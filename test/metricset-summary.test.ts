/**
 * A MetricSet summary with quantiles: the options, the sliding window on a
 * test clock, what set() does to an observed series, and the estimated
 * values reaching every output (text, OpenMetrics, protobuf, collect(),
 * encodeChunks, remote write, both paths).
 */
import { describe, expect, it } from 'vitest';
import {
  decodeWriteRequest,
  encode,
  encodeWriteRequest,
  encodeWriteRequests,
  lint,
  merge,
  MetricSet,
  parse,
  PromwireError,
} from '../src/index.js';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof PromwireError) return e.code;
    throw e;
  }
  return undefined;
}

/** A summary on a clock the test moves (milliseconds). */
function clocked(options: { maxAgeSeconds?: number; ageBuckets?: number; quantiles?: number[] } = {}) {
  const clock = { t: 1_000_000 };
  const set = new MetricSet();
  const s = set.summary({ name: 's', help: '', quantiles: options.quantiles ?? [0, 0.5, 1], now: () => clock.t, ...options });
  return { clock, set, s };
}

describe('summary options', () => {
  it('quantiles get client_golang DefObjectives errors (min(q, 1 - q) / 10); objectives choose them', () => {
    const set = new MetricSet();
    const a = set.summary({ name: 'a', help: '', quantiles: [0, 0.1, 0.5, 0.9, 0.99, 1] });
    expect(a.errors).toEqual([0, 0.01, 0.05, 0.01, 0.001, 0]);
    const b = set.summary({ name: 'b', help: '', objectives: { 0.99: 0.001, 0.5: 0.05, 0.9: 0.01 } });
    expect(b.quantiles).toEqual([0.5, 0.9, 0.99]);
    expect(b.errors).toEqual([0.05, 0.01, 0.001]);
    expect(set.summary({ name: 'c', help: '' }).quantiles).toEqual([]);
  });

  it.each([
    ['both quantiles and objectives', { quantiles: [0.5], objectives: { 0.5: 0.05 } }],
    ['error 0 for 0 < q < 1 (would keep every observation)', { objectives: { 0.5: 0 } }],
    ['error 1', { objectives: { 0.5: 1 } }],
    ['a negative error', { objectives: { 0: -0.1 } }],
    ['a quantile above 1', { objectives: { 1.5: 0.1 } }],
    ['a quantile that is not a number', { objectives: { x: 0.1 } }],
    ['an error that is not a number', { objectives: { 0.5: '0.1' } }],
    ['maxAgeSeconds 0', { quantiles: [0.5], maxAgeSeconds: 0 }],
    ['maxAgeSeconds Infinity', { quantiles: [0.5], maxAgeSeconds: Infinity }],
    ['ageBuckets 0', { quantiles: [0.5], ageBuckets: 0 }],
    ['ageBuckets 1.5', { quantiles: [0.5], ageBuckets: 1.5 }],
    ['now not a function', { quantiles: [0.5], now: 5 }],
    ['a window without quantiles', { maxAgeSeconds: 60 }],
  ])('refuses %s', (_, o) => {
    const set = new MetricSet();
    expect(code(() => set.summary({ name: 's', help: '', ...(o as object) }))).toBe('INVALID_ARGUMENT');
  });

  it('takes exact ends (error 0 for quantiles 0 and 1)', () => {
    const set = new MetricSet();
    const s = set.summary({ name: 's', help: '', objectives: { 0: 0, 1: 0 }, now: () => 0 });
    for (const v of [3, -1, 7, 2]) s.observe(v);
    expect(s.labels({}).quantileValues()).toEqual([-1, 7]);
  });
});

describe('summary quantiles from observe()', () => {
  it('are NaN before any observation, then estimated; _sum and _count count everything', () => {
    const { s, set } = clocked();
    expect(set.encodeToString()).toBe(
      '# TYPE s summary\ns{quantile="0"} NaN\ns{quantile="0.5"} NaN\ns{quantile="1"} NaN\ns_sum 0\ns_count 0\n',
    );
    for (const v of [3, 1, 2]) s.observe(v);
    s.observe(Number.NaN); // no rank; counted in _count, and _sum becomes NaN as in client_golang
    expect(set.encodeToString()).toBe(
      '# TYPE s summary\ns{quantile="0"} 1\ns{quantile="0.5"} 2\ns{quantile="1"} 3\ns_sum NaN\ns_count 4\n',
    );
  });

  it('a read merges what was observed since the last one', () => {
    const { s, set } = clocked();
    s.observe(5);
    expect(set.encodeToString()).toContain('s{quantile="1"} 5\n');
    s.observe(9);
    expect(set.encodeToString()).toContain('s{quantile="1"} 9\n');
    expect(set.encodeToString()).toContain('s{quantile="1"} 9\n');
  });

  it('forget observations as the window moves (maxAgeSeconds 10, ageBuckets 2: periods of 5 s from the first observation)', () => {
    const { clock, s, set } = clocked({ maxAgeSeconds: 10, ageBuckets: 2 });
    const t0 = clock.t;
    s.observe(100);
    clock.t = t0 + 5000; // the end of the first period is still in it (client_golang: now.After)
    s.observe(101);
    expect(s.labels({}).quantileValues()).toEqual([100, 100, 101]); // the median of two is the first (r = q n = 1)
    clock.t = t0 + 5001; // the head (everything since t0) is emptied; the next one also started at t0
    s.observe(200);
    expect(s.labels({}).quantileValues()).toEqual([100, 101, 200]);
    clock.t = t0 + 10_001; // that one goes too: the head now holds what came after t0 + 5 s
    expect(s.labels({}).quantileValues()).toEqual([200, 200, 200]);
    clock.t = t0 + 20_000;
    expect(set.encodeToString()).toBe(
      '# TYPE s summary\ns{quantile="0"} NaN\ns{quantile="0.5"} NaN\ns{quantile="1"} NaN\ns_sum 401\ns_count 3\n',
    );
    // A year idle costs one pass over the streams; the periods stay counted from t0.
    clock.t = t0 + 365 * 86_400_000 + 2500;
    s.observe(7);
    expect(s.labels({}).quantileValues()).toEqual([7, 7, 7]);
    clock.t = t0 + 365 * 86_400_000 + 5001;
    s.observe(8);
    clock.t = t0 + 365 * 86_400_000 + 10_001;
    expect(s.labels({}).quantileValues()).toEqual([8, 8, 8]);
  });

  it('with one age bucket the window empties whole at each period end', () => {
    const { clock, s } = clocked({ maxAgeSeconds: 1, ageBuckets: 1 });
    s.observe(1);
    clock.t += 999;
    s.observe(2);
    expect(s.labels({}).quantileValues()).toEqual([1, 1, 2]);
    clock.t += 2;
    expect(s.labels({}).quantileValues()).toEqual([Number.NaN, Number.NaN, Number.NaN]);
  });

  it('each labelled series has its own window, counted from its own first observation', () => {
    const clock = { t: 0 };
    const set = new MetricSet();
    const s = set.summary({
      name: 's',
      help: '',
      labelNames: ['k'],
      quantiles: [0.5],
      maxAgeSeconds: 2,
      ageBuckets: 1,
      now: () => clock.t,
    });
    s.labels({ k: 'a' }).observe(1);
    clock.t = 1500;
    s.labels({ k: 'b' }).observe(2);
    clock.t = 2500;
    expect(s.labels({ k: 'a' }).quantileValues()).toEqual([Number.NaN]);
    expect(s.labels({ k: 'b' }).quantileValues()).toEqual([2]);
  });
});

describe('set() on a summary with quantiles (bridges)', () => {
  it('turns the series estimator off for good: values are the caller’s, observe() adds to _sum and _count only', () => {
    const { s, set } = clocked();
    s.observe(10);
    s.set({ quantiles: { 0.5: 4 } });
    s.observe(1000);
    expect(set.encodeToString()).toBe(
      '# TYPE s summary\ns{quantile="0"} NaN\ns{quantile="0.5"} 4\ns{quantile="1"} NaN\ns_sum 1010\ns_count 2\n',
    );
    s.set({ quantiles: [1, 2, 3], sum: 6, count: 3 });
    expect(s.labels({}).quantileValues()).toEqual([1, 2, 3]);
  });

  it('a refused set() leaves the series as it was, still estimating', () => {
    const { s } = clocked();
    s.observe(10);
    expect(code(() => s.set({ quantiles: [1] }))).toBe('INVALID_ARGUMENT');
    expect(code(() => s.set({ quantiles: { 0.7: 1 } }))).toBe('INVALID_ARGUMENT');
    s.observe(20);
    expect(s.labels({}).quantileValues()).toEqual([10, 10, 20]);
  });

  it('sum and count may be set on an observed series', () => {
    const { s, set } = clocked();
    s.observe(10);
    s.set({ sum: 1, count: 1 });
    expect(set.encodeToString()).toContain('s{quantile="1"} 10\ns_sum 1\ns_count 1\n');
  });
});

describe('estimated quantiles in every output', () => {
  function populated() {
    const clock = { t: 0 };
    const set = new MetricSet({ defaultLabels: { job: 'x' } });
    const s = set.summary({
      name: 'rpc_seconds',
      help: 'RPC.',
      labelNames: ['svc'],
      objectives: { 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 },
      now: () => clock.t,
    });
    for (let i = 1; i <= 2000; i++) s.labels({ svc: 'a' }).observe(i / 1000);
    s.labels({ svc: 'b' }).observe(0.25);
    s.labels({ svc: 'c' }); // no observation: NaN quantiles
    set.counter({ name: 'after', help: 'After.' }).inc();
    return { clock, set, s };
  }

  it('text, OpenMetrics, protobuf and collect() carry the same estimated values', () => {
    const { set, s } = populated();
    const a = s.labels({ svc: 'a' }).quantileValues();
    // n = 2000 in order: within max(e n, 1) positions of 1000, 1800, 1980.
    expect(Math.abs(a[0]! * 1000 - 1000)).toBeLessThanOrEqual(100);
    expect(Math.abs(a[1]! * 1000 - 1800)).toBeLessThanOrEqual(20);
    expect(Math.abs(a[2]! * 1000 - 1980)).toBeLessThanOrEqual(2);
    const want = [...a, 0.25, 0.25, 0.25, Number.NaN, Number.NaN, Number.NaN];
    const quantileSamples = (fams: ReturnType<typeof parse>) =>
      fams
        .find((f) => f.name === 'rpc_seconds')!
        .samples.filter((x) => 'quantile' in x.labels)
        .map((x) => x.value);
    expect(quantileSamples(set.collect())).toEqual(want);
    expect(quantileSamples(parse(set.encode({ format: 'text' }), { format: 'text' }))).toEqual(want);
    expect(quantileSamples(parse(set.encode({ format: 'openmetrics' }), { format: 'openmetrics' }))).toEqual(want);
    expect(quantileSamples(parse(set.encode({ format: 'protobuf' }), { format: 'protobuf' }))).toEqual(want);
    // The direct paths write what the model path writes.
    for (const format of ['text', 'openmetrics', 'protobuf'] as const) {
      expect(Buffer.from(set.encode({ format })).equals(Buffer.from(encode(set.collect(), { format })))).toBe(true);
    }
  });

  it('observations after an encode reach the next one on every path (encodeChunks, remote write direct and via collect())', () => {
    const { set, s } = populated();
    set.encode();
    const b = s.labels({ svc: 'b' });
    b.observe(9);
    b.observe(8);
    const textWant = 'rpc_seconds{job="x",svc="b",quantile="0.99"} 9\n';
    expect(Buffer.concat([...set.encodeChunks({ chunkSize: 64 })]).toString()).toContain(textWant);
    s.labels({ svc: 'b' }).observe(11);
    const rw = decodeWriteRequest(encodeWriteRequest(set, { timestamp: 5 }));
    const series = rw.series.find((x) => x.labels.__name__ === 'rpc_seconds' && x.labels.svc === 'b' && x.labels.quantile === '0.99')!;
    expect(series.samples[0]!.value).toBe(11);
    expect(
      Buffer.from(encodeWriteRequest(set, { timestamp: 5 })).equals(Buffer.from(encodeWriteRequest(set.collect(), { timestamp: 5 }))),
    ).toBe(true);
    s.labels({ svc: 'b' }).observe(12);
    const requests = [...encodeWriteRequests(set, { timestamp: 5, maxSamplesPerRequest: 3 })];
    const values = requests.flatMap((r) =>
      decodeWriteRequest(r.body)
        .series.filter((x) => x.labels.svc === 'b' && x.labels.quantile === '0.99')
        .map((x) => x.samples[0]!.value),
    );
    expect(values).toEqual([12]);
  });

  it('lint finds nothing to say about an observed summary; merge() drops its quantiles as before', () => {
    const { set } = populated();
    expect(lint(set.collect())).toEqual([]);
    const merged = merge(
      [
        { node: 'n1', families: set.collect() },
        { node: 'n2', families: set.collect() },
      ],
      { mode: 'aggregated' },
    );
    const rpc = merged.find((f) => f.name === 'rpc_seconds')!;
    expect(rpc.samples.some((x) => 'quantile' in x.labels)).toBe(false);
    expect(rpc.samples.find((x) => x.name === 'rpc_seconds_count' && x.labels.svc === 'a')!.value).toBe(4000);
  });
});
