/**
 * The handlers serving protobuf over 127.0.0.1: negotiated from Prometheus
 * 3.5.3's own Accept header, read back with promwire's parser and with
 * protobufjs (test/helpers/pb-decode.ts: a schema written from
 * metrics.proto's field list, not from promwire's constants).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricSet } from '../src/metrics/index.js';
import type { MetricFamily, NativeHistogram } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import type { HandlerOptions } from '../src/toolkit/exposition.js';
import { onceEach, warningKey } from '../src/toolkit/exposition.js';
import { createFetchHandler } from '../src/toolkit/fetch-handler.js';
import { createNodeHandler } from '../src/toolkit/handler.js';
import { PROMETHEUS_ACCEPT, PROMETHEUS_PROTO_ACCEPT } from '../src/toolkit/negotiate.js';
import { decodeDelimited } from './helpers/pb-decode.js';

const PROTO_U = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores';

const NATIVE: NativeHistogram = {
  kind: 'integer',
  schema: 3,
  zeroThreshold: 2.938735877055719e-39,
  zeroCount: 2,
  count: 11,
  sum: 42.5,
  positiveSpans: [
    { offset: 0, length: 2 },
    { offset: 3, length: 1 },
  ],
  positiveBuckets: [3, 1, 4],
  negativeSpans: [{ offset: -2, length: 1 }],
  negativeBuckets: [1],
};

const FAMILIES: MetricFamily[] = [
  {
    name: 'http_requests_total',
    type: 'counter',
    help: 'Requests served.',
    unit: '',
    samples: [
      { name: 'http_requests_total', labels: { code: '200', path: '/a"b\\c\nd' }, value: 1027, timestamp: null },
      { name: 'http_requests_total', labels: { code: '500', path: 'Zürich ✓' }, value: 3, timestamp: null },
    ],
  },
  {
    name: 'rpc_duration_seconds',
    type: 'histogram',
    help: 'RPC latency.',
    unit: '',
    samples: [{ name: 'rpc_duration_seconds', labels: { method: 'get' }, value: NATIVE, timestamp: null }],
  },
  {
    name: 'temperature',
    type: 'gauge',
    help: '',
    unit: '',
    samples: [{ name: 'temperature', labels: {}, value: -1.5e-7, timestamp: null }],
  },
];

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function serveHandler(options: HandlerOptions): Promise<string> {
  const handler = createNodeHandler(options);
  const server = http.createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, gunzipped when it came gzipped. */
  body: Buffer;
}

