/**
 * The protobuf exposition format writer: `application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited` (expfmt
 * FmtProtoDelim), a stream of MetricFamily messages each preceded by its
 * length as a varint. Field numbers: src/proto/metrics-proto.ts.
 *
 * The model is written as client_golang would write it (prometheus/client_golang
 * prometheus/{counter,gauge,summary,histogram}.go `Write`, and expfmt's text
 * parser for what a text payload becomes):
 * - counter -> COUNTER (family named after its series, `foo_total`), the
 *   first exemplar, `created_timestamp` from the start timestamp;
 * - gauge -> GAUGE; unknown -> UNTYPED; info `foo_info` and stateset -> GAUGE
 *   (protobuf has neither type; Prometheus stores the same series);
 * - summary -> one Summary per label set (less `quantile`): quantiles,
 *   `_sum`, `_count`, `created_timestamp`;
 * - histogram / gaugehistogram -> one Histogram per label set (less `le`):
 *   classic buckets (`+Inf` left out when it equals the count, as
 *   client_golang leaves it out: protobufparse.go synthesises it), `_sum`
 *   (`_gsum`), `_count` (`_gcount`), and the native histogram with the same
 *   labels merged into the same message (schema, zero bucket, spans, deltas
 *   for integer histograms, absolute counts for float ones, exemplars).
 *
 * Field layout: fields in field-number order, except that MetricFamily's
 * `unit` (5) is written before the metrics (4), so a streaming reader has
 * every piece of metadata before the first metric (the protobuf encoding
 * spec lets fields come in any order). Scalars are written even when zero,
 * as client_golang's proto2 messages do, except Timestamp's seconds and
 * nanos (proto3 google.protobuf.Timestamp omits zeros); repeated sint64 and
 * double fields are packed (proto3's default in Prometheus' metrics.proto;
 * every protobuf decoder reads both forms).
 *
 * Whatever the format cannot hold is reported through `onWarning`, once per
 * family and kind of loss, with the number of samples it touched.
 */

import { escapeName, isValidLabelName, isValidMetricName } from '../core/names.js';
import type { EscapingScheme } from '../core/names.js';
import type { Exemplar, FloatSample, HistogramSample, Labels, MetricFamily, NativeHistogram, Sample } from '../model/index.js';
import { CUSTOM_BUCKETS_SCHEMA } from '../model/native-histogram.js';
import { omName, parseBound, reservedLabel, textName } from '../model/rules.js';
import {
  BucketField,
  BucketSpanField,
  CounterField,
  ExemplarField,
  GaugeField,
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
  UntypedField,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
} from '../proto/metrics-proto.js';
import { ProtoWriter, tag, utf8Length, varintSize } from '../proto/writer.js';
import { Losses, type WarningSink } from './losses.js';

const K_FAMILY_NAME = tag(MetricFamilyField.name, WIRE_LEN);
const K_FAMILY_HELP = tag(MetricFamilyField.help, WIRE_LEN);
const K_FAMILY_TYPE = tag(MetricFamilyField.type, WIRE_VARINT);
const K_FAMILY_UNIT = tag(MetricFamilyField.unit, WIRE_LEN);
const K_FAMILY_METRIC = tag(MetricFamilyField.metric, WIRE_LEN);
const K_METRIC_LABEL = tag(MetricField.label, WIRE_LEN);
const K_METRIC_GAUGE = tag(MetricField.gauge, WIRE_LEN);
const K_METRIC_COUNTER = tag(MetricField.counter, WIRE_LEN);
const K_METRIC_SUMMARY = tag(MetricField.summary, WIRE_LEN);
const K_METRIC_UNTYPED = tag(MetricField.untyped, WIRE_LEN);
const K_METRIC_TIMESTAMP = tag(MetricField.timestampMs, WIRE_VARINT);
const K_METRIC_HISTOGRAM = tag(MetricField.histogram, WIRE_LEN);
const K_LABEL_NAME = tag(LabelPairField.name, WIRE_LEN);
const K_LABEL_VALUE = tag(LabelPairField.value, WIRE_LEN);
const K_VALUE = tag(GaugeField.value, WIRE_FIXED64);
const K_UNTYPED_VALUE = tag(UntypedField.value, WIRE_FIXED64);
const K_COUNTER_VALUE = tag(CounterField.value, WIRE_FIXED64);
const K_COUNTER_EXEMPLAR = tag(CounterField.exemplar, WIRE_LEN);
const K_COUNTER_CREATED = tag(CounterField.createdTimestamp, WIRE_LEN);
const K_SUMMARY_COUNT = tag(SummaryField.sampleCount, WIRE_VARINT);
const K_SUMMARY_SUM = tag(SummaryField.sampleSum, WIRE_FIXED64);
const K_SUMMARY_QUANTILE = tag(SummaryField.quantile, WIRE_LEN);
const K_SUMMARY_CREATED = tag(SummaryField.createdTimestamp, WIRE_LEN);
const K_QUANTILE_Q = tag(QuantileField.quantile, WIRE_FIXED64);
const K_QUANTILE_VALUE = tag(QuantileField.value, WIRE_FIXED64);
const K_H_COUNT = tag(HistogramField.sampleCount, WIRE_VARINT);
const K_H_SUM = tag(HistogramField.sampleSum, WIRE_FIXED64);
const K_H_BUCKET = tag(HistogramField.bucket, WIRE_LEN);
const K_H_COUNT_FLOAT = tag(HistogramField.sampleCountFloat, WIRE_FIXED64);
const K_H_SCHEMA = tag(HistogramField.schema, WIRE_VARINT);
const K_H_ZERO_THRESHOLD = tag(HistogramField.zeroThreshold, WIRE_FIXED64);
const K_H_ZERO_COUNT = tag(HistogramField.zeroCount, WIRE_VARINT);
const K_H_ZERO_COUNT_FLOAT = tag(HistogramField.zeroCountFloat, WIRE_FIXED64);
const K_H_NEG_SPAN = tag(HistogramField.negativeSpan, WIRE_LEN);
const K_H_NEG_DELTA = tag(HistogramField.negativeDelta, WIRE_LEN);
const K_H_NEG_COUNT = tag(HistogramField.negativeCount, WIRE_LEN);
const K_H_POS_SPAN = tag(HistogramField.positiveSpan, WIRE_LEN);
const K_H_POS_DELTA = tag(HistogramField.positiveDelta, WIRE_LEN);
const K_H_POS_COUNT = tag(HistogramField.positiveCount, WIRE_LEN);
const K_H_CREATED = tag(HistogramField.createdTimestamp, WIRE_LEN);
const K_H_EXEMPLARS = tag(HistogramField.exemplars, WIRE_LEN);
const K_BUCKET_COUNT = tag(BucketField.cumulativeCount, WIRE_VARINT);
const K_BUCKET_BOUND = tag(BucketField.upperBound, WIRE_FIXED64);
const K_BUCKET_EXEMPLAR = tag(BucketField.exemplar, WIRE_LEN);
const K_BUCKET_COUNT_FLOAT = tag(BucketField.cumulativeCountFloat, WIRE_FIXED64);
const K_SPAN_OFFSET = tag(BucketSpanField.offset, WIRE_VARINT);
const K_SPAN_LENGTH = tag(BucketSpanField.length, WIRE_VARINT);
const K_EXEMPLAR_LABEL = tag(ExemplarField.label, WIRE_LEN);
const K_EXEMPLAR_VALUE = tag(ExemplarField.value, WIRE_FIXED64);
const K_EXEMPLAR_TIMESTAMP = tag(ExemplarField.timestamp, WIRE_LEN);
const K_TS_SECONDS = tag(TimestampField.seconds, WIRE_VARINT);
const K_TS_NANOS = tag(TimestampField.nanos, WIRE_VARINT);

