/**
 * The families layer: MetricFamily objects built from the pull API. This is
 * the convenient, allocating layer; it builds every string the model holds,
 * through the parser's interning accessors.
 */

import { EXEMPLAR_BYTES, NATIVE_BUCKET_BYTES, NATIVE_BYTES, NATIVE_SPAN_BYTES } from './options.js';
import { keepShape } from '../core/keep-shape.js';
import { secondsToMillis } from '../core/number.js';
import type { Format, HistogramSample, Labels, MetricFamily, MetricType, NativeHistogram, Sample } from '../model/index.js';
import { belongsTo, familyName, isCreatedSample, normalizeLabelValue, reservedLabel } from '../model/rules.js';
import { PromwireError } from '../errors.js';
import { DEFAULT_LIMITS, type ParserOptions } from './options.js';
import { Entry, Parser } from './parser.js';

/**
 * Assembles families from parser entries. Shared by `parse()` and
 * `parseStream()`: `add()` returns the family that a new entry completed.
 *
 * The model's rules (src/model/rules.ts) decide which sample belongs to the
 * current family, the family's name (an OpenMetrics counter `foo` is the
 * family `foo_total`), the normalised `le`/`quantile` values Prometheus 3
 * stores, and that an OpenMetrics `_created` line is the start timestamp of
 * its series rather than a sample.
 */
/** Estimated heap of the model, in bytes (measured on Node 20: docs in options.ts `maxModelBytes`). */
const SAMPLE_BYTES = 128;
const LABEL_BYTES = 80;
const FAMILY_BYTES = 256;
/** Strings built from the input: at most one UTF-16 unit per input byte. */
const INPUT_BYTE_BYTES = 2;

/** Options of a FamilyBuilder. */
export interface FamilyBuilderOptions {
  /** The heap the held families may take (options.ts `maxModelBytes`). Defaults to DEFAULT_LIMITS.maxModelBytes. */
  maxModelBytes?: number;
  /**
   * `true`: a completed family is handed over and no longer counted
   * (parseStream); `false`: every family stays counted (parse). Defaults to false.
   */
  streaming?: boolean;
  /**
   * Hand over a family in pieces of at most about this many samples: a
   * piece ends where a new series (MetricPoint) starts, so a histogram's
   * buckets, sum and count and an OpenMetrics `_created` line stay together.
   * Each piece is a MetricFamily with the same name, type, help and unit.
   * Defaults to Infinity (whole families).
   */
  batchSamples?: number;
}

export class FamilyBuilder {
  private current: MetricFamily | undefined;
  private readonly maxModelBytes: number;
  private readonly streaming: boolean;
  private readonly batchSamples: number;
  /** Estimated heap of the completed families still counted, and of the current one. */
  private heldBytes = 0;
  private currentBytes = 0;
  private lastOffset = -1;
  /** The type of the last `# TYPE` line (Prometheus normalises bounds by it). */
  private lastType: MetricType = 'unknown';
  /** The label set (less the reserved label) of the last sample, for cutting batches between series. */
  private lastPoint: Labels | undefined;
  private lastTimestamp: number | null = null;
  /** The name the current family's metadata lines use (`foo` for an OpenMetrics counter `foo_total`). */
  private metaName = '';
  /**
   * The last sample name read (as the parser returned it) while the current
   * family did not change, with what the rules said of it: its model name
   * (protobuf gauge histograms rename `_sum`/`_count`) and whether it is an
   * OpenMetrics `_created` line. Undefined after a metadata entry or a new family.
   */
  private lastRaw: string | undefined = undefined;
  private lastName = '';
  private lastCreated = false;
  /** A `_created` value seen before the rest of its series: applied to the following samples with the same labels. */
  private pendingStart: { labels: Labels; omit: string | null; ms: number; used: boolean; line: number; offset: number } | undefined;

  constructor(
    private readonly format: Format,
    options: FamilyBuilderOptions = {},
  ) {
    this.maxModelBytes = options.maxModelBytes ?? DEFAULT_LIMITS.maxModelBytes;
    this.streaming = options.streaming ?? false;
    this.batchSamples = options.batchSamples ?? Infinity;
    taggedValueField();
    if (!(this.batchSamples >= 1)) {
      throw new PromwireError('INVALID_ARGUMENT', `expected batchSamples to be a positive number, got ${String(options.batchSamples)}`);
    }
  }

