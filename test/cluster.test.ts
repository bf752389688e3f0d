/**
 * ClusterAggregator and serveToPrimary with real `node:cluster` workers and
 * real worker threads (test/helpers/cluster-worker.ts, run through tsx),
 * served by a real handler on 127.0.0.1.
 */
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker as ThreadWorker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import { MetricSet } from '../src/metrics/index.js';
import type { MetricFamily } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { ClusterAggregator, serveToPrimary } from '../src/toolkit/cluster.js';
import { createNodeHandler } from '../src/toolkit/handler.js';

const WORKER = fileURLToPath(new URL('./helpers/cluster-worker.ts', import.meta.url));

const forked: ClusterWorker[] = [];
const threads: ThreadWorker[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  for (const w of forked.splice(0)) {
    if (!w.isDead()) {
      const dead = new Promise((r) => w.once('exit', r));
      w.kill();
      await dead;
    }
  }
  for (const t of threads.splice(0)) await t.terminate();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function fork(n: number, mode?: string): Promise<ClusterWorker> {
  cluster.setupPrimary({ exec: WORKER, execArgv: ['--import', 'tsx'], silent: false });
  const w = cluster.fork({ PROMWIRE_TEST_WORKER: JSON.stringify({ n, mode }) });
  forked.push(w);
  await new Promise<void>((resolve, reject) => {
    w.on('message', (m: { ready?: boolean }) => m.ready === true && resolve());
    w.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return w;
}

/** A worker thread running the .ts helper: tsx registered in the thread first (a .ts entry is not loaded through --import hooks). */
async function thread(n: number, mode?: string): Promise<ThreadWorker> {
  const api = import.meta.resolve('tsx/esm/api');
  const url = new URL('./helpers/cluster-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
  const t = new ThreadWorker(code, { eval: true, workerData: { n, mode } });
  threads.push(t);
  await new Promise<void>((resolve, reject) => {
    t.on('message', (m: { ready?: boolean }) => m.ready === true && resolve());
    t.once('error', reject);
  });
  return t;
}

function sample(families: readonly MetricFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      const keys = Object.keys(s.labels);
      if (keys.length !== Object.keys(labels).length) continue;
      if (keys.every((k) => s.labels[k] === labels[k]) && typeof s.value === 'number') return s.value;
    }
  }
  return undefined;
}

async function serve(options: Parameters<typeof createNodeHandler>[0]): Promise<string> {
  const handler = createNodeHandler(options);
  const server = http.createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('node:cluster workers', () => {
  it('sums counters, gauges and histograms, keeps start times per worker, version once; the handler serves it beside the primary set', async () => {
    const workers = await Promise.all([fork(1), fork(2), fork(3)]);
    const agg = new ClusterAggregator({ workers: () => workers });
    const primary = new MetricSet();
    primary.gauge({ name: 'primary_only', help: '' }).set(7);
    const url = await serve({ metrics: [agg, primary] });
    const body = await (await fetch(url)).text();
    const fams = parse(body);
    expect(sample(fams, 'jobs_total', { kind: 'a' })).toBe(6);
    expect(sample(fams, 'queue_depth')).toBe(60);
    expect(sample(fams, 'latency_seconds_count')).toBe(6);
    // The model spells bounds canonically (rules.canonicalBound): le="1" reads as "1.0".
    expect(sample(fams, 'latency_seconds_bucket', { le: '1.0' })).toBe(6);
    expect(sample(fams, 'latency_seconds_bucket', { le: '0.1' })).toBe(0);
    for (const [i, w] of workers.entries()) {
      expect(sample(fams, 'process_start_time_seconds', { worker: String(w.id) })).toBe(1001 + i);
      expect(sample(fams, 'promwire_cluster_worker_up', { worker: String(w.id) })).toBe(1);
    }
    expect(fams.find((f) => f.name === 'nodejs_version_info')!.samples).toHaveLength(1);
    expect(sample(fams, 'primary_only')).toBe(7);
  });

  it('the default workers are cluster.workers; unaggregated mode labels every series', async () => {
    const workers = await Promise.all([fork(1), fork(5)]);
    const fams = await new ClusterAggregator({ mode: 'unaggregated' }).collect();
    for (const [i, w] of workers.entries()) {
      expect(sample(fams, 'jobs_total', { worker: String(w.id), kind: 'a' })).toBe([1, 5][i]);
    }
  });

  it('a worker that never answers is left out after the timeout, reported up=0 and to onError; the others are served', async () => {
    const ok = await fork(2);
    const hung = await fork(4, 'silent');
    const errors: PromwireError[] = [];
    const agg = new ClusterAggregator({ workers: () => [ok, hung], timeout: 300, onError: (e) => errors.push(e) });
    const t = performance.now();
    const fams = await agg.collect();
    // Waited for the timeout, not for ever (and not much longer).
    expect(performance.now() - t).toBeGreaterThanOrEqual(290);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(sample(fams, 'jobs_total', { kind: 'a' })).toBe(2);
    expect(sample(fams, 'promwire_cluster_worker_up', { worker: String(ok.id) })).toBe(1);
    expect(sample(fams, 'promwire_cluster_worker_up', { worker: String(hung.id) })).toBe(0);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['TIMEOUT', `cluster: worker ${hung.id} did not answer the metrics request within 300 ms`],
    ]);
  });

  it('a worker whose collect fails, and a dead worker, are reported and left out', async () => {
    const ok = await fork(1);
    const failing = await fork(2, 'fail');
    const dead = await fork(3);
    const exited = new Promise((r) => dead.once('exit', r));
    dead.kill();
    await exited;
    const errors: PromwireError[] = [];
    const fams = await new ClusterAggregator({ workers: () => [ok, failing, dead], onError: (e) => errors.push(e) }).collect();
    expect(sample(fams, 'jobs_total', { kind: 'a' })).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['COLLECT_FAILED', 'COLLECT_FAILED']);
    expect(errors[0]!.message).toContain('disk on fire');
    expect(errors[1]!.message).toContain('not connected');
    expect(sample(fams, 'promwire_cluster_worker_up', { worker: String(failing.id) })).toBe(0);
  });
});

