/**
 * The OpenMetrics 1.0 line grammar, as its ABNF ("Text format") and the
 * official parser suite require: single spaces, no blank lines, only
 * HELP/TYPE/UNIT/EOF comments, `# EOF`, exemplars, and Prometheus 3's quoted
 * names. The family and sample rules above the lines are `OpenMetricsRules`
 * (om-rules.ts), called once per entry. Functions over the one `Scanner`
 * (see scanner.ts for why).
 */

import * as chars from '../core/chars.js';
import { parseNumber, parseSecondsAsMillis } from '../core/number.js';
import { latin1Slice } from '../core/strings.js';
import type { MetricType } from '../model/index.js';
import { Entry } from './entry.js';
import type { OpenMetricsRules } from './om-rules.js';
import { NEED_MORE, type Scanner } from './scanner.js';
import * as layout from './series-view.js';

// Module-local copies of the byte constants and class tables: V8 reads an
// imported binding through its module cell at every use, and folds a local
// const (measured, CPU time against the walk before: next() on the 16 MB
// text payload 0.75x, OpenMetrics 0.85-0.9x).
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
const QUOTE = chars.QUOTE;
const RBRACE = chars.RBRACE;
const SPACE = chars.SPACE;
const invalidUtf8At = chars.invalidUtf8At;

// Module-local copies of the label layout and flags: V8 reads an imported
// binding through its module cell at every use, and folds a local const
// (measured: 4-8% of the walk).
const F_UTF8 = layout.F_UTF8;
const LABEL_STRIDE = layout.LABEL_STRIDE;
const L_NAME_END = layout.L_NAME_END;
const L_NAME_FLAGS = layout.L_NAME_FLAGS;
const L_NAME_START = layout.L_NAME_START;
const L_VALUE_END = layout.L_VALUE_END;
const L_VALUE_FLAGS = layout.L_VALUE_FLAGS;
const L_VALUE_START = layout.L_VALUE_START;
const SAME_NAME = layout.SAME_NAME;
const SAME_VALUE = layout.SAME_VALUE;

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

/** OpenMetrics: "The combined length of the label names and values of an Exemplar's LabelSet MUST NOT exceed 128 UTF-8 character code points." */
const MAX_EXEMPLAR_CHARS = 128;

/** Parses one OpenMetrics line; returns EOF for `# EOF`. */
export function lineOpenMetrics(s: Scanner, rules: OpenMetricsRules): Entry {
  const buf = s.buf;
  const i = s.pos;
  if (rules.sawEof) {
    throw s.error('CONTENT_AFTER_EOF', 'expected nothing after "# EOF", found more content', i);
  }
  const c = buf[i]!;
  if (c === LF) throw s.error('BLANK_LINE', 'blank lines are not allowed in OpenMetrics', i);
  if (c === HASH) return commentOpenMetrics(s, rules, i);
  return sampleOpenMetrics(s, rules, i);
}

