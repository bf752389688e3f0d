/**
 * The small HTTP client shared by `scrape` and `push` (Node only).
 *
 * It is built on `node:http` rather than `fetch` so that the scrape client
 * can stream the body through `node:zlib` with backpressure, stop reading the
 * moment a limit is crossed (destroying the socket, so an oversized body is
 * never downloaded), and tell a timeout from a reset.
 *
 * One deadline covers the whole exchange, redirects and body included, as
 * Prometheus' `scrape_timeout` does.
 */
import http from 'node:http';
import https from 'node:https';
import { PromwireError, brandErrorClass } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** Credentials for HTTP basic authentication (RFC 7617). */
export interface BasicAuth {
  username: string;
  password: string;
}

/**
 * An HTTP failure: a non-2xx answer (`status` set, `body` holding the start
 * of the server's text), a network error, a timeout (code `TIMEOUT`) or too
 * many redirects. `status` is 0 when no answer was received.
 */
export class HttpError extends PromwireError {
  /** HTTP status of the answer; 0 when there was none. */
  readonly status: number;
  /** The status text the server sent, or ''. */
  readonly statusText: string;
  /** The start of the answer's body (at most 4 KiB, decoded as UTF-8), or ''. */
  readonly body: string;
  /** The URL the failing request was sent to (after redirects). */
  readonly url: string;
  /** The request method. */
  readonly method: string;

  constructor(
    code: ErrorCode,
    reason: string,
    details: { status?: number; statusText?: string; body?: string; url: string; method: string; cause?: unknown },
  ) {
    super(code, reason);
    this.status = details.status ?? 0;
    this.statusText = details.statusText ?? '';
    this.body = details.body ?? '';
    this.url = details.url;
    this.method = details.method;
    if (details.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: details.cause, enumerable: false, configurable: true });
    }
  }
}
// After the class, not in a static block: a class body that names its class makes esbuild rename it (`class _HttpError`).
brandErrorClass(HttpError, 'HttpError');

export interface RequestSpec {
  url: string | URL;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array | undefined;
  basicAuth?: BasicAuth | undefined;
  /** Milliseconds for the whole exchange, body included; Infinity for none. */
  timeout: number;
  maxRedirects: number;
  signal?: AbortSignal | undefined;
}

/** An answered request whose body has not been read yet. */
export interface Exchange {
  response: http.IncomingMessage;
  /** The URL that answered (after redirects). */
  url: string;
  method: string;
  /** Maps an error met while reading the body to the error to report (timeout, abort). */
  mapError(err: unknown): unknown;
  /** Ends the exchange: clears the deadline and destroys the socket if the body was not read to the end. */
  close(): void;
  /** Aborts the exchange with this error (used when a limit is crossed). */
  abort(err: Error): void;
}

const MAX_ERROR_BODY = 4096;

/** Redirect statuses a client follows (RFC 9110 section 15.4), as Go's http.Client does. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function basicAuthHeader(auth: BasicAuth): string {
  // RFC 7617 section 2: base64 of "user-id:password", UTF-8 encoded.
  return 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
}

/** Request headers that carry credentials (fetch: CORS non-wildcard request-header names, plus cookies and proxy credentials). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * The headers for one request of the exchange: the caller's headers with
 * lower-cased names (HTTP field names are case-insensitive, RFC 9110 section
 * 5.1), the basic-auth option and the URL's userinfo; without any credential
 * once the exchange has left its first origin.
 */
function requestHeaders(spec: RequestSpec, url: URL, trusted: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers)) {
    const name = k.toLowerCase();
    if (!trusted && CREDENTIAL_HEADERS.has(name)) continue;
    headers[name] = v;
  }
  if (!trusted) return headers;
  if (spec.basicAuth !== undefined) headers['authorization'] = basicAuthHeader(spec.basicAuth);
  if (url.username !== '' && headers['authorization'] === undefined) {
    headers['authorization'] = basicAuthHeader({
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    });
  }
  return headers;
}

/**
 * The URL without `user:password@`: node:http would turn that into an
 * `Authorization` header of its own, past the rules of `requestHeaders`.
 */
