/**
 * The scrape client: fetches an exposition over HTTP the way Prometheus does
 * and streams it through the parser (Node only).
 *
 * The body is never held whole: it flows socket -> (gunzip) -> parseStream,
 * and the byte count is checked on every chunk, so a body over `bodyLimit` is
 * refused after reading at most one chunk past the limit and the socket is
 * destroyed (Prometheus' `body_size_limit` also counts decompressed bytes and
 * fails the scrape).
 */
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { PromwireError } from '../errors.js';
import type { Format, MetricFamily } from '../model/index.js';
import type { Limits } from '../parse/options.js';
import { DEFAULT_LIMITS } from '../parse/options.js';
import { parseStream } from '../parse/stream.js';
import { estimateFamilyBytes } from '../parse/families.js';
import { isEscapingScheme, type EscapingScheme } from '../core/names.js';
import {
  DEFAULT_SCRAPE_PROTOCOLS,
  PROMETHEUS_ACCEPT,
  SCRAPE_PROTOCOL_HEADERS,
  scrapeAcceptHeader,
  type ScrapeProtocol,
} from './negotiate.js';
import { HttpError, openRequest, statusError } from './http.js';
import type { BasicAuth, Exchange, ProxyOption, TlsOptions } from './http.js';

export type ScrapeOptions = Partial<
  Readonly<
    Omit<Limits, 'maxBodyBytes'> & {
      /**
       * Milliseconds for the whole scrape (connect, redirects, body), as
       * Prometheus' `scrape_timeout`. Defaults to 10000.
       */
      timeout: number;
      /**
       * Extra request headers; an `accept` here replaces the one `format`
       * picks. `Authorization`, `Cookie` and `Proxy-Authorization` (any
       * case) are sent only to the URL's origin, never after a redirect to
       * another scheme, host or port. Defaults to none.
       */
      headers: Readonly<Record<string, string>>;
      /** HTTP basic auth credentials, sent only to the URL's origin (scheme, host and port), never after a redirect away from it. Defaults to none. */
      basicAuth: Readonly<BasicAuth>;
      /**
       * Most bytes of (decompressed) body to read; over it the request is
       * aborted with a `LIMIT_EXCEEDED` error (Prometheus `body_size_limit`).
       * Defaults to `DEFAULT_LIMITS.maxBodyBytes` (1 GiB).
       */
      bodyLimit: number;
      /**
       * The format to ask for. `auto` sends Prometheus 3.5's default Accept
       * header (`PROMETHEUS_ACCEPT`); `text` and `openmetrics` send the one
       * Prometheus sends with `scrape_protocols` set to that format's two
       * versions; `protobuf` the one for `[PrometheusProto]` alone (a target
       * that does not serve it answers `*\/*` with text). The answer's
       * Content-Type decides how it is parsed either way. Defaults to `auto`.
       */
      format: Format | 'auto';
      /**
       * Ask as Prometheus does with `scrape_protocols` set to this list, in
       * order of preference (scrape.go acceptHeader; names as in
       * `SCRAPE_PROTOCOL_HEADERS`, `PrometheusText0.0.4` also accepted):
       * `PROTO_FIRST_SCRAPE_PROTOCOLS` is what Prometheus 3.5 asks with
       * native histograms enabled. Overrides `format`. Defaults to none.
       */
      protocols: readonly (ScrapeProtocol | string)[];
      /**
       * The `escaping=` sent with the protocols that carry UTF-8 names
       * (Prometheus `metric_name_escaping_scheme`), for `protocols` and
       * `format`. Defaults to `allow-utf-8`, as Prometheus 3.5.
       */
      escaping: EscapingScheme;
      /**
       * How to parse an answer whose Content-Type is missing, malformed or
       * not an exposition format (`text/html`), as Prometheus'
       * `fallback_scrape_protocol`. Without it such an answer is an
       * `HTTP_ERROR` naming the URL and the Content-Type, as Prometheus 3
       * fails the scrape. Defaults to none.
       */
      fallbackFormat: Format;
      /** Redirects to follow before failing (Go's http.Client stops after 10). Defaults to 10. */
      maxRedirects: number;
      /** Ask for gzip (`Accept-Encoding: gzip`), as Prometheus does by default. Defaults to true. */
      compression: boolean;
      /** Cancels the scrape. Defaults to none. */
      signal: AbortSignal;
      /** TLS for https: URLs (CA, client certificate, server name, skipping verification), as Prometheus' `tls_config`. Defaults to Node's. */
      tls: TlsOptions;
      /**
       * An HTTP proxy URL, or `'environment'` for `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY`
       * (see `ProxyOption`). Credentials (`basicAuth`, `Authorization`) go to the
       * target only; the proxy gets the proxy URL's own as `Proxy-Authorization`.
       * Defaults to none: a direct connection, whatever the environment says.
       */
      proxy: ProxyOption;
    }
  >
