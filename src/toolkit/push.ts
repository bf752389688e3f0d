/**
 * The Pushgateway client (Node only): one-off pushes and a periodic pusher.
 *
 * URL rules, from the Pushgateway README ("URL" section):
 * - `/metrics/job/<JOB_NAME>{/<LABEL_NAME>/<LABEL_VALUE>}`; the job and the
 *   pairs of the grouping key are path segments, URL-escaped.
 * - A job name or label value that contains `/` cannot be a path segment, so
 *   it is sent base64url-encoded (RFC 4648 section 5) with `@base64` appended
 *   to the label name (`/metrics/job@base64/YS9i`); an empty label value is
 *   sent as `<name>@base64/=` since an empty segment would be dropped.
 * - PUT replaces every metric in the group, POST replaces only the metric
 *   names in the body, DELETE removes the group.
 * The body is text 0.0.4, which every Pushgateway version reads.
 */
import { PromwireError } from '../errors.js';
import type { Labels, MetricFamily } from '../model/index.js';
import { setLabel } from '../model/labels.js';
import { encode } from '../encode/encoder.js';
import { openRequest, readErrorBody, statusError } from './http.js';
import type { BasicAuth, ProxyOption, TlsOptions } from './http.js';
import { FixedRate } from './fixed-rate.js';
import { refreshAll } from './refresh.js';
import { retryable, sleep } from './retry.js';

/** What a push sends: families, anything with `collect()` (a `MetricSet`), or an already encoded text 0.0.4 body. */
export type PushBody =
  | readonly MetricFamily[]
  | { collect(): readonly MetricFamily[] | Promise<readonly MetricFamily[]> }
  | string
  | Uint8Array;

export type PushMethod = 'PUT' | 'POST' | 'DELETE';

export interface PushOptions {
  /** The Pushgateway's base URL (`http://host:9091`, or with a path prefix); `/metrics/job/...` is appended. */
  readonly url: string | URL;
  /** The job name (the `job` grouping label); may contain `/`. */
  readonly job: string;
  /** Further grouping labels (`instance`, ...), in URL order. Defaults to none. */
  readonly groupingKey?: Readonly<Labels>;
  /** PUT replaces the group, POST replaces same-named metrics, DELETE removes the group. Defaults to 'PUT'. */
  readonly method?: PushMethod;
  /** What to push (ignored for DELETE). Defaults to an empty body. */
  readonly body?: PushBody;
  /**
   * Extra request headers. `Authorization`, `Cookie` and `Proxy-Authorization`
   * (any case) go only to the gateway's origin, never after a redirect to
   * another scheme, host or port. Defaults to none.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** HTTP basic auth credentials, sent only to the gateway's origin (as `headers`). Defaults to none. */
  readonly basicAuth?: Readonly<BasicAuth>;
  /** Milliseconds for one attempt. Defaults to 10000. */
  readonly timeout?: number;
  /** Further attempts after a network error, timeout, 5xx or 429 (never after another 4xx). Defaults to 0. */
  readonly retries?: number;
  /** Milliseconds before the first retry; doubles on each one. Defaults to 500. */
  readonly retryDelay?: number;
  /** Cap on the wait between retries, in milliseconds. Defaults to 30000. */
  readonly maxRetryDelay?: number;
  /** Cancels the push, including a wait between retries. Defaults to none. */
  readonly signal?: AbortSignal;
  /** TLS for an https: gateway (CA, client certificate, server name, skipping verification), as Prometheus' `tls_config`. Defaults to Node's. */
  readonly tls?: TlsOptions;
  /**
   * An HTTP proxy URL, or `'environment'` for `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY`
   * (see `ProxyOption`); credentials go to the gateway only. Defaults to none.
   */
  readonly proxy?: ProxyOption;
}

export interface PushResult {
  /** HTTP status of the successful answer. */
  status: number;
  /** The URL pushed to. */
  url: string;
  method: PushMethod;
  /** Attempts made (1 when the first one succeeded). */
  attempts: number;
  /** Bytes of body sent. */
  bytes: number;
}

const DEFAULT_TIMEOUT = 10_000;
const DEFAULT_RETRY_DELAY = 500;
const DEFAULT_MAX_RETRY_DELAY = 30_000;
const MAX_REDIRECTS = 10;

