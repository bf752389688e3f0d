/**
 * What a MetricSet's own text and OpenMetrics writer (the handler's fast
 * path, which writes from precomputed series prefixes and never builds
 * families) cannot hold, said through `onWarning` in the words of the
 * families path (encode/encoder.ts `auditText` and `convertNative`, whose
 * messages come from encode/losses.ts as these do), so a scraper asking
 * for text is told the same thing whichever path served it. Only facts of
 * the definition, the series count and the exemplar count are read:
 * nothing is collected. (Protobuf reports through `Losses` in
 * writeProtobufFamily.)
 */
import {
  lossMessage,
  nativeFallbackLoss,
  OM_NATIVE_EXEMPLAR_LOSS,
  TEXT_EXEMPLAR_LOSS,
  textGaugeLoss,
  textUnitLoss,
} from '../encode/losses.js';
import type { Metric, Series } from './metric.js';

/**
 * Reports what writing `m` (with `series` series) as text (`om` false) or
 * OpenMetrics 1.0 drops, in the families encoder's order: the exemplars
 * (text 0.0.4 has none, OpenMetrics 1.0 none on native histograms), then
 * the unit and type, then the native histogram fallback.
 */
export function reportDirectLosses(m: Metric<string, Series>, om: boolean, series: number, onWarning: (message: string) => void): void {
  const n = m.exemplarCount();
  const lost = om ? n.native : n.classic + n.native;
  if (lost > 0) onWarning(lossMessage(m.familyName, om ? OM_NATIVE_EXEMPLAR_LOSS : TEXT_EXEMPLAR_LOSS, lost));
  const h = m as { native?: unknown; classic?: boolean };
  const nativeLoss = m.type === 'histogram' && h.native !== null && h.native !== undefined;
  // The common case (nothing lost) costs these few reads per metric and scrape, no string.
  if (series === 0 || (!nativeLoss && (om || (m.unit === '' && m.type !== 'info' && m.type !== 'stateset')))) return;
  if (!om) {
    if (m.unit !== '') onWarning(lossMessage(m.familyName, textUnitLoss(m.unit), 0));
    if (m.type === 'info' || m.type === 'stateset') {
      // A stateset series is one sample per state (a stateset has at least one).
      const states = (m as { states?: readonly string[] }).states;
      const samples = m.type === 'stateset' && states !== undefined ? series * states.length : series;
      onWarning(lossMessage(m.familyName, textGaugeLoss(m.type), samples));
    }
  }
  if (nativeLoss) onWarning(nativeFallbackLoss(m.familyName, series, h.classic === true, om));
}
