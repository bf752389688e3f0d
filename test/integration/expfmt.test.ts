/**
 * Go's expfmt (prometheus/common 0.69, Debian sid, through
 * test/integration/go/expfmt-decode) reads promwire's protobuf output.
 *
 * Each real payload in fixtures/ (text 0.0.4 and OpenMetrics), a MetricSet
 * with every metric type and native histograms, and hand-built families
 * with what only protobuf carries (native histograms with integer and float
 * counts, negative buckets, exemplars on a native histogram, start
 * timestamps, gauge histograms) are encoded with
 * `encode(families, { format: 'protobuf' })` (or `MetricSet.encode`), and:
 *
 * - expfmt decodes every byte of it without error (delimited MetricFamily
 *   messages, UTF-8 names and label values checked);
 * - the families Go decoded, turned into promwire's model here by
 *   `fromDto` (an independent reading of io.prometheus.client, written from
 *   the .proto and Prometheus' protobufparse.go, not promwire's parser),
 *   are the families promwire's own parser reads from the same bytes;
 * - for text 0.0.4 payloads (whose content protobuf holds whole), they are
 *   also the families the payload was parsed to in the first place.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../src/encode/encoder.js';
import { MetricSet } from '../../src/metrics/index.js';
import type { Exemplar, Labels, MetricFamily, MetricType, NativeHistogram, Sample } from '../../src/model/index.js';
import { canonicalBound, seriesKey } from '../../src/model/rules.js';
import { parse } from '../../src/parse/families.js';
import { goProgram, runGo } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// ------------------------------------------------------- protojson's dto

/** protojson writes float fields as numbers or "NaN", "Infinity", "-Infinity"; 64-bit integers as strings. */
type PjFloat = number | string;
type PjInt = string | number;

interface PjLabel {
  name?: string;
  value?: string;
}
interface PjExemplar {
  label?: PjLabel[];
  value?: PjFloat;
  timestamp?: string;
}
interface PjSpan {
  offset?: number;
  length?: number;
}
interface PjHistogram {
  sampleCount?: PjInt;
  sampleCountFloat?: PjFloat;
  sampleSum?: PjFloat;
  bucket?: { cumulativeCount?: PjInt; cumulativeCountFloat?: PjFloat; upperBound?: PjFloat; exemplar?: PjExemplar }[];
  createdTimestamp?: string;
  schema?: number;
  zeroThreshold?: PjFloat;
  zeroCount?: PjInt;
  zeroCountFloat?: PjFloat;
  negativeSpan?: PjSpan[];
  negativeDelta?: PjInt[];
  negativeCount?: PjFloat[];
  positiveSpan?: PjSpan[];
  positiveDelta?: PjInt[];
  positiveCount?: PjFloat[];
  exemplars?: PjExemplar[];
}
interface PjMetric {
  label?: PjLabel[];
  gauge?: { value?: PjFloat };
  counter?: { value?: PjFloat; exemplar?: PjExemplar; createdTimestamp?: string };
  summary?: { sampleCount?: PjInt; sampleSum?: PjFloat; quantile?: { quantile?: PjFloat; value?: PjFloat }[]; createdTimestamp?: string };
  untyped?: { value?: PjFloat };
  histogram?: PjHistogram;
  timestampMs?: PjInt;
}
interface PjFamily {
  name?: string;
  help?: string;
  type?: string;
  metric?: PjMetric[];
  unit?: string;
}

function f(v: PjFloat | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number(v);
}

function int(v: PjInt | undefined): number {
  return v === undefined ? 0 : Number(v);
}

/** google.protobuf.Timestamp in protojson (RFC 3339, up to nanoseconds) to milliseconds, fraction kept. */
function tsMillis(s: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(s);
  if (m === null) throw new Error(`not an RFC 3339 UTC timestamp: ${s}`);
  const seconds = Date.parse(`${m[1]}Z`) / 1000;
  const nanos = m[2] === undefined ? 0 : Number(m[2].padEnd(9, '0'));
  return seconds * 1000 + nanos / 1e6;
}

