/**
 * The clock of `startTimer()`: `performance.now()` where the runtime has it
 * (Node >= 16, Bun, Deno, browsers: monotonic, sub-millisecond), else
 * `Date.now()`. Read from `globalThis`, so the core stays runtime-neutral.
 */
const perf = (globalThis as { performance?: { now?: () => number } }).performance;

/** Milliseconds on a monotonic clock where there is one. */
export const clockMs: () => number = perf !== undefined && typeof perf.now === 'function' ? () => perf.now!() : () => Date.now();

/**
 * A started timer: the returned function passes the seconds elapsed since
 * this call to `record` (observe, or set for a gauge) and returns them.
 */
export function startTimer(record: (seconds: number) => void): () => number {
  const t0 = clockMs();
  return () => {
    const seconds = secondsSince(t0);
    record(seconds);
    return seconds;
  };
}

/** Seconds elapsed since `t0` (a `clockMs()` reading). */
export function secondsSince(t0: number): number {
  return (clockMs() - t0) / 1000;
}
