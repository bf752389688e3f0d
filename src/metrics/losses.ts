/**
 * What a MetricSet's own text and OpenMetrics writer (the handler's fast
 * path, which writes from precomputed series prefixes and never builds
 * families) cannot hold, said through `onWarning` in the words of the
 * families path (encode/encoder.ts `auditText` and `convertNative`), so a
 * scraper asking for text is told the same thing whichever path served
 * it. Only facts of the definition and the series count are read: nothing
 * is collected. (Protobuf reports through `Losses` in writeProtobufFamily.)
 */
import type { Metric, Series } from './metric.js';

/** Reports what writing `m` (with `series` series) as text (`om` false) or OpenMetrics 1.0 drops. */
export function reportDirectLosses(m: Metric<string, Series>, om: boolean, series: number, onWarning: (message: string) => void): void {
  const h = m as { native?: unknown; classic?: boolean };
  const nativeLoss = m.type === 'histogram' && h.native !== null && h.native !== undefined;
  // The common case (nothing lost) costs these few reads per metric and scrape, no string.
  if (series === 0 || (!nativeLoss && (om || (m.unit === '' && m.type !== 'info' && m.type !== 'stateset')))) return;
  const family = JSON.stringify(m.familyName);
  const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (!om) {
    if (m.unit !== '') onWarning(`${family}: unit ${JSON.stringify(m.unit)} dropped: text 0.0.4 has no units`);
    if (m.type === 'info' || m.type === 'stateset') {
      // A stateset series is one sample per state.
      const states = (m as { states?: readonly string[] }).states;
      const samples = m.type === 'stateset' && states !== undefined ? series * states.length : series;
      onWarning(`${family}: written as a gauge: text 0.0.4 has no ${m.type} type (${plural(samples, 'sample')})`);
    }
  }
  if (nativeLoss) {
    onWarning(
      `${family}: ${plural(series, 'native histogram sample')} ` +
        (h.classic === true
          ? 'left out (the classic buckets carry the series)'
          : `written as +Inf bucket, sum and count: ${om ? 'OpenMetrics 1.0' : 'text 0.0.4'} has no native histograms`),
    );
  }
}