/** Legacy label names (data model: `[a-zA-Z_][a-zA-Z0-9_]*`), which Pushgateway 1.x requires in the URL. */
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function invalid(reason: string): PromwireError {
  return new PromwireError('INVALID_ARGUMENT', reason);
}

/** base64url without padding (RFC 4648 section 5), as the Go client sends it. */
function base64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

/**
 * One `name/value` pair of the URL, base64-encoded when the value holds `/`
 * or is empty (Pushgateway README), and when it is `.` or `..`: URL parsers
 * resolve those as dot segments (also percent-encoded), which would send the
 * request to another group.
 */
function segmentPair(name: string, value: string): string {
  if (value === '') return `${name}@base64/=`;
  if (value.includes('/') || value === '.' || value === '..') return `${name}@base64/${base64url(value)}`;
  return `${name}/${encodeURIComponent(value)}`;
}

/**
 * Builds the Pushgateway URL for a job and grouping key, applying the
 * README's rules (escaping, `@base64` for values with `/` or empty values).
 * Throws `INVALID_ARGUMENT` for an empty job, an invalid label name, or a
 * `job` label in the grouping key.
 */
export function pushgatewayUrl(base: string | URL, job: string, groupingKey: Readonly<Labels> = {}): string {
  if (job === '') throw invalid('push: expected a non-empty job name, got ""');
  const u = new URL(String(base));
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw invalid(`push: expected an http: or https: Pushgateway URL, got "${String(base)}"`);
  }
  let path = u.pathname.replace(/\/+$/, '');
  path += '/metrics/' + segmentPair('job', job);
  for (const [name, value] of Object.entries(groupingKey)) {
    if (!LABEL_NAME_RE.test(name)) {
      throw invalid(`push: expected a grouping label name matching [a-zA-Z_][a-zA-Z0-9_]*, got "${name}"`);
    }
    if (name === 'job') throw invalid('push: the grouping key must not contain "job"; pass it as the job name');
    path += '/' + segmentPair(name, value);
  }
  u.pathname = path;
  u.search = '';
  u.hash = '';
  return u.href;
}

/**
 * Expands a job template such as `${name}/instance/${name}~${host}` into a
 * job name and grouping key: the template is split on `/` first (job, then
 * label name / value pairs), then `${var}` is replaced in each part, so a
 * variable whose value holds `/` stays one value (and is base64-encoded in
 * the URL). Throws `INVALID_ARGUMENT` for an unknown variable or a pair
 * without a value.
 */
export function expandJobTemplate(template: string, vars: Readonly<Record<string, string | number>>): { job: string; groupingKey: Labels } {
  const parts = template.split('/');
  const expand = (part: string): string =>
    part.replace(/\$\{([^}]*)\}/g, (_m, key: string) => {
      const v = Object.hasOwn(vars, key) ? vars[key] : undefined;
      if (v === undefined) {
        throw invalid(`push: job template "${template}" uses \${${key}}, but no variable "${key}" was given`);
      }
      return String(v);
    });
  if (parts.length % 2 !== 1) {
    throw invalid(`push: expected job template "${template}" to be JOB{/LABEL/VALUE}, but the last label has no value`);
  }
  const job = expand(parts[0]!);
  const groupingKey: Labels = {};
  for (let i = 1; i < parts.length; i += 2) {
    const name = expand(parts[i]!);
    if (Object.hasOwn(groupingKey, name)) {
      throw invalid(`push: job template "${template}" repeats the label "${name}"`);
    }
    setLabel(groupingKey, name, expand(parts[i + 1]!));
  }
  return { job, groupingKey };
}

