/**
 * The handlers under load and misbehaviour: HEAD costs no collection or
 * encoding, a collect that hangs is bounded by collectTimeout and shared
 * rather than piled up, and a client that stops reading is disconnected
 * after writeTimeout. Real node:http servers on 127.0.0.1; small timeouts
 * through the options, no long sleeps.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import type { Format, MetricFamily } from '../src/model/index.js';
import { encodeChunks } from '../src/encode/encoder.js';
import type { CollectContext, HandlerOptions } from '../src/toolkit/exposition.js';
import { createFetchHandler } from '../src/toolkit/fetch-handler.js';
import { createNodeHandler } from '../src/toolkit/handler.js';

const FAMILIES: MetricFamily[] = [
  { name: 'up', type: 'gauge', help: 'Up.', unit: '', samples: [{ name: 'up', labels: {}, value: 1, timestamp: null }] },
];

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function serveHandler(options: HandlerOptions): Promise<{ base: string; server: http.Server }> {
  const handler = createNodeHandler(options);
  const server = http.createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A GET (or HEAD) that fails instead of waiting forever: 3 s, far above any timeout configured here. */
function request(url: string, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: 3000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${url} within 3 s`)));
    req.on('error', reject);
    req.end();
  });
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Polls `check` every 10 ms for up to 3 s. */
async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 3000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A `metrics` source that counts collect() and encodeChunks() calls. */
function countingSource(): { source: NonNullable<HandlerOptions['metrics']>; counts: { collect: number; encode: number } } {
  const counts = { collect: 0, encode: 0 };
  return {
    counts,
    source: {
      collect: () => {
        counts.collect++;
        return FAMILIES;
      },
      encodeChunks: (o: { format: Format; chunkSize: number }) => {
        counts.encode++;
        return encodeChunks(FAMILIES, o);
      },
    },
  };
}

describe('HEAD', () => {
  it('node handler: headers only, nothing collected or encoded', async () => {
    let collects = 0;
    const { base } = await serveHandler({
      collect: () => {
        collects++;
        return FAMILIES;
      },
    });
    const heads = await Promise.all(Array.from({ length: 20 }, () => request(base + '/metrics', 'HEAD')));
    for (const h of heads) {
      expect(h.status).toBe(200);
      expect(h.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8; escaping=underscores');
      expect(h.text).toBe('');
    }
    expect(collects).toBe(0);
    expect((await request(base + '/metrics')).status).toBe(200);
    expect(collects).toBe(1);

    const { source, counts } = countingSource();
    const direct = await serveHandler({ metrics: source });
    expect((await request(direct.base + '/metrics', 'HEAD')).status).toBe(200);
    expect(counts).toEqual({ collect: 0, encode: 0 });
    expect((await request(direct.base + '/metrics')).text).toBe('# HELP up Up.\n# TYPE up gauge\nup 1\n');
    expect(counts.encode).toBe(1);
  });

  it('fetch handler: headers only, nothing collected or encoded', async () => {
    const { source, counts } = countingSource();
    const h = createFetchHandler({ metrics: source });
    const r = await h(
      new Request('http://x/metrics', { method: 'HEAD', headers: { accept: 'application/openmetrics-text;version=1.0.0' } }),
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores');
    expect(r.body).toBeNull();
    let collects = 0;
    const h2 = createFetchHandler({
      collect: () => {
        collects++;
        return FAMILIES;
      },
    });
    expect((await h2(new Request('http://x/metrics', { method: 'HEAD' }))).status).toBe(200);
    expect([counts.collect, counts.encode, collects]).toEqual([0, 0, 0]);
  });
});

describe('collectTimeout and maxConcurrentCollections', () => {
  it('node handler: 50 requests against a collect that never resolves all get a 503 naming the timeout; one collect, one report', async () => {
    let calls = 0;
    let signal: AbortSignal | undefined;
    const errors: unknown[] = [];
    const { base } = await serveHandler({
      collect: (ctx: CollectContext) => {
        calls++;
        signal = ctx.signal;
        return new Promise<MetricFamily[]>(() => {});
      },
      collectTimeout: 100,
      onError: (e) => errors.push(e),
    });
    const answers = await Promise.all(Array.from({ length: 50 }, () => request(base + '/metrics')));
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect(a.text).toBe('503 Service Unavailable: collecting metrics did not finish within the collectTimeout of 100 ms\n');
    }
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PromwireError);
    expect((errors[0] as PromwireError).code).toBe('TIMEOUT');
    expect(signal?.aborted).toBe(true);
    // The stuck collection keeps its slot: a later request joins it (no second collect) and times out too.
    expect((await request(base + '/metrics')).status).toBe(503);
    expect(calls).toBe(1);
  });

  it('node handler: same path and query share one collection; past the bound a new one gets 503 at once', async () => {
    const gates = new Map<string, ReturnType<typeof deferred<MetricFamily[]>>>();
    const calls: string[] = [];
    const { base } = await serveHandler({
      collect: (ctx) => {
        const view = ctx.params.get('view') ?? '';
        calls.push(view);
        const d = deferred<MetricFamily[]>();
        gates.set(view, d);
        return d.promise;
      },
      maxConcurrentCollections: 1,
      collectTimeout: 2000,
    });
    const a1 = request(base + '/metrics?view=a');
    await eventually(() => gates.has('a'), 'the first collection to start');
    const a2 = request(base + '/metrics?view=a');
    const b = await request(base + '/metrics?view=b');
    expect(b.status).toBe(503);
    expect(b.headers['retry-after']).toBe('1');
    expect(b.text).toBe(
      '503 Service Unavailable: 1 metric collections are already running (maxConcurrentCollections is 1); try again later\n',
    );
    gates.get('a')!.resolve(FAMILIES);
    const [r1, r2] = await Promise.all([a1, a2]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(r1.text).toBe(r2.text);
    expect(calls).toEqual(['a']);
    // The slot is free again.
    const b2 = request(base + '/metrics?view=b');
    await eventually(() => gates.has('b'), 'the second collection to start');
    gates.get('b')!.resolve(FAMILIES);
    expect((await b2).status).toBe(200);
    expect(calls).toEqual(['a', 'b']);
  });

  it('fetch handler: a collect that never resolves is a 503 after collectTimeout, reported once', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const h = createFetchHandler({
      collect: () => {
        calls++;
        return new Promise<MetricFamily[]>(() => {});
      },
      collectTimeout: 50,
      onError: (e) => errors.push(e),
    });
    const answers = await Promise.all(Array.from({ length: 10 }, () => h(new Request('http://x/metrics'))));
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect(await a.text()).toContain('collectTimeout of 50 ms');
    }
    expect(calls).toBe(1);
    expect(errors.map((e) => (e as PromwireError).code)).toEqual(['TIMEOUT']);
  });

  it('a collect that honours its aborted signal still answers 503, and a failing one 500 once reported', async () => {
    const errors: unknown[] = [];
    const h = createFetchHandler({
      collect: (ctx) =>
        new Promise<MetricFamily[]>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('gave up')));
        }),
      collectTimeout: 30,
      onError: (e) => errors.push(e),
    });
    const rs = await Promise.all([h(new Request('http://x/metrics')), h(new Request('http://x/metrics'))]);
    expect(rs.map((r) => r.status)).toEqual([503, 503]);
    expect(errors).toHaveLength(1);
    const failing = createFetchHandler({ collect: () => Promise.reject(new Error('disk gone')), onError: (e) => errors.push(e) });
    const fs = await Promise.all([failing(new Request('http://x/metrics')), failing(new Request('http://x/metrics'))]);
    expect(fs.map((r) => r.status)).toEqual([500, 500]);
    expect(errors).toHaveLength(2);
  });

  it('rejects nonsensical limits when the handler is made', () => {
    expect(() => createNodeHandler({ collect: () => [], collectTimeout: 0 })).toThrow(/collectTimeout/);
    expect(() => createNodeHandler({ collect: () => [], maxConcurrentCollections: 1.5 })).toThrow(/maxConcurrentCollections/);
    expect(() => createFetchHandler({ collect: () => [], writeTimeout: -1 })).toThrow(/writeTimeout/);
  });
});

describe('writeTimeout', () => {
  it('node handler: a client that never reads a large body is disconnected and reported', async () => {
    // 64 series of 512 KiB: 32 MiB, far more than the socket buffers hold.
    const pad = 'x'.repeat(512 * 1024);
    const samples = Array.from({ length: 64 }, (_, i) => ({ name: 'big', labels: { i: String(i), pad }, value: i, timestamp: null }));
    const big: MetricFamily[] = [{ name: 'big', type: 'gauge', help: '', unit: '', samples }];
    const errors: unknown[] = [];
    const { base, server } = await serveHandler({ collect: () => big, writeTimeout: 200, onError: (e) => errors.push(e) });
    const port = Number(new URL(base).port);
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', r));
    client.pause(); // never read
    client.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const connections = (): Promise<number> => new Promise((r) => server.getConnections((_e, n) => r(n)));
    await eventually(async () => (await connections()) === 1, 'the connection to be accepted');
    await eventually(() => errors.length > 0, 'the write timeout to be reported');
    expect((errors[0] as PromwireError).code).toBe('TIMEOUT');
    expect((errors[0] as Error).message).toContain('writeTimeout of 200 ms');
    await eventually(async () => (await connections()) === 0, 'the server to close the connection');
    // Reading now, the client sees a cut answer: no final chunk.
    let received = 0;
    let tail = Buffer.alloc(0);
    await new Promise<void>((resolve) => {
      client.on('data', (c: Buffer) => {
        received += c.length;
        tail = Buffer.concat([tail, c]).subarray(-16);
      });
      client.on('close', () => resolve());
      client.on('error', () => {});
      client.resume();
    });
    expect(received).toBeLessThan(32 * 1024 * 1024);
    expect(tail.toString('latin1').endsWith('0\r\n\r\n')).toBe(false);
  });
});
