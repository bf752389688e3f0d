/**
 * The pull parser: a zero-copy tokenizer over a byte buffer, in the spirit of
 * Prometheus' `model/textparse` (interface.go). `next()` advances to the next
 * entry and returns its kind; accessors read the current entry and stay valid
 * until the next `next()`. The walk itself allocates nothing: it records
 * offsets into the buffer, and strings are built only when an accessor asks.
 *
 * Where the parts live (textparse's interface.go / promparse.go /
 * openmetricsparse.go, as modules):
 * - entry.ts         the entry kinds (`Entry`, `entryName`)
 * - series-view.ts   the current entry as offsets (label layout, flags), read by the rules
 * - scanner.ts       the walk's state and the byte-level scanning both grammars share
 * - text-grammar.ts  text 0.0.4 lines (promlex.l / promparse.go)
 * - om-grammar.ts    OpenMetrics 1.0 lines (the ABNF), exemplars
 * - om-rules.ts      OpenMetrics family and sample rules above the lines
 * - positions.ts     line/column/snippet for errors
 * - parser.ts        this class: `next()`, the accessors, the streaming hooks
 */

import { keepShape } from '../core/keep-shape.js';
import { PromwireError } from '../errors.js';
import type { Exemplar, Format, Labels, MetricType, NativeHistogram } from '../model/index.js';
import { setLabel } from '../model/labels.js';
import { detectFormat } from './detect.js';
import { Entry } from './entry.js';
import { lineOpenMetrics } from './om-grammar.js';
import { OpenMetricsRules } from './om-rules.js';
import type { ParserOptions } from './options.js';
import { ProtobufParser } from './protobuf-parser.js';
import type { PullParser } from './pull.js';
import { NEED_MORE, Scanner } from './scanner.js';
import * as layout from './series-view.js';
import { lineText } from './text-grammar.js';

export { Entry, entryName } from './entry.js';
export type { PullParser } from './pull.js';
export { ProtobufParser } from './protobuf-parser.js';

// Module-local copies of the label layout and flags: V8 reads an imported
// binding through its module cell at every use, and folds a local const
// (measured: 4-8% of the walk).
const F_ESCAPE = layout.F_ESCAPE;
const F_UTF8 = layout.F_UTF8;
const LABEL_STRIDE = layout.LABEL_STRIDE;
const L_NAME_END = layout.L_NAME_END;
const L_NAME_FLAGS = layout.L_NAME_FLAGS;
const L_NAME_START = layout.L_NAME_START;
const L_SAME = layout.L_SAME;
const L_VALUE_END = layout.L_VALUE_END;
const L_VALUE_FLAGS = layout.L_VALUE_FLAGS;
const L_VALUE_START = layout.L_VALUE_START;
const SAME_NAME = layout.SAME_NAME;
const SAME_VALUE = layout.SAME_VALUE;

/**
 * The pull parser of the line formats, text 0.0.4 and OpenMetrics 1.0.
 *
 * Strings: `metricName()`, `labelName(i)` and `labelValue(i)` return the
 * string made for the previous sample at the same position when the walk
 * found its bytes unchanged (no byte is read again), and make one only for
 * what changed. A label value made then is, unless `copyStrings` is set, a
 * `slice` of a string of up to 4 KiB of the input (`StringMaker.slice`):
 * from 13 characters on, V8 makes that a view which keeps the 4 KiB alive
 * while the value lives. Keep many strings beyond the parse only with
 * `copyStrings: true` (families do).
 */
export class TextParser implements PullParser {
  /** The resolved format. */
  readonly format: Format;

  private readonly s: Scanner;
  private readonly om: boolean;
  private readonly onError: ((e: PromwireError) => void) | undefined;
  private finished = false;

  // The current entry.
  private entry: Entry = Entry.EOF;
  private entryLine = 0;
  private entryStart = 0;

  private readonly rules: OpenMetricsRules | undefined;

  // Positional string caches: the string last made for the name and for
  // each label index, and the line (`Scanner.serial`) it is good for. A
  // string made for line m is still good for line m + 1 when the walk found
  // that token's bytes unchanged (`nameSame`, `L_SAME`), and is then
  // returned without reading a byte; it is made again only when its bytes
  // changed (or were not asked for on the line before).
  private metricStr = '';
  private metricAt = -1;
  private nameStrs: string[] = [];
  private nameAt: Float64Array = new Float64Array(16).fill(-1);
  private valueStrs: string[] = [];
  private valueAt: Float64Array = new Float64Array(16).fill(-1);

