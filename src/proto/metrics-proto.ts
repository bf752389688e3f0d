/**
 * The protobuf exposition format's schema as field numbers and wire types:
 * package `io.prometheus.client`, prometheus/prometheus
 * `prompb/io/prometheus/client/metrics.proto` (client_model's copy is the
 * deprecated original; Prometheus 3.5 reads this one, which adds
 * `MetricFamily.unit`).
 *
 * A scrape body is a stream of MetricFamily messages, each preceded by its
 * length as an unsigned varint (`encoding=delimited`; Prometheus'
 * protobufparse.go refuses a length varint longer than 5 bytes).
 *
 * One home for these numbers: the decoder (src/parse) and the encoder
 * (src/encode) both read them from here.
 */

/** Wire types (protobuf encoding spec). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** `enum MetricType`. */
export const PB_COUNTER = 0;
export const PB_GAUGE = 1;
export const PB_SUMMARY = 2;
export const PB_UNTYPED = 3;
export const PB_HISTOGRAM = 4;
export const PB_GAUGE_HISTOGRAM = 5;

/** `message MetricFamily`. */
export const MetricFamilyField = { name: 1, help: 2, type: 3, metric: 4, unit: 5 } as const;

/** `message Metric`: one of gauge, counter, summary, untyped, histogram by the family's type. */
export const MetricField = { label: 1, gauge: 2, counter: 3, summary: 4, untyped: 5, timestampMs: 6, histogram: 7 } as const;

/** `message LabelPair`. */
export const LabelPairField = { name: 1, value: 2 } as const;

/** `message Gauge` and `message Untyped`: a double. */
export const GaugeField = { value: 1 } as const;
export const UntypedField = { value: 1 } as const;

/** `message Counter`. */
export const CounterField = { value: 1, exemplar: 2, createdTimestamp: 3 } as const;

/** `message Quantile`. */
export const QuantileField = { quantile: 1, value: 2 } as const;

/** `message Summary`. */
export const SummaryField = { sampleCount: 1, sampleSum: 2, quantile: 3, createdTimestamp: 4 } as const;

/**
 * `message Histogram`. `sample_count_float`, `zero_count_float` and a
 * bucket's `cumulative_count_float` override their integer twins when > 0;
 * deltas (sint64) are for integer histograms, counts (double) for float ones.
 */
export const HistogramField = {
  sampleCount: 1,
  sampleSum: 2,
  bucket: 3,
  sampleCountFloat: 4,
  schema: 5,
  zeroThreshold: 6,
  zeroCount: 7,
  zeroCountFloat: 8,
  negativeSpan: 9,
  negativeDelta: 10,
  negativeCount: 11,
  positiveSpan: 12,
  positiveDelta: 13,
  positiveCount: 14,
  createdTimestamp: 15,
  exemplars: 16,
} as const;

/** `message Bucket`. */
export const BucketField = { cumulativeCount: 1, upperBound: 2, exemplar: 3, cumulativeCountFloat: 4 } as const;

/** `message BucketSpan`: offset sint32, length uint32. */
export const BucketSpanField = { offset: 1, length: 2 } as const;

/** `message Exemplar`. */
export const ExemplarField = { label: 1, value: 2, timestamp: 3 } as const;

/** `message google.protobuf.Timestamp`. */
export const TimestampField = { seconds: 1, nanos: 2 } as const;
