/**
 * The bases of every metric of a `MetricSet`: `Series` (one label-value
 * tuple and its rendered line prefixes) and `Metric` (a family: its
 * definition, its series, how they are written and collected).
 */
import { isValidLabelName, isValidMetricName } from '../core/names.js';
import type { EscapingScheme } from '../core/names.js';
import {
  encodeHeader,
  familyHeaderBytes,
  gaugeFallbackLoss,
  labelPairsBytes,
  protobufName,
  protobufType,
  renderPrefix,
  varintSize,
  writeValueMetric,
  writtenSampleName,
} from '../encode/api.js';
import type { ByteWriter, Losses, PrefixArena, ProtoWriter, ValueKind } from '../encode/api.js';
import {
  type Exemplar,
  type Format,
  type Labels,
  makeFamily,
  type MetricFamily,
  type MetricType,
  type NativeHistogram,
  type Sample,
} from '../model/index.js';
import { familyName as modelFamilyName } from '../model/rules.js';
import { setLabel } from '../model/labels.js';
import { fail, q } from './definition.js';
import { RESET_HINT_UNKNOWN } from '../proto/remote-write-proto.js';
import { type WalkOptions, wholeMillis } from '../remote-write/from-families.js';
import type { RequestWriter } from '../remote-write/request-writer.js';
import { type SeriesLabels, seriesLabels } from '../remote-write/series-labels.js';
import type { CollectCallback, Definition, LabelValues } from './definition.js';
import { clockMs, secondsSince } from './timer.js';

export const LF = 0x0a;

/** One line of a series: its sample name and an optional extra label (le, quantile, state). */
export interface LineSpec {
  sample: string;
  extra: readonly [string, string] | null;
}

/** What a metric needs of the set that owns it (a `MetricSet`; metrics are made by its methods, not constructed directly). */
export interface MetricOwner {
  /** @internal Default labels, written first on every line. */
  readonly defaultPairs: ReadonlyArray<readonly [string, string]>;
  /** @internal Where series prefixes live. */
  readonly arena: PrefixArena;
  /** @internal Whether names are Prometheus 3 UTF-8 names (exemplar label names are checked alike). */
  readonly utf8?: boolean;
}

/** What every series holds: its label values and its rendered line prefixes. */
export abstract class Series {
  /** @internal Label values, in `labelNames` order. */
  readonly labelValues: readonly string[];
  /**
   * @internal Line prefixes (`name{labels} `) for text 0.0.4 with
   * `allow-utf-8` (and for every scheme and format whose prefixes are the
   * same bytes: no name needs escaping, no bound spelled differently).
   */
  lines: Uint8Array[] = [];
  /** @internal OpenMetrics line prefixes with `allow-utf-8`, when they differ from `lines` (a bound spelled `1.0`), rendered when first asked for. */
  omLines: Uint8Array[] | null = null;
  /** @internal Line prefixes per other scheme and format (`scheme` or `scheme/om`), rendered when first asked for. */
  escaped: Map<string, Uint8Array[]> | null = null;
  /**
   * @internal Protobuf: the `Metric.label` fields of each Metric this
   * series writes (one, or one per state of a stateset), with `allow-utf-8`
   * or any scheme when no name needs escaping; rendered on the first
   * protobuf encode.
   */
  pb: Uint8Array[] | null = null;
  /** @internal Protobuf label fields per other scheme, rendered when first asked for. */
  pbEscaped: Map<string, Uint8Array[]> | null = null;
  /**
   * @internal Remote write: the label set of each sample line (collect()'s
   * samples of the series: spec order, the native histogram's last), each
   * rendered on the first remote-write encode that writes it.
   */
  rw: Array<SeriesLabels | undefined> | null = null;
  /** The metric's family name (for messages). */
  readonly metric: string;
  /** @internal Whether the set takes UTF-8 names (for exemplar label names). */
  utf8 = false;

  constructor(labelValues: readonly string[], metric: string) {
    this.labelValues = labelValues;
    this.metric = metric;
  }
}

