/**
 * Deterministic payload generator for the benchmarks, the fuzzer's seeds and
 * the encoder's integration checks.
 *
 * `generateModel()` builds a neutral description of a scrape (families, label
 * names, series with their values) from a seeded PRNG; `renderText()` and
 * `renderOpenMetrics()` write it in either format with their own small
 * writers (deliberately not promwire's encoder, so that the parser benchmark
 * and the generator test do not depend on the code they measure). The same
 * model also feeds `MetricSet` and prom-client in the encoder benchmark, so
 * every row of a table works on the same series.
 *
 * Defaults give the parser issue's large payload: 100k samples in 200
 * families of every type, 4 to 6 labels per series (plus `le`, `quantile` or
 * the stateset label), about 8% of label values needing an escape or holding
 * non-ASCII UTF-8, a few timestamps, NaNs and infinities; about 16 MB of text.
 *
 * Run it directly to write the payloads to bench/.cache/ (git-ignored):
 * `node --import tsx bench/generate.ts [--samples N] [--seed S] [--out DIR]`.
 */
import { formatFloat, formatMillisAsSeconds } from '../src/core/number.js';
import type { MetricType } from '../src/model/index.js';

/** The types the generator writes; `untyped` becomes `unknown` in OpenMetrics. */
// The generator's vocabulary: the model's types, with the catch-all spelled as text 0.0.4 writes it.
export type GenType = Exclude<MetricType, 'unknown'> | 'untyped';

export interface GenExemplar {
  /** Index into the family's buckets (histogram) or 0 (counter). */
  at: number;
  traceId: string;
  value: number;
  /** Milliseconds. */
  timestamp: number;
}

export interface GenSeries {
  /** Label values, aligned with the family's `labelNames`. */
  labels: string[];
  /** counter, gauge, untyped: the value; info: 1; stateset: index of the state that is 1. */
  value: number;
  /** Milliseconds, or null. Only on counter, gauge and untyped series. */
  timestamp: number | null;
  /** histogram, gaugehistogram: cumulative counts, one per bound plus +Inf last. */
  buckets: number[] | null;
  /** summary: one value per quantile. */
  quantileValues: number[] | null;
  /** histogram, gaugehistogram, summary. */
  sum: number;
  count: number;
  /** OpenMetrics only: written on a bucket or a counter's `_total`. */
  exemplar: GenExemplar | null;
}

export interface GenFamily {
  /**
   * The stem: the OpenMetrics family name. Counter samples are `<name>_total`
   * (and the text family is `<name>_total`); info samples are `<name>_info`.
   */
  name: string;
  type: GenType;
  help: string;
  /** OpenMetrics unit (the name ends with `_<unit>`), or ''. */
  unit: string;
  labelNames: string[];
  /** histogram, gaugehistogram: finite upper bounds, ascending (+Inf is implicit). */
  bounds: number[];
  /** summary: quantiles. */
  quantiles: number[];
  /** stateset: state names. */
  states: string[];
  series: GenSeries[];
}

export interface GenModel {
  families: GenFamily[];
  /** Sample lines the model writes (the same in both formats). */
  samples: number;
}

export interface GenOptions {
  /** PRNG seed. Defaults to 1. */
  seed?: number;
  /** Target sample count (the result is within a fraction of a percent). Defaults to 100,000. */
  samples?: number;
  /** Number of families (at least 8, so that every type appears). Defaults to 200. */
  families?: number;
  /**
   * Chance that one of a family's own label values needs an escape or holds
   * non-ASCII UTF-8. The `le`/`quantile`/state labels are always plain, so
   * the default 0.084 gives about 8% of all label values written.
   */
  specialShare?: number;
}

export const GEN_TYPES: readonly GenType[] = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'untyped'];

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; deterministic across platforms. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------
// Vocabulary

