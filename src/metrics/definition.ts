/**
 * Definition-time rules of a `MetricSet`: the options each metric type
 * takes, and every check that keeps a scrape from producing a broken body
 * (names, reserved labels, buckets, quantiles, states, values). Everything
 * here fails with a `PromwireError` when the metric or series is defined or
 * updated, never during an encode.
 */
import { isValidLabelName, isValidMetricName, isValidUtf8Name } from '../core/names.js';
import { formatFloat } from '../core/number.js';
import { PromwireError } from '../errors.js';
import type { MetricType } from '../model/index.js';
import { DEFAULT_NATIVE_ZERO_THRESHOLD, pickSchema } from '../model/native-buckets.js';
import type { NativeConfig } from './native.js';
import type { QuantileConfig } from './quantiles.js';
import { reservedLabel } from '../model/rules.js';
import type { Counter } from './counter.js';
import type { Gauge } from './gauge.js';
import type { Histogram } from './histogram.js';
import type { Info } from './info.js';
import type { StateSet } from './stateset.js';
import type { Summary } from './summary.js';

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
    /**
     * How counters named without `_total` are written (see `CounterSuffix`):
     * `total` writes `foo_total` everywhere; `as-given` writes `foo` as
     * prom-client does in text 0.0.4 (and in protobuf), `foo_total` in
     * OpenMetrics. Defaults to `total`.
     */
    counterSuffix: CounterSuffix;
  }>
>;

/** A label value as passed to `labels()`: numbers and booleans are written as `String(v)`. */
export type LabelValue = string | number | boolean;
export type LabelValues<L extends string> = Readonly<Record<L, LabelValue>>;

/**
 * A metric's collect callback (prom-client's `collect`): run at scrape time
 * to bring values read from elsewhere up to date. It gets the metric as its
 * argument and as `this`. `MetricSet.refresh()` runs every callback and
 * awaits those that return a Promise; the set's sync reads (`encode`,
 * `encodeToString`, `encodeChunks`, `collect`, remote write) run them
 * themselves unless a `refresh()` has just completed (see
 * `MetricSet.refresh`).
 */
export type CollectCallback<M> = (this: M, metric: M) => void | PromiseLike<void>;

export interface BaseOptions<L extends string, M = never> {
  /** Metric name (the set's prefix is prepended). */
  name: string;
  /** HELP text ('' for none). */
  help: string;
  /** Label names, in the order they are written. Defaults to none. */
  labelNames?: readonly L[];
  /** Run at scrape time, before the metric is read (values read from elsewhere). Defaults to none. */
  collect?: CollectCallback<M>;
}

interface UnitOption {
  /** OpenMetrics unit; appended to the name as `_<unit>` when the name does not end with it. Defaults to ''. */
  unit?: string;
}

/**
 * How a counter named without `_total` is written. `total` (the default,
 * as client_python and OpenMetrics name it): `foo_total` in every format
 * (family `foo_total` in text and the model). `as-given` (prom-client and
 * client_golang): `foo` in text 0.0.4, protobuf, `collect()` and remote
 * write, so dashboards built on prom-client's `foo` keep working; OpenMetrics
 * 1.0 requires the `_total` suffix ("Counter": the sample is `<name>_total`)
 * and gets `foo_total`, as prom-client writes it there. A name given with
 * `_total` is `foo_total` either way.
 */
export type CounterSuffix = 'total' | 'as-given';

export interface CounterOptions<L extends string> extends BaseOptions<L, Counter<L>>, UnitOption {
  /** This counter's naming, overriding the set's `counterSuffix`. Defaults to the set's. */
  counterSuffix?: CounterSuffix;
}
export interface GaugeOptions<L extends string> extends BaseOptions<L, Gauge<L>>, UnitOption {}
export interface HistogramOptions<L extends string> extends BaseOptions<L, Histogram<L>>, UnitOption {
  /**
   * Upper bounds, strictly increasing; `+Inf` is added when missing.
   * Defaults to client_golang's DefBuckets (.005 to 10 seconds), or, for a
   * native histogram, to no classic buckets (client_golang: "if you want to
   * use both regular buckets and buckets for a native histogram, you have
   * to define the regular buckets here explicitly").
   */
  buckets?: readonly number[];
  /** Native (sparse, exponential) buckets, as client_golang keeps them. Defaults to none. */
  native?: NativeHistogramOptions;
}

