/**
 * Metrics of a `node:cluster` or `worker_threads` service served as one
 * body by the primary (prom-client's AggregatorRegistry, lib/cluster.js):
 * each worker answers the primary's request with its sets' OpenMetrics
 * text over IPC (cluster) or its MessagePort (threads); the primary parses
 * the answers, combines them with `merge()` and serves the result through
 * a handler (`metrics: aggregator`, alone or beside the primary's own set).
 *
 * A worker that does not answer within `timeout` (or answers with an
 * error, or has exited) is left out of that scrape, never waited for
 * longer, and reported twice: in the body, as
 * `promwire_cluster_worker_up{worker="3"} 0` (1 for each worker that
 * answered: Prometheus' `up` for the worker, so an alert can be written on
 * it), and through `onError` with a TIMEOUT or COLLECT_FAILED error naming
 * the worker. prom-client instead fails the whole scrape ("Operation timed
 * out.") when one worker is late.
 *
 * Why OpenMetrics text on the wire: it keeps every type a MetricSet has
 * (info and stateset, which merge() keeps per worker rather than summing,
 * would be gauges in protobuf), units, and exact floats; it is what
 * promwire writes and reads fastest. Native histograms are written as
 * their classic buckets (OpenMetrics 1.0 has no native histograms).
 */
import cluster from 'node:cluster';
import type { Worker as ClusterWorker } from 'node:cluster';
import { isMainThread, type MessagePort, parentPort, type Worker as ThreadWorker } from 'node:worker_threads';
import { PromwireError } from '../errors.js';
import type { MetricFamily } from '../model/index.js';
import { parse } from '../parse/families.js';
import { type FamilySelector, merge, type MergeMode } from './merge.js';
import { refreshAll } from './refresh.js';

/** The message type of the primary's request (a worker ignores every other message). */
const REQUEST = 'promwire:cluster-metrics-request';
/** The message type of a worker's answer. */
const ANSWER = 'promwire:cluster-metrics-answer';

interface Request {
  type: typeof REQUEST;
  id: number;
}

interface Answer {
  type: typeof ANSWER;
  id: number;
  /** One OpenMetrics body per set the worker serves. */
  bodies?: string[];
  /** The worker's error text, when its refresh or encode failed. */
  error?: string;
}

/** What a worker serves: a `MetricSet`, or anything with `refresh()` and `encodeToString()`. */
export interface WorkerMetrics {
  refresh?(): void | Promise<void>;
  encodeToString(options: { format: 'openmetrics' }): string;
}

/** Options of {@link serveToPrimary}. */
export type ServeToPrimaryOptions = Partial<
  Readonly<{
    /**
     * Where requests come from: a MessagePort (a worker thread's
     * `parentPort`, or a port of a MessageChannel). Defaults to the cluster
     * IPC channel in a `node:cluster` worker, else to `parentPort` in a
     * worker thread.
     */
    port: MessagePort;
  }>
>;