const NAMESPACES = ['acme', 'shop', 'edge', 'core', 'infra', 'data', 'auth', 'media'];
const SUBSYSTEMS = [
  'http',
  'grpc',
  'db',
  'cache',
  'queue',
  'worker',
  'scheduler',
  'storage',
  'proxy',
  'search',
  'billing',
  'ingest',
  'kafka',
  'redis',
  'dns',
  'tls',
];
const NOUNS = [
  'requests',
  'responses',
  'errors',
  'retries',
  'connections',
  'messages',
  'jobs',
  'tasks',
  'queries',
  'lookups',
  'evictions',
  'writes',
  'reads',
  'handshakes',
  'sessions',
  'uploads',
  'batches',
  'events',
];
/** Label names, each with a value maker. */
const LABEL_NAMES = [
  'service',
  'instance',
  'namespace',
  'pod',
  'container',
  'method',
  'status_code',
  'endpoint',
  'region',
  'zone',
  'cluster',
  'job',
  'version',
  'tenant',
  'shard',
  'operation',
];
const SERVICES = [
  'checkout',
  'payments-api',
  'cart',
  'catalog',
  'search-frontend',
  'recommendations',
  'inventory',
  'shipping',
  'notifications',
  'user-profile',
  'auth-gateway',
  'ledger',
  'pricing',
  'reviews',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'];
const CODES = ['200', '201', '204', '301', '304', '400', '401', '403', '404', '409', '429', '500', '502', '503'];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1', 'sa-east-1'];
const OPERATIONS = ['select', 'insert', 'update', 'delete', 'upsert', 'scan', 'get', 'set', 'publish', 'consume'];
const PATHS = [
  '/api/v1/orders',
  '/api/v1/orders/{id}',
  '/api/v1/orders/{id}/items',
  '/api/v2/cart',
  '/healthz',
  '/api/v1/users/{id}/preferences',
  '/api/v1/search',
  '/metrics',
  '/api/v1/payments/{id}/refunds',
];
const HEX = '0123456789abcdef';
const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';

function chars(rng: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)]!;
  return s;
}

function plainValue(rng: Rng, label: string): string {
  switch (label) {
    case 'service':
      return rng.pick(SERVICES);
    case 'instance':
      return `10.${rng.int(64)}.${rng.int(256)}.${rng.int(256)}:${rng.pick(['9100', '8080', '9090', '3000'])}`;
    case 'namespace':
      return `${rng.pick(['prod', 'staging', 'canary'])}-${rng.pick(['eu', 'us', 'ap'])}`;
    case 'pod':
      return `${rng.pick(SERVICES)}-${chars(rng, HEX, 10)}-${chars(rng, ALNUM, 5)}`;
    case 'container':
      return rng.pick(['app', 'sidecar', 'envoy', 'init-db', 'log-shipper']);
    case 'method':
      return rng.pick(METHODS);
    case 'status_code':
      return rng.pick(CODES);
    case 'endpoint':
      return rng.pick(PATHS);
    case 'region':
      return rng.pick(REGIONS);
    case 'zone':
      return `${rng.pick(REGIONS)}${rng.pick(['a', 'b', 'c'])}`;
    case 'cluster':
      return `k8s-${rng.pick(['blue', 'green', 'gold', 'iron'])}-${rng.int(12)}`;
    case 'job':
      return `${rng.pick(SERVICES)}-exporter`;
    case 'version':
      return `v${1 + rng.int(4)}.${rng.int(30)}.${rng.int(10)}`;
    case 'tenant':
      return `tenant-${chars(rng, HEX, 6)}`;
    case 'shard':
      return String(rng.int(128));
    default:
      return rng.pick(OPERATIONS);
  }
}

/**
 * Values that need an escape in the exposition formats (backslash, double
 * quote, line feed) or hold non-ASCII UTF-8 (two-, three- and four-byte
 * sequences), half and half.
 */
const ESCAPED_FRAGMENTS = ['C:\\Program Files\\app', 'say "hello"', 'line one\nline two', 'trailing\\', '"quoted"\\n'];
const UTF8_FRAGMENTS = ['café', 'Zürich', '東京都', 'naïve résumé', 'Ελληνικά', 'ok 🚀', 'مرحبا', 'São Paulo'];

function specialValue(rng: Rng, base: string): string {
  if (rng.chance(0.5)) {
    const f = rng.pick(ESCAPED_FRAGMENTS);
    return rng.chance(0.5) ? `${base} ${f}` : `${f} ${base}`;
  }
  const f = rng.pick(UTF8_FRAGMENTS);
  return rng.chance(0.5) ? `${base}-${f}` : `${f}/${base}`;
}

/** True when the value needs an escape or holds a non-ASCII character. */
export function isSpecialValue(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x5c || c === 0x22 || c === 0x0a || c > 0x7f) return true;
  }
  return false;
}

