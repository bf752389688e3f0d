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
