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
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
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

/**
 * TLS settings for https: URLs, after Prometheus' `tls_config` (ca, ca_file,
 * cert, cert_file, key, key_file, server_name, insecure_skip_verify). PEM
 * text or a file name for each; a file is read on every request, so a
 * renewed certificate is picked up without a restart (as Prometheus does).
 */
export type TlsOptions = Partial<
  Readonly<{
    /** PEM CA certificate(s) to verify the server with, instead of Node's built-in roots. Defaults to Node's roots. */
    ca: string | Uint8Array;
    /** File holding `ca`. Defaults to none. */
    caFile: string;
    /** PEM client certificate (mutual TLS), with `key`. Defaults to none. */
    cert: string | Uint8Array;
    /** File holding `cert`. Defaults to none. */
    certFile: string;
    /** PEM private key of the client certificate. Defaults to none. */
    key: string | Uint8Array;
    /** File holding `key`. Defaults to none. */
    keyFile: string;
    /** Name to send (SNI) and verify the certificate against. Defaults to the URL's host. */
    serverName: string;
    /** Accept any server certificate (no verification at all: testing only). Defaults to false. */
    insecureSkipVerify: boolean;
  }>
>;

/**
 * Where requests go through an HTTP proxy: a URL (`http://[user:pass@]host:port`,
 * its userinfo sent as `Proxy-Authorization` to the proxy alone), or
 * `'environment'` to use `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` (and their
 * lower-case forms) as Go's `http.ProxyFromEnvironment` reads them, which
 * Prometheus' `proxy_from_environment` uses: loopback hosts and `localhost`
 * are never proxied. Prometheus does not read the environment unless asked,
 * and neither does promwire.
 *
 * https: targets go through a `CONNECT` tunnel (the proxy sees the host and
 * port, never the request); http: targets are sent to the proxy in absolute
 * form (RFC 9112 section 3.2.2), so the proxy reads the request, its headers
 * included, as any hop of a plain-http path can: send credentials over https.
 */