export abstract class Metric<L extends string, S extends Series> {
  /** Family name, as written in OpenMetrics (`http_requests` for the counter `http_requests_total`). */
  readonly name: string;
  abstract readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
  readonly labelNames: readonly L[];
  /** @internal */ readonly seriesMap = new Map<string, S>();
  /** @internal */ readonly owner: MetricOwner;
  /** Line specs for text 0.0.4 [0] and OpenMetrics [1]. */
  private readonly specs: [LineSpec[] | null, LineSpec[] | null] = [null, null];
  private needsEscaping: boolean | null = null;
  private omDiffers: boolean | null = null;
  private modelName: string | undefined = undefined;
  private readonly headers = new Map<string, Uint8Array>();
  /** Length bytes to reserve for this family's protobuf message: the varint size of its last length. */
  private pbReserve = 2;
  /** @internal The `collect` option, run by the set before it is read (src/metrics/collect.ts). */
  readonly collectCallback: CollectCallback<unknown> | null;
  /**
   * @internal Whether the model (collect(), remote write, protobuf) names
   * the samples as text 0.0.4 does rather than as OpenMetrics: a counter
   * `foo` with `counterSuffix: 'as-given'` is the family and series `foo`
   * there, `foo_total` in OpenMetrics only.
   */
  protected readonly textModel: boolean;

  constructor(owner: MetricOwner, d: Definition<L>) {
    this.owner = owner;
    this.name = d.name;
    this.help = d.help;
    this.unit = d.unit;
    this.labelNames = d.labelNames;
    this.collectCallback = d.collect;
    this.textModel = d.textModel === true;
  }

  /**
   * The series with these label values, created (at zero) on first use.
   * The keys must be exactly the metric's label names (LABEL_MISMATCH).
   * Keep the handle for hot paths: this lookup builds a key string.
   */
  labels(values: LabelValues<L>): S {
    const vals = this.labelValuesOf(values);
    const key = tupleKey(vals);
    let s = this.seriesMap.get(key);
    if (s === undefined) {
      s = this.newSeries(vals);
      this.seriesMap.set(key, s);
    }
    return s;
  }

  /** Removes the series with these label values. Returns whether it existed. */
  remove(values: LabelValues<L>): boolean {
    return this.seriesMap.delete(tupleKey(this.labelValuesOf(values)));
  }

  /** Removes every series (an unlabelled metric gets its single series back, at zero). */
  reset(): void {
    this.seriesMap.clear();
    if (this.labelNames.length === 0) this.seriesMap.set('', this.newSeries([]));
  }

  /** Number of series. */
  get size(): number {
    return this.seriesMap.size;
  }

  /** The single series of an unlabelled metric. */
  protected only(): S {
    if (this.labelNames.length !== 0) {
      fail('LABEL_MISMATCH', `${this.type} ${q(this.name)} has labels [${this.labelNames.join(', ')}]: call .labels({...}) first`);
    }
    let s = this.seriesMap.get('');
    if (s === undefined) {
      s = this.newSeries([]);
      this.seriesMap.set('', s);
    }
    return s;
  }

  /**
   * @internal `startTimer()` of a gauge, histogram or summary (prom-client):
   * returns a function that, called at the end, records the elapsed seconds
   * in the series of the start and end labels merged (end wins) and
   * returns them.
   */
  protected timer(
    start: Partial<LabelValues<L>> | undefined,
    record: (s: S, seconds: number) => void,
  ): (end?: Partial<LabelValues<L>>) => number {
    const t0 = clockMs();
    return (end?: Partial<LabelValues<L>>): number => {
      const seconds = secondsSince(t0);
      const labels = end === undefined ? start : start === undefined ? end : { ...start, ...end };
      record(labels === undefined && this.labelNames.length === 0 ? this.only() : this.labels((labels ?? {}) as LabelValues<L>), seconds);
      return seconds;
    };
  }

