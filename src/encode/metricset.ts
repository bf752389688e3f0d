import { isValidLabelName, isValidMetricName, isValidUtf8Name } from '../core/names.js';
import type { EscapingScheme } from '../core/names.js';
import { formatFloat } from '../core/number.js';
import { PromwireError } from '../errors.js';
import { type Format, type Labels, makeFamily, type MetricFamily, type MetricType, type Sample } from '../model/index.js';
import { familyName as modelFamilyName } from '../model/rules.js';
import { chunkSizeOption, encodeHeader, escapingOption, formatOption } from './encoder.js';
import type { EncodeChunksOptions, EncodeOptions } from './encoder.js';
import { PrefixArena, renderPrefix, writtenSampleName } from './series.js';
import { ByteWriter } from './writer.js';

/**
 * A live set of metrics for exporters and services, with precomputed
 * series prefixes.
 *
 * Each series renders its sample lines' `name{labels} ` prefixes to bytes
 * once, when it is created, with the set's default labels folded in; an
 * encode then copies those bytes and writes only the values. The prefixes
 * are the same in text 0.0.4 and OpenMetrics (a counter's samples are
 * `foo_total` in both, an info's `foo_info`), so one rendering serves both
 * formats; only the HELP/TYPE/UNIT lines differ, and those are rendered once
 * per metric and format. Names outside the legacy character set (allowed
 * with `nameValidation: 'utf-8'`) are rendered again, lazily, for each
 * escaping scheme asked for.
 *
 * Everything that could make a scrape produce a broken payload is checked
 * when the metric or the series is defined, with a `PromwireError`:
 * INVALID_NAME, RESERVED_LABEL, INVALID_BUCKETS, LABEL_MISMATCH,
 * DUPLICATE_SERIES (two metrics whose sample names would clash) and
 * INVALID_ARGUMENT.
 *
 * Layout of what is written, and `collect()`'s model, which `encode()` turns
 * into the same bytes:
 * - label order: default labels, then the metric's labels in `labelNames`
 *   order, then `le` / `quantile` / the stateset label;
 * - metrics in definition order, series in creation order;
 * - counter `foo`: `foo_total` (text family `foo_total`, OpenMetrics family
 *   `foo`); a name given with `_total` loses it, as in the Python client;
 * - histogram: `_bucket` lines (cumulative, `le` as Go formats it, `+Inf`
 *   last), then `_sum`, then `_count`, as client_golang writes them;
 * - summary: quantile lines, `_sum`, `_count`; quantile values are the
 *   caller's (NaN until set, as client_golang writes an empty summary);
 * - info `foo`: `foo_info{...} 1` (text: gauge `foo_info`);
 * - stateset `foo`: one line per state, `foo{foo="state"} 0|1` (text: gauge);
 * - no timestamps, no `_created` samples, no exemplars.
 */

export type MetricSetOptions = Partial<
  Readonly<{
    /** Labels added to every series of the set (gateways: `type`, `ip`, `name`, `id`). Defaults to none. */
    defaultLabels: Readonly<Record<string, string>>;
    /** Prepended to every metric name. Defaults to ''. */
    prefix: string;
    /**
     * Which names are accepted: `legacy` (`[a-zA-Z_:][a-zA-Z0-9_:]*`, label
     * names without `:`) or `utf-8` (Prometheus 3: any non-empty UTF-8, written
     * quoted or escaped as the scrape negotiated). Defaults to `legacy`.
     */
    nameValidation: 'legacy' | 'utf-8';
  }>
>;

/** A label value as passed to `labels()`: numbers and booleans are written as `String(v)`. */
export type LabelValue = string | number | boolean;
export type LabelValues<L extends string> = Readonly<Record<L, LabelValue>>;

interface BaseOptions<L extends string> {
  /** Metric name (the set's prefix is prepended). */
  name: string;
  /** HELP text ('' for none). */
  help: string;
  /** Label names, in the order they are written. Defaults to none. */
  labelNames?: readonly L[];
}

export interface CounterOptions<L extends string> extends BaseOptions<L> {
  /** OpenMetrics unit; appended to the name as `_<unit>` when the name does not end with it. Defaults to ''. */
  unit?: string;
}
export type GaugeOptions<L extends string> = CounterOptions<L>;
export interface HistogramOptions<L extends string> extends CounterOptions<L> {
  /**
   * Upper bounds, strictly increasing; `+Inf` is added when missing.
   * Defaults to client_golang's DefBuckets (.005 to 10 seconds).
   */
  buckets?: readonly number[];
}
export interface SummaryOptions<L extends string> extends CounterOptions<L> {
  /** Quantiles written (values supplied by the caller), each in [0, 1], strictly increasing. Defaults to none. */
  quantiles?: readonly number[];
}
export type InfoOptions<L extends string> = BaseOptions<L>;
export interface StateSetOptions<L extends string> extends BaseOptions<L> {
  /** The states, at least one, distinct. */
  states: readonly string[];
}

/** client_golang prometheus.DefBuckets. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const LF = 0x0a;

function fail(code: 'INVALID_NAME' | 'RESERVED_LABEL' | 'INVALID_BUCKETS' | 'LABEL_MISMATCH' | 'DUPLICATE_SERIES' | 'INVALID_ARGUMENT', reason: string): never {
  throw new PromwireError(code, reason);
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** One line of a series: its sample name and an optional extra label (le, quantile, state). */
interface LineSpec {
  sample: string;
  extra: readonly [string, string] | null;
}

