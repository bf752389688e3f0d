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
      for (const [what, n] of this.counts) {
        sink(`${JSON.stringify(family)}: ${what}${n === 0 ? '' : ` (${n} sample${n === 1 ? '' : 's'})`}`);
      }
    }
    this.counts.clear();
  }
}

/** Exemplars written in text 0.0.4 (the encoder and a MetricSet say it alike). */
export const TEXT_EXEMPLAR_LOSS = 'exemplars dropped: text 0.0.4 has none';
/** Native histograms' exemplars written in OpenMetrics 1.0. */
export const OM_NATIVE_EXEMPLAR_LOSS = 'exemplars of native histograms dropped: OpenMetrics 1.0 has no native histograms';