  /**
   * @internal The lines every series of this metric writes, for a format
   * (`om`: OpenMetrics). Histograms and summaries spell `le`/`quantile`
   * per format.
   */
  protected abstract lineSpecs(om: boolean): LineSpec[];
  /** @internal A fresh series (zero values). */
  protected abstract create(labelValues: readonly string[]): S;
  /** @internal Writes one series' lines (`om`: OpenMetrics, where a histogram may have to leave out its sum). */
  abstract writeOne(w: ByteWriter, s: S, escaping: EscapingScheme, om: boolean): void;
  /** @internal Writes every series (a loop per class keeps the calls monomorphic). */
  abstract writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void;
  /**
   * @internal The samples of one series, in line order, with these labels:
   * by default one per value `rwValues` gives, named and labelled by the
   * line spec at its index (a histogram adds its native sample and exemplars).
   */
  protected samplesOf(s: S, labelsFor: (extra: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[] {
    const n = this.rwValues(s, sampleValues);
    const out: Sample[] = [];
    for (let i = 0; i < n; i++) {
      out.push({ name: specs[i]!.sample, labels: labelsFor(specs[i]!.extra), value: sampleValues[i]!, timestamp: null });
    }
    return out;
  }

  /**
   * @internal Remote write: the series' float values in collect()'s order
   * (its OpenMetrics line specs), into `out`; returns how many.
   */
  protected abstract rwValues(s: S, out: number[]): number;

  /**
   * @internal Remote write: the exemplars of sample line `line` of a
   * series (`specs.length`: its native histogram), as collect() gives them.
   */
  protected rwExemplars(_s: S, _line: number): Exemplar | readonly Exemplar[] | null {
    return null;
  }

  /** @internal How many exemplars the series hold (classic: on value lines; native: on native histograms), for the losses a format reports. */
  exemplarCount(): { classic: number; native: number } {
    return NO_EXEMPLARS;
  }

  /** @internal Remote write: the series' native histogram (collect()'s first sample), if it has one. */
  protected rwNative(_s: S): NativeHistogram | undefined {
    return undefined;
  }

  /**
   * @internal Remote write without the families model (encodeWriteRequest
   * of a MetricSet): writes this family's series as walkFamilies writes
   * `collect()`'s (same series, labels, order, metadata, request
   * boundaries), the label sets rendered once per series and kept
   * (src/remote-write/series-labels.ts). Values are read as each series is
   * reached; the series are those of the metric when its turn comes.
   */
  *remoteWrite(rw: RequestWriter, o: WalkOptions): Generator<void, void, void> {
    const specs = this.getSpecs(!this.textModel);
    const nativeLine = specs.length;
    const meta = o.metadata;
    let metaDone = !meta;
    const help = meta ? this.help : '';
    const unit = meta ? this.unit : '';
    const type: MetricType = meta ? this.type : 'unknown';
    const ts = o.timestamp;
    const max = o.maxSamples;
    const values: number[] = [];
    for (const s of this.snapshot()) {
      const lines = (s.rw ??= new Array<SeriesLabels | undefined>(specs.length + 1));
      const h = this.rwNative(s);
      const n = this.rwValues(s, values);
      if (h !== undefined) {
        if (rw.samples + rw.histograms >= max && !rw.isEmpty()) yield;
        if (!metaDone) {
          rw.familyMetadata(this.familyName, this.type, this.help, this.unit);
          metaDone = true;
        }
        rw.beginSeriesLabels((lines[nativeLine] ??= this.rwLabels(s, this.name, null)));
        rw.histogram(h, ts, RESET_HINT_UNKNOWN);
        this.rwWriteExemplars(rw, this.rwExemplars(s, nativeLine));
        rw.seriesMetadata(type, help, unit);
        rw.endSeries();
      }
      for (let i = 0; i < n; i++) {
        if (rw.samples + rw.histograms >= max && !rw.isEmpty()) yield;
        if (!metaDone) {
          rw.familyMetadata(this.familyName, this.type, this.help, this.unit);
          metaDone = true;
        }
        rw.beginSeriesLabels((lines[i] ??= this.rwLabels(s, specs[i]!.sample, specs[i]!.extra)));
        rw.sample(values[i]!, ts);
        this.rwWriteExemplars(rw, this.rwExemplars(s, i));
        rw.seriesMetadata(type, help, unit);
        rw.endSeries();
      }
    }
    if (!metaDone) rw.familyMetadata(this.familyName, this.type, this.help, this.unit);
  }

  /** Exemplars as walkFamilies writes a sample's (their own timestamps: a set's exemplars always have one). */
  private rwWriteExemplars(rw: RequestWriter, ex: Exemplar | readonly Exemplar[] | null): void {
    if (ex === null) return;
    if (!Array.isArray(ex)) {
      const e = ex as Exemplar;
      rw.exemplar(e, wholeMillis(e.timestamp!));
      return;
    }
    for (const e of ex as readonly Exemplar[]) rw.exemplar(e, wholeMillis(e.timestamp!));
  }

  /** The remote-write label set of one sample line of a series (collect()'s labels for it, plus `__name__`). */
  private rwLabels(s: S, name: string, extra: LineSpec['extra']): SeriesLabels {
    const pairs: Array<readonly [string, string]> = [...this.owner.defaultPairs];
    for (let i = 0; i < this.labelNames.length; i++) pairs.push([this.labelNames[i]!, s.labelValues[i]!]);
    if (extra !== null) pairs.push(extra);
    return seriesLabels(name, pairs);
  }

  /** @internal HELP/TYPE/UNIT bytes for a format and scheme, rendered once. */
  header(format: Format, escaping: EscapingScheme): Uint8Array {
    const key = format + escaping;
    let h = this.headers.get(key);
    if (h === undefined) {
      h = encodeHeader({ name: this.familyName, type: this.type, help: this.help, unit: this.unit }, { format, escaping });
      this.headers.set(key, h);
    }
    return h;
  }

  /** @internal The protobuf MetricFamily fields before the metrics (name, help, type, unit), rendered once per scheme. */
  pbHeader(escaping: EscapingScheme): Uint8Array {
    const key = 'protobuf/' + escaping;
    let h = this.headers.get(key);
    if (h === undefined) {
      h = familyHeaderBytes(protobufName(this.familyName, escaping), protobufType(this.type), this.help, this.unit);
      this.headers.set(key, h);
    }
    return h;
  }

  /**
   * @internal The extra label of each protobuf Metric a series writes:
   * `[null]` (one Metric per series, the default), or a stateset's state
   * pair per state. A histogram's `le` and a summary's `quantile` are not
   * labels in protobuf.
   */
  protected pbExtras(): ReadonlyArray<readonly [string, string] | null> {
    return ONE_METRIC;
  }

  /** @internal Writes one series as protobuf `MetricFamily.metric` fields. */
  abstract writeProtobuf(w: ProtoWriter, s: S, escaping: EscapingScheme, losses: Losses): void;

  /**
   * @internal Writes the family as one length-delimited MetricFamily
   * message, with these series (default: all, in creation order).
   */
  writeProtobufFamily(w: ProtoWriter, escaping: EscapingScheme, losses: Losses, series?: readonly S[]): void {
    const reserve = this.pbReserve;
    const start = w.beginLength(reserve);
    w.raw(this.pbHeader(escaping));
    let n = 0;
    if (series === undefined) {
      for (const s of this.seriesMap.values()) this.writeProtobuf(w, s, escaping, losses);
      n = this.seriesMap.size;
    } else {
      for (const s of series) this.writeProtobuf(w, s, escaping, losses);
      n = series.length;
    }
    if ((this.type === 'info' || this.type === 'stateset') && n > 0) losses.add(gaugeFallbackLoss(this.type), n * this.pbExtras().length);
    this.pbReserve = varintSize(w.endLength(start, reserve));
  }

  /** @internal The protobuf `Metric.label` fields of a series' Metrics under a scheme, rendered once. */
  protected pbLabels(s: S, escaping: EscapingScheme): Uint8Array[] {
    if (escaping === 'allow-utf-8' || !this.getNeedsEscaping()) return (s.pb ??= this.renderPb(s.labelValues, 'allow-utf-8'));
    let m = s.pbEscaped;
    if (m === null) m = s.pbEscaped = new Map();
    let out = m.get(escaping);
    if (out === undefined) {
      out = this.renderPb(s.labelValues, escaping);
      m.set(escaping, out);
    }
    return out;
  }

  private renderPb(labelValues: readonly string[], escaping: EscapingScheme): Uint8Array[] {
    const pairs: Array<readonly [string, string]> = [...this.owner.defaultPairs];
    for (let i = 0; i < this.labelNames.length; i++) pairs.push([this.labelNames[i]!, labelValues[i]!]);
    const out: Uint8Array[] = [];
    for (const extra of this.pbExtras()) {
      if (extra !== null) pairs.push(extra);
      out.push(this.owner.arena.copy(labelPairsBytes(pairs, escaping)));
      if (extra !== null) pairs.pop();
    }
    return out;
  }

  /** @internal The series as they are now, in creation order: what a chunked encode writes, whatever happens to the map meanwhile. */
  snapshot(): S[] {
    return Array.from(this.seriesMap.values());
  }

  /**
   * The family name in the data model: the name its series are queried by
   * (`http_requests_total` for the counter `http_requests`), rules.familyName.
   */
  get familyName(): string {
    return (this.modelName ??= this.textModel ? this.name : modelFamilyName('openmetrics', this.name, this.type));
  }

  /**
   * The metric as a family of the data model. Bounds and quantiles are
   * spelled canonically (`le="1.0"`), as Prometheus 3 stores them and as the
   * parser reads them (rules.normalizeLabelValue). Reads the values as they
   * are: the `collect` callback is run by the set's reads and `refresh()`,
   * not here.
   */
  collect(): MetricFamily {
    const specs = this.getSpecs(!this.textModel);
    const samples: Sample[] = [];
    const defaults = this.owner.defaultPairs;
    for (const s of this.seriesMap.values()) {
      const labelsFor = (extra: LineSpec['extra']): Labels => {
        const l: Labels = {};
        for (const [k, v] of defaults) setLabel(l, k, v);
        for (let i = 0; i < this.labelNames.length; i++) setLabel(l, this.labelNames[i]!, s.labelValues[i]!);
        if (extra !== null) setLabel(l, extra[0], extra[1]);
        return l;
      };
      for (const x of this.samplesOf(s, labelsFor, specs)) samples.push(x);
    }
    return makeFamily({ name: this.familyName, type: this.type, help: this.help, unit: this.unit, samples });
  }

  /**
   * @internal The line prefixes of a series for a scheme and format. The
   * common case (no name to escape, and the same bytes in both formats) is
   * the series' own `lines`, rendered when it was created.
   */
  protected linesFor(s: S, escaping: EscapingScheme, om: boolean): Uint8Array[] {
    const plain = escaping === 'allow-utf-8' || !this.getNeedsEscaping();
    if (plain) {
      if (!om || !this.getOmDiffers()) return s.lines;
      // OpenMetrics spells a bound differently (`1.0`): its own prefixes,
      // rendered on the first OpenMetrics encode and kept in a field.
      return (s.omLines ??= this.render(s.labelValues, 'allow-utf-8', true));
    }
    // An escaped sample name is spelled relative to the family name of the
    // format: text's `my.requests_total` escapes as a whole (`dots`:
    // `my_dot_requests__total`), OpenMetrics' `my.requests` plus `_total`.
    const split = om && (this.getOmDiffers() || this.familyName !== this.name);
    const key = split ? escaping + '/om' : escaping;
    let m = s.escaped;
    if (m === null) m = s.escaped = new Map();
    let lines = m.get(key);
    if (lines === undefined) {
      lines = this.render(s.labelValues, escaping, split);
      m.set(key, lines);
    }
    return lines;
  }

  private getSpecs(om: boolean): LineSpec[] {
    const i = om ? 1 : 0;
    let specs = this.specs[i];
    if (specs === null) specs = this.specs[i] = this.lineSpecs(om);
    return specs;
  }

  /** Whether some line prefix differs between text and OpenMetrics (a bound such as `1` vs `1.0`). */
  private getOmDiffers(): boolean {
    if (this.omDiffers === null) {
      const t = this.getSpecs(false);
      const o = this.getSpecs(true);
      let differs = false;
      for (let i = 0; i < t.length; i++) {
        if (t[i]!.sample !== o[i]!.sample || t[i]!.extra?.[1] !== o[i]!.extra?.[1]) differs = true;
      }
      this.omDiffers = differs;
    }
    return this.omDiffers;
  }

  private getNeedsEscaping(): boolean {
    if (this.needsEscaping === null) {
      let needs = false;
      for (const spec of this.getSpecs(false)) {
        if (!isValidMetricName(spec.sample)) needs = true;
        if (spec.extra !== null && !isValidLabelName(spec.extra[0])) needs = true;
      }
      for (const [k] of this.owner.defaultPairs) if (!isValidLabelName(k)) needs = true;
      for (const k of this.labelNames) if (!isValidLabelName(k)) needs = true;
      this.needsEscaping = needs;
    }
    return this.needsEscaping;
  }

  /** Renders the line prefixes of a series (done once per series, scheme and format). */
  private render(labelValues: readonly string[], escaping: EscapingScheme, om: boolean): Uint8Array[] {
    const pairs: Array<readonly [string, string]> = [...this.owner.defaultPairs];
    for (let i = 0; i < this.labelNames.length; i++) pairs.push([this.labelNames[i]!, labelValues[i]!]);
    const out: Uint8Array[] = [];
    const family = om ? this.name : this.familyName;
    for (const spec of this.getSpecs(om)) {
      if (spec.extra !== null) pairs.push(spec.extra);
      out.push(this.owner.arena.intern(renderPrefix(writtenSampleName(spec.sample, family, escaping), pairs, escaping) + ' '));
      if (spec.extra !== null) pairs.pop();
    }
    return out;
  }

  private newSeries(labelValues: readonly string[]): S {
    const s = this.create(labelValues);
    s.utf8 = this.owner.utf8 === true;
    s.lines = this.render(labelValues, 'allow-utf-8', false);
    return s;
  }

  private labelValuesOf(values: LabelValues<L>): string[] {
    if (values === null || typeof values !== 'object') {
      fail('LABEL_MISMATCH', `expected a label object for ${q(this.name)}, got ${values === null ? 'null' : typeof values}`);
    }
    const names = this.labelNames;
    const out: string[] = new Array<string>(names.length);
    let given = 0;
    for (const k in values) {
      if (Object.hasOwn(values, k)) given++;
    }
    for (let i = 0; i < names.length; i++) {
      // Own properties only: a label named `constructor` is not given by `{}`.
      const v = Object.hasOwn(values, names[i]!) ? (values as Record<string, unknown>)[names[i]!] : undefined;
      if (v === undefined) return this.mismatch(values);
      if (typeof v === 'string') out[i] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') out[i] = String(v);
      else fail('INVALID_ARGUMENT', `expected label ${q(names[i]!)} of ${q(this.name)} to be a string, got ${typeof v}`);
    }
    if (given !== names.length) return this.mismatch(values);
    return out;
  }

  private mismatch(values: object): never {
    fail(
      'LABEL_MISMATCH',
      `expected labels {${this.labelNames.join(', ')}} for ${this.type} ${q(this.name)}, got {${Object.keys(values).join(', ')}}`,
    );
  }
}

const ONE_METRIC: ReadonlyArray<readonly [string, string] | null> = [null];
const NO_EXEMPLARS = { classic: 0, native: 0 } as const;
/** The values the default samplesOf reads from rwValues, copied into its samples before it returns. */
const sampleValues: number[] = [];

/** Map key of a label-value tuple: the value itself for one label, length-prefixed values otherwise. */
function tupleKey(vals: readonly string[]): string {
  if (vals.length === 1) return vals[0]!;
  let key = '';
  for (const v of vals) key += v.length + ':' + v;
  return key;
}

/** A series holding one number, read through `get()` (its field is private to its class). */
export interface ValueSeries extends Series {
  get(): number;
}

/** A metric whose series each write one line: the precomputed prefix, the value, a line feed. */
export abstract class SingleValueMetric<L extends string, S extends ValueSeries> extends Metric<L, S> {
  /** @internal The protobuf message of the value. */
  protected abstract readonly pbKind: ValueKind;

  /** @internal */
  writeProtobuf(w: ProtoWriter, s: S, escaping: EscapingScheme): void {
    writeValueMetric(w, this.pbLabels(s, escaping)[0]!, this.pbKind, s.get());
  }

  /** @internal */
  writeOne(w: ByteWriter, s: S, escaping: EscapingScheme, om: boolean): void {
    w.writeBytes(this.linesFor(s, escaping, om)[0]!);
    w.writeNumber(s.get());
    w.writeByte(LF);
  }

  /** @internal */
  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) {
      w.writeBytes(this.linesFor(s, escaping, om)[0]!);
      w.writeNumber(s.get());
      w.writeByte(LF);
    }
  }

  /** @internal */
  protected rwValues(s: S, out: number[]): number {
    out[0] = s.get();
    return 1;
  }
}
