/**
 * `decodeWriteRequest`: a remote-write 1.0 `prometheus.WriteRequest` or 2.0
 * `io.prometheus.write.v2.Request` (uncompressed protobuf) into the series a
 * receiver stores, as Prometheus 3.5's write handler reads them
 * (storage/remote/write_handler.go):
 *
 * - labels are sorted on reading (prompb codec.go labelProtosToLabels and
 *   v2 desymbolizeLabels sort with a ScratchBuilder), so unsorted labels
 *   are accepted;
 * - a series without `__name__`, with an empty label name, invalid UTF-8
 *   or a duplicate label name is refused (write_handler.go: `!ls.Has
 *   (MetricName) || !ls.IsValid(...)`, `HasDuplicateLabelNames`). 2.0 answers
 *   such a request with 400; 1.0 Prometheus skips the series and still
 *   answers 204. Here `invalidSeries: 'error'` (the default) throws a
 *   PromwireError, which a receiver answers with 400; `'skip'` drops the
 *   series and counts it, as Prometheus 1.0 does;
 * - 2.0 symbol refs must be in range (Prometheus would index out of its
 *   slice), and `labels_refs` must hold pairs;
 * - a series with both samples and histograms is accepted (2.0 spec says
 *   "not both"; Prometheus 3.5 appends both).
 *
 * Every malformed byte raises a PromwireError with its offset (WireReader);
 * unknown fields are skipped (proto3); packed and unpacked repeated scalars
 * are both read, as protobuf parsers must.
 */

import { invalidUtf8At } from '../core/chars.js';
import { StringMaker, utf8Slice } from '../core/strings.js';
import { PromwireError } from '../errors.js';
import type { BucketSpan, Exemplar, Labels, MetricFamily, MetricType, NativeHistogram, Sample } from '../model/index.js';
import { makeFamily } from '../model/index.js';
import { copyLabels, setLabel } from '../model/labels.js';
import {
  ExemplarV1Field,
  HistogramField as HF,
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
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireReader } from '../proto/reader.js';
import { compareUtf8 as cmp } from './label-set.js';
import type { RemoteWriteVersion } from './request-writer.js';

/** A float sample of a received series. */
export interface WriteSample {
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** `Histogram.ResetHint`. */
export type ResetHint = 'unknown' | 'yes' | 'no' | 'gauge';
const RESET_HINTS: readonly ResetHint[] = ['unknown', 'yes', 'no', 'gauge'];

/** A native-histogram sample of a received series (absolute bucket counts, as the model holds them). */
export interface WriteHistogram {
  value: NativeHistogram;
  timestamp: number;
  resetHint: ResetHint;
}

/** Metadata: 1.0 per family (`WriteRequest.metadata`), 2.0 per series. */
export interface WriteMetadata {
  type: MetricType;
  help: string;
  unit: string;
}

/** 1.0 MetricMetadata: the family it describes, and its metadata. */
export interface FamilyMetadata extends WriteMetadata {
  familyName: string;
}

/** One received TimeSeries. */
export interface WriteSeries {
  /** The metric name (`__name__`). */
  name: string;
  /** Every label, `__name__` included, inserted in name order. */
  labels: Labels;
  /** In timestamp order as sent. The three lists are read-only: an empty one is shared. */
  samples: readonly WriteSample[];
  histograms: readonly WriteHistogram[];
  exemplars: readonly Exemplar[];
  /** 2.0: the series' metadata, when the request gives it (type not unspecified, or help or unit). */
  metadata?: WriteMetadata;
  /** 2.0: `created_timestamp` in milliseconds, when set (non-zero). */
  startTimestamp?: number;
}

/** What `decodeWriteRequest` returns. */
export interface WriteRequestData {
  version: RemoteWriteVersion;
  series: WriteSeries[];
  /** 1.0: the request's MetricMetadata messages; 2.0: [] (its metadata is on the series). */
  metadata: FamilyMetadata[];
  /** Series dropped by `invalidSeries: 'skip'`. */
  invalidSeries: number;
}

export type DecodeWriteRequestOptions = Partial<
  Readonly<{
    /** What to do with a series Prometheus would refuse (no `__name__`, duplicate or empty label name): 'error' or 'skip'. Defaults to 'error'. */
    invalidSeries: 'error' | 'skip';
    /** Most series a request may hold. Defaults to Infinity. */
    maxSeries: number;
    /** Most labels a series may have (`__name__` included). Defaults to Infinity. */
    maxLabels: number;
    /** Most samples and histograms a request may hold, counted together. Defaults to Infinity. */
    maxSamples: number;
  }>
>;

const EMPTY_SPANS: BucketSpan[] = [];
// biome-ignore lint/suspicious/noExplicitAny: one shared empty list for the three element types.
const NONE: readonly any[] = Object.freeze([]);

/** Appends to a list that may still be the shared empty one. */
function push<T>(list: readonly T[], x: T): T[] {
  if (list === NONE) return [x];
  (list as T[]).push(x);
  return list as T[];
}

/** Reads one request; one instance per call. */
class RequestReader {
  private readonly r: WireReader;
  private readonly strings: StringMaker;
  private readonly buf: Uint8Array;
  private symbols: string[] = [];
  private samples = 0;
  private readonly skip: boolean;
  private readonly maxSeries: number;
  private readonly maxLabels: number;
  private readonly maxSamples: number;
  /** Scratch label names/values of the series being read. */
  private names: string[] = [];
  private values: string[] = [];
  private count = 0;
  /** Scratch: the label indices in name order. */
  private readonly order: number[] = [];
  private seriesIndex = 0;
  readonly out: WriteRequestData;