async function bodyBytes(body: PushBody | undefined): Promise<Uint8Array> {
  if (body === undefined) return new Uint8Array(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  // A MetricSet writes itself from its precomputed series prefixes.
  const direct = body as { encode?: (o: { format: 'text' }) => Uint8Array; refresh?: () => void | Promise<void> };
  // Its collect callbacks (async ones too) run first, as a handler's scrape runs them.
  if (!Array.isArray(body)) await refreshAll([direct]);
  if (!Array.isArray(body) && typeof direct.encode === 'function') return direct.encode({ format: 'text' });
  const families = 'collect' in body && typeof body.collect === 'function' ? await body.collect() : (body as readonly MetricFamily[]);
  // Text 0.0.4: the format every Pushgateway parses (it does not read OpenMetrics).
  return encode(families as MetricFamily[], { format: 'text' });
}

function checkCount(name: string, v: number | undefined, min: number): void {
  if (v !== undefined && !(v >= min)) throw invalid(`push: expected ${name} >= ${min}, got ${String(v)}`);
}

/**
 * Pushes to a Pushgateway (PUT, POST) or deletes a group (DELETE).
 *
 * Failures are `HttpError`s carrying the gateway's status and body (a 400
 * names the inconsistency the gateway found); network errors, timeouts, 5xx
 * and 429 answers are retried `retries` times with doubling delays.
 */
export function push(options: PushOptions): Promise<PushResult> {
  return pushWith(options, options.signal);
}

/** `push`, where `waitSignal` ends only the waits between retries (the Pusher's stop). */
async function pushWith(options: PushOptions, waitSignal: AbortSignal | undefined): Promise<PushResult> {
  const method = (options.method ?? 'PUT').toUpperCase() as PushMethod;
  if (method !== 'PUT' && method !== 'POST' && method !== 'DELETE') {
    throw invalid(`push: expected method PUT, POST or DELETE, got "${String(options.method)}"`);
  }
  checkCount('retries', options.retries, 0);
  checkCount('retryDelay', options.retryDelay, 0);
  checkCount('timeout', options.timeout, 1);
  const url = pushgatewayUrl(options.url, options.job, options.groupingKey);
  const body = method === 'DELETE' ? undefined : await bodyBytes(options.body);
  const headers: Record<string, string> = { 'user-agent': 'promwire' };
  if (body !== undefined) headers['content-type'] = 'text/plain; version=0.0.4; charset=utf-8';
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
  const retries = options.retries ?? 0;
  let delay = options.retryDelay ?? DEFAULT_RETRY_DELAY;
  const maxDelay = options.maxRetryDelay ?? DEFAULT_MAX_RETRY_DELAY;
  for (let attempt = 1; ; attempt++) {
    try {
      const status = await pushOnce(url, method, headers, body, options);
      return { status, url, method, attempts: attempt, bytes: body?.byteLength ?? 0 };
    } catch (err) {
      if (attempt > retries || !retryable(err) || options.signal?.aborted === true || waitSignal?.aborted === true) {
        throw err;
      }
    }
    await sleep(Math.min(delay, maxDelay), waitSignal);
    delay *= 2;
  }
}

async function pushOnce(
  url: string,
  method: PushMethod,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
  options: PushOptions,
): Promise<number> {
  const ex = await openRequest({
    url,
    method,
    headers,
    body,
    basicAuth: options.basicAuth,
    timeout: options.timeout ?? DEFAULT_TIMEOUT,
    maxRedirects: MAX_REDIRECTS,
    signal: options.signal,
    tls: options.tls,
    proxy: options.proxy,
  });
  try {
    const status = ex.response.statusCode ?? 0;
    if (status < 200 || status > 299) throw await statusError(ex, 'push');
    await readErrorBody(ex); // drain, so the connection can be reused
    return status;
  } finally {
    ex.close();
  }
}

export interface PusherOptions extends Omit<PushOptions, 'body' | 'method' | 'signal'> {
  /** Milliseconds between the starts of two pushes (a slow push delays, never doubles, the next). */
  readonly interval: number;
  /** What to push, asked afresh before every push (a `MetricSet`, or a callback returning families or a body). */
  readonly source: PushBody | (() => PushBody | Promise<PushBody>);
  /** PUT (replace the group) or POST (replace same-named metrics). Defaults to 'PUT'. */
  readonly method?: 'PUT' | 'POST';
  /** What `stop()` does last: push once more, delete the group, or nothing. Defaults to 'push'. */
  readonly onStop?: 'push' | 'delete' | 'none';
  /** Called with every failed push (after its retries). Defaults to logging with console.error. */
  readonly onError?: (error: unknown) => void;
  /** Called after every successful push. Defaults to none. */
  readonly onPush?: (result: PushResult) => void;
  /** Push once right at `start()` instead of after the first interval. Defaults to true. */
  readonly immediate?: boolean;
  /** Let the process exit while only the pusher's timer is pending (`timer.unref()`). Defaults to false. */
  readonly unref?: boolean;
}

/**
 * Pushes on a fixed interval until `stop()`. Pushes never overlap: a tick
 * that comes while a push is still running is skipped. `stop()` cancels the
 * timer and any wait between retries at once, lets a push already on the
 * wire finish (bounded by `timeout`), then does the final push or delete.
 */
export class Pusher {
  private readonly options: PusherOptions;
  private readonly stopController: AbortController;
  private readonly clock: FixedRate;
  private inFlight: Promise<void> | undefined;
  private started: boolean;
  private stopping: Promise<void> | undefined;
  /** Successful pushes so far (the final one included). */
  pushes: number;
  /** Failed pushes so far (each after its retries). */
  failures: number;
  /** The last error, or undefined after a success. */
  lastError: unknown;

  constructor(options: PusherOptions) {
    if (!(options.interval > 0) || !Number.isFinite(options.interval)) {
      throw invalid(`push: expected interval to be a positive number of milliseconds, got ${String(options.interval)}`);
    }
    // Validate the URL, job and grouping key now, not at the first tick.
    pushgatewayUrl(options.url, options.job, options.groupingKey);
    this.options = options;
    this.stopController = new AbortController();
    this.clock = new FixedRate(options.interval, () => this.tick(), options.unref === true);
    this.inFlight = undefined;
    this.started = false;
    this.stopping = undefined;
    this.pushes = 0;
    this.failures = 0;
    this.lastError = undefined;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.started && this.stopping === undefined;
  }

  /** Starts pushing; returns this. */
  start(): this {
    if (this.started) return this;
    if (this.stopping !== undefined) throw invalid('push: this Pusher was stopped; create a new one');
    this.started = true;
    this.clock.start(this.options.immediate !== false);
    return this;
  }

  /** A tick of the fixed-rate clock (fixed-rate.ts: ticks missed while a push ran long are skipped). */
  private tick(): void {
    // The previous push is still on the wire: skip this tick rather than overlap.
    if (this.inFlight !== undefined) return;
    this.inFlight = this.pushNowQuietly(this.options.method ?? 'PUT', this.stopController.signal).finally(() => {
      this.inFlight = undefined;
    });
  }

  private async pushNowQuietly(method: PushMethod, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.pushOnce(method, signal);
    } catch (err) {
      // A push cut short by stop() is not a failure worth reporting.
      if (signal !== undefined && err === signal.reason) return;
      this.failures++;
      this.lastError = err;
      (this.options.onError ?? defaultOnError)(err);
    }
  }

  private async pushOnce(method: PushMethod, signal: AbortSignal | undefined): Promise<PushResult> {
    const src = this.options.source;
    const body = typeof src === 'function' && method !== 'DELETE' ? await src() : src;
    const result = await pushWith({ ...this.options, method, ...(typeof body === 'function' ? {} : { body }) }, signal);
    this.pushes++;
    this.lastError = undefined;
    this.options.onPush?.(result);
    return result;
  }

  /**
   * Stops the pusher: no further tick fires, a wait between retries ends at
   * once, a push on the wire finishes, then the final push or delete runs.
   * Always resolves: a failure of the final push or delete (the gateway is
   * down) is reported through `onError` and kept in `lastError`, as every
   * other failed push is, so `void pusher.stop()` in a signal handler cannot
   * crash the process with an unhandled rejection. Calling it again returns
   * the same promise.
   */
  stop(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    this.clock.stop();
    const wasStarted = this.started;
    this.stopping = (async () => {
      this.stopController.abort(invalid('push: the Pusher was stopped'));
      if (this.inFlight !== undefined) await this.inFlight;
      const last = this.options.onStop ?? 'push';
      if (!wasStarted || last === 'none') return;
      try {
        await this.pushOnce(last === 'delete' ? 'DELETE' : (this.options.method ?? 'PUT'), undefined);
      } catch (err) {
        this.failures++;
        this.lastError = err;
        (this.options.onError ?? defaultOnError)(err);
      }
    })();
    return this.stopping;
  }
}

function defaultOnError(err: unknown): void {
  console.error(err instanceof Error ? err.message : err);
}

/** Creates a `Pusher` and starts it. */
export function startPusher(options: PusherOptions): Pusher {
  return new Pusher(options).start();
}
