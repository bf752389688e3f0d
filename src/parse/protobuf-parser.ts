/**
 * The pull parser for the protobuf exposition format
 * (`application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;
 * encoding=delimited`): a stream of MetricFamily messages, each preceded by
 * its length as a varint. It presents them as the text parsers' entries, as
 * Prometheus 3.5's textparse `protobufparse.go` does, over a lazy wire
 * reader (src/proto/reader.ts): the walk records offsets, strings are built
 * only when an accessor asks, and nothing is allocated per field (a native
 * histogram, which must be validated, is the exception: one object per
 * Histogram entry).
 *
 * The entries a MetricFamily gives, in order (families without metrics are
 * skipped, as protobufparse.go does):
 * - `Help` (always, '' when the family has none, as protobufparse.go),
 *   `Unit` when the unit is not empty, `Type`;
 * - per Metric, by the family's type:
 *   - counter, gauge, untyped: one `Series` named as the family;
 *   - summary: one `Series` per quantile (`name{quantile="0.5"}`), then
 *     `name_sum`, `name_count`;
 *   - histogram and gauge histogram: the native histogram as one
 *     `Histogram` entry when the histogram is native (a span, a zero
 *     threshold or a zero count, protobufparse.go isNativeHistogram); then,
 *     unless it is native without classic buckets, the classic series:
 *     `name_bucket{le}` up to and including the first `+Inf` bucket (a
 *     missing one synthesised with the count), `name_sum`, `name_count`.
 *     A gauge histogram's are named `_sum`/`_count` too, as protobufparse.go
 *     names them (the families layer renames them `_gsum`/`_gcount`).
 *   protobufparse.go gives `_count` and `_sum` before the buckets or
 *   quantiles; this parser gives them after, in the text formats' order,
 *   so that a payload reads to the same families whichever format carried
 *   it (the order carries no meaning: the series share their timestamp).
 *
 * What is checked, with Prometheus 3.5 (protobufparse.go, prompb decoder.go):
 * a length prefix of at most 5 bytes (errInvalidVarint), the wire format
 * (reader.ts), a non-empty, valid UTF-8 family name, valid UTF-8 help, a
 * known type, a unit that is a suffix of the name, non-empty UTF-8 label
 * names and UTF-8 label values, no duplicate label name (nor `__name__`:
 * Prometheus' scrape refuses a label set with a duplicate name), and the
 * native histogram (model/native-histogram.ts, as Prometheus' appender
 * validates it). Stricter than Prometheus: exemplar label names and values
 * must be valid UTF-8 too (the model holds strings).
 *
 * A Metric holds one of gauge, counter, summary, untyped and histogram; the
 * one of the family's type is read, any other is skipped, and a missing one
 * reads as zeroes, as Prometheus' decoder does (its getters return zero
 * values). A scalar field given twice: the last one counts. The Metric's
 * value sub-message given twice is merged, as protobuf and Prometheus'
 * gogo decoder merge a singular sub-message: its ranges are read in order,
 * scalars from the last, repeated fields (buckets, spans, deltas,
 * quantiles, exemplars) appended. A sub-message inside it given twice
 * (Counter.exemplar, created_timestamp) is not merged: the last counts.
 * A native histogram is checked against maxNativeBuckets (spans too),
 * maxExemplars and maxModelBytes before it is built (checkNativeSize).
 * Sub-messages the walk does not read (another type's value, buckets after
 * a `+Inf` one, a classic histogram's deltas) are checked for their framing
 * only, where Prometheus' gogo decoder would decode them too.
 * `timestamp_ms` 0 means no timestamp, and a created timestamp of 0 none
 * (protobufparse.go). Spans and buckets are kept as written (Prometheus
 * compacts them when it stores them). The exposition has no field for
 * custom bucket bounds (Prometheus 3.5's io.prometheus.client Histogram ends
 * at `exemplars = 16`), so a schema -53 histogram fails validation.
 */

import { invalidUtf8At } from '../core/chars.js';
import { keepShape } from '../core/keep-shape.js';
import { StringMaker } from '../core/strings.js';
import { PromwireError } from '../errors.js';
import type { BucketSpan, Exemplar, Format, Labels, MetricType, NativeHistogram } from '../model/index.js';
import { setLabel } from '../model/labels.js';
import { validateNativeHistogram } from '../model/native-histogram.js';
import { canonicalBound } from '../model/rules.js';
import {
  BucketField,
  BucketSpanField,
  CounterField,
  ExemplarField,
  HistogramField,
  LabelPairField,
  MetricFamilyField,
  MetricField,
  PB_COUNTER,
  PB_GAUGE,
  PB_GAUGE_HISTOGRAM,
  PB_HISTOGRAM,
  PB_SUMMARY,
  PB_UNTYPED,
  QuantileField,
  SummaryField,
  TimestampField,
} from '../proto/metrics-proto.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireReader } from '../proto/reader.js';
import { Entry } from './entry.js';
import { DEFAULT_LIMITS, EXEMPLAR_BYTES, NATIVE_BUCKET_BYTES, NATIVE_BYTES, NATIVE_SPAN_BYTES, type ParserOptions } from './options.js';
import type { PullParser } from './pull.js';
import { sameAscii } from './scanner.js';

// What the current Series entry is within its Metric.
const K_VALUE = 0; // counter, gauge, untyped
const K_QUANTILE = 1;
const K_BUCKET = 2;
const K_INF = 3; // the synthesised +Inf bucket
const K_SUM = 4;
const K_COUNT = 5;
const K_NATIVE = 6;
/** The name suffix of each kind (gauge histograms too: protobufparse.go getMagicName). */
const SUFFIXES = ['', '', '_bucket', '_bucket', '_sum', '_count', ''];

// Where the walk is.
const P_FRAME = 0; // next: a MetricFamily frame
const P_HELP = 1; // Help returned
const P_UNIT = 2; // Unit returned
const P_TYPE = 3; // Type returned: next, the first Metric
const P_METRIC = 4; // inside a Metric

const NAME_LABEL = '__name__';
/** Labels the duplicate filter serves; a Set checks a Metric with more. */
const FILTER_LABELS = 32;
/** The filter's bit for an 8-byte name ending in `_`, as `__name__`. */
const NAME_LABEL_BIT = 1 << ((8 * 7 + 0x5f) & 31);

const TYPES: readonly (MetricType | undefined)[] = ['counter', 'gauge', 'summary', 'unknown', 'histogram', 'gaugehistogram'];

/** True when buf[s..e) holds a byte >= 0x80. */
function hasHighByte(buf: Uint8Array, s: number, e: number): boolean {
  return orBytes(buf, s, e) >= 0x80;
}

/**
 * True when buf[s..e) holds a byte >= 0x80, four bytes at a time through
 * the DataView (label names and values are most of the walk's bytes).
 */
function highIn(view: DataView, buf: Uint8Array, s: number, e: number): boolean {
  let or = 0;
  let i = s;
  for (; i + 4 <= e; i += 4) or |= view.getUint32(i);
  for (; i < e; i++) or |= buf[i]!;
  return (or & 0x80808080) !== 0;
}

/** The OR of buf[s..e): >= 0x80 when a byte is. */
function orBytes(buf: Uint8Array, s: number, e: number): number {
  let or = 0;
  for (let i = s; i < e; i++) or |= buf[i]!;
  return or;
}

