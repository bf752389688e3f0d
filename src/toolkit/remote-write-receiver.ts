/**
 * The remote-write receiver's decisions, shared by the node:http handler
 * (remote-write-handler.ts) and the fetch one (remote-write-fetch-handler.ts):
 * which requests to refuse with which status, before and after the body,
 * and what to answer. Runtime-neutral.
 *
 * The answers follow Prometheus 3.5's `storage/remote/write_handler.go`
 * `ServeHTTP`, which is what remote-write senders are tested against:
 * - 415 for a Content-Type that is not `application/x-protobuf`, names an
 *   unknown message, or names one this receiver does not accept, and for a
 *   `Content-Encoding` other than snappy; a missing Content-Type means 1.0
 *   and a missing Content-Encoding means snappy (write_handler.go: "Don't
 *   break yolo 1.0 clients"), where the 1.0 spec requires the header: we
 *   follow Prometheus 3.5;
 * - 400 for a snappy block that declares more than 32 MiB decoded
 *   (`decodeWriteLimit`), is corrupt, or holds a corrupt message, with the
 *   reason as the body;
 * - 204 on success; for 2.0 the three written-count headers, on every
 *   answer after decoding (stats.go `SetHeaders`: "in all cases");
 * - 500 when storing fails (here: the callback throws or rejects).
 * Added here: 405 for a method other than POST, and 413 for a compressed
 * body over `maxBodyBytes` (Prometheus reads any size; a limit on the wire
 * keeps memory bounded before the snappy preamble is even seen).
 */
import { PromwireError } from '../errors.js';
import { decodeWriteRequest } from '../remote-write/index.js';
import type { DecodeWriteRequestOptions, WriteRequestData } from '../remote-write/index.js';
import { DEFAULT_SNAPPY_MAX_BYTES, snappyDecodedLength, snappyDecompress, snappyMaxCompressedLength } from '../snappy/index.js';
import { remoteWriteVersionOf, writtenHeaders } from './remote-write-protocol.js';
import type { RemoteWriteVersion, WriteCounts } from './remote-write-protocol.js';

/** What the callback learns besides the decoded request. */
export interface RemoteWriteRequestInfo {
  version: RemoteWriteVersion;
  /** Reads a request header (case-insensitive). */
  header(name: string): string | undefined;
  /** Compressed body bytes. */
  bytes: number;
  /** Decoded (protobuf) bytes. */
  decodedBytes: number;
}

/**
 * Receives each decoded request. It may be async; a throw or rejection
 * answers 500 with its message (a `PromwireError` with code `INVALID_ARGUMENT`
 * answers 400: the data was refused, and the sender must not retry). It may
 * return what it wrote, for the 2.0 written-count headers; by default every
 * sample, histogram and exemplar of the request counts as written.
 */
export type RemoteWriteCallback = (
  request: WriteRequestData,
  info: RemoteWriteRequestInfo,
) => // biome-ignore lint/suspicious/noConfusingVoidType: a callback that returns nothing, sync or async, must fit
void | Partial<WriteCounts> | Promise<void | Partial<WriteCounts>>;

export type RemoteWriteHandlerOptions = Partial<
  Readonly<{
    /** Only this URL path is answered (the node:http handler passes others to `next`, or answers 404). Defaults to any path. */
    path: string;
    /** The messages accepted (Prometheus' `--web.remote-write-receiver.accepted-protobuf-messages`). Defaults to both. */
    versions: readonly RemoteWriteVersion[];
    /**
     * The largest decoded (uncompressed) body accepted: the snappy preamble is
     * checked against it before anything is decompressed. Defaults to 32 MiB
     * (33554432), Prometheus' `decodeWriteLimit`.
     */
    maxDecodedBytes: number;
    /**
     * The largest compressed body read off the wire; more answers 413 and
     * stops reading. Defaults to the largest snappy encoding of `maxDecodedBytes`.
     */
    maxBodyBytes: number;
    /**
     * Options of `decodeWriteRequest`: what to do with a series Prometheus
     * would refuse (`invalidSeries`, default 'error': the request answers 400),
     * and limits on series, labels and samples per request. Defaults to none.
     */
    decode: DecodeWriteRequestOptions;
    /** Told of every refused request and callback failure. Defaults to none. */
    onError: (error: unknown) => void;
  }>
>;

/** An answer to send. */
export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function text(status: number, body: string, extra: Record<string, string> = {}): ReceiverAnswer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extra }, body: body + '\n' };
}

/** Counts a decoded request's float samples, histograms and exemplars (1.0 and 2.0 both carry them per series). */
export function countDecoded(request: WriteRequestData): WriteCounts {
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  for (const ts of request.series) {
    samples += ts.samples.length;
    histograms += ts.histograms.length;
    exemplars += ts.exemplars.length;
  }
  return { samples, histograms, exemplars };
}

/** The request-independent part of a receiver: options resolved once. */
export class RemoteWriteReceiver {
  readonly path: string | undefined;
  readonly maxDecodedBytes: number;
  readonly maxBodyBytes: number;
  private readonly versions: ReadonlySet<RemoteWriteVersion>;
  private readonly callback: RemoteWriteCallback;
  private readonly onError: (error: unknown) => void;
  private readonly decode: DecodeWriteRequestOptions;

