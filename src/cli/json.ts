/**
 * The JSON form of `promwire parse --json` (issue 2), one family per line:
 *
 *   {"name":…,"type":…,"help":…,"unit":… (only when non-empty),
 *    "samples":[{"name":…,"labels":{…},"value":"…","timestamp_ms":number|null,
 *                "exemplar":{"labels":{…},"value":"…","timestamp_ms":number|null} (only when present)}]}
 *
 * Values are strings spelled as Go's strconv.FormatFloat(v, 'g', -1, 64)
 * (`1e+06`, `NaN`, `+Inf`), which JSON numbers cannot hold and which is how
 * Prometheus itself writes them. Keys are emitted in exactly this order.
 */
import { formatFloat } from '../core/number.js';
import type { Exemplar, MetricFamily, Sample } from '../model.js';

interface SampleJson {
  name: string;
  labels: Record<string, string>;
  value: string;
  timestamp_ms: number | null;
  exemplar?: { labels: Record<string, string>; value: string; timestamp_ms: number | null };
}

interface FamilyJson {
  name: string;
  type: string;
  help: string;
  unit?: string;
  samples: SampleJson[];
}

function exemplarJson(e: Exemplar): NonNullable<SampleJson['exemplar']> {
  return { labels: e.labels, value: formatFloat(e.value), timestamp_ms: e.timestamp };
}

function sampleJson(s: Sample): SampleJson {
  const o: SampleJson = { name: s.name, labels: s.labels, value: formatFloat(s.value), timestamp_ms: s.timestamp };
  if (s.exemplar !== undefined) o.exemplar = exemplarJson(s.exemplar);
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
