/**
 * The summary estimator's error bound (src/metrics/quantiles.ts), checked
 * against the exact quantiles of the window's observations: for an
 * objective (q, e) over n observations, the value written sits at a
 * position k of the sorted observations with |k - max(1, q n)| <= max(e n, 1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricSet } from '../src/metrics/index.js';
import { QuantileEstimator } from '../src/metrics/quantiles.js';
import { rankDistance, rng } from './helpers/quantiles.js';

const RUNS = Number(process.env.PROP_RUNS ?? 150);

/** Asserts every objective's bound for values read over exactly `obs` (NaN left out). */
function expectWithinBound(obs: readonly number[], qs: readonly number[], es: readonly number[], got: ArrayLike<number>): void {
  const sorted = Float64Array.from(obs.filter((x) => !Number.isNaN(x))).sort();
  const n = sorted.length;
  for (let j = 0; j < qs.length; j++) {
    if (n === 0) {
      expect(got[j]).toBeNaN();
      continue;
    }
    const d = rankDistance(sorted, got[j]!, qs[j]!);
    const allowed = Math.max(es[j]! * n, 1);
    if (!(d <= allowed * (1 + 1e-12))) {
      throw new Error(`q=${qs[j]} e=${es[j]} n=${n}: value ${got[j]} is ${d} positions from the target (allowed ${allowed})`);
    }
  }
}

const KINDS = ['uniform', 'skewed', 'duplicates', 'equal', 'negative', 'sorted', 'reversed', 'zigzag', 'huge', 'mixed-sign-inf'] as const;
type Kind = (typeof KINDS)[number];

function data(kind: Kind, n: number, seed: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 'uniform':
        out.push(r());
        break;
      case 'skewed':
        out.push(10 ** (-3 + 7 * r() ** 4)); // a long tail
        break;
      case 'duplicates':
        out.push(Math.floor(r() * 7));
        break;
      case 'equal':
        out.push(r() < 0.98 ? 42 : r());
        break;
      case 'negative':
        out.push(-1e3 * r() - 1);
        break;
      case 'sorted':
        out.push(i);
        break;
      case 'reversed':
        out.push(n - i);
        break;
      case 'zigzag':
        out.push(i % 2 === 0 ? i : -i);
        break;
      case 'huge':
        out.push((r() - 0.5) * 1.7e308);
        break;
      case 'mixed-sign-inf':
        out.push(r() < 0.05 ? (r() < 0.5 ? -Infinity : Infinity) : r() < 0.02 ? NaN : (r() - 0.5) * 10);
        break;
    }
  }
  return out;
}

/** Objectives: some of client_golang's, some random, and the exact ends. */
const objectivesArb = fc.oneof(
  fc.constant<Array<[number, number]>>([
    [0.5, 0.05],
    [0.9, 0.01],
    [0.99, 0.001],
  ]),
  fc
    .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 5, max: 2000 })), {
      minLength: 1,
      maxLength: 6,
      selector: (t) => t[0],
    })
    .map((ts) => ts.map(([q, e]): [number, number] => [q / 1000, e / 10000]).sort((a, b) => a[0] - b[0])),
);

function summaryOf(objs: Array<[number, number]>, now: () => number, maxAgeSeconds = 1e9, ageBuckets = 5) {
  const set = new MetricSet();
  const objectives: Record<number, number> = {};
  for (const [q, e] of objs) objectives[q] = e;
  const s = set.summary({ name: 's', help: '', objectives, maxAgeSeconds, ageBuckets, now });
  return { set, s };
}

