import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricSet } from '../src/metrics/index.js';
import { PromwireError } from '../src/errors.js';
import type { MetricFamily } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { HttpError } from '../src/toolkit/http.js';
import { Pusher, expandJobTemplate, push, pushgatewayUrl, startPusher } from '../src/toolkit/push.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

type Reply = (req: Seen, res: http.ServerResponse) => void;

const servers: http.Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/** A local gateway stand-in that records every request and answers with `reply`. */
async function gateway(reply: Reply = (_r, res) => res.writeHead(200).end()) {
  const seen: Seen[] = [];
  let active = 0;
  let maxActive = 0;
  const server = http.createServer((req, res) => {
    active++;
    maxActive = Math.max(maxActive, active);
    res.on('close', () => active--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      seen.push(s);
      reply(s, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, seen, maxActive: () => maxActive };
}

const FAMILIES: MetricFamily[] = [
  {
    name: 'batch_last_success_seconds',
    type: 'gauge',
    help: 'Last time the batch job succeeded.',
    unit: '',
    samples: [{ name: 'batch_last_success_seconds', labels: {}, value: 1700000000, timestamp: null }],
  },
  {
    name: 'batch_records_total',
    type: 'counter',
    help: 'Records processed.',
    unit: '',
    samples: [{ name: 'batch_records_total', labels: { kind: 'a"b\\c' }, value: 42, timestamp: null }],
  },
];

describe('pushgatewayUrl (Pushgateway README URL rules)', () => {
  it.each([
    [{}, 'http://gw:9091/metrics/job/batch'],
    [{ instance: 'host-a' }, 'http://gw:9091/metrics/job/batch/instance/host-a'],
    // A value with a slash goes base64url (no padding) with @base64 on the name.
    [{ path: '/var/tmp' }, 'http://gw:9091/metrics/job/batch/path@base64/L3Zhci90bXA'],
    // An empty value: `@base64/=`.
    [{ instance: '' }, 'http://gw:9091/metrics/job/batch/instance@base64/='],
    // Other characters are percent-escaped within one segment.
    [{ instance: 'a b?c#d%e' }, 'http://gw:9091/metrics/job/batch/instance/a%20b%3Fc%23d%25e'],
    [{ city: 'Zürich' }, 'http://gw:9091/metrics/job/batch/city/Z%C3%BCrich'],
    // Dot segments would be resolved away by URL parsing: base64 them.
    [{ instance: '..', env: 'prod' }, 'http://gw:9091/metrics/job/batch/instance@base64/Li4/env/prod'],
    [{ a: '.', b: 'x' }, 'http://gw:9091/metrics/job/batch/a@base64/Lg/b/x'],
  ])('grouping key %j -> %s', (key, url) => {
    expect(pushgatewayUrl('http://gw:9091', 'batch', key)).toBe(url);
  });

  it('base64-encodes a job named . or ..', () => {
    expect(pushgatewayUrl('http://gw:9091/prefix', '..')).toBe('http://gw:9091/prefix/metrics/job@base64/Li4');
    expect(pushgatewayUrl('http://gw:9091/prefix', '.')).toBe('http://gw:9091/prefix/metrics/job@base64/Lg');
  });

  it('keeps key order, a base path prefix, and base64-encodes a job with a slash', () => {
    expect(pushgatewayUrl('http://gw:9091/pg/', 'a/b', { z: '1', a: '2' })).toBe('http://gw:9091/pg/metrics/job@base64/YS9i/z/1/a/2');
  });

  it.each([
    ['', {}, 'non-empty job name'],
    ['j', { 'bad-name': 'x' }, 'grouping label name'],
    ['j', { '0x': 'x' }, 'grouping label name'],
    ['j', { job: 'x' }, 'must not contain "job"'],
  ])('rejects job %j key %j', (job, key, message) => {
    let err: unknown;
    try {
      pushgatewayUrl('http://gw:9091', job, key);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromwireError);
    expect((err as PromwireError).code).toBe('INVALID_ARGUMENT');
    expect((err as Error).message).toContain(message);
  });

  it('rejects a non-http URL', () => {
    expect(() => pushgatewayUrl('ftp://gw/', 'j')).toThrow(/http: or https:/);
  });
});

describe('expandJobTemplate', () => {
  it('expands ${name}/instance/${name}~${host} into a job and grouping key', () => {
    expect(expandJobTemplate('${name}/instance/${name}~${host}', { name: 'emqx', host: '10.0.0.1' })).toEqual({
      job: 'emqx',
      groupingKey: { instance: 'emqx~10.0.0.1' },
    });
  });

  it('keeps a variable value with a slash as one value (base64 in the URL)', () => {
    const { job, groupingKey } = expandJobTemplate('batch/dir/${dir}', { dir: '/var/tmp' });
    expect(groupingKey).toEqual({ dir: '/var/tmp' });
    expect(pushgatewayUrl('http://gw', job, groupingKey)).toBe('http://gw/metrics/job/batch/dir@base64/L3Zhci90bXA');
  });

  it('rejects unknown variables, a label without value, and repeated labels', () => {
    expect(() => expandJobTemplate('${nope}', {})).toThrow(/no variable "nope"/);
    expect(() => expandJobTemplate('job/instance', {})).toThrow(/last label has no value/);
    expect(() => expandJobTemplate('job/a/1/a/2', {})).toThrow(/repeats the label "a"/);
  });
});

describe('push', () => {
  it('PUTs the families as text 0.0.4 to the grouping-key URL', async () => {
    const gw = await gateway();
    const r = await push({ url: gw.base, job: 'batch', groupingKey: { instance: 'a/b' }, body: FAMILIES });
    expect(r).toMatchObject({ status: 200, method: 'PUT', attempts: 1 });
    expect(gw.seen).toHaveLength(1);
    const req = gw.seen[0]!;
    expect(req.method).toBe('PUT');
    expect(req.url).toBe('/metrics/job/batch/instance@base64/YS9i');
    expect(req.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.bytes).toBe(Buffer.byteLength(req.body));
    const back = parse(req.body, { format: 'text' });
    expect(back.map((f) => f.name)).toEqual(['batch_last_success_seconds', 'batch_records_total']);
    expect(back[1]!.samples[0]!.labels).toEqual({ kind: 'a"b\\c' });
  });

  it('POSTs a string body and a collect() source, with custom headers and basic auth', async () => {
    const gw = await gateway();
    await push({
      url: gw.base,
      job: 'j',
      method: 'POST',
      body: 'x 1\n',
      headers: { 'X-Tenant': 't1' },
      basicAuth: { username: 'u', password: 'p:w' },
    });
    await push({ url: gw.base, job: 'j', method: 'POST', body: { collect: async () => FAMILIES } });
    expect(gw.seen[0]!.method).toBe('POST');
    expect(gw.seen[0]!.body).toBe('x 1\n');
    expect(gw.seen[0]!.headers['x-tenant']).toBe('t1');
    expect(gw.seen[0]!.headers['authorization']).toBe('Basic ' + Buffer.from('u:p:w').toString('base64'));
    expect(gw.seen[1]!.body).toContain('batch_records_total{kind="a\\"b\\\\c"} 42');
  });

  it('pushes a MetricSet as text 0.0.4, and a Pusher reads it afresh each time', async () => {
    const gw = await gateway();
    const set = new MetricSet();
    const done = set.counter({ name: 'jobs_done_total', help: 'Jobs done.' });
    done.inc(2);
    await push({ url: gw.base, job: 'j', body: set });
    expect(gw.seen[0]!.body).toBe(new TextDecoder().decode(set.encode({ format: 'text' })));
    expect(gw.seen[0]!.body).toContain('jobs_done_total 2');
    const p = startPusher({ url: gw.base, job: 'j', interval: 10_000, source: set, onStop: 'push' });
    await new Promise((r) => setTimeout(r, 50));
    done.inc();
    await p.stop();
    expect(gw.seen.map((x) => /jobs_done_total (\d+)/.exec(x.body)?.[1])).toEqual(['2', '2', '3']);
  });

  it('DELETE sends no body', async () => {
    const gw = await gateway((_r, res) => res.writeHead(202).end());
    const r = await push({ url: gw.base, job: 'j', groupingKey: { instance: 'i' }, method: 'DELETE', body: FAMILIES });
    expect(r.status).toBe(202);
    expect(gw.seen[0]!.method).toBe('DELETE');
    expect(gw.seen[0]!.body).toBe('');
    expect(gw.seen[0]!.headers['content-type']).toBeUndefined();
  });

  it("a 400 carries the gateway's status and body and is not retried", async () => {
    const gw = await gateway((_r, res) =>
      res.writeHead(400, { 'content-type': 'text/plain' }).end('pushed metrics are invalid or inconsistent with existing metrics'),
    );
    const err = await push({ url: gw.base, job: 'j', body: 'x 1\n', retries: 3, retryDelay: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const h = err as HttpError;
    expect(h.code).toBe('HTTP_ERROR');
    expect(h.status).toBe(400);
    expect(h.body).toBe('pushed metrics are invalid or inconsistent with existing metrics');
    expect(h.message).toContain('400');
    expect(h.message).toContain('inconsistent with existing metrics');
    expect(h.url).toBe(gw.base + '/metrics/job/j');
    expect(gw.seen).toHaveLength(1);
  });

  it('retries 5xx with doubling delays, then succeeds', async () => {
    let n = 0;
    const gw = await gateway((_r, res) => {
      n++;
      if (n <= 2) res.writeHead(503).end('busy');
      else res.writeHead(200).end();
    });
    const r = await push({ url: gw.base, job: 'j', body: 'x 1\n', retries: 3, retryDelay: 40 });
    expect(r.attempts).toBe(3);
    const [a, b, c] = gw.seen.map((s) => s.at);
    // Waits of at least 40 ms then 80 ms (timers never fire early).
    expect(b! - a!).toBeGreaterThanOrEqual(38);
    expect(c! - b!).toBeGreaterThanOrEqual(78);
  });

  it('gives up after the retries with the last error', async () => {
    const gw = await gateway((_r, res) => res.writeHead(500).end('boom'));
    const err = (await push({ url: gw.base, job: 'j', body: 'x 1\n', retries: 2, retryDelay: 1 }).catch((e: unknown) => e)) as HttpError;
    expect(err.status).toBe(500);
    expect(err.body).toBe('boom');
    expect(gw.seen).toHaveLength(3);
  });

  it('times out a gateway that never answers', async () => {
    const gw = await gateway(() => {
      /* never answer */
    });
    const err = (await push({ url: gw.base, job: 'j', body: 'x 1\n', timeout: 150 }).catch((e: unknown) => e)) as PromwireError;
    expect(err).toBeInstanceOf(PromwireError);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('150 ms');
  });

  it('reports a refused connection as HTTP_ERROR with status 0', async () => {
    const gw = await gateway();
    const url = gw.base;
    const s = servers.pop()!;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
    const err = (await push({ url, job: 'j', body: 'x 1\n' }).catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe('HTTP_ERROR');
    expect(err.status).toBe(0);
    expect(err.message).toContain('ECONNREFUSED');
  });
});

describe('Pusher', () => {
  it('pushes on the interval, never overlapping, and pushes a last time on stop', async () => {
    const gw = await gateway((_r, res) => setTimeout(() => res.writeHead(200).end(), 60));
    let collected = 0;
    const pusher = startPusher({
      url: gw.base,
      job: 'j',
      interval: 25,
      source: () => {
        collected++;
        return `x ${collected}\n`;
      },
    });
    expect(pusher.running).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    await pusher.stop();
    expect(pusher.running).toBe(false);
    // Each push takes 60 ms with a 25 ms interval: ticks are skipped, never run in parallel.
    expect(gw.maxActive()).toBe(1);
    expect(gw.seen.length).toBeGreaterThanOrEqual(3);
    expect(pusher.pushes).toBe(gw.seen.length);
    const last = gw.seen[gw.seen.length - 1]!;
    expect(last.method).toBe('PUT');
    expect(last.body).toBe(`x ${collected}\n`);
    const count = gw.seen.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(gw.seen.length).toBe(count); // nothing after stop
  });

  it('deletes the group on stop when asked, with a templated job and custom headers', async () => {
    const gw = await gateway();
    const { job, groupingKey } = expandJobTemplate('${name}/instance/${name}~${host}', { name: 'emqx', host: 'h1' });
    const pusher = new Pusher({
      url: gw.base,
      job,
      groupingKey,
      interval: 1000,
      method: 'POST',
      headers: { 'x-auth': 'k' },
      source: FAMILIES,
      onStop: 'delete',
    });
    pusher.start();
    await new Promise((r) => setTimeout(r, 100));
    await pusher.stop();
    expect(gw.seen.map((s) => s.method)).toEqual(['POST', 'DELETE']);
    expect(gw.seen.every((s) => s.url === '/metrics/job/emqx/instance/emqx~h1')).toBe(true);
    expect(gw.seen.every((s) => s.headers['x-auth'] === 'k')).toBe(true);
  });

  it('reports failures through onError and keeps going; stop() ends a retry wait at once', async () => {
    const gw = await gateway((_r, res) => res.writeHead(503).end('down'));
    const errors: unknown[] = [];
    const pusher = startPusher({
      url: gw.base,
      job: 'j',
      interval: 20,
      retries: 5,
      retryDelay: 10_000,
      source: 'x 1\n',
      onStop: 'none',
      onError: (e) => errors.push(e),
    });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await pusher.stop();
    // The 10 s retry wait was cut short by stop().
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(gw.seen).toHaveLength(1);
    expect(errors).toHaveLength(0); // the push abandoned by stop() is not reported

    const errors2: unknown[] = [];
    const p2 = startPusher({ url: gw.base, job: 'j', interval: 30, source: 'x 1\n', onStop: 'none', onError: (e) => errors2.push(e) });
    await new Promise((r) => setTimeout(r, 200));
    await p2.stop();
    expect(errors2.length).toBeGreaterThanOrEqual(2);
    expect((errors2[0] as HttpError).status).toBe(503);
    expect(p2.failures).toBe(errors2.length);
  });

  it('rejects a bad interval and a bad grouping key up front', () => {
    expect(() => new Pusher({ url: 'http://gw', job: 'j', interval: 0, source: '' })).toThrow(/interval/);
    expect(() => new Pusher({ url: 'http://gw', job: 'j', groupingKey: { job: 'x' }, interval: 10, source: '' })).toThrow(
      /must not contain "job"/,
    );
  });

  it('stop() before start() pushes nothing, and a stopped pusher cannot restart', async () => {
    const gw = await gateway();
    const p = new Pusher({ url: gw.base, job: 'j', interval: 10, source: 'x 1\n' });
    await p.stop();
    expect(gw.seen).toHaveLength(0);
    expect(() => p.start()).toThrow(/stopped/);
  });
});

describe('push runs a MetricSet collect callbacks first', () => {
  it('an async collect callback is awaited, and its value is what is pushed', async () => {
    const gw = await gateway();
    const set = new MetricSet();
    set.gauge({
      name: 'queue_length',
      help: 'Items waiting.',
      async collect() {
        await new Promise((r) => setTimeout(r, 5));
        this.set(7);
      },
    });
    await push({ url: gw.base, job: 'j', body: set });
    expect(gw.seen[0]!.body).toContain('queue_length 7\n');
  });
});
