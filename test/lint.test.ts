import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import { formatFindings, lint, promtoolReadError } from '../src/toolkit/lint.js';
import { makeFamily, type Labels, type MetricFamily, type MetricType, type NativeHistogram, type Sample } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { runCli } from './helpers/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LINT_FIXTURES = path.join(ROOT, 'fixtures', 'lint');

type S = [name: string, labels: Labels, value: number, timestamp?: number];

function fam(name: string, type: MetricType, help: string, samples: S[], unit = ''): MetricFamily {
  return makeFamily({
    name,
    type,
    help,
    unit,
    samples: samples.map(([n, labels, value, ts]): Sample => ({ name: n, labels, value, timestamp: ts ?? null })),
  });
}

/** A one-sample family with help, of the given name and type. */
function one(name: string, type: MetricType, labels: Labels = {}, help = 'x'): MetricFamily {
  return fam(name, type, help, [[name, labels, 1]]);
}

function messages(families: MetricFamily[], structural = false): string[] {
  return lint(families, { structural }).map((f) => `${f.metric} ${f.message}`);
}

/**
 * The goldens: `promtool check metrics` 3.5.3's exit status and stderr on
 * each payload (fixtures/lint/capture.sh; versions in fixtures/lint/README.md).
 */
const EXIT_CODES = JSON.parse(readFileSync(path.join(LINT_FIXTURES, 'golden', 'exit-codes.json'), 'utf8')) as Record<string, number>;

function golden(file: string): { code: number; stderr: string; bytes: Buffer } {
  const code = EXIT_CODES[file];
  if (code === undefined) throw new Error(`no golden exit status for ${file} in fixtures/lint/golden/exit-codes.json`);
  return {
    code,
    stderr: readFileSync(path.join(LINT_FIXTURES, 'golden', `${path.basename(file)}.stderr`), 'utf8'),
    bytes: readFileSync(path.join(LINT_FIXTURES, file)),
  };
}

const cli = (argv: string[], stdin = '') => runCli(argv, { stdin });