>;

export interface ScrapeResult {
  families: MetricFamily[];
  /** The format the body was parsed as (from the answer's Content-Type). */
  format: Format;
  /** The answer's Content-Type, or '' when it sent none. */
  contentType: string;
  /** The answer's Content-Encoding, or 'identity'. */
  contentEncoding: string;
  /** HTTP status of the answer. */
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  /** Body bytes after decompression. */
  bytes: number;
}

const DEFAULT_TIMEOUT = 10_000;
const DEFAULT_MAX_REDIRECTS = 10;

/** The `scrape_protocols` Prometheus 3.5 is given for each `format`. */
const PROTOCOLS_FOR: Readonly<Record<Format, readonly ScrapeProtocol[]>> = {
  text: ['PrometheusText1_0_0', 'PrometheusText0_0_4'],
  openmetrics: ['OpenMetricsText1_0_0', 'OpenMetricsText0_0_1'],
  protobuf: ['PrometheusProto'],
};

/**
 * A scrape protocol by Prometheus' name (`OpenMetricsText1.0.0`) or
 * promwire's (`OpenMetricsText1_0_0`); throws naming the known ones.
 */
export function scrapeProtocol(name: string): ScrapeProtocol {
  const key = name.replace(/\./g, '_');
  if (Object.hasOwn(SCRAPE_PROTOCOL_HEADERS, key)) return key as ScrapeProtocol;
  const known = Object.keys(SCRAPE_PROTOCOL_HEADERS)
    .map((k) => k.replace(/(\d)_(\d)_(\d)/, '$1.$2.$3'))
    .join(', ');
  throw new PromwireError('INVALID_ARGUMENT', `scrape: unknown scrape protocol ${JSON.stringify(name)} (expected one of: ${known})`);
}

/**
 * The Accept header for the options: `protocols` as Prometheus sends it,
 * else `format`'s protocols, else (auto, default escaping) exactly
 * Prometheus 3.5's default header.
 */
function acceptFor(options: ScrapeOptions): string {
  const escaping = options.escaping ?? 'allow-utf-8';
  if (options.protocols !== undefined) {
    if (options.protocols.length === 0) throw new PromwireError('INVALID_ARGUMENT', 'scrape: expected at least one scrape protocol');
    return scrapeAcceptHeader(options.protocols.map(scrapeProtocol), escaping);
  }
  const format = options.format ?? 'auto';
  if (format === 'auto') return escaping === 'allow-utf-8' ? PROMETHEUS_ACCEPT : scrapeAcceptHeader(DEFAULT_SCRAPE_PROTOCOLS, escaping);
  const protocols = PROTOCOLS_FOR[format];
  if (protocols === undefined) {
    throw new PromwireError(
      'INVALID_ARGUMENT',
      `scrape: expected format 'auto', 'text', 'openmetrics' or 'protobuf', got ${JSON.stringify(format)}`,
    );
  }
  return scrapeAcceptHeader(protocols, escaping);
}

/** RFC 9110 section 5.6.2 token characters. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE_RE = new RegExp(`^${TOKEN}(/${TOKEN})?$`);
const PARAM_RE = new RegExp(`^\\s*(${TOKEN})\\s*=\\s*(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")\\s*$`);

/**
 * The media type of a Content-Type, lower-cased, or undefined when it does
 * not parse (Go's mime.ParseMediaType, which Prometheus uses: `type/subtype`
 * tokens, then `; name=value` parameters, token or quoted, names unique;
 * trailing semicolons are ignored).
 */
function mediaTypeOf(contentType: string): string | undefined {
  const parts = contentType.split(';');
  const mediaType = parts[0]!.trim().toLowerCase();
  if (!MEDIA_TYPE_RE.test(mediaType)) return undefined;
  const names = new Set<string>();
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.trim() === '') {
      if (parts.slice(i).every((p) => p.trim() === '')) break; // trailing semicolons
      return undefined;
    }
    const m = PARAM_RE.exec(part);
    // A quoted value may hold `;`: rejoin with the next part and try again.
    if (m === null) {
      if (part.includes('"') && i + 1 < parts.length) {
        parts[i + 1] = part + ';' + parts[i + 1]!;
        continue;
      }
      return undefined;
    }
    const name = m[1]!.toLowerCase();
    if (names.has(name)) return undefined;
    names.add(name);
  }
  return mediaType;
}