  /** Takes the parser's current entry; returns a family it completed, if any. */
  add(p: Parser, e: Entry): MetricFamily | undefined {
    let done: MetricFamily | undefined;
    let cur = this.current;
    this.charge(p, e);
    if (e === Entry.Series || e === Entry.Histogram) {
      const raw = p.metricName();
      let name: string;
      let created: boolean;
      if (raw === this.lastRaw && cur !== undefined) {
        // The previous sample's name (the parser hands back the same string
        // while the bytes are unchanged, so this is mostly a pointer
        // compare): it belongs to the current family, and the rules' answers
        // are the ones worked out for it. Nothing in between changed the
        // family (metadata entries and start() forget the name). Measured
        // with --cpu-prof on the large text payload: belongsTo and its
        // samePrefix were 1.5% of parse(); now they run once per run of
        // equal names instead of once per sample.
        name = this.lastName;
        created = this.lastCreated;
      } else {
        // Protobuf: every series of a MetricFamily message belongs to it (its
        // Help entry started the family), whatever its name.
        if (cur === undefined || (this.format === 'protobuf' ? this.metaName === '' : !belongsTo(this.format, cur, raw))) {
          done = this.finish(cur);
          cur = this.start(raw, raw);
        }
        name = this.format === 'protobuf' && cur.type === 'gaugehistogram' ? gaugeHistogramName(cur.name, raw) : raw;
        created = this.format === 'openmetrics' && isCreatedSample(cur, name);
        this.lastRaw = raw;
        this.lastName = name;
        this.lastCreated = created;
      }
      if (created) {
        // OpenMetrics 1.0: a created timestamp is a time in seconds; the model
        // holds it as finite milliseconds (Prometheus 3.5 would store NaN or
        // Inf as a `_created` series, which no start time can be).
        const v = p.value();
        if (!Number.isFinite(v)) {
          throw new PromwireError('INVALID_VALUE', `${name} must be a finite number of seconds since the epoch, got ${v}`, {
            line: p.line(),
            column: 1,
            offset: p.offset(),
          });
        }
        this.addStart(cur, p.labels(), secondsToMillis(v), p);
        return done;
      }
      const labels = p.labels();
      // Prometheus 3.5 textparse normalises by the type of the last `# TYPE`
      // line, not by the family the sample belongs to (p.mtype is set by a
      // TYPE entry and kept), so `untyped_thing{le="1"}` right after a
      // histogram is stored as `le="1.0"`; so does this.
      const t = this.lastType;
      if (t === 'histogram' || t === 'summary') normalizeBounds(t, labels);
      const held = cur.samples.length;
      if (held >= this.batchSamples && (this.startsNewPoint(cur, labels, p.timestamp()) || held >= 2 * this.batchSamples + 1024)) {
        // A piece of a large family: hand it over and go on with a copy of its metadata.
        done = this.finish(cur);
        const piece: MetricFamily = { name: cur.name, type: cur.type, help: cur.help, unit: cur.unit, samples: [] } as MetricFamily;
        this.current = cur = piece;
      }
      let sample: Sample;
      if (e === Entry.Histogram) {
        const h: HistogramSample = { name, labels, value: p.histogram(), timestamp: p.timestamp() };
        if (p.hasExemplar()) h.exemplars = p.exemplars();
        sample = h;
      } else {
        sample = { name, labels, value: p.value(), timestamp: p.timestamp() };
        if (p.hasExemplar()) sample.exemplars = [p.exemplar()!];
      }
      // Protobuf created_timestamp: the start of every series of the Metric.
      const st = p.startTimestamp();
      if (st !== null) sample.startTimestamp = st;
      this.lastPoint = labels;
      this.lastTimestamp = sample.timestamp;
      const pending = this.pendingStart;
      if (pending !== undefined) {
        if (sameLabels(pending.labels, labels, pending.omit)) {
          sample.startTimestamp = pending.ms;
          pending.used = true;
        } else {
          this.orphanCheck();
          this.pendingStart = undefined;
        }
      }
      (cur.samples as Sample[]).push(sample);
      return done;
    }
    if (e === Entry.Comment) return undefined;
    this.lastRaw = undefined;
    const name = p.familyName();
    // Metadata for another name starts a new family; so does metadata that
    // comes after samples (text 0.0.4 allows it; the family is reported again).
    if (cur === undefined || this.metaName !== name || cur.samples.length > 0) {
      done = this.finish(cur);
      cur = this.start(name, name);
    }
    if (e === Entry.Help) cur.help = p.help();
    else if (e === Entry.Type) {
      const type = p.type();
      this.lastType = type;
      cur.type = type;
      cur.name = familyName(this.format, name, type);
    } else if (e === Entry.Unit) cur.unit = p.unit();
    return done;
  }

  /** Returns the last family, if any. */
  flush(): MetricFamily | undefined {
    const cur = this.finish(this.current);
    this.current = undefined;
    return cur;
  }

