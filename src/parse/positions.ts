/**
 * Positions and errors: turning a byte index of the walk into the 1-based
 * line and column, byte offset and snippet a `PromwireError` carries, and
 * describing what stands at an index for messages. Only the error path runs
 * this code; the walk keeps just a line count and the current line's start.
 */

import { LF, NUL, SPACE } from '../core/chars.js';
import { type ErrorCode, type ErrorPosition, PromwireError } from '../errors.js';

/** The walk's position bookkeeping that errors are computed from. */
export interface PositionSource {
  readonly buf: Uint8Array;
  /** End of the valid bytes in `buf`. */
  readonly end: number;
  /** Bytes of the payload before `buf[0]` (streaming). */
  readonly byteBase: number;
  /** Lines started so far, over the whole payload. */
  readonly lineNo: number;
  /** Where line `lineNo` starts in `buf`. */
  readonly lineStart: number;
  /** True until the first line of the current buffer is started. */
  readonly freshLine: boolean;
}

/** Decodes snippets for error messages (invalid bytes become U+FFFD). */
const MESSAGE_DECODER = new TextDecoder();

/** A parse error at byte `at` of the current buffer. */
export function errorAt(src: PositionSource, code: ErrorCode, reason: string, at: number): PromwireError {
  return new PromwireError(code, reason, positionOf(src, at));
}

/** A `LIMIT_EXCEEDED` error naming the option `name`, at byte `at`. */
export function limitAt(src: PositionSource, name: string, reason: string, at: number): PromwireError {
  return new PromwireError('LIMIT_EXCEEDED', `${reason} (${name})`, positionOf(src, at), name);
}

function lineEndFrom(src: PositionSource, from: number): number {
  const i = src.buf.indexOf(LF, from);
  return i < 0 || i >= src.end ? src.end : i;
}

/** Line, column, payload offset and a snippet of the line around byte `at`. */
export function positionOf(src: PositionSource, at: number): ErrorPosition & { snippet: string; snippetStart: number } {
  const buf = src.buf;
  let ls = src.lineStart;
  // `lineStart` is the start of line `lineNo`, or of the next line when no
  // line has been started in this buffer yet.
  let line = src.lineNo + (src.freshLine ? 1 : 0);
  if (at < ls) {
    // After a text label value with raw line feeds, `at` may lie before the
    // current line start: count the line feeds back.
    for (let k = buf.lastIndexOf(LF, ls - 1); k >= at; k = k > 0 ? buf.lastIndexOf(LF, k - 1) : -1) line--;
    ls = at > 0 ? buf.lastIndexOf(LF, at - 1) + 1 : 0;
  }
  // A raw LF inside a text label value, or the end of the last line, may
  // sit between the line start and `at`.
  for (let k = buf.indexOf(LF, ls); k >= 0 && k < at; k = buf.indexOf(LF, k + 1)) {
    ls = k + 1;
    line++;
  }
  const le = lineEndFrom(src, at);
  const column = at - ls + 1;
  // A window of the line around the column, at most ~100 bytes.
  const ws = Math.max(ls, at - 60);
  const we = Math.min(le, at + 40);
  let snippet = MESSAGE_DECODER.decode(buf.subarray(ws, we));
  snippet = snippet.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?').replace(/\t/g, ' ');
  if (ws > ls) snippet = `...${snippet}`;
  if (we < le) snippet += '...';
  return {
    line,
    column,
    offset: src.byteBase + at,
    snippet,
    snippetStart: ws > ls ? ws - ls - 3 : 0,
  };
}

/** Describes what stands at `i` for messages: a quoted character, "line end" or "end of input". */
export function describeAt(src: PositionSource, i: number, lineEnd: number): string {
  if (i >= lineEnd) return i >= src.end ? 'end of input' : 'line end';
  const c = src.buf[i]!;
  if (c === SPACE) return 'a space';
  if (c === 0x09) return 'a tab';
  if (c === NUL) return 'a NUL byte';
  if (c < 0x20 || c >= 0x7f) return `byte 0x${c.toString(16).padStart(2, '0')}`;
  return `"${String.fromCharCode(c)}"`;
}

/** The bytes [start, end) for a message: at most 40 bytes, control characters as `?`. */
export function snippetOf(src: PositionSource, start: number, end: number): string {
  const e = Math.min(end, start + 40);
  const s = MESSAGE_DECODER.decode(src.buf.subarray(start, e));
  return (end > e ? `${s}...` : s).replace(/[\x00-\x1f\x7f]/g, '?');
}