describe('worker_threads', () => {
  it('asks each thread over its port and merges the answers', async () => {
    const ts = await Promise.all([thread(1), thread(10)]);
    const fams = await new ClusterAggregator({ workers: () => ts }).collect();
    expect(sample(fams, 'jobs_total', { kind: 'a' })).toBe(11);
    expect(sample(fams, 'queue_depth')).toBe(110);
    expect(sample(fams, 'promwire_cluster_worker_up', { worker: `thread-${ts[0]!.threadId}` })).toBe(1);
  });

  it('a silent thread times out; a terminated one is not connected', async () => {
    const ok = await thread(3);
    const silent = await thread(4, 'silent');
    const gone = await thread(5);
    await gone.terminate();
    const errors: PromwireError[] = [];
    const fams = await new ClusterAggregator({ workers: () => [ok, silent, gone], timeout: 200, onError: (e) => errors.push(e) }).collect();
    expect(sample(fams, 'jobs_total', { kind: 'a' })).toBe(3);
    expect(errors.map((e) => e.code).sort()).toEqual(['COLLECT_FAILED', 'TIMEOUT']);
  });
});

describe('options', () => {
  it('refuses a bad timeout, mode or label at construction', () => {
    expect(() => new ClusterAggregator({ timeout: 0 })).toThrow(PromwireError);
    expect(() => new ClusterAggregator({ mode: 'sum' as 'aggregated' })).toThrow(/mode/);
    expect(() => new ClusterAggregator({ workerLabel: '' })).toThrow(/nodeLabel/);
  });

  it('serveToPrimary outside a worker needs a port; with one it answers on it', async () => {
    expect(() => serveToPrimary(new MetricSet())).toThrow(/not in a cluster worker/);
    const { port1, port2 } = new MessageChannel();
    const set = new MetricSet();
    set.gauge({ name: 'g', help: '' }).set(3);
    const stop = serveToPrimary(set, { port: port1 as unknown as import('node:worker_threads').MessagePort });
    const answer = new Promise<unknown>((r) => port2.addEventListener('message', (e) => r(e.data), { once: true }));
    port2.start();
    port2.postMessage({ type: 'promwire:cluster-metrics-request', id: 42 });
    expect(await answer).toEqual({
      type: 'promwire:cluster-metrics-answer',
      id: 42,
      bodies: [set.encodeToString({ format: 'openmetrics' })],
    });
    stop();
    port1.close();
    port2.close();
  });
});