function withoutUserinfo(url: URL): URL {
  if (url.username === '' && url.password === '') return url;
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  return u;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * Sends a request, follows redirects, and resolves once the final answer's
 * headers have arrived. Rejects with an `HttpError` (code `HTTP_ERROR` or
 * `TIMEOUT`); the caller reads the body and must call `close()`.
 */
export async function openRequest(spec: RequestSpec): Promise<Exchange> {
  const controller = new AbortController();
  let current = new URL(String(spec.url));
  const method = spec.method.toUpperCase();
  const body = spec.body;
  const startUrl = current.href;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failure: unknown;
  const fail = (err: unknown): void => {
    if (failure === undefined) failure = err;
    controller.abort(err);
  };
  if (Number.isFinite(spec.timeout)) {
    timer = setTimeout(() => {
      fail(
        new HttpError('TIMEOUT', `${method} ${current.href}: no complete answer within the timeout of ${spec.timeout} ms`, {
          url: current.href,
          method,
        }),
      );
    }, spec.timeout);
  }
  const onOuterAbort = (): void => {
    const reason: unknown = spec.signal?.reason;
    fail(
      reason instanceof PromwireError
        ? reason
        : new HttpError('HTTP_ERROR', `${method} ${current.href}: aborted by the caller`, { url: current.href, method, cause: reason }),
    );
  };
  if (spec.signal !== undefined) {
    if (spec.signal.aborted) onOuterAbort();
    else spec.signal.addEventListener('abort', onOuterAbort, { once: true });
  }
  const cleanup = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onOuterAbort);
  };
  const mapError = (err: unknown): unknown => {
    if (failure !== undefined) return failure;
    if (err instanceof PromwireError) return err;
    return new HttpError('HTTP_ERROR', `${method} ${current.href}: ${describe(err)}`, { url: current.href, method, cause: err });
  };

  // Credentials are for the origin they were given for. `trusted` turns
  // false on the first redirect to another origin and stays false: the fetch
  // standard's HTTP-redirect fetch removes `Authorization` on a cross-origin
  // redirect, and curl drops credentials when the host or port changes.
  const originalOrigin = current.origin;
  let trusted = true;
  try {
    for (let redirects = 0; ; redirects++) {
      if (failure !== undefined) throw failure;
      const headers = requestHeaders(spec, current, trusted);
      if (body !== undefined) headers['content-length'] = String(body.byteLength);
      const res = await send(withoutUserinfo(current), method, headers, body, controller.signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location !== undefined) {
        res.on('error', () => {}); // the redirect's own body is discarded, and so are its errors
        res.resume();
        const statusText = res.statusMessage ?? '';
        // RFC 9110 section 15.4: 301/302/303 let a client turn the request
        // into a GET without its body (Go's http.Client and fetch do). For a
        // write (PUT, POST, DELETE) that would report success for a write
        // that never happened, so such a redirect is an error; 307/308 keep
        // the method and body (RFC 9110 sections 15.4.8, 15.4.9) and are followed.
        if (status <= 303 && method !== 'GET' && method !== 'HEAD') {
          throw new HttpError(
            'HTTP_ERROR',
            `${method} ${current.href}: the server answered ${status} ${statusText} with Location ${location}; ` +
              `not followed, because a ${status} redirect turns ${method} into a GET without the body, so the request would not be made ` +
              `(only 307 and 308 keep the method and body)`,
            { status, statusText, url: current.href, method },
          );
        }
        if (redirects >= spec.maxRedirects) {
          throw new HttpError(
            'HTTP_ERROR',
            `${method} ${startUrl}: stopped after ${spec.maxRedirects} redirects (last answer ${status} from ${current.href} to ${location})`,
            { status, statusText, url: current.href, method },
          );
        }
        current = new URL(location, current);
        if (current.protocol !== 'http:' && current.protocol !== 'https:') {
          throw new HttpError('HTTP_ERROR', `${method} ${startUrl}: redirect to unsupported URL ${current.href}`, {
            status,
            url: current.href,
            method,
          });
        }
        // Another scheme, host or port is another origin (RFC 6454 section
        // 4); https -> http on the same host is one too, so credentials are
        // never sent in clear text after a downgrade.
        if (current.origin !== originalOrigin) trusted = false;
        continue;
      }
      let closed = false;
      return {
        response: res,
        url: current.href,
        method,
        mapError,
        abort: (err: Error) => {
          fail(err);
        },
        close: () => {
          if (closed) return;
          closed = true;
          cleanup();
          if (!res.complete) res.destroy();
        },
      };
    }
  } catch (err) {
    cleanup();
    throw mapError(err);
  }
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let mod: typeof http | typeof https;
    if (url.protocol === 'http:') mod = http;
    else if (url.protocol === 'https:') mod = https;
    else {
      reject(new Error(`unsupported URL scheme "${url.protocol}" (expected http: or https:)`));
      return;
    }
    const req = mod.request(url, { method, headers, signal });
    req.once('response', resolve);
    // `on`, not `once`: a later error (a reset while the body streams) must
    // not become an uncaught exception; the body reader sees it on the response.
    req.on('error', reject);
    req.end(body);
  });
}

/** Reads at most 4 KiB of a body as text, for an error message; never throws. */
export async function readErrorBody(ex: Exchange): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ex.response as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_BODY) break;
    }
  } catch {
    // The status is what matters; a body cut short is still worth showing.
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8').trim();
}

/** Reads the whole (small) body of an answer. */
export async function readBody(ex: Exchange, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ex.response as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        throw new PromwireError('LIMIT_EXCEEDED', `${ex.method} ${ex.url}: answer body larger than ${limit} bytes`, undefined, 'bodyLimit');
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw ex.mapError(err);
  }
  return Buffer.concat(chunks);
}

/** The error for a non-2xx answer, with the status and the start of the body. */
export async function statusError(ex: Exchange, what: string): Promise<HttpError> {
  const res = ex.response;
  const status = res.statusCode ?? 0;
  const statusText = res.statusMessage ?? '';
  const body = await readErrorBody(ex);
  return new HttpError(
    'HTTP_ERROR',
    `${what}: ${ex.method} ${ex.url}: server returned HTTP status ${status} ${statusText}` +
      (body !== '' ? `: ${body.length > 512 ? body.slice(0, 512) + '...' : body}` : ''),
    { status, statusText, body, url: ex.url, method: ex.method },
  );
}