  constructor(bytes: Uint8Array, version: RemoteWriteVersion, o: DecodeWriteRequestOptions) {
    this.buf = bytes;
    this.r = new WireReader(bytes);
    this.r.end = bytes.length;
    this.r.where = () => `timeseries ${this.seriesIndex}`;
    this.strings = new StringMaker(bytes);
    this.skip = (o.invalidSeries ?? 'error') === 'skip';
    this.maxSeries = o.maxSeries ?? Infinity;
    this.maxLabels = o.maxLabels ?? Infinity;
    this.maxSamples = o.maxSamples ?? Infinity;
    this.out = { version, series: [], metadata: [], invalidSeries: 0 };
  }

  /** A UTF-8 string field's value (the reader is on its length); invalid UTF-8 is an error, as Prometheus' label validation makes it. */
  private string(): string {
    const r = this.r;
    const end = r.lengthEnd();
    const start = r.pos;
    r.pos = end;
    const buf = this.buf;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        const bad = invalidUtf8At(buf, start, end);
        if (bad >= 0) throw r.fail('INVALID_UTF8', 'invalid UTF-8 in a string', bad);
        return utf8Slice(buf, start, end);
      }
    }
    return this.strings.ascii(start, end);
  }

  // The last 1.0 `Label` message read by readLabel() (fields, not a returned pair: nothing allocated per label).
  private labelName = '';
  private labelValue = '';

  /** Reads a 1.0 `Label` message (the reader is on its length) into labelName/labelValue. */
  private readLabel(): void {
    const r = this.r;
    const saved = this.enter();
    let name = '';
    let value = '';
    while (r.pos < r.end) {
      const at = r.pos;
      const f = r.tag();
      if (f === LabelField.name) {
        r.expect(WIRE_LEN, 'Label.name', at);
        name = this.string();
      } else if (f === LabelField.value) {
        r.expect(WIRE_LEN, 'Label.value', at);
        value = this.string();
      } else r.skip();
    }
    r.end = saved;
    this.labelName = name;
    this.labelValue = value;
  }

  private enter(): number {
    const saved = this.r.end;
    this.r.end = this.r.lengthEnd();
    return saved;
  }

  readV1(): void {
    const r = this.r;
    while (r.pos < r.end) {
      const at = r.pos;
      const f = r.tag();
      if (f === WriteRequestField.timeseries) {
        r.expect(WIRE_LEN, 'WriteRequest.timeseries', at);
        const saved = this.enter();
        this.seriesV1(at);
        r.end = saved;
      } else if (f === WriteRequestField.metadata) {
        r.expect(WIRE_LEN, 'WriteRequest.metadata', at);
        const saved = this.enter();
        this.metadataV1();
        r.end = saved;
      } else r.skip();
    }
  }

  private seriesV1(at: number): void {
    const r = this.r;
    this.count = 0;
    const s = this.newSeries(at);
    while (r.pos < r.end) {
      const fat = r.pos;
      const f = r.tag();
      if (f === TimeSeriesV1Field.labels) {
        r.expect(WIRE_LEN, 'TimeSeries.labels', fat);
        this.readLabel();
        this.addLabel(this.labelName, this.labelValue, fat);
      } else if (f === TimeSeriesV1Field.samples) {
        r.expect(WIRE_LEN, 'TimeSeries.samples', fat);
        s.samples = push(s.samples, this.sample(fat));
      } else if (f === TimeSeriesV1Field.exemplars) {
        r.expect(WIRE_LEN, 'TimeSeries.exemplars', fat);
        s.exemplars = push(s.exemplars, this.exemplar(false));
      } else if (f === TimeSeriesV1Field.histograms) {
        r.expect(WIRE_LEN, 'TimeSeries.histograms', fat);
        s.histograms = push(s.histograms, this.histogram(fat));
      } else r.skip();
    }
    this.endSeries(s, at);
  }

  private metadataV1(): void {
    const r = this.r;
    const m: FamilyMetadata = { familyName: '', type: 'unknown', help: '', unit: '' };
    while (r.pos < r.end) {
      const at = r.pos;
      const f = r.tag();
      if (f === MetricMetadataField.type) {
        r.expect(WIRE_VARINT, 'MetricMetadata.type', at);
        m.type = metricType(r.int32());
      } else if (f === MetricMetadataField.metricFamilyName) {
        r.expect(WIRE_LEN, 'MetricMetadata.metric_family_name', at);
        m.familyName = this.string();
      } else if (f === MetricMetadataField.help) {
        r.expect(WIRE_LEN, 'MetricMetadata.help', at);
        m.help = this.string();
      } else if (f === MetricMetadataField.unit) {
        r.expect(WIRE_LEN, 'MetricMetadata.unit', at);
        m.unit = this.string();
      } else r.skip();
    }
    this.out.metadata.push(m);
  }

  readV2(): void {
    const r = this.r;
    // Symbols first, wherever they are in the request (Prometheus writes
    // them first; protobuf allows any field order).
    const symbols: string[] = [];
    while (r.pos < r.end) {
      const at = r.pos;
      const f = r.tag();
      if (f === RequestV2Field.symbols) {
        r.expect(WIRE_LEN, 'Request.symbols', at);
        symbols.push(this.string());
      } else r.skip();
    }
    this.symbols = symbols;
    r.pos = 0;
    while (r.pos < r.end) {
      const at = r.pos;
      const f = r.tag();
      if (f === RequestV2Field.timeseries) {
        r.expect(WIRE_LEN, 'Request.timeseries', at);
        const saved = this.enter();
        this.seriesV2(at);
        r.end = saved;
      } else r.skip();
    }
  }

  private symbol(ref: number, at: number): string {
    const s = this.symbols[ref];
    if (s === undefined) {
      throw this.r.fail('INVALID_PROTOBUF', `symbol reference ${ref} out of range (the request has ${this.symbols.length} symbols)`, at);
    }
    return s;
  }

  /** Reads labels_refs (packed or not) into pairs of refs. */
  private refs(into: number[]): void {
    const r = this.r;
    if (r.wire === WIRE_LEN) {
      const end = r.lengthEnd();
      const saved = r.end;
      r.end = end;
      while (r.pos < end) into.push(r.uint32());
      r.end = saved;
    } else {
      r.expect(WIRE_VARINT, 'labels_refs', r.pos);
      into.push(r.uint32());
    }
  }

  private seriesV2(at: number): void {
    const r = this.r;
    this.count = 0;
    const s = this.newSeries(at);
    const refs: number[] = [];
    let refsAt = at;
    while (r.pos < r.end) {
      const fat = r.pos;
      const f = r.tag();
      if (f === TimeSeriesV2Field.labelsRefs) {
        refsAt = fat;
        this.refs(refs);
      } else if (f === TimeSeriesV2Field.samples) {
        r.expect(WIRE_LEN, 'TimeSeries.samples', fat);
        s.samples = push(s.samples, this.sample(fat));
      } else if (f === TimeSeriesV2Field.histograms) {
        r.expect(WIRE_LEN, 'TimeSeries.histograms', fat);
        s.histograms = push(s.histograms, this.histogram(fat));
      } else if (f === TimeSeriesV2Field.exemplars) {
        r.expect(WIRE_LEN, 'TimeSeries.exemplars', fat);
        s.exemplars = push(s.exemplars, this.exemplar(true));
      } else if (f === TimeSeriesV2Field.metadata) {
        r.expect(WIRE_LEN, 'TimeSeries.metadata', fat);
        const md = this.metadataV2();
        if (md !== undefined) s.metadata = md;
      } else if (f === TimeSeriesV2Field.createdTimestamp) {
        r.expect(WIRE_VARINT, 'TimeSeries.created_timestamp', fat);
        const ct = r.int64();
        if (ct !== 0) s.startTimestamp = ct;
      } else r.skip();
    }
    if (refs.length % 2 !== 0)
      throw r.fail('INVALID_PROTOBUF', `labels_refs holds ${refs.length} references, not name-value pairs`, refsAt);
    for (let i = 0; i < refs.length; i += 2) this.addLabel(this.symbol(refs[i]!, refsAt), this.symbol(refs[i + 1]!, refsAt), refsAt);
    this.endSeries(s, at);
  }

  private metadataV2(): WriteMetadata | undefined {
    const r = this.r;
    const saved = this.enter();
    let type = 0;
    let help = 0;
    let unit = 0;
    let at = r.pos;
    while (r.pos < r.end) {
      const fat = r.pos;
      const f = r.tag();
      if (f === MetadataV2Field.type) {
        r.expect(WIRE_VARINT, 'Metadata.type', fat);
        type = r.int32();
      } else if (f === MetadataV2Field.helpRef) {
        r.expect(WIRE_VARINT, 'Metadata.help_ref', fat);
        at = fat;
        help = r.uint32();
      } else if (f === MetadataV2Field.unitRef) {
        r.expect(WIRE_VARINT, 'Metadata.unit_ref', fat);
        at = fat;
        unit = r.uint32();
      } else r.skip();
    }
    r.end = saved;
    const m: WriteMetadata = { type: metricType(type), help: this.symbol(help, at), unit: this.symbol(unit, at) };
    return m.type === 'unknown' && m.help === '' && m.unit === '' ? undefined : m;
  }

  private newSeries(at: number): WriteSeries {
    if (this.out.series.length + this.out.invalidSeries >= this.maxSeries) {
      throw this.r.fail('LIMIT_EXCEEDED', `more than maxSeries (${this.maxSeries}) series`, at, 'maxSeries');
    }
    // Most series hold one sample and no histogram or exemplar: the empty
    // lists are one shared frozen array until something is added (fewer
    // allocations: the receiver's time went mostly to the collector).
    return { name: '', labels: {}, samples: NONE, histograms: NONE, exemplars: NONE };
  }

  private addLabel(name: string, value: string, at: number): void {
    const i = this.count++;
    if (i >= this.maxLabels)
      throw this.r.fail('LIMIT_EXCEEDED', `a series with more than maxLabels (${this.maxLabels}) labels`, at, 'maxLabels');
    this.names[i] = name;
    this.values[i] = value;
  }

  /** Validates the series' labels as Prometheus does, sorts them and keeps the series (or counts it as skipped). */
  private endSeries(s: WriteSeries, at: number): void {
    this.seriesIndex++;
    const n = this.count;
    const names = this.names;
    const values = this.values;
    // Sort indices by name (UTF-8 byte order, as labels.Labels): insertion sort, labels are few and usually sorted.
    const order = this.order;
    for (let i = 0; i < n; i++) {
      let j = i - 1;
      while (j >= 0 && cmp(names[order[j]!]!, names[i]!) > 0) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = i;
    }
    let problem = '';
    let code: 'INVALID_METRIC_NAME' | 'INVALID_LABEL_NAME' | 'DUPLICATE_LABEL' = 'INVALID_LABEL_NAME';
    const labels: Labels = {};
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const name = names[i]!;
      if (name === '') {
        problem = 'a label with an empty name';
        break;
      }
      if (k > 0 && names[order[k - 1]!] === name) {
        code = 'DUPLICATE_LABEL';
        problem = `duplicate label name ${JSON.stringify(name)}`;
        break;
      }
      setLabel(labels, name, values[i]!);
    }
    const metric = labels.__name__;
    if (problem === '' && (metric === undefined || metric === '')) {
      code = 'INVALID_METRIC_NAME';
      problem = 'no __name__ label';
    }
    if (problem !== '') {
      if (this.skip) {
        this.out.invalidSeries++;
        return;
      }
      throw this.r.fail(code, `invalid series (Prometheus refuses it): ${problem}`, at);
    }
    s.name = metric!;
    s.labels = labels;
    this.out.series.push(s);
  }

  private countSample(at: number): void {
    if (++this.samples > this.maxSamples) {
      throw this.r.fail('LIMIT_EXCEEDED', `more than maxSamples (${this.maxSamples}) samples and histograms`, at, 'maxSamples');
    }
  }

  private sample(at: number): WriteSample {
    const r = this.r;
    this.countSample(at);
    const saved = this.enter();
    let value = 0;
    let timestamp = 0;
    while (r.pos < r.end) {
      const fat = r.pos;
      const f = r.tag();
      if (f === SampleField.value) {
        r.expect(WIRE_FIXED64, 'Sample.value', fat);
        value = r.double();
      } else if (f === SampleField.timestamp) {
        r.expect(WIRE_VARINT, 'Sample.timestamp', fat);
        timestamp = r.int64();
      } else r.skip();
    }
    r.end = saved;
    return { value, timestamp };
  }

  private exemplar(v2: boolean): Exemplar {
    const r = this.r;
    const saved = this.enter();
    const e: Exemplar = { labels: {}, value: 0, timestamp: null };
    const refs: number[] = [];
    let refsAt = r.pos;
    const pairs: string[] = [];
    while (r.pos < r.end) {
      const fat = r.pos;
      const f = r.tag();
      if (f === ExemplarV1Field.labels) {
        if (v2) {
          refsAt = fat;
          this.refs(refs);
        } else {
          r.expect(WIRE_LEN, 'Exemplar.labels', fat);
          this.readLabel();
          pairs.push(this.labelName, this.labelValue);
        }
      } else if (f === ExemplarV1Field.value) {
        r.expect(WIRE_FIXED64, 'Exemplar.value', fat);
        e.value = r.double();
      } else if (f === ExemplarV1Field.timestamp) {
        r.expect(WIRE_VARINT, 'Exemplar.timestamp', fat);
        e.timestamp = r.int64();
      } else r.skip();
    }
    r.end = saved;
    if (v2) {
      if (refs.length % 2 !== 0)
        throw r.fail('INVALID_PROTOBUF', `exemplar labels_refs holds ${refs.length} references, not pairs`, refsAt);
      for (const ref of refs) pairs.push(this.symbol(ref, refsAt));
    }
    // Sorted as the series' labels are (exemplar.Exemplar labels are a labels.Labels).
    const idx: number[] = [];
    for (let i = 0; i < pairs.length; i += 2) idx.push(i);
    idx.sort((a, b) => cmp(pairs[a]!, pairs[b]!));
    for (const i of idx) setLabel(e.labels, pairs[i]!, pairs[i + 1]!);
    return e;
  }

  private histogram(at: number): WriteHistogram {
    const r = this.r;
    this.countSample(at);
    const saved = this.enter();
    // Which member of the count oneof was set (the last one read wins, as in protobuf).
    let countFloat = false;
    let count = 0;
    let zeroCount = 0;
    const h = {
      kind: 'integer' as 'integer' | 'float',
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 0,
      sum: 0,
      positiveSpans: EMPTY_SPANS,
      positiveBuckets: [] as number[],
      negativeSpans: EMPTY_SPANS,
      negativeBuckets: [] as number[],
    } as NativeHistogram;
    const negDeltas: number[] = [];
    const posDeltas: number[] = [];
    const negCounts: number[] = [];
    const posCounts: number[] = [];
    let customValues: number[] | undefined;
    let resetHint = 0;
    let timestamp = 0;
    while (r.pos < r.end) {
      const fat = r.pos;
      const f = r.tag();
      switch (f) {
        case HF.countInt:
          r.expect(WIRE_VARINT, 'Histogram.count_int', fat);
          count = r.uint64();
          countFloat = false;
          break;
        case HF.countFloat:
          r.expect(WIRE_FIXED64, 'Histogram.count_float', fat);
          count = r.double();
          countFloat = true;
          break;
        case HF.sum:
          r.expect(WIRE_FIXED64, 'Histogram.sum', fat);
          h.sum = r.double();
          break;
        case HF.schema:
          r.expect(WIRE_VARINT, 'Histogram.schema', fat);
          h.schema = r.sint32();
          break;
        case HF.zeroThreshold:
          r.expect(WIRE_FIXED64, 'Histogram.zero_threshold', fat);
          h.zeroThreshold = r.double();
          break;
        case HF.zeroCountInt:
          r.expect(WIRE_VARINT, 'Histogram.zero_count_int', fat);
          zeroCount = r.uint64();
          break;
        case HF.zeroCountFloat:
          r.expect(WIRE_FIXED64, 'Histogram.zero_count_float', fat);
          zeroCount = r.double();
          break;
        case HF.negativeSpans:
          r.expect(WIRE_LEN, 'Histogram.negative_spans', fat);
          if (h.negativeSpans === EMPTY_SPANS) h.negativeSpans = [];
          h.negativeSpans.push(this.span());
          break;
        case HF.positiveSpans:
          r.expect(WIRE_LEN, 'Histogram.positive_spans', fat);
          if (h.positiveSpans === EMPTY_SPANS) h.positiveSpans = [];
          h.positiveSpans.push(this.span());
          break;
        case HF.negativeDeltas:
          this.repeated(negDeltas, WIRE_VARINT, 'Histogram.negative_deltas', true);
          break;
        case HF.positiveDeltas:
          this.repeated(posDeltas, WIRE_VARINT, 'Histogram.positive_deltas', true);
          break;
        case HF.negativeCounts:
          this.repeated(negCounts, WIRE_FIXED64, 'Histogram.negative_counts', false);
          break;
        case HF.positiveCounts:
          this.repeated(posCounts, WIRE_FIXED64, 'Histogram.positive_counts', false);
          break;
        case HF.resetHint:
          r.expect(WIRE_VARINT, 'Histogram.reset_hint', fat);
          resetHint = r.int32();
          break;
        case HF.timestamp:
          r.expect(WIRE_VARINT, 'Histogram.timestamp', fat);
          timestamp = r.int64();
          break;
        case HF.customValues:
          customValues ??= [];
          this.repeated(customValues, WIRE_FIXED64, 'Histogram.custom_values', false);
          break;
        default:
          r.skip();
      }
    }
    r.end = saved;
    // A float histogram is one whose count oneof is count_float (prompb
    // codec.go IsFloatHistogram); its buckets are absolute counts, an
    // integer one's are deltas.
    h.count = count;
    h.zeroCount = zeroCount;
    if (countFloat) {
      (h as { kind: string }).kind = 'float';
      h.negativeBuckets = negCounts;
      h.positiveBuckets = posCounts;
    } else {
      h.negativeBuckets = cumulate(negDeltas);
      h.positiveBuckets = cumulate(posDeltas);
    }
    if (customValues !== undefined) h.customValues = customValues;
    return { value: h, timestamp, resetHint: RESET_HINTS[resetHint] ?? 'unknown' };
  }

  private span(): BucketSpan {
    const r = this.r;
    const saved = this.enter();
    const s: BucketSpan = { offset: 0, length: 0 };
    while (r.pos < r.end) {
      const at = r.pos;
      const f = r.tag();
      if (f === 1) {
        r.expect(WIRE_VARINT, 'BucketSpan.offset', at);
        s.offset = r.sint32();
      } else if (f === 2) {
        r.expect(WIRE_VARINT, 'BucketSpan.length', at);
        s.length = r.uint32();
      } else r.skip();
    }
    r.end = saved;
    return s;
  }

  /** A repeated sint64 (zigzag) or double, packed or one element. */
  private repeated(into: number[], wire: number, name: string, zigzag: boolean): void {
    const r = this.r;
    if (r.wire === WIRE_LEN) {
      const end = r.lengthEnd();
      const saved = r.end;
      r.end = end;
      if (zigzag) while (r.pos < end) into.push(r.sint64());
      else {
        if ((end - r.pos) % 8 !== 0) throw r.malformed(r.pos, `${name}: a packed double list of ${end - r.pos} bytes`);
        while (r.pos < end) into.push(r.double());
      }
      r.end = saved;
      return;
    }
    r.expect(wire, name, r.pos);
    into.push(zigzag ? r.sint64() : r.double());
  }
}