function labelsOf(pairs: PjLabel[] | undefined): Labels {
  const out: Labels = {};
  for (const p of pairs ?? []) out[p.name ?? ''] = p.value ?? '';
  return out;
}

function exemplarOf(e: PjExemplar): Exemplar {
  return { labels: labelsOf(e.label), value: f(e.value), timestamp: e.timestamp === undefined ? null : tsMillis(e.timestamp) };
}

const TYPES: Record<string, MetricType> = {
  COUNTER: 'counter',
  GAUGE: 'gauge',
  SUMMARY: 'summary',
  UNTYPED: 'unknown',
  HISTOGRAM: 'histogram',
  GAUGE_HISTOGRAM: 'gaugehistogram',
};

/**
 * A dto.Histogram is native when it has a span, a zero threshold or a zero
 * count (Prometheus 3.5 textparse/protobufparse.go isNativeHistogram; an
 * empty one carries a no-op span).
 */
function isNative(h: PjHistogram): boolean {
  return (
    (h.positiveSpan?.length ?? 0) > 0 ||
    (h.negativeSpan?.length ?? 0) > 0 ||
    f(h.zeroThreshold) > 0 ||
    int(h.zeroCount) > 0 ||
    f(h.zeroCountFloat) > 0
  );
}

function nativeOf(h: PjHistogram): NativeHistogram {
  const spans = (s: PjSpan[] | undefined) => (s ?? []).map((x) => ({ offset: x.offset ?? 0, length: x.length ?? 0 }));
  const float = (h.positiveCount?.length ?? 0) + (h.negativeCount?.length ?? 0) > 0 || h.sampleCountFloat !== undefined;
  const abs = (deltas: PjInt[] | undefined): number[] => {
    let c = 0;
    return (deltas ?? []).map((d) => (c += int(d)));
  };
  return float
    ? {
        kind: 'float',
        schema: h.schema ?? 0,
        zeroThreshold: f(h.zeroThreshold),
        zeroCount: f(h.zeroCountFloat),
        count: f(h.sampleCountFloat),
        sum: f(h.sampleSum),
        positiveSpans: spans(h.positiveSpan),
        positiveBuckets: (h.positiveCount ?? []).map(f),
        negativeSpans: spans(h.negativeSpan),
        negativeBuckets: (h.negativeCount ?? []).map(f),
      }
    : {
        kind: 'integer',
        schema: h.schema ?? 0,
        zeroThreshold: f(h.zeroThreshold),
        zeroCount: int(h.zeroCount),
        count: int(h.sampleCount),
        sum: f(h.sampleSum),
        positiveSpans: spans(h.positiveSpan),
        positiveBuckets: abs(h.positiveDelta),
        negativeSpans: spans(h.negativeSpan),
        negativeBuckets: abs(h.negativeDelta),
      };
}

/**
 * Go's decoded families in promwire's model (docs/model.md): a counter is
 * its series, a summary its quantiles, `_sum` and `_count`, a classic
 * histogram its cumulative `_bucket`s (a missing `+Inf` synthesised from
 * the count, as Prometheus does), `_sum` and `_count`, a native histogram
 * one sample named after the family; `timestamp_ms` 0 is no timestamp; a
 * created timestamp is every sample's startTimestamp.
 */
