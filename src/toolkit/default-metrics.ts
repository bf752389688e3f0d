/**
 * `collectDefaultMetrics(set)`: the process and Node runtime metrics that
 * prom-client 15 registers with its `collectDefaultMetrics()`, with the
 * same names, types, label names and HELP texts, so that dashboards built
 * on prom-client keep working (lib/defaultMetrics.js and lib/metrics/*.js
 * list them; the order here is theirs). Node only: the figures come from
 * src/toolkit/runtime-stats.ts.
 *
 * Values are read at scrape time: each group of metrics that one reading
 * fills (the three memory gauges from one read of /proc/self/status) has a
 * `collect` callback on its first metric, which `MetricSet.refresh()` (and
 * so the handlers) runs before an encode. Between scrapes nothing runs
 * except what must watch continuously: the GC observer
 * (PerformanceObserver 'gc') and the event-loop delay histogram
 * (`perf_hooks.monitorEventLoopDelay`).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { IntervalHistogram, PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { PromwireError } from '../errors.js';
import type { Counter } from '../metrics/counter.js';
import type { Gauge, GaugeSeries } from '../metrics/gauge.js';
import type { HistogramSeries } from '../metrics/histogram.js';
import type { AnyMetric, MetricSet } from '../metrics/metric-set.js';
import {
  activeHandles,
  activeRequests,
  activeResources,
  countByType,
  cpuSeconds,
  GC_KINDS,
  heapSpaceName,
  nodeVersionLabels,
  ProcReader,
  type ProcStatus,
  processStartSeconds,
  safeRss,
  heapFigures,
  type HeapFigures,
} from './runtime-stats.js';

export type DefaultMetricsOptions = Partial<
  Readonly<{
    /** Prepended to every default metric's name (after the set's own prefix). Defaults to ''. */
    prefix: string;
    /** Labels added to every default series, after the metric's own (`type`, `space`, `kind`...). Defaults to none. */
    labels: Readonly<Record<string, string>>;
    /** Bucket bounds of nodejs_gc_duration_seconds. Defaults to prom-client's [0.001, 0.01, 0.1, 1, 2, 5]. */
    gcDurationBuckets: readonly number[];
    /** Sampling resolution of the event-loop delay histogram, in milliseconds (monitorEventLoopDelay `resolution`). Defaults to 10. */
    eventLoopMonitoringPrecision: number;
  }>
>;

/** The default metrics registered in a set, and the watchers behind them. */
export interface DefaultMetrics {
  /** The metrics registered, in registration order. */
  readonly metrics: readonly AnyMetric[];
  /**
   * Stops the GC observer and the event-loop delay monitor and removes the
   * metrics from the set. Further calls do nothing.
   */
  stop(): void;
}

/** prom-client gc.js DEFAULT_GC_DURATION_BUCKETS. */
const DEFAULT_GC_DURATION_BUCKETS: readonly number[] = [0.001, 0.01, 0.1, 1, 2, 5];
/** prom-client defaultMetrics.js: `eventLoopMonitoringPrecision: 10`. */
const DEFAULT_EVENT_LOOP_PRECISION = 10;

type Collect = () => void | Promise<void>;

/** Builds the definitions; `labelNames` get the extra labels' names appended. */
class Registrar {
  readonly metrics: AnyMetric[] = [];
  readonly extraNames: string[];
  readonly extra: Readonly<Record<string, string>>;

  constructor(
    readonly set: MetricSet,
    readonly prefix: string,
    labels: Readonly<Record<string, string>>,
  ) {
    this.extra = labels;
    this.extraNames = Object.keys(labels);
  }

  gauge(name: string, help: string, own: readonly string[] = [], collect?: Collect): Gauge<string> {
    return this.keep(this.set.gauge<string>(this.definition(name, help, own, collect)));
  }

  counter(name: string, help: string, own: readonly string[] = [], collect?: Collect): Counter<string> {
    return this.keep(this.set.counter<string>(this.definition(name, help, own, collect)));
  }

  /** A definition with the prefix on the name and the extra labels after the metric's own. */
  private definition(name: string, help: string, own: readonly string[], collect: Collect | undefined) {
    return { name: this.prefix + name, help, labelNames: [...own, ...this.extraNames], ...(collect !== undefined ? { collect } : {}) };
  }

  private keep<M extends AnyMetric>(m: M): M {
    this.metrics.push(m);
    return m;
  }

  /** The series of an unlabelled (but for the extra labels) metric. */
  one<S>(m: { labels(v: Readonly<Record<string, string>>): S }): S {
    return m.labels(this.extra);
  }

