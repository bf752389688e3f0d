/**
 * `lint()`: the rules of `promtool check metrics` over the MetricFamily model,
 * plus structural checks on what a hand-built family (or a payload that the
 * text format lets through) can get wrong.
 *
 * Runtime-neutral: no IO, no Node modules.
 *
 * promtool 2.42 lints with client_golang's `prometheus/testutil/promlint`
 * (v1.14): it reads the payload with expfmt's text 0.0.4 parser into protobuf
 * `MetricFamily` messages and runs eight checks on each family, each finding
 * being a `Problem { Metric, Text }`, sorted by metric name then text and
 * printed as `name text`, one a line. The messages below are that package's,
 * byte for byte, so that a person can compare the two tools' output.
 */
import type { Labels, MetricFamily, MetricType, Sample } from '../model/index.js';
import { validateNativeHistogram } from '../model/native-histogram.js';
import { omName, parseBound } from '../model/rules.js';

/** One lint finding: the metric it is about and what is wrong, in promtool's words. */
export interface LintFinding {
  /** The metric family's name as the text 0.0.4 format spells it (an OpenMetrics counter `foo` is `foo_total`). */
  metric: string;
  message: string;
}

/** Options of {@link lint}. */
export type LintOptions = Partial<
  Readonly<{
    /**
     * Also run the structural checks (duplicate series, samples that do not
     * belong to their family, malformed histogram buckets and summary
     * quantiles, negative or NaN counters). promtool 2.42 runs none of them;
     * set false to get exactly promtool's rules. Defaults to true.
     */
    structural: boolean;
  }>
>;

// The messages of client_golang prometheus/testutil/promlint (v1.14, the
// version promtool 2.42 is built with), unchanged.
const MSG_NO_HELP = 'no help text';
const MSG_COUNTER_TOTAL = 'counter metrics should have "_total" suffix';
const MSG_NON_COUNTER_TOTAL = 'non-counter metrics should not have "_total" suffix';
const MSG_BUCKET_SUFFIX = 'non-histogram metrics should not have "_bucket" suffix';
const MSG_COUNT_SUFFIX = 'non-histogram and non-summary metrics should not have "_count" suffix';
const MSG_SUM_SUFFIX = 'non-histogram and non-summary metrics should not have "_sum" suffix';
const MSG_LE_LABEL = 'non-histogram metrics should not have "le" label';
const MSG_QUANTILE_LABEL = 'non-summary metrics should not have "quantile" label';
const MSG_COLON = "metric names should not contain ':'";
const MSG_CAMEL_METRIC = "metric names should be written in 'snake_case' not 'camelCase'";
const MSG_CAMEL_LABEL = "label names should be written in 'snake_case' not 'camelCase'";
const MSG_ABBREVIATION = 'metric names should not contain abbreviated units';
// From later client_golang (validations.LintDuplicateMetric); promtool 2.42 does not check it.
const MSG_NOT_UNIQUE = 'metric not unique';

/**
 * promlint's unit table: a unit word and its base unit (metricUnits). A name
 * segment equal to an optional SI/IEC prefix plus one of these words is a unit.
 */
const UNITS: ReadonlyMap<string, string> = new Map([
  ['amperes', 'amperes'],
  ['bytes', 'bytes'],
  ['celsius', 'celsius'],
  ['grams', 'grams'],
  ['joules', 'joules'],
  ['kelvin', 'kelvin'],
  ['meters', 'meters'],
  ['metres', 'metres'],
  ['seconds', 'seconds'],
  ['volts', 'volts'],
  ['minutes', 'seconds'],
  ['hours', 'seconds'],
  ['days', 'seconds'],
  ['weeks', 'seconds'],
  ['kelvins', 'kelvin'],
  ['fahrenheit', 'celsius'],
  ['rankine', 'celsius'],
  ['inches', 'meters'],
  ['yards', 'meters'],
  ['miles', 'meters'],
  ['bits', 'bytes'],
  ['calories', 'joules'],
  ['pounds', 'grams'],
  ['ounces', 'grams'],
]);

/** promlint's unit prefixes ("mibi" is its spelling), and the empty prefix. */
const UNIT_PREFIXES = [
  'pico', 'nano', 'micro', 'milli', 'centi', 'deci', 'deca', 'hecto', 'kilo',
  'kibi', 'mega', 'mibi', 'giga', 'gibi', 'tera', 'tebi', 'peta', 'pebi', '',
];

