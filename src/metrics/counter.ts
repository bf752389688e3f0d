import { checkCounterValue } from './definition.js';
import { type LineSpec, Series, SingleValueMetric } from './metric.js';

/**
 * A counter series. Its value is a private field: only `inc()` and `set()`
 * change it, and both refuse a negative or NaN value (OpenMetrics: counter
 * values MUST NOT be negative or NaN).
 */
export class CounterSeries extends Series {
  #value = 0;

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
}