function commentOpenMetrics(s: Scanner, rules: OpenMetricsRules, hashAt: number): Entry {
  const buf = s.buf;
  const lineEnd = s.findLineEnd(hashAt);
  if (!s.final && lineEnd === s.end) throw NEED_MORE;
  let i = hashAt + 1;
  // ABNF: `"#" SP ("HELP" / "TYPE" / "UNIT") SP metricname SP ...` and `"# EOF"`.
  if (i >= lineEnd || buf[i] !== SPACE) {
    throw s.error('INVALID_METADATA', 'expected "# HELP", "# TYPE", "# UNIT" or "# EOF"; OpenMetrics has no other comments', hashAt);
  }
  i++;
  const w0 = buf[i];
  const w1 = buf[i + 1];
  const w2 = buf[i + 2];
  const w3 = buf[i + 3];
  let kind: Entry;
  if (w0 === 0x45 && w1 === 0x4f && w2 === 0x46 && i + 3 === lineEnd) {
    // `# EOF`: the end of the exposition.
    const err = rules.eof();
    if (err !== undefined) throw s.error(err.code, err.reason, hashAt);
    // Anything after this line is reported by the next line's check.
    s.pos = lineEnd < s.end ? lineEnd + 1 : lineEnd;
    return Entry.EOF;
  } else if (w0 === 0x48 && w1 === 0x45 && w2 === 0x4c && w3 === 0x50) kind = Entry.Help;
  else if (w0 === 0x54 && w1 === 0x59 && w2 === 0x50 && w3 === 0x45) kind = Entry.Type;
  else if (w0 === 0x55 && w1 === 0x4e && w2 === 0x49 && w3 === 0x54) kind = Entry.Unit;
  else {
    throw s.error('INVALID_METADATA', `expected HELP, TYPE, UNIT or EOF after "# ", got ${s.describe(i, lineEnd)}`, i);
  }
  const word = kind === Entry.Help ? 'HELP' : kind === Entry.Type ? 'TYPE' : 'UNIT';
  i += 4;
  if (i >= lineEnd || buf[i] !== SPACE) {
    throw s.error('INVALID_METADATA', `expected a space and a metric name after ${word}, got ${s.describe(i, lineEnd)}`, i);
  }
  i++;
  if (i < lineEnd && buf[i] === QUOTE) {
    const close = s.scanQuoted(i, lineEnd, true);
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
    throw s.error('INVALID_METRIC_NAME', `expected metric name after ${word}, got ${s.describe(i, lineEnd)}`, i);
  }
  if (i >= lineEnd || buf[i] !== SPACE) {
    throw s.error('INVALID_METADATA', `expected a space after the metric name in ${word}, got ${s.describe(i, lineEnd)}`, i);
  }
  i++;
  s.textStart = i;
  s.textEnd = lineEnd;
  s.textFlags = s.scanFlags(i, lineEnd);
  if (kind === Entry.Type) {
    const type = s.textFlags === 0 ? OM_TYPES[s.strings.ascii(i, lineEnd)] : undefined;
    if (type === undefined) {
      throw s.error(
        'INVALID_METADATA',
        `expected metric type counter, gauge, histogram, gaugehistogram, stateset, info, summary or unknown, got "${s.snippet(i, lineEnd)}"`,
        i,
      );
    }
    s.mtype = type;
  } else if (kind === Entry.Unit) {
    for (let k = i; k < lineEnd; k++) {
      if ((CLASS[buf[k]!]! & C_NAME) === 0) {
        throw s.error('INVALID_METADATA', `expected a unit of [a-zA-Z0-9_:], got ${s.describe(k, lineEnd)}`, k);
      }
    }
  } else if ((s.textFlags & F_UTF8) !== 0) {
    const bad = invalidUtf8At(buf, i, lineEnd);
    if (bad >= 0) throw s.error('INVALID_UTF8', 'help text is not valid UTF-8', bad);
  }
  const err = rules.metadata(s, kind);
  if (err !== undefined) throw s.error(err.code, err.reason, s.nameStart);
  s.endLine(lineEnd);
  return kind;
}

/**
 * Where a sample line's scan may go: the input's end for a whole buffer, the
 * line's end when streaming. Every step of the sample grammar stops at a line
 * feed by itself, so a whole buffer needs no search for the line end first
 * (`indexOf` per line was 10% of next() on the 16 MB OpenMetrics payload,
 * CPU profile; without it next() ran 1.04-1.16x, interleaved A/B at load 13). A streamed line must be
 * complete before it is read (NEED_MORE), so streaming still looks for it.
 * Error messages find the line end themselves (`describeHere`), on the error
 * path only.
 */
function sampleLimit(s: Scanner, start: number): number {
  if (s.final) return s.end;
  const lineEnd = s.findLineEnd(start);
  if (lineEnd === s.end) throw NEED_MORE;
  return lineEnd;
}

/** What stands at `i`, for a message: "line end", "end of input", or the byte. */
function describeHere(s: Scanner, i: number): string {
  return s.describe(i, s.findLineEnd(i));
}

