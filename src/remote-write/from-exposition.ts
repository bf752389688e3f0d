/**
 * Exposition bytes (text 0.0.4, OpenMetrics 1.0, protobuf) straight into
 * remote-write series through the pull parser: each Series or Histogram
 * entry is written into the request as it is read (labels, value,
 * timestamp, native histogram, exemplars), and no family or sample objects
 * are built. This is the "scrape and forward" path: a 16 MB payload of 100k
 * series costs the parse walk and the protobuf writes, not 100k objects.
 *
 * It writes exactly what `walkFamilies(parse(bytes))` writes (the tests
 * check it on every fixture): families are cut where parse() cuts them
 * (rules.belongsTo; a metadata entry for another name, or after samples,
 * starts a new family), `le`/`quantile` are normalised as Prometheus 3.5
 * stores them (rules.normalizeLabelValue, by the last TYPE line, as
 * textparse does), a protobuf gauge histogram's `_sum`/`_count` are named
 * `_gsum`/`_gcount`, and OpenMetrics `_created` lines are start timestamps,
 * not series (2.0 `created_timestamp`; 1.0 has no field for them).
 *
 * OpenMetrics `_created` usually comes after the samples it belongs to, so
 * when an OpenMetrics payload holds `_created` at all, a first walk collects
 * the start timestamps (keyed by family and label set less `le`/`quantile`)
 * before the writing walk; other payloads are walked once.
 */

import { secondsToMillis } from '../core/number.js';
import type { Format, Labels, MetricType } from '../model/index.js';
import { belongsTo, familyName, isCreatedSample, normalizeLabelValue, reservedLabel, seriesKey } from '../model/rules.js';
import type { ParserOptions } from '../parse/options.js';
import { Entry, Parser } from '../parse/parser.js';
import { RESET_HINT_GAUGE, RESET_HINT_UNKNOWN } from '../proto/remote-write-proto.js';
import { type WalkOptions, wholeMillis } from './from-families.js';
import { LabelSet } from './label-set.js';
import type { RequestWriter } from './request-writer.js';

/** The family the walk is in, cut as parse()'s FamilyBuilder cuts families. */
class FamilyTracker {
  started = false;
  /** Name and type as the model names them (what rules.belongsTo reads). */
  readonly cur: { name: string; type: MetricType } = { name: '', type: 'unknown' };
  /** The name on the family's metadata entries. */
  metaName = '';
  help = '';
  unit = '';
  samples = 0;
  /** Families started so far, minus one: the current family's index. */
  index = -1;
  /** The type of the last TYPE entry (Prometheus normalises bounds by it). */
  lastType: MetricType = 'unknown';

  constructor(readonly format: Format) {}

  /** True when a sample named `name` starts a new family. */
  sampleStarts(name: string): boolean {
    if (!this.started) return true;
    return this.format === 'protobuf' ? this.metaName === '' : !belongsTo(this.format, this.cur, name);
  }

  /** True when a metadata entry for `name` starts a new family. */
  metaStarts(name: string): boolean {
    return !this.started || this.metaName !== name || this.samples > 0;
  }

  start(name: string): void {
    this.started = true;
    this.cur.name = name;
    this.cur.type = 'unknown';
    this.metaName = name;
    this.help = '';
    this.unit = '';
    this.samples = 0;
    this.index++;
  }

  /** Takes a HELP, TYPE or UNIT entry of the current family. */
  meta(p: Parser, e: Entry): void {
    if (e === Entry.Help) this.help = p.help();
    else if (e === Entry.Type) {
      const type = p.type();
      this.lastType = type;
      this.cur.type = type;
      this.cur.name = familyName(this.format, this.metaName, type);
    } else if (e === Entry.Unit) this.unit = p.unit();
  }
}

/**
 * Protobuf names a gauge histogram's sum and count `_sum` and `_count`; the
 * model names them `_gsum` and `_gcount` (as parse() does).
 */
function gaugeHistogramName(family: string, name: string): string {
  if (name.length === family.length + 4 && name.endsWith('_sum')) return `${family}_gsum`;
  if (name.length === family.length + 6 && name.endsWith('_count')) return `${family}_gcount`;
  return name;
}

const CREATED = new TextEncoder().encode('_created');

/** True when `bytes` contain `_created` (a plain scan: runs once per payload). */
function hasCreated(bytes: Uint8Array): boolean {
  const first = CREATED[0]!;
  const n = CREATED.length;
  for (let i = bytes.indexOf(first); i >= 0 && i + n <= bytes.length; i = bytes.indexOf(first, i + 1)) {
    let j = 1;
    while (j < n && bytes[i + j] === CREATED[j]) j++;
    if (j === n) return true;
  }
  return false;
}

