import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import client from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import { MetricSet } from '../src/metrics/index.js';
import type { MetricFamily } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { collectDefaultMetrics, type DefaultMetrics } from '../src/toolkit/default-metrics.js';
import { createFetchHandler } from '../src/toolkit/fetch-handler.js';

const started: DefaultMetrics[] = [];
afterEach(() => {
  for (const d of started.splice(0)) d.stop();
});

function start(set: MetricSet, options?: Parameters<typeof collectDefaultMetrics>[1]): DefaultMetrics {
  const d = collectDefaultMetrics(set, options);
  started.push(d);
  return d;
}

/** Family name -> type, help and the label names its series carry (le aside). */
function shape(families: readonly MetricFamily[]): Map<string, { type: string; help: string; labels: string[] }> {
  const out = new Map<string, { type: string; help: string; labels: string[] }>();
  for (const f of families) {
    const names = new Set<string>();
    for (const s of f.samples) for (const k of Object.keys(s.labels)) if (k !== 'le') names.add(k);
    out.set(f.name, { type: f.type, help: f.help, labels: [...names].sort() });
  }
  return out;
}

function value(families: readonly MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  const f = families.find((x) => x.samples.some((s) => s.name === name));
  const s = f?.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  if (s === undefined || typeof s.value !== 'number') throw new Error(`no float sample ${name}`);
  return s.value;
}

async function scrape(set: MetricSet): Promise<MetricFamily[]> {
  await set.refresh();
  return parse(set.encode());
}

