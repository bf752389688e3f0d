import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricSet } from '../src/metrics/index.js';
import type { MetricFamily } from '../src/model/index.js';
import { RemoteWriter, startRemoteWriter } from '../src/toolkit/remote-write-writer.js';
import type { RemoteWriteDrop } from '../src/toolkit/remote-write-writer.js';
import { encodeWriteRequest } from '../src/remote-write/index.js';
import { snappyCompress } from '../src/snappy/index.js';
import { decodeSeen, rwServer } from './helpers/rw-server.js';
import type { RwServer } from './helpers/rw-server.js';

const servers: RwServer[] = [];
const writers: RemoteWriter[] = [];
afterEach(async () => {
  for (const w of writers.splice(0)) await w.stop({ flush: false });
  for (const s of servers.splice(0)) await s.close();
});
async function server(...args: Parameters<typeof rwServer>): Promise<RwServer> {
  const s = await rwServer(...args);
  servers.push(s);
  return s;
}
function track(w: RemoteWriter): RemoteWriter {
  writers.push(w);
  return w;
}

function gauges(n: number, value = 1): MetricFamily[] {
  return [
    {
      name: 'g',
      type: 'gauge',
      help: '',
      unit: '',
      samples: Array.from({ length: n }, (_, i) => ({ name: 'g', labels: { i: String(i).padStart(3, '0') }, value, timestamp: null })),
    },
  ];
}

const HOUR = 3_600_000;

