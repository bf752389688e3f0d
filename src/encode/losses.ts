/**
 * What a format conversion loses, said instead of dropped silently: each
 * encoder gathers the losses of a family while it writes it and reports
 * each kind once, with how many samples it touched, through the caller's
 * `onWarning`.
 */

/** Told what a conversion loses. */
export type WarningSink = ((message: string) => void) | undefined;

/**
 * The losses of one family, gathered while it is written and reported once
 * per kind (with how many samples it touched) when the family is done.
 */
export class Losses {
  private readonly counts = new Map<string, number>();

  /** Records a loss touching `n` samples (0: a loss of the family itself, reported without a count). */
  add(what: string, n = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }

  /** Reports each loss of `family` to `sink` and forgets them. */
  flush(family: string, sink: WarningSink): void {
    if (this.counts.size === 0) return;
    if (sink !== undefined) {
      for (const [what, n] of this.counts) sink(lossMessage(family, what, n));
    }
    this.counts.clear();
  }
}

/** Exemplars written in text 0.0.4 (the encoder and a MetricSet say it alike). */
export const TEXT_EXEMPLAR_LOSS = 'exemplars dropped: text 0.0.4 has none';
/** Native histograms' exemplars written in OpenMetrics 1.0. */
export const OM_NATIVE_EXEMPLAR_LOSS = 'exemplars of native histograms dropped: OpenMetrics 1.0 has no native histograms';

/**
 * One loss as `onWarning` is told it: the family, what it lost, and how
 * many samples that touched (0: a loss of the family itself, said without
 * a count). The encoders and a MetricSet's own writers say each loss alike.
 */
export function lossMessage(family: string, what: string, n: number): string {
  return `${JSON.stringify(family)}: ${what}${n === 0 ? '' : ` (${n} sample${n === 1 ? '' : 's'})`}`;
}

/** A unit written in text 0.0.4 (a loss of the family itself). */
export function textUnitLoss(unit: string): string {
  return `unit ${JSON.stringify(unit)} dropped: text 0.0.4 has no units`;
}

/** An info or stateset written in text 0.0.4. */
export function textGaugeLoss(type: string): string {
  return `written as a gauge: text 0.0.4 has no ${type} type`;
}

/**
 * The whole message for `n` native histogram samples written in text 0.0.4
 * or OpenMetrics 1.0 (`om`): left out when the family's classic buckets
 * carry the series (`classic`), else written as client_golang writes them.
 */
export function nativeFallbackLoss(family: string, n: number, classic: boolean, om: boolean): string {
  return (
    `${JSON.stringify(family)}: ${n} native histogram sample${n === 1 ? '' : 's'} ` +
    (classic
      ? 'left out (the classic buckets carry the series)'
      : `written as +Inf bucket, sum and count: ${om ? 'OpenMetrics 1.0' : 'text 0.0.4'} has no native histograms`)
  );
}
