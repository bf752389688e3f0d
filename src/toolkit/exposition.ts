/**
 * The runtime-neutral core of the exposition handlers: routing, format
 * choice, basic auth parsing, collection, default labels and self-metrics.
 * `handler.ts` (node:http) and `fetch-handler.ts` (fetch API) only adapt
 * requests and responses to it. No Node modules here.
 */
import { PromwireError } from '../errors.js';
import type { EscapingScheme } from '../core/names.js';
import { type FloatSample, type Format, type Labels, makeFamily, type MetricFamily, type Sample } from '../model/index.js';
import { setLabel } from '../model/labels.js';
import { encodeChunks } from '../encode/encoder.js';
import { clockMs } from '../metrics/timer.js';
import { CONTENT_TYPE_OPENMETRICS_1_0_0, CONTENT_TYPE_PROTOBUF, CONTENT_TYPE_TEXT, negotiate } from './negotiate.js';
import { refreshAll } from './refresh.js';

/** What `collect` is told about the request (for per-request views such as a `mode` parameter). */
export interface CollectContext {
  /** The request URL (path and query; the host is a placeholder in node:http). */
  url: URL;
  /** The query parameters. */
  params: URLSearchParams;
  /** Reads a request header (case-insensitive); undefined when absent. */
  header(name: string): string | undefined;
  /**
   * Aborted when this collection has run for `collectTimeout` (its waiting
   * requests have been answered 503 by then): stop work that is no longer wanted.
   */
  signal: AbortSignal;
}

/**
 * Something that can produce families: a `MetricSet`, or any object with
 * `collect()`. When it also has `encodeChunks` (as `MetricSet` does, with
 * its precomputed series prefixes) and no default labels or self-metrics
 * are asked for, the handler encodes through it directly. `refresh()`, when
 * present, is awaited before each scrape's encode or collect (a
 * `MetricSet` runs its metrics' `collect` callbacks there).
 */
export interface Collectable {
  collect(): readonly MetricFamily[] | Promise<readonly MetricFamily[]>;
  encodeChunks?(options: {
    format: Format;
    escaping: EscapingScheme;
    chunkSize: number;
    onWarning?: (message: string) => void;
  }): Iterable<Uint8Array>;
  /** Brings values read from elsewhere up to date; awaited before each scrape. */
  refresh?(): void | Promise<void>;
  /**
   * The family names it writes (a `MetricSet`'s metrics: `familyName` as
   * in the model, `name` as in OpenMetrics), so that several sources
   * served together can be checked for a family defined twice without
   * collecting them.
   */
  list?(): ReadonlyArray<{ readonly name: string; readonly familyName: string }>;
}

/** Checks credentials; return true to let the request through. */
export type BasicAuthCheck = (username: string, password: string) => boolean | Promise<boolean>;

