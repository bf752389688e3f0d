import { describe, expect, it } from 'vitest';
import { Entry, Parser, PromwireError, parse, type ErrorCode, type MetricFamily } from '../src/index.js';

const enc = new TextEncoder();

function text(s: string): MetricFamily[] {
  return parse(s, { format: 'text' });
}
function om(s: string): MetricFamily[] {
  return parse(s, { format: 'openmetrics' });
}
function samplesOf(fams: MetricFamily[]) {
  return fams.flatMap((f) => f.samples);
}

describe('text 0.0.4: what Prometheus accepts, with its meaning', () => {
  it('refuses a negative timestamp, as Prometheus 3.5 does (promlex `{D}+`), though the format document shows one', () => {
    expect(() => text('something_weird{problem="division by zero"} +Inf -3982045\n')).toThrow(/expected an integer timestamp/);
  });

  it('reads HELP, TYPE, samples, labels, timestamps', () => {
    const fams = text(
      [
        '# HELP http_requests_total The total number of HTTP requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400"}    3 1395066363000',
        '',
        '# A comment',
        'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
        'metric_without_timestamp_and_labels 12.47',
        // The format document's example has -3982045; Prometheus 3.5 refuses a minus there (see below).
        'something_weird{problem="division by zero"} +Inf 3982045',
      ].join('\n'),
    );
    expect(fams.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['http_requests_total', 'counter', 2],
      ['msdos_file_access_time_seconds', 'unknown', 1],
      ['metric_without_timestamp_and_labels', 'unknown', 1],
      ['something_weird', 'unknown', 1],
    ]);
    expect(fams[0]!.help).toBe('The total number of HTTP requests.');
    expect(fams[0]!.samples[1]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'post', code: '400' },
      value: 3,
      timestamp: 1395066363000,
    });
    expect(fams[1]!.samples[0]!.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(fams[1]!.samples[0]!.value).toBe(1458255915);
    expect(fams[3]!.samples[0]).toMatchObject({ value: Infinity, timestamp: 3982045 });
  });

  it('groups histogram and summary series into their family', () => {
    const fams = text(
      [
        '# TYPE h histogram',
        'h_bucket{le="0.05",path="/a"} 24054',
        'h_bucket{le="+Inf",path="/a"} 144320',
        'h_sum{path="/a"} 53423',
        'h_count{path="/a"} 144320',
        'h_bucket{le="+Inf",path="/b"} 1',
        'h_sum{path="/b"} 1',
        'h_count{path="/b"} 1',
        '# TYPE s summary',
        's{quantile="0.5"} 4773',
        's_sum 1.7560473e+07',
        's_count 2693',
      ].join('\n'),
    );
    expect(fams.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['h', 'histogram', 7],
      ['s', 'summary', 3],
    ]);
    expect(fams[1]!.samples[1]!.value).toBe(17560473);
  });

  it.each([
    [
      'blanks around tokens and at line start',
      '  a { x = "1" , y="2" }   3   4  \n',
      { labels: { x: '1', y: '2' }, value: 3, timestamp: 4 },
    ],
    ['tabs as blanks', 'a\t{x="1"}\t3\n', { labels: { x: '1' }, value: 3 }],
    ['no blank between } and the value', 'a{x="1"}3\n', { value: 3 }],
    ['a trailing comma in labels', 'a{x="1",} 3\n', { labels: { x: '1' } }],
    ['blanks instead of commas', 'a{x="1" y="2"} 3\n', { labels: { x: '1', y: '2' } }],
    ['empty braces', 'a{} 3\n', { labels: {} }],
    ['no final line feed', 'a 3', { value: 3 }],
    ['NaN', 'a NaN\n', { value: NaN }],
    ['nan, any case', 'a nAn\n', { value: NaN }],
    ['-Inf', 'a -Inf\n', { value: -Infinity }],
    ['+inf lower case and infinity', 'a +infinity\n', { value: Infinity }],
    ['leading dot and trailing dot', 'a .5\nb 1.\n', { value: 0.5 }],
    ['exponent', 'a 1E-3\n', { value: 0.001 }],
    ['a 17-digit integer', 'a 12345678901234567\n', { value: 12345678901234567 }],
    ['unknown escapes kept verbatim', 'a{x="\\t\\a"} 1\n', { labels: { x: '\\t\\a' } }],
    ['a raw line feed inside a label value', 'a{x="line1\nline2"} 1\n', { labels: { x: 'line1\nline2' } }],
    ['UTF-8 label value', 'a{x="日本語 ✓"} 1\n', { labels: { x: '日本語 ✓' } }],
    [
      'quoted UTF-8 metric name (Prometheus 3)',
      '{"my.metric", "label.name"="v"} 1\n',
      { name: 'my.metric', labels: { 'label.name': 'v' } },
    ],
    ['quoted metric name after labels', '{a="1", "my.metric"} 1\n', { name: 'my.metric', labels: { a: '1' } }],
    ['metric name with colons', 'job:rate5m 1\n', { name: 'job:rate5m' }],
  ])('accepts %s', (_what, payload, expected) => {
    const s = samplesOf(text(payload))[0];
    expect(s).toMatchObject(expected);
  });

  it('keeps a label named __proto__ as a label', () => {
    const labels = samplesOf(text('a{__proto__="x",b="y"} 1\n'))[0]!.labels;
    expect(Object.entries(labels)).toEqual([
      ['__proto__', 'x'],
      ['b', 'y'],
    ]);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });

  it('reads the value token right after the name, as promlex does', () => {
    // promlex: after a metric name, `[^{ \t\n]+` is the value: `a-1 2` is a = -1 at 2.
    expect(samplesOf(text('a-1 2\n'))[0]).toMatchObject({ name: 'a', value: -1, timestamp: 2 });
  });

  it('stops at a NUL byte at a line start without an error, as promlex does', () => {
    expect(samplesOf(text('a 1\n\0b 2\n')).map((s) => s.name)).toEqual(['a']);
  });

  it('treats HELP and TYPE without a following blank as comments', () => {
    const p = new Parser(enc.encode('# HELP\n#TYPE a counter\n# EOF\n'), { format: 'text' });
    expect([p.next(), p.next(), p.next(), p.next()]).toEqual([Entry.Comment, Entry.Comment, Entry.Comment, Entry.EOF]);
  });

  it('reads HELP text after one separating blank, with HELP escapes only', () => {
    const fams = text('# HELP a  two\\nlines \\\\ and \\"quotes\\"\n# HELP b\n');
    expect(fams[0]!.help).toBe(' two\nlines \\ and \\"quotes\\"');
    expect(fams[1]!.help).toBe('');
  });
});

