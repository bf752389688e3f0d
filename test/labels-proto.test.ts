/**
 * A label named `__proto__` (a valid Prometheus label name) survives every
 * layer that copies or builds label objects (src/model/labels.ts): a plain
 * `labels[name] = value` calls Object.prototype's setter and drops it. Each
 * case below dropped the label before setLabel/copyLabels were used there.
 */
import { describe, expect, it } from 'vitest';
import { copyLabels, setLabel } from '../src/model/labels.js';
import { decodeWriteRequest, encode, encodeWriteRequest, lint, merge, MetricSet, parse, writeRequestFamilies } from '../src/index.js';
import type { Labels, MetricFamily } from '../src/index.js';
import { withDefaultLabels } from '../src/toolkit/exposition.js';
import { expandJobTemplate } from '../src/toolkit/push.js';
import { labelFlags } from '../src/cli/args.js';

const PROTO = '__proto__';
const own = (l: Labels): [string, string][] => Object.entries(l);
const text = (f: readonly MetricFamily[]): string => new TextDecoder().decode(encode(f, { format: 'text' }));

describe('setLabel and copyLabels', () => {
  it('make __proto__ an own enumerable label and leave the prototype alone', () => {
    const l: Labels = {};
    setLabel(l, PROTO, 'x');
    setLabel(l, 'a', 'y');
    expect(own(l)).toEqual([
      [PROTO, 'x'],
      ['a', 'y'],
    ]);
    expect(Object.getPrototypeOf(l)).toBe(Object.prototype);
    expect(own(copyLabels(l))).toEqual(own(l));
    expect(own(copyLabels(l, 'a'))).toEqual([[PROTO, 'x']]);
    expect(own(copyLabels(l, PROTO))).toEqual([['a', 'y']]);
  });
});

describe('a __proto__ label survives', () => {
  it('remote write: encodeWriteRequest then decodeWriteRequest', () => {
    const fams = parse('# TYPE a_total counter\na_total{__proto__="x",b="y"} 1\n', { format: 'text' });
    const decoded = decodeWriteRequest(encodeWriteRequest(fams));
    expect(own(decoded.series[0]!.labels)).toEqual([
      ['__name__', 'a_total'],
      [PROTO, 'x'],
      ['b', 'y'],
    ]);
    expect(text(writeRequestFamilies(decoded))).toContain('a_total{__proto__="x",b="y"} 1');
  });

  it('merge: with the node label added', () => {
    const fams = parse('# TYPE a gauge\na{__proto__="x"} 1\n', { format: 'text' });
    const [f] = merge([{ node: 'n1', families: fams }], { mode: 'unaggregated' });
    expect(own(f!.samples[0]!.labels)).toEqual([
      ['node', 'n1'],
      [PROTO, 'x'],
    ]);
  });

  it('merge: a node label named like an Object.prototype member', () => {
    const fams = parse('# TYPE a gauge\na{b="y"} 1\na{constructor="c"} 2\n', { format: 'text' });
    const [f] = merge([{ node: 'n1', families: fams }], { mode: 'unaggregated', nodeLabel: 'constructor' });
    expect(f!.samples.map((s) => own(s.labels))).toEqual([
      [
        ['constructor', 'n1'],
        ['b', 'y'],
      ],
      [
        ['constructor', 'n1'],
        ['exported_constructor', 'c'],
      ],
    ]);
  });

  it('encode: the _created gauge of an OpenMetrics start timestamp keeps its series labels', () => {
    const om = parse('# TYPE a counter\na_total{__proto__="x"} 1\na_created{__proto__="x"} 5\n# EOF\n', { format: 'openmetrics' });
    expect(text(om)).toContain('a_created{__proto__="x"} 5');
  });

  it('lint: a histogram finding names the series with its __proto__ label', () => {
    const bad =
      '# HELP h x\n# TYPE h histogram\nh_bucket{__proto__="p",le="1"} 5\nh_bucket{__proto__="p",le="+Inf"} 2\nh_sum{__proto__="p"} 3\n';
    expect(lint(parse(bad, { format: 'text' })).map((f) => f.message)).toEqual([
      'buckets of h_bucket{__proto__="p"} are not cumulative: le="+Inf" has 2, less than le="1.0" with 5',
    ]);
  });

  it('MetricSet: an exemplar label __proto__ (declared label names may not start with "__")', () => {
    const set = new MetricSet();
    const c = set.counter({ name: 'c_total', help: 'h' });
    const exemplar: Labels = {};
    setLabel(exemplar, PROTO, 'e');
    c.incWithExemplar(1, { labels: exemplar });
    const [f] = set.collect() as MetricFamily[];
    expect(own(f!.samples[0]!.exemplars![0]!.labels)).toEqual([[PROTO, 'e']]);
  });

  it('default labels added to families', () => {
    const fams = parse('# TYPE a gauge\na{b="y"} 1\n', { format: 'text' });
    const defaults: Labels = {};
    setLabel(defaults, PROTO, 'd');
    const [f] = withDefaultLabels(fams, defaults);
    expect(own(f!.samples[0]!.labels)).toEqual([
      [PROTO, 'd'],
      ['b', 'y'],
    ]);
  });
});

