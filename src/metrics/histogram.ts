import type { EscapingScheme } from '../core/names.js';
import { formatFloat } from '../core/number.js';
import {
  beginHistogram,
  beginMetric,
  writeBucket,
  writeHistogramCount,
  writeHistogramSum,
  writeNativeExemplars,
  writeNativeFields,
  writeOpenMetricsExemplar,
} from '../encode/api.js';
import type { ByteWriter, ProtoWriter } from '../encode/api.js';
import type { Exemplar, Labels, NativeHistogram, Sample } from '../model/index.js';
import { addNativeExemplar, copyExemplar, type ExemplarOptions, makeExemplar } from './exemplar.js';
import { canonicalBound } from '../model/rules.js';
import { checkCounterValue, checkValue, type Definition, fail, type LabelValues, q } from './definition.js';
import { startTimer } from './timer.js';
import { LF, type LineSpec, Metric, type MetricOwner, Series } from './metric.js';
import { NATIVE_SCRATCH } from '../model/native-buckets.js';
import { type NativeConfig, NativeState } from './native.js';

/** The longest delay setTimeout honours (2^31 - 1 ms); a longer one fires after 1 ms. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A bucket bound or quantile as a format spells it: OpenMetrics 1.0 requires
 * canonical numbers (`1.0`, `1e-05`; rules.canonicalBound, Prometheus 3's
 * FormatOpenMetricsFloat, as client_python writes them); text 0.0.4 keeps
 * Go's FormatFloat 'g' (`1`), as client_golang writes it.
 */
export function boundLabel(v: number, om: boolean): string {
  return om ? canonicalBound(v) : formatFloat(v);
}

export class HistogramSeries extends Series {
  /** @internal Upper bounds without +Inf (shared by the metric's series). */
  readonly bounds: readonly number[];
  /** @internal Non-cumulative counts; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  /** @internal */ sum = 0;
  /** @internal */ count = 0;
  /** @internal The native buckets, when the histogram has them. */
  readonly native: NativeState | null;
  /** @internal The last exemplar of each classic bucket (+Inf last), allocated on the first one. */
  exemplars: Array<Exemplar | undefined> | null = null;
  /** @internal A native histogram's exemplars (exemplar.ts addNativeExemplar), allocated on the first one. */
  nativeExemplars: Exemplar[] | null = null;

  constructor(labelValues: readonly string[], metric: string, bounds: readonly number[], native: NativeConfig | null = null) {
    super(labelValues, metric);
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
    this.native = native === null ? null : new NativeState(native);
  }

  /**
   * Records an observation: the first bucket whose bound is >= v (`le` is
   * inclusive), the sum and the count. NaN goes to the +Inf bucket and makes
   * the sum NaN, as in client_golang. (A native histogram's series are
   * NativeHistogramSeries, with their own observe: this one stays small
   * enough for V8 to inline into the caller.)
   */
  observe(v: number): void {
    checkValue(v, 'observe()', this.metric);
    this.counts[this.classicIndex(v)]!++;
    this.sum += v;
    this.count++;
  }