export class MetricSet {
  /** @internal */ readonly defaultPairs: ReadonlyArray<readonly [string, string]>;
  /** @internal */ readonly utf8: boolean;
  private readonly prefix: string;
  private readonly metrics = new Map<string, AnyMetric>();
  /** Sample and family names claimed by each metric (for clash checks). */
  private readonly claims = new Map<string, AnyMetric>();
  /** @internal Where series prefixes live. */
  readonly arena = new PrefixArena();
  /** Output size of the last encode, to size the next one's buffer. */
  private sizeHint = 64 * 1024;

  constructor(options: MetricSetOptions = {}) {
    const validation = options.nameValidation ?? 'legacy';
    if (validation !== 'legacy' && validation !== 'utf-8') {
      fail('INVALID_ARGUMENT', `expected nameValidation 'legacy' or 'utf-8', got ${q(String(validation))}`);
    }
    this.utf8 = validation === 'utf-8';
    const prefix = options.prefix ?? '';
    if (typeof prefix !== 'string') fail('INVALID_ARGUMENT', `expected prefix to be a string, got ${typeof prefix}`);
    this.prefix = prefix;
    const pairs: Array<readonly [string, string]> = [];
    const defaults = options.defaultLabels ?? {};
    for (const k of Object.keys(defaults)) {
      this.checkLabelName(k, 'default label');
      const v = defaults[k];
      if (typeof v !== 'string') {
        fail('INVALID_ARGUMENT', `expected default label ${q(k)} to be a string, got ${typeof v}`);
      }
      pairs.push([k, v]);
    }
    this.defaultPairs = pairs;
  }

  counter<L extends string = never>(o: CounterOptions<L>): Counter<L> {
    return this.add(new Counter<L>(this, this.define(o, 'counter')));
  }

  gauge<L extends string = never>(o: GaugeOptions<L>): Gauge<L> {
    return this.add(new Gauge<L>(this, this.define(o, 'gauge')));
  }

  histogram<L extends string = never>(o: HistogramOptions<L>): Histogram<L> {
    const d = this.define(o, 'histogram');
    return this.add(new Histogram<L>(this, d, checkBuckets(o.buckets ?? DEFAULT_BUCKETS, d.name)));
  }

  summary<L extends string = never>(o: SummaryOptions<L>): Summary<L> {
    const d = this.define(o, 'summary');
    return this.add(new Summary<L>(this, d, checkQuantiles(o.quantiles ?? [], d.name)));
  }

  info<L extends string = never>(o: InfoOptions<L>): Info<L> {
    return this.add(new Info<L>(this, this.define(o, 'info')));
  }

  stateset<L extends string = never>(o: StateSetOptions<L>): StateSet<L> {
    const d = this.define(o, 'stateset');
    return this.add(new StateSet<L>(this, d, checkStates(o.states, d.name)));
  }

  /** The metric of that family name (as written: `http_requests` for a counter given as `http_requests_total`). */
  get(name: string): AnyMetric | undefined {
    for (const n of [name, this.prefix + name]) {
      const m = this.metrics.get(n);
      if (m !== undefined) return m;
      // `X_total` names a counter X and `X_info` an info X, and nothing else.
      const suffix = /_(total|info)$/.exec(n);
      if (suffix === null) continue;
      const base = this.metrics.get(n.slice(0, -suffix[0].length));
      if (base !== undefined && base.type === (suffix[1] === 'total' ? 'counter' : 'info')) return base;
    }
    return undefined;
  }

  /** Removes a metric (by family name, or the metric itself). Returns whether it was there. */
  remove(nameOrMetric: string | AnyMetric): boolean {
    const m = typeof nameOrMetric === 'string' ? this.get(nameOrMetric) : nameOrMetric;
    if (m === undefined || this.metrics.get(m.name) !== m) return false;
    this.metrics.delete(m.name);
    for (const n of claimedNames(m.name, m.type)) if (this.claims.get(n) === m) this.claims.delete(n);
    return true;
  }

  /** Removes every metric. */
  clear(): void {
    this.metrics.clear();
    this.claims.clear();
  }

  /** The metrics, in definition order. */
  list(): AnyMetric[] {
    return [...this.metrics.values()];
  }

  /** The current values as the data model (what `encode` writes, sample for sample). */
  collect(): MetricFamily[] {
    const out: MetricFamily[] = [];
    for (const m of this.metrics.values()) out.push(m.collect());
    return out;
  }

  /** Encodes every metric (the returned bytes are the caller's). */
  encode(options?: EncodeOptions): Uint8Array {
    const format = formatOption(options?.format);
    const escaping = escapingOption(options?.escaping);
    // A fresh buffer sized from the last encode, handed over without a copy:
    // the steady state allocates about the output size, once.
    const w = new ByteWriter(this.sizeHint);
    for (const m of this.metrics.values()) {
      w.writeBytes(m.header(format, escaping));
      m.writeAll(w, escaping, format === 'openmetrics');
    }
    if (format === 'openmetrics') w.writeAscii('# EOF\n');
    this.sizeHint = w.pos + (w.pos >> 5) + 4096;
    return w.result();
  }

  /** `encode`, decoded to a string. */
  encodeToString(options?: EncodeOptions): string {
    return new TextDecoder().decode(this.encode(options));
  }

  /**
   * Encodes in chunks of about `chunkSize` bytes (ending at line ends), so
   * that a server can yield to the event loop between them; joined, they
   * equal `encode()`'s output. Each call has its own buffers, so two scrapes
   * may be under way at once. Series added or removed during the iteration
   * may or may not appear (a Map iteration's rules); values are read as the
   * iteration reaches them.
   */
  *encodeChunks(options?: EncodeChunksOptions): Generator<Uint8Array, void, undefined> {
    const format = formatOption(options?.format);
    const escaping = escapingOption(options?.escaping);
    const chunkSize = chunkSizeOption(options?.chunkSize);
    const w = new ByteWriter(chunkSize + 4096);
    for (const m of this.metrics.values()) {
      w.writeBytes(m.header(format, escaping));
      const metric = m as Metric<string, Series>;
      for (const s of metric.seriesMap.values()) {
        metric.writeOne(w, s, escaping, format === 'openmetrics');
        if (w.pos >= chunkSize) yield w.take();
      }
    }
    if (format === 'openmetrics') w.writeAscii('# EOF\n');
    if (w.pos > 0) yield w.take();
  }