export type HandlerOptions = Partial<
  Readonly<{
    /**
     * The metrics to serve: a `MetricSet` (or anything with `collect()`), or
     * several, served as one body in array order, each `MetricSet` still
     * through its precomputed fast path. A family name written by two of them
     * makes the scrape a 500 naming it (reported to `onError`): one family
     * split in two is not a valid exposition (OpenMetrics 1.0 "MetricFamily":
     * metric families MUST NOT be interleaved), and back-to-back encodes
     * cannot merge it. Give this or `collect`.
     */
    metrics: Collectable | readonly Collectable[];
    /**
     * Produces the families to serve, before any byte of the answer is
     * written: if it throws (or rejects), the answer is a 500 with the
     * error's text and `onError` is called. Requests for the same path and
     * query that arrive while a collection runs share its result (see
     * `maxConcurrentCollections`), so the result should depend on the URL
     * only, not on other headers. Give this or `metrics`.
     */
    collect: (context: CollectContext) => readonly MetricFamily[] | Promise<readonly MetricFamily[]>;
    /** The path served; other paths get 404 (or `next()` in Express). `null` serves every path. Defaults to '/metrics'. */
    path: string | null;
    /** Labels added to every series that does not already have that label name. Defaults to none. */
    defaultLabels: Readonly<Labels>;
    /**
     * Require HTTP basic auth (RFC 7617): fixed credentials, compared in
     * constant time, or a check function. Defaults to none.
     */
    basicAuth: Readonly<{ username: string; password: string }> | BasicAuthCheck;
    /** The realm named in `WWW-Authenticate`. Defaults to 'metrics'. */
    realm: string;
    /** Gzip the body when `Accept-Encoding` allows it. Defaults to true. */
    compression: boolean;
    /** Bytes per encoded chunk; the handler yields to the event loop between chunks. Defaults to 65536. */
    chunkSize: number;
    /**
     * The query parameter that forces a format (`?format=prometheus|text|openmetrics|protobuf`),
     * overriding `Accept`; `null` disables it. Defaults to 'format'.
     */
    formatParam: string | null;
    /**
     * Serve the protobuf format (delimited `io.prometheus.client.MetricFamily`
     * messages) to a scraper that asks for it, as client_golang does;
     * Prometheus 3.5 asks for it first with native histograms enabled.
     * `false` answers such a scraper with its next choice (and refuses
     * `?format=protobuf`). Defaults to true.
     */
    protobuf: boolean;
    /**
     * Told what the negotiated format cannot carry and the answer leaves
     * out or rewrites (a native histogram served as text 0.0.4 or
     * OpenMetrics 1.0, where only its count and sum survive). Called once
     * per family and reason for the handler's life, not on every scrape
     * (at most 1000 distinct warnings are kept; past them, one last warning
     * says further ones are dropped). Defaults to one console.warn line for
     * the first warning of the handler's life, saying that more are not
     * printed (a unit dropped for a text scraper is routine; client_golang
     * says nothing at all).
     */
    onWarning: (message: string) => void;
    /**
     * Called with every error: a failing or timed-out collection (once per
     * collection, however many requests shared it), an encoder error, a
     * client that stopped reading. Defaults to console.error.
     */
    onError: (error: unknown) => void;
    /**
     * Milliseconds a request waits for the families; past it the answer is a
     * 503 naming the timeout, `onError` gets a `TIMEOUT` error and the
     * collection's `signal` is aborted (client_golang promhttp `Timeout`
     * answers 503 too). The collection itself cannot be stopped: it keeps its
     * slot (see `maxConcurrentCollections`) until it settles. `Infinity` for
     * none. Defaults to 10000 (Prometheus' default scrape_timeout).
     */
    collectTimeout: number;
    /**
     * Most collections running at once. A request for a path and query whose
     * collection is already running shares that collection's result (as
     * client_golang promhttp `CoalesceGather` does), so a slow or stuck
     * collect never piles up; a request that would start another one past
     * the bound is answered 503 at once (as promhttp `MaxRequestsInFlight`)
     * with `Retry-After: 1`. With `metrics` every request shares one
     * collection. Defaults to 4.
     */
    maxConcurrentCollections: number;
    /**
     * Node handler: milliseconds to wait for a client that has stopped
     * reading the body (no `drain`) before destroying the connection and
     * reporting a `TIMEOUT` to `onError`. `Infinity` for none. Defaults to
     * 30000. (The fetch handler's body is pulled by the runtime: nothing is
     * encoded ahead of a client that does not read.)
     */
    writeTimeout: number;
    /**
     * Add self-metrics (scrapes served by status code, encode duration,
     * bytes sent) to every answer; a string gives their name prefix.
     * Defaults to false (none); `true` uses the prefix 'promwire_'.
     */
    selfMetrics: boolean | string;
  }>
>;

/** The Content-Type of each format, for `?format=` (prometheus/common expfmt FmtText, FmtOpenMetrics_1_0_0). */
const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  text: CONTENT_TYPE_TEXT,
  openmetrics: CONTENT_TYPE_OPENMETRICS_1_0_0,
  protobuf: CONTENT_TYPE_PROTOBUF,
};

const DEFAULT_CHUNK_SIZE = 64 * 1024;
const DEFAULT_COLLECT_TIMEOUT = 10_000;
const DEFAULT_MAX_CONCURRENT_COLLECTIONS = 4;
const DEFAULT_WRITE_TIMEOUT = 30_000;

