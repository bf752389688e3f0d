/**
 * The `node:http` exposition handler: `(req, res, next?)`, so it serves as a
 * plain `http.createServer` callback, as Express middleware or route, and in
 * Fastify through `reply.hijack()` with `request.raw` / `reply.raw`.
 *
 * Order of work per request: route, method, auth, format, collect, then the
 * first encoded chunk, and only then the headers. A collect that fails gives
 * a clean 500; an error after the headers (an encoder error halfway through)
 * destroys the connection so the client sees a broken response rather than a
 * short body that looks whole.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import { PromwireError } from '../errors.js';
import { ExpositionCore } from './exposition.js';
import type { Answer, HandlerOptions } from './exposition.js';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => Promise<void>;

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Constant-time credential check: both sides are hashed first so that the
 * comparison takes the same time whatever the lengths, then compared with
 * `crypto.timingSafeEqual`. User and password are both always compared.
 */
function fixedCredentials(username: string, password: string): (u: string, p: string) => boolean {
  const user = sha256(username);
  const pass = sha256(password);
  return (u, p) => {
    const okUser = timingSafeEqual(sha256(u), user);
    const okPass = timingSafeEqual(sha256(p), pass);
    return okUser && okPass;
  };
}

/**
 * Sets headers with setHeader (not writeHead's argument) so that Express
 * and Fastify middleware, and tests, can still read them with getHeader.
 */
function setHeaders(res: ServerResponse, headers: Record<string, string>): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
}

/** Yields to the event loop, so other requests and timers run between chunks. */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits for `event` ('drain' or 'finish'), for the stream to close or fail,
 * or for `timeout` ms. Resolves 'ok', 'closed' or 'timeout'.
 */
function waitFor(stream: NodeJS.EventEmitter, event: 'drain' | 'finish', timeout: number): Promise<'ok' | 'closed' | 'timeout'> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (r: 'ok' | 'closed' | 'timeout') => () => {
      if (timer !== undefined) clearTimeout(timer);
      stream.off(event, onOk);
      stream.off('close', onClose);
      stream.off('error', onClose);
      resolve(r);
    };
    const onOk = done('ok');
    const onClose = done('closed');
    stream.once(event, onOk);
    stream.once('close', onClose);
    stream.once('error', onClose);
    if (Number.isFinite(timeout)) timer = setTimeout(done('timeout'), timeout);
  });
}

function writeTimeoutError(ms: number): PromwireError {
  return new PromwireError(
    'TIMEOUT',
    `handler: the client read nothing of the metrics answer for the writeTimeout of ${ms} ms; connection closed`,
  );
}

/**
 * Creates the node:http handler. Options as in `HandlerOptions` (path,
 * metrics or collect, basic auth, default labels, gzip, self-metrics...).
 */
export function createNodeHandler(options: HandlerOptions): NodeHandler {
  const core = new ExpositionCore(options);
  const auth = options.basicAuth;
  const checkAuth: (u: string, p: string) => Promise<boolean> =
    auth === undefined
      ? async () => true
      : typeof auth === 'function'
        ? async (u, p) => (await auth(u, p)) === true
        : (
            (check) => async (u: string, p: string) =>
              check(u, p)
          )(fixedCredentials(auth.username, auth.password));

  return async function promwireHandler(req, res, next) {
    let answer: Answer;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      answer = await core.answer(
        {
          method: req.method ?? 'GET',
          url,
          header: (name) => {
            const v = req.headers[name.toLowerCase()];
            return Array.isArray(v) ? v.join(', ') : v;
          },
        },
        checkAuth,
        next !== undefined,
      );
    } catch (err) {
      core.onError(err);
      answer = {
        kind: 'text',
        status: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: `500 Internal Server Error: ${err instanceof Error ? err.message : String(err)}\n`,
      };
    }
    if (answer.kind === 'pass') {
      next?.();
      return;
    }
    if (answer.kind === 'text') {
      const body = Buffer.from(answer.body, 'utf8');
      setHeaders(res, { ...answer.headers, 'content-length': String(body.length) });
      res.writeHead(answer.status);
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    await serveMetrics(core, answer, req, res);
  };
}

async function serveMetrics(
  core: ExpositionCore,
  answer: Extract<Answer, { kind: 'metrics' }>,
  _req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (answer.head) {
    // Headers only: the core collected and encoded nothing.
    setHeaders(res, answer.headers);
    res.writeHead(200);
    res.end();
    answer.done(0);
    return;
  }
  const chunks = answer.chunks;
  // Pull the first chunk before the headers go out: an encoder error on the
  // families (an invalid name) still gets a clean 500.
  let first: IteratorResult<Uint8Array>;
  try {
    first = chunks.next();
  } catch (err) {
    core.onError(err);
    const body = Buffer.from(`500 Internal Server Error: encoding metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
    setHeaders(res, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) });
    res.writeHead(500);
    res.end(body);
    return;
  }
  setHeaders(res, answer.headers);
  res.writeHead(200);
  let out: NodeJS.WritableStream & { destroyed?: boolean } = res;
  let gzip: zlib.Gzip | undefined;
  let compressed = 0;
  if (answer.gzip) {
    gzip = zlib.createGzip();
    gzip.on('data', (c: Buffer) => {
      compressed += c.length;
    });
    gzip.on('error', (err) => res.destroy(err));
    gzip.pipe(res);
    out = gzip;
  }
  let bytesIn = 0;
  try {
    let r = first;
    while (r.done !== true) {
      if (res.destroyed) {
        // The client went away: stop encoding and free the compressor.
        gzip?.destroy();
        return;
      }
      bytesIn += r.value.byteLength;
      if (!out.write(r.value)) {
        // A client that stops reading would hold the connection and the
        // unsent chunks forever: give up after writeTimeout without drain.
        const w = await waitFor(out, 'drain', answer.writeTimeout);
        if (w !== 'ok') {
          if (w === 'timeout') stalled(core, answer.writeTimeout, res);
          gzip?.destroy();
          return;
        }
      }
      // Yield between chunks so a big set does not stall the process.
      await yieldToLoop();
      r = chunks.next();
    }
  } catch (err) {
    // Headers are gone: break the connection rather than end a body that
    // would look complete.
    core.onError(err);
    gzip?.destroy();
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  const finished = waitFor(res, 'finish', answer.writeTimeout);
  out.end();
  if ((await finished) === 'timeout') {
    gzip?.destroy();
    stalled(core, answer.writeTimeout, res);
    return;
  }
  answer.done(gzip !== undefined ? compressed : bytesIn);
}

/** Reports a client that stopped reading and breaks its connection. */
function stalled(core: ExpositionCore, ms: number, res: ServerResponse): void {
  core.onError(writeTimeoutError(ms));
  res.destroy();
}
