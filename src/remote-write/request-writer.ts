/**
 * Writes one remote-write request, 1.0 (`prometheus.WriteRequest`) or 2.0
 * (`io.prometheus.write.v2.Request`), series by series into one growing
 * ProtoWriter. Both inputs (families, exposition bytes through the pull
 * parser) drive the same calls, so they write the same bytes.
 *
 * A series is `beginSeries(labels)`, then `sample` or `histogram`, its
 * `exemplar`s, (2.0) `seriesMetadata` and `createdTimestamp`, then
 * `endSeries`. Fields are written in field-number order, as Prometheus'
 * gogo marshaller writes them, with proto3's defaults (0, '') left out.
 *
 * 2.0's symbols table can only be written once every series has interned
 * its strings, yet Prometheus writes `symbols` (field 4) before
 * `timeseries` (field 5) and some receivers may read them in that order; so
 * the series go into their own buffer and `finish()` writes the symbols and
 * then copies the series after them (one memcpy).
 */

import type { Exemplar, MetricType, NativeHistogram } from '../model/index.js';
import {
  ExemplarV1Field,
  HistogramField,
  LabelField,
  MetadataV2Field,
  MetricMetadataField,
  RequestV2Field,
  RW_METRIC_TYPES,
  SampleField,
  TimeSeriesV1Field,
  TimeSeriesV2Field,
  WriteRequestField,
} from '../proto/remote-write-proto.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from '../proto/metrics-proto.js';
import { ProtoWriter, tag } from '../proto/writer.js';
import { LabelSet } from './label-set.js';
import type { SeriesLabels } from './series-labels.js';

/** The remote-write protocol versions. */
export type RemoteWriteVersion = '1.0' | '2.0';

const K_V1_SERIES = tag(WriteRequestField.timeseries, WIRE_LEN);
const K_V1_METADATA = tag(WriteRequestField.metadata, WIRE_LEN);
const K_V1_LABEL = tag(TimeSeriesV1Field.labels, WIRE_LEN);
const K_V1_SAMPLE = tag(TimeSeriesV1Field.samples, WIRE_LEN);
const K_V1_EXEMPLAR = tag(TimeSeriesV1Field.exemplars, WIRE_LEN);
const K_V1_HISTOGRAM = tag(TimeSeriesV1Field.histograms, WIRE_LEN);
const K_LABEL_NAME = tag(LabelField.name, WIRE_LEN);
const K_LABEL_VALUE = tag(LabelField.value, WIRE_LEN);
const K_SAMPLE_VALUE = tag(SampleField.value, WIRE_FIXED64);
const K_SAMPLE_TS = tag(SampleField.timestamp, WIRE_VARINT);
const K_EX_LABELS = tag(ExemplarV1Field.labels, WIRE_LEN); // 2.0 labels_refs: same number
const K_EX_VALUE = tag(ExemplarV1Field.value, WIRE_FIXED64);
const K_EX_TS = tag(ExemplarV1Field.timestamp, WIRE_VARINT);
const K_MM_TYPE = tag(MetricMetadataField.type, WIRE_VARINT);
const K_MM_NAME = tag(MetricMetadataField.metricFamilyName, WIRE_LEN);
const K_MM_HELP = tag(MetricMetadataField.help, WIRE_LEN);
const K_MM_UNIT = tag(MetricMetadataField.unit, WIRE_LEN);
const K_V2_SYMBOL = tag(RequestV2Field.symbols, WIRE_LEN);
const K_V2_SERIES = tag(RequestV2Field.timeseries, WIRE_LEN);
const K_V2_REFS = tag(TimeSeriesV2Field.labelsRefs, WIRE_LEN);
const K_V2_SAMPLE = tag(TimeSeriesV2Field.samples, WIRE_LEN);
const K_V2_HISTOGRAM = tag(TimeSeriesV2Field.histograms, WIRE_LEN);
const K_V2_EXEMPLAR = tag(TimeSeriesV2Field.exemplars, WIRE_LEN);
const K_V2_METADATA = tag(TimeSeriesV2Field.metadata, WIRE_LEN);
const K_V2_CT = tag(TimeSeriesV2Field.createdTimestamp, WIRE_VARINT);
const K_MD_TYPE = tag(MetadataV2Field.type, WIRE_VARINT);
const K_MD_HELP = tag(MetadataV2Field.helpRef, WIRE_VARINT);
const K_MD_UNIT = tag(MetadataV2Field.unitRef, WIRE_VARINT);
const H = HistogramField;
const K_H_COUNT_INT = tag(H.countInt, WIRE_VARINT);
const K_H_COUNT_FLOAT = tag(H.countFloat, WIRE_FIXED64);
const K_H_SUM = tag(H.sum, WIRE_FIXED64);
const K_H_SCHEMA = tag(H.schema, WIRE_VARINT);
const K_H_ZT = tag(H.zeroThreshold, WIRE_FIXED64);
const K_H_ZC_INT = tag(H.zeroCountInt, WIRE_VARINT);
const K_H_ZC_FLOAT = tag(H.zeroCountFloat, WIRE_FIXED64);
const K_H_RESET = tag(H.resetHint, WIRE_VARINT);
const K_H_TS = tag(H.timestamp, WIRE_VARINT);
const K_H_CUSTOM = tag(H.customValues, WIRE_LEN); // 130: two varint bytes
const K_SPAN_OFFSET = tag(1, WIRE_VARINT);
const K_SPAN_LENGTH = tag(2, WIRE_VARINT);

