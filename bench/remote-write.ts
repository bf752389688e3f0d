/**
 * The remote-write rows of `npm run bench -- --only remote-write`: the
 * large payload (100k series, ~16 MB of text) forwarded as remote write,
 * against `parse()` of the same bytes to families in the same run (issue
 * 10's aim: forwarding a scraped payload costs less than parsing it to
 * families does).
 *
 * - sending: encode + snappy, 1.0 and 2.0, straight from the text bytes
 *   through the pull parser (no families built), from already-parsed
 *   families, and from a MetricSet holding the same series, through
 *   collect() and direct (no families built);
 * - receiving: snappy decompress + decodeWriteRequest, 1.0 and 2.0.
 *
 * MB/s is of the text payload (the same series in every row), so rows
 * compare directly; series/s counts TimeSeries written or read.
 */
import {
  decodeWriteRequest,
  encodeWriteRequest,
  encodeWriteRequestSnappy,
  type MetricFamily,
  parse,
  snappyCompress,
  snappyDecompress,
} from '../src/index.js';
import prom from 'prometheus-remote-write/prom.js';
import SnappyJS from 'snappyjs';
import { type Case, expect } from './cases.js';
import type { GenModel } from './generate.js';
import { buildMetricSet } from './metricset.js';
import { fmt, MB, ratio, type Result } from './table.js';

const T = 1_700_000_000_000;

export function remoteWriteCases(payload: string, text: Uint8Array, model?: GenModel): Case[] {
  const families: MetricFamily[] = parse(text);
  const series = families.reduce((n, f) => n + f.samples.length, 0);
  const base = { area: 'remote-write' as const, payload, bytes: text.length, samples: series };
  const body = {
    '1.0': snappyCompress(encodeWriteRequest(families, { version: '1.0', timestamp: T })).slice(),
    '2.0': snappyCompress(encodeWriteRequest(families, { version: '2.0', timestamp: T })).slice(),
  };
  /** Checks a compressed request: it decodes to every series. */
  const checkBody = (version: '1.0' | '2.0') => (r: unknown) => {
    const raw = snappyDecompress(r as Uint8Array);
    const n = decodeWriteRequest(raw, version).series.length;
    expect(n === series, `${n} series decoded, expected ${series}`);
    return `${fmt(raw.length / MB, 1)} MB -> ${fmt((r as Uint8Array).length / MB, 1)} MB snappy`;
  };
  const cases: Case[] = [
    {
      ...base,
      row: 'parse() to families (the baseline)',
      kind: 'competitor',
      run: () => parse(text),
      check: (r) => {
        const n = (r as MetricFamily[]).reduce((k, f) => k + f.samples.length, 0);
        expect(n === series, `${n} samples`);
        return 'families only, nothing encoded';
      },
    },
  ];
  for (const version of ['1.0', '2.0'] as const) {
    cases.push({
      ...base,
      row: `text bytes -> ${version} + snappy (pull parser)`,
      kind: 'promwire',
      run: () => encodeWriteRequestSnappy(text, { version, timestamp: T, parser: { format: 'text' } }),
      check: checkBody(version),
    });
  }
  for (const version of ['1.0', '2.0'] as const) {
    cases.push({
      ...base,
      row: `families -> ${version} + snappy`,
      kind: 'promwire',
      run: () => encodeWriteRequestSnappy(families, { version, timestamp: T }),
      check: checkBody(version),
    });
  }
  // A MetricSet holding the same series (bench/metricset.ts: a gauge
  // histogram becomes a histogram, untyped a gauge; same lines): through
  // collect() and the families walk (what encodeWriteRequest(set) did before
  // the direct path; passed as a plain { collect } so it still does), and
  // direct (each series' label bytes rendered on the first encode, kept).
  if (model !== undefined) {
    const { set, samples } = buildMetricSet(model);
    const viaCollect = { collect: () => set.collect() };
    const checkSet = (version: '1.0' | '2.0') => (r: unknown) => {
      const raw = snappyDecompress(r as Uint8Array);
      const n = decodeWriteRequest(raw, version).series.length;
      expect(n === samples, `${n} series decoded, expected ${samples}`);
      return `${fmt(raw.length / MB, 1)} MB -> ${fmt((r as Uint8Array).length / MB, 1)} MB snappy`;
    };
    for (const version of ['1.0', '2.0'] as const) {
      const o = { version, timestamp: T };
      expect(
        Buffer.from(encodeWriteRequest(set, o)).equals(Buffer.from(encodeWriteRequest(set.collect(), o))),
        `MetricSet ${version}: the direct path differs from collect()'s`,
      );
      cases.push({
        ...base,
        samples,
        row: `MetricSet -> ${version} + snappy (collect())`,
        kind: 'promwire',
        run: () => encodeWriteRequestSnappy(viaCollect, o),
        check: checkSet(version),
      });
      cases.push({
        ...base,
        samples,
        row: `MetricSet -> ${version} + snappy (direct)`,
        kind: 'promwire',
        run: () => encodeWriteRequestSnappy(set, o),
        check: checkSet(version),
      });
    }
  }
  // prometheus-remote-write 0.5.1, the npm remote-write package (1.0 only,
  // no histograms): its users hand pushTimeseries one { labels, samples }
  // object per series (built here, untimed, from the same families); timed
  // is what pushTimeseries does before its HTTP call: the label pairs and
  // samples of the WriteRequest, protobufjs verify + encode (its serialize),
  // and snappyjs.
  const userSeries = families.flatMap((f) =>
    f.samples.map((s) => ({ labels: { __name__: s.name, ...s.labels }, samples: [{ value: s.value as number, timestamp: T }] })),
  );
  const WriteRequest = prom.prometheus.WriteRequest;
  cases.push({
    ...base,
    row: 'prometheus-remote-write 1.0 + snappyjs (from the same series)',
    kind: 'competitor',
    run: () => {
      const payload = {
        timeseries: userSeries.map((t) => ({
          labels: Object.entries(t.labels).map(([name, value]) => ({ name, value })),
          samples: t.samples.map((x) => ({ value: x.value, timestamp: x.timestamp })),
        })),
      };
      const err = WriteRequest.verify(payload);
      if (err !== null) throw new Error(err);
      return SnappyJS.compress(WriteRequest.encode(payload).finish());
    },
    check: checkBody('1.0'),
  });
  for (const version of ['1.0', '2.0'] as const) {
    cases.push({
      ...base,
      row: `receive ${version}: snappy decompress + decodeWriteRequest`,
      kind: 'promwire',
      run: () => decodeWriteRequest(snappyDecompress(body[version]), version),
      check: (r) => {
        const n = (r as { series: unknown[] }).series.length;
        expect(n === series, `${n} series`);
        return `${fmt(body[version].length / MB, 1)} MB body`;
      },
    });
  }
  return cases;
}

