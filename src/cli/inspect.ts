/**
 * `promwire inspect`: what an operator wants to know about a payload at a
 * glance. The format as detected, families by type, series and samples, the
 * top 10 families by series count (the cardinality view), and, when asked
 * (`--bench`), how fast promwire parses it. All parsing is the library's;
 * this file only counts, times and prints.
 *
 * The counts come from `parseStream` over slices of the payload, one family
 * at a time, so memory stays at the input plus one family (not every family
 * of a 50 MB payload at once), and the walk can report progress between
 * slices. Without `--bench` the report holds nothing that depends on the
 * machine, so `--json` is the same bytes on every run.
 */
import { detectFormat } from '../parse/detect.js';
import { parse } from '../parse/families.js';
import { Entry, Parser } from '../parse/parser.js';
import { parseStream } from '../parse/stream.js';
import { looksLikeProtobuf } from './sniff.js';
import type { Format, MetricFamily, MetricType } from '../model/index.js';

export interface TypeCount {
  type: MetricType;
  families: number;
  series: number;
}

export interface FamilyCount {
  name: string;
  type: MetricType;
  series: number;
  /** Share of all series in the payload, 0..1. */
  share: number;
}

export interface Throughput {
  /** Median milliseconds per run. */
  ms: number;
  runs: number;
  mbPerSec: number;
  samplesPerSec: number;
}

/** Native histogram samples in the payload (protobuf is the only format that carries them). */
export interface NativeHistogramCount {
  /** Native histogram samples. */
  samples: number;
  /** Families holding at least one. */
  families: number;
  /** Buckets over all of them (positive and negative, the zero bucket not counted). */
  buckets: number;
  /** Most buckets in one histogram. */
  maxBuckets: number;
  /** The schemas seen, ascending. */
  schemas: number[];
}

export interface InspectReport {
  source: string;
  bytes: number;
  format: Format;
  /** How the format was decided: `payload` (auto) or `option` (--format). */
  formatFrom: 'payload' | 'option';
  families: number;
  /** Distinct series: sample name plus label set. */
  series: number;
  /** Sample lines. Equals `series` unless a series repeats. */
  samples: number;
  withTimestamp: number;
  withExemplar: number;
  nativeHistograms: NativeHistogramCount;
  byType: TypeCount[];
  /** Up to 10 families, most series first (ties by name). */
  topFamilies: FamilyCount[];
  /**
   * Parse speed of the pull API (every accessor called) and of `parse()` to
   * families; only with `bench` (`--bench`), since it takes several parses
   * and differs from run to run.
   */
  throughput?: { pullApi: Throughput; families: Throughput };
}

export interface InspectOptions {
  format: Format | 'auto';
  source: string;
  /** Time the parsers too (the report's `throughput`). Defaults to false. */
  bench?: boolean;
  /** Milliseconds to spend timing each of the two measurements. Defaults to 250. */
  timeBudgetMs?: number;
  /**
   * Called between slices of the payload with the bytes read so far (and
   * once per measurement with `bench`). Defaults to none.
   */
  onProgress?: (progress: { phase: 'count' | 'bench'; done: number; total: number }) => void;
}

/** Bytes handed to the streaming parser at a time: progress steps, and a yield to the event loop. */
const SLICE = 1 << 20;

