/**
 * Streaming: families from a body that arrives in chunks. Chunks may split
 * anywhere (inside a UTF-8 character, a quoted label value, a number); the
 * adapter hands the parser whole lines only and keeps the tail after the
 * last line feed for the next chunk (VictoriaMetrics streamparser.go), so
 * memory stays bounded by the longest line (`maxLineLength`), not the body.
 */

import { PromwireError } from '../errors.js';
import type { MetricFamily } from '../model/index.js';
import { detectFormat } from './detect.js';
import { FamilyBuilder } from './families.js';
import type { ParserOptions } from './options.js';
import { Entry, Parser, ProtobufParser } from './parser.js';

export type StreamSource = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>;

const EMPTY = new Uint8Array(0);
const LF = 0x0a;

/** Options of {@link parseStream}: the parser's, plus batching. */
export type ParseStreamOptions = ParserOptions &
  Partial<
    Readonly<{
      /**
       * Hand a family over in pieces of about this many samples (each piece
       * ends where a new series starts, so a histogram series or an
       * OpenMetrics `_created` line is never split from its samples).
       * Consecutive pieces are MetricFamily objects with the same name,
       * type, help and unit. With it, a stream holds at most one piece: its
       * memory is bounded by the carry-over (at most twice maxLineLength)
       * plus one piece, whatever the size of a family. Defaults to Infinity
       * (whole families; the held family is bounded by maxModelBytes).
       */
      batchSamples: number;
    }>
  >;

/**
 * Parses a streamed body, yielding each family when the next one starts (or
 * at the end). Accepts any async iterable of chunks (Node `Readable`,
 * `fetch` bodies in Node) and WHATWG `ReadableStream`s.
 *
 * With `format: 'auto'` the format comes from `contentType` (pass the HTTP
 * response's); without one a stream is read as text 0.0.4, since the
 * `# EOF` that marks OpenMetrics only comes at the end.
 *
 * Protobuf: chunks may split anywhere too (inside a length prefix or a
 * message); the parser reads whole MetricFamily messages and the adapter
 * holds back the cut one, so memory stays bounded by `maxMessageBytes`
 * (plus one chunk) and the family being built.
 */
export async function* parseStream(source: StreamSource, options: ParseStreamOptions = {}): AsyncGenerator<MetricFamily> {
  const format = options.format === undefined || options.format === 'auto' ? detectFormat(options.contentType) : options.format;
  // copyStrings: the families outlive each chunk (see parse()).
  const p = new Parser(EMPTY, { ...options, format, copyStrings: true });
  const builder = new FamilyBuilder(format, {
    streaming: true,
    ...(options.maxModelBytes === undefined ? {} : { maxModelBytes: options.maxModelBytes }),
    ...(options.batchSamples === undefined ? {} : { batchSamples: options.batchSamples }),
  });
  if (p instanceof ProtobufParser) {
    yield* streamFrames(source, p, builder);
    return;
  }
  const maxLine = p._maxLineLength();
  const encoder = new TextEncoder();
  // The carry-over: bytes after the last whole line, in a buffer that grows
  // geometrically and is reused, so a long line trickling in tiny chunks
  // costs linear time (each chunk is copied once and scanned once).
  let carry = new Uint8Array(4096);
  let carried = 0;
  let base = 0;
  let retryAt = 0;

  for await (const raw of iterate(source)) {
    const chunk = typeof raw === 'string' ? encoder.encode(raw) : raw;
    if (chunk.length === 0) continue;
    p._countBody(chunk.length);
    const lastLf = chunk.lastIndexOf(LF);
    let data: Uint8Array;
    let end: number;
    if (carried === 0 && lastLf >= 0) {
      // No carry-over: parse the chunk's whole lines in place, no copy.
      data = chunk;
      end = lastLf + 1;
    } else {
      if (carried + chunk.length > carry.length) {
        const grown = new Uint8Array(Math.max(carry.length * 2, carried + chunk.length));
        grown.set(carry.subarray(0, carried));
        carry = grown;
      }
      carry.set(chunk, carried);
      carried += chunk.length;
      // After the parser stopped inside a text label value that runs over
      // line feeds, parse again only once the carry-over has doubled: the
      // rescans then cost linear time in all, however the chunks fall.
      if (lastLf < 0 || carried < retryAt) {
        if (carried <= maxLine) continue;
        // Over the line limit. Parse the whole lines held back first, so an
        // error in them comes out as parse() reports it; what is left is
        // then a line over the limit, which parse() refuses too.
        const lf = carry.subarray(0, carried).lastIndexOf(LF);
        if (lf < 0) {
          // Text: a line that starts with NUL ends the input (promlex `\0`), however long.
          if (!startsWithNul(carry, carried, format)) throw lineLimitError(maxLine, base);
          carried = 0;
          break;
        }
        data = carry;
        end = lf + 1;
      } else {
        data = carry;
        end = carried - chunk.length + lastLf + 1;
      }
    }
    p._feed(data.subarray(0, end), false, base);
    for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
      const done = builder.add(p, e);
      if (done !== undefined) yield done;
    }
    if (p._stopped()) {
      // Text 0.0.4: a NUL at a line start ends the input (promlex); read no more.
      carried = 0;
      break;
    }
    const used = p._consumed();
    retryAt = used < end ? 2 * (end - used) : 0;
    base += used;
    if (data === chunk) {
      // Keep the tail of the chunk.
      const tail = chunk.length - used;
      if (tail > carry.length) carry = new Uint8Array(tail * 2);
      carry.set(chunk.subarray(used));
      carried = tail;
    } else {
      carry.copyWithin(0, used, carried);
      carried -= used;
    }
    checkCarry(carried, maxLine, base);
  }
  p._feed(carry.subarray(0, carried), true, base);
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    const done = builder.add(p, e);
    if (done !== undefined) yield done;
  }
  const last = builder.flush();
  if (last !== undefined) yield last;
}

