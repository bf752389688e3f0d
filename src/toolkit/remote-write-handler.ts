/**
 * The remote-write receiver for `node:http`: `(req, res, next?)`, usable as
 * an `http.createServer` callback or Express middleware. The body is read
 * with a limit and the snappy preamble is checked as soon as it arrives, so
 * an oversized body or a snappy bomb is refused before it is read whole or
 * decompressed (the rules: remote-write-receiver.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RemoteWriteReceiver } from './remote-write-receiver.js';
import type { ReceiverAnswer, RemoteWriteCallback, RemoteWriteHandlerOptions } from './remote-write-receiver.js';

export type RemoteWriteNodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => Promise<void>;

function send(req: IncomingMessage, res: ServerResponse, answer: ReceiverAnswer): void {
  const body = Buffer.from(answer.body, 'utf8');
  if (!req.complete) res.setHeader('connection', 'close');
  for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
  if (body.length > 0) res.setHeader('content-length', String(body.length));
  res.writeHead(answer.status);
  res.end(body.length > 0 ? body : undefined);
  // A refusal before the body was read whole: the answer says `Connection:
  // close`; the rest of the body is read and discarded (nothing is kept), for
  // at most LINGER_MS, then the connection is closed. Closing at once would
  // reset the connection while the client still sends, and a reset can
  // discard our answer before the client reads it (the "lingering close" of
  // Apache and Go's net/http).
  if (!req.complete) {
    res.once('finish', () => {
      const t = setTimeout(() => req.destroy(), LINGER_MS);
      t.unref();
      req.once('end', () => clearTimeout(t));
      req.on('error', () => {});
      req.resume();
    });
  }
}

/** How long a refused body is read and discarded before the connection is closed. */
const LINGER_MS = 2_000;

/**
 * Reads the body up to `receiver.maxBodyBytes`, checking the snappy preamble
 * once it has arrived. Resolves the body, or the answer refusing it.
 */
function readBody(req: IncomingMessage, receiver: RemoteWriteReceiver): Promise<Uint8Array | ReceiverAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let checked = false;
    const finish = (r: Uint8Array | ReceiverAnswer): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (!(r instanceof Uint8Array)) req.pause();
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > receiver.maxBodyBytes) {
        finish(receiver.tooLarge(size));
        return;
      }
      chunks.push(chunk);
      if (!checked) {
        const start = chunks.length === 1 ? chunk : Buffer.concat(chunks);
        const refused = receiver.prefix(start.subarray(0, 5));
        if (refused !== undefined) finish(refused);
        else if (start.length >= 5) checked = true;
      }
    };
    const onEnd = (): void => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const onError = (err: Error): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      reject(err);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Creates the node:http remote-write receiver: decodes 1.0 and 2.0 requests
 * and hands each to `callback` (see `RemoteWriteCallback` for what it may
 * return and how its failures are answered).
 */
export function createRemoteWriteHandler(callback: RemoteWriteCallback, options: RemoteWriteHandlerOptions = {}): RemoteWriteNodeHandler {
  const receiver = new RemoteWriteReceiver(callback, options);
  return async function promwireRemoteWriteHandler(req, res, next) {
    if (receiver.path !== undefined) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== receiver.path) {
        if (next !== undefined) next();
        else send(req, res, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '404 Not Found\n' });
        return;
      }
    }
    const header = (name: string): string | undefined => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    const version = receiver.head(req.method ?? 'GET', header);
    if (typeof version !== 'string') {
      send(req, res, version);
      return;
    }
    let body: Uint8Array | ReceiverAnswer;
    try {
      body = await readBody(req, receiver);
    } catch {
      // The client went away mid-body: nobody is left to answer.
      res.destroy();
      return;
    }
    if (!(body instanceof Uint8Array)) {
      send(req, res, body);
      return;
    }
    send(req, res, await receiver.body(version, body, header));
  };
}