function fromDto(fams: PjFamily[]): MetricFamily[] {
  return fams.map((fam) => {
    const name = fam.name ?? '';
    const type = TYPES[fam.type ?? 'COUNTER'];
    if (type === undefined) throw new Error(`family ${name}: unknown type ${fam.type}`);
    const samples: Sample[] = [];
    for (const m of fam.metric ?? []) {
      const labels = labelsOf(m.label);
      const ts = int(m.timestampMs);
      const base = { labels, timestamp: ts === 0 ? null : ts };
      const push = (sname: string, extra: Labels, value: number | NativeHistogram, start: string | undefined, exemplars?: Exemplar[]) => {
        const s = { ...base, name: sname, labels: { ...labels, ...extra }, value } as Sample;
        if (start !== undefined) s.startTimestamp = tsMillis(start);
        if (exemplars !== undefined && exemplars.length > 0) s.exemplars = exemplars;
        samples.push(s);
      };
      switch (type) {
        case 'counter':
          push(
            name,
            {},
            f(m.counter?.value),
            m.counter?.createdTimestamp,
            m.counter?.exemplar ? [exemplarOf(m.counter.exemplar)] : undefined,
          );
          break;
        case 'gauge':
          push(name, {}, f(m.gauge?.value), undefined);
          break;
        case 'unknown':
          push(name, {}, f(m.untyped?.value), undefined);
          break;
        case 'summary': {
          const s = m.summary ?? {};
          for (const q of s.quantile ?? []) push(name, { quantile: canonicalBound(f(q.quantile)) }, f(q.value), s.createdTimestamp);
          push(`${name}_sum`, {}, f(s.sampleSum), s.createdTimestamp);
          push(`${name}_count`, {}, int(s.sampleCount), s.createdTimestamp);
          break;
        }
        default: {
          const h = m.histogram ?? {};
          const gauge = type === 'gaugehistogram';
          if (isNative(h)) {
            push(name, {}, nativeOf(h), h.createdTimestamp, h.exemplars?.map(exemplarOf));
          }
          const buckets = h.bucket ?? [];
          if (buckets.length > 0 || !isNative(h)) {
            const float = h.sampleCountFloat !== undefined;
            for (const b of buckets) {
              const count = b.cumulativeCountFloat !== undefined ? f(b.cumulativeCountFloat) : int(b.cumulativeCount);
              push(
                `${name}_bucket`,
                { le: canonicalBound(f(b.upperBound)) },
                count,
                h.createdTimestamp,
                b.exemplar ? [exemplarOf(b.exemplar)] : undefined,
              );
            }
            const count = float ? f(h.sampleCountFloat) : int(h.sampleCount);
            if (buckets.length === 0 || f(buckets[buckets.length - 1]!.upperBound) !== Infinity) {
              push(`${name}_bucket`, { le: '+Inf' }, count, h.createdTimestamp);
            }
            push(gauge ? `${name}_gsum` : `${name}_sum`, {}, f(h.sampleSum), h.createdTimestamp);
            push(gauge ? `${name}_gcount` : `${name}_count`, {}, count, h.createdTimestamp);
          }
        }
      }
    }
    return { name, type, help: fam.help ?? '', unit: fam.unit ?? '', samples } as MetricFamily;
  });
}

/** Families with their samples in series-key order (protobuf groups a series' samples; text may not). */
function normalise(fams: MetricFamily[]): MetricFamily[] {
  return fams.map((fam) => ({
    ...fam,
    samples: [...fam.samples].sort((a, b) => {
      const ka = seriesKey(a.name, a.labels);
      const kb = seriesKey(b.name, b.labels);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    }),
  })) as MetricFamily[];
}

/**
 * Start and exemplar timestamps cut to whole milliseconds: promwire's parser
 * reads a google.protobuf.Timestamp as Prometheus' protobufparse does
 * (UnixMilli), where Go keeps its nanoseconds.
 */
function wholeMillis(fams: MetricFamily[]): MetricFamily[] {
  return fams.map((fam) => ({
    ...fam,
    samples: fam.samples.map((s) => {
      const out = { ...s };
      if (out.startTimestamp !== undefined) out.startTimestamp = Math.floor(out.startTimestamp);
      if (out.exemplars !== undefined)
        out.exemplars = out.exemplars.map((e) => ({ ...e, timestamp: e.timestamp === null ? null : Math.floor(e.timestamp) }));
      return out;
    }),
  })) as MetricFamily[];
}

