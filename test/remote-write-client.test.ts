import { afterEach, describe, expect, it } from 'vitest';
import type { PromwireError } from '../src/errors.js';
import type { MetricFamily } from '../src/model/index.js';
import { HttpError } from '../src/toolkit/http.js';
import { NotUnderstoodError, remoteWrite } from '../src/toolkit/remote-write-client.js';
import { backoffDelay, retryAfterMs } from '../src/toolkit/retry.js';
import { confirm, decodeSeen, rwServer } from './helpers/rw-server.js';
import type { RwServer } from './helpers/rw-server.js';

const servers: RwServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function server(...args: Parameters<typeof rwServer>): Promise<RwServer> {
  const s = await rwServer(...args);
  servers.push(s);
  return s;
}

const T = 1_700_000_000_000;

function gauges(n: number): MetricFamily[] {
  return [
    {
      name: 'temp_celsius',
      type: 'gauge',
      help: 'Temperature.',
      unit: '',
      samples: Array.from({ length: n }, (_, i) => ({ name: 'temp_celsius', labels: { room: `r${i}` }, value: i + 0.5, timestamp: T + i })),
    },
  ];
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('remoteWrite: requests as the specs say', () => {
  it('1.0: headers exactly, snappy body decoding to what was sent', async () => {
    const s = await server();
    const r = await remoteWrite(s.url, gauges(3), { version: '1.0' });
    expect(s.seen).toHaveLength(1);
    const h = s.seen[0]!.headers;
    expect(s.seen[0]!.method).toBe('POST');
    expect(h['content-encoding']).toBe('snappy');
    expect(h['content-type']).toBe('application/x-protobuf');
    expect(h['user-agent']).toBe('promwire');
    expect(h['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(h['retry-attempt']).toBeUndefined();
    const req = decodeSeen(s.seen[0]!);
    expect(req.series.map((x) => [x.labels['room'], x.samples])).toEqual([
      ['r0', [{ value: 0.5, timestamp: T }]],
      ['r1', [{ value: 1.5, timestamp: T + 1 }]],
      ['r2', [{ value: 2.5, timestamp: T + 2 }]],
    ]);
    expect(r).toMatchObject({ version: '1.0', requests: 1, attempts: 1, retries: 0, status: 204, written: undefined, fellBack: false });
    expect(r.sent).toEqual({ samples: 3, histograms: 0, exemplars: 0 });
    expect(r.bytes).toBe(s.seen[0]!.body.length);
  });

  it('2.0: content type with proto, version 2.0.0, written counts in the result', async () => {
    const s = await server((_r, res) => confirm(res, 3, 0, 0));
    const r = await remoteWrite(s.url, gauges(3), { version: '2.0', userAgent: 'me/1' });
    const h = s.seen[0]!.headers;
    expect(h['content-type']).toBe('application/x-protobuf;proto=io.prometheus.write.v2.Request');
    expect(h['x-prometheus-remote-write-version']).toBe('2.0.0');
    expect(h['user-agent']).toBe('me/1');
    expect(decodeSeen(s.seen[0]!).series).toHaveLength(3);
    expect(r.written).toEqual({ samples: 3, histograms: 0, exemplars: 0 });
  });

  it('2.0: a 2xx without the written headers is a clear failure, not retried', async () => {
    const s = await server();
    const err = await rejection(remoteWrite(s.url, gauges(2), { version: '2.0', retries: 3, retryDelay: 1 }));
    expect(err).toBeInstanceOf(NotUnderstoodError);
    expect((err as Error).message).toMatch(/did not understand remote write 2\.0.*fallback: true/);
    expect(s.seen).toHaveLength(1);
  });

  it('2.0 with fallback: sends the data again as 1.0', async () => {
    const s = await server();
    const r = await remoteWrite(s.url, gauges(2), { version: '2.0', fallback: true });
    expect(s.seen.map((x) => x.headers['x-prometheus-remote-write-version'])).toEqual(['2.0.0', '0.1.0']);
    expect(decodeSeen(s.seen[1]!).series).toHaveLength(2);
    expect(r).toMatchObject({ version: '1.0', fellBack: true, attempts: 2, requests: 1, written: undefined });
  });

  it('2.0: written counts all 0 for data sent is a failure (Prometheus queue_manager.go)', async () => {
    const s = await server((_r, res) => confirm(res, 0));
    const err = await rejection(remoteWrite(s.url, gauges(2), { version: '2.0' }));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as Error).message).toMatch(/wrote nothing of 2 samples/);
  });

  it('splits into requests of at most maxSamplesPerRequest samples', async () => {
    const s = await server();
    const r = await remoteWrite(s.url, gauges(5), { maxSamplesPerRequest: 2 });
    expect(s.seen.map((x) => decodeSeen(x).series.length)).toEqual([2, 2, 1]);
    expect(r.requests).toBe(3);
    expect(r.sent.samples).toBe(5);
  });

  it('takes a text payload and a MetricSet-like source, stamping samples without a timestamp', async () => {
    const s = await server();
    await remoteWrite(s.url, '# TYPE up gauge\nup{job="a"} 1\n', { timestamp: T });
    await remoteWrite(
      s.url,
      {
        collect: async (): Promise<MetricFamily[]> =>
          gauges(1).map((f) => ({ ...f, samples: f.samples.map((x) => ({ ...x, timestamp: null })) }) as MetricFamily),
      },
      { timestamp: T + 5 },
    );
    expect(decodeSeen(s.seen[0]!).series[0]).toMatchObject({ name: 'up', labels: { job: 'a' }, samples: [{ value: 1, timestamp: T }] });
    expect(decodeSeen(s.seen[1]!).series[0]!.samples).toEqual([{ value: 0.5, timestamp: T + 5 }]);
  });
});

describe('remoteWrite: retries', () => {
  it('retries a 5xx with Retry-Attempt, then succeeds', async () => {
    const s = await server((_r, res, i) => (i < 2 ? res.writeHead(503).end('busy') : res.writeHead(204).end()));
    const r = await remoteWrite(s.url, gauges(1), { retries: 3, retryDelay: 1 });
    expect(s.seen.map((x) => x.headers['retry-attempt'])).toEqual([undefined, '1', '2']);
    expect(r).toMatchObject({ attempts: 3, retries: 2, requests: 1 });
  });

  it('gives up after `retries` and reports the last status', async () => {
    const s = await server((_r, res) => res.writeHead(500).end('down'));
    const err = await rejection(remoteWrite(s.url, gauges(1), { retries: 2, retryDelay: 1 }));
    expect(s.seen).toHaveLength(3);
    expect((err as HttpError).status).toBe(500);
  });

  it('429 waits what Retry-After says (seconds)', async () => {
    const s = await server((_r, res, i) => (i === 0 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(204).end()));
    await remoteWrite(s.url, gauges(1), { retries: 1, retryDelay: 1 });
    expect(s.seen).toHaveLength(2);
    expect(s.seen[1]!.at - s.seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('a Retry-After longer than maxRetryAfter fails at once', async () => {
    const s = await server((_r, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    const err = await rejection(remoteWrite(s.url, gauges(1), { retries: 5, maxRetryAfter: 10_000 }));
    expect((err as HttpError).status).toBe(429);
    expect(s.seen).toHaveLength(1);
  });

  it('never retries a 400, and reports the receiver body, truncated', async () => {
    const long = 'out of order sample: ' + 'x'.repeat(9000);
    const s = await server((_r, res) => res.writeHead(400).end(long));
    const err = (await rejection(remoteWrite(s.url, gauges(1), { retries: 5, retryDelay: 1 }))) as HttpError;
    expect(s.seen).toHaveLength(1);
    expect(err.status).toBe(400);
    expect(err.body.startsWith('out of order sample: xxx')).toBe(true);
    expect(err.body.length).toBeLessThanOrEqual(4096);
    expect(err.message.length).toBeLessThan(1000);
    expect(err.message).toContain('out of order sample');
  });

  it('never retries 401, 404, 413', async () => {
    for (const status of [401, 404, 413]) {
      const s = await server((_r, res) => res.writeHead(status).end());
      const err = (await rejection(remoteWrite(s.url, gauges(1), { retries: 3, retryDelay: 1 }))) as HttpError;
      expect(err.status).toBe(status);
      expect(s.seen).toHaveLength(1);
    }
  });

  it('times out an attempt that gets no answer, and retries it', async () => {
    const s = await server((_r, res, i) => {
      if (i > 0) res.writeHead(204).end();
    });
    const r = await remoteWrite(s.url, gauges(1), { timeout: 150, retries: 1, retryDelay: 1 });
    expect(r.attempts).toBe(2);
    const s2 = await server(() => {});
    const err = await rejection(remoteWrite(s2.url, gauges(1), { timeout: 100, retries: 0 }));
    expect((err as PromwireError).code).toBe('TIMEOUT');
  });

  it('backoff: doubles from retryDelay, capped, with jitter within [d/2, d]', () => {
    expect(backoffDelay(1, 30, 5000, () => 0)).toBe(15);
    expect(backoffDelay(1, 30, 5000, () => 1)).toBe(30);
    expect(backoffDelay(3, 30, 5000, () => 1)).toBe(120);
    expect(backoffDelay(20, 30, 5000, () => 1)).toBe(5000);
    expect(backoffDelay(20, 30, 5000, () => 0)).toBe(2500);
    for (let i = 1; i < 12; i++) {
      const d = backoffDelay(i, 100, 3000);
      const full = Math.min(3000, 100 * 2 ** (i - 1));
      expect(d).toBeGreaterThanOrEqual(full / 2);
      expect(d).toBeLessThanOrEqual(full);
    }
  });

  it('Retry-After: seconds, an HTTP date, and garbage', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('remoteWrite: credentials', () => {
  it('sends basic auth, a bearer token, and extra headers', async () => {
    const s = await server();
    await remoteWrite(s.url, gauges(1), { basicAuth: { username: 'u', password: 'p' }, headers: { 'X-Scope-OrgID': 'tenant-1' } });
    await remoteWrite(s.url, gauges(1), { bearerToken: 'tok' });
    expect(s.seen[0]!.headers.authorization).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
    expect(s.seen[0]!.headers['x-scope-orgid']).toBe('tenant-1');
    expect(s.seen[1]!.headers.authorization).toBe('Bearer tok');
  });

  it('refuses two ways to authenticate', async () => {
    const err = await rejection(
      remoteWrite('http://127.0.0.1:1/w', gauges(1), { bearerToken: 't', basicAuth: { username: 'u', password: 'p' } }),
    );
    expect((err as PromwireError).code).toBe('INVALID_ARGUMENT');
  });

  it('does not let headers override the protocol headers', async () => {
    const s = await server();
    await remoteWrite(s.url, gauges(1), { headers: { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' } });
    expect(s.seen[0]!.headers['content-type']).toBe('application/x-protobuf');
    expect(s.seen[0]!.headers['content-encoding']).toBe('snappy');
  });

  it('follows a 307 with the body; credentials only to the first origin', async () => {
    const other = await server();
    const same = await server((r, res) => {
      if (r.url === '/first') res.writeHead(307, { location: '/second' }).end();
      else if (r.url === '/second') res.writeHead(307, { location: other.url }).end();
      else res.writeHead(204).end();
    });
    const r = await remoteWrite(`${same.base}/first`, gauges(2), { bearerToken: 'secret', headers: { 'X-Scope-OrgID': 't' } });
    expect(r.requests).toBe(1);
    expect(same.seen.map((x) => x.headers.authorization)).toEqual(['Bearer secret', 'Bearer secret']);
    expect(other.seen).toHaveLength(1);
    expect(other.seen[0]!.headers.authorization).toBeUndefined();
    expect(other.seen[0]!.headers['x-scope-orgid']).toBe('t');
    expect(decodeSeen(other.seen[0]!).series).toHaveLength(2);
  });

  it('refuses a 302 (it would turn the POST into a GET)', async () => {
    const s = await server((_r, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    const err = await rejection(remoteWrite(s.url, gauges(1), { retries: 2 }));
    expect((err as HttpError).status).toBe(302);
    expect(s.seen).toHaveLength(1);
  });
});

describe('remoteWrite: a MetricSet', () => {
  it('runs its collect callbacks first, async ones awaited', async () => {
    const { MetricSet } = await import('../src/metrics/index.js');
    const s = await server();
    const set = new MetricSet();
    set.gauge({
      name: 'queue_length',
      help: 'Items waiting.',
      async collect() {
        await new Promise((r) => setTimeout(r, 5));
        this.set(7);
      },
    });
    await remoteWrite(s.url, set, { version: '1.0' });
    const req = decodeSeen(s.seen[0]!);
    expect(req.series.map((x) => [x.labels['__name__'], x.samples.map((p) => p.value)])).toEqual([['queue_length', [7]]]);
  });
});