/** The loss message of an info or stateset written as a gauge (shared with MetricSet). */
export function gaugeFallbackLoss(type: 'info' | 'stateset'): string {
  return `written as a gauge: protobuf has no ${type} type`;
}

/** The MetricFamily type a model type is written as. */
export function protobufType(type: MetricFamily['type']): number {
  switch (type) {
    case 'counter':
      return PB_COUNTER;
    case 'summary':
      return PB_SUMMARY;
    case 'histogram':
      return PB_HISTOGRAM;
    case 'gaugehistogram':
      return PB_GAUGE_HISTOGRAM;
    case 'unknown':
      return PB_UNTYPED;
    default:
      // gauge; info and stateset have no protobuf type: client_python and
      // Prometheus' text conversion write them as gauges.
      return PB_GAUGE;
  }
}

/**
 * A metric name as written under an escaping scheme: as it is with
 * `allow-utf-8` (protobuf strings hold any UTF-8), else escaped when outside
 * the legacy set (expfmt encode.go NewEncoder: TypeProtoDelim writes
 * `model.EscapeMetricFamily(v, escapingScheme)`).
 */
export function protobufName(name: string, escaping: EscapingScheme): string {
  return escaping === 'allow-utf-8' || isValidMetricName(name) ? name : escapeName(name, escaping);
}

/** A label name as written (model.EscapeMetricFamily escapes label names outside the legacy set). */
export function protobufLabelName(name: string, escaping: EscapingScheme): string {
  return escaping === 'allow-utf-8' || isValidLabelName(name) ? name : escapeName(name, escaping, 'label');
}

/**
 * The MetricFamily fields before the metrics: name, help (when not empty),
 * type, unit (when not empty). A family is then `K_FAMILY_METRIC`-keyed
 * metrics after these bytes.
 */
export function writeFamilyHeader(w: ProtoWriter, name: string, type: number, help: string, unit: string): void {
  w.stringField(K_FAMILY_NAME, name);
  if (help !== '') w.stringField(K_FAMILY_HELP, help);
  w.byte(K_FAMILY_TYPE);
  w.uint(type);
  if (unit !== '') w.stringField(K_FAMILY_UNIT, unit);
}

/** The family header bytes (for MetricSet, which renders them once). */
export function familyHeaderBytes(name: string, type: number, help: string, unit: string): Uint8Array {
  const w = new ProtoWriter(64 + 3 * (name.length + help.length + unit.length));
  writeFamilyHeader(w, name, type, help, unit);
  return w.finish();
}

/** Writes one `Metric.label` field: a LabelPair of an already written-form name. */
export function writeLabelPair(w: ProtoWriter, name: string, value: string): void {
  w.byte(K_METRIC_LABEL);
  const start = w.beginLength();
  w.stringField(K_LABEL_NAME, name);
  w.stringField(K_LABEL_VALUE, value);
  w.endLength(start);
}

/**
 * The `Metric.label` fields of a label set, as bytes (MetricSet renders
 * them once per series, default labels first).
 */
export function labelPairsBytes(pairs: ReadonlyArray<readonly [string, string]>, escaping: EscapingScheme): Uint8Array {
  let size = 0;
  for (const [k, v] of pairs) size += 8 + 3 * (k.length + v.length);
  const w = new ProtoWriter(size);
  for (const [k, v] of pairs) writeLabelPair(w, protobufLabelName(k, escaping), v);
  return w.finish();
}

/**
 * A google.protobuf.Timestamp from milliseconds (fractions kept as nanos):
 * seconds rounded down, nanos in [0, 1e9). Zeros are omitted (proto3).
 */
