import { describe, expect, it } from 'vitest';
import { encode, MetricSet } from '../src/index.js';
import { decodeDelimited } from './helpers/pb-decode.js';

function populated(options: ConstructorParameters<typeof MetricSet>[0] = { defaultLabels: { host: 'a' } }): MetricSet {
  const set = new MetricSet(options);
  const c = set.counter({ name: 'http_requests', help: 'Requests.', labelNames: ['code'] });
  c.labels({ code: '200' }).inc(1027);
  c.labels({ code: '500' }).inc(3);
  set.gauge({ name: 'temperature_celsius', help: 'T.', unit: 'celsius' }).set(21.5);
  const h = set.histogram({ name: 'rpc_seconds', help: 'Latency.', labelNames: ['method'], buckets: [0.1, 1, 10] });
  for (const v of [0.05, 0.5, 2, 20, Number.NaN]) h.labels({ method: 'get' }).observe(v);
  h.labels({ method: 'put' });
  const fractional = set.histogram({ name: 'mirrored', help: '', buckets: [1] });
  fractional.set({ buckets: [0.5, 1.25], sum: 3 });
  const s = set.summary({ name: 'gc_seconds', help: 'GC.', quantiles: [0.5, 0.99] });
  s.observe(1);
  s.set({ quantiles: [0.002, 0.011] });
  set.summary({ name: 'empty_summary', help: '', labelNames: ['x'] });
  set.info({ name: 'build', help: 'Build.', labelNames: ['version'] }).labels({ version: '1.4.2' });
  const st = set.stateset({ name: 'link_state', help: '', states: ['up', 'down'], labelNames: ['link'] });
  st.labels({ link: 'eth0' }).set('up');
  return set;
}