const BOUNDS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BOUNDS_BYTES = [100, 1000, 10000, 100000, 1e6, 1e7, 1e8];
const QUANTILES_A = [0.5, 0.9, 0.99];
const QUANTILES_B = [0, 0.25, 0.5, 0.75, 1];
const STATES = [
  ['starting', 'running', 'stopped'],
  ['green', 'amber', 'red', 'unknown'],
  ['leader', 'follower'],
];

/** Samples one series of the family writes. */
export function samplesPerSeries(f: Pick<GenFamily, 'type' | 'bounds' | 'quantiles' | 'states'>): number {
  switch (f.type) {
    case 'histogram':
    case 'gaugehistogram':
      return f.bounds.length + 3; // buckets + +Inf + sum + count
    case 'summary':
      return f.quantiles.length + 2;
    case 'stateset':
      return f.states.length;
    default:
      return 1;
  }
}

/** How many families of each type, for a family count n (every type at least once). */
function typeMix(n: number): GenType[] {
  const weights: [GenType, number][] = [
    ['counter', 0.3],
    ['gauge', 0.3],
    ['histogram', 0.12],
    ['summary', 0.08],
    ['untyped', 0.06],
    ['gaugehistogram', 0.04],
    ['info', 0.05],
    ['stateset', 0.05],
  ];
  const out: GenType[] = [];
  for (const [t, w] of weights) {
    const k = Math.max(1, Math.round(n * w));
    for (let i = 0; i < k; i++) out.push(t);
  }
  while (out.length > n) out.splice(out.indexOf('counter'), 1);
  while (out.length < n) out.push('gauge');
  return out;
}

