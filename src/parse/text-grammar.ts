/**
 * The text 0.0.4 grammar, exactly as Prometheus' promlex.l / promparse.go
 * read it: blanks `[ \t]+` between tokens, free commas, blank lines, `#`
 * comments, NUL at a line start ends the input, and the quoted UTF-8 names of
 * Prometheus 3. Functions over the one `Scanner` (see scanner.ts for why).
 */

import * as chars from '../core/chars.js';
import { parseNumber, parseTextTimestamp } from '../core/number.js';
import { latin1Slice } from '../core/strings.js';
import type { MetricType } from '../model/index.js';
import { Entry } from './entry.js';
import type { Scanner } from './scanner.js';
import * as layout from './series-view.js';

// Module-local copies of the byte constants and class tables: V8 reads an
// imported binding through its module cell at every use, and folds a local
// const (measured, CPU time against the walk before: next() on the 16 MB
// text payload 0.75x, OpenMetrics 0.85-0.9x).
const C_BLANK = chars.C_BLANK;
const C_LABEL = chars.C_LABEL;
const C_LABEL_START = chars.C_LABEL_START;
const C_NAME = chars.C_NAME;
const C_NAME_START = chars.C_NAME_START;
const CLASS = chars.CLASS;
const COMMA = chars.COMMA;
const EQUALS = chars.EQUALS;
const HASH = chars.HASH;
const LBRACE = chars.LBRACE;
const LF = chars.LF;
const NUL = chars.NUL;
const QUOTE = chars.QUOTE;
const RBRACE = chars.RBRACE;
const invalidUtf8At = chars.invalidUtf8At;
const F_UTF8 = layout.F_UTF8;
const LABEL_STRIDE = layout.LABEL_STRIDE;
const SAME_NAME = layout.SAME_NAME;
const SAME_VALUE = layout.SAME_VALUE;

/** promparse.go: the TYPE words of text 0.0.4. */
const TEXT_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  // Prometheus 3 reads text's untyped as model.MetricTypeUnknown.
  untyped: 'unknown',
};