  constructor(callback: RemoteWriteCallback, options: RemoteWriteHandlerOptions = {}) {
    if (typeof callback !== 'function') {
      throw new PromwireError('INVALID_ARGUMENT', 'remote-write handler: expected a callback function');
    }
    const maxDecoded = options.maxDecodedBytes ?? DEFAULT_SNAPPY_MAX_BYTES;
    if (!(maxDecoded >= 0) || !Number.isFinite(maxDecoded)) {
      throw new PromwireError(
        'INVALID_ARGUMENT',
        `remote-write handler: expected maxDecodedBytes to be a finite number >= 0, got ${String(maxDecoded)}`,
      );
    }
    const maxBody = options.maxBodyBytes ?? snappyMaxCompressedLength(Math.floor(maxDecoded));
    if (!(maxBody >= 0)) {
      throw new PromwireError('INVALID_ARGUMENT', `remote-write handler: expected maxBodyBytes >= 0, got ${String(maxBody)}`);
    }
    const versions = options.versions ?? ['1.0', '2.0'];
    for (const v of versions) {
      if (v !== '1.0' && v !== '2.0') {
        throw new PromwireError(
          'INVALID_ARGUMENT',
          `remote-write handler: expected versions among '1.0' and '2.0', got ${JSON.stringify(v)}`,
        );
      }
    }
    this.path = options.path;
    this.maxDecodedBytes = maxDecoded;
    this.maxBodyBytes = maxBody;
    this.versions = new Set(versions);
    this.callback = callback;
    this.onError = options.onError ?? (() => {});
    this.decode = options.decode ?? {};
  }

  private refuse(answer: ReceiverAnswer): ReceiverAnswer {
    this.onError(new PromwireError('HTTP_ERROR', `remote-write handler: answered ${answer.status}: ${answer.body.trim()}`));
    return answer;
  }

  /**
   * Checks what the headers say, before any of the body is read: the
   * version, or the answer that refuses the request.
   */
  head(method: string, header: (name: string) => string | undefined): RemoteWriteVersion | ReceiverAnswer {
    if (method.toUpperCase() !== 'POST') {
      return this.refuse(text(405, `405 Method Not Allowed: remote write takes POST, got ${method}`, { allow: 'POST' }));
    }
    const version = remoteWriteVersionOf(header('content-type'));
    if (typeof version !== 'string') return this.refuse(text(415, `415 Unsupported Media Type: ${version.unsupported}`));
    if (!this.versions.has(version)) {
      const accepted = [...this.versions].join(', ');
      return this.refuse(
        text(415, `415 Unsupported Media Type: remote write ${version} is not accepted by this receiver; accepted: ${accepted}`),
      );
    }
    const enc = (header('content-encoding') ?? '').trim().toLowerCase();
    if (enc !== '' && enc !== 'snappy') {
      return this.refuse(text(415, `415 Unsupported Media Type: Content-Encoding "${enc}" is not accepted; only snappy is`));
    }
    const length = header('content-length');
    if (length !== undefined && /^\d+$/.test(length.trim()) && Number(length) > this.maxBodyBytes) {
      return this.tooLarge(Number(length));
    }
    return version;
  }

  /** The answer for a body over `maxBodyBytes` (`seen`: its length, or how much arrived before reading stopped). */
  tooLarge(seen: number): ReceiverAnswer {
    return this.refuse(
      text(413, `413 Content Too Large: the body has ${seen} or more bytes, over the limit of ${this.maxBodyBytes} (maxBodyBytes)`, {
        connection: 'close',
      }),
    );
  }

  /**
   * Checks the snappy preamble as soon as it has arrived (up to 5 bytes):
   * a declared length over `maxDecodedBytes` is refused before the rest of
   * the body is read. Undefined while it is fine or not complete yet.
   */
  prefix(start: Uint8Array): ReceiverAnswer | undefined {
    let declared: number;
    try {
      declared = snappyDecodedLength(start);
    } catch (err) {
      if (err instanceof PromwireError && err.code === 'UNEXPECTED_END') return undefined; // more bytes to come
      return this.refuse(text(400, `400 Bad Request: ${err instanceof Error ? err.message : String(err)}`, { connection: 'close' }));
    }
    if (declared > this.maxDecodedBytes) {
      return this.refuse(
        text(400, `400 Bad Request: snappy: decoded length ${declared} exceeds the limit of ${this.maxDecodedBytes} (maxDecodedBytes)`, {
          connection: 'close',
        }),
      );
    }
    return undefined;
  }

  /** Decompresses, decodes, hands the request to the callback, and says what to answer. */
  async body(version: RemoteWriteVersion, body: Uint8Array, header: (name: string) => string | undefined): Promise<ReceiverAnswer> {
    let raw: Uint8Array;
    let request: WriteRequestData;
    try {
      // The declared length is checked against the limit, and against what
      // the input can decode to, before the output is allocated (snappyDecompress).
      raw = snappyDecompress(body, { maxBytes: this.maxDecodedBytes });
      request = decodeWriteRequest(raw, version, this.decode);
    } catch (err) {
      return this.refuse(text(400, `400 Bad Request: ${err instanceof Error ? err.message : String(err)}`));
    }
    let written: WriteCounts = countDecoded(request);
    try {
      const r = await this.callback(request, { version, header, bytes: body.byteLength, decodedBytes: raw.byteLength });
      if (r !== undefined && r !== null) written = { ...written, ...r };
    } catch (err) {
      this.onError(err);
      const message = err instanceof Error ? err.message : String(err);
      // A 2.0 answer carries the counts in all cases; nothing was confirmed written.
      const counts = version === '2.0' ? writtenHeaders({ samples: 0, histograms: 0, exemplars: 0 }) : {};
      if (err instanceof PromwireError && err.code === 'INVALID_ARGUMENT') return text(400, `400 Bad Request: ${message}`, counts);
      return text(500, `500 Internal Server Error: ${message}`, counts);
    }
    return { status: 204, headers: version === '2.0' ? writtenHeaders(written) : {}, body: '' };
  }
}
