/**
 * The JSON form of `promwire parse --json`, one family per line (JSON Lines):
 *
 *   {"name":…,"type":…,"help":…,"unit":… (only when non-empty),
 *    "samples":[{"name":…,"labels":{…},"value":"…","timestamp_ms":number|null,
 *                "exemplar":{"labels":{…},"value":"…","timestamp_ms":number|null} (only when present)}]}
 *
 * Values are strings spelled as Go's strconv.FormatFloat(v, 'g', -1, 64)
 * (`1e+06`, `NaN`, `+Inf`), which JSON numbers cannot hold and which is how
 * Prometheus itself writes them. Keys are emitted in exactly this order.
 *
 * A native histogram sample's "value" is an object (NativeHistogramJson):
 *
 *   {"kind":"integer"|"float","schema":N,"zero_threshold":"…","zero_count":N,
 *    "count":N,"sum":"…","positive_spans":[{"offset":N,"length":N}…],
 *    "positive_buckets":[N…],"negative_spans":[…],"negative_buckets":[…],
 *    "custom_values":["…"…] (schema -53 only)}
 *
 * Buckets are absolute counts, one per bucket the spans cover (not the
 * protobuf deltas). Counts (count, zero_count, buckets) are JSON numbers
 * when finite; a float histogram's infinite or NaN count is a string in
 * the same spelling as sum (`"+Inf"`, `"NaN"`), since JSON numbers cannot
 * hold it (JSON.stringify would write null). The README ("The JSON form of parse --json") and
 * `promwire parse --help` document the same shape; test/cli-protobuf.test.ts
 * holds it to this order.
 */
import { formatFloat } from '../core/number.js';
import type { Exemplar, MetricFamily, NativeHistogram, Sample } from '../model/index.js';

interface SampleJson {
  name: string;
  labels: Record<string, string>;
  value: string | NativeHistogramJson;
  timestamp_ms: number | null;
  start_timestamp_ms?: number;
  exemplars?: { labels: Record<string, string>; value: string; timestamp_ms: number | null }[];
}

/**
 * A native histogram in JSON: numbers that can be NaN or infinite are
 * strings (Go's spelling), counts and indices are numbers.
 */
interface NativeHistogramJson {
  kind: 'integer' | 'float';
  schema: number;
  zero_threshold: string;
  zero_count: number | string;
  count: number | string;
  sum: string;
  positive_spans: { offset: number; length: number }[];
  positive_buckets: (number | string)[];
  negative_spans: { offset: number; length: number }[];
  negative_buckets: (number | string)[];
  custom_values?: string[];
}

/** A count as JSON: a number when finite, else Go's spelling (`+Inf`, `NaN`), as sums are. */
function countJson(n: number): number | string {
  return Number.isFinite(n) ? n : formatFloat(n);
}

/** A native histogram as the JSON object of `parse --json` (also `receive`'s human form). */
export function histogramJson(h: NativeHistogram): NativeHistogramJson {
  const o: NativeHistogramJson = {
    kind: h.kind,
    schema: h.schema,
    zero_threshold: formatFloat(h.zeroThreshold),
    zero_count: countJson(h.zeroCount),
    count: countJson(h.count),
    sum: formatFloat(h.sum),
    positive_spans: h.positiveSpans.map((x) => ({ offset: x.offset, length: x.length })),
    positive_buckets: Array.from(h.positiveBuckets, countJson),
    negative_spans: h.negativeSpans.map((x) => ({ offset: x.offset, length: x.length })),
    negative_buckets: Array.from(h.negativeBuckets, countJson),
  };
  if (h.customValues !== undefined) o.custom_values = h.customValues.map(formatFloat);
  return o;
}

interface FamilyJson {
  name: string;
  type: string;
  help: string;
  unit?: string;
  samples: SampleJson[];
}

function exemplarJson(e: Exemplar): NonNullable<SampleJson['exemplars']>[number] {
  return { labels: e.labels, value: formatFloat(e.value), timestamp_ms: e.timestamp };
}

function sampleJson(s: Sample): SampleJson {
  const v = s.value;
  const o: SampleJson = {
    name: s.name,
    labels: s.labels,
    value: typeof v === 'number' ? formatFloat(v) : histogramJson(v),
    timestamp_ms: s.timestamp,
  };
  if (s.startTimestamp !== undefined) o.start_timestamp_ms = s.startTimestamp;
  if (s.exemplars !== undefined && s.exemplars.length > 0) o.exemplars = s.exemplars.map(exemplarJson);
  return o;
}

/** The JSON object of one family, keys in the documented order. */
export function familyToJsonObject(f: MetricFamily): FamilyJson {
  const samples = f.samples.map(sampleJson);
  // Key order matters for readers that compare text: name, type, help, unit, samples.
  return f.unit === ''
    ? { name: f.name, type: f.type, help: f.help, samples }
    : { name: f.name, type: f.type, help: f.help, unit: f.unit, samples };
}

/** One family as a single line of JSON (no line feed; JSON.stringify escapes any in strings). */
export function familyToJson(f: MetricFamily): string {
  return JSON.stringify(familyToJsonObject(f));
}

/**
 * Writes families as one JSON array with one family per line:
 * `[` alone on the first line, then each family on its own line (every
 * line but the last family's ending with `,`), then `]` alone. The whole
 * output parses as a JSON array; a line-oriented reader strips one trailing
 * comma per line. `[]` when there are no families.
 */
export function writeFamiliesJson(families: Iterable<MetricFamily>, write: (s: string) => void): void {
  let first = true;
  for (const f of families) {
    write((first ? '[\n' : ',\n') + familyToJson(f));
    first = false;
  }
  write(first ? '[]\n' : '\n]\n');
}
