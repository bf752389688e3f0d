/**
 * The families layer: MetricFamily objects built from the pull API. This is
 * the convenient, allocating layer; it builds every string the model holds,
 * through the parser's interning accessors.
 */

import { secondsToMillis } from '../core/number.js';
import type { FloatSample, Format, Labels, MetricFamily, MetricType } from '../model/index.js';
import { belongsTo, familyName, isCreatedSample, normalizeLabelValue, reservedLabel } from '../model/rules.js';
import type { ParserOptions } from './options.js';
import { Entry, Parser } from './parser.js';

/**
 * Assembles families from parser entries. Shared by `parse()` and
 * `parseStream()`: `add()` returns the family that a new entry completed.
 *
 * The model's rules (src/model/rules.ts) decide which sample belongs to the
 * current family, the family's name (an OpenMetrics counter `foo` is the
 * family `foo_total`), the normalised `le`/`quantile` values Prometheus 3
 * stores, and that an OpenMetrics `_created` line is the start timestamp of
 * its series rather than a sample.
 */
export class FamilyBuilder {
  private current: MetricFamily | undefined;
  /** The name the current family's metadata lines use (`foo` for an OpenMetrics counter `foo_total`). */
  private metaName = '';
  /** A `_created` value seen before the rest of its series: applied to the following samples with the same labels. */
  private pendingStart: { labels: Labels; omit: string | null; ms: number } | undefined;

  constructor(private readonly format: Format) {}

  /** Takes the parser's current entry; returns a family it completed, if any. */
  add(p: Parser, e: Entry): MetricFamily | undefined {
    let done: MetricFamily | undefined;
    let cur = this.current;
    if (e === Entry.Series) {
      const name = p.metricName();
      if (cur === undefined || !belongsTo(this.format, cur, name)) {
        done = cur;
        cur = this.start(name, name);
      }
      if (this.format === 'openmetrics' && isCreatedSample(cur, name)) {
        this.addStart(cur, p.labels(), secondsToMillis(p.value()));
        return done;
      }
      const labels = p.labels();
      if (cur.type === 'histogram' || cur.type === 'summary') normalizeBounds(cur.type, labels);
      const sample: FloatSample = { name, labels, value: p.value(), timestamp: p.timestamp() };
      if (p.hasExemplar()) sample.exemplars = [p.exemplar()!];
      const pending = this.pendingStart;
      if (pending !== undefined) {
        if (sameLabels(pending.labels, labels, pending.omit)) sample.startTimestamp = pending.ms;
        else this.pendingStart = undefined;
      }
      (cur.samples as FloatSample[]).push(sample);
      return done;
    }
    if (e === Entry.Comment) return undefined;
    const name = p.familyName();
    // Metadata for another name starts a new family; so does metadata that
    // comes after samples (text 0.0.4 allows it; the family is reported again).
    if (cur === undefined || this.metaName !== name || cur.samples.length > 0) {
      done = cur;
      cur = this.start(name, name);
    }
    if (e === Entry.Help) cur.help = p.help();
    else if (e === Entry.Type) {
      const type = p.type();
      cur.type = type;
      cur.name = familyName(this.format, name, type);
    } else if (e === Entry.Unit) cur.unit = p.unit();
    return done;
  }

  /** Returns the last family, if any. */
  flush(): MetricFamily | undefined {
    const cur = this.current;
    this.current = undefined;
    this.pendingStart = undefined;
    return cur;
  }

  private start(name: string, metaName: string): MetricFamily {
    this.metaName = metaName;
    this.pendingStart = undefined;
    const f: MetricFamily = { name, type: 'unknown', help: '', unit: '', samples: [] };
    this.current = f;
    return f;
  }

  /**
   * OpenMetrics 1.0 "Counter"/"Histogram"/"Summary": `_created` belongs to
   * the MetricPoint with the same labels (less `le`/`quantile`). It usually
   * ends the point, so it goes to the samples just read; one that comes
   * first waits for the samples after it.
   */
  private addStart(f: MetricFamily, labels: Labels, ms: number): void {
    const omit = reservedLabel(f);
    const samples = f.samples;
    let found = false;
    for (let i = samples.length - 1; i >= 0; i--) {
      const s = samples[i]!;
      if (!sameLabels(labels, s.labels, omit)) break;
      s.startTimestamp = ms;
      found = true;
    }
    this.pendingStart = found ? undefined : { labels, omit, ms };
  }
}

/** Prometheus 3 normalises `le` of histograms and `quantile` of summaries (rules.normalizeLabelValue). */
function normalizeBounds(type: MetricType, labels: Labels): void {
  const k = type === 'histogram' ? 'le' : 'quantile';
  const v = labels[k];
  if (v !== undefined) labels[k] = normalizeLabelValue(type, k, v);
}

/** True when `a` and `b` hold the same labels, `omit` aside (in `b`; `a` never has it). */
function sameLabels(a: Labels, b: Labels, omit: string | null): boolean {
  let nb = 0;
  for (const k in b) {
    if (k === omit) continue;
    if (a[k] !== b[k]) return false;
    nb++;
  }
  let na = 0;
  for (const k in a) if (k !== omit) na++;
  return na === nb;
}

/**
 * Parses a whole payload into metric families, in input order.
 *
 * @throws PromwireError on the first invalid line (unless `onError` is set).
 */
export function parse(input: string | Uint8Array, options?: ParserOptions): MetricFamily[] {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const p = new Parser(bytes, options);
  const b = new FamilyBuilder(p.format);
  const out: MetricFamily[] = [];
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    const done = b.add(p, e);
    if (done !== undefined) out.push(done);
  }
  const last = b.flush();
  if (last !== undefined) out.push(last);
  return out;
}