/** A plain-text answer: errors and refusals. */
export interface TextAnswer {
  kind: 'text';
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The request is for another path and the adapter should pass it on (Express `next`). */
export interface PassAnswer {
  kind: 'pass';
}

/** Metrics are to be served: the families are collected, nothing is written yet. */
export interface MetricsAnswer {
  kind: 'metrics';
  status: 200;
  headers: Record<string, string>;
  format: Format;
  gzip: boolean;
  head: boolean;
  /** The encoded body; pull lazily (the first chunk is pulled before headers go out). */
  chunks: Iterator<Uint8Array>;
  /** Call when the body is written, with the bytes sent; feeds the self-metrics. */
  done(bytesSent: number): void;
  /** Node handler: milliseconds without `drain` before the connection is destroyed. */
  writeTimeout: number;
}

export type Answer = TextAnswer | PassAnswer | MetricsAnswer;

/** A request as the core sees it. */
export interface CoreRequest {
  method: string;
  url: URL;
  header(name: string): string | undefined;
}

function textAnswer(status: number, body: string, headers: Record<string, string> = {}): TextAnswer {
  return {
    kind: 'text',
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
    body: body.endsWith('\n') ? body : body + '\n',
  };
}

/**
 * Does `Accept-Encoding` allow gzip? RFC 9110 section 12.5.3: a coding is
 * acceptable if listed (or matched by `*`) with q > 0; `gzip;q=0` refuses it.
 */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined || acceptEncoding === '') return false;
  let star: number | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [codingRaw, ...params] = part.split(';');
    const coding = codingRaw!.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim().toLowerCase() === 'q' && v !== undefined) q = Number(v.trim());
    }
    if (coding === 'gzip' || coding === 'x-gzip') return q > 0;
    if (coding === '*') star = q;
  }
  return star !== undefined && star > 0;
}

/**
 * Decodes an `Authorization: Basic ...` header (RFC 7617 section 2): the
 * scheme is case-insensitive, the credentials are base64 of UTF-8
 * `user-id ":" password`, split at the first colon. Undefined when absent or malformed.
 */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m === null) return undefined;
  let decoded: string;
  try {
    const bin = atob(m[1]!);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The format forced by the query parameter, `null` for none, or undefined for an unknown value. */
function formatFromParam(value: string | null): Format | null | undefined {
  if (value === null || value === '') return null;
  switch (value.toLowerCase()) {
    case 'prometheus':
    case 'text':
      return 'text';
    case 'openmetrics':
      return 'openmetrics';
    case 'protobuf':
      return 'protobuf';
    default:
      return undefined;
  }
}

/** The default `onWarning`: the first warning on the console, with a hint; then nothing. */
function firstWarningOnly(): (message: string) => void {
  let said = false;
  return (message) => {
    if (said) return;
    said = true;
    console.warn(`promwire handler: ${message} (further conversion warnings are not printed: pass onWarning to receive each once)`);
  };
}

/** Most distinct warnings a handler remembers (and reports). */
const MAX_WARNINGS = 1000;

/**
 * The identity of a conversion warning: the family it names (the encoder
 * starts each message with the JSON-quoted family name) and its reason with
 * the counts in it blanked (and plural endings dropped), so "1 native
 * histogram sample" and "4 native histogram samples" of one family are one
 * warning.
 */
export function warningKey(message: string): string {
  let head = '';
  let rest = message;
  if (message.startsWith('"')) {
    // The JSON string ends at the first quote not preceded by an odd run of backslashes.
    for (let i = 1; i < message.length; i++) {
      const c = message[i];
      if (c === '\\') i++;
      else if (c === '"') {
        head = message.slice(0, i + 1);
        rest = message.slice(i + 1);
        break;
      }
    }
  }
  // Counts and plurals blanked: "1 sample" and "3 samples" are one reason.
  return head + rest.replace(/[0-9]+/g, '#').replace(/s\b/g, '');
}

/**
 * Passes each distinct warning (by `warningKey`) to `sink` once: a scrape
 * every 15 s of a family that cannot be served as asked is one line, not
 * one per scrape.
 */
export function onceEach(sink: (message: string) => void, max = MAX_WARNINGS): (message: string) => void {
  const seen = new Set<string>();
  let full = false;
  return (message) => {
    const key = warningKey(message);
    if (seen.has(key) || full) return;
    if (seen.size >= max) {
      full = true;
      sink(`${max} distinct conversion warnings reported; further ones are dropped`);
      return;
    }
    seen.add(key);
    sink(message);
  };
}

/** Adds default labels to every sample that lacks them (defaults first, the series' own labels after). */
export function withDefaultLabels(families: readonly MetricFamily[], defaults: Readonly<Labels>): MetricFamily[] {
  const names = Object.keys(defaults);
  if (names.length === 0) return families as MetricFamily[];
  return families.map((f) =>
    makeFamily({
      ...f,
      samples: (f.samples as Sample[]).map((s): Sample => {
        const labels: Labels = {};
        for (const n of names) if (!Object.hasOwn(s.labels, n)) setLabel(labels, n, defaults[n]!);
        for (const k in s.labels) setLabel(labels, k, s.labels[k]!);
        return { ...s, labels };
      }),
    }),
  );
}

/** Counts kept for the optional self-metrics. */
class SelfMetrics {
  private readonly prefix: string;
  private readonly byCode: Map<number, number>;
  private encodeSeconds: number;
  private encodeCount: number;
  private bytes: number;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.byCode = new Map();
    this.encodeSeconds = 0;
    this.encodeCount = 0;
    this.bytes = 0;
  }

  countAnswer(status: number): void {
    this.byCode.set(status, (this.byCode.get(status) ?? 0) + 1);
  }

  countEncode(seconds: number, bytes: number): void {
    this.encodeSeconds += seconds;
    this.encodeCount++;
    this.bytes += bytes;
  }

  families(): MetricFamily[] {
    const p = this.prefix;
    // The model names a counter family after its series, in every format.
    const counterName = (base: string): string => `${base}_total`;
    const scrapes: FloatSample[] = [...this.byCode.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([code, n]) => ({ name: `${p}scrapes_total`, labels: { code: String(code) }, value: n, timestamp: null }));
    return [
      {
        name: counterName(`${p}scrapes`),
        type: 'counter',
        help: 'Metrics requests answered, by HTTP status code (this answer included).',
        unit: '',
        samples: scrapes,
      },
      {
        name: `${p}encode_duration_seconds`,
        type: 'summary',
        help: 'Time spent encoding metrics answers (this one not counted yet).',
        unit: 'seconds',
        samples: [
          { name: `${p}encode_duration_seconds_sum`, labels: {}, value: this.encodeSeconds, timestamp: null },
          { name: `${p}encode_duration_seconds_count`, labels: {}, value: this.encodeCount, timestamp: null },
        ],
      },
      {
        name: counterName(`${p}response_bytes`),
        type: 'counter',
        help: 'Bytes of metrics answer bodies sent, after compression (this one not counted yet).',
        unit: 'bytes',
        samples: [{ name: `${p}response_bytes_total`, labels: {}, value: this.bytes, timestamp: null }],
      },
    ];
  }
}