/**
 * The parser for an answer, chosen from its Content-Type the way
 * Prometheus 3.5 does (model/textparse/interface.go `extractMediaType`
 * and `New`): only the media type counts, whatever its version
 * (`application/openmetrics-text` -> OpenMetrics, `text/plain` -> text,
 * `application/vnd.google.protobuf` -> protobuf, its `proto=` and
 * `encoding=` not looked at); a missing, malformed or other type takes the
 * fallback, and with none fails the scrape.
 */
function formatFor(ex: Exchange, contentType: string, fallback: Format | undefined): Format {
  const fail = (reason: string): HttpError =>
    new HttpError('HTTP_ERROR', `scrape ${ex.method} ${ex.url}: ${reason}`, {
      status: ex.response.statusCode ?? 0,
      statusText: ex.response.statusMessage ?? '',
      url: ex.url,
      method: ex.method,
    });
  const noFallback = 'and no fallbackFormat given (Prometheus: fallback_scrape_protocol)';
  if (contentType.trim() === '') {
    if (fallback !== undefined) return fallback;
    throw fail(`the answer has no Content-Type ${noFallback}`);
  }
  const mediaType = mediaTypeOf(contentType);
  switch (mediaType) {
    case 'application/openmetrics-text':
      return 'openmetrics';
    case 'text/plain':
      return 'text';
    case 'application/vnd.google.protobuf':
      return 'protobuf';
  }
  if (fallback !== undefined) return fallback;
  throw fail(
    mediaType === undefined
      ? `cannot parse Content-Type "${contentType}" ${noFallback}`
      : `unsupported Content-Type "${contentType}" (expected text/plain, application/openmetrics-text or application/vnd.google.protobuf) ${noFallback}`,
  );
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) return true;
  return false;
}

function lowerHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

function checkPositive(name: string, v: number | undefined, allowInfinity: boolean): void {
  if (v === undefined) return;
  if (!(v > 0) || (!allowInfinity && !Number.isFinite(v))) {
    throw new PromwireError('INVALID_ARGUMENT', `scrape: expected ${name} to be a positive number, got ${String(v)}`);
  }
}

/**
 * Scrapes `url` and returns its families, the format and the content type.
 *
 * Errors (all `PromwireError`): `HTTP_ERROR` for a non-2xx answer (an
 * `HttpError` carrying status and body), a network error or too many
 * redirects; `TIMEOUT` when the whole scrape takes longer than `timeout`;
 * `LIMIT_EXCEEDED` when the body or one of the parser's limits is exceeded;
 * the parser's own codes for a malformed payload.
 */
export async function scrape(url: string | URL, options: ScrapeOptions = {}): Promise<ScrapeResult> {
  const families: MetricFamily[] = [];
  // scrape() keeps every family, so the model budget counts them all
  // (parseStream alone counts only the family it holds).
  const budget = options.maxModelBytes ?? DEFAULT_LIMITS.maxModelBytes;
  let held = 0;
  const result = await scrapeEach(url, options, (f) => {
    held += estimateFamilyBytes(f);
    if (held > budget) {
      throw new PromwireError(
        'LIMIT_EXCEEDED',
        `scrape: the families read from ${String(url)} would take about ${Math.round(held / 1048576)} MiB of heap, over maxModelBytes (${Math.round(budget / 1048576)} MiB); raise maxModelBytes, or use scrapeEach() to handle one family at a time`,
        undefined,
        'maxModelBytes',
      );
    }
    families.push(f);
  });
  return { ...result, families };
}

/**
 * Like `scrape`, but hands each family to `onFamily` as soon as it is
 * complete instead of collecting them, so memory stays bounded by the largest
 * family rather than the whole payload.
 */
