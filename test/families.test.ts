/**
 * The families layer's own shortcuts (src/parse/families.ts): the decision
 * "this sample belongs to the current family" remembered for a repeated
 * name, and the samples' value field holding small integers unboxed. Each case is built so
 * that a shortcut that outlived the state it was worked out for would give a
 * different model.
 */
import { describe, expect, it } from 'vitest';
import type { MetricFamily } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';

const shape = (fams: MetricFamily[]) => fams.map((f) => ({ name: f.name, type: f.type, n: f.samples.length }));

describe('families: the remembered sample name', () => {
  it('starts a new family when metadata follows samples of the same name (text)', () => {
    const fams = parse('a 1\na 2\n# TYPE a counter\na 3\na 4\n', { format: 'text' });
    expect(shape(fams)).toEqual([
      { name: 'a', type: 'unknown', n: 2 },
      { name: 'a', type: 'counter', n: 2 },
    ]);
  });

  it('starts a new family when a name comes back after another family', () => {
    const fams = parse('a 1\nb 1\na 2\na 3\n', { format: 'text' });
    expect(shape(fams)).toEqual([
      { name: 'a', type: 'unknown', n: 1 },
      { name: 'b', type: 'unknown', n: 1 },
      { name: 'a', type: 'unknown', n: 2 },
    ]);
  });

  it('cuts a histogram family at a sample name it does not allow, then keeps the next run together', () => {
    const text = [
      '# TYPE h histogram',
      'h_bucket{le="1"} 1',
      'h_bucket{le="+Inf"} 2',
      'h_count 2',
      'h_total 5',
      'h_total 6',
      'h_sum 3',
      '',
    ].join('\n');
    expect(shape(parse(text, { format: 'text' }))).toEqual([
      { name: 'h', type: 'histogram', n: 3 },
      { name: 'h_total', type: 'unknown', n: 2 },
      { name: 'h_sum', type: 'unknown', n: 1 },
    ]);
  });

  it('folds every repeated OpenMetrics _created line into its series, and none after the family changes', () => {
    const om = [
      '# TYPE c counter',
      'c_total{i="1"} 1',
      'c_created{i="1"} 1700000000',
      'c_total{i="2"} 2',
      'c_created{i="2"} 1700000001',
      '# TYPE d gauge',
      'd{i="1"} 1',
      '# EOF',
      '',
    ].join('\n');
    const fams = parse(om, { format: 'openmetrics' });
    expect(shape(fams)).toEqual([
      { name: 'c_total', type: 'counter', n: 2 },
      { name: 'd', type: 'gauge', n: 1 },
    ]);
    expect(fams[0]!.samples.map((s) => s.startTimestamp)).toEqual([1700000000000, 1700000001000]);
    expect(fams[1]!.samples[0]!.startTimestamp).toBeUndefined();
  });
});

describe('families: bounds', () => {
  it('normalises le and quantile by the last TYPE line, whatever value came before', () => {
    const text = [
      '# TYPE h histogram',
      'h_bucket{le="1"} 1',
      'h_bucket{le="1"} 1',
      '# TYPE s summary',
      's{quantile="1"} 1',
      '# TYPE g gauge',
      'g{le="1"} 1',
      'g{quantile="1"} 1',
      '',
    ].join('\n');
    const labels = parse(text, { format: 'text' }).flatMap((f) => f.samples.map((s) => s.labels));
    expect(labels).toEqual([{ le: '1.0' }, { le: '1.0' }, { quantile: '1.0' }, { le: '1' }, { quantile: '1' }]);
  });
});

describe('families: sample values', () => {
  it('keeps every value exactly, small integers, -0, NaN, infinities and doubles alike', () => {
    const values = ['0', '-0', '1', '-1', '1073741823', '1073741824', '-1073741825', '1.5', '1e300', 'NaN', '+Inf', '-Inf'];
    const text = values.map((v, i) => `v{i="${i}"} ${v}`).join('\n');
    const got = parse(text, { format: 'text' })[0]!.samples.map((s) => s.value as number);
    const want = values.map((v) => (v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v)));
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(Object.is(got[i], want[i]), `${values[i]} read as ${got[i]}`).toBe(true);
  });
});