describe('MetricSet protobuf', () => {
  it('equals encode(set.collect(), { format: "protobuf" }) byte for byte, every type', () => {
    const set = populated();
    const direct = set.encode({ format: 'protobuf' });
    const viaModel = encode(set.collect(), { format: 'protobuf' });
    expect(Buffer.from(direct).equals(Buffer.from(viaModel))).toBe(true);
    // And again, once the label fields are cached, after values change.
    (set.get('temperature_celsius') as ReturnType<MetricSet['gauge']>).set(-3);
    expect(Buffer.from(set.encode({ format: 'protobuf' })).equals(Buffer.from(encode(set.collect(), { format: 'protobuf' })))).toBe(true);
  });

  it('writes what an independent decoder reads as the set holds it', () => {
    const out = decodeDelimited(populated().encode({ format: 'protobuf' }));
    expect(out.map((f: { name: string; type?: string }) => [f.name, f.type ?? 'COUNTER'])).toEqual([
      ['http_requests_total', 'COUNTER'],
      ['temperature_celsius', 'GAUGE'],
      ['rpc_seconds', 'HISTOGRAM'],
      ['mirrored', 'HISTOGRAM'],
      ['gc_seconds', 'SUMMARY'],
      ['empty_summary', 'SUMMARY'],
      ['build_info', 'GAUGE'],
      ['link_state', 'GAUGE'],
    ]);
    const [counter, gauge, hist, mirrored, summary, , info, stateset] = out;
    expect(counter.metric[0]).toEqual({
      label: [
        { name: 'host', value: 'a' },
        { name: 'code', value: '200' },
      ],
      counter: { value: 1027 },
    });
    expect(gauge.unit).toBe('celsius');
    expect(gauge.metric[0].gauge.value).toBe(21.5);
    const get = hist.metric[0];
    expect(get.label).toEqual([
      { name: 'host', value: 'a' },
      { name: 'method', value: 'get' },
    ]);
    expect(get.histogram.sampleCount).toBe(5);
    expect(get.histogram.sampleSum).toBeNaN();
    expect(get.histogram.bucket).toEqual([
      { cumulativeCount: 1, upperBound: 0.1 },
      { cumulativeCount: 2, upperBound: 1 },
      { cumulativeCount: 3, upperBound: 10 },
    ]);
    expect(hist.metric[1].histogram.bucket).toHaveLength(3);
    expect(mirrored.metric[0].histogram).toEqual({
      sampleCountFloat: 1.75,
      sampleSum: 3,
      bucket: [{ upperBound: 1, cumulativeCountFloat: 0.5 }],
    });
    expect(summary.metric[0].summary).toEqual({
      sampleCount: 1,
      sampleSum: 1,
      quantile: [
        { quantile: 0.5, value: 0.002 },
        { quantile: 0.99, value: 0.011 },
      ],
    });
    expect(info.metric[0].gauge.value).toBe(1);
    expect(
      stateset.metric.map((m: { label: Array<{ value: string }>; gauge: { value?: number } }) => [m.label[2]!.value, m.gauge.value ?? 0]),
    ).toEqual([
      ['up', 1],
      ['down', 0],
    ]);
  });

  it('encodeChunks joins to encode(), a chunk ending between families', () => {
    const set = populated();
    const whole = set.encode({ format: 'protobuf' });
    for (const chunkSize of [1, 64, 1 << 20]) {
      const chunks = [...set.encodeChunks({ format: 'protobuf', escaping: 'allow-utf-8', chunkSize })];
      expect(Buffer.concat(chunks).equals(Buffer.from(whole))).toBe(true);
      if (chunkSize === 1) expect(chunks).toHaveLength(8);
    }
  });

  it('UTF-8 names: as they are with allow-utf-8, escaped by the scheme otherwise, equal to encode() either way', () => {
    const set = new MetricSet({ nameValidation: 'utf-8', defaultLabels: { 'region.name': 'eu' } });
    set
      .counter({ name: 'my.requests', help: '', labelNames: ['status.code'] })
      .labels({ 'status.code': '200' })
      .inc();
    set.stateset({ name: 'link.state', help: '', states: ['up'] }).set('up');
    for (const escaping of ['allow-utf-8', 'underscores', 'dots', 'values'] as const) {
      const direct = set.encode({ format: 'protobuf', escaping });
      expect(Buffer.from(direct).equals(Buffer.from(encode(set.collect(), { format: 'protobuf', escaping }))), escaping).toBe(true);
    }
    const plain = decodeDelimited(set.encode({ format: 'protobuf' }));
    expect(plain[0].name).toBe('my.requests_total');
    expect(plain[0].metric[0].label.map((l: { name: string }) => l.name)).toEqual(['region.name', 'status.code']);
    const under = decodeDelimited(set.encode({ format: 'protobuf', escaping: 'underscores' }));
    expect(under[0].name).toBe('my_requests_total');
    expect(under[1].metric[0].label.map((l: { name: string }) => l.name)).toEqual(['region_name', 'link_state']);
  });

  it('reports what protobuf cannot hold as encode() does', () => {
    const set = populated();
    const direct: string[] = [];
    const viaModel: string[] = [];
    set.encode({ format: 'protobuf', onWarning: (m) => direct.push(m) });
    encode(set.collect(), { format: 'protobuf', onWarning: (m) => viaModel.push(m) });
    expect(direct).toEqual(viaModel);
    expect(direct).toEqual([
      '"build_info": written as a gauge: protobuf has no info type (1 sample)',
      '"link_state": written as a gauge: protobuf has no stateset type (2 samples)',
    ]);
  });

  it('native histograms (native-only, with classic buckets, empty with zero threshold 0): as client_golang writes them, equal to encode(collect())', () => {
    const set = new MetricSet({ defaultLabels: { job: 'j' } });
    const n = set.histogram({ name: 'native_seconds', help: 'Native.', labelNames: ['route'], native: { bucketFactor: 1.1 } });
    for (const v of [0, 0.001, 0.5, 1, 2, -3, 1e300, Infinity]) n.labels({ route: '/a' }).observe(v);
    n.labels({ route: '/c' });
    const both = set.histogram({ name: 'both_seconds', help: 'Both.', buckets: [0.1, 1], native: { bucketFactor: 1.1, maxBuckets: 3 } });
    for (const v of [0.05, 0.5, 5, 50, NaN]) both.observe(v);
    set.histogram({ name: 'empty_zero', help: '', native: { bucketFactor: 1.5, zeroThreshold: 0 } });
    const direct = set.encode({ format: 'protobuf' });
    expect(Buffer.from(direct).equals(Buffer.from(encode(set.collect(), { format: 'protobuf' })))).toBe(true);
    const chunks = [...set.encodeChunks({ format: 'protobuf', escaping: 'allow-utf-8', chunkSize: 16 })];
    expect(Buffer.concat(chunks).equals(Buffer.from(direct))).toBe(true);
    const [nat, bothF, empty] = decodeDelimited(direct);
    const a = nat.metric[0].histogram;
    const snap = n.labels({ route: '/a' }).nativeSnapshot()!;
    expect(a.sampleCount).toBe(8);
    expect(a.sampleSum).toBe(Infinity);
    expect(a.schema).toBe(snap.schema);
    expect(a.zeroCount).toBe(snap.zeroCount);
    expect(a.bucket).toBeUndefined(); // native-only: no classic buckets, not even +Inf
    let acc = 0;
    expect(a.positiveDelta.map((d: number) => (acc += d))).toEqual(snap.positiveBuckets);
    expect(
      (a.positiveSpan as Array<{ offset?: number; length?: number }>).map((x) => ({ offset: x.offset ?? 0, length: x.length ?? 0 })),
    ).toEqual(snap.positiveSpans);
    expect(a.negativeDelta).toEqual([1]);
    expect(nat.metric[1].histogram.zeroThreshold).toBeGreaterThan(0); // an empty one is native by its zero threshold
    const b = bothF.metric[0].histogram;
    expect(b.sampleCount).toBe(5);
    expect(b.bucket).toEqual([
      { cumulativeCount: 1, upperBound: 0.1 },
      { cumulativeCount: 2, upperBound: 1 },
    ]);
    expect(b.schema).toBe(2);
    expect(empty.metric[0].histogram.positiveSpan).toEqual([{}]); // the no-op span
  });
});
