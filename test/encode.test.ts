import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePayload, SMALL } from '../bench/generate.js';
import { formatFloat } from '../src/core/number.js';
import { encode, encodeChunks, encodeHeader, encodeToString } from '../src/encode/encoder.js';
import { normalizeNumber, omName } from '../src/model/rules.js';
import { ByteWriter } from '../src/encode/writer.js';
import { PromwireError } from '../src/errors.js';
import {
  type Exemplar,
  type FloatSample,
  type Format,
  type Labels,
  makeFamily,
  type MetricFamily,
  type Sample,
} from '../src/model/index.js';
import { parse } from '../src/parse/families.js';

const FIXTURES = join(__dirname, '..', 'fixtures');
const FIXTURE_FILES = [
  'node_exporter.prom',
  'prometheus.prom',
  'pushgateway.prom',
  'federate.prom',
  'python_client.prom',
  'python_client.om.txt',
];
const fixture = (f: string): Uint8Array => readFileSync(join(FIXTURES, f));

function s(name: string, labels: Labels, value: number, timestamp: number | null = null, exemplar?: Exemplar): FloatSample {
  const out: FloatSample = { name, labels, value, timestamp };
  if (exemplar !== undefined) out.exemplars = [exemplar];
  return out;
}

/** A sample with a start timestamp (OpenMetrics `_created`), in milliseconds. */
function st<T extends Sample>(x: T, startTimestamp: number): T {
  return { ...x, startTimestamp };
}

function fam(name: string, type: MetricFamily['type'], samples: Sample[], help = '', unit = ''): MetricFamily {
  return makeFamily({ name, type, help, unit, samples });
}

const text = (fs: MetricFamily[], escaping?: 'allow-utf-8' | 'underscores' | 'dots' | 'values'): string =>
  encodeToString(fs, escaping === undefined ? {} : { escaping });
const om = (fs: MetricFamily[], escaping?: 'allow-utf-8' | 'underscores' | 'dots' | 'values'): string =>
  encodeToString(fs, escaping === undefined ? { format: 'openmetrics' } : { format: 'openmetrics', escaping });

