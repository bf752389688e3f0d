import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import type { MetricFamily } from '../src/model/index.js';
import { encodeWriteRequest } from '../src/remote-write/index.js';
import type { WriteRequestData } from '../src/remote-write/index.js';
import { snappyCompress } from '../src/snappy/index.js';
import { remoteWrite } from '../src/toolkit/remote-write-client.js';
import { createRemoteWriteFetchHandler } from '../src/toolkit/remote-write-fetch-handler.js';
import { createRemoteWriteHandler } from '../src/toolkit/remote-write-handler.js';
import type { RemoteWriteCallback, RemoteWriteHandlerOptions } from '../src/toolkit/remote-write-receiver.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

const T = 1_700_000_000_000;
const FAMILIES: MetricFamily[] = [
  {
    name: 'http_requests_total',
    type: 'counter',
    help: 'Requests.',
    unit: '',
    samples: [
      {
        name: 'http_requests_total',
        labels: { code: '200' },
        value: 7,
        timestamp: T,
        exemplars: [{ labels: { trace_id: 'abc' }, value: 1, timestamp: T - 1 }],
      },
      { name: 'http_requests_total', labels: { code: '500' }, value: 1, timestamp: T },
    ],
  },
  {
    name: 'rpc_seconds',
    type: 'histogram',
    help: 'RPC latency.',
    unit: 'seconds',
    samples: [
      {
        name: 'rpc_seconds',
        labels: {},
        timestamp: T,
        value: {
          kind: 'integer',
          schema: 0,
          zeroThreshold: 1e-128,
          zeroCount: 1,
          count: 4,
          sum: 10.5,
          positiveSpans: [{ offset: 0, length: 2 }],
          positiveBuckets: [1, 2],
          negativeSpans: [],
          negativeBuckets: [],
        },
      },
    ],
  },
];

const CT = { '1.0': 'application/x-protobuf', '2.0': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' } as const;

function body(version: '1.0' | '2.0', families: MetricFamily[] = FAMILIES): Uint8Array {
  return snappyCompress(encodeWriteRequest(families, { version }));
}

interface Receiver {
  url: string;
  got: WriteRequestData[];
  errors: unknown[];
}

async function nodeReceiver(options: RemoteWriteHandlerOptions = {}, callback?: RemoteWriteCallback): Promise<Receiver> {
  const got: WriteRequestData[] = [];
  const errors: unknown[] = [];
  const handler = createRemoteWriteHandler(
    callback ??
      ((r) => {
        got.push(r);
      }),
    { onError: (e) => errors.push(e), ...options },
  );
  const server = http.createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`, got, errors };
}

/** The fetch handler behind a node:http server, so both are tested over real HTTP. */
async function fetchReceiver(options: RemoteWriteHandlerOptions = {}, callback?: RemoteWriteCallback): Promise<Receiver> {
  const got: WriteRequestData[] = [];
  const errors: unknown[] = [];
  const handler = createRemoteWriteFetchHandler(
    callback ??
      ((r) => {
        got.push(r);
      }),
    { onError: (e) => errors.push(e), ...options },
  );
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method ?? 'GET',
      headers,
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
    });
    const response = await handler(request);
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => {
      out[k] = v;
    });
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`, got, errors };
}

async function post(url: string, data: Uint8Array, headers: Record<string, string>, method = 'POST'): Promise<Response> {
  return fetch(url, { method, headers, ...(method === 'GET' ? {} : { body: new Uint8Array(data) }) });
}