/**
 * A native histogram's settings: client_golang's HistogramOpts
 * NativeHistogram* fields, with the same semantics (see src/metrics/native.ts).
 */
export interface NativeHistogramOptions {
  /**
   * NativeHistogramBucketFactor: the largest growth from one bucket to the
   * next. The schema is the largest from -4 to 8 whose factor `2^(2^-schema)`
   * is <= this (8 below `2^(2^-8)`, about 1.00271); 1.1 gives schema 3 (8
   * buckets per power of two). A factor <= 1 means no native histogram (as
   * in client_golang).
   */
  bucketFactor: number;
  /**
   * NativeHistogramZeroThreshold: observations with |v| <= this count into
   * the zero bucket. 0 (or any negative number, client_golang's
   * NativeHistogramZeroThresholdZero) makes a zero bucket of width zero.
   * Unlike client_golang, where 0 means the default, 0 means 0 here.
   * Defaults to 2^-128 (client_golang DefNativeHistogramZeroThreshold).
   */
  zeroThreshold?: number;
  /**
   * NativeHistogramMaxZeroThreshold: how far the zero bucket may be widened
   * to keep the number of buckets at `maxBuckets`. Defaults to 0 (never
   * widened).
   */
  maxZeroThreshold?: number;
  /**
   * NativeHistogramMaxBucketNumber: the most populated buckets (positive
   * and negative together) before the series is reset, its zero bucket
   * widened or its resolution halved. Defaults to 0 (no limit).
   */
  maxBuckets?: number;
  /**
   * NativeHistogramMinResetDuration, in milliseconds: once this long has
   * passed since the series was created or last reset, exceeding
   * `maxBuckets` resets the series, and a widened zero bucket or halved
   * resolution is undone by a reset this long after the last one. Defaults
   * to 0 (never reset).
   */
  minResetDuration?: number;
  /** The clock `minResetDuration` is measured by, in milliseconds (for tests). Defaults to `Date.now`. */
  now?: () => number;
}
/**
 * A summary's settings. With quantiles (`quantiles` or `objectives`),
 * `observe()` feeds a sliding-window estimator (src/metrics/quantiles.ts):
 * for an objective `(q, e)` the value written is an observation of the
 * window whose rank is within `e * n` of `q * n` (n: the window's
 * observations), the phi-quantile for some phi in [q - e, q + e], as
 * client_golang's Objectives. `_sum` and `_count` count every observation
 * ever made, as in client_golang.
 */
export interface SummaryOptions<L extends string> extends BaseOptions<L, Summary<L>>, UnitOption {
  /**
   * Quantiles written, each in [0, 1], strictly increasing, each with the
   * allowed rank error `min(q, 1 - q) / 10` (client_golang's DefObjectives
   * for 0.5, 0.9, 0.99: 0.05, 0.01, 0.001; 0 and 1 are exact). Give
   * `objectives` instead to choose the errors. Defaults to none (a summary
   * of `_sum` and `_count` only, as client_golang's default).
   */
  quantiles?: readonly number[];
  /**
   * Quantile -> allowed rank error (client_golang SummaryOpts.Objectives),
   * e.g. `{ 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 }`: each quantile in [0, 1],
   * each error in (0, 1) (0 also for the quantiles 0 and 1, which are exact
   * anyway). Memory grows as 1/error. Not with `quantiles`. Defaults to none.
   */
  objectives?: Readonly<Record<number, number>>;
  /** How long an observation counts in the quantiles, in seconds (client_golang MaxAge). Defaults to 600. */
  maxAgeSeconds?: number;
  /**
   * How many periods the window is split into (client_golang AgeBuckets):
   * quantiles cover between `maxAgeSeconds * (1 - 1/ageBuckets)` and
   * `maxAgeSeconds` of history; each one costs a stream per series.
   * Defaults to 5.
   */
  ageBuckets?: number;
  /** The window's clock, in milliseconds (for tests). Defaults to `Date.now`. */
  now?: () => number;
}
export type InfoOptions<L extends string> = BaseOptions<L, Info<L>>;
export interface StateSetOptions<L extends string> extends BaseOptions<L, StateSet<L>> {
  /** The states, at least one, distinct. */
  states: readonly string[];
}

