/**
 * The runtime-neutral core of the exposition handlers: routing, format
 * choice, basic auth parsing, collection, default labels and self-metrics.
 * `handler.ts` (node:http) and `fetch-handler.ts` (fetch API) only adapt
 * requests and responses to it. No Node modules here.
 */
import { PromwireError } from '../errors.js';
import type { EscapingScheme } from '../core/names.js';
import { type FloatSample, type Format, type Labels, makeFamily, type MetricFamily, type Sample } from '../model/index.js';
import { encodeChunks } from '../encode/encoder.js';
import { CONTENT_TYPE_OPENMETRICS_1_0_0, CONTENT_TYPE_TEXT, negotiate } from './negotiate.js';

/** What `collect` is told about the request (for per-request views such as a `mode` parameter). */
export interface CollectContext {
  /** The request URL (path and query; the host is a placeholder in node:http). */
  url: URL;
  /** The query parameters. */
  params: URLSearchParams;
  /** Reads a request header (case-insensitive); undefined when absent. */
  header(name: string): string | undefined;
}

/**
 * Something that can produce families: a `MetricSet`, or any object with
 * `collect()`. When it also has `encodeChunks` (as `MetricSet` does, with
 * its precomputed series prefixes) and no default labels or self-metrics
 * are asked for, the handler encodes through it directly.
 */
export interface Collectable {
  collect(): readonly MetricFamily[] | Promise<readonly MetricFamily[]>;
  encodeChunks?(options: { format: Format; escaping: EscapingScheme; chunkSize: number }): Iterable<Uint8Array>;
}

/** Checks credentials; return true to let the request through. */
export type BasicAuthCheck = (username: string, password: string) => boolean | Promise<boolean>;

export type HandlerOptions = Partial<
  Readonly<{
    /** The metrics to serve: a `MetricSet` (or anything with `collect()`). Give this or `collect`. */
    metrics: Collectable;
    /**
     * Produces the families to serve, once per request, before any byte of
     * the answer is written: if it throws (or rejects), the answer is a 500
     * with the error's text and `onError` is called. Give this or `metrics`.
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
     * The query parameter that forces a format (`?format=prometheus|text|openmetrics`),
     * overriding `Accept`; `null` disables it. Defaults to 'format'.
     */
    formatParam: string | null;
    /** Called with every error: a failing collect, an encoder error, a write error. Defaults to console.error. */
    onError: (error: unknown) => void;
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
};

const DEFAULT_CHUNK_SIZE = 64 * 1024;

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
    default:
      return undefined;
  }
}

/**
 * Does the Accept header admit anything we can send? Absent, or listing
 * `*\/*`, `text/*`, `text/plain` or `application/openmetrics-text` with q > 0 (RFC 9110 section 12.5.1).
 */
