import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFloat } from '../src/core/number.js';
import { encode, encodeChunks } from '../src/encode/encoder.js';
import {
  type Exemplar,
  type FloatSample,
  type Format,
  type Labels,
  makeFamily,
  type MetricFamily,
  type MetricType,
  type Sample,
} from '../src/model/index.js';
import { canonicalBound } from '../src/model/rules.js';
import { parse } from '../src/parse/families.js';

/**
 * Arbitrary models, shaped as the parser returns them for a format, must
 * survive a round trip: parse(encode(m)) equals m. Names mix legacy and
 * Prometheus 3 UTF-8 names; label values and HELP hold quotes, backslashes,
 * line feeds and any UTF-8; values cover every float special; timestamps and
 * exemplars are optional.
 */

const LABEL_NAMES = ['a', 'b', 'code', 'method', '_x', 'Z9', 'a.b', 'ü', 'with space', 'q"uote', 'back\\slash'];
const STEMS = ['m', 'http_requests', 'job:rate5m', 'my.metric', 'temp°', 'a-b', 'x'];
const UNITS = ['seconds', 'bytes', 'celsius'];

/** Any well-formed string, including quotes, backslashes, line feeds and astral characters. */
const anyText = fc.string({ unit: 'binary', maxLength: 12 });
const specialText = fc.constantFrom('', '"', '\\', '\n', '\\n', '\\"', 'a"b\\c\nd', '✓', '😱', ' lead', 'trail ');
const labelValue = fc.oneof(anyText, specialText);
const helpText = fc.oneof(anyText, specialText);

const anyDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1, -1, NaN, Infinity, -Infinity, 1e6, 1e-5, 0.1, 123456.789, 5e-324, Number.MAX_VALUE),
  fc.integer({ min: -1e9, max: 1e9 }),
);
const nonNegative = fc.oneof(
  fc.double({ min: 0, noNaN: true }),
  fc.constantFrom(0, 1, 1e6, 0.25, Infinity),
  fc.integer({ min: 0, max: 1e9 }),
);
const count = fc.integer({ min: 0, max: 1e6 });
// Text timestamps are digits only (Prometheus 3.5 promlex `{D}+`).
const textTimestamp = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 1e15 }));
/** OpenMetrics timestamps that survive the decimal shift: whole and half milliseconds. */
const omTimestamp = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -1e12, max: 4e12 }),
  fc.integer({ min: 0, max: 4e12 }).map((x) => x + 0.5),
);

/** Distinct label sets over a random subset of label names. */
function labelSets(n: number): fc.Arbitrary<Labels[]> {
  return fc.subarray(LABEL_NAMES, { minLength: 0, maxLength: 4 }).chain((names) =>
    fc
      .uniqueArray(fc.tuple(...names.map(() => labelValue)), {
        minLength: names.length === 0 ? 1 : 1,
        maxLength: names.length === 0 ? 1 : n,
        selector: (vals) => JSON.stringify(vals),
      })
      .map((rows) => rows.map((vals) => Object.fromEntries(names.map((k, i) => [k, vals[i]!])) as Labels)),
  );
}

const exemplar: fc.Arbitrary<Exemplar | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({
    labels: fc.oneof(fc.constant({} as Labels), fc.record({ trace_id: fc.string({ maxLength: 16 }) })),
    value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
    timestamp: omTimestamp,
  }),
);

/** Strictly increasing bucket bounds, canonical, ending with +Inf. */
const bounds = fc
  .uniqueArray(fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0.005, 0.1, 1, 2.5, 1e6)), {
    maxLength: 5,
    selector: (x) => formatFloat(x),
  })
  // Prometheus 3 reads bounds into canonical spelling (rules.normalizeLabelValue).
  .map((xs) => [...xs.sort((a, b) => a - b).map(canonicalBound), '+Inf']);
const quantiles = fc
  .uniqueArray(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 0.9, 0.99, 1)), {
    maxLength: 4,
    selector: (x) => formatFloat(x),
  })
  .map((xs) => xs.sort((a, b) => a - b).map(canonicalBound));

interface Ctx {
  format: Format;
  name: string;
  unit: string;
}

function sample(name: string, labels: Labels, value: number, timestamp: number | null, ex?: Exemplar, start?: number | null): FloatSample {
  const s: FloatSample = { name, labels, value, timestamp };
  if (start !== undefined && start !== null) s.startTimestamp = start;
  if (ex !== undefined) s.exemplars = [ex];
  return s;
}

/** Start timestamps in whole milliseconds: `_created` seconds give them back exactly. */
const startTs = fc.option(fc.integer({ min: 0, max: 4e12 }));