function request(url: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** What protobufjs reads of the native histogram family. */
function checkWithProtobufjs(body: Uint8Array): void {
  const decoded = decodeDelimited(body);
  expect(decoded.map((f: { name: string; type?: string }) => [f.name, f.type ?? 'COUNTER'])).toEqual([
    ['http_requests_total', 'COUNTER'],
    ['rpc_duration_seconds', 'HISTOGRAM'],
    ['temperature', 'GAUGE'],
  ]);
  const counter = decoded[0].metric;
  expect(counter.map((m: { label: unknown; counter: { value: number } }) => [m.label, m.counter.value])).toEqual([
    [
      [
        { name: 'code', value: '200' },
        { name: 'path', value: '/a"b\\c\nd' },
      ],
      1027,
    ],
    [
      [
        { name: 'code', value: '500' },
        { name: 'path', value: 'Zürich ✓' },
      ],
      3,
    ],
  ]);
  const h = decoded[1].metric[0].histogram;
  // protobufjs leaves out fields at their default (an offset of 0)
  const spans = (xs: { offset?: number; length?: number }[]) => xs.map((x) => ({ offset: x.offset ?? 0, length: x.length ?? 0 }));
  expect(decoded[1].metric[0].label).toEqual([{ name: 'method', value: 'get' }]);
  expect([h.sampleCount, h.sampleSum, h.schema, h.zeroThreshold, h.zeroCount]).toEqual([11, 42.5, 3, 2.938735877055719e-39, 2]);
  expect(spans(h.positiveSpan)).toEqual([
    { offset: 0, length: 2 },
    { offset: 3, length: 1 },
  ]);
  // deltas: each bucket's count minus the previous one's (metrics.proto)
  expect(h.positiveDelta).toEqual([3, -2, 3]);
  expect(spans(h.negativeSpan)).toEqual([{ offset: -2, length: 1 }]);
  expect(h.negativeDelta).toEqual([1]);
  expect(decoded[2].metric[0].gauge.value).toBe(-1.5e-7);
}

/** The native histogram as promwire's parser reads it back. */
function nativeOf(families: MetricFamily[]): unknown {
  return families.find((f) => f.name === 'rpc_duration_seconds')?.samples[0]?.value;
}

describe('node:http handler, protobuf', () => {
  it("Prometheus 3.5.3's Accept with native histograms enabled gets protobuf; promwire and protobufjs read it back", async () => {
    const base = await serveHandler({ collect: () => FAMILIES, onWarning: () => {} });
    const r = await request(base + '/metrics', { accept: PROMETHEUS_PROTO_ACCEPT });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(PROTO_U);
    expect(r.headers['vary']).toBe('Accept, Accept-Encoding');
    const back = parse(r.body, { format: 'protobuf' });
    expect(back.map((f) => [f.name, f.type, f.help])).toEqual(FAMILIES.map((f) => [f.name, f.type, f.help]));
    expect(nativeOf(back)).toEqual(NATIVE);
    expect(back[0]!.samples.map((s) => [s.labels, s.value])).toEqual(FAMILIES[0]!.samples.map((s) => [s.labels, s.value]));
    checkWithProtobufjs(r.body);
  });

  it('gzips protobuf as it does text, and ?format=protobuf forces it over Accept', async () => {
    const base = await serveHandler({ collect: () => FAMILIES, chunkSize: 16 });
    const z = await request(base + '/metrics', { accept: PROMETHEUS_PROTO_ACCEPT, 'accept-encoding': 'gzip' });
    expect(z.headers['content-encoding']).toBe('gzip');
    checkWithProtobufjs(z.body);
    const forced = await request(base + '/metrics?format=protobuf', { accept: PROMETHEUS_ACCEPT });
    // the escaping still comes from Accept (allow-utf-8 on Prometheus' OpenMetrics 1.0.0 clause)
    expect(forced.headers['content-type']).toBe(PROTO_U.replace('underscores', 'allow-utf-8'));
    expect(nativeOf(parse(forced.body, { format: 'protobuf' }))).toEqual(NATIVE);
  });

  it('protobuf: false answers the same Accept with OpenMetrics and refuses ?format=protobuf', async () => {
    const warnings: string[] = [];
    const base = await serveHandler({ collect: () => FAMILIES, protobuf: false, onWarning: (m) => warnings.push(m) });
    const r = await request(base + '/metrics', { accept: PROMETHEUS_PROTO_ACCEPT });
    expect(r.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8');
    expect(r.body.toString('utf8').endsWith('# EOF\n')).toBe(true);
    const bad = await request(base + '/metrics?format=protobuf');
    expect(bad.status).toBe(400);
    expect(bad.body.toString('utf8')).toBe('400 Bad Request: unknown format="protobuf"; expected prometheus, text or openmetrics\n');
    // the native histogram cannot be served as OpenMetrics 1.0: said once
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"rpc_duration_seconds"');
  });

  it('escaping applies to protobuf names: underscores by default, UTF-8 names kept with escaping=allow-utf-8', async () => {
    const utf8: MetricFamily[] = [
      {
        name: 'my.gauge',
        type: 'gauge',
        help: '',
        unit: '',
        samples: [{ name: 'my.gauge', labels: { 'k.1': 'v' }, value: 1, timestamp: null }],
      },
    ];
    const base = await serveHandler({ collect: () => utf8 });
    const pb = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
    const legacy = decodeDelimited((await request(base + '/metrics', { accept: pb })).body);
    expect([legacy[0].name, legacy[0].metric[0].label[0].name]).toEqual(['my_gauge', 'k_1']);
    const r = await request(base + '/metrics', { accept: `${pb};escaping=allow-utf-8` });
    expect(r.headers['content-type']).toBe(PROTO_U.replace('underscores', 'allow-utf-8'));
    const kept = decodeDelimited(r.body);
    expect([kept[0].name, kept[0].metric[0].label[0].name]).toEqual(['my.gauge', 'k.1']);
  });

  it('a native histogram asked for as text is said once per family and reason, not on every scrape', async () => {
    const warnings: string[] = [];
    const base = await serveHandler({ collect: () => FAMILIES, onWarning: (m) => warnings.push(m) });
    for (let i = 0; i < 3; i++) {
      const r = await request(base + '/metrics');
      expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      // client_golang's text form of a native-only histogram: +Inf bucket, sum and count
      expect(r.body.toString('utf8')).toContain('rpc_duration_seconds_count{method="get"} 11\n');
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^"rpc_duration_seconds": /);
    // protobuf carries it whole: nothing more to say
    await request(base + '/metrics', { accept: PROMETHEUS_PROTO_ACCEPT });
    expect(warnings).toHaveLength(1);
  });
});

describe('MetricSet through the handler, protobuf', () => {
  it("encodes through the set's own encodeChunks (its label pairs rendered once), which protobufjs reads", async () => {
    const metrics = new MetricSet();
    const requests = metrics.counter({ name: 'http_requests_total', help: 'Requests served.', labelNames: ['code'] });
    requests.labels({ code: '200' }).inc(7);
    const latency = metrics.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1] });
    latency.observe(0.05);
    latency.observe(0.5);
    const base = await serveHandler({ metrics, chunkSize: 8 });
    for (const enc of ['identity', 'gzip']) {
      const r = await request(base + '/metrics', { accept: PROMETHEUS_PROTO_ACCEPT, 'accept-encoding': enc });
      expect(r.headers['content-type']).toBe(PROTO_U);
      expect(parse(r.body, { format: 'protobuf' })).toEqual(
        parse(Buffer.from(metrics.encode({ format: 'protobuf', escaping: 'underscores' })), { format: 'protobuf' }),
      );
      const d = decodeDelimited(r.body);
      expect(d.map((f: { name: string }) => f.name)).toEqual(['http_requests_total', 'latency_seconds']);
      expect(d[0].metric[0].counter.value).toBe(7);
      const h = d[1].metric[0].histogram;
      expect([h.sampleCount, h.sampleSum]).toEqual([2, 0.55]);
      expect(h.bucket.map((b: { cumulativeCount?: number; upperBound?: number }) => [b.upperBound, b.cumulativeCount])).toEqual([
        [0.1, 1],
        [1, 2],
      ]);
    }
  });
});

