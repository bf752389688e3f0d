/**
 * A MetricSet series' remote-write label set, rendered once and kept on the
 * series (as its text line prefixes and protobuf label fields are): the
 * labels of one sample line (default labels, the metric's labels, `le` /
 * `quantile` / the stateset label, `__name__`) sorted as the families path
 * sorts them (LabelSet.sort: UTF-8 byte order), and their 1.0 `Label`
 * fields as bytes. An encode then copies the bytes (1.0) or interns the
 * sorted strings in the request's symbol table (2.0: the table is per
 * request, so refs cannot be kept) and writes only the values.
 */

import { LabelField, TimeSeriesV1Field } from '../proto/remote-write-proto.js';
import { WIRE_LEN } from '../proto/metrics-proto.js';
import { ProtoWriter, tag } from '../proto/writer.js';
import { LabelSet } from './label-set.js';

const K_V1_LABEL = tag(TimeSeriesV1Field.labels, WIRE_LEN);
const K_LABEL_NAME = tag(LabelField.name, WIRE_LEN);
const K_LABEL_VALUE = tag(LabelField.value, WIRE_LEN);

export interface SeriesLabels {
  /** Sorted names and values, `__name__` included (2.0: interned per request). */
  readonly set: LabelSet;
  /** 1.0: the TimeSeries `labels` fields, in order. */
  readonly v1: Uint8Array;
}

/**
 * Renders one sample line's label set. The bytes are those RequestWriter
 * writes for the same labels (a Label message: name and value, each left
 * out when empty, as proto3 leaves out ''), so both paths write the same
 * request.
 */
export function seriesLabels(name: string, pairs: ReadonlyArray<readonly [string, string]>): SeriesLabels {
  const set = new LabelSet();
  set.add('__name__', name);
  for (const [k, v] of pairs) set.add(k, v);
  set.sort();
  const w = new ProtoWriter(64);
  for (let i = 0; i < set.length; i++) {
    const k = set.names[i]!;
    const v = set.values[i]!;
    w.byte(K_V1_LABEL);
    const start = w.beginLength(1);
    if (k !== '') w.stringField(K_LABEL_NAME, k);
    if (v !== '') w.stringField(K_LABEL_VALUE, v);
    w.endLength(start, 1);
  }
  // Trim the arrays to the set's length (they are read up to `length` only, but kept for the series' life).
  set.names.length = set.length;
  set.values.length = set.length;
  return { set, v1: w.finish() };
}
