import { describe, expect, it } from 'vitest';
import { encode, type MetricFamily, parse } from '../src/index.js';
import type { NativeHistogram } from '../src/model/index.js';

/** The warnings of converting `families` to `format`. */
function warnings(families: MetricFamily[], format: 'text' | 'openmetrics'): string[] {
  const out: string[] = [];
  encode(families, { format, onWarning: (m) => out.push(m) });
  return out;
}

const ex = (v: number) => ({ labels: { trace_id: String(v) }, value: v, timestamp: null });

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

describe('conversions say what they drop (one warning per family and kind of loss)', () => {
  const om = parse(`# TYPE http_requests counter
http_requests_total{code="200"} 1 # {trace_id="a"} 1
http_requests_created{code="200"} 1700000000
http_requests_total{code="500"} 2 # {trace_id="b"} 1
# TYPE temp_celsius gauge
# UNIT temp_celsius celsius
temp_celsius 21.5 1700000000.0005
# TYPE build info
build_info{v="1"} 1
# TYPE link stateset
link{link="up"} 1
link{link="down"} 0
# TYPE q gaugehistogram
q_bucket{le="+Inf"} 1
q_gcount 1
q_gsum 1
# EOF
`);

  it('text 0.0.4: exemplars, units, start timestamps, info, stateset and gauge histogram types, fractional milliseconds', () => {
    expect(warnings(om, 'text')).toEqual([
      '"http_requests_total": exemplars dropped: text 0.0.4 has none (2 samples)',
      '"http_requests_total": start timestamps written as the gauge family "http_requests_created": text 0.0.4 has none (1 sample)',
      '"temp_celsius": unit "celsius" dropped: text 0.0.4 has no units',
      '"temp_celsius": timestamps truncated to whole milliseconds: text 0.0.4 timestamps are integers (1 sample)',
      '"build_info": written as a gauge: text 0.0.4 has no info type (1 sample)',
      '"link": written as a gauge: text 0.0.4 has no stateset type (2 samples)',
      '"q": written as a histogram, with _gcount and _gsum as gauges: text 0.0.4 has no gauge histograms (3 samples)',
    ]);
  });

  it('OpenMetrics round trip of an OpenMetrics payload loses nothing and says nothing', () => {
    expect(warnings(om, 'openmetrics')).toEqual([]);
  });

  it('text: a start timestamp on a gauge has no _created series to go to', () => {
    const g: MetricFamily = {
      name: 'g',
      type: 'gauge',
      help: '',
      unit: '',
      samples: [{ name: 'g', labels: {}, value: 1, timestamp: null, startTimestamp: 5 }],
    };
    expect(warnings([g], 'text')).toEqual([
      '"g": start timestamps dropped: text 0.0.4 has none, and a gauge no _created series (1 sample)',
    ]);
    expect(warnings([g], 'openmetrics')).toEqual([
      '"g": start timestamps dropped: OpenMetrics 1.0 has _created for counters, histograms and summaries only (1 sample)',
    ]);
  });

  it('OpenMetrics 1.0: one exemplar per sample, only on _total and _bucket, none on native histograms', () => {
    const fams: MetricFamily[] = [
      {
        name: 'c_total',
        type: 'counter',
        help: '',
        unit: '',
        samples: [{ name: 'c_total', labels: {}, value: 1, timestamp: null, exemplars: [ex(1), ex(2), ex(3)] }],
      },
      { name: 'g', type: 'gauge', help: '', unit: '', samples: [{ name: 'g', labels: {}, value: 1, timestamp: null, exemplars: [ex(1)] }] },
      {
        name: 'h',
        type: 'histogram',
        help: '',
        unit: '',
        samples: [
          { name: 'h_bucket', labels: { le: '+Inf' }, value: 1, timestamp: null, exemplars: [ex(1), ex(2)] },
          { name: 'h_sum', labels: {}, value: 1, timestamp: null, exemplars: [ex(1)] },
          { name: 'h_count', labels: {}, value: 1, timestamp: null },
        ],
      },
      {
        name: 'n',
        type: 'histogram',
        help: '',
        unit: '',
        samples: [{ name: 'n', labels: {}, value: native, timestamp: null, exemplars: [ex(1)] }],
      },
    ];
    const out = encode(fams, { format: 'openmetrics' });
    expect(new TextDecoder().decode(out)).toContain('c_total 1 # {trace_id="1"} 1\n');
    expect(warnings(fams, 'openmetrics')).toEqual([
      '"c_total": exemplars beyond the first dropped: OpenMetrics 1.0 carries one per sample (2 samples)',
      '"g": exemplars dropped: OpenMetrics 1.0 has them on counter _total and histogram _bucket samples only (1 sample)',
      '"h": exemplars dropped: OpenMetrics 1.0 has them on counter _total and histogram _bucket samples only (1 sample)',
      '"h": exemplars beyond the first dropped: OpenMetrics 1.0 carries one per sample (1 sample)',
      '"n": 1 native histogram sample written as +Inf bucket, sum and count: OpenMetrics 1.0 has no native histograms',
      '"n": exemplars of native histograms dropped: OpenMetrics 1.0 has no native histograms (1 sample)',
    ]);
  });

  it('OpenMetrics 1.0: _sum and _count left out of a histogram with a negative bound, and a counter written as unknown loses its exemplars', () => {
    const fams = parse(`# TYPE h histogram
h_bucket{le="-1"} 1
h_bucket{le="+Inf"} 2
h_sum -3
h_count 2
# TYPE c counter
c 1
# TYPE c_total gauge
c_total 1
`);
    fams[1]!.samples[0]!.exemplars = [ex(1)];
    expect(warnings(fams, 'openmetrics')).toEqual([
      '"h": _sum and _count left out: OpenMetrics 1.0 forbids a sum with negative bucket bounds or a negative or NaN sum (2 samples)',
      '"c": exemplars dropped: the counter is written as unknown, which has none in OpenMetrics 1.0 (1 sample)',
    ]);
  });
});