export type ProxyOption = string | URL | 'environment';

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
  tls?: TlsOptions | undefined;
  proxy?: ProxyOption | undefined;
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
    // Proxy credentials come from the proxy URL and go to the proxy alone (see `send`).
    if (name === 'proxy-authorization' && spec.proxy !== undefined) continue;
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
    const tlsOptions = await loadTls(spec.tls);
    for (let redirects = 0; ; redirects++) {
      if (failure !== undefined) throw failure;
      const headers = requestHeaders(spec, current, trusted);
      if (body !== undefined) headers['content-length'] = String(body.byteLength);
      const via = proxyFor(current, spec.proxy);
      const res = await send(withoutUserinfo(current), method, headers, body, controller.signal, tlsOptions, via);
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

/** The TLS options node:tls takes, with the files of `TlsOptions` read. */
type LoadedTls = Pick<tls.ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> & { serverName?: string };

async function loadTls(o: TlsOptions | undefined): Promise<LoadedTls> {
  if (o === undefined) return {};
  const pem = async (
    value: string | Uint8Array | undefined,
    file: string | undefined,
    what: string,
  ): Promise<string | Buffer | undefined> => {
    if (value !== undefined && file !== undefined) {
      throw new PromwireError('INVALID_ARGUMENT', `tls: give ${what} or ${what}File, not both (as Prometheus' tls_config)`);
    }
    if (file === undefined) return typeof value === 'string' || value === undefined ? value : Buffer.from(value);
    try {
      return await readFile(file);
    } catch (e) {
      throw new PromwireError('INVALID_ARGUMENT', `tls: cannot read ${what}File ${file}: ${describe(e)}`);
    }
  };
  const out: LoadedTls = {};
  const ca = await pem(o.ca, o.caFile, 'ca');
  const cert = await pem(o.cert, o.certFile, 'cert');
  const key = await pem(o.key, o.keyFile, 'key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new PromwireError('INVALID_ARGUMENT', 'tls: a client certificate needs both cert (or certFile) and key (or keyFile)');
  }
  if (ca !== undefined) out.ca = ca;
  if (cert !== undefined) out.cert = cert;
  if (key !== undefined) out.key = key;
  if (o.insecureSkipVerify === true) out.rejectUnauthorized = false;
  if (o.serverName !== undefined) out.serverName = o.serverName;
  return out;
}

/** The environment variable `name`, upper-case first, as Go's httpproxy reads it (`REQUEST_METHOD` aside). */
function envVar(env: NodeJS.ProcessEnv, name: string): string {
  return env[name.toUpperCase()] ?? env[name.toLowerCase()] ?? '';
}

/**
 * The proxy for `url` under `option`, or undefined to connect directly.
 * For `'environment'`: golang.org/x/net/http/httpproxy `Config.proxyForURL`
 * and `useProxy`: `HTTPS_PROXY` for https: URLs, `HTTP_PROXY` for http:
 * ones; never `localhost` or a loopback address; `NO_PROXY` a comma list
 * of `*`, host names (also matching their subdomains; a leading `.` too),
 * IP addresses and CIDR ranges, each optionally with `:port`.
 */
export function proxyFor(url: URL, option: ProxyOption | undefined, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  if (option === undefined) return undefined;
  let raw: string;
  if (option === 'environment') {
    const host = bareHost(url);
    if (host === 'localhost' || isLoopback(host)) return undefined;
    raw = envVar(env, url.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
    if (raw === '' || noProxy(url, envVar(env, 'no_proxy'))) return undefined;
    // Go's httpproxy: a value without a scheme means http://.
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) raw = `http://${raw}`;
  } else raw = String(option);
  return parseProxyUrl(raw);
}

function isLoopback(host: string): boolean {
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || /^0*:?(0*:)*:?0*1$/.test(host) || host.toLowerCase() === '::ffff:127.0.0.1';
  return false;
}

/** Does `NO_PROXY` exclude `url`? (httpproxy `useProxy`, see proxyFor.) */
function noProxy(url: URL, list: string): boolean {
  const host = bareHost(url).toLowerCase();
  const port = defaultPort(url);
  for (let entry of list.split(',')) {
    entry = entry.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort = '';
    const cidr = entry.includes('/') ? entry : undefined;
    if (cidr !== undefined) {
      const [base, bits] = cidr.split('/');
      if (net.isIP(host) !== 0 && base !== undefined && bits !== undefined) {
        const bl = new net.BlockList();
        try {
          bl.addSubnet(base, Number(bits), net.isIPv6(base) ? 'ipv6' : 'ipv4');
          if (bl.check(host, net.isIPv6(host) ? 'ipv6' : 'ipv4')) return true;
        } catch {
          // not a valid CIDR: ignored, as Go ignores it
        }
      }
      continue;
    }
    if (entry.startsWith('[')) {
      const m = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry);
      if (m === null) continue;
      entry = m[1]!;
      entryPort = m[2] ?? '';
    } else if (!net.isIPv6(entry)) {
      const m = /^(.*):(\d+)$/.exec(entry);
      if (m !== null) {
        entry = m[1]!;
        entryPort = m[2]!;
      }
    }
    if (entryPort !== '' && entryPort !== port) continue;
    if (net.isIP(entry) !== 0) {
      if (entry === host) return true;
      continue;
    }
    const name = entry.startsWith('*.') ? entry.slice(1) : entry;
    if (name.startsWith('.') ? host.endsWith(name) || host === name.slice(1) : host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** `Proxy-Authorization` from the proxy URL's userinfo (RFC 9110 section 11.7.1), or undefined. */
function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '' && proxy.password === '') return undefined;
  return basicAuthHeader({ username: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) });
}

/** The host of `url` without an IPv6 address's brackets (as node:net and node:tls take it). */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** The port of `url`, its scheme's default (443 for https:, else 80) when it names none. */
function defaultPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** host:port of `url`, the port always written (the CONNECT request target, RFC 9110 section 9.3.6). */
function authority(url: URL): string {
  return `${url.hostname}:${defaultPort(url)}`;
}

