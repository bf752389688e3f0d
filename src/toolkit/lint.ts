/**
 * `lint()`: the rules of `promtool check metrics` over the MetricFamily model,
 * plus structural checks on what a hand-built family (or a payload that the
 * text format lets through) can get wrong.
 *
 * Runtime-neutral: no IO, no Node modules.
 *
 * promtool 3.5.3 (cmd/promtool/main.go CheckMetrics) lints stdin with
 * client_golang's `prometheus/testutil/promlint` (v1.22, the version its
 * go.mod names; the package is unchanged up to v1.24): promlint reads the
 * payload with expfmt's text 0.0.4 decoder into protobuf `MetricFamily`
 * messages and runs the nine validations of promlint/validation.go
 * (`defaultValidations`) on each family. Each finding is a
 * `Problem { Metric, Text }`; all are sorted by metric name, then text
 * (promlint.go `Lint`, "Ensure deterministic output") and printed to stderr
 * as `name text`, one a line. Exit status: 0 no findings, 3 findings
 * (`lintErrExitCode`), 1 when the payload does not parse ("error while
 * linting: ..."). `check metrics` has no `--lint` option in 3.5.3 (that flag
 * belongs to `check rules` and `check config`); `--extended` only adds a
 * cardinality table on stdout when there are no findings.
 *
 * The messages below are promlint's, byte for byte, so that a person can
 * compare the two tools' output.
 *
 * What changed since promtool 2.42 (client_golang v1.14), as checked
 * against the real programs (fixtures/lint/README.md):
 * - LintMetricTypeInName looks for the family's own type only, and not at
 *   all in untyped families (v1.14 looked for every type in every family:
 *   a gauge named `..._histogram` was a finding then, not now);
 * - LintDuplicateMetric is new: "metric not unique" once for each Metric
 *   whose label list (names and values, in their order) recurs later in the
 *   family, timestamps ignored;
 * - metricUnits walks the name's segments in order (v1.14 walked a Go map,
 *   so a name with two unit words got either finding at random).
 */
import { isValidLabelName, isValidMetricName } from '../core/names.js';
import type { Labels, MetricFamily, MetricType, Sample } from '../model/index.js';
import { validateNativeHistogram } from '../model/native-histogram.js';
import { copyLabels } from '../model/labels.js';
import { compareUtf8 } from '../remote-write/label-set.js';
import { belongsTo, createdSeries, isCreatedSample, omName, parseBound, seriesKey, seriesNames, textName } from '../model/rules.js';

/** One lint finding: the metric it is about and what is wrong, in promtool's words. */
export interface LintFinding {
  /** The metric family's name as promtool reads it from the text 0.0.4 form (the model's counters are already `foo_total`). */
  metric: string;
  message: string;
}

/** Options of {@link lint}. */
export type LintOptions = Partial<
  Readonly<{
    /**
     * Also run the structural checks (series Prometheus would reject as
     * duplicates that promtool does not report, samples that do not belong
     * to their family, malformed histogram buckets and summary quantiles,
     * negative or NaN counters). promtool runs none of them; set false to
     * get exactly promtool 3.5.3's findings. Defaults to true.
     */
    structural: boolean;
  }>
>;

// The messages of client_golang prometheus/testutil/promlint/validations
// (v1.22, the version promtool 3.5.3 is built with), unchanged.
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
const MSG_NOT_UNIQUE = 'metric not unique';

/**
 * promlint's unit table (validations/units.go `units`): a unit word and its
 * base unit. A name segment equal to one of these words, or to a prefix
 * plus one of them, is a unit.
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

/** promlint's unit prefixes (units.go `unitPrefixes`, "mibi" is its spelling), in its order. */
const UNIT_PREFIXES = [
  'pico',
  'nano',
  'micro',
  'milli',
  'centi',
  'deci',
  'deca',
  'hecto',
  'kilo',
  'kibi',
  'mega',
  'mibi',
  'giga',
  'gibi',
  'tera',
  'tebi',
  'peta',
  'pebi',
];

/** promlint's discouraged unit abbreviations (units.go `unitAbbreviations`), in its order. */
const UNIT_ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];

