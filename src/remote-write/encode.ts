/**
 * `encodeWriteRequest` / `encodeWriteRequests`: families, a MetricSet or
 * exposition bytes into remote-write 1.0 `prometheus.WriteRequest` or 2.0
 * `io.prometheus.write.v2.Request` protobuf, uncompressed or snappy-block
 * compressed (the body remote write sends: remote_write_spec.md, spec 2.0
 * "Protocol").
 *
 * What is written (both versions):
 * - one TimeSeries per sample of the input (a classic histogram's buckets,
 *   sum and count are series of their own, as Prometheus stores them), its
 *   labels `__name__` included and sorted in UTF-8 byte order (Prometheus'
 *   labels.Labels order; spec "Labels");
 * - each sample with its timestamp, or `timestamp` (default: now) when the
 *   input has none: remote write has no sample without one. Fractions of a
 *   millisecond (OpenMetrics) are truncated, as Prometheus does;
 * - native histograms as Histogram messages (integer: `count_int`,
 *   `zero_count_int`, bucket deltas; float: `*_float`, absolute counts;
 *   `custom_values` for schema -53; reset hint GAUGE for a gauge histogram);
 * - exemplars, each with its timestamp or else its sample's;
 * - metadata: 1.0 one MetricMetadata per family (named as the model names
 *   the family: `jobs_total` for a counter), in the request holding the
 *   family's first series; 2.0 a Metadata on every series (type, help and
 *   unit as symbol refs), left out when all three are empty;
 * - start timestamps: 2.0 `TimeSeries.created_timestamp`, the field
 *   Prometheus 3.5 reads (later spec drafts moved it into each sample; 3.5
 *   does not read that); 1.0 has no field, so they are not sent.
 */

import type { MetricFamily } from '../model/index.js';
import type { ParserOptions } from '../parse/options.js';
import { PromwireError } from '../errors.js';
import { snappyCompress } from '../snappy/index.js';
import { type WalkOptions, walkFamilies } from './from-families.js';
import { walkExposition } from './from-exposition.js';
import { RequestWriter, type RemoteWriteVersion } from './request-writer.js';

export type { RemoteWriteVersion };

/**
 * What a request is made from: families (the model), a `MetricSet` (written
 * without building families: each series' label set rendered once and kept;
 * the same bytes as its `collect()`'s), anything else with a `collect()`
 * that returns families, or exposition bytes (text, OpenMetrics or
 * protobuf; read by the pull parser without building families: see
 * `parser` for the format).
 */
export type RemoteWriteInput = readonly MetricFamily[] | { collect(): MetricFamily[] } | Uint8Array;

export type EncodeWriteRequestOptions = Partial<
  Readonly<{
    /** The protocol: '1.0' (prometheus.WriteRequest) or '2.0' (io.prometheus.write.v2.Request). Defaults to '1.0'. */
    version: RemoteWriteVersion;
    /** Milliseconds since the epoch for samples without a timestamp (the scrape time). Defaults to `Date.now()` at the call. */
    timestamp: number;
    /** Write metadata (type, help, unit). Defaults to true. */
    metadata: boolean;
    /** For exposition bytes: the parser's options (`format`, `contentType`, limits). Defaults to `{ format: 'auto' }`. */
    parser: ParserOptions;
  }>
>;

export type EncodeWriteRequestsOptions = EncodeWriteRequestOptions &
  Partial<
    Readonly<{
      /**
       * Start a new request before a series that would take a request past
       * this many samples (a native histogram counts as one). A series is
       * never split, and a request holds at least one series. Defaults to
       * Infinity (one request). Prometheus' queue manager sends 2000 (1.0
       * `max_samples_per_send`).
       */
      maxSamplesPerRequest: number;
      /** Snappy-compress each body (what goes on the wire). Defaults to false. */
      compress: boolean;
    }>
  >;

/** One request of `encodeWriteRequests`, with what it holds (for the client's counts and the 2.0 written-count headers). */
export interface EncodedWriteRequest {
  /** The protobuf message, snappy-compressed when `compress` was set. */
  body: Uint8Array;
  series: number;
  samples: number;
  histograms: number;
  exemplars: number;
  /** 1.0 MetricMetadata messages (2.0 carries metadata on the series). */
  metadata: number;
}

function resolve(options: EncodeWriteRequestsOptions): { version: RemoteWriteVersion; walk: WalkOptions } {
  const version = options.version ?? '1.0';
  if (version !== '1.0' && version !== '2.0') {
    throw new PromwireError('INVALID_ARGUMENT', `expected version '1.0' or '2.0', got ${JSON.stringify(version)}`);
  }
  const max = options.maxSamplesPerRequest ?? Infinity;
  if (!(max >= 1)) {
    throw new PromwireError('INVALID_ARGUMENT', `expected maxSamplesPerRequest to be a positive number, got ${String(max)}`);
  }
  const timestamp = options.timestamp ?? Date.now();
  if (!Number.isFinite(timestamp)) {
    throw new PromwireError('INVALID_ARGUMENT', `expected timestamp to be finite milliseconds, got ${String(timestamp)}`);
  }
  return { version, walk: { timestamp: Math.trunc(timestamp), metadata: options.metadata ?? true, maxSamples: max } };
}