describe('lint: the same findings as promtool 3.5.3 on real payloads (golden files)', () => {
  it('has goldens for the four real programs, the older fixtures and the rules payload', () => {
    expect(Object.keys(EXIT_CODES).sort()).toEqual(
      [
        'node_exporter-1.11.1.prom',
        'prometheus-3.5.3.prom',
        'pushgateway-1.11.2.prom',
        'rules.prom',
        'victoria-metrics-1.145.prom',
        '../federate.prom',
        '../node_exporter.prom',
        '../prometheus.prom',
        '../pushgateway.prom',
        '../python_client.prom',
        '../python_client.om.txt',
      ].sort(),
    );
    // What promtool 3.5.3 said when the goldens were recorded.
    expect(EXIT_CODES['prometheus-3.5.3.prom']).toBe(0);
    expect(golden('node_exporter-1.11.1.prom').stderr.split('\n')).toHaveLength(67);
    expect(golden('victoria-metrics-1.145.prom').stderr.split('\n')).toHaveLength(245);
  });

  const readable = Object.keys(EXIT_CODES).filter((f) => EXIT_CODES[f] !== 1);
  it.each(readable)("%s: lint() + formatFindings() print promtool's stderr byte for byte", (file) => {
    const g = golden(file);
    const findings = lint(parse(g.bytes, { format: 'text' }), { structural: false });
    expect(formatFindings(findings)).toBe(g.stderr);
    expect(findings.length === 0 ? 0 : 3).toBe(g.code);
  });

  it.each(readable)('%s: promwire lint exits as promtool does and prints the same lines', async (file) => {
    const g = golden(file);
    const r = await cli(['lint', path.join(LINT_FIXTURES, file)]);
    expect(r).toEqual({ code: g.code, stdout: g.stderr, stderr: '' });
  });

  it('prometheus-3.5.3.prom: clean, where the promtool 2.42 rules found a type word in a counter name', () => {
    const families = parse(golden('prometheus-3.5.3.prom').bytes, { format: 'text' });
    const name = 'prometheus_target_scrapes_exceeded_native_histogram_bucket_limit_total';
    expect(families.find((f) => f.name === name)?.type).toBe('counter');
    expect(lint(families)).toEqual([]);
  });

  it('python_client.om.txt: promtool cannot read OpenMetrics (exit 1), nor can the text parser', async () => {
    const g = golden('../python_client.om.txt');
    expect(g.code).toBe(1);
    expect(g.stderr).toMatch(/^error while linting: text format parsing error in line 46/);
    expect(() => parse(g.bytes, { format: 'text' })).toThrow(PromwireError);
    const r = await cli(['lint', path.join(LINT_FIXTURES, '../python_client.om.txt'), '--format', 'text']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });
});

describe('lint: promtool 3.5.3 rules, one at a time', () => {
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
      one('some_unknown_thing', 'unknown'),
    ];
    expect(lint(families)).toEqual([]);
    expect(formatFindings(lint(families))).toBe('');
  });

  // Each row: a family and promtool 3.5.3's findings for the text promwire
  // writes of it (the integration test checks rows like these against the
  // real promtool).
  const cases: [string, MetricFamily, string[]][] = [
    ['no help', one('nohelp', 'gauge', {}, ''), ['nohelp no help text']],
    ['counter without _total', one('requests', 'counter'), ['requests counter metrics should have "_total" suffix']],
    ['gauge with _total', one('req_total', 'gauge'), ['req_total non-counter metrics should not have "_total" suffix']],
    ['unknown with _total', one('req_total', 'unknown'), []],
    ['non-base unit', one('mem_kilobits', 'gauge'), ['mem_kilobits use base unit "bytes" instead of "kilobits"']],
    ['hours', one('hours_total', 'counter'), ['hours_total use base unit "seconds" instead of "hours"']],
    ['kelvins', one('temp_kelvins', 'gauge'), ['temp_kelvins use base unit "kelvin" instead of "kelvins"']],
    ['base unit', one('temp_kelvin', 'gauge'), []],
    ['word that ends like a unit', one('thermometers_count_ratio', 'unknown'), []],
    // promlint v1.22 walks the segments in order; v1.14 walked a Go map (either finding, at random).
    ["two unit words: the first segment's", one('foo_hours_bits', 'gauge'), ['foo_hours_bits use base unit "seconds" instead of "hours"']],
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
    [
      'summary named _sum',
      fam('x_sum', 'summary', 'x', [
        ['x_sum_sum', {}, 1],
        ['x_sum_count', {}, 1],
      ]),
      [],
    ],
    ['unknown with le', one('foo', 'unknown', { le: '1' }), []],
    ['own type in name', one('thing_counter_total', 'counter'), ["thing_counter_total metric name should not include type 'counter'"]],
    // promtool 3.5.3 looks for the family's own type only (2.42 reported 'gauge_histogram' and 'histogram' here too).
    [
      'gauge with gauge_histogram in name',
      one('x_gauge_histogram_y', 'gauge'),
      ["x_gauge_histogram_y metric name should not include type 'gauge'"],
    ],
    ['gauge named _histogram', one('queue_histogram', 'gauge'), []],
    ['unknown named _gauge', one('temp_gauge', 'unknown'), []],
    ['info is a gauge in text', one('build_gauge_info', 'info'), ["build_gauge_info metric name should not include type 'gauge'"]],
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

  it('metric not unique: once per Metric whose label list recurs later, labels in order, timestamps ignored', () => {
    const g = fam('temp_celsius', 'gauge', 'x', [
      ['temp_celsius', { a: '1' }, 1],
      ['temp_celsius', { a: '1' }, 2],
      ['temp_celsius', { a: '1' }, 3],
      ['temp_celsius', { a: '1', b: '2' }, 1],
      ['temp_celsius', { b: '2', a: '1' }, 1],
      ['temp_celsius', { a: '2' }, 1, 1000],
      ['temp_celsius', { a: '2' }, 1, 2000],
      ['temp_celsius', { a: '' }, 1],
      ['temp_celsius', {}, 1],
    ]);
    // {a=1} three times: 2; {a=1,b=2} vs {b=2,a=1}: none (reflect.DeepEqual on the ordered list);
    // {a=2} at two timestamps: 1; {a=""} vs {}: none (expfmt keeps the empty label).
    expect(messages([g])).toEqual(Array(3).fill('temp_celsius metric not unique'));
    // A repeated histogram or summary folds into one Metric in expfmt: no finding.
    const h = fam('lat_seconds', 'histogram', 'x', [
      ['lat_seconds_bucket', { le: '+Inf' }, 1],
      ['lat_seconds_count', {}, 1],
      ['lat_seconds_bucket', { le: '+Inf' }, 1],
      ['lat_seconds_count', {}, 1],
    ]);
    expect(messages([h])).toEqual([]);
  });

  it('metric not unique across a repeated block: families of one name are judged as one', () => {
    // The parser gives `rep_bytes` twice when its samples are split by another family.
    const text = '# HELP rep_bytes x\n# TYPE rep_bytes gauge\nrep_bytes{x="1"} 1\n# HELP b x\n# TYPE b gauge\nb 1\nrep_bytes{x="1"} 2\n';
    const families = parse(new TextEncoder().encode(text), { format: 'text' });
    expect(families.filter((f) => f.name === 'rep_bytes').length).toBeGreaterThanOrEqual(1);
    expect(messages(families)).toEqual(['rep_bytes metric not unique']);
    // Built by hand: two families `foo` (one without help), one empty family.
    expect(
      messages([
        fam('foo', 'unknown', '', [['foo', { a: '1' }, 1]]),
        fam('bar', 'gauge', 'x', [['bar', {}, 1]]),
        fam('foo', 'unknown', '', [['foo', { a: '1' }, 1]]),
        fam('emptyCamel', 'gauge', '', []),
      ]),
    ).toEqual(['foo metric not unique', 'foo no help text']);
  });

  it('judges families as the text 0.0.4 promwire writes of them, the only format promtool reads', () => {
    const native: NativeHistogram = {
      kind: 'integer',
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 1,
      sum: 1,
      positiveSpans: [{ offset: 0, length: 1 }],
      positiveBuckets: [1],
      negativeSpans: [],
      negativeBuckets: [],
    };
    const families: MetricFamily[] = [
      // A counter with start timestamps: text has them as a gauge `requests_created`, with the counter's HELP.
      makeFamily({
        name: 'requests_total',
        type: 'counter',
        help: 'x',
        unit: '',
        samples: [{ name: 'requests_total', labels: { path: '/' }, value: 3, timestamp: null, startTimestamp: 1.7e12 }],
      }),
      // A hand-built counter `ops` with samples `ops_total`: the encoder
      // writes it under its series' name, `# TYPE ops_total counter`.
      fam('ops', 'counter', 'x', [['ops_total', {}, 3]]),
      // info, stateset are gauges; unknown is untyped (exempt from the _total rule).
      fam('build_info', 'info', '', [['build_info', { version: '1' }, 1]]),
      fam('state_total', 'stateset', 'x', [['state_total', { state_total: 'a' }, 1]]),
      fam('thing_total', 'unknown', 'x', [['thing_total', {}, 1]]),
      // gaugehistogram is a histogram whose _gsum and _gcount are gauges of their own, with its HELP.
      fam('queue_seconds', 'gaugehistogram', 'x', [
        ['queue_seconds_bucket', { le: '+Inf' }, 1],
        ['queue_seconds_gsum', {}, 1],
        ['queue_seconds_gcount', {}, 1],
      ]),
      // A native histogram is its +Inf bucket, count and sum: one Metric, no finding.
      makeFamily({
        name: 'rpc_seconds',
        type: 'histogram',
        help: 'x',
        unit: '',
        samples: [{ name: 'rpc_seconds', labels: {}, value: native, timestamp: null }],
      }),
    ];
    expect(messages(families)).toEqual(['build_info no help text', 'state_total non-counter metrics should not have "_total" suffix']);
  });

  it('sorts by metric name in byte order, as Go does', () => {
    const families = [one('z_\u{1F600}', 'gauge', {}, ''), one('z_\uFF21', 'gauge', {}, ''), one('z_a', 'gauge', {}, '')];
    expect(lint(families).map((f) => f.metric)).toEqual(['z_a', 'z_\uFF21', 'z_\u{1F600}']);
  });

  it('promtoolReadError: a family met again with HELP or TYPE lines (expfmt readingHelp, readingType)', () => {
    const text = (t: string): MetricFamily[] => parse(new TextEncoder().encode(t), { format: 'text' });
    // Results checked against promtool 3.5.3 (the integration test asks it again).
    expect(promtoolReadError(text('# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n'))).toBeUndefined();
    expect(promtoolReadError(text('a 1\n# HELP a x\na 2\n'))).toBeUndefined();
    expect(promtoolReadError(text('a 1\n# TYPE a gauge\na 2\n'))).toBe(
      'second TYPE line for metric name "a", or TYPE reported after samples',
    );
    expect(promtoolReadError(text('# HELP a x\n# TYPE a gauge\na 1\n# HELP a x\na 2\n'))).toBe('second HELP line for metric name "a"');
    expect(promtoolReadError(text('# HELP a x\n# HELP b x\n# TYPE b gauge\nb 1\n# TYPE a gauge\na 1\n'))).toBeUndefined();
    // A gauge `s_count` after the summary `s` is filed under `s`: its HELP is a second one.
    expect(promtoolReadError(text('# HELP s x\n# TYPE s summary\ns_count 1\n# HELP s_count x\n# TYPE s_count gauge\ns_count 2\n'))).toBe(
      'second HELP line for metric name "s"',
    );
  });

  it('a histogram block repeated without HELP and TYPE joins the histogram, as in expfmt: no findings', () => {
    const t =
      '# HELP h x\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n# HELP b x\n# TYPE b gauge\nb 1\nh_bucket{le="+Inf"} 1\nh_count 1\n';
    const families = parse(new TextEncoder().encode(t), { format: 'text' });
    expect(families.map((f) => f.name)).toContain('h_bucket');
    expect(messages(families)).toEqual([]);
    expect(promtoolReadError(families)).toBeUndefined();
  });

  it('promtoolReadError: the first name promtool 3.5.3 cannot read (legacy names only)', async () => {
    expect(promtoolReadError([one('a:b', 'gauge', { le: '1' })])).toBeUndefined();
    expect(promtoolReadError([one('ok', 'gauge'), one('my.metric', 'gauge')])).toBe('invalid metric name "my.metric"');
    expect(promtoolReadError([one('ok', 'gauge', { 'my.label': '1' })])).toBe('invalid label name "my.label"');
    expect(promtoolReadError([one('ok', 'gauge', { 'a:b': '1' })])).toBe('invalid label name "a:b"');
    expect(promtoolReadError([fam('my.empty', 'gauge', 'x', [])])).toBe('invalid metric name "my.empty"');
  });
});