async function goDecode(bytes: Uint8Array): Promise<MetricFamily[]> {
  const out = await runGo('expfmt-decode', [], bytes);
  return fromDto(JSON.parse(out.toString('utf8')) as PjFamily[]);
}

// ------------------------------------------------------------ payloads

const FIXTURES = [
  'federate-3.5.3.prom',
  'node_exporter-1.11.1.prom',
  'prometheus-3.5.3.prom',
  'pushgateway-1.11.2.prom',
  'python_client.prom',
  'victoria-metrics-1.145.prom',
  'python_client.om.txt',
];

/** Every MetricSet type, a native histogram with classic buckets beside it, labels. */
function metricSetPayload(): MetricSet {
  const set = new MetricSet({ defaultLabels: { service: 'api' } });
  const c = set.counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'] });
  c.labels({ queue: 'a' }).inc(3);
  c.labels({ queue: 'ünïcode "q"\n' }).inc(0.5);
  set.gauge({ name: 'temp_celsius', help: 'Temperature.' }).set(-4.25);
  const h = set.histogram({ name: 'rpc_seconds', help: 'RPC latency.', labelNames: ['route'], native: { bucketFactor: 1.1 } });
  for (const v of [0, 0.001, 0.5, 1, 2, 3, 1e6, -2]) h.labels({ route: '/a' }).observe(v);
  h.labels({ route: '/empty' });
  const both = set.histogram({ name: 'both_seconds', help: 'Both.', buckets: [0.1, 1], native: { bucketFactor: 2, zeroThreshold: 0 } });
  for (const v of [0.05, 0.5, 5, NaN]) both.observe(v);
  const classic = set.histogram({ name: 'classic_seconds', help: 'Classic.', buckets: [0.1, 1] });
  classic.observe(0.2);
  set.summary({ name: 'gc_seconds', help: 'GC.', quantiles: [0.5, 0.99] }).set({ quantiles: [0.01, 0.2], sum: 3, count: 40 });
  set.info({ name: 'build', help: 'Build.', labelNames: ['version'] }).labels({ version: '1.2.3' });
  set.stateset({ name: 'link_state', help: 'Link.', states: ['up', 'down'] }).set('up');
  return set;
}

/** What only protobuf carries, built by hand. */
function handBuilt(): MetricFamily[] {
  const integer: NativeHistogram = {
    kind: 'integer',
    schema: 2,
    zeroThreshold: 1e-3,
    zeroCount: 2,
    count: 12,
    sum: -3.5,
    positiveSpans: [
      { offset: -3, length: 2 },
      { offset: 4, length: 1 },
    ],
    positiveBuckets: [1, 4, 2],
    negativeSpans: [{ offset: 0, length: 2 }],
    negativeBuckets: [2, 1],
  };
  const float: NativeHistogram = {
    kind: 'float',
    schema: -1,
    zeroThreshold: 0,
    zeroCount: 0.5,
    count: 4.25,
    sum: 10.125,
    positiveSpans: [{ offset: 1, length: 3 }],
    positiveBuckets: [1.5, 0, 2.25],
    negativeSpans: [],
    negativeBuckets: [],
  };
  return [
    {
      name: 'pw_requests_total',
      type: 'counter',
      help: 'Requests.',
      unit: '',
      samples: [
        {
          name: 'pw_requests_total',
          labels: { code: '200' },
          value: 7,
          timestamp: 1_700_000_000_123,
          startTimestamp: 1_690_000_000_000,
          exemplars: [{ labels: { trace_id: 'abc' }, value: 1, timestamp: 1_700_000_000_500 }],
        },
      ],
    },
    {
      name: 'pw_latency_seconds',
      type: 'histogram',
      help: 'Latency.',
      unit: '',
      samples: [
        {
          name: 'pw_latency_seconds',
          labels: { route: '/x' },
          value: integer,
          timestamp: null,
          startTimestamp: 1_690_000_000_000,
          exemplars: [
            { labels: { trace_id: 't1' }, value: 0.75, timestamp: 1_700_000_000_000 },
            { labels: { trace_id: 't2' }, value: -1.5, timestamp: 1_700_000_001_000 },
          ],
        },
        { name: 'pw_latency_seconds', labels: { route: '/y' }, value: float, timestamp: 1_700_000_002_000 },
      ],
    },
    {
      name: 'pw_queue_seconds',
      type: 'gaugehistogram',
      help: 'Queue.',
      unit: '',
      samples: [{ name: 'pw_queue_seconds', labels: {}, value: integer, timestamp: null }],
    },
  ] as MetricFamily[];
}

