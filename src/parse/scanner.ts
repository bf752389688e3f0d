/**
 * The byte scanner: the walk's state over one buffer (where it is, which
 * line, the limits) and the byte-level steps both grammars share: quoted
 * strings, range flags, line ends, and recording the current entry's names
 * and labels as offsets (the `SeriesView` the OpenMetrics rules read).
 *
 * One class on purpose: the two grammars (text-grammar.ts, om-grammar.ts)
 * are modules of functions over this one shape, so every call site in the
 * walk sees a single hidden class and stays monomorphic (a walk shared by
 * several parser classes measured 0.77x).
 */

import * as chars from '../core/chars.js';
import { StringMaker, nativeIsUtf8 } from '../core/strings.js';
import { type ErrorCode, PromwireError } from '../errors.js';
import type { MetricType } from '../model/index.js';
import { DEFAULT_LIMITS, type ParserOptions } from './options.js';
import { type PositionSource, describeAt, errorAt, limitAt, snippetOf } from './positions.js';
import * as layout from './series-view.js';
import type { SeriesView } from './series-view.js';

// Module-local copies of the byte constants and class tables (see the
// layout copies below, and text-grammar.ts, for why).
const BACKSLASH = chars.BACKSLASH;
const C_LABEL = chars.C_LABEL;
const C_NAME = chars.C_NAME;
const CLASS = chars.CLASS;
const LF = chars.LF;
const QUOTE = chars.QUOTE;
const QUOTED_STOP = chars.QUOTED_STOP;
const codePointCount = chars.codePointCount;
const invalidUtf8At = chars.invalidUtf8At;

// Module-local copies of the label layout and flags: V8 reads an imported
// binding through its module cell at every use, and folds a local const
// (measured: 4-8% of the walk).
const F_ESCAPE = layout.F_ESCAPE;
const F_NEWLINE = layout.F_NEWLINE;
const F_QUOTED = layout.F_QUOTED;
const F_UTF8 = layout.F_UTF8;
const LABEL_STRIDE = layout.LABEL_STRIDE;
const L_NAME_END = layout.L_NAME_END;
const L_NAME_FLAGS = layout.L_NAME_FLAGS;
const L_NAME_START = layout.L_NAME_START;
const L_SAME = layout.L_SAME;
const L_VALUE_END = layout.L_VALUE_END;
const L_VALUE_FLAGS = layout.L_VALUE_FLAGS;
const L_VALUE_START = layout.L_VALUE_START;

/**
 * Techniques the bench switches off to show what each gains (the diagnostic
 * rows of bench/textparse-child.ts); the output is the same either way.
 * `compareLines`: the grammars compare each token with the previous line's
 * (see `Scanner.sameBytes`). `wholeBufferUtf8`: UTF-8 is checked once per
 * buffer where the runtime has a native check (see `Scanner.wholeUtf8`).
 */
const techniques = { compareLines: true, wholeBufferUtf8: true };

/** @internal For the bench only: switches techniques off (or on again) for the whole process. */
export function setScannerTechniquesForBench(t: Partial<typeof techniques>): void {
  Object.assign(techniques, t);
}

/** Thrown inside the walk when a streamed line is not complete yet. */
export const NEED_MORE = { needMore: true };

/**
 * Labels on one line up to which duplicate names are found with a 32-bit
 * filter and byte compares; past it (or once a name holds an escape), the
 * line's names go into a `Set<string>`, so the check stays linear however
 * many labels a line has (the filter alone went quadratic: 10k labels 746 ms,
 * 20k 2.4 s). V8 hashes strings with a per-process random seed, so the set
 * cannot be flooded with crafted names.
 */
const FILTER_LABELS = 32;

/** `__name__`, the label that holds the metric name in Prometheus. */
const NAME_LABEL = '__name__';
/** The duplicate filter's bit for an 8-byte name ending in `_`, as `__name__`. */
const NAME_LABEL_BIT = 1 << ((8 * 7 + 0x5f) & 31);

export class Scanner implements PositionSource, SeriesView {
  buf: Uint8Array;
  /** The same bytes, for reading 4 of them at once (`sameBytes`). */
  dv: DataView;
  end: number;
  pos = 0;
  /** False while streaming and more bytes may follow the buffer. */
  final = true;
  readonly strings: StringMaker;

