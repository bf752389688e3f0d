/**
 * The families layer: MetricFamily objects built from the pull API. This is
 * the convenient, allocating layer; it builds every string the model holds,
 * through the parser's interning accessors.
 */

import type { Format, MetricFamily, MetricType, Sample } from '../model.js';
import type { ParserOptions } from './options.js';
import { Entry, Parser } from './parser.js';

/** Suffixes a sample name may add to its family name, by type and format. */
const TEXT_SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [''],
  gauge: [''],
  // client_golang / expfmt: a histogram is `_bucket`, `_sum`, `_count`; a
  // summary is the quantiles plus `_sum` and `_count`. `_created` is accepted
  // too, as Prometheus 2.50+ writers emit it.
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['', '_count', '_sum', '_created'],
  info: ['_info'],
  stateset: [''],
  untyped: [''],
  unknown: [''],
};

const OM_SUFFIXES: Record<MetricType, readonly string[]> = {
  ...TEXT_SUFFIXES,
  counter: ['_total', '_created'],
};

/**
 * Assembles families from parser entries. Shared by `parse()` and
 * `parseStream()`: `add()` returns the family that a new entry completed.
 */
export class FamilyBuilder {
  private current: MetricFamily | undefined;
  private readonly suffixes: Record<MetricType, readonly string[]>;
  private readonly unknownType: MetricType;

  constructor(format: Format) {
    this.suffixes = format === 'openmetrics' ? OM_SUFFIXES : TEXT_SUFFIXES;
    this.unknownType = format === 'openmetrics' ? 'unknown' : 'untyped';
  }

  /** Takes the parser's current entry; returns a family it completed, if any. */
  add(p: Parser, e: Entry): MetricFamily | undefined {
    let done: MetricFamily | undefined;
    let cur = this.current;
    if (e === Entry.Series) {
      const name = p.metricName();
      if (cur === undefined || !this.belongs(cur, name)) {
        done = cur;
        cur = this.current = { name, type: this.unknownType, help: '', unit: '', samples: [] };
      }
      const sample: Sample = { name, labels: p.labels(), value: p.value(), timestamp: p.timestamp() };
      if (p.hasExemplar()) sample.exemplar = p.exemplar()!;
      cur.samples.push(sample);
      return done;
    }
    if (e === Entry.Comment) return undefined;
    const name = p.familyName();
    // Metadata for another name starts a new family; so does metadata that
    // comes after samples (text 0.0.4 allows it; the family is reported again).
    if (cur === undefined || cur.name !== name || cur.samples.length > 0) {
      done = cur;
      cur = this.current = { name, type: this.unknownType, help: '', unit: '', samples: [] };
    }
    if (e === Entry.Help) cur.help = p.help();
    else if (e === Entry.Type) cur.type = p.type();
    else if (e === Entry.Unit) cur.unit = p.unit();
    return done;
  }

  /** Returns the last family, if any. */
  flush(): MetricFamily | undefined {
    const cur = this.current;
    this.current = undefined;
    return cur;
  }

  private belongs(f: MetricFamily, sampleName: string): boolean {
    // No substring is made: compare lengths, then the suffix, then the prefix.
    const base = f.name.length;
    for (const suffix of this.suffixes[f.type]) {
      if (sampleName.length === base + suffix.length && sampleName.endsWith(suffix) && sampleName.startsWith(f.name)) return true;
    }
    return false;
  }
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
