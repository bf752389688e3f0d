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

/**
 * snappyjs 0.7.0 ships no types; its API from its index.js (used by the snappy tests and bench).
 * `uncompress` returns the input's kind (Uint8Array for a Uint8Array, Buffer for a Buffer)
 * and throws when the decoded length exceeds `maxLength`.
 */
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  const SnappyJS: { compress: typeof compress; uncompress: typeof uncompress };
  export default SnappyJS;
}

/**
 * prometheus-remote-write 0.5.1 (the npm remote-write package) ships types for its HTTP API only;
 * the bench reaches its bundled protobufjs static module, which its `serialize` uses.
 */
declare module 'prometheus-remote-write/prom.js' {
  interface WriteRequestType {
    verify(payload: object): string | null;
    encode(payload: object): { finish(): Uint8Array };
  }
  const prom: { prometheus: { WriteRequest: WriteRequestType } };
  export default prom;
}
