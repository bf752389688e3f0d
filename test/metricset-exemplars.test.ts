import { describe, expect, it } from 'vitest';
import { encode } from '../src/encode/encoder.js';
import { PromwireError } from '../src/errors.js';
import { EXEMPLAR_MAX_CHARACTERS, MetricSet } from '../src/index.js';
import type { Format } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { encodeWriteRequest } from '../src/remote-write/encode.js';

const T = 1_700_000_000_123;

function build(): MetricSet {
  const set = new MetricSet({ defaultLabels: { svc: 'api' } });
  const c = set.counter({ name: 'requests', help: 'Requests.', labelNames: ['code'] });
  c.labels({ code: '200' }).incWithExemplar(2, { labels: { trace_id: 'abc' }, timestamp: T });
  c.labels({ code: '500' }).inc();
  const h = set.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1] });
  h.observeWithExemplar(0.05, { labels: { trace_id: 'first' }, timestamp: T });
  h.observeWithExemplar(0.07, { labels: { trace_id: 'last' }, timestamp: T + 1 });
  h.observeWithExemplar(5, { labels: { trace_id: 'inf', span_id: '1' }, timestamp: T + 2 });
  h.observe(0.5);
  const both = set.histogram({ name: 'both_seconds', help: '', buckets: [1], native: { bucketFactor: 1.1 } });
  both.observeWithExemplar(0.5, { labels: { t: 'a' }, timestamp: T });
  both.observeWithExemplar(3, { labels: { t: 'b' }, timestamp: T + 5 });
  const nat = set.histogram({ name: 'native_seconds', help: '', native: { bucketFactor: 1.1 } });
  nat.observeWithExemplar(0.25, { labels: { t: 'n' }, timestamp: T });
  return set;
}

function warnings(f: (sink: (m: string) => void) => void): string[] {
  const out: string[] = [];
  f((m) => out.push(m));
  return out;
}

