/**
 * Bytes allocated by a function, measured from V8's own accounting.
 *
 * Method: V8 does not expose a running "bytes allocated" counter, but it
 * does expose the used heap and the external (ArrayBuffer) memory, and
 * `v8.GCProfiler` records both before and after every garbage collection.
 * Between two readings, what was allocated is what the heap grew by plus
 * what every collection in between freed:
 *
 *   allocated = (used + external)_end - (used + external)_start
 *             + sum over GCs of ((used + external)_before - (used + external)_after)
 *
 * `gc()` (from `--expose-gc`) runs first so the start is quiet, and the
 * result is the mean over a few runs. This counts every JS object, string
 * and ArrayBuffer backing store made during the runs, including objects
 * still alive at the end (a parse result), and is accurate to a few KB per
 * GC (V8 rounds used sizes to pages of the large-object space). It does not
 * count memory outside V8's view (malloc inside native code that does not
 * report itself), which neither promwire nor its competitors use.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';

declare const gc: (() => void) | undefined;

export function gcIfExposed(): void {
  if (typeof gc === 'function') gc();
}

export const CAN_MEASURE_ALLOC = typeof gc === 'function';

function used(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

interface GcStat {
  beforeGC: { heapStatistics: { usedHeapSize: number; externalMemory: number } };
  afterGC: { heapStatistics: { usedHeapSize: number; externalMemory: number } };
}

/** Mean bytes allocated per call of `fn`, over `runs` calls (each may be async). */
export async function bytesAllocated(fn: () => unknown, runs = 3): Promise<number> {
  gcIfExposed();
  let total = 0;
  for (let i = 0; i < runs; i++) {
    gcIfExposed();
    const profiler = new GCProfiler();
    profiler.start();
    const start = used();
    let r = fn();
    if (r instanceof Promise) r = await r;
    const end = used();
    const stats = (profiler.stop()?.statistics ?? []) as unknown as GcStat[];
    let freed = 0;
    for (const s of stats) {
      const b = s.beforeGC.heapStatistics;
      const a = s.afterGC.heapStatistics;
      freed += b.usedHeapSize + b.externalMemory - (a.usedHeapSize + a.externalMemory);
    }
    total += end - start + freed;
    // Keep the result alive until after the reading (it is part of what the call made).
    sink.value = r;
  }
  sink.value = undefined;
  return total / runs;
}

/** Where a measured result is kept alive: a property write, which no compiler can drop as unused. */
const sink: { value: unknown } = { value: undefined };