/** Builds the report. Rejects with a `PromwireError` when the payload does not parse. */
export async function inspect(bytes: Uint8Array, opts: InspectOptions): Promise<InspectReport> {
  const format: Format = opts.format !== 'auto' ? opts.format : looksLikeProtobuf(bytes) ? 'protobuf' : detectFormat(undefined, bytes);
  const progress = opts.onProgress;
  const total = bytes.byteLength;
  async function* slices(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < total; at += SLICE) {
      yield bytes.subarray(at, Math.min(total, at + SLICE));
      progress?.({ phase: 'count', done: Math.min(total, at + SLICE), total });
    }
  }
  const counter = new FamilyCounter();
  for await (const f of parseStream(slices(), { format })) counter.add(f);
  const counted = counter.finish();
  const report: InspectReport = {
    source: opts.source,
    bytes: total,
    format,
    formatFrom: opts.format === 'auto' ? 'payload' : 'option',
    families: counted.families,
    series: counted.series,
    samples: counted.samples,
    withTimestamp: counted.withTimestamp,
    withExemplar: counted.withExemplar,
    nativeHistograms: counted.native,
    byType: counted.byType,
    topFamilies: counted.perFamily.slice(0, 10),
  };
  if (opts.bench === true) {
    const budget = opts.timeBudgetMs ?? 250;
    progress?.({ phase: 'bench', done: 0, total: 2 });
    const pullApi = time(budget, total, counted.samples, () => walk(bytes, format));
    progress?.({ phase: 'bench', done: 1, total: 2 });
    const fam = time(budget, total, counted.samples, () => parse(bytes, { format }).length);
    progress?.({ phase: 'bench', done: 2, total: 2 });
    report.throughput = { pullApi, families: fam };
  }
  return report;
}

/** The report's counts, gathered one family at a time (nothing of a family is kept but its name and counts). */
class FamilyCounter {
  private readonly byType = new Map<MetricType, TypeCount>();
  private readonly perFamily: FamilyCount[] = [];
  private readonly schemas = new Set<number>();
  private readonly native: NativeHistogramCount = { samples: 0, families: 0, buckets: 0, maxBuckets: 0, schemas: [] };
  private families = 0;
  private series = 0;
  private samples = 0;
  private withTimestamp = 0;
  private withExemplar = 0;

  add(f: MetricFamily): void {
    const { native, schemas, byType } = this;
    this.families++;
    const seen = new Set<string>();
    let nativeHere = false;
    for (const s of f.samples) {
      if (typeof s.value !== 'number') {
        const h = s.value;
        const n = h.positiveBuckets.length + h.negativeBuckets.length;
        native.samples++;
        native.buckets += n;
        native.maxBuckets = Math.max(native.maxBuckets, n);
        schemas.add(h.schema);
        nativeHere = true;
      }
      // Identity of a series: its name and its label set (order does not matter).
      const keys = Object.keys(s.labels).sort();
      let key = s.name;
      for (const k of keys) key += '\u0000' + k + '\u0001' + s.labels[k]!;
      seen.add(key);
      if (s.timestamp !== null) this.withTimestamp++;
      if (s.exemplars !== undefined && s.exemplars.length > 0) this.withExemplar++;
    }
    if (nativeHere) native.families++;
    this.samples += f.samples.length;
    this.series += seen.size;
    let t = byType.get(f.type);
    if (t === undefined) {
      t = { type: f.type, families: 0, series: 0 };
      byType.set(f.type, t);
    }
    t.families++;
    t.series += seen.size;
    this.perFamily.push({ name: f.name, type: f.type, series: seen.size, share: 0 });
  }

  finish() {
    const { perFamily, series, native } = this;
    for (const p of perFamily) p.share = series === 0 ? 0 : p.series / series;
    perFamily.sort((a, b) => b.series - a.series || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const byType = [...this.byType.values()].sort((a, b) => b.series - a.series || (a.type < b.type ? -1 : 1));
    native.schemas = [...this.schemas].sort((a, b) => a - b);
    const { families, samples, withTimestamp, withExemplar } = this;
    return { byType, perFamily, families, series, samples, withTimestamp, withExemplar, native };
  }
}

/** Walks every entry with the pull API, asking for what a consumer would: name, every label, value. */
function walk(bytes: Uint8Array, format: Format): number {
  const p = new Parser(bytes, { format });
  let n = 0;
  let sink = 0;
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    if (e !== Entry.Series) continue;
    sink += p.metricName().length;
    const lc = p.labelCount();
    for (let i = 0; i < lc; i++) sink += p.labelName(i).length + p.labelValue(i).length;
    sink += p.value();
    n++;
  }
  return n + (sink === -1 ? 1 : 0);
}