export function writeTimestampMessage(w: ProtoWriter, key: number, ms: number): void {
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds++;
    nanos -= 1e9;
  }
  w.byte(key);
  const start = w.beginLength();
  if (seconds !== 0) {
    w.byte(K_TS_SECONDS);
    w.int64(clampInt64(seconds));
  }
  if (nanos !== 0) {
    w.byte(K_TS_NANOS);
    w.uint(nanos);
  }
  w.endLength(start);
}

function clampInt64(v: number): number {
  if (v >= 9223372036854775807) return 9223372036854775807;
  if (v <= -9223372036854775808) return -9223372036854775808;
  return v;
}

/** An Exemplar message under `key`. */
export function writeExemplar(w: ProtoWriter, key: number, e: Exemplar, escaping: EscapingScheme): void {
  w.key(key);
  const start = w.beginLength();
  const labels = e.labels;
  for (const k in labels) {
    w.byte(K_EXEMPLAR_LABEL);
    const ls = w.beginLength();
    w.stringField(K_LABEL_NAME, protobufLabelName(k, escaping));
    w.stringField(K_LABEL_VALUE, labels[k]!);
    w.endLength(ls);
  }
  w.doubleField(K_EXEMPLAR_VALUE, e.value);
  if (e.timestamp !== null) writeTimestampMessage(w, K_EXEMPLAR_TIMESTAMP, e.timestamp);
  w.endLength(start);
}

/**
 * The first whole number a uint64 field cannot hold. Written as a power of
 * two: the literal 18446744073709551615 is 2^64 as a double, so a
 * `<= 18446744073709551615` test lets 2^64 through (and its varint wraps to 0).
 */
export const UINT64_END = 2 ** 64;

/** The first delta a sint64 field cannot hold (deltas lie in [-2^63, 2^63)). */
const INT64_END = 2 ** 63;

/** True when `v` is a count a uint64 field holds exactly: whole, in [0, 2^64). */
export function fitsUint64(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < UINT64_END;
}

/**
 * A count (Summary/Histogram `sample_count`, a bucket's cumulative count):
 * a whole non-negative number below 2^64 goes to the uint64 field; any
 * other positive one to its `_float` twin when there is one (which
 * "overrides sample_count if > 0", metrics.proto); anything else cannot be
 * written (returns false and writes nothing: a reader sees 0). Use
 * `countLoss` for the warning.
 */
export function writeCount(w: ProtoWriter, intKey: number, floatKey: number, v: number): boolean {
  if (fitsUint64(v)) {
    w.byte(intKey);
    w.uint(v);
    return true;
  }
  if (floatKey !== 0 && v > 0) {
    w.doubleField(floatKey, v);
    return true;
  }
  return false;
}

/** The loss message of a whole count of 2^64 or more written to a `_float` twin (null: none). */
export function bigCountLoss(v: number): string | null {
  return Number.isInteger(v) && v >= UINT64_END
    ? 'counts of 2^64 or more written as float counts (the _float fields): uint64 cannot hold them'
    : null;
}

/** Writes one classic bucket (`Histogram.bucket`). Returns false when its count cannot be written. */
export function writeBucket(
  w: ProtoWriter,
  upperBound: number,
  cumulative: number,
  exemplar: Exemplar | undefined,
  escaping: EscapingScheme,
): boolean {
  if (exemplar === undefined && fitsUint64(cumulative)) {
    // The common bucket: its length (at most 20 bytes) is known, nothing to patch.
    w.byte(K_H_BUCKET);
    w.byte(1 + varintSize(cumulative) + 9);
    w.byte(K_BUCKET_COUNT);
    w.uint(cumulative);
    w.doubleField(K_BUCKET_BOUND, upperBound);
    return true;
  }
  w.byte(K_H_BUCKET);
  const start = w.beginLength();
  // Field order: cumulative_count (1), upper_bound (2), exemplar (3),
  // cumulative_count_float (4).
  // A count uint64 cannot hold (fractional, or 2^64 and more) goes to the float twin.
  const whole = fitsUint64(cumulative);
  if (whole) {
    w.byte(K_BUCKET_COUNT);
    w.uint(cumulative);
  }
  w.doubleField(K_BUCKET_BOUND, upperBound);
  if (exemplar !== undefined) writeExemplar(w, K_BUCKET_EXEMPLAR, exemplar, escaping);
  if (!whole && cumulative > 0) w.doubleField(K_BUCKET_COUNT_FLOAT, cumulative);
  const ok = whole || cumulative > 0;
  w.endLength(start);
  return ok;
}

/** Writes `Histogram.sample_count` or `sample_count_float`. */
export function writeHistogramCount(w: ProtoWriter, count: number, float: boolean): boolean {
  if (float) {
    // A float histogram's count, even a whole one, is the float field.
    if (count > 0) w.doubleField(K_H_COUNT_FLOAT, count);
    return count >= 0;
  }
  return writeCount(w, K_H_COUNT, K_H_COUNT_FLOAT, count);
}

export function writeHistogramSum(w: ProtoWriter, sum: number): void {
  w.doubleField(K_H_SUM, sum);
}

function writeSpans(w: ProtoWriter, key: number, spans: NativeHistogram['positiveSpans']): void {
  for (const s of spans) {
    w.byte(key);
    const start = w.beginLength();
    w.byte(K_SPAN_OFFSET);
    w.sint(s.offset);
    w.byte(K_SPAN_LENGTH);
    w.uint(s.length);
    w.endLength(start);
  }
}

