/**
 * The format rules of the data model, in one place. Every layer (parser
 * families, encoder, MetricSet, merge, lint, CLI) asks these functions
 * instead of keeping its own copy, so they cannot disagree about which
 * sample belongs to which family, which label a type reserves, or how a
 * bucket bound reads.
 *
 * Sources: OpenMetrics 1.0 "Metric types" (suffixes, reserved labels,
 * `_total`/`_created`/`_info`), the text exposition format 0.0.4, and
 * Prometheus 3.5's model/textparse (normalizeFloatsInLabelValues,
 * formatOpenMetricsFloat, `untyped` read as `unknown`). Where the documents
 * and Prometheus 3.5 differ, Prometheus wins and the comment says so.
 */

import { formatFloat, parseGoFloat } from '../core/number.js';
import type { FloatSample, Format, Labels, MetricFamily, MetricType, Sample } from './index.js';
import { copyLabels } from './labels.js';

/**
 * The sample-name suffixes each type allows, relative to the family's
 * OpenMetrics name (`omName`). `_created` lines are read into the samples'
 * `startTimestamp`, never kept as samples of these families.
 */
const OM_SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['', '_count', '_sum', '_created'],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
};

/**
 * Text 0.0.4 suffixes, relative to the family name (the `# TYPE` name). A
 * text counter's series is its family name; `_created` of a histogram or
 * summary stays with it, as client_golang's text encoder does not write it
 * and expfmt's parser (promtool) groups it there.
 */
const TEXT_SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['', '_count', '_sum', '_created'],
  info: [''],
  stateset: [''],
  unknown: [''],
};

/** The suffix an OpenMetrics type adds to its family name for its one value series. */
function valueSuffix(type: MetricType): string {
  return type === 'counter' ? '_total' : type === 'info' ? '_info' : '';
}

/**
 * The family name in the model, from the name a metadata line gives.
 * OpenMetrics names a counter `foo` and its series `foo_total`; the model
 * names the family after its series (`foo_total`), as text 0.0.4, protobuf
 * and Prometheus' queries do. Likewise an info `foo` is `foo_info`.
 */
export function familyName(format: Format, metadataName: string, type: MetricType): string {
  if (format !== 'openmetrics') return metadataName;
  return metadataName + valueSuffix(type);
}

/**
 * The OpenMetrics name of a family: `foo` for the counter `foo_total` and the
 * info `foo_info`, the family name otherwise. A counter named without
 * `_total` (text `# TYPE foo counter`) keeps its name; its series must be
 * renamed `foo_total` to be written in OpenMetrics.
 */
export function omName(f: Pick<MetricFamily, 'name' | 'type'>): string {
  const suffix = valueSuffix(f.type);
  if (suffix !== '' && f.name.length > suffix.length && f.name.endsWith(suffix)) {
    return f.name.slice(0, -suffix.length);
  }
  return f.name;
}

/** Length of the family's OpenMetrics name (`omName`), without making it. */
function omNameLength(f: Pick<MetricFamily, 'name' | 'type'>): number {
  const suffix = valueSuffix(f.type);
  return suffix !== '' && f.name.length > suffix.length && f.name.endsWith(suffix) ? f.name.length - suffix.length : f.name.length;
}

/** True when `a` and `b` agree on their first `n` characters (no substring is made). */
function samePrefix(a: string, b: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/**
 * True when a sample named `sampleName` belongs to the family, in the format
 * it is read from. Called for every sample the parser reads: no substring is
 * made (lengths, then suffix, then prefix).
 */
export function belongsTo(format: Format, f: Pick<MetricFamily, 'name' | 'type'>, sampleName: string): boolean {
  const baseLength = format === 'openmetrics' ? omNameLength(f) : f.name.length;
  const table = format === 'openmetrics' ? OM_SUFFIXES : TEXT_SUFFIXES;
  for (const suffix of table[f.type]) {
    if (sampleName.length === baseLength + suffix.length && sampleName.endsWith(suffix) && samePrefix(sampleName, f.name, baseLength)) {
      return true;
    }
  }
  return false;
}

/** True when `sampleName` is the family's `_created` line (OpenMetrics), read into `startTimestamp`. */
export function isCreatedSample(f: Pick<MetricFamily, 'name' | 'type'>, sampleName: string): boolean {
  if (f.type !== 'counter' && f.type !== 'histogram' && f.type !== 'summary') return false;
  const baseLength = omNameLength(f);
  return sampleName.length === baseLength + 8 && sampleName.endsWith('_created') && samePrefix(sampleName, f.name, baseLength);
}

/**
 * The name a family's text 0.0.4 HELP/TYPE lines carry: the family name,
 * except for a hand-built counter `foo` (or info) whose series are
 * `foo_total` (`foo_info`): those are written under the series' name, as the
 * model would have named the family.
 */
export function textName(f: Pick<MetricFamily, 'name' | 'type'>, samples: readonly { name: string }[]): string {
  const suffix = valueSuffix(f.type);
  if (suffix === '' || f.name.endsWith(suffix)) return f.name;
  const series = f.name + suffix;
  for (const s of samples) if (s.name === series) return series;
  return f.name;
}

/**
 * Every sample name a family's series may use in any format: what a
 * `MetricSet` reserves when the family is defined, and what merge and lint
 * treat as the same metric.
 */
export function seriesNames(f: Pick<MetricFamily, 'name' | 'type'>): string[] {
  const base = omName(f);
  const names = new Set<string>([f.name]);
  for (const s of OM_SUFFIXES[f.type]) names.add(base + s);
  return [...names];
}

/**
 * The label a type reserves for its own use: `le` (histogram, gauge
 * histogram bucket bound), `quantile` (summary), the family's own name
 * (stateset state). OpenMetrics 1.0 "Histogram", "Summary", "StateSet".
 */
export function reservedLabel(f: Pick<MetricFamily, 'name' | 'type'>): string | null {
  switch (f.type) {
    case 'histogram':
    case 'gaugehistogram':
      return 'le';
    case 'summary':
      return 'quantile';
    case 'stateset':
      return omName(f);
    default:
      return null;
  }
}

/**
 * Reads a bucket bound or quantile as Prometheus does: Go's
 * strconv.ParseFloat (decimal, `inf`/`infinity`/`nan` in any case, hex
 * floats with a `p` exponent, `_` between digits; overflow is an error).
 * `undefined` when it is not a number. This is the one reader of `le` and
 * `quantile` values in promwire.
 */
export function parseBound(s: string): number | undefined {
  return parseGoFloat(s);
}

/**
 * The canonical spelling of a bound or quantile: Prometheus 3's
 * labels.FormatOpenMetricsFloat, Go's FormatFloat 'g' -1 with `.0` added
 * when there is neither a point nor an exponent (`1.0`, `10.0`, `1e-05`,
 * `+Inf`). The OpenMetrics 1.0 spec requires canonical numbers there; text
 * output uses the same spelling, as Prometheus 3 stores it.
 */
export function canonicalBound(v: number): string {
  if (v === 1) return '1.0';
  if (v === 0) return '0.0';
  if (v === -1) return '-1.0';
  const s = formatFloat(v);
  if (v !== v || v === Infinity || v === -Infinity) return s;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e || c === 0x65) return s; // '.' or 'e'
  }
  return s + '.0';
}

