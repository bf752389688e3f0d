import type { EscapingScheme } from '../core/names.js';
import { beginMetric, SUMMARY_COUNT_LOSS, writeSummaryMessage } from '../encode/api.js';
import type { ByteWriter, Losses, ProtoWriter } from '../encode/api.js';
import type { Labels, Sample } from '../model/index.js';
import { checkCounterValue, checkValue, type Definition, fail, type LabelValues, q } from './definition.js';
import { clockMs, secondsSince } from './timer.js';
import { boundLabel } from './histogram.js';
import { LF, type LineSpec, Metric, type MetricOwner, Series } from './metric.js';

export class SummarySeries extends Series {
  /** @internal The metric's quantiles. */
  readonly quantiles: readonly number[];
  /** @internal Quantile values, NaN until set. */
  readonly values: Float64Array;
  /** @internal */ sum = 0;
  /** @internal */ count = 0;

  constructor(labelValues: readonly string[], metric: string, quantiles: readonly number[]) {
    super(labelValues, metric);
    this.quantiles = quantiles;
    this.values = new Float64Array(quantiles.length).fill(NaN);
  }

  /** Adds an observation to the sum and count (quantile values are the caller's to set). */
  observe(v: number): void {
    this.sum += checkValue(v, 'observe()', this.metric);
    this.count++;
  }

  /**
   * Sets any of: the quantile values (in the metric's quantile order, or
   * keyed by quantile), the sum, the count.
   */
  set(state: Readonly<{ quantiles?: readonly number[] | Readonly<Record<string, number>>; sum?: number; count?: number }>): void {
    const qv = state.quantiles;
    if (qv !== undefined) {
      if (Array.isArray(qv)) {
        if (qv.length !== this.quantiles.length) {
          fail('INVALID_ARGUMENT', `expected ${this.quantiles.length} quantile values, got ${qv.length}`);
        }
        for (let i = 0; i < qv.length; i++) this.values[i] = checkValue(qv[i], 'a quantile value', this.metric);
      } else {
        for (const k of Object.keys(qv)) {
          const i = this.quantiles.indexOf(Number(k));
          if (i < 0) fail('INVALID_ARGUMENT', `quantile ${k} is not one of [${this.quantiles.join(', ')}] of ${q(this.metric)}`);
          this.values[i] = checkValue((qv as Record<string, number>)[k], 'a quantile value', this.metric);
        }
      }
    }
    if (state.sum !== undefined) this.sum = checkValue(state.sum, 'sum', this.metric);
    if (state.count !== undefined) this.count = checkCounterValue(state.count, 'count', this.metric);
  }

  /** Starts a timer: the returned function observes the seconds elapsed since this call and returns them. */
  startTimer(): () => number {
    const t0 = clockMs();
    return () => {
      const seconds = secondsSince(t0);
      this.observe(seconds);
      return seconds;
    };
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

  constructor(owner: MetricOwner, d: Definition<L>, quantiles: number[]) {
    super(owner, d);
    this.quantiles = quantiles;
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
    return new SummarySeries(labelValues, this.name, this.quantiles);
  }

  /** @internal */
  writeOne(w: ByteWriter, s: SummarySeries, escaping: EscapingScheme, om: boolean): void {
    const lines = this.linesFor(s, escaping, om);
    const n = s.values.length;
    for (let i = 0; i < n; i++) {
      w.writeBytes(lines[i]!);
      w.writeNumber(s.values[i]!);
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
    if (!writeSummaryMessage(w, s.count, s.sum, this.quantiles, s.values)) losses.add(SUMMARY_COUNT_LOSS);
    w.endLength(start, 2);
  }

  /** @internal */
  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  /** @internal */
  protected rwValues(s: SummarySeries, out: number[]): number {
    const v = s.values;
    const n = v.length;
    for (let i = 0; i < n; i++) out[i] = v[i]!;
    out[n] = s.sum;
    out[n + 1] = s.count;
    return n + 2;
  }

  /** @internal */
  protected samplesOf(s: SummarySeries, labelsFor: (e: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[] {
    const out: Sample[] = [];
    const n = s.values.length;
    for (let i = 0; i < n; i++) {
      out.push({ name: specs[i]!.sample, labels: labelsFor(specs[i]!.extra), value: s.values[i]!, timestamp: null });
    }
    out.push({ name: specs[n]!.sample, labels: labelsFor(null), value: s.sum, timestamp: null });
    out.push({ name: specs[n + 1]!.sample, labels: labelsFor(null), value: s.count, timestamp: null });
    return out;
  }
}

const observeSeries = (s: SummarySeries, v: number): void => s.observe(v);
