import { ByteWriter, chunkSizeOption, escapingOption, formatOption, Losses, PrefixArena, ProtoWriter } from '../encode/api.js';
import type { EncodeChunksOptions, EncodeOptions } from '../encode/api.js';
import type { EscapingScheme } from '../core/names.js';
import type { MetricFamily } from '../model/index.js';
import type { WalkOptions } from '../remote-write/from-families.js';
import type { RequestWriter } from '../remote-write/request-writer.js';
import { omName, seriesNames } from '../model/rules.js';
import { CollectRunner } from './collect.js';
import { Counter } from './counter.js';
import {
  checkBuckets,
  checkCounterSuffix,
  checkLabelName,
  checkNative,
  checkStates,
  checkSummary,
  type CounterOptions,
  type CounterSuffix,
  DEFAULT_BUCKETS,
  define,
  fail,
  type GaugeOptions,
  type HistogramOptions,
  type InfoOptions,
  type MetricSetOptions,
  q,
  type StateSetOptions,
  type SummaryOptions,
} from './definition.js';
import { Gauge } from './gauge.js';
import { Histogram } from './histogram.js';
import { Info } from './info.js';
import { reportDirectLosses } from './losses.js';
import type { Metric, Series } from './metric.js';
import { StateSet } from './stateset.js';
import { Summary } from './summary.js';

/** Any metric of a set. */
export type AnyMetric = Counter<string> | Gauge<string> | Histogram<string> | Summary<string> | Info<string> | StateSet<string>;

/**
 * A live set of metrics for exporters and services, with precomputed
 * series prefixes.
 *
 * Each series renders its sample lines' `name{labels} ` prefixes to bytes
 * once, when it is created, with the set's default labels folded in; an
 * encode then copies those bytes and writes only the values. The prefixes
 * are the same in text 0.0.4 and OpenMetrics (a counter's samples are
 * `foo_total` in both, an info's `foo_info`) except for a histogram's `le`
 * and a summary's `quantile`, which OpenMetrics spells canonically (`1.0`)
 * and text as Go does (`1`): those are rendered again, lazily, for
 * OpenMetrics, as are names outside the legacy character set (allowed with
 * `nameValidation: 'utf-8'`) for each escaping scheme asked for. The
 * HELP/TYPE/UNIT lines are rendered once per metric, format and scheme.
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
 * - counter `foo`: `foo_total` (model and text family `foo_total`,
 *   OpenMetrics family `foo`); a name given with `_total` loses it, as in
 *   the Python client;
 * - histogram: `_bucket` lines (cumulative, `+Inf` last), then `_sum`, then
 *   `_count`, as client_golang writes them; `le` is `1` in text, `1.0` in
 *   OpenMetrics and in `collect()`;
 * - native histogram (`native` option): `collect()` holds one native sample
 *   per series, named after the family, before the classic samples (when
 *   classic buckets were given); text and OpenMetrics 1.0 get the classic
 *   lines, or for a native-only histogram a `+Inf` bucket holding the count,
 *   `_sum` and `_count`, as client_golang writes it there;
 * - summary: quantile lines, `_sum`, `_count`; quantile values estimated
 *   over a sliding window from `observe()` when each series is written
 *   (src/metrics/quantiles.ts), or the caller's from `set()`; NaN while
 *   the window is empty or until set, as client_golang writes an empty
 *   summary;
 * - info `foo`: `foo_info{...} 1` (model family `foo_info`; text: gauge);
 * - stateset `foo`: one line per state, `foo{foo="state"} 0|1` (text: gauge);
 * - no timestamps, no `_created` samples; exemplars (incWithExemplar,
 *   observeWithExemplar) after counter and bucket lines in OpenMetrics, in
 *   protobuf's Counter/Bucket/Histogram exemplar fields, none in text.
 */
