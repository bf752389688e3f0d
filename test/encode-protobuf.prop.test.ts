import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode, encodeChunks } from '../src/encode/encoder.js';
import type { Exemplar, Labels, MetricFamily, NativeHistogram, Sample } from '../src/model/index.js';
import { canonicalBound } from '../src/model/rules.js';
import { type Decoded, decodeDelimited, tsMillis } from './helpers/pb-decode.js';

/**
 * protobufjs-decode(encode(m)) reads back as m: arbitrary families of every
 * type protobuf holds (counter, gauge, unknown, summary, histogram, gauge
 * histogram; classic, native integer and float, and both), with UTF-8 names
 * and labels, exemplars, timestamps and start timestamps, go through
 * promwire's writer and come back through protobufjs and the small reader
 * below, which follows metrics.proto and protobufparse.go on its own.
 */

const LABEL_NAMES = ['a', 'code', 'a.b', 'ü', 'with space'];
const text = fc.string({ unit: 'binary', maxLength: 10 });
const anyDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1, NaN, Infinity, -Infinity, 0.1, 5e-324),
  fc.integer({ min: -1e9, max: 1e9 }),
);
// timestamp_ms 0 means none (documented loss): never generated.
const timestamp = fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 4e12 }), fc.integer({ min: -4e12, max: -1 }));
// A start timestamp of 0 is an empty created_timestamp, which readers take
// as none (documented loss): never generated.
const startTs = fc.option(
  fc.oneof(
    fc.integer({ min: 1, max: 4e12 }),
    fc.integer({ min: 0, max: 4e12 }).map((x) => x + 0.5),
  ),
  { nil: undefined },
);
const exemplar = (withTs: boolean): fc.Arbitrary<Exemplar> =>
  fc.record({
    labels: fc.oneof(fc.constant({} as Labels), fc.record({ trace_id: text })),
    value: anyDouble,
    timestamp: withTs
      ? fc.integer({ min: 0, max: 4e12 }).map((x) => x + 0.25)
      : fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 4e12 })),
  });

function labelSets(): fc.Arbitrary<Labels[]> {
  return fc.subarray(LABEL_NAMES, { maxLength: 3 }).chain((names) =>
    fc
      .uniqueArray(fc.tuple(...names.map(() => text)), {
        minLength: 1,
        maxLength: names.length === 0 ? 1 : 3,
        selector: (v) => JSON.stringify(v),
      })
      .map((rows) => rows.map((vals) => Object.fromEntries(names.map((k, i) => [k, vals[i]!])) as Labels)),
  );
}

/** A valid native histogram with exponential buckets. */
const nativeHistogram: fc.Arbitrary<NativeHistogram> = fc
  .record({
    float: fc.boolean(),
    schema: fc.integer({ min: -4, max: 8 }),
    zeroThreshold: fc.constantFrom(0, 1e-128, 0.001),
    zeroCount: fc.integer({ min: 0, max: 5 }),
    pos: fc.uniqueArray(fc.integer({ min: -20, max: 20 }), { maxLength: 6 }),
    neg: fc.uniqueArray(fc.integer({ min: -20, max: 20 }), { maxLength: 4 }),
    counts: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 10, maxLength: 10 }),
    extra: fc.integer({ min: 0, max: 3 }),
    sum: anyDouble,
  })
  .map((r) => {
    const scale = r.float ? 0.25 : 1;
    const side = (idx: number[], offset: number) => {
      const sorted = [...idx].sort((x, y) => x - y);
      const spans: NativeHistogram['positiveSpans'] = [];
      const buckets: number[] = [];
      let next = 0;
      sorted.forEach((i, k) => {
        if (k > 0 && i === next) spans[spans.length - 1]!.length++;
        else spans.push({ offset: k === 0 ? i : i - next, length: 1 });
        buckets.push(r.counts[(k + offset) % 10]! * scale);
        next = i + 1;
      });
      return { spans, buckets };
    };
    const p = side(r.pos, 0);
    const n = side(r.neg, 6);
    const zeroCount = r.zeroCount * scale;
    let count = zeroCount + r.extra * scale;
    for (const b of [...p.buckets, ...n.buckets]) count += b;
    // A float histogram with a count of 0 reads as an integer one (protobufparse.go: sample_count_float > 0).
    if (r.float && count === 0) count = 0.5;
    return {
      kind: r.float ? 'float' : 'integer',
      schema: r.schema,
      zeroThreshold: r.zeroThreshold,
      zeroCount,
      count,
      sum: r.sum,
      positiveSpans: p.spans,
      positiveBuckets: p.buckets,
      negativeSpans: n.spans,
      negativeBuckets: n.buckets,
    } satisfies NativeHistogram;
  });