/** Deltas (each against the previous bucket) into absolute counts. */
function cumulate(deltas: number[]): number[] {
  let c = 0;
  for (let i = 0; i < deltas.length; i++) {
    c += deltas[i]!;
    deltas[i] = c;
  }
  return deltas;
}

function metricType(n: number): MetricType {
  return RW_METRIC_TYPES[n] ?? 'unknown';
}

/**
 * Decodes an uncompressed remote-write request of the given version (the
 * receiver knows it from the Content-Type: `proto=io.prometheus.write.v2.Request`
 * is 2.0, none or `proto=prometheus.WriteRequest` is 1.0).
 *
 * @throws PromwireError with the byte offset for malformed input, refused series and limits.
 */
export function decodeWriteRequest(
  bytes: Uint8Array,
  version: RemoteWriteVersion = '1.0',
  options: DecodeWriteRequestOptions = {},
): WriteRequestData {
  if (version !== '1.0' && version !== '2.0') {
    throw new PromwireError('INVALID_ARGUMENT', `expected version '1.0' or '2.0', got ${JSON.stringify(version)}`);
  }
  const reader = new RequestReader(bytes, version, options);
  if (version === '2.0') reader.readV2();
  else reader.readV1();
  return reader.out;
}

/**
 * A families view of decoded series: one family per metric name (or per
 * 1.0 MetricMetadata / 2.0 series metadata family when given), each series'
 * samples and histograms as model samples named after the series, labels
 * without `__name__`. Type, help and unit come from the metadata (1.0: the
 * MetricMetadata whose family name is the series' name, or its name less a
 * histogram/summary suffix); 'unknown' otherwise.
 */
