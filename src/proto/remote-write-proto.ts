/**
 * The remote-write messages' schema as field numbers (the one home for
 * them; the encoder and decoder in src/remote-write read them from here).
 * Checked against Prometheus 3.5.3:
 *
 * - 1.0, package `prometheus`: `prompb/remote.proto` (WriteRequest) and
 *   `prompb/types.proto` (TimeSeries, Label, Sample, Exemplar, Histogram,
 *   BucketSpan, MetricMetadata); remote_write_spec.md.
 * - 2.0, package `io.prometheus.write.v2`:
 *   `prompb/io/prometheus/write/v2/types.proto`; remote_write_spec_2_0.md.
 *   Request fields 1-3 are reserved (a 1.0 WriteRequest read as a 2.0
 *   Request is empty). The start timestamp is `TimeSeries.created_timestamp`
 *   (field 6), the place Prometheus 3.5 reads; later spec drafts moved it
 *   onto each Sample/Histogram (`start_timestamp`), which 3.5 does not read.
 *
 * The Histogram message is the same in both versions (same numbers, same
 * oneofs), so one table serves both.
 */

/** `prometheus.WriteRequest` (1.0). Field 2 is reserved. */
export const WriteRequestField = { timeseries: 1, metadata: 3 } as const;

/** `prometheus.TimeSeries` (1.0). */
export const TimeSeriesV1Field = { labels: 1, samples: 2, exemplars: 3, histograms: 4 } as const;

/** `prometheus.Label`. */
export const LabelField = { name: 1, value: 2 } as const;

/** `prometheus.Sample` and `io.prometheus.write.v2.Sample`: value double, timestamp int64 (ms). */
export const SampleField = { value: 1, timestamp: 2 } as const;

/** `prometheus.Exemplar` (1.0): labels are Label messages. */
export const ExemplarV1Field = { labels: 1, value: 2, timestamp: 3 } as const;

/** `prometheus.MetricMetadata` (1.0). Field 3 is unused. */
export const MetricMetadataField = { type: 1, metricFamilyName: 2, help: 4, unit: 5 } as const;

/**
 * `prometheus.MetricMetadata.MetricType` (1.0) and
 * `io.prometheus.write.v2.Metadata.MetricType` (2.0, `METRIC_TYPE_` names):
 * the same numbers; 0 is UNKNOWN (1.0) / UNSPECIFIED (2.0).
 */
export const RW_METRIC_TYPES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'] as const;

/** `io.prometheus.write.v2.Request`. Fields 1-3 are reserved. */
export const RequestV2Field = { symbols: 4, timeseries: 5 } as const;

/** `io.prometheus.write.v2.TimeSeries`. `labels_refs` is a packed uint32 list of symbol pairs. */
export const TimeSeriesV2Field = { labelsRefs: 1, samples: 2, histograms: 3, exemplars: 4, metadata: 5, createdTimestamp: 6 } as const;

/** `io.prometheus.write.v2.Exemplar`. */
export const ExemplarV2Field = { labelsRefs: 1, value: 2, timestamp: 3 } as const;

/** `io.prometheus.write.v2.Metadata`. Field 2 is unused. */
export const MetadataV2Field = { type: 1, helpRef: 3, unitRef: 4 } as const;

/**
 * `prometheus.Histogram` and `io.prometheus.write.v2.Histogram`.
 * `count` and `zero_count` are oneofs: `*_int` (uint64) for an integer
 * histogram, `*_float` (double) for a float one; integer histograms carry
 * bucket `deltas` (sint64, each against the previous bucket, the first
 * against 0), float ones absolute `counts` (double).
 */
export const HistogramField = {
  countInt: 1,
  countFloat: 2,
  sum: 3,
  schema: 4,
  zeroThreshold: 5,
  zeroCountInt: 6,
  zeroCountFloat: 7,
  negativeSpans: 8,
  negativeDeltas: 9,
  negativeCounts: 10,
  positiveSpans: 11,
  positiveDeltas: 12,
  positiveCounts: 13,
  resetHint: 14,
  timestamp: 15,
  customValues: 16,
} as const;

/** `Histogram.ResetHint`. */
export const RESET_HINT_UNKNOWN = 0;
export const RESET_HINT_YES = 1;
export const RESET_HINT_NO = 2;
export const RESET_HINT_GAUGE = 3;

/** `BucketSpan`: offset sint32, length uint32. */
export const BucketSpanField = { offset: 1, length: 2 } as const;