function sameBytes(buf: Uint8Array, a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

export class ProtobufParser implements PullParser {
  readonly format: Format = 'protobuf';

  private readonly r: WireReader;
  private readonly strings: StringMaker;
  private readonly onError: ((e: PromwireError) => void) | undefined;
  private final = true;
  /** Next frame's offset in the buffer. */
  private pos = 0;
  private bufEnd: number;
  /** Streaming: the end (in the fed buffer) of an incomplete frame, -1 when its length prefix is cut. */
  private needEnd = 0;
  /** Lenient mode met a broken frame: nothing after it can be read. */
  private stopped = false;

  // Limits, copied so the shape stays stable.
  private readonly maxBodyBytes: number;
  private readonly maxMessageBytes: number;
  private readonly maxLabels: number;
  private readonly maxLabelNameLength: number;
  private readonly maxLabelValueLength: number;
  private readonly maxSeries: number;
  private readonly maxNativeBuckets: number;
  private readonly maxExemplars: number;
  private readonly maxModelBytes: number;
  private bodyBytes = 0;
  private samples = 0;

  private entry: Entry = Entry.EOF;
  private phase = P_FRAME;

  // The MetricFamily.
  private frameStart = 0;
  private mfEnd = 0;
  private nameStart = 0;
  private nameEnd = 0;
  private helpStart = 0;
  private helpEnd = 0;
  private unitStart = 0;
  private unitEnd = 0;
  private pbType = 0;
  /** Where to look for the next `metric` field of the family. */
  private mfCursor = 0;
  private metricNo = 0;
  private familyStr = '';
  private familyStrFor = -1;
  private suffixed: string[] = ['', '', '', '', '', '', ''];

  // The Metric.
  private mStart = 0;
  private lbl = new Int32Array(4 * 16);
  private lblHigh = new Uint8Array(16);
  private nLabels = 0;
  /** Duplicate-name filter of the Metric's labels: one bit per (length, last byte). */
  private nameFilter = 0;
  // Number fields that may hold doubles start as one (-0: a double V8 cannot
  // keep as a small integer, and still equal to 0, so `timestamp()` before
  // any sample is null as before), so that no field changes representation
  // after construction and the kept parser keeps this class's map
  // (core/keep-shape.ts).
  private ts = -0;
  /** The sub-message of the family's type (start, end), -1 when absent. */
  private vStart = -1;
  /**
   * The byte ranges of the Metric's value field, in order: more than one
   * when the field is given more than once. Protobuf merges a singular
   * sub-message given twice (scalars from the last, repeated fields
   * appended), as the gogo decoder Prometheus 3.5 uses does: decoding the
   * ranges one after the other does the same.
   */
  private vRanges = new Int32Array(8);
  private nV = 0;
  private created = -0;
  private hasCreated = false;
  // Counter, gauge, untyped: the value; summary and histogram: count and sum.
  private val = -0;
  private count = -0;
  private countFloat = -0;
  private sum = -0;
  /** Quantile or bucket sub-messages (start, end pairs). */
  private parts = new Int32Array(64);
  private nParts = 0;
  private native = false;
  private classic = false;
  /** Histogram field positions for the native decode: spans seen (native test), the histogram message. */
  private schema = 0;
  private zeroThreshold = -0;
  private zeroCount = -0;
  private zeroCountFloat = -0;
  private hasSpans = false;
  /** Counted by readHistogram's walk, so decodeNative can check its limits before allocating. */
  private nSpans = 0;
  private nDeltas = 0;
  private nCounts = 0;
  private nExemplars = 0;

  // The current entry within the Metric.
  private kind = K_VALUE;
  private part = 0;
  private bound = -0;
  private exStart = -1;
  private exEnd = -1;
  private hist: NativeHistogram | undefined = undefined;
  private histExemplars: Exemplar[] | undefined = undefined;

  // Positional string caches (the previous series' strings), and where in
  // the buffer each was read: the series of one Metric (a histogram's
  // buckets, sum and count; a summary's quantiles) share their label bytes,
  // so a string read at the same offset is returned without comparing.
  private readonly prevNames: (string | undefined)[] = [];
  private readonly prevValues: (string | undefined)[] = [];
  private prevNameAt = new Int32Array(16).fill(-1);
  private prevValueAt = new Int32Array(16).fill(-1);
  // The `le`/`quantile` value last spelled (canonicalBound costs a number format).
  private boundFor = Number.NaN;
  private boundStr = '';
  private scratch = new Uint8Array(256);

  constructor(input: Uint8Array, options: ParserOptions = {}) {
    this.r = new WireReader(input);
    this.r.where = () => this.where();
    this.strings = new StringMaker(input);
    this.bufEnd = input.length;
    this.onError = options.onError;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes;
    this.maxLabels = options.maxLabels ?? DEFAULT_LIMITS.maxLabels;
    this.maxLabelNameLength = options.maxLabelNameLength ?? DEFAULT_LIMITS.maxLabelNameLength;
    this.maxLabelValueLength = options.maxLabelValueLength ?? DEFAULT_LIMITS.maxLabelValueLength;
    this.maxSeries = options.maxSeries ?? DEFAULT_LIMITS.maxSeries;
    this.maxNativeBuckets = options.maxNativeBuckets ?? DEFAULT_LIMITS.maxNativeBuckets;
    this.maxExemplars = options.maxExemplars ?? DEFAULT_LIMITS.maxExemplars;
    this.maxModelBytes = options.maxModelBytes ?? DEFAULT_LIMITS.maxModelBytes;
    this._countBody(input.length);
  }

  // ---------------------------------------------------------------- walking

  next(): Entry {
    for (;;) {
      try {
        const e = this.step();
        this.entry = e;
        return e;
      } catch (thrown) {
        if (!(thrown instanceof PromwireError) || this.onError === undefined || thrown.code === 'LIMIT_EXCEEDED') throw thrown;
        this.onError(thrown);
        // Lenient mode: a family whose frame is intact is skipped from the
        // error on (the entries it gave before stay given); an error in the
        // framing itself leaves nothing to resynchronise on: stop.
        if (this.phase === P_FRAME) {
          this.stopped = true;
          this.pos = this.bufEnd;
          this.entry = Entry.EOF;
          return Entry.EOF;
        }
        this.phase = P_FRAME;
      }
    }
  }

  private step(): Entry {
    switch (this.phase) {
      case P_METRIC:
        if (this.nextInMetric()) return this.emit();
        return this.nextMetric();
      case P_HELP:
        if (this.unitEnd > this.unitStart) {
          this.phase = P_UNIT;
          return Entry.Unit;
        }
        this.phase = P_TYPE;
        return Entry.Type;
      case P_UNIT:
        this.phase = P_TYPE;
        return Entry.Type;
      case P_TYPE:
        return this.nextMetric();
      default:
        return this.nextFamily();
    }
  }

  /** Reads frames until one holds a metric; returns its Help entry, or EOF. */
  private nextFamily(): Entry {
    const r = this.r;
    const buf = r.buf;
    for (;;) {
      const start = this.pos;
      const end = this.bufEnd;
      if (start >= end || this.stopped) return Entry.EOF;
      // The length prefix: at most 5 bytes (Prometheus decoder.go: binary.MaxVarintLen32, errInvalidVarint).
      let len = 0;
      let p = start;
      for (let shift = 0; ; shift += 7) {
        if (p - start >= 5) {
          throw r.error(
            'INVALID_PROTOBUF',
            `invalid protobuf: a message length prefix longer than 5 bytes at byte ${r.byteBase + start}`,
            start,
          );
        }
        if (p >= end) {
          if (!this.final) {
            this.needEnd = -1;
            return Entry.EOF;
          }
          throw r.error('UNEXPECTED_END', `message length prefix cut by the end of the input at byte ${r.byteBase + start}`, start);
        }
        const b = buf[p++]!;
        // Small-integer arithmetic: `* 2 ** shift` made a boxed double of
        // every length, and through the positions derived from it every
        // position field of the parser became a boxed double (V8 field
        // representations; core/keep-shape.ts). The fifth byte (lengths from
        // 256 MiB on) multiplies, exactly.
        len += shift < 28 ? (b & 0x7f) << shift : (b & 0x7f) * 268435456;
        if (b < 0x80) break;
      }
      if (len > this.maxMessageBytes) {
        throw r.error(
          'LIMIT_EXCEEDED',
          `a MetricFamily message of ${len} bytes is over the limit of ${this.maxMessageBytes} at byte ${r.byteBase + start} (maxMessageBytes)`,
          start,
          'maxMessageBytes',
        );
      }
      const mfEnd = p + len;
      if (mfEnd > end) {
        if (!this.final) {
          this.needEnd = mfEnd;
          return Entry.EOF;
        }
        throw r.error(
          'UNEXPECTED_END',
          `a MetricFamily message of ${len} bytes runs past the end of the input (${end - p} bytes left) at byte ${r.byteBase + start}`,
          start,
        );
      }
      this.pos = mfEnd;
      this.frameStart = start;
      this.mfEnd = mfEnd;
      this.familyStrFor = -1;
      this.metricNo = 0;
      this.phase = P_HELP; // the frame is intact: lenient mode may skip it
      if (this.readFamily(p, mfEnd)) return Entry.Help;
      this.phase = P_FRAME;
    }
  }

  /** Reads a MetricFamily's fields; false when it has no metric (skipped). */
  private readFamily(start: number, end: number): boolean {
    const r = this.r;
    r.pos = start;
    r.end = end;
    this.nameStart = this.nameEnd = this.helpStart = this.helpEnd = this.unitStart = this.unitEnd = start;
    this.pbType = 0;
    let firstMetric = -1;
    while (r.pos < end) {
      const at = r.pos;
      const f = r.tag();
      if (f === MetricFamilyField.name || f === MetricFamilyField.help || f === MetricFamilyField.unit || f === MetricFamilyField.metric) {
        r.expect(WIRE_LEN, FIELD_NAMES_MF[f]!, at);
        const e = r.lengthEnd();
        if (f === MetricFamilyField.name) {
          this.nameStart = r.pos;
          this.nameEnd = e;
        } else if (f === MetricFamilyField.help) {
          this.helpStart = r.pos;
          this.helpEnd = e;
        } else if (f === MetricFamilyField.unit) {
          this.unitStart = r.pos;
          this.unitEnd = e;
        } else if (firstMetric < 0) firstMetric = at;
        r.pos = e;
      } else if (f === MetricFamilyField.type) {
        r.expect(WIRE_VARINT, 'MetricFamily.type', at);
        this.pbType = r.int32();
      } else r.skip();
    }
    // protobufparse.go: a family without metrics is skipped before its
    // name, help and type are checked.
    if (firstMetric < 0) return false;
    this.mfCursor = firstMetric;
    const buf = r.buf;
    const ns = this.nameStart;
    const ne = this.nameEnd;
    // UTF8Validation.IsValidMetricName: not empty, valid UTF-8.
    if (ne === ns) throw r.fail('INVALID_METRIC_NAME', 'a MetricFamily without a name', this.frameStart);
    if (hasHighByte(buf, ns, ne) && invalidUtf8At(buf, ns, ne) >= 0) {
      throw r.fail('INVALID_UTF8', 'the family name is not valid UTF-8', ns);
    }
    if (hasHighByte(buf, this.helpStart, this.helpEnd) && invalidUtf8At(buf, this.helpStart, this.helpEnd) >= 0) {
      throw r.fail('INVALID_UTF8', 'the help text is not valid UTF-8', this.helpStart);
    }
    const t = this.pbType;
    if (t < PB_COUNTER || t > PB_GAUGE_HISTOGRAM) throw r.fail('INVALID_METADATA', `unknown metric type ${t}`, this.frameStart);
    if (this.unitEnd > this.unitStart) this.checkUnit();
    return true;
  }

  /**
   * protobufparse.go: a unit must be a suffix of the name after `_` (before
   * `_total` for a counter named so).
   */
  private checkUnit(): void {
    const r = this.r;
    const buf = r.buf;
    const us = this.unitStart;
    const ul = this.unitEnd - us;
    if (hasHighByte(buf, us, this.unitEnd) && invalidUtf8At(buf, us, this.unitEnd) >= 0) {
      throw r.fail('INVALID_UTF8', 'the unit is not valid UTF-8', us);
    }
    let e = this.nameEnd;
    const ns = this.nameStart;
    if (this.pbType === PB_COUNTER && e - ns >= 6 && sameAscii(buf, e - 6, e, '_total')) e -= 6;
    if (!(e - ns >= ul + 1 && buf[e - ul - 1] === 0x5f && sameBytes(buf, e - ul, us, ul))) {
      throw r.fail(
        'INVALID_METADATA',
        `unit ${JSON.stringify(this.unit())} is not a suffix of the name ${JSON.stringify(this.familyName())}`,
        us,
      );
    }
  }

  /** Advances to the family's next Metric and returns its first entry; on to the next family when none is left. */
  private nextMetric(): Entry {
    const r = this.r;
    for (;;) {
      const end = this.mfEnd;
      r.pos = this.mfCursor;
      r.end = end;
      let found = false;
      while (r.pos < end) {
        const at = r.pos;
        const f = r.tag();
        if (f === MetricFamilyField.metric) {
          const e = r.lengthEnd();
          this.mfCursor = e;
          this.mStart = at;
          this.metricNo++;
          this.phase = P_METRIC;
          this.readMetric(r.pos, e);
          found = true;
          break;
        }
        r.skip();
      }
      if (!found) {
        this.phase = P_FRAME;
        return this.nextFamily();
      }
      if (this.firstInMetric()) return this.emit();
    }
  }

  /** Decodes a Metric: labels, timestamp, and the sub-message of the family's type. */
  private readMetric(start: number, end: number): void {
    const r = this.r;
    r.pos = start;
    r.end = end;
    this.nLabels = 0;
    this.nameFilter = 0;
    this.ts = 0;
    this.vStart = -1;
    this.nV = 0;
    const valueField = VALUE_FIELD[this.pbType]!;
    const buf = r.buf;
    while (r.pos < end) {
      const at = r.pos;
      // Fast path: a label pair under 128 bytes (tag 0x0a, one-byte length).
      const l = buf[at + 1]!;
      if (buf[at] === 0x0a && l < 0x80 && at + 2 + l <= end) {
        this.readLabel(at + 2, at + 2 + l);
        r.pos = at + 2 + l;
        r.end = end;
        continue;
      }
      const f = r.tag();
      if (f === MetricField.label) {
        r.expect(WIRE_LEN, 'Metric.label', at);
        const e = r.lengthEnd();
        this.readLabel(r.pos, e);
        r.pos = e;
        r.end = end;
      } else if (f === MetricField.timestampMs) {
        r.expect(WIRE_VARINT, 'Metric.timestamp_ms', at);
        this.ts = r.int64();
      } else if (f === valueField) {
        r.expect(WIRE_LEN, FIELD_NAMES_METRIC[f]!, at);
        const e = r.lengthEnd();
        if (this.vStart < 0) this.vStart = r.pos;
        this.addValueRange(r.pos, e);
        r.pos = e;
      } else {
        // The oneof's other members are messages too (decoder.go checks their wire type).
        const other = FIELD_NAMES_METRIC[f];
        if (other !== undefined) r.expect(WIRE_LEN, other, at);
        r.skip();
      }
    }
    if (this.nLabels > FILTER_LABELS) this.checkManyLabels();
    this.decodeValue();
  }

  private readLabel(start: number, end: number): void {
    const r = this.r;
    const buf = r.buf;
    let ns: number;
    let ne: number;
    let vs: number;
    let ve: number;
    // Fast path: the layout every encoder writes (name then value, one-byte
    // lengths, nothing else), read without the reader's calls (measured:
    // label pairs are most of the walk).
    const nl = buf[start + 1]!;
    if (
      buf[start] === 0x0a &&
      nl < 0x80 &&
      buf[start + 2 + nl] === 0x12 &&
      buf[start + 3 + nl]! < 0x80 &&
      start + 4 + nl + buf[start + 3 + nl]! === end
    ) {
      ns = start + 2;
      ne = ns + nl;
      vs = ne + 2;
      ve = end;
    } else {
      r.pos = start;
      r.end = end;
      ns = ne = vs = ve = start;
      while (r.pos < end) {
        const at = r.pos;
        const f = r.tag();
        if (f === LabelPairField.name) {
          r.expect(WIRE_LEN, 'LabelPair.name', at);
          ne = r.lengthEnd();
          ns = r.pos;
          r.pos = ne;
        } else if (f === LabelPairField.value) {
          r.expect(WIRE_LEN, 'LabelPair.value', at);
          ve = r.lengthEnd();
          vs = r.pos;
          r.pos = ve;
        } else r.skip();
      }
    }
    const n = this.nLabels;
    if (n >= this.maxLabels || ne - ns > this.maxLabelNameLength || ve - vs > this.maxLabelValueLength)
      this.labelOverLimit(start, ns, ne, vs, ve);
    // decoder.go parseLabel: LabelName.IsValid (UTF-8 scheme: not empty, valid UTF-8), utf8.ValidString(value).
    if (ne === ns) throw r.fail('INVALID_LABEL_NAME', 'a label with an empty name', start);
    let high = 0;
    // One pass over name and value when they are adjacent (the fast path:
    // the two bytes between are ASCII), ORing the bytes: no branch per byte.
    if (vs === ne + 2 ? highIn(r.view, buf, ns, ve) : highIn(r.view, buf, ns, ne) || highIn(r.view, buf, vs, ve)) {
      high = this.labelUtf8(ns, ne, vs, ve);
    }
    let l = this.lbl;
    if ((n + 1) * 4 > l.length) {
      l = new Int32Array(l.length * 2);
      l.set(this.lbl);
      this.lbl = l;
      const h = new Uint8Array(this.lblHigh.length * 2);
      h.set(this.lblHigh);
      this.lblHigh = h;
    }
    // Duplicate names (Prometheus' scrape refuses them), `__name__` among
    // them: a filter of one bit per (length, last byte) finds the few
    // candidates to compare (as the text scanner does); past FILTER_LABELS
    // labels the filter is full and a Set checks them at the end.
    const len = ne - ns;
    const bit = 1 << ((len * 7 + buf[ne - 1]!) & 31);
    if ((this.nameFilter & bit) !== 0 && n < FILTER_LABELS) {
      for (let k = 0; k < n; k++) {
        const os = l[k * 4]!;
        if (l[k * 4 + 1]! - os === len && sameBytes(buf, os, ns, len)) this.duplicate(ns, ne);
      }
    }
    this.nameFilter |= bit;
    if (bit === NAME_LABEL_BIT && sameAscii(buf, ns, ne, NAME_LABEL)) this.duplicate(ns, ne);
    const b = n * 4;
    l[b] = ns;
    l[b + 1] = ne;
    l[b + 2] = vs;
    l[b + 3] = ve;
    this.lblHigh[n] = high;
    this.nLabels = n + 1;
  }

  /** A label with a byte >= 0x80: which of name and value are UTF-8 (bits 1, 2), both validated. */
  private labelUtf8(ns: number, ne: number, vs: number, ve: number): number {
    const r = this.r;
    const buf = r.buf;
    let high = 0;
    if (orBytes(buf, ns, ne) >= 0x80) {
      if (invalidUtf8At(buf, ns, ne) >= 0) throw r.fail('INVALID_UTF8', 'a label name is not valid UTF-8', ns);
      high = 1;
    }
    if (orBytes(buf, vs, ve) >= 0x80) {
      if (invalidUtf8At(buf, vs, ve) >= 0) throw r.fail('INVALID_UTF8', 'a label value is not valid UTF-8', vs);
      high |= 2;
    }
    return high;
  }

  private labelOverLimit(start: number, ns: number, ne: number, vs: number, ve: number): never {
    const r = this.r;
    if (this.nLabels >= this.maxLabels)
      throw r.fail('LIMIT_EXCEEDED', `series has more than ${this.maxLabels} labels (maxLabels)`, start, 'maxLabels');
    if (ne - ns > this.maxLabelNameLength) {
      throw r.fail(
        'LIMIT_EXCEEDED',
        `label name is ${ne - ns} bytes, over the limit of ${this.maxLabelNameLength} (maxLabelNameLength)`,
        ns,
        'maxLabelNameLength',
      );
    }
    throw r.fail(
      'LIMIT_EXCEEDED',
      `label value is ${ve - vs} bytes, over the limit of ${this.maxLabelValueLength} (maxLabelValueLength)`,
      vs,
      'maxLabelValueLength',
    );
  }

  /** Past FILTER_LABELS labels: no two share a name (a Set of the names). */
  private checkManyLabels(): void {
    const seen = new Set<string>();
    for (let i = 0; i < this.nLabels; i++) {
      const name = this.labelName(i);
      if (seen.has(name) || name === NAME_LABEL) this.duplicate(this.lbl[i * 4]!, this.lbl[i * 4 + 1]!);
      seen.add(name);
    }
  }

  /** The label name at buf[ns..ne) repeats an earlier one, or is `__name__`. */
  private duplicate(ns: number, ne: number): never {
    const name = this.string(ns, ne);
    throw this.r.fail(
      'DUPLICATE_LABEL',
      name === NAME_LABEL ? 'a label named __name__ (the metric name is the family name)' : `duplicate label name ${JSON.stringify(name)}`,
      ns,
    );
  }

  /** Reads the Metric's value sub-message (every range of it, merged): counter/gauge/untyped value, summary or histogram fields. */
  private decodeValue(): void {
    const t = this.pbType;
    this.val = 0;
    this.count = 0;
    this.countFloat = 0;
    this.sum = 0;
    this.nParts = 0;
    this.hasCreated = false;
    this.created = 0;
    this.exStart = this.exEnd = -1;
    this.native = false;
    if (this.vStart < 0) return; // absent: zeroes, as Prometheus' getters read it
    if (t === PB_HISTOGRAM || t === PB_GAUGE_HISTOGRAM) {
      this.readHistogram();
      return;
    }
    for (let k = 0; k < this.nV; k++) this.decodeScalars(t, this.vRanges[k * 2]!, this.vRanges[k * 2 + 1]!);
    if (this.exStart >= 0) this.checkExemplar(this.exStart, this.exEnd);
  }

  /** One range of a counter, gauge, untyped or summary value: its fields, the last of each scalar counting. */
  private decodeScalars(t: number, start: number, end: number): void {
    const r = this.r;
    r.pos = start;
    r.end = end;
    if (t === PB_GAUGE || t === PB_UNTYPED) {
      while (r.pos < end) {
        const at = r.pos;
        if (r.tag() === 1) {
          r.expect(WIRE_FIXED64, 'value', at);
          this.val = r.double();
        } else r.skip();
      }
    } else if (t === PB_COUNTER) {
      while (r.pos < end) {
        const at = r.pos;
        const f = r.tag();
        if (f === CounterField.value) {
          r.expect(WIRE_FIXED64, 'Counter.value', at);
          this.val = r.double();
        } else if (f === CounterField.exemplar) {
          r.expect(WIRE_LEN, 'Counter.exemplar', at);
          const e = r.lengthEnd();
          this.exStart = r.pos;
          this.exEnd = e;
          r.pos = e;
        } else if (f === CounterField.createdTimestamp) {
          this.readCreated(at, end);
        } else r.skip();
      }
    } else if (t === PB_SUMMARY) {
      while (r.pos < end) {
        const at = r.pos;
        const f = r.tag();
        if (f === SummaryField.sampleCount) {
          r.expect(WIRE_VARINT, 'Summary.sample_count', at);
          this.count = r.uint64();
        } else if (f === SummaryField.sampleSum) {
          r.expect(WIRE_FIXED64, 'Summary.sample_sum', at);
          this.sum = r.double();
        } else if (f === SummaryField.quantile) {
          r.expect(WIRE_LEN, 'Summary.quantile', at);
          const e = r.lengthEnd();
          this.addPart(r.pos, e);
          r.pos = e;
        } else if (f === SummaryField.createdTimestamp) {
          this.readCreated(at, end);
        } else r.skip();
      }
    }
  }

  private readHistogram(): void {
    this.schema = 0;
    this.zeroThreshold = 0;
    this.zeroCount = 0;
    this.zeroCountFloat = 0;
    this.hasSpans = false;
    this.nSpans = 0;
    this.nDeltas = 0;
    this.nCounts = 0;
    this.nExemplars = 0;
    for (let k = 0; k < this.nV; k++) this.readHistogramRange(this.vRanges[k * 2]!, this.vRanges[k * 2 + 1]!);
    // protobufparse.go isNativeHistogram: a span, a zero threshold or a
    // (integer) zero count. An empty native histogram carries a no-op span.
    this.native = this.hasSpans || this.zeroThreshold > 0 || this.zeroCount > 0;
  }

  private readHistogramRange(start: number, end: number): void {
    const r = this.r;
    r.pos = start;
    r.end = end;
    while (r.pos < end) {
      const at = r.pos;
      const f = r.tag();
      switch (f) {
        case HistogramField.sampleCount:
          r.expect(WIRE_VARINT, 'Histogram.sample_count', at);
          this.count = r.uint64();
          break;
        case HistogramField.sampleCountFloat:
          r.expect(WIRE_FIXED64, 'Histogram.sample_count_float', at);
          this.countFloat = r.double();
          break;
        case HistogramField.sampleSum:
          r.expect(WIRE_FIXED64, 'Histogram.sample_sum', at);
          this.sum = r.double();
          break;
        case HistogramField.bucket: {
          r.expect(WIRE_LEN, 'Histogram.bucket', at);
          const e = r.lengthEnd();
          this.addPart(r.pos, e);
          r.pos = e;
          break;
        }
        case HistogramField.createdTimestamp:
          this.readCreated(at, end);
          break;
        case HistogramField.schema:
          r.expect(WIRE_VARINT, 'Histogram.schema', at);
          this.schema = r.sint32();
          break;
        case HistogramField.zeroThreshold:
          r.expect(WIRE_FIXED64, 'Histogram.zero_threshold', at);
          this.zeroThreshold = r.double();
          break;
        case HistogramField.zeroCount:
          r.expect(WIRE_VARINT, 'Histogram.zero_count', at);
          this.zeroCount = r.uint64();
          break;
        case HistogramField.zeroCountFloat:
          r.expect(WIRE_FIXED64, 'Histogram.zero_count_float', at);
          this.zeroCountFloat = r.double();
          break;
        case HistogramField.negativeSpan:
        case HistogramField.positiveSpan:
          r.expect(WIRE_LEN, 'Histogram span', at);
          this.hasSpans = true;
          this.nSpans++;
          r.pos = r.lengthEnd();
          break;
        case HistogramField.negativeDelta:
        case HistogramField.positiveDelta:
          if (r.wire === WIRE_LEN) {
            // Packed: one varint ends at each byte under 0x80.
            const e = r.lengthEnd();
            const buf = r.buf;
            let n = 0;
            for (let i = r.pos; i < e; i++) if (buf[i]! < 0x80) n++;
            this.nDeltas += n;
            r.pos = e;
          } else {
            r.expect(WIRE_VARINT, 'Histogram delta', at);
            this.nDeltas++;
            r.skip();
          }
          break;
        case HistogramField.negativeCount:
        case HistogramField.positiveCount:
          if (r.wire === WIRE_LEN) {
            const e = r.lengthEnd();
            this.nCounts += Math.floor((e - r.pos) / 8);
            r.pos = e;
          } else {
            r.expect(WIRE_FIXED64, 'Histogram count', at);
            this.nCounts++;
            r.skip();
          }
          break;
        case HistogramField.exemplars:
          r.expect(WIRE_LEN, 'Histogram.exemplars', at);
          this.nExemplars++;
          r.pos = r.lengthEnd();
          break;
        default:
          r.skip();
      }
    }
  }

  /** Reads a google.protobuf.Timestamp field as the created timestamp, in ms (0 means none, as protobufparse.go). */
  private readCreated(at: number, outerEnd: number): void {
    const r = this.r;
    r.expect(WIRE_LEN, 'created_timestamp', at);
    const e = r.lengthEnd();
    const ms = this.readTimestamp(r.pos, e);
    r.pos = e;
    r.end = outerEnd;
    this.created = ms;
    this.hasCreated = ms !== 0;
  }

  /** A Timestamp message as milliseconds: seconds * 1000 + nanos / 1e6 truncated (protobufparse.go CreatedTimestamp). */
  private readTimestamp(start: number, end: number): number {
    const r = this.r;
    r.pos = start;
    r.end = end;
    let seconds = 0;
    let nanos = 0;
    while (r.pos < end) {
      const at = r.pos;
      const f = r.tag();
      if (f === TimestampField.seconds) {
        r.expect(WIRE_VARINT, 'Timestamp.seconds', at);
        seconds = r.int64();
      } else if (f === TimestampField.nanos) {
        r.expect(WIRE_VARINT, 'Timestamp.nanos', at);
        nanos = r.int32();
      } else r.skip();
    }
    return seconds * 1000 + Math.trunc(nanos / 1e6);
  }

  private addValueRange(start: number, end: number): void {
    const n = this.nV;
    if ((n + 1) * 2 > this.vRanges.length) {
      const grown = new Int32Array(this.vRanges.length * 2);
      grown.set(this.vRanges);
      this.vRanges = grown;
    }
    this.vRanges[n * 2] = start;
    this.vRanges[n * 2 + 1] = end;
    this.nV = n + 1;
  }

  private addPart(start: number, end: number): void {
    const n = this.nParts;
    if ((n + 1) * 2 > this.parts.length) {
      const grown = new Int32Array(this.parts.length * 2);
      grown.set(this.parts);
      this.parts = grown;
    }
    this.parts[n * 2] = start;
    this.parts[n * 2 + 1] = end;
    this.nParts = n + 1;
  }

  // ------------------------------------------------ entries of a Metric

  /** Sets up the Metric's first entry; false when it has none (never: every type gives at least one). */
  private firstInMetric(): boolean {
    const t = this.pbType;
    this.part = 0;
    if (t === PB_SUMMARY) {
      this.kind = this.nParts > 0 ? K_QUANTILE : K_SUM;
      return true;
    }
    if (t === PB_HISTOGRAM || t === PB_GAUGE_HISTOGRAM) {
      this.classic = !this.native || this.nParts > 0;
      this.kind = this.native ? K_NATIVE : this.nParts > 0 ? K_BUCKET : K_INF;
      return true;
    }
    this.kind = K_VALUE;
    return true;
  }

  /** Moves to the Metric's next entry; false when it has no more. */
  private nextInMetric(): boolean {
    switch (this.kind) {
      case K_QUANTILE:
        if (++this.part >= this.nParts) this.kind = K_SUM;
        return true;
      case K_NATIVE:
        if (!this.classic) return false;
        this.part = 0;
        this.kind = this.nParts > 0 ? K_BUCKET : K_INF;
        return true;
      case K_BUCKET:
        // protobufparse.go getMagicLabel: the buckets end at the first +Inf one.
        if (this.bound === Infinity) this.kind = K_SUM;
        else if (++this.part >= this.nParts) this.kind = K_INF;
        return true;
      case K_INF:
        this.kind = K_SUM;
        return true;
      case K_SUM:
        this.kind = K_COUNT;
        return true;
      default:
        return false;
    }
  }

  /** Computes the current entry's value (and bound, exemplar, histogram), counts it; returns its kind. */
  private emit(): Entry {
    const r = this.r;
    if (++this.samples > this.maxSeries) {
      throw r.fail('LIMIT_EXCEEDED', `payload has more than ${this.maxSeries} samples (maxSeries)`, this.mStart, 'maxSeries');
    }
    const kind = this.kind;
    const nameLen = this.nameEnd - this.nameStart + SUFFIXES[kind]!.length;
    if (nameLen > this.maxLabelValueLength) {
      throw r.fail(
        'LIMIT_EXCEEDED',
        `metric name is ${nameLen} bytes, over the limit of ${this.maxLabelValueLength} (a label value limit, as the metric name is the value of __name__) (maxLabelValueLength)`,
        this.nameStart,
        'maxLabelValueLength',
      );
    }
    if (this.nLabels + (kind === K_QUANTILE || kind === K_BUCKET || kind === K_INF ? 1 : 0) > this.maxLabels) {
      throw r.fail('LIMIT_EXCEEDED', `series has more than ${this.maxLabels} labels (maxLabels)`, this.mStart, 'maxLabels');
    }
    switch (kind) {
      case K_VALUE:
        return Entry.Series;
      case K_QUANTILE:
        this.readQuantile();
        return Entry.Series;
      case K_BUCKET:
        this.readBucket();
        return Entry.Series;
      case K_INF:
        this.exStart = -1;
        this.bound = Infinity;
        this.val = this.classicCount();
        return Entry.Series;
      case K_SUM:
        this.exStart = -1;
        this.val = this.sum;
        return Entry.Series;
      case K_COUNT:
        this.exStart = -1;
        this.val = this.pbType === PB_SUMMARY ? this.count : this.classicCount();
        return Entry.Series;
      default:
        this.decodeNative();
        return Entry.Histogram;
    }
  }

  /** A classic histogram's count: sample_count_float when not 0, else sample_count (protobufparse.go Series). */
  private classicCount(): number {
    return this.countFloat !== 0 ? this.countFloat : this.count;
  }

  private readQuantile(): void {
    const r = this.r;
    const start = this.parts[this.part * 2]!;
    const end = this.parts[this.part * 2 + 1]!;
    r.pos = start;
    r.end = end;
    let q = 0;
    let v = 0;
    while (r.pos < end) {
      const at = r.pos;
      const f = r.tag();
      if (f === QuantileField.quantile) {
        r.expect(WIRE_FIXED64, 'Quantile.quantile', at);
        q = r.double();
      } else if (f === QuantileField.value) {
        r.expect(WIRE_FIXED64, 'Quantile.value', at);
        v = r.double();
      } else r.skip();
    }
    this.bound = q;
    this.val = v;
  }

  private readBucket(): void {
    const r = this.r;
    const start = this.parts[this.part * 2]!;
    const end = this.parts[this.part * 2 + 1]!;
    r.pos = start;
    r.end = end;
    let count = 0;
    let countFloat = 0;
    let upper = 0;
    this.exStart = -1;
    while (r.pos < end) {
      const at = r.pos;
      const f = r.tag();
      if (f === BucketField.cumulativeCount) {
        r.expect(WIRE_VARINT, 'Bucket.cumulative_count', at);
        count = r.uint64();
      } else if (f === BucketField.cumulativeCountFloat) {
        r.expect(WIRE_FIXED64, 'Bucket.cumulative_count_float', at);
        countFloat = r.double();
      } else if (f === BucketField.upperBound) {
        r.expect(WIRE_FIXED64, 'Bucket.upper_bound', at);
        upper = r.double();
      } else if (f === BucketField.exemplar) {
        r.expect(WIRE_LEN, 'Bucket.exemplar', at);
        const e = r.lengthEnd();
        this.exStart = r.pos;
        this.exEnd = e;
        r.pos = e;
      } else r.skip();
    }
    if (this.exStart >= 0) this.checkExemplar(this.exStart, this.exEnd);
    this.bound = upper;
    this.val = countFloat !== 0 ? countFloat : count;
  }

  /**
   * Decodes the native histogram of the current Metric into the model
   * (absolute counts) and validates it. A float histogram when
   * sample_count_float or zero_count_float is > 0 (protobufparse.go
   * Histogram): its counts come from positive/negative_count; an integer
   * histogram's from the deltas.
   */
  private decodeNative(): void {
    const r = this.r;
    const isFloat = this.countFloat > 0 || this.zeroCountFloat > 0;
    this.checkNativeSize(isFloat ? this.nCounts : this.nDeltas);
    const positiveSpans: BucketSpan[] = [];
    const negativeSpans: BucketSpan[] = [];
    const positiveBuckets: number[] = [];
    const negativeBuckets: number[] = [];
    // Pairs: where an exemplar's length starts, and the end of its range.
    const exemplarAt: number[] = [];
    let posAcc = 0;
    let negAcc = 0;
    for (let k = 0; k < this.nV; k++) {
      const end = this.vRanges[k * 2 + 1]!;
      r.pos = this.vRanges[k * 2]!;
      r.end = end;
      while (r.pos < end) {
        const at = r.pos;
        const f = r.tag();
        if (f === HistogramField.positiveSpan || f === HistogramField.negativeSpan) {
          const e = r.lengthEnd();
          (f === HistogramField.positiveSpan ? positiveSpans : negativeSpans).push(this.readSpan(e));
          r.pos = e;
          r.end = end;
        } else if (f === HistogramField.positiveDelta || f === HistogramField.negativeDelta) {
          const positive = f === HistogramField.positiveDelta;
          if (isFloat) {
            r.skip();
            continue;
          }
          const out = positive ? positiveBuckets : negativeBuckets;
          let acc = positive ? posAcc : negAcc;
          if (r.wire === WIRE_LEN) {
            const e = r.lengthEnd();
            r.end = e;
            while (r.pos < e) {
              acc += r.sint64();
              out.push(acc);
              this.checkBuckets(positiveBuckets.length + negativeBuckets.length, at);
            }
            r.end = end;
          } else {
            acc += r.sint64();
            out.push(acc);
          }
          if (positive) posAcc = acc;
          else negAcc = acc;
        } else if (f === HistogramField.positiveCount || f === HistogramField.negativeCount) {
          if (!isFloat) {
            r.skip();
            continue;
          }
          const out = f === HistogramField.positiveCount ? positiveBuckets : negativeBuckets;
          if (r.wire === WIRE_LEN) {
            const e = r.lengthEnd();
            if ((e - r.pos) % 8 !== 0) throw r.malformed(at, 'a packed double field whose length is not a multiple of 8');
            r.end = e;
            while (r.pos < e) {
              out.push(r.double());
              this.checkBuckets(positiveBuckets.length + negativeBuckets.length, at);
            }
            r.end = end;
          } else out.push(r.double());
        } else if (f === HistogramField.exemplars) {
          exemplarAt.push(r.pos, end);
          r.pos = r.lengthEnd();
        } else r.skip();
      }
    }
    this.checkBuckets(positiveBuckets.length + negativeBuckets.length, this.vStart);
    const h: NativeHistogram = {
      kind: isFloat ? 'float' : 'integer',
      schema: this.schema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: isFloat ? this.zeroCountFloat : this.zeroCount,
      count: isFloat ? this.countFloat : this.count,
      sum: this.sum,
      positiveSpans,
      positiveBuckets,
      negativeSpans,
      negativeBuckets,
    };
    const problem = validateNativeHistogram(h);
    if (problem !== null) throw r.fail('INVALID_VALUE', `invalid native histogram: ${problem}`, this.vStart);
    this.hist = h;
    this.histExemplars = this.nativeExemplars(exemplarAt);
  }

  /**
   * Bounds what decodeNative allocates, from the counts readHistogram's
   * walk took, before it allocates anything: buckets (maxNativeBuckets),
   * spans (at most maxNativeBuckets + 2: buckets + 1 a side, as a canonical
   * histogram has), exemplars (maxExemplars), and the whole histogram's
   * estimated heap (maxModelBytes, as families.ts charges it). Each span
   * becomes an object (~20x its 2 bytes of input), each exemplar an object
   * and a labels object: without this a 60 MB message of empty spans took
   * the process past its heap before any budget was asked. Prometheus'
   * Validate only checks that the span lengths add up to the buckets (its
   * memory is bounded by the body size); with the default limits this
   * refuses nothing it accepts but exemplars over 1,000 and a histogram
   * bigger than the model budget.
   */
  private checkNativeSize(buckets: number): void {
    const r = this.r;
    this.checkBuckets(buckets, this.vStart);
    if (this.nSpans > this.maxNativeBuckets + 2) {
      throw r.fail(
        'LIMIT_EXCEEDED',
        `native histogram has ${this.nSpans} bucket spans, more than the ${this.maxNativeBuckets} buckets allow (maxNativeBuckets + 2: buckets + 1 a side)`,
        this.vStart,
        'maxNativeBuckets',
      );
    }
    if (this.nExemplars > this.maxExemplars) {
      throw r.fail(
        'LIMIT_EXCEEDED',
        `native histogram has ${this.nExemplars} exemplars, more than ${this.maxExemplars} (maxExemplars)`,
        this.vStart,
        'maxExemplars',
      );
    }
    const bytes = NATIVE_BYTES + NATIVE_BUCKET_BYTES * buckets + NATIVE_SPAN_BYTES * this.nSpans + EXEMPLAR_BYTES * this.nExemplars;
    if (bytes > this.maxModelBytes) {
      throw r.fail(
        'LIMIT_EXCEEDED',
        `native histogram with ${buckets} buckets, ${this.nSpans} spans and ${this.nExemplars} exemplars would take about ${Math.round(bytes / 1048576)} MiB, over the model budget of ${Math.round(this.maxModelBytes / 1048576)} MiB (maxModelBytes)`,
        this.vStart,
        'maxModelBytes',
      );
    }
  }

  private checkBuckets(n: number, at: number): void {
    if (n > this.maxNativeBuckets) {
      throw this.r.fail(
        'LIMIT_EXCEEDED',
        `native histogram has more than ${this.maxNativeBuckets} buckets (maxNativeBuckets)`,
        at,
        'maxNativeBuckets',
      );
    }
  }

  private readSpan(end: number): BucketSpan {
    const r = this.r;
    r.end = end;
    let offset = 0;
    let length = 0;
    while (r.pos < end) {
      const at = r.pos;
      const f = r.tag();
      if (f === BucketSpanField.offset) {
        r.expect(WIRE_VARINT, 'BucketSpan.offset', at);
        offset = r.sint32();
      } else if (f === BucketSpanField.length) {
        r.expect(WIRE_VARINT, 'BucketSpan.length', at);
        length = r.uint32();
      } else r.skip();
    }
    return { offset, length };
  }

  /**
   * The native histogram's exemplars, as protobufparse.go Exemplar gives
   * them: the histogram's `exemplars` when it has any, else its classic
   * buckets' exemplars; only those with a timestamp (Prometheus drops the
   * others for native histograms).
   */
  private nativeExemplars(exemplarAt: number[]): Exemplar[] {
    const r = this.r;
    const out: Exemplar[] = [];
    const take = (lenAt: number, end: number): void => {
      r.pos = lenAt;
      r.end = end;
      const e = r.lengthEnd();
      const s = r.pos;
      this.checkExemplar(s, e);
      const ex = this.decodeExemplar(s, e);
      if (ex.timestamp !== null) out.push(ex);
    };
    if (exemplarAt.length > 0) {
      for (let i = 0; i < exemplarAt.length; i += 2) take(exemplarAt[i]!, exemplarAt[i + 1]!);
      return out;
    }
    for (let i = 0; i < this.nParts; i++) {
      const start = this.parts[i * 2]!;
      const end = this.parts[i * 2 + 1]!;
      r.pos = start;
      r.end = end;
      let exAt = -1;
      while (r.pos < end) {
        const at = r.pos;
        const f = r.tag();
        if (f === BucketField.exemplar) {
          r.expect(WIRE_LEN, 'Bucket.exemplar', at);
          exAt = r.pos;
          r.pos = r.lengthEnd();
        } else r.skip();
      }
      if (exAt >= 0) {
        r.pos = exAt;
        r.end = end;
        const e = r.lengthEnd();
        const s = r.pos;
        this.checkExemplar(s, e);
        const ex = this.decodeExemplar(s, e);
        if (ex.timestamp !== null) out.push(ex);
      }
    }
    return out;
  }

  /** Walks an exemplar once: wire format, and UTF-8 label names and values (stricter than Prometheus). */
  private checkExemplar(start: number, end: number): void {
    const r = this.r;
    const buf = r.buf;
    const outer = r.end;
    const outerPos = r.pos;
    r.pos = start;
    r.end = end;
    while (r.pos < end) {
      const at = r.pos;
      const f = r.tag();
      if (f === ExemplarField.label) {
        r.expect(WIRE_LEN, 'Exemplar.label', at);
        const e = r.lengthEnd();
        r.end = e;
        while (r.pos < e) {
          const a = r.pos;
          const lf = r.tag();
          if (lf === LabelPairField.name || lf === LabelPairField.value) {
            r.expect(WIRE_LEN, 'LabelPair', a);
            const se = r.lengthEnd();
            const s = r.pos;
            if (hasHighByte(buf, s, se) && invalidUtf8At(buf, s, se) >= 0)
              throw r.fail('INVALID_UTF8', 'an exemplar label is not valid UTF-8', s);
            r.pos = se;
          } else r.skip();
        }
        r.end = end;
      } else if (f === ExemplarField.value) {
        r.expect(WIRE_FIXED64, 'Exemplar.value', at);
        r.double();
      } else if (f === ExemplarField.timestamp) {
        r.expect(WIRE_LEN, 'Exemplar.timestamp', at);
        const e = r.lengthEnd();
        this.readTimestamp(r.pos, e);
        r.pos = e;
        r.end = end;
      } else r.skip();
    }
    r.end = outer;
    r.pos = outerPos;
  }

  /** An exemplar (already checked) as the model's object. */
  private decodeExemplar(start: number, end: number): Exemplar {
    const r = this.r;
    const labels: Labels = {};
    let value = 0;
    let timestamp: number | null = null;
    r.pos = start;
    r.end = end;
    while (r.pos < end) {
      const f = r.tag();
      if (f === ExemplarField.label) {
        const e = r.lengthEnd();
        r.end = e;
        let name = '';
        let val = '';
        while (r.pos < e) {
          const lf = r.tag();
          if (lf === LabelPairField.name || lf === LabelPairField.value) {
            const se = r.lengthEnd();
            const s = r.pos;
            const str = this.string(s, se);
            if (lf === LabelPairField.name) name = str;
            else val = str;
            r.pos = se;
          } else r.skip();
        }
        setLabel(labels, name, val);
        r.end = end;
      } else if (f === ExemplarField.value) value = r.double();
      else if (f === ExemplarField.timestamp) {
        const e = r.lengthEnd();
        timestamp = this.readTimestamp(r.pos, e);
        r.pos = e;
        r.end = end;
      } else r.skip();
    }
    return { labels, value, timestamp };
  }

  private string(s: number, e: number): string {
    return hasHighByte(this.r.buf, s, e) ? this.strings.utf8(s, e) : this.strings.ascii(s, e);
  }

  // -------------------------------------------------------------- accessors

  current(): Entry {
    return this.entry;
  }

  /** Protobuf has no lines: 0 (see `offset()`). */
  line(): number {
    return 0;
  }

  /** Byte offset in the whole payload: of the MetricFamily frame for metadata, of the Metric for its series. */
  offset(): number {
    return this.r.byteBase + (this.entry === Entry.Series || this.entry === Entry.Histogram ? this.mStart : this.frameStart);
  }

  familyName(): string {
    if (this.familyStrFor !== this.frameStart) {
      this.familyStr = this.string(this.nameStart, this.nameEnd);
      this.familyStrFor = this.frameStart;
      this.suffixed.fill('');
    }
    return this.familyStr;
  }

  metricName(): string {
    const name = this.familyName();
    const suffix = SUFFIXES[this.kind]!;
    if (suffix === '') return name;
    const k = this.kind;
    const cached = this.suffixed[k]!;
    if (cached !== '') return cached;
    const s = name + suffix;
    this.suffixed[k] = s;
    return s;
  }

  private extraLabel(): boolean {
    const k = this.kind;
    return k === K_QUANTILE || k === K_BUCKET || k === K_INF;
  }

  labelCount(): number {
    return this.nLabels + (this.extraLabel() ? 1 : 0);
  }

  labelName(i: number): string {
    this.checkLabel(i);
    if (i === this.nLabels) return this.kind === K_QUANTILE ? 'quantile' : 'le';
    const l = this.lbl;
    const s = l[i * 4]!;
    const e = l[i * 4 + 1]!;
    const prev = this.prevNames[i];
    if (prev !== undefined) {
      if (this.prevNameAt[i] === s && prev.length <= e - s) return prev;
      if ((this.lblHigh[i]! & 1) === 0 && sameAscii(this.r.buf, s, e, prev)) {
        this.prevAt(this.prevNameAt, i, s);
        return prev;
      }
    }
    const str = (this.lblHigh[i]! & 1) === 0 ? this.strings.ascii(s, e) : this.strings.utf8(s, e);
    this.prevNames[i] = str;
    this.prevAt(this.prevNameAt, i, s);
    return str;
  }

  labelValue(i: number): string {
    this.checkLabel(i);
    // protobufparse.go getMagicLabel: formatOpenMetricsFloat (rules.canonicalBound).
    if (i === this.nLabels) return this.boundString();
    const l = this.lbl;
    const s = l[i * 4 + 2]!;
    const e = l[i * 4 + 3]!;
    const prev = this.prevValues[i];
    if (prev !== undefined) {
      if (this.prevValueAt[i] === s && prev.length <= e - s) return prev;
      if ((this.lblHigh[i]! & 2) === 0 && sameAscii(this.r.buf, s, e, prev)) {
        this.prevAt(this.prevValueAt, i, s);
        return prev;
      }
    }
    const str = (this.lblHigh[i]! & 2) === 0 ? this.strings.ascii(s, e) : this.strings.utf8(s, e);
    this.prevValues[i] = str;
    this.prevAt(this.prevValueAt, i, s);
    return str;
  }

  /** The current bucket bound or quantile as Prometheus spells it (canonicalBound), remembered for the next series. */
  private boundString(): string {
    const b = this.bound;
    if (b !== this.boundFor) {
      this.boundFor = b;
      this.boundStr = canonicalBound(b);
    }
    return this.boundStr;
  }

  private prevAt(at: Int32Array, i: number, s: number): void {
    if (i >= at.length) {
      const grown = new Int32Array(Math.max(i + 1, at.length * 2)).fill(-1);
      grown.set(at);
      if (at === this.prevNameAt) this.prevNameAt = grown;
      else this.prevValueAt = grown;
      at = grown;
    }
    at[i] = s;
  }

  private checkLabel(i: number): void {
    const n = this.labelCount();
    if (i < 0 || i >= n || (i | 0) !== i) throw new RangeError(`label index ${i} out of range (the series has ${n} labels)`);
  }

  labels(): Labels {
    const out: Labels = {};
    const n = this.labelCount();
    for (let i = 0; i < n; i++) setLabel(out, this.labelName(i), this.labelValue(i));
    return out;
  }

  value(): number {
    // A Histogram entry has no float value (histogram() throws on a Series entry alike).
    if (this.entry === Entry.Histogram) {
      throw new PromwireError('INVALID_ARGUMENT', 'value() is not valid on a Histogram entry: read it with histogram()');
    }
    return this.val;
  }

  timestamp(): number | null {
    return this.ts === 0 ? null : this.ts;
  }

  histogram(): NativeHistogram {
    if (this.entry !== Entry.Histogram || this.hist === undefined) {
      throw new PromwireError('INVALID_ARGUMENT', 'histogram() is only valid on a Histogram entry');
    }
    return this.hist;
  }

  startTimestamp(): number | null {
    return this.hasCreated ? this.created : null;
  }

  hasExemplar(): boolean {
    if (this.entry === Entry.Histogram) return this.histExemplars !== undefined && this.histExemplars.length > 0;
    return this.entry === Entry.Series && this.exStart >= 0;
  }

  exemplar(): Exemplar | undefined {
    if (this.entry === Entry.Histogram) return this.histExemplars?.[0];
    if (this.entry !== Entry.Series || this.exStart < 0) return undefined;
    return this.decodeExemplar(this.exStart, this.exEnd);
  }

  exemplars(): Exemplar[] {
    if (this.entry === Entry.Histogram) return this.histExemplars === undefined ? [] : this.histExemplars.slice();
    const e = this.exemplar();
    return e === undefined ? [] : [e];
  }

  help(): string {
    return this.helpEnd > this.helpStart ? this.string(this.helpStart, this.helpEnd) : '';
  }

  type(): MetricType {
    return TYPES[this.pbType] ?? 'unknown';
  }

  unit(): string {
    return this.unitEnd > this.unitStart ? this.string(this.unitStart, this.unitEnd) : '';
  }

  comment(): string {
    return '';
  }

  /**
   * The series' identity as bytes, built into a reused buffer (valid until
   * the next `next()`): the sample name, then each label as 0xff name 0xff
   * value in the order written, then `le`/`quantile`, as Prometheus'
   * protobufparse.go builds its entry bytes (without sorting).
   */
  seriesBytes(): Uint8Array {
    const buf = this.r.buf;
    const l = this.lbl;
    const n = this.nLabels;
    const suffix = SUFFIXES[this.kind]!;
    let size = this.nameEnd - this.nameStart + suffix.length;
    for (let i = 0; i < n; i++) size += 2 + l[i * 4 + 1]! - l[i * 4]! + l[i * 4 + 3]! - l[i * 4 + 2]!;
    const extra = this.extraLabel() ? this.boundString() : '';
    size += extra === '' ? 0 : 12 + extra.length;
    if (this.scratch.length < size) this.scratch = new Uint8Array(size * 2);
    const out = this.scratch;
    let o = 0;
    out.set(buf.subarray(this.nameStart, this.nameEnd), 0);
    o = this.nameEnd - this.nameStart;
    for (let i = 0; i < suffix.length; i++) out[o++] = suffix.charCodeAt(i);
    for (let i = 0; i < n; i++) {
      out[o++] = 0xff;
      for (let k = l[i * 4]!; k < l[i * 4 + 1]!; k++) out[o++] = buf[k]!;
      out[o++] = 0xff;
      for (let k = l[i * 4 + 2]!; k < l[i * 4 + 3]!; k++) out[o++] = buf[k]!;
    }
    if (extra !== '') {
      const ln = this.kind === K_QUANTILE ? 'quantile' : 'le';
      out[o++] = 0xff;
      for (let i = 0; i < ln.length; i++) out[o++] = ln.charCodeAt(i);
      out[o++] = 0xff;
      for (let i = 0; i < extra.length; i++) out[o++] = extra.charCodeAt(i);
    }
    return out.subarray(0, o);
  }

  seriesHash(): number {
    const b = this.seriesBytes();
    let h = 0x811c9dc5;
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    return h >>> 0;
  }

  /** Where the walk is, for error messages (the error path only). */
  private where(): string {
    if (this.phase === P_FRAME) return '';
    const buf = this.r.buf;
    const name = invalidUtf8At(buf, this.nameStart, this.nameEnd) >= 0 ? '(not UTF-8)' : this.strings.utf8(this.nameStart, this.nameEnd);
    const fam = `family ${JSON.stringify(name)} at byte ${this.r.byteBase + this.frameStart}`;
    return this.phase === P_METRIC ? `metric ${this.metricNo} of ${fam}` : fam;
  }

  // --------------------------------------------------- internal: streaming

  /** @internal Points the parser at the next piece of a stream: whole frames are read, a cut one waits. */
  _feed(bytes: Uint8Array, final: boolean, byteBase: number): void {
    this.r.setBuffer(bytes, byteBase);
    this.strings.setBuffer(bytes);
    this.pos = 0;
    this.bufEnd = bytes.length;
    this.final = final;
    this.needEnd = 0;
    this.phase = P_FRAME;
    this.familyStrFor = -1;
    // Offsets now point into another buffer.
    this.prevNameAt.fill(-1);
    this.prevValueAt.fill(-1);
  }

  _countBody(n: number): void {
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

  /** @internal Bytes of the fed piece consumed as whole frames. */
  _consumed(): number {
    return this.pos;
  }

  /** @internal True once lenient mode met a broken frame (nothing after it can be read). */
  _stopped(): boolean {
    return this.stopped;
  }

  _maxLineLength(): number {
    return this.maxMessageBytes;
  }

  /**
   * @internal Streaming: after `next()` returned EOF on a cut frame, the
   * end (in the fed piece) the frame needs, or -1 while its length prefix
   * itself is cut; 0 when nothing is waiting.
   */
  _needEnd(): number {
    return this.needEnd;
  }
}

/** The Metric field that holds the value of each type (the oneof). */
const VALUE_FIELD: readonly number[] = [
  MetricField.counter,
  MetricField.gauge,
  MetricField.summary,
  MetricField.untyped,
  MetricField.histogram,
  MetricField.histogram,
];

const FIELD_NAMES_MF: Record<number, string> = {
  1: 'MetricFamily.name',
  2: 'MetricFamily.help',
  4: 'MetricFamily.metric',
  5: 'MetricFamily.unit',
};
const FIELD_NAMES_METRIC: Record<number, string> = {
  2: 'Metric.gauge',
  3: 'Metric.counter',
  4: 'Metric.summary',
  5: 'Metric.untyped',
  7: 'Metric.histogram',
};

// Lives as long as the process, so its map survives a full GC between parses (core/keep-shape.ts).
keepShape(new ProtobufParser(new Uint8Array(0)));
// Last in the module, so that the constructor may read any of the module's constants above.
