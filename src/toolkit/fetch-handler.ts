/**
 * The fetch-style exposition handler, `(Request) => Promise<Response>`, for
 * Hono, Bun, Deno, Cloudflare Workers and Node's own fetch types. Runtime
 * neutral: Web Crypto for the credential check, `CompressionStream` for gzip
 * (served uncompressed where a runtime lacks it), a pull-based
 * `ReadableStream` so the body is encoded only as fast as it is sent.
 */
import { ExpositionCore } from './exposition.js';
import type { HandlerOptions } from './exposition.js';

export type FetchHandler = (request: Request) => Promise<Response>;

const encoder = new TextEncoder();

async function digest(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s)));
}

/** Compares two equal-length digests without an early exit (constant time in their content). */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Creates the fetch-style handler. Options as in `HandlerOptions`; the path
 * is matched against the request URL's pathname (404 otherwise).
 */
export function createFetchHandler(options: HandlerOptions): FetchHandler {
  const core = new ExpositionCore(options);
  const auth = options.basicAuth;
  let checkAuth: (u: string, p: string) => Promise<boolean>;
  if (auth === undefined) checkAuth = async () => true;
  else if (typeof auth === 'function') checkAuth = async (u, p) => (await auth(u, p)) === true;
  else {
    // Hash both sides so the comparison does not depend on lengths or on
    // where the first difference is; compare user and password both, always.
    const expected = Promise.all([digest(auth.username), digest(auth.password)]);
    checkAuth = async (u, p) => {
      const [eu, ep] = await expected;
      const [gu, gp] = await Promise.all([digest(u), digest(p)]);
      const okUser = sameDigest(gu, eu);
      const okPass = sameDigest(gp, ep);
      return okUser && okPass;
    };
  }

  return async function promwireFetchHandler(request: Request): Promise<Response> {
    const answer = await core.answer(
      {
        method: request.method,
        url: new URL(request.url),
        header: (name) => request.headers.get(name) ?? undefined,
      },
      checkAuth,
      false,
    );
    if (answer.kind === 'pass') return new Response(null, { status: 404 }); // not reached: canPass is false
    if (answer.kind === 'text') {
      return new Response(request.method === 'HEAD' ? null : answer.body, {
        status: answer.status,
        headers: answer.headers,
      });
    }
    if (answer.head) {
      // Headers only: the core collected and encoded nothing.
      answer.done(0);
      return new Response(null, { status: 200, headers: answer.headers });
    }
    const chunks = answer.chunks;
    let first: IteratorResult<Uint8Array>;
    try {
      first = chunks.next();
    } catch (err) {
      core.onError(err);
      return new Response(`500 Internal Server Error: encoding metrics failed: ${err instanceof Error ? err.message : String(err)}\n`, {
        status: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    const headers = { ...answer.headers };
    let pending: IteratorResult<Uint8Array> | undefined = first;
    let bytes = 0;
    let body: ReadableStream<Uint8Array> = new ReadableStream<Uint8Array>({
      pull(controller) {
        try {
          const r: IteratorResult<Uint8Array> = pending ?? chunks.next();
          pending = undefined;
          if (r.done === true) {
            controller.close();
            if (!answer.gzip) answer.done(bytes);
            return;
          }
          bytes += r.value.byteLength;
          controller.enqueue(r.value);
        } catch (err) {
          // Headers are gone: fail the body so the client sees a broken
          // response, never a short one that looks complete.
          core.onError(err);
          controller.error(err);
        }
      },
    });
    if (answer.gzip) {
      if (typeof CompressionStream === 'function') {
        let compressed = 0;
        body = body.pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>).pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              compressed += chunk.byteLength;
              controller.enqueue(chunk);
            },
            flush() {
              answer.done(compressed);
            },
          }),
        );
      } else {
        delete headers['content-encoding'];
        answer.gzip = false;
      }
    }
    return new Response(body, { status: 200, headers });
  };
}