/** promlint's discouraged unit abbreviations (lintUnitAbbreviations). */
const UNIT_ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];

/**
 * The protobuf type names lintMetricTypeInName looks for, lowercased: every
 * dto.MetricType except UNTYPED (client_model 0.3 has GAUGE_HISTOGRAM).
 */
const TYPE_WORDS = ['counter', 'gauge', 'summary', 'histogram', 'gauge_histogram'];

/** promlint's camelCase test: a lowercase ASCII letter followed by an uppercase one. */
const CAMEL_CASE = /[a-z][A-Z]/;

/** The five types expfmt's text parser knows. */
type TextType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** A family as promtool would see it after reading the text 0.0.4 form of the payload. */
interface TextFamily {
  name: string;
  type: TextType;
  hasHelp: boolean;
  samples: Sample[];
}

/**
 * Lints metric families with the rules of `promtool check metrics` (promtool
 * 2.42, client_golang promlint v1.14) and, unless `structural` is false, the
 * structural checks. Findings are sorted by metric name, then message, as
 * promtool prints them; a rule that fires once per series (camelCase label
 * names, `le`/`quantile` labels) gives one finding per series, as promtool does.
 *
 * Each family is judged as promtool would judge the text 0.0.4 form of it,
 * because promtool reads only that format. So an OpenMetrics counter `foo`
 * (samples `foo_total`) is the text counter `foo_total`, an info `foo` is the
 * gauge `foo_info`, a stateset is a gauge, a gaugehistogram a histogram,
 * `unknown` is `untyped`, and the OpenMetrics-only `_created`, `_gsum` and
 * `_gcount` samples are gauges of their own (the mapping the Python client
 * applies when it writes text). Families without samples are skipped (expfmt
 * drops them), families that share a name are judged as one, and an empty HELP
 * counts as none (promtool says "no help text" for `# HELP foo` too).
 *
 * Differences from promtool, all in corner cases: where a name holds two unit
 * words (`foo_hours_bits`), promtool reports whichever its map iteration meets
 * first, at random; this reports the first segment's. Label names in a series
 * are unique in this model, so promlint's "label names should be unique" cannot
 * fire. Structural findings (see {@link LintOptions}) are not promtool's.
 */
export function lint(families: readonly MetricFamily[], options?: LintOptions): LintFinding[] {
  const structural = options?.structural ?? true;
  const out: LintFinding[] = [];
  for (const tf of textView(families).values()) lintFamily(tf, out);
  if (structural) {
    for (const f of families) structuralChecks(f, out);
  }
  // promlint: "Ensure deterministic output": by metric, then by text (Go compares bytes).
  out.sort((a, b) => compareUtf8(a.metric, b.metric) || compareUtf8(a.message, b.message));
  return out;
}

/**
 * Formats findings as promtool prints them: `name message`, one a line, each
 * line ending in a line feed; '' when there are none.
 */
export function formatFindings(findings: readonly LintFinding[]): string {
  let s = '';
  for (const f of findings) s += `${f.metric} ${f.message}\n`;
  return s;
}

// ---------------------------------------------------------------------------
// The text 0.0.4 view

/** The name an OpenMetrics-style family has in text 0.0.4 (see {@link lint}). */
function textName(f: MetricFamily): string {
  // The model names counters and infos after their series already; a
  // hand-built counter `foo` whose samples are `foo_total` is written so.
  if (f.type === 'counter' && !f.name.endsWith('_total') && hasSampleNamed(f, f.name + '_total')) return f.name + '_total';
  if (f.type === 'info' && !f.name.endsWith('_info') && hasSampleNamed(f, f.name + '_info')) return f.name + '_info';
  return f.name;
}

function hasSampleNamed(f: MetricFamily, name: string): boolean {
  for (const s of f.samples) if (s.name === name) return true;
  return false;
}

function textType(t: MetricType): TextType {
  switch (t) {
    case 'counter':
    case 'gauge':
    case 'histogram':
    case 'summary':
      return t;
    case 'gaugehistogram':
      return 'histogram';
    case 'info':
    case 'stateset':
      return 'gauge';
    case 'unknown':
      return 'untyped';
  }
}

/** OpenMetrics-only sample suffixes that text 0.0.4 carries as gauges of their own. */
function movedSuffixes(t: MetricType): readonly string[] {
  switch (t) {
    case 'counter':
    case 'histogram':
    case 'summary':
      return ['_created'];
    case 'gaugehistogram':
      return ['_gsum', '_gcount'];
    default:
      return [];
  }
}