  /** The labels of a series with its own label `name` = `value`, then the extra ones. */
  with(name: string, value: string): Record<string, string> {
    return { [name]: value, ...this.extra };
  }
}

/**
 * Keeps a gauge labelled by `type` equal to a count per type: sets the
 * current counts and removes the series of types no longer present (prom-client
 * resets the gauge and sets each, which re-creates every series on every
 * scrape; here a series lives as long as its type does).
 */
class TypeCounts {
  private readonly series = new Map<string, GaugeSeries>();
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly r: Registrar,
    private readonly gauge: Gauge<string>,
  ) {}

  update(list: readonly unknown[]): void {
    const counts = countByType(list, this.counts);
    for (const type of this.series.keys()) {
      if (!counts.has(type)) {
        this.gauge.remove(this.r.with('type', type));
        this.series.delete(type);
      }
    }
    for (const [type, n] of counts) {
      let s = this.series.get(type);
      if (s === undefined) {
        s = this.gauge.labels(this.r.with('type', type));
        this.series.set(type, s);
      }
      s.set(n);
    }
  }
}

function checkOptions(o: DefaultMetricsOptions): void {
  if (o === null || typeof o !== 'object') {
    throw new PromwireError('INVALID_ARGUMENT', `collectDefaultMetrics: expected an options object, got ${o === null ? 'null' : typeof o}`);
  }
  if (o.prefix !== undefined && typeof o.prefix !== 'string') {
    throw new PromwireError('INVALID_ARGUMENT', `collectDefaultMetrics: expected prefix to be a string, got ${typeof o.prefix}`);
  }
  const p = o.eventLoopMonitoringPrecision;
  if (p !== undefined && !(Number.isInteger(p) && p >= 1)) {
    // monitorEventLoopDelay: "resolution <number> ... Must be greater than zero", in whole milliseconds.
    throw new PromwireError(
      'INVALID_ARGUMENT',
      `collectDefaultMetrics: expected eventLoopMonitoringPrecision to be an integer >= 1 (milliseconds), got ${String(p)}`,
    );
  }
  for (const [k, v] of Object.entries(o.labels ?? {})) {
    if (typeof v !== 'string') {
      throw new PromwireError(
        'INVALID_ARGUMENT',
        `collectDefaultMetrics: expected label ${JSON.stringify(k)} to be a string, got ${typeof v}`,
      );
    }
  }
}

/**
 * Registers prom-client's default metrics in `set` and returns them with a
 * `stop()`. Their values are read when the set is refreshed (a handler
 * serving the set does it before each scrape; call `set.refresh()` yourself
 * before `set.encode()`).
 *
 * Series (prom-client 15's, `prefix` prepended, `labels` added to each):
 * process_cpu_user_seconds_total, process_cpu_system_seconds_total,
 * process_cpu_seconds_total (counters); process_start_time_seconds,
 * process_resident_memory_bytes, and on Linux process_virtual_memory_bytes,
 * process_heap_bytes, process_open_fds, process_max_fds;
 * nodejs_eventloop_lag_seconds and its _min, _max, _mean, _stddev, _p50,
 * _p90, _p99 variants; nodejs_active_resources{type} and
 * nodejs_active_resources_total, nodejs_active_handles{type} and _total,
 * nodejs_active_requests{type} and _total; nodejs_heap_size_total_bytes,
 * nodejs_heap_size_used_bytes, nodejs_external_memory_bytes;
 * nodejs_heap_space_size_{total,used,available}_bytes{space};
 * nodejs_version_info{version,major,minor,patch}; and the histogram
 * nodejs_gc_duration_seconds{kind}.
 *
 * Differences from prom-client, all in values (names and labels are the same):
 * - CPU counters hold the process' whole CPU time (`process.cpuUsage()`),
 *   where prom-client counts from when it was loaded;
 * - process_start_time_seconds is not rounded to whole seconds;
 * - the event-loop delay gauges keep their last values over a scrape
 *   interval in which the monitor recorded no delay (prom-client writes
 *   the empty histogram's min of 9223372036.854776 s and a NaN mean);
 * - every GC entry of a batch is observed (prom-client observes the first
 *   one of each batch only), and GC kinds other than the four named ones
 *   are skipped (prom-client observes them under `kind="undefined"`).
 */
export function collectDefaultMetrics(set: MetricSet, options: DefaultMetricsOptions = {}): DefaultMetrics {
  checkOptions(options);
  const r = new Registrar(set, options.prefix ?? '', options.labels ?? {});
  const stops: Array<() => void> = [];
  let stopped = false;
  const handle: DefaultMetrics = {
    metrics: r.metrics,
    stop() {
      if (stopped) return;
      stopped = true;
      for (const s of stops) s();
      for (const m of r.metrics) set.remove(m);
    },
  };
  try {
    register(r, options, stops);
  } catch (err) {
    // A clash with a metric already in the set (DUPLICATE_SERIES): leave the set as it was.
    handle.stop();
    throw err;
  }
  return handle;
}

