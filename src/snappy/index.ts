/**
 * The snappy block format (google/snappy `format_description.txt`): what
 * Prometheus remote write compresses its bodies with (`Content-Encoding: snappy`).
 * Runtime-neutral, no dependency.
 */
export { snappyCompress, snappyCompressInto } from './compress.js';
export { snappyDecodedLength, snappyDecompress } from './decompress.js';
export type { SnappyDecompressOptions } from './decompress.js';
export { DEFAULT_SNAPPY_MAX_BYTES, snappyMaxCompressedLength } from './format.js';
