import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode, type MetricFamily, parse, type Sample } from '../src/index.js';
import { seriesKey } from '../src/model/rules.js';

/**
 * Every text and OpenMetrics fixture, converted to protobuf and read back,
 * reads identically, modulo the losses the protobuf encoder reports (each
 * applied below, and each said through onWarning):
 * - info and stateset families are gauges (protobuf has neither type);
 * - start and exemplar timestamps come back in whole milliseconds (the
 *   writer keeps nanoseconds; the reader truncates, as Prometheus does),
 *   and so do sample timestamps (timestamp_ms is an integer);
 * - a timestamp of exactly 0 ms is none (timestamp_ms 0 means none);
 * - exemplars: one per counter and per bucket; none elsewhere;
 * - a classic histogram series without `_sum` or `_count` gets them (a
 *   protobuf Histogram always has both: 0 and the +Inf bucket's count);
 * - within a family, samples come back in protobuf's order (a series'
 *   buckets, then `_sum`, then `_count`): compared as sets.
 * Fixtures the parser refuses (the derived expfmt re-encodings break
 * OpenMetrics' metadata-first rule) are not inputs here.
 */

const DIRS = [
  'fixtures',
  'fixtures/cluster',
  'fixtures/inputs',
  '../shared/fixtures-real',
  '../shared/fixtures-real/derived',
  '../shared/fixtures-real/inputs',
];

function fixtures(): string[] {
  const out: string[] = [];
  for (const d of DIRS) {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue; // ../shared is outside the repository: present on the project machines, absent in a bare checkout
    }
    for (const n of names) {
      if (!/\.(prom|txt)$/.test(n) || /README/i.test(n)) continue;
      try {
        read(join(d, n));
        out.push(join(d, n));
      } catch {
        // not a payload the parser accepts
      }
    }
  }
  return out;
}

function read(file: string): MetricFamily[] {
  return parse(readFileSync(file), { format: /\.om\.txt$/.test(file) ? 'openmetrics' : 'auto' });
}

/** Samples in a canonical order (a set's worth of comparison). */
function sorted(fams: MetricFamily[]): MetricFamily[] {
  const key = (s: Sample) => `${s.name}\u0000${seriesKey('', s.labels)}`;
  return fams.map(
    (f) =>
      ({ ...f, samples: [...(f.samples as Sample[])].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)) }) as MetricFamily,
  );
}

/** Adds the `_sum` (0) and `_count` (the +Inf bucket) a classic series lacks. */
function completeHistograms(f: MetricFamily, samples: Sample[]): Sample[] {
  if (f.type !== 'histogram' && f.type !== 'gaugehistogram') return samples;
  const g = f.type === 'gaugehistogram';
  const [sum, count] = [`${f.name}${g ? '_gsum' : '_sum'}`, `${f.name}${g ? '_gcount' : '_count'}`];
  const groups = new Map<string, { inf?: Sample; sum: boolean; count: boolean }>();
  for (const s of samples) {
    const k = seriesKey('', s.labels, 'le');
    const e = groups.get(k) ?? { sum: false, count: false };
    if (s.name === `${f.name}_bucket` && s.labels.le === '+Inf') e.inf = s;
    if (s.name === sum) e.sum = true;
    if (s.name === count) e.count = true;
    groups.set(k, e);
  }
  const out = [...samples];
  for (const e of groups.values()) {
    if (e.inf === undefined) continue;
    const { le: _, ...labels } = e.inf.labels;
    const common = {
      labels,
      timestamp: e.inf.timestamp,
      ...(e.inf.startTimestamp !== undefined ? { startTimestamp: e.inf.startTimestamp } : {}),
    };
    if (!e.sum) out.push({ name: sum, value: 0, ...common });
    if (!e.count) out.push({ name: count, value: e.inf.value as number, ...common });
  }
  return out;
}

function expected(m: MetricFamily[]): MetricFamily[] {
  return m.map((f) => {
    const type = f.type === 'info' || f.type === 'stateset' ? 'gauge' : f.type;
    const oneExemplar = f.type === 'counter' || f.type === 'histogram' || f.type === 'gaugehistogram';
    const samples = (f.samples as Sample[]).map((s) => {
      const out: Sample = { ...s };
      if (out.timestamp !== null) out.timestamp = Math.trunc(out.timestamp) === 0 ? null : Math.trunc(out.timestamp);
      if (out.startTimestamp !== undefined) out.startTimestamp = Math.floor(out.startTimestamp);
      const ex = out.exemplars;
      if (ex !== undefined) {
        const keep = oneExemplar && (f.type === 'counter' || s.name.endsWith('_bucket')) ? ex.slice(0, 1) : [];
        if (keep.length === 0) delete out.exemplars;
        else out.exemplars = keep.map((e) => ({ ...e, timestamp: e.timestamp === null ? null : Math.floor(e.timestamp) }));
      }
      return out;
    });
    return { ...f, type, samples: completeHistograms(f, samples) } as MetricFamily;
  });
}

describe('fixtures survive text/OpenMetrics -> protobuf -> model', () => {
  const files = fixtures();
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });
  for (const file of files) {
    it(file, () => {
      const m = read(file);
      const pb = encode(m, { format: 'protobuf' });
      const back = parse(pb, { format: 'protobuf' });
      expect(sorted(back)).toEqual(sorted(expected(m)));
    });
  }
});
