import { checkValue, type LabelValues } from './definition.js';
import { type LineSpec, Series, SingleValueMetric } from './metric.js';
import { startTimer } from './timer.js';

const setSeries = (s: GaugeSeries, v: number): void => s.set(v);

/** A gauge series; its value is private, changed only through the checked methods. */
export class GaugeSeries extends Series {
  #value = 0;

  set(v: number): void {
    this.#value = checkValue(v, 'set()', this.metric);
  }

  inc(v = 1): void {
    this.#value += checkValue(v, 'inc()', this.metric);
  }

  dec(v = 1): void {
    this.#value -= checkValue(v, 'dec()', this.metric);
  }

  /** Sets the value to the current Unix time in seconds. */
  setToCurrentTime(): void {
    this.#value = Date.now() / 1000;
  }

  get(): number {
    return this.#value;
  }

  /** Starts a timer: the returned function sets the gauge to the seconds elapsed since this call and returns them. */
  startTimer(): () => number {
    return startTimer((seconds) => this.set(seconds));
  }
}

export class Gauge<L extends string = never> extends SingleValueMetric<L, GaugeSeries> {
  readonly type = 'gauge' as const;
  /** @internal */ protected readonly pbKind = 'gauge' as const;

  set(v: number): void {
    this.only().set(v);
  }

  inc(v = 1): void {
    this.only().inc(v);
  }

  dec(v = 1): void {
    this.only().dec(v);
  }

  setToCurrentTime(): void {
    this.only().setToCurrentTime();
  }

  /**
   * Starts a timer (prom-client `startTimer`): the returned function sets the gauge to
   * the seconds elapsed since this call, in the series of the labels given
   * here and to it (merged, the end's win), and returns them.
   */
  startTimer(labels?: Partial<LabelValues<L>>): (labels?: Partial<LabelValues<L>>) => number {
    return this.timer(labels, setSeries);
  }

  get(): number {
    return this.only().get();
  }

  /** @internal */
  protected lineSpecs(): LineSpec[] {
    return [{ sample: this.name, extra: null }];
  }

  /** @internal */
  protected create(labelValues: readonly string[]): GaugeSeries {
    return new GaugeSeries(labelValues, this.name);
  }
}