export class MetricSet {
  /** @internal */ readonly defaultPairs: ReadonlyArray<readonly [string, string]>;
  /** @internal */ readonly utf8: boolean;
  /** @internal */ readonly prefix: string;
  /** @internal The set's counter naming (MetricSetOptions.counterSuffix). */
  readonly counterSuffix: CounterSuffix;
  private readonly metrics = new Map<string, AnyMetric>();
  /** Every name a metric may be written or queried under (rules.seriesNames and its OpenMetrics name), for clash checks and `get()`. */
  private readonly claims = new Map<string, AnyMetric>();
  /** @internal Where series prefixes live. */
  readonly arena = new PrefixArena();
  /** Runs the metrics' collect callbacks (src/metrics/collect.ts). */
  private readonly runner = new CollectRunner();
  /** Output size of the last encode, to size the next one's buffer. */
  private sizeHint = 64 * 1024;
  /** The same for protobuf. */
  private pbSizeHint = 64 * 1024;

  constructor(options: MetricSetOptions = {}) {
    const validation = options.nameValidation ?? 'legacy';
    if (validation !== 'legacy' && validation !== 'utf-8') {
      fail('INVALID_ARGUMENT', `expected nameValidation 'legacy' or 'utf-8', got ${q(String(validation))}`);
    }
    this.utf8 = validation === 'utf-8';
    const prefix = options.prefix ?? '';
    if (typeof prefix !== 'string') fail('INVALID_ARGUMENT', `expected prefix to be a string, got ${typeof prefix}`);
    this.prefix = prefix;
    this.counterSuffix = checkCounterSuffix(options.counterSuffix ?? 'total', 'counterSuffix');
    const pairs: Array<readonly [string, string]> = [];
    const defaults = options.defaultLabels ?? {};
    for (const k of Object.keys(defaults)) {
      checkLabelName(k, 'default label', this.utf8);
      const v = defaults[k];
      if (typeof v !== 'string') {
        fail('INVALID_ARGUMENT', `expected default label ${q(k)} to be a string, got ${typeof v}`);
      }
      pairs.push([k, v]);
    }
    this.defaultPairs = pairs;
  }

  counter<L extends string = never>(o: CounterOptions<L>): Counter<L> {
    const d = define(this, o, 'counter');
    const suffix =
      o.counterSuffix === undefined ? this.counterSuffix : checkCounterSuffix(o.counterSuffix, `counterSuffix of ${q(d.name)}`);
    // 'as-given' changes only a name given without `_total` (prom-client writes the name as given).
    if (suffix === 'as-given' && !(this.prefix + o.name).endsWith('_total')) d.textModel = true;
    return this.add(new Counter<L>(this, d));
  }

  gauge<L extends string = never>(o: GaugeOptions<L>): Gauge<L> {
    return this.add(new Gauge<L>(this, define(this, o, 'gauge')));
  }

  histogram<L extends string = never>(o: HistogramOptions<L>): Histogram<L> {
    const d = define(this, o, 'histogram');
    const native = checkNative(o.native, d.name);
    // client_golang newHistogram: no buckets given means DefBuckets, or none for a native histogram.
    const buckets = o.buckets ?? (native === null ? DEFAULT_BUCKETS : []);
    return this.add(new Histogram<L>(this, d, checkBuckets(buckets, d.name), native));
  }

  summary<L extends string = never>(o: SummaryOptions<L>): Summary<L> {
    const d = define(this, o, 'summary');
    return this.add(new Summary<L>(this, d, checkSummary(o, d.name)));
  }

  info<L extends string = never>(o: InfoOptions<L>): Info<L> {
    return this.add(new Info<L>(this, define(this, o, 'info')));
  }

  stateset<L extends string = never>(o: StateSetOptions<L>): StateSet<L> {
    const d = define(this, o, 'stateset');
    return this.add(new StateSet<L>(this, d, checkStates(o.states, d.name)));
  }

  /**
   * The metric of that family name, with or without the set's prefix: the
   * model's name (`http_requests_total` for a counter, `build_info` for an
   * info) or the OpenMetrics one (`http_requests`, `build`). A series name
   * such as `latency_bucket` is not a family name.
   */
  get(name: string): AnyMetric | undefined {
    for (const n of [name, this.prefix + name]) {
      const m = this.claims.get(n);
      if (m !== undefined && (n === m.familyName || n === m.name)) return m;
    }
    return undefined;
  }