function sampleOpenMetrics(s: Scanner, rules: OpenMetricsRules, start: number): Entry {
  const buf = s.buf;
  const lim = sampleLimit(s, start);
  let i = start;
  s.startSeries(start);
  const c = buf[i]!;
  if ((CLASS[c]! & C_NAME_START) !== 0) {
    // The previous line's name again? (Scanner.sameNameEnd)
    const same = s.sameNameEnd(i, lim);
    if (same >= 0) {
      i = same;
      s.nameSame = true;
    } else {
      i++;
      while (i < lim && (CLASS[buf[i]!]! & C_NAME) !== 0) i++;
    }
    s.nameStart = start;
    s.nameEnd = i;
    if (i < lim && buf[i] === LBRACE) i = labelsOpenMetrics(s, i + 1, lim, false);
  } else if (c === LBRACE) {
    i = labelsOpenMetrics(s, i + 1, lim, false);
  } else {
    throw s.error('INVALID_METRIC_NAME', `expected metric name, got ${describeHere(s, i)}`, i);
  }
  if (s.nameStart < 0) {
    // openmetricsparse.go parseMetricSuffix: "metric name not set while parsing".
    throw s.error('INVALID_METRIC_NAME', s.noNameReason(), start);
  }
  s.seriesEnd = i;
  // ABNF: `sample = metricname [labels] SP number [SP timestamp] [exemplar] LF`.
  if (i >= lim || buf[i] !== SPACE) {
    throw s.error('UNEXPECTED_CHARACTER', `expected a space and a value after the metric, got ${describeHere(s, i)}`, i);
  }
  i++;
  const vs = i;
  for (; i < lim; i++) {
    const b = buf[i]!;
    if (b === SPACE || b === LF) break;
  }
  const v = vs < i ? parseNumber(buf, vs, i, latin1Slice) : undefined;
  if (v === undefined) {
    throw s.error('INVALID_VALUE', `expected a number as value, got ${vs < i ? `"${s.snippet(vs, i)}"` : describeHere(s, i)}`, vs);
  }
  s.val = v;
  s.hasTs = false;
  // The value ends at a space, a line feed or the input's end.
  if (i < lim && buf[i] === SPACE) {
    i++; // the space
    if (buf[i] !== HASH) {
      const ts = i;
      for (; i < lim; i++) {
        const b = buf[i]!;
        if (b === SPACE || b === LF) break;
      }
      const t = ts < i ? parseSecondsAsMillis(buf, ts, i) : undefined;
      if (t === undefined) {
        throw s.error(
          'INVALID_TIMESTAMP',
          `expected a timestamp in seconds or a line end, got ${ts < i ? `"${s.snippet(ts, i)}"` : describeHere(s, i)}`,
          ts,
        );
      }
      s.ts = t;
      s.hasTs = true;
      if (i < lim && buf[i] === SPACE) i++;
    }
    if ((i < lim && buf[i] !== LF) || buf[i - 1] === SPACE) i = exemplarOpenMetrics(s, i, lim);
  }
  s.countSample();
  const err = rules.sample(s);
  if (err !== undefined) throw s.error(err.code, err.reason, start);
  // `i` is at the line feed ending the line, or the input's end.
  s.endLine(i);
  return Entry.Series;
}

