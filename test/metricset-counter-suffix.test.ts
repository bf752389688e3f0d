import { Counter as PromClientCounter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { encode } from '../src/encode/encoder.js';
import { PromwireError } from '../src/errors.js';
import { MetricSet } from '../src/index.js';
import type { Format } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { encodeWriteRequest } from '../src/remote-write/encode.js';
import { decodeWriteRequest } from '../src/remote-write/decode.js';

function build(options: ConstructorParameters<typeof MetricSet>[0] = {}): MetricSet {
  const set = new MetricSet(options);
  const c = set.counter({ name: 'http_requests', help: 'Requests.', labelNames: ['code'] });
  c.labels({ code: '200' }).inc(3);
  set.counter({ name: 'jobs_total', help: 'Jobs.' }).inc(2);
  set.counter({ name: 'sent', help: 'Bytes.', unit: 'bytes', counterSuffix: 'total' }).inc(1);
  return set;
}

describe("counterSuffix 'as-given'", () => {
  it('writes the name as given in text 0.0.4, byte for byte as prom-client 15', async () => {
    const set = new MetricSet({ counterSuffix: 'as-given' });
    set
      .counter({ name: 'http_requests', help: 'Requests.', labelNames: ['code'] })
      .labels({ code: '200' })
      .inc(3);
    set.counter({ name: 'jobs_total', help: 'Jobs.' }).inc(2);
    const reg = new Registry();
    const a = new PromClientCounter({ name: 'http_requests', help: 'Requests.', labelNames: ['code'], registers: [reg] });
    a.inc({ code: '200' }, 3);
    new PromClientCounter({ name: 'jobs_total', help: 'Jobs.', registers: [reg] }).inc(2);
    const pc = await reg.metrics();
    // prom-client separates families by a blank line; promwire does not.
    expect(set.encodeToString()).toBe(pc.replace(/\n\n/g, '\n'));
    expect(set.encodeToString()).toContain('# TYPE http_requests counter\nhttp_requests{code="200"} 3\n');
  });

  it('OpenMetrics keeps _total (required there), as prom-client writes it', async () => {
    const set = new MetricSet({ counterSuffix: 'as-given' });
    set.counter({ name: 'http_requests', help: 'Requests.' }).inc(3);
    const reg = new Registry();
    (reg as unknown as { setContentType(t: string): void }).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    new PromClientCounter({ name: 'http_requests', help: 'Requests.', registers: [reg] }).inc(3);
    const om = set.encodeToString({ format: 'openmetrics' });
    expect(om).toBe('# HELP http_requests Requests.\n# TYPE http_requests counter\nhttp_requests_total 3\n# EOF\n');
    expect(await reg.metrics()).toContain('http_requests_total 3\n');
    expect(parse(om, { format: 'openmetrics' })[0]!.name).toBe('http_requests_total');
  });

  it('equals encode(collect()) in every format; the model, protobuf and remote write name the series as given', () => {
    for (const set of [build({ counterSuffix: 'as-given' }), build()]) {
      for (const format of ['text', 'openmetrics', 'protobuf'] as Format[]) {
        expect(set.encode({ format })).toEqual(encode(set.collect(), { format }));
      }
      expect([...set.encodeChunks({ format: 'openmetrics', chunkSize: 16 })].reduce((n, c) => n + c.length, 0)).toBe(
        set.encode({ format: 'openmetrics' }).length,
      );
    }
    const set = build({ counterSuffix: 'as-given' });
    const names = set.collect().map((f) => [f.name, f.samples.map((s) => s.name)]);
    expect(names).toEqual([
      ['http_requests', ['http_requests']],
      ['jobs_total', ['jobs_total']],
      ['sent_bytes_total', ['sent_bytes_total']],
    ]);
    expect(parse(set.encode({ format: 'protobuf' }), { format: 'protobuf' }).map((f) => f.name)).toEqual([
      'http_requests',
      'jobs_total',
      'sent_bytes_total',
    ]);
    const rw = decodeWriteRequest(encodeWriteRequest(set, { timestamp: 1 }));
    expect(rw.series.map((t) => t.name)).toEqual(['http_requests', 'jobs_total', 'sent_bytes_total']);
    // The default is unchanged.
    expect(build().collect()[0]!.name).toBe('http_requests_total');
  });

  it('a per-counter option overrides the set; names still clash across formats; bad values are refused', () => {
    const set = new MetricSet();
    const c = set.counter({ name: 'reqs', help: '', counterSuffix: 'as-given' });
    expect(set.get('reqs')).toBe(c);
    expect(c.familyName).toBe('reqs');
    expect(() => set.gauge({ name: 'reqs_total', help: '' })).toThrow(/clashes/);
    expect(() => new MetricSet({ counterSuffix: 'x' as 'total' })).toThrow(PromwireError);
    expect(() => set.counter({ name: 'y', help: '', counterSuffix: 'none' as 'total' })).toThrow(/counterSuffix of "y"/);
  });
});
