import type { EscapingScheme } from '../core/names.js';
import { type ByteWriter, type ProtoWriter, writeCounterWithExemplar, writeOpenMetricsExemplar } from '../encode/api.js';
import type { Exemplar, Labels, Sample } from '../model/index.js';
import { checkCounterValue } from './definition.js';
import { copyExemplar, type ExemplarOptions, makeExemplar } from './exemplar.js';
import { LF, type LineSpec, Series, SingleValueMetric } from './metric.js';

/**
 * A counter series. Its value is a private field: only `inc()` and `set()`
 * change it, and both refuse a negative or NaN value (OpenMetrics: counter
 * values MUST NOT be negative or NaN).
 */
export class CounterSeries extends Series {
  #value = 0;
  /** @internal The last exemplar recorded, or null. */
  exemplar: Exemplar | null = null;

  /** Adds `v` (default 1); v must be a non-negative number. */
  inc(v = 1): void {
    this.#value += checkCounterValue(v, 'inc()', this.metric);
  }

  /** Sets the value, for exporters mirroring an external counter (non-negative). */
  set(v: number): void {
    this.#value = checkCounterValue(v, 'set()', this.metric);
  }

  get(): number {
    return this.#value;
  }

  /**
   * Adds `v` and keeps `exemplar` as the counter's exemplar, with `v` as its
   * value (client_golang AddWithExemplar: the last one is kept). The
   * exemplar's labels, names and values together, may hold at most 128
   * characters (OpenMetrics 1.0), else INVALID_EXEMPLAR and nothing is
   * added.
   */
  incWithExemplar(v: number, exemplar: ExemplarOptions): void {
    const n = checkCounterValue(v, 'incWithExemplar()', this.metric);
    this.exemplar = makeExemplar(n, exemplar, this.metric, this.utf8);
    this.#value += n;
  }
}

/**
 * A counter `foo`: series `foo_total` in both formats (family `foo_total` in
 * the model and text, `foo` in OpenMetrics); with `counterSuffix:
 * 'as-given'`, series and family `foo` except in OpenMetrics.
 */
export class Counter<L extends string = never> extends SingleValueMetric<L, CounterSeries> {
  readonly type = 'counter' as const;
  /** @internal */ protected readonly pbKind = 'counter' as const;

  /** Adds to the unlabelled counter. */
  inc(v = 1): void {
    this.only().inc(v);
  }

  /** Sets the unlabelled counter. */
  set(v: number): void {
    this.only().set(v);
  }

  /** `incWithExemplar` on the unlabelled counter. */
  incWithExemplar(v: number, exemplar: ExemplarOptions): void {
    this.only().incWithExemplar(v, exemplar);
  }

  /** The unlabelled counter's value. */
  get(): number {
    return this.only().get();
  }

  /** @internal */
  protected lineSpecs(om: boolean): LineSpec[] {
    // counterSuffix 'as-given': the name as given in text 0.0.4 (prom-client);
    // OpenMetrics 1.0 "Counter" requires the `_total` sample.
    return [{ sample: this.textModel && !om ? this.name : this.name + '_total', extra: null }];
  }

  /** @internal */
  protected create(labelValues: readonly string[]): CounterSeries {
    return new CounterSeries(labelValues, this.name);
  }

  /** @internal The value line, then in OpenMetrics the exemplar (OpenMetrics 1.0: on the `_total` sample). */
  override writeOne(w: ByteWriter, s: CounterSeries, escaping: EscapingScheme, om: boolean): void {
    w.writeBytes(this.linesFor(s, escaping, om)[0]!);
    w.writeNumber(s.get());
    if (om && s.exemplar !== null) writeOpenMetricsExemplar(w, s.exemplar, escaping);
    w.writeByte(LF);
  }

  /** @internal */
  override writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  /** @internal `Counter.exemplar` when there is one. */
  override writeProtobuf(w: ProtoWriter, s: CounterSeries, escaping: EscapingScheme): void {
    const e = s.exemplar;
    if (e === null) super.writeProtobuf(w, s, escaping);
    else writeCounterWithExemplar(w, this.pbLabels(s, escaping)[0]!, s.get(), e, escaping);
  }

  /** @internal */
  protected override samplesOf(s: CounterSeries, labelsFor: (e: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[] {
    const out = super.samplesOf(s, labelsFor, specs);
    if (s.exemplar !== null) out[0]!.exemplars = [copyExemplar(s.exemplar)];
    return out;
  }

  /** @internal */
  protected override rwExemplars(s: CounterSeries, line: number): Exemplar | readonly Exemplar[] | null {
    return line === 0 ? s.exemplar : null;
  }

  /** @internal */
  override exemplarCount(): { classic: number; native: number } {
    let n = 0;
    for (const s of this.seriesMap.values()) if (s.exemplar !== null) n++;
    return { classic: n, native: 0 };
  }
}
