/**
 * Properties of the protobuf reader: random families encoded by protobufjs
 * (an independent encoder) read back as written, whole or split into
 * chunks anywhere; and any bytes give families or a PromwireError, never
 * another exception or a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Entry, type MetricFamily, Parser, PromwireError, parse, parseStream } from '../src/index.js';
import { decodeFamilies, encodeFamilies, type PbFamily } from './helpers/protobuf.js';

const PB = { format: 'protobuf' } as const;

const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
const labelValue = fc.string({ maxLength: 6, unit: 'grapheme' });
const labels = fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), value: labelValue }), {
  selector: (l) => l.name,
  maxLength: 3,
});
const float = fc.double({ noNaN: true });
const count = fc.nat({ max: 1000 });

const span = fc.record({ offset: fc.integer({ min: -3, max: 3 }), length: fc.nat({ max: 3 }) });
/** A native integer histogram whose spans cover its deltas, with counts that stay non-negative. */
const nativeHistogram = fc
  .record({
    schema: fc.integer({ min: -4, max: 8 }),
    zeroThreshold: fc.constantFrom(0, 1e-128, 0.001),
    zeroCount: count,
    spans: fc.array(span, { minLength: 1, maxLength: 3 }),
    counts: fc.array(count, { maxLength: 12 }),
    sum: float,
  })
  .map(({ schema, zeroThreshold, zeroCount, spans, counts, sum }) => {
    // Only the first span may have a negative offset.
    const s = spans.map((x, i) => (i > 0 ? { offset: Math.abs(x.offset), length: x.length } : x));
    const n = s.reduce((a, x) => a + x.length, 0);
    const abs = Array.from({ length: n }, (_, i) => counts[i] ?? 0);
    const deltas = abs.map((c, i) => c - (i > 0 ? abs[i - 1]! : 0));
    const total = abs.reduce((a, c) => a + c, 0) + zeroCount;
    return {
      pb: { sampleCount: total, sampleSum: sum, schema, zeroThreshold, zeroCount, positiveSpan: s, positiveDelta: deltas },
      abs,
    };
  });