/**
 * The protobuf stream: feeds the parser what has arrived; it reads the whole
 * frames and says where the cut one ends (`_needEnd`), so a large message
 * trickling in small chunks is parsed once, when it is complete.
 */
async function* streamFrames(source: StreamSource, p: ProtobufParser, builder: FamilyBuilder): AsyncGenerator<MetricFamily> {
  const encoder = new TextEncoder();
  let carry = new Uint8Array(4096);
  let carried = 0;
  let base = 0;
  /** Bytes the carry must hold before the cut frame can be read. */
  let need = 0;
  for await (const raw of iterate(source)) {
    const chunk = typeof raw === 'string' ? encoder.encode(raw) : raw;
    if (chunk.length === 0) continue;
    p._countBody(chunk.length);
    let data: Uint8Array;
    if (carried === 0) data = chunk;
    else {
      if (carried + chunk.length > carry.length) {
        const grown = new Uint8Array(Math.max(carry.length * 2, carried + chunk.length));
        grown.set(carry.subarray(0, carried));
        carry = grown;
      }
      carry.set(chunk, carried);
      carried += chunk.length;
      if (carried < need) continue;
      data = carry.subarray(0, carried);
    }
    p._feed(data, false, base);
    for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
      const done = builder.add(p, e);
      if (done !== undefined) yield done;
    }
    if (p._stopped()) {
      carried = 0;
      break;
    }
    const used = p._consumed();
    const needEnd = p._needEnd();
    base += used;
    const tail = data.length - used;
    // A cut length prefix needs one more byte at least; a cut message its end.
    need = needEnd > 0 ? needEnd - used : tail + 1;
    if (data === chunk) {
      if (tail > carry.length) carry = new Uint8Array(Math.max(tail * 2, need));
      carry.set(chunk.subarray(used));
    } else carry.copyWithin(0, used, carried);
    carried = tail;
  }
  p._feed(carry.subarray(0, carried), true, base);
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    const done = builder.add(p, e);
    if (done !== undefined) yield done;
  }
  const last = builder.flush();
  if (last !== undefined) yield last;
}

function checkCarry(carried: number, maxLine: number, base: number): void {
  if (carried > maxLine) throw lineLimitError(maxLine, base);
}

function lineLimitError(maxLine: number, base: number): PromwireError {
  return new PromwireError(
    'LIMIT_EXCEEDED',
    `line is over ${maxLine} bytes without a line end (maxLineLength)`,
    { line: 0, column: 0, offset: base },
    'maxLineLength',
  );
}

/**
 * True for a text line that starts (after blanks) with NUL: Prometheus
 * (promlex `\0`) and parse() stop reading there without an error, so the
 * stream must not refuse that line for its length.
 */
function startsWithNul(carry: Uint8Array, carried: number, format: string): boolean {
  if (format === 'openmetrics') return false;
  let i = 0;
  while (i < carried && (carry[i] === 0x20 || carry[i] === 0x09)) i++;
  return i < carried && carry[i] === 0;
}

async function* iterate(source: StreamSource): AsyncIterable<Uint8Array | string> {
  if (Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<Uint8Array | string>;
    return;
  }
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}