/**
 * A TCP tunnel to `target` through `proxy` (an HTTP CONNECT): only
 * `Host` and the proxy's own credentials are sent to the proxy.
 */
function tunnel(proxy: URL, target: URL, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: authority(target) };
    const auth = proxyAuthorization(proxy);
    if (auth !== undefined) headers['proxy-authorization'] = auth;
    const req = http.request({
      host: bareHost(proxy),
      port: proxy.port || 80,
      method: 'CONNECT',
      path: authority(target),
      headers,
      signal,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) {
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(
        new Error(
          `proxy ${proxy.host} refused the tunnel to ${authority(target)}: ${res.statusCode ?? 0} ${res.statusMessage ?? ''}` +
            (res.statusCode === 407 ? ' (the proxy wants credentials: give them in the proxy URL, http://user:pass@host:port)' : ''),
        ),
      );
    });
    req.once('response', (res) => {
      res.resume();
      reject(new Error(`proxy ${proxy.host} answered CONNECT ${authority(target)} with ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`));
    });
    req.on('error', reject);
    req.end();
  });
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
  signal: AbortSignal,
  tlsOptions: LoadedTls,
  proxy: URL | undefined,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new Error(`unsupported URL scheme "${url.protocol}" (expected http: or https:)`));
      return;
    }
    const host = bareHost(url);
    const { serverName, ...secure } = tlsOptions;
    // SNI carries a host name, never an IP address (RFC 6066 section 3).
    const servername = serverName ?? (net.isIP(host) === 0 ? host : undefined);
    const tlsFor = (): tls.ConnectionOptions => ({ ...secure, host, ...(servername !== undefined ? { servername } : {}) });
    const start = (req: http.ClientRequest): void => {
      req.once('response', resolve);
      // `on`, not `once`: a later error (a reset while the body streams) must
      // not become an uncaught exception; the body reader sees it on the response.
      req.on('error', (e) => reject(explainTls(e, url)));
      req.end(body);
    };
    if (proxy === undefined) {
      if (url.protocol === 'http:') start(http.request(url, { method, headers, signal }));
      else start(https.request(url, { method, headers, signal, ...tlsFor() }));
      return;
    }
    if (url.protocol === 'http:') {
      // Absolute form to the proxy (RFC 9112 section 3.2.2); `Host` stays the target's.
      const h: Record<string, string> = { ...headers, host: url.host };
      const auth = proxyAuthorization(proxy);
      if (auth !== undefined) h['proxy-authorization'] = auth;
      start(
        http.request({
          host: bareHost(proxy),
          port: proxy.port || 80,
          method,
          path: url.href,
          headers: h,
          signal,
        }),
      );
      return;
    }
    tunnel(proxy, url, signal).then((socket) => {
      const secured = tls.connect({ ...tlsFor(), socket });
      start(
        http.request({
          host,
          port: url.port || 443,
          method,
          path: url.pathname + url.search,
          headers: { ...headers, host: url.host },
          signal,
          createConnection: () => secured,
        }),
      );
    }, reject);
  });
}

/** Certificate errors with what to do about them. */
function explainTls(e: unknown, url: URL): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(e instanceof Error)) return e;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/.test(code)) {
    e.message += ` (verifying ${url.host}'s certificate: give its CA with tls.caFile / --ca-file, its name with tls.serverName, or skip verification with tls.insecureSkipVerify / --insecure-skip-verify)`;
  }
  return e;
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

/** A proxy URL, parsed: an http: URL, or an INVALID_ARGUMENT error (for proxyFor and the CLI's `--proxy`). */
export function parseProxyUrl(raw: string): URL {
  let proxy: URL;
  try {
    proxy = new URL(raw);
  } catch {
    throw new PromwireError('INVALID_ARGUMENT', `proxy: cannot parse proxy URL ${JSON.stringify(raw)} (expected http://host:port)`);
  }
  if (proxy.protocol !== 'http:') {
    throw new PromwireError('INVALID_ARGUMENT', `proxy: expected an http: proxy URL, got ${JSON.stringify(proxy.protocol)} (${raw})`);
  }
  return proxy;
}
