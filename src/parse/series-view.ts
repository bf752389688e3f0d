/**
 * The current entry as the walk records it: byte offsets into the buffer,
 * no strings. This is the read-only view the OpenMetrics rules (om-rules.ts)
 * check each entry through, so they depend on this file and not on the
 * parser (which depends on them).
 *
 * Labels sit in one reused `Int32Array`, `LABEL_STRIDE` ints per label at
 * the `L_*` offsets below: the offsets-array idea of Prometheus' promparse.go
 * (`p.offsets`), typed, so the walk allocates nothing per label.
 */

import type { MetricType } from '../model/index.js';

/** Ints per label in a label array. */
export const LABEL_STRIDE = 7;
/** Label array offsets: where the name starts, ends, and its range flags. */
export const L_NAME_START = 0;
export const L_NAME_END = 1;
export const L_NAME_FLAGS = 2;
/** Label array offsets: where the value (between the quotes) starts, ends, and its range flags. */
export const L_VALUE_START = 3;
export const L_VALUE_END = 4;
export const L_VALUE_FLAGS = 5;
/**
 * Label array offset: `SAME_NAME` / `SAME_VALUE` bits, set by a grammar when
 * the label's name / value bytes equal the previous line's label at the same
 * index (see `Scanner.sameBytes` and the accessors' string caches, parser.ts).
 */
export const L_SAME = 6;

/** `L_SAME` bit: the name is byte for byte the previous line's name at this index. */
export const SAME_NAME = 1;
/** `L_SAME` bit: the value is byte for byte the previous line's value at this index. */
export const SAME_VALUE = 2;

/** Range flag: the range holds a backslash (an escape sequence). */
export const F_ESCAPE = 1;
/** Range flag: the range holds a byte >= 0x80. */
export const F_UTF8 = 2;
/** Range flag: the name was quoted (Prometheus 3 UTF-8 names). */
export const F_QUOTED = 4;
/** Range flag: the (text 0.0.4) quoted string holds a raw line feed, so scanning it moves the line count. */
export const F_NEWLINE = 8;

/** What the OpenMetrics rules may read of the current entry. */
export interface SeriesView {
  /** The buffer every offset points into. */
  readonly buf: Uint8Array;
  /** The metric name (Series) or family name (Help/Type/Unit): [nameStart, nameEnd) and its flags. */
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly nameFlags: number;
  /** The series' labels, `LABEL_STRIDE` ints each (see the `L_*` offsets). */
  readonly lbl: Int32Array;
  readonly nLabels: number;
  /** The sample value. */
  readonly val: number;
  /** The sample timestamp in milliseconds, when `hasTs`. */
  readonly ts: number;
  readonly hasTs: boolean;
  /** True when the sample carries an exemplar. */
  readonly hasEx: boolean;
  /** The type of the current TYPE entry. */
  readonly mtype: MetricType;
  /** The metric or family name, decoded (allocates). */
  name(): string;
  /** The unit of the current UNIT entry (allocates). */
  unitText(): string;
}