export function writeRequestFamilies(data: WriteRequestData): MetricFamily[] {
  const meta = new Map<string, WriteMetadata>();
  for (const m of data.metadata) meta.set(m.familyName, m);
  const families = new Map<string, { name: string; type: MetricType; help: string; unit: string; samples: Sample[] }>();
  for (const s of data.series) {
    let family = s.name;
    let md = s.metadata ?? meta.get(family);
    // A classic histogram's or summary's series belong to the family less their suffix.
    for (const suffix of SUFFIXES) {
      if (family.endsWith(suffix) && family.length > suffix.length) {
        const base = family.slice(0, -suffix.length);
        const m = s.metadata ?? meta.get(base);
        if (m !== undefined && (m.type === 'histogram' || m.type === 'gaugehistogram' || m.type === 'summary')) {
          family = base;
          md = m;
        }
        break;
      }
    }
    let f = families.get(family);
    if (f === undefined) {
      f = { name: family, type: md?.type ?? 'unknown', help: md?.help ?? '', unit: md?.unit ?? '', samples: [] };
      families.set(family, f);
    }
    const labels = copyLabels(s.labels, '__name__');
    const start = s.startTimestamp;
    for (const x of s.samples) {
      const smp: Sample = { name: s.name, labels, value: x.value, timestamp: x.timestamp };
      if (start !== undefined) smp.startTimestamp = start;
      f.samples.push(smp);
    }
    for (const x of s.histograms) {
      const smp: Sample = { name: s.name, labels, value: x.value, timestamp: x.timestamp };
      if (start !== undefined) smp.startTimestamp = start;
      f.samples.push(smp);
    }
    if (s.exemplars.length > 0 && f.samples.length > 0) {
      const last = f.samples[f.samples.length - 1]!;
      last.exemplars = [...s.exemplars];
    }
  }
  const out: MetricFamily[] = [];
  for (const f of families.values()) {
    // A float-only type with a histogram sample cannot be a model family: it reads as a histogram.
    if (f.type !== 'histogram' && f.type !== 'gaugehistogram' && f.samples.some((x) => typeof x.value !== 'number')) f.type = 'histogram';
    out.push(makeFamily(f));
  }
  return out;
}

const SUFFIXES = ['_bucket', '_sum', '_count', '_gsum', '_gcount'];