/** Packed sint64 deltas of absolute counts (each bucket compared to the previous one, the first to zero). */
function writeDeltas(w: ProtoWriter, key: number, counts: readonly number[]): void {
  if (counts.length === 0) return;
  w.byte(key);
  const start = w.beginLength();
  let prev = 0;
  for (const c of counts) {
    w.sint(c - prev);
    prev = c;
  }
  w.endLength(start);
}

/** Packed doubles. */
function writeDoubles(w: ProtoWriter, key: number, values: readonly number[]): void {
  if (values.length === 0) return;
  w.byte(key);
  w.uint(values.length * 8);
  for (const v of values) w.double(v);
}

/** True when the absolute counts' deltas (first against 0) each fit a sint64. */
function deltasFit(counts: readonly number[]): boolean {
  let prev = 0;
  for (const c of counts) {
    const d = c - prev;
    if (d >= INT64_END || d < -INT64_END) return false;
    prev = c;
  }
  return true;
}

/**
 * How a native histogram is written to protobuf: `'integer'` (uint64
 * counts, sint64 bucket deltas), `'float'` (the `_float` fields, absolute
 * double counts), or null when neither reads back as it.
 *
 * - An integer histogram with a count of 2^64 or more, or a delta outside
 *   sint64, is written as a float histogram: Prometheus' histogram.Histogram
 *   (model/histogram/histogram.go) counts in uint64 with int64 deltas, so no
 *   integer histogram on the wire holds it. The rule is the wire's, not the
 *   model's: validateNativeHistogram keeps accepting such counts, since a
 *   uint64 of 2^64-1 read into a double is 2^64.
 * - A float histogram whose count and zero count are both 0 is written as an
 *   integer one when every bucket count is whole (the kind is lost, nothing
 *   else): protobufparse.go (Prometheus 3.5) reads a Histogram as float only
 *   when sample_count_float or zero_count_float is > 0, so written as float
 *   it would read as an integer histogram with no deltas, which neither
 *   Prometheus nor promwire accepts. With a fractional bucket count it
 *   cannot be written (null). Prometheus 3.5's own /federate
 *   (web/federate.go makeNativeHistogram) writes such a histogram as float
 *   anyway (sample_count_float 0, positive_count set), which its own
 *   protobufparse.go then misreads: promwire departs from it on purpose.
 */
export function nativeWireKind(h: NativeHistogram): 'integer' | 'float' | null {
  if (h.kind === 'float') {
    if (h.count > 0 || h.zeroCount > 0) return 'float';
    return h.positiveBuckets.every(fitsUint64) &&
      h.negativeBuckets.every(fitsUint64) &&
      deltasFit(h.positiveBuckets) &&
      deltasFit(h.negativeBuckets)
      ? 'integer'
      : null;
  }
  return fitsUint64(h.count) && fitsUint64(h.zeroCount) && deltasFit(h.positiveBuckets) && deltasFit(h.negativeBuckets)
    ? 'integer'
    : 'float';
}

/** The loss message of a native histogram written as another kind than its own (see nativeWireKind). */
export function nativeKindLoss(h: NativeHistogram, wire: 'integer' | 'float' | null): string | null {
  if (wire === null) {
    return 'a float native histogram with count 0, zero count 0 and fractional bucket counts dropped: protobuf readers take such a histogram as an integer one';
  }
  if (wire === h.kind) return null;
  return wire === 'float'
    ? 'integer native histograms written as float ones: their counts (2^64 or more) or bucket deltas do not fit uint64/sint64'
    : 'float native histograms with count 0 and zero count 0 written as integer ones: protobuf readers take them so';
}

/**
 * The native part of a Histogram message (fields 5 to 14), for a histogram
 * with exponential buckets (schema -4..8), as the kind `nativeWireKind`
 * picks (a null kind must not be written). An empty histogram with a zero
 * threshold of 0 gets a no-op positive span (offset 0, length 0): without
 * it "it would be indistinguishable from a classic histogram"
 * (metrics.proto; client_golang histogram.go does the same).
 */
export function writeNativeFields(w: ProtoWriter, h: NativeHistogram, float: boolean): void {
  w.byte(K_H_SCHEMA);
  w.sint(h.schema);
  w.doubleField(K_H_ZERO_THRESHOLD, h.zeroThreshold);
  if (float) w.doubleField(K_H_ZERO_COUNT_FLOAT, h.zeroCount);
  else {
    w.byte(K_H_ZERO_COUNT);
    w.uint(h.zeroCount);
  }
  writeSpans(w, K_H_NEG_SPAN, h.negativeSpans);
  if (float) writeDoubles(w, K_H_NEG_COUNT, h.negativeBuckets);
  else writeDeltas(w, K_H_NEG_DELTA, h.negativeBuckets);
  if (h.positiveSpans.length === 0 && h.negativeSpans.length === 0 && h.zeroThreshold === 0 && h.zeroCount === 0) {
    w.byte(K_H_POS_SPAN);
    w.byte(0); // an empty BucketSpan: offset 0, length 0
  } else writeSpans(w, K_H_POS_SPAN, h.positiveSpans);
  if (float) writeDoubles(w, K_H_POS_COUNT, h.positiveBuckets);
  else writeDeltas(w, K_H_POS_DELTA, h.positiveBuckets);
}

/** One histogram or summary series as the encoder gathers it: the samples sharing a label set less `le`/`quantile`. */
interface Group {
  /** A member whose labels (less the reserved one) are the group's. */
  first: Sample;
  members: Sample[];
}

const ONE_EXEMPLAR = 'exemplars beyond the first dropped: protobuf carries one exemplar per counter and per bucket';

/**
 * Writes the model as protobuf. One instance per encode: it caches the
 * bytes of label names (`LabelPair.name`), which repeat on every sample.
 */
