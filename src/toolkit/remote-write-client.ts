/**
 * The remote-write client (Node only): `remoteWrite(url, data, options)`
 * encodes families, a `MetricSet` or an exposition payload as remote write
 * 1.0 or 2.0, compresses it with snappy, and sends it, in batches of at most
 * `maxSamplesPerRequest` samples, with retries.
 *
 * What the specs and Prometheus 3.5 fix (`storage/remote/client.go` `Store`,
 * `queue_manager.go` `sendWriteRequestWithBackoff`):
 * - headers: `Content-Encoding: snappy`, the version's `Content-Type`,
 *   `User-Agent`, `X-Prometheus-Remote-Write-Version`; `Retry-Attempt` on a
 *   retry, as Prometheus sends it;
 * - a 5xx or 429 is retried with exponential backoff, or after the answer's
 *   `Retry-After`; any other 4xx is not (1.0 spec, "Retries & Backoff");
 * - 2.0: the receiver's written counts are read; a 2xx without any of them
 *   means the receiver did not understand 2.0.
 * Credentials (basic auth, bearer token, `Authorization` headers) never
 * follow a redirect to another origin (http.ts `openRequest`).
 */
import { PromwireError, brandErrorClass } from '../errors.js';
import type { MetricFamily } from '../model/index.js';
import { encodeWriteRequests } from '../remote-write/index.js';
import type { RemoteWriteInput } from '../remote-write/index.js';
import { snappyCompress } from '../snappy/index.js';
import { HttpError, openRequest, readErrorBody, statusError } from './http.js';
import type { BasicAuth } from './http.js';
import {
  REMOTE_WRITE_CONTENT_TYPES,
  REMOTE_WRITE_VERSION_HEADER,
  REMOTE_WRITE_VERSION_VALUES,
  parseWrittenHeaders,
} from './remote-write-protocol.js';
import type { RemoteWriteVersion, WriteCounts } from './remote-write-protocol.js';
import { refreshAll } from './refresh.js';
import { backoffDelay, retryAfterMs, retryable, sleep } from './retry.js';

/**
 * What remote write sends: families, anything with `collect()` (a
 * `MetricSet`), or an exposition payload (text 0.0.4, OpenMetrics or
 * protobuf bytes, read by the pull parser).
 */
export type RemoteWriteData =
  | readonly MetricFamily[]
  | { collect(): readonly MetricFamily[] | Promise<readonly MetricFamily[]> }
  | string
  | Uint8Array;

export interface RemoteWriteOptions {
  /** The protocol version. Defaults to '1.0', which every receiver reads. */
  readonly version?: RemoteWriteVersion;
  /**
   * With version '2.0': when a receiver answers 2xx without the written-count
   * headers (it does not speak 2.0), send the same data again as 1.0 instead
   * of failing. Defaults to false.
   */
  readonly fallback?: boolean;
  /**
   * Extra request headers (`X-Scope-OrgID` for Mimir, ...). `Authorization`,
   * `Cookie` and `Proxy-Authorization` go only to the URL's origin. The
   * protocol headers (Content-Type, Content-Encoding, the version) cannot be
   * overridden. Defaults to none.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** HTTP basic auth, sent only to the URL's origin. Defaults to none. */
  readonly basicAuth?: Readonly<BasicAuth>;
  /** A bearer token (`Authorization: Bearer ...`), sent only to the URL's origin. Defaults to none. */
  readonly bearerToken?: string;
  /** Milliseconds for one attempt, answer included. Defaults to 30000 (Prometheus' `remote_timeout`). */
  readonly timeout?: number;
  /** Further attempts of a request after a network error, timeout, 5xx or 429. Defaults to 3. */
  readonly retries?: number;
  /** Milliseconds of backoff before the first retry, doubling on each one, with jitter. Defaults to 30 (Prometheus' `min_backoff`). */
  readonly retryDelay?: number;
  /** Cap on the backoff, in milliseconds. Defaults to 5000 (Prometheus' `max_backoff`). */
  readonly maxRetryDelay?: number;
  /** Cap on a wait asked by `Retry-After`, in milliseconds (a longer one fails the request). Defaults to 300000. */
  readonly maxRetryAfter?: number;
  /** Samples (float or native histogram) per request; more are sent in several requests. Defaults to 2000 (Prometheus' `max_samples_per_send`). */
  readonly maxSamplesPerRequest?: number;
  /** The `User-Agent` header. Defaults to 'promwire'. */
  readonly userAgent?: string;
  /** The timestamp, in milliseconds, of samples that have none (a `MetricSet`'s). Defaults to the time of the call. */
  readonly timestamp?: number;
  /** Cancels the write, including a wait between retries. Defaults to none. */
  readonly signal?: AbortSignal;
}