/** A message channel as both sides see it: cluster IPC (`process`, `cluster.Worker`) or a MessagePort / thread Worker. */
interface Channel {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

function isRequest(m: unknown): m is Request {
  return typeof m === 'object' && m !== null && (m as Request).type === REQUEST && typeof (m as Request).id === 'number';
}

function isAnswer(m: unknown): m is Answer {
  return typeof m === 'object' && m !== null && (m as Answer).type === ANSWER && typeof (m as Answer).id === 'number';
}

/**
 * In a worker: answers the primary's metric requests with `metrics` (each
 * refreshed, then encoded as OpenMetrics). Returns a function that stops
 * answering (and lets a worker thread's port close). Call it once per
 * worker, at start-up.
 */
export function serveToPrimary(metrics: WorkerMetrics | readonly WorkerMetrics[], options: ServeToPrimaryOptions = {}): () => void {
  const sets: readonly WorkerMetrics[] = Array.isArray(metrics) ? metrics : [metrics as WorkerMetrics];
  for (const [i, s] of sets.entries()) {
    if (s === null || typeof s !== 'object' || typeof s.encodeToString !== 'function') {
      throw new PromwireError(
        'INVALID_ARGUMENT',
        `serveToPrimary: expected metrics${Array.isArray(metrics) ? `[${i}]` : ''} to be a MetricSet`,
      );
    }
  }
  let channel: Channel;
  let send: (a: Answer) => void;
  // A thread's own port first: a thread inside a cluster worker inherits isWorker but has no IPC channel.
  const port = options.port ?? (isMainThread ? undefined : (parentPort ?? undefined));
  if (port !== undefined) {
    channel = port as unknown as Channel;
    send = (a) => port.postMessage(a);
  } else if (cluster.isWorker && typeof process.send === 'function') {
    channel = process as unknown as Channel;
    send = (a) => {
      // The primary may be gone, or the channel closed, while a refresh ran: nothing to answer then.
      if (process.connected) process.send!(a);
    };
  } else {
    throw new PromwireError(
      'INVALID_ARGUMENT',
      'serveToPrimary: not in a cluster worker or a worker thread; pass `port` (a MessagePort) to answer on it',
    );
  }
  const onMessage = (m: unknown): void => {
    if (!isRequest(m)) return;
    void answer(sets, m.id).then(send);
  };
  channel.on('message', onMessage);
  // A cluster worker's IPC channel keeps the worker alive by itself; a port is referenced by its listener.
  return () => {
    channel.off('message', onMessage);
  };
}

async function answer(sets: readonly WorkerMetrics[], id: number): Promise<Answer> {
  try {
    await refreshAll(sets);
    return { type: ANSWER, id, bodies: sets.map((s) => s.encodeToString({ format: 'openmetrics' })) };
  } catch (err) {
    return { type: ANSWER, id, error: err instanceof Error ? err.message : String(err) };
  }
}

/** A worker the aggregator asks: a `node:cluster` worker or a `worker_threads` Worker. */
export type AggregatedWorker = ClusterWorker | ThreadWorker;

/** Options of {@link ClusterAggregator}. */
export type ClusterAggregatorOptions = Partial<
  Readonly<{
    /** The workers to ask, looked up on every scrape. Defaults to the live `cluster.workers`. */
    workers: () => Iterable<AggregatedWorker>;
    /** Milliseconds to wait for the workers' answers. Defaults to 5000 (prom-client's). */
    timeout: number;
    /**
     * `'aggregated'`: the workers' series summed (see `merge()`), but for
     * the `perNode` and `clusterConsistent` families; `'unaggregated'`:
     * every worker's series with the worker label. Defaults to 'aggregated'
     * (prom-client's default aggregator sums).
     */
    mode: MergeMode;
    /** The label naming the worker (per-worker series and the up gauge). Defaults to 'worker'. */
    workerLabel: string;
    /**
     * Families kept per worker in aggregated mode, with the worker label.
     * Defaults to {@link DEFAULT_PER_WORKER}: the default metrics a sum
     * would make meaningless (start time, event-loop delay statistics).
     */
    perNode: FamilySelector;
    /** Families every worker reports alike, served once (from the first worker). Defaults to ['nodejs_version_info']. */
    clusterConsistent: FamilySelector;
    /** Aggregated mode: 0/1 gauges combined with AND (see `merge()`). Defaults to none. */
    status: FamilySelector;
    /** Name of the per-worker up gauge; '' leaves it out. Defaults to 'promwire_cluster_worker_up'. */
    upMetric: string;
    /** Told of each worker left out of a scrape (TIMEOUT, COLLECT_FAILED). Defaults to console.warn. */
    onError: (error: PromwireError) => void;
  }>
>;

/**
 * prom-client's default metrics whose aggregator is not a sum
 * (omit/average/min/max: lib/metrics/processStartTime.js, eventLoopLag.js):
 * here they are kept per worker, which says more than one average and is
 * what merge() can do exactly.
 */
export const DEFAULT_PER_WORKER: readonly string[] = [
  'process_start_time_seconds',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
];

function workerId(w: AggregatedWorker): string {
  return 'threadId' in w && typeof w.threadId === 'number' ? `thread-${w.threadId}` : String((w as ClusterWorker).id);
}

function isConnected(w: AggregatedWorker): boolean {
  if ('isConnected' in w && typeof w.isConnected === 'function') return w.isConnected();
  // A thread Worker: threadId is -1 once it has exited.
  return (w as ThreadWorker).threadId >= 0;
}

function post(w: AggregatedWorker, r: Request): void {
  if ('postMessage' in w && typeof w.postMessage === 'function') w.postMessage(r);
  else (w as ClusterWorker).send(r);
}

let nextRequestId = 1;

/**
 * In the primary: a `Collectable` for the handlers whose `collect()` asks
 * every worker for its metrics at once, waits at most `timeout`, and
 * merges the answers. Give it to `createNodeHandler({ metrics: aggregator })`,
 * or with the primary's own set: `metrics: [aggregator, primarySet]`.
 */
export class ClusterAggregator {
  private readonly workers: () => Iterable<AggregatedWorker>;
  private readonly timeout: number;
  private readonly mode: MergeMode;
  private readonly workerLabel: string;
  private readonly perNode: FamilySelector;
  private readonly clusterConsistent: FamilySelector;
  private readonly status: FamilySelector | undefined;
  private readonly upMetric: string;
  private readonly onError: (error: PromwireError) => void;