  /** @internal */
  protected classicIndex(v: number): number {
    const b = this.bounds;
    let i = 0;
    if (b.length <= 16) {
      while (i < b.length && !(v <= b[i]!)) i++;
    } else {
      let lo = 0;
      let hi = b.length;
      if (v !== v) lo = hi;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v <= b[mid]!) hi = mid;
        else lo = mid + 1;
      }
      i = lo;
    }
    return i;
  }

  /**
   * Observes `v` and records `exemplar` with `v` as its value
   * (client_golang ObserveWithExemplar): as the last exemplar of the classic
   * bucket `v` falls in, and for a native histogram in its exemplar list
   * (at most 10, spread over the values, as client_golang keeps them; not
   * for NaN). A native-only histogram keeps no classic exemplar (client_golang
   * would write a `+Inf` bucket for it in protobuf). The labels, names and
   * values together, may hold at most 128 characters (OpenMetrics 1.0), else
   * INVALID_EXEMPLAR and nothing is observed.
   */
  observeWithExemplar(v: number, exemplar: ExemplarOptions): void {
    checkValue(v, 'observeWithExemplar()', this.metric);
    const e = makeExemplar(v, exemplar, this.metric, this.utf8);
    this.observe(v);
    if (this.native === null || this.bounds.length > 0) {
      const ex = (this.exemplars ??= new Array<Exemplar | undefined>(this.counts.length));
      ex[this.classicIndex(v)] = e;
    }
    if (this.native !== null && v === v) addNativeExemplar((this.nativeExemplars ??= []), e);
  }

  /**
   * client_golang limitBuckets, run when the native buckets exceed
   * maxBuckets: reset the series if minResetDuration has passed since the
   * last reset (maybeReset, keeping the observation that overflowed), else
   * schedule a reset for then, and widen the zero bucket
   * (maybeWidenZeroBucket) or, failing that, halve the resolution
   * (doubleBucketWidth). One step per observation, as in client_golang.
   */
  /** @internal */
  protected limitBuckets(nat: NativeState, v: number, classic: number): void {
    const wait = nat.cfg.minResetDuration;
    if (wait > 0 && !nat.resetScheduled) {
      const now = nat.cfg.now();
      if (now - nat.lastResetTime >= wait) {
        this.resetCounts(nat);
        this.counts[classic]!++;
        this.sum = v;
        this.count = 1;
        nat.add(v);
        nat.lastResetTime = nat.cfg.now();
        return;
      }
      // client_golang arms a timer (afterFunc) for lastResetTime + minResetDuration.
      nat.resetScheduled = true;
      nat.resetAt = nat.lastResetTime + wait;
      if (nat.cfg.manualClock) nat.pollClock = true;
      else this.armTimer(nat, nat.resetAt - now);
    }
    if (nat.maybeWidenZeroBucket()) return;
    nat.doubleBucketWidth();
  }

  /**
   * client_golang's reset timer (afterFunc(..., h.reset)): the series
   * starts over (classic buckets included) when it fires. Unref'd where the
   * runtime allows (Node, Bun), so it never keeps a process alive.
   * setTimeout runs a delay over 2^31 - 1 ms (~24.8 days) after 1 ms (Node's
   * TimeoutOverflowWarning, browsers alike), so the delay is capped there
   * and the timer, when it fires, re-arms itself until the clock has
   * reached resetAt.
   */
  private armTimer(nat: NativeState, delay: number): void {
    const t = setTimeout(
      () => {
        if (!nat.resetScheduled) return;
        const left = nat.resetAt - nat.cfg.now();
        if (left > 0) {
          this.armTimer(nat, left);
          return;
        }
        this.resetCounts(nat);
        nat.lastResetTime = nat.cfg.now();
        nat.resetScheduled = false;
      },
      Math.min(Math.max(delay, 0), MAX_TIMEOUT_MS),
    );
    (t as { unref?: () => void }).unref?.();
  }

  /**
   * The reset timer on a manual clock: applied before the next observation
   * or read once the clock has reached the scheduled time, with that time
   * as the reset's, so the result is the one the timer gives.
   */
  /** @internal */
  protected applyDueReset(nat: NativeState): void {
    if (nat.cfg.now() < nat.resetAt) return;
    this.resetCounts(nat);
    nat.lastResetTime = nat.resetAt;
    nat.resetScheduled = false;
    nat.pollClock = false;
  }

  /** client_golang resetCounts: everything back to zero, native settings to their initial values. */
  private resetCounts(nat: NativeState): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    nat.clear();
  }

  /** @internal Brings a native series up to date before it is read (a reset may be due). */
  sync(): void {
    const nat = this.native;
    if (nat?.pollClock) this.applyDueReset(nat);
  }

  /**
   * The series' native histogram as the data model holds it (schema, zero
   * bucket, spans and absolute counts, as client_golang's Write builds
   * them), or undefined when the histogram has no native buckets. A fresh
   * object each call.
   */
  nativeSnapshot(): NativeHistogram | undefined {
    const nat = this.native;
    if (nat === null) return undefined;
    this.sync();
    return nat.snapshot(this.count, this.sum);
  }

  /** Sets the whole state at once (exporters mirroring an external histogram). */
  set(state: Readonly<{ buckets: readonly number[]; sum: number; cumulative?: boolean }>): void {
    if (this.native !== null) {
      fail('INVALID_ARGUMENT', `set() mirrors a classic histogram; ${q(this.metric)} has native buckets, which only observe() fills`);
    }
    const n = this.counts.length;
    const given = state.buckets;
    if (!Array.isArray(given) || (given.length !== n && given.length !== n - 1)) {
      fail(
        'INVALID_ARGUMENT',
        `expected ${n - 1} or ${n} bucket counts (the bounds, then optionally +Inf), got ${Array.isArray(given) ? given.length : typeof given}`,
      );
    }
    checkValue(state.sum, 'set().sum', this.metric);
    const counts = new Float64Array(n);
    let prev = 0;
    let total = 0;
    for (let i = 0; i < given.length; i++) {
      const c = checkCounterValue(given[i], 'a bucket count', this.metric);
      if (state.cumulative === true) {
        if (c < prev) fail('INVALID_ARGUMENT', `cumulative bucket counts must not decrease, got ${prev} then ${c}`);
        counts[i] = c - prev;
        prev = c;
        total = c;
      } else {
        counts[i] = c;
        total += c;
      }
    }
    this.counts.set(counts);
    this.sum = state.sum;
    this.count = total;
  }

  /** Starts a timer: the returned function observes the seconds elapsed since this call and returns them. */
  startTimer(): () => number {
    return startTimer((seconds) => this.observe(seconds));
  }

  /** Number of observations. */
  getCount(): number {
    this.sync();
    return this.count;
  }

  /** Sum of observations. */
  getSum(): number {
    this.sync();
    return this.sum;
  }
}