export class ProtobufEncoder {
  private readonly escaping: EscapingScheme;
  private readonly onWarning: WarningSink;
  private readonly losses = new Losses();
  /** LabelPair.name field bytes (key, length, name) per model label name. */
  private readonly labelNames = new Map<string, Uint8Array>();
  /** Length bytes reserved for the next family (the varint size of the last one). */
  private reserve = 3;

  constructor(escaping: EscapingScheme, onWarning: WarningSink) {
    this.escaping = escaping;
    this.onWarning = onWarning;
  }

  /** Writes one family as a length-delimited MetricFamily message. */
  writeFamily(w: ProtoWriter, f: MetricFamily): void {
    const losses = this.losses;
    const reserve = this.reserve;
    const start = w.beginLength(reserve);
    const pbType = protobufType(f.type);
    // A counter family is named after its series (`foo_total`), as the model
    // names it; a hand-built counter `foo` with series `foo_total` too.
    const name = f.type === 'counter' || f.type === 'info' ? textName(f, f.samples) : f.name;
    writeFamilyHeader(w, protobufName(name, this.escaping), pbType, f.help, f.unit);
    if (f.type === 'info' || f.type === 'stateset') {
      if (f.samples.length > 0) losses.add(gaugeFallbackLoss(f.type), f.samples.length);
    }
    switch (f.type) {
      case 'summary':
        this.writeGroups(w, f, false);
        break;
      case 'histogram':
      case 'gaugehistogram':
        this.writeGroups(w, f, true);
        break;
      default:
        this.writeSingles(w, f.samples, f.type === 'counter' ? K_METRIC_COUNTER : f.type === 'unknown' ? K_METRIC_UNTYPED : K_METRIC_GAUGE);
    }
    const len = w.endLength(start, reserve);
    this.reserve = varintSize(len);
    losses.flush(f.name, this.onWarning);
  }

  private writeLabels(w: ProtoWriter, labels: Labels, omit: string | null): void {
    for (const k in labels) {
      if (k === omit) continue;
      let nb = this.labelNames.get(k);
      if (nb === undefined) {
        const pw = new ProtoWriter(16 + 3 * k.length);
        pw.stringField(K_LABEL_NAME, protobufLabelName(k, this.escaping));
        nb = pw.finish();
        this.labelNames.set(k, nb);
      }
      w.byte(K_METRIC_LABEL);
      const start = w.beginLength();
      w.raw(nb);
      w.stringField(K_LABEL_VALUE, labels[k]!);
      w.endLength(start);
    }
  }

  /** `Metric.timestamp_ms` from the model's milliseconds (null: none). */
  private writeMetricTimestamp(w: ProtoWriter, ts: number | null): void {
    if (ts === null) return;
    let ms = ts;
    if (!Number.isInteger(ms)) {
      // Prometheus keeps whole milliseconds too (it truncates OpenMetrics' finer timestamps).
      ms = Math.trunc(ms);
      this.losses.add('timestamps truncated to whole milliseconds: protobuf timestamp_ms is an integer');
    }
    if (ms === 0) {
      // metrics.proto (proto3): timestamp_ms 0 is the default, "no timestamp";
      // protobufparse.go reads it so.
      this.losses.add('timestamp 0 dropped: protobuf reads timestamp_ms 0 as no timestamp');
      return;
    }
    w.byte(K_METRIC_TIMESTAMP);
    w.int64(clampInt64(ms));
  }

  /**
   * A `created_timestamp` from a start timestamp in milliseconds. A start of
   * 0 would be an empty Timestamp, which readers take as none
   * (protobufparse.go: a zero created timestamp is "not set"), so it is
   * left out and reported, as `timestamp_ms` 0 is.
   */
  private writeCreated(w: ProtoWriter, key: number, ms: number): void {
    if (ms === 0) {
      this.losses.add('start timestamp 0 dropped: protobuf reads a created_timestamp of 0 as none');
      return;
    }
    writeTimestampMessage(w, key, ms);
  }

