/**
 * The pull parser: a zero-copy tokenizer over a byte buffer, in the spirit of
 * Prometheus' `model/textparse` (interface.go). `next()` advances to the next
 * entry and returns its kind; accessors read the current entry and stay valid
 * until the next `next()`. The walk itself allocates nothing: it records
 * offsets into the buffer, and strings are built only when an accessor asks.
 *
 * Two grammars share the walk:
 * - text 0.0.4, exactly as Prometheus' promlex.l / promparse.go read it
 *   (blanks `[ \t]+` between tokens, free commas, NUL at a line start ends the
 *   input, quoted UTF-8 names of Prometheus 3);
 * - OpenMetrics 1.0, as its ABNF and the official parser suite require
 *   (single spaces, no blank lines, `# EOF`, exemplars), with the family and
 *   sample rules checked by `OpenMetricsRules` (om-rules.ts).
 */

import {
  BACKSLASH,
  C_BLANK,
  C_LABEL,
  C_LABEL_START,
  C_NAME,
  C_NAME_START,
  CLASS,
  COMMA,
  EQUALS,
  HASH,
  LBRACE,
  LF,
  NUL,
  QUOTE,
  QUOTED_STOP,
  RBRACE,
  SPACE,
  codePointCount,
  invalidUtf8At,
} from '../core/chars.js';
import { unescapeText } from '../core/escape.js';
import { parseNumber, parseSecondsAsMillis, parseTextTimestamp } from '../core/number.js';
import { StringMaker, latin1Slice } from '../core/strings.js';
import { type ErrorCode, PromwireError } from '../errors.js';
import type { Exemplar, Format, Labels, MetricType } from '../model/index.js';
import { detectFormat } from './detect.js';
import { OpenMetricsRules } from './om-rules.js';
import { DEFAULT_LIMITS, type ParserOptions } from './options.js';

/** The kinds of entry `Parser.next()` returns. */
export const Entry = {
  /** End of input (or, when streaming, of the bytes fed so far). */
  EOF: 0,
  /** A sample: metricName(), labels, value(), timestamp(), exemplar(). */
  Series: 1,
  /** `# HELP`: familyName(), help(). */
  Help: 2,
  /** `# TYPE`: familyName(), type(). */
  Type: 3,
  /** `# UNIT` (OpenMetrics): familyName(), unit(). */
  Unit: 4,
  /** Any other comment line (text 0.0.4 only): comment(). */
  Comment: 5,
} as const;
export type Entry = (typeof Entry)[keyof typeof Entry];

const ENTRY_NAMES = ['EOF', 'Series', 'Help', 'Type', 'Unit', 'Comment'];
/** The name of an entry kind, for messages and debugging. */
export function entryName(e: Entry): string {
  return ENTRY_NAMES[e] ?? String(e);
}

/** Range flags. */
const F_ESCAPE = 1; // holds a backslash
const F_UTF8 = 2; // holds a byte >= 0x80

/**
 * Sets a label on a plain object. `__proto__` is a valid label name, and a
 * plain assignment would call the prototype setter and lose it.
 */
function setLabel(out: Labels, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}

/** True when buf[s..e) holds exactly the (ASCII) characters of `str`. */
function sameAscii(buf: Uint8Array, s: number, e: number, str: string): boolean {
  const n = e - s;
  if (str.length !== n) return false;
  for (let i = 0; i < n; i++) if (buf[s + i] !== str.charCodeAt(i)) return false;
  return true;
}

/** Decodes snippets for error messages (invalid bytes become U+FFFD). */
const MESSAGE_DECODER = new TextDecoder();

/** Thrown inside the walk when a streamed line is not complete yet. */
const NEED_MORE = { needMore: true };

const TEXT_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'unknown',
};

// OpenMetrics 1.0 `metric-type`: counter, gauge, histogram, gaugehistogram,
// stateset, info, summary, unknown.
const OM_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  stateset: 'stateset',
  info: 'info',
  summary: 'summary',
  unknown: 'unknown',
};

export class Parser {
  /** The resolved format. */
  readonly format: Format;

  private buf: Uint8Array;
  private strings: StringMaker;
  private end: number;
  private pos = 0;
  private final = true;
  private readonly om: boolean;

  // Position bookkeeping, for errors. `byteBase` and line numbers carry over
  // between buffers when streaming.
  private byteBase = 0;
  private lineNo = 0;
  private lineStart = 0;
  private eof = false;
  private finished = false;
  /** True until the first line of the current buffer is started. */
  private freshLine = true;

  // Options, copied so the object shape stays stable.
  private readonly maxBodyBytes: number;
  private readonly maxLineLength: number;
  private readonly maxLabels: number;
  private readonly maxLabelNameLength: number;
  private readonly maxLabelValueLength: number;
  private readonly maxSeries: number;
  private readonly onError: ((e: PromwireError) => void) | undefined;
  private bodyBytes = 0;
  private samples = 0;

  // The current entry.
  private entry: Entry = Entry.EOF;
  private entryLine = 0;
  private entryStart = 0;
  private nameStart = 0;
  private nameEnd = 0;
  private nameFlags = 0;
  private seriesStart = 0;
  private seriesEnd = 0;
  /** Per label: name start, name end, name flags, value start, value end, value flags. */
  private lbl: Int32Array = new Int32Array(6 * 16);
  private nLabels = 0;
  private nameFilter = 0;
  private val = 0;
  private ts = 0;
  private hasTs = false;
  // Exemplar (OpenMetrics).
  private exLbl: Int32Array = new Int32Array(6 * 4);
  private exN = 0;
  private exVal = 0;
  private exTs = 0;
  private exHasTs = false;
  private hasEx = false;
  // Metadata and comments.
  private textStart = 0;
  private textEnd = 0;
  private textFlags = 0;
  private mtype: MetricType = 'unknown';

  private readonly rules: OpenMetricsRules | undefined;

  // Positional string caches: the strings made for the previous sample.
  private prevMetric = '';
  private readonly prevNames: (string | undefined)[] = [];
  private readonly prevValues: (string | undefined)[] = [];