/**
 * The series of a histogram with native buckets: the classic part (when
 * there are classic buckets; the +Inf slot otherwise), then the native one
 * (NativeState), then client_golang's limitBuckets when the buckets exceed
 * maxBuckets. NaN is counted in no native bucket (client_golang: "Do not add
 * to sparse buckets for NaN observations").
 */
export class NativeHistogramSeries extends HistogramSeries {
  declare readonly native: NativeState;

  constructor(labelValues: readonly string[], metric: string, bounds: readonly number[], native: NativeConfig) {
    super(labelValues, metric, bounds, native);
  }

  override observe(v: number): void {
    if (typeof v !== 'number') checkValue(v, 'observe()', this.metric);
    const nat = this.native;
    if (nat.pollClock) this.applyDueReset(nat);
    // Native-only: no classic search (its code then stays out of this function's optimized code).
    const i = this.bounds.length === 0 ? 0 : this.classicIndex(v);
    this.counts[i]!++;
    this.sum += v;
    this.count++;
    if (v === v) {
      // The value travels in a scratch float, not as an argument (NativeState.addScratch).
      NATIVE_SCRATCH[0] = v;
      if (nat.addScratch()) this.limitBuckets(nat, v, i);
    }
  }
}

export class Histogram<L extends string = never> extends Metric<L, HistogramSeries> {
  readonly type = 'histogram' as const;
  /** Upper bounds, without +Inf. */
  readonly buckets: readonly number[];

  /** The native settings (schema picked from the bucket factor), or null for a classic-only histogram. */
  readonly native: Readonly<NativeConfig> | null;
  /**
   * Whether the series carry classic buckets: always without native
   * buckets; with them, only when `buckets` were given (client_golang
   * writes no classic bucket then, not even `+Inf`).
   */
  readonly classic: boolean;

