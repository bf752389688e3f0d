/**
 * The data model shared by the parser, the encoder and the toolkit.
 *
 * It follows the exposition formats' own shape (a family of flat samples, as the
 * OpenMetrics spec and the Python client model it) rather than client_golang's
 * nested protobuf structs, so that any payload round-trips sample for sample.
 *
 * Room to grow without breaking it: every optional field below may gain
 * siblings (a native histogram on a `Sample`, a start timestamp, OpenMetrics 2.0
 * composite values); consumers must ignore fields they do not know.
 */

/**
 * Metric types. Text 0.0.4 spells the catch-all `untyped`, OpenMetrics spells
 * it `unknown`; the parser keeps the format's own word and the encoder maps it.
 */
export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'untyped'
  | 'unknown';

/** Every metric type, in the order the OpenMetrics spec lists them (plus `untyped`). */
export const METRIC_TYPES: readonly MetricType[] = [
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'unknown',
  'untyped',
];

/**
 * A label set, name to value, in exposition order. Names may be any UTF-8
 * (Prometheus 3); note that JavaScript orders integer-like keys first, so a
 * label literally named "1" loses its position (its meaning does not change:
 * a label set is unordered).
 */
export type Labels = Record<string, string>;

export interface Exemplar {
  labels: Labels;
  value: number;
  /** Milliseconds since the epoch (OpenMetrics writes seconds), or null. */
  timestamp: number | null;
}

export interface Sample {
  /** The sample's own name, with its suffix: `http_requests_total`, `latency_bucket`. */
  name: string;
  labels: Labels;
  value: number;
  /**
   * Milliseconds since the epoch, or null. Text 0.0.4 carries integer
   * milliseconds; OpenMetrics carries seconds, converted here exactly by
   * shifting the decimal point (so `1.5` becomes 1500 and sub-millisecond
   * precision survives as a fraction).
   */
  timestamp: number | null;
  /** OpenMetrics exemplar, only when present. */
  exemplar?: Exemplar;
}

export interface MetricFamily {
  /**
   * The family name. For an OpenMetrics counter this is the name without
   * `_total`; in text 0.0.4 it is whatever the `# TYPE` line says (usually
   * with `_total`).
   */
  name: string;
  type: MetricType;
  /** Unescaped help text; '' when absent. */
  help: string;
  /** OpenMetrics unit; '' when absent. */
  unit: string;
  samples: Sample[];
}

/** The two exposition formats promwire reads and writes. */
export type Format = 'text' | 'openmetrics';
