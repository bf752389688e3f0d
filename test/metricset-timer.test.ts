import { describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import { MetricSet } from '../src/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('startTimer', () => {
  it('histogram: observes the elapsed seconds in the merged start and end labels, and returns them', async () => {
    const set = new MetricSet();
    const h = set.histogram({ name: 'req_seconds', help: '', labelNames: ['route', 'code'], buckets: [0.001, 10] });
    const end = h.startTimer({ route: '/a' });
    await sleep(20);
    const s = end({ code: '200' });
    expect(s).toBeGreaterThanOrEqual(0.015);
    expect(s).toBeLessThan(10);
    const series = h.labels({ route: '/a', code: '200' });
    expect(series.getCount()).toBe(1);
    expect(series.getSum()).toBe(s);
    // The end's labels win over the start's.
    h.startTimer({ route: '/a', code: '200' })({ code: '500' });
    expect(h.labels({ route: '/a', code: '500' }).getCount()).toBe(1);
    // Labels missing at the end: the LABEL_MISMATCH of labels().
    const bad = h.startTimer({ route: '/b' });
    expect(() => bad()).toThrow(PromwireError);
  });

  it('summary and series handles observe; an unlabelled metric needs no labels', async () => {
    const set = new MetricSet();
    const sm = set.summary({ name: 'job_seconds', help: '' });
    const end = sm.startTimer();
    await sleep(5);
    const v = end();
    expect(v).toBeGreaterThan(0);
    const family = set.collect()[0]!;
    expect(family.samples.find((x) => x.name === 'job_seconds_sum')!.value).toBe(v);
    const h = set.histogram({ name: 'h', help: '', labelNames: ['k'] });
    const handle = h.labels({ k: 'x' });
    const stop = handle.startTimer();
    const w = stop();
    expect(w).toBeGreaterThanOrEqual(0);
    expect(handle.getSum()).toBe(w);
    const native = set.histogram({ name: 'n', help: '', native: { bucketFactor: 1.1 } });
    native.startTimer()();
    expect(native.labels({}).getCount()).toBe(1);
    const sh = set.summary({ name: 's2', help: '', labelNames: ['k'] }).labels({ k: 'y' });
    sh.startTimer()();
    expect(sh.getCount()).toBe(1);
  });

  it('gauge: sets the elapsed seconds (metric and series handle)', async () => {
    const set = new MetricSet();
    const g = set.gauge({ name: 'last_run_seconds', help: '', labelNames: ['job'] });
    const end = g.startTimer();
    await sleep(10);
    const v = end({ job: 'backup' });
    expect(v).toBeGreaterThanOrEqual(0.005);
    expect(g.labels({ job: 'backup' }).get()).toBe(v);
    const u = set.gauge({ name: 'u', help: '' });
    u.set(100);
    const w = u.startTimer()();
    expect(u.get()).toBe(w);
    expect(w).toBeLessThan(100);
    const handle = g.labels({ job: 'x' });
    expect(handle.startTimer()()).toBe(handle.get());
  });
});
