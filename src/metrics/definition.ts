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
import { reservedLabel } from '../model/rules.js';

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

export interface BaseOptions<L extends string> {
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

/** A checked metric definition: what a metric class is constructed from. */
export interface Definition<L extends string> {
  /** The OpenMetrics family name (`http_requests` for the counter `http_requests_total`). */
  name: string;
  help: string;
  unit: string;
  labelNames: L[];
}

/** What a definition is checked against: the set's own settings. */
export interface DefinitionContext {
  readonly prefix: string;
  readonly utf8: boolean;
  readonly defaultPairs: ReadonlyArray<readonly [string, string]>;
}

export type FailCode = 'INVALID_NAME' | 'RESERVED_LABEL' | 'INVALID_BUCKETS' | 'LABEL_MISMATCH' | 'DUPLICATE_SERIES' | 'INVALID_ARGUMENT';

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

/** Checks a metric's options and returns its definition. */
export function define<L extends string>(ctx: DefinitionContext, o: BaseOptions<L> & { unit?: string }, type: MetricType): Definition<L> {
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
  return { name, help: o.help, unit, labelNames: [...labelNames] };
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