  constructor(input: Uint8Array, options: ParserOptions = {}) {
    const format = options.format ?? 'auto';
    this.format = format === 'auto' ? detectFormat(options.contentType, input) : format;
    this.om = this.format === 'openmetrics';
    this.buf = input;
    this.end = input.length;
    this.strings = new StringMaker(input);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes;
    this.maxLineLength = options.maxLineLength ?? DEFAULT_LIMITS.maxLineLength;
    this.maxLabels = options.maxLabels ?? DEFAULT_LIMITS.maxLabels;
    this.maxLabelNameLength = options.maxLabelNameLength ?? DEFAULT_LIMITS.maxLabelNameLength;
    this.maxLabelValueLength = options.maxLabelValueLength ?? DEFAULT_LIMITS.maxLabelValueLength;
    this.maxSeries = options.maxSeries ?? DEFAULT_LIMITS.maxSeries;
    this.onError = options.onError;
    this.rules = this.om ? new OpenMetricsRules() : undefined;
    this.countBody(input.length);
  }

  // ---------------------------------------------------------------- walking

  /** Advances to the next entry and returns its kind; `Entry.EOF` at the end. */
  next(): Entry {
    for (;;) {
      if (this.pos >= this.end || this.eof) {
        this.entry = Entry.EOF;
        if (this.final) this.finish();
        return Entry.EOF;
      }
      const lineStartPos = this.pos;
      const lineNoBefore = this.lineNo;
      this.lineStart = lineStartPos;
      this.lineNo++;
      this.freshLine = false;
      try {
        const e = this.om ? this.lineOpenMetrics() : this.lineText();
        if (e === Entry.EOF) continue; // a blank line (text), or `# EOF`
        this.entry = e;
        this.entryLine = lineNoBefore + 1;
        this.entryStart = lineStartPos;
        return e;
      } catch (err) {
        if (err === NEED_MORE) {
          // Streaming: the line continues in bytes not fed yet.
          this.pos = lineStartPos;
          this.lineNo = lineNoBefore;
          this.freshLine = true;
          this.entry = Entry.EOF;
          return Entry.EOF;
        }
        if (this.onError === undefined || !(err instanceof PromwireError) || err.code === 'LIMIT_EXCEEDED') throw err;
        this.onError(err);
        if (err.code === 'CONTENT_AFTER_EOF' || (err.code === 'UNEXPECTED_END' && !this.om)) {
          // Everything after `# EOF`, or after an unclosed text quote, is one bad entry.
          this.pos = this.end;
          continue;
        }
        // Skip the bad entry: to the line end after the part already read,
        // which a text label value with raw line feeds may have carried past
        // its first line (lineNo and lineStart follow it).
        if (this.lineStart < lineStartPos) this.lineStart = lineStartPos;
        this.pos = this.lineStart;
        this.skipLine();
      }
    }
  }

  /** Checks that end all input: OpenMetrics requires `# EOF`. */
  private finish(): void {
    if (this.rules === undefined || this.finished) return;
    this.finished = true;
    const err = this.rules.finish();
    if (err !== undefined) {
      const e = new PromwireError(err.code, err.reason, this.position(this.end));
      if (this.onError === undefined) throw e;
      this.onError(e);
    }
  }

  private skipLine(): void {
    const i = this.buf.indexOf(LF, this.pos);
    this.pos = i < 0 || i >= this.end ? this.end : i + 1;
  }

  // ------------------------------------------------------------ text 0.0.4