export async function scrapeEach(
  url: string | URL,
  options: ScrapeOptions,
  onFamily: (family: MetricFamily) => void | Promise<void>,
): Promise<Omit<ScrapeResult, 'families'>> {
  checkPositive('timeout', options.timeout, true);
  checkPositive('bodyLimit', options.bodyLimit, true);
  const fb = options.fallbackFormat;
  if (fb !== undefined && fb !== 'text' && fb !== 'openmetrics' && fb !== 'protobuf') {
    throw new PromwireError(
      'INVALID_ARGUMENT',
      `scrape: expected fallbackFormat 'text', 'openmetrics' or 'protobuf', got ${JSON.stringify(fb)}`,
    );
  }
  if (options.escaping !== undefined && !isEscapingScheme(options.escaping)) {
    throw new PromwireError('INVALID_ARGUMENT', `scrape: unknown escaping ${JSON.stringify(options.escaping)}`);
  }
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const bodyLimit = options.bodyLimit ?? DEFAULT_LIMITS.maxBodyBytes;
  const userHeaders = options.headers ?? {};
  const headers: Record<string, string> = {
    'user-agent': 'promwire',
    // Prometheus tells the target how long it will wait (scrape.go).
    ...(Number.isFinite(timeout) ? { 'x-prometheus-scrape-timeout-seconds': String(timeout / 1000) } : {}),
  };
  if (!hasHeader(userHeaders, 'accept')) headers['accept'] = acceptFor(options);
  if (options.compression !== false && !hasHeader(userHeaders, 'accept-encoding')) headers['accept-encoding'] = 'gzip';
  Object.assign(headers, lowerHeaders(userHeaders));

  const ex = await openRequest({
    url,
    method: 'GET',
    headers,
    basicAuth: options.basicAuth,
    timeout,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    signal: options.signal,
    tls: options.tls,
    proxy: options.proxy,
  });
  try {
    const res = ex.response;
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw await statusError(ex, 'scrape');
    const contentType = res.headers['content-type'] ?? '';
    const contentEncoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    // A Content-Length already over the limit is refused before reading.
    const declared = Number(res.headers['content-length']);
    if ((contentEncoding === 'identity' || contentEncoding === '') && declared > bodyLimit) {
      throw limitError(ex, bodyLimit, declared, true);
    }
    const counter = { bytes: 0 };
    const body = countBytes(ex, decode(ex, contentEncoding), bodyLimit, counter);
    // An empty body is an empty scrape whatever its Content-Type: Prometheus
    // looks at the length before choosing a parser (scrape/scrape.go
    // scrapeLoop.append, `len(b) == 0`).
    const first = await body.next();
    if (first.done === true) {
      let format: Format = options.fallbackFormat ?? 'text';
      try {
        format = formatFor(ex, contentType, options.fallbackFormat);
      } catch {
        // no parser needed for no bytes
      }
      return { format, contentType, contentEncoding, status, url: ex.url, bytes: 0 };
    }
    let format: Format;
    try {
      format = formatFor(ex, contentType, options.fallbackFormat);
    } catch (err) {
      await body.return(undefined); // frees the decompressor too
      throw err;
    }
    const chunks = prepend(first.value, body);
    // Every parser limit the caller set applies, to protobuf as to text
    // (bodyLimit stands for maxBodyBytes).
    const parserLimits: Partial<Record<keyof Limits, number>> = { maxBodyBytes: bodyLimit };
    for (const k of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
      const v = (options as Partial<Record<keyof Limits, number>>)[k];
      if (k !== 'maxBodyBytes' && v !== undefined) parserLimits[k] = v;
    }
    try {
      for await (const family of parseStream(chunks, { ...parserLimits, format })) {
        await onFamily(family);
      }
    } catch (err) {
      throw ex.mapError(err);
    }
    return {
      format,
      contentType,
      contentEncoding,
      status,
      url: ex.url,
      bytes: counter.bytes,
    };
  } finally {
    ex.close();
  }
}

function limitError(ex: Exchange, limit: number, seen: number, declared: boolean): PromwireError {
  return new PromwireError(
    'LIMIT_EXCEEDED',
    `scrape ${ex.url}: body exceeds bodyLimit of ${limit} bytes (${declared ? `Content-Length is ${seen}` : `read ${seen} bytes so far`}); request aborted`,
    undefined,
    'bodyLimit',
  );
}

/** The body stream, decompressed per Content-Encoding (RFC 9110 section 8.4). */
function decode(ex: Exchange, encoding: string): Readable {
  const res = ex.response;
  let inflater: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
  switch (encoding) {
    case '':
    case 'identity':
      return res;
    case 'gzip':
    case 'x-gzip':
      inflater = zlib.createGunzip();
      break;
    case 'deflate':
      inflater = zlib.createInflate();
      break;
    case 'br':
      inflater = zlib.createBrotliDecompress();
      break;
    default:
      throw new PromwireError(
        'HTTP_ERROR',
        `scrape ${ex.url}: unsupported Content-Encoding "${encoding}" (expected gzip, deflate, br or identity)`,
      );
  }
  res.on('error', (err) => inflater.destroy(err));
  res.pipe(inflater);
  return inflater;
}

async function* prepend(first: Uint8Array, rest: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  yield* rest;
}

async function* countBytes(ex: Exchange, source: Readable, limit: number, counter: { bytes: number }): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      counter.bytes += chunk.length;
      if (counter.bytes > limit) {
        const err = limitError(ex, limit, counter.bytes, false);
        // Destroy the socket now: the rest of the body is never downloaded.
        ex.abort(err);
        throw err;
      }
      yield chunk;
    }
  } catch (err) {
    throw ex.mapError(err);
  } finally {
    if (!source.destroyed) source.destroy();
  }
}
