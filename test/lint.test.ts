import { describe, expect, it } from 'vitest';
import { formatFindings, lint } from '../src/toolkit/lint.js';
import type { Labels, MetricFamily, MetricType, Sample } from '../src/model/index.js';

type S = [name: string, labels: Labels, value: number, timestamp?: number];

function fam(name: string, type: MetricType, help: string, samples: S[], unit = ''): MetricFamily {
  return {
    name,
    type,
    help,
    unit,
    samples: samples.map(([n, labels, value, ts]): Sample => ({ name: n, labels, value, timestamp: ts ?? null })),
  };
}

/** A one-sample family with help, of the given name and type. */
function one(name: string, type: MetricType, labels: Labels = {}, help = 'x'): MetricFamily {
  return fam(name, type, help, [[name, labels, 1]]);
}

function messages(families: MetricFamily[], structural = false): string[] {
  return lint(families, { structural }).map((f) => `${f.metric} ${f.message}`);
}

describe('lint: promtool check metrics rules', () => {
  it('finds nothing in well-named families', () => {
    const families = [
      one('http_requests_total', 'counter', { method: 'GET', code: '200' }),
      one('process_resident_memory_bytes', 'gauge'),
      fam('http_request_duration_seconds', 'histogram', 'x', [
        ['http_request_duration_seconds_bucket', { le: '0.1' }, 1],
        ['http_request_duration_seconds_bucket', { le: '+Inf' }, 2],
        ['http_request_duration_seconds_sum', {}, 0.3],
        ['http_request_duration_seconds_count', {}, 2],
      ]),
      fam('rpc_duration_seconds', 'summary', 'x', [
        ['rpc_duration_seconds', { quantile: '0.5' }, 0.1],
        ['rpc_duration_seconds_sum', {}, 3],
        ['rpc_duration_seconds_count', {}, 30],
      ]),
      one('some_untyped_thing', 'untyped'),
    ];
    expect(lint(families)).toEqual([]);
    expect(formatFindings(lint(families))).toBe('');
  });

  // Each row: a family and promtool 2.42's findings for it (checked against
  // `promtool check metrics` on the same text when these cases were written).
  const cases: [string, MetricFamily, string[]][] = [
    ['no help', one('nohelp', 'gauge', {}, ''), ['nohelp no help text']],
    ['counter without _total', one('requests', 'counter'), ['requests counter metrics should have "_total" suffix']],
    ['gauge with _total', one('req_total', 'gauge'), ['req_total non-counter metrics should not have "_total" suffix']],
    ['untyped with _total', one('req_total', 'untyped'), []],
    ['non-base unit', one('mem_kilobits', 'gauge'), ['mem_kilobits use base unit "bytes" instead of "kilobits"']],
    ['hours', one('hours_total', 'counter'), ['hours_total use base unit "seconds" instead of "hours"']],
    ['kelvins', one('temp_kelvins', 'gauge'), ['temp_kelvins use base unit "kelvin" instead of "kelvins"']],
    ['base unit with prefix-free word', one('temp_kelvin', 'gauge'), []],
    ['word that ends like a unit', one('thermometers_count_ratio', 'untyped'), []],
    [
      'counter named _count',
      one('foo_count', 'counter'),
      [
        'foo_count counter metrics should have "_total" suffix',
        'foo_count non-histogram and non-summary metrics should not have "_count" suffix',
      ],
    ],
    [
      'gauge named _bucket with le and quantile labels',
      fam('lat_bucket', 'gauge', 'x', [
        ['lat_bucket', { le: '1' }, 1],
        ['lat_bucket', { quantile: '1' }, 1],
      ]),
      [
        'lat_bucket non-histogram metrics should not have "_bucket" suffix',
        'lat_bucket non-histogram metrics should not have "le" label',
        'lat_bucket non-summary metrics should not have "quantile" label',
      ],
    ],
    ['gauge named _sum', one('x_sum', 'gauge'), ['x_sum non-histogram and non-summary metrics should not have "_sum" suffix']],
    ['summary named _sum', fam('x_sum', 'summary', 'x', [['x_sum_sum', {}, 1], ['x_sum_count', {}, 1]]), []],
    ['untyped with le', one('foo', 'untyped', { le: '1' }), []],
    ['type in name', one('thing_counter_total', 'counter'), ["thing_counter_total metric name should not include type 'counter'"]],
    [
      'gauge_histogram in name',
      one('x_gauge_histogram_y', 'gauge'),
      [
        "x_gauge_histogram_y metric name should not include type 'gauge'",
        "x_gauge_histogram_y metric name should not include type 'gauge_histogram'",
        "x_gauge_histogram_y metric name should not include type 'histogram'",
      ],
    ],
    ['colon', one('a:b', 'gauge'), ["a:b metric names should not contain ':'"]],
    [
      'camelCase name and label, once per series',
      fam('fooBar', 'gauge', 'x', [
        ['fooBar', { someLabel: '1' }, 1],
        ['fooBar', { someLabel: '2' }, 1],
      ]),
      [
        "fooBar label names should be written in 'snake_case' not 'camelCase'",
        "fooBar label names should be written in 'snake_case' not 'camelCase'",
        "fooBar metric names should be written in 'snake_case' not 'camelCase'",
      ],
    ],
    ['capitals without camelCase', one('Up', 'gauge'), []],
    ['abbreviated unit', one('time_ms', 'gauge'), ['time_ms metric names should not contain abbreviated units']],
    [
      'two abbreviations, two findings',
      one('foo_s_ms', 'gauge'),
      ['foo_s_ms metric names should not contain abbreviated units', 'foo_s_ms metric names should not contain abbreviated units'],
    ],
  ];
  it.each(cases)('%s', (_name, family, expected) => {
    expect(messages([family])).toEqual(expected);
  });

  it('prints the same lines, in the same order, as promtool on a payload with many findings', () => {
    // The families of this text 0.0.4 payload, as the parser gives them, and
    // promtool 2.42's stderr for it (`promtool check metrics < a.prom`, exit 3).
    const families = [
      one('foo_count', 'counter'),
      one('req_total', 'gauge'),
      one('nohelp', 'gauge', {}, ''),
      one('mem_kilobits', 'gauge'),
      fam('lat_bucket', 'gauge', 'x', [
        ['lat_bucket', { le: '1' }, 1],
        ['lat_bucket', { quantile: '1' }, 1],
      ]),
      fam('x_sum', 'summary', 'x', [['x_sum_sum', {}, 1], ['x_sum_count', {}, 1]]),
      one('thing_counter_total', 'counter'),
      one('a:b', 'gauge'),
      fam('fooBar', 'gauge', 'x', [
        ['fooBar', { someLabel: '1' }, 1],
        ['fooBar', { someLabel: '2' }, 1],
      ]),
      one('time_ms', 'gauge'),
      one('temp_kelvins', 'gauge'),
      one('temp_kelvin', 'gauge'),
      fam('dup_total', 'counter', 'x', [
        ['dup_total', { a: '1' }, 1],
        ['dup_total', { a: '1' }, 2],
      ]),
      fam('info_gauge', 'untyped', 'x', []),
      one('info_gauge_total', 'untyped', {}, ''),
      fam('bar_histogram', 'histogram', 'x', [
        ['bar_histogram_bucket', { le: '+Inf' }, 1],
        ['bar_histogram_sum', {}, 1],
        ['bar_histogram_count', {}, 1],
      ]),
      one('hours_total', 'counter'),
    ];
    const promtool = [
      "a:b metric names should not contain ':'",
      "bar_histogram metric name should not include type 'histogram'",
      "fooBar label names should be written in 'snake_case' not 'camelCase'",
      "fooBar label names should be written in 'snake_case' not 'camelCase'",
      "fooBar metric names should be written in 'snake_case' not 'camelCase'",
      'foo_count counter metrics should have "_total" suffix',
      'foo_count non-histogram and non-summary metrics should not have "_count" suffix',
      'hours_total use base unit "seconds" instead of "hours"',
      "info_gauge_total metric name should not include type 'gauge'",
      'info_gauge_total no help text',
      'lat_bucket non-histogram metrics should not have "_bucket" suffix',
      'lat_bucket non-histogram metrics should not have "le" label',
      'lat_bucket non-summary metrics should not have "quantile" label',
      'mem_kilobits use base unit "bytes" instead of "kilobits"',
      'nohelp no help text',
      'req_total non-counter metrics should not have "_total" suffix',
      'temp_kelvins use base unit "kelvin" instead of "kelvins"',
      "thing_counter_total metric name should not include type 'counter'",
      'time_ms metric names should not contain abbreviated units',
    ];
    expect(formatFindings(lint(families, { structural: false }))).toBe(promtool.map((l) => l + '\n').join(''));
    // The structural checks add the duplicate series promtool 2.42 does not see.
    expect(messages(families, true)).toEqual([...promtool.slice(0, 2), 'dup_total metric not unique', ...promtool.slice(2)]);
  });

  it('reports the unit of the first segment that is one when a name holds two', () => {
    // promtool picks one of the two at random (Go map order).
    expect(messages([one('foo_hours_bits', 'gauge')])).toEqual(['foo_hours_bits use base unit "seconds" instead of "hours"']);
  });

  it('reports camelCase and reserved labels once per histogram or summary series, not per sample', () => {
    const h = fam('req_seconds', 'histogram', 'x', [
      ['req_seconds_bucket', { myPath: '/a', quantile: '1', le: '1' }, 1],
      ['req_seconds_bucket', { myPath: '/a', quantile: '1', le: '+Inf' }, 1],
      ['req_seconds_sum', { myPath: '/a', quantile: '1' }, 1],
      ['req_seconds_count', { myPath: '/a', quantile: '1' }, 1],
      ['req_seconds_bucket', { myPath: '/b', quantile: '1', le: '+Inf' }, 1],
      ['req_seconds_count', { myPath: '/b', quantile: '1' }, 1],
    ]);
    expect(messages([h])).toEqual([
      "req_seconds label names should be written in 'snake_case' not 'camelCase'",
      "req_seconds label names should be written in 'snake_case' not 'camelCase'",
      'req_seconds non-summary metrics should not have "quantile" label',
      'req_seconds non-summary metrics should not have "quantile" label',
    ]);
    const s = fam('rpc_seconds', 'summary', 'x', [
      ['rpc_seconds', { le: '1', quantile: '0.5' }, 1],
      ['rpc_seconds', { le: '1', quantile: '0.9' }, 1],
      ['rpc_seconds_sum', { le: '1' }, 1],
      ['rpc_seconds_count', { le: '1' }, 1],
    ]);
    expect(messages([s])).toEqual(['rpc_seconds non-histogram metrics should not have "le" label']);
  });

  it('judges families as their text 0.0.4 form, the only one promtool reads', () => {
    const families = [
      // OpenMetrics counter `requests` is the text counter `requests_total`.
      fam('requests', 'counter', '', [
        ['requests_total', { path: '/' }, 3],
        ['requests_created', { path: '/' }, 1.7e9],
      ]),
      // An OpenMetrics counter may itself end in _total: its text name has it twice.
      fam('ops_total', 'counter', '', [
        ['ops_total_total', {}, 3],
        ['ops_total_created', {}, 1.7e9],
      ]),
      // info `build` is the gauge `build_info`.
      fam('build', 'info', '', [['build_info', { version: '1' }, 1]]),
      // stateset is a gauge, unknown is untyped.
      fam('state_total', 'stateset', 'x', [['state_total', { state_total: 'a' }, 1]]),
      fam('thing_total', 'unknown', 'x', [['thing_total', {}, 1]]),
      // gaugehistogram is a histogram whose _gsum and _gcount are gauges of their own.
      fam('queue_seconds', 'gaugehistogram', 'x', [
        ['queue_seconds_bucket', { le: '+Inf' }, 1],
        ['queue_seconds_gsum', {}, 1],
        ['queue_seconds_gcount', {}, 1],
      ]),
    ];
    expect(messages(families)).toEqual([
      'build_info no help text',
      'ops_total_created no help text',
      'ops_total_total no help text',
      'requests_created no help text',
      'requests_total no help text',
      'state_total non-counter metrics should not have "_total" suffix',
    ]);
  });

  it('judges families of one name once, and skips families without samples', () => {
    const families = [
      fam('foo', 'untyped', '', [['foo', { a: '1' }, 1]]),
      fam('bar', 'gauge', 'x', [['bar', {}, 1]]),
      fam('foo', 'untyped', '', [['foo', { a: '2' }, 1]]),
      fam('emptyCamel', 'gauge', '', []),
    ];
    expect(messages(families)).toEqual(['foo no help text']);
  });

  it('sorts by metric name in byte order, as Go does', () => {
    const families = [one('z_\u{1F600}', 'gauge', {}, ''), one('z_\uFF21', 'gauge', {}, ''), one('z_a', 'gauge', {}, '')];
    expect(lint(families).map((f) => f.metric)).toEqual(['z_a', 'z_\uFF21', 'z_\u{1F600}']);
  });
});