describe('exemplars in a MetricSet', () => {
  it('OpenMetrics: after counter and bucket samples, the last one per counter and per bucket', () => {
    const om = build().encodeToString({ format: 'openmetrics' });
    expect(om).toContain('requests_total{svc="api",code="200"} 2 # {trace_id="abc"} 2 1700000000.123\n');
    expect(om).toContain('requests_total{svc="api",code="500"} 1\n');
    expect(om).toContain('latency_seconds_bucket{svc="api",le="0.1"} 2 # {trace_id="last"} 0.07 1700000000.124\n');
    expect(om).toContain('latency_seconds_bucket{svc="api",le="1.0"} 3\n');
    expect(om).toContain('latency_seconds_bucket{svc="api",le="+Inf"} 4 # {trace_id="inf",span_id="1"} 5 1700000000.125\n');
    expect(om).not.toContain('first');
    expect(om).toContain('both_seconds_bucket{svc="api",le="1.0"} 1 # {t="a"} 0.5 1700000000.123\n');
  });

  it('every format equals encode(collect()), with the same warnings; text has none and says so', () => {
    const set = build();
    for (const format of ['text', 'openmetrics', 'protobuf'] as Format[]) {
      const a = warnings((onWarning) => expect(set.encode({ format, onWarning })).toEqual(encode(set.collect(), { format })));
      // Every warning, the native histograms' fallback included (src/metrics/losses.ts reportDirectLosses).
      const b = warnings((onWarning) => encode(set.collect(), { format, onWarning }));
      // The same warnings; the order within a family may differ (the families encoder reports as it meets them).
      expect([...a].sort()).toEqual([...b].sort());
      const chunks = warnings((onWarning) => {
        const parts = [...set.encodeChunks({ format, chunkSize: 64, onWarning })];
        expect(Buffer.concat(parts)).toEqual(Buffer.from(set.encode({ format })));
      });
      expect([...chunks].sort()).toEqual([...b].sort());
    }
    expect(warnings((onWarning) => set.encode({ onWarning }))).toEqual([
      '"requests_total": exemplars dropped: text 0.0.4 has none (1 sample)',
      '"latency_seconds": exemplars dropped: text 0.0.4 has none (2 samples)',
      '"both_seconds": exemplars dropped: text 0.0.4 has none (4 samples)',
      '"both_seconds": 1 native histogram sample left out (the classic buckets carry the series)',
      '"native_seconds": exemplars dropped: text 0.0.4 has none (1 sample)',
      '"native_seconds": 1 native histogram sample written as +Inf bucket, sum and count: text 0.0.4 has no native histograms',
    ]);
    expect(set.encodeToString()).not.toContain('#  {');
    expect(set.encodeToString()).not.toContain('trace_id');
    expect(warnings((onWarning) => set.encode({ format: 'openmetrics', onWarning }))).toEqual([
      '"both_seconds": exemplars of native histograms dropped: OpenMetrics 1.0 has no native histograms (2 samples)',
      '"both_seconds": 1 native histogram sample left out (the classic buckets carry the series)',
      '"native_seconds": exemplars of native histograms dropped: OpenMetrics 1.0 has no native histograms (1 sample)',
      '"native_seconds": 1 native histogram sample written as +Inf bucket, sum and count: OpenMetrics 1.0 has no native histograms',
    ]);
  });

  it("round trip: promwire's OpenMetrics and protobuf parsers read back collect()'s exemplars", () => {
    const set = build();
    const model = set.collect();
    const exemplarsOf = (fams: ReturnType<typeof parse>) =>
      fams.flatMap((f) => f.samples.filter((s) => s.exemplars !== undefined).map((s) => [s.name, s.labels.le, s.exemplars]));
    const om = parse(set.encode({ format: 'openmetrics' }), { format: 'openmetrics' });
    expect(exemplarsOf(om)).toEqual(exemplarsOf(model).filter((x) => x[0] !== 'both_seconds' && x[0] !== 'native_seconds'));
    const pb = parse(set.encode({ format: 'protobuf' }), { format: 'protobuf' });
    expect(exemplarsOf(pb)).toEqual(exemplarsOf(model));
    expect(exemplarsOf(model)).toContainEqual(['native_seconds', undefined, [{ labels: { t: 'n' }, value: 0.25, timestamp: T }]]);
  });

  it('remote write: the direct path writes the exemplars encodeWriteRequest(collect()) writes', () => {
    const set = build();
    for (const version of ['1.0', '2.0'] as const) {
      expect(encodeWriteRequest(set, { timestamp: T, version })).toEqual(encodeWriteRequest(set.collect(), { timestamp: T, version }));
    }
  });

  it('the 128-character limit of OpenMetrics 1.0, counted in characters, enforced at the call', () => {
    const set = new MetricSet();
    const c = set.counter({ name: 'c', help: '' });
    const h = set.histogram({ name: 'h', help: '' });
    expect(EXEMPLAR_MAX_CHARACTERS).toBe(128);
    c.incWithExemplar(1, { labels: { trace_id: 'x'.repeat(120) } }); // 8 + 120 = 128
    // 8 + 120 characters of 3 UTF-8 bytes each (and one outside the BMP, 2 UTF-16 units): still 128 characters.
    c.incWithExemplar(1, { labels: { trace_id: '€'.repeat(119) + '😀' } });
    let e: unknown;
    try {
      c.incWithExemplar(5, { labels: { trace_id: 'x'.repeat(121) } });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(PromwireError);
    expect((e as PromwireError).code).toBe('INVALID_EXEMPLAR');
    expect((e as PromwireError).message).toContain('at most 128 characters');
    expect((e as PromwireError).message).toContain('got 129');
    expect(c.get()).toBe(2); // nothing added
    expect(() => h.observeWithExemplar(1, { labels: { a: 'y'.repeat(128) } })).toThrow(/got 129/);
    expect(h.labels({}).getCount()).toBe(0);
    expect(() => c.incWithExemplar(1, { labels: { 'bad-name': 'v' } })).toThrow(/valid label names/);
    expect(() => c.incWithExemplar(1, { labels: { a: 1 as unknown as string } })).toThrow(/to be a string/);
    expect(() => c.incWithExemplar(1, { labels: {}, timestamp: Number.NaN })).toThrow(/finite milliseconds/);
    expect(() => c.incWithExemplar(-1, { labels: {} })).toThrow(/non-negative/);
    expect(() =>
      new MetricSet({ nameValidation: 'utf-8' }).counter({ name: 'u', help: '' }).incWithExemplar(1, { labels: { 'a.b': 'v' } }),
    ).not.toThrow();
  });

  it('defaults the timestamp to the time of the call', () => {
    const set = new MetricSet();
    const c = set.counter({ name: 'c', help: '' });
    const before = Date.now();
    c.incWithExemplar(1, { labels: { id: '1' } });
    const ts = set.collect()[0]!.samples[0]!.exemplars![0]!.timestamp!;
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now());
  });

  it("a native histogram keeps at most 10, in value order, spread as client_golang's", () => {
    const set = new MetricSet();
    const h = set.histogram({ name: 'n', help: '', native: { bucketFactor: 1.1 } });
    for (let i = 1; i <= 10; i++) h.observeWithExemplar(i, { labels: { i: String(i) }, timestamp: T + i });
    // 10.5 lands next to 10: the closest pair by log value is (9, 10)... the new one is closer to 10,
    // so 10 (the neighbour at its insertion point) is replaced.
    h.observeWithExemplar(10.5, { labels: { i: 'new' }, timestamp: T + 20 });
    const values = () => set.collect()[0]!.samples[0]!.exemplars!.map((e) => e.value);
    expect(values()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5]);
    // Past the TTL (5 minutes), the oldest goes, whatever the spread.
    h.observeWithExemplar(100, { labels: { i: 'late' }, timestamp: T + 10 * 60_000 });
    expect(values()).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10.5, 100]);
  });
});
