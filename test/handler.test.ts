import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricSet } from '../src/metrics/index.js';
import type { MetricFamily, Sample } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { acceptsGzip, parseBasicAuth, withDefaultLabels } from '../src/toolkit/exposition.js';
import type { HandlerOptions } from '../src/toolkit/exposition.js';
import { createFetchHandler } from '../src/toolkit/fetch-handler.js';
import { createNodeHandler } from '../src/toolkit/handler.js';

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
    name: 'temperature',
    type: 'gauge',
    help: '',
    unit: '',
    samples: [{ name: 'temperature', labels: {}, value: -1.5e-7, timestamp: null }],
  },
  {
    name: 'latency_seconds',
    type: 'histogram',
    help: 'Latency.',
    unit: '',
    samples: [
      { name: 'latency_seconds_bucket', labels: { le: '0.1' }, value: 1, timestamp: null },
      { name: 'latency_seconds_bucket', labels: { le: '+Inf' }, value: 2, timestamp: null },
      { name: 'latency_seconds_sum', labels: {}, value: 0.35, timestamp: null },
      { name: 'latency_seconds_count', labels: {}, value: 2, timestamp: null },
    ],
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
  raw: Buffer;
  text: string;
}

function request(url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const OM_ACCEPT = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function values(fams: MetricFamily[]): [string, Record<string, string>, number][] {
  return fams.flatMap((f) =>
    (f.samples as Sample[]).map((s): [string, Record<string, string>, number] => [s.name, s.labels, s.value as number]),
  );
}

describe('node:http handler', () => {
  it('serves text 0.0.4 by default, and the body parses back to the same samples', async () => {
    const base = await serveHandler({ collect: () => FAMILIES });
    const r = await request(base + '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(values(parse(r.text, { format: 'text' }))).toEqual(values(FAMILIES));
  });

  it('serves OpenMetrics to an OpenMetrics Accept, ending with # EOF', async () => {
    const base = await serveHandler({ collect: () => FAMILIES });
    const r = await request(base + '/metrics', { headers: { accept: OM_ACCEPT } });
    expect(r.headers['content-type']).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(r.text.endsWith('# EOF\n')).toBe(true);
    expect(values(parse(r.text, { format: 'openmetrics' }))).toEqual(values(FAMILIES));
  });

  it('?format= overrides Accept; an unknown one is a 400', async () => {
    const base = await serveHandler({ collect: () => FAMILIES });
    const t = await request(base + '/metrics?format=prometheus', { headers: { accept: OM_ACCEPT } });
    expect(t.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(t.text).not.toContain('# EOF');
    const o = await request(base + '/metrics?format=openmetrics');
    expect(o.headers['content-type']).toMatch(/^application\/openmetrics-text/);
    expect(o.text.endsWith('# EOF\n')).toBe(true);
    const bad = await request(base + '/metrics?format=json');
    expect(bad.status).toBe(400);
    expect(bad.text).toBe('400 Bad Request: unknown format="json"; expected prometheus, text, openmetrics or protobuf\n');
  });

  it('never answers 406: any Accept it cannot meet gets text 0.0.4, as client_golang (expfmt.Negotiate) does', async () => {
    const base = await serveHandler({ collect: () => FAMILIES });
    for (const accept of [
      'application/json',
      'text/html',
      // the text forms of protobuf, which promwire does not write
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text',
      'application/openmetrics-text;version=9.9.9',
      'image/png;q=0',
    ]) {
      const r = await request(base + '/metrics', { headers: { accept } });
      expect([accept, r.status, r.headers['content-type']]).toEqual([
        accept,
        200,
        'text/plain; version=0.0.4; charset=utf-8; escaping=underscores',
      ]);
      expect(values(parse(r.text, { format: 'text' }))).toEqual(values(FAMILIES));
    }
    // an escaping named on a clause that is not served still applies (expfmt keeps the last one seen)
    const esc = await request(base + '/metrics', {
      headers: {
        accept: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text;escaping=allow-utf-8',
      },
    });
    expect(esc.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8');
  });

  it('404 on another path, 405 on another method, HEAD without a body', async () => {
    const base = await serveHandler({ collect: () => FAMILIES, path: '/metric-service/metrics' });
    const nf = await request(base + '/metrics');
    expect(nf.status).toBe(404);
    expect(nf.text).toBe('404 Not Found: /metrics; metrics are served at /metric-service/metrics\n');
    const post = await request(base + '/metric-service/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    expect(post.text).toContain('405 Method Not Allowed: POST');
    const head = await request(base + '/metric-service/metrics', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/plain/);
    expect(head.raw.length).toBe(0);
    const get = await request(base + '/metric-service/metrics?x=1');
    expect(get.status).toBe(200);
  });

  it('gzips when Accept-Encoding allows it, not for gzip;q=0', async () => {
    const base = await serveHandler({ collect: () => FAMILIES });
    const plain = await request(base + '/metrics');
    const gz = await request(base + '/metrics', { headers: { 'accept-encoding': 'br, gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['vary']).toContain('Accept-Encoding');
    expect(gz.text).toBe(plain.text);
    const no = await request(base + '/metrics', { headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    expect(no.headers['content-encoding']).toBeUndefined();
    const off = await serveHandler({ collect: () => FAMILIES, compression: false });
    const r = await request(off + '/metrics', { headers: { 'accept-encoding': 'gzip' } });
    expect(r.headers['content-encoding']).toBeUndefined();
  });

  it('basic auth: 401 with WWW-Authenticate, then 200 with the right credentials', async () => {
    const base = await serveHandler({ collect: () => FAMILIES, basicAuth: { username: 'prom', password: 'sëcret:1' }, realm: 'mqtt' });
    const none = await request(base + '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="mqtt", charset="UTF-8"');
    expect(none.text).toContain('401 Unauthorized');
    const auth = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`, 'utf8').toString('base64');
    expect((await request(base + '/metrics', { headers: { authorization: auth('prom', 'wrong') } })).status).toBe(401);
    expect((await request(base + '/metrics', { headers: { authorization: auth('pro', 'sëcret:1') } })).status).toBe(401);
    expect((await request(base + '/metrics', { headers: { authorization: 'Bearer x' } })).status).toBe(401);
    const ok = await request(base + '/metrics', { headers: { authorization: auth('prom', 'sëcret:1') } });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('http_requests_total');

    const fn = await serveHandler({ collect: () => FAMILIES, basicAuth: async (u, p) => u === 'a' && p === '' });
    expect((await request(fn + '/metrics', { headers: { authorization: auth('a', '') } })).status).toBe(200);
    expect((await request(fn + '/metrics', { headers: { authorization: auth('a', 'x') } })).status).toBe(401);
  });

  it('a collect that throws gives a 500 with the error text, reported to onError', async () => {
    const errors: unknown[] = [];
    const base = await serveHandler({
      collect: async () => {
        throw new Error('JMX bean com.example:type=Pool unreachable');
      },
      onError: (e) => errors.push(e),
    });
    const r = await request(base + '/metrics');
    expect(r.status).toBe(500);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['content-length']).toBe(String(r.raw.length));
    expect(r.text).toBe('500 Internal Server Error: collecting metrics failed: JMX bean com.example:type=Pool unreachable\n');
    expect(errors).toHaveLength(1);
  });

  it('an encoder error before the first byte is a clean 500 too', async () => {
    const errors: unknown[] = [];
    // A value that is not a number makes the encoder throw on the first chunk.
    const bad = [
      { name: 'g', type: 'gauge', help: '', unit: '', samples: [{ name: 'g', labels: {}, value: 'oops', timestamp: null }] },
    ] as unknown as MetricFamily[];
    const base = await serveHandler({ collect: () => bad, onError: (e) => errors.push(e) });
    const r = await request(base + '/metrics');
    expect(r.status).toBe(500);
    expect(r.text).toMatch(/^500 Internal Server Error: encoding metrics failed: /);
    expect(errors).toHaveLength(1);
  });

  it('an encoder error after the headers breaks the connection instead of ending a short body', async () => {
    const errors: unknown[] = [];
    const samples: unknown[] = [];
    for (let i = 0; i < 5000; i++) samples.push({ name: 'g', labels: { i: String(i) }, value: i, timestamp: null });
    // The encoder checks every sample before it writes a byte; a value that
    // turns bad between the check and the write (a getter) fails mid-body.
    let reads = 0;
    const late = { name: 'g', labels: {}, timestamp: null };
    Object.defineProperty(late, 'value', {
      enumerable: true,
      get: () => {
        if (++reads > 1) throw new Error('value went away');
        return 1;
      },
    });
    samples.push(late);
    const bad = [{ name: 'g', type: 'gauge', help: '', unit: '', samples }] as unknown as MetricFamily[];
    const base = await serveHandler({ collect: () => bad, chunkSize: 1024, onError: (e) => errors.push(e) });
    const err = await request(base + '/metrics').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(errors).toHaveLength(1);
  });

  it('passes query parameters to collect (a mode switch) and adds default labels', async () => {
    const base = await serveHandler({
      defaultLabels: { cluster: 'c1', code: 'never-overrides' },
      collect: ({ params }) => {
        const mode = params.get('mode') ?? 'node';
        return [
          {
            name: 'sessions',
            type: 'gauge',
            help: '',
            unit: '',
            samples: [{ name: 'sessions', labels: { mode, code: 'own' }, value: 5, timestamp: null }],
          },
        ];
      },
    });
    const r = await request(base + '/metrics?mode=cluster');
    const fams = parse(r.text, { format: 'text' });
    expect(fams[0]!.samples[0]!.labels).toEqual({ cluster: 'c1', mode: 'cluster', code: 'own' });
  });

  it('serves a MetricSet-like object through collect()', async () => {
    const base = await serveHandler({ metrics: { collect: () => FAMILIES } });
    const r = await request(base + '/metrics');
    expect(values(parse(r.text, { format: 'text' }))).toEqual(values(FAMILIES));
  });

  it('encodes through metrics.encodeChunks when the source has it (a MetricSet)', async () => {
    const calls: unknown[] = [];
    const metrics = {
      collect: () => {
        throw new Error('not used');
      },
      encodeChunks: (o: { format: string; escaping: string; chunkSize: number }) => {
        calls.push(o);
        return [Buffer.from('# TYPE a gauge\n'), Buffer.from('a 1\n'), Buffer.from(o.format === 'openmetrics' ? '# EOF\n' : '')];
      },
    };
    const base = await serveHandler({ metrics, chunkSize: 1000 });
    const r = await request(base + '/metrics', { headers: { accept: OM_ACCEPT } });
    expect(r.text).toBe('# TYPE a gauge\na 1\n# EOF\n');
    expect(calls).toEqual([{ format: 'openmetrics', escaping: 'underscores', chunkSize: 1000, onWarning: expect.any(Function) }]);
    // With default labels the handler needs the families: collect() is used, and its error is a 500.
    const viaCollect = await serveHandler({ metrics, defaultLabels: { a: 'b' }, onError: () => {} });
    expect((await request(viaCollect + '/metrics')).status).toBe(500);
  });

  it('serves a real MetricSet in both formats, live values read per scrape', async () => {
    const set = new MetricSet({ defaultLabels: { type: 'gateway', id: '42' } });
    const conns = set.gauge({ name: 'gw_connections', help: 'Open connections.', labelNames: ['proto'] });
    const reqs = set.counter({ name: 'gw_requests_total', help: 'Requests.' });
    const base = await serveHandler({ metrics: set, path: '/stats' });
    conns.labels({ proto: 'mqtt' }).set(3);
    reqs.inc(5);
    const t = await request(base + '/stats?format=prometheus');
    expect(t.text).toBe(new TextDecoder().decode(set.encode({ format: 'text', escaping: 'underscores' })));
    expect(t.text).toContain('gw_connections{type="gateway",id="42",proto="mqtt"} 3');
    reqs.inc();
    const o = await request(base + '/stats', { headers: { accept: OM_ACCEPT } });
    expect(o.text).toContain('# TYPE gw_requests counter');
    expect(o.text).toContain('gw_requests_total{type="gateway",id="42"} 6');
    expect(o.text.endsWith('# EOF\n')).toBe(true);
  });

  it('streams a big set in chunks while other requests are answered', async () => {
    const samples = [];
    for (let i = 0; i < 100_000; i++) {
      samples.push({ name: 'big_series', labels: { id: String(i), pad: 'x'.repeat(40) }, value: i, timestamp: null });
    }
    const big: MetricFamily[] = [{ name: 'big_series', type: 'gauge', help: 'Big.', unit: '', samples }];
    const base = await serveHandler({ collect: () => big, chunkSize: 16 * 1024, path: null });
    let bigDone = false;
    const bigReq = request(base + '/big').then((r) => {
      bigDone = true;
      return r;
    });
    // Wait until the big answer is under way, then ask for another page.
    await new Promise((r) => setTimeout(r, 20));
    const small = await request(base + '/other?format=json');
    const smallDoneBeforeBig = !bigDone;
    const r = await bigReq;
    expect(small.status).toBe(400);
    expect(smallDoneBeforeBig).toBe(true);
    const back = parse(r.text, { format: 'text' });
    expect(back[0]!.samples).toHaveLength(100_000);
    expect(back[0]!.samples[99_999]!.value).toBe(99_999);
  });

  it('stops encoding when the client goes away mid-body', async () => {
    let pulled = 0;
    const samples = [];
    for (let i = 0; i < 200_000; i++) samples.push({ name: 'g', labels: { i: String(i) }, value: i, timestamp: null });
    const fams: MetricFamily[] = [{ name: 'g', type: 'gauge', help: '', unit: '', samples }];
    const errors: unknown[] = [];
    const handler = createNodeHandler({ collect: () => fams, chunkSize: 4096, onError: (e) => errors.push(e) });
    let finished: Promise<void> | undefined;
    const server = http.createServer((req, res) => {
      const orig = res.write.bind(res) as (c: Uint8Array) => boolean;
      (res as unknown as { write: (c: Uint8Array) => boolean }).write = (c: Uint8Array) => {
        pulled++;
        return orig(c);
      };
      finished = handler(req, res);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/metrics', headers: { 'accept-encoding': 'gzip' } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
    });
    await finished;
    // The handler returned without writing the ~5 MB body (gzip output chunks are ~16 KiB).
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(150);
    expect(errors).toEqual([]);
  });

  it('self-metrics count answers, encode time and bytes', async () => {
    const base = await serveHandler({ collect: () => FAMILIES, selfMetrics: true });
    await request(base + '/metrics');
    await request(base + '/metrics?format=bad');
    const r = await request(base + '/metrics');
    const fams = parse(r.text, { format: 'text' });
    const byName = new Map(fams.flatMap((f) => f.samples.map((s) => [`${s.name}${JSON.stringify(s.labels)}`, s.value])));
    expect(byName.get('promwire_scrapes_total{"code":"200"}')).toBe(2); // this answer counts itself
    expect(byName.get('promwire_scrapes_total{"code":"400"}')).toBe(1);
    expect(byName.get('promwire_encode_duration_seconds_count{}')).toBe(1);
    expect(byName.get('promwire_response_bytes_total{}')).toBeGreaterThan(100);
    // Bytes are counted as sent: after gzip.
    const before = byName.get('promwire_response_bytes_total{}') as number;
    const gz = await request(base + '/metrics', { headers: { 'accept-encoding': 'gzip' } });
    const after = await request(base + '/metrics');
    const v = parse(after.text, { format: 'text' }).find((f) => f.name === 'promwire_response_bytes_total')!.samples[0]!.value as number;
    // Between the two readings: the third answer (plain) and the gzipped one.
    expect(v - before).toBe(r.raw.length + gz.raw.length);
  });

  it('calls next() for other paths when used as Express middleware', async () => {
    const handler = createNodeHandler({ collect: () => FAMILIES });
    const server = http.createServer((req, res) => {
      void handler(req, res, () => {
        res.writeHead(418).end('app route');
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await request(base + '/other')).status).toBe(418);
    expect((await request(base + '/metrics')).status).toBe(200);
  });

  it('rejects a realm with control characters when the handler is made', () => {
    expect(() => createNodeHandler({ collect: () => [], realm: 'a\r\nX-Evil: 1' })).toThrow(/control characters/);
  });

  it('rejects options without exactly one source', () => {
    expect(() => createNodeHandler({})).toThrow(/exactly one of `metrics` or `collect`/);
    expect(() => createNodeHandler({ collect: () => [], metrics: { collect: () => [] } })).toThrow(/exactly one/);
  });
});

describe('fetch handler', () => {
  const handler = createFetchHandler({ collect: () => FAMILIES, basicAuth: { username: 'u', password: 'p' } });
  const auth = 'Basic ' + btoa('u:p');

  it('serves, negotiates and gzips with Web APIs only', async () => {
    const r = await handler(new Request('http://x/metrics', { headers: { authorization: auth, accept: OM_ACCEPT } }));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
    const text = await r.text();
    expect(values(parse(text, { format: 'openmetrics' }))).toEqual(values(FAMILIES));

    const gz = await handler(
      new Request('http://x/metrics?format=prometheus', { headers: { authorization: auth, 'accept-encoding': 'gzip' } }),
    );
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const raw = Buffer.from(await gz.arrayBuffer());
    expect(values(parse(zlib.gunzipSync(raw).toString('utf8'), { format: 'text' }))).toEqual(values(FAMILIES));
  });

  it('answers 500 and reports when a credential check throws', async () => {
    const errors: unknown[] = [];
    const h = createFetchHandler({
      collect: () => FAMILIES,
      basicAuth: async () => {
        throw new Error('auth backend down');
      },
      onError: (e) => errors.push(e),
    });
    const r = await h(new Request('http://x/metrics', { headers: { authorization: auth } }));
    expect(r.status).toBe(500);
    expect(await r.text()).toContain('auth backend down');
    expect(errors).toHaveLength(1);
  });

  it('answers 401, 404, 405, 400 and HEAD', async () => {
    const noAuth = await handler(new Request('http://x/metrics'));
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('www-authenticate')).toBe('Basic realm="metrics", charset="UTF-8"');
    const wrong = await handler(new Request('http://x/metrics', { headers: { authorization: 'Basic ' + btoa('u:q') } }));
    expect(wrong.status).toBe(401);
    expect((await handler(new Request('http://x/nope', { headers: { authorization: auth } }))).status).toBe(404);
    const post = await handler(new Request('http://x/metrics', { method: 'POST', headers: { authorization: auth } }));
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await handler(new Request('http://x/metrics?format=xml', { headers: { authorization: auth } }))).status).toBe(400);
    const head = await handler(new Request('http://x/metrics', { method: 'HEAD', headers: { authorization: auth } }));
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });

  it('a collect that throws gives a 500 with the error text', async () => {
    const errors: unknown[] = [];
    const h = createFetchHandler({
      collect: () => {
        throw new Error('broker node n2 down');
      },
      onError: (e) => errors.push(e),
    });
    const r = await h(new Request('http://x/metrics'));
    expect(r.status).toBe(500);
    expect(await r.text()).toBe('500 Internal Server Error: collecting metrics failed: broker node n2 down\n');
    expect(errors).toHaveLength(1);
  });
});

describe('helpers', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['gzip', true],
    ['GZIP;q=0.5', true],
    ['gzip;q=0', false],
    ['br, *', true],
    ['*;q=0', false],
    ['deflate, x-gzip', true],
    ['identity', false],
  ])('acceptsGzip(%j) = %j', (h, want) => {
    expect(acceptsGzip(h)).toBe(want);
  });

  it('parseBasicAuth follows RFC 7617', () => {
    expect(parseBasicAuth('Basic ' + btoa('a:b:c'))).toEqual({ username: 'a', password: 'b:c' });
    expect(parseBasicAuth('basic   ' + btoa('a:'))).toEqual({ username: 'a', password: '' });
    expect(parseBasicAuth('Basic ' + Buffer.from('ü:ß').toString('base64'))).toEqual({ username: 'ü', password: 'ß' });
    expect(parseBasicAuth('Basic ' + btoa('nocolon'))).toBeUndefined();
    expect(parseBasicAuth('Basic !!!')).toBeUndefined();
    expect(parseBasicAuth('Digest x')).toBeUndefined();
    expect(parseBasicAuth(undefined)).toBeUndefined();
  });

  it('withDefaultLabels never overrides a series label and leaves the input alone', () => {
    const out = withDefaultLabels(FAMILIES, { code: 'x', node: 'n1' });
    expect(out[0]!.samples[0]!.labels).toEqual({ node: 'n1', code: '200', path: '/a"b\\c\nd' });
    expect(FAMILIES[0]!.samples[0]!.labels).not.toHaveProperty('node');
  });
});
