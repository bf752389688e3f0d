import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFloat, formatMillisAsSeconds } from '../src/index.js';
import { parseNumber, parseSecondsAsMillis, parseTextTimestamp } from '../src/core/number.js';

const enc = new TextEncoder();
const num = (s: string) => {
  const b = enc.encode(s);
  return parseNumber(b, 0, b.length);
};

describe('parseNumber: the exposition grammar, not JavaScript Number()', () => {
  it.each([
    ['1', 1],
    ['-1.5', -1.5],
    ['+3', 3],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['1.234567e+06', 1234567],
    ['0.30000000000000004', 0.30000000000000004],
    ['9223372036854775808', 9223372036854775808],
    ['0000001.2e-1', 0.12],
    ['Inf', Infinity],
    ['+Inf', Infinity],
    ['-inf', -Infinity],
    ['infinity', Infinity],
    ['NaN', NaN],
    ['nan', NaN],
    ['1e-400', 0],
  ])('reads %s', (s, v) => {
    expect(num(s)).toBe(v);
  });

  it.each([
    '',
    ' 1',
    '1 ',
    '0x1A',
    '0x1p-3',
    '1_000',
    '+NaN',
    '-nan',
    'in',
    'infinit',
    '1e',
    '1e+',
    '.',
    '-',
    'e5',
    '1.2.3',
    '1e400',
    '--1',
    '٣',
  ])('rejects %j', (s) => {
    expect(num(s)).toBeUndefined();
  });

  it('agrees with Number() on every decimal spelling of every double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        for (const s of [String(v), v.toExponential(), v.toFixed(Math.min(20, 5)), formatFloat(v)]) {
          if (/^-?\d/.test(s) || s.startsWith('-')) expect(num(s)).toBe(Number(s));
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('formatFloat: Go strconv.FormatFloat(v, g, -1, 64)', () => {
  it.each([
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1e-7, '1e-07'],
    [1e21, '1e+21'],
    [1.5e300, '1.5e+300'],
    [5e-324, '5e-324'],
    [-2.5, '-2.5'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [0.1 + 0.2, '0.30000000000000004'],
  ])('%s -> %s', (v, s) => {
    expect(formatFloat(v)).toBe(s);
  });

  it('round-trips every double', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        expect(Object.is(num(formatFloat(v)), v) || (Number.isNaN(v) && Number.isNaN(num(formatFloat(v))))).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });
});

describe('timestamps', () => {
  it('text: integer milliseconds within int64, digits only (Prometheus 3.5 promlex `{D}+`)', () => {
    const ts = (s: string) => {
      const b = enc.encode(s);
      return parseTextTimestamp(b, 0, b.length);
    };
    expect(ts('1395066363000')).toBe(1395066363000);
    expect(ts('-1')).toBeUndefined();
    expect(ts('9223372036854775807')).toBe(9223372036854775807);
    expect(ts('9223372036854775808')).toBeUndefined();
    expect(ts('1.5')).toBeUndefined();
    expect(ts('+1')).toBeUndefined();
    expect(ts('-')).toBeUndefined();
  });

  it('OpenMetrics: seconds to milliseconds by moving the point, exactly', () => {
    const ms = (s: string) => {
      const b = enc.encode(s);
      return parseSecondsAsMillis(b, 0, b.length);
    };
    expect(ms('1520879607.789')).toBe(1520879607789);
    expect(ms('1.5e3')).toBe(1500000);
    expect(ms('000')).toBe(0);
    expect(ms('0.0000000001')).toBe(1e-7);
    expect(ms('NaN')).toBeUndefined();
    expect(ms('Inf')).toBeUndefined();
    expect(ms('1_2')).toBeUndefined();
  });

  it('formatMillisAsSeconds writes plain decimals that read back exactly', () => {
    expect(formatMillisAsSeconds(1520879607789)).toBe('1520879607.789');
    expect(formatMillisAsSeconds(1795354795564.3364)).toBe('1795354795.5643364');
    expect(formatMillisAsSeconds(-1)).toBe('-0.001');
    expect(formatMillisAsSeconds(1000)).toBe('1');
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e22, max: 1e22 }), (v) => {
        const s = formatMillisAsSeconds(v);
        expect(s).not.toMatch(/e/);
        const b = enc.encode(s);
        expect(parseSecondsAsMillis(b, 0, b.length)).toBe(v === 0 ? 0 : v);
      }),
      { numRuns: 20000 },
    );
  });
});

describe('parseNumber fast path (<= 15 significant digits, |exponent| <= 22, one exact multiply or divide)', () => {
  /** What parseNumber must return for a spelling of the grammar: Number(), bit for bit; a finite spelling that overflows is refused (Go ErrRange). */
  const expected = (s: string): number | undefined => {
    const v = Number(s);
    return v === Infinity || v === -Infinity ? undefined : v;
  };
  const digits = (max: number) =>
    fc.array(fc.constantFrom('0', '0', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), { maxLength: max }).map((d) => d.join(''));
  const spelling = fc
    .record({
      sign: fc.constantFrom('', '+', '-'),
      int: digits(20),
      dot: fc.boolean(),
      frac: digits(20),
      exp: fc.option(
        fc.record({
          e: fc.constantFrom('e', 'E'),
          sign: fc.constantFrom('', '+', '-'),
          digits: fc.integer({ min: 0, max: 400 }).map(String),
          zeros: fc.constantFrom('', '0', '00'),
        }),
      ),
    })
    .map(({ sign, int, dot, frac, exp }) => {
      const body = dot ? `${int}.${frac}` : int + frac;
      return `${sign}${body}${exp === null ? '' : `${exp.e}${exp.sign}${exp.zeros}${exp.digits}`}`;
    })
    // The grammar's decimals: a digit on either side of the point.
    .filter((s) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s));

  it('agrees with Number() bit for bit on random spellings: signs, leading zeros, 16+ digits, exponents, ".5", "5."', () => {
    fc.assert(
      fc.property(spelling, (s) => {
        const got = num(s);
        const want = expected(s);
        expect(got === undefined ? 'refused' : Object.is(got, want) ? 'same' : got).toBe(want === undefined ? 'refused' : 'same');
      }),
      { numRuns: 30000 },
    );
  });

  it('agrees with Number() on the spellings that sit on the fast path edges', () => {
    for (const s of [
      '123456789012345', // 15 digits: fast
      '1234567890123456', // 16: Number()
      '0.000000000000000000001234', // leading zeros do not count
      '000000000000000000000000001',
      '9007199254740993',
      '1e22',
      '1e23',
      '1.5e-22',
      '1.5e-23',
      '123456789012345e-22',
      '0.1',
      '0.3',
      '2.2250738585072011e-308',
      '-0',
      '-0.0e5',
      '179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
    ]) {
      expect(Object.is(num(s), expected(s)), s).toBe(true);
    }
  });
});