function shuffle<T>(rng: Rng, a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

function helpText(rng: Rng, type: GenType, noun: string, sub: string): string {
  let h = `${type === 'counter' ? 'Total number of' : 'Current'} ${noun} seen by the ${sub} layer.`;
  // A few HELP texts need escaping: backslash and line feed in both formats,
  // a double quote only in OpenMetrics.
  if (rng.chance(0.05)) h += ' Paths look like C:\\data\\x; see "docs".\nSecond line.';
  else if (rng.chance(0.03)) h += ' Städte: Zürich, 東京.';
  return h;
}

/** A realistic, round-tripping value: integers, decimals, small and large magnitudes. */
function gaugeValue(rng: Rng): number {
  const r = rng.next();
  if (r < 0.01) return NaN;
  if (r < 0.012) return Infinity;
  if (r < 0.014) return -Infinity;
  if (r < 0.3) return rng.int(1000);
  if (r < 0.6) return Math.round(rng.next() * 1e6) / 1e3;
  if (r < 0.8) return Math.round(rng.next() * 1e5) * 1e-9; // e.g. 4.2e-05
  return Math.round(rng.next() * 1e4) * 1e6; // e.g. 3.7e+09
}

const TS_BASE = 1_763_800_000_000; // ms, Nov 2025

/**
 * Builds the model. Deterministic for the same options.
 */
export function generateModel(options: GenOptions = {}): GenModel {
  const seed = options.seed ?? 1;
  const targetSamples = options.samples ?? 100_000;
  const nFamilies = Math.max(8, options.families ?? 200);
  const special = options.specialShare ?? 0.084;
  const rng = new Rng(seed);
  const types = shuffle(rng, typeMix(nFamilies));

  // Family shapes first, then share the sample budget out by random weights.
  const shapes = types.map((type, i) => {
    const sub = rng.pick(SUBSYSTEMS);
    const noun = rng.pick(NOUNS);
    let unit = '';
    let bounds: number[] = [];
    let quantiles: number[] = [];
    let states: string[] = [];
    if (type === 'histogram' || type === 'gaugehistogram') {
      const bytes = rng.chance(0.3);
      bounds = bytes ? BOUNDS_BYTES : BOUNDS_SECONDS;
      unit = bytes ? 'bytes' : 'seconds';
    } else if (type === 'summary') {
      quantiles = rng.chance(0.5) ? QUANTILES_A : QUANTILES_B;
      unit = 'seconds';
    } else if (type === 'stateset') {
      states = rng.pick(STATES);
    } else if (type !== 'info' && rng.chance(0.25)) {
      unit = rng.pick(['bytes', 'seconds', 'ratio']);
    }
    // The index keeps every name unique, so no two families clash in either
    // format (OpenMetrics forbids a gauge `x_total` next to a counter `x`).
    const name = `${rng.pick(NAMESPACES)}_${sub}_${noun}_${i}${unit === '' ? '' : `_${unit}`}`;
    const nLabels = 4 + rng.int(3);
    const labelNames = shuffle(rng, LABEL_NAMES.slice()).slice(0, nLabels);
    return { type, name, unit, sub, noun, bounds, quantiles, states, labelNames, weight: 0.3 + rng.next() * 1.4 };
  });
  const totalWeight = shapes.reduce((a, s) => a + s.weight, 0);

  const families: GenFamily[] = [];
  let samples = 0;
  let budgetLeft = targetSamples;
  let weightLeft = totalWeight;
  for (const s of shapes) {
    const per = samplesPerSeries(s);
    // Allocate from what is left, so rounding errors do not pile up.
    const budget = (budgetLeft * s.weight) / weightLeft;
    const nSeries = Math.max(1, Math.round(budget / per));
    budgetLeft -= nSeries * per;
    weightLeft -= s.weight;
    const seen = new Set<string>();
    const series: GenSeries[] = [];
    while (series.length < nSeries) {
      const labels = s.labelNames.map((ln) => {
        const v = plainValue(rng, ln);
        return rng.chance(special) ? specialValue(rng, v) : v;
      });
      const key = labels.join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      series.push(makeSeries(rng, s.type, s.bounds, s.quantiles, s.states, labels));
    }
    samples += nSeries * per;
    families.push({
      name: s.name,
      type: s.type,
      help: helpText(rng, s.type, s.noun, s.sub),
      unit: s.unit,
      labelNames: s.labelNames,
      bounds: s.bounds,
      quantiles: s.quantiles,
      states: s.states,
      series,
    });
  }
  return { families, samples };
}

function makeSeries(rng: Rng, type: GenType, bounds: number[], quantiles: number[], states: string[], labels: string[]): GenSeries {
  const s: GenSeries = {
    labels,
    value: 0,
    timestamp: null,
    buckets: null,
    quantileValues: null,
    sum: 0,
    count: 0,
    exemplar: null,
  };
  switch (type) {
    case 'counter':
      // Mostly modest integers; some large enough that Go writes them in %e form.
      s.value = rng.chance(0.7) ? rng.int(100_000) : rng.int(2_000_000_000);
      if (rng.chance(0.01)) {
        s.exemplar = { at: 0, traceId: chars(rng, HEX, 32), value: 1 + rng.int(100), timestamp: TS_BASE + rng.int(1e6) };
      }
      break;
    case 'gauge':
    case 'untyped':
      s.value = gaugeValue(rng);
      break;
    case 'info':
      s.value = 1;
      break;
    case 'stateset':
      s.value = rng.int(states.length);
      break;
    case 'histogram':
    case 'gaugehistogram': {
      // Cumulative counts, non-decreasing, the +Inf bucket equal to the count
      // (OpenMetrics: "buckets MUST be cumulative", "+Inf bucket ... MUST equal _count").
      const buckets: number[] = [];
      let c = 0;
      for (let i = 0; i <= bounds.length; i++) {
        c += rng.int(i < bounds.length / 2 ? 500 : 50);
        buckets.push(c);
      }
      s.buckets = buckets;
      s.count = c;
      s.sum = Math.round(c * rng.next() * bounds[bounds.length >> 1]! * 1000) / 1000;
      if (rng.chance(0.05)) {
        const at = rng.int(bounds.length);
        s.exemplar = {
          at,
          traceId: chars(rng, HEX, 32),
          value: Math.round(bounds[at]! * rng.next() * 1e6) / 1e6,
          timestamp: TS_BASE + rng.int(1e6),
        };
      }
      break;
    }
    case 'summary':
      s.quantileValues = quantiles.map((q) => Math.round((0.001 + q) * rng.next() * 1e6) / 1e6);
      s.count = rng.int(1_000_000);
      s.sum = Math.round(s.count * rng.next() * 100) / 1000;
      break;
  }
  if ((type === 'counter' || type === 'gauge' || type === 'untyped') && rng.chance(0.005)) {
    s.timestamp = TS_BASE + rng.int(86_400_000);
  }
  return s;
}

// ---------------------------------------------------------------------------
// Writers: small and independent of promwire's encoder.

function escLabel(v: string): string {
  // Both formats: \\ \" \n (exposition_formats.md; OpenMetrics ABNF escaped-char).
  return v.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

function escHelp(v: string, om: boolean): string {
  // Text 0.0.4 HELP escapes only \ and line feed; OpenMetrics also ".
  return om
    ? v.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'))
    : v.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

function labelBlock(names: string[], values: string[], extraName?: string, extraValue?: string): string {
  let s = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) s += ',';
    s += `${names[i]}="${escLabel(values[i]!)}"`;
  }
  if (extraName !== undefined) s += `,${extraName}="${escLabel(extraValue!)}"`;
  return s + '}';
}

function exemplarText(e: GenExemplar): string {
  return ` # {trace_id="${e.traceId}"} ${formatFloat(e.value)} ${formatMillisAsSeconds(e.timestamp)}`;
}

/** The text 0.0.4 and OpenMetrics type words for a generated type. */
export function typeWord(t: GenType, om: boolean): string {
  if (om) return t === 'untyped' ? 'unknown' : t;
  switch (t) {
    case 'info':
    case 'stateset':
      return 'gauge';
    case 'gaugehistogram':
      return 'histogram';
    default:
      return t;
  }
}

/**
 * Writes one format. Text 0.0.4 has no info, stateset or gaugehistogram:
 * they become a gauge `<name>_info`, a gauge with the state label, and a
 * histogram; the sample count stays the same. OpenMetrics gets `# UNIT`,
 * exemplars and `# EOF`; timestamps are milliseconds in text and seconds in
 * OpenMetrics.
 */
function render(model: GenModel, om: boolean): string {
  const out: string[] = [];
  for (const f of model.families) {
    const famName = om ? f.name : f.type === 'counter' ? `${f.name}_total` : f.type === 'info' ? `${f.name}_info` : f.name;
    out.push(`# HELP ${famName} ${escHelp(f.help, om)}`);
    out.push(`# TYPE ${famName} ${typeWord(f.type, om)}`);
    if (om && f.unit !== '') out.push(`# UNIT ${famName} ${f.unit}`);
    const ts = (t: number | null): string => (t === null ? '' : ` ${om ? formatMillisAsSeconds(t) : String(t)}`);
    for (const s of f.series) {
      switch (f.type) {
        case 'counter':
        case 'gauge':
        case 'untyped':
        case 'info': {
          const n = f.type === 'counter' ? `${f.name}_total` : f.type === 'info' ? `${f.name}_info` : f.name;
          const ex = om && s.exemplar !== null ? exemplarText(s.exemplar) : '';
          out.push(`${n}${labelBlock(f.labelNames, s.labels)} ${formatFloat(s.value)}${ts(s.timestamp)}${ex}`);
          break;
        }
        case 'stateset':
          for (let i = 0; i < f.states.length; i++) {
            // OpenMetrics: the state is a label named after the family.
            out.push(`${f.name}${labelBlock(f.labelNames, s.labels, f.name, f.states[i])} ${i === s.value ? 1 : 0}`);
          }
          break;
        case 'histogram':
        case 'gaugehistogram': {
          const b = s.buckets!;
          for (let i = 0; i <= f.bounds.length; i++) {
            const le = i < f.bounds.length ? formatFloat(f.bounds[i]!) : '+Inf';
            const ex = om && s.exemplar !== null && s.exemplar.at === i ? exemplarText(s.exemplar) : '';
            out.push(`${f.name}_bucket${labelBlock(f.labelNames, s.labels, 'le', le)} ${b[i]}${ex}`);
          }
          const g = om && f.type === 'gaugehistogram';
          const lb = labelBlock(f.labelNames, s.labels);
          out.push(`${f.name}${g ? '_gsum' : '_sum'}${lb} ${formatFloat(s.sum)}`);
          out.push(`${f.name}${g ? '_gcount' : '_count'}${lb} ${s.count}`);
          break;
        }
        case 'summary': {
          for (let i = 0; i < f.quantiles.length; i++) {
            const q = formatFloat(f.quantiles[i]!);
            out.push(`${f.name}${labelBlock(f.labelNames, s.labels, 'quantile', q)} ${formatFloat(s.quantileValues![i]!)}`);
          }
          const lb = labelBlock(f.labelNames, s.labels);
          out.push(`${f.name}_sum${lb} ${formatFloat(s.sum)}`);
          out.push(`${f.name}_count${lb} ${s.count}`);
          break;
        }
      }
    }
  }
  if (om) out.push('# EOF');
  return out.join('\n') + '\n';
}

export function renderText(model: GenModel): string {
  return render(model, false);
}

export function renderOpenMetrics(model: GenModel): string {
  return render(model, true);
}

export interface Payload {
  model: GenModel;
  text: Uint8Array;
  openmetrics: Uint8Array;
}

const cache = new Map<string, Payload>();

/** The model and both renderings, memoised per options. */
export function generatePayload(options: GenOptions = {}): Payload {
  const key = JSON.stringify(options);
  let p = cache.get(key);
  if (p === undefined) {
    const model = generateModel(options);
    const enc = new TextEncoder();
    p = { model, text: enc.encode(renderText(model)), openmetrics: enc.encode(renderOpenMetrics(model)) };
    cache.set(key, p);
  }
  return p;
}

/** The large payload of the benchmarks (the README's tables): 100k samples, 200 families. */
export const LARGE: Readonly<GenOptions> = { seed: 1, samples: 100_000, families: 200 };
/** The small payload: about 200 series in 16 families. */
export const SMALL: Readonly<GenOptions> = { seed: 2, samples: 200, families: 16 };

export interface ModelStats {
  samples: number;
  series: number;
  families: number;
  types: Record<GenType, number>;
  /** Label values written on sample lines (including le, quantile and state labels). */
  labelValues: number;
  /** Of those, how many need an escape or hold non-ASCII UTF-8. */
  specialValues: number;
  timestamps: number;
  nans: number;
}

/** Counts what the model writes, per sample line. */
export function modelStats(model: GenModel): ModelStats {
  const types = Object.fromEntries(GEN_TYPES.map((t) => [t, 0])) as Record<GenType, number>;
  let series = 0;
  let labelValues = 0;
  let specialValues = 0;
  let timestamps = 0;
  let nans = 0;
  for (const f of model.families) {
    types[f.type]++;
    const per = samplesPerSeries(f);
    for (const s of f.series) {
      series++;
      let sp = 0;
      for (const v of s.labels) if (isSpecialValue(v)) sp++;
      labelValues += per * f.labelNames.length;
      specialValues += per * sp;
      // le / quantile / state label on the bucket, quantile and state lines.
      if (f.type === 'histogram' || f.type === 'gaugehistogram') labelValues += f.bounds.length + 1;
      else if (f.type === 'summary') labelValues += f.quantiles.length;
      else if (f.type === 'stateset') labelValues += f.states.length;
      if (s.timestamp !== null) timestamps++;
      if (Number.isNaN(s.value) && f.type !== 'stateset') nans++;
    }
  }
  return { samples: model.samples, series, families: model.families.length, types, labelValues, specialValues, timestamps, nans };
}

// ---------------------------------------------------------------------------
// CLI: write the payloads to disk.

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const out = arg('--out') ?? 'bench/.cache';
  const opts: GenOptions = { ...LARGE };
  if (arg('--samples') !== undefined) opts.samples = Number(arg('--samples'));
  if (arg('--seed') !== undefined) opts.seed = Number(arg('--seed'));
  if (arg('--families') !== undefined) opts.families = Number(arg('--families'));
  const t0 = performance.now();
  const p = generatePayload(opts);
  const ms = performance.now() - t0;
  mkdirSync(out, { recursive: true });
  const base = `generated-${opts.samples}-s${opts.seed}`;
  writeFileSync(join(out, `${base}.prom`), p.text);
  writeFileSync(join(out, `${base}.om.txt`), p.openmetrics);
  const st = modelStats(p.model);
  console.log(
    `${join(out, base)}.prom (${p.text.length} bytes) and .om.txt (${p.openmetrics.length} bytes) in ${ms.toFixed(0)} ms: ` +
      `${st.samples} samples, ${st.series} series, ${st.families} families, ` +
      `${((100 * st.specialValues) / st.labelValues).toFixed(1)}% special label values, ${st.timestamps} timestamps, ${st.nans} NaN`,
  );
}

if (process.argv[1] !== undefined && /generate\.ts$/.test(process.argv[1])) {
  await main(process.argv.slice(2));
}