function textView(families: readonly MetricFamily[]): Map<string, TextFamily> {
  const view = new Map<string, TextFamily>();
  const add = (name: string, type: TextType, help: string, samples: Sample[]): void => {
    // expfmt drops families that end up with no samples.
    if (samples.length === 0) return;
    const tf = view.get(name);
    if (tf === undefined) {
      view.set(name, { name, type, hasHelp: help !== '', samples });
    } else {
      // Two families of one name (samples of it not consecutive): expfmt's
      // parser files them under one family, so promlint judges them once.
      tf.hasHelp ||= help !== '';
      for (const s of samples) tf.samples.push(s);
    }
  };
  for (const f of families) {
    const moved = movedSuffixes(f.type);
    if (moved.length === 0) {
      add(textName(f), textType(f.type), f.help, f.samples.slice());
      continue;
    }
    const own: Sample[] = [];
    const extra = new Map<string, Sample[]>();
    for (const s of f.samples) {
      const suffix = moved.find((m) => s.name === omName(f) + m);
      if (suffix === undefined) {
        own.push(s);
      } else {
        let list = extra.get(suffix);
        if (list === undefined) extra.set(suffix, (list = []));
        list.push(s);
      }
    }
    add(textName(f), textType(f.type), f.help, own);
    for (const [suffix, list] of extra) add(omName(f) + suffix, 'gauge', f.help, list);
  }
  return view;
}

/**
 * The label sets of the protobuf Metrics expfmt would build: for a histogram
 * the `le` label, for a summary the `quantile` label, is not a label but part
 * of the value, and all samples of one label set make one Metric; every
 * sample of another type is a Metric of its own.
 */
function metricLabelSets(tf: TextFamily): Labels[] {
  if (tf.type !== 'histogram' && tf.type !== 'summary') return tf.samples.map((s) => s.labels);
  const special = tf.type === 'histogram' ? 'le' : 'quantile';
  const seen = new Set<string>();
  const out: Labels[] = [];
  for (const s of tf.samples) {
    const labels: Labels = {};
    for (const k in s.labels) if (k !== special) labels[k] = s.labels[k]!;
    const key = labelsKey(labels);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(labels);
  }
  return out;
}

// ---------------------------------------------------------------------------
// promlint's rules, in its order

function lintFamily(tf: TextFamily, out: LintFinding[]): void {
  const name = tf.name;
  const push = (message: string): void => {
    out.push({ metric: name, message });
  };
  const metrics = metricLabelSets(tf);

  // lintHelp: "Expect all metrics to have help text available."
  if (!tf.hasHelp) push(MSG_NO_HELP);

  // lintMetricUnits: a unit word that is not its own base unit.
  const unit = findUnit(name);
  if (unit !== undefined && unit.unit !== unit.base) {
    push(`use base unit "${unit.base}" instead of "${unit.unit}"`);
  }

  // lintCounter: `_total` on counters, and only there (untyped exempt).
  const hasTotal = name.endsWith('_total');
  if (tf.type === 'counter' && !hasTotal) push(MSG_COUNTER_TOTAL);
  else if (tf.type !== 'untyped' && tf.type !== 'counter' && hasTotal) push(MSG_NON_COUNTER_TOTAL);

  // lintHistogramSummaryReserved: suffixes and labels reserved for histograms
  // and summaries (untyped exempt).
  if (tf.type !== 'untyped') {
    const isHistogram = tf.type === 'histogram';
    const isSummary = tf.type === 'summary';
    if (!isHistogram && name.endsWith('_bucket')) push(MSG_BUCKET_SUFFIX);
    if (!isHistogram && !isSummary && name.endsWith('_count')) push(MSG_COUNT_SUFFIX);
    if (!isHistogram && !isSummary && name.endsWith('_sum')) push(MSG_SUM_SUFFIX);
    for (const labels of metrics) {
      for (const ln in labels) {
        if (!isHistogram && ln === 'le') push(MSG_LE_LABEL);
        if (!isSummary && ln === 'quantile') push(MSG_QUANTILE_LABEL);
      }
    }
  }

  // lintMetricTypeInName: `_counter_` or a `_counter` suffix, case-insensitive.
  const lower = name.toLowerCase();
  for (const t of TYPE_WORDS) {
    if (lower.includes(`_${t}_`) || lower.endsWith(`_${t}`)) push(`metric name should not include type '${t}'`);
  }

  // lintReservedChars: colons are for recording rules.
  if (name.includes(':')) push(MSG_COLON);

  // lintCamelCase: the metric name, then each label name of each Metric.
  if (CAMEL_CASE.test(name)) push(MSG_CAMEL_METRIC);
  for (const labels of metrics) {
    for (const ln in labels) if (CAMEL_CASE.test(ln)) push(MSG_CAMEL_LABEL);
  }

  // lintUnitAbbreviations: one finding per abbreviation found.
  for (const a of UNIT_ABBREVIATIONS) {
    if (lower.includes(`_${a}_`) || lower.endsWith(`_${a}`)) push(MSG_ABBREVIATION);
  }
}

