import { describe, expect, it } from 'vitest';
import { encode } from '../src/encode/encoder.js';
import { PromwireError } from '../src/errors.js';
import { CollectError, type Gauge, MetricSet } from '../src/metrics/index.js';
import { encodeWriteRequest } from '../src/remote-write/encode.js';

/** Waits until the task that settled a refresh is over (its freshness window closed). */
const nextTask = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

function thrown(fn: () => unknown): PromwireError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PromwireError);
    return e as PromwireError;
  }
  throw new Error('expected a throw');
}

describe('collect callbacks', () => {
  it('runs a sync callback before every sync read, with the metric as this and as argument', () => {
    const set = new MetricSet();
    let external = 1;
    const seen: unknown[] = [];
    const g = set.gauge({
      name: 'queue_depth',
      help: 'Depth.',
      collect(m) {
        seen.push(this, m);
        this.set(external);
      },
    });
    expect(set.encodeToString()).toContain('queue_depth 1\n');
    external = 7;
    expect(set.encodeToString({ format: 'openmetrics' })).toContain('queue_depth 7\n');
    external = 8;
    expect(set.collect()[0]!.samples[0]!.value).toBe(8);
    external = 9;
    expect([...set.encodeChunks()].map((c) => new TextDecoder().decode(c)).join('')).toContain('queue_depth 9\n');
    external = 11;
    // Each read ran the callback: both see 11, byte for byte the same.
    expect(set.encode({ format: 'protobuf' })).toEqual(encode(set.collect(), { format: 'protobuf' }));
    expect(g.get()).toBe(11);
    expect(seen.length).toBe(12);
    for (const x of seen) expect(x).toBe(g);
  });

  it('runs on the remote-write path', () => {
    const set = new MetricSet();
    let calls = 0;
    set.counter({
      name: 'jobs',
      help: '',
      collect() {
        calls++;
        this.set(calls * 10);
      },
    });
    encodeWriteRequest(set, { timestamp: 1 });
    expect(calls).toBe(1);
    expect(set.collect()[0]!.samples[0]!.value).toBe(20);
  });

  it('labelled metrics set their series through this.labels()', () => {
    const set = new MetricSet();
    set.gauge({
      name: 'pool_size',
      help: '',
      labelNames: ['pool'],
      collect() {
        this.labels({ pool: 'a' }).set(1);
        this.labels({ pool: 'b' }).set(2);
      },
    });
    expect(set.encodeToString()).toBe('# TYPE pool_size gauge\npool_size{pool="a"} 1\npool_size{pool="b"} 2\n');
  });

  it('refresh() awaits async callbacks; a read in the same task uses their values without running them again', async () => {
    const set = new MetricSet();
    let calls = 0;
    let syncCalls = 0;
    set.gauge({
      name: 'remote_value',
      help: '',
      async collect() {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        this.set(42);
      },
    });
    set.gauge({
      name: 'local_value',
      help: '',
      collect() {
        syncCalls++;
        this.set(syncCalls);
      },
    });
    await set.refresh();
    expect(calls).toBe(1);
    expect(syncCalls).toBe(1);
    const text = set.encodeToString();
    expect(text).toContain('remote_value 42\n');
    expect(text).toContain('local_value 1\n');
    expect(set.collect()).toHaveLength(2);
    expect(calls).toBe(1);
    expect(syncCalls).toBe(1);
  });

  it('a sync read outside a refresh throws ASYNC_COLLECT naming the metric instead of serving stale values', async () => {
    const set = new MetricSet();
    let calls = 0;
    let rejections = 0;
    const onRejection = (): void => {
      rejections++;
    };
    process.on('unhandledRejection', onRejection);
    try {
      set.gauge({
        name: 'slow',
        help: '',
        collect() {
          calls++;
          return Promise.reject(new Error('backend down'));
        },
      });
      const e = thrown(() => set.encode());
      expect(e.code).toBe('ASYNC_COLLECT');
      expect(e.message).toContain('"slow"');
      expect(e.message).toContain('await set.refresh()');
      expect(thrown(() => set.collect()).code).toBe('ASYNC_COLLECT');
      expect(thrown(() => [...set.encodeChunks()]).code).toBe('ASYNC_COLLECT');
      expect(calls).toBe(3);
      // After the refresh's task, the window is closed again.
      await set.refresh().catch(() => {});
      await nextTask();
      expect(thrown(() => set.encode({ format: 'openmetrics' })).code).toBe('ASYNC_COLLECT');
      await nextTask();
      expect(rejections).toBe(0);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('a failing callback does not stop the others; refresh rejects with every failure, values of the rest in place', async () => {
    const set = new MetricSet();
    const order: string[] = [];
    set.gauge({
      name: 'a',
      help: '',
      collect() {
        order.push('a');
        throw new Error('a broke');
      },
    });
    set.gauge({
      name: 'b',
      help: '',
      async collect() {
        order.push('b');
        await null;
        this.set(2);
      },
    });
    set.gauge({
      name: 'c',
      help: '',
      async collect() {
        order.push('c');
        throw new TypeError('c broke');
      },
    });
    set.gauge({
      name: 'd',
      help: '',
      collect() {
        order.push('d');
        this.set(4);
      },
    });
    const err = await set.refresh().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CollectError);
    expect(err).toBeInstanceOf(PromwireError);
    const ce = err as CollectError;
    expect(ce.code).toBe('COLLECT_FAILED');
    expect(ce.metrics).toEqual(['a', 'c']);
    expect((ce.errors[0] as Error).message).toBe('a broke');
    expect(ce.errors[1]).toBeInstanceOf(TypeError);
    expect(ce.message).toContain('"a": a broke');
    expect(ce.message).toContain('"c": c broke');
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    // The handler may still serve what the others set.
    const text = set.encodeToString();
    expect(text).toContain('b 2\n');
    expect(text).toContain('d 4\n');
  });

  it('a sync read runs every callback, then throws a CollectError for those that threw', async () => {
    await nextTask();
    const set = new MetricSet();
    set.gauge({
      name: 'x',
      help: '',
      collect() {
        throw new Error('x broke');
      },
    });
    let ran = false;
    set.gauge({
      name: 'y',
      help: '',
      collect() {
        ran = true;
      },
    });
    const e = thrown(() => set.encode());
    expect(e).toBeInstanceOf(CollectError);
    expect((e as CollectError).metrics).toEqual(['x']);
    expect(ran).toBe(true);
  });

  it('every metric type takes a callback; a non-function is refused at definition', () => {
    const set = new MetricSet();
    const ran: string[] = [];
    set.counter({ name: 'c', help: '', collect: (m) => void ran.push(m.type) });
    set.histogram({ name: 'h', help: '', collect: (m) => void ran.push(m.type) });
    set.summary({ name: 's', help: '', collect: (m) => void ran.push(m.type) });
    set.info({ name: 'i', help: '', collect: (m) => void ran.push(m.type) });
    set.stateset({ name: 'st', help: '', states: ['a'], collect: (m) => void ran.push(m.type) });
    set.encode();
    expect(ran).toEqual(['counter', 'histogram', 'summary', 'info', 'stateset']);
    const e = thrown(() => set.gauge({ name: 'g', help: '', collect: 5 as unknown as () => void }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain('collect of "g"');
  });

  it('two scrapes whose refreshes settle together both read fresh values', async () => {
    const set = new MetricSet();
    let v = 0;
    const g: Gauge<never> = set.gauge({
      name: 'v',
      help: '',
      async collect() {
        await null;
        this.set(++v);
      },
    });
    const [a, b] = await Promise.all([set.refresh().then(() => set.encodeToString()), set.refresh().then(() => set.encodeToString())]);
    expect(a).toContain('v 2\n');
    expect(b).toContain('v 2\n');
    expect(g.get()).toBe(2);
  });
});