const bounds = fc
  .uniqueArray(fc.oneof(fc.double({ min: -10, max: 1e9, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0.1, 1, 2.5)), {
    maxLength: 4,
    selector: (x) => canonicalBound(x),
  })
  .map((xs) => xs.sort((a, b) => a - b));

type Kind = 'counter' | 'gauge' | 'unknown' | 'summary' | 'histogram' | 'gaugehistogram';

function family(kind: Kind, name: string): fc.Arbitrary<MetricFamily> {
  let samples: fc.Arbitrary<Sample[]>;
  const per = (make: (l: Labels) => fc.Arbitrary<Sample[]>) =>
    labelSets().chain((sets) => fc.tuple(...sets.map(make)).map((g) => g.flat()));
  const st = (s: Sample, start: number | undefined): Sample => (start === undefined ? s : { ...s, startTimestamp: start });
  switch (kind) {
    case 'counter':
      samples = per((l) =>
        fc.tuple(anyDouble, timestamp, fc.option(exemplar(false), { nil: undefined }), startTs).map(([v, t, e, s]) => {
          const x: Sample = st({ name, labels: l, value: v, timestamp: t }, s);
          if (e !== undefined) x.exemplars = [e];
          return [x];
        }),
      );
      break;
    case 'gauge':
    case 'unknown':
      samples = per((l) => fc.tuple(anyDouble, timestamp).map(([v, t]) => [{ name, labels: l, value: v, timestamp: t }]));
      break;
    case 'summary':
      samples = fc
        .uniqueArray(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3, selector: (x) => canonicalBound(x) })
        .chain((qs) =>
          per((l) =>
            fc
              .tuple(
                fc.array(anyDouble, { minLength: qs.length, maxLength: qs.length }),
                anyDouble,
                fc.integer({ min: 0, max: 1e9 }),
                timestamp,
                startTs,
              )
              .map(([vals, sum, count, t, s]) => [
                ...qs.map((q, i) => st({ name, labels: { ...l, quantile: canonicalBound(q) }, value: vals[i]!, timestamp: t }, s)),
                st({ name: `${name}_sum`, labels: { ...l }, value: sum, timestamp: t }, s),
                st({ name: `${name}_count`, labels: { ...l }, value: count, timestamp: t }, s),
              ]),
          ),
        );
      break;
    default: {
      const gauge = kind === 'gaugehistogram';
      samples = bounds.chain((les) =>
        per((l) =>
          fc
            .record({
              shape: fc.constantFrom('classic', 'native', 'both'),
              incs: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: les.length + 1, maxLength: les.length + 1 }),
              sum: anyDouble,
              t: timestamp,
              s: gauge ? fc.constant(undefined) : startTs,
              h: nativeHistogram,
              hex: fc.array(exemplar(true), { maxLength: 2 }),
              bex: fc.array(fc.option(exemplar(false), { nil: undefined }), { minLength: les.length, maxLength: les.length }),
            })
            .map(({ shape, incs, sum, t, s, h, hex, bex }) => {
              const out: Sample[] = [];
              if (shape !== 'native') {
                // With a native part, count and sum are the native histogram's (one count and sum per Histogram).
                const float = shape === 'both' && h.kind === 'float';
                let acc = 0;
                les.forEach((le, i) => {
                  acc += incs[i]! * (float ? 0.25 : 1);
                  const b: Sample = st({ name: `${name}_bucket`, labels: { ...l, le: canonicalBound(le) }, value: acc, timestamp: t }, s);
                  if (bex[i] !== undefined) b.exemplars = [bex[i]!];
                  out.push(b);
                });
                const count = shape === 'both' ? h.count : acc + incs[les.length]!;
                out.push(st({ name: `${name}_bucket`, labels: { ...l, le: '+Inf' }, value: count, timestamp: t }, s));
                out.push(
                  st(
                    { name: `${name}${gauge ? '_gsum' : '_sum'}`, labels: { ...l }, value: shape === 'both' ? h.sum : sum, timestamp: t },
                    s,
                  ),
                );
                out.push(st({ name: `${name}${gauge ? '_gcount' : '_count'}`, labels: { ...l }, value: count, timestamp: t }, s));
              }
              if (shape !== 'classic') {
                const n: Sample = st({ name, labels: { ...l }, value: h, timestamp: t }, s);
                if (hex.length > 0) n.exemplars = hex;
                out.push(n);
              }
              return out;
            }),
        ),
      );
    }
  }
  return fc.record({ help: text, unit: fc.constantFrom('', 'seconds'), samples }).map((r) => ({ name, type: kind, ...r }) as MetricFamily);
}

