/**
 * `MetricSet` and its metrics: a live registry for services and exporters,
 * one file per metric type (as prom-client and client_golang lay them out).
 * It writes through the encoder's public surface (src/encode/api.ts) only.
 */
export { MetricSet } from './metric-set.js';
export type { AnyMetric } from './metric-set.js';
export { Metric, Series } from './metric.js';
export { Counter, CounterSeries } from './counter.js';
export { Gauge, GaugeSeries } from './gauge.js';
export { Histogram, HistogramSeries, NativeHistogramSeries } from './histogram.js';
export { Summary, SummarySeries } from './summary.js';
export { Info, InfoSeries } from './info.js';
export { StateSet, StateSetSeries } from './stateset.js';
export { DEFAULT_BUCKETS } from './definition.js';
export { CollectError } from './collect.js';
export { EXEMPLAR_MAX_CHARACTERS } from './exemplar.js';
export type { ExemplarOptions } from './exemplar.js';
export { exponentialBuckets, exponentialBucketsRange, linearBuckets } from './buckets.js';
export type {
  CollectCallback,
  CounterOptions,
  CounterSuffix,
  GaugeOptions,
  HistogramOptions,
  InfoOptions,
  LabelValue,
  LabelValues,
  MetricSetOptions,
  NativeHistogramOptions,
  StateSetOptions,
  SummaryOptions,
} from './definition.js';