/** A running collection, shared by the requests for the same path and query. */
interface Collection {
  promise: Promise<readonly MetricFamily[]>;
  controller: AbortController;
  /** onError has been told about this collection's failure or timeout. */
  reported: boolean;
  /** The timeout error, once the first waiter gave up. */
  timedOut: PromwireError | undefined;
}

function checkOption(name: string, v: number | undefined, min: number, integer: boolean): void {
  if (v === undefined) return;
  if (!(v >= min) || (integer && Number.isFinite(v) && !Number.isInteger(v))) {
    throw new PromwireError(
      'INVALID_ARGUMENT',
      `handler: expected ${name} ${integer ? 'to be an integer ' : ''}>= ${min} (or Infinity), got ${String(v)}`,
    );
  }
}

/** The request-independent part of a handler: options resolved once. */
export class ExpositionCore {
  private readonly path: string | null;
  private readonly formatParam: string | null;
  private readonly defaultLabels: Readonly<Labels>;
  private readonly realm: string;
  private readonly compression: boolean;
  private readonly chunkSize: number;
  private readonly collectFn: (context: CollectContext) => Promise<readonly MetricFamily[]>;
  /** Does the collect function see the request (so only the same path and query may share)? */
  private readonly perRequest: boolean;
  /** False only when the sets encode directly and none has `refresh()`: nothing to wait for before the first byte. */
  private readonly needsCollect: boolean;
  private readonly collectTimeout: number;
  private readonly maxCollections: number;
  private readonly writeTimeout: number;
  private readonly inFlight: Map<string, Collection>;
  /** The sources encoded directly (every one has `encodeChunks`), or undefined for the families path. */
  private readonly direct: readonly Collectable[] | undefined;
  private readonly protobuf: boolean;
  private readonly onWarning: (message: string) => void;
  private readonly self: SelfMetrics | undefined;
  readonly onError: (error: unknown) => void;
  readonly basicAuth: HandlerOptions['basicAuth'];

