import { normalizeNumber } from '../src/model/rules.js';
import { describe, expect, it } from 'vitest';
import { parse } from '../src/index.js';
import type { MetricFamily, Sample } from '../src/index.js';
import {
  LARGE,
  SMALL,
  generateModel,
  generatePayload,
  isSpecialValue,
  modelStats,
  renderOpenMetrics,
  renderText,
} from '../bench/generate.js';

const RESERVED = new Set(['le', 'quantile']);

function samples(families: MetricFamily[]): Sample[] {
  return families.flatMap((f) => f.samples);
}

/** Labels that belong to the series (not le, quantile or a stateset's state label). */
function ownLabels(f: MetricFamily, s: Sample): string[] {
  return Object.keys(s.labels).filter((k) => !RESERVED.has(k) && k !== f.name);
}

describe('bench/generate: the large payload', () => {
  const large = generatePayload(LARGE);
  const text = parse(large.text, { format: 'text' });
  const om = parse(large.openmetrics, { format: 'openmetrics' });

  it('is deterministic: the same options give the same bytes, another seed other bytes', () => {
    const again = generateModel(LARGE);
    expect(renderText(again)).toBe(new TextDecoder().decode(large.text));
    expect(renderOpenMetrics(again)).toBe(new TextDecoder().decode(large.openmetrics));
    const other = generateModel({ ...LARGE, seed: 99 });
    expect(renderText(other)).not.toBe(new TextDecoder().decode(large.text));
  });

  it('is about 16 MB with about 100k samples in 200 families', () => {
    expect(large.text.length).toBeGreaterThan(14e6);
    expect(large.text.length).toBeLessThan(18e6);
    expect(large.model.samples).toBeGreaterThan(99_000);
    expect(large.model.samples).toBeLessThan(101_000);
    expect(text).toHaveLength(200);
    expect(om).toHaveLength(200);
  });

  it('parses in both formats to the sample count the generator reports', () => {
    expect(samples(text)).toHaveLength(large.model.samples);
    expect(samples(om)).toHaveLength(large.model.samples);
  });

  it('has every type: the five of text 0.0.4, the eight of OpenMetrics', () => {
    expect(new Set(text.map((f) => f.type))).toEqual(new Set(['counter', 'gauge', 'histogram', 'summary', 'unknown']));
    expect(new Set(om.map((f) => f.type))).toEqual(
      new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']),
    );
    const stats = modelStats(large.model);
    for (const n of Object.values(stats.types)) expect(n).toBeGreaterThan(0);
  });

  it('has 4 to 6 labels per series, plus le, quantile or the state label', () => {
    const counts = new Set<number>();
    for (const f of text) for (const s of f.samples) counts.add(ownLabels(f, s).length);
    expect(counts).toEqual(new Set([4, 5, 6]));
  });

  it('has about 8% of label values needing an escape or holding non-ASCII UTF-8, of both kinds', () => {
    let all = 0;
    let special = 0;
    let escaped = 0;
    let utf8 = 0;
    for (const s of samples(text)) {
      for (const v of Object.values(s.labels)) {
        all++;
        if (!isSpecialValue(v)) continue;
        special++;
        if (/[\\"\n]/.test(v)) escaped++;
        if (/[^\x00-\x7f]/.test(v)) utf8++;
      }
    }
    expect(special / all).toBeGreaterThan(0.07);
    expect(special / all).toBeLessThan(0.09);
    expect(escaped / special).toBeGreaterThan(0.3);
    expect(utf8 / special).toBeGreaterThan(0.3);
    const stats = modelStats(large.model);
    expect(stats.specialValues / stats.labelValues).toBeCloseTo(special / all, 3);
  });

  it('has a few timestamps, NaNs, infinities and OpenMetrics exemplars', () => {
    const all = samples(text);
    const ts = all.filter((s) => s.timestamp !== null).length;
    const nan = all.filter((s) => Number.isNaN(s.value)).length;
    const inf = all.filter((s) => s.value === Infinity || s.value === -Infinity).length;
    for (const n of [ts, nan, inf]) {
      expect(n).toBeGreaterThan(10);
      expect(n).toBeLessThan(all.length / 100);
    }
    const ex = samples(om).filter((s) => s.exemplars !== undefined).length;
    expect(ex).toBeGreaterThan(10);
  });

  it('is a twin: both formats carry the same series, values and timestamps in the same order', () => {
    const a = samples(text);
    const b = samples(om);
    let mismatches = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      // Prometheus 3 normalises `le` of histograms only: the text twin of a
      // gauge histogram is a histogram, its OpenMetrics original keeps its spelling.
      const yl = y.labels.le === undefined ? y.labels : { ...y.labels, le: normalizeNumber(y.labels.le) };
      const same =
        JSON.stringify(x.labels) === JSON.stringify(yl) &&
        Object.is(x.value, y.value) &&
        x.timestamp === y.timestamp &&
        // gaugehistogram: _sum/_count in text, _gsum/_gcount in OpenMetrics
        x.name === y.name.replace(/_g(sum|count)$/, '_$1');
      if (!same) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});

describe('bench/generate: the small payload', () => {
  it('has about 200 samples of every type and parses in both formats', () => {
    const small = generatePayload(SMALL);
    expect(small.model.samples).toBeGreaterThan(150);
    expect(small.model.samples).toBeLessThan(300);
    const t = parse(small.text, { format: 'text' });
    const o = parse(small.openmetrics, { format: 'openmetrics' });
    expect(samples(t)).toHaveLength(small.model.samples);
    expect(samples(o)).toHaveLength(small.model.samples);
    expect(new Set(o.map((f) => f.type)).size).toBe(8);
  });
});