  /** @internal Whether any bound is negative (OpenMetrics then forbids a sum). */
  readonly negativeBounds: boolean;

  constructor(owner: MetricOwner, d: Definition<L>, buckets: number[], native: NativeConfig | null = null) {
    super(owner, d);
    this.buckets = buckets;
    this.native = native;
    this.classic = native === null || buckets.length > 0;
    this.negativeBounds = buckets.some((b) => b < 0);
  }

  observe(v: number): void {
    this.only().observe(v);
  }

  /**
   * Starts a timer (prom-client `startTimer`): the returned function observes
   * the seconds elapsed since this call, in the series of the labels given
   * here and to it (merged, the end's win), and returns them.
   */
  startTimer(labels?: Partial<LabelValues<L>>): (labels?: Partial<LabelValues<L>>) => number {
    return this.timer(labels, observeSeries);
  }

  /** `observeWithExemplar` on the unlabelled histogram. */
  observeWithExemplar(v: number, exemplar: ExemplarOptions): void {
    this.only().observeWithExemplar(v, exemplar);
  }

  set(state: Readonly<{ buckets: readonly number[]; sum: number; cumulative?: boolean }>): void {
    this.only().set(state);
  }

  /** @internal */
  protected lineSpecs(om: boolean): LineSpec[] {
    const bucket = this.name + '_bucket';
    const specs: LineSpec[] = this.buckets.map((b) => ({ sample: bucket, extra: ['le', boundLabel(b, om)] as const }));
    specs.push({ sample: bucket, extra: ['le', '+Inf'] });
    specs.push({ sample: this.name + '_sum', extra: null });
    specs.push({ sample: this.name + '_count', extra: null });
    return specs;
  }

  /** @internal */
  protected create(labelValues: readonly string[]): HistogramSeries {
    const native = this.native;
    return native === null
      ? new HistogramSeries(labelValues, this.name, this.buckets)
      : new NativeHistogramSeries(labelValues, this.name, this.buckets, native);
  }

