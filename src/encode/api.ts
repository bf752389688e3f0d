/**
 * What the encoder offers to the layers above it that write exposition
 * bytes themselves (src/metrics' `MetricSet`, which renders each series'
 * prefix once and writes only values per scrape). This module is the whole
 * contract: those layers import from here and from nowhere else in
 * src/encode, so the encoder's internals can change behind it.
 *
 * The surface, kept small and stable:
 * - option validation: `formatOption`, `escapingOption`, `chunkSizeOption`
 *   (the same checks and defaults as `encode`/`encodeChunks`);
 * - header rendering: `encodeHeader` (HELP/TYPE/UNIT lines byte-for-byte as
 *   `encode` writes them for that family);
 * - the writer: `ByteWriter` (growable byte buffer with Prometheus number
 *   formatting) and `PrefixArena` (storage for many small prefixes);
 * - series prefixes: `renderPrefix` and `writtenSampleName` (how
 *   `name{k="v",...}` is spelled under an escaping scheme);
 * - protobuf: `ProtoWriter`, the family header and label fields rendered
 *   once (`familyHeaderBytes`, `labelPairsBytes`), and the message writers
 *   the encoder itself uses, so MetricSet's bytes equal `encode()`'s.
 */
export { chunkSizeOption, encodeHeader, escapingOption, formatOption } from './encoder.js';
export type { EncodeChunksOptions, EncodeOptions } from './encoder.js';
export { ByteWriter } from './writer.js';
export { PrefixArena, renderPrefix, writeOpenMetricsExemplar, writtenSampleName } from './series.js';
export { ProtoWriter, varintSize } from '../proto/writer.js';
export {
  beginHistogram,
  beginMetric,
  familyHeaderBytes,
  gaugeFallbackLoss,
  labelPairsBytes,
  protobufName,
  protobufType,
  SUMMARY_COUNT_LOSS,
  writeBucket,
  writeCounterWithExemplar,
  writeHistogramCount,
  writeHistogramSum,
  writeNativeExemplars,
  writeNativeFields,
  writeSummaryMessage,
  writeValueMetric,
} from './protobuf.js';
export type { ValueKind } from './protobuf.js';
export { Losses, OM_NATIVE_EXEMPLAR_LOSS, TEXT_EXEMPLAR_LOSS } from './losses.js';
export type { WarningSink } from './losses.js';