/** The key of a MetricPoint: family index and labels less the type's reserved label. */
function pointKey(t: FamilyTracker, labels: Labels): string {
  return `${t.index}|${seriesKey('', labels, reservedLabel(t.cur))}`;
}

/** First walk (OpenMetrics with `_created`): start timestamps by point key, and the families that have them. */
function collectStarts(bytes: Uint8Array, options: ParserOptions): { starts: Map<string, number>; families: Set<number> } {
  const p = new Parser(bytes, options);
  const t = new FamilyTracker(p.format);
  const starts = new Map<string, number>();
  const families = new Set<number>();
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    if (e === Entry.Series || e === Entry.Histogram) {
      const name = p.metricName();
      if (t.sampleStarts(name)) t.start(name);
      if (isCreatedSample(t.cur, name)) {
        // A non-finite value is no start time (parse() refuses it): none is recorded.
        const v = p.value();
        if (Number.isFinite(v)) {
          starts.set(pointKey(t, p.labels()), secondsToMillis(v));
          families.add(t.index);
        }
        continue;
      }
      t.samples++;
    } else if (e !== Entry.Comment) {
      const name = p.familyName();
      if (t.metaStarts(name)) t.start(name);
      t.meta(p, e);
    }
  }
  return { starts, families };
}

/** Walks the exposition into `rw`, yielding before a series that would go past `maxSamples` (see walkFamilies). */
export function* walkExposition(
  bytes: Uint8Array,
  parserOptions: ParserOptions,
  rw: RequestWriter,
  o: WalkOptions,
): Generator<void, void, void> {
  const p = new Parser(bytes, parserOptions);
  const format = p.format;
  const created = format === 'openmetrics' && hasCreated(bytes) ? collectStarts(bytes, parserOptions) : undefined;
  const t = new FamilyTracker(format);
  const ls = new LabelSet();
  let metaDone = true;
  const finish = (): void => {
    if (!metaDone) rw.familyMetadata(t.cur.name, t.cur.type, t.help, t.unit);
    metaDone = true;
  };
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    if (e === Entry.Series || e === Entry.Histogram) {
      let name = p.metricName();
      if (t.sampleStarts(name)) {
        finish();
        t.start(name);
        metaDone = !o.metadata;
      }
      const type = t.cur.type;
      if (format === 'protobuf' && type === 'gaugehistogram') name = gaugeHistogramName(t.cur.name, name);
      if (created !== undefined && isCreatedSample(t.cur, name)) continue;
      t.samples++;
      if (rw.samples + rw.histograms >= o.maxSamples && !rw.isEmpty()) yield;
      if (!metaDone) {
        rw.familyMetadata(t.cur.name, type, t.help, t.unit);
        metaDone = true;
      }
      ls.reset();
      ls.add('__name__', name);
      const n = p.labelCount();
      const lt = t.lastType;
      if (lt === 'histogram' || lt === 'summary') {
        for (let i = 0; i < n; i++) {
          const k = p.labelName(i);
          ls.add(k, normalizeLabelValue(lt, k, p.labelValue(i)));
        }
      } else for (let i = 0; i < n; i++) ls.add(p.labelName(i), p.labelValue(i));
      ls.sort();
      rw.beginSeries(ls);
      const raw = p.timestamp();
      const ts = raw === null ? o.timestamp : wholeMillis(raw);
      if (e === Entry.Histogram) {
        rw.histogram(p.histogram(), ts, type === 'gaugehistogram' ? RESET_HINT_GAUGE : RESET_HINT_UNKNOWN);
        if (p.hasExemplar()) for (const ex of p.exemplars()) rw.exemplar(ex, ex.timestamp === null ? ts : wholeMillis(ex.timestamp));
      } else {
        rw.sample(p.value(), ts);
        if (p.hasExemplar()) {
          const ex = p.exemplar()!;
          rw.exemplar(ex, ex.timestamp === null ? ts : wholeMillis(ex.timestamp));
        }
      }
      if (o.metadata) rw.seriesMetadata(type, t.help, t.unit);
      const st = p.startTimestamp();
      if (st !== null) rw.createdTimestamp(wholeMillis(st));
      else if (created?.families.has(t.index)) {
        const ms = created.starts.get(pointKey(t, p.labels()));
        if (ms !== undefined) rw.createdTimestamp(wholeMillis(ms));
      }
      rw.endSeries();
    } else if (e !== Entry.Comment) {
      const name = p.familyName();
      if (t.metaStarts(name)) {
        finish();
        t.start(name);
        metaDone = !o.metadata;
      }
      t.meta(p, e);
    }
  }
  finish();
}