function acceptsSomething(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  for (const part of accept.split(',')) {
    const [typeRaw, ...params] = part.split(';');
    const type = typeRaw!.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim().toLowerCase() === 'q' && v !== undefined) q = Number(v.trim());
    }
    if (!(q > 0)) continue;
    if (type === '*/*' || type === 'text/*' || type === 'text/plain' || type === 'application/openmetrics-text' || type === 'application/*') {
      return true;
    }
  }
  return false;
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
        for (const n of names) if (!Object.prototype.hasOwnProperty.call(s.labels, n)) labels[n] = defaults[n]!;
        Object.assign(labels, s.labels);
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

  families(format: Format): MetricFamily[] {
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

/** The request-independent part of a handler: options resolved once. */
export class ExpositionCore {
  private readonly path: string | null;
  private readonly formatParam: string | null;
  private readonly defaultLabels: Readonly<Labels>;
  private readonly realm: string;
  private readonly compression: boolean;
  private readonly chunkSize: number;
  private readonly collectFn: (context: CollectContext) => Promise<readonly MetricFamily[]>;
  private readonly direct: Collectable | undefined;
  private readonly self: SelfMetrics | undefined;
  readonly onError: (error: unknown) => void;
  readonly basicAuth: HandlerOptions['basicAuth'];

  constructor(options: HandlerOptions) {
    const { metrics, collect } = options;
    if ((metrics === undefined) === (collect === undefined)) {
      throw new PromwireError('INVALID_ARGUMENT', 'handler: expected exactly one of `metrics` or `collect`');
    }
    this.collectFn =
      collect !== undefined ? async (ctx) => collect(ctx) : async () => (metrics as Collectable).collect();
    this.direct =
      metrics !== undefined &&
      typeof metrics.encodeChunks === 'function' &&
      Object.keys(options.defaultLabels ?? {}).length === 0 &&
      (options.selfMetrics ?? false) === false
        ? metrics
        : undefined;
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
  async answer(
    req: CoreRequest,
    checkAuth: (username: string, password: string) => Promise<boolean>,
    canPass: boolean,
  ): Promise<Answer> {
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
    const neg = negotiate(accept ?? '');
    let format: Format = neg.format;
    let contentType = neg.contentType;
    if (this.formatParam !== null) {
      const raw = req.url.searchParams.get(this.formatParam);
      const forced = formatFromParam(raw);
      if (forced === undefined) {
        return textAnswer(
          406,
          `406 Not Acceptable: unknown ${this.formatParam}=${JSON.stringify(raw)}; expected prometheus, text or openmetrics`,
        );
      }
      if (forced !== null && forced !== format) {
        format = forced;
        // Same shape as negotiate()'s answer: expfmt's Format plus the escaping used.
        contentType = `${CONTENT_TYPES[forced]}; escaping=${neg.escaping}`;
      }
    }
    if (!acceptsSomething(accept) && (this.formatParam === null || !req.url.searchParams.has(this.formatParam))) {
      return textAnswer(
        406,
        `406 Not Acceptable: Accept "${accept ?? ''}" admits neither text/plain (text 0.0.4) nor application/openmetrics-text`,
      );
    }

    const gzip = this.compression && acceptsGzip(req.header('accept-encoding'));
    const headers: Record<string, string> = {
      'content-type': contentType,
      vary: 'Accept, Accept-Encoding',
      'cache-control': 'no-store',
    };
    if (gzip) headers['content-encoding'] = 'gzip';
    const encodeOptions = { format, escaping: neg.escaping, chunkSize: this.chunkSize };
    const head = method === 'HEAD';

    if (this.direct !== undefined) {
      const chunks = this.direct.encodeChunks!(encodeOptions)[Symbol.iterator]();
      return { kind: 'metrics', status: 200, headers, format, gzip, head, chunks, done: () => {} };
    }

    let families: readonly MetricFamily[];
    try {
      families = await this.collectFn({
        url: req.url,
        params: req.url.searchParams,
        header: (n) => req.header(n),
      });
      if (!Array.isArray(families)) {
        throw new PromwireError('INVALID_ARGUMENT', `handler: collect must return an array of families, got ${typeof families}`);
      }
    } catch (err) {
      this.onError(err);
      const text = err instanceof Error ? err.message : String(err);
      return textAnswer(500, `500 Internal Server Error: collecting metrics failed: ${text}`);
    }
    let served = withDefaultLabels(families, this.defaultLabels);
    const self = this.self;
    if (self !== undefined) {
      self.countAnswer(200);
      served = served.concat(self.families(format));
    }
    const inner = encodeChunks(served, encodeOptions);
    if (self === undefined) return { kind: 'metrics', status: 200, headers, format, gzip, head, chunks: inner, done: () => {} };
    // Self-metrics: time spent inside the encoder only (not waiting on the network).
    let encodeMs = 0;
    const chunks: Iterator<Uint8Array> = {
      next: () => {
        const t = now();
        try {
          return inner.next();
        } finally {
          encodeMs += now() - t;
        }
      },
    };
    return {
      kind: 'metrics',
      status: 200,
      headers,
      format,
      gzip,
      head,
      chunks,
      done: (bytesSent: number) => {
        self.countEncode(encodeMs / 1000, bytesSent);
      },
    };
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