/** promlint's camelCase test (generic_name_validations.go): a lowercase ASCII letter followed by an uppercase one. */
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
 * Lints metric families with the rules of `promtool check metrics`
 * (promtool 3.5.3, client_golang promlint v1.22) and, unless `structural` is
 * false, the structural checks. Findings are sorted by metric name, then
 * message, as promtool prints them; a rule that fires once per series
 * (camelCase label names, `le`/`quantile` labels, "metric not unique") gives
 * one finding per series, as promtool does.
 *
 * Each family is judged as promtool would judge the text 0.0.4 form
 * promwire's encoder writes of it (encoder.ts `planText`), because promtool
 * reads only that format: an info is a gauge, a stateset a gauge, a
 * gaugehistogram a histogram whose `_gcount` and `_gsum` are gauges of their
 * own, `unknown` is `untyped`, start timestamps are gauges `X_created`
 * (those split-off gauges are written without HELP, so promtool says
 * "no help text" for them), and a native histogram is its count, sum and
 * `+Inf` bucket (left out where the family has classic samples). That text
 * is then read as expfmt reads it (see readAsExpfmt): each sample is filed
 * under a family by its own name, so families that share a name are judged
 * as one (a repeated block joins the first), a histogram's `_bucket`,
 * `_count`, `_sum` samples join it even when the parser split them off, and
 * a sample named unlike its family's header (a counter `foo` holding
 * `foo_total`) is an untyped family of its own. Families without samples
 * are skipped (expfmt drops them), and an empty HELP counts as none (expfmt
 * leaves it unset).
 *
 * promtool 3.5.3 reads legacy names only: a payload with a metric or label
 * name outside `[a-zA-Z_:][a-zA-Z0-9_:]*` / `[a-zA-Z_][a-zA-Z0-9_]*` is a
 * parse error there (exit 1), not a finding, and so is a family's HELP or
 * TYPE line repeated; {@link promtoolReadError} says which. lint() judges
 * such payloads by the same rules all the same.
 *
 * Label names in a series are unique in this model, so the parse error
 * promtool gives for a repeated label name cannot arise. Structural
 * findings (see {@link LintOptions}) are not promtool's.
 */