/** Reads decoded protobuf back into the model, as the parse layer would (an independent reader for the test). */
function toModel(fams: Decoded[]): MetricFamily[] {
  return fams.map((f) => {
    const types: Record<string, Kind> = {
      COUNTER: 'counter',
      GAUGE: 'gauge',
      UNTYPED: 'unknown',
      SUMMARY: 'summary',
      HISTOGRAM: 'histogram',
      GAUGE_HISTOGRAM: 'gaugehistogram',
    };
    const type = types[f.type ?? 'COUNTER']!;
    const samples: Sample[] = [];
    for (const m of f.metric ?? []) {
      const labels: Labels = {};
      for (const p of m.label ?? []) labels[p.name ?? ''] = p.value ?? '';
      const t = m.timestampMs ?? null;
      const ex = (e: Decoded): Exemplar => ({
        labels: Object.fromEntries((e.label ?? []).map((p: Decoded) => [p.name ?? '', p.value ?? ''])),
        value: e.value ?? 0,
        timestamp: e.timestamp === undefined ? null : tsMillis(e.timestamp),
      });
      const start = (c: Decoded) => (c === undefined ? {} : { startTimestamp: tsMillis(c) });
      const body = m.counter ?? m.gauge ?? m.untyped;
      if (body !== undefined) {
        const s: Sample = { name: f.name, labels, value: body.value ?? 0, timestamp: t, ...start(body.createdTimestamp) };
        if (body.exemplar !== undefined) s.exemplars = [ex(body.exemplar)];
        samples.push(s);
      } else if (m.summary !== undefined) {
        const q = m.summary;
        const common = { timestamp: t, ...start(q.createdTimestamp) };
        for (const x of q.quantile ?? [])
          samples.push({ name: f.name, labels: { ...labels, quantile: canonicalBound(x.quantile ?? 0) }, value: x.value ?? 0, ...common });
        samples.push({ name: `${f.name}_sum`, labels: { ...labels }, value: q.sampleSum ?? 0, ...common });
        samples.push({ name: `${f.name}_count`, labels: { ...labels }, value: q.sampleCount ?? 0, ...common });
      } else {
        const h = m.histogram;
        const gauge = type === 'gaugehistogram';
        const common = { timestamp: t, ...start(h.createdTimestamp) };
        const count = (h.sampleCountFloat ?? 0) > 0 ? h.sampleCountFloat : (h.sampleCount ?? 0);
        // protobufparse.go isNativeHistogram: a span, a zero threshold or a zero count.
        const native =
          (h.positiveSpan ?? []).length > 0 ||
          (h.negativeSpan ?? []).length > 0 ||
          (h.zeroThreshold ?? 0) > 0 ||
          (h.zeroCount ?? 0) > 0 ||
          (h.zeroCountFloat ?? 0) > 0;
        const buckets = h.bucket ?? [];
        if (buckets.length > 0 || !native) {
          for (const b of buckets) {
            const s: Sample = {
              name: `${f.name}_bucket`,
              labels: { ...labels, le: canonicalBound(b.upperBound ?? 0) },
              value: (b.cumulativeCountFloat ?? 0) > 0 ? b.cumulativeCountFloat : (b.cumulativeCount ?? 0),
              ...common,
            };
            if (b.exemplar !== undefined) s.exemplars = [ex(b.exemplar)];
            samples.push(s);
          }
          // A missing +Inf bucket is the count (protobufparse.go).
          if (buckets.length === 0 || buckets[buckets.length - 1].upperBound !== Infinity)
            samples.push({ name: `${f.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count, ...common });
          samples.push({ name: `${f.name}${gauge ? '_gsum' : '_sum'}`, labels: { ...labels }, value: h.sampleSum ?? 0, ...common });
          samples.push({ name: `${f.name}${gauge ? '_gcount' : '_count'}`, labels: { ...labels }, value: count, ...common });
        }
        if (native) {
          const float = (h.sampleCountFloat ?? 0) > 0 || (h.zeroCountFloat ?? 0) > 0;
          const spans = (s: Decoded[] | undefined) =>
            (s ?? [])
              .filter((x) => (x.length ?? 0) > 0 || (x.offset ?? 0) !== 0)
              .map((x) => ({ offset: x.offset ?? 0, length: x.length ?? 0 }));
          const abs = (d: number[] | undefined) => {
            let acc = 0;
            return (d ?? []).map((x) => (acc += x));
          };
          const nh: NativeHistogram = {
            kind: float ? 'float' : 'integer',
            schema: h.schema ?? 0,
            zeroThreshold: h.zeroThreshold ?? 0,
            zeroCount: float ? (h.zeroCountFloat ?? 0) : (h.zeroCount ?? 0),
            count,
            sum: h.sampleSum ?? 0,
            positiveSpans: spans(h.positiveSpan),
            positiveBuckets: float ? (h.positiveCount ?? []) : abs(h.positiveDelta),
            negativeSpans: spans(h.negativeSpan),
            negativeBuckets: float ? (h.negativeCount ?? []) : abs(h.negativeDelta),
          };
          const s: Sample = { name: f.name, labels: { ...labels }, value: nh, ...common };
          if (h.exemplars !== undefined) s.exemplars = h.exemplars.map(ex);
          samples.push(s);
        }
      }
    }
    return { name: f.name, type, help: f.help ?? '', unit: f.unit ?? '', samples } as MetricFamily;
  });
}

const KINDS: Kind[] = ['counter', 'gauge', 'unknown', 'summary', 'histogram', 'gaugehistogram'];
const model = fc
  .array(fc.tuple(fc.constantFrom(...KINDS), fc.constantFrom('m', 'my.metric', 'temp°', 'x_total')), { maxLength: 5 })
  .chain((specs) => fc.tuple(...specs.map(([kind, stem], i) => family(kind, `f${i}_${stem}`))));

describe('protobufjs-decode(encode(m, protobuf)) reads as m', () => {
  it('every type, native and classic histograms, exemplars, timestamps, UTF-8', () => {
    fc.assert(
      fc.property(model, (m) => {
        const warnings: string[] = [];
        const bytes = encode(m, { format: 'protobuf', onWarning: (w) => warnings.push(w) });
        expect(warnings).toEqual([]);
        expect(toModel(decodeDelimited(bytes))).toEqual(m);
        expect(Buffer.concat([...encodeChunks(m, { format: 'protobuf', chunkSize: 32 })]).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 200) },
    );
  });
});
