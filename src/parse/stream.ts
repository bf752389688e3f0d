/**
 * Streaming: families from a body that arrives in chunks. Chunks may split
 * anywhere (inside a UTF-8 character, a quoted label value, a number); the
 * adapter hands the parser whole lines only and keeps the tail after the
 * last line feed for the next chunk (VictoriaMetrics streamparser.go), so
 * memory stays bounded by the longest line (`maxLineLength`), not the body.
 */

import { PromwireError } from '../errors.js';
import type { MetricFamily } from '../model.js';
import { detectFormat } from './detect.js';
import { FamilyBuilder } from './families.js';
import type { ParserOptions } from './options.js';
import { Entry, Parser } from './parser.js';

export type StreamSource = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>;

const EMPTY = new Uint8Array(0);

/**
 * Parses a streamed body, yielding each family when the next one starts (or
 * at the end). Accepts any async iterable of chunks (Node `Readable`,
 * `fetch` bodies in Node) and WHATWG `ReadableStream`s.
 *
 * With `format: 'auto'` the format comes from `contentType` (pass the HTTP
 * response's); without one a stream is read as text 0.0.4, since the
 * `# EOF` that marks OpenMetrics only comes at the end.
 */
export async function* parseStream(source: StreamSource, options: ParserOptions = {}): AsyncGenerator<MetricFamily> {
  const format = options.format === undefined || options.format === 'auto' ? detectFormat(options.contentType) : options.format;
  const p = new Parser(EMPTY, { ...options, format });
  const builder = new FamilyBuilder(format);
  const maxLine = p._maxLineLength();
  const encoder = new TextEncoder();
  let carry: Uint8Array = EMPTY;
  let base = 0;

  for await (const raw of iterate(source)) {
    const chunk = typeof raw === 'string' ? encoder.encode(raw) : raw;
    if (chunk.length === 0) continue;
    p._countBody(chunk.length);
    const data = carry.length === 0 ? chunk : concat(carry, chunk);
    const lastLf = data.lastIndexOf(0x0a);
    if (lastLf < 0) {
      carry = data;
      checkCarry(carry, maxLine, base);
      continue;
    }
    p._feed(data.subarray(0, lastLf + 1), false, base);
    for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
      const done = builder.add(p, e);
      if (done !== undefined) yield done;
    }
    const used = p._consumed();
    base += used;
    // Copy the tail so the chunk it came from can be collected.
    carry = data.slice(used);
    checkCarry(carry, maxLine, base);
  }
  p._feed(carry, true, base);
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    const done = builder.add(p, e);
    if (done !== undefined) yield done;
  }
  const last = builder.flush();
  if (last !== undefined) yield last;
}

function checkCarry(carry: Uint8Array, maxLine: number, base: number): void {
  if (carry.length > maxLine) {
    throw new PromwireError(
      'LIMIT_EXCEEDED',
      `line is over ${maxLine} bytes without a line end (maxLineLength)`,
      { line: 0, column: 0, offset: base },
      'maxLineLength',
    );
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
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