const family: fc.Arbitrary<PbFamily> = fc.oneof(
  fc
    .record({
      name,
      help: fc.string({ maxLength: 8 }),
      type: fc.constantFrom(0, 1, 3),
      metric: fc.array(
        fc.record({ label: labels, value: float, ts: fc.option(fc.integer({ min: 1, max: 2 ** 41 }), { nil: undefined }) }),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map((f) => ({
      name: f.name,
      help: f.help,
      type: f.type,
      metric: f.metric.map((m) => ({
        label: m.label,
        [f.type === 0 ? 'counter' : f.type === 1 ? 'gauge' : 'untyped']: { value: m.value },
        ...(m.ts === undefined ? {} : { timestampMs: m.ts }),
      })),
    })),
  fc
    .record({
      name,
      metric: fc.array(
        fc.record({
          label: labels,
          q: fc.array(fc.record({ quantile: fc.double({ min: 0, max: 1, noNaN: true }), value: float }), { maxLength: 3 }),
          sum: float,
          count,
        }),
        {
          minLength: 1,
          maxLength: 2,
        },
      ),
    })
    .map((f) => ({
      name: f.name,
      type: 2,
      metric: f.metric.map((m) => ({ label: m.label, summary: { sampleCount: m.count, sampleSum: m.sum, quantile: m.q } })),
    })),
  fc
    .record({
      name,
      gauge: fc.boolean(),
      metric: fc.array(fc.record({ label: labels, h: nativeHistogram }), { minLength: 1, maxLength: 2 }),
    })
    .map((f) => ({
      name: f.name,
      type: f.gauge ? 5 : 4,
      metric: f.metric.map((m) => ({ label: m.label, histogram: m.h.pb })),
    })),
);

async function streamed(bytes: Uint8Array, cuts: number[]): Promise<MetricFamily[]> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  async function* chunks() {
    let last = 0;
    for (const p of points) {
      yield bytes.subarray(last, p);
      last = p;
    }
    yield bytes.subarray(last);
  }
  const out: MetricFamily[] = [];
  for await (const f of parseStream(chunks(), PB)) out.push(f);
  return out;
}

describe('protobuf properties', () => {
  it('random families read back as protobufjs wrote them, whole and split anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(family, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), async (fams, cuts) => {
        const bytes = encodeFamilies(fams);
        const got = parse(bytes, PB);
        const ref = decodeFamilies(bytes);
        expect(got.length).toBe(ref.length);
        for (let i = 0; i < ref.length; i++) {
          const r = ref[i] as { name: string; metric: { histogram?: unknown; summary?: { quantile?: unknown[] } }[] };
          const g = got[i]!;
          expect(g.name).toBe(r.name);
          // Entries per Metric: counter/gauge/untyped 1; summary quantiles + 2; native histogram 1.
          const expected = r.metric.reduce((n, m) => n + (m.summary !== undefined ? (m.summary.quantile?.length ?? 0) + 2 : 1), 0);
          expect(g.samples.length).toBe(expected);
        }
        // Native histograms: absolute counts from the deltas, valid.
        for (const f of got) for (const s of f.samples) if (typeof s.value !== 'number') expect(s.value.kind).toBe('integer');
        expect(JSON.stringify(await streamed(bytes, cuts))).toBe(JSON.stringify(got));
      }),
      { numRuns: 150 },
    );
  });

  it('any bytes give families or a PromwireError, through parse, the pull walk, lenient mode and the stream', async () => {
    const valid = encodeFamilies([
      { name: 'a_total', type: 0, metric: [{ label: [{ name: 'x', value: 'y' }], counter: { value: 1, exemplar: { value: 1 } } }] },
      {
        name: 'h',
        type: 4,
        metric: [
          {
            histogram: {
              sampleCount: 2,
              schema: 1,
              positiveSpan: [{ offset: 0, length: 1 }],
              positiveDelta: [2],
              bucket: [{ cumulativeCount: 1, upperBound: 1 }],
            },
          },
        ],
      },
      { name: 's', type: 2, metric: [{ summary: { sampleCount: 1, quantile: [{ quantile: 0.5, value: 1 }] } }] },
    ]);
    const mutated = fc
      .array(fc.record({ at: fc.nat(), byte: fc.nat({ max: 255 }), op: fc.constantFrom('set', 'insert', 'delete') }), {
        minLength: 1,
        maxLength: 4,
      })
      .map((edits) => {
        const b = [...valid];
        for (const e of edits) {
          const i = e.at % (b.length + 1);
          if (e.op === 'set' && i < b.length) b[i] = e.byte;
          else if (e.op === 'insert') b.splice(i, 0, e.byte);
          else b.splice(i, 1);
        }
        return new Uint8Array(b);
      });
    const input = fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated);
    await fc.assert(
      fc.asyncProperty(input, fc.array(fc.nat(), { maxLength: 3 }), async (bytes, cuts) => {
        const only = (f: () => unknown) => {
          try {
            f();
          } catch (e) {
            if (!(e instanceof PromwireError)) throw e;
            expect(e.offset).toBeGreaterThanOrEqual(0);
            expect(e.offset).toBeLessThanOrEqual(bytes.length);
            return e;
          }
          return undefined;
        };
        const strict = only(() => parse(bytes, PB));
        only(() => {
          const p = new Parser(bytes, PB);
          for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
            if (e === Entry.Series || e === Entry.Histogram) {
              p.metricName();
              p.labels();
              p.timestamp();
              p.startTimestamp();
              p.exemplars();
              p.seriesHash();
              if (e === Entry.Histogram) p.histogram();
              else p.value();
            } else {
              p.familyName();
              p.help();
              p.type();
              p.unit();
            }
          }
        });
        const errors: PromwireError[] = [];
        only(() => parse(bytes, { ...PB, onError: (e) => errors.push(e) }));
        for (const e of errors) expect(e).toBeInstanceOf(PromwireError);
        const s = await (async () => {
          try {
            await streamed(bytes, cuts);
            return undefined;
          } catch (e) {
            if (!(e instanceof PromwireError)) throw e;
            return e;
          }
        })();
        // The stream says what parse() says.
        expect(s?.code).toBe(strict?.code);
        expect(s?.offset).toBe(strict?.offset);
      }),
      { numRuns: 1500 },
    );
  });
});
