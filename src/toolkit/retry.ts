/**
 * Waiting between attempts, shared by the HTTP clients (push, remote write):
 * an abortable sleep, backoff with jitter, and the `Retry-After` header.
 * Runtime-neutral (timers only).
 */
import { PromwireError } from '../errors.js';
import type { HttpError } from './http.js';

/** Waits `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Whether a failed attempt may be tried again: a network error or timeout,
 * a 5xx, or a 429 (prometheus/prometheus `storage/remote/client.go` `Store`:
 * 5xx and, with `retry_on_http_429`, 429 are recoverable; any other 4xx is not).
 */
export function retryable(err: unknown): boolean {
  if (!(err instanceof PromwireError)) return false;
  if (err.code === 'TIMEOUT') return true;
  if (err.code !== 'HTTP_ERROR') return false;
  const status = (err as HttpError).status;
  return status === 0 || status === 429 || status >= 500;
}

/**
 * The wait before retry number `retry` (1 for the first): `base * 2^(retry-1)`,
 * capped at `max`, then "equal jitter": a uniform draw in `[d/2, d]`, so
 * clients that failed together do not all come back at once, while the wait
 * never falls below half the backoff (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"). `random` is injectable for tests.
 */
export function backoffDelay(retry: number, base: number, max: number, random: () => number = Math.random): number {
  const d = Math.min(max, base * 2 ** Math.max(0, retry - 1));
  return d / 2 + random() * (d / 2);
}

/**
 * Milliseconds a `Retry-After` header asks to wait (RFC 9110 section 10.2.3:
 * a number of seconds, or an HTTP date), or undefined when absent or
 * unreadable; a date in the past gives 0. As Prometheus' `retryAfterDuration`
 * (storage/remote/client.go), an unreadable value falls back to the backoff.
 */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // An HTTP date has a weekday name and "GMT"; Date.parse would read a bare number as a year.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
