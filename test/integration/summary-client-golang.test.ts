/**
 * client_golang 1.23's Summary (Debian sid, built in GOPATH mode by
 * helpers.goProgram) beside a MetricSet summary, on the same values in the
 * same order: the same `_count` and `_sum`, and quantiles that meet
 * promwire's stated bound (|position - max(1, q n)| <= max(e n, 1), see
 * src/metrics/quantiles.ts) against the exact sorted values. client_golang's
 * own distances are printed beside promwire's for comparison (perks'
 * targeted invariant is not proven to meet its Objectives, so they are
 * reported, not asserted).
 */
import { describe, expect, it } from 'vitest';
import { MetricSet } from '../../src/metrics/index.js';
import { rankDistance, rng } from '../helpers/quantiles.js';
import { runGo } from './helpers.js';

interface Case {
  title: string;
  objectives: Record<string, number>;
  values: number[];
}

const GOLANG = { '0.5': 0.05, '0.9': 0.01, '0.99': 0.001 };
const WIDE = { '0.01': 0.001, '0.25': 0.02, '0.5': 0.05, '0.75': 0.02, '0.95': 0.005, '0.999': 0.0001 };

function cases(): Case[] {
  const r = rng(11);
  const out: Case[] = [];
  const gen = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  for (const [title, objectives] of [
    ['DefObjectives', GOLANG],
    ['six objectives', WIDE],
  ] as const) {
    out.push({ title: `${title}: 300 uniform values (one buffer)`, objectives, values: gen(300, () => r()) });
    out.push({ title: `${title}: 20,000 uniform values`, objectives, values: gen(20_000, () => r()) });
    out.push({ title: `${title}: 20,000 ascending`, objectives, values: gen(20_000, (i) => i) });
    out.push({ title: `${title}: 20,000 descending`, objectives, values: gen(20_000, (i) => -i) });
    out.push({ title: `${title}: 30,000 log-uniform latencies`, objectives, values: gen(30_000, () => 10 ** (-3 + 4 * r())) });
    out.push({ title: `${title}: 10,000 of 5 distinct values`, objectives, values: gen(10_000, () => Math.floor(r() * 5)) });
  }
  return out;
}

describe('summary quantiles beside client_golang', () => {
  it('same _count and _sum; promwire within its bound on every case', async () => {
    const all = cases();
    const lines = (await runGo('summary-observe', [], JSON.stringify(all))).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(all.length);
    const report: string[] = ['| case | q (e) | allowed | promwire | client_golang |', '| --- | --- | --- | --- | --- |'];
    for (let c = 0; c < all.length; c++) {
      const { title, objectives, values } = all[c]!;
      const go = JSON.parse(lines[c]!) as { count: number; sum: number; quantiles: Record<string, number | string> };
      const set = new MetricSet();
      const s = set.summary({
        name: 's',
        help: '',
        objectives: Object.fromEntries(Object.entries(objectives).map(([k, e]) => [Number(k), e])),
      });
      for (const v of values) s.observe(v);
      const ours = s.labels({}).quantileValues();
      expect(s.labels({}).getCount()).toBe(go.count);
      expect(s.labels({}).getSum()).toBe(go.sum);
      const sorted = Float64Array.from(values).sort();
      const n = sorted.length;
      s.quantiles.forEach((q, j) => {
        const e = s.errors[j]!;
        const allowed = Math.max(e * n, 1);
        const mine = rankDistance(sorted, ours[j]!, q);
        const theirs = rankDistance(sorted, Number(go.quantiles[String(q)]), q);
        report.push(`| ${title} | ${q} (${e}) | ${allowed.toFixed(1)} | ${mine.toFixed(1)} | ${theirs.toFixed(1)} |`);
        expect(mine, `${title}, quantile ${q}: ${mine} positions from the target, allowed ${allowed}`).toBeLessThanOrEqual(allowed);
        expect(Number.isFinite(theirs), `client_golang's ${q} is one of the values`).toBe(true);
      });
    }
    console.log(`positions from the target rank (n = observations):\n${report.join('\n')}`);
  }, 600_000);
});