  /** @internal */
  writeOne(w: ByteWriter, s: HistogramSeries, escaping: EscapingScheme, om: boolean): void {
    // Text 0.0.4 and OpenMetrics 1.0 have no native histograms: the classic
    // lines, or for a native-only histogram a +Inf bucket holding the count,
    // _sum and _count, as client_golang's expfmt writes a histogram without
    // buckets (text_create.go, openmetrics_create.go: the +Inf bucket is
    // added when missing). encode(collect()) writes the same bytes.
    s.sync();
    const lines = this.linesFor(s, escaping, om);
    const counts = s.counts;
    const n = counts.length;
    // OpenMetrics 1.0: exemplars on `_bucket` samples (text 0.0.4 has none).
    const ex = om ? s.exemplars : null;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += counts[i]!;
      w.writeBytes(lines[i]!);
      w.writeNumber(acc);
      if (ex !== null && ex[i] !== undefined) writeOpenMetricsExemplar(w, ex[i]!, escaping);
      w.writeByte(LF);
    }
    // OpenMetrics: no sum (and so no count) with negative bounds or a
    // negative or NaN sum; see encoder.ts withoutUncountableSums.
    if (om && (this.negativeBounds || !(s.sum >= 0))) return;
    w.writeBytes(lines[n]!);
    w.writeNumber(s.sum);
    w.writeByte(LF);
    w.writeBytes(lines[n + 1]!);
    w.writeNumber(s.count);
    w.writeByte(LF);
  }

  /**
   * @internal One Histogram message: count and sum (the native
   * histogram's when there is one), the classic buckets without `+Inf`
   * (client_golang leaves it out; it equals the count), the native part.
   */
  writeProtobuf(w: ProtoWriter, s: HistogramSeries, escaping: EscapingScheme): void {
    const start = beginMetric(w, this.pbLabels(s, escaping)[0]!);
    const hs = beginHistogram(w);
    const h = s.nativeSnapshot();
    const count = h !== undefined ? h.count : s.count;
    writeHistogramCount(w, count, h !== undefined && h.kind === 'float');
    writeHistogramSum(w, h !== undefined ? h.sum : s.sum);
    const counts = s.counts;
    const bounds = this.buckets;
    const ex = s.exemplars;
    let acc = 0;
    for (let i = 0; i < bounds.length; i++) {
      acc += counts[i]!;
      writeBucket(w, bounds[i]!, acc, ex?.[i], escaping);
    }
    acc += counts[bounds.length]!;
    // The +Inf bucket also when it has an exemplar (client_golang Write: "we have to add that bucket explicitly").
    const inf = ex?.[bounds.length];
    if (acc !== count || inf !== undefined) writeBucket(w, Infinity, acc, inf, escaping);
    if (h !== undefined) {
      // The kind the count above was written in (a MetricSet's histograms are integer ones).
      writeNativeFields(w, h, h.kind === 'float');
      if (s.nativeExemplars !== null) writeNativeExemplars(w, s.nativeExemplars, escaping);
    }
    w.endLength(hs, 2);
    w.endLength(start, 2);
  }

  /** @internal */
  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  /** @internal Line i < buckets + 1: that bucket's exemplar; the native line: the native list. */
  protected override rwExemplars(s: HistogramSeries, line: number): Exemplar | readonly Exemplar[] | null {
    if (line < s.counts.length) return s.exemplars?.[line] ?? null;
    return line === s.counts.length + 2 ? s.nativeExemplars : null;
  }

  /** @internal */
  override exemplarCount(): { classic: number; native: number } {
    let classic = 0;
    let native = 0;
    for (const s of this.seriesMap.values()) {
      if (s.exemplars !== null) for (const e of s.exemplars) if (e !== undefined) classic++;
      if (s.nativeExemplars !== null) native += s.nativeExemplars.length;
    }
    return { classic, native };
  }

  /** @internal */
  protected override rwNative(s: HistogramSeries): NativeHistogram | undefined {
    return s.nativeSnapshot();
  }

  /** @internal The classic samples, read after rwNative (as samplesOf reads them after the snapshot, which may apply a due reset). */
  protected rwValues(s: HistogramSeries, out: number[]): number {
    if (!this.classic) return 0;
    const counts = s.counts;
    const n = counts.length;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += counts[i]!;
      out[i] = acc;
    }
    out[n] = s.sum;
    out[n + 1] = s.count;
    return n + 2;
  }

  /** @internal */
  protected override samplesOf(s: HistogramSeries, labelsFor: (e: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[] {
    const out: Sample[] = [];
    const native = s.nativeSnapshot();
    // The native sample first, then the classic series, as Prometheus'
    // protobuf parser yields a histogram that has both.
    if (native !== undefined) {
      const x: Sample = { name: this.name, labels: labelsFor(null), value: native, timestamp: null };
      if (s.nativeExemplars !== null && s.nativeExemplars.length > 0) x.exemplars = s.nativeExemplars.map(copyExemplar);
      out.push(x);
    }
    if (!this.classic) return out;
    let acc = 0;
    const n = s.counts.length;
    const ex = s.exemplars;
    for (let i = 0; i < n; i++) {
      acc += s.counts[i]!;
      const x: Sample = { name: specs[i]!.sample, labels: labelsFor(specs[i]!.extra), value: acc, timestamp: null };
      if (ex !== null && ex[i] !== undefined) x.exemplars = [copyExemplar(ex[i]!)];
      out.push(x);
    }
    out.push({ name: specs[n]!.sample, labels: labelsFor(null), value: s.sum, timestamp: null });
    out.push({ name: specs[n + 1]!.sample, labels: labelsFor(null), value: s.count, timestamp: null });
    return out;
  }
}

const observeSeries = (s: HistogramSeries, v: number): void => s.observe(v);
