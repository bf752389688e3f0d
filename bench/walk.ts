/**
 * The walks the parse rows time, in a module of their own so that a process
 * that only parses (bench/textparse-child.ts) loads nothing else.
 */
import { Entry, Parser } from '../src/index.js';
import type { Format, MetricFamily } from '../src/index.js';

/**
 * The pull API's walk: every sample's name, every label name and value, value
 * and timestamp; every HELP, TYPE and UNIT (what bench/go/textparse reads of
 * Prometheus' parsers, for the "Prometheus 3.5" table).
 */
export function pullWalk(bytes: Uint8Array, format: Format, copyStrings = false): { samples: number; sum: number } {
  const p = new Parser(bytes, { format, copyStrings });
  let samples = 0;
  let sum = 0;
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    if (e === Entry.Help) {
      sum += p.familyName().length + p.help().length;
      continue;
    }
    if (e === Entry.Type) {
      sum += p.familyName().length + p.type().length;
      continue;
    }
    if (e === Entry.Unit) {
      sum += p.familyName().length + p.unit().length;
      continue;
    }
    if (e === Entry.Histogram) {
      // A native histogram (protobuf): its name, labels and counts.
      sum += p.metricName().length + p.histogram().count;
      const k = p.labelCount();
      for (let i = 0; i < k; i++) sum += p.labelName(i).length + p.labelValue(i).length;
      if (p.timestamp() !== null) sum++;
      samples++;
      continue;
    }
    if (e !== Entry.Series) continue;
    sum += p.metricName().length;
    const k = p.labelCount();
    for (let i = 0; i < k; i++) sum += p.labelName(i).length + p.labelValue(i).length;
    const v = p.value();
    if (v === v && v !== Infinity && v !== -Infinity) sum += v;
    if (p.timestamp() !== null) sum++;
    samples++;
  }
  return { samples, sum };
}

/** The tokenizer alone: next() over every entry, no accessor (how much of the walk is string making). */
export function pullNextOnly(bytes: Uint8Array, format: Format): number {
  const p = new Parser(bytes, { format });
  let samples = 0;
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) if (e === Entry.Series || e === Entry.Histogram) samples++;
  return samples;
}

export function sampleCount(families: MetricFamily[]): number {
  let n = 0;
  for (const f of families) n += f.samples.length;
  return n;
}
