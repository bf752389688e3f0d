/**
 * The data model: the contract between the parsers, the encoders and the
 * toolkit. docs/model.md describes it with one worked example per type and
 * format; src/model/rules.ts holds every rule of the formats that relates a
 * family to its series (suffixes, reserved labels, bucket bounds, naming).
 *
 * It follows the exposition formats' own shape, a family of flat samples (as
 * the OpenMetrics spec and the Python client model it), extended for
 * Prometheus 3: a sample's value is either a float or a native histogram
 * (a discriminated union on `typeof value`), it may carry a start (created)
 * timestamp and several exemplars.
 *
 * Identity is Prometheus' own: a series is its sample name plus its labels,
 * whatever format it came from. So a family's `name` is the name its series
 * are queried by: `http_requests_total` for a counter whether it was read
 * from text 0.0.4 (`# TYPE http_requests_total counter`), from OpenMetrics
 * (`# TYPE http_requests counter`) or built by a `MetricSet`; `build_info`
 * for an info; the base name (`latency_seconds`) for the types whose series
 * add suffixes (histogram, gaugehistogram, summary).
 */

/**
 * Metric types. Text 0.0.4's `untyped` is `unknown` here, as Prometheus 3
 * reads it (textparse: `model.MetricTypeUnknown`); the text encoder writes
 * it back as `untyped`.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

/** Every metric type, in the order the OpenMetrics spec lists them. */
export const METRIC_TYPES: readonly MetricType[] = [
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'unknown',
];

/** The types whose samples may hold a native histogram. */
export type HistogramType = 'histogram' | 'gaugehistogram';

/** The types whose samples are all floats. */
export type FloatType = Exclude<MetricType, HistogramType>;

/**
 * A label set, name to value, in exposition order. Names may be any UTF-8
 * (Prometheus 3); note that JavaScript orders integer-like keys first, so a
 * label literally named "1" loses its position (its meaning does not change:
 * a label set is unordered). Never holds `__name__`: the name is the
 * sample's `name`.
 */
export type Labels = Record<string, string>;

export interface Exemplar {
  labels: Labels;
  value: number;
  /** Milliseconds since the epoch (OpenMetrics writes seconds), or null. */
  timestamp: number | null;
}

/** A run of consecutive native-histogram buckets: `offset` buckets after the previous span's end, `length` buckets long. */
export interface BucketSpan {
  offset: number;
  length: number;
}

/**
 * A native (sparse, exponential) histogram, as Prometheus 3 stores it
 * (model/histogram: Histogram and FloatHistogram).
 *
 * Buckets are held as absolute counts, one per bucket the spans cover, in
 * span order; the delta encoding of integer histograms is a wire detail of
 * the protobuf and remote-write codecs. The bucket with index `i` covers
 * `(base^(i-1), base^i]` for `base = 2^(2^-schema)`; with schema -53
 * (custom buckets) bucket `i` ends at `customValues[i]`.
 */
export interface NativeHistogram {
  /**
   * `integer`: every count is a whole number (client_golang's observations,
   * protobuf deltas); `float`: counts may be fractional (a FloatHistogram,
   * from a rate or a float-count protobuf).
   */
  readonly kind: 'integer' | 'float';
  /** -4..8 for exponential buckets, -53 for custom bounds. */
  schema: number;
  /** Observations with |v| <= zeroThreshold count into the zero bucket. */
  zeroThreshold: number;
  zeroCount: number;
  /** Total observations (may exceed the bucket sum by the NaN observations). */
  count: number;
  sum: number;
  positiveSpans: BucketSpan[];
  positiveBuckets: number[];
  negativeSpans: BucketSpan[];
  negativeBuckets: number[];
  /** Upper bounds of the custom buckets (schema -53 only), ascending, without +Inf. */
  customValues?: number[];
}

interface SampleBase {
  /** The sample's own name, with its suffix: `http_requests_total`, `latency_seconds_bucket`. */
  name: string;
  labels: Labels;
  /**
   * Milliseconds since the epoch, or null. Text 0.0.4 carries integer
   * milliseconds; OpenMetrics carries seconds, converted here exactly by
   * shifting the decimal point (so `1.5` becomes 1500 and sub-millisecond
   * precision survives as a fraction).
   */
  timestamp: number | null;
  /**
   * When the series started counting, in milliseconds since the epoch: the
   * one concept behind OpenMetrics 1.0 `_created` lines, protobuf
   * `created_timestamp` and OpenMetrics 2.0 `st@`. Absent when unknown. Set
   * on every sample of the series (a histogram's buckets, sum and count).
   */
  startTimestamp?: number;
  /** Exemplars, only when present (OpenMetrics 1.0 carries at most one per sample). */
  exemplars?: Exemplar[];
}

/** A sample whose value is a float (`NaN` and `±Infinity` included). */
export interface FloatSample extends SampleBase {
  value: number;
}

/** A native-histogram sample; its name is the family name, without a suffix. */
export interface HistogramSample extends SampleBase {
  value: NativeHistogram;
}

/**
 * Any sample. Code that only knows numbers must narrow first
 * (`typeof s.value === 'number'`, or `isFloatSample(s)`), so a native
 * histogram can never be summed as if it were a number.
 */
export type Sample = FloatSample | HistogramSample;

interface FamilyBase {
  /** The family name; see the module comment for counters and infos. */
  name: string;
  /** Unescaped help text; '' when absent. */
  help: string;
  /** Unit (OpenMetrics `# UNIT`, protobuf `unit`); '' when absent. */
  unit: string;
}

/** A family of a type whose samples are floats. */
export interface FloatFamily extends FamilyBase {
  type: FloatType;
  samples: FloatSample[];
}

/** A histogram or gauge histogram: classic (float `_bucket`/`_sum`/`_count` samples), native, or both. */
export interface HistogramFamily extends FamilyBase {
  type: HistogramType;
  samples: Sample[];
}

/**
 * A metric family. Narrow on `type` to reach the samples' value type: a
 * counter's samples are `FloatSample`s, a histogram's may be native.
 */
export type MetricFamily = FloatFamily | HistogramFamily;

/** The exposition formats promwire reads and writes. */
export type Format = 'text' | 'openmetrics' | 'protobuf';

/** The line-based exposition formats (text 0.0.4 and OpenMetrics 1.0): what the line grammar, lint and the text encoders handle. */
export type TextFormat = Exclude<Format, 'protobuf'>;

/** True when the sample's value is a float. */
export function isFloatSample(s: Sample): s is FloatSample {
  return typeof s.value === 'number';
}

/** True when the sample's value is a native histogram. */
export function isHistogramSample(s: Sample): s is HistogramSample {
  return typeof s.value !== 'number';
}

/** True when the family's samples may hold native histograms. */
export function isHistogramFamily(f: MetricFamily): f is HistogramFamily {
  return f.type === 'histogram' || f.type === 'gaugehistogram';
}

/**
 * Builds a family from parts whose type is only known at run time, checking
 * the one rule the type system cannot see there: only a histogram or gauge
 * histogram holds native-histogram samples.
 */
export function makeFamily(f: { name: string; type: MetricType; help: string; unit: string; samples: Sample[] }): MetricFamily {
  if (f.type !== 'histogram' && f.type !== 'gaugehistogram') {
    for (const s of f.samples) {
      if (typeof s.value !== 'number') {
        throw new TypeError(`a ${f.type} family (${JSON.stringify(f.name)}) cannot hold a native histogram sample`);
      }
    }
  }
  return f as MetricFamily;
}
