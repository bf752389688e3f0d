import type { EscapingScheme } from '../core/names.js';
import { beginMetric, SUMMARY_COUNT_LOSS, writeSummaryMessage } from '../encode/api.js';
import type { ByteWriter, Losses, ProtoWriter } from '../encode/api.js';
import { checkCounterValue, checkValue, type Definition, fail, type LabelValues, q } from './definition.js';
import { startTimer } from './timer.js';
import { boundLabel } from './histogram.js';
import { LF, type LineSpec, Metric, type MetricOwner, Series } from './metric.js';
import { type QuantileConfig, QuantileEstimator, type SlidingQuantiles } from './quantiles.js';

export class SummarySeries extends Series {
  /** @internal The metric's quantiles. */
  readonly quantiles: readonly number[];
  /** @internal Quantile values: NaN until set or observed; for an observed series, as of the last read (call `quantileValues()`). */
  readonly values: Float64Array;
  /** @internal */ sum = 0;
  /** @internal */ count = 0;
  /** @internal The metric's estimator; null without quantiles. */
  private readonly estimator: QuantileEstimator | null;
  /** @internal This series' window, made on its first observation. */
  window: SlidingQuantiles | null = null;
  /** The quantile values are the caller's (set() gave them): observations no longer reach an estimator. */
  private bridged = false;

  constructor(labelValues: readonly string[], metric: string, quantiles: readonly number[], estimator: QuantileEstimator | null) {
    super(labelValues, metric);
    this.quantiles = quantiles;
    this.values = new Float64Array(quantiles.length).fill(NaN);
    this.estimator = estimator;
  }

  /**
   * Adds an observation to the sum and count and, when the summary has
   * quantiles, to the sliding window they are estimated over (a NaN counts
   * in `_count` and `_sum` but has no rank). On a series whose quantiles
   * were `set()`, only to the sum and count.
   */
  observe(v: number): void {
    this.sum += checkValue(v, 'observe()', this.metric);
    this.count++;
    let w = this.window;
    if (w === null) {
      if (this.estimator === null || this.bridged) return;
      w = this.window = this.estimator.window();
    }
    w.observe(v);
  }

  /**
   * Sets any of: the quantile values (in the metric's quantile order, or
   * keyed by quantile), the sum, the count. For exporters that bridge
   * precomputed quantiles: setting quantile values turns the series' estimator
   * off for good (its window is released, and `observe()` then adds to the
   * sum and count only), so the values written are the caller's until the
   * series is removed or reset. A quantile left out stays as it was (NaN
   * unless set before).
   */
  set(state: Readonly<{ quantiles?: readonly number[] | Readonly<Record<string, number>>; sum?: number; count?: number }>): void {
    const qv = state.quantiles;
    if (qv !== undefined) {
      // Checked whole before anything changes: a refused set() leaves the series as it was.
      const next = this.bridged ? Float64Array.from(this.values) : new Float64Array(this.values.length).fill(NaN);
      if (Array.isArray(qv)) {
        if (qv.length !== this.quantiles.length) {
          fail('INVALID_ARGUMENT', `expected ${this.quantiles.length} quantile values, got ${qv.length}`);
        }
        for (let i = 0; i < qv.length; i++) next[i] = checkValue(qv[i], 'a quantile value', this.metric);
      } else {
        for (const k of Object.keys(qv)) {
          const i = this.quantiles.indexOf(Number(k));
          if (i < 0) fail('INVALID_ARGUMENT', `quantile ${k} is not one of [${this.quantiles.join(', ')}] of ${q(this.metric)}`);
          next[i] = checkValue((qv as Record<string, number>)[k], 'a quantile value', this.metric);
        }
      }
      this.values.set(next);
      this.window = null;
      this.bridged = true;
    }
    if (state.sum !== undefined) this.sum = checkValue(state.sum, 'sum', this.metric);
    if (state.count !== undefined) this.count = checkCounterValue(state.count, 'count', this.metric);
  }

  /**
   * The quantile values now, in the metric's quantile order: the
   * estimator's over the current window (NaN while it is empty), or the
   * ones set. What an encode at this moment writes.
   */
  quantileValues(): number[] {
    return Array.from(this.current());
  }

  /**
   * @internal The quantile values, read from the window when it has one
   * (every encode path reads them here, once per series: the window merges
   * its buffer and queries the head stream only when something changed).
   */
  current(): Float64Array {
    const w = this.window;
    if (w !== null) w.read(this.values);
    return this.values;
  }

  /** Starts a timer: the returned function observes the seconds elapsed since this call and returns them. */
  startTimer(): () => number {
    return startTimer((seconds) => this.observe(seconds));
  }

  getCount(): number {
    return this.count;
  }

  getSum(): number {
    return this.sum;
  }
}

export class Summary<L extends string = never> extends Metric<L, SummarySeries> {
  readonly type = 'summary' as const;
  readonly quantiles: readonly number[];

  /** Each quantile's allowed rank error (see SummaryOptions), in `quantiles` order. */
  readonly errors: readonly number[];
  /** @internal */
  private readonly estimator: QuantileEstimator | null;

  constructor(owner: MetricOwner, d: Definition<L>, cfg: QuantileConfig | null) {
    super(owner, d);
    this.quantiles = cfg === null ? [] : cfg.quantiles;
    this.errors = cfg === null ? [] : cfg.errors;
    this.estimator = cfg === null ? null : new QuantileEstimator(cfg);
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

  set(state: Parameters<SummarySeries['set']>[0]): void {
    this.only().set(state);
  }

  /** @internal */
  protected lineSpecs(om: boolean): LineSpec[] {
    const specs: LineSpec[] = this.quantiles.map((x) => ({ sample: this.name, extra: ['quantile', boundLabel(x, om)] as const }));
    specs.push({ sample: this.name + '_sum', extra: null });
    specs.push({ sample: this.name + '_count', extra: null });
    return specs;
  }

  /** @internal */
  protected create(labelValues: readonly string[]): SummarySeries {
    return new SummarySeries(labelValues, this.name, this.quantiles, this.estimator);
  }

  /** @internal */
  writeOne(w: ByteWriter, s: SummarySeries, escaping: EscapingScheme, om: boolean): void {
    const lines = this.linesFor(s, escaping, om);
    const values = s.current();
    const n = values.length;
    for (let i = 0; i < n; i++) {
      w.writeBytes(lines[i]!);
      w.writeNumber(values[i]!);
      w.writeByte(LF);
    }
    w.writeBytes(lines[n]!);
    w.writeNumber(s.sum);
    w.writeByte(LF);
    w.writeBytes(lines[n + 1]!);
    w.writeNumber(s.count);
    w.writeByte(LF);
  }

  /** @internal One Summary message: count, sum, quantiles (expfmt's model of a summary). */
  writeProtobuf(w: ProtoWriter, s: SummarySeries, escaping: EscapingScheme, losses: Losses): void {
    const start = beginMetric(w, this.pbLabels(s, escaping)[0]!);
    if (!writeSummaryMessage(w, s.count, s.sum, this.quantiles, s.current())) losses.add(SUMMARY_COUNT_LOSS);
    w.endLength(start, 2);
  }

  /** @internal */
  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  /** @internal */
  protected rwValues(s: SummarySeries, out: number[]): number {
    const v = s.current();
    const n = v.length;
    for (let i = 0; i < n; i++) out[i] = v[i]!;
    out[n] = s.sum;
    out[n + 1] = s.count;
    return n + 2;
  }
}

const observeSeries = (s: SummarySeries, v: number): void => s.observe(v);