/** The enum number of a model type in both versions' MetricType (0 for unknown). */
export function metricTypeNumber(type: MetricType): number {
  const i = RW_METRIC_TYPES.indexOf(type);
  return Math.max(i, 0);
}

/**
 * Series bytes are usually 60..300 long: two reserved length bytes (up to
 * 16 KiB) mean a short series moves down by one byte at its end rather than
 * a long one moving up (the bench's series are mostly over 127 bytes in
 * 1.0). Not measured against one reserved byte.
 */
const SERIES_RESERVE = 2;

export class RequestWriter {
  readonly v2: boolean;
  /** 1.0: the request; 2.0: the timeseries (symbols are written in `finish`). */
  private readonly w: ProtoWriter;
  /** 2.0: symbol -> index; symbols[0] is '' (spec: "MUST start with empty string"). */
  private readonly symbolIndex = new Map<string, number>();
  private readonly symbols: string[] = [];
  private seriesStart = 0;
  /** 2.0: the previous series' label strings and their refs, by position (see beginSeries). */
  private readonly lastStr: string[] = [];
  private readonly lastRef: number[] = [];
  /** A scratch label set for exemplars. */
  private readonly exemplarLabels = new LabelSet();
  /** What the request holds so far. */
  series = 0;
  samples = 0;
  histograms = 0;
  exemplars = 0;
  metadata = 0;

  constructor(version: RemoteWriteVersion, initialSize?: number) {
    this.v2 = version === '2.0';
    this.w = new ProtoWriter(initialSize);
    if (this.v2) this.symbol('');
  }

  /** The symbol's index in the 2.0 table, added when new. */
  symbol(s: string): number {
    let i = this.symbolIndex.get(s);
    if (i === undefined) {
      i = this.symbols.length;
      this.symbols.push(s);
      this.symbolIndex.set(s, i);
    }
    return i;
  }

  /** Starts a TimeSeries with its labels (sorted, `__name__` included). */
  beginSeries(labels: LabelSet): void {
    const w = this.w;
    const names = labels.names;
    const values = labels.values;
    const n = labels.length;
    if (this.v2) {
      w.byte(K_V2_SERIES);
      this.seriesStart = w.beginLength(SERIES_RESERVE);
      w.byte(K_V2_REFS);
      const start = w.beginLength(1);
      // Consecutive series mostly repeat the previous series' label names
      // and many of its values: comparing with the string at the same
      // position (usually the very same interned string) skips the Map
      // lookup, which hashes the string (measured: the Map was 13% of the
      // text -> 2.0 walk without this).
      const lastStr = this.lastStr;
      const lastRef = this.lastRef;
      for (let i = 0, j = 0; i < n; i++, j += 2) {
        const k = names[i]!;
        let r = lastStr[j] === k ? lastRef[j]! : this.symbol(k);
        lastStr[j] = k;
        lastRef[j] = r;
        w.uint(r);
        const v = values[i]!;
        r = lastStr[j + 1] === v ? lastRef[j + 1]! : this.symbol(v);
        lastStr[j + 1] = v;
        lastRef[j + 1] = r;
        w.uint(r);
      }
      w.endLength(start, 1);
    } else {
      w.byte(K_V1_SERIES);
      this.seriesStart = w.beginLength(SERIES_RESERVE);
      for (let i = 0; i < n; i++) this.label(K_V1_LABEL, names[i]!, values[i]!);
    }
    this.series++;
  }

  /**
   * `beginSeries` for labels rendered before (a MetricSet series'
   * SeriesLabels): 1.0 copies the `labels` fields' bytes, 2.0 interns the
   * sorted strings, as beginSeries does.
   */
  beginSeriesLabels(labels: SeriesLabels): void {
    if (this.v2) {
      this.beginSeries(labels.set);
      return;
    }
    const w = this.w;
    w.byte(K_V1_SERIES);
    this.seriesStart = w.beginLength(SERIES_RESERVE);
    w.raw(labels.v1);
    this.series++;
  }