  /**
   * Counts what an entry adds to the model: the input bytes since the
   * previous entry (the strings made of them), and a sample with its labels
   * or a family. Throws LIMIT_EXCEEDED `maxModelBytes` past the budget.
   */
  private charge(p: Parser, e: Entry): void {
    const off = p.offset();
    let bytes = this.lastOffset < 0 ? 0 : (off - this.lastOffset) * INPUT_BYTE_BYTES;
    this.lastOffset = off;
    if (e === Entry.Series) {
      bytes += SAMPLE_BYTES + LABEL_BYTES * p.labelCount();
      // An exemplar is an object, a labels object and an array (measured ~200 B more a sample).
      if (p.hasExemplar()) bytes += EXEMPLAR_BYTES;
    } else if (e === Entry.Histogram) {
      bytes += SAMPLE_BYTES + LABEL_BYTES * p.labelCount() + nativeBytes(p.histogram());
      if (p.hasExemplar()) bytes += EXEMPLAR_BYTES * p.exemplars().length;
    } else if (e !== Entry.Comment) bytes += FAMILY_BYTES;
    this.currentBytes += bytes;
    if (this.heldBytes + this.currentBytes > this.maxModelBytes) {
      const mb = (n: number): string => `${Math.round(n / 1048576)} MiB`;
      throw new PromwireError(
        'LIMIT_EXCEEDED',
        `the families read so far would take about ${mb(this.heldBytes + this.currentBytes)} of heap, over maxModelBytes (${mb(this.maxModelBytes)}); ` +
          'raise maxModelBytes, or read with parseStream() (one family at a time, batchSamples for large ones) or the pull API (no families)',
        { line: p.line(), column: 1, offset: off },
        'maxModelBytes',
      );
    }
  }

  /**
   * OpenMetrics 1.0: a `_created` line belongs to a MetricPoint that has the
   * type's samples (a counter's `_total`); one whose labels match no series
   * would be lost from the model, so it is an error.
   */
  private orphanCheck(): void {
    const pending = this.pendingStart;
    if (pending === undefined || pending.used) return;
    this.pendingStart = undefined;
    const labels = Object.entries(pending.labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',');
    throw new PromwireError(
      'UNEXPECTED_SAMPLE',
      `a _created line for {${labels}} has no series with those labels in its family (OpenMetrics: created belongs to a MetricPoint with the type's samples)`,
      { line: pending.line, column: 1, offset: pending.offset },
    );
  }

  /** A family is complete: parse() keeps counting it, parseStream() hands it over. */
  private finish(f: MetricFamily | undefined): MetricFamily | undefined {
    if (f === undefined) return undefined;
    this.orphanCheck();
    if (!this.streaming) this.heldBytes += this.currentBytes;
    this.currentBytes = 0;
    this.lastPoint = undefined;
    return f;
  }

  /**
   * True when a sample starts a new MetricPoint: every sample of a type
   * without reserved label is a point of its own; a histogram's or
   * summary's point is its run of samples with the same labels (less
   * `le`/`quantile`) and timestamp. (A run of identical samples is cut
   * anyway at twice the batch size, so no shape defeats the bound.)
   */
  private startsNewPoint(f: MetricFamily, labels: Labels, timestamp: number | null): boolean {
    const omit = reservedLabel(f);
    if (omit === null || f.type === 'stateset') return true;
    const last = this.lastPoint;
    const lastTs = this.lastTimestamp;
    return last === undefined || lastTs !== timestamp || !sameLabels(labels, last, omit);
  }

  private start(name: string, metaName: string): MetricFamily {
    this.metaName = metaName;
    this.lastRaw = undefined;
    this.pendingStart = undefined;
    this.lastPoint = undefined;
    const f: MetricFamily = { name, type: 'unknown', help: '', unit: '', samples: [] };
    this.current = f;
    return f;
  }

  /**
   * OpenMetrics 1.0 "Counter"/"Histogram"/"Summary": `_created` belongs to
   * the MetricPoint with the same labels (less `le`/`quantile`). It usually
   * ends the point, so it goes to the samples just read; one that comes
   * first waits for the samples after it.
   */
  private addStart(f: MetricFamily, labels: Labels, ms: number, p: Parser): void {
    const omit = reservedLabel(f);
    const samples = f.samples;
    let found = false;
    for (let i = samples.length - 1; i >= 0; i--) {
      const s = samples[i]!;
      if (!sameLabels(labels, s.labels, omit)) break;
      s.startTimestamp = ms;
      found = true;
    }
    this.orphanCheck();
    this.pendingStart = found ? undefined : { labels, omit, ms, used: false, line: p.line(), offset: p.offset() };
  }
}