/** client_golang prometheus.DefBuckets. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A checked metric definition: what a metric class is constructed from. */
export interface Definition<L extends string> {
  /** The OpenMetrics family name (`http_requests` for the counter `http_requests_total`). */
  name: string;
  help: string;
  unit: string;
  labelNames: L[];
  /** The collect callback, or null. */
  collect: CollectCallback<unknown> | null;
  /** A counter written as named, without `_total`, in text 0.0.4 and protobuf (`counterSuffix: 'as-given'`). */
  textModel?: boolean;
}

/** What a definition is checked against: the set's own settings. */
export interface DefinitionContext {
  readonly prefix: string;
  readonly utf8: boolean;
  readonly defaultPairs: ReadonlyArray<readonly [string, string]>;
}

export type FailCode =
  | 'INVALID_NAME'
  | 'RESERVED_LABEL'
  | 'INVALID_BUCKETS'
  | 'LABEL_MISMATCH'
  | 'DUPLICATE_SERIES'
  | 'INVALID_ARGUMENT'
  | 'INVALID_EXEMPLAR'
  | 'ASYNC_COLLECT'
  | 'COLLECT_FAILED';

export function fail(code: FailCode, reason: string): never {
  throw new PromwireError(code, reason);
}

export function q(s: string): string {
  return JSON.stringify(s);
}

export function checkLabelName(k: string, what: string, utf8: boolean): void {
  if (k.startsWith('__')) {
    // Prometheus data model: "Label names beginning with __ are reserved for internal use."
    fail('RESERVED_LABEL', `${what} ${q(k)}: label names starting with "__" are reserved for Prometheus`);
  }
  const ok = utf8 ? isValidUtf8Name(k) : isValidLabelName(k);
  if (!ok) {
    fail(
      'INVALID_NAME',
      utf8
        ? `${what}: expected a non-empty UTF-8 label name, got ${q(k)}`
        : `${what}: expected a label name matching [a-zA-Z_][a-zA-Z0-9_]*, got ${q(k)}`,
    );
  }
}

/**
 * The OpenMetrics family name from the name given: the set's prefix, then,
 * as the Python client does (_build_full_name), a counter loses `_total` and
 * an info `_info`, and the unit is appended.
 */
function omFamilyName(prefix: string, given: string, type: MetricType, unit: string): string {
  let name = prefix + given;
  if (type === 'counter' && name.endsWith('_total') && name.length > 6) name = name.slice(0, -6);
  if (type === 'info' && name.endsWith('_info') && name.length > 5) name = name.slice(0, -5);
  if (unit !== '' && !name.endsWith('_' + unit)) name += '_' + unit;
  return name;
}

/** Checks a counterSuffix option. */
export function checkCounterSuffix(v: unknown, what: string): CounterSuffix {
  if (v !== 'total' && v !== 'as-given') fail('INVALID_ARGUMENT', `expected ${what} 'total' or 'as-given', got ${q(String(v))}`);
  return v;
}

/** Checks a metric's options and returns its definition. */
export function define<L extends string, M>(ctx: DefinitionContext, o: BaseOptions<L, M> & UnitOption, type: MetricType): Definition<L> {
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
  const name = omFamilyName(ctx.prefix, o.name, type, unit);
  const validName = ctx.utf8 ? isValidUtf8Name(name) : isValidMetricName(name);
  if (!validName) {
    fail(
      'INVALID_NAME',
      ctx.utf8
        ? `expected a non-empty UTF-8 metric name, got ${q(name)}`
        : `expected a metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*, got ${q(name)}`,
    );
  }
  if (type === 'stateset') {
    // The stateset's own name is the label that carries the state (OpenMetrics StateSet).
    if (!(ctx.utf8 ? isValidUtf8Name(name) : isValidLabelName(name))) {
      fail('INVALID_NAME', `a stateset's name is also its label name: expected [a-zA-Z_][a-zA-Z0-9_]*, got ${q(name)}`);
    }
  }
  const labelNames = o.labelNames ?? [];
  if (!Array.isArray(labelNames)) fail('INVALID_ARGUMENT', `expected labelNames of ${q(name)} to be an array`);
  const seen = new Set<string>();
  for (const k of labelNames) {
    if (typeof k !== 'string') fail('INVALID_NAME', `expected label names of ${q(name)} to be strings, got ${typeof k}`);
    checkLabelName(k, `label of ${q(name)}`, ctx.utf8);
    if (seen.has(k)) fail('INVALID_ARGUMENT', `label ${q(k)} is declared twice for ${q(name)}`);
    seen.add(k);
  }
  const all = [...ctx.defaultPairs.map((p) => p[0]), ...labelNames];
  for (const [k] of ctx.defaultPairs) {
    if (seen.has(k)) fail('INVALID_ARGUMENT', `label ${q(k)} of ${q(name)} is already a default label of the set`);
  }
  // rules.reservedLabel: `le`, `quantile`, the stateset's own name (OpenMetrics 1.0 "Histogram", "Summary", "StateSet").
  const reserved = reservedLabel({ name, type });
  if (reserved !== null && all.includes(reserved)) {
    fail(
      'RESERVED_LABEL',
      `label ${q(reserved)} is reserved for the ${type} ${q(name)} (it carries the ${type === 'histogram' ? 'bucket bound' : type === 'summary' ? 'quantile' : 'state'})`,
    );
  }
  const collect = o.collect ?? null;
  if (collect !== null && typeof collect !== 'function') {
    fail('INVALID_ARGUMENT', `expected collect of ${q(name)} to be a function, got ${typeof collect}`);
  }
  return { name, help: o.help, unit, labelNames: [...labelNames], collect: collect as CollectCallback<unknown> | null };
}