describe('a __proto__ label survives (the review asked for these paths too)', () => {
  it('remote write: an exemplar label', () => {
    const fams = parse('# TYPE a counter\na_total{b="y"} 1 # {__proto__="e"} 1\n# EOF\n', { format: 'openmetrics' });
    const decoded = decodeWriteRequest(encodeWriteRequest(fams));
    expect(own(decoded.series[0]!.exemplars[0]!.labels)).toEqual([[PROTO, 'e']]);
  });

  it("default labels: the sample's own __proto__ label", () => {
    const fams = parse('# TYPE a gauge\na{__proto__="own"} 1\n', { format: 'text' });
    const [f] = withDefaultLabels(fams, { d: 'x' });
    expect(own(f!.samples[0]!.labels)).toEqual([
      ['d', 'x'],
      [PROTO, 'own'],
    ]);
  });

  it('protobuf: parsed back from the protobuf exposition', () => {
    const fams = parse('# TYPE a gauge\na{__proto__="x",b="y"} 1\n', { format: 'text' });
    const back = parse(encode(fams, { format: 'protobuf' }), { format: 'protobuf' });
    expect(own(back[0]!.samples[0]!.labels)).toEqual([
      [PROTO, 'x'],
      ['b', 'y'],
    ]);
  });

  it('push: a job template grouping key, and the CLI flags', () => {
    const template = ['j', PROTO, '$' + '{v}'].join('/'); // j/__proto__/${v}
    expect(own(expandJobTemplate(template, { v: 'a' }).groupingKey)).toEqual([[PROTO, 'a']]);
    expect(own(labelFlags('serve', { label: ['__proto__=x', 'constructor=y'] }))).toEqual([
      [PROTO, 'x'],
      ['constructor', 'y'],
    ]);
  });
});

describe('names of Object.prototype members', () => {
  it('MetricSet: a missing label named constructor is a label mismatch, not a function', () => {
    const set = new MetricSet();
    const g = set.gauge({ name: 'g', help: 'h', labelNames: ['constructor', 'x'] });
    expect(() => g.labels({ x: '1', y: '2' } as never)).toThrow(expect.objectContaining({ code: 'LABEL_MISMATCH' }));
    g.labels({ constructor: 'c', x: '1' }).set(1);
    expect(own((set.collect() as MetricFamily[])[0]!.samples[0]!.labels)).toEqual([
      ['constructor', 'c'],
      ['x', '1'],
    ]);
  });
});

describe('lint: series keys', () => {
  it('tells apart label sets that a separator-joined key would mix up', () => {
    // {a="x\u0002b\u0001y"} and {a="x",b="y"} joined as name\u0001value\u0002 are one key.
    const payload =
      '# HELP h x\n# TYPE h histogram\n' +
      'h_bucket{a="x\u0002b\u0001y",le="1"} 5\nh_bucket{a="x\u0002b\u0001y",le="+Inf"} 5\nh_sum{a="x\u0002b\u0001y"} 1\nh_count{a="x\u0002b\u0001y"} 5\n' +
      'h_bucket{a="x",b="y",le="1"} 1\nh_bucket{a="x",b="y",le="+Inf"} 1\nh_sum{a="x",b="y"} 1\nh_count{a="x",b="y"} 1\n';
    expect(lint(parse(payload, { format: 'text' }))).toEqual([]);
  });
});