describe('lint: structural checks', () => {
  it('reports series Prometheus rejects as duplicates that promtool does not: labels reordered, repeated histogram samples', () => {
    const g = fam('temp_celsius', 'gauge', 'x', [
      ['temp_celsius', { a: '1', b: '2' }, 1],
      ['temp_celsius', { b: '2', a: '1' }, 2],
      ['temp_celsius', { a: '1', b: '2' }, 3],
      ['temp_celsius', { a: '2', b: '2' }, 1, 1000],
      ['temp_celsius', { a: '2', b: '2' }, 1, 2000],
    ]);
    expect(messages([g], true)).toEqual([
      'temp_celsius metric not unique',
      'temp_celsius metric not unique',
      'temp_celsius series temp_celsius{b="2",a="1"} is repeated: Prometheus rejects the scrape (duplicate sample for timestamp)',
    ]);
    const h = fam('lat_seconds', 'histogram', 'x', [
      ['lat_seconds_bucket', { le: '+Inf' }, 1],
      ['lat_seconds_count', {}, 1],
      ['lat_seconds_bucket', { le: '+Inf' }, 1, 5],
      ['lat_seconds_bucket', { le: '+Inf' }, 1],
      ['lat_seconds_count', {}, 1],
    ]);
    expect(messages([h], true)).toEqual([
      'lat_seconds series lat_seconds_bucket{le="+Inf"} is repeated: Prometheus rejects the scrape (duplicate sample for timestamp)',
      'lat_seconds series lat_seconds_count is repeated: Prometheus rejects the scrape (duplicate sample for timestamp)',
    ]);
  });

  it('reports samples that do not belong to their family', () => {
    const f = fam('foo_seconds', 'histogram', 'x', [
      ['foo_seconds_bucket', { le: '+Inf' }, 1],
      ['foo_seconds_count', {}, 1],
      ['foo_seconds_total', {}, 1],
    ]);
    expect(messages([f], true)).toEqual([
      'foo_seconds sample "foo_seconds_total" does not belong to histogram family "foo_seconds" ' +
        '(expected "foo_seconds", "foo_seconds_bucket", "foo_seconds_count", "foo_seconds_sum")',
      // ...and promtool reads it as an untyped family of its own.
      'foo_seconds_total no help text',
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

  it('runs by default and is off with structural: false; the CLI runs it only with --structural', async () => {
    const f = fam('errors_total', 'counter', 'x', [['errors_total', {}, -1]]);
    expect(lint([f])).toHaveLength(1);
    expect(lint([f], { structural: false })).toEqual([]);
    const rules = path.join(LINT_FIXTURES, 'rules.prom');
    const plain = await cli(['lint', rules]);
    const withStructural = await cli(['lint', rules, '--structural']);
    expect(plain.stdout).toBe(golden('rules.prom').stderr);
    const extra = withStructural.stdout.split('\n').filter((l) => !plain.stdout.split('\n').includes(l));
    expect(extra).toEqual([
      'dup_total series dup_total{b="2",a="1"} is repeated: Prometheus rejects the scrape (duplicate sample for timestamp)',
      'hist_seconds series hist_seconds_bucket{le="+Inf"} is repeated: Prometheus rejects the scrape (duplicate sample for timestamp)',
      'hist_seconds series hist_seconds_bucket{le="1.0"} is repeated: Prometheus rejects the scrape (duplicate sample for timestamp)',
      'hist_seconds series hist_seconds_count is repeated: Prometheus rejects the scrape (duplicate sample for timestamp)',
      'hist_seconds series hist_seconds_sum is repeated: Prometheus rejects the scrape (duplicate sample for timestamp)',
    ]);
  });

  it('the CLI exits 1, as promtool 3.5.3 does, on a name outside the legacy set', async () => {
    const r = await cli(['lint'], '# TYPE "my.metric" gauge\n{"my.metric"} 1\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'promwire: lint: invalid metric name "my.metric" (promtool 3.5.3 cannot read this payload, so it does not lint it)\n',
    );
    const again = await cli(['lint'], '# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\n# TYPE a gauge\na 2\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('second TYPE line for metric name "a", or TYPE reported after samples');
  });
});