/**
 * Makes the samples' `value` field hold small integers without a box.
 *
 * V8 picks a field's representation from what it has held: a field that
 * has only ever held numbers is a "double" field, and every object then
 * gets its own 16-byte HeapNumber for it, 42 included. Once the field of
 * that shape has held something else, it is "tagged", and a small integer
 * (a Smi: 62% of the large bench payload's values, counts and gauges) is
 * stored in the field itself. Every sample literal of this module has the
 * shape `{ name, labels, value, timestamp }` (property order matters); one
 * such object with an undefined `value`, made once per process, moves the
 * shape to tagged before the first sample. It is V8's field
 * generalisation (src/objects/map-updater.cc); elsewhere it is a no-op.
 * Measured (bench/alloc.ts, deterministic): parse() of the large text
 * payload allocates 1.60 -> 1.53 B per input byte, and the families retain
 * 1 MB less per 100k samples; no change in time beyond noise.
 */
let fieldGeneralised = false;
const shapeSink: { sample: unknown } = { sample: undefined };
function taggedValueField(): void {
  if (fieldGeneralised) return;
  fieldGeneralised = true;
  shapeSink.sample = { name: '', labels: {}, value: undefined, timestamp: null };
}

/**
 * Protobuf names a gauge histogram's sum and count `_sum` and `_count`
 * (protobufparse.go getMagicName); the model names them as OpenMetrics does,
 * `_gsum` and `_gcount` (docs/model.md).
 */
function gaugeHistogramName(family: string, name: string): string {
  if (name.length === family.length + 4 && name.endsWith('_sum')) return `${family}_gsum`;
  if (name.length === family.length + 6 && name.endsWith('_count')) return `${family}_gcount`;
  return name;
}

/** The model budget's estimate of a native histogram. */
function nativeBytes(h: NativeHistogram): number {
  return (
    NATIVE_BYTES +
    NATIVE_BUCKET_BYTES * (h.positiveBuckets.length + h.negativeBuckets.length) +
    NATIVE_SPAN_BYTES * (h.positiveSpans.length + h.negativeSpans.length)
  );
}

/** Prometheus 3 normalises `le` of histograms and `quantile` of summaries (rules.normalizeLabelValue). */
function normalizeBounds(type: MetricType, labels: Labels): void {
  const k = type === 'histogram' ? 'le' : 'quantile';
  const v = labels[k];
  if (v !== undefined) labels[k] = normalizeLabelValue(type, k, v);
}

/** True when `a` and `b` hold the same labels, the label `omit` aside in either. */
function sameLabels(a: Labels, b: Labels, omit: string | null): boolean {
  let nb = 0;
  for (const k in b) {
    if (k === omit) continue;
    if (a[k] !== b[k]) return false;
    nb++;
  }
  let na = 0;
  for (const k in a) if (k !== omit) na++;
  return na === nb;
}

/**
 * The model budget's estimate of a family built elsewhere (scrape() counts
 * the families parseStream handed it): the same constants as the builder,
 * with the strings' lengths for the input bytes.
 */
export function estimateFamilyBytes(f: MetricFamily): number {
  let n = FAMILY_BYTES + INPUT_BYTE_BYTES * (f.name.length + f.help.length);
  for (const s of f.samples) {
    n += SAMPLE_BYTES + INPUT_BYTE_BYTES * s.name.length;
    if (typeof s.value !== 'number') n += nativeBytes(s.value);
    for (const k in s.labels) n += LABEL_BYTES + INPUT_BYTE_BYTES * (k.length + s.labels[k]!.length);
    if (s.exemplars !== undefined) {
      for (const e of s.exemplars) {
        n += EXEMPLAR_BYTES;
        for (const k in e.labels) n += LABEL_BYTES + INPUT_BYTE_BYTES * (k.length + e.labels[k]!.length);
      }
    }
  }
  return n;
}

/**
 * Parses a whole payload into metric families, in input order.
 *
 * @throws PromwireError on the first invalid line (unless `onError` is set).
 */
export function parse(input: string | Uint8Array, options?: ParserOptions): MetricFamily[] {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  // Families outlive the parse: their strings must be copies, never slices
  // of the parser's window strings, each of which would keep up to 4 KiB of
  // the input alive (test/families-retain.test.ts).
  const p = new Parser(bytes, { ...options, copyStrings: true });
  const b = new FamilyBuilder(p.format, options?.maxModelBytes === undefined ? {} : { maxModelBytes: options.maxModelBytes });
  const out: MetricFamily[] = [];
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    const done = b.add(p, e);
    if (done !== undefined) out.push(done);
  }
  const last = b.flush();
  if (last !== undefined) out.push(last);
  return out;
}

// Lives as long as the process, so its map survives a full GC between parses (core/keep-shape.ts).
// Last in the module: the constructor reads the module's state above.
keepShape(new FamilyBuilder('text'));