  constructor(input: Uint8Array, options: ParserOptions = {}) {
    const format = options.format ?? 'auto';
    this.format = format === 'auto' ? detectFormat(options.contentType, input) : format;
    if (this.format === 'protobuf')
      throw new PromwireError('INVALID_ARGUMENT', 'TextParser reads text 0.0.4 and OpenMetrics; use Parser or ProtobufParser');
    this.om = this.format === 'openmetrics';
    this.s = new Scanner(input, options);
    this.onError = options.onError;
    this.rules = this.om ? new OpenMetricsRules() : undefined;
    this.s.countBody(input.length);
  }

  // ---------------------------------------------------------------- walking

  /** Advances to the next entry and returns its kind; `Entry.EOF` at the end. */
  next(): Entry {
    const s = this.s;
    for (;;) {
      if (s.pos >= s.end || s.eof) {
        this.entry = Entry.EOF;
        if (s.final) this.finish();
        return Entry.EOF;
      }
      const lineStartPos = s.pos;
      const lineNoBefore = s.lineNo;
      s.lineStart = lineStartPos;
      s.logicalStart = lineStartPos;
      s.lineNo++;
      s.freshLine = false;
      s.startLine();
      try {
        const e = this.om ? lineOpenMetrics(s, this.rules!) : lineText(s);
        if (e === Entry.EOF) continue; // a blank line (text), or `# EOF`
        this.entry = e;
        this.entryLine = lineNoBefore + 1;
        this.entryStart = lineStartPos;
        return e;
      } catch (thrown) {
        if (thrown === NEED_MORE) {
          // Streaming: the line continues in bytes not fed yet.
          s.pos = lineStartPos;
          s.lineNo = lineNoBefore;
          s.freshLine = true;
          this.entry = Entry.EOF;
          return Entry.EOF;
        }
        const err = thrown instanceof PromwireError ? this.overLongLine(thrown) : thrown;
        if (this.onError === undefined || !(err instanceof PromwireError) || err.code === 'LIMIT_EXCEEDED') throw err;
        this.onError(err);
        if (err.code === 'CONTENT_AFTER_EOF' || (err.code === 'UNEXPECTED_END' && !this.om)) {
          // Everything after `# EOF`, or after an unclosed text quote, is one bad entry.
          s.pos = s.end;
          continue;
        }
        // Skip the bad entry: to the line end after the part already read,
        // which a text label value with raw line feeds may have carried past
        // its first line (lineNo and lineStart follow it).
        if (s.lineStart < lineStartPos) s.lineStart = lineStartPos;
        s.pos = s.lineStart;
        s.skipLine();
      }
    }
  }

  /**
   * An error on a line longer than maxLineLength becomes that limit's error:
   * the stream refuses such a line by its length alone, before it has all of
   * it, so `parse()` must say the same whatever else is wrong with the line.
   * Only the error path runs this.
   */
  private overLongLine(err: PromwireError): PromwireError {
    const s = this.s;
    if (err.limit === 'maxLineLength' || err.limit === 'maxBodyBytes' || err.code === 'MISSING_EOF') return err;
    const at = err.offset - s.byteBase;
    const lineEnd = s.findLineEnd(Math.max(at, s.lineStart, s.logicalStart));
    if (lineEnd - s.logicalStart <= s.maxLineLength) return err;
    return s.limit('maxLineLength', `line is ${lineEnd - s.logicalStart} bytes, over the limit of ${s.maxLineLength}`, s.logicalStart);
  }

  /** Checks that end all input: OpenMetrics requires `# EOF`. */
  private finish(): void {
    if (this.rules === undefined || this.finished) return;
    this.finished = true;
    const err = this.rules.finish();
    if (err !== undefined) {
      const s = this.s;
      const e = s.error(err.code, err.reason, s.end);
      if (this.onError === undefined) throw e;
      this.onError(e);
    }
  }

  // -------------------------------------------------------------- accessors

  /** The current entry's kind (what `next()` last returned). */
  current(): Entry {
    return this.entry;
  }

  /** 1-based line number of the current entry (where it starts). */
  line(): number {
    return this.entryLine;
  }

  /** The metric name of the current sample, or the family name of HELP/TYPE/UNIT. */
  metricName(): string {
    const s = this.s;
    const serial = s.serial;
    const at = this.metricAt;
    if (at === serial || (s.nameSame && at === serial - 1)) {
      this.metricAt = serial;
      return this.metricStr;
    }
    const str = s.decodeName(s.nameStart, s.nameEnd, s.nameFlags);
    this.metricStr = str;
    this.metricAt = serial;
    return str;
  }

  /** The family name of the current HELP, TYPE or UNIT entry. */
  familyName(): string {
    return this.s.name();
  }

  /** Number of labels on the current sample (the metric name not counted). */
  labelCount(): number {
    return this.s.nLabels;
  }

