/**
 * Prometheus 3.5 parity for the `__name__` label. Prometheus keeps the metric
 * name as `__name__`, so `x{__name__="y"}` has that label twice: the TSDB head
 * refuses it (`label name "__name__" is not unique`, tsdb/head_append.go) and
 * the scrape fails. Without a metric name (`{__name__="y"}`), promparse.go /
 * openmetricsparse.go refuse the line first ("metric name not set").
 */
import { describe, expect, it } from 'vitest';
import { type Format, PromwireError, parse } from '../src/index.js';

function errorOf(payload: string, format: Format): PromwireError {
  try {
    parse(payload + (format === 'openmetrics' ? '# EOF\n' : ''), { format });
  } catch (e) {
    if (e instanceof PromwireError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(payload)}`);
}

describe('__name__ as a label', () => {
  const dup: [string, string, number][] = [
    ['a bare name and __name__', 'x{__name__="y"} 1\n', 3],
    ['a bare name and __name__ after another label', 'x{a="1",__name__="x"} 1\n', 9],
    ['a quoted name, then __name__', '{"x",__name__="y"} 1\n', 6],
    ['__name__, then a quoted name', '{__name__="y","x"} 1\n', 2],
    ['a quoted label name "__name__"', 'x{"__name__"="y"} 1\n', 4],
  ];
  for (const format of ['text', 'openmetrics'] as const) {
    it.each(dup)(`${format}: refuses %s as DUPLICATE_LABEL`, (_what, payload, column) => {
      const e = errorOf(payload, format);
      expect({ code: e.code, line: e.line, column: e.column }).toEqual({ code: 'DUPLICATE_LABEL', line: 1, column });
      expect(e.message).toContain('label name "__name__" is not unique');
      expect(e.message).toMatch(/metric name "[xy]"/);
    });

    it(`${format}: refuses {__name__="y"} alone as having no metric name`, () => {
      const e = errorOf('{__name__="y"} 1\n', format);
      expect(e.code).toBe('INVALID_METRIC_NAME');
      expect(e.message).toContain('found only a __name__ label');
    });

    it(`${format}: keeps __name__ in exemplars and names that only look like it`, () => {
      const fams = parse(`x{__name___="1",__nam="2"} 1\n${format === 'openmetrics' ? '# EOF\n' : ''}`, { format });
      expect(fams[0]!.samples[0]!.labels).toEqual({ __name___: '1', __nam: '2' });
    });
  }

  it('openmetrics: accepts __name__ among exemplar labels (no metric name there)', () => {
    const fams = parse('# TYPE x counter\nx_total 1 # {__name__="t"} 1\n# EOF\n', { format: 'openmetrics' });
    expect(fams[0]!.samples[0]!.exemplars?.[0]?.labels).toEqual({ __name__: 't' });
  });

  it.each(['text', 'openmetrics'] as const)('%s: finds __name__ after an escaped name or among many labels', (format) => {
    expect(errorOf('x{"a\\b"="1",__name__="y"} 1\n', format).code).toBe('DUPLICATE_LABEL');
    const many = Array.from({ length: 40 }, (_, i) => `l${i}="${i}"`).join(',');
    expect(errorOf(`x{${many},__name__="y"} 1\n`, format).code).toBe('DUPLICATE_LABEL');
  });
});

describe('duplicate label names', () => {
  it('compares escaped quoted names by what they mean', () => {
    // A raw line feed in a text quoted name is the same name as `\n`.
    for (const payload of ['x{"a\\nb"="1","a\nb"="2"} 1\n', 'x{"a\nb"="1","a\\nb"="2"} 1\n']) {
      expect(errorOf(payload, 'text').code).toBe('DUPLICATE_LABEL');
    }
  });

  it('finds a duplicate among many labels, in both grammars', () => {
    const labels = Array.from({ length: 300 }, (_, i) => `l${i}="${i}"`);
    labels.push('l7="again"');
    for (const format of ['text', 'openmetrics'] as const) {
      const e = errorOf(`x{${labels.join(',')}} 1\n`, format);
      expect(e.code).toBe('DUPLICATE_LABEL');
      expect(e.message).toContain('"l7"');
    }
  });
});