  /** Parses one text 0.0.4 line; returns EOF for a line that is no entry. */
  private lineText(): Entry {
    const buf = this.buf;
    let i = this.pos;
    // promlex: `<*>[ \t]+` is skipped everywhere, including at a line start.
    while (i < this.end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    if (i >= this.end) {
      this.pos = i;
      return Entry.EOF;
    }
    const c = buf[i]!;
    if (c === LF) {
      // Blank lines are allowed in text 0.0.4.
      this.pos = i + 1;
      return Entry.EOF;
    }
    if (c === HASH) return this.commentText(i);
    if (c === NUL) {
      // promlex rule `\0 return tEOF`: Prometheus stops reading here without an error.
      this.eof = true;
      this.pos = this.end;
      return Entry.EOF;
    }
    return this.sampleText(i);
  }

  private commentText(hashAt: number): Entry {
    const buf = this.buf;
    const lineEnd = this.findLineEnd(hashAt);
    let i = hashAt + 1;
    // promlex: `#[ \t]+` then `HELP[\t ]+` / `TYPE[\t ]+` make metadata;
    // anything else is a comment.
    let isMeta = false;
    let kind: Entry = Entry.Comment;
    if (i < lineEnd && (CLASS[buf[i]!]! & C_BLANK) !== 0) {
      while (i < lineEnd && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
      if (i + 4 < lineEnd && (CLASS[buf[i + 4]!]! & C_BLANK) !== 0) {
        if (buf[i] === 0x48 && buf[i + 1] === 0x45 && buf[i + 2] === 0x4c && buf[i + 3] === 0x50) kind = Entry.Help;
        else if (buf[i] === 0x54 && buf[i + 1] === 0x59 && buf[i + 2] === 0x50 && buf[i + 3] === 0x45) kind = Entry.Type;
        isMeta = kind !== Entry.Comment;
      }
    }
    if (!isMeta) {
      this.textStart = hashAt;
      this.textEnd = lineEnd;
      this.textFlags = 0;
      this.endLine(lineEnd);
      return Entry.Comment;
    }
    i += 4;
    while (i < lineEnd && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    // The metric name: `{M}({M}|{D})*` or a quoted string (Prometheus 3).
    if (i < lineEnd && buf[i] === QUOTE) {
      const close = this.scanQuoted(i, this.end, false);
      this.setQuotedName(i, close);
      i = close + 1;
    } else if (i < lineEnd && (CLASS[buf[i]!]! & C_NAME_START) !== 0) {
      const s = i;
      while (i < lineEnd && (CLASS[buf[i]!]! & C_NAME) !== 0) i++;
      this.nameStart = s;
      this.nameEnd = i;
      this.nameFlags = 0;
    } else {
      throw this.error(
        'INVALID_METRIC_NAME',
        `expected metric name after ${kind === Entry.Help ? 'HELP' : 'TYPE'}, got ${this.describe(i, lineEnd)}`,
        i,
      );
    }
    const metaEnd = this.findLineEnd(i);
    // promlex `<sMeta2>{C}*`, then promparse drops its first byte (the
    // separating blank); a rest of blanks only is whitespace: empty text.
    let t = i;
    while (t < metaEnd && (CLASS[buf[t]!]! & C_BLANK) !== 0) t++;
    if (t === metaEnd) {
      this.textStart = this.textEnd = metaEnd;
    } else {
      this.textStart = i + 1;
      this.textEnd = metaEnd;
    }
    this.textFlags = this.scanFlags(this.textStart, this.textEnd);
    if (kind === Entry.Type) {
      const word = this.strings.ascii(this.textStart, this.textEnd);
      const type = this.textFlags === 0 ? TEXT_TYPES[word] : undefined;
      if (type === undefined) {
        throw this.error(
          'INVALID_METADATA',
          `expected metric type counter, gauge, histogram, summary or untyped, got "${this.snippetOf(this.textStart, this.textEnd)}"`,
          this.textStart,
        );
      }
      this.mtype = type;
    } else if ((this.textFlags & F_UTF8) !== 0) {
      const bad = invalidUtf8At(buf, this.textStart, this.textEnd);
      if (bad >= 0) throw this.error('INVALID_UTF8', 'help text is not valid UTF-8', bad);
    }
    this.endLine(metaEnd);
    return kind;
  }

  private sampleText(start: number): Entry {
    const buf = this.buf;
    const end = this.end;
    let i = start;
    this.nLabels = 0;
    this.hasEx = false;
    this.nameStart = this.nameEnd = -1;
    this.nameFlags = 0;
    this.seriesStart = start;
    const c = buf[i]!;
    if ((CLASS[c]! & C_NAME_START) !== 0) {
      i++;
      while (i < end && (CLASS[buf[i]!]! & C_NAME) !== 0) i++;
      this.nameStart = start;
      this.nameEnd = i;
      while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
      if (i < end && buf[i] === LBRACE) i = this.labelsText(i + 1);
    } else if (c === LBRACE) {
      i = this.labelsText(i + 1);
    } else {
      throw this.error('INVALID_METRIC_NAME', `expected metric name, got ${this.describe(i, this.findLineEnd(i))}`, i);
    }
    if (this.nameStart < 0) {
      throw this.error('INVALID_METRIC_NAME', 'expected a quoted metric name inside the braces, found none', start);
    }
    this.seriesEnd = i;
    while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    // promlex `<sValue>[^{ \t\n]+`: the value runs to a blank, brace or line end.
    const vs = i;
    while (i < end) {
      const b = buf[i]!;
      if (b === LF || b === LBRACE || b === NUL || (CLASS[b]! & C_BLANK) !== 0) break;
      i++;
    }
    if (i === vs) {
      throw this.error('INVALID_VALUE', `expected value after metric, got ${this.describe(i, this.findLineEnd(i))}`, i);
    }
    const v = parseNumber(buf, vs, i, latin1Slice);
    if (v === undefined) {
      throw this.error('INVALID_VALUE', `expected a number as value, got "${this.snippetOf(vs, i)}"`, vs);
    }
    this.val = v;
    while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    this.hasTs = false;
    if (i < end && buf[i] !== LF) {
      const ts = i;
      while (i < end) {
        const b = buf[i]!;
        if (b === LF || b === NUL || (CLASS[b]! & C_BLANK) !== 0) break;
        i++;
      }
      const t = parseTextTimestamp(buf, ts, i);
      if (t === undefined) {
        throw this.error(
          'INVALID_TIMESTAMP',
          `expected an integer timestamp in milliseconds or a line end, got "${this.snippetOf(ts, i)}"`,
          ts,
        );
      }
      this.ts = t;
      this.hasTs = true;
      while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
      if (i < end && buf[i] !== LF) {
        throw this.error('UNEXPECTED_CHARACTER', `expected line end after timestamp, got ${this.describe(i, this.findLineEnd(i))}`, i);
      }
    }
    this.countSample();
    this.endLine(i);
    return Entry.Series;
  }

  /** Parses text 0.0.4 labels after `{`; returns the index after `}`. */
  private labelsText(at: number): number {
    const buf = this.buf;
    const end = this.end;
    let i = at;
    for (;;) {
      while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
      if (i >= end) this.truncated(i, 'label name or "}"');
      let c = buf[i]!;
      if (c === RBRACE) return i + 1;
      let ns: number;
      let ne: number;
      let nf = 0;
      let quoted = false;
      if ((CLASS[c]! & C_LABEL_START) !== 0) {
        ns = i;
        i++;
        while (i < end && (CLASS[buf[i]!]! & C_LABEL) !== 0) i++;
        ne = i;
      } else if (c === QUOTE) {
        const close = this.scanQuoted(i, end, false);
        ns = i + 1;
        ne = close;
        nf = this.quotedFlags;
        quoted = true;
        i = close + 1;
      } else {
        throw this.error('INVALID_LABEL_NAME', `expected label name, got ${this.describe(i, this.findLineEnd(i))}`, i);
      }
      while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
      if (i >= end) this.truncated(i, '"="');
      c = buf[i]!;
      if (quoted && (c === COMMA || c === RBRACE)) {
        // promparse: a quoted string followed by `,` or `}` is the metric name.
        if (this.nameStart >= 0) {
          throw this.error('INVALID_METRIC_NAME', 'metric name already set, found a second quoted name', ns - 1);
        }
        this.setQuotedName(ns - 1, ne);
        if (c === RBRACE) return i + 1;
        i++;
        continue;
      }
      if (c !== EQUALS) throw this.error('UNEXPECTED_CHARACTER', `expected "=" after label name, got ${this.describe(i, this.findLineEnd(i))}`, i);
      i++;
      while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
      if (i >= end) this.truncated(i, 'label value');
      if (buf[i] !== QUOTE) {
        throw this.error('INVALID_LABEL_VALUE', `expected quoted label value, got ${this.describe(i, this.findLineEnd(i))}`, i);
      }
      const close = this.scanQuoted(i, end, false);
      this.addLabel(ns, ne, nf, i + 1, close, this.quotedFlags, quoted);
      i = close + 1;
      // promparse: "Free trailing commas are allowed", and so are blanks in
      // place of a comma between labels.
      while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
      if (i < end && buf[i] === COMMA) i++;
    }
  }

  // ---------------------------------------------------------- OpenMetrics 1.0

  private lineOpenMetrics(): Entry {
    const buf = this.buf;
    const i = this.pos;
    const rules = this.rules!;
    if (rules.sawEof) {
      throw this.error('CONTENT_AFTER_EOF', 'expected nothing after "# EOF", found more content', i);
    }
    const c = buf[i]!;
    if (c === LF) throw this.error('BLANK_LINE', 'blank lines are not allowed in OpenMetrics', i);
    if (c === HASH) return this.commentOpenMetrics(i);
    return this.sampleOpenMetrics(i);
  }

  private commentOpenMetrics(hashAt: number): Entry {
    const buf = this.buf;
    const lineEnd = this.findLineEnd(hashAt);
    if (!this.final && lineEnd === this.end) throw NEED_MORE;
    let i = hashAt + 1;
    // ABNF: `"#" SP ("HELP" / "TYPE" / "UNIT") SP metricname SP ...` and `"# EOF"`.
    if (i >= lineEnd || buf[i] !== SPACE) {
      throw this.error('INVALID_METADATA', 'expected "# HELP", "# TYPE", "# UNIT" or "# EOF"; OpenMetrics has no other comments', hashAt);
    }
    i++;
    const w0 = buf[i];
    const w1 = buf[i + 1];
    const w2 = buf[i + 2];
    const w3 = buf[i + 3];
    let kind: Entry;
    if (w0 === 0x45 && w1 === 0x4f && w2 === 0x46 && i + 3 === lineEnd) {
      // `# EOF`: the end of the exposition.
      const err = this.rules!.eof();
      if (err !== undefined) throw this.error(err.code, err.reason, hashAt);
      // Anything after this line is reported by the next line's check.
      this.pos = lineEnd < this.end ? lineEnd + 1 : lineEnd;
      return Entry.EOF;
    } else if (w0 === 0x48 && w1 === 0x45 && w2 === 0x4c && w3 === 0x50) kind = Entry.Help;
    else if (w0 === 0x54 && w1 === 0x59 && w2 === 0x50 && w3 === 0x45) kind = Entry.Type;
    else if (w0 === 0x55 && w1 === 0x4e && w2 === 0x49 && w3 === 0x54) kind = Entry.Unit;
    else {
      throw this.error('INVALID_METADATA', `expected HELP, TYPE, UNIT or EOF after "# ", got ${this.describe(i, lineEnd)}`, i);
    }
    const word = kind === Entry.Help ? 'HELP' : kind === Entry.Type ? 'TYPE' : 'UNIT';
    i += 4;
    if (i >= lineEnd || buf[i] !== SPACE) {
      throw this.error('INVALID_METADATA', `expected a space and a metric name after ${word}, got ${this.describe(i, lineEnd)}`, i);
    }
    i++;
    if (i < lineEnd && buf[i] === QUOTE) {
      const close = this.scanQuoted(i, lineEnd, true);
      this.setQuotedName(i, close);
      i = close + 1;
    } else if (i < lineEnd && (CLASS[buf[i]!]! & C_NAME_START) !== 0) {
      const s = i;
      while (i < lineEnd && (CLASS[buf[i]!]! & C_NAME) !== 0) i++;
      this.nameStart = s;
      this.nameEnd = i;
      this.nameFlags = 0;
    } else {
      throw this.error('INVALID_METRIC_NAME', `expected metric name after ${word}, got ${this.describe(i, lineEnd)}`, i);
    }
    if (i >= lineEnd || buf[i] !== SPACE) {
      throw this.error('INVALID_METADATA', `expected a space after the metric name in ${word}, got ${this.describe(i, lineEnd)}`, i);
    }
    i++;
    this.textStart = i;
    this.textEnd = lineEnd;
    this.textFlags = this.scanFlags(i, lineEnd);
    if (kind === Entry.Type) {
      const type = this.textFlags === 0 ? OM_TYPES[this.strings.ascii(i, lineEnd)] : undefined;
      if (type === undefined) {
        throw this.error(
          'INVALID_METADATA',
          `expected metric type counter, gauge, histogram, gaugehistogram, stateset, info, summary or unknown, got "${this.snippetOf(i, lineEnd)}"`,
          i,
        );
      }
      this.mtype = type;
    } else if (kind === Entry.Unit) {
      for (let k = i; k < lineEnd; k++) {
        if ((CLASS[buf[k]!]! & C_NAME) === 0) {
          throw this.error('INVALID_METADATA', `expected a unit of [a-zA-Z0-9_:], got ${this.describe(k, lineEnd)}`, k);
        }
      }
    } else {
      if ((this.textFlags & F_UTF8) !== 0) {
        const bad = invalidUtf8At(buf, i, lineEnd);
        if (bad >= 0) throw this.error('INVALID_UTF8', 'help text is not valid UTF-8', bad);
      }
    }
    const err = this.rules!.metadata(this, kind);
    if (err !== undefined) throw this.error(err.code, err.reason, this.nameStart);
    this.endLine(lineEnd);
    return kind;
  }

  private sampleOpenMetrics(start: number): Entry {
    const buf = this.buf;
    const lineEnd = this.findLineEnd(start);
    if (!this.final && lineEnd === this.end) throw NEED_MORE;
    let i = start;
    this.nLabels = 0;
    this.hasEx = false;
    this.nameStart = this.nameEnd = -1;
    this.nameFlags = 0;
    this.seriesStart = start;
    const c = buf[i]!;
    if ((CLASS[c]! & C_NAME_START) !== 0) {
      i++;
      while (i < lineEnd && (CLASS[buf[i]!]! & C_NAME) !== 0) i++;
      this.nameStart = start;
      this.nameEnd = i;
      if (i < lineEnd && buf[i] === LBRACE) i = this.labelsOpenMetrics(i + 1, lineEnd, false);
    } else if (c === LBRACE) {
      i = this.labelsOpenMetrics(i + 1, lineEnd, false);
    } else {
      throw this.error('INVALID_METRIC_NAME', `expected metric name, got ${this.describe(i, lineEnd)}`, i);
    }
    if (this.nameStart < 0) {
      throw this.error('INVALID_METRIC_NAME', 'expected a quoted metric name inside the braces, found none', start);
    }
    this.seriesEnd = i;
    // ABNF: `sample = metricname [labels] SP number [SP timestamp] [exemplar] LF`.
    if (i >= lineEnd || buf[i] !== SPACE) {
      throw this.error('UNEXPECTED_CHARACTER', `expected a space and a value after the metric, got ${this.describe(i, lineEnd)}`, i);
    }
    i++;
    const vs = i;
    while (i < lineEnd && buf[i] !== SPACE) i++;
    const v = vs < i ? parseNumber(buf, vs, i, latin1Slice) : undefined;
    if (v === undefined) {
      throw this.error('INVALID_VALUE', `expected a number as value, got ${vs < i ? `"${this.snippetOf(vs, i)}"` : this.describe(i, lineEnd)}`, vs);
    }
    this.val = v;
    this.hasTs = false;
    if (i < lineEnd) {
      i++; // the space
      if (buf[i] !== HASH) {
        const ts = i;
        while (i < lineEnd && buf[i] !== SPACE) i++;
        const t = ts < i ? parseSecondsAsMillis(buf, ts, i) : undefined;
        if (t === undefined) {
          throw this.error(
            'INVALID_TIMESTAMP',
            `expected a timestamp in seconds or a line end, got ${ts < i ? `"${this.snippetOf(ts, i)}"` : this.describe(i, lineEnd)}`,
            ts,
          );
        }
        this.ts = t;
        this.hasTs = true;
        if (i < lineEnd) i++;
      }
      if (i < lineEnd || buf[i - 1] === SPACE) i = this.exemplarOpenMetrics(i, lineEnd);
    }
    this.countSample();
    const err = this.rules!.sample(this);
    if (err !== undefined) throw this.error(err.code, err.reason, start);
    this.endLine(lineEnd);
    return Entry.Series;
  }

  /** ABNF: `exemplar = SP HASH SP labels SP number [SP timestamp]`. */
  private exemplarOpenMetrics(at: number, lineEnd: number): number {
    const buf = this.buf;
    let i = at;
    if (buf[i] !== HASH || buf[i + 1] !== SPACE || buf[i + 2] !== LBRACE || i + 2 >= lineEnd) {
      throw this.error('INVALID_EXEMPLAR', `expected an exemplar "# {...} value" or a line end, got ${this.describe(i, lineEnd)}`, i);
    }
    // Parse the exemplar's labels into the exemplar slots: swap the arrays so
    // the label walker can be shared.
    const sampleLbl = this.lbl;
    const sampleN = this.nLabels;
    this.lbl = this.exLbl;
    this.nLabels = 0;
    const nameStart = this.nameStart;
    try {
      i = this.labelsOpenMetrics(i + 3, lineEnd, true);
    } finally {
      this.exLbl = this.lbl;
      this.exN = this.nLabels;
      this.lbl = sampleLbl;
      this.nLabels = sampleN;
      this.nameStart = nameStart;
    }
    // OpenMetrics: "The combined length of the label names and values of an
    // Exemplar's LabelSet MUST NOT exceed 128 UTF-8 character code points."
    let chars = 0;
    const ex = this.exLbl;
    for (let k = 0; k < this.exN; k++) {
      const b = k * 6;
      chars += this.codePoints(ex[b]!, ex[b + 1]!, ex[b + 2]!) + this.codePoints(ex[b + 3]!, ex[b + 4]!, ex[b + 5]!);
    }
    if (chars > 128) {
      throw this.error('INVALID_EXEMPLAR', `exemplar labels hold ${chars} characters, more than the 128 allowed`, at + 2);
    }
    if (i >= lineEnd || buf[i] !== SPACE) {
      throw this.error('INVALID_EXEMPLAR', `expected a space and the exemplar value, got ${this.describe(i, lineEnd)}`, i);
    }
    i++;
    const vs = i;
    while (i < lineEnd && buf[i] !== SPACE) i++;
    const v = vs < i ? parseNumber(buf, vs, i, latin1Slice) : undefined;
    if (v === undefined) {
      throw this.error('INVALID_EXEMPLAR', `expected a number as exemplar value, got ${vs < i ? `"${this.snippetOf(vs, i)}"` : this.describe(i, lineEnd)}`, vs);
    }
    this.exVal = v;
    this.exHasTs = false;
    if (i < lineEnd) {
      i++;
      const ts = i;
      while (i < lineEnd && buf[i] !== SPACE) i++;
      const t = ts < i ? parseSecondsAsMillis(buf, ts, i) : undefined;
      if (t === undefined) {
        throw this.error('INVALID_EXEMPLAR', `expected a timestamp in seconds after the exemplar value, got ${ts < i ? `"${this.snippetOf(ts, i)}"` : this.describe(i, lineEnd)}`, ts);
      }
      this.exTs = t;
      this.exHasTs = true;
      if (i < lineEnd) throw this.error('INVALID_EXEMPLAR', `expected line end after the exemplar timestamp, got ${this.describe(i, lineEnd)}`, i);
    }
    this.hasEx = true;
    return i;
  }

  /**
   * (The two grammars keep their own label loops on purpose: a shared
   * label-name reader that hands its result back through fields measured 6%
   * slower on the text walk.)
   *
   * OpenMetrics labels after `{`: `label *(COMMA label)`, no blanks, no
   * trailing comma. A quoted string followed by `,` or `}` is the metric name
   * (Prometheus 3 UTF-8 names). Returns the index after `}`.
   */
  private labelsOpenMetrics(at: number, lineEnd: number, exemplar: boolean): number {
    const buf = this.buf;
    let i = at;
    if (i < lineEnd && buf[i] === RBRACE) return i + 1;
    for (;;) {
      if (i >= lineEnd) throw this.error('UNEXPECTED_CHARACTER', 'expected label name, got line end', i);
      let c = buf[i]!;
      let ns: number;
      let ne: number;
      let nf = 0;
      let quoted = false;
      if ((CLASS[c]! & C_LABEL_START) !== 0) {
        ns = i;
        i++;
        while (i < lineEnd && (CLASS[buf[i]!]! & C_LABEL) !== 0) i++;
        ne = i;
      } else if (c === QUOTE) {
        const close = this.scanQuoted(i, lineEnd, true);
        ns = i + 1;
        ne = close;
        nf = this.quotedFlags;
        quoted = true;
        i = close + 1;
      } else {
        throw this.error('INVALID_LABEL_NAME', `expected label name, got ${this.describe(i, lineEnd)}`, i);
      }
      c = i < lineEnd ? buf[i]! : LF;
      if (quoted && !exemplar && (c === COMMA || c === RBRACE)) {
        if (this.nameStart >= 0) {
          throw this.error('INVALID_METRIC_NAME', 'metric name already set, found a second quoted name', ns - 1);
        }
        this.setQuotedName(ns - 1, ne);
      } else {
        if (c !== EQUALS) throw this.error('UNEXPECTED_CHARACTER', `expected "=" after label name, got ${this.describe(i, lineEnd)}`, i);
        i++;
        if (i >= lineEnd || buf[i] !== QUOTE) {
          throw this.error('INVALID_LABEL_VALUE', `expected quoted label value, got ${this.describe(i, lineEnd)}`, i);
        }
        const close = this.scanQuoted(i, lineEnd, true);
        this.addLabel(ns, ne, nf, i + 1, close, this.quotedFlags, quoted);
        i = close + 1;
        c = i < lineEnd ? buf[i]! : LF;
      }
      if (c === RBRACE) return i + 1;
      if (c !== COMMA) throw this.error('UNEXPECTED_CHARACTER', `expected "," or "}" after label, got ${this.describe(i, lineEnd)}`, i);
      i++;
      if (i < lineEnd && buf[i] === RBRACE) {
        throw this.error('UNEXPECTED_CHARACTER', 'expected label name after ",", got "}" (no trailing comma in OpenMetrics)', i);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Flags of the last quoted string scanned. */
  private quotedFlags = 0;

  /**
   * Scans a quoted string starting at the `"` at `at`; returns the index of
   * the closing quote and sets `quotedFlags`. Text 0.0.4 (promlex
   * `\"(\\.|[^\\"])*\"`) lets a raw line feed stand inside; OpenMetrics
   * strings end at the line (`limit` is the line end).
   */
  private scanQuoted(at: number, limit: number, om: boolean): number {
    const buf = this.buf;
    let i = at + 1;
    let flags = 0;
    let lines = 0;
    for (;;) {
      // Fast path: plain ASCII bytes.
      while (i < limit && QUOTED_STOP[buf[i]!] === 0) i++;
      if (i >= limit) {
        if (!this.final && !om) throw NEED_MORE;
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
        lines++;
      }
      i++;
    }
    if (lines > 0) {
      // A text 0.0.4 label value may hold raw line feeds; keep the line count right.
      this.lineNo += lines;
      this.lineStart = buf.lastIndexOf(LF, i) + 1;
    }
    if ((flags & F_UTF8) !== 0) {
      const bad = invalidUtf8At(buf, at + 1, i);
      if (bad >= 0) throw this.error('INVALID_UTF8', 'quoted string is not valid UTF-8', bad);
    }
    this.quotedFlags = flags;
    return i;
  }

  /** Characters (code points) in a name or value, counted after unescaping. */
  private codePoints(s: number, e: number, f: number): number {
    if ((f & F_ESCAPE) === 0) return codePointCount(this.buf, s, e);
    let n = 0;
    for (const _ of this.decodeValue(s, e, f)) n++;
    return n;
  }

  private setQuotedName(openQuote: number, close: number): void {
    if (close === openQuote + 1) throw this.error('INVALID_METRIC_NAME', 'expected a metric name, got an empty quoted string', openQuote);
    this.nameStart = openQuote + 1;
    this.nameEnd = close;
    this.nameFlags = this.quotedFlags | 4;
  }

  private addLabel(ns: number, ne: number, nf: number, vs: number, ve: number, vf: number, quoted: boolean): void {
    if (quoted && ne === ns) throw this.error('INVALID_LABEL_NAME', 'expected a label name, got an empty quoted string', ns - 1);
    const n = this.nLabels;
    if (n >= this.maxLabels) {
      throw this.limit('maxLabels', `series has more than ${this.maxLabels} labels`, ns);
    }
    if (ne - ns > this.maxLabelNameLength) {
      throw this.limit('maxLabelNameLength', `label name is ${ne - ns} bytes, over the limit of ${this.maxLabelNameLength}`, ns);
    }
    if (ve - vs > this.maxLabelValueLength) {
      throw this.limit('maxLabelValueLength', `label value is ${ve - vs} bytes, over the limit of ${this.maxLabelValueLength}`, vs);
    }
    // Label names must be unique within a series (Prometheus rejects the
    // scrape; OpenMetrics: "Names MUST be unique within a LabelSet").
    // A 32-bit filter of (length, last byte) per series keeps this at one
    // test per label; names are compared only when the filter says "maybe".
    const buf = this.buf;
    const lbl = this.lbl;
    const len = ne - ns;
    const bit = 1 << ((len * 7 + (len > 0 ? buf[ne - 1]! : 0)) & 31);
    if (n === 0) this.nameFilter = 0;
    const maybe = (this.nameFilter & bit) !== 0 || (nf & F_ESCAPE) !== 0;
    this.nameFilter |= bit;
    for (let k = 0; maybe && k < n; k++) {
      const b = k * 6;
      const os = lbl[b]!;
      if (lbl[b + 1]! - os !== len) continue;
      let same = true;
      for (let j = 0; j < len; j++) {
        if (buf[os + j] !== buf[ns + j]) {
          same = false;
          break;
        }
      }
      if (same && ((lbl[b + 2]! | nf) & F_ESCAPE) === 0) {
        throw this.error('DUPLICATE_LABEL', `label name "${this.snippetOf(ns, ne)}" appears twice in one series`, ns);
      }
    }
    if (maybe && (nf & F_ESCAPE) !== 0) {
      // Escaped quoted names: compare what they decode to (rare, out of the fast path).
      const name = this.decodeName(ns, ne, nf);
      for (let k = 0; k < n; k++) {
        const b = k * 6;
        if (this.decodeName(lbl[b]!, lbl[b + 1]!, lbl[b + 2]!) === name) {
          throw this.error('DUPLICATE_LABEL', `label name "${name}" appears twice in one series`, ns);
        }
      }
    }
    let arr = lbl;
    if ((n + 1) * 6 > arr.length) {
      arr = new Int32Array(arr.length * 2);
      arr.set(lbl);
      this.lbl = arr;
    }
    const b = n * 6;
    arr[b] = ns;
    arr[b + 1] = ne;
    arr[b + 2] = nf;
    arr[b + 3] = vs;
    arr[b + 4] = ve;
    arr[b + 5] = vf;
    this.nLabels = n + 1;
  }

  private scanFlags(start: number, end: number): number {
    const buf = this.buf;
    let f = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) f |= F_UTF8;
      else if (c === BACKSLASH) f |= F_ESCAPE;
    }
    return f;
  }

  private findLineEnd(from: number): number {
    const i = this.buf.indexOf(LF, from);
    return i < 0 || i >= this.end ? this.end : i;
  }

  /** Ends the current line at `lineEnd` (the LF or the input's end). */
  private endLine(lineEnd: number): void {
    if (lineEnd - this.lineStart > this.maxLineLength) {
      throw this.limit('maxLineLength', `line is ${lineEnd - this.lineStart} bytes, over the limit of ${this.maxLineLength}`, this.lineStart);
    }
    this.pos = lineEnd < this.end ? lineEnd + 1 : lineEnd;
  }

  private truncated(at: number, expected: string): never {
    if (!this.final) throw NEED_MORE;
    throw this.error('UNEXPECTED_END', `expected ${expected}, found end of input`, at);
  }

  private countSample(): void {
    if (++this.samples > this.maxSeries) {
      throw this.limit('maxSeries', `payload has more than ${this.maxSeries} samples`, this.seriesStart);
    }
  }

  private countBody(n: number): void {
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

  // ----------------------------------------------------------------- errors

  private limit(name: string, reason: string, at: number): PromwireError {
    return new PromwireError('LIMIT_EXCEEDED', `${reason} (${name})`, this.position(at), name);
  }

  private error(code: ErrorCode, reason: string, at: number): PromwireError {
    return new PromwireError(code, reason, this.position(at));
  }

  private position(at: number): { line: number; column: number; offset: number; snippet: string; snippetStart: number } {
    const buf = this.buf;
    let ls = this.lineStart;
    // `lineStart` is the start of line `lineNo`, or of the next line when no
    // line has been started in this buffer yet.
    let line = this.lineNo + (this.freshLine ? 1 : 0);
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
    const le = this.findLineEnd(at);
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
      offset: this.byteBase + at,
      snippet,
      snippetStart: ws > ls ? ws - ls - 3 : 0,
    };
  }

  /** Describes what stands at `i` for messages: a quoted character or "line end". */
  private describe(i: number, lineEnd: number): string {
    if (i >= lineEnd) return i >= this.end ? 'end of input' : 'line end';
    const c = this.buf[i]!;
    if (c === SPACE) return 'a space';
    if (c === 0x09) return 'a tab';
    if (c === NUL) return 'a NUL byte';
    if (c < 0x20 || c >= 0x7f) return `byte 0x${c.toString(16).padStart(2, '0')}`;
    return `"${String.fromCharCode(c)}"`;
  }

  private snippetOf(start: number, end: number): string {
    const e = Math.min(end, start + 40);
    const s = MESSAGE_DECODER.decode(this.buf.subarray(start, e));
    return (end > e ? `${s}...` : s).replace(/[\x00-\x1f\x7f]/g, '?');
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
    const prev = this.prevMetric;
    if (this.nameFlags === 0 && sameAscii(this.buf, this.nameStart, this.nameEnd, prev)) return prev;
    const str = this.decodeName(this.nameStart, this.nameEnd, this.nameFlags);
    this.prevMetric = str;
    return str;
  }

  /** The family name of the current HELP, TYPE or UNIT entry. */
  familyName(): string {
    return this.decodeName(this.nameStart, this.nameEnd, this.nameFlags);
  }

  /** Number of labels on the current sample (the metric name not counted). */
  labelCount(): number {
    return this.nLabels;
  }

  labelName(i: number): string {
    this.checkLabel(i);
    const b = i * 6;
    const l = this.lbl;
    const s = l[b]!;
    const e = l[b + 1]!;
    // The i-th label name is almost always the previous sample's i-th one:
    // compare against it before hashing (positional cache).
    const prev = this.prevNames[i];
    if (prev !== undefined && l[b + 2] === 0 && sameAscii(this.buf, s, e, prev)) return prev;
    const str = this.decodeName(s, e, l[b + 2]!);
    this.prevNames[i] = str;
    return str;
  }

  labelValue(i: number): string {
    this.checkLabel(i);
    const b = i * 6;
    const l = this.lbl;
    const s = l[b + 3]!;
    const e = l[b + 4]!;
    const prev = this.prevValues[i];
    if (prev !== undefined && l[b + 5] === 0 && sameAscii(this.buf, s, e, prev)) return prev;
    const str = this.decodeValue(s, e, l[b + 5]!);
    this.prevValues[i] = str;
    return str;
  }

  /** The current sample's labels as an object (allocates). */
  labels(): Labels {
    const out: Labels = {};
    for (let i = 0; i < this.nLabels; i++) setLabel(out, this.labelName(i), this.labelValue(i));
    return out;
  }

  value(): number {
    return this.val;
  }

  /** Milliseconds since the epoch, or null when the sample has none. */
  timestamp(): number | null {
    return this.hasTs ? this.ts : null;
  }

  hasExemplar(): boolean {
    return this.hasEx;
  }

  /** The current sample's exemplar (OpenMetrics), or undefined. Allocates. */
  exemplar(): Exemplar | undefined {
    if (!this.hasEx) return undefined;
    const labels: Labels = {};
    const l = this.exLbl;
    for (let k = 0; k < this.exN; k++) {
      const b = k * 6;
      setLabel(labels, this.decodeName(l[b]!, l[b + 1]!, l[b + 2]!), this.decodeValue(l[b + 3]!, l[b + 4]!, l[b + 5]!));
    }
    return { labels, value: this.exVal, timestamp: this.exHasTs ? this.exTs : null };
  }

  /** Unescaped help text of the current HELP entry. */
  help(): string {
    const s = this.textStart;
    const e = this.textEnd;
    const f = this.textFlags;
    if (f === 0) return this.strings.ascii(s, e);
    const raw = (f & F_UTF8) !== 0 ? this.strings.utf8(s, e) : this.strings.ascii(s, e);
    if ((f & F_ESCAPE) === 0) return raw;
    // OpenMetrics HELP also escapes `"`; text 0.0.4 HELP does not.
    return unescapeText(raw, this.om);
  }

  /** The type of the current TYPE entry; text's `untyped` is `unknown`, as Prometheus 3 reads it. */
  type(): MetricType {
    return this.mtype;
  }

  /** The unit of the current UNIT entry ('' when empty). */
  unit(): string {
    return this.strings.ascii(this.textStart, this.textEnd);
  }

  /** The current comment line, from its `#` to the line end. */
  comment(): string {
    const s = this.textStart;
    const e = this.textEnd;
    const f = this.scanFlags(s, e);
    return (f & F_UTF8) !== 0 ? this.strings.utf8(s, e) : this.strings.ascii(s, e);
  }

  /**
   * The raw bytes of the current series (`name{labels}` as written), a
   * zero-copy view valid until the next `next()`: a key for a scrape cache.
   */
  seriesBytes(): Uint8Array {
    return this.buf.subarray(this.seriesStart, this.seriesEnd);
  }

  /** A 32-bit FNV-1a hash of `seriesBytes()`, computed on demand. */
  seriesHash(): number {
    const buf = this.buf;
    let h = 0x811c9dc5;
    for (let i = this.seriesStart; i < this.seriesEnd; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    return h >>> 0;
  }

  /** Byte offset of the current entry (where it starts) in the whole payload. */
  offset(): number {
    return this.byteBase + this.entryStart;
  }

  private checkLabel(i: number): void {
    if (i < 0 || i >= this.nLabels || (i | 0) !== i) {
      throw new RangeError(`label index ${i} out of range (the series has ${this.nLabels} labels)`);
    }
  }

  private decodeName(s: number, e: number, f: number): string {
    if ((f & (F_ESCAPE | F_UTF8)) === 0) return this.strings.ascii(s, e);
    return this.decodeValue(s, e, f);
  }

  private decodeValue(s: number, e: number, f: number): string {
    if (f === 0 || f === 4) return this.strings.ascii(s, e);
    const raw = (f & F_UTF8) !== 0 ? this.strings.utf8(s, e) : this.strings.ascii(s, e);
    if ((f & F_ESCAPE) === 0) return raw;
    return unescapeText(raw, true);
  }

  // ------------------------------------------- internal: OpenMetrics rules

  /** @internal Raw offsets for `OpenMetricsRules`. */
  _buf(): Uint8Array {
    return this.buf;
  }
  /** @internal */
  _nameStart(): number {
    return this.nameStart;
  }
  /** @internal */
  _nameEnd(): number {
    return this.nameEnd;
  }
  /** @internal */
  _nameFlags(): number {
    return this.nameFlags;
  }
  /** @internal label array: 6 ints per label. */
  _labels(): Int32Array {
    return this.lbl;
  }
  /** @internal */
  _labelCount(): number {
    return this.nLabels;
  }

  // --------------------------------------------------- internal: streaming

  /**
   * @internal Points the parser at the next piece of a stream. `bytes` must
   * start where the previous piece's consumed part ended. When `final` is
   * false, a line cut at the end of `bytes` makes `next()` return EOF early,
   * with `_consumed()` telling how far whole lines went.
   */
  _feed(bytes: Uint8Array, final: boolean, byteBase: number): void {
    this.buf = bytes;
    this.end = bytes.length;
    this.strings.setBuffer(bytes);
    this.pos = 0;
    this.lineStart = 0;
    this.freshLine = true;
    this.final = final;
    this.byteBase = byteBase;
  }

  /** @internal Counts streamed bytes against maxBodyBytes. */
  _countBody(n: number): void {
    this.countBody(n);
  }

  /** @internal Bytes of the fed piece consumed as whole lines. */
  _consumed(): number {
    return this.pos;
  }

  /** @internal True once the input has ended early (text: a NUL at a line start). */
  _stopped(): boolean {
    return this.eof;
  }

  /** @internal The configured line limit, for the stream's carry-over buffer. */
  _maxLineLength(): number {
    return this.maxLineLength;
  }
}