  // Position bookkeeping, for errors. `byteBase` and line numbers carry over
  // between buffers when streaming.
  byteBase = 0;
  lineNo = 0;
  /** Start of the current physical line (moves past raw line feeds in text label values). */
  lineStart = 0;
  /** Start of the current logical line (the entry); what maxLineLength measures from. */
  logicalStart = 0;
  /** The input ended early (text: a NUL at a line start). */
  eof = false;
  freshLine = true;

  // Limits, copied so the object shape stays stable.
  readonly maxBodyBytes: number;
  readonly maxLineLength: number;
  readonly maxLabels: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
  readonly maxSeries: number;
  /** Accessor strings are copies (interned), never slices of a window (ParserOptions.copyStrings). */
  readonly copyStrings: boolean;
  bodyBytes = 0;
  samples = 0;

  // The current entry.
  nameStart = 0;
  nameEnd = 0;
  nameFlags = 0;
  seriesStart = 0;
  seriesEnd = 0;
  /** The labels, `LABEL_STRIDE` ints each. */
  lbl: Int32Array = new Int32Array(LABEL_STRIDE * 16);
  nLabels = 0;
  /** Duplicate-name filter of the current line: one bit per (length, last byte). */
  nameFilter = 0;
  /** The current line's label names, once it has many or an escaped one (see FILTER_LABELS). */
  nameSet: Set<string> | undefined = undefined;
  /** Labels up to which the filter serves on this line; 0 once `nameSet` holds the line's names. */
  filterUpTo = FILTER_LABELS;
  /** Where a `__name__` label stands on the current line, or -1. */
  nameLabelAt = -1;
  /** True while the exemplar's labels are read (into the same label slots). */
  inExemplar = false;
  // Number fields that may hold doubles start as one (-0: a double V8 cannot
  // keep as a small integer, and still equal to 0), so no field changes
  // representation after construction and the kept parser keeps this class's
  // map (core/keep-shape.ts).
  val = -0;
  ts = -0;
  hasTs = false;
  // Exemplar (OpenMetrics).
  exLbl: Int32Array = new Int32Array(LABEL_STRIDE * 4);
  exN = 0;
  exVal = -0;
  exTs = -0;
  exHasTs = false;
  hasEx = false;
  // Metadata and comments.
  textStart = 0;
  textEnd = 0;
  textFlags = 0;
  mtype: MetricType = 'unknown';
  /** Flags of the last quoted string scanned. */
  quotedFlags = 0;

  // The previous line, for the grammars to compare tokens with (`sameBytes`).
  // How a grammar uses it: `startSeries()` moves the last line's name and
  // labels here; before scanning a token, the grammar compares the bytes at
  // the cursor with the previous line's token at the same position (the
  // name, or label k) and, when they match (the next byte ending the token),
  // takes its end and flags from there instead of scanning, and records the
  // match (`nameSame`, `SAME_NAME` / `SAME_VALUE` in the label's `L_SAME`).
  // The parser's accessors then return the string they built for the
  // previous line without reading a byte.
  /** Counts the lines the walk starts; the accessors' caches are keyed by it (a double: exact to 2^53, no wrap to guard). */
  serial = 0;
  /** The current name equals the previous line's name (`prevName*`), byte for byte. */
  nameSame = false;
  prevNameStart = -1;
  prevNameEnd = -1;
  prevNameFlags = 0;
  /** The previous line's labels (the array `lbl` was), `prevN` of them. */
  prevLbl: Int32Array = new Int32Array(LABEL_STRIDE * 16);
  prevN = 0;
  /** Whether the whole buffer is valid UTF-8: 0 not known yet, 1 yes, 2 no or no fast way to tell (see `validUtf8`). */
  utf8State = 0;

  constructor(input: Uint8Array, options: ParserOptions) {
    this.buf = input;
    this.dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
    this.end = input.length;
    this.strings = new StringMaker(input);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes;
    this.maxLineLength = smallInt(options.maxLineLength ?? DEFAULT_LIMITS.maxLineLength);
    this.maxLabels = smallInt(options.maxLabels ?? DEFAULT_LIMITS.maxLabels);
    this.maxLabelNameLength = smallInt(options.maxLabelNameLength ?? DEFAULT_LIMITS.maxLabelNameLength);
    this.maxLabelValueLength = smallInt(options.maxLabelValueLength ?? DEFAULT_LIMITS.maxLabelValueLength);
    this.maxSeries = options.maxSeries ?? DEFAULT_LIMITS.maxSeries;
    this.copyStrings = options.copyStrings === true;
  }