  /** Counter, gauge, untyped (and info, stateset as gauges): one Metric per sample. */
  private writeSingles(w: ProtoWriter, samples: readonly Sample[], key: number): void {
    const counter = key === K_METRIC_COUNTER;
    const losses = this.losses;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] as FloatSample;
      w.byte(K_FAMILY_METRIC);
      const start = w.beginLength();
      this.writeLabels(w, s.labels, null);
      w.byte(key);
      const ex = s.exemplars;
      const st = s.startTimestamp;
      if (!counter) {
        w.byte(9);
        w.doubleField(key === K_METRIC_UNTYPED ? K_UNTYPED_VALUE : K_VALUE, s.value);
        if (ex !== undefined && ex.length > 0)
          losses.add('exemplars dropped: protobuf has no exemplars on gauges and untyped metrics', ex.length);
        if (st !== undefined)
          losses.add('start timestamps dropped: protobuf has created_timestamp only on counters, summaries and histograms');
      } else if (ex === undefined && st === undefined) {
        w.byte(9);
        w.doubleField(K_COUNTER_VALUE, s.value);
      } else {
        const cs = w.beginLength();
        w.doubleField(K_COUNTER_VALUE, s.value);
        if (ex !== undefined && ex.length > 0) {
          writeExemplar(w, K_COUNTER_EXEMPLAR, ex[0]!, this.escaping);
          if (ex.length > 1) losses.add(ONE_EXEMPLAR, ex.length - 1);
        }
        if (st !== undefined) this.writeCreated(w, K_COUNTER_CREATED, st);
        w.endLength(cs);
      }
      this.writeMetricTimestamp(w, s.timestamp);
      w.endLength(start);
    }
  }

  /** Gathers a histogram's or summary's samples by label set less the reserved label, in order of first appearance. */
  private groups(samples: readonly Sample[], omit: string): Group[] {
    const out: Group[] = [];
    let last: Group | undefined;
    let byKey: Map<string, Group> | undefined;
    for (const s of samples) {
      // Consecutive samples of one series are the common case: compare with
      // the previous group's labels before building a key.
      if (last !== undefined && sameLabels(last.first.labels, s.labels, omit)) {
        last.members.push(s);
        continue;
      }
      byKey ??= new Map();
      if (out.length > 0 && byKey.size === 0) for (const g of out) byKey.set(labelKey(g.first.labels, omit), g);
      const key = labelKey(s.labels, omit);
      let g = byKey.get(key);
      if (g === undefined) {
        g = { first: s, members: [s] };
        out.push(g);
        byKey.set(key, g);
      } else g.members.push(s);
      last = g;
    }
    return out;
  }

  private writeGroups(w: ProtoWriter, f: MetricFamily, histogram: boolean): void {
    const omit = histogram ? 'le' : (reservedLabel(f) ?? 'quantile');
    for (const g of this.groups(f.samples, omit)) {
      w.byte(K_FAMILY_METRIC);
      const start = w.beginLength(2);
      this.writeLabels(w, g.first.labels, omit);
      let ts: number | null = null;
      for (const s of g.members) {
        if (s.timestamp === null) continue;
        if (ts === null) ts = s.timestamp;
        else if (s.timestamp !== ts) {
          this.losses.add('timestamps of one series differ: protobuf has one per metric, the first is written');
          break;
        }
      }
      if (histogram) this.writeHistogram(w, f, g);
      else this.writeSummary(w, f, g);
      this.writeMetricTimestamp(w, ts);
      w.endLength(start, 2);
    }
  }

  private writeSummary(w: ProtoWriter, f: MetricFamily, g: Group): void {
    const base = omName(f);
    const losses = this.losses;
    let count: number | undefined;
    let sum: number | undefined;
    let created: number | undefined;
    let exemplars = 0;
    for (const s of g.members) {
      if (s.startTimestamp !== undefined && created === undefined) created = s.startTimestamp;
      if (s.exemplars !== undefined) exemplars += s.exemplars.length;
      const v = s.value as number;
      if (s.name === base + '_sum') sum = v;
      else if (s.name === base + '_count') count = v;
      else if (s.name === base + '_created') created ??= v * 1000;
    }
    if (exemplars > 0) losses.add('exemplars dropped: protobuf has no exemplars on summaries', exemplars);
    w.byte(K_METRIC_SUMMARY);
    const start = w.beginLength(2);
    if (count !== undefined && !writeCount(w, K_SUMMARY_COUNT, 0, count)) losses.add(SUMMARY_COUNT_LOSS);
    if (sum !== undefined) w.doubleField(K_SUMMARY_SUM, sum);
    if (count === undefined || sum === undefined) losses.add('series without _sum or _count: protobuf readers take them as 0');
    for (const s of g.members) {
      if (s.name !== base) continue;
      const q = s.labels.quantile;
      const qv = q === undefined ? undefined : parseBound(q);
      if (qv === undefined) {
        losses.add('quantile samples without a numeric quantile label dropped');
        continue;
      }
      w.byte(K_SUMMARY_QUANTILE);
      w.byte(18);
      w.doubleField(K_QUANTILE_Q, qv);
      w.doubleField(K_QUANTILE_VALUE, s.value as number);
    }
    if (created !== undefined) this.writeCreated(w, K_SUMMARY_CREATED, created);
    w.endLength(start, 2);
  }

  private writeHistogram(w: ProtoWriter, f: MetricFamily, g: Group): void {
    const base = omName(f);
    const gauge = f.type === 'gaugehistogram';
    const losses = this.losses;
    const bucketName = base + '_bucket';
    const sumName = base + (gauge ? '_gsum' : '_sum');
    const countName = base + (gauge ? '_gcount' : '_count');
    let native: HistogramSample | undefined;
    let count: number | undefined;
    let sum: number | undefined;
    let created: number | undefined;
    let classic = false;
    let infCount: number | undefined;
    for (const s of g.members) {
      if (s.startTimestamp !== undefined && created === undefined) created = s.startTimestamp;
      if (typeof s.value !== 'number') {
        if (native === undefined) native = s as HistogramSample;
        else losses.add('a second native histogram of the same series dropped');
        continue;
      }
      const v = s.value;
      if (s.name === bucketName) {
        classic = true;
        if (s.labels.le === '+Inf' || parseBound(s.labels.le ?? '') === Infinity) infCount = v;
      } else if (s.name === sumName) sum = v;
      else if (s.name === countName) count = v;
      else if (s.name === base + '_created') created ??= v * 1000;
      if (s.exemplars !== undefined && s.exemplars.length > 0 && s.name !== bucketName) {
        losses.add('exemplars dropped: protobuf has exemplars on histogram buckets only', s.exemplars.length);
      }
    }
    let h = native?.value;
    if (h !== undefined && h.schema === CUSTOM_BUCKETS_SCHEMA) {
      // The exposition protobuf has no custom_values field: a custom-bucket
      // histogram is what Prometheus makes of classic buckets (NHCB), so it
      // is written as those classic buckets.
      if (classic) losses.add('a custom-bucket native histogram dropped (the classic buckets carry the series)');
      else losses.add('a custom-bucket native histogram written as classic buckets: the protobuf exposition has no custom bucket bounds');
      const nh = h;
      h = undefined;
      if (!classic) {
        w.byte(K_METRIC_HISTOGRAM);
        const start = w.beginLength(2);
        this.writeCustomAsClassic(w, nh, native!);
        if (created !== undefined && !gauge) this.writeCreated(w, K_H_CREATED, created);
        w.endLength(start, 2);
        return;
      }
    }
    let wire: 'integer' | 'float' | null = null;
    if (h !== undefined) {
      wire = nativeWireKind(h);
      const kindLoss = nativeKindLoss(h, wire);
      if (kindLoss !== null) losses.add(kindLoss);
      if (wire === null) h = undefined;
    }
    if (h !== undefined) {
      // One count and sum for both parts: classic ones that say otherwise are lost.
      if ((count !== undefined && count !== h.count) || (sum !== undefined && !Object.is(sum, h.sum) && sum !== h.sum)) {
        losses.add(
          `classic ${countName.slice(base.length)}/${sumName.slice(base.length)} that differ from the native histogram's count and sum dropped: a protobuf Histogram has one count and sum`,
        );
      }
    }
    w.byte(K_METRIC_HISTOGRAM);
    const start = w.beginLength(2);
    // sample_count / sample_count_float and sample_sum: the native
    // histogram's when there is one (client_golang writes one count and sum
    // for both parts), else the classic `_count`/`_sum`.
    const float = wire === 'float';
    const c = h !== undefined ? h.count : (count ?? infCount);
    if (h === undefined && count === undefined && infCount !== undefined) {
      losses.add('series without _count written with the +Inf bucket as count: a protobuf histogram always has one');
    }
    if (c !== undefined && !writeHistogramCount(w, c, float)) {
      losses.add('a count that is not a non-negative number dropped');
    }
    if (c !== undefined && !float) {
      const big = bigCountLoss(c);
      if (big !== null) losses.add(big);
    }
    const s = h !== undefined ? h.sum : sum;
    if (s !== undefined) w.doubleField(K_H_SUM, s);
    else if (classic) losses.add('series without _sum: protobuf readers take it as 0');
    if (classic) {
      let extra = 0;
      let finite = 0;
      for (const m of g.members) {
        if (m.name !== bucketName) continue;
        const le = m.labels.le;
        const bound = le === undefined ? undefined : parseBound(le);
        if (bound === undefined) {
          losses.add('buckets without a numeric le label dropped');
          continue;
        }
        const v = m.value as number;
        // client_golang leaves the +Inf bucket out; protobufparse.go adds it
        // back from the count. Written when it says something else, or when
        // it is the only classic bucket of a native histogram (a native
        // histogram without buckets has no classic part).
        const ex = m.exemplars;
        if (bound === Infinity && v === c && (ex === undefined || ex.length === 0) && (h === undefined || finite > 0)) continue;
        if (bound !== Infinity) finite++;
        if (ex !== undefined && ex.length > 1) extra += ex.length - 1;
        if (!writeBucket(w, bound, v, ex?.[0], this.escaping)) losses.add('bucket counts that are not non-negative numbers dropped');
        const big = bigCountLoss(v);
        if (big !== null) losses.add(big);
      }
      if (extra > 0) losses.add(ONE_EXEMPLAR, extra);
    }
    if (h !== undefined) writeNativeFields(w, h, float);
    if (created !== undefined) {
      // A gauge histogram has no start: OpenMetrics gives it no `_created`.
      if (gauge) losses.add('start timestamps dropped: a gauge histogram has none');
      else this.writeCreated(w, K_H_CREATED, created);
    }
    const nex = native?.exemplars;
    if (h !== undefined && nex !== undefined) {
      for (const e of nex) {
        // metrics.proto: "These exemplars MUST have a timestamp" (protobufparse.go skips the others).
        if (e.timestamp === null) losses.add('native histogram exemplars without a timestamp written: Prometheus ignores them');
        writeExemplar(w, K_H_EXEMPLARS, e, this.escaping);
      }
    }
    w.endLength(start, 2);
  }

  /** A custom-bucket (schema -53) histogram as its classic buckets, sum and count. */
  private writeCustomAsClassic(w: ProtoWriter, h: NativeHistogram, s: HistogramSample): void {
    const bounds = h.customValues ?? [];
    const counts = new Array<number>(bounds.length + 1).fill(0);
    let index = 0;
    let k = 0;
    for (const span of h.positiveSpans) {
      index += span.offset;
      for (let j = 0; j < span.length; j++) counts[index++]! += h.positiveBuckets[k++]!;
    }
    const float = h.kind === 'float' && h.count > 0;
    writeHistogramCount(w, h.count, float);
    if (!float) {
      const big = bigCountLoss(h.count);
      if (big !== null) this.losses.add(big);
    }
    w.doubleField(K_H_SUM, h.sum);
    let acc = 0;
    for (let i = 0; i < bounds.length; i++) {
      acc += counts[i]!;
      writeBucket(w, bounds[i]!, acc, undefined, this.escaping);
    }
    acc += counts[bounds.length]!;
    if (acc !== h.count) writeBucket(w, Infinity, acc, undefined, this.escaping);
    if (s.exemplars !== undefined && s.exemplars.length > 0) {
      this.losses.add('exemplars of a custom-bucket histogram dropped', s.exemplars.length);
    }
  }
}

