/**
 * Families (the model, or a MetricSet's collect()) into remote-write
 * series: one TimeSeries per sample, named by the sample's name
 * (`__name__`), its labels sorted; the family's metadata as a 1.0
 * MetricMetadata before its first series, or (2.0) on every series.
 */

import type { MetricFamily } from '../model/index.js';
import { RESET_HINT_GAUGE, RESET_HINT_UNKNOWN } from '../proto/remote-write-proto.js';
import { LabelSet } from './label-set.js';
import type { RequestWriter } from './request-writer.js';

/** What the walks need from the options, resolved. */
export interface WalkOptions {
  /** Milliseconds for samples without a timestamp. */
  timestamp: number;
  /** Write metadata (1.0 MetricMetadata, 2.0 TimeSeries.metadata). */
  metadata: boolean;
  /** A request is full at this many samples and histograms. */
  maxSamples: number;
}

/** Integer milliseconds: OpenMetrics timestamps may carry fractions; Prometheus truncates them (int64 conversion). */
export function wholeMillis(ms: number): number {
  return Math.trunc(ms);
}

/**
 * Walks the families into `rw`, yielding (with the writer holding a full
 * request) before a series that would go past `maxSamples`: the caller takes
 * the request and resumes. A series is never split (each holds one sample).
 */
export function* walkFamilies(families: readonly MetricFamily[], rw: RequestWriter, o: WalkOptions): Generator<void, void, void> {
  const ls = new LabelSet();
  for (const f of families) {
    let metaDone = !o.metadata;
    const help = o.metadata ? f.help : '';
    const unit = o.metadata ? f.unit : '';
    const type = o.metadata ? f.type : 'unknown';
    // Prometheus' scrape appends gauge histograms with the GAUGE reset hint
    // (histogram.GaugeType); counter histograms leave it unknown.
    const hint = f.type === 'gaugehistogram' ? RESET_HINT_GAUGE : RESET_HINT_UNKNOWN;
    for (const s of f.samples) {
      if (rw.samples + rw.histograms >= o.maxSamples && !rw.isEmpty()) yield;
      if (!metaDone) {
        rw.familyMetadata(f.name, f.type, f.help, f.unit);
        metaDone = true;
      }
      ls.reset();
      ls.add('__name__', s.name);
      const labels = s.labels;
      for (const k in labels) ls.add(k, labels[k]!);
      ls.sort();
      rw.beginSeries(ls);
      const ts = s.timestamp === null ? o.timestamp : wholeMillis(s.timestamp);
      const v = s.value;
      if (typeof v === 'number') rw.sample(v, ts);
      else rw.histogram(v, ts, hint);
      const ex = s.exemplars;
      if (ex !== undefined) for (const e of ex) rw.exemplar(e, e.timestamp === null ? ts : wholeMillis(e.timestamp));
      rw.seriesMetadata(type, help, unit);
      if (s.startTimestamp !== undefined) rw.createdTimestamp(wholeMillis(s.startTimestamp));
      rw.endSeries();
    }
    if (!metaDone) rw.familyMetadata(f.name, f.type, f.help, f.unit);
  }
}