export function checkBuckets(buckets: readonly number[], name: string): number[] {
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

/**
 * Checks a histogram's native settings and resolves them as client_golang's
 * newHistogram does; null when there is no native histogram (no options,
 * or a bucket factor <= 1).
 */
export function checkNative(o: NativeHistogramOptions | undefined, name: string): NativeConfig | null {
  if (o === undefined) return null;
  if (o === null || typeof o !== 'object') fail('INVALID_ARGUMENT', `expected native options of ${q(name)} to be an object`);
  const num = (k: keyof NativeHistogramOptions, v: unknown, def: number): number => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || Number.isNaN(v))
      fail('INVALID_ARGUMENT', `expected native.${k} of ${q(name)} to be a number, got ${String(v)}`);
    return v;
  };
  const factor = num('bucketFactor', o.bucketFactor, NaN);
  if (o.bucketFactor === undefined)
    fail('INVALID_ARGUMENT', `native.bucketFactor of ${q(name)} is required (1.1 gives 8 buckets per power of two)`);
  const schema = pickSchema(factor);
  if (schema === null) return null;
  const zeroThreshold = num('zeroThreshold', o.zeroThreshold, DEFAULT_NATIVE_ZERO_THRESHOLD);
  const maxZeroThreshold = num('maxZeroThreshold', o.maxZeroThreshold, 0);
  const maxBuckets = num('maxBuckets', o.maxBuckets, 0);
  // client_golang: NativeHistogramMaxBucketNumber is a uint32.
  if (!Number.isInteger(maxBuckets) || maxBuckets < 0 || maxBuckets > 0xffffffff) {
    fail('INVALID_ARGUMENT', `expected native.maxBuckets of ${q(name)} to be an integer from 0 to 2^32-1, got ${maxBuckets}`);
  }
  const minResetDuration = num('minResetDuration', o.minResetDuration, 0);
  if (!(minResetDuration >= 0) || minResetDuration === Infinity) {
    fail(
      'INVALID_ARGUMENT',
      `expected native.minResetDuration of ${q(name)} to be a finite number of milliseconds >= 0, got ${minResetDuration}`,
    );
  }
  const now = o.now ?? Date.now;
  if (typeof now !== 'function') fail('INVALID_ARGUMENT', `expected native.now of ${q(name)} to be a function`);
  return {
    schema,
    // client_golang newHistogram: a negative threshold means a zero bucket of width zero.
    zeroThreshold: Math.max(zeroThreshold, 0),
    maxZeroThreshold,
    maxBuckets,
    minResetDuration,
    now,
    manualClock: o.now !== undefined,
  };
}

/** client_golang DefMaxAge (10 minutes), in seconds. */
export const DEFAULT_SUMMARY_MAX_AGE_SECONDS = 600;
/** client_golang DefAgeBuckets. */
export const DEFAULT_SUMMARY_AGE_BUCKETS = 5;

/** The rank error a quantile gets when given in `quantiles`: client_golang's DefObjectives (0.5: 0.05, 0.9: 0.01, 0.99: 0.001) follow it. */
export function defaultQuantileError(q: number): number {
  // Rounded to 12 digits: 0.9 gets 0.01, not 0.009999999999999998.
  return Number((Math.min(q, 1 - q) / 10).toPrecision(12));
}