describe.each([
  ['node:http', nodeReceiver],
  ['fetch', fetchReceiver],
])('remote-write receiver (%s)', (_name, make) => {
  it('1.0: 204, the callback gets the decoded request, no written headers', async () => {
    const r = await make();
    const res = await post(r.url, body('1.0'), { 'content-type': CT['1.0'], 'content-encoding': 'snappy' });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBeNull();
    expect(r.got).toHaveLength(1);
    expect(r.got[0]!.version).toBe('1.0');
    expect(r.got[0]!.series.map((s) => s.name)).toEqual(['http_requests_total', 'http_requests_total', 'rpc_seconds']);
  });

  it('2.0: 204 with the written counts', async () => {
    const r = await make();
    const res = await post(r.url, body('2.0'), { 'content-type': CT['2.0'], 'content-encoding': 'snappy' });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('2');
    expect(res.headers.get('x-prometheus-remote-write-histograms-written')).toBe('1');
    expect(res.headers.get('x-prometheus-remote-write-exemplars-written')).toBe('1');
    expect(r.got[0]!.version).toBe('2.0');
  });

  it('2.0: the callback may say what it wrote', async () => {
    const r = await make({}, () => ({ samples: 1 }));
    const res = await post(r.url, body('2.0'), { 'content-type': CT['2.0'], 'content-encoding': 'snappy' });
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('1');
    expect(res.headers.get('x-prometheus-remote-write-histograms-written')).toBe('1');
  });

  it('no proto parameter and no Content-Type mean 1.0; no Content-Encoding means snappy (Prometheus 3.5)', async () => {
    const r = await make();
    expect((await post(r.url, body('1.0'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' })).status).toBe(204);
    expect((await post(r.url, body('1.0'), { 'content-type': 'application/x-protobuf;proto=prometheus.WriteRequest' })).status).toBe(204);
    expect((await post(r.url, body('1.0'), {})).status).toBe(204);
    expect(r.got.map((g) => g.version)).toEqual(['1.0', '1.0', '1.0']);
  });

  it.each([
    [
      'an unknown message type',
      { 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v3.Request' },
      /unknown remote-write message type/,
    ],
    ['another media type', { 'content-type': 'application/json' }, /expected application\/x-protobuf/],
    ['a parameter without a value', { 'content-type': 'application/x-protobuf;proto' }, /key=value/],
    ['gzip encoding', { 'content-type': CT['1.0'], 'content-encoding': 'gzip' }, /only snappy/],
  ])('415 for %s', async (_what, headers, message) => {
    const r = await make();
    const res = await post(r.url, body('1.0'), headers);
    expect(res.status).toBe(415);
    expect(await res.text()).toMatch(message);
    expect(r.got).toHaveLength(0);
    expect(r.errors).toHaveLength(1);
  });

  it('415 for a version this receiver does not accept', async () => {
    const r = await make({ versions: ['1.0'] });
    const res = await post(r.url, body('2.0'), { 'content-type': CT['2.0'] });
    expect(res.status).toBe(415);
    expect(await res.text()).toMatch(/2\.0 is not accepted.*accepted: 1\.0/);
  });

  it('405 for GET', async () => {
    const r = await make();
    const res = await post(r.url, new Uint8Array(), {}, 'GET');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('400 for corrupt snappy, and for valid snappy around a corrupt message, with the reason', async () => {
    const r = await make();
    // Declares 16 bytes, then a literal of 1 byte and nothing more: short output.
    const a = await post(r.url, new Uint8Array([0x10, 0x00, 0xff]), { 'content-type': CT['1.0'] });
    expect(a.status).toBe(400);
    expect(await a.text()).toMatch(/snappy/);
    const garbage = snappyCompress(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    const b = await post(r.url, garbage, { 'content-type': CT['1.0'] });
    expect(b.status).toBe(400);
    expect((await b.text()).length).toBeGreaterThan(20);
    expect(r.got).toHaveLength(0);
  });

  it('400 for a snappy bomb: a tiny body declaring 4 GiB, refused before decompressing', async () => {
    const r = await make();
    // Preamble 0xffffffff (5 bytes), then one literal.
    const bomb = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x41]);
    const res = await post(r.url, bomb, { 'content-type': CT['1.0'] });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/decoded length 4294967295 exceeds the limit of 33554432/);
  });

  it('400 for a declared length over maxDecodedBytes; 413 for a body over maxBodyBytes', async () => {
    const r = await make({ maxDecodedBytes: 100, maxBodyBytes: 50 });
    const big = snappyCompress(new Uint8Array(200));
    const a = await post(r.url, big, { 'content-type': CT['1.0'] });
    expect(a.status).toBe(400);
    expect(await a.text()).toMatch(/decoded length 200 exceeds the limit of 100/);
    const res = await post(r.url, new Uint8Array(60).fill(0x41), { 'content-type': CT['1.0'] });
    expect(res.status).toBe(413);
  });

  it('500 when the callback throws or rejects; 400 when it refuses the data', async () => {
    const sync = await make({}, () => {
      throw new Error('disk full');
    });
    const a = await post(sync.url, body('2.0'), { 'content-type': CT['2.0'] });
    expect(a.status).toBe(500);
    expect(await a.text()).toMatch(/disk full/);
    expect(a.headers.get('x-prometheus-remote-write-samples-written')).toBe('0');
    const async = await make({}, async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('store down');
    });
    const b = await post(async.url, body('1.0'), { 'content-type': CT['1.0'] });
    expect(b.status).toBe(500);
    expect(await b.text()).toMatch(/store down/);
    const refusing = await make({}, () => {
      throw new PromwireError('INVALID_ARGUMENT', 'out of order sample');
    });
    const c = await post(refusing.url, body('1.0'), { 'content-type': CT['1.0'] });
    expect(c.status).toBe(400);
  });

  it('round trip with remoteWrite, 1.0 and 2.0: what arrives is what was sent', async () => {
    const r = await make();
    const one = await remoteWrite(r.url, FAMILIES, { version: '1.0' });
    const two = await remoteWrite(r.url, FAMILIES, { version: '2.0' });
    expect(one.requests).toBe(1);
    expect(two.written).toEqual({ samples: 2, histograms: 1, exemplars: 1 });
    for (const got of r.got) {
      const byName = got.series.map((s) => ({
        name: s.name,
        labels: s.labels,
        samples: s.samples,
        histograms: s.histograms.map((h) => h.value),
      }));
      expect(byName).toEqual([
        {
          name: 'http_requests_total',
          labels: { __name__: 'http_requests_total', code: '200' },
          samples: [{ value: 7, timestamp: T }],
          histograms: [],
        },
        {
          name: 'http_requests_total',
          labels: { __name__: 'http_requests_total', code: '500' },
          samples: [{ value: 1, timestamp: T }],
          histograms: [],
        },
        { name: 'rpc_seconds', labels: { __name__: 'rpc_seconds' }, samples: [], histograms: [FAMILIES[1]!.samples[0]!.value] },
      ]);
      expect(got.series[0]!.exemplars).toEqual([{ labels: { trace_id: 'abc' }, value: 1, timestamp: T - 1 }]);
    }
    expect(r.got.map((g) => g.version)).toEqual(['1.0', '2.0']);
    // Metadata: 1.0 as MetricMetadata, 2.0 on the series.
    expect(r.got[0]!.metadata.map((m) => [m.familyName, m.type])).toEqual([
      ['http_requests_total', 'counter'],
      ['rpc_seconds', 'histogram'],
    ]);
    expect(r.got[1]!.series[2]!.metadata).toMatchObject({ type: 'histogram', help: 'RPC latency.', unit: 'seconds' });
  });
});

describe('node:http receiver: bounded memory', () => {
  it('answers a streamed bomb after its first bytes, while the client is still sending', async () => {
    const r = await nodeReceiver();
    const u = new URL(r.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': CT['1.0'] },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', () => {});
      // Chunked, no Content-Length: the preamble claims 1 GiB; the rest would never end.
      req.write(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04]));
      const more = setInterval(() => {
        if (req.destroyed) clearInterval(more);
        else req.write(Buffer.alloc(64 * 1024, 0x41));
      }, 5);
      setTimeout(() => {
        clearInterval(more);
        reject(new Error('no answer'));
      }, 5000);
    });
    expect(status).toBe(400);
  });

  it('answers 413 from Content-Length before reading any body', async () => {
    const r = await nodeReceiver({ maxBodyBytes: 1000 });
    const u = new URL(r.url);
    const status = await new Promise<number>((resolve) => {
      const req = http.request({
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': CT['1.0'], 'content-length': '1000000000' },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', () => {});
      req.write(Buffer.alloc(10));
    });
    expect(status).toBe(413);
  });

  it('path: other paths go to next()', async () => {
    const handler = createRemoteWriteHandler(() => {}, { path: '/api/v1/write' });
    let passed = 0;
    const server = http.createServer((req, res) => {
      void handler(req, res, () => {
        passed++;
        res.writeHead(418).end();
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/other`, { method: 'POST', body: new Uint8Array(body('1.0')) })).status).toBe(418);
    expect((await fetch(`${base}/api/v1/write`, { method: 'POST', body: new Uint8Array(body('1.0')) })).status).toBe(204);
    expect(passed).toBe(1);
  });
});