  labelName(i: number): string {
    this.checkLabel(i);
    const s = this.s;
    const b = i * LABEL_STRIDE;
    const l = s.lbl;
    const serial = s.serial;
    const at = this.nameAt[i]!;
    // The i-th label name is almost always the previous sample's i-th one,
    // which the walk has compared already (positional cache, see above).
    if (at === serial || ((l[b + L_SAME]! & SAME_NAME) !== 0 && at === serial - 1)) {
      this.nameAt[i] = serial;
      return this.nameStrs[i]!;
    }
    const str = s.decodeName(l[b + L_NAME_START]!, l[b + L_NAME_END]!, l[b + L_NAME_FLAGS]!);
    this.nameStrs[i] = str;
    this.nameAt[i] = serial;
    return str;
  }

  labelValue(i: number): string {
    this.checkLabel(i);
    const s = this.s;
    const b = i * LABEL_STRIDE;
    const l = s.lbl;
    const serial = s.serial;
    const at = this.valueAt[i]!;
    if (at === serial || ((l[b + L_SAME]! & SAME_VALUE) !== 0 && at === serial - 1)) {
      this.valueAt[i] = serial;
      return this.valueStrs[i]!;
    }
    const str = s.decodeValue(l[b + L_VALUE_START]!, l[b + L_VALUE_END]!, l[b + L_VALUE_FLAGS]!);
    this.valueStrs[i] = str;
    this.valueAt[i] = serial;
    return str;
  }

  /** The current sample's labels as an object (allocates). */
  labels(): Labels {
    const out: Labels = {};
    const n = this.s.nLabels;
    for (let i = 0; i < n; i++) setLabel(out, this.labelName(i), this.labelValue(i));
    return out;
  }

  value(): number {
    return this.s.val;
  }

  /** Milliseconds since the epoch, or null when the sample has none. */
  timestamp(): number | null {
    return this.s.hasTs ? this.s.ts : null;
  }

  hasExemplar(): boolean {
    return this.s.hasEx;
  }

  /** Text and OpenMetrics 1.0 carry no native histogram: always throws. */
  histogram(): NativeHistogram {
    throw new PromwireError('INVALID_ARGUMENT', `histogram() is only valid on a Histogram entry (protobuf); ${this.format} has none`);
  }

  /** Null: an OpenMetrics `_created` line is an entry of its own (the families layer folds it). */
  startTimestamp(): number | null {
    return null;
  }

  /** The current sample's exemplars: at most one in these formats. Allocates. */
  exemplars(): Exemplar[] {
    const e = this.exemplar();
    return e === undefined ? [] : [e];
  }

  /** The current sample's exemplar (OpenMetrics), or undefined. Allocates. */
  exemplar(): Exemplar | undefined {
    const s = this.s;
    if (!s.hasEx) return undefined;
    const labels: Labels = {};
    const l = s.exLbl;
    for (let k = 0; k < s.exN; k++) {
      const b = k * LABEL_STRIDE;
      setLabel(
        labels,
        s.decodeName(l[b + L_NAME_START]!, l[b + L_NAME_END]!, l[b + L_NAME_FLAGS]!),
        s.decodeValue(l[b + L_VALUE_START]!, l[b + L_VALUE_END]!, l[b + L_VALUE_FLAGS]!),
      );
    }
    return { labels, value: s.exVal, timestamp: s.exHasTs ? s.exTs : null };
  }

  /** Unescaped help text of the current HELP entry. */
  help(): string {
    const s = this.s;
    const start = s.textStart;
    const end = s.textEnd;
    const f = s.textFlags;
    if (f === 0) return s.strings.ascii(start, end);
    if ((f & F_ESCAPE) === 0) return (f & F_UTF8) !== 0 ? s.strings.utf8(start, end) : s.strings.ascii(start, end);
    // OpenMetrics HELP also escapes `"`; text 0.0.4 HELP does not.
    return s.strings.unescaped(start, end, (f & F_UTF8) !== 0, this.om);
  }

  /** The type of the current TYPE entry: `untyped` in text, `unknown` in OpenMetrics. */
  type(): MetricType {
    return this.s.mtype;
  }

  /** The unit of the current UNIT entry ('' when empty). */
  unit(): string {
    return this.s.unitText();
  }

  /** The current comment line, from its `#` to the line end. */
  comment(): string {
    const s = this.s;
    const f = s.scanFlags(s.textStart, s.textEnd);
    return (f & F_UTF8) !== 0 ? s.strings.utf8(s.textStart, s.textEnd) : s.strings.ascii(s.textStart, s.textEnd);
  }

