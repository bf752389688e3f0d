/**
 * Remote write 1.0 and 2.0 messages (runtime-neutral): encode families, a
 * MetricSet or exposition bytes into requests, and decode received ones.
 * Field numbers: src/proto/remote-write-proto.ts.
 */
export {
  encodeWriteRequest,
  encodeWriteRequestSnappy,
  encodeWriteRequests,
  type EncodedWriteRequest,
  type EncodeWriteRequestOptions,
  type EncodeWriteRequestsOptions,
  type RemoteWriteInput,
  type RemoteWriteVersion,
} from './encode.js';
export {
  decodeWriteRequest,
  writeRequestFamilies,
  type DecodeWriteRequestOptions,
  type FamilyMetadata,
  type ResetHint,
  type WriteHistogram,
  type WriteMetadata,
  type WriteRequestData,
  type WriteSample,
  type WriteSeries,
} from './decode.js';
export { compareUtf8 } from './label-set.js';