describe('collectDefaultMetrics', () => {
  it("registers prom-client 15's families: same names, types, HELP, in the same order", async () => {
    const reg = new client.Registry();
    client.collectDefaultMetrics({ register: reg });
    const theirs = parse(await reg.metrics());
    const set = new MetricSet();
    start(set);
    const ours = await scrape(set);
    expect(ours.map((f) => f.name)).toEqual(theirs.map((f) => f.name));
    const a = shape(ours);
    const b = shape(theirs);
    for (const [name, s] of b) {
      expect({ name, type: a.get(name)?.type, help: a.get(name)?.help }).toEqual({ name, type: s.type, help: s.help });
    }
    // Label names of the families that have series in both (the `type` gauges depend on the moment).
    for (const name of ['nodejs_heap_space_size_total_bytes', 'nodejs_version_info', 'process_cpu_seconds_total']) {
      expect(a.get(name)?.labels).toEqual(b.get(name)?.labels);
    }
    // The heap spaces and the version series are the same series.
    const series = (fs: MetricFamily[], n: string) =>
      fs
        .find((f) => f.name === n)!
        .samples.map((s) => JSON.stringify(s.labels))
        .sort();
    expect(series(ours, 'nodejs_heap_space_size_used_bytes')).toEqual(series(theirs, 'nodejs_heap_space_size_used_bytes'));
    expect(series(ours, 'nodejs_version_info')).toEqual(series(theirs, 'nodejs_version_info'));
  });

  it('reads the values at refresh time', async () => {
    const set = new MetricSet();
    start(set);
    const before = await scrape(set);
    const cpu = value(before, 'process_cpu_seconds_total');
    expect(cpu).toBeCloseTo(value(before, 'process_cpu_user_seconds_total') + value(before, 'process_cpu_system_seconds_total'), 9);
    // Burn some CPU: the next scrape reads more.
    const until = performance.now() + 30;
    while (performance.now() < until) {}
    const after = await scrape(set);
    expect(value(after, 'process_cpu_seconds_total')).toBeGreaterThan(cpu);
    expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(value(after, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(value(after, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(after, 'nodejs_version_info', { version: process.version })).toBe(1);
    expect(value(after, 'process_start_time_seconds')).toBeLessThan(Date.now() / 1000);
    if (process.platform === 'linux') {
      // The listing holds one descriptor of its own while it reads; the collector's two kept-open ones are left out.
      expect(value(after, 'process_open_fds')).toBe(readdirSync('/proc/self/fd').length - 1 - 2);
      expect(value(after, 'process_virtual_memory_bytes')).toBeGreaterThan(value(after, 'process_resident_memory_bytes'));
      expect(value(after, 'process_max_fds')).toBeGreaterThan(0);
    }
  });

  it('every callback is synchronous: encode() without refresh() reads fresh values', () => {
    const set = new MetricSet();
    start(set);
    const a = value(parse(set.encode()), 'process_cpu_seconds_total');
    const until = performance.now() + 30;
    while (performance.now() < until) {}
    // A new task: the set runs the callbacks itself.
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        expect(value(parse(set.encode()), 'process_cpu_seconds_total')).toBeGreaterThan(a);
        resolve();
      }, 5);
    });
  });

  it('follows active resources by type, removing a type when it is gone', async () => {
    const set = new MetricSet();
    start(set);
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const open = await scrape(set);
    expect(value(open, 'nodejs_active_resources', { type: 'TCPServerWrap' })).toBe(1);
    expect(value(open, 'nodejs_active_handles', { type: 'Server' })).toBe(1);
    await new Promise<void>((r) => server.close(() => r()));
    // libuv lists the handle until its close completes, a loop turn after the callback.
    await new Promise((r) => setTimeout(r, 20));
    const closed = await scrape(set);
    const samples = closed.find((f) => f.name === 'nodejs_active_resources')!.samples;
    expect(samples.map((s) => s.labels.type)).not.toContain('TCPServerWrap');
    const sum = samples.reduce((n, s) => n + (typeof s.value === 'number' ? s.value : 0), 0);
    expect(value(closed, 'nodejs_active_resources_total')).toBe(sum);
  });

  it('observes GC durations by kind', async () => {
    const set = new MetricSet();
    start(set, { gcDurationBuckets: [0.5] });
    // Enough short-lived garbage for a few scavenges.
    let keep = 0;
    for (let i = 0; i < 200_000; i++) keep += { i, s: `x${i}` }.s.length;
    expect(keep).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    const fams = await scrape(set);
    const gc = fams.find((f) => f.name === 'nodejs_gc_duration_seconds')!;
    const count = gc.samples.filter((s) => s.name === 'nodejs_gc_duration_seconds_count');
    expect(count.length).toBeGreaterThan(0);
    for (const s of count) expect(['major', 'minor', 'incremental', 'weakcb']).toContain(s.labels.kind);
    expect(gc.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels.le)).toContain('0.5');
  });

  it('prefix and labels: every name prefixed, every series labelled, after its own labels', async () => {
    const set = new MetricSet();
    start(set, { prefix: 'app_', labels: { app: 'api', zone: 'z1' } });
    const fams = await scrape(set);
    expect(fams.length).toBeGreaterThan(20);
    for (const f of fams) {
      expect(f.name.startsWith('app_')).toBe(true);
      for (const s of f.samples) {
        expect(s.labels.app).toBe('api');
        expect(s.labels.zone).toBe('z1');
      }
    }
    const text = set.encodeToString();
    expect(text).toMatch(/app_nodejs_heap_space_size_used_bytes\{space="new",app="api",zone="z1"\} /);
    expect(text).toContain(`app_nodejs_version_info{version="${process.version}",`);
  });

  it('a second call clashes with DUPLICATE_SERIES and leaves the set as it was; stop() removes them', async () => {
    const set = new MetricSet();
    set.gauge({ name: 'mine', help: '' });
    const d = start(set);
    const n = set.list().length;
    let err: unknown;
    try {
      collectDefaultMetrics(set);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromwireError);
    expect((err as PromwireError).code).toBe('DUPLICATE_SERIES');
    expect(set.list().length).toBe(n);
    d.stop();
    expect(set.list().map((m) => m.name)).toEqual(['mine']);
    // Twice is harmless, and the names are free again.
    d.stop();
    start(set).stop();
  });

  it('a handler serving the set refreshes it on every scrape', async () => {
    const set = new MetricSet();
    start(set);
    const h = createFetchHandler({ metrics: set });
    const cpu = async () => value(parse(await (await h(new Request('http://x/metrics'))).text()), 'process_cpu_seconds_total');
    const first = await cpu();
    const until = performance.now() + 30;
    while (performance.now() < until) {}
    expect(await cpu()).toBeGreaterThan(first);
  });

  it('refuses bad options with INVALID_ARGUMENT', () => {
    const set = new MetricSet();
    expect(() => collectDefaultMetrics(set, { eventLoopMonitoringPrecision: 0 })).toThrow(/eventLoopMonitoringPrecision/);
    expect(() => collectDefaultMetrics(set, { labels: { a: 1 as unknown as string } })).toThrow(/label "a"/);
    expect(set.list()).toEqual([]);
  });
});
