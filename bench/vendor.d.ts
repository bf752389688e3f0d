/** parse-prometheus-text-format 1.1.1 ships no types; the shape of its output, from its README. */
declare module 'parse-prometheus-text-format' {
  interface PptMetric {
    value?: string;
    labels?: Record<string, string>;
    timestamp_ms?: string;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  interface PptFamily {
    name: string;
    help: string;
    type: string;
    metrics: PptMetric[];
  }
  export default function parsePrometheusTextFormat(text: string): PptFamily[];
}