describe('values and numbers', () => {
  it('values are spelled as Go strconv.FormatFloat(v, g, -1, 64)', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '-0'],
      [1, '1'],
      [-1, '-1'],
      [123456, '123456'],
      [999999, '999999'],
      [1e6, '1e+06'],
      [1234567, '1.234567e+06'],
      [0.1, '0.1'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [-0.00425, '-0.00425'],
      [3.6750000000000003, '3.6750000000000003'],
      [1.7953547955641959e9, '1.7953547955641959e+09'],
      [NaN, 'NaN'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
      [Number.MAX_VALUE, '1.7976931348623157e+308'],
      [5e-324, '5e-324'],
    ];
    for (const [v, want] of cases) {
      expect(text([fam('x', 'gauge', [s('x', {}, v)])])).toBe(`# TYPE x gauge\nx ${want}\n`);
    }
  });

  it('the writer agrees with formatFloat on every kind of double', () => {
    const w = new ByteWriter(64);
    const dec = new TextDecoder();
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 200_000; i++) {
      const r = rnd();
      const k = i % 6;
      const v =
        k === 0
          ? r * 1e6
          : k === 1
            ? Math.round(r * 1e6) / 10 ** (1 + (i % 9))
            : k === 2
              ? (r - 0.5) * 10 ** ((i % 24) - 12)
              : k === 3
                ? Number((r * 1000).toFixed(i % 7))
                : k === 4
                  ? Math.round(r * 2 ** 53) * (i % 2 ? 1 : -1)
                  : new Float64Array(new Uint32Array([Math.floor(r * 2 ** 32), Math.floor(rnd() * 2 ** 32)]).buffer)[0]!;
      w.reset();
      w.writeNumber(v);
      const got = dec.decode(w.buf.subarray(0, w.pos));
      if (got !== formatFloat(v)) expect(got).toBe(formatFloat(v));
    }
  });

  it('integers of any size are written in full (int64 timestamps)', () => {
    const w = new ByteWriter(8);
    for (const v of [0, 7, 10, 99, 100, 12345, 1700000000000, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 60]) {
      w.reset();
      w.writeInteger(v);
      expect(new TextDecoder().decode(w.buf.subarray(0, w.pos))).toBe(BigInt(v).toString());
    }
  });

  it('le and quantile label values are canonical; other labels are left alone', () => {
    const h = fam('h', 'histogram', [
      s('h_bucket', { le: '1.0' }, 1),
      s('h_bucket', { le: '2.50' }, 2),
      s('h_bucket', { le: 'inf' }, 3),
      s('h_count', {}, 3),
      s('h_sum', {}, 4),
    ]);
    const sm = fam('q', 'summary', [s('q', { quantile: '0.50' }, 1), s('q', { quantile: '1e-2' }, 1)]);
    const g = fam('g', 'gauge', [s('g', { le: '1.0', quantile: '0.50' }, 1)]);
    const out = text([h, sm, g]);
    expect(out).toContain('h_bucket{le="1"} 1\nh_bucket{le="2.5"} 2\nh_bucket{le="+Inf"} 3\n');
    expect(out).toContain('q{quantile="0.5"} 1\nq{quantile="0.01"} 1\n');
    expect(out).toContain('g{le="1.0",quantile="0.50"} 1\n');
    // OpenMetrics requires canonical numbers there: `1.0`, `+Inf` (rules.canonicalBound).
    const o = om([h, sm, g]);
    expect(o).toContain('h_bucket{le="1.0"} 1\nh_bucket{le="2.5"} 2\nh_bucket{le="+Inf"} 3\n');
    expect(o).toContain('q{quantile="0.5"} 1\nq{quantile="0.01"} 1\n');
    expect(o).toContain('g{le="1.0",quantile="0.50"} 1\n');
  });
});

describe('escaping', () => {
  it('label values escape backslash, quote and line feed (both formats); UTF-8 passes through', () => {
    const f = [fam('x', 'gauge', [s('x', { a: 'q"b\\n\nl', u: 'ü✓😱', e: '' }, 1)])];
    expect(text(f)).toBe('# TYPE x gauge\nx{a="q\\"b\\\\n\\nl",u="ü✓😱",e=""} 1\n');
    expect(om(f)).toBe('# TYPE x gauge\nx{a="q\\"b\\\\n\\nl",u="ü✓😱",e=""} 1\n# EOF\n');
  });

  it('HELP: text escapes backslash and line feed, OpenMetrics also the quote; empty HELP is omitted', () => {
    const f = [fam('x', 'gauge', [], 'a "q" \\ b\nc ✓'), fam('y', 'gauge', [], '')];
    expect(text(f)).toBe('# HELP x a "q" \\\\ b\\nc ✓\n# TYPE x gauge\n# TYPE y gauge\n');
    expect(om(f)).toBe('# HELP x a \\"q\\" \\\\ b\\nc ✓\n# TYPE x gauge\n# TYPE y gauge\n# EOF\n');
  });
});

