/**
 * The remote-write receiver for fetch runtimes, `(Request) => Promise<Response>`
 * (Hono, Bun, Deno, Cloudflare Workers). Runtime-neutral: the body is read
 * from `request.body` with a limit, and the snappy preamble checked as soon
 * as it has arrived (the rules: remote-write-receiver.ts).
 */
import { RemoteWriteReceiver } from './remote-write-receiver.js';
import type { ReceiverAnswer, RemoteWriteCallback, RemoteWriteHandlerOptions } from './remote-write-receiver.js';

export type RemoteWriteFetchHandler = (request: Request) => Promise<Response>;

function respond(a: ReceiverAnswer): Response {
  return new Response(a.body === '' ? null : a.body, { status: a.status, headers: a.headers });
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function readBody(request: Request, receiver: RemoteWriteReceiver): Promise<Uint8Array | ReceiverAnswer> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let checked = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > receiver.maxBodyBytes) return receiver.tooLarge(size);
      chunks.push(value);
      if (!checked) {
        const start = concat(chunks, size);
        const refused = receiver.prefix(start.subarray(0, 5));
        if (refused !== undefined) return refused;
        if (start.byteLength >= 5) checked = true;
      }
    }
  } finally {
    // Stop the rest of a refused body from being read.
    reader.cancel().catch(() => {});
  }
  return concat(chunks, size);
}

/**
 * Creates the fetch-style remote-write receiver. Options and callback as in
 * `createRemoteWriteHandler`; with `path`, other paths answer 404.
 */
export function createRemoteWriteFetchHandler(
  callback: RemoteWriteCallback,
  options: RemoteWriteHandlerOptions = {},
): RemoteWriteFetchHandler {
  const receiver = new RemoteWriteReceiver(callback, options);
  return async function promwireRemoteWriteFetchHandler(request) {
    if (receiver.path !== undefined && new URL(request.url).pathname !== receiver.path) {
      return new Response('404 Not Found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    const header = (name: string): string | undefined => request.headers.get(name) ?? undefined;
    const version = receiver.head(request.method, header);
    if (typeof version !== 'string') return respond(version);
    const body = await readBody(request, receiver);
    if (!(body instanceof Uint8Array)) return respond(body);
    return respond(await receiver.body(version, body, header));
  };
}