function time(budgetMs: number, bytes: number, samples: number, fn: () => number): Throughput {
  fn(); // warm-up: the first run pays for compilation
  const runs: number[] = [];
  const start = performance.now();
  // At least 3 runs, then as many as fit the budget (capped, for tiny inputs).
  while (runs.length < 3 || (performance.now() - start < budgetMs && runs.length < 2000)) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  const ms = runs[runs.length >> 1]!;
  const sec = Math.max(ms, 1e-6) / 1000;
  return { ms, runs: runs.length, mbPerSec: bytes / 1e6 / sec, samplesPerSec: samples / sec };
}

const FORMAT_NAMES: Record<Format, string> = {
  text: 'Prometheus text 0.0.4',
  openmetrics: 'OpenMetrics 1.0',
  protobuf: 'Prometheus protobuf (delimited MetricFamily)',
};

function int(n: number): string {
  return n.toLocaleString('en-US');
}

function fixed(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The report as text, for a terminal. */
export function formatReport(r: InspectReport): string {
  const how =
    r.formatFrom === 'option'
      ? 'as given by --format'
      : r.format === 'protobuf'
        ? 'detected: starts as a length-delimited MetricFamily message'
        : r.format === 'openmetrics'
          ? 'detected: ends with "# EOF"'
          : 'detected: no "# EOF" at the end';
  const out: string[] = [];
  out.push(`${r.source}: ${int(r.bytes)} bytes`);
  out.push(`format     ${FORMAT_NAMES[r.format]} (${how})`);
  out.push(`families   ${int(r.families)}`);
  out.push(`series     ${int(r.series)}`);
  out.push(
    `samples    ${int(r.samples)}` +
      (r.samples !== r.series ? ` (${int(r.samples - r.series)} repeat a series)` : '') +
      `, ${int(r.withTimestamp)} with a timestamp, ${int(r.withExemplar)} with an exemplar`,
  );
  const nh = r.nativeHistograms;
  out.push(
    nh.samples === 0
      ? 'native histograms  none'
      : `native histograms  ${int(nh.samples)} in ${int(nh.families)} ${nh.families === 1 ? 'family' : 'families'}, ` +
          `${int(nh.buckets)} buckets (at most ${int(nh.maxBuckets)} in one), schema${nh.schemas.length === 1 ? '' : 's'} ${nh.schemas.join(', ')}`,
  );
  out.push('');
  out.push('by type          families     series');
  for (const t of r.byType) {
    out.push(`  ${t.type.padEnd(14)} ${int(t.families).padStart(8)} ${int(t.series).padStart(10)}`);
  }
  out.push('');
  out.push(`top ${r.topFamilies.length} families by series count`);
  const w = Math.max(6, ...r.topFamilies.map((f) => int(f.series).length));
  for (const [i, f] of r.topFamilies.entries()) {
    out.push(
      `  ${String(i + 1).padStart(2)}. ${int(f.series).padStart(w)} ${(fixed(f.share * 100, 1) + '%').padStart(6)}  ${f.type.padEnd(14)} ${f.name}`,
    );
  }
  if (r.throughput === undefined) return out.join('\n') + '\n';
  out.push('');
  out.push('parse throughput (median of timed runs)');
  const row = (label: string, t: Throughput) =>
    `  ${label.padEnd(34)} ${fixed(t.mbPerSec, 1).padStart(9)} MB/s ${int(Math.round(t.samplesPerSec)).padStart(13)} samples/s  (${fixed(t.ms, 3)} ms, ${t.runs} runs)`;
  out.push(row('pull API (name, labels, value)', r.throughput.pullApi));
  out.push(row('parse() to families', r.throughput.families));
  return out.join('\n') + '\n';
}
