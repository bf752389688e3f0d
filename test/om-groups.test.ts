import { describe, expect, it } from 'vitest';
import { parse } from '../src/index.js';
import { GroupSet } from '../src/parse/om-groups.js';

describe('GroupSet', () => {
  it('holds what was added, through growth and colliding slots', () => {
    const set = new GroupSet();
    // Same first half (same slot), different second half: a chain.
    for (let i = 0; i < 1000; i++) set.add(7, i);
    for (let i = 0; i < 1000; i++) set.add(i * 64, -i);
    for (let i = 0; i < 1000; i++) {
      expect(set.has(7, i)).toBe(true);
      expect(set.has(i * 64, -i)).toBe(true);
    }
    expect(set.has(7, 1000)).toBe(false);
    expect(set.has(8, 0)).toBe(false);
    expect(set.has(64, 1)).toBe(false);
  });

  it('is empty after clear(), and adding twice keeps one', () => {
    const set = new GroupSet();
    set.add(1, 2);
    set.add(1, 2);
    expect(set.has(1, 2)).toBe(true);
    set.clear();
    expect(set.has(1, 2)).toBe(false);
    set.add(3, 4);
    expect(set.has(3, 4)).toBe(true);
    expect(set.has(1, 2)).toBe(false);
  });
});

describe('OpenMetrics grouping through the GroupSet', () => {
  it('refuses a series that comes back after others, in a family of many series', () => {
    const lines: string[] = ['# TYPE g gauge'];
    for (let i = 0; i < 500; i++) lines.push(`g{a="${i}"} 1`);
    const ok = `${lines.join('\n')}\n# EOF\n`;
    expect(parse(ok, { format: 'openmetrics' })[0]!.samples).toHaveLength(500);
    const bad = `${lines.join('\n')}\ng{a="17"} 2\n# EOF\n`;
    expect(() => parse(bad, { format: 'openmetrics' })).toThrow(/appear again after other series/);
  });

  it('forgets the groups of the previous family', () => {
    const text = '# TYPE a gauge\na{x="1"} 1\na{x="2"} 1\n# TYPE b gauge\nb{x="1"} 1\nb{x="2"} 1\n# EOF\n';
    expect(parse(text, { format: 'openmetrics' }).map((f) => f.samples.length)).toEqual([2, 2]);
  });

  it('groups label sets whatever their order, and labels of every length', () => {
    const text = '# TYPE c counter\nc_total{abcdefg="123456789",x="1"} 1\nc_total{x="1",abcdefg="123456789"} 2\n# EOF\n';
    expect(() => parse(text, { format: 'openmetrics' })).not.toThrow();
    const apart =
      '# TYPE c counter\nc_total{abcdefg="123456789"} 1\nc_total{abcdefg="12345678"} 1\nc_total{abcdefg="123456789"} 1\n# EOF\n';
    expect(() => parse(apart, { format: 'openmetrics' })).toThrow(/appear again/);
  });
});

describe('OpenMetrics rules with what the walk found unchanged from the line before', () => {
  const om = (text: string) => parse(text, { format: 'openmetrics' });

  it('sees a series come back when only one label value changed in between', () => {
    expect(() => om('# TYPE g gauge\ng{a="1",b="2"} 1\ng{a="1",b="3"} 1\ng{a="1",b="2"} 1\n# EOF\n')).toThrow(/appear again/);
    expect(om('# TYPE g gauge\ng{a="1",b="2"} 1\ng{a="1",b="3"} 1\ng{a="1",b="4"} 1\n# EOF\n')[0]!.samples).toHaveLength(3);
  });

  it('finds "le" wherever it stands, line by line', () => {
    const text = '# TYPE h histogram\nh_bucket{le="1",a="x"} 1\nh_bucket{a="x",le="+Inf"} 2\nh_count{a="x"} 2\nh_sum{a="x"} 3\n# EOF\n';
    const [h] = om(text);
    expect(h!.samples).toHaveLength(4);
    const bad = '# TYPE h histogram\nh_bucket{le="1",a="x"} 1\nh_bucket{a="x",b="+Inf"} 2\n# EOF\n';
    expect(() => om(bad)).toThrow(/has no "le" label/);
  });

  it('takes a sample name that is the line before again as that family, and a new one as a new family', () => {
    expect(() => om('a{x="1"} 1\nb{x="1"} 1\na{x="1"} 2\n# EOF\n')).toThrow(/belongs to family "a", which ended earlier/);
    expect(om('a{x="1"} 1\na{x="2"} 1\nb{x="1"} 1\n# EOF\n').map((f) => f.name)).toEqual(['a', 'b']);
  });

  it('checks each sample of a run of the same name and labels, not just the first', () => {
    expect(() => om('# TYPE c counter\nc_total{a="1"} 1\nc_total{a="1"} -1\n# EOF\n')).toThrow(/non-negative/);
    expect(() => om('# TYPE c counter\nc_total{a="1"} 1 5\nc_total{a="1"} 2 4\n# EOF\n')).toThrow(/went backwards/);
    expect(() => om('# TYPE s stateset\ns{s="a"} 1\ns{s="b"} 2\n# EOF\n')).toThrow(/must be 0 or 1/);
  });
});
