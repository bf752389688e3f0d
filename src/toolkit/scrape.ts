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
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { PromwireError } from '../errors.js';
import type { Format, MetricFamily } from '../model/index.js';
import { detectFormat } from '../parse/detect.js';
import type { Limits } from '../parse/options.js';
import { DEFAULT_LIMITS } from '../parse/options.js';
import { parseStream } from '../parse/stream.js';
import { PROMETHEUS_ACCEPT } from './negotiate.js';
import { openRequest, statusError } from './http.js';
import type { BasicAuth, Exchange } from './http.js';

export type ScrapeOptions = Partial<
  Readonly<
    Omit<Limits, 'maxBodyBytes'> & {
      /**
       * Milliseconds for the whole scrape (connect, redirects, body), as
       * Prometheus' `scrape_timeout`. Defaults to 10000.
       */
      timeout: number;
      /** Extra request headers; an `accept` here replaces the one `format` picks. Defaults to none. */
      headers: Readonly<Record<string, string>>;
      /** HTTP basic auth credentials (sent only to the first host). Defaults to none. */
      basicAuth: Readonly<BasicAuth>;
      /**
       * Most bytes of (decompressed) body to read; over it the request is
       * aborted with a `LIMIT_EXCEEDED` error (Prometheus `body_size_limit`).
       * Defaults to `DEFAULT_LIMITS.maxBodyBytes` (1 GiB).
       */
      bodyLimit: number;
      /**
       * The format to ask for. `auto` sends the Accept header Prometheus
       * sends (OpenMetrics preferred, text 0.0.4 accepted); `text` or
       * `openmetrics` ask for that one. The answer's Content-Type decides how
       * it is parsed either way. Defaults to `auto`.
       */
      format: Format | 'auto';
      /** Redirects to follow before failing (Go's http.Client stops after 10). Defaults to 10. */
      maxRedirects: number;
      /** Ask for gzip (`Accept-Encoding: gzip`), as Prometheus does by default. Defaults to true. */
      compression: boolean;
      /** Cancels the scrape. Defaults to none. */
      signal: AbortSignal;
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

/** Accept headers for a fixed format (content types from exposition_formats.md and the OpenMetrics spec). */
const ACCEPT_TEXT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';
const ACCEPT_OPENMETRICS = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,*/*;q=0.1';

function acceptFor(format: Format | 'auto'): string {
  if (format === 'text') return ACCEPT_TEXT;
  if (format === 'openmetrics') return ACCEPT_OPENMETRICS;
  return PROMETHEUS_ACCEPT;
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
  const result = await scrapeEach(url, options, (f) => {
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
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const bodyLimit = options.bodyLimit ?? DEFAULT_LIMITS.maxBodyBytes;
  const userHeaders = options.headers ?? {};
  const headers: Record<string, string> = {
    'user-agent': 'promwire',
    // Prometheus tells the target how long it will wait (scrape.go).
    ...(Number.isFinite(timeout) ? { 'x-prometheus-scrape-timeout-seconds': String(timeout / 1000) } : {}),
  };
  if (!hasHeader(userHeaders, 'accept')) headers['accept'] = acceptFor(options.format ?? 'auto');
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
    const format: Format =
      contentType !== '' ? detectFormat(contentType) : options.format === 'openmetrics' ? 'openmetrics' : 'text';
    const counter = { bytes: 0 };
    const body = countBytes(ex, decode(ex, contentEncoding), bodyLimit, counter);
    const parserLimits: Partial<Limits> = { maxBodyBytes: bodyLimit };
    for (const k of ['maxLineLength', 'maxLabels', 'maxLabelNameLength', 'maxLabelValueLength', 'maxSeries'] as const) {
      const v = options[k];
      if (v !== undefined) parserLimits[k] = v;
    }
    try {
      for await (const family of parseStream(body, { ...parserLimits, format, contentType })) {
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

async function* countBytes(
  ex: Exchange,
  source: Readable,
  limit: number,
  counter: { bytes: number },
): AsyncGenerator<Uint8Array> {
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