  // ------------------------------------------------------------ scanning

  /**
   * Scans a quoted string starting at the `"` at `at`; returns the index of
   * the closing quote and sets `quotedFlags`. Text 0.0.4 (promlex
   * `\"(\\.|[^\\"])*\"`) lets a raw line feed stand inside; OpenMetrics
   * strings end at the line (`limit` is the line end).
   */
  scanQuoted(at: number, limit: number, om: boolean): number {
    const buf = this.buf;
    let i = at + 1;
    // Fast path: plain ASCII bytes up to the closing quote. Kept this small
    // so V8 inlines it into the label loops; the rest is out of line (with
    // the line-limit checks inside, the whole scan no longer inlined: the
    // text walk ran 15-20% slower).
    while (i < limit && QUOTED_STOP[buf[i]!] === 0) i++;
    if (i < limit && buf[i] === QUOTE) {
      this.quotedFlags = 0;
      return i;
    }
    return this.scanQuotedRest(at, i, limit, om);
  }

  /** scanQuoted from `from` on: escapes, UTF-8, raw line feeds, the end. */
  private scanQuotedRest(at: number, from: number, limit: number, om: boolean): number {
    const buf = this.buf;
    let i = from;
    let flags = 0;
    let lines = 0;
    for (;;) {
      // Fast path: plain ASCII bytes.
      while (i < limit && QUOTED_STOP[buf[i]!] === 0) i++;
      if (i >= limit) {
        if (!this.final && !om) throw NEED_MORE;
        if (!om) this.checkLogicalLine(limit);
        throw this.error('UNEXPECTED_END', 'expected closing quote, found line end', at);
      }
      const c = buf[i]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        flags |= F_ESCAPE;
        i++;
        if (i >= limit || buf[i] === LF) {
          if (!this.final && !om && i >= limit) throw NEED_MORE;
          throw this.error('INVALID_ESCAPE', 'expected an escaped character after "\\", found line end', i - 1);
        }
        if (buf[i]! >= 0x80) flags |= F_UTF8;
      } else if (c >= 0x80) {
        flags |= F_UTF8;
      } else if (c === LF) {
        if (om) throw this.error('UNEXPECTED_END', 'expected closing quote, found line end', at);
        // A raw line feed in a text value: the logical line goes on, and
        // maxLineLength bounds it here as the stream's carry-over does.
        this.checkLogicalLine(i);
        lines++;
      }
      i++;
    }
    if (lines > 0) {
      // A text 0.0.4 label value may hold raw line feeds; keep the line count right.
      flags |= F_NEWLINE;
      this.lineNo += lines;
      this.lineStart = buf.lastIndexOf(LF, i) + 1;
    }
    if ((flags & F_UTF8) !== 0 && !this.wholeUtf8()) {
      const bad = invalidUtf8At(buf, at + 1, i);
      if (bad >= 0) throw this.error('INVALID_UTF8', 'quoted string is not valid UTF-8', bad);
    }
    this.quotedFlags = flags;
    return i;
  }

  /**
   * True when the whole buffer is known to be valid UTF-8, and so every range
   * of it between ASCII delimiters is: checked once per buffer, on the first
   * range with a byte >= 0x80, where the runtime has a native check (see
   * `nativeIsUtf8`). False sends the caller to check its range itself, which
   * also finds the exact position of a bad byte for the error.
   */
  wholeUtf8(): boolean {
    let st = this.utf8State;
    if (st === 0) st = this.utf8State = techniques.wholeBufferUtf8 && nativeIsUtf8?.(this.buf.subarray(0, this.end)) ? 1 : 2;
    return st === 1;
  }

  /** F_ESCAPE / F_UTF8 flags of a range. */
  scanFlags(start: number, end: number): number {
    const buf = this.buf;
    let f = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) f |= F_UTF8;
      else if (c === BACKSLASH) f |= F_ESCAPE;
    }
    return f;
  }

  /** Index of the line feed ending the line at `from`, or the buffer's end. */
  findLineEnd(from: number): number {
    const i = this.buf.indexOf(LF, from);
    return i < 0 || i >= this.end ? this.end : i;
  }

  skipLine(): void {
    const i = this.buf.indexOf(LF, this.pos);
    this.pos = i < 0 || i >= this.end ? this.end : i + 1;
  }

  /** Ends the current entry's line at `lineEnd` (the LF or the input's end). */
  endLine(lineEnd: number): void {
    this.checkLogicalLine(lineEnd);
    this.pos = lineEnd < this.end ? lineEnd + 1 : lineEnd;
  }

  /**
   * maxLineLength, on the logical line (a text label value may carry it over
   * raw line feeds) from its start to `upTo`: the same bytes the stream
   * holds back while the line is incomplete, so `parse()` and
   * `parseStream()` refuse the same inputs.
   */
  checkLogicalLine(upTo: number): void {
    if (upTo - this.logicalStart > this.maxLineLength) this.lineTooLong(upTo);
  }

  // The throws of the hot checks live out of line: message building in the
  // checks themselves made them too big for V8 to inline into the walk.
  private lineTooLong(upTo: number): never {
    throw this.limit(
      'maxLineLength',
      `line is ${upTo - this.logicalStart} bytes, over the limit of ${this.maxLineLength}`,
      this.logicalStart,
    );
  }

  truncated(at: number, expected: string): never {
    if (!this.final) throw NEED_MORE;
    throw this.error('UNEXPECTED_END', `expected ${expected}, found end of input`, at);
  }

  // ------------------------------------------------------ names and labels

  /**
   * Points the walk at another buffer (the next piece of a stream): offsets
   * into the last one, the previous line's included, mean nothing in it.
   */
  setBuffer(bytes: Uint8Array): void {
    this.buf = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
    this.strings.setBuffer(bytes);
    this.utf8State = 0;
    // Forget the last line, so the next one finds nothing to compare with;
    // and skip a serial, so no cached string passes for the previous line's.
    this.nLabels = 0;
    this.nameStart = this.nameEnd = -1;
    this.nameFlags = 0;
    this.nameSame = false;
    this.serial += 2;
  }

  /** Starts a line: a new serial, nothing the same as the previous line yet. */
  startLine(): void {
    this.serial++;
    this.nameSame = false;
  }

  /**
   * True when the `n` bytes at `a` equal the `n` bytes at `b` (the caller
   * keeps both ranges inside the buffer). Four bytes at a time through the
   * DataView (unaligned little-endian reads, which V8 compiles to plain
   * loads): a token is usually the previous line's token again, and this
   * compare is cheaper than scanning it byte by byte through the class table.
   */
  sameBytes(a: number, b: number, n: number): boolean {
    const dv = this.dv;
    let k = 0;
    for (; k + 4 <= n; k += 4) if (dv.getInt32(a + k, true) !== dv.getInt32(b + k, true)) return false;
    const buf = this.buf;
    for (; k < n; k++) if (buf[a + k] !== buf[b + k]) return false;
    return true;
  }

  /**
   * The end of the bare metric name at `i` when it is the previous line's
   * bare name again (its bytes, and no name byte after them before `limit`),
   * else -1: the grammars then scan it. Both grammars ask this before
   * scanning a name, and the accessors return the string made for the
   * previous line when it matched (`nameSame`).
   */
  sameNameEnd(i: number, limit: number): number {
    const ps = this.prevNameStart;
    const len = this.prevNameEnd - ps;
    if (
      len > 0 &&
      this.prevNameFlags === 0 &&
      i + len < limit &&
      (CLASS[this.buf[i + len]!]! & C_NAME) === 0 &&
      this.sameBytes(i, ps, len)
    ) {
      return i + len;
    }
    return -1;
  }

  /**
   * The end of the bare label name at `i` when it is the previous line's label
   * name at `pb` (its offset in `prevLbl`, or -1 for none) again, else -1.
   */
  sameLabelNameEnd(i: number, limit: number, pb: number): number {
    if (pb < 0) return -1;
    const pl = this.prevLbl;
    const ps = pl[pb + L_NAME_START]!;
    const len = pl[pb + L_NAME_END]! - ps;
    if (
      len > 0 &&
      pl[pb + L_NAME_FLAGS] === 0 &&
      i + len < limit &&
      (CLASS[this.buf[i + len]!]! & C_LABEL) === 0 &&
      this.sameBytes(i, ps, len)
    ) {
      return i + len;
    }
    return -1;
  }

  /**
   * The closing quote of the quoted value whose `"` is at `i` when its bytes
   * and closing quote are the previous line's label value at `pb` again, with
   * that value's flags in `quotedFlags` (as `scanQuoted` leaves them: the
   * same bytes scan the same way, UTF-8 validated there), else -1. Not for a
   * value that held a raw line feed (text), whose scan also counts lines.
   */
  sameValueClose(i: number, limit: number, pb: number): number {
    if (pb < 0) return -1;
    const pl = this.prevLbl;
    const ps = pl[pb + L_VALUE_START]!;
    const len = pl[pb + L_VALUE_END]! - ps;
    const pf = pl[pb + L_VALUE_FLAGS]!;
    if ((pf & F_NEWLINE) === 0 && i + 1 + len < limit && this.sameBytes(i + 1, ps, len + 1)) {
      this.quotedFlags = pf;
      return i + 1 + len;
    }
    return -1;
  }

  /** Starts a sample line at `start`: no name, no labels yet (the last line's become `prev*`). */
  startSeries(start: number): void {
    // Without comparison (a bench diagnostic), the previous line is empty.
    const compare = techniques.compareLines;
    this.prevNameStart = compare ? this.nameStart : -1;
    this.prevNameEnd = compare ? this.nameEnd : -1;
    this.prevNameFlags = this.nameFlags;
    const l = this.prevLbl;
    this.prevLbl = this.lbl;
    this.lbl = l;
    this.prevN = compare ? this.nLabels : 0;
    this.nLabels = 0;
    this.hasEx = false;
    this.nameStart = this.nameEnd = -1;
    this.nameFlags = 0;
    this.nameLabelAt = -1;
    this.seriesStart = start;
  }

  /** Sets the metric name from a quoted string (`"` at `openQuote`, closed at `close`). */
  setQuotedName(openQuote: number, close: number): void {
    if (close === openQuote + 1) throw this.error('INVALID_METRIC_NAME', 'expected a metric name, got an empty quoted string', openQuote);
    this.nameStart = openQuote + 1;
    this.nameEnd = close;
    this.nameFlags = this.quotedFlags | F_QUOTED;
    if (this.nameLabelAt >= 0) this.duplicateNameLabel(this.nameLabelAt);
  }

  /**
   * Prometheus 3.5 keeps the metric name as the `__name__` label, so a
   * `__name__` label beside a metric name makes that label twice: the TSDB
   * head refuses the series ("label name \"__name__\" is not unique",
   * tsdb/head_append.go, via labels.HasDuplicateLabelNames) and the scrape
   * fails. Without a metric name, promparse.go refuses the line first
   * ("metric name not set").
   */
  private duplicateNameLabel(at: number): never {
    throw this.error(
      'DUPLICATE_LABEL',
      `label name "__name__" is not unique: the series already has the metric name "${snippetOf(this, this.nameStart, this.nameEnd)}", which is its __name__`,
      at,
    );
  }

  /** Why a series without a metric name is refused. */
  noNameReason(): string {
    return this.nameLabelAt >= 0
      ? 'expected a metric name before the braces or quoted inside them, found only a __name__ label (which does not set it: Prometheus says "metric name not set")'
      : 'expected a quoted metric name inside the braces, found none';
  }

  /** Records a label; checks the limits and that its name is new on the line. */
  addLabel(ns: number, ne: number, nf: number, vs: number, ve: number, vf: number, quoted: boolean, same = 0): void {
    if (quoted && ne === ns) throw this.error('INVALID_LABEL_NAME', 'expected a label name, got an empty quoted string', ns - 1);
    const n = this.nLabels;
    if (n >= this.maxLabels || ne - ns > this.maxLabelNameLength || ve - vs > this.maxLabelValueLength) this.labelOverLimit(ns, ne, vs, ve);
    const buf = this.buf;
    if (n === 0) {
      this.nameFilter = 0;
      this.filterUpTo = FILTER_LABELS;
    }
    // Label names must be unique within a series (Prometheus refuses the
    // scrape; OpenMetrics: "Names MUST be unique within a LabelSet").
    // `filterUpTo` drops to 0 once the line's names are in the set.
    if (n >= this.filterUpTo || (nf & F_ESCAPE) !== 0) {
      this.checkNameInSet(ns, ne, nf);
    } else {
      // A 32-bit filter of (length, last byte) keeps this at one test per
      // label; names are compared only when the filter says "maybe", and at
      // most FILTER_LABELS of them.
      const lbl = this.lbl;
      const len = ne - ns;
      const bit = 1 << ((len * 7 + (len > 0 ? buf[ne - 1]! : 0)) & 31);
      if ((this.nameFilter & bit) !== 0) {
        for (let k = 0; k < n; k++) {
          const b = k * LABEL_STRIDE;
          const os = lbl[b + L_NAME_START]!;
          if (lbl[b + L_NAME_END]! - os !== len) continue;
          let same = true;
          for (let j = 0; j < len; j++) {
            if (buf[os + j] !== buf[ns + j]) {
              same = false;
              break;
            }
          }
          if (same) this.duplicateLabel(ns, ne);
        }
      }
      this.nameFilter |= bit;
      // `__name__`: its filter bit first, which the walk has at hand (the set path checks the decoded name).
      if (bit === NAME_LABEL_BIT && !this.inExemplar && sameAscii(buf, ns, ne, NAME_LABEL)) this.nameLabel(ns);
    }
    let arr = this.lbl;
    if ((n + 1) * LABEL_STRIDE > arr.length) {
      arr = new Int32Array(arr.length * 2);
      arr.set(this.lbl);
      this.lbl = arr;
    }
    const b = n * LABEL_STRIDE;
    arr[b + L_NAME_START] = ns;
    arr[b + L_NAME_END] = ne;
    arr[b + L_NAME_FLAGS] = nf;
    arr[b + L_VALUE_START] = vs;
    arr[b + L_VALUE_END] = ve;
    arr[b + L_VALUE_FLAGS] = vf;
    arr[b + L_SAME] = same;
    this.nLabels = n + 1;
  }

  private labelOverLimit(ns: number, ne: number, vs: number, ve: number): never {
    if (this.nLabels >= this.maxLabels) throw this.limit('maxLabels', `series has more than ${this.maxLabels} labels`, ns);
    if (ne - ns > this.maxLabelNameLength) {
      throw this.limit('maxLabelNameLength', `label name is ${ne - ns} bytes, over the limit of ${this.maxLabelNameLength}`, ns);
    }
    throw this.limit('maxLabelValueLength', `label value is ${ve - vs} bytes, over the limit of ${this.maxLabelValueLength}`, vs);
  }

  /** A label named `__name__` (the name as written, or decoded). */
  private nameLabel(ns: number): void {
    if (this.nameStart >= 0) this.duplicateNameLabel(ns);
    this.nameLabelAt = ns;
  }

  /**
   * The duplicate check by decoded name, out of the fast path: each name is
   * decoded once per line (escaped quoted names compare by what they mean:
   * `"a\\nb"` and a raw line feed in `"a<LF>b"` are one name).
   */
  private checkNameInSet(ns: number, ne: number, nf: number): void {
    let set = this.nameSet;
    if (set === undefined || this.filterUpTo !== 0) {
      this.filterUpTo = 0;
      set = this.nameSet = new Set<string>();
      const lbl = this.lbl;
      for (let k = 0; k < this.nLabels; k++) {
        const b = k * LABEL_STRIDE;
        set.add(this.decodeName(lbl[b + L_NAME_START]!, lbl[b + L_NAME_END]!, lbl[b + L_NAME_FLAGS]!));
      }
    }
    const name = this.decodeName(ns, ne, nf);
    if (set.has(name)) this.duplicateLabel(ns, ne);
    set.add(name);
    if (name === NAME_LABEL && !this.inExemplar) this.nameLabel(ns);
  }

  private duplicateLabel(ns: number, ne: number): never {
    throw this.error('DUPLICATE_LABEL', `label name "${snippetOf(this, ns, ne)}" appears twice in one series`, ns);
  }

  /** Counts a sample against maxSeries; the metric name against maxLabelValueLength. */
  countSample(): void {
    // Prometheus applies label_value_length_limit to every label value,
    // `__name__` (the metric name) included (scrape.go verifyLabelLimits).
    if (++this.samples > this.maxSeries || this.nameEnd - this.nameStart > this.maxLabelValueLength) this.sampleOverLimit();
  }

  private sampleOverLimit(): never {
    if (this.samples > this.maxSeries) {
      throw this.limit('maxSeries', `payload has more than ${this.maxSeries} samples`, this.seriesStart);
    }
    throw this.limit(
      'maxLabelValueLength',
      `metric name is ${this.nameEnd - this.nameStart} bytes, over the limit of ${this.maxLabelValueLength} (a label value limit, as the metric name is the value of __name__)`,
      this.nameStart,
    );
  }

  countBody(n: number): void {
    this.bodyBytes += n;
    if (this.bodyBytes > this.maxBodyBytes) {
      throw new PromwireError(
        'LIMIT_EXCEEDED',
        `body is over the limit of ${this.maxBodyBytes} bytes (maxBodyBytes)`,
        undefined,
        'maxBodyBytes',
      );
    }
  }

  // ------------------------------------------------------------- strings

  /** Characters (code points) in a name or value, counted after unescaping. */
  codePoints(s: number, e: number, f: number): number {
    if ((f & F_ESCAPE) === 0) return codePointCount(this.buf, s, e);
    let n = 0;
    for (const _ of this.decodeValue(s, e, f)) n++;
    return n;
  }

  decodeName(s: number, e: number, f: number): string {
    if ((f & (F_ESCAPE | F_UTF8)) === 0) return this.strings.ascii(s, e);
    return this.decodeValue(s, e, f);
  }

  /**
   * A label value, or any range, decoded. Plain ASCII is a slice of a 4 KiB
   * window string (`StringMaker.slice`) unless `copyStrings` (then the
   * interning cache, `ascii()`). Measured, CPU time interleaved in one
   * process (load average ~10): where values do not repeat (pod names, trace
   * ids: the bench's "unique values" payload) the walk with every string ran
   * 1.82x faster with slices, as the interning cache misses on each and
   * makes a string through a call into Node; on the generated 16 MB payload,
   * whose values repeat, the two are equal (1.00x; 71% of its values differ
   * from the previous sample's and are made here). Slices allocate more
   * (bench: 1.9 B per input byte against 0.5), hence `copyStrings` for
   * strings that outlive the parse.
   */
  decodeValue(s: number, e: number, f: number): string {
    if ((f & (F_ESCAPE | F_UTF8)) === 0) return this.copyStrings ? this.strings.ascii(s, e) : this.strings.slice(s, e);
    if ((f & F_ESCAPE) === 0) return this.strings.utf8(s, e);
    return this.strings.unescaped(s, e, (f & F_UTF8) !== 0, true);
  }

  /** SeriesView: the metric or family name, decoded. */
  name(): string {
    return this.decodeName(this.nameStart, this.nameEnd, this.nameFlags);
  }

  /** SeriesView: the unit of the current UNIT entry. */
  unitText(): string {
    return this.strings.ascii(this.textStart, this.textEnd);
  }

  // -------------------------------------------------------------- errors

  error(code: ErrorCode, reason: string, at: number): PromwireError {
    return errorAt(this, code, reason, at);
  }

  limit(name: string, reason: string, at: number): PromwireError {
    return limitAt(this, name, reason, at);
  }

  describe(i: number, lineEnd: number): string {
    return describeAt(this, i, lineEnd);
  }

  snippet(start: number, end: number): string {
    return snippetOf(this, start, end);
  }
}

/**
 * A per-line limit as a small integer: `Infinity` (and anything over 2^30)
 * becomes 2^30 - 1, which no line, name or value reaches (V8 strings stop
 * at 2^29 characters). A field that holds a double (Infinity) is read
 * through a box on every compare; a small integer is not: measured 5-8% of
 * the text walk with the limits at Infinity.
 */
function smallInt(limit: number): number {
  return Math.min(limit, SMALL_INT_MAX);
}
const SMALL_INT_MAX = 0x3fffffff;

/** True when buf[s..e) holds exactly the (ASCII) characters of `str`. */
export function sameAscii(buf: Uint8Array, s: number, e: number, str: string): boolean {
  const n = e - s;
  if (str.length !== n) return false;
  for (let i = 0; i < n; i++) if (buf[s + i] !== str.charCodeAt(i)) return false;
  return true;
}