/** Checks a summary's quantile options; null when it has no quantiles (no estimator). */
export function checkSummary(
  o: Pick<SummaryOptions<string>, 'quantiles' | 'objectives' | 'maxAgeSeconds' | 'ageBuckets' | 'now'>,
  name: string,
): QuantileConfig | null {
  let quantiles: number[];
  let errors: number[];
  if (o.objectives !== undefined) {
    if (o.quantiles !== undefined) {
      fail('INVALID_ARGUMENT', `${q(name)}: give quantiles (with default errors) or objectives (quantile -> error), not both`);
    }
    const obj = o.objectives;
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      fail('INVALID_ARGUMENT', `expected objectives of ${q(name)} as an object of quantile -> allowed error`);
    }
    const pairs: Array<[number, number]> = [];
    for (const k of Object.keys(obj)) {
      const qv = Number(k);
      const e = (obj as Record<string, unknown>)[k];
      if (k.trim() === '' || !(qv >= 0 && qv <= 1))
        fail('INVALID_ARGUMENT', `expected objective quantiles of ${q(name)} in [0, 1], got ${q(k)}`);
      if (typeof e !== 'number')
        fail('INVALID_ARGUMENT', `expected the error of quantile ${k} of ${q(name)} to be a number, got ${typeof e}`);
      const exact = qv === 0 || qv === 1;
      if (!(e < 1) || !(exact ? e >= 0 : e > 0)) {
        fail(
          'INVALID_ARGUMENT',
          `expected the error of quantile ${k} of ${q(name)} in (0, 1), got ${e}${e === 0 ? ' (0 would keep every observation)' : ''}`,
        );
      }
      pairs.push([qv, e]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < pairs.length; i++) {
      if (pairs[i]![0] === pairs[i - 1]![0])
        fail('INVALID_ARGUMENT', `quantile ${pairs[i]![0]} of ${q(name)} is given twice in objectives`);
    }
    quantiles = pairs.map((p) => p[0]);
    errors = pairs.map((p) => p[1]);
  } else {
    quantiles = checkQuantiles(o.quantiles ?? [], name);
    errors = quantiles.map(defaultQuantileError);
  }
  if (quantiles.length === 0) {
    if (o.maxAgeSeconds !== undefined || o.ageBuckets !== undefined) {
      fail('INVALID_ARGUMENT', `${q(name)} has no quantiles: maxAgeSeconds and ageBuckets only apply to quantiles`);
    }
    return null;
  }
  const maxAge = o.maxAgeSeconds ?? DEFAULT_SUMMARY_MAX_AGE_SECONDS;
  // client_golang newSummary: "MaxAge must be positive".
  if (typeof maxAge !== 'number' || !(maxAge > 0) || maxAge === Infinity) {
    fail('INVALID_ARGUMENT', `expected maxAgeSeconds of ${q(name)} to be a finite number of seconds > 0, got ${String(maxAge)}`);
  }
  const ageBuckets = o.ageBuckets ?? DEFAULT_SUMMARY_AGE_BUCKETS;
  if (typeof ageBuckets !== 'number' || !Number.isInteger(ageBuckets) || ageBuckets < 1 || ageBuckets > 1000) {
    fail('INVALID_ARGUMENT', `expected ageBuckets of ${q(name)} to be an integer from 1 to 1000, got ${String(ageBuckets)}`);
  }
  const now = o.now ?? Date.now;
  if (typeof now !== 'function') fail('INVALID_ARGUMENT', `expected now of ${q(name)} to be a function`);
  return { quantiles, errors, maxAgeMs: maxAge * 1000, ageBuckets, now };
}

export function checkQuantiles(qs: readonly number[], name: string): number[] {
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

export function checkStates(states: readonly string[], name: string): string[] {
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

export function checkValue(v: unknown, what: string, metric: string): number {
  if (typeof v !== 'number') fail('INVALID_ARGUMENT', `expected a number for ${what} of ${q(metric)}, got ${typeof v}`);
  return v;
}

export function checkCounterValue(v: unknown, what: string, metric: string): number {
  const n = checkValue(v, what, metric);
  // OpenMetrics: counter values MUST NOT be negative or NaN.
  if (!(n >= 0)) fail('INVALID_ARGUMENT', `expected a non-negative number for ${what} of counter ${q(metric)}, got ${n}`);
  return n;
}