beforeAll(async () => {
  await goProgram('expfmt-decode');
}, 300_000);

describe("Go's expfmt decodes promwire's protobuf output to the same families", () => {
  it.each(FIXTURES)('%s: parsed, encoded to protobuf, decoded by expfmt', async (file) => {
    const original = parse(
      readFileSync(path.join(ROOT, 'fixtures', file)),
      file.endsWith('.om.txt') ? { format: 'openmetrics' } : { format: 'text' },
    );
    const bytes = encode(original, { format: 'protobuf' });
    const byGo = await goDecode(bytes);
    const byPromwire = parse(bytes, { format: 'protobuf' });
    expect(byGo.map((x) => x.name)).toEqual(byPromwire.map((x) => x.name));
    expect(normalise(wholeMillis(byGo))).toEqual(normalise(byPromwire));
    if (!file.endsWith('.om.txt')) {
      // Text 0.0.4 holds nothing protobuf cannot: Go reads back the payload itself.
      expect(normalise(byGo)).toEqual(normalise(original));
    } else {
      // OpenMetrics `_created` and exemplar timestamps below a millisecond
      // reach Go whole (the encoder writes seconds and nanoseconds).
      const starts = (fams: MetricFamily[]) =>
        fams.flatMap((fam) =>
          fam.samples.flatMap((s) =>
            s.startTimestamp === undefined ? [] : [[s.name, s.labels, s.startTimestamp, s.exemplars?.map((e) => e.timestamp)]],
          ),
        );
      const fromGo = starts(normalise(byGo));
      expect(fromGo.length).toBeGreaterThan(0);
      expect(fromGo.some(([, , t]) => !Number.isInteger(t))).toBe(true);
      expect(fromGo).toEqual(starts(normalise(original)));
    }
  });

  it('a MetricSet with every type and native histograms (MetricSet.encode protobuf)', async () => {
    const set = metricSetPayload();
    const bytes = set.encode({ format: 'protobuf' });
    const byGo = await goDecode(bytes);
    expect(normalise(byGo)).toEqual(normalise(parse(bytes, { format: 'protobuf' })));
    // The native histograms are MetricSet's own (collect()), whole.
    const model = set.collect();
    for (const name of ['rpc_seconds', 'both_seconds']) {
      const want = model.find((x) => x.name === name)!.samples.filter((s) => typeof s.value !== 'number');
      const got = byGo.find((x) => x.name === name)!.samples.filter((s) => typeof s.value !== 'number');
      expect(got.map((s) => [s.labels, s.value])).toEqual(want.map((s) => [s.labels, s.value]));
      expect(got).toHaveLength(name === 'rpc_seconds' ? 2 : 1);
    }
    // encode(collect()) says the same as MetricSet.encode.
    expect(normalise(await goDecode(encode(model, { format: 'protobuf' })))).toEqual(normalise(byGo));
  });

  it('native histograms (integer and float counts, negative buckets, exemplars), start timestamps, a gauge histogram', async () => {
    const fams = handBuilt();
    const bytes = encode(fams, { format: 'protobuf' });
    const byGo = await goDecode(bytes);
    expect(normalise(byGo)).toEqual(normalise(fams));
    expect(normalise(parse(bytes, { format: 'protobuf' }))).toEqual(normalise(fams));
  });
});