/** promlint's metricUnits: a `_`-separated segment that is exactly prefix + unit (so "thermometers" is no unit). */
function findUnit(name: string): { unit: string; base: string } | undefined {
  for (const seg of name.split('_')) {
    for (const p of UNIT_PREFIXES) {
      if (!seg.startsWith(p)) continue;
      const base = UNITS.get(seg.slice(p.length));
      if (base !== undefined) return { unit: seg, base };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Structural checks

/** The sample-name suffixes each type allows (ARCHITECTURE.md, OpenMetrics "Metric types"). */
function allowedSuffixes(t: MetricType): readonly string[] {
  switch (t) {
    case 'histogram':
      return ['_bucket', '_count', '_sum', '_created'];
    case 'gaugehistogram':
      return ['_bucket', '_gcount', '_gsum'];
    case 'summary':
      return ['', '_count', '_sum', '_created'];
    case 'counter':
      // Text 0.0.4 names the family with `_total`; OpenMetrics names it without.
      return ['', '_total', '_created'];
    case 'info':
      return ['', '_info'];
    default:
      return [''];
  }
}

function structuralChecks(f: MetricFamily, out: LintFinding[]): void {
  const metric = textName(f);
  const push = (message: string): void => {
    out.push({ metric, message });
  };

  // Samples that do not belong to the family.
  const suffixes = allowedSuffixes(f.type);
  for (const s of f.samples) {
    if (!s.name.startsWith(f.name) || !suffixes.includes(s.name.slice(f.name.length))) {
      const expected = suffixes.map((x) => `"${f.name}${x}"`).join(', ');
      push(`sample "${s.name}" does not belong to ${f.type} family "${f.name}" (expected ${expected})`);
    }
  }

  // Duplicate series: a series (name and labels) repeated at the same
  // timestamp; Prometheus rejects the scrape ("duplicate sample for
  // timestamp"). OpenMetrics allows several points of one series with
  // different timestamps, so the timestamp is part of the key. Reported once
  // per repeated Metric, as client_golang's LintDuplicateMetric does; for
  // histograms and summaries the Metric is the label set without le/quantile.
  const seen = new Set<string>();
  const flagged = new Set<string>();
  const special = f.type === 'histogram' || f.type === 'gaugehistogram' ? 'le' : f.type === 'summary' ? 'quantile' : '';
  for (const s of f.samples) {
    const key = `${s.name}\u0000${labelsKey(s.labels)}\u0000${s.timestamp ?? ''}`;
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    if (special === '') {
      push(MSG_NOT_UNIQUE);
      continue;
    }
    const mkey = `${labelsKey(s.labels, special)}\u0000${s.timestamp ?? ''}`;
    if (!flagged.has(mkey)) {
      flagged.add(mkey);
      push(MSG_NOT_UNIQUE);
    }
  }

  if (f.type === 'histogram' || f.type === 'gaugehistogram') checkHistogram(f, push);
  else if (f.type === 'summary') checkSummary(f, push);
  else if (f.type === 'counter') {
    // OpenMetrics "Counter": the Total is a non-NaN, non-negative value.
    for (const s of f.samples) {
      if (Number.isNaN(s.value) || s.value < 0) {
        push(`counter value must be a non-negative number, got ${formatValue(s.value)} for ${seriesText(s)}`);
      }
    }
  }
}

interface Bucket {
  le: number;
  leText: string;
  value: number;
}

/**
 * OpenMetrics "Histogram": every bucket has an `le` label holding a number;
 * buckets are cumulative (a count never falls as le grows); a `+Inf` bucket
 * MUST be present and the Count, if present, MUST equal it.
 */
function checkHistogram(f: MetricFamily, push: (message: string) => void): void {
  const bucketName = f.name + '_bucket';
  const countName = f.name + (f.type === 'gaugehistogram' ? '_gcount' : '_count');
  const buckets = new Map<string, Bucket[]>();
  const counts = new Map<string, Sample & { value: number }>();
  const order: string[] = [];
  for (const s of f.samples) {
    const key = labelsKey(s.labels, 'le') + '\u0000' + (s.timestamp ?? '');
    if (typeof s.value !== 'number') {
      const problem = validateNativeHistogram(s.value);
      if (problem !== null) push(`native histogram ${seriesText(s)} is invalid: ${problem}`);
      continue;
    }
    if (s.name === bucketName) {
      const le = s.labels['le'];
      if (le === undefined) {
        push(`bucket ${seriesText(s)} has no "le" label`);
        continue;
      }
      const bound = parseBound(le);
      if (bound === undefined || Number.isNaN(bound)) {
        push(`bucket ${seriesText(s)} has le="${le}", expected a number`);
        continue;
      }
      let list = buckets.get(key);
      if (list === undefined) {
        buckets.set(key, (list = []));
        order.push(key);
      }
      list.push({ le: bound, leText: le, value: s.value });
    } else if (s.name === countName) {
      counts.set(key, s as Sample & { value: number });
      if (!buckets.has(key)) {
        buckets.set(key, []);
        order.push(key);
      }
    }
  }
  for (const key of order) {
    const list = buckets.get(key)!;
    const count = counts.get(key);
    const where = count !== undefined ? seriesText(count, 'le') : `${bucketName}${labelsText(firstLabels(f, key))}`;
    const sorted = list.slice().sort((a, b) => a.le - b.le);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (cur.value < prev.value) {
        push(
          `buckets of ${where} are not cumulative: le="${cur.leText}" has ${formatValue(cur.value)}, ` +
            `less than le="${prev.leText}" with ${formatValue(prev.value)}`,
        );
      }
    }
    const inf = sorted.length > 0 && sorted[sorted.length - 1]!.le === Infinity ? sorted[sorted.length - 1] : undefined;
    if (inf === undefined) {
      push(`${where} has no le="+Inf" bucket`);
    } else if (count !== undefined && count.value !== inf.value && !(Number.isNaN(count.value) && Number.isNaN(inf.value))) {
      push(
        `${countName} of ${where} is ${formatValue(count.value)}, expected the le="+Inf" bucket's ${formatValue(inf.value)}`,
      );
    }
  }
}

/** OpenMetrics "Summary": each quantile sample has a `quantile` label holding a number from 0 to 1. */
function checkSummary(f: MetricFamily, push: (message: string) => void): void {
  for (const s of f.samples) {
    if (s.name !== f.name) continue;
    const q = s.labels['quantile'];
    if (q === undefined) {
      push(`quantile sample ${seriesText(s)} has no "quantile" label`);
      continue;
    }
    const v = parseBound(q);
    if (v === undefined || !(v >= 0 && v <= 1)) {
      push(`quantile sample ${seriesText(s)} has quantile="${q}", expected a number from 0 to 1`);
    }
  }
}

function firstLabels(f: MetricFamily, key: string): Labels {
  for (const s of f.samples) {
    if (labelsKey(s.labels, 'le') + '\u0000' + (s.timestamp ?? '') === key) {
      const out: Labels = {};
      for (const k in s.labels) if (k !== 'le') out[k] = s.labels[k]!;
      return out;
    }
  }
  return {};
}

// ---------------------------------------------------------------------------
// Helpers

/** A key for a label set, independent of label order, optionally leaving one label out. */
function labelsKey(labels: Labels, omit?: string): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = '';
  for (const n of names) {
    if (n === omit) continue;
    key += `${n}\u0001${labels[n]}\u0002`;
  }
  return key;
}

function labelsText(labels: Labels, omit?: string): string {
  const parts: string[] = [];
  for (const k in labels) {
    if (k === omit) continue;
    parts.push(`${k}=${JSON.stringify(labels[k])}`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function seriesText(s: Sample, omit?: string): string {
  return s.name + labelsText(s.labels, omit);
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * Compares strings in UTF-8 byte order, as Go's `<` on strings does (UTF-16
 * order differs only where a surrogate pair meets a code unit above U+E000).
 */
function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