  /**
   * The raw bytes of the current series (`name{labels}` as written), a
   * zero-copy view valid until the next `next()`: a key for a scrape cache.
   * As written, not normalised: `a{x="1",y="2"}` and `a{y="2",x="1"}` differ.
   */
  seriesBytes(): Uint8Array {
    return this.s.buf.subarray(this.s.seriesStart, this.s.seriesEnd);
  }

  /**
   * A 32-bit FNV-1a hash of `seriesBytes()`, computed on demand: cheap and
   * stable across processes, but NOT collision-resistant. It is unseeded, so
   * anyone can compute series that share a hash; do not key a table by it
   * alone when the payload comes from outside (keep the series bytes or
   * string as the key, or compare them on a hit).
   */
  seriesHash(): number {
    const s = this.s;
    const buf = s.buf;
    let h = 0x811c9dc5;
    for (let i = s.seriesStart; i < s.seriesEnd; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    return h >>> 0;
  }

  /** Byte offset of the current entry (where it starts) in the whole payload. */
  offset(): number {
    return this.s.byteBase + this.entryStart;
  }

  private checkLabel(i: number): void {
    if (i < 0 || i >= this.s.nLabels || (i | 0) !== i) {
      throw new RangeError(`label index ${i} out of range (the series has ${this.s.nLabels} labels)`);
    }
    if (i >= this.nameAt.length) this.growCaches(i);
  }

  /** Room in the positional caches for label index `i` (out of line: rare). */
  private growCaches(i: number): void {
    const n = Math.max(i + 1, this.nameAt.length * 2);
    const names = new Float64Array(n).fill(-1);
    names.set(this.nameAt);
    this.nameAt = names;
    const values = new Float64Array(n).fill(-1);
    values.set(this.valueAt);
    this.valueAt = values;
  }

  // --------------------------------------------------- internal: streaming

  /**
   * @internal Points the parser at the next piece of a stream. `bytes` must
   * start where the previous piece's consumed part ended. When `final` is
   * false, a line cut at the end of `bytes` makes `next()` return EOF early,
   * with `_consumed()` telling how far whole lines went.
   */
  _feed(bytes: Uint8Array, final: boolean, byteBase: number): void {
    const s = this.s;
    s.setBuffer(bytes);
    s.pos = 0;
    s.lineStart = 0;
    s.logicalStart = 0;
    s.freshLine = true;
    s.final = final;
    s.byteBase = byteBase;
  }

  /** @internal Counts streamed bytes against maxBodyBytes. */
  _countBody(n: number): void {
    this.s.countBody(n);
  }

  /** @internal Bytes of the fed piece consumed as whole lines. */
  _consumed(): number {
    return this.s.pos;
  }

  /** @internal True once the input has ended early (text: a NUL at a line start). */
  _stopped(): boolean {
    return this.s.eof;
  }

  /** @internal The configured line limit, for the stream's carry-over buffer. */
  _maxLineLength(): number {
    return this.s.maxLineLength;
  }
}

// One text and one OpenMetrics parser (with their Scanner, StringMaker and
// rules) live as long as the process, so their maps survive a full GC between
// parses and the next parse runs the optimised walk (core/keep-shape.ts).
keepShape(new TextParser(new Uint8Array(0), { format: 'text' }));
keepShape(new TextParser(new Uint8Array(0), { format: 'openmetrics' }));

/** What `new Parser(...)` is: a constructor whose instances are `TextParser`s or `ProtobufParser`s. */
export interface ParserConstructor {
  new (input: Uint8Array, options?: ParserOptions): PullParser;
  readonly prototype: PullParser;
}

/**
 * The pull parser for any format: `new Parser(bytes, options)` returns a
 * `TextParser` (text 0.0.4, OpenMetrics) or a `ProtobufParser` by the
 * resolved format, both implementing `PullParser` (`Parser` is also that
 * type). Two classes, not one walk with a format switch: each walk's call
 * sites stay monomorphic. `x instanceof Parser` holds for both.
 */
export type Parser = PullParser;
// biome-ignore lint/complexity/useArrowFunction: `new Parser()` needs a function; unnamed, because esbuild renames `function Parser` to `Parser2`.
export const Parser: ParserConstructor = function (input: Uint8Array, options: ParserOptions = {}): PullParser {
  const format = options.format ?? 'auto';
  const resolved = format === 'auto' ? detectFormat(options.contentType, input) : format;
  if (resolved === 'protobuf') return new ProtobufParser(input, options);
  return new TextParser(input, format === 'auto' ? { ...options, format: resolved } : options);
} as unknown as ParserConstructor;
Object.defineProperty(Parser, Symbol.hasInstance, {
  value: (x: unknown): boolean => x instanceof TextParser || x instanceof ProtobufParser,
});