function sameLabels(a: Labels, b: Labels, omit: string): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in b) {
    if (k === omit) continue;
    if (a[k] !== b[k] || !Object.hasOwn(a, k)) return false;
    n++;
  }
  for (const k in a) if (k !== omit) n--;
  return n === 0;
}

function labelKey(labels: Labels, omit: string): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const k of names) {
    if (k === omit) continue;
    const v = labels[k]!;
    key += `${k.length}:${k}=${v.length}:${v}|`;
  }
  return key;
}

/** Bytes per sample of the last protobuf encode, for sizing the next buffer. */
let bytesPerSample = 48;

/** Encodes families as delimited MetricFamily messages, in one buffer. */
export function encodeProtobuf(families: readonly MetricFamily[], escaping: EscapingScheme, onWarning: WarningSink): Uint8Array {
  let samples = 0;
  for (const f of families) samples += f.samples.length;
  const w = new ProtoWriter(Math.ceil(samples * bytesPerSample * 1.03) + families.length * 64 + 4096);
  const enc = new ProtobufEncoder(escaping, onWarning);
  for (const f of families) enc.writeFamily(w, f);
  if (samples > 0) bytesPerSample = Math.min(4096, Math.max(8, w.pos / samples));
  return w.result();
}

/**
 * Encodes families as chunks of about `chunkSize` bytes. A chunk ends
 * between two MetricFamily messages (a message's length is written when it
 * is complete), so a family larger than `chunkSize` is one chunk.
 */
