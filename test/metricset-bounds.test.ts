import { describe, expect, it } from 'vitest';
import { encodeToString } from '../src/encode/encoder.js';
import { MetricSet } from '../src/metrics/index.js';
import { parse } from '../src/parse/families.js';

/**
 * `le` and `quantile` per format: OpenMetrics 1.0 requires canonical
 * numbers (`1.0`, `10.0`, `1e-05`, `+Inf`), as client_python and Prometheus 3
 * write them (rules.canonicalBound); text 0.0.4 keeps Go's 'g' spelling
 * (`1`), as client_golang writes it.
 */
function set(options: ConstructorParameters<typeof MetricSet>[0] = {}): MetricSet {
  const s = new MetricSet(options);
  const h = s.histogram({ name: 'h', help: '', buckets: [0.00001, 0.5, 1, 10, 100], labelNames: ['a'] });
  h.labels({ a: 'x' }).observe(0.7);
  h.labels({ a: 'y' }).observe(50);
  const q = s.summary({ name: 's', help: '', quantiles: [0, 0.5, 1] });
  q.set({ quantiles: [1, 2, 3], sum: 6, count: 3 });
  return s;
}

const bucketLines = (body: string): string[] => body.split('\n').filter((l) => l.startsWith('h_bucket{a="x"') || l.startsWith('s{'));

describe('MetricSet le and quantile spelling per format', () => {
  it('text 0.0.4: Go spelling', () => {
    expect(bucketLines(set().encodeToString())).toEqual([
      'h_bucket{a="x",le="1e-05"} 0',
      'h_bucket{a="x",le="0.5"} 0',
      'h_bucket{a="x",le="1"} 1',
      'h_bucket{a="x",le="10"} 1',
      'h_bucket{a="x",le="100"} 1',
      'h_bucket{a="x",le="+Inf"} 1',
      's{quantile="0"} 1',
      's{quantile="0.5"} 2',
      's{quantile="1"} 3',
    ]);
  });

  it('OpenMetrics 1.0: canonical numbers', () => {
    expect(bucketLines(set().encodeToString({ format: 'openmetrics' }))).toEqual([
      'h_bucket{a="x",le="1e-05"} 0',
      'h_bucket{a="x",le="0.5"} 0',
      'h_bucket{a="x",le="1.0"} 1',
      'h_bucket{a="x",le="10.0"} 1',
      'h_bucket{a="x",le="100.0"} 1',
      'h_bucket{a="x",le="+Inf"} 1',
      's{quantile="0.0"} 1',
      's{quantile="0.5"} 2',
      's{quantile="1.0"} 3',
    ]);
  });

  it('both formats alternate on the same set, with escaping and chunks, and series created after the first encode', () => {
    const s = set({ nameValidation: 'utf-8', defaultLabels: { 'host.name': 'h' } });
    s.histogram({ name: 'my.latency', help: '', buckets: [1, 2.5] }).observe(2);
    const text1 = s.encodeToString();
    const om1 = s.encodeToString({ format: 'openmetrics' });
    expect(text1).toContain('{"my.latency_bucket","host.name"="h",le="1"} 0\n');
    expect(om1).toContain('{"my.latency_bucket","host.name"="h",le="1.0"} 0\n');
    expect(s.encodeToString({ format: 'openmetrics', escaping: 'underscores' })).toContain('my_latency_bucket{host_name="h",le="1.0"} 0\n');
    expect(s.encodeToString({ escaping: 'underscores' })).toContain('my_latency_bucket{host_name="h",le="1"} 0\n');
    (s.get('h') as ReturnType<MetricSet['histogram']>).labels({ a: 'z' }).observe(1);
    for (const format of ['text', 'openmetrics'] as const) {
      for (const escaping of ['allow-utf-8', 'underscores', 'dots', 'values'] as const) {
        const direct = s.encodeToString({ format, escaping });
        // the encoder writes collect()'s model the same way
        expect(encodeToString(s.collect(), { format, escaping })).toBe(direct);
        expect(Buffer.concat([...s.encodeChunks({ format, escaping, chunkSize: 50 })]).toString()).toBe(direct);
      }
    }
    expect(s.encodeToString()).toContain('h_bucket{"host.name"="h",a="z",le="1"} 1\n');
    expect(s.encodeToString({ format: 'openmetrics' })).toContain('h_bucket{"host.name"="h",a="z",le="1.0"} 1\n');
  });

  it('collect() holds canonical bounds; both formats parse back (strict parser) to it', () => {
    const s = set({ defaultLabels: { job: 'j' } });
    const model = s.collect();
    expect(model[0]!.samples.map((x) => x.labels.le)).toContain('1.0');
    expect(model[1]!.samples.map((x) => x.labels.quantile)).toEqual(['0.0', '0.5', '1.0', undefined, undefined]);
    expect(parse(s.encode({ format: 'openmetrics' }), { format: 'openmetrics' })).toEqual(model);
    // Prometheus 3 reads text `le="1"` as `1.0` too (textparse normalizeFloatsInLabelValues)
    expect(parse(s.encode({ format: 'text' }), { format: 'text' })).toEqual(model);
  });
});