/** Parses one text 0.0.4 line; returns EOF for a line that is no entry. */
export function lineText(s: Scanner): Entry {
  const buf = s.buf;
  let i = s.pos;
  // promlex: `<*>[ \t]+` is skipped everywhere, including at a line start.
  while (i < s.end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
  if (i >= s.end) {
    s.pos = i;
    return Entry.EOF;
  }
  const c = buf[i]!;
  if (c === LF) {
    // Blank lines are allowed in text 0.0.4.
    s.pos = i + 1;
    return Entry.EOF;
  }
  if (c === HASH) return commentText(s, i);
  if (c === NUL) {
    // promlex rule `\0 return tEOF`: Prometheus stops reading here without an error.
    s.eof = true;
    s.pos = s.end;
    return Entry.EOF;
  }
  return sampleText(s, i);
}

function commentText(s: Scanner, hashAt: number): Entry {
  const buf = s.buf;
  const lineEnd = s.findLineEnd(hashAt);
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
    s.textStart = hashAt;
    s.textEnd = lineEnd;
    s.textFlags = 0;
    s.endLine(lineEnd);
    return Entry.Comment;
  }
  i += 4;
  while (i < lineEnd && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
  // The metric name: `{M}({M}|{D})*` or a quoted string (Prometheus 3).
  if (i < lineEnd && buf[i] === QUOTE) {
    const close = s.scanQuoted(i, s.end, false);
    s.nameLabelAt = -1;
    s.setQuotedName(i, close);
    i = close + 1;
  } else if (i < lineEnd && (CLASS[buf[i]!]! & C_NAME_START) !== 0) {
    const start = i;
    while (i < lineEnd && (CLASS[buf[i]!]! & C_NAME) !== 0) i++;
    s.nameStart = start;
    s.nameEnd = i;
    s.nameFlags = 0;
  } else {
    throw s.error(
      'INVALID_METRIC_NAME',
      `expected metric name after ${kind === Entry.Help ? 'HELP' : 'TYPE'}, got ${s.describe(i, lineEnd)}`,
      i,
    );
  }
  const metaEnd = s.findLineEnd(i);
  // promlex `<sMeta2>{C}*`, then promparse drops its first byte (the
  // separating blank); a rest of blanks only is whitespace: empty text.
  let t = i;
  while (t < metaEnd && (CLASS[buf[t]!]! & C_BLANK) !== 0) t++;
  if (t === metaEnd) {
    s.textStart = s.textEnd = metaEnd;
  } else {
    s.textStart = i + 1;
    s.textEnd = metaEnd;
  }
  s.textFlags = s.scanFlags(s.textStart, s.textEnd);
  if (kind === Entry.Type) {
    const word = s.strings.ascii(s.textStart, s.textEnd);
    const type = s.textFlags === 0 ? TEXT_TYPES[word] : undefined;
    if (type === undefined) {
      throw s.error(
        'INVALID_METADATA',
        `expected metric type counter, gauge, histogram, summary or untyped, got "${s.snippet(s.textStart, s.textEnd)}"`,
        s.textStart,
      );
    }
    s.mtype = type;
  } else if ((s.textFlags & F_UTF8) !== 0 && (buf[i]! >= 0x80 || !s.wholeUtf8())) {
    // The whole-buffer check vouches only for ranges that start on a
    // character: the text starts one byte after the name, and when that
    // dropped byte is not ASCII (`# HELP a東 help`) the text starts inside a
    // character, which promparse's utf8.Valid(p.text) refuses.
    const bad = invalidUtf8At(buf, s.textStart, s.textEnd);
    if (bad >= 0) throw s.error('INVALID_UTF8', 'help text is not valid UTF-8', bad);
  }
  s.endLine(metaEnd);
  return kind;
}

function sampleText(s: Scanner, start: number): Entry {
  const buf = s.buf;
  const end = s.end;
  let i = start;
  s.startSeries(start);
  const c = buf[i]!;
  if ((CLASS[c]! & C_NAME_START) !== 0) {
    // The previous line's name again? (Scanner.sameNameEnd)
    const same = s.sameNameEnd(i, end);
    if (same >= 0) {
      i = same;
      s.nameSame = true;
    } else {
      i++;
      while (i < end && (CLASS[buf[i]!]! & C_NAME) !== 0) i++;
    }
    s.nameStart = start;
    s.nameEnd = i;
    while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    if (i < end && buf[i] === LBRACE) i = labelsText(s, i + 1);
  } else if (c === LBRACE) {
    i = labelsText(s, i + 1);
  } else {
    throw s.error('INVALID_METRIC_NAME', `expected metric name, got ${s.describe(i, s.findLineEnd(i))}`, i);
  }
  if (s.nameStart < 0) {
    // promparse.go parseMetricSuffix: "metric name not set while parsing".
    throw s.error('INVALID_METRIC_NAME', s.noNameReason(), start);
  }
  s.seriesEnd = i;
  while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
  // promlex `<sValue>[^{ \t\n]+`: the value runs to a blank, brace or line end.
  const vs = i;
  while (i < end) {
    const b = buf[i]!;
    if (b === LF || b === LBRACE || b === NUL || (CLASS[b]! & C_BLANK) !== 0) break;
    i++;
  }
  if (i === vs) {
    throw s.error('INVALID_VALUE', `expected value after metric, got ${s.describe(i, s.findLineEnd(i))}`, i);
  }
  const v = parseNumber(buf, vs, i, latin1Slice);
  if (v === undefined) {
    throw s.error('INVALID_VALUE', `expected a number as value, got "${s.snippet(vs, i)}"`, vs);
  }
  s.val = v;
  while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
  s.hasTs = false;
  if (i < end && buf[i] !== LF) {
    const ts = i;
    while (i < end) {
      const b = buf[i]!;
      if (b === LF || b === NUL || (CLASS[b]! & C_BLANK) !== 0) break;
      i++;
    }
    const t = parseTextTimestamp(buf, ts, i);
    if (t === undefined) {
      throw s.error('INVALID_TIMESTAMP', `expected an integer timestamp in milliseconds or a line end, got "${s.snippet(ts, i)}"`, ts);
    }
    s.ts = t;
    s.hasTs = true;
    while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    if (i < end && buf[i] !== LF) {
      throw s.error('UNEXPECTED_CHARACTER', `expected line end after timestamp, got ${s.describe(i, s.findLineEnd(i))}`, i);
    }
  }
  s.countSample();
  s.endLine(i);
  return Entry.Series;
}

/** Parses text 0.0.4 labels after `{`; returns the index after `}`. */
function labelsText(s: Scanner, at: number): number {
  const buf = s.buf;
  const end = s.end;
  let i = at;
  for (;;) {
    while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    if (i >= end) s.truncated(i, 'label name or "}"');
    let c = buf[i]!;
    if (c === RBRACE) return i + 1;
    let ns: number;
    let ne: number;
    let nf = 0;
    let quoted = false;
    // The previous line's label at this index, to compare with (Scanner.sameBytes).
    const k = s.nLabels;
    const pb = k < s.prevN ? k * LABEL_STRIDE : -1;
    let same = 0;
    if ((CLASS[c]! & C_LABEL_START) !== 0) {
      ns = i;
      const sameEnd = s.sameLabelNameEnd(i, end, pb);
      if (sameEnd >= 0) {
        i = sameEnd;
        same = SAME_NAME;
      } else {
        i++;
        while (i < end && (CLASS[buf[i]!]! & C_LABEL) !== 0) i++;
      }
      ne = i;
    } else if (c === QUOTE) {
      const close = s.scanQuoted(i, end, false);
      ns = i + 1;
      ne = close;
      nf = s.quotedFlags;
      quoted = true;
      i = close + 1;
    } else {
      throw s.error('INVALID_LABEL_NAME', `expected label name, got ${s.describe(i, s.findLineEnd(i))}`, i);
    }
    while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    if (i >= end) s.truncated(i, '"="');
    c = buf[i]!;
    if (quoted && (c === COMMA || c === RBRACE)) {
      // promparse: a quoted string followed by `,` or `}` is the metric name.
      if (s.nameStart >= 0) {
        throw s.error('INVALID_METRIC_NAME', 'metric name already set, found a second quoted name', ns - 1);
      }
      s.setQuotedName(ns - 1, ne);
      if (c === RBRACE) return i + 1;
      i++;
      continue;
    }
    if (c !== EQUALS) throw s.error('UNEXPECTED_CHARACTER', `expected "=" after label name, got ${s.describe(i, s.findLineEnd(i))}`, i);
    i++;
    while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    if (i >= end) s.truncated(i, 'label value');
    if (buf[i] !== QUOTE) {
      throw s.error('INVALID_LABEL_VALUE', `expected quoted label value, got ${s.describe(i, s.findLineEnd(i))}`, i);
    }
    // The previous line's value at this index, or scanned (Scanner.sameValueClose).
    let close = s.sameValueClose(i, end, pb);
    if (close >= 0) same |= SAME_VALUE;
    else close = s.scanQuoted(i, end, false);
    s.addLabel(ns, ne, nf, i + 1, close, s.quotedFlags, quoted, same);
    i = close + 1;
    // promparse: "Free trailing commas are allowed", and so are blanks in
    // place of a comma between labels.
    while (i < end && (CLASS[buf[i]!]! & C_BLANK) !== 0) i++;
    if (i < end && buf[i] === COMMA) i++;
  }
}
