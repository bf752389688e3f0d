/**
 * promwire: the runtime-neutral core (Node, Deno, Bun, browsers).
 * Node-only parts (http handler, scrape and push clients) live in `promwire/node`.
 */

// Data model and errors
export type { Exemplar, Format, Labels, MetricFamily, MetricType, Sample } from './model/index.js';
export { METRIC_TYPES, isFloatSample, isHistogramFamily, isHistogramSample, makeFamily } from './model/index.js';
export type { BucketSpan, FloatFamily, FloatSample, HistogramFamily, HistogramSample, NativeHistogram } from './model/index.js';
export {
  DEFAULT_NATIVE_ZERO_THRESHOLD,
  nativeBucketIndex,
  nativeBucketUpperBound,
  pickSchema,
} from './model/native-buckets.js';
export { PromwireError } from './errors.js';
export type { ErrorCode, ErrorPosition } from './errors.js';

// Numbers and escaping
export { formatFloat, formatMillisAsSeconds } from './core/number.js';
export { escapeHelp, escapeLabelValue } from './core/escape.js';

// Parsing
export { detectFormat } from './parse/detect.js';
export { DEFAULT_LIMITS } from './parse/options.js';
export type { Limits, ParserOptions } from './parse/options.js';
export { Entry, Parser, ProtobufParser, TextParser, entryName } from './parse/parser.js';
export type { ParserConstructor, PullParser } from './parse/parser.js';
export { FamilyBuilder, parse } from './parse/families.js';
export { parseStream } from './parse/stream.js';
export type { ParseStreamOptions, StreamSource } from './parse/stream.js';

// Names (Prometheus 3 UTF-8 names and escaping schemes)
export {
  ESCAPING_SCHEMES,
  escapeName,
  isEscapingScheme,
  isValidLabelName,
  isValidMetricName,
  isValidUtf8Name,
  needsQuoting,
  unescapeName,
} from './core/names.js';
export type { EscapingScheme, NameKind } from './core/names.js';

// Encoding
export { DEFAULT_CHUNK_SIZE, encode, encodeChunks, encodeToString } from './encode/encoder.js';
export type { EncodeChunksOptions, EncodeOptions } from './encode/encoder.js';
export {
  CollectError,
  Counter,
  CounterSeries,
  DEFAULT_BUCKETS,
  EXEMPLAR_MAX_CHARACTERS,
  exponentialBuckets,
  exponentialBucketsRange,
  Gauge,
  GaugeSeries,
  Histogram,
  HistogramSeries,
  Info,
  InfoSeries,
  linearBuckets,
  Metric,
  MetricSet,
  NativeHistogramSeries,
  Series,
  StateSet,
  StateSetSeries,
  Summary,
  SummarySeries,
} from './metrics/index.js';
export type {
  AnyMetric,
  CollectCallback,
  CounterOptions,
  CounterSuffix,
  ExemplarOptions,
  GaugeOptions,
  HistogramOptions,
  InfoOptions,
  LabelValue,
  LabelValues,
  MetricSetOptions,
  NativeHistogramOptions,
  StateSetOptions,
  SummaryOptions,
} from './metrics/index.js';

// Snappy block compression (remote write bodies)
export {
  DEFAULT_SNAPPY_MAX_BYTES,
  snappyCompress,
  snappyCompressInto,
  snappyDecodedLength,
  snappyDecompress,
  snappyMaxCompressedLength,
} from './snappy/index.js';
export type { SnappyDecompressOptions } from './snappy/index.js';

// Remote write 1.0 and 2.0 messages (encode, decode)
export {
  compareUtf8,
  decodeWriteRequest,
  encodeWriteRequest,
  encodeWriteRequestSnappy,
  encodeWriteRequests,
  writeRequestFamilies,
} from './remote-write/index.js';
export type {
  DecodeWriteRequestOptions,
  EncodedWriteRequest,
  EncodeWriteRequestOptions,
  EncodeWriteRequestsOptions,
  FamilyMetadata,
  RemoteWriteInput,
  RemoteWriteVersion,
  ResetHint,
  WriteHistogram,
  WriteMetadata,
  WriteRequestData,
  WriteSample,
  WriteSeries,
} from './remote-write/index.js';

// Negotiation
export {
  CONTENT_TYPE_OPENMETRICS_0_0_1,
  CONTENT_TYPE_OPENMETRICS_1_0_0,
  CONTENT_TYPE_PROTOBUF,
  CONTENT_TYPE_TEXT,
  DEFAULT_ESCAPING,
  DEFAULT_SCRAPE_PROTOCOLS,
  PROMETHEUS_ACCEPT,
  PROMETHEUS_PROTO_ACCEPT,
  PROTO_FIRST_SCRAPE_PROTOCOLS,
  negotiate,
  scrapeAcceptHeader,
} from './toolkit/negotiate.js';
export type { Negotiated, NegotiateOptions, ScrapeProtocol } from './toolkit/negotiate.js';

// Toolkit: merge and lint
export { merge } from './toolkit/merge.js';
export type { FamilySelector, MergeInput, MergeMode, MergeOptions } from './toolkit/merge.js';
export { formatFindings, lint, promtoolReadError } from './toolkit/lint.js';
export type { LintFinding, LintOptions } from './toolkit/lint.js';

// Exposition handler, fetch-style (Hono, Bun, Deno, Workers); the node:http one is in promwire/node
export { createFetchHandler } from './toolkit/fetch-handler.js';
export type { FetchHandler } from './toolkit/fetch-handler.js';
export type { BasicAuthCheck, CollectContext, Collectable, HandlerOptions } from './toolkit/exposition.js';

// Remote write over HTTP, runtime-neutral parts: the fetch-style receiver and the protocol's headers; the client, writer and node:http receiver are in promwire/node
export { createRemoteWriteFetchHandler } from './toolkit/remote-write-fetch-handler.js';
export type { RemoteWriteFetchHandler } from './toolkit/remote-write-fetch-handler.js';
export type { RemoteWriteCallback, RemoteWriteHandlerOptions, RemoteWriteRequestInfo } from './toolkit/remote-write-receiver.js';
export {
  PROTO_MSG_V1,
  PROTO_MSG_V2,
  REMOTE_WRITE_CONTENT_TYPES,
  parseWrittenHeaders,
  remoteWriteVersionOf,
  writtenHeaders,
} from './toolkit/remote-write-protocol.js';
export type { WriteCounts } from './toolkit/remote-write-protocol.js';
