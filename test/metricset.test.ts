import { describe, expect, it } from 'vitest';
import { encode, encodeToString } from '../src/encode/encoder.js';
import { MetricSet } from '../src/metrics/index.js';
import { PromwireError } from '../src/errors.js';
import type { ErrorCode } from '../src/errors.js';
import type { Format, MetricFamily } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';

function code(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PromwireError);
    return (e as PromwireError).code;
  }
  return undefined;
}

function everyType(options: ConstructorParameters<typeof MetricSet>[0] = {}): MetricSet {
  const set = new MetricSet(options);
  const c = set.counter({ name: 'http_requests_total', help: 'Requests.', labelNames: ['method', 'code'] });
  c.labels({ method: 'get', code: 200 }).inc();
  c.labels({ method: 'post', code: '500' }).inc(2.5);
  set.gauge({ name: 'temperature', help: 'Temperature with "quotes" and \\ backslash.', unit: 'celsius' }).set(-0.00425);
  const h = set.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1, 10], labelNames: ['route'] });
  h.labels({ route: '/a' }).observe(0.1);
  h.labels({ route: '/a' }).observe(5);
  h.labels({ route: '/a' }).observe(50);
  const s = set.summary({ name: 'response_size', help: 'Sizes.', quantiles: [0.5, 0.99] });
  s.observe(100);
  s.set({ quantiles: [80, 120] });
  set.info({ name: 'build_info', help: 'Build.', labelNames: ['version'] }).labels({ version: '1.2.3' });
  set.stateset({ name: 'state', help: 'State.', states: ['starting', 'running'] }).set('running');
  return set;
}