export function remoteWriteTable(results: Result[]): string {
  const out = [
    '| payload | row | ms | MB/s (text payload) | series/s | vs parse() | vs prometheus-remote-write | allocated per run | notes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const p = `${r.c.payload} (${fmt(r.c.bytes / MB, 1)} MB, ${fmt(r.c.samples / 1000, 0)}k series)`;
    if (r.ms === null) {
      out.push(`| ${p} | ${r.c.row} | | | | | | | WRONG: ${r.error} |`);
      continue;
    }
    const baseline = results.find((x) => x.c.payload === r.c.payload && x.c.row.startsWith('parse()'));
    const vs = r.c.kind === 'promwire' && baseline?.ms != null ? ratio(baseline.ms, r.ms) : '';
    // The npm package sends 1.0 only: compared with promwire's 1.0 sending rows.
    const pkg = results.find((x) => x.c.payload === r.c.payload && x.c.row.startsWith('prometheus-remote-write'));
    const vsPkg = r.c.kind === 'promwire' && r.c.row.includes('-> 1.0') && pkg?.ms != null ? ratio(pkg.ms, r.ms) : '';
    const alloc = r.allocPerRun === null ? 'n/a' : `${fmt(r.allocPerRun / MB, 1)} MB`;
    out.push(
      `| ${p} | ${r.c.row} | ${fmt(r.ms, 1)} | ${fmt(r.c.bytes / MB / (r.ms / 1000), 0)} | ${fmt(r.c.samples / (r.ms / 1000) / 1e6, 2)}M | ${vs} | ${vsPkg} | ${alloc} | ${r.note} |`,
    );
  }
  return out.join('\n');
}