  // ---- definition-time checks ----

  private add<M extends AnyMetric>(m: M): M {
    const names = claimedNames(m.name, m.type);
    for (const n of names) {
      const other = this.claims.get(n);
      if (other !== undefined) {
        fail(
          'DUPLICATE_SERIES',
          `metric ${q(m.name)} (${m.type}) clashes with ${other.type} ${q(other.name)} already in this set: both would write ${q(n)}`,
        );
      }
    }
    for (const n of names) this.claims.set(n, m);
    this.metrics.set(m.name, m);
    m.reset();
    return m;
  }

  private familyName(given: string, type: MetricType, unit: string): string {
    let name = this.prefix + given;
    // Python client (_build_full_name): counters lose `_total`, infos `_info`; the unit is appended.
    if (type === 'counter' && name.endsWith('_total') && name.length > 6) name = name.slice(0, -6);
    if (type === 'info' && name.endsWith('_info') && name.length > 5) name = name.slice(0, -5);
    if (unit !== '' && !name.endsWith('_' + unit)) name += '_' + unit;
    return name;
  }

  private define<L extends string>(o: BaseOptions<L> & { unit?: string }, type: MetricType): Definition<L> {
    if (o === null || typeof o !== 'object') fail('INVALID_ARGUMENT', `expected an options object for the ${type}`);
    if (typeof o.name !== 'string') fail('INVALID_NAME', `expected the ${type}'s name to be a string, got ${typeof o.name}`);
    if (typeof o.help !== 'string') fail('INVALID_ARGUMENT', `expected help for ${q(o.name)} to be a string, got ${typeof o.help}`);
    const unit = o.unit ?? '';
    if (typeof unit !== 'string' || !/^[a-zA-Z0-9_:]*$/.test(unit)) {
      // OpenMetrics ABNF: unit = *metricname-char.
      fail('INVALID_NAME', `expected unit of ${q(o.name)} to be made of [a-zA-Z0-9_:], got ${q(String(unit))}`);
    }
    if (unit !== '' && (type === 'info' || type === 'stateset')) {
      // OpenMetrics: "MetricFamilies of type Info and StateSet MUST NOT have a unit."
      fail('INVALID_ARGUMENT', `a ${type} cannot have a unit (${q(o.name)} has ${q(unit)})`);
    }
    const name = this.familyName(o.name, type, unit);
    const validName = this.utf8 ? isValidUtf8Name(name) : isValidMetricName(name);
    if (!validName) {
      fail(
        'INVALID_NAME',
        this.utf8
          ? `expected a non-empty UTF-8 metric name, got ${q(name)}`
          : `expected a metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*, got ${q(name)}`,
      );
    }
    if (type === 'stateset') {
      // The stateset's own name is the label that carries the state (OpenMetrics StateSet).
      if (!(this.utf8 ? isValidUtf8Name(name) : isValidLabelName(name))) {
        fail('INVALID_NAME', `a stateset's name is also its label name: expected [a-zA-Z_][a-zA-Z0-9_]*, got ${q(name)}`);
      }
    }
    const labelNames = o.labelNames ?? [];
    if (!Array.isArray(labelNames)) fail('INVALID_ARGUMENT', `expected labelNames of ${q(name)} to be an array`);
    const seen = new Set<string>();
    for (const k of labelNames) {
      if (typeof k !== 'string') fail('INVALID_NAME', `expected label names of ${q(name)} to be strings, got ${typeof k}`);
      this.checkLabelName(k, `label of ${q(name)}`);
      if (seen.has(k)) fail('INVALID_ARGUMENT', `label ${q(k)} is declared twice for ${q(name)}`);
      seen.add(k);
    }
    const all = [...this.defaultPairs.map((p) => p[0]), ...labelNames];
    for (const [k] of this.defaultPairs) {
      if (seen.has(k)) fail('INVALID_ARGUMENT', `label ${q(k)} of ${q(name)} is already a default label of the set`);
    }
    const reserved = type === 'histogram' ? 'le' : type === 'summary' ? 'quantile' : type === 'stateset' ? name : null;
    if (reserved !== null && all.includes(reserved)) {
      fail('RESERVED_LABEL', `label ${q(reserved)} is reserved for the ${type} ${q(name)} (it carries the ${type === 'histogram' ? 'bucket bound' : type === 'summary' ? 'quantile' : 'state'})`);
    }
    return { name, help: o.help, unit, labelNames: [...labelNames] };
  }

  private checkLabelName(k: string, what: string): void {
    if (k.startsWith('__')) {
      // Prometheus data model: "Label names beginning with __ are reserved for internal use."
      fail('RESERVED_LABEL', `${what} ${q(k)}: label names starting with "__" are reserved for Prometheus`);
    }
    const ok = this.utf8 ? isValidUtf8Name(k) : isValidLabelName(k);
    if (!ok) {
      fail(
        'INVALID_NAME',
        this.utf8
          ? `${what}: expected a non-empty UTF-8 label name, got ${q(k)}`
          : `${what}: expected a label name matching [a-zA-Z_][a-zA-Z0-9_]*, got ${q(k)}`,
      );
    }
  }
}