describe('MetricSet output', () => {
  it('text 0.0.4', () => {
    expect(everyType({ defaultLabels: { instance: 'a"b' } }).encodeToString()).toBe(
      [
        '# HELP http_requests_total Requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{instance="a\\"b",method="get",code="200"} 1',
        'http_requests_total{instance="a\\"b",method="post",code="500"} 2.5',
        '# HELP temperature_celsius Temperature with "quotes" and \\\\ backslash.',
        '# TYPE temperature_celsius gauge',
        'temperature_celsius{instance="a\\"b"} -0.00425',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{instance="a\\"b",route="/a",le="0.1"} 1',
        'latency_seconds_bucket{instance="a\\"b",route="/a",le="1"} 1',
        'latency_seconds_bucket{instance="a\\"b",route="/a",le="10"} 2',
        'latency_seconds_bucket{instance="a\\"b",route="/a",le="+Inf"} 3',
        'latency_seconds_sum{instance="a\\"b",route="/a"} 55.1',
        'latency_seconds_count{instance="a\\"b",route="/a"} 3',
        '# HELP response_size Sizes.',
        '# TYPE response_size summary',
        'response_size{instance="a\\"b",quantile="0.5"} 80',
        'response_size{instance="a\\"b",quantile="0.99"} 120',
        'response_size_sum{instance="a\\"b"} 100',
        'response_size_count{instance="a\\"b"} 1',
        '# HELP build_info Build.',
        '# TYPE build_info gauge',
        'build_info{instance="a\\"b",version="1.2.3"} 1',
        '# HELP state State.',
        '# TYPE state gauge',
        'state{instance="a\\"b",state="starting"} 0',
        'state{instance="a\\"b",state="running"} 1',
        '',
      ].join('\n'),
    );
  });

  it('OpenMetrics 1.0', () => {
    expect(everyType().encodeToString({ format: 'openmetrics' })).toBe(
      [
        '# HELP http_requests Requests.',
        '# TYPE http_requests counter',
        'http_requests_total{method="get",code="200"} 1',
        'http_requests_total{method="post",code="500"} 2.5',
        '# HELP temperature_celsius Temperature with \\"quotes\\" and \\\\ backslash.',
        '# TYPE temperature_celsius gauge',
        '# UNIT temperature_celsius celsius',
        'temperature_celsius -0.00425',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{route="/a",le="0.1"} 1',
        'latency_seconds_bucket{route="/a",le="1.0"} 1',
        'latency_seconds_bucket{route="/a",le="10.0"} 2',
        'latency_seconds_bucket{route="/a",le="+Inf"} 3',
        'latency_seconds_sum{route="/a"} 55.1',
        'latency_seconds_count{route="/a"} 3',
        '# HELP response_size Sizes.',
        '# TYPE response_size summary',
        'response_size{quantile="0.5"} 80',
        'response_size{quantile="0.99"} 120',
        'response_size_sum 100',
        'response_size_count 1',
        '# HELP build Build.',
        '# TYPE build info',
        'build_info{version="1.2.3"} 1',
        '# HELP state State.',
        '# TYPE state stateset',
        'state{state="starting"} 0',
        'state{state="running"} 1',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('collect() is the model encode() writes: same bytes through encode(), every format and scheme', () => {
    const sets = [
      everyType({ defaultLabels: { type: 'gw', ip: '10.0.0.1', name: 'n"1', id: '✓' } }),
      (() => {
        const s = new MetricSet({ nameValidation: 'utf-8', defaultLabels: { 'host.name': 'h' } });
        s.counter({ name: 'my.requests', help: 'h', labelNames: ['http.method', 'a:b'] })
          .labels({ 'http.method': 'GET', 'a:b': 'x' })
          .inc();
        s.histogram({ name: 'my.latency', help: '', buckets: [1] }).observe(0.5);
        s.gauge({ name: 'plain', help: '' }).set(1);
        return s;
      })(),
      (() => {
        // Native histograms: native-only (+Inf, _sum, _count) and with classic buckets alongside.
        const s = new MetricSet({ nameValidation: 'utf-8', defaultLabels: { job: 'j' } });
        const n = s.histogram({ name: 'my.native', help: 'n', labelNames: ['le.x'], native: { bucketFactor: 1.1 } });
        for (const v of [0, 0.5, -2, 1e-300, NaN]) n.labels({ 'le.x': 'a' }).observe(v);
        n.labels({ 'le.x': 'b' }).observe(3);
        s.histogram({ name: 'both', help: '', buckets: [1], native: { bucketFactor: 2, maxBuckets: 1 } }).observe(5);
        return s;
      })(),
    ];
    for (const set of sets) {
      for (const format of ['text', 'openmetrics'] as Format[]) {
        for (const escaping of ['allow-utf-8', 'underscores', 'dots', 'values'] as const) {
          const direct = set.encodeToString({ format, escaping });
          expect(encodeToString(set.collect(), { format, escaping })).toBe(direct);
          expect(Buffer.concat([...set.encodeChunks({ format, escaping, chunkSize: 50 })]).toString()).toBe(direct);
          // and it parses
          const back = parse(direct, { format });
          const total = (fs: MetricFamily[]) => fs.reduce((n, f) => n + f.samples.length, 0);
          const native = set.collect().some((f) => f.samples.some((x) => typeof x.value !== 'number'));
          // (A native sample is written as its classic series or as +Inf, _sum and _count: checked by bytes above.)
          if (!native) expect(total(back)).toBe(total(set.collect()));
          else expect(back.length).toBe(set.collect().length);
        }
      }
    }
  });

  it('OpenMetrics output parses back to collect()', () => {
    const set = everyType({ defaultLabels: { job: 'x' } });
    expect(parse(set.encode({ format: 'openmetrics' }), { format: 'openmetrics' })).toEqual(set.collect());
  });

  it('UTF-8 names are quoted or escaped as negotiated', () => {
    const set = new MetricSet({ nameValidation: 'utf-8' });
    set
      .gauge({ name: 'my.gauge', help: '', labelNames: ['my.label'] })
      .labels({ 'my.label': 'v' })
      .set(1);
    expect(set.encodeToString()).toBe('# TYPE "my.gauge" gauge\n{"my.gauge","my.label"="v"} 1\n');
    expect(set.encodeToString({ escaping: 'underscores' })).toBe('# TYPE my_gauge gauge\nmy_gauge{my_label="v"} 1\n');
    expect(set.encodeToString({ escaping: 'values' })).toBe('# TYPE U__my_2e_gauge gauge\nU__my_2e_gauge{U__my_2e_label="v"} 1\n');
    // a second encode with the same scheme reuses the rendering
    expect(set.encodeToString({ escaping: 'values' })).toBe('# TYPE U__my_2e_gauge gauge\nU__my_2e_gauge{U__my_2e_label="v"} 1\n');
  });

  it('values changed between encodes are written; the bytes of an earlier encode stay as they were', () => {
    const set = new MetricSet();
    const g = set.gauge({ name: 'g', help: '' });
    g.set(1);
    const first = set.encode();
    g.set(0.25);
    g.inc(2);
    g.dec(0.5);
    const second = set.encode();
    expect(new TextDecoder().decode(first)).toBe('# TYPE g gauge\ng 1\n');
    expect(new TextDecoder().decode(second)).toBe('# TYPE g gauge\ng 1.75\n');
    expect(g.get()).toBe(1.75);
  });

  it('an empty set', () => {
    const set = new MetricSet();
    expect(set.encodeToString()).toBe('');
    expect(set.encodeToString({ format: 'openmetrics' })).toBe('# EOF\n');
    expect(set.collect()).toEqual([]);
  });

  it('a labelled metric with no series writes only its header', () => {
    const set = new MetricSet();
    set.counter({ name: 'c', help: 'x', labelNames: ['a'] });
    expect(set.encodeToString()).toBe('# HELP c_total x\n# TYPE c_total counter\n');
    expect(encodeToString(set.collect())).toBe(set.encodeToString());
  });
});

describe('series handles', () => {
  it('labels() returns the same handle for the same values (numbers and booleans as strings)', () => {
    const set = new MetricSet();
    const c = set.counter({ name: 'c', help: '', labelNames: ['a', 'b'] });
    expect(c.labels({ a: 1, b: true })).toBe(c.labels({ a: '1', b: 'true' }));
    expect(c.labels({ a: 'x', b: 'y' })).not.toBe(c.labels({ a: 'xy', b: '' }));
    // length-prefixed keys: no collision between ("1:", "") and ("", "1:")
    expect(c.labels({ a: '1:', b: '' })).not.toBe(c.labels({ a: '', b: '1:' }));
    expect(c.size).toBe(5);
  });

  it('remove and reset', () => {
    const set = new MetricSet();
    const g = set.gauge({ name: 'g', help: '', labelNames: ['a'] });
    g.labels({ a: 'x' }).set(1);
    g.labels({ a: 'y' }).set(2);
    expect(g.remove({ a: 'x' })).toBe(true);
    expect(g.remove({ a: 'x' })).toBe(false);
    expect(set.encodeToString()).toBe('# TYPE g gauge\ng{a="y"} 2\n');
    g.reset();
    expect(set.encodeToString()).toBe('# TYPE g gauge\n');
    const u = set.counter({ name: 'u', help: '' });
    u.inc(5);
    u.reset();
    expect(u.get()).toBe(0);
    expect(set.encodeToString()).toContain('u_total 0\n');
  });

  it('set.remove, set.get, set.clear, and a removed name can be defined again', () => {
    const set = new MetricSet({ prefix: 'app_' });
    const c = set.counter({ name: 'jobs_total', help: '' });
    expect(c.name).toBe('app_jobs');
    expect(set.get('app_jobs')).toBe(c);
    expect(set.get('jobs_total')).toBe(c);
    expect(set.get('app_jobs_total')).toBe(c);
    expect(set.remove('jobs')).toBe(true);
    expect(set.get('app_jobs')).toBeUndefined();
    expect(set.remove('jobs')).toBe(false);
    set.counter({ name: 'jobs', help: '' }).inc();
    set.gauge({ name: 'g', help: '' });
    expect(set.list().map((m) => m.name)).toEqual(['app_jobs', 'app_g']);
    set.clear();
    expect(set.encodeToString()).toBe('');
    set.gauge({ name: 'g', help: '' });
    // `_total` maps to counters only, `_info` to infos only.
    set.gauge({ name: 'requests', help: '' });
    expect(set.get('requests_total')).toBeUndefined();
    expect(set.remove('requests_total')).toBe(false);
    expect(set.get('requests')?.type).toBe('gauge');
    const build = set.info({ name: 'build', help: '' });
    expect(set.get('build_info')).toBe(build);
  });

  it('collect() names families as the model does: a counter after its series (_total), an info _info; get() takes either name', () => {
    const set = everyType();
    expect(set.collect().map((f) => [f.name, f.type])).toEqual([
      ['http_requests_total', 'counter'],
      ['temperature_celsius', 'gauge'],
      ['latency_seconds', 'histogram'],
      ['response_size', 'summary'],
      ['build_info', 'info'],
      ['state', 'stateset'],
    ]);
    for (const m of set.list()) {
      expect(set.get(m.familyName)).toBe(m);
      expect(set.get(m.name)).toBe(m);
    }
    // a series name that is not a family name is not a metric
    expect(set.get('latency_seconds_bucket')).toBeUndefined();
    expect(set.get('response_size_count')).toBeUndefined();
    expect(set.get('http_requests_created')).toBeUndefined();
    expect(set.remove('http_requests_total')).toBe(true);
    expect(set.collect().map((f) => f.name)).not.toContain('http_requests_total');
    // every name the removed counter held (rules.seriesNames) is free again
    set.gauge({ name: 'http_requests_created', help: '' });
    set.gauge({ name: 'http_requests', help: '' });
    expect(() => set.gauge({ name: 'build_info', help: '' })).toThrow(/clashes with info "build"/);
  });

  it('counter: inc and set take non-negative numbers only', () => {
    const set = new MetricSet();
    const c = set.counter({ name: 'c', help: '' });
    c.inc();
    c.inc(0.5);
    c.set(10);
    expect(c.get()).toBe(10);
    expect(code(() => c.inc(-1))).toBe('INVALID_ARGUMENT');
    expect(code(() => c.inc(NaN))).toBe('INVALID_ARGUMENT');
    expect(code(() => c.set(-1))).toBe('INVALID_ARGUMENT');
    expect(code(() => c.inc('1' as unknown as number))).toBe('INVALID_ARGUMENT');
    expect(c.get()).toBe(10);
    try {
      c.inc(-1);
    } catch (e) {
      expect((e as Error).message).toContain('"c"');
      expect((e as Error).message).toContain('-1');
    }
  });

  it('gauge: NaN and infinities are values', () => {
    const set = new MetricSet();
    const g = set.gauge({ name: 'g', help: '', labelNames: ['k'] });
    g.labels({ k: 'nan' }).set(NaN);
    g.labels({ k: 'inf' }).set(-Infinity);
    const before = Date.now() / 1000;
    g.labels({ k: 'now' }).setToCurrentTime();
    expect(g.labels({ k: 'now' }).get()).toBeGreaterThanOrEqual(before - 1);
    expect(set.encodeToString()).toContain('g{k="nan"} NaN\ng{k="inf"} -Inf\n');
  });

  it('histogram: le is inclusive, NaN counts in +Inf, many buckets use a binary search', () => {
    const set = new MetricSet();
    const small = set.histogram({ name: 'h', help: '', buckets: [1, 2] });
    for (const v of [1, 1.5, 2, 3, NaN]) small.observe(v);
    expect(set.encodeToString()).toContain('h_bucket{le="1"} 1\nh_bucket{le="2"} 3\nh_bucket{le="+Inf"} 5\nh_sum NaN\nh_count 5\n');
    const bounds = Array.from({ length: 40 }, (_, i) => i * 0.5);
    const big = set.histogram({ name: 'big', help: '', buckets: bounds, labelNames: ['k'] });
    const linear = new Array<number>(bounds.length + 1).fill(0);
    for (let i = 0; i < 500; i++) {
      const v = ((i * 7919) % 2100) / 100 - 0.5;
      big.labels({ k: 'a' }).observe(v);
      let j = 0;
      while (j < bounds.length && !(v <= bounds[j]!)) j++;
      linear[j]!++;
    }
    big.labels({ k: 'a' }).observe(NaN);
    linear[bounds.length]!++;
    const fam = set.collect().find((f) => f.name === 'big')!;
    let acc = 0;
    const want = linear.map((c) => (acc += c));
    expect(fam.samples.filter((x) => x.name === 'big_bucket').map((x) => x.value)).toEqual(want);
    expect(big.labels({ k: 'a' }).getCount()).toBe(501);
  });

  it('histogram: set() mirrors an external histogram, cumulative or not', () => {
    const set = new MetricSet();
    const h = set.histogram({ name: 'h', help: '', buckets: [1, 2] });
    h.set({ buckets: [1, 3, 4], sum: 7, cumulative: true });
    expect(set.encodeToString()).toContain('h_bucket{le="1"} 1\nh_bucket{le="2"} 3\nh_bucket{le="+Inf"} 4\nh_sum 7\nh_count 4\n');
    h.set({ buckets: [1, 2], sum: 2 });
    expect(set.encodeToString()).toContain('h_bucket{le="+Inf"} 3\nh_sum 2\nh_count 3\n');
    expect(code(() => h.set({ buckets: [3, 1, 4], sum: 0, cumulative: true }))).toBe('INVALID_ARGUMENT');
    expect(code(() => h.set({ buckets: [1], sum: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('summary: quantile values by position or by quantile; observe adds to sum and count', () => {
    const set = new MetricSet();
    const s = set.summary({ name: 's', help: '', quantiles: [0.5, 0.9] });
    expect(set.encodeToString()).toBe('# TYPE s summary\ns{quantile="0.5"} NaN\ns{quantile="0.9"} NaN\ns_sum 0\ns_count 0\n');
    s.set({ quantiles: { '0.9': 9 }, sum: 10, count: 3 });
    s.observe(2);
    expect(set.encodeToString()).toBe('# TYPE s summary\ns{quantile="0.5"} NaN\ns{quantile="0.9"} 9\ns_sum 12\ns_count 4\n');
    expect(code(() => s.set({ quantiles: [1] }))).toBe('INVALID_ARGUMENT');
    expect(code(() => s.set({ quantiles: { '0.7': 1 } }))).toBe('INVALID_ARGUMENT');
  });

  it('stateset: one state or several flags', () => {
    const set = new MetricSet();
    const st = set.stateset({ name: 'st', help: '', states: ['a', 'b', 'c'] });
    expect(st.get()).toEqual([]);
    st.set('b');
    expect(st.get()).toEqual(['b']);
    st.setStates({ a: true, c: true });
    expect(st.get()).toEqual(['a', 'b', 'c']);
    st.setStates({ b: false });
    expect(set.encodeToString({ format: 'openmetrics' })).toContain('st{st="a"} 1\nst{st="b"} 0\nst{st="c"} 1\n');
    expect(code(() => st.set('d'))).toBe('INVALID_ARGUMENT');
  });

  it('info: value 1, the name loses a given _info', () => {
    const set = new MetricSet();
    const i = set.info({ name: 'x_info', help: '' });
    expect(i.name).toBe('x');
    expect(set.encodeToString({ format: 'openmetrics' })).toBe('# TYPE x info\nx_info 1\n# EOF\n');
  });

  it('a unit is appended to the name unless it is there', () => {
    const set = new MetricSet();
    expect(set.counter({ name: 'sent', help: '', unit: 'bytes' }).name).toBe('sent_bytes');
    expect(set.gauge({ name: 'temp_celsius', help: '', unit: 'celsius' }).name).toBe('temp_celsius');
    expect(set.counter({ name: 'x_seconds_total', help: '', unit: 'seconds' }).name).toBe('x_seconds');
    expect(set.encodeToString({ format: 'openmetrics' })).toContain(
      '# TYPE sent_bytes counter\n# UNIT sent_bytes bytes\nsent_bytes_total 0\n',
    );
  });
});

describe('validation at definition time', () => {
  it.each<[string, (s: MetricSet) => unknown, ErrorCode]>([
    ['metric name charset', (s) => s.gauge({ name: 'a-b', help: '' }), 'INVALID_NAME'],
    ['empty metric name', (s) => s.gauge({ name: '', help: '' }), 'INVALID_NAME'],
    ['leading digit', (s) => s.gauge({ name: '1x', help: '' }), 'INVALID_NAME'],
    ['label name charset', (s) => s.gauge({ name: 'g', help: '', labelNames: ['a:b'] }), 'INVALID_NAME'],
    ['label name not a string', (s) => s.gauge({ name: 'g', help: '', labelNames: [1 as unknown as string] }), 'INVALID_NAME'],
    ['__ label', (s) => s.gauge({ name: 'g', help: '', labelNames: ['__x'] }), 'RESERVED_LABEL'],
    ['le on a histogram', (s) => s.histogram({ name: 'h', help: '', labelNames: ['le'] }), 'RESERVED_LABEL'],
    ['quantile on a summary', (s) => s.summary({ name: 'q', help: '', labelNames: ['quantile'] }), 'RESERVED_LABEL'],
    [
      'stateset label named as the stateset',
      (s) => s.stateset({ name: 'st', help: '', states: ['a'], labelNames: ['st'] }),
      'RESERVED_LABEL',
    ],
    ['stateset name must be a label name', (s) => s.stateset({ name: 'a:b', help: '', states: ['a'] }), 'INVALID_NAME'],
    ['unsorted buckets', (s) => s.histogram({ name: 'h', help: '', buckets: [1, 0.5] }), 'INVALID_BUCKETS'],
    ['repeated bucket', (s) => s.histogram({ name: 'h', help: '', buckets: [1, 1] }), 'INVALID_BUCKETS'],
    ['NaN bucket', (s) => s.histogram({ name: 'h', help: '', buckets: [NaN] }), 'INVALID_BUCKETS'],
    ['+Inf not last', (s) => s.histogram({ name: 'h', help: '', buckets: [Infinity, 1] }), 'INVALID_BUCKETS'],
    ['quantile out of range', (s) => s.summary({ name: 'q', help: '', quantiles: [1.5] }), 'INVALID_ARGUMENT'],
    ['quantiles unsorted', (s) => s.summary({ name: 'q', help: '', quantiles: [0.9, 0.5] }), 'INVALID_ARGUMENT'],
    ['no states', (s) => s.stateset({ name: 'st', help: '', states: [] }), 'INVALID_ARGUMENT'],
    ['repeated state', (s) => s.stateset({ name: 'st', help: '', states: ['a', 'a'] }), 'INVALID_ARGUMENT'],
    ['unit on info', (s) => s.info({ name: 'i', help: '', unit: 'bytes' } as never), 'INVALID_ARGUMENT'],
    ['unit charset', (s) => s.gauge({ name: 'g', help: '', unit: 'm/s' }), 'INVALID_NAME'],
    ['label declared twice', (s) => s.gauge({ name: 'g', help: '', labelNames: ['a', 'a'] }), 'INVALID_ARGUMENT'],
    ['help not a string', (s) => s.gauge({ name: 'g', help: undefined as unknown as string }), 'INVALID_ARGUMENT'],
    [
      'same name twice',
      (s) => {
        s.gauge({ name: 'g', help: '' });
        return s.gauge({ name: 'g', help: '' });
      },
      'DUPLICATE_SERIES',
    ],
    [
      'counter vs gauge _total',
      (s) => {
        s.counter({ name: 'c', help: '' });
        return s.gauge({ name: 'c_total', help: '' });
      },
      'DUPLICATE_SERIES',
    ],
    [
      'counter vs gauge of its OpenMetrics family name',
      (s) => {
        s.counter({ name: 'c_total', help: '' });
        return s.gauge({ name: 'c', help: '' });
      },
      'DUPLICATE_SERIES',
    ],
    [
      'counter vs counter named with and without _total',
      (s) => {
        s.counter({ name: 'c_total', help: '' });
        return s.counter({ name: 'c', help: '' });
      },
      'DUPLICATE_SERIES',
    ],
    [
      'histogram vs gauge _bucket',
      (s) => {
        s.histogram({ name: 'h', help: '' });
        return s.gauge({ name: 'h_bucket', help: '' });
      },
      'DUPLICATE_SERIES',
    ],
    [
      'gauge vs summary _count',
      (s) => {
        s.gauge({ name: 'q_count', help: '' });
        return s.summary({ name: 'q', help: '' });
      },
      'DUPLICATE_SERIES',
    ],
    [
      'counter _created vs gauge',
      (s) => {
        s.counter({ name: 'c', help: '' });
        return s.gauge({ name: 'c_created', help: '' });
      },
      'DUPLICATE_SERIES',
    ],
    [
      'info vs gauge _info',
      (s) => {
        s.info({ name: 'b', help: '' });
        return s.gauge({ name: 'b_info', help: '' });
      },
      'DUPLICATE_SERIES',
    ],
  ])('%s', (_, define, want) => {
    expect(code(() => define(new MetricSet()))).toBe(want);
  });

  it('default labels are checked, and clash with metric labels and reserved names', () => {
    expect(code(() => new MetricSet({ defaultLabels: { 'a.b': 'x' } }))).toBe('INVALID_NAME');
    expect(code(() => new MetricSet({ defaultLabels: { __x: 'x' } }))).toBe('RESERVED_LABEL');
    expect(code(() => new MetricSet({ defaultLabels: { a: 1 as unknown as string } }))).toBe('INVALID_ARGUMENT');
    expect(code(() => new MetricSet({ nameValidation: 'strict' as never }))).toBe('INVALID_ARGUMENT');
    const set = new MetricSet({ defaultLabels: { le: 'x', job: 'j' } });
    expect(code(() => set.histogram({ name: 'h', help: '' }))).toBe('RESERVED_LABEL');
    expect(code(() => set.gauge({ name: 'g', help: '', labelNames: ['job'] }))).toBe('INVALID_ARGUMENT');
    expect(set.list()).toEqual([]);
  });

  it('a failed definition leaves the set as it was', () => {
    const set = new MetricSet();
    set.counter({ name: 'c', help: '' });
    expect(code(() => set.gauge({ name: 'c_total', help: '' }))).toBe('DUPLICATE_SERIES');
    expect(set.encodeToString()).toBe('# TYPE c_total counter\nc_total 0\n');
  });

  it('utf-8 validation accepts any UTF-8 name but still no empty name, lone surrogate or __ label', () => {
    const set = new MetricSet({ nameValidation: 'utf-8' });
    set.gauge({ name: 'a-b.c ✓', help: '', labelNames: ['x.y'] });
    expect(code(() => set.gauge({ name: '', help: '' }))).toBe('INVALID_NAME');
    expect(code(() => set.gauge({ name: 'a\uD800', help: '' }))).toBe('INVALID_NAME');
    expect(code(() => set.gauge({ name: 'ok', help: '', labelNames: ['__r'] }))).toBe('RESERVED_LABEL');
  });

  it('labels() must name exactly the declared labels', () => {
    const set = new MetricSet();
    const c = set.counter({ name: 'c', help: '', labelNames: ['a', 'b'] });
    expect(code(() => c.labels({ a: '1' } as never))).toBe('LABEL_MISMATCH');
    expect(code(() => c.labels({ a: '1', b: '2', c: '3' } as never))).toBe('LABEL_MISMATCH');
    expect(code(() => c.labels({ a: '1', c: '3' } as never))).toBe('LABEL_MISMATCH');
    expect(code(() => c.labels(null as never))).toBe('LABEL_MISMATCH');
    expect(code(() => c.labels({ a: '1', b: {} as never }))).toBe('INVALID_ARGUMENT');
    expect(code(() => c.inc())).toBe('LABEL_MISMATCH');
    expect(code(() => c.remove({ a: '1' } as never))).toBe('LABEL_MISMATCH');
    try {
      c.labels({ a: '1', c: '3' } as never);
    } catch (e) {
      expect((e as Error).message).toBe('expected labels {a, b} for counter "c", got {a, c}');
    }
    // an unlabelled metric takes an empty object
    const u = set.gauge({ name: 'u', help: '' });
    expect(u.labels({})).toBe(u.labels({}));
    expect(code(() => u.labels({ a: 'x' } as never))).toBe('LABEL_MISMATCH');
    expect(c.size).toBe(0);
  });
});

describe('large sets', () => {
  it('10k series: encode equals encode(collect()) and the chunked output', () => {
    const set = new MetricSet({ defaultLabels: { instance: 'host:9100' } });
    const c = set.counter({ name: 'c', help: 'h', labelNames: ['i', 'j'] });
    const h = set.histogram({ name: 'h', help: 'h', labelNames: ['i'], buckets: [0.01, 0.1, 1] });
    for (let i = 0; i < 5000; i++) {
      c.labels({ i, j: i % 7 }).inc(i * 0.5);
      h.labels({ i }).observe(i / 5000);
    }
    for (const format of ['text', 'openmetrics'] as Format[]) {
      const direct = Buffer.from(set.encode({ format }));
      expect(Buffer.from(encode(set.collect(), { format })).equals(direct)).toBe(true);
      const chunks = [...set.encodeChunks({ format })];
      expect(chunks.length).toBeGreaterThan(3);
      expect(Buffer.concat(chunks).equals(direct)).toBe(true);
    }
  });
});

describe('histograms OpenMetrics forbids a sum for', () => {
  it('leaves out _sum and _count with a negative bound or a negative or NaN sum, in OpenMetrics only', () => {
    const set = new MetricSet();
    set.histogram({ name: 'delta', help: 'x', buckets: [0] }).observe(-2);
    set.histogram({ name: 'offset', help: 'x', buckets: [-1, 0, 1] }).observe(0.5);
    set.histogram({ name: 'nan', help: 'x', buckets: [1] }).observe(NaN);
    set.histogram({ name: 'ok', help: 'x', buckets: [1] }).observe(0.5);
    const om = new TextDecoder().decode(set.encode({ format: 'openmetrics' }));
    expect(om).not.toMatch(/(delta|offset|nan)_(sum|count)/);
    expect(om).toContain('ok_sum 0.5\nok_count 1\n');
    expect(() => parse(om, { format: 'openmetrics' })).not.toThrow();
    expect(om).toBe(encodeToString(set.collect(), { format: 'openmetrics' }));
    const text = new TextDecoder().decode(set.encode({ format: 'text' }));
    expect(text).toContain('delta_sum -2\ndelta_count 1\n');
  });
});