function walk(input: RemoteWriteInput, rw: RequestWriter, o: WalkOptions, parser: ParserOptions | undefined): Generator<void, void, void> {
  if (input instanceof Uint8Array) return walkExposition(input, parser ?? {}, rw, o);
  if (Array.isArray(input)) return walkFamilies(input as readonly MetricFamily[], rw, o);
  // A MetricSet: straight into the request, without building families
  // (each series' label sets rendered once and kept; Metric.remoteWrite).
  if (isDirect(input)) return input.remoteWriteSeries(rw, o);
  const c = (input as { collect?: unknown }).collect;
  if (typeof c === 'function') return walkFamilies((input as { collect(): MetricFamily[] }).collect(), rw, o);
  throw new PromwireError(
    'INVALID_ARGUMENT',
    'expected MetricFamily[], a MetricSet (or anything with collect()) or exposition bytes (Uint8Array)',
  );
}

/** What a MetricSet offers for the direct path (internal: src/metrics/metric-set.ts). */
interface DirectInput {
  remoteWriteSeries(rw: RequestWriter, o: WalkOptions): Generator<void, void, void>;
  /** The size of the set's last single request per version (0 before the first), to size the next one's buffer. */
  remoteWriteSize: Record<RemoteWriteVersion, number>;
}

function isDirect(input: RemoteWriteInput): input is RemoteWriteInput & DirectInput {
  return typeof (input as { remoteWriteSeries?: unknown }).remoteWriteSeries === 'function';
}

/** A first buffer size for families: their sample count times a typical series' size. */
function sizeHint(input: RemoteWriteInput, version: RemoteWriteVersion): number | undefined {
  // A MetricSet: its last request's size, plus a little (as its encode() sizes its buffer).
  if (isDirect(input)) {
    const last = input.remoteWriteSize[version];
    return last > 0 ? last + (last >> 5) + 4096 : undefined;
  }
  if (!Array.isArray(input)) return undefined;
  let n = 0;
  for (const f of input as readonly MetricFamily[]) n += f.samples.length;
  return n * (version === '2.0' ? 80 : 200);
}

/**
 * Encodes the whole input as one remote-write request and returns the
 * uncompressed protobuf message.
 *
 * @throws PromwireError on invalid options, or (bytes input) on the first invalid entry.
 */
export function encodeWriteRequest(input: RemoteWriteInput, options: EncodeWriteRequestOptions = {}): Uint8Array {
  const { version, walk: o } = resolve(options);
  // Exposition bytes: the request's size is known roughly from the input's
  // (1.0 ~1.2x the text, labels spelled out; 2.0 ~0.5x, labels as refs), so
  // the buffer rarely grows (each growth copies what was written).
  // Families: ~190 bytes a series in 1.0 and ~75 in 2.0 on the bench's set
  // (growing from 64 KiB instead copied 32 MB and was 13% of the encode).
  const hint = input instanceof Uint8Array ? Math.ceil(input.length * (version === '2.0' ? 0.55 : 1.3)) : sizeHint(input, version);
  const rw = new RequestWriter(version, hint);
  const it = walk(input, rw, o, options.parser);
  while (!it.next().done);
  const out = rw.take(true);
  if (isDirect(input)) input.remoteWriteSize[version] = out.length;
  return out;
}

/** `encodeWriteRequest`, snappy-compressed: the body to POST with `Content-Encoding: snappy`. */
export function encodeWriteRequestSnappy(input: RemoteWriteInput, options: EncodeWriteRequestOptions = {}): Uint8Array {
  return snappyCompress(encodeWriteRequest(input, options));
}

/**
 * Encodes the input as requests of at most `maxSamplesPerRequest` samples
 * each (series are never split), one at a time: the next request is only
 * encoded when the caller asks for it, so a sender holds one request at a
 * time. Yields nothing for an empty input.
 */
export function* encodeWriteRequests(
  input: RemoteWriteInput,
  options: EncodeWriteRequestsOptions = {},
): Generator<EncodedWriteRequest, void, void> {
  const { version, walk: o } = resolve(options);
  const compress = options.compress ?? false;
  const rw = new RequestWriter(version);
  const take = (): EncodedWriteRequest => {
    const counts = { series: rw.series, samples: rw.samples, histograms: rw.histograms, exemplars: rw.exemplars, metadata: rw.metadata };
    const bytes = rw.take();
    return { body: compress ? snappyCompress(bytes) : bytes, ...counts };
  };
  for (const _ of walk(input, rw, o, options.parser)) yield take();
  if (!rw.isEmpty()) yield take();
}
