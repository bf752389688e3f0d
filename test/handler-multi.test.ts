/**
 * Several sources behind one handler (`metrics: [a, b]`): bodies joined in
 * array order, each MetricSet through its own encodeChunks, one `# EOF`,
 * refresh() awaited, a family written by two sources refused.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { MetricSet } from '../src/metrics/index.js';
import type { MetricFamily } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import type { Collectable } from '../src/toolkit/exposition.js';
import { createFetchHandler } from '../src/toolkit/fetch-handler.js';
import { createNodeHandler } from '../src/toolkit/handler.js';

const OM = 'application/openmetrics-text;version=1.0.0';
const PB = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';

function twoSets(): [MetricSet, MetricSet] {
  const a = new MetricSet();
  a.counter({ name: 'http_requests_total', help: 'Requests.', labelNames: ['code'] })
    .labels({ code: '200' })
    .inc(3);
  a.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1] }).observe(0.5);
  const b = new MetricSet({ defaultLabels: { job: 'b' } });
  b.gauge({ name: 'queue_depth', help: 'Depth.' }).set(7);
  b.summary({ name: 'size_bytes', help: 'Sizes.' }).observe(10);
  return [a, b];
}

async function get(h: (r: Request) => Promise<Response>, accept?: string, path = '/metrics'): Promise<Response> {
  return h(new Request(`http://x${path}`, accept === undefined ? {} : { headers: { accept } }));
}

describe('metrics: an array of sets', () => {
  it('text and OpenMetrics: the sets encoded back to back, # EOF once at the end', async () => {
    const [a, b] = twoSets();
    const h = createFetchHandler({ metrics: [a, b], chunkSize: 16 });
    const text = await (await get(h)).text();
    expect(text).toBe(a.encodeToString() + b.encodeToString());
    const om = await (await get(h, OM)).text();
    const aOm = a.encodeToString({ format: 'openmetrics' });
    expect(om).toBe(aOm.slice(0, -'# EOF\n'.length) + b.encodeToString({ format: 'openmetrics' }));
    expect(om.match(/# EOF/g)).toHaveLength(1);
    expect(om.endsWith('# EOF\n')).toBe(true);
    // Both bodies parse as one exposition in their format.
    expect(parse(om, { format: 'openmetrics' }).map((f) => f.name)).toEqual([
      'http_requests_total',
      'latency_seconds',
      'queue_depth',
      'size_bytes',
    ]);
  });

  it('an empty set in the middle, and three sets: still one # EOF', async () => {
    const [a, b] = twoSets();
    const h = createFetchHandler({ metrics: [a, new MetricSet(), b] });
    const om = await (await get(h, OM)).text();
    expect(om.match(/# EOF/g)).toHaveLength(1);
    expect(parse(om, { format: 'openmetrics' })).toHaveLength(4);
  });

  it('protobuf: the delimited messages of both sets', async () => {
    const [a, b] = twoSets();
    const h = createFetchHandler({ metrics: [a, b] });
    const r = await get(h, PB);
    expect(r.headers.get('content-type')).toMatch(/^application\/vnd\.google\.protobuf/);
    const body = new Uint8Array(await r.arrayBuffer());
    const expected = [...a.encode({ format: 'protobuf' }), ...b.encode({ format: 'protobuf' })];
    expect([...body]).toEqual(expected);
    const names = parse(body, { format: 'protobuf' }).map((f) => f.name);
    expect(names).toEqual(['http_requests_total', 'latency_seconds', 'queue_depth', 'size_bytes']);
  });

  it('a family written by two sets is a 500 naming it and both sources, reported once', async () => {
    const [a, b] = twoSets();
    b.counter({ name: 'http_requests', help: 'Same family as a counter in a.' });
    const errors: unknown[] = [];
    const h = createFetchHandler({ metrics: [a, b], onError: (e) => errors.push(e) });
    const r = await get(h);
    expect(r.status).toBe(500);
    const text = await r.text();
    expect(text).toContain('metric family "http_requests_total" is written by metrics[0] and metrics[1]');
    expect(errors).toHaveLength(1);
    // Removing it serves the rest.
    b.remove('http_requests_total');
    expect((await get(h)).status).toBe(200);
  });

  it('a counter foo in one set clashes with a gauge foo_total in another (the same series name)', async () => {
    const a = new MetricSet();
    a.counter({ name: 'jobs', help: '' });
    const b = new MetricSet();
    b.gauge({ name: 'jobs_total', help: '' });
    const h = createFetchHandler({ metrics: [a, b], onError: () => {} });
    const r = await get(h);
    expect(r.status).toBe(500);
    expect(await r.text()).toContain('"jobs_total"');
  });

  it('sources without encodeChunks go through collect(): families joined, clash refused the same way', async () => {
    const [a] = twoSets();
    const fam: MetricFamily = {
      name: 'external_up',
      type: 'gauge',
      help: '',
      unit: '',
      samples: [{ name: 'external_up', labels: {}, value: 1, timestamp: null }],
    };
    const plain: Collectable = { collect: () => [fam] };
    const h = createFetchHandler({ metrics: [a, plain] });
    const fams = parse(await (await get(h)).text());
    expect(fams.map((f) => f.name)).toEqual(['http_requests_total', 'latency_seconds', 'external_up']);
    const dup: Collectable = { collect: async () => [{ ...fam, name: 'latency_seconds', samples: [] }] };
    const h2 = createFetchHandler({ metrics: [a, dup], onError: () => {} });
    const r = await get(h2);
    expect(r.status).toBe(500);
    expect(await r.text()).toContain('"latency_seconds" is written by metrics[0] and metrics[1]');
  });

  it('awaits every refresh() before encoding, concurrently', async () => {
    const [a, b] = twoSets();
    const g = b.get('queue_depth') as ReturnType<MetricSet['gauge']>;
    const order: string[] = [];
    const wrap = (set: MetricSet, name: string, delay: number, effect: () => void): Collectable => ({
      collect: () => set.collect(),
      encodeChunks: (o) => set.encodeChunks(o),
      list: () => set.list(),
      refresh: async () => {
        order.push(`${name} start`);
        await new Promise((r) => setTimeout(r, delay));
        effect();
        order.push(`${name} end`);
      },
    });
    const h = createFetchHandler({
      metrics: [wrap(a, 'a', 30, () => {}), wrap(b, 'b', 5, () => g.set(42))],
    });
    const text = await (await get(h)).text();
    expect(text).toContain('queue_depth{job="b"} 42\n');
    expect(order).toEqual(['a start', 'b start', 'b end', 'a end']);
  });

  it('a refresh() that never settles is a 503 after collectTimeout', async () => {
    const [a] = twoSets();
    const stuck: Collectable = { collect: () => [], encodeChunks: () => [], list: () => [], refresh: () => new Promise(() => {}) };
    const h = createFetchHandler({ metrics: [a, stuck], collectTimeout: 50, onError: () => {} });
    expect((await get(h)).status).toBe(503);
  });

  it('refuses an empty array, a non-source, and the same set twice', () => {
    const [a] = twoSets();
    expect(() => createFetchHandler({ metrics: [] })).toThrow(/at least one entry/);
    expect(() => createFetchHandler({ metrics: [a, 3 as unknown as Collectable] })).toThrow(/`metrics`\[1\] to be a MetricSet/);
    expect(() => createFetchHandler({ metrics: [a, a] })).toThrow(/given twice/);
  });

  it('default labels apply across every set (through the families path)', async () => {
    const [a, b] = twoSets();
    const h = createFetchHandler({ metrics: [a, b], defaultLabels: { instance: 'i1' } });
    const fams = parse(await (await get(h)).text());
    for (const f of fams) for (const s of f.samples) expect(s.labels.instance).toBe('i1');
    expect(fams).toHaveLength(4);
  });

  it('every set reads its collect callbacks once, in the refresh, however many chunks the sets before it send', async () => {
    const a = new MetricSet();
    const g = a.gauge({ name: 'a_g', help: 'A.', labelNames: ['i'] });
    for (let i = 0; i < 2000; i++) g.labels({ i: String(i) }).set(i);
    const b = new MetricSet();
    let calls = 0;
    b.gauge({
      name: 'b_g',
      help: 'B.',
      async collect(m) {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        m.set(1);
      },
    });
    const errors: unknown[] = [];
    // The Node handler waits for the socket between chunks, so set a's
    // chunks go out over several turns of the event loop before b's start.
    const handler = createNodeHandler({ metrics: [a, b], chunkSize: 1024, onError: (e) => errors.push(e) });
    const server = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    let text: string;
    try {
      const { port } = server.address() as { port: number };
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } finally {
      server.close();
    }
    expect(errors).toEqual([]);
    expect(calls).toBe(1);
    expect(text.endsWith('b_g 1\n')).toBe(true);
  });
});