  constructor(options: HandlerOptions) {
    const { metrics, collect } = options;
    if ((metrics === undefined) === (collect === undefined)) {
      throw new PromwireError('INVALID_ARGUMENT', 'handler: expected exactly one of `metrics` or `collect`');
    }
    const sources = metrics === undefined ? [] : checkSources(metrics);
    this.perRequest = collect !== undefined;
    checkOption('collectTimeout', options.collectTimeout, 1, false);
    checkOption('maxConcurrentCollections', options.maxConcurrentCollections, 1, true);
    checkOption('writeTimeout', options.writeTimeout, 1, false);
    this.collectTimeout = options.collectTimeout ?? DEFAULT_COLLECT_TIMEOUT;
    this.maxCollections = options.maxConcurrentCollections ?? DEFAULT_MAX_CONCURRENT_COLLECTIONS;
    this.writeTimeout = options.writeTimeout ?? DEFAULT_WRITE_TIMEOUT;
    this.inFlight = new Map();
    this.direct =
      sources.length > 0 &&
      sources.every((m) => typeof m.encodeChunks === 'function' && (sources.length === 1 || typeof m.list === 'function')) &&
      Object.keys(options.defaultLabels ?? {}).length === 0 &&
      (options.selfMetrics ?? false) === false
        ? sources
        : undefined;
    const direct = this.direct;
    this.collectFn =
      collect !== undefined
        ? async (ctx) => collect(ctx)
        : direct !== undefined
          ? async () => {
              // Refreshed only: the families are not needed, the sets encode themselves.
              await refreshAll(direct);
              const clash = direct.length > 1 ? listClash(direct) : undefined;
              if (clash !== undefined) throw clash;
              return NO_FAMILIES;
            }
          : async () => collectAll(sources);
    this.needsCollect =
      collect !== undefined || direct === undefined || direct.length > 1 || direct.some((m) => typeof m.refresh === 'function');
    this.path = options.path === undefined ? '/metrics' : options.path;
    this.formatParam = options.formatParam === undefined ? 'format' : options.formatParam;
    this.defaultLabels = options.defaultLabels ?? {};
    this.realm = options.realm ?? 'metrics';
    // A header value cannot hold control characters: refuse such a realm now,
    // not with a throw while answering a request.
    if (/[\x00-\x1f\x7f]/.test(this.realm)) {
      throw new PromwireError('INVALID_ARGUMENT', `handler: realm must not hold control characters, got ${JSON.stringify(this.realm)}`);
    }
    this.compression = options.compression ?? true;
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!(this.chunkSize >= 1)) {
      throw new PromwireError('INVALID_ARGUMENT', `handler: expected chunkSize >= 1, got ${this.chunkSize}`);
    }
    const sm = options.selfMetrics ?? false;
    this.self = sm === false ? undefined : new SelfMetrics(sm === true ? 'promwire_' : sm);
    this.onError =
      options.onError ??
      ((err: unknown) => {
        console.error('promwire handler:', err instanceof Error ? err.message : err);
      });
    this.basicAuth = options.basicAuth;
    this.protobuf = options.protobuf ?? true;
    this.onWarning = onceEach(options.onWarning ?? firstWarningOnly());
  }

  /** The 401 answer (RFC 7617 section 2: `WWW-Authenticate: Basic realm=..., charset="UTF-8"`). */
  unauthorized(): TextAnswer {
    return textAnswer(401, '401 Unauthorized: this endpoint requires HTTP basic authentication', {
      'www-authenticate': `Basic realm="${this.realm.replace(/["\\]/g, '\\$&')}", charset="UTF-8"`,
    });
  }

  /**
   * Everything up to the first body byte: route, method, format, auth
   * (through `checkAuth`), collect. Never throws: failures become answers.
   */
  async answer(req: CoreRequest, checkAuth: (username: string, password: string) => Promise<boolean>, canPass: boolean): Promise<Answer> {
    const a = await this.answerInner(req, checkAuth, canPass);
    if (a.kind === 'text') this.self?.countAnswer(a.status);
    return a;
  }

  private async answerInner(
    req: CoreRequest,
    checkAuth: (username: string, password: string) => Promise<boolean>,
    canPass: boolean,
  ): Promise<Answer> {
    if (this.path !== null && req.url.pathname !== this.path) {
      if (canPass) return { kind: 'pass' };
      return textAnswer(404, `404 Not Found: ${req.url.pathname}; metrics are served at ${this.path}`);
    }
    const method = req.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      return textAnswer(405, `405 Method Not Allowed: ${method}; use GET or HEAD`, { allow: 'GET, HEAD' });
    }
    if (this.basicAuth !== undefined) {
      const creds = parseBasicAuth(req.header('authorization'));
      let ok = false;
      try {
        ok = creds !== undefined && (await checkAuth(creds.username, creds.password));
      } catch (err) {
        // A failing credential check (its backend down) is a 500, reported, never a rejection.
        this.onError(err);
        const text = err instanceof Error ? err.message : String(err);
        return textAnswer(500, `500 Internal Server Error: checking credentials failed: ${text}`);
      }
      if (!ok) return this.unauthorized();
    }
    const accept = req.header('accept');
    const neg = negotiate(accept ?? '', { protobuf: this.protobuf });
    let format: Format = neg.format;
    let contentType = neg.contentType;
    if (this.formatParam !== null) {
      const raw = req.url.searchParams.get(this.formatParam);
      const forced = formatFromParam(raw);
      if (forced === undefined || (forced === 'protobuf' && !this.protobuf)) {
        // A bad query parameter, not a failed negotiation: client_golang
        // never answers 406, and neither does Accept here.
        return textAnswer(
          400,
          `400 Bad Request: unknown ${this.formatParam}=${JSON.stringify(raw)}; expected prometheus, text${this.protobuf ? ', openmetrics or protobuf' : ' or openmetrics'}`,
        );
      }
      if (forced !== null && forced !== format) {
        format = forced;
        // Same shape as negotiate()'s answer: expfmt's Format plus the escaping used.
        contentType = `${CONTENT_TYPES[forced]}; escaping=${neg.escaping}`;
      }
    }

    const gzip = this.compression && acceptsGzip(req.header('accept-encoding'));
    const headers: Record<string, string> = {
      'content-type': contentType,
      vary: 'Accept, Accept-Encoding',
      'cache-control': 'no-store',
    };
    if (gzip) headers['content-encoding'] = 'gzip';
    const encodeOptions = { format, escaping: neg.escaping, chunkSize: this.chunkSize, onWarning: this.onWarning };
    const writeTimeout = this.writeTimeout;

    if (method === 'HEAD') {
      // HEAD gets the headers only: nothing is collected or encoded, so a
      // flood of HEADs costs no more than a flood of 404s (RFC 9110 section
      // 9.3.2 lets a server omit what only generating the content would
      // tell, here Content-Length).
      this.self?.countAnswer(200);
      return { kind: 'metrics', status: 200, headers, format, gzip, head: true, chunks: EMPTY, done: () => {}, writeTimeout };
    }

    const families = this.needsCollect ? await this.collectShared(req) : NO_FAMILIES;
    if (!Array.isArray(families)) return families as TextAnswer;

    if (this.direct !== undefined) {
      const chunks =
        this.direct.length === 1
          ? this.direct[0]!.encodeChunks!(encodeOptions)[Symbol.iterator]()
          : concatChunks(this.direct, encodeOptions, format === 'openmetrics');
      return { kind: 'metrics', status: 200, headers, format, gzip, head: false, chunks, done: () => {}, writeTimeout };
    }

    let served = withDefaultLabels(families, this.defaultLabels);
    const self = this.self;
    if (self !== undefined) {
      self.countAnswer(200);
      served = served.concat(self.families());
    }
    const inner = encodeChunks(served, encodeOptions);
    if (self === undefined) {
      return { kind: 'metrics', status: 200, headers, format, gzip, head: false, chunks: inner, done: () => {}, writeTimeout };
    }
    // Self-metrics: time spent inside the encoder only (not waiting on the network).
    let encodeMs = 0;
    const chunks: Iterator<Uint8Array> = {
      next: () => {
        const t = clockMs();
        try {
          return inner.next();
        } finally {
          encodeMs += clockMs() - t;
        }
      },
    };
    return {
      kind: 'metrics',
      status: 200,
      headers,
      format,
      gzip,
      head: false,
      chunks,
      done: (bytesSent: number) => {
        self.countEncode(encodeMs / 1000, bytesSent);
      },
      writeTimeout,
    };
  }

  /**
   * The families for a request: joins the running collection for the same
   * path and query, or starts one if fewer than `maxConcurrentCollections`
   * run, and waits at most `collectTimeout`. A failure is a 500, a timeout
   * or a full house a 503; each collection's failure reaches `onError` once.
   */
  private async collectShared(req: CoreRequest): Promise<readonly MetricFamily[] | TextAnswer> {
    const key = this.perRequest ? req.url.pathname + req.url.search : '';
    let c = this.inFlight.get(key);
    if (c === undefined) {
      if (this.inFlight.size >= this.maxCollections) {
        return textAnswer(
          503,
          `503 Service Unavailable: ${this.inFlight.size} metric collections are already running ` +
            `(maxConcurrentCollections is ${this.maxCollections}); try again later`,
          { 'retry-after': '1' },
        );
      }
      const controller = new AbortController();
      const promise = (async () => {
        const families = await this.collectFn({
          url: req.url,
          params: req.url.searchParams,
          header: (n) => req.header(n),
          signal: controller.signal,
        });
        if (!Array.isArray(families)) {
          throw new PromwireError('INVALID_ARGUMENT', `handler: collect must return an array of families, got ${typeof families}`);
        }
        return families;
      })();
      const entry: Collection = { promise, controller, reported: false, timedOut: undefined };
      c = entry;
      this.inFlight.set(key, entry);
      // The slot is held until the collection settles, timed out or not:
      // a stuck collect must not let others pile up behind it.
      promise.then(
        () => this.inFlight.get(key) === entry && this.inFlight.delete(key),
        () => this.inFlight.get(key) === entry && this.inFlight.delete(key),
      );
    }
    const collection = c;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      if (Number.isFinite(this.collectTimeout)) timer = setTimeout(() => resolve(undefined), this.collectTimeout);
    });
    try {
      const families = await Promise.race([collection.promise, timeout]);
      if (families !== undefined) return families;
      const err =
        collection.timedOut ??
        new PromwireError('TIMEOUT', `handler: collecting metrics did not finish within the collectTimeout of ${this.collectTimeout} ms`);
      collection.timedOut = err;
      this.reportOnce(collection, err);
      collection.controller.abort(err);
      return this.timeoutAnswer();
    } catch (err) {
      // A collect that gave up on its aborted signal is still a timeout.
      if (collection.timedOut !== undefined && (err === collection.timedOut || collection.controller.signal.aborted)) {
        return this.timeoutAnswer();
      }
      this.reportOnce(collection, err);
      const text = err instanceof Error ? err.message : String(err);
      return textAnswer(500, `500 Internal Server Error: collecting metrics failed: ${text}`);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private timeoutAnswer(): TextAnswer {
    return textAnswer(
      503,
      `503 Service Unavailable: collecting metrics did not finish within the collectTimeout of ${this.collectTimeout} ms`,
    );
  }

  private reportOnce(collection: Collection, err: unknown): void {
    if (collection.reported) return;
    collection.reported = true;
    this.onError(err);
  }
}