/** The samples of one family of a type, in the order the parser groups them. */
function familyOf(type: MetricType, c: Ctx): fc.Arbitrary<MetricFamily> {
  const om = c.format === 'openmetrics';
  const ts = om ? omTimestamp : textTimestamp;
  const n = c.name;
  const perSeries = (make: (labels: Labels) => fc.Arbitrary<Sample[]>): fc.Arbitrary<Sample[]> =>
    labelSets(3).chain((sets) => fc.tuple(...sets.map(make)).map((groups) => groups.flat()));
  let samples: fc.Arbitrary<Sample[]>;
  switch (type) {
    case 'counter':
      samples = om
        ? perSeries((l) =>
            fc
              .tuple(
                nonNegative.filter((v) => v === v),
                ts,
                exemplar,
                startTs,
              )
              .map(([v, t, e, created]) => [sample(`${n}_total`, l, v, t, e, created)]),
          )
        : perSeries((l) => fc.tuple(anyDouble, ts).map(([v, t]) => [sample(n, l, v, t)]));
      break;
    case 'histogram':
    case 'gaugehistogram': {
      const gauge = type === 'gaugehistogram';
      samples = bounds.chain((les) =>
        perSeries((l) =>
          fc
            .tuple(
              fc.array(count, { minLength: les.length, maxLength: les.length }),
              nonNegative.filter((v) => v === v),
              ts,
              fc.array(exemplar, { minLength: les.length, maxLength: les.length }),
              startTs,
            )
            .map(([incs, sum, t, exs, created0]) => {
              const created = om && !gauge ? created0 : null;
              let acc = 0;
              const out = les.map((le, i) => {
                acc += incs[i]!;
                return sample(`${n}_bucket`, { ...l, le }, acc, t, om ? exs[i] : undefined, created);
              });
              out.push(sample(gauge ? `${n}_gcount` : `${n}_count`, { ...l }, acc, t, undefined, created));
              out.push(sample(gauge ? `${n}_gsum` : `${n}_sum`, { ...l }, sum, t, undefined, created));
              return out;
            }),
        ),
      );
      break;
    }
    case 'summary':
      samples = quantiles.chain((qs) =>
        perSeries((l) =>
          fc
            .tuple(
              fc.array(om ? nonNegative : anyDouble, { minLength: qs.length, maxLength: qs.length }),
              count,
              nonNegative.filter((v) => v === v),
              ts,
              startTs,
            )
            .map(([vals, cnt, sum, t, created0]) => {
              const created = om ? created0 : null;
              const out = qs.map((q, i) => sample(n, { ...l, quantile: q }, vals[i]!, t, undefined, created));
              out.push(sample(`${n}_count`, { ...l }, cnt, t, undefined, created));
              out.push(sample(`${n}_sum`, { ...l }, sum, t, undefined, created));
              return out;
            }),
        ),
      );
      break;
    case 'info':
      samples = perSeries((l) => ts.map((t) => [sample(`${n}_info`, l, 1, t)]));
      break;
    case 'stateset':
      samples = fc
        .uniqueArray(fc.constantFrom('a', 'b', 'on', 'off', 'x y', '✓'), { minLength: 1, maxLength: 3 })
        .chain((states) =>
          perSeries((l) =>
            fc
              .tuple(fc.array(fc.constantFrom(0, 1), { minLength: states.length, maxLength: states.length }), ts)
              .map(([flags, t]) => states.map((st, i) => sample(n, { ...l, [n]: st }, flags[i]!, t))),
          ),
        );
      break;
    default:
      samples = perSeries((l) => fc.tuple(anyDouble, ts).map(([v, t]) => [sample(n, l, v, t)]));
  }
  return fc
    .record({ help: helpText, samples: fc.oneof({ weight: 1, arbitrary: fc.constant([] as Sample[]) }, { weight: 6, arbitrary: samples }) })
    .map(({ help, samples: ss }) =>
      makeFamily({
        // The model names an OpenMetrics counter and info after their series.
        name: om && type === 'counter' ? `${n}_total` : om && type === 'info' ? `${n}_info` : n,
        type,
        // Text 0.0.4 cannot carry a HELP of blanks only: promlex reads it as empty.
        help: !om && /^[ \t]+$/.test(help) ? '' : help,
        unit: c.unit,
        samples: ss,
      }),
    );
}

const TEXT_TYPES: MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'unknown'];
const OM_TYPES: MetricType[] = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown'];

function model(format: Format): fc.Arbitrary<MetricFamily[]> {
  const types = format === 'openmetrics' ? OM_TYPES : TEXT_TYPES;
  return fc
    .array(fc.tuple(fc.constantFrom(...types), fc.constantFrom(...STEMS), fc.constantFrom('', ...UNITS)), { maxLength: 6 })
    .chain((specs) =>
      fc.tuple(
        ...specs.map(([type, stem, unit], i) => {
          // Unique per family (no sample-name clashes); a stateset's name is also a label name.
          let name = type === 'stateset' ? `s${i}_${stem.replace(/[^a-zA-Z0-9_]/g, '_')}` : `f${i}_${stem}`;
          let u = '';
          if (format === 'openmetrics' && unit !== '' && type !== 'info' && type !== 'stateset') {
            name += `_${unit}`;
            u = unit;
          }
          if (format === 'text' && type === 'counter' && i % 2 === 0) name += '_total';
          return familyOf(type, { format, name, unit: u });
        }),
      ),
    );
}

describe('parse(encode(m)) equals m', () => {
  for (const format of ['text', 'openmetrics'] as Format[]) {
    it(`${format}`, () => {
      fc.assert(
        fc.property(model(format), (m) => {
          const bytes = encode(m, { format });
          const back = parse(bytes, { format });
          expect(back).toEqual(m);
          // and the chunked output is the same bytes
          const joined = Buffer.concat([...encodeChunks(m, { format, chunkSize: 64 })]);
          expect(joined.equals(Buffer.from(bytes))).toBe(true);
        }),
        { numRuns: Number(process.env.PROP_RUNS ?? 300) },
      );
    });
  }

  it('legacy escaping schemes always give a payload the parser accepts, with the same samples', () => {
    fc.assert(
      fc.property(model('openmetrics'), fc.constantFrom('underscores', 'dots', 'values' as const), (m, escaping) => {
        const back = parse(encode(m, { format: 'openmetrics', escaping }), { format: 'openmetrics' });
        const values = (fs: MetricFamily[]): unknown[] => fs.flatMap((f) => (f.samples as Sample[]).map((s) => s.value));
        expect(values(back)).toEqual(values(m));
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 200) },
    );
  });
});
