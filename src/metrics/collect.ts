/**
 * Collect callbacks: a metric's `collect` option (prom-client's `collect`,
 * client_golang's GaugeFunc/CounterFunc or a custom Collector's Collect),
 * run at scrape time so that values read from elsewhere are current when
 * the set is read.
 *
 * Two ways in, one rule for each:
 * - `MetricSet.refresh()` (async) runs every callback, the metric as `this`
 *   and as argument, each called in definition order and the Promises they
 *   return awaited together. A callback that throws or rejects does not stop
 *   the others: once all have settled, refresh rejects with one
 *   `CollectError` (code COLLECT_FAILED) listing every failure, and the
 *   values the other callbacks set are in place (so a handler may still
 *   serve them, as client_golang's promhttp ContinueOnError does, or answer
 *   500, as its default HTTPErrorOnError and prom-client's rejected
 *   `registry.metrics()` do).
 * - The set's sync reads (`encode`, `encodeToString`, `encodeChunks`,
 *   `collect`, remote write) cannot wait for a Promise. When a `refresh()`
 *   has completed in the current task (the usual handler:
 *   `await set.refresh(); set.encode(...)`), they read the values it left
 *   and run no callback again, so each callback runs once per scrape.
 *   Otherwise they run every callback themselves first; a callback that
 *   returns a Promise makes the read throw ASYNC_COLLECT (naming the metric
 *   and asking for `await set.refresh()` first) rather than serve values the
 *   Promise has not yet written, and one that throws makes it throw a
 *   CollectError after the others have run.
 *
 * "The current task" ends at the next macrotask (a `setTimeout(0)` armed
 * when refresh settles): two scrapes whose refreshes settle together each
 * read fresh values, whichever encodes first, which a "one read per
 * refresh" rule would get wrong.
 */
import { PromwireError, brandErrorClass } from '../errors.js';
import type { CollectCallback } from './definition.js';

/** What a refresh or a sync read needs of a metric. */
export interface Collectable {
  readonly name: string;
  /** @internal */
  readonly collectCallback: CollectCallback<unknown> | null;
}

/** Collect callbacks that threw or rejected (code COLLECT_FAILED): every failure of one refresh or read. */
export class CollectError extends PromwireError {
  /** What each failed callback threw or rejected with, in definition order. */
  readonly errors: readonly unknown[];
  /** The names of the metrics whose callbacks failed, in the same order. */
  readonly metrics: readonly string[];

  constructor(metrics: readonly string[], errors: readonly unknown[]) {
    const parts = metrics.map((m, i) => `${JSON.stringify(m)}: ${describe(errors[i])}`);
    super(
      'COLLECT_FAILED',
      `expected every collect callback to complete, but ${metrics.length === 1 ? 'one' : metrics.length} failed (${parts.join('; ')})`,
    );
    this.errors = errors;
    this.metrics = metrics;
  }
}
// instanceof across the CommonJS and ESM builds (src/errors.ts).
brandErrorClass(CollectError, 'CollectError');

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isThenable(v: unknown): v is PromiseLike<void> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** A set's callbacks: runs them, and knows whether a refresh has just completed. */
export class CollectRunner {
  /** Refreshes settled in the current task (each one's count is taken back by a setTimeout(0)). */
  private fresh = 0;

  /** Runs every callback and waits for them all; rejects with a CollectError when some failed. */
  async refresh(metrics: Iterable<Collectable>): Promise<void> {
    const failed: Array<[number, string, unknown]> = [];
    const pending: Array<PromiseLike<void>> = [];
    let i = 0;
    for (const m of metrics) {
      const cb = m.collectCallback;
      if (cb === null) continue;
      const index = i++;
      try {
        const r = cb.call(m, m);
        if (isThenable(r)) {
          pending.push(
            Promise.resolve(r).then(undefined, (e: unknown) => {
              failed.push([index, m.name, e]);
            }),
          );
        }
      } catch (e) {
        failed.push([index, m.name, e]);
      }
    }
    if (pending.length > 0) await Promise.all(pending);
    this.fresh++;
    const t = setTimeout(() => {
      this.fresh--;
    }, 0);
    // Never keeps a process alive (Node, Bun); a no-op elsewhere.
    (t as { unref?: () => void }).unref?.();
    if (failed.length > 0) {
      failed.sort((a, b) => a[0] - b[0]);
      throw new CollectError(
        failed.map((f) => f[1]),
        failed.map((f) => f[2]),
      );
    }
  }

  /**
   * A sync read (`what`: the method, for messages): nothing when a refresh
   * completed in this task, else every callback, synchronously.
   */
  runSync(metrics: Iterable<Collectable>, what: string): void {
    if (this.fresh > 0) return;
    let names: string[] | null = null;
    let errors: unknown[] | null = null;
    let async: string[] | null = null;
    for (const m of metrics) {
      const cb = m.collectCallback;
      if (cb === null) continue;
      try {
        const r = cb.call(m, m);
        if (isThenable(r)) {
          // Its outcome is not this read's any more: keep a rejection from
          // being reported as unhandled.
          r.then(undefined, () => {});
          (async ??= []).push(m.name);
        }
      } catch (e) {
        (names ??= []).push(m.name);
        (errors ??= []).push(e);
      }
    }
    if (async !== null) {
      throw new PromwireError(
        'ASYNC_COLLECT',
        `expected synchronous collect callbacks in ${what}, but the callback of ${async.map((n) => JSON.stringify(n)).join(', ')} returned a Promise, ` +
          `which a sync read cannot wait for: call \`await set.refresh()\` first (a read in the same task then uses the values it set)`,
      );
    }
    if (names !== null) throw new CollectError(names, errors!);
  }
}