const EMPTY: Iterator<Uint8Array> = { next: () => ({ done: true, value: undefined }) };

const NO_FAMILIES: readonly MetricFamily[] = [];

/** `metrics` as a list, each entry checked (a mistake here is a constructor error, not a 500 on every scrape). */
function checkSources(metrics: Collectable | readonly Collectable[]): readonly Collectable[] {
  const list: readonly Collectable[] = Array.isArray(metrics) ? metrics : [metrics as Collectable];
  if (list.length === 0)
    throw new PromwireError('INVALID_ARGUMENT', 'handler: expected at least one entry in `metrics`, got an empty array');
  list.forEach((m, i) => {
    if (m === null || typeof m !== 'object' || typeof m.collect !== 'function') {
      throw new PromwireError(
        'INVALID_ARGUMENT',
        `handler: expected \`metrics\`${Array.isArray(metrics) ? `[${i}]` : ''} to be a MetricSet or an object with collect(), got ${m === null ? 'null' : typeof m}`,
      );
    }
  });
  if (new Set(list).size !== list.length) {
    throw new PromwireError(
      'INVALID_ARGUMENT',
      'handler: the same MetricSet is given twice in `metrics`; every family would be written twice',
    );
  }
  return list;
}

function clashError(name: string, first: number, second: number): PromwireError {
  return new PromwireError(
    'DUPLICATE_SERIES',
    `handler: metric family ${JSON.stringify(name)} is written by metrics[${first}] and metrics[${second}]; ` +
      'a family must come from one source (rename it, or define it in one set)',
  );
}