export function lint(families: readonly MetricFamily[], options?: LintOptions): LintFinding[] {
  const structural = options?.structural ?? true;
  const out: LintFinding[] = [];
  const { view } = readAsExpfmt(families);
  for (const tf of view.values()) lintFamily(tf, out);
  if (structural) {
    for (const f of families) structuralChecks(f, out);
    for (const tf of view.values()) duplicateSeries(tf, out);
  }
  // promlint.go Lint: "Ensure deterministic output": a stable sort by
  // metric, then by text (Go compares bytes).
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

/**
 * Why promtool 3.5.3 could not read the payload the families were parsed
 * from, or promwire's text 0.0.4 of them (so it would print `error while
 * linting: text format parsing error ...` and exit 1 instead of linting), or
 * undefined. expfmt's TextParser (prometheus/common text_parse.go) stops at
 * the first of:
 * - a name outside the legacy character set (promtool 3.5.3 validates
 *   legacy names): `invalid metric name "x"`, `invalid label name "x"`;
 * - a family met again with a HELP line when it has one already
 *   (readingHelp): `second HELP line for metric name "x"`;
 * - a family met again with a TYPE line when it has a type already, set by
 *   a TYPE line or by its first sample (readingType):
 *   `second TYPE line for metric name "x", or TYPE reported after samples`.
 * A block repeated without HELP and TYPE lines is read into the family met
 * first (and linted, see {@link lint}). The model cannot tell a `# TYPE x
 * untyped` line from no TYPE line: an `unknown` family is taken as a block
 * without one. (promwire's encoder writes a TYPE line for every family, so
 * promtool refuses its text of a family repeated.)
 */
export function promtoolReadError(families: readonly MetricFamily[]): string | undefined {
  return readAsExpfmt(families).error;
}

// ---------------------------------------------------------------------------
// The text 0.0.4 view: what expfmt's text parser makes of the payload

/** A family in expfmt's parser while it reads: `typed` once its type is set (TYPE line or first sample). */
interface ReadFamily extends TextFamily {
  typed: boolean;
}

/** One block of text 0.0.4 as promwire's encoder writes it (encoder.ts planText): header, then samples. */
interface Block {
  name: string;
  /** null: no TYPE line (an `unknown` family, see promtoolReadError). */
  type: TextType | null;
  help: string;
  samples: Sample[];
}

/**
 * The blocks of a family's text 0.0.4 form (encoder.ts planText, after the
 * Python client's generate_latest): the family's own block (an info or
 * stateset is a gauge, a gaugehistogram a histogram, `unknown` untyped),
 * then the gauges split off it without HELP: `X_created` for start
 * timestamps, a gaugehistogram's `X_gcount` and `X_gsum`.
 */
function blocksOf(f: MetricFamily): Block[] {
  const samples = writtenSamples(f);
  const base = omName(f);
  const out: Block[] = [];
  let own = samples;
  let gcount: Sample[] = [];
  let gsum: Sample[] = [];
  if (f.type === 'gaugehistogram') {
    own = samples.filter((s) => s.name !== base + '_gcount' && s.name !== base + '_gsum');
    gcount = samples.filter((s) => s.name === base + '_gcount');
    gsum = samples.filter((s) => s.name === base + '_gsum');
  }
  const header = textName(f, samples);
  const createdName = base + '_created';
  const ownCreated = f.type === 'histogram' || f.type === 'summary' ? own.filter((s) => s.name === createdName) : [];
  if (ownCreated.length > 0) own = own.filter((s) => s.name !== createdName);
  out.push({ name: header, type: f.type === 'unknown' ? null : textType(f.type), help: f.help, samples: own });
  // The split-off gauges carry the family's HELP, as the Python client writes them.
  if (f.type === 'counter' || f.type === 'histogram' || f.type === 'summary' || f.type === 'gaugehistogram') {
    const created: Sample[] = createdSeries(f, samples);
    for (const c of ownCreated) created.push(c);
    if (created.length > 0) out.push({ name: createdName, type: 'gauge', help: f.help, samples: created });
  }
  if (gcount.length > 0) out.push({ name: base + '_gcount', type: 'gauge', help: f.help, samples: gcount });
  if (gsum.length > 0) out.push({ name: base + '_gsum', type: 'gauge', help: f.help, samples: gsum });
  return out;
}

/**
 * Reads the families' text 0.0.4 blocks as expfmt's TextParser does: each
 * HELP/TYPE line and each sample is filed under a family by its name
 * ({@link resolveTextName}); a sample whose name finds none starts an
 * untyped family without help. So a family's block repeated joins the
 * family met first, a histogram block repeated without headers (read by
 * promwire's parser as families `h_bucket`, `h_count`) joins `h`, and a
 * sample that does not belong to its family's header is a family of its
 * own, as in promtool. Families left without samples are dropped at the
 * end (TextToMetricFamilies). `error` is the first reason expfmt would stop.
 */
function readAsExpfmt(families: readonly MetricFamily[]): { view: Map<string, TextFamily>; error: string | undefined } {
  const view = new Map<string, ReadFamily>();
  let error: string | undefined;
  const fail = (message: string): void => {
    error ??= message;
  };
  const familyFor = (name: string): ReadFamily => {
    const known = resolveTextName(name, view);
    if (known !== undefined) return view.get(known)!;
    const rf: ReadFamily = { name, type: 'untyped', hasHelp: false, typed: false, samples: [] };
    view.set(name, rf);
    return rf;
  };
  for (const f of families) {
    for (const b of blocksOf(f)) {
      if (!isValidMetricName(b.name)) fail(`invalid metric name ${goQuote(b.name)}`);
      if (b.help !== '') {
        const rf = familyFor(b.name);
        if (rf.hasHelp) fail(`second HELP line for metric name ${goQuote(rf.name)}`);
        rf.hasHelp = true;
      }
      if (b.type !== null) {
        const rf = familyFor(b.name);
        if (rf.typed) fail(`second TYPE line for metric name ${goQuote(rf.name)}, or TYPE reported after samples`);
        rf.type = b.type;
        rf.typed = true;
      }
      for (const s of b.samples) {
        if (!isValidMetricName(s.name)) fail(`invalid metric name ${goQuote(s.name)}`);
        for (const k in s.labels) if (!isValidLabelName(k)) fail(`invalid label name ${goQuote(k)}`);
        const rf = familyFor(s.name);
        rf.typed = true;
        rf.samples.push(s);
      }
    }
  }
  // TextToMetricFamilies: "Get rid of empty metric families."
  for (const [name, rf] of view) if (rf.samples.length === 0) view.delete(name);
  return { view, error };
}

/**
 * The family expfmt files a name under, among those met before
 * (text_parse.go setOrCreateCurrentMF): the family of that exact name; else,
 * for a name ending in `_count` or `_sum`, the summary it completes; else,
 * for one ending in `_count`, `_sum` or `_bucket`, the histogram. So a
 * histogram's block repeated without HELP and TYPE lines, which promwire's
 * parser reads as families `h_bucket` and `h_count`, joins `h` there.
 */
function resolveTextName(name: string, met: ReadonlyMap<string, TextFamily>): string | undefined {
  if (met.has(name)) return name;
  for (const suffix of ['_count', '_sum']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    if (met.get(base)?.type === 'summary') return base;
  }
  for (const suffix of ['_count', '_sum', '_bucket']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    if (met.get(base)?.type === 'histogram') return base;
  }
  return undefined;
}

/** The text 0.0.4 type word (encoder.ts planText, after the Python client's generate_latest). */
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

/**
 * A family's samples as the text encoder writes them: a native histogram
 * becomes its `+Inf` bucket, count and sum, unless the family has classic
 * samples, which then carry the series (encoder.ts floatSamples).
 */
function writtenSamples(f: MetricFamily): Sample[] {
  if (f.type !== 'histogram' && f.type !== 'gaugehistogram') return f.samples.slice();
  let classic = false;
  for (const s of f.samples) if (typeof s.value === 'number') classic = true;
  const out: Sample[] = [];
  const gauge = f.type === 'gaugehistogram';
  for (const s of f.samples) {
    if (typeof s.value === 'number') {
      out.push(s);
      continue;
    }
    if (classic) continue;
    const common = { timestamp: s.timestamp, ...(s.startTimestamp !== undefined ? { startTimestamp: s.startTimestamp } : {}) };
    out.push({ name: f.name + '_bucket', labels: { ...s.labels, le: '+Inf' }, value: s.value.count, ...common });
    out.push({ name: f.name + (gauge ? '_gcount' : '_count'), labels: s.labels, value: s.value.count, ...common });
    out.push({ name: f.name + (gauge ? '_gsum' : '_sum'), labels: s.labels, value: s.value.sum, ...common });
  }
  return out;
}

/**
 * The label lists of the protobuf Metrics expfmt would build, in order: for
 * a histogram the `le` label, for a summary the `quantile` label, is not a
 * label but part of the value, and all samples of one label set (in any
 * order: expfmt keys them by LabelsToSignature) make one Metric, with the
 * labels of its first sample; every sample of another type is a Metric of
 * its own, with its labels in the order written.
 */
function metricLabelSets(tf: TextFamily): Labels[] {
  if (tf.type !== 'histogram' && tf.type !== 'summary') return tf.samples.map((s) => s.labels);
  const special = tf.type === 'histogram' ? 'le' : 'quantile';
  const seen = new Set<string>();
  const out: Labels[] = [];
  for (const s of tf.samples) {
    const labels = copyLabels(s.labels, special);
    const key = seriesKey('', labels);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(labels);
  }
  return out;
}

/** A key for a label list that keeps its order, as reflect.DeepEqual on []*dto.LabelPair compares. */
function orderedLabelsKey(labels: Labels): string {
  let key = '';
  for (const k in labels) {
    const v = labels[k]!;
    key += `${k.length}:${k}=${v.length}:${v}|`;
  }
  return key;
}

// ---------------------------------------------------------------------------
// promlint's rules, in its order (validation.go defaultValidations)

function lintFamily(tf: TextFamily, out: LintFinding[]): void {
  const name = tf.name;
  const push = (message: string): void => {
    out.push({ metric: name, message });
  };
  const metrics = metricLabelSets(tf);
  const lower = name.toLowerCase();

  // LintHelp (help_validations.go): "Expect all metrics to have help text available."
  if (!tf.hasHelp) push(MSG_NO_HELP);

  // LintMetricUnits (generic_name_validations.go): a unit word that is not its own base unit.
  const unit = findUnit(name);
  if (unit !== undefined && unit.unit !== unit.base) {
    push(`use base unit "${unit.base}" instead of "${unit.unit}"`);
  }

  // LintCounter (counter_validations.go): `_total` on counters, and only there (untyped exempt).
  const hasTotal = name.endsWith('_total');
  if (tf.type === 'counter' && !hasTotal) push(MSG_COUNTER_TOTAL);
  else if (tf.type !== 'untyped' && tf.type !== 'counter' && hasTotal) push(MSG_NON_COUNTER_TOTAL);

  // LintHistogramSummaryReserved (histogram_validations.go): suffixes and
  // labels reserved for histograms and summaries (untyped exempt).
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

  // LintMetricTypeInName (generic_name_validations.go): the family's own
  // type word (lowercased dto.MetricType name) as `_word_` or a `_word`
  // suffix, case-insensitive; untyped families are exempt.
  if (tf.type !== 'untyped' && (lower.includes(`_${tf.type}_`) || lower.endsWith(`_${tf.type}`))) {
    push(`metric name should not include type '${tf.type}'`);
  }

  // LintReservedChars: colons are for recording rules.
  if (name.includes(':')) push(MSG_COLON);

  // LintCamelCase: the metric name, then each label name of each Metric.
  if (CAMEL_CASE.test(name)) push(MSG_CAMEL_METRIC);
  for (const labels of metrics) {
    for (const ln in labels) if (CAMEL_CASE.test(ln)) push(MSG_CAMEL_LABEL);
  }

  // LintUnitAbbreviations: one finding per abbreviation found.
  for (const a of UNIT_ABBREVIATIONS) {
    if (lower.includes(`_${a}_`) || lower.endsWith(`_${a}`)) push(MSG_ABBREVIATION);
  }

  // LintDuplicateMetric (duplicate_validations.go): one finding for each
  // Metric whose label list recurs in a later Metric (reflect.DeepEqual:
  // same names and values in the same order; timestamps play no part). So
  // a series written three times gives two findings. Histogram and summary
  // samples of one label set are one Metric, so never duplicates here.
  const remaining = new Map<string, number>();
  const keys = metrics.map(orderedLabelsKey);
  for (const k of keys) remaining.set(k, (remaining.get(k) ?? 0) + 1);
  for (const k of keys) {
    const n = remaining.get(k)! - 1;
    remaining.set(k, n);
    if (n > 0) push(MSG_NOT_UNIQUE);
  }
}

/**
 * promlint's metricUnits (units.go): the first `_`-separated segment that is
 * a unit word, or a prefix plus one, checked in that order (so
 * "thermometers" is no unit, "kilometers" is none either: not in the table).
 */
function findUnit(name: string): { unit: string; base: string } | undefined {
  for (const seg of name.split('_')) {
    const plain = UNITS.get(seg);
    if (plain !== undefined) return { unit: seg, base: plain };
    for (const p of UNIT_PREFIXES) {
      if (!seg.startsWith(p)) continue;
      const base = UNITS.get(seg.slice(p.length));
      if (base !== undefined) return { unit: seg, base };
    }
  }
  return undefined;
}

/** Go's %q for the printable ASCII names promtool reports (other characters as JSON escapes them). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

// ---------------------------------------------------------------------------
// Structural checks

/**
 * Series Prometheus would reject as a duplicate ("duplicate sample for
 * timestamp": the same name and label set at the same timestamp) that
 * promlint does not report: the same labels in another order (promlint
 * compares label lists in order) and repeated histogram or summary samples
 * (expfmt folds them into one Metric). One finding per repeated sample.
 */
function duplicateSeries(tf: TextFamily, out: LintFinding[]): void {
  const grouped = tf.type === 'histogram' || tf.type === 'summary';
  const firstOrder = new Map<string, Set<string>>();
  for (const s of tf.samples) {
    const key = `${seriesKey(s.name, s.labels)}@${s.timestamp ?? ''}`;
    const ordered = orderedLabelsKey(s.labels);
    const orders = firstOrder.get(key);
    if (orders === undefined) {
      firstOrder.set(key, new Set([ordered]));
      continue;
    }
    // promlint already reports a counter, gauge or untyped series repeated with its labels in the same order.
    if (!grouped && orders.has(ordered)) continue;
    orders.add(ordered);
    const at = s.timestamp === null ? '' : ` at ${s.timestamp}`;
    out.push({
      metric: tf.name,
      message: `series ${seriesText(s)}${at} is repeated: Prometheus rejects the scrape (duplicate sample for timestamp)`,
    });
  }
}

/** The sample names a family's float samples may have, `_created` aside (the model keeps those in startTimestamp). */
function expectedNames(f: MetricFamily): string[] {
  return seriesNames(f).filter((n) => !isCreatedSample(f, n));
}

function structuralChecks(f: MetricFamily, out: LintFinding[]): void {
  const metric = f.name;
  const push = (message: string): void => {
    out.push({ metric, message });
  };

  // Samples that do not belong to the family (rules.ts belongsTo, in either
  // format; a native histogram sample is named as its family).
  for (const s of f.samples) {
    const ok = typeof s.value === 'number' ? belongsTo('openmetrics', f, s.name) || belongsTo('text', f, s.name) : s.name === f.name;
    if (!ok) {
      const expected = expectedNames(f)
        .map((x) => `"${x}"`)
        .join(', ');
      push(`sample "${s.name}" does not belong to ${f.type} family "${f.name}" (expected ${expected})`);
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
    const key = pointKey(s);
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
      push(`${countName} of ${where} is ${formatValue(count.value)}, expected the le="+Inf" bucket's ${formatValue(inf.value)}`);
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

/** A histogram sample's point: its labels less `le` (rules.seriesKey, length-prefixed) and its timestamp. */
function pointKey(s: Sample): string {
  return seriesKey('', s.labels, 'le') + '\u0000' + (s.timestamp ?? '');
}

function firstLabels(f: MetricFamily, key: string): Labels {
  for (const s of f.samples) {
    if (pointKey(s) === key) {
      return copyLabels(s.labels, 'le');
    }
  }
  return {};
}

// ---------------------------------------------------------------------------
// Helpers

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
