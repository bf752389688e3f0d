import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import { HttpError } from '../src/toolkit/http.js';
import { PROMETHEUS_ACCEPT } from '../src/toolkit/negotiate.js';
import { scrape, scrapeEach } from '../src/toolkit/scrape.js';

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

const TEXT = `# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{code="200",path="/a\\"b"} 1027
http_requests_total{code="500",path="/"} 3
# TYPE temp gauge
temp{city="Zürich"} -1.5
`;

const OM = `# TYPE http_requests counter
# HELP http_requests Requests served.
http_requests_total{code="200"} 1027 # {trace_id="abc"} 1.0 1520879607.789
# TYPE build info
build_info{version="1.2"} 1
# EOF
`;

const TEXT_CT = 'text/plain; version=0.0.4; charset=utf-8';
const OM_CT = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

describe('scrape', () => {
  it('reads a text 0.0.4 answer and sends the headers Prometheus sends', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const base = await serve((req, res) => {
      seen = req.headers;
      res.writeHead(200, { 'content-type': TEXT_CT }).end(TEXT);
    });
    const r = await scrape(base + '/metrics', { timeout: 5000 });
    expect(seen['accept']).toBe(PROMETHEUS_ACCEPT);
    expect(seen['accept-encoding']).toBe('gzip');
    expect(seen['x-prometheus-scrape-timeout-seconds']).toBe('5');
    expect(r.format).toBe('text');
    expect(r.contentType).toBe(TEXT_CT);
    expect(r.status).toBe(200);
    expect(r.url).toBe(base + '/metrics');
    expect(r.bytes).toBe(Buffer.byteLength(TEXT));
    expect(r.families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['http_requests_total', 'counter', 2],
      ['temp', 'gauge', 1],
    ]);
    expect(r.families[0]!.samples[0]!.labels).toEqual({ code: '200', path: '/a"b' });
    expect(r.families[1]!.samples[0]).toMatchObject({ labels: { city: 'Zürich' }, value: -1.5 });
  });

  it('parses by the Content-Type it gets: OpenMetrics with exemplars', async () => {
    const base = await serve((_req, res) => res.writeHead(200, { 'content-type': OM_CT }).end(OM));
    const r = await scrape(base, { format: 'openmetrics' });
    expect(r.format).toBe('openmetrics');
    expect(r.families.map((f) => [f.name, f.type])).toEqual([
      ['http_requests_total', 'counter'],
      ['build_info', 'info'],
    ]);
    expect(r.families[0]!.samples[0]!.exemplars).toEqual([{ labels: { trace_id: 'abc' }, value: 1, timestamp: 1520879607789 }]);
  });

  it('asks for the format it is given, and lets headers override Accept', async () => {
    const accepts: (string | undefined)[] = [];
    const base = await serve((req, res) => {
      accepts.push(req.headers['accept']);
      res.writeHead(200, { 'content-type': TEXT_CT }).end(TEXT);
    });
    await scrape(base, { format: 'text' });
    await scrape(base, { format: 'openmetrics' });
    await scrape(base, { headers: { Accept: 'text/plain' } });
    // What Prometheus 3.5 sends with scrape_protocols set to the two versions of that format.
    expect(accepts[0]).toBe('text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.4');
    expect(accepts[1]).toBe(
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,*/*;q=0.4',
    );
    expect(accepts[2]).toBe('text/plain');
  });

  it('decompresses gzip and counts decompressed bytes', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_CT, 'content-encoding': 'gzip' }).end(zlib.gzipSync(TEXT));
    });
    const r = await scrape(base);
    expect(r.contentEncoding).toBe('gzip');
    expect(r.bytes).toBe(Buffer.byteLength(TEXT));
    expect(r.families).toHaveLength(2);
  });

  it('chooses the parser from the media type alone, as Prometheus 3.5 textparse.New does', async () => {
    const cases: [string, string, 'text' | 'openmetrics'][] = [
      ['text/plain', TEXT, 'text'],
      ['text/plain; version=0.0.4', TEXT, 'text'],
      ['text/plain; version=1.0.0; escaping=allow-utf-8', TEXT, 'text'],
      ['Text/Plain;charset="utf-8";', TEXT, 'text'],
      ['application/openmetrics-text', OM, 'openmetrics'],
      ['application/openmetrics-text; version=0.0.1; charset=utf-8', OM, 'openmetrics'],
      [OM_CT, OM, 'openmetrics'],
    ];
    let i = 0;
    const base = await serve((_req, res) => {
      const [ct, body] = cases[i++]!;
      res.writeHead(200, { 'content-type': ct }).end(body);
    });
    for (const [ct, , format] of cases) {
      const r = await scrape(base);
      expect([ct, r.format, r.families.length]).toEqual([ct, format, 2]);
    }
  });

  it.each<[string | undefined, string]>([
    [undefined, 'the answer has no Content-Type and no fallbackFormat given'],
    [
      'text/html; charset=utf-8',
      'unsupported Content-Type "text/html; charset=utf-8" (expected text/plain, application/openmetrics-text or application/vnd.google.protobuf) and no fallbackFormat given',
    ],
    ['application/json', 'unsupported Content-Type "application/json"'],
    ['text/plain; version', 'cannot parse Content-Type "text/plain; version"'],
    ['text/plain; a=1; a=2', 'cannot parse Content-Type'],
  ])('Content-Type %j without fallbackFormat is an error naming the URL and the type', async (ct, message) => {
    const base = await serve((_req, res) => {
      if (ct === undefined) res.removeHeader('content-type');
      else res.setHeader('content-type', ct);
      res.writeHead(200).end(TEXT);
    });
    const err = (await scrape(base + '/metrics').catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe('HTTP_ERROR');
    expect(err.url).toBe(base + '/metrics');
    expect(err.status).toBe(200);
    expect(err.message).toContain(`scrape GET ${base}/metrics: `);
    expect(err.message).toContain(message);
  });

  it('fallbackFormat parses an answer without a usable Content-Type (Prometheus fallback_scrape_protocol), never one that names a format', async () => {
    let ct: string | undefined;
    const base = await serve((_req, res) => {
      if (ct === undefined) res.removeHeader('content-type');
      else res.setHeader('content-type', ct);
      res.writeHead(200).end(ct === 'text/html' ? OM : TEXT);
    });
    const r = await scrape(base, { fallbackFormat: 'text' });
    expect([r.contentType, r.format, r.families.length]).toEqual(['', 'text', 2]);
    ct = 'text/html';
    const o = await scrape(base, { fallbackFormat: 'openmetrics' });
    expect([o.format, o.families.map((f) => f.type)]).toEqual(['openmetrics', ['counter', 'info']]);
    // a protobuf Content-Type is read as protobuf, whatever the fallback: the text body does not decode
    ct = 'application/vnd.google.protobuf';
    await expect(scrape(base, { fallbackFormat: 'text' })).rejects.toThrow();
    await expect(scrape(base, { fallbackFormat: 'json' as 'text' })).rejects.toThrow(
      /expected fallbackFormat 'text', 'openmetrics' or 'protobuf'/,
    );
  });

  it('an empty body is an empty scrape whatever the Content-Type, as in Prometheus', async () => {
    const base = await serve((_req, res) => {
      res.removeHeader('content-type');
      res.writeHead(200).end();
    });
    const r = await scrape(base);
    expect([r.families, r.bytes, r.format]).toEqual([[], 0, 'text']);
  });

  it('sends basic auth and custom headers', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const base = await serve((req, res) => {
      seen = req.headers;
      res.writeHead(200, { 'content-type': TEXT_CT }).end(TEXT);
    });
    await scrape(base, { basicAuth: { username: 'üser', password: 'pa:ss' }, headers: { 'X-Scope': 'a' } });
    expect(seen['authorization']).toBe('Basic ' + Buffer.from('üser:pa:ss', 'utf8').toString('base64'));
    expect(seen['x-scope']).toBe('a');
  });

  it('follows redirects, and drops credentials on a redirect to another host', async () => {
    const auths: (string | undefined)[] = [];
    const target = await serve((req, res) => {
      auths.push(req.headers['authorization']);
      res.writeHead(200, { 'content-type': TEXT_CT }).end(TEXT);
    });
    const port = new URL(target).port;
    const base = await serve((req, res) => {
      auths.push(req.headers['authorization']);
      if (req.url === '/old') res.writeHead(301, { location: '/new' }).end();
      else if (req.url === '/new') res.writeHead(302, { location: `http://localhost:${port}/metrics` }).end();
      else res.writeHead(404).end();
    });
    const r = await scrape(base + '/old', { basicAuth: { username: 'u', password: 'p' } });
    expect(r.url).toBe(`http://localhost:${port}/metrics`);
    expect(r.families).toHaveLength(2);
    expect(auths[0]).toBeDefined();
    expect(auths[1]).toBeDefined();
    expect(auths[2]).toBeUndefined();
  });

  it('stops after maxRedirects with a clear error', async () => {
    const base = await serve((req, res) => res.writeHead(302, { location: req.url + 'x' }).end());
    const err = (await scrape(base + '/', { maxRedirects: 3 }).catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe('HTTP_ERROR');
    expect(err.message).toContain('stopped after 3 redirects');
  });

  it('reports a non-2xx answer with its status and body', async () => {
    const base = await serve((_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('collector "disk" failed'));
    const err = (await scrape(base + '/metrics').catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(503);
    expect(err.body).toBe('collector "disk" failed');
    expect(err.message).toBe(`scrape: GET ${base}/metrics: server returned HTTP status 503 Service Unavailable: collector "disk" failed`);
  });

  it('times out a server that stalls halfway through the body', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_CT });
      res.write('a 1\n'); // and never end
    });
    const t0 = Date.now();
    const err = (await scrape(base, { timeout: 200 }).catch((e: unknown) => e)) as PromwireError;
    expect(err).toBeInstanceOf(PromwireError);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('200 ms');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('refuses a body over bodyLimit while streaming, and stops the download', async () => {
    let written = 0;
    let closedEarly = false;
    const line = Buffer.from('some_metric{label="' + 'x'.repeat(80) + '"} 1\n');
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_CT });
      res.on('close', () => {
        if (!res.writableFinished) closedEarly = true;
      });
      // An endless body, written as fast as the client takes it.
      const pump = (): void => {
        while (!res.destroyed) {
          written += line.length;
          if (!res.write(line)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    const err = (await scrape(base, { bodyLimit: 1 << 20 }).catch((e: unknown) => e)) as PromwireError;
    expect(err).toBeInstanceOf(PromwireError);
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.limit).toBe('bodyLimit');
    expect(err.message).toContain('bodyLimit of 1048576 bytes');
    await new Promise((r) => setTimeout(r, 50));
    expect(closedEarly).toBe(true);
    // Socket buffers let a few MB through at most, never the endless rest.
    expect(written).toBeLessThan(64 << 20);
  });

  it('refuses a gzip bomb by its decompressed size', async () => {
    const bomb = zlib.gzipSync(Buffer.from('a 1\n'.repeat(4 << 20))); // 16 MiB -> ~16 KB
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_CT, 'content-encoding': 'gzip' }).end(bomb);
    });
    const err = (await scrape(base, { bodyLimit: 100_000 }).catch((e: unknown) => e)) as PromwireError;
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.limit).toBe('bodyLimit');
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_CT, 'content-length': String(Buffer.byteLength(TEXT)) }).end(TEXT);
    });
    const err = (await scrape(base, { bodyLimit: 10 }).catch((e: unknown) => e)) as PromwireError;
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.message).toContain(`Content-Length is ${Buffer.byteLength(TEXT)}`);
  });

  it("passes the parser's limits and errors through", async () => {
    const base = await serve((_req, res) => res.writeHead(200, { 'content-type': TEXT_CT }).end(TEXT));
    const err = (await scrape(base, { maxLabels: 1 }).catch((e: unknown) => e)) as PromwireError;
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.limit).toBe('maxLabels');
    const bad = await serve((_req, res) => res.writeHead(200, { 'content-type': TEXT_CT }).end('ok 1\nbad{ 1\n'));
    const err2 = (await scrape(bad).catch((e: unknown) => e)) as PromwireError;
    expect(err2).toBeInstanceOf(PromwireError);
    expect(err2.line).toBe(2);
  });

  it('reports a refused connection and a bad Content-Encoding clearly', async () => {
    const base = await serve((_req, res) => res.writeHead(200, { 'content-type': TEXT_CT, 'content-encoding': 'zstd' }).end('x'));
    const err = (await scrape(base).catch((e: unknown) => e)) as PromwireError;
    expect(err.code).toBe('HTTP_ERROR');
    expect(err.message).toContain('unsupported Content-Encoding "zstd"');
    const s = servers.pop()!;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
    const err2 = (await scrape(base).catch((e: unknown) => e)) as HttpError;
    expect(err2.code).toBe('HTTP_ERROR');
    expect(err2.status).toBe(0);
    expect(err2.message).toContain('ECONNREFUSED');
  });

  it('rejects bad options', async () => {
    await expect(scrape('http://127.0.0.1:1/', { timeout: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(scrape('ftp://127.0.0.1/')).rejects.toMatchObject({ code: 'HTTP_ERROR' });
  });

  it('scrapeEach hands over families one by one', async () => {
    const base = await serve((_req, res) => res.writeHead(200, { 'content-type': TEXT_CT }).end(TEXT));
    const names: string[] = [];
    const r = await scrapeEach(base, {}, (f) => {
      names.push(f.name);
    });
    expect(names).toEqual(['http_requests_total', 'temp']);
    expect(r.format).toBe('text');
  });
});