  private label(key: number, name: string, value: string): void {
    const w = this.w;
    const nl = name.length;
    const vl = value.length;
    // Fast path: the whole Label message under 128 bytes, both strings
    // ASCII: key, length, and the two fields in one pass with no length
    // patching (most labels; the generic path measured ~2x slower here).
    if (nl + vl < 124 && nl > 0 && vl > 0) {
      w.ensureCapacity(nl + vl + 6);
      const buf = w.buf;
      const start = w.pos;
      let p = start;
      buf[p++] = key;
      buf[p++] = nl + vl + 4;
      buf[p++] = K_LABEL_NAME;
      buf[p++] = nl;
      let bad = 0;
      for (let i = 0; i < nl; i++) {
        const c = name.charCodeAt(i);
        bad |= c;
        buf[p++] = c;
      }
      buf[p++] = K_LABEL_VALUE;
      buf[p++] = vl;
      for (let i = 0; i < vl; i++) {
        const c = value.charCodeAt(i);
        bad |= c;
        buf[p++] = c;
      }
      if (bad < 0x80) {
        w.pos = p;
        return;
      }
    }
    w.byte(key);
    const start = w.beginLength(1);
    if (nl !== 0) w.stringField(K_LABEL_NAME, name);
    if (vl !== 0) w.stringField(K_LABEL_VALUE, value);
    w.endLength(start, 1);
  }

  /** A float sample (timestamp in integer milliseconds). */
  sample(value: number, timestamp: number): void {
    const w = this.w;
    w.byte(this.v2 ? K_V2_SAMPLE : K_V1_SAMPLE);
    const start = w.beginLength(1);
    if (value !== 0 || Object.is(value, -0)) w.doubleField(K_SAMPLE_VALUE, value);
    if (timestamp !== 0) {
      w.byte(K_SAMPLE_TS);
      w.int64(timestamp);
    }
    w.endLength(start, 1);
    this.samples++;
  }

  /**
   * A native histogram: integer ones as `count_int`, `zero_count_int` and
   * bucket deltas, float ones as `count_float`, `zero_count_float` and
   * absolute counts (prompb codec.go FromIntHistogram / FromFloatHistogram).
   * The oneofs are always written (a set oneof is present even at 0).
   */
  histogram(h: NativeHistogram, timestamp: number, resetHint: number): void {
    const w = this.w;
    w.byte(this.v2 ? K_V2_HISTOGRAM : K_V1_HISTOGRAM);
    const start = w.beginLength(2);
    const int = h.kind === 'integer';
    if (int) {
      w.byte(K_H_COUNT_INT);
      w.uint(h.count);
    } else w.doubleField(K_H_COUNT_FLOAT, h.count);
    if (h.sum !== 0 || Object.is(h.sum, -0)) w.doubleField(K_H_SUM, h.sum);
    if (h.schema !== 0) {
      w.byte(K_H_SCHEMA);
      w.sint(h.schema);
    }
    if (h.zeroThreshold !== 0) w.doubleField(K_H_ZT, h.zeroThreshold);
    if (int) {
      w.byte(K_H_ZC_INT);
      w.uint(h.zeroCount);
    } else w.doubleField(K_H_ZC_FLOAT, h.zeroCount);
    this.spans(tag(H.negativeSpans, WIRE_LEN), h.negativeSpans);
    this.buckets(int ? H.negativeDeltas : H.negativeCounts, h.negativeBuckets, int);
    this.spans(tag(H.positiveSpans, WIRE_LEN), h.positiveSpans);
    this.buckets(int ? H.positiveDeltas : H.positiveCounts, h.positiveBuckets, int);
    if (resetHint !== 0) {
      w.byte(K_H_RESET);
      w.uint(resetHint);
    }
    if (timestamp !== 0) {
      w.byte(K_H_TS);
      w.int64(timestamp);
    }
    const cv = h.customValues;
    if (cv !== undefined && cv.length > 0) {
      w.uint(K_H_CUSTOM);
      w.uint(cv.length * 8);
      for (const v of cv) w.double(v);
    }
    w.endLength(start, 2);
    this.histograms++;
  }

  private spans(key: number, spans: readonly { offset: number; length: number }[]): void {
    const w = this.w;
    for (const s of spans) {
      w.byte(key);
      const start = w.beginLength(1);
      if (s.offset !== 0) {
        w.byte(K_SPAN_OFFSET);
        w.sint(s.offset);
      }
      if (s.length !== 0) {
        w.byte(K_SPAN_LENGTH);
        w.uint(s.length);
      }
      w.endLength(start, 1);
    }
  }