/** Names a metric writes in either format (family names and sample names). */
function claimedNames(name: string, type: MetricType): string[] {
  switch (type) {
    case 'counter':
      return [name, name + '_total', name + '_created'];
    case 'histogram':
      return [name, name + '_bucket', name + '_sum', name + '_count', name + '_created'];
    case 'summary':
      return [name, name + '_sum', name + '_count', name + '_created'];
    case 'info':
      return [name, name + '_info'];
    default:
      return [name];
  }
}

function checkBuckets(buckets: readonly number[], name: string): number[] {
  if (!Array.isArray(buckets)) fail('INVALID_BUCKETS', `expected buckets of ${q(name)} to be an array of numbers`);
  const out: number[] = [];
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    if (typeof b !== 'number' || Number.isNaN(b) || b === -Infinity) {
      fail('INVALID_BUCKETS', `expected bucket bounds of ${q(name)} to be numbers, got ${String(b)} at index ${i}`);
    }
    if (b === Infinity && i !== buckets.length - 1) {
      fail('INVALID_BUCKETS', `+Inf must be the last bucket bound of ${q(name)}, found at index ${i}`);
    }
    // client_golang: "histogram buckets must be in increasing order".
    if (i > 0 && !(b > buckets[i - 1]!)) {
      fail(
        'INVALID_BUCKETS',
        `expected bucket bounds of ${q(name)} in strictly increasing order, got ${formatFloat(buckets[i - 1]!)} then ${formatFloat(b)} at index ${i}`,
      );
    }
    if (b !== Infinity) out.push(b);
  }
  return out;
}

function checkQuantiles(qs: readonly number[], name: string): number[] {
  if (!Array.isArray(qs)) fail('INVALID_ARGUMENT', `expected quantiles of ${q(name)} to be an array of numbers`);
  for (let i = 0; i < qs.length; i++) {
    const v = qs[i];
    // OpenMetrics: quantiles are in [0, 1].
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      fail('INVALID_ARGUMENT', `expected quantiles of ${q(name)} in [0, 1], got ${String(v)} at index ${i}`);
    }
    if (i > 0 && !(v > qs[i - 1]!)) {
      fail('INVALID_ARGUMENT', `expected quantiles of ${q(name)} in strictly increasing order, got ${qs[i - 1]} then ${v}`);
    }
  }
  return [...qs];
}

function checkStates(states: readonly string[], name: string): string[] {
  if (!Array.isArray(states) || states.length === 0) {
    fail('INVALID_ARGUMENT', `expected the states of stateset ${q(name)} as a non-empty array of strings`);
  }
  const seen = new Set<string>();
  for (const s of states) {
    if (typeof s !== 'string') fail('INVALID_ARGUMENT', `expected the states of ${q(name)} to be strings, got ${typeof s}`);
    if (seen.has(s)) fail('INVALID_ARGUMENT', `state ${q(s)} is listed twice for stateset ${q(name)}`);
    seen.add(s);
  }
  return [...states];
}

interface Definition<L extends string> {
  name: string;
  help: string;
  unit: string;
  labelNames: L[];
}

function checkValue(v: unknown, what: string, metric: string): number {
  if (typeof v !== 'number') fail('INVALID_ARGUMENT', `expected a number for ${what} of ${q(metric)}, got ${typeof v}`);
  return v;
}

function checkCounterValue(v: unknown, what: string, metric: string): number {
  const n = checkValue(v, what, metric);
  // OpenMetrics: counter values MUST NOT be negative or NaN.
  if (!(n >= 0)) fail('INVALID_ARGUMENT', `expected a non-negative number for ${what} of counter ${q(metric)}, got ${n}`);
  return n;
}

// ---------------------------------------------------------------------------
// Series and metrics

/** What every series holds: its label values and its rendered line prefixes. */
export abstract class Series {
  /** @internal Label values, in `labelNames` order. */
  readonly labelValues: readonly string[];
  /** @internal Line prefixes (`name{labels} `) for `allow-utf-8`, or for every scheme when no name needs escaping. */
  lines: Uint8Array[] = [];
  /** @internal Line prefixes per other escaping scheme, rendered when first asked for. */
  escaped: Map<EscapingScheme, Uint8Array[]> | null = null;
  /** The metric's family name (for messages). */
  readonly metric: string;

  constructor(labelValues: readonly string[], metric: string) {
    this.labelValues = labelValues;
    this.metric = metric;
  }
}

/** Any metric of a set. */
export type AnyMetric =
  | Counter<string>
  | Gauge<string>
  | Histogram<string>
  | Summary<string>
  | Info<string>
  | StateSet<string>;

export abstract class Metric<L extends string, S extends Series> {
  /** Family name, as written in OpenMetrics (`http_requests` for the counter `http_requests_total`). */
  readonly name: string;
  abstract readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
  readonly labelNames: readonly L[];
  /** @internal */ readonly seriesMap = new Map<string, S>();
  /** @internal */ readonly owner: MetricSet;
  private specs: LineSpec[] | null = null;
  private needsEscaping: boolean | null = null;
  private readonly headers = new Map<string, Uint8Array>();

  constructor(set: MetricSet, d: Definition<L>) {
    this.owner = set;
    this.name = d.name;
    this.help = d.help;
    this.unit = d.unit;
    this.labelNames = d.labelNames;
  }

  /**
   * The series with these label values, created (at zero) on first use.
   * The keys must be exactly the metric's label names (LABEL_MISMATCH).
   * Keep the handle for hot paths: this lookup builds a key string.
   */
  labels(values: LabelValues<L>): S {
    const vals = this.labelValuesOf(values);
    const key = seriesKey(vals);
    let s = this.seriesMap.get(key);
    if (s === undefined) {
      s = this.newSeries(vals);
      this.seriesMap.set(key, s);
    }
    return s;
  }

  /** Removes the series with these label values. Returns whether it existed. */
  remove(values: LabelValues<L>): boolean {
    return this.seriesMap.delete(seriesKey(this.labelValuesOf(values)));
  }