export interface RemoteWriteResult {
  /** The URL written to. */
  url: string;
  /** The version the data went out as (1.0 after a fallback). */
  version: RemoteWriteVersion;
  /** True when a 2.0 write was sent again as 1.0 (`fallback`). */
  fellBack: boolean;
  /** Requests that succeeded (one per batch). */
  requests: number;
  /** HTTP attempts made, retries and a fallback included. */
  attempts: number;
  /** Attempts that were retries. */
  retries: number;
  /** What was sent. */
  sent: WriteCounts;
  /**
   * What the receiver says it wrote (2.0 written-count headers, summed over
   * the requests); undefined for 1.0, whose receivers say nothing.
   */
  written: WriteCounts | undefined;
  /** Compressed bytes sent in the successful requests. */
  bytes: number;
  /** The same bodies before compression. */
  uncompressedBytes: number;
  /** Status of the last successful answer. */
  status: number;
}

/** One request's worth of data, encoded and compressed. */
export interface RemoteWriteBatch {
  version: RemoteWriteVersion;
  /** The snappy-compressed body. */
  body: Uint8Array;
  uncompressedBytes: number;
  counts: WriteCounts;
}

const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_RETRY_DELAY = 30;
const DEFAULT_MAX_RETRY_DELAY = 5_000;
const DEFAULT_MAX_RETRY_AFTER = 300_000;
export const DEFAULT_MAX_SAMPLES_PER_REQUEST = 2_000;
const MAX_REDIRECTS = 10;

function invalid(reason: string): PromwireError {
  return new PromwireError('INVALID_ARGUMENT', `remote write: ${reason}`);
}