describe('fetch handler, protobuf', () => {
  it('serves protobuf to the protobuf Accept, gzipped when asked', async () => {
    const handler = createFetchHandler({ collect: () => FAMILIES });
    const r = await handler(new Request('http://x/metrics', { headers: { accept: PROMETHEUS_PROTO_ACCEPT } }));
    expect(r.headers.get('content-type')).toBe(PROTO_U);
    const body = new Uint8Array(await r.arrayBuffer());
    expect(nativeOf(parse(body, { format: 'protobuf' }))).toEqual(NATIVE);
    checkWithProtobufjs(body);
    const z = await handler(new Request('http://x/metrics', { headers: { accept: PROMETHEUS_PROTO_ACCEPT, 'accept-encoding': 'gzip' } }));
    expect(z.headers.get('content-encoding')).toBe('gzip');
    checkWithProtobufjs(zlib.gunzipSync(new Uint8Array(await z.arrayBuffer())));
  });
});

describe('conversion warnings, once each', () => {
  it('without onWarning, only the first warning of the handler reaches the console, with a hint', async () => {
    const said: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void said.push(args);
    try {
      const withUnit: MetricFamily[] = [
        {
          ...FAMILIES[2]!,
          name: 'temperature_celsius',
          unit: 'celsius',
          samples: [{ name: 'temperature_celsius', labels: {}, value: 21, timestamp: null }],
        },
      ];
      // two distinct warnings at least: the native histogram and the unit (both checked with onWarning below)
      const base = await serveHandler({ collect: () => [...FAMILIES, ...withUnit] });
      for (let i = 0; i < 3; i++) expect((await request(base + '/metrics')).status).toBe(200);
    } finally {
      console.warn = warn;
    }
    expect(said).toHaveLength(1);
    const all: string[] = [];
    const withUnit: MetricFamily[] = [
      {
        ...FAMILIES[2]!,
        name: 'temperature_celsius',
        unit: 'celsius',
        samples: [{ name: 'temperature_celsius', labels: {}, value: 21, timestamp: null }],
      },
    ];
    const base = await serveHandler({ collect: () => [...FAMILIES, ...withUnit], onWarning: (m) => all.push(m) });
    await request(base + '/metrics');
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(String(said[0]![0])).toMatch(
      /^promwire handler: "rpc_duration_seconds": .*\(further conversion warnings are not printed: pass onWarning to receive each once\)$/,
    );
  });

  it('warningKey: the family named exactly, the counts blanked', () => {
    expect(warningKey('"a1s": 3 native histogram samples written as +Inf bucket')).toBe(
      warningKey('"a1s": 1 native histogram sample written as +Inf bucket'),
    );
    expect(warningKey('"a1": 3 samples x')).not.toBe(warningKey('"a2": 3 samples x'));
    expect(warningKey('"a\\"2": 10 x')).toBe('"a\\"2": # x');
    expect(warningKey('no family 12')).toBe('no family #');
  });

  it('onceEach passes each distinct warning once and stops past its bound with one last line', () => {
    const got: string[] = [];
    const warn = onceEach((m) => got.push(m), 2);
    warn('"a": 1 sample lost');
    warn('"a": 2 samples lost');
    warn('"b": 1 sample lost');
    warn('"c": 1 sample lost');
    warn('"d": 1 sample lost');
    expect(got).toEqual(['"a": 1 sample lost', '"b": 1 sample lost', '2 distinct conversion warnings reported; further ones are dropped']);
  });
});