  constructor(options: ClusterAggregatorOptions = {}) {
    this.workers = options.workers ?? (() => Object.values(cluster.workers ?? {}).filter((w): w is ClusterWorker => w !== undefined));
    const timeout = options.timeout ?? 5000;
    if (!(timeout > 0)) throw new PromwireError('INVALID_ARGUMENT', `ClusterAggregator: expected timeout > 0 (ms), got ${String(timeout)}`);
    this.timeout = timeout;
    this.mode = options.mode ?? 'aggregated';
    this.workerLabel = options.workerLabel ?? 'worker';
    this.perNode = options.perNode ?? DEFAULT_PER_WORKER;
    this.clusterConsistent = options.clusterConsistent ?? ['nodejs_version_info'];
    this.status = options.status;
    this.upMetric = options.upMetric ?? 'promwire_cluster_worker_up';
    this.onError = options.onError ?? ((e) => console.warn(`promwire cluster: ${e.message}`));
    // Checked now rather than on every scrape: merge() refuses an unknown mode or an empty label.
    merge([], this.mergeOptions());
  }

  private mergeOptions(): Parameters<typeof merge>[1] {
    return {
      mode: this.mode,
      nodeLabel: this.workerLabel,
      clusterConsistent: this.clusterConsistent,
      ...(this.mode === 'aggregated' ? { perNode: this.perNode } : {}),
      ...(this.mode === 'aggregated' && this.status !== undefined ? { status: this.status } : {}),
    };
  }

  /** Asks every worker, merges what arrived in time, adds the up gauge. */
  async collect(): Promise<MetricFamily[]> {
    const workers = [...this.workers()];
    // Named before asking: a thread that exits meanwhile loses its threadId.
    const ids = workers.map(workerId);
    const results = await Promise.all(workers.map((w, i) => this.ask(w, ids[i]!)));
    const inputs: Array<{ node: string; families: MetricFamily[] }> = [];
    const up: Array<[string, number]> = [];
    for (const [i, id] of ids.entries()) {
      const r = results[i]!;
      if (r instanceof PromwireError) {
        this.onError(r);
        up.push([id, 0]);
        continue;
      }
      inputs.push({ node: id, families: r });
      up.push([id, 1]);
    }
    const families = merge(inputs, this.mergeOptions());
    if (this.upMetric !== '') {
      families.push({
        name: this.upMetric,
        type: 'gauge',
        help: 'Whether the worker answered the last metrics request in time (1) or not (0).',
        unit: '',
        samples: up.map(([id, v]) => ({ name: this.upMetric, labels: { [this.workerLabel]: id }, value: v, timestamp: null })),
      });
    }
    return families;
  }

  /** One worker's families, or the error that leaves it out. */
  private ask(w: AggregatedWorker, id: string): Promise<MetricFamily[] | PromwireError> {
    if (!isConnected(w)) return Promise.resolve(new PromwireError('COLLECT_FAILED', `cluster: worker ${id} is not connected`));
    const requestId = nextRequestId++;
    const channel = w as unknown as Channel;
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (r: MetricFamily[] | PromwireError): void => {
        channel.off('message', onMessage);
        if (timer !== undefined) clearTimeout(timer);
        resolve(r);
      };
      const onMessage = (m: unknown): void => {
        if (!isAnswer(m) || m.id !== requestId) return;
        if (m.error !== undefined || m.bodies === undefined) {
          finish(new PromwireError('COLLECT_FAILED', `cluster: worker ${id} failed to collect its metrics: ${m.error ?? 'no bodies'}`));
          return;
        }
        try {
          finish(m.bodies.flatMap((b) => parse(b, { format: 'openmetrics' })));
        } catch (err) {
          finish(
            new PromwireError('COLLECT_FAILED', `cluster: worker ${id} answered a body promwire cannot read: ${(err as Error).message}`),
          );
        }
      };
      channel.on('message', onMessage);
      timer = setTimeout(
        () => finish(new PromwireError('TIMEOUT', `cluster: worker ${id} did not answer the metrics request within ${this.timeout} ms`)),
        this.timeout,
      );
      try {
        post(w, { type: REQUEST, id: requestId });
      } catch (err) {
        finish(new PromwireError('COLLECT_FAILED', `cluster: could not ask worker ${id}: ${(err as Error).message}`));
      }
    });
  }
}