describe('lint: structural checks', () => {
  it('reports duplicate series once per repeated series, ignoring label order, keeping distinct timestamps', () => {
    const g = fam('temp_celsius', 'gauge', 'x', [
      ['temp_celsius', { a: '1', b: '2' }, 1],
      ['temp_celsius', { b: '2', a: '1' }, 2],
      ['temp_celsius', { a: '1', b: '2' }, 3],
      ['temp_celsius', { a: '2', b: '2' }, 1, 1000],
      ['temp_celsius', { a: '2', b: '2' }, 1, 2000],
    ]);
    expect(messages([g], true)).toEqual(['temp_celsius metric not unique', 'temp_celsius metric not unique']);
    const h = fam('lat_seconds', 'histogram', 'x', [
      ['lat_seconds_bucket', { le: '+Inf' }, 1],
      ['lat_seconds_count', {}, 1],
      ['lat_seconds_bucket', { le: '+Inf' }, 1],
      ['lat_seconds_count', {}, 1],
    ]);
    expect(messages([h], true)).toEqual(['lat_seconds metric not unique']);
  });

  it('reports samples that do not belong to their family', () => {
    const f = fam('foo_seconds', 'histogram', 'x', [
      ['foo_seconds_bucket', { le: '+Inf' }, 1],
      ['foo_seconds_count', {}, 1],
      ['foo_seconds_total', {}, 1],
    ]);
    expect(messages([f], true)).toEqual([
      'foo_seconds sample "foo_seconds_total" does not belong to histogram family "foo_seconds" ' +
        '(expected "foo_seconds_bucket", "foo_seconds_count", "foo_seconds_sum", "foo_seconds_created")',
    ]);
  });

  it('checks histogram buckets: le present and numeric, cumulative, +Inf present and equal to the count', () => {
    const f = fam('lat_seconds', 'histogram', 'x', [
      ['lat_seconds_bucket', { path: '/a', le: '0.1' }, 5],
      ['lat_seconds_bucket', { path: '/a', le: '1' }, 3],
      ['lat_seconds_bucket', { path: '/a', le: '+Inf' }, 6],
      ['lat_seconds_count', { path: '/a' }, 7],
      ['lat_seconds_bucket', { path: '/b', le: '1' }, 1],
      ['lat_seconds_count', { path: '/b' }, 1],
      ['lat_seconds_bucket', { path: '/c' }, 1],
      ['lat_seconds_bucket', { path: '/c', le: 'big' }, 1],
    ]);
    expect(messages([f], true)).toEqual([
      'lat_seconds bucket lat_seconds_bucket{path="/c",le="big"} has le="big", expected a number',
      'lat_seconds bucket lat_seconds_bucket{path="/c"} has no "le" label',
      'lat_seconds buckets of lat_seconds_count{path="/a"} are not cumulative: le="1" has 3, less than le="0.1" with 5',
      'lat_seconds lat_seconds_count of lat_seconds_count{path="/a"} is 7, expected the le="+Inf" bucket\'s 6',
      'lat_seconds lat_seconds_count{path="/b"} has no le="+Inf" bucket',
    ]);
  });

  it('checks summary quantiles and counter values', () => {
    const s = fam('rpc_seconds', 'summary', 'x', [
      ['rpc_seconds', { quantile: '1.5' }, 1],
      ['rpc_seconds', {}, 1],
      ['rpc_seconds', { quantile: '0.5' }, NaN],
    ]);
    const c = fam('errors_total', 'counter', 'x', [
      ['errors_total', { a: '1' }, -1],
      ['errors_total', { a: '2' }, NaN],
      ['errors_total', { a: '3' }, 0],
    ]);
    expect(messages([s, c], true)).toEqual([
      'errors_total counter value must be a non-negative number, got -1 for errors_total{a="1"}',
      'errors_total counter value must be a non-negative number, got NaN for errors_total{a="2"}',
      'rpc_seconds quantile sample rpc_seconds has no "quantile" label',
      'rpc_seconds quantile sample rpc_seconds{quantile="1.5"} has quantile="1.5", expected a number from 0 to 1',
    ]);
  });

  it('runs by default and is off with structural: false', () => {
    const f = fam('errors_total', 'counter', 'x', [['errors_total', {}, -1]]);
    expect(lint([f])).toHaveLength(1);
    expect(lint([f], { structural: false })).toEqual([]);
  });
});