  /** Packed bucket deltas (sint64, against the previous bucket) or counts (double). */
  private buckets(field: number, counts: readonly number[], int: boolean): void {
    const n = counts.length;
    if (n === 0) return;
    const w = this.w;
    w.byte(tag(field, WIRE_LEN));
    if (int) {
      const start = w.beginLength(1);
      let prev = 0;
      for (let i = 0; i < n; i++) {
        const c = counts[i]!;
        w.sint(c - prev);
        prev = c;
      }
      w.endLength(start, 1);
    } else {
      w.uint(n * 8);
      for (let i = 0; i < n; i++) w.double(counts[i]!);
    }
  }

  /** An exemplar; `timestamp` is the exemplar's own or, when it has none, the sample's. */
  exemplar(e: Exemplar, timestamp: number): void {
    const w = this.w;
    const ls = this.exemplarLabels;
    ls.reset();
    for (const k in e.labels) ls.add(k, e.labels[k]!);
    ls.sort();
    w.byte(this.v2 ? K_V2_EXEMPLAR : K_V1_EXEMPLAR);
    const start = w.beginLength(1);
    if (this.v2) {
      if (ls.length > 0) {
        w.byte(K_EX_LABELS);
        const refs = w.beginLength(1);
        for (let i = 0; i < ls.length; i++) {
          w.uint(this.symbol(ls.names[i]!));
          w.uint(this.symbol(ls.values[i]!));
        }
        w.endLength(refs, 1);
      }
    } else {
      for (let i = 0; i < ls.length; i++) this.label(K_EX_LABELS, ls.names[i]!, ls.values[i]!);
    }
    if (e.value !== 0 || Object.is(e.value, -0)) w.doubleField(K_EX_VALUE, e.value);
    if (timestamp !== 0) {
      w.byte(K_EX_TS);
      w.int64(timestamp);
    }
    w.endLength(start, 1);
    this.exemplars++;
  }

  /** 2.0: the series' metadata (type, help, unit as symbol refs); nothing when all are empty. 1.0: nothing. */
  seriesMetadata(type: MetricType, help: string, unit: string): void {
    if (!this.v2) return;
    const t = metricTypeNumber(type);
    if (t === 0 && help === '' && unit === '') return;
    const w = this.w;
    w.byte(K_V2_METADATA);
    const start = w.beginLength(1);
    if (t !== 0) {
      w.byte(K_MD_TYPE);
      w.uint(t);
    }
    if (help !== '') {
      w.byte(K_MD_HELP);
      w.uint(this.symbol(help));
    }
    if (unit !== '') {
      w.byte(K_MD_UNIT);
      w.uint(this.symbol(unit));
    }
    w.endLength(start, 1);
  }

  /**
   * 2.0: `TimeSeries.created_timestamp` (ms; 0 means unset, so a start at
   * exactly the epoch is not written). 1.0 has no field for it: nothing.
   */
  createdTimestamp(ms: number): void {
    if (!this.v2 || ms === 0) return;
    this.w.byte(K_V2_CT);
    this.w.int64(ms);
  }

  endSeries(): void {
    this.w.endLength(this.seriesStart, SERIES_RESERVE);
  }

  /** 1.0: a MetricMetadata for a family (WriteRequest.metadata). 2.0: nothing (metadata is per series). */
  familyMetadata(name: string, type: MetricType, help: string, unit: string): void {
    if (this.v2) return;
    const w = this.w;
    w.byte(K_V1_METADATA);
    const start = w.beginLength(SERIES_RESERVE);
    const t = metricTypeNumber(type);
    if (t !== 0) {
      w.byte(K_MM_TYPE);
      w.uint(t);
    }
    if (name !== '') w.stringField(K_MM_NAME, name);
    if (help !== '') w.stringField(K_MM_HELP, help);
    if (unit !== '') w.stringField(K_MM_UNIT, unit);
    w.endLength(start, SERIES_RESERVE);
    this.metadata++;
  }

  /** True when nothing was written since the last `take()`. */
  isEmpty(): boolean {
    return this.series === 0 && this.metadata === 0;
  }

  /**
   * Hands over the request's bytes and starts the next request (the counts
   * and, in 2.0, the symbols table start again). `last`: no request follows,
   * so the buffer is handed over without allocating a fresh one.
   */
  take(last = false): Uint8Array {
    let out: Uint8Array;
    if (this.v2) {
      const series = this.w.buf.subarray(0, this.w.pos);
      const symbols = this.symbols;
      let size = series.length;
      for (const s of symbols) size += 3 + s.length;
      const o = new ProtoWriter(size + 64);
      for (const s of symbols) o.stringField(K_V2_SYMBOL, s);
      o.raw(series);
      out = o.result();
      this.w.reset();
      this.symbols.length = 0;
      this.symbolIndex.clear();
      this.lastStr.length = 0;
      this.lastRef.length = 0;
      this.symbol('');
    } else out = last ? this.w.result() : this.w.take();
    this.series = 0;
    this.samples = 0;
    this.histograms = 0;
    this.exemplars = 0;
    this.metadata = 0;
    return out;
  }
}