/**
 * The first family name claimed by two sources, from their `list()`: the
 * model name (`foo_total` for a counter) and the OpenMetrics one (`foo`),
 * so a counter `foo` in one set and a gauge `foo_total` in another clash as
 * they would in one set. Costs two Map operations per metric per scrape.
 */
function listClash(sources: readonly Collectable[]): PromwireError | undefined {
  const owner = new Map<string, number>();
  for (let i = 0; i < sources.length; i++) {
    for (const m of sources[i]!.list!()) {
      for (const n of m.name === m.familyName ? [m.name] : [m.familyName, m.name]) {
        const o = owner.get(n);
        if (o !== undefined && o !== i) return clashError(n, o, i);
        owner.set(n, i);
      }
    }
  }
  return undefined;
}

/** Refreshes and collects every source, refusing a family name two of them write. */
async function collectAll(sources: readonly Collectable[]): Promise<readonly MetricFamily[]> {
  await refreshAll(sources);
  if (sources.length === 1) return sources[0]!.collect();
  const all = await Promise.all(sources.map((m) => m.collect()));
  const owner = new Map<string, number>();
  const out: MetricFamily[] = [];
  for (let i = 0; i < all.length; i++) {
    const families = all[i]!;
    if (!Array.isArray(families)) {
      throw new PromwireError(
        'INVALID_ARGUMENT',
        `handler: metrics[${i}].collect() must return an array of families, got ${typeof families}`,
      );
    }
    for (const f of families as readonly MetricFamily[]) {
      const o = owner.get(f.name);
      if (o !== undefined && o !== i) throw clashError(f.name, o, i);
      owner.set(f.name, i);
      out.push(f);
    }
  }
  return out;
}

