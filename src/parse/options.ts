import type { PromwireError } from '../errors.js';
import type { Format } from '../model/index.js';

/**
 * Limits on what one payload may make the parser hold or produce. Each
 * mirrors a Prometheus scrape_config setting where one exists; going over
 * one raises a `PromwireError` with code `LIMIT_EXCEEDED` and `limit` set to
 * the option's name. Use `Infinity` to switch one off.
 *
 * The defaults refuse nothing Prometheus 3.5 accepts by default, except
 * lines over 1 MiB and native histograms with over 1,000 exemplars: Prometheus' label_limit, label_name_length_limit and
 * label_value_length_limit default to none (0), so ours default to
 * `Infinity`. Memory stays bounded by the byte budgets instead: a line
 * (`maxLineLength`), and so every name and value in it, and the body
 * (`maxBodyBytes`), plus the sample budget (`maxSeries`).
 *
 * `parse()`, `new Parser()` and `parseStream()` apply the same limits the
 * same way: an input refused by one is refused by the others with the same
 * code and `limit`, however a stream is chunked (`maxBodyBytes` aside: a
 * stream can only count the body as it arrives, so an error in an earlier
 * line may come first).
 */
export interface Limits {
  /** Bytes in the whole body (Prometheus `body_size_limit`). Defaults to 1 GiB. */
  maxBodyBytes: number;
  /**
   * Bytes in one line, the line feed not counted; a text label value that
   * holds raw line feeds makes one logical line of several, counted whole.
   * Bounds the streaming buffer, and with it every name and value. A line
   * over it is refused whatever else is wrong with it. Prometheus has no
   * such limit. Defaults to 1 MiB.
   */
  maxLineLength: number;
  /**
   * Labels on one series, the metric name not counted (Prometheus
   * `label_limit` counts `__name__` too: set this to label_limit - 1).
   * Defaults to `Infinity` (Prometheus: no limit).
   */
  maxLabels: number;
  /**
   * Bytes in one label name, as written (Prometheus `label_name_length_limit`).
   * Defaults to `Infinity` (Prometheus: no limit).
   */
  maxLabelNameLength: number;
  /**
   * Bytes in one label value, as written, and in the metric name, which
   * Prometheus checks as the value of `__name__` (`label_value_length_limit`,
   * scrape.go verifyLabelLimits). Defaults to `Infinity` (Prometheus: no limit).
   */
  maxLabelValueLength: number;
  /**
   * Bytes in one protobuf MetricFamily message, its length prefix not
   * counted: the protobuf format's unit, as a line is the text formats'.
   * Bounds the streaming buffer (a message must be held whole) and so every
   * name and value in it. Prometheus has no such limit (its length prefix is
   * at most 5 bytes, and the body limit applies). Defaults to 64 MiB.
   */
  maxMessageBytes: number;
  /**
   * Buckets (positive and negative, as written) in one native histogram.
   * Prometheus' `native_histogram_bucket_limit` reduces the resolution of a
   * histogram over it (and fails the scrape when even the lowest does not
   * fit); a parser cannot choose for the caller, so this refuses the
   * payload instead (LIMIT_EXCEEDED). Defaults to `Infinity` (Prometheus:
   * no limit); memory stays bounded by `maxMessageBytes`.
   */
  maxNativeBuckets: number;
  /**
   * Exemplars in one protobuf native histogram (its `exemplars` field; a
   * classic sample carries one at most). Each becomes an Exemplar and a
   * labels object, ~20x its 7 bytes of input at least. Prometheus has no
   * such limit (its exemplar storage is a ring of `max_exemplars`);
   * client_golang keeps at most 10 a series (NativeHistogramMaxExemplars'
   * default), so the default, 1,000, refuses no real exposition.
   */
  maxExemplars: number;
  /** Samples in one payload (Prometheus `sample_limit`); in protobuf a native histogram counts as one. Defaults to 50,000,000. */
  maxSeries: number;
  /**
   * The heap, in bytes, that the families layer (`parse()`, `parseStream()`,
   * `scrape()`) may build, as an estimate (families.ts `estimate*`: per
   * sample, per label, per family, and two bytes per input byte for the
   * strings). It is what keeps any input from exhausting the process: with
   * the defaults no payload takes `parse()` past about 1 GiB of heap.
   * `parse()` and `scrape()` count every family they return;
   * `parseStream()` counts the family it holds (its consumer owns the ones
   * it yielded). The pull API builds no families and is not limited by it,
   * except that no one native histogram (its spans, buckets and exemplars,
   * counted before they are built) may take more. Defaults to 512 MiB.
   */
  maxModelBytes: number;
}

/**
 * The model estimate's share for native histograms and exemplars (measured
 * on Node 20; families.ts charges them against `maxModelBytes`, and the
 * protobuf parser checks one native histogram against it before building it).
 */
export const EXEMPLAR_BYTES = 256;
/** A native histogram: the object and its four arrays, plus a number per bucket and an object per span. */
export const NATIVE_BYTES = 320;
export const NATIVE_BUCKET_BYTES = 16;
export const NATIVE_SPAN_BYTES = 48;

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxBodyBytes: 1024 * 1024 * 1024,
  maxLineLength: 1024 * 1024,
  maxLabels: Infinity,
  maxLabelNameLength: Infinity,
  maxLabelValueLength: Infinity,
  maxMessageBytes: 64 * 1024 * 1024,
  maxNativeBuckets: Infinity,
  maxExemplars: 1000,
  maxSeries: 50_000_000,
  maxModelBytes: 512 * 1024 * 1024,
};

export type ParserOptions = Partial<
  Readonly<
    Limits & {
      /**
       * The exposition format. `auto` decides from `contentType` when given,
       * else from the payload (an OpenMetrics payload ends with `# EOF`;
       * protobuf is never guessed from bytes: pass `format: 'protobuf'` or
       * its Content-Type). Defaults to `auto`.
       */
      format: Format | 'auto';
      /** The HTTP Content-Type the payload came with, for `format: 'auto'`. Defaults to none. */
      contentType: string;
      /**
       * Lenient mode: when set, a bad line is skipped and reported here
       * instead of rejecting the payload (Prometheus rejects the whole
       * scrape). Errors about the payload as a whole (a missing `# EOF`) are
       * reported too. In protobuf the unit skipped is a MetricFamily message
       * whose frame (length prefix) is intact, from the error on (entries it
       * gave before the error stay given); a broken frame ends the input.
       * Limits are never skipped. Defaults to strict (throw on the first error).
       */
      onError: (error: PromwireError) => void;
      /**
       * Text and OpenMetrics pull parser: make every string the accessors
       * return a copy of its own. By default a label value of 13 or more
       * characters may be a view into a string of up to 4 KiB of the input
       * (cheaper to make; V8 "sliced strings"), which keeps those 4 KiB alive
       * while the value lives: set this when you keep many strings beyond the
       * parse (`parse()` and `parseStream()` families should). Defaults to false.
       */
      copyStrings: boolean;
    }
  >
>;