export function* encodeProtobufChunks(
  families: readonly MetricFamily[],
  escaping: EscapingScheme,
  onWarning: WarningSink,
  chunkSize: number,
): Generator<Uint8Array, void, undefined> {
  const w = new ProtoWriter(chunkSize + 4096);
  const enc = new ProtobufEncoder(escaping, onWarning);
  for (const f of families) {
    enc.writeFamily(w, f);
    if (w.pos >= chunkSize) yield w.take();
  }
  if (w.pos > 0) yield w.take();
}

/** Bytes the LabelPair of `name`/`value` takes as a `Metric.label` field (for size planning). */
export function labelPairSize(name: string, value: string): number {
  const n = utf8Length(name);
  const v = utf8Length(value);
  const inner = 1 + varintSize(n) + n + 1 + varintSize(v) + v;
  return 1 + varintSize(inner) + inner;
}

/** Which value message a single-value Metric holds. */
export type ValueKind = 'counter' | 'gauge' | 'untyped';

const VALUE_KEYS: Readonly<Record<ValueKind, number>> = { counter: K_METRIC_COUNTER, gauge: K_METRIC_GAUGE, untyped: K_METRIC_UNTYPED };

/**
 * One `MetricFamily.metric` holding pre-rendered `Metric.label` fields and a
 * Counter, Gauge or Untyped with just a value (no exemplar, created
 * timestamp nor timestamp): its length is known, so nothing is patched.
 * The bytes equal what `ProtobufEncoder` writes for such a sample.
 */
export function writeValueMetric(w: ProtoWriter, labels: Uint8Array, kind: ValueKind, value: number): void {
  w.byte(K_FAMILY_METRIC);
  w.uint(labels.length + 11);
  w.raw(labels);
  w.byte(VALUE_KEYS[kind]);
  w.byte(9);
  w.doubleField(K_VALUE, value); // value is field 1 (fixed64) in Counter, Gauge and Untyped alike
}

/**
 * A counter Metric with its exemplar (`Counter.exemplar`, metrics.proto),
 * the bytes the encoder writes for a counter sample with one exemplar (for a
 * MetricSet's pre-rendered labels).
 */
export function writeCounterWithExemplar(w: ProtoWriter, labels: Uint8Array, value: number, e: Exemplar, escaping: EscapingScheme): void {
  const start = beginMetric(w, labels);
  w.byte(K_METRIC_COUNTER);
  const cs = w.beginLength();
  w.doubleField(K_COUNTER_VALUE, value);
  writeExemplar(w, K_COUNTER_EXEMPLAR, e, escaping);
  w.endLength(cs);
  w.endLength(start, 2);
}

/** A native histogram's exemplars (`Histogram.exemplars`, after its other fields, as the encoder writes them). */
export function writeNativeExemplars(w: ProtoWriter, list: readonly Exemplar[], escaping: EscapingScheme): void {
  for (const e of list) writeExemplar(w, K_H_EXEMPLARS, e, escaping);
}

/** Starts a `MetricFamily.metric` (ends with `endLength(start, 2)`) and writes its pre-rendered labels. */
export function beginMetric(w: ProtoWriter, labels: Uint8Array): number {
  w.byte(K_FAMILY_METRIC);
  const start = w.beginLength(2);
  w.raw(labels);
  return start;
}

/** Starts `Metric.histogram` (ends with `endLength(start, 2)`). */
export function beginHistogram(w: ProtoWriter): number {
  w.byte(K_METRIC_HISTOGRAM);
  return w.beginLength(2);
}

/**
 * `Metric.summary` with a count, a sum and quantiles (no created
 * timestamp). Returns false when the count could not be written (not a
 * whole non-negative number: Summary counts in uint64).
 */
export function writeSummaryMessage(
  w: ProtoWriter,
  count: number,
  sum: number,
  quantiles: readonly number[],
  values: ArrayLike<number>,
): boolean {
  w.byte(K_METRIC_SUMMARY);
  const start = w.beginLength(2);
  const ok = writeCount(w, K_SUMMARY_COUNT, 0, count);
  w.doubleField(K_SUMMARY_SUM, sum);
  for (let i = 0; i < quantiles.length; i++) {
    w.byte(K_SUMMARY_QUANTILE);
    w.byte(18);
    w.doubleField(K_QUANTILE_Q, quantiles[i]!);
    w.doubleField(K_QUANTILE_VALUE, values[i]!);
  }
  w.endLength(start, 2);
  return ok;
}

/** The loss message for a summary count protobuf cannot hold (shared with MetricSet). */
export const SUMMARY_COUNT_LOSS = 'a _count that is not a whole number from 0 to 2^64-1 dropped: protobuf summaries count in uint64';