describe('summary quantiles: the stated rank-error bound', () => {
  it('holds over random data of every shape (uniform, skewed, duplicates, equal, negative, sorted, huge, infinities and NaN)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.integer({ min: 0, max: 6000 }),
        fc.integer(),
        objectivesArb,
        fc.integer({ min: 1, max: 7 }),
        (kind, n, seed, objs, reads) => {
          const { s } = summaryOf(objs, () => 0);
          const obs = data(kind, n, seed);
          const series = s.labels({});
          // Reads part way through too: a read merges the buffer early.
          const step = Math.max(1, Math.ceil(n / reads));
          for (let i = 0; i < n; i++) {
            series.observe(obs[i]!);
            if ((i + 1) % step === 0) {
              expectWithinBound(
                obs.slice(0, i + 1),
                objs.map((o) => o[0]),
                objs.map((o) => o[1]),
                series.quantileValues(),
              );
            }
          }
          expectWithinBound(
            obs,
            objs.map((o) => o[0]),
            objs.map((o) => o[1]),
            series.quantileValues(),
          );
          expect(series.getCount()).toBe(n);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('holds for arbitrary doubles (signed zeros, subnormals, extremes)', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { maxLength: 1500 }), objectivesArb, (obs, objs) => {
        const { s } = summaryOf(objs, () => 0);
        for (const v of obs) s.observe(v);
        expectWithinBound(
          obs,
          objs.map((o) => o[0]),
          objs.map((o) => o[1]),
          s.labels({}).quantileValues(),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('holds over a sliding window: only the observations after the head stream was last emptied count', () => {
    const D = 10_000; // ms per period
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 * D }), fc.integer({ min: 1, max: 700 }), fc.constantFrom(...KINDS), fc.integer()), {
          maxLength: 12,
        }),
        objectivesArb,
        (ageBuckets, steps, objs) => {
          let t = 1_000_000;
          const { s } = summaryOf(objs, () => t, (ageBuckets * D) / 1000, ageBuckets);
          const series = s.labels({});
          const seen: Array<[number, number]> = [];
          let t0: number | null = null;
          for (const [dt, n, kind, seed] of steps) {
            t += dt;
            for (const v of data(kind, n, seed)) {
              t0 ??= t;
              series.observe(v);
              seen.push([t, v]);
            }
            // The head's window (quantiles.ts): after t0 + (K - ageBuckets) * D, K = max(1, ceil((t - t0) / D)).
            let inWindow = seen.map((x) => x[1]);
            if (t0 !== null) {
              const K = Math.max(1, Math.ceil((t - t0) / D));
              if (K - ageBuckets > 0) {
                const start = t0 + (K - ageBuckets) * D;
                inWindow = seen.filter((x) => x[0] > start).map((x) => x[1]);
              }
            }
            expectWithinBound(
              inWindow,
              objs.map((o) => o[0]),
              objs.map((o) => o[1]),
              series.quantileValues(),
            );
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('holds at a million observations (huge counts), with the memory the file comment states', () => {
    const objs: Array<[number, number]> = [
      [0.5, 0.05],
      [0.9, 0.01],
      [0.99, 0.001],
    ];
    const est = new QuantileEstimator({
      quantiles: objs.map((o) => o[0]),
      errors: objs.map((o) => o[1]),
      maxAgeMs: 1e12,
      ageBuckets: 1,
      now: () => 0,
    });
    for (const kind of ['uniform', 'sorted', 'reversed', 'zigzag', 'skewed'] as const) {
      const obs = data(kind, 1_000_000, 7);
      const w = est.window();
      for (const v of obs) w.observe(v);
      const out = new Float64Array(3);
      w.read(out);
      expectWithinBound(
        obs,
        objs.map((o) => o[0]),
        objs.map((o) => o[1]),
        out,
      );
      const tuples = w.headStream().tuples();
      expect(tuples.length).toBeLessThan(200);
      // Rank bounds hold together: g >= 1, D >= 0, sorted values, g summing to n, exact min and max.
      let total = 0;
      for (let i = 0; i < tuples.length; i++) {
        const [v, g, d] = tuples[i]!;
        expect(g >= 1 && d >= 0).toBe(true);
        if (i > 0) expect(v >= tuples[i - 1]![0]).toBe(true);
        total += g;
      }
      expect(total).toBe(1_000_000);
      let min = Infinity;
      let max = -Infinity;
      for (const v of obs) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      expect([tuples[0]![0], tuples[0]![1], tuples[0]![2]]).toEqual([min, 1, 0]);
      expect(tuples[tuples.length - 1]![0]).toBe(max);
      expect(tuples[tuples.length - 1]![2]).toBe(0);
    }
  });
});