interface BadCase {
  what: string;
  payload: string;
  code: ErrorCode;
  line: number;
  column: number;
}

describe('text 0.0.4: what Prometheus rejects', () => {
  const cases: BadCase[] = [
    { what: 'a label name starting with a digit', payload: 'a{1x="1"} 1\n', code: 'INVALID_LABEL_NAME', line: 1, column: 3 },
    { what: 'an unquoted label value', payload: 'a{x=1} 1\n', code: 'INVALID_LABEL_VALUE', line: 1, column: 5 },
    { what: 'a missing =', payload: 'ok 1\na{x "1"} 1\n', code: 'UNEXPECTED_CHARACTER', line: 2, column: 5 },
    { what: 'an unterminated label value', payload: 'a{x="1} 1\n', code: 'UNEXPECTED_END', line: 1, column: 5 },
    { what: 'a missing value', payload: 'a\n', code: 'INVALID_VALUE', line: 1, column: 2 },
    { what: 'a hex value', payload: 'a 0x1A\n', code: 'INVALID_VALUE', line: 1, column: 3 },
    { what: 'an underscore in a value', payload: 'a 1_000\n', code: 'INVALID_VALUE', line: 1, column: 3 },
    { what: 'a value that overflows', payload: 'a 1e400\n', code: 'INVALID_VALUE', line: 1, column: 3 },
    { what: 'a signed NaN', payload: 'a +NaN\n', code: 'INVALID_VALUE', line: 1, column: 3 },
    { what: 'a float timestamp', payload: '# TYPE a gauge\na 1 1.5\n', code: 'INVALID_TIMESTAMP', line: 2, column: 5 },
    { what: 'a timestamp over int64', payload: 'a 1 9223372036854775808\n', code: 'INVALID_TIMESTAMP', line: 1, column: 5 },
    { what: 'text after the timestamp', payload: 'a 1 2 3\n', code: 'UNEXPECTED_CHARACTER', line: 1, column: 7 },
    { what: 'CRLF line ends', payload: 'a 1\r\n', code: 'INVALID_VALUE', line: 1, column: 3 },
    { what: 'an exemplar', payload: 'a 1 # {t="1"} 1\n', code: 'INVALID_TIMESTAMP', line: 1, column: 5 },
    { what: 'an unknown TYPE', payload: '# TYPE a gaugehistogram\n', code: 'INVALID_METADATA', line: 1, column: 10 },
    { what: 'a TYPE with trailing text', payload: '# TYPE a counter x\n', code: 'INVALID_METADATA', line: 1, column: 10 },
    { what: 'HELP with no name', payload: '# HELP \n', code: 'INVALID_METRIC_NAME', line: 1, column: 8 },
    { what: 'invalid UTF-8 in a label value', payload: 'a{x="\xff"} 1\n', code: 'INVALID_UTF8', line: 1, column: 6 },
    { what: 'a duplicate label name', payload: 'a{x="1",x="2"} 1\n', code: 'DUPLICATE_LABEL', line: 1, column: 9 },
    { what: 'two quoted metric names', payload: '{"a","b"} 1\n', code: 'INVALID_METRIC_NAME', line: 1, column: 6 },
    { what: 'a quoted name after a bare name', payload: 'a{"b"} 1\n', code: 'INVALID_METRIC_NAME', line: 1, column: 3 },
    { what: 'braces with no metric name', payload: '{x="1"} 1\n', code: 'INVALID_METRIC_NAME', line: 1, column: 1 },
    { what: 'a leading comma in labels', payload: 'a{,x="1"} 1\n', code: 'INVALID_LABEL_NAME', line: 1, column: 3 },
    { what: 'two commas', payload: 'a{x="1",,y="2"} 1\n', code: 'INVALID_LABEL_NAME', line: 1, column: 9 },
    { what: 'an error after a multi-line label value', payload: 'a{x="1\n2"} z\n', code: 'INVALID_VALUE', line: 2, column: 5 },
  ];
  it.each(cases.map((c) => [c.what, c] as const))('rejects %s', (_what, c) => {
    const bytes = Uint8Array.from(c.payload, (ch) => ch.charCodeAt(0) & 0xff);
    const payload = c.payload.includes('日') ? enc.encode(c.payload) : /[^\x00-\xff]/.test(c.payload) ? enc.encode(c.payload) : bytes;
    let err: unknown;
    try {
      parse(payload, { format: 'text' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromwireError);
    const e = err as PromwireError;
    expect({ code: e.code, line: e.line, column: e.column }).toEqual({ code: c.code, line: c.line, column: c.column });
    expect(e.message).toContain(`line ${c.line} column ${c.column}`);
  });

  it('says what was expected, what was found, where, with a snippet', () => {
    try {
      text('# TYPE a gauge\na{path="/x"} 12,5\n');
      expect.unreachable();
    } catch (e) {
      const err = e as PromwireError;
      expect(err.message).toBe('expected a number as value, got "12,5" at line 2 column 14\n  a{path="/x"} 12,5\n               ^');
      expect(err.offset).toBe(15 + 13);
    }
  });
});

describe('pull API', () => {
  it('walks entries with accessors that build strings only on request', () => {
    const p = new Parser(enc.encode('# HELP a Help.\n# TYPE a gauge\n# just a comment\na{x="1",y="2"} 3 4\n'), { format: 'text' });
    expect(p.format).toBe('text');
    expect(p.next()).toBe(Entry.Help);
    expect([p.familyName(), p.help()]).toEqual(['a', 'Help.']);
    expect(p.next()).toBe(Entry.Type);
    expect([p.familyName(), p.type()]).toEqual(['a', 'gauge']);
    expect(p.next()).toBe(Entry.Comment);
    expect(p.comment()).toBe('# just a comment');
    expect(p.next()).toBe(Entry.Series);
    expect(p.metricName()).toBe('a');
    expect(p.labelCount()).toBe(2);
    expect([p.labelName(1), p.labelValue(1)]).toEqual(['y', '2']);
    expect(p.value()).toBe(3);
    expect(p.timestamp()).toBe(4);
    expect(new TextDecoder().decode(p.seriesBytes())).toBe('a{x="1",y="2"}');
    expect(p.line()).toBe(4);
    expect(() => p.labelName(2)).toThrow(RangeError);
    expect(p.next()).toBe(Entry.EOF);
    expect(p.next()).toBe(Entry.EOF);
  });

  it('gives equal series the same hash and different series different hashes', () => {
    const p = new Parser(enc.encode('a{x="1"} 1\na{x="1"} 2\na{x="2"} 3\n'), { format: 'text' });
    const hashes: number[] = [];
    while (p.next() !== Entry.EOF) hashes.push(p.seriesHash());
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[0]).not.toBe(hashes[2]);
  });

  it('reads OpenMetrics exemplars, units and second timestamps exactly', () => {
    const p = new Parser(
      enc.encode('# TYPE a counter\n# UNIT a \na_total{x="1"} 2 1520879607.789 # {trace_id="ab"} 0.5 1520879607.7\n# EOF\n'),
      { format: 'auto' },
    );
    expect(p.format).toBe('openmetrics');
    expect(p.next()).toBe(Entry.Type);
    expect(p.next()).toBe(Entry.Unit);
    expect(p.unit()).toBe('');
    expect(p.next()).toBe(Entry.Series);
    expect(p.timestamp()).toBe(1520879607789);
    expect(p.exemplar()).toEqual({ labels: { trace_id: 'ab' }, value: 0.5, timestamp: 1520879607700 });
    expect(p.next()).toBe(Entry.EOF);
  });

  it('decides the format from a Content-Type', () => {
    const body = enc.encode('a 1\n');
    expect(new Parser(body, { contentType: 'text/plain; version=0.0.4; charset=utf-8' }).format).toBe('text');
    expect(new Parser(body, { contentType: 'application/openmetrics-text; version=1.0.0' }).format).toBe('openmetrics');
  });
});

describe('OpenMetrics families', () => {
  it('builds counters, histograms with exemplars, info and stateset', () => {
    const fams = om(
      [
        '# TYPE req counter',
        '# HELP req Requests \\"served\\".',
        'req_total{m="get"} 5',
        'req_created{m="get"} 1.6e9',
        '# TYPE lat_seconds histogram',
        '# UNIT lat_seconds seconds',
        'lat_seconds_bucket{le="0.1"} 1 # {trace="t1"} 0.05 123.5',
        'lat_seconds_bucket{le="+Inf"} 2',
        'lat_seconds_count 2',
        'lat_seconds_sum 0.3',
        '# TYPE build info',
        'build_info{version="1.2"} 1',
        '# TYPE state stateset',
        'state{state="up"} 1',
        'state{state="down"} 0',
        '# EOF',
        '',
      ].join('\n'),
    );
    expect(fams.map((f) => [f.name, f.type, f.unit, f.samples.length])).toEqual([
      // The model names a counter and an info after their series; `_created` is the start timestamp.
      ['req_total', 'counter', '', 1],
      ['lat_seconds', 'histogram', 'seconds', 4],
      ['build_info', 'info', '', 1],
      ['state', 'stateset', '', 2],
    ]);
    expect(fams[0]!.help).toBe('Requests "served".');
    expect(fams[0]!.samples[0]).toEqual({ name: 'req_total', labels: { m: 'get' }, value: 5, timestamp: null, startTimestamp: 1.6e12 });
    expect(fams[1]!.samples[0]!.exemplars).toEqual([{ labels: { trace: 't1' }, value: 0.05, timestamp: 123500 }]);
    // Prometheus 3 stores a histogram's `le` in canonical spelling.
    expect(fams[1]!.samples.map((s) => s.labels.le)).toEqual(['0.1', '+Inf', undefined, undefined]);
  });

  it('reports a missing # EOF at the end', () => {
    expect(() => om('a 1\n')).toThrow(/expected "# EOF"/);
  });
});

describe('limits', () => {
  const payload = '# TYPE a gauge\na{x="1",y="22"} 1\na{x="1",y="2"} 2\n';
  it.each([
    ['maxLabels', { maxLabels: 1 }, 2],
    ['maxLabelNameLength', { maxLabelNameLength: 0 }, 2],
    ['maxLabelValueLength', { maxLabelValueLength: 1 }, 2],
    ['maxSeries', { maxSeries: 1 }, 3],
    ['maxLineLength', { maxLineLength: 16 }, 2],
  ] as const)('%s', (limit, opts, line) => {
    expect(() => parse(payload, { format: 'text', ...opts })).toThrow(PromwireError);
    try {
      parse(payload, { format: 'text', ...opts });
    } catch (e) {
      const err = e as PromwireError;
      expect(err.code).toBe('LIMIT_EXCEEDED');
      expect(err.limit).toBe(limit);
      expect(err.line).toBe(line);
      expect(err.message).toContain(limit);
    }
  });

  it('maxBodyBytes', () => {
    expect(() => parse(payload, { maxBodyBytes: 10 })).toThrow(/maxBodyBytes/);
  });

  it('is not relaxed by lenient mode', () => {
    expect(() => parse(payload, { format: 'text', maxSeries: 1, onError: () => {} })).toThrow(/maxSeries/);
  });
});

describe('error positions (fuzzer findings)', () => {
  const at = (payload: Uint8Array | string, format: 'text' | 'openmetrics') => {
    try {
      parse(payload, { format });
    } catch (e) {
      const err = e as PromwireError;
      return [err.code, err.line, err.column, err.offset];
    }
    return undefined;
  };

  it('points inside a multi-line label value, not after it', () => {
    expect(at(Uint8Array.from([0x7b, 0x66, 0x3d, 0x22, 0xff, 0x0a, 0x22]), 'text')).toEqual(['INVALID_UTF8', 1, 5, 4]);
  });

  it('puts a missing # EOF at the end of the last line, or on the line after it', () => {
    expect(at('# TYPE a gauge\n# HELP a ', 'openmetrics')).toEqual(['MISSING_EOF', 2, 10, 24]);
    expect(at('a 1\n', 'openmetrics')).toEqual(['MISSING_EOF', 2, 1, 4]);
    expect(at('', 'openmetrics')).toEqual(['MISSING_EOF', 1, 1, 0]);
  });

  it('counts lines right in lenient mode after a bad multi-line value', () => {
    const errors: PromwireError[] = [];
    parse('{a=""" \n{="', { format: 'text', onError: (e) => errors.push(e) });
    parse('{e=""o="\nt{e=""}0 F', { format: 'text', onError: (e) => errors.push(e) });
    // Each input is one bad entry (a quoted value runs past the first line
    // feed to the end): one error each, at its true position.
    expect(errors.map((e) => [e.line, e.column, e.offset])).toEqual([
      [2, 4, 11],
      [2, 6, 14],
    ]);
  });
});

describe('review findings', () => {
  it('keeps unknown OpenMetrics escapes as they are, in label values and HELP', () => {
    const fams = om('# HELP a x\\ty\n# TYPE a gauge\na{x="\\t\\q"} 1\n# EOF\n');
    expect(fams[0]!.help).toBe('x\\ty');
    expect(fams[0]!.samples[0]!.labels.x).toBe('\\t\\q');
  });

  it('finds duplicate label names that hold escapes', () => {
    expect(() => parse('a{"x\\\\y"="1","x\\\\y"="2"} 1\n', { format: 'text' })).toThrow(/appears twice/);
    expect(() => om('a{"x\\ny"="1","x\\ny"="2"} 1\n# EOF\n')).toThrow(/appears twice/);
  });

  it('counts exemplar characters after unescaping', () => {
    const payload = `# TYPE a counter\na_total 1 # {a="${'\\"'.repeat(64)}"} 1\n# EOF\n`;
    expect(om(payload)[0]!.samples[0]!.exemplars![0]!.labels.a).toBe('"'.repeat(64));
  });

  it('gives line() and offset() of where the entry starts', () => {
    const p = new Parser(enc.encode('a{x="1\n2"} 1\nb 1\n'), { format: 'text' });
    expect(p.next()).toBe(Entry.Series);
    expect([p.line(), p.offset()]).toEqual([1, 0]);
    expect(p.next()).toBe(Entry.Series);
    expect([p.line(), p.offset()]).toEqual([3, 13]);
  });

  it('skips a whole bad multi-line entry in lenient mode', () => {
    const errors: PromwireError[] = [];
    const fams = parse('a{x="1\nb 7\n"} zz\nc 1\n', { format: 'text', onError: (e) => errors.push(e) });
    expect(samplesOf(fams).map((s) => s.name)).toEqual(['c']);
    expect(errors.map((e) => e.code)).toEqual(['INVALID_VALUE']);
  });

  it('reports content after # EOF once in lenient mode', () => {
    const errors: PromwireError[] = [];
    parse('a 1\n# EOF\nb 2\nc 3\n', { format: 'openmetrics', onError: (e) => errors.push(e) });
    expect(errors.map((e) => [e.code, e.line])).toEqual([['CONTENT_AFTER_EOF', 3]]);
  });
});

describe('lenient mode', () => {
  it('skips bad lines, reports each, and keeps the rest', () => {
    const errors: PromwireError[] = [];
    const fams = parse('a 1\nb x\nc{ 2\nd 4\n', { format: 'text', onError: (e) => errors.push(e) });
    expect(samplesOf(fams).map((s) => s.name)).toEqual(['a', 'd']);
    expect(errors.map((e) => [e.code, e.line])).toEqual([
      ['INVALID_VALUE', 2],
      ['INVALID_LABEL_NAME', 3],
    ]);
  });

  it('reports a missing # EOF in OpenMetrics without throwing', () => {
    const errors: PromwireError[] = [];
    const fams = parse('a 1\n', { format: 'openmetrics', onError: (e) => errors.push(e) });
    expect(fams).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(['MISSING_EOF']);
  });
});