/** Checks the options that do not depend on the data; shared with the writer. */
export function checkRemoteWriteOptions(url: string | URL, o: RemoteWriteOptions): URL {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    throw invalid(`expected an http: or https: URL, got "${String(url)}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid(`expected an http: or https: URL, got "${String(url)}"`);
  if (o.version !== undefined && o.version !== '1.0' && o.version !== '2.0') {
    throw invalid(`expected version '1.0' or '2.0', got ${JSON.stringify(o.version)}`);
  }
  const count = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && !(v >= min)) throw invalid(`expected ${name} >= ${min}, got ${String(v)}`);
  };
  count('retries', o.retries, 0);
  count('retryDelay', o.retryDelay, 0);
  count('maxRetryDelay', o.maxRetryDelay, 0);
  count('maxRetryAfter', o.maxRetryAfter, 0);
  count('timeout', o.timeout, 1);
  count('maxSamplesPerRequest', o.maxSamplesPerRequest, 1);
  const hasAuthHeader = Object.keys(o.headers ?? {}).some((k) => k.toLowerCase() === 'authorization');
  // Prometheus' HTTP client config refuses more than one way to authenticate.
  if ([o.basicAuth !== undefined, o.bearerToken !== undefined, hasAuthHeader].filter(Boolean).length > 1) {
    throw invalid('give at most one of basicAuth, bearerToken and an Authorization header');
  }
  return u;
}

/**
 * What `encodeWriteRequests` reads: families or exposition bytes (a
 * `MetricSet` is collected first, since its `collect()` may be async here).
 */
export async function encodeInput(data: RemoteWriteData): Promise<RemoteWriteInput> {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  if (!Array.isArray(data) && 'collect' in data && typeof data.collect === 'function') {
    // A MetricSet's collect callbacks (async ones too) run first, as a handler's scrape runs them.
    await refreshAll([data as { refresh?: () => void | Promise<void> }]);
    return await data.collect();
  }
  return data as readonly MetricFamily[];
}

/**
 * Encodes the input as batches of at most `max` samples (a series is never
 * split), one at a time as they are asked for, each compressed.
 */
export function* encodeBatches(
  input: RemoteWriteInput,
  version: RemoteWriteVersion,
  max: number,
  timestamp: number,
): Generator<RemoteWriteBatch> {
  for (const r of encodeWriteRequests(input, { version, timestamp, maxSamplesPerRequest: max })) {
    yield {
      version,
      body: snappyCompress(r.body),
      uncompressedBytes: r.body.byteLength,
      counts: { samples: r.samples, histograms: r.histograms, exemplars: r.exemplars },
    };
  }
}

/** What one batch's send gave. */
export interface BatchOutcome {
  status: number;
  attempts: number;
  /** The 2.0 written counts; undefined for 1.0. */
  written: WriteCounts | undefined;
}

/** The error of a 2.0 write whose receiver answered 2xx without confirming it (not retried). */
export class NotUnderstoodError extends HttpError {}
brandErrorClass(NotUnderstoodError, 'NotUnderstoodError');

/**
 * Sends one batch with retries. `onRetry` is called before each retry's wait;
 * `waitSignal` ends only the waits (a writer's stop), `options.signal` the whole.
 */
export async function sendBatch(
  url: string,
  first: RemoteWriteBatch,
  options: RemoteWriteOptions,
  onRetry?: (batch: RemoteWriteBatch, error: unknown) => void,
  waitSignal?: AbortSignal,
): Promise<BatchOutcome> {
  const retries = options.retries ?? DEFAULT_RETRIES;
  const base = options.retryDelay ?? DEFAULT_RETRY_DELAY;
  const max = options.maxRetryDelay ?? DEFAULT_MAX_RETRY_DELAY;
  const maxAfter = options.maxRetryAfter ?? DEFAULT_MAX_RETRY_AFTER;
  const batch = first;
  let attempts = 0;
  for (let retry = 0; ; ) {
    attempts++;
    try {
      const { status, written } = await sendOnce(url, batch, options, retry);
      return { status, attempts, written };
    } catch (err) {
      if (retry >= retries || !retryable(err) || options.signal?.aborted === true || waitSignal?.aborted === true) throw err;
      retry++;
      let wait = backoffDelay(retry, base, max);
      const after = (err as RetryableHttpError).retryAfter;
      if (after !== undefined) {
        // Prometheus sleeps for Retry-After instead of its backoff (queue_manager.go sendWriteRequestWithBackoff).
        if (after > maxAfter) throw err;
        wait = after;
      }
      onRetry?.(batch, err);
      const signals = [options.signal, waitSignal].filter((s): s is AbortSignal => s !== undefined);
      await sleep(wait, signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals));
    }
  }
}

/** An HttpError whose answer asked, through `Retry-After`, to wait this long. */
interface RetryableHttpError extends HttpError {
  retryAfter?: number;
}

async function sendOnce(
  url: string,
  batch: RemoteWriteBatch,
  options: RemoteWriteOptions,
  retry: number,
): Promise<{ status: number; written: WriteCounts | undefined }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
  if (options.bearerToken !== undefined) headers['authorization'] = `Bearer ${options.bearerToken}`;
  headers['content-encoding'] = 'snappy';
  headers['content-type'] = REMOTE_WRITE_CONTENT_TYPES[batch.version];
  if (options.userAgent !== undefined || headers['user-agent'] === undefined) headers['user-agent'] = options.userAgent ?? 'promwire';
  headers[REMOTE_WRITE_VERSION_HEADER] = REMOTE_WRITE_VERSION_VALUES[batch.version];
  if (retry > 0) headers['retry-attempt'] = String(retry);
  const ex = await openRequest({
    url,
    method: 'POST',
    headers,
    body: batch.body,
    basicAuth: options.basicAuth,
    timeout: options.timeout ?? DEFAULT_TIMEOUT,
    maxRedirects: MAX_REDIRECTS,
    signal: options.signal,
  });
  try {
    const res = ex.response;
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      const err: RetryableHttpError = await statusError(ex, 'remote write');
      const after = retryAfterMs(res.headers['retry-after']);
      if (after !== undefined) err.retryAfter = after;
      throw err;
    }
    await readErrorBody(ex); // drain, so the connection can be reused
    if (batch.version === '1.0') return { status, written: undefined };
    const parsed = parseWrittenHeaders((name) => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    });
    if (typeof parsed === 'string') {
      throw new HttpError('HTTP_ERROR', `remote write: POST ${ex.url}: answered ${status}, but ${parsed}`, {
        status,
        url: ex.url,
        method: 'POST',
      });
    }
    const c = batch.counts;
    if (parsed === undefined) {
      // 2.0 spec, "Required Written Response Headers": a 2xx without them
      // means the receiver took the request for something else (a 1.0-only
      // receiver that ignores Content-Type). Prometheus treats it as a failure.
      throw new NotUnderstoodError(
        'HTTP_ERROR',
        `remote write: POST ${ex.url}: the receiver answered ${status} without the X-Prometheus-Remote-Write-*-Written headers, so it did not understand remote write 2.0 ` +
          `(${c.samples} samples, ${c.histograms} histograms, ${c.exemplars} exemplars sent); use version '1.0', or fallback: true`,
        { status, url: ex.url, method: 'POST' },
      );
    }
    if (c.samples + c.histograms + c.exemplars > 0 && parsed.samples + parsed.histograms + parsed.exemplars === 0) {
      // queue_manager.go sendV2SamplesWithBackoff: data sent, nothing written, is a failure.
      throw new HttpError(
        'HTTP_ERROR',
        `remote write: POST ${ex.url}: the receiver answered ${status} but wrote nothing of ${c.samples} samples, ${c.histograms} histograms and ${c.exemplars} exemplars`,
        { status, url: ex.url, method: 'POST' },
      );
    }
    return { status, written: parsed };
  } finally {
    ex.close();
  }
}

/**
 * Sends data to a remote-write receiver (Prometheus, Mimir, Thanos,
 * Cortex, VictoriaMetrics...). Batches are encoded one at a time and sent
 * one after another; the first that fails (after its retries) rejects with
 * its `HttpError` (status, and the receiver's body for a 400), and the
 * batches after it are not sent.
 *
 * With version '2.0' and `fallback: true`, a first answer that shows the
 * receiver does not speak 2.0 (a 2xx without the written-count headers)
 * makes the whole write start again as 1.0; nothing of the 2.0 request was
 * confirmed written.
 */
export async function remoteWrite(url: string | URL, data: RemoteWriteData, options: RemoteWriteOptions = {}): Promise<RemoteWriteResult> {
  const u = checkRemoteWriteOptions(url, options);
  const version = options.version ?? '1.0';
  const opts = { ...options, timestamp: options.timestamp ?? Date.now() };
  const input = await encodeInput(data);
  try {
    return await writeAll(u.href, input, version, opts);
  } catch (err) {
    if (!(err instanceof FirstNotUnderstood) || options.fallback !== true) throw err instanceof FirstNotUnderstood ? err.error : err;
    const result = await writeAll(u.href, input, '1.0', opts);
    result.fellBack = true;
    result.attempts += err.attempts;
    return result;
  }
}

/** The first request of a 2.0 write was not understood: nothing was written yet. */
class FirstNotUnderstood {
  constructor(
    readonly error: NotUnderstoodError,
    readonly attempts: number,
  ) {}
}

async function writeAll(
  url: string,
  input: RemoteWriteInput,
  version: RemoteWriteVersion,
  options: RemoteWriteOptions & { timestamp: number },
): Promise<RemoteWriteResult> {
  const result: RemoteWriteResult = {
    url,
    version,
    fellBack: false,
    requests: 0,
    attempts: 0,
    retries: 0,
    sent: { samples: 0, histograms: 0, exemplars: 0 },
    written: version === '2.0' ? { samples: 0, histograms: 0, exemplars: 0 } : undefined,
    bytes: 0,
    uncompressedBytes: 0,
    status: 0,
  };
  const max = options.maxSamplesPerRequest ?? DEFAULT_MAX_SAMPLES_PER_REQUEST;
  for (const batch of encodeBatches(input, version, max, options.timestamp)) {
    let out: BatchOutcome;
    try {
      out = await sendBatch(url, batch, options, () => {
        result.retries++;
      });
    } catch (err) {
      if (err instanceof NotUnderstoodError && result.requests === 0)
        throw new FirstNotUnderstood(err, result.attempts + 1 + result.retries);
      throw err;
    }
    result.attempts += out.attempts;
    result.requests++;
    result.status = out.status;
    result.bytes += batch.body.byteLength;
    result.uncompressedBytes += batch.uncompressedBytes;
    result.sent.samples += batch.counts.samples;
    result.sent.histograms += batch.counts.histograms;
    result.sent.exemplars += batch.counts.exemplars;
    if (out.written !== undefined && result.written !== undefined) {
      result.written.samples += out.written.samples;
      result.written.histograms += out.written.histograms;
      result.written.exemplars += out.written.exemplars;
    }
  }
  return result;
}