const normalized = new Map<string, string>();
const NORMALIZED_MAX = 4096;

/**
 * A label value as Prometheus 3 stores it: a histogram's `le` and a
 * summary's `quantile` are read as numbers and written canonically
 * (`le="1"` is stored as `le="1.0"`); a value that does not read as a number
 * stays as it is. Prometheus 3.5 textparse normalizeFloatsInLabelValues does
 * this for `histogram` only, not `gaugehistogram`; so does this. The few
 * distinct bounds of a payload are cached.
 */
export function normalizeLabelValue(type: MetricType, labelName: string, value: string): string {
  if (!((type === 'histogram' && labelName === 'le') || (type === 'summary' && labelName === 'quantile'))) return value;
  return normalizeNumber(value);
}

/** `value` in canonical bound spelling when it reads as a number, else unchanged. */
export function normalizeNumber(value: string): string {
  // Only short values are cached (a bound is a few characters), so the
  // cache never keeps large label values alive after their model is gone.
  if (value.length > 32) {
    const v = parseBound(value);
    return v === undefined ? value : canonicalBound(v);
  }
  let n = normalized.get(value);
  if (n !== undefined) return n;
  const v = parseBound(value);
  n = v === undefined ? value : canonicalBound(v);
  if (normalized.size >= NORMALIZED_MAX) normalized.clear();
  normalized.set(value, n);
  return n;
}

const TYPE_WORDS: ReadonlyMap<string, MetricType> = new Map<string, MetricType>([
  ['counter', 'counter'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['gaugehistogram', 'gaugehistogram'],
  ['summary', 'summary'],
  ['info', 'info'],
  ['stateset', 'stateset'],
  ['unknown', 'unknown'],
  // Text 0.0.4's word for unknown (Prometheus 3 reads it as MetricTypeUnknown).
  ['untyped', 'unknown'],
]);

/** The model type for a type word of either format (`untyped` is `unknown`); undefined for anything else. */
export function typeFromWord(word: string): MetricType | undefined {
  return TYPE_WORDS.get(word);
}

/** The word a format writes for a type: text 0.0.4 says `untyped` for unknown. */
export function typeWord(type: MetricType, format: Format): string {
  return format === 'text' && type === 'unknown' ? 'untyped' : type;
}

/**
 * A collision-free key for a series: its name and its labels in name order,
 * each part length-prefixed, so no two different series share a key (safe
 * as a Map key against crafted input).
 */
export function seriesKey(name: string, labels: Labels, omit: string | null = null): string {
  const names = Object.keys(labels).sort();
  let key = `${name.length}:${name}`;
  for (const k of names) {
    if (k === omit) continue;
    const v = labels[k]!;
    key += `|${k.length}:${k}=${v.length}:${v}`;
  }
  return key;
}

/**
 * The `_created` series of a family's start timestamps, as OpenMetrics 1.0
 * writes them and Prometheus 3.5 stores them (without created-timestamp
 * ingestion): one per series, for a histogram or summary one per label set
 * less `le`/`quantile` (the MetricPoint), named `<omName>_created`, valued in
 * seconds by one division (for a start timestamp read from a `_created`
 * value that gives the value back), with the point's timestamp (OpenMetrics:
 * the samples of a MetricPoint share it). The encoder writes them; lint
 * reads them as promtool reads the text the encoder writes.
 */
export function createdSeries(f: Pick<MetricFamily, 'name' | 'type'>, samples: readonly Sample[]): FloatSample[] {
  const out: FloatSample[] = [];
  const omit = reservedLabel(f);
  const name = `${omName(f)}_created`;
  let seen: Set<string> | undefined;
  for (const s of samples) {
    if (s.startTimestamp === undefined) continue;
    const labels = copyLabels(s.labels, omit);
    const key = seriesKey('', labels);
    if ((seen ??= new Set()).has(key)) continue;
    seen.add(key);
    out.push({ name, labels, value: s.startTimestamp / 1000, timestamp: s.timestamp });
  }
  return out;
}