describe('timestamps and exemplars', () => {
  const ex = { labels: { trace_id: 'abc' }, value: 0.5, timestamp: 1520879607789 };

  it('text writes integer milliseconds (fractions truncated), OpenMetrics seconds', () => {
    const f = [
      fam('x', 'gauge', [
        s('x', { a: '1' }, 1, 1520879607789),
        s('x', { a: '2' }, 1, 1500.75),
        s('x', { a: '3' }, 1, -1500.75),
        s('x', { a: '4' }, 1, 0),
      ]),
    ];
    // Text cannot hold a negative timestamp (Prometheus reads digits only): an error, not output it refuses.
    expect(() => text(f)).toThrow(/text 0.0.4 cannot hold the negative timestamp -1500.75 of sample "x"/);
    const nonNegative = [fam('x', 'gauge', [f[0]!.samples[0]!, f[0]!.samples[1]!, f[0]!.samples[3]!] as Sample[])];
    expect(text(nonNegative)).toBe('# TYPE x gauge\nx{a="1"} 1 1520879607789\nx{a="2"} 1 1500\nx{a="4"} 1 0\n');
    expect(om(f)).toBe('# TYPE x gauge\nx{a="1"} 1 1520879607.789\nx{a="2"} 1 1.50075\nx{a="3"} 1 -1.50075\nx{a="4"} 1 0\n# EOF\n');
    // the OpenMetrics spelling parses back to the same milliseconds
    expect(parse(om(f), { format: 'openmetrics' })[0]!.samples.map((x) => x.timestamp)).toEqual([1520879607789, 1500.75, -1500.75, 0]);
  });

  it('OpenMetrics timestamps are plain decimals, exact (the Python parser misreads an exponent)', () => {
    const cases: Array<[number, string]> = [
      [1795354795564.8257, '1795354795.5648257'],
      [0.5, '0.0005'],
      [-0.25, '-0.00025'],
      [999.999, '0.999999'],
      [2 ** 53 + 2, '9007199254740.994'],
    ];
    for (const [ms, want] of cases) {
      const out = om([fam('x', 'gauge', [s('x', {}, 1, ms, undefined)])]);
      expect(out).toBe(`# TYPE x gauge\nx 1 ${want}\n# EOF\n`);
      expect(parse(out, { format: 'openmetrics' })[0]!.samples[0]!.timestamp).toBe(ms);
    }
  });

  it('a non-finite timestamp is an error, not a broken payload', () => {
    for (const t of [NaN, Infinity]) {
      let err: unknown;
      try {
        encode([fam('x', 'gauge', [s('x', {}, 1, t)])]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PromwireError);
      expect((err as PromwireError).code).toBe('INVALID_ARGUMENT');
      expect((err as PromwireError).message).toContain('"x"');
    }
  });

  it('exemplars: OpenMetrics on counter _total and histogram _bucket only; never in text', () => {
    const f = [
      fam('c_total', 'counter', [st(s('c_total', {}, 1, null, ex), 5000)]),
      fam('h', 'histogram', [
        s('h_bucket', { le: '+Inf' }, 1, null, { labels: {}, value: 2, timestamp: null }),
        s('h_count', {}, 1, null, ex),
        s('h_sum', {}, 2),
      ]),
      fam('g', 'gauge', [s('g', {}, 1, null, ex)]),
    ];
    expect(om(f)).toBe(
      [
        '# TYPE c counter',
        'c_total 1 # {trace_id="abc"} 0.5 1520879607.789',
        'c_created 5',
        '# TYPE h histogram',
        'h_bucket{le="+Inf"} 1 # {} 2',
        'h_count 1',
        'h_sum 2',
        '# TYPE g gauge',
        'g 1',
        '# EOF',
        '',
      ].join('\n'),
    );
    expect(text(f)).not.toContain('#  {');
    expect(text(f)).not.toContain('trace_id');
  });
});

describe('format conversion (as the Python client does it)', () => {
  it('OpenMetrics counter -> text: family foo_total, _created as its own gauge family', () => {
    const f = [fam('foo_total', 'counter', [st(s('foo_total', { a: 'x' }, 1), 1700000000000), s('foo_total', { a: 'y' }, 2)], 'Foo.')];
    expect(text(f)).toBe(
      [
        '# HELP foo_total Foo.',
        '# TYPE foo_total counter',
        'foo_total{a="x"} 1',
        'foo_total{a="y"} 2',
        '# HELP foo_created Foo.',
        '# TYPE foo_created gauge',
        'foo_created{a="x"} 1.7e+09',
        '',
      ].join('\n'),
    );
  });

  it('text counter -> OpenMetrics: the family loses _total, samples keep or gain it', () => {
    const f = [fam('foo_total', 'counter', [s('foo_total', {}, 1)], 'F'), fam('bar', 'counter', [s('bar', {}, 2)])];
    expect(om(f)).toBe('# HELP foo F\n# TYPE foo counter\nfoo_total 1\n# TYPE bar counter\nbar_total 2\n# EOF\n');
  });

  it('a counter whose OpenMetrics name would clash with another family is written as unknown', () => {
    const f = [
      fam('go_memstats_alloc_bytes', 'gauge', [s('go_memstats_alloc_bytes', {}, 1)]),
      fam('go_memstats_alloc_bytes_total', 'counter', [s('go_memstats_alloc_bytes_total', {}, 2)]),
    ];
    const out = om(f);
    expect(out).toBe(
      '# TYPE go_memstats_alloc_bytes gauge\ngo_memstats_alloc_bytes 1\n# TYPE go_memstats_alloc_bytes_total unknown\ngo_memstats_alloc_bytes_total 2\n# EOF\n',
    );
    expect(parse(out, { format: 'openmetrics' }).map((x) => x.samples.length)).toEqual([1, 1]);
  });

  it('text _created gauge families fold back into their OpenMetrics family, each after its series', () => {
    const f = [
      fam('lat', 'histogram', [
        s('lat_bucket', { r: 'a', le: '+Inf' }, 1),
        s('lat_count', { r: 'a' }, 1),
        s('lat_sum', { r: 'a' }, 1),
        s('lat_bucket', { r: 'b', le: '+Inf' }, 2),
        s('lat_count', { r: 'b' }, 2),
        s('lat_sum', { r: 'b' }, 2),
      ]),
      fam('lat_created', 'gauge', [s('lat_created', { r: 'b' }, 20), s('lat_created', { r: 'a' }, 10)]),
    ];
    expect(om(f)).toBe(
      [
        '# TYPE lat histogram',
        'lat_bucket{r="a",le="+Inf"} 1',
        'lat_count{r="a"} 1',
        'lat_sum{r="a"} 1',
        'lat_created{r="a"} 10',
        'lat_bucket{r="b",le="+Inf"} 2',
        'lat_count{r="b"} 2',
        'lat_sum{r="b"} 2',
        'lat_created{r="b"} 20',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('info, stateset, gaugehistogram and unknown in text; untyped in OpenMetrics', () => {
    const f = [
      fam('build_info', 'info', [s('build_info', { v: '1' }, 1)]),
      fam('st', 'stateset', [s('st', { st: 'a' }, 1), s('st', { st: 'b' }, 0)]),
      fam('gh', 'gaugehistogram', [s('gh_bucket', { le: '+Inf' }, 3), s('gh_gcount', {}, 3), s('gh_gsum', {}, 5)]),
      fam('u', 'unknown', [s('u', {}, 1)]),
    ];
    expect(text(f)).toBe(
      [
        '# TYPE build_info gauge',
        'build_info{v="1"} 1',
        '# TYPE st gauge',
        'st{st="a"} 1',
        'st{st="b"} 0',
        '# TYPE gh histogram',
        'gh_bucket{le="+Inf"} 3',
        '# TYPE gh_gcount gauge',
        'gh_gcount 3',
        '# TYPE gh_gsum gauge',
        'gh_gsum 5',
        '# TYPE u untyped',
        'u 1',
        '',
      ].join('\n'),
    );
    // The model has no `untyped` (text's word for unknown): a clear error, not a bogus TYPE line.
    expect(() => om([fam('u', 'untyped' as 'unknown', [s('u', {}, 1)])])).toThrow(/the model calls text's untyped 'unknown'/);
    expect(om(f)).toContain('# TYPE build info\nbuild_info{v="1"} 1\n# TYPE st stateset\n');
  });

  /** `_created` values to whole milliseconds: a start timestamp is a double of milliseconds in the model. */
  const msCreated = (x: string): string =>
    x.replace(/^(\S*_created(?:\{[^}]*\})?) (\S+)/gm, (_m, series: string, v: string) => `${series} ${Math.floor(Number(v) * 1e3)}`);

  it("Python's OpenMetrics output, converted to text, is Python's own text output", () => {
    const fromOm = encodeToString(parse(fixture('python_client.om.txt')));
    const fromText = encodeToString(parse(fixture('python_client.prom')));
    expect(msCreated(fromOm)).toBe(msCreated(fromText));
  });

  it("Python's text output, converted to OpenMetrics, is Python's own OpenMetrics output but for what text cannot carry", () => {
    // Text 0.0.4 has no units, no exemplars, and writes info and stateset as gauges.
    const strip = (x: string): string =>
      x
        .split('\n')
        .filter((l) => !l.startsWith('# UNIT'))
        .map((l) => l.replace(/ # \{.*$/, ''))
        .join('\n')
        .replace(
          '# HELP demo_build Build information.\n# TYPE demo_build info',
          '# HELP demo_build_info Build information.\n# TYPE demo_build_info gauge',
        )
        .replace('# TYPE demo_state stateset', '# TYPE demo_state gauge');
    const fromText = encodeToString(parse(fixture('python_client.prom')), { format: 'openmetrics' });
    const fromOm = encodeToString(parse(fixture('python_client.om.txt')), { format: 'openmetrics' });
    expect(fromText).not.toContain('# UNIT');
    expect(msCreated(fromText)).toBe(msCreated(strip(fromOm)));
  });
});

describe('UTF-8 names (Prometheus 3)', () => {
  const f = [
    fam('my.metric', 'counter', [s('my.metric_total', { 'my.label': 'v', ok: 'w' }, 1)], 'H'),
    fam('plain', 'gauge', [s('plain', { 'a:b': 'c' }, 2)]),
  ];

  it('allow-utf-8 quotes names outside the legacy set, inside the braces', () => {
    expect(text(f)).toBe(
      [
        '# HELP "my.metric_total" H',
        '# TYPE "my.metric_total" counter',
        '{"my.metric_total","my.label"="v",ok="w"} 1',
        '# TYPE plain gauge',
        'plain{"a:b"="c"} 2',
        '',
      ].join('\n'),
    );
    expect(om(f)).toBe(
      [
        '# HELP "my.metric" H',
        '# TYPE "my.metric" counter',
        '{"my.metric_total","my.label"="v",ok="w"} 1',
        '# TYPE plain gauge',
        'plain{"a:b"="c"} 2',
        '# EOF',
        '',
      ].join('\n'),
    );
    // and the parser reads them back
    const back = parse(om(f), { format: 'openmetrics' });
    expect(back[0]!.name).toBe('my.metric_total'); // the model names a counter after its series
    expect(back[0]!.samples[0]!.labels).toEqual({ 'my.label': 'v', ok: 'w' });
    expect(back[1]!.samples[0]!.labels).toEqual({ 'a:b': 'c' });
  });

  it('escaping schemes rewrite names; samples stay attached to their family', () => {
    expect(om(f, 'underscores')).toContain('# TYPE my_metric counter\nmy_metric_total{my_label="v",ok="w"} 1\n');
    expect(om(f, 'underscores')).toContain('plain{a_b="c"} 2\n');
    expect(om(f, 'dots')).toContain('# TYPE my_dot_metric counter\nmy_dot_metric_total{my_dot_label="v",ok="w"} 1\n');
    expect(om(f, 'values')).toContain('# TYPE U__my_2e_metric counter\nU__my_2e_metric_total{U__my_2e_label="v",ok="w"} 1\n');
    // In text the counter's family is its series `my.metric_total`, escaped whole (reversibly).
    expect(text(f, 'values')).toContain('# TYPE U__my_2e_metric__total counter\nU__my_2e_metric__total{');
    for (const esc of ['underscores', 'dots', 'values'] as const) {
      for (const format of ['text', 'openmetrics'] as const) {
        const out = encodeToString(f, { format, escaping: esc });
        expect(out).not.toContain('"my');
        const back = parse(out, { format });
        expect(back.map((x) => x.samples.length)).toEqual([1, 1]);
      }
    }
  });
});

describe('real payloads', () => {
  const key = (name: string, labels: Labels, value: number, timestamp: number | null): string =>
    JSON.stringify([
      name,
      Object.entries(labels)
        .map(([k, v]) => [k, k === 'le' || k === 'quantile' ? normalizeNumber(v) : v])
        .sort(),
      Object.is(value, -0) ? '-0' : String(value),
      timestamp,
    ]);
  /**
   * The series a payload gives Prometheus: float samples, and for each start
   * timestamp the `_created` series OpenMetrics writes (text writes it as a
   * gauge family), valued in whole milliseconds (as Prometheus stores it): the model keeps
   * start timestamps as a double of milliseconds, so the last digits of a
   * `_created` value in seconds may not survive.
   */
  const seriesOf = (families: MetricFamily[]): string[] => {
    const out = new Set<string>();
    for (const f of families) {
      for (const x of f.samples) {
        if (typeof x.value !== 'number') continue;
        const created = x.name.endsWith('_created') && f.type !== 'counter';
        out.add(key(x.name, x.labels, created ? Math.floor(x.value * 1e3) : x.value, x.timestamp));
        if (x.startTimestamp !== undefined) {
          const labels = { ...x.labels };
          delete labels.le;
          delete labels.quantile;
          out.add(key(omName(f) + '_created', labels, Math.floor(x.startTimestamp), null));
        }
      }
    }
    return [...out].sort();
  };

  for (const file of FIXTURE_FILES) {
    for (const format of ['text', 'openmetrics'] as Format[]) {
      it(`${file} -> ${format}: a fixed point that carries every series`, () => {
        const original = parse(fixture(file));
        const once = encode(original, { format });
        const reparsed = parse(once, { format });
        const twice = encode(reparsed, { format });
        const thrice = encode(parse(twice, { format }), { format });
        // A start timestamp read from `_created` seconds is rounded once to a
        // double of milliseconds; from then on the output is a fixed point.
        expect(Buffer.from(thrice).equals(Buffer.from(twice))).toBe(true);
        if (!/_created/.test(Buffer.from(once).toString())) expect(Buffer.from(twice).equals(Buffer.from(once))).toBe(true);
        // Same series across formats too: no fixture has a counter sample without _total,
        // the one sample name a conversion changes (text -> OpenMetrics adds _total).
        expect(seriesOf(reparsed)).toEqual(seriesOf(original));
      });
    }
  }

  it('encoding a text payload as text changes only number spellings and le canonical forms', () => {
    // prometheus.prom was written by client_golang: already canonical, so identical bytes.
    const x = fixture('prometheus.prom');
    expect(Buffer.from(encode(parse(x))).equals(Buffer.from(x))).toBe(true);
  });

  it('the generated payload (every type, escapes, UTF-8, timestamps) is a fixed point in both formats', () => {
    const p = generatePayload(SMALL);
    for (const [bytes, format] of [
      [p.text, 'text'],
      [p.openmetrics, 'openmetrics'],
    ] as const) {
      const fams = parse(bytes, { format });
      const once = encode(fams, { format });
      expect(Buffer.from(encode(parse(once, { format }), { format })).equals(Buffer.from(once))).toBe(true);
      expect(parse(once, { format }).reduce((n, f) => n + f.samples.length, 0)).toBe(p.model.samples);
    }
  });
});

describe('chunks', () => {
  const concat = (chunks: Iterable<Uint8Array>): Buffer => Buffer.concat([...chunks]);

  it('joined chunks equal the one-shot output, at every chunk size', () => {
    const fams = parse(fixture('node_exporter.prom'));
    for (const format of ['text', 'openmetrics'] as Format[]) {
      const whole = Buffer.from(encode(fams, { format }));
      for (const chunkSize of [1, 7, 100, 4096, 65536, 1 << 30]) {
        const chunks = [...encodeChunks(fams, { format, chunkSize })];
        expect(Buffer.concat(chunks).equals(whole)).toBe(true);
        for (let i = 0; i < chunks.length; i++) {
          const c = chunks[i]!;
          expect(c[c.length - 1]).toBe(0x0a); // every chunk ends at a line end
          if (i < chunks.length - 1) expect(c.length).toBeGreaterThanOrEqual(chunkSize);
        }
      }
    }
  });

  it('chunks are distinct buffers the caller may keep', () => {
    const fams = parse(fixture('prometheus.prom'));
    const chunks = [...encodeChunks(fams, { chunkSize: 1000 })];
    expect(chunks.length).toBeGreaterThan(10);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(chunks.length);
    expect(concat(chunks).toString()).toBe(encodeToString(fams));
  });

  it('empty input', () => {
    expect([...encodeChunks([])]).toEqual([]);
    expect(concat(encodeChunks([], { format: 'openmetrics' })).toString()).toBe('# EOF\n');
    expect(encodeToString([])).toBe('');
    expect(encodeToString([], { format: 'openmetrics' })).toBe('# EOF\n');
  });
});

describe('options', () => {
  it('invalid options are PromwireError INVALID_ARGUMENT', () => {
    const bad: unknown[] = [{ format: 'json' }, { escaping: 'allow-utf8' }];
    for (const o of bad) {
      expect(() => encode([], o as never)).toThrow(PromwireError);
    }
    expect(() => [...encodeChunks([], { chunkSize: 0 })]).toThrow(/chunkSize/);
    expect(() => [...encodeChunks([], { chunkSize: NaN })]).toThrow(/chunkSize/);
  });

  it('encodeHeader writes what encode writes for a family without samples', () => {
    const f = fam('x_total', 'counter', [], 'h', '');
    for (const format of ['text', 'openmetrics'] as Format[]) {
      const whole = encodeToString([f], { format });
      const header = new TextDecoder().decode(encodeHeader(f, { format }));
      expect(whole.startsWith(header)).toBe(true);
    }
  });
});

describe('text timestamps at the int64 limits', () => {
  it('writes int64 max so that it parses back to the same number', () => {
    const fams = parse('a 1 9223372036854775807\nb 2 0\n', { format: 'text' });
    const out = encodeToString(fams, { format: 'text' });
    expect(out).toContain('a 1 9223372036854775807\n');
    expect(out).toContain('b 2 0\n');
    expect(parse(out, { format: 'text' })).toEqual(fams);
  });
});

describe('a text counter OpenMetrics cannot hold as a counter', () => {
  it('is written as unknown when a value is negative or NaN, so the output parses, and onWarning says so', () => {
    const fams = parse('# TYPE c_total counter\nc_total{a="1"} -1\nc_total{a="2"} NaN\nc_total{a="3"} 2\n', { format: 'text' });
    const warnings: string[] = [];
    const out = encodeToString(fams, { format: 'openmetrics', onWarning: (m) => warnings.push(m) });
    expect(out).toBe('# TYPE c_total unknown\nc_total{a="1"} -1\nc_total{a="2"} NaN\nc_total{a="3"} 2\n# EOF\n');
    expect(parse(out, { format: 'openmetrics' })[0]!.samples.map((x) => x.value)).toEqual([-1, NaN, 2]);
    expect(warnings).toEqual([
      '"c_total": a counter with a negative or NaN value is written as unknown (OpenMetrics counters are non-negative)',
    ]);
  });
});

describe('counters whose OpenMetrics names would clash', () => {
  it('writes a counter foo next to a gauge foo_total as unknown, so the output parses', () => {
    const fams = parse('# TYPE foo counter\nfoo 1\n# TYPE foo_total gauge\nfoo_total 2\n', { format: 'text' });
    const out = encodeToString(fams, { format: 'openmetrics' });
    expect(out).toBe('# TYPE foo unknown\nfoo 1\n# TYPE foo_total gauge\nfoo_total 2\n# EOF\n');
    expect(parse(out, { format: 'openmetrics' }).map((f) => [f.name, f.type])).toEqual([
      ['foo', 'unknown'],
      ['foo_total', 'gauge'],
    ]);
  });
});