  /** Removes every series (an unlabelled metric gets its single series back, at zero). */
  reset(): void {
    this.seriesMap.clear();
    if (this.labelNames.length === 0) this.seriesMap.set('', this.newSeries([]));
  }

  /** Number of series. */
  get size(): number {
    return this.seriesMap.size;
  }

  /** The single series of an unlabelled metric. */
  protected only(): S {
    if (this.labelNames.length !== 0) {
      fail(
        'LABEL_MISMATCH',
        `${this.type} ${q(this.name)} has labels [${this.labelNames.join(', ')}]: call .labels({...}) first`,
      );
    }
    let s = this.seriesMap.get('');
    if (s === undefined) {
      s = this.newSeries([]);
      this.seriesMap.set('', s);
    }
    return s;
  }

  /** @internal The lines every series of this metric writes. */
  protected abstract lineSpecs(): LineSpec[];
  /** @internal A fresh series (zero values). */
  protected abstract create(labelValues: readonly string[]): S;
  /** @internal Writes one series' lines (`om`: OpenMetrics, where a histogram may have to leave out its sum). */
  abstract writeOne(w: ByteWriter, s: S, escaping: EscapingScheme, om: boolean): void;
  /** @internal Writes every series (a loop per class keeps the calls monomorphic). */
  abstract writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void;
  /** @internal The samples of one series, in line order, with these labels. */
  protected abstract samplesOf(s: S, labelsFor: (extra: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[];

  /** @internal HELP/TYPE/UNIT bytes for a format and scheme, rendered once. */
  header(format: Format, escaping: EscapingScheme): Uint8Array {
    const key = format + escaping;
    let h = this.headers.get(key);
    if (h === undefined) {
      h = encodeHeader({ name: this.familyName, type: this.type, help: this.help, unit: this.unit }, { format, escaping });
      this.headers.set(key, h);
    }
    return h;
  }

  /**
   * The family name in the data model: the name its series are queried by
   * (`http_requests_total` for the counter `http_requests`), rules.familyName.
   */
  get familyName(): string {
    return modelFamilyName('openmetrics', this.name, this.type);
  }

  /** The metric as a family of the data model. */
  collect(): MetricFamily {
    const specs = this.getSpecs();
    const samples: Sample[] = [];
    const defaults = this.owner.defaultPairs;
    for (const s of this.seriesMap.values()) {
      const labelsFor = (extra: LineSpec['extra']): Labels => {
        const l: Labels = {};
        for (const [k, v] of defaults) l[k] = v;
        for (let i = 0; i < this.labelNames.length; i++) l[this.labelNames[i]!] = s.labelValues[i]!;
        if (extra !== null) l[extra[0]] = extra[1];
        return l;
      };
      for (const x of this.samplesOf(s, labelsFor, specs)) samples.push(x);
    }
    return makeFamily({ name: this.familyName, type: this.type, help: this.help, unit: this.unit, samples });
  }

  /** @internal The line prefixes of a series for a scheme. */
  protected linesFor(s: S, escaping: EscapingScheme): Uint8Array[] {
    if (escaping === 'allow-utf-8' || !this.getNeedsEscaping()) return s.lines;
    let m = s.escaped;
    if (m === null) m = s.escaped = new Map();
    let lines = m.get(escaping);
    if (lines === undefined) {
      lines = this.render(s.labelValues, escaping);
      m.set(escaping, lines);
    }
    return lines;
  }

  private getSpecs(): LineSpec[] {
    if (this.specs === null) this.specs = this.lineSpecs();
    return this.specs;
  }

  private getNeedsEscaping(): boolean {
    if (this.needsEscaping === null) {
      let needs = false;
      for (const spec of this.getSpecs()) {
        if (!isValidMetricName(spec.sample)) needs = true;
        if (spec.extra !== null && !isValidLabelName(spec.extra[0])) needs = true;
      }
      for (const [k] of this.owner.defaultPairs) if (!isValidLabelName(k)) needs = true;
      for (const k of this.labelNames) if (!isValidLabelName(k)) needs = true;
      this.needsEscaping = needs;
    }
    return this.needsEscaping;
  }

  /** Renders the line prefixes of a series (done once per series and scheme). */
  private render(labelValues: readonly string[], escaping: EscapingScheme): Uint8Array[] {
    const pairs: Array<readonly [string, string]> = [...this.owner.defaultPairs];
    for (let i = 0; i < this.labelNames.length; i++) pairs.push([this.labelNames[i]!, labelValues[i]!]);
    const out: Uint8Array[] = [];
    for (const spec of this.getSpecs()) {
      if (spec.extra !== null) pairs.push(spec.extra);
      out.push(this.owner.arena.intern(renderPrefix(writtenSampleName(spec.sample, this.name, escaping), pairs, escaping) + ' '));
      if (spec.extra !== null) pairs.pop();
    }
    return out;
  }

  private newSeries(labelValues: readonly string[]): S {
    const s = this.create(labelValues);
    s.lines = this.render(labelValues, 'allow-utf-8');
    return s;
  }

  private labelValuesOf(values: LabelValues<L>): string[] {
    if (values === null || typeof values !== 'object') {
      fail('LABEL_MISMATCH', `expected a label object for ${q(this.name)}, got ${values === null ? 'null' : typeof values}`);
    }
    const names = this.labelNames;
    const out: string[] = new Array<string>(names.length);
    let given = 0;
    for (const k in values) {
      if (Object.prototype.hasOwnProperty.call(values, k)) given++;
    }
    for (let i = 0; i < names.length; i++) {
      const v = (values as Record<string, unknown>)[names[i]!];
      if (v === undefined) return this.mismatch(values);
      if (typeof v === 'string') out[i] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') out[i] = String(v);
      else fail('INVALID_ARGUMENT', `expected label ${q(names[i]!)} of ${q(this.name)} to be a string, got ${typeof v}`);
    }
    if (given !== names.length) return this.mismatch(values);
    return out;
  }

  private mismatch(values: object): never {
    fail(
      'LABEL_MISMATCH',
      `expected labels {${this.labelNames.join(', ')}} for ${this.type} ${q(this.name)}, got {${Object.keys(values).join(', ')}}`,
    );
  }
}

/** Map key of a label-value tuple: the value itself for one label, length-prefixed values otherwise. */
function seriesKey(vals: readonly string[]): string {
  if (vals.length === 1) return vals[0]!;
  let key = '';
  for (const v of vals) key += v.length + ':' + v;
  return key;
}

// ---- one line per series: counter and gauge ----

/** A metric whose series each write one line: the precomputed prefix, the value, a line feed. */
abstract class SingleValueMetric<L extends string, S extends Series & { value: number }> extends Metric<L, S> {
  writeOne(w: ByteWriter, s: S, escaping: EscapingScheme, _om: boolean): void {
    w.writeBytes(this.linesFor(s, escaping)[0]!);
    w.writeNumber(s.value);
    w.writeByte(LF);
  }

  writeAll(w: ByteWriter, escaping: EscapingScheme, _om: boolean): void {
    for (const s of this.seriesMap.values()) {
      w.writeBytes(this.linesFor(s, escaping)[0]!);
      w.writeNumber(s.value);
      w.writeByte(LF);
    }
  }

  protected samplesOf(s: S, labelsFor: (e: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[] {
    return [{ name: specs[0]!.sample, labels: labelsFor(null), value: s.value, timestamp: null }];
  }
}

// ---- counter ----

export class CounterSeries extends Series {
  /** @internal */ value = 0;

  /** Adds `v` (default 1); v must be a non-negative number. */
  inc(v = 1): void {
    this.value += checkCounterValue(v, 'inc()', this.metric);
  }

  /** Sets the value, for exporters mirroring an external counter (non-negative). */
  set(v: number): void {
    this.value = checkCounterValue(v, 'set()', this.metric);
  }

  get(): number {
    return this.value;
  }
}

export class Counter<L extends string = never> extends SingleValueMetric<L, CounterSeries> {
  readonly type = 'counter' as const;

  /** Adds to the unlabelled counter. */
  inc(v = 1): void {
    this.only().inc(v);
  }

  /** Sets the unlabelled counter. */
  set(v: number): void {
    this.only().set(v);
  }

  /** The unlabelled counter's value. */
  get(): number {
    return this.only().value;
  }

  protected lineSpecs(): LineSpec[] {
    return [{ sample: this.name + '_total', extra: null }];
  }

  protected create(labelValues: readonly string[]): CounterSeries {
    return new CounterSeries(labelValues, this.name);
  }

}

// ---- gauge ----

export class GaugeSeries extends Series {
  /** @internal */ value = 0;

  set(v: number): void {
    this.value = checkValue(v, 'set()', this.metric);
  }

  inc(v = 1): void {
    this.value += checkValue(v, 'inc()', this.metric);
  }

  dec(v = 1): void {
    this.value -= checkValue(v, 'dec()', this.metric);
  }

  /** Sets the value to the current Unix time in seconds. */
  setToCurrentTime(): void {
    this.value = Date.now() / 1000;
  }

  get(): number {
    return this.value;
  }
}

export class Gauge<L extends string = never> extends SingleValueMetric<L, GaugeSeries> {
  readonly type = 'gauge' as const;

  set(v: number): void {
    this.only().set(v);
  }

  inc(v = 1): void {
    this.only().inc(v);
  }

  dec(v = 1): void {
    this.only().dec(v);
  }

  setToCurrentTime(): void {
    this.only().setToCurrentTime();
  }

  get(): number {
    return this.only().value;
  }

  protected lineSpecs(): LineSpec[] {
    return [{ sample: this.name, extra: null }];
  }

  protected create(labelValues: readonly string[]): GaugeSeries {
    return new GaugeSeries(labelValues, this.name);
  }

}

// ---- histogram ----

export class HistogramSeries extends Series {
  /** @internal Upper bounds without +Inf (shared by the metric's series). */
  readonly bounds: readonly number[];
  /** @internal Non-cumulative counts; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  /** @internal */ sum = 0;
  /** @internal */ count = 0;

  constructor(labelValues: readonly string[], metric: string, bounds: readonly number[]) {
    super(labelValues, metric);
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  /**
   * Records an observation: the first bucket whose bound is >= v (`le` is
   * inclusive), the sum and the count. NaN goes to the +Inf bucket and makes
   * the sum NaN, as in client_golang.
   */
  observe(v: number): void {
    checkValue(v, 'observe()', this.metric);
    const b = this.bounds;
    let i = 0;
    if (b.length <= 16) {
      while (i < b.length && !(v <= b[i]!)) i++;
    } else {
      let lo = 0;
      let hi = b.length;
      if (v !== v) lo = hi;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v <= b[mid]!) hi = mid;
        else lo = mid + 1;
      }
      i = lo;
    }
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }

  /** Sets the whole state at once (exporters mirroring an external histogram). */
  set(state: Readonly<{ buckets: readonly number[]; sum: number; cumulative?: boolean }>): void {
    const n = this.counts.length;
    const given = state.buckets;
    if (!Array.isArray(given) || (given.length !== n && given.length !== n - 1)) {
      fail('INVALID_ARGUMENT', `expected ${n - 1} or ${n} bucket counts (the bounds, then optionally +Inf), got ${Array.isArray(given) ? given.length : typeof given}`);
    }
    checkValue(state.sum, 'set().sum', this.metric);
    const counts = new Float64Array(n);
    let prev = 0;
    let total = 0;
    for (let i = 0; i < given.length; i++) {
      const c = checkCounterValue(given[i], 'a bucket count', this.metric);
      if (state.cumulative === true) {
        if (c < prev) fail('INVALID_ARGUMENT', `cumulative bucket counts must not decrease, got ${prev} then ${c}`);
        counts[i] = c - prev;
        prev = c;
        total = c;
      } else {
        counts[i] = c;
        total += c;
      }
    }
    this.counts.set(counts);
    this.sum = state.sum;
    this.count = total;
  }

  /** Number of observations. */
  getCount(): number {
    return this.count;
  }

  /** Sum of observations. */
  getSum(): number {
    return this.sum;
  }
}

export class Histogram<L extends string = never> extends Metric<L, HistogramSeries> {
  readonly type = 'histogram' as const;
  /** Upper bounds, without +Inf. */
  readonly buckets: readonly number[];

  /** @internal Whether any bound is negative (OpenMetrics then forbids a sum). */
  readonly negativeBounds: boolean;

  constructor(set: MetricSet, d: Definition<L>, buckets: number[]) {
    super(set, d);
    this.buckets = buckets;
    this.negativeBounds = buckets.some((b) => b < 0);
  }

  observe(v: number): void {
    this.only().observe(v);
  }

  set(state: Readonly<{ buckets: readonly number[]; sum: number; cumulative?: boolean }>): void {
    this.only().set(state);
  }

  protected lineSpecs(): LineSpec[] {
    const bucket = this.name + '_bucket';
    const specs: LineSpec[] = this.buckets.map((b) => ({ sample: bucket, extra: ['le', formatFloat(b)] as const }));
    specs.push({ sample: bucket, extra: ['le', '+Inf'] });
    specs.push({ sample: this.name + '_sum', extra: null });
    specs.push({ sample: this.name + '_count', extra: null });
    return specs;
  }

  protected create(labelValues: readonly string[]): HistogramSeries {
    return new HistogramSeries(labelValues, this.name, this.buckets);
  }

  writeOne(w: ByteWriter, s: HistogramSeries, escaping: EscapingScheme, om: boolean): void {
    const lines = this.linesFor(s, escaping);
    const counts = s.counts;
    const n = counts.length;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += counts[i]!;
      w.writeBytes(lines[i]!);
      w.writeNumber(acc);
      w.writeByte(LF);
    }
    // OpenMetrics: no sum (and so no count) with negative bounds or a
    // negative or NaN sum; see encoder.ts withoutUncountableSums.
    if (om && (this.negativeBounds || !(s.sum >= 0))) return;
    w.writeBytes(lines[n]!);
    w.writeNumber(s.sum);
    w.writeByte(LF);
    w.writeBytes(lines[n + 1]!);
    w.writeNumber(s.count);
    w.writeByte(LF);
  }

  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  protected samplesOf(s: HistogramSeries, labelsFor: (e: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[] {
    const out: Sample[] = [];
    let acc = 0;
    const n = s.counts.length;
    for (let i = 0; i < n; i++) {
      acc += s.counts[i]!;
      out.push({ name: specs[i]!.sample, labels: labelsFor(specs[i]!.extra), value: acc, timestamp: null });
    }
    out.push({ name: specs[n]!.sample, labels: labelsFor(null), value: s.sum, timestamp: null });
    out.push({ name: specs[n + 1]!.sample, labels: labelsFor(null), value: s.count, timestamp: null });
    return out;
  }
}

// ---- summary ----

export class SummarySeries extends Series {
  /** @internal The metric's quantiles. */
  readonly quantiles: readonly number[];
  /** @internal Quantile values, NaN until set. */
  readonly values: Float64Array;
  /** @internal */ sum = 0;
  /** @internal */ count = 0;

  constructor(labelValues: readonly string[], metric: string, quantiles: readonly number[]) {
    super(labelValues, metric);
    this.quantiles = quantiles;
    this.values = new Float64Array(quantiles.length).fill(NaN);
  }

  /** Adds an observation to the sum and count (quantile values are the caller's to set). */
  observe(v: number): void {
    this.sum += checkValue(v, 'observe()', this.metric);
    this.count++;
  }

  /**
   * Sets any of: the quantile values (in the metric's quantile order, or
   * keyed by quantile), the sum, the count.
   */
  set(state: Readonly<{ quantiles?: readonly number[] | Readonly<Record<string, number>>; sum?: number; count?: number }>): void {
    const qv = state.quantiles;
    if (qv !== undefined) {
      if (Array.isArray(qv)) {
        if (qv.length !== this.quantiles.length) {
          fail('INVALID_ARGUMENT', `expected ${this.quantiles.length} quantile values, got ${qv.length}`);
        }
        for (let i = 0; i < qv.length; i++) this.values[i] = checkValue(qv[i], 'a quantile value', this.metric);
      } else {
        for (const k of Object.keys(qv)) {
          const i = this.quantiles.indexOf(Number(k));
          if (i < 0) fail('INVALID_ARGUMENT', `quantile ${k} is not one of [${this.quantiles.join(', ')}]`);
          this.values[i] = checkValue((qv as Record<string, number>)[k], 'a quantile value', 'summary');
        }
      }
    }
    if (state.sum !== undefined) this.sum = checkValue(state.sum, 'sum', this.metric);
    if (state.count !== undefined) this.count = checkCounterValue(state.count, 'count', this.metric);
  }

  getCount(): number {
    return this.count;
  }

  getSum(): number {
    return this.sum;
  }
}

export class Summary<L extends string = never> extends Metric<L, SummarySeries> {
  readonly type = 'summary' as const;
  readonly quantiles: readonly number[];

  constructor(set: MetricSet, d: Definition<L>, quantiles: number[]) {
    super(set, d);
    this.quantiles = quantiles;
  }

  observe(v: number): void {
    this.only().observe(v);
  }

  set(state: Parameters<SummarySeries['set']>[0]): void {
    this.only().set(state);
  }

  protected lineSpecs(): LineSpec[] {
    const specs: LineSpec[] = this.quantiles.map((x) => ({ sample: this.name, extra: ['quantile', formatFloat(x)] as const }));
    specs.push({ sample: this.name + '_sum', extra: null });
    specs.push({ sample: this.name + '_count', extra: null });
    return specs;
  }

  protected create(labelValues: readonly string[]): SummarySeries {
    return new SummarySeries(labelValues, this.name, this.quantiles);
  }

  writeOne(w: ByteWriter, s: SummarySeries, escaping: EscapingScheme, _om: boolean): void {
    const lines = this.linesFor(s, escaping);
    const n = s.values.length;
    for (let i = 0; i < n; i++) {
      w.writeBytes(lines[i]!);
      w.writeNumber(s.values[i]!);
      w.writeByte(LF);
    }
    w.writeBytes(lines[n]!);
    w.writeNumber(s.sum);
    w.writeByte(LF);
    w.writeBytes(lines[n + 1]!);
    w.writeNumber(s.count);
    w.writeByte(LF);
  }

  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  protected samplesOf(s: SummarySeries, labelsFor: (e: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[] {
    const out: Sample[] = [];
    const n = s.values.length;
    for (let i = 0; i < n; i++) {
      out.push({ name: specs[i]!.sample, labels: labelsFor(specs[i]!.extra), value: s.values[i]!, timestamp: null });
    }
    out.push({ name: specs[n]!.sample, labels: labelsFor(null), value: s.sum, timestamp: null });
    out.push({ name: specs[n + 1]!.sample, labels: labelsFor(null), value: s.count, timestamp: null });
    return out;
  }
}

// ---- info ----

/** An info series: its labels are the information; its value is always 1. */
export class InfoSeries extends Series {}

export class Info<L extends string = never> extends Metric<L, InfoSeries> {
  readonly type = 'info' as const;

  protected lineSpecs(): LineSpec[] {
    return [{ sample: this.name + '_info', extra: null }];
  }

  protected create(labelValues: readonly string[]): InfoSeries {
    return new InfoSeries(labelValues, this.name);
  }

  writeOne(w: ByteWriter, s: InfoSeries, escaping: EscapingScheme, _om: boolean): void {
    w.writeBytes(this.linesFor(s, escaping)[0]!);
    w.writeByte(0x31); // OpenMetrics: an info value is 1
    w.writeByte(LF);
  }

  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  protected samplesOf(_s: InfoSeries, labelsFor: (e: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[] {
    return [{ name: specs[0]!.sample, labels: labelsFor(null), value: 1, timestamp: null }];
  }
}

// ---- stateset ----

export class StateSetSeries extends Series {
  /** @internal The metric's states. */
  readonly states: readonly string[];
  /** @internal 1 for a state that is set. */
  readonly flags: Uint8Array;

  constructor(labelValues: readonly string[], metric: string, states: readonly string[]) {
    super(labelValues, metric);
    this.states = states;
    this.flags = new Uint8Array(states.length);
  }

  /** Makes `state` the one true state (an enum). */
  set(state: string): void {
    const i = this.states.indexOf(state);
    if (i < 0) fail('INVALID_ARGUMENT', `state ${q(String(state))} is not one of [${this.states.join(', ')}]`);
    this.flags.fill(0);
    this.flags[i] = 1;
  }

  /** Sets states individually (a set of flags); states not named keep their value. */
  setStates(states: Readonly<Record<string, boolean>>): void {
    for (const k of Object.keys(states)) {
      const i = this.states.indexOf(k);
      if (i < 0) fail('INVALID_ARGUMENT', `state ${q(k)} is not one of [${this.states.join(', ')}]`);
      this.flags[i] = states[k] === true ? 1 : 0;
    }
  }

  /** The states that are set. */
  get(): string[] {
    return this.states.filter((_, i) => this.flags[i] === 1);
  }
}

export class StateSet<L extends string = never> extends Metric<L, StateSetSeries> {
  readonly type = 'stateset' as const;
  readonly states: readonly string[];

  constructor(set: MetricSet, d: Definition<L>, states: string[]) {
    super(set, d);
    this.states = states;
  }

  set(state: string): void {
    this.only().set(state);
  }

  setStates(states: Readonly<Record<string, boolean>>): void {
    this.only().setStates(states);
  }

  get(): string[] {
    return this.only().get();
  }

  protected lineSpecs(): LineSpec[] {
    return this.states.map((st) => ({ sample: this.name, extra: [this.name, st] as const }));
  }

  protected create(labelValues: readonly string[]): StateSetSeries {
    return new StateSetSeries(labelValues, this.name, this.states);
  }

  writeOne(w: ByteWriter, s: StateSetSeries, escaping: EscapingScheme, _om: boolean): void {
    const lines = this.linesFor(s, escaping);
    for (let i = 0; i < s.flags.length; i++) {
      w.writeBytes(lines[i]!);
      w.writeByte(0x30 + s.flags[i]!);
      w.writeByte(LF);
    }
  }

  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  protected samplesOf(s: StateSetSeries, labelsFor: (e: LineSpec['extra']) => Labels, specs: LineSpec[]): Sample[] {
    return specs.map((spec, i) => ({ name: spec.sample, labels: labelsFor(spec.extra), value: s.flags[i]!, timestamp: null }));
  }
}