function register(r: Registrar, options: DefaultMetricsOptions, stops: Array<() => void>): void {
  // processCpuTotal.js: one reading fills the three counters.
  let cpuUser: { set(v: number): void } | undefined;
  let cpuSystem: { set(v: number): void } | undefined;
  let cpuTotal: { set(v: number): void } | undefined;
  cpuUser = r.one(
    r.counter('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', [], () => {
      const cpu = cpuSeconds();
      cpuUser!.set(cpu.user);
      cpuSystem!.set(cpu.system);
      cpuTotal!.set(cpu.user + cpu.system);
    }),
  );
  cpuSystem = r.one(r.counter('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.'));
  cpuTotal = r.one(r.counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.'));

  // processStartTime.js: a constant.
  r.one(r.gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.')).set(processStartSeconds());

  // osMemoryHeap.js / osMemoryHeapLinux.js: /proc/self/status on Linux, memoryUsage().rss elsewhere.
  const proc = new ProcReader();
  stops.push(() => proc.close());
  const status: ProcStatus = { rss: 0, virtual: 0, data: 0 };
  if (process.platform === 'linux' && proc.readStatus(status)) {
    let rss: GaugeSeries | undefined;
    let virt: GaugeSeries | undefined;
    let heap: GaugeSeries | undefined;
    rss = r.one(
      r.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [], () => {
        // /proc is a view of kernel structures, not disk I/O: a synchronous read does not block (prom-client says the same).
        if (!proc.readStatus(status)) return;
        rss!.set(status.rss);
        virt!.set(status.virtual);
        heap!.set(status.data);
      }),
    );
    virt = r.one(r.gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.'));
    heap = r.one(r.gauge('process_heap_bytes', 'Process heap size in bytes.'));
  } else {
    let rss: GaugeSeries | undefined;
    rss = r.one(
      r.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [], () => {
        const v = safeRss();
        if (v !== undefined) rss!.set(v);
      }),
    );
  }

  // processOpenFileDescriptors.js (Linux only).
  if (process.platform === 'linux' && proc.openFds() !== undefined) {
    let fds: GaugeSeries | undefined;
    fds = r.one(
      r.gauge('process_open_fds', 'Number of open file descriptors.', [], () => {
        const n = proc.openFds();
        if (n !== undefined) fds!.set(n);
      }),
    );
  }

  // processMaxFileDescriptors.js: read once; registered only when /proc/self/limits has it.
  const maxFds = proc.maxFds();
  if (maxFds !== undefined) r.one(r.gauge('process_max_fds', 'Maximum number of open file descriptors.')).set(maxFds);

  registerEventLoop(r, options.eventLoopMonitoringPrecision ?? DEFAULT_EVENT_LOOP_PRECISION, stops);

  // processResources.js (Node 17.3+), processHandles.js, processRequests.js.
  const lists: Array<[string, string, string, string, () => readonly unknown[] | undefined]> = [
    [
      'nodejs_active_resources',
      'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
      'nodejs_active_resources_total',
      'Total number of active resources.',
      activeResources,
    ],
    [
      'nodejs_active_handles',
      'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
      'nodejs_active_handles_total',
      'Total number of active handles.',
      activeHandles,
    ],
    [
      'nodejs_active_requests',
      'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
      'nodejs_active_requests_total',
      'Total number of active requests.',
      activeRequests,
    ],
  ];
  for (const [name, help, totalName, totalHelp, read] of lists) {
    if (read() === undefined) continue;
    let byType: TypeCounts | undefined;
    let total: GaugeSeries | undefined;
    const g = r.gauge(name, help, ['type'], () => {
      const list = read() ?? [];
      byType!.update(list);
      total!.set(list.length);
    });
    byType = new TypeCounts(r, g);
    total = r.one(r.gauge(totalName, totalHelp));
  }

  // heapSizeAndUsed.js: the three heap figures of process.memoryUsage(), from one read of V8's heap statistics.
  let heapTotal: GaugeSeries | undefined;
  let heapUsed: GaugeSeries | undefined;
  let external: GaugeSeries | undefined;
  const figures: HeapFigures = { total: 0, used: 0, external: 0 };
  heapTotal = r.one(
    r.gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', [], () => {
      const m = heapFigures(figures);
      heapTotal!.set(m.total);
      heapUsed!.set(m.used);
      external!.set(m.external);
    }),
  );
  heapUsed = r.one(r.gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.'));
  external = r.one(r.gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.'));

  // heapSpacesSizeAndUsed.js: one v8.getHeapSpaceStatistics() for three gauges by space.
  const spaces = new Map<string, [GaugeSeries, GaugeSeries, GaugeSeries]>();
  const kinds = ['total', 'used', 'available'] as const;
  const spaceGauges: Array<Gauge<string>> = [];
  for (const kind of kinds) {
    spaceGauges.push(
      r.gauge(
        `nodejs_heap_space_size_${kind}_bytes`,
        `Process heap space size ${kind} from Node.js in bytes.`,
        ['space'],
        kind === 'total'
          ? () => {
              for (const s of getHeapSpaceStatistics()) {
                let three = spaces.get(s.space_name);
                if (three === undefined) {
                  const labels = r.with('space', heapSpaceName(s.space_name));
                  three = [spaceGauges[0]!.labels(labels), spaceGauges[1]!.labels(labels), spaceGauges[2]!.labels(labels)];
                  spaces.set(s.space_name, three);
                }
                three[0].set(s.space_size);
                three[1].set(s.space_used_size);
                three[2].set(s.space_available_size);
              }
            }
          : undefined,
      ),
    );
  }

  // version.js: a constant series, value 1.
  const version = r.gauge('nodejs_version_info', 'Node.js version info.', ['version', 'major', 'minor', 'patch']);
  version.labels({ ...nodeVersionLabels(), ...r.extra }).set(1);

  // gc.js: a histogram by kind, fed by a PerformanceObserver.
  const gc = r.set.histogram<string>({
    name: `${r.prefix}nodejs_gc_duration_seconds`,
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind', ...r.extraNames],
    buckets: options.gcDurationBuckets ?? DEFAULT_GC_DURATION_BUCKETS,
  });
  r.metrics.push(gc);
  const byKind = new Map<number, HistogramSeries>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = gcKind(entry);
      let s = byKind.get(kind);
      if (s === undefined) {
        const name = GC_KINDS.get(kind);
        if (name === undefined) continue;
        s = gc.labels(r.with('kind', name));
        byKind.set(kind, s);
      }
      // PerformanceEntry.duration is in milliseconds.
      s.observe(entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  stops.push(() => observer.disconnect());
}

/** The GC kind of a 'gc' entry: `detail.kind` (Node 16+; DEP0152 removed `entry.kind`). */
function gcKind(entry: PerformanceEntry): number {
  const detail = (entry as { detail?: { kind?: unknown } | null }).detail;
  return typeof detail?.kind === 'number' ? detail.kind : -1;
}

/** eventLoopLag.js: the lag gauge measured per scrape, and the delay histogram's statistics. */
function registerEventLoop(r: Registrar, precision: number, stops: Array<() => void>): void {
  let histogram: IntervalHistogram | undefined;
  try {
    histogram = monitorEventLoopDelay({ resolution: precision });
    histogram.enable();
    const h = histogram;
    stops.push(() => h.disable());
  } catch (err) {
    // Bun: ERR_NOT_IMPLEMENTED (prom-client registers no lag gauge at all then).
    if ((err as { code?: unknown }).code === 'ERR_NOT_IMPLEMENTED') return;
    throw err;
  }
  const h = histogram;
  let lag: GaugeSeries | undefined;
  const stats: GaugeSeries[] = [];
  lag = r.one(
    r.gauge('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', [], () => {
      // How long a setImmediate callback waits now, reported by the next
      // scrape (as prom-client does): the callback stays synchronous, so
      // `set.encode()` works without `await set.refresh()` and a scrape does
      // not wait a loop turn.
      const start = process.hrtime.bigint();
      setImmediate(() => lag!.set(Number(process.hrtime.bigint() - start) / 1e9));
      if (h.count === 0) return;
      // Nanoseconds to seconds; then a fresh window, as prom-client resets after each scrape.
      stats[0]!.set(h.min / 1e9);
      stats[1]!.set(h.max / 1e9);
      stats[2]!.set(h.mean / 1e9);
      stats[3]!.set(h.stddev / 1e9);
      stats[4]!.set(h.percentile(50) / 1e9);
      stats[5]!.set(h.percentile(90) / 1e9);
      stats[6]!.set(h.percentile(99) / 1e9);
      h.reset();
    }),
  );
  const gauges: Array<[string, string]> = [
    ['nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.'],
    ['nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.'],
    ['nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.'],
    ['nodejs_eventloop_lag_stddev_seconds', 'The standard deviation of the recorded event loop delays.'],
    ['nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.'],
    ['nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.'],
    ['nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.'],
  ];
  for (const [name, help] of gauges) stats.push(r.one(r.gauge(name, help)));
}
