/**
 * scrape() asking for and reading protobuf, against local servers: the
 * promwire handler, and a plain server sending bytes promwire's encoder
 * wrote (checked independently in encode's tests), gzipped or not.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../src/encode/encoder.js';
import type { MetricFamily, NativeHistogram } from '../src/model/index.js';
import { createNodeHandler } from '../src/toolkit/handler.js';
import {
  CONTENT_TYPE_PROTOBUF,
  PROMETHEUS_ACCEPT,
  PROMETHEUS_PROTO_ACCEPT,
  PROTO_FIRST_SCRAPE_PROTOCOLS,
} from '../src/toolkit/negotiate.js';
import { scrape, scrapeEach, scrapeProtocol } from '../src/toolkit/scrape.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const NATIVE: NativeHistogram = {
  kind: 'integer',
  schema: 0,
  zeroThreshold: 1e-128,
  zeroCount: 1,
  count: 6,
  sum: 7.25,
  positiveSpans: [{ offset: 1, length: 3 }],
  positiveBuckets: [1, 0, 2],
  negativeSpans: [{ offset: 0, length: 1 }],
  negativeBuckets: [2],
};

const FAMILIES: MetricFamily[] = [
  {
    name: 'jobs_total',
    type: 'counter',
    help: 'Jobs run.',
    unit: '',
    samples: [{ name: 'jobs_total', labels: { queue: 'a"b' }, value: 12, timestamp: null }],
  },
  {
    name: 'latency_seconds',
    type: 'histogram',
    help: 'Latency.',
    unit: '',
    samples: [
      { name: 'latency_seconds', labels: { path: '/' }, value: NATIVE, timestamp: null },
      { name: 'latency_seconds', labels: { path: '/x' }, value: { ...NATIVE, count: 7, zeroCount: 2 }, timestamp: null },
    ],
  },
];

const BODY = encode(FAMILIES, { format: 'protobuf' });

describe('scrape, protobuf', () => {
  it("format: 'protobuf' asks as Prometheus does for [PrometheusProto] and reads the answer into families, native histograms included", async () => {
    let accept: string | undefined;
    const base = await serve((req, res) => {
      accept = req.headers['accept'];
      res.writeHead(200, { 'content-type': CONTENT_TYPE_PROTOBUF }).end(BODY);
    });
    const r = await scrape(base + '/metrics', { format: 'protobuf' });
    expect(accept).toBe('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,*/*;q=0.5');
    expect([r.format, r.contentType, r.bytes]).toEqual(['protobuf', CONTENT_TYPE_PROTOBUF, BODY.byteLength]);
    expect(r.families.map((f) => [f.name, f.type, f.help])).toEqual(FAMILIES.map((f) => [f.name, f.type, f.help]));
    expect(r.families[1]!.samples.map((s) => [s.labels, s.value])).toEqual(FAMILIES[1]!.samples.map((s) => [s.labels, s.value]));
  });

  it('protocols sends the exact Accept of Prometheus 3.5.3 with native histograms enabled; the promwire handler answers protobuf, gzipped', async () => {
    let accept: string | undefined;
    const handler = createNodeHandler({ collect: () => FAMILIES });
    const base = await serve((req, res) => {
      accept = req.headers['accept'];
      void handler(req, res);
    });
    const r = await scrape(base + '/metrics', { protocols: PROTO_FIRST_SCRAPE_PROTOCOLS });
    expect(accept).toBe(PROMETHEUS_PROTO_ACCEPT);
    expect(r.format).toBe('protobuf');
    expect(r.contentEncoding).toBe('gzip');
    expect(r.contentType).toBe(`${CONTENT_TYPE_PROTOBUF}; escaping=underscores`);
    expect(r.families[1]!.samples[0]!.value).toEqual(NATIVE);
    // Prometheus' own names, with dots, do the same
    const dotted = await scrape(base + '/metrics', {
      protocols: ['PrometheusProto', 'OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'],
    });
    expect(accept).toBe(PROMETHEUS_PROTO_ACCEPT);
    expect(dotted.families).toEqual(r.families);
  });

  it('the default Accept is still exactly Prometheus 3.5.3 default one (no protobuf), and escaping changes only the escaping parameters', async () => {
    let accept: string | undefined;
    const base = await serve((req, res) => {
      accept = req.headers['accept'];
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end('a 1\n');
    });
    await scrape(base);
    expect(accept).toBe(PROMETHEUS_ACCEPT);
    await scrape(base, { protocols: ['PrometheusProto', 'OpenMetricsText1_0_0'], escaping: 'underscores' });
    expect(accept).toBe(
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,' +
        'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,*/*;q=0.4',
    );
  });

  it('refuses unknown protocols and an empty list', async () => {
    expect(() => scrapeProtocol('PrometheusProto')).not.toThrow();
    expect(() => scrapeProtocol('Proto')).toThrow(
      /unknown scrape protocol "Proto" \(expected one of: PrometheusProto, PrometheusText0\.0\.4/,
    );
    await expect(scrape('http://127.0.0.1:1/', { protocols: [] })).rejects.toThrow(/at least one scrape protocol/);
  });

  it('the limits apply to protobuf: bodyLimit (decompressed), maxSeries, maxModelBytes', async () => {
    const big: MetricFamily[] = [
      {
        name: 'g',
        type: 'gauge',
        help: '',
        unit: '',
        samples: Array.from({ length: 2000 }, (_, i) => ({ name: 'g', labels: { i: String(i) }, value: i, timestamp: null })),
      },
    ];
    const body = encode(big, { format: 'protobuf' });
    const gz = zlib.gzipSync(body);
    const base = await serve((req, res) => {
      const zipped = req.headers['accept-encoding'] === 'gzip';
      res.writeHead(200, { 'content-type': CONTENT_TYPE_PROTOBUF, ...(zipped ? { 'content-encoding': 'gzip' } : {}) });
      res.end(zipped ? gz : body);
    });
    expect((await scrape(base)).families[0]!.samples).toHaveLength(2000);
    expect(gz.byteLength).toBeLessThan(body.byteLength / 2);
    // the gzipped body is under the limit, the decompressed one over it
    await expect(scrape(base, { bodyLimit: body.byteLength - 1 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'bodyLimit' });
    await expect(scrape(base, { maxSeries: 100 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    await expect(scrape(base, { maxModelBytes: 10_000 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('scrapeEach hands over each family; a protobuf body cut short is an error, not a short scrape', async () => {
    const base = await serve((req, res) => {
      res.writeHead(200, { 'content-type': CONTENT_TYPE_PROTOBUF });
      res.end(req.url === '/cut' ? BODY.subarray(0, BODY.byteLength - 3) : BODY);
    });
    const names: string[] = [];
    const r = await scrapeEach(base, {}, (f) => {
      names.push(f.name);
    });
    expect([r.format, names]).toEqual(['protobuf', ['jobs_total', 'latency_seconds']]);
    await expect(scrape(base + '/cut')).rejects.toBeInstanceOf(Error);
  });

  it("fallbackFormat: 'protobuf' reads an answer without a Content-Type as protobuf", async () => {
    const base = await serve((_req, res) => {
      res.removeHeader('content-type');
      res.writeHead(200).end(BODY);
    });
    await expect(scrape(base)).rejects.toThrow(/no Content-Type/);
    const r = await scrape(base, { fallbackFormat: 'protobuf' });
    expect([r.format, r.families.length]).toEqual(['protobuf', 2]);
  });
});