describe('RemoteWriter', () => {
  it('collects a MetricSet, stamps the collection time, and sends it', async () => {
    const s = await server();
    const set = new MetricSet();
    set.gauge({ name: 'temp', help: 'T.' }).set(21.5);
    const before = Date.now();
    const w = track(startRemoteWriter({ url: s.url, source: set, interval: HOUR }));
    await w.flush();
    await new Promise((r) => setTimeout(r, 0));
    await w.flush();
    expect(s.seen).toHaveLength(1);
    const series = decodeSeen(s.seen[0]!).series;
    expect(series[0]!.name).toBe('temp');
    expect(series[0]!.samples[0]!.value).toBe(21.5);
    expect(series[0]!.samples[0]!.timestamp).toBeGreaterThanOrEqual(before);
    expect(series[0]!.samples[0]!.timestamp).toBeLessThanOrEqual(Date.now());
    expect(w.stats).toMatchObject({ collections: 1, sent: 1, requests: 1, queueLength: 0, inFlight: 0 });
  });

  it('a MetricSet with an async collect callback: awaited before each collection', async () => {
    const s = await server();
    const set = new MetricSet();
    let n = 0;
    set.gauge({
      name: 'queue_length',
      help: 'Items waiting.',
      async collect() {
        await new Promise((r) => setTimeout(r, 5));
        this.set(++n * 10);
      },
    });
    const w = track(startRemoteWriter({ url: s.url, source: set, interval: HOUR }));
    // The callback takes 5 ms: wait for the collection's request.
    for (let i = 0; i < 200 && s.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await w.flush();
    expect(w.stats).toMatchObject({ collections: 1, collectionErrors: 0, sent: 1 });
    expect(decodeSeen(s.seen[0]!).series.map((x) => [x.name, x.samples[0]!.value])).toEqual([['queue_length', 10]]);
  });

  it('stop() flushes: a last collection goes out before it resolves', async () => {
    const s = await server();
    let value = 0;
    const w = new RemoteWriter({ url: s.url, source: () => gauges(3, ++value), interval: HOUR, immediate: false, maxSamplesPerRequest: 2 });
    w.start();
    const stats = await w.stop();
    expect(s.seen).toHaveLength(2);
    expect(s.seen.flatMap((x) => decodeSeen(x).series.map((y) => y.samples[0]!.value))).toEqual([1, 1, 1]);
    expect(stats).toMatchObject({ collections: 1, sent: 3, requests: 2, dropped: 0, failed: 0, queueLength: 0 });
    expect(w.running).toBe(false);
  });

  it('a receiver that is down: the queue stays under its cap, the oldest batches are dropped and counted', async () => {
    const held: http.ServerResponse[] = [];
    let release = false;
    const s = await server((_r, res) => (release ? res.writeHead(204).end() : held.push(res)));
    // Every batch is one sample with a three-digit label; the first also carries the 1.0 metadata: at most this size.
    const size = snappyCompress(encodeWriteRequest(gauges(1), { timestamp: Date.now() })).byteLength;
    const drops: RemoteWriteDrop[] = [];
    const errors: unknown[] = [];
    const w = track(
      new RemoteWriter({
        url: s.url,
        source: () => gauges(10),
        interval: HOUR,
        immediate: false,
        maxSamplesPerRequest: 1,
        queue: { maxBytes: Math.floor(3.5 * size) },
        stopTimeout: 100,
        onDrop: (d) => drops.push(d),
        onError: (e) => errors.push(e),
      }),
    );
    const first = w.flush(true);
    await until(() => held.length === 1);
    // Ten batches into a queue of three: seven dropped, oldest first; one in flight, two waiting.
    expect(drops).toHaveLength(7);
    expect(drops.every((d) => d.reason === 'queue-full' && d.samples === 1 && d.bytes <= size && d.bytes > 0)).toBe(true);
    expect(w.stats).toMatchObject({ dropped: 7, droppedBatches: 7, queueLength: 2, inFlight: 1 });
    expect(w.stats.queueBytes).toBeLessThanOrEqual(3.5 * size);
    // A second collection while the receiver is still down: the queue keeps the newest three.
    void w.flush(true);
    await until(() => w.stats.dropped === 16);
    expect(w.stats).toMatchObject({ queueLength: 3, inFlight: 1, collections: 2 });
    release = true;
    for (const res of held.splice(0)) res.writeHead(204).end();
    await first;
    await w.flush();
    const sent = s.seen.map((x) => decodeSeen(x).series[0]!.labels['i']);
    // The one in flight at the first cut, then the newest three of the second collection.
    expect(sent).toEqual(['007', '007', '008', '009']);
    expect(w.stats).toMatchObject({ sent: 4, dropped: 16, failed: 0, queueLength: 0, inFlight: 0 });
    // Nothing lost silently: every collected sample is sent, dropped or failed.
    expect(w.stats.sent + w.stats.dropped + w.stats.failed).toBe(20);
    expect(errors).toEqual([]);
  });

  it('stop() waits at most stopTimeout, then drops what is queued and in flight', async () => {
    const s = await server(() => {}); // never answers
    const drops: RemoteWriteDrop[] = [];
    const w = track(
      new RemoteWriter({
        url: s.url,
        source: () => gauges(3),
        interval: HOUR,
        maxSamplesPerRequest: 1,
        stopTimeout: 200,
        timeout: 60_000,
        onDrop: (d) => drops.push(d),
      }),
    );
    w.start();
    await until(() => w.stats.inFlight === 1 && s.seen.length === 1);
    const started = Date.now();
    const stats = await w.stop({ flush: false });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stats).toMatchObject({ sent: 0, dropped: 3, droppedBatches: 3, queueLength: 0, inFlight: 0 });
    expect(drops.map((d) => d.reason)).toEqual(['stop', 'stop', 'stop']);
  });

  it('at most `concurrency` requests in flight', async () => {
    const s = await server((_r, res) => setTimeout(() => res.writeHead(204).end(), 30));
    const w = track(new RemoteWriter({ url: s.url, source: () => gauges(8), interval: HOUR, maxSamplesPerRequest: 1, concurrency: 3 }));
    await w.flush(true);
    expect(s.seen).toHaveLength(8);
    expect(s.maxActive()).toBe(3);
    expect(w.stats.sent).toBe(8);
  });

  it('a later collection waits for the earlier one, so no series goes out of order', async () => {
    let n = 0;
    const s = await server((_r, res, i) => setTimeout(() => res.writeHead(204).end(), i === 0 ? 80 : 1));
    const w = track(
      new RemoteWriter({ url: s.url, source: () => gauges(2, ++n), interval: HOUR, maxSamplesPerRequest: 1, concurrency: 4 }),
    );
    const a = w.flush(true);
    const b = w.flush(true);
    await Promise.all([a, b]);
    const values = s.seen.map((x) => decodeSeen(x).series[0]!.samples[0]!.value);
    expect(values.slice(0, 2)).toEqual([1, 1]);
    expect(values.slice(2)).toEqual([2, 2]);
  });

  it('failures after retries are counted and reported, with self-metrics in a MetricSet', async () => {
    const s = await server((_r, res) => res.writeHead(503).end('unavailable'));
    const errors: unknown[] = [];
    const metrics = new MetricSet();
    const w = track(
      new RemoteWriter({
        url: s.url,
        source: () => gauges(2),
        interval: HOUR,
        retries: 2,
        retryDelay: 1,
        onError: (e) => errors.push(e),
        metrics,
      }),
    );
    await w.flush(true);
    expect(s.seen).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(w.stats).toMatchObject({ sent: 0, failed: 2, retried: 4, failedRequests: 3, requests: 0 });
    const text = metrics.encodeToString({ format: 'text' });
    expect(text).toContain('promwire_remote_write_samples_total{outcome="failed"} 2');
    expect(text).toContain('promwire_remote_write_samples_total{outcome="retried"} 4');
    expect(text).toContain('promwire_remote_write_queue_batches 0');
  });

  it('a collection that throws is counted and reported; the writer keeps going', async () => {
    const s = await server();
    const errors: unknown[] = [];
    let calls = 0;
    const w = track(
      new RemoteWriter({
        url: s.url,
        source: () => {
          if (++calls === 1) throw new Error('collect failed');
          return gauges(1);
        },
        interval: HOUR,
        onError: (e) => errors.push(e),
      }),
    );
    await w.flush(true);
    await w.flush(true);
    expect((errors[0] as Error).message).toBe('collect failed');
    expect(w.stats).toMatchObject({ collections: 2, collectionErrors: 1, sent: 1 });
  });

  it('version 2.0 with fallback: after a receiver that does not speak 2.0, later collections go as 1.0', async () => {
    const s = await server();
    const errors: unknown[] = [];
    const w = track(
      new RemoteWriter({
        url: s.url,
        source: () => gauges(1),
        interval: HOUR,
        version: '2.0',
        fallback: true,
        onError: (e) => errors.push(e),
      }),
    );
    await w.flush(true);
    await w.flush(true);
    expect(s.seen.map((x) => x.headers['x-prometheus-remote-write-version'])).toEqual(['2.0.0', '0.1.0']);
    expect(errors).toHaveLength(1);
    expect(w.stats).toMatchObject({ failed: 1, sent: 1 });
  });

  it('refuses bad options', () => {
    expect(() => new RemoteWriter({ url: 'http://x/', source: () => [], interval: 0 })).toThrow(/interval/);
    expect(() => new RemoteWriter({ url: 'ftp://x/', source: () => [], interval: 1 })).toThrow(/http/);
    expect(() => new RemoteWriter({ url: 'http://x/', source: () => [], interval: 1, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new RemoteWriter({ url: 'http://x/', source: () => [], interval: 1, queue: { maxBytes: 0 } })).toThrow(/maxBytes/);
  });
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