  /** Removes a metric (by family name, or the metric itself). Returns whether it was there. */
  remove(nameOrMetric: string | AnyMetric): boolean {
    const m = typeof nameOrMetric === 'string' ? this.get(nameOrMetric) : nameOrMetric;
    if (m === undefined || this.metrics.get(m.name) !== m) return false;
    this.metrics.delete(m.name);
    for (const n of claimedNames(m)) if (this.claims.get(n) === m) this.claims.delete(n);
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

  /**
   * Runs every metric's `collect` callback (concurrently: each is called in
   * definition order, the metric as `this` and as argument, and the Promises
   * returned are awaited together). A callback that throws or rejects does
   * not stop the others: once all have settled, the returned Promise rejects
   * with a `CollectError` (code COLLECT_FAILED, `errors` and `metrics` list
   * each failure), the other callbacks' values being in place.
   *
   * Reads that follow in the same task (`await set.refresh();
   * set.encode()`) use these values and run no callback again. A sync read
   * at any other time runs the callbacks itself, and throws ASYNC_COLLECT if
   * one returns a Promise (it cannot wait for it): a set with async
   * callbacks is read after `await set.refresh()`, as the handlers do.
   * src/metrics/collect.ts has the details.
   */
  refresh(): Promise<void> {
    return this.runner.refresh(this.metrics.values());
  }

  /** The current values as the data model (what `encode` writes, sample for sample); runs the collect callbacks first (see `refresh`). */
  collect(): MetricFamily[] {
    this.runner.runSync(this.metrics.values(), 'collect()');
    const out: MetricFamily[] = [];
    for (const m of this.metrics.values()) out.push(m.collect());
    return out;
  }

  /** @internal The size of the last encodeWriteRequest of this set, per version (to size the next one's buffer). */
  readonly remoteWriteSize = { '1.0': 0, '2.0': 0 };

  /**
   * @internal Remote write without the families model: what
   * encodeWriteRequest(s) calls for a MetricSet (the bytes
   * `encodeWriteRequest(set.collect())` writes; Metric.remoteWrite). The
   * metrics are those of the set when the first request is asked for.
   */
  *remoteWriteSeries(rw: RequestWriter, o: WalkOptions): Generator<void, void, void> {
    this.runner.runSync(this.metrics.values(), 'encodeWriteRequest()');
    const metrics = Array.from(this.metrics.values()) as Array<Metric<string, Series>>;
    for (const m of metrics) yield* m.remoteWrite(rw, o);
  }

  /** Encodes every metric (the returned bytes are the caller's); runs the collect callbacks first (see `refresh`). */
  encode(options?: EncodeOptions): Uint8Array {
    const format = formatOption(options?.format);
    const escaping = escapingOption(options?.escaping);
    this.runner.runSync(this.metrics.values(), 'encode()');
    if (format === 'protobuf') return this.encodeProtobuf(escaping, options?.onWarning);
    // A fresh buffer sized from the last encode, handed over without a copy:
    // the steady state allocates about the output size, once.
    const w = new ByteWriter(this.sizeHint);
    const om = format === 'openmetrics';
    const onWarning = options?.onWarning;
    for (const m of this.metrics.values()) {
      w.writeBytes(m.header(format, escaping));
      m.writeAll(w, escaping, om);
      if (onWarning !== undefined) reportDirectLosses(m as Metric<string, Series>, om, m.size, onWarning);
    }
    if (om) w.writeAscii('# EOF\n');
    this.sizeHint = w.pos + (w.pos >> 5) + 4096;
    return w.result();
  }

  /**
   * Protobuf: one delimited MetricFamily per metric, each series' label
   * fields copied from the bytes rendered when the series was first
   * written, values written in place.
   */
  private encodeProtobuf(escaping: EscapingScheme, onWarning: ((message: string) => void) | undefined): Uint8Array {
    const w = new ProtoWriter(this.pbSizeHint);
    const losses = new Losses();
    for (const m of this.metrics.values()) {
      (m as Metric<string, Series>).writeProtobufFamily(w, escaping, losses);
      losses.flush(m.familyName, onWarning);
    }
    this.pbSizeHint = w.pos + (w.pos >> 5) + 4096;
    return w.result();
  }

  /** `encode`, decoded to a string (text formats only: protobuf is binary). */
  encodeToString(options?: EncodeOptions): string {
    if (options?.format === 'protobuf')
      fail('INVALID_ARGUMENT', 'encodeToString: protobuf is a binary format; call encode() for its bytes');
    return new TextDecoder().decode(this.encode(options));
  }

  /**
   * Encodes in chunks of about `chunkSize` bytes (ending at line ends), so
   * that a server can yield to the event loop between them; joined, they
   * equal `encode()`'s output at the first chunk. Each call has its own
   * buffers, so two scrapes may be under way at once.
   *
   * The body is a snapshot of the set's membership when the first chunk is
   * asked for: the metrics and each metric's series are copied to arrays of
   * references then (cheap next to writing them), so a series removed and
   * created again meanwhile (which moves it to the end of its Map, past a
   * running iterator) is still written once, in its family, and a metric
   * removed and defined again is not written twice. Values are read as the
   * encode reaches them; series created after the first chunk appear in the
   * next scrape.
   */
  *encodeChunks(options?: EncodeChunksOptions): Generator<Uint8Array, void, undefined> {
    const format = formatOption(options?.format);
    const escaping = escapingOption(options?.escaping);
    const chunkSize = chunkSizeOption(options?.chunkSize);
    const om = format === 'openmetrics';
    this.runner.runSync(this.metrics.values(), 'encodeChunks()');
    const metrics = Array.from(this.metrics.values()) as Array<Metric<string, Series>>;
    const series = metrics.map((m) => m.snapshot());
    if (format === 'protobuf') {
      // A chunk ends between MetricFamily messages: a message's length is
      // written when it is complete, so a family is never split.
      const pw = new ProtoWriter(chunkSize + 4096);
      const losses = new Losses();
      for (let i = 0; i < metrics.length; i++) {
        metrics[i]!.writeProtobufFamily(pw, escaping, losses, series[i]!);
        losses.flush(metrics[i]!.familyName, options?.onWarning);
        if (pw.pos >= chunkSize) yield pw.take();
      }
      if (pw.pos > 0) yield pw.take();
      return;
    }
    const w = new ByteWriter(chunkSize + 4096);
    const onWarning = options?.onWarning;
    for (let i = 0; i < metrics.length; i++) {
      const metric = metrics[i]!;
      const list = series[i]!;
      // Said before the family's chunks go out: the exemplars are counted
      // then, and the rest reads only the definition and the snapshot's length.
      if (onWarning !== undefined) reportDirectLosses(metric, om, list.length, onWarning);
      w.writeBytes(metric.header(format, escaping));
      for (let j = 0; j < list.length; j++) {
        metric.writeOne(w, list[j]!, escaping, om);
        if (w.pos >= chunkSize) yield w.take();
      }
    }
    if (om) w.writeAscii('# EOF\n');
    if (w.pos > 0) yield w.take();
  }

  private add<M extends AnyMetric>(m: M): M {
    const names = claimedNames(m);
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
}

/**
 * The names a metric writes or is known by, in any format: rules.seriesNames
 * of its model family (`foo_total`, `foo_created` for a counter; `_bucket`,
 * `_sum`, `_count`, `_created` for a histogram), plus its OpenMetrics family
 * name (`foo`), which a `# TYPE` line of either format would declare.
 */
function claimedNames(m: AnyMetric): string[] {
  const f = { name: m.familyName, type: m.type };
  const names = seriesNames(f);
  const om = omName(f);
  if (!names.includes(om)) names.push(om);
  return names;
}