/** OpenMetrics' end marker, which each set writes and the joined body must hold once, at its end. */
const EOF_LINE = new TextEncoder().encode('# EOF\n');

function endsWithEof(b: Uint8Array): boolean {
  if (b.length < EOF_LINE.length) return false;
  const o = b.length - EOF_LINE.length;
  for (let i = 0; i < EOF_LINE.length; i++) if (b[o + i] !== EOF_LINE[i]) return false;
  return true;
}

/**
 * The sources' encodes back to back, each pulled lazily through its own
 * `encodeChunks` (a `MetricSet` keeps its precomputed prefixes). Protobuf
 * bodies are delimited messages and join as they are; in OpenMetrics every
 * source but the last ends with `# EOF`, which is cut from its last chunk
 * (a chunk is held back one step to know it is the last).
 */
function concatChunks(
  sources: readonly Collectable[],
  options: { format: Format; escaping: EscapingScheme; chunkSize: number; onWarning: (message: string) => void },
  om: boolean,
): Iterator<Uint8Array> {
  // Every source takes its first step on the first next(), in the task that
  // ran the refresh: a MetricSet reads its collect callbacks' values on its
  // first step, and only in that task (collect.ts). Started one after
  // another, a later set began after the earlier ones' chunks had gone out
  // over several turns of the event loop, ran its callbacks again, and an
  // async one failed the response after its headers.
  let started: { it: Iterator<Uint8Array>; first: IteratorResult<Uint8Array> | undefined }[] | undefined;
  let i = 0;
  let held: Uint8Array | undefined;
  return {
    next(): IteratorResult<Uint8Array> {
      started ??= sources.map((s) => {
        const it = s.encodeChunks!(options)[Symbol.iterator]();
        return { it, first: it.next() };
      });
      for (;;) {
        const src = started[i];
        if (src === undefined) {
          if (held === undefined) return { done: true, value: undefined };
          const last = held;
          held = undefined;
          return { done: false, value: last };
        }
        const r = src.first ?? src.it.next();
        src.first = undefined;
        if (r.done === true) {
          i++;
          if (om && held !== undefined && i < started.length && endsWithEof(held)) {
            held = held.subarray(0, held.length - EOF_LINE.length);
          }
          continue;
        }
        const out = held;
        held = r.value;
        if (out !== undefined && out.length > 0) return { done: false, value: out };
      }
    },
  };
}