/** ABNF: `exemplar = SP HASH SP labels SP number [SP timestamp]`. */
function exemplarOpenMetrics(s: Scanner, at: number, lim: number): number {
  const buf = s.buf;
  let i = at;
  // (The `{` two bytes on is on this line: nothing between is a line feed.)
  if (buf[i] !== HASH || buf[i + 1] !== SPACE || buf[i + 2] !== LBRACE || i + 2 >= lim) {
    throw s.error('INVALID_EXEMPLAR', `expected an exemplar "# {...} value" or a line end, got ${describeHere(s, i)}`, i);
  }
  // Parse the exemplar's labels into the exemplar slots: swap the arrays so
  // the label walker can be shared.
  const sampleLbl = s.lbl;
  const sampleN = s.nLabels;
  s.lbl = s.exLbl;
  s.nLabels = 0;
  s.inExemplar = true;
  const nameStart = s.nameStart;
  try {
    i = labelsOpenMetrics(s, i + 3, lim, true);
  } finally {
    s.exLbl = s.lbl;
    s.exN = s.nLabels;
    s.lbl = sampleLbl;
    s.nLabels = sampleN;
    s.nameStart = nameStart;
    s.inExemplar = false;
  }
  let chars = 0;
  const ex = s.exLbl;
  for (let k = 0; k < s.exN; k++) {
    const b = k * LABEL_STRIDE;
    chars +=
      s.codePoints(ex[b + L_NAME_START]!, ex[b + L_NAME_END]!, ex[b + L_NAME_FLAGS]!) +
      s.codePoints(ex[b + L_VALUE_START]!, ex[b + L_VALUE_END]!, ex[b + L_VALUE_FLAGS]!);
  }
  if (chars > MAX_EXEMPLAR_CHARS) {
    throw s.error('INVALID_EXEMPLAR', `exemplar labels hold ${chars} characters, more than the ${MAX_EXEMPLAR_CHARS} allowed`, at + 2);
  }
  if (i >= lim || buf[i] !== SPACE) {
    throw s.error('INVALID_EXEMPLAR', `expected a space and the exemplar value, got ${describeHere(s, i)}`, i);
  }
  i++;
  const vs = i;
  for (; i < lim; i++) {
    const b = buf[i]!;
    if (b === SPACE || b === LF) break;
  }
  const v = vs < i ? parseNumber(buf, vs, i, latin1Slice) : undefined;
  if (v === undefined) {
    throw s.error(
      'INVALID_EXEMPLAR',
      `expected a number as exemplar value, got ${vs < i ? `"${s.snippet(vs, i)}"` : describeHere(s, i)}`,
      vs,
    );
  }
  s.exVal = v;
  s.exHasTs = false;
  if (i < lim && buf[i] === SPACE) {
    i++;
    const ts = i;
    for (; i < lim; i++) {
      const b = buf[i]!;
      if (b === SPACE || b === LF) break;
    }
    const t = ts < i ? parseSecondsAsMillis(buf, ts, i) : undefined;
    if (t === undefined) {
      throw s.error(
        'INVALID_EXEMPLAR',
        `expected a timestamp in seconds after the exemplar value, got ${ts < i ? `"${s.snippet(ts, i)}"` : describeHere(s, i)}`,
        ts,
      );
    }
    s.exTs = t;
    s.exHasTs = true;
    if (i < lim && buf[i] === SPACE) {
      throw s.error('INVALID_EXEMPLAR', `expected line end after the exemplar timestamp, got ${describeHere(s, i)}`, i);
    }
  }
  s.hasEx = true;
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
function labelsOpenMetrics(s: Scanner, at: number, lim: number, exemplar: boolean): number {
  const buf = s.buf;
  let i = at;
  if (i < lim && buf[i] === RBRACE) return i + 1;
  for (;;) {
    let c = i < lim ? buf[i]! : LF;
    if (c === LF) throw s.error('UNEXPECTED_CHARACTER', 'expected label name, got line end', i);
    let ns: number;
    let ne: number;
    let nf = 0;
    let quoted = false;
    // The previous line's label at this index, to compare with instead of
    // scanning (Scanner.sameBytes; not for an exemplar's labels, whose
    // strings are not cached).
    const k = s.nLabels;
    const pb = k < s.prevN && !exemplar ? k * LABEL_STRIDE : -1;
    let same = 0;
    if ((CLASS[c]! & C_LABEL_START) !== 0) {
      ns = i;
      const sameEnd = s.sameLabelNameEnd(i, lim, pb);
      if (sameEnd >= 0) {
        i = sameEnd;
        same = SAME_NAME;
      } else {
        i++;
        while (i < lim && (CLASS[buf[i]!]! & C_LABEL) !== 0) i++;
      }
      ne = i;
    } else if (c === QUOTE) {
      const close = s.scanQuoted(i, lim, true);
      ns = i + 1;
      ne = close;
      nf = s.quotedFlags;
      quoted = true;
      i = close + 1;
    } else {
      throw s.error('INVALID_LABEL_NAME', `expected label name, got ${describeHere(s, i)}`, i);
    }
    c = i < lim ? buf[i]! : LF;
    if (quoted && !exemplar && (c === COMMA || c === RBRACE)) {
      if (s.nameStart >= 0) {
        throw s.error('INVALID_METRIC_NAME', 'metric name already set, found a second quoted name', ns - 1);
      }
      s.setQuotedName(ns - 1, ne);
    } else {
      if (c !== EQUALS) throw s.error('UNEXPECTED_CHARACTER', `expected "=" after label name, got ${describeHere(s, i)}`, i);
      i++;
      if (i >= lim || buf[i] !== QUOTE) {
        throw s.error('INVALID_LABEL_VALUE', `expected quoted label value, got ${describeHere(s, i)}`, i);
      }
      // The previous line's value at this index, or scanned
      // (Scanner.sameValueClose; `lim` keeps a match on this line).
      let close = s.sameValueClose(i, lim, pb);
      if (close >= 0) same |= SAME_VALUE;
      else close = s.scanQuoted(i, lim, true);
      s.addLabel(ns, ne, nf, i + 1, close, s.quotedFlags, quoted, same);
      i = close + 1;
      c = i < lim ? buf[i]! : LF;
    }
    if (c === RBRACE) return i + 1;
    if (c !== COMMA) throw s.error('UNEXPECTED_CHARACTER', `expected "," or "}" after label, got ${describeHere(s, i)}`, i);
    i++;
    if (i < lim && buf[i] === RBRACE) {
      throw s.error('UNEXPECTED_CHARACTER', 'expected label name after ",", got "}" (no trailing comma in OpenMetrics)', i);
    }
  }
}
