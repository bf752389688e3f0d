import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ESCAPING_SCHEMES,
  escapeName,
  isEscapingScheme,
  isValidLabelName,
  isValidMetricName,
  isValidUtf8Name,
  needsQuoting,
  unescapeName,
} from '../src/core/names.js';

describe('legacy name charsets', () => {
  it.each([
    ['a', true, true],
    ['_', true, true],
    [':', true, false],
    ['http_requests_total', true, true],
    ['job:rate5m', true, false],
    ['A9_z', true, true],
    ['9a', false, false],
    ['', false, false],
    ['a-b', false, false],
    ['a.b', false, false],
    ['a b', false, false],
    ['ä', false, false],
    ['__name__', true, true],
  ])('%j: metric %s, label %s', (name, metric, label) => {
    expect(isValidMetricName(name)).toBe(metric);
    expect(isValidLabelName(name)).toBe(label);
    expect(needsQuoting(name)).toBe(!metric);
    expect(needsQuoting(name, 'label')).toBe(!label);
  });

  it('UTF-8 names: non-empty and well-formed', () => {
    expect(isValidUtf8Name('my.metric')).toBe(true);
    expect(isValidUtf8Name('花火 😱')).toBe(true);
    expect(isValidUtf8Name('')).toBe(false);
    expect(isValidUtf8Name('a\uD800')).toBe(false); // lone high surrogate
    expect(isValidUtf8Name('\uDC00a')).toBe(false); // lone low surrogate
    expect(isValidUtf8Name('\uD83D\uDE31')).toBe(true);
  });

  it('escaping scheme names', () => {
    for (const s of ESCAPING_SCHEMES) expect(isEscapingScheme(s)).toBe(true);
    expect(isEscapingScheme('allow-utf8')).toBe(false);
    expect(isEscapingScheme('')).toBe(false);
  });
});

describe('escapeName (prometheus/common model TestEscapeName cases)', () => {
  // input, underscores, dots, dots unescaped, values
  const cases: Array<[string, string, string, string, string]> = [
    ['', '', '', '', ''],
    ['no:escaping_required', 'no:escaping_required', 'no:escaping__required', 'no:escaping_required', 'no:escaping_required'],
    [
      'mysystem.prod.west.cpu.load',
      'mysystem_prod_west_cpu_load',
      'mysystem_dot_prod_dot_west_dot_cpu_dot_load',
      'mysystem.prod.west.cpu.load',
      'U__mysystem_2e_prod_2e_west_2e_cpu_2e_load',
    ],
    [
      'mysystem.prod.west.cpu.load_total',
      'mysystem_prod_west_cpu_load_total',
      'mysystem_dot_prod_dot_west_dot_cpu_dot_load__total',
      'mysystem.prod.west.cpu.load_total',
      'U__mysystem_2e_prod_2e_west_2e_cpu_2e_load__total',
    ],
    ['http.status:sum', 'http_status:sum', 'http_dot_status:sum', 'http.status:sum', 'U__http_2e_status:sum'],
    ['label with 😱', 'label_with__', 'label__with____', 'label_with__', 'U__label_20_with_20__1f631_'],
    ['花火', '__', '____', '__', 'U___82b1__706b_'],
    ['label with \u0100', 'label_with__', 'label__with____', 'label_with__', 'U__label_20_with_20__100_'],
  ];
  it.each(cases)('%j', (input, underscores, dots, undots, values) => {
    expect(escapeName(input, 'underscores')).toBe(underscores);
    expect(unescapeName(underscores, 'underscores')).toBe(underscores);
    expect(escapeName(input, 'dots')).toBe(dots);
    expect(unescapeName(dots, 'dots')).toBe(undots);
    expect(escapeName(input, 'values')).toBe(values);
    expect(unescapeName(values, 'values')).toBe(input);
    expect(escapeName(input, 'allow-utf-8')).toBe(input);
  });

  it('a leading digit is invalid, later digits are not', () => {
    expect(escapeName('1abc', 'underscores')).toBe('_abc');
    expect(escapeName('1abc', 'values')).toBe('U___31_abc');
    expect(escapeName('a1', 'values')).toBe('a1');
  });

  it('label kind treats ":" as invalid (not in the label charset)', () => {
    expect(escapeName('a:b', 'underscores')).toBe('a:b');
    expect(escapeName('a:b', 'underscores', 'label')).toBe('a_b');
    expect(escapeName('a:b', 'values', 'label')).toBe('U__a_3a_b');
    expect(escapeName('a.b', 'dots', 'label')).toBe('a_dot_b');
  });

  it('a lone surrogate is U+FFFD for values', () => {
    expect(escapeName('a\uD800b', 'values')).toBe('U__a_FFFD_b');
  });

  it.each([
    ['U__no:unescapingrequired', 'no:unescapingrequired'],
    ['U__capitals_2E_ok', 'capitals.ok'],
    ['U__underscores__doubled__', 'underscores_doubled_'],
    ['U__underscores_doubled_', 'U__underscores_doubled_'],
    ['U__underscores__doubled_', 'U__underscores__doubled_'],
    ['U__my__hack_2e_attempt_872348732fabdabbab_', 'U__my__hack_2e_attempt_872348732fabdabbab_'],
    ['U__my__hack_2e', 'U__my__hack_2e'],
    ['U__bad__utf_2eg_', 'U__bad__utf_2eg_'],
    ['U__bad__utf_D900_', 'U__bad__utf_D900_'],
    ['no_prefix', 'no_prefix'],
  ])('unescape values %j -> %j (TestValueUnescapeErrors)', (input, want) => {
    expect(unescapeName(input, 'values')).toBe(want);
  });

  it('every escaped name is a valid legacy name; values and dots round-trip', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), (name) => {
        for (const scheme of ['underscores', 'dots', 'values'] as const) {
          const e = escapeName(name, scheme);
          expect(isValidMetricName(e)).toBe(true);
          expect(isValidLabelName(escapeName(name, scheme, 'label'))).toBe(true);
        }
        expect(unescapeName(escapeName(name, 'values'), 'values')).toBe(name);
        if (!name.includes('_') && !name.includes('_dot_')) {
          // dots is exact when the name holds no underscore and only legacy chars and dots
          if (/^[a-zA-Z:.][a-zA-Z0-9:.]*$/.test(name)) expect(unescapeName(escapeName(name, 'dots'), 'dots')).toBe(name);
        }
      }),
    );
  });
});
