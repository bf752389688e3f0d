/**
 * The pull API every format's parser implements (Prometheus textparse
 * `interface.go`'s Parser): `next()` advances to the next entry and returns
 * its kind; the accessors read the current entry and stay valid until the
 * next `next()`. `new Parser(bytes, options)` (parser.ts) constructs the
 * implementation for the format: `TextParser` for text 0.0.4 and
 * OpenMetrics, `ProtobufParser` for the protobuf exposition. Each walk is
 * its own class, so a walk's call sites see one shape (a walk shared by
 * several classes went megamorphic: 0.77x).
 */

import type { Exemplar, Format, Labels, MetricType, NativeHistogram } from '../model/index.js';
import type { Entry } from './entry.js';

export interface PullParser {
  /** The resolved format. */
  readonly format: Format;
  /** Advances to the next entry and returns its kind; `Entry.EOF` at the end. */
  next(): Entry;
  /** The current entry's kind (what `next()` last returned). */
  current(): Entry;
  /** 1-based line of the current entry; 0 in protobuf (no lines: see `offset()`). */
  line(): number;
  /** Byte offset of the current entry in the whole payload. */
  offset(): number;

  /** The sample name of the current Series or Histogram entry. */
  metricName(): string;
  /** The family name of the current HELP, TYPE or UNIT entry. */
  familyName(): string;
  /** Number of labels on the current sample (the metric name not counted). */
  labelCount(): number;
  labelName(i: number): string;
  labelValue(i: number): string;
  /** The current sample's labels as an object (allocates). */
  labels(): Labels;
  /** The value of the current Series entry. */
  value(): number;
  /** Milliseconds since the epoch, or null when the sample has none. */
  timestamp(): number | null;
  /** The native histogram of the current Histogram entry (protobuf); absolute bucket counts. */
  histogram(): NativeHistogram;
  /** When the current series started (protobuf created_timestamp), in milliseconds; null when unknown. Text/OpenMetrics: null (OpenMetrics `_created` lines are entries of their own). */
  startTimestamp(): number | null;
  hasExemplar(): boolean;
  /** The current sample's (first) exemplar, or undefined. Allocates. */
  exemplar(): Exemplar | undefined;
  /** Every exemplar of the current sample (a native histogram may carry several); [] when none. Allocates. */
  exemplars(): Exemplar[];

  /** Unescaped help text of the current HELP entry. */
  help(): string;
  /** The model's type of the current TYPE entry (`untyped` reads as `unknown`). */
  type(): MetricType;
  /** The unit of the current UNIT entry. */
  unit(): string;
  /** The current comment line (text 0.0.4); '' in other formats. */
  comment(): string;

  /** The bytes that identify the current series, valid until the next `next()`: a scrape-cache key. */
  seriesBytes(): Uint8Array;
  /** A 32-bit FNV-1a hash of `seriesBytes()` (not collision-resistant). */
  seriesHash(): number;

  /** @internal Points the parser at the next piece of a stream. */
  _feed(bytes: Uint8Array, final: boolean, byteBase: number): void;
  /** @internal Counts streamed bytes against maxBodyBytes. */
  _countBody(n: number): void;
  /** @internal Bytes of the fed piece consumed as whole entries (lines, messages). */
  _consumed(): number;
  /** @internal True once the input has ended early (text: a NUL at a line start). */
  _stopped(): boolean;
  /** @internal The largest unit the stream must hold whole (maxLineLength, maxMessageBytes). */
  _maxLineLength(): number;
}
