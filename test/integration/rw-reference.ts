/**
 * The independent side of the remote-write integration tests: the two
 * messages decoded with protobufjs (schemas written here from
 * prometheus/prometheus `prompb/types.proto` and
 * `prompb/io/prometheus/write/v2/types.proto` as Prometheus 3.5.3 has them)
 * and snappyjs, a capturing receiver that records what a real Prometheus
 * sends, VictoriaMetrics started on 127.0.0.1, and readers of both stores'
 * HTTP APIs. Everything is normalised to `RwSeries` so that what promwire
 * sent, what a store holds and what promwire's receiver got compare with
 * one `toEqual`.
 */
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import type { FloatSample, Labels, MetricFamily, NativeHistogram } from '../../src/model/index.js';
import { BIN, freePort, httpGet, parsePromValue, serve, startProcess, startPrometheus, tempDir, tool, waitReady } from './helpers.js';
import type { Cleanup, Prometheus, RunningProcess } from './helpers.js';

/** Field numbers as in prompb/types.proto (1.0) and write/v2/types.proto at v3.5.3. */
const SCHEMA = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
message MetricMetadata { int32 type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
message Sample { double value = 1; int64 timestamp = 2; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3; sint32 schema = 4; double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8; repeated sint64 negative_deltas = 9; repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11; repeated sint64 positive_deltas = 12; repeated double positive_counts = 13;
  int32 reset_hint = 14; int64 timestamp = 15; repeated double custom_values = 16;
}
message Label { string name = 1; string value = 2; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
`;
/**
 * 2.0 as Prometheus 3.5.3 reads it: the start (created) timestamp is
 * TimeSeries field 6 `created_timestamp` (spec draft v2.0-rc.3); later drafts
 * moved it to Sample.start_timestamp (3) and Histogram.start_timestamp (17),
 * which 3.5.3 does not read (checked: a start timestamp in Sample field 3
 * leaves no zero sample, one in TimeSeries field 6 does).
 */
const SCHEMA_V2 = `
syntax = "proto3";
package io.prometheus.write.v2;
message Request { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
message TimeSeries {
  repeated uint32 labels_refs = 1; repeated Sample samples = 2; repeated Histogram histograms = 3;
  repeated Exemplar exemplars = 4; Metadata metadata = 5; int64 created_timestamp = 6;
}
message Exemplar { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
message Sample { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3; }
message Metadata { int32 type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3; sint32 schema = 4; double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8; repeated sint64 negative_deltas = 9; repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11; repeated sint64 positive_deltas = 12; repeated double positive_counts = 13;
  int32 reset_hint = 14; int64 timestamp = 15; repeated double custom_values = 16; int64 start_timestamp = 17;
}
`;

const V1 = protobuf.parse(SCHEMA).root.lookupType('prometheus.WriteRequest');
const V2 = protobuf.parse(SCHEMA_V2).root.lookupType('io.prometheus.write.v2.Request');

/** The metric types of both messages' enums, by number (1.0 MetricMetadata.MetricType, 2.0 Metadata.MetricType). */
export const RW_TYPES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'] as const;

export interface RwMetadata {
  type: string;
  help: string;
  unit: string;
}

/** A native histogram as its content: settings, totals, and the non-empty buckets by index. */
export interface CanonicalHistogram {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  positive: [number, number][];
  negative: [number, number][];
  customValues?: number[];
}

/** One series of a write request, or of a store read back. */
export interface RwSeries {
  labels: Labels;
  /** [timestamp ms, value] in timestamp order. */
  samples: [number, number][];
  histograms: [number, CanonicalHistogram][];
  metadata?: RwMetadata;
  createdTimestamp?: number;
}

/** `name{a="1",b="2"}` with the labels sorted by name: a series' identity. */
export function seriesKey(labels: Labels): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name}{${pairs.join(',')}}`;
}

export function canonical(h: NativeHistogram): CanonicalHistogram {
  return canonicalParts(
    h.schema,
    h.zeroThreshold,
    h.zeroCount,
    h.count,
    h.sum,
    h.positiveSpans,
    h.positiveBuckets,
    h.negativeSpans,
    h.negativeBuckets,
    h.customValues,
  );
}

function canonicalParts(
  schema: number,
  zeroThreshold: number,
  zeroCount: number,
  count: number,
  sum: number,
  pSpans: { offset: number; length: number }[],
  pCounts: number[],
  nSpans: { offset: number; length: number }[],
  nCounts: number[],
  customValues: number[] | undefined,
): CanonicalHistogram {
  const buckets = (spans: { offset: number; length: number }[], counts: number[]) => {
    const out: [number, number][] = [];
    let idx = 0;
    let n = 0;
    for (const sp of spans) {
      idx += sp.offset;
      for (let j = 0; j < sp.length; j++, idx++, n++) if (counts[n] !== 0) out.push([idx, counts[n]!]);
    }
    return out;
  };
  const c: CanonicalHistogram = {
    schema,
    zeroThreshold,
    zeroCount,
    count,
    sum,
    positive: buckets(pSpans, pCounts),
    negative: buckets(nSpans, nCounts),
  };
  if (customValues !== undefined && customValues.length > 0) c.customValues = customValues;
  return c;
}

type PbLong = number | { toNumber(): number } | string;
const num = (v: PbLong | undefined | null): number => (v == null ? 0 : typeof v === 'object' ? v.toNumber() : Number(v));

interface PbHistogram {
  countInt?: PbLong;
  countFloat?: number;
  sum?: number;
  schema?: number;
  zeroThreshold?: number;
  zeroCountInt?: PbLong;
  zeroCountFloat?: number;
  negativeSpans?: { offset?: number; length?: number }[];
  negativeDeltas?: PbLong[];
  negativeCounts?: number[];
  positiveSpans?: { offset?: number; length?: number }[];
  positiveDeltas?: PbLong[];
  positiveCounts?: number[];
  timestamp?: PbLong;
  customValues?: number[];
}

function pbHistogram(h: PbHistogram): [number, CanonicalHistogram] {
  const spans = (s: { offset?: number; length?: number }[] | undefined) =>
    (s ?? []).map((x) => ({ offset: x.offset ?? 0, length: x.length ?? 0 }));
  const counts = (deltas: PbLong[] | undefined, abs: number[] | undefined): number[] => {
    if (abs !== undefined && abs.length > 0) return abs;
    let c = 0;
    return (deltas ?? []).map((d) => (c += num(d)));
  };
  const isFloat = h.countFloat !== undefined && h.countInt === undefined;
  return [
    num(h.timestamp),
    canonicalParts(
      h.schema ?? 0,
      h.zeroThreshold ?? 0,
      isFloat ? (h.zeroCountFloat ?? 0) : num(h.zeroCountInt),
      isFloat ? h.countFloat! : num(h.countInt),
      h.sum ?? 0,
      spans(h.positiveSpans),
      counts(h.positiveDeltas, h.positiveCounts),
      spans(h.negativeSpans),
      counts(h.negativeDeltas, h.negativeCounts),
      h.customValues,
    ),
  ];
}

/** Decodes an uncompressed 1.0 WriteRequest with protobufjs; `metadata` by family name. */
export function decodeV1Reference(body: Uint8Array): { series: RwSeries[]; metadata: Map<string, RwMetadata> } {
  const m = V1.toObject(V1.decode(body), { longs: Number, oneofs: false }) as {
    timeseries?: {
      labels?: { name?: string; value?: string }[];
      samples?: { value?: number; timestamp?: PbLong }[];
      histograms?: PbHistogram[];
    }[];
    metadata?: { type?: number; metricFamilyName?: string; help?: string; unit?: string }[];
  };
  const series = (m.timeseries ?? []).map((ts) => {
    const labels: Labels = {};
    for (const l of ts.labels ?? []) labels[l.name ?? ''] = l.value ?? '';
    return {
      labels,
      samples: (ts.samples ?? []).map((s): [number, number] => [num(s.timestamp), s.value ?? 0]),
      histograms: (ts.histograms ?? []).map(pbHistogram),
    };
  });
  const metadata = new Map<string, RwMetadata>();
  for (const md of m.metadata ?? []) {
    metadata.set(md.metricFamilyName ?? '', { type: RW_TYPES[md.type ?? 0] ?? 'unknown', help: md.help ?? '', unit: md.unit ?? '' });
  }
  return { series, metadata };
}

/** Decodes an uncompressed 2.0 Request with protobufjs, resolving every symbol reference. */
export function decodeV2Reference(body: Uint8Array): RwSeries[] {
  const m = V2.toObject(V2.decode(body), { longs: Number, oneofs: false }) as {
    symbols?: string[];
    timeseries?: {
      labelsRefs?: number[];
      samples?: { value?: number; timestamp?: PbLong }[];
      histograms?: PbHistogram[];
      metadata?: { type?: number; helpRef?: number; unitRef?: number };
      createdTimestamp?: PbLong;
    }[];
  };
  const sym = m.symbols ?? [];
  const at = (i: number | undefined): string => {
    const s = sym[i ?? 0];
    if (s === undefined) throw new Error(`2.0 request refers to symbol ${i} of ${sym.length}`);
    return s;
  };
  return (m.timeseries ?? []).map((ts) => {
    const labels: Labels = {};
    const refs = ts.labelsRefs ?? [];
    for (let i = 0; i + 1 < refs.length; i += 2) labels[at(refs[i])] = at(refs[i + 1]);
    const out: RwSeries = {
      labels,
      samples: (ts.samples ?? []).map((s): [number, number] => [num(s.timestamp), s.value ?? 0]),
      histograms: (ts.histograms ?? []).map(pbHistogram),
    };
    const md = ts.metadata;
    if (md !== undefined) out.metadata = { type: RW_TYPES[md.type ?? 0] ?? 'unknown', help: at(md.helpRef), unit: at(md.unitRef) };
    const ct = num(ts.createdTimestamp);
    if (ct !== 0) out.createdTimestamp = ct;
    return out;
  });
}

/** Merges series with the same labels (a sender may split one series over requests), samples in timestamp order. */
export function mergeSeries(all: Iterable<RwSeries>): Map<string, RwSeries> {
  const out = new Map<string, RwSeries>();
  for (const s of all) {
    const k = seriesKey(s.labels);
    const have = out.get(k);
    if (have === undefined) {
      out.set(k, { ...s, samples: [...s.samples], histograms: [...s.histograms] });
      continue;
    }
    have.samples.push(...s.samples);
    have.histograms.push(...s.histograms);
    if (s.metadata !== undefined) have.metadata = s.metadata;
    if (s.createdTimestamp !== undefined) have.createdTimestamp = s.createdTimestamp;
  }
  for (const s of out.values()) {
    s.samples.sort((a, b) => a[0] - b[0]);
    s.histograms.sort((a, b) => a[0] - b[0]);
  }
  return out;
}

export interface CapturedRequest {
  headers: IncomingMessage['headers'];
  /** The body after snappy decompression (snappyjs). */
  body: Uint8Array;
  /** A 2.0 body decoded with protobufjs (decodeV2Reference); [] for 1.0. */
  series: RwSeries[];
}

/**
 * A receiver written with nothing of promwire: records each request, and
 * answers 204 with the 2.0 written-count headers (counted with protobufjs)
 * so that a Prometheus sending 2.0 takes the write as understood.
 */
export async function startCapture(cleanup: Cleanup): Promise<{ url: string; requests: CapturedRequest[] }> {
  const requests: CapturedRequest[] = [];
  const { base } = await serve(cleanup, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = snappy.uncompress(new Uint8Array(Buffer.concat(chunks))) as Uint8Array;
      const v2 = String(req.headers['content-type'] ?? '').includes('io.prometheus.write.v2.Request');
      const series = v2 ? decodeV2Reference(body) : [];
      requests.push({ headers: req.headers, body, series });
      if (v2) {
        res.setHeader('X-Prometheus-Remote-Write-Samples-Written', String(series.reduce((n, s) => n + s.samples.length, 0)));
        res.setHeader('X-Prometheus-Remote-Write-Histograms-Written', String(series.reduce((n, s) => n + s.histograms.length, 0)));
        res.setHeader('X-Prometheus-Remote-Write-Exemplars-Written', '0');
      }
      res.statusCode = 204;
      res.end();
    });
  });
  return { url: `${base}/api/v1/write`, requests };
}

/**
 * The flags a Prometheus 3.5.3 needs to receive both protocols and keep
 * what this test reads back (checked with `prometheus --help` and by
 * experiment against 3.5.3):
 * - `--web.enable-remote-write-receiver`, and
 *   `--web.remote-write-receiver.accepted-protobuf-messages` once per message
 *   (the default accepts only prometheus.WriteRequest; a 2.0 request is then 415);
 * - `native-histograms`;
 * - `metadata-wal-records`: 3.5.3 keeps 2.0 metadata (type, help, unit) only
 *   in its WAL, and only with this flag. /api/v1/metadata lists scraped
 *   targets' metadata only, never remote-written metadata, and 1.0
 *   `WriteRequest.metadata` is ignored by the 3.5.3 receiver altogether.
 *   What it kept is visible where Prometheus sends it on: its own 2.0
 *   remote write reads metadata from those WAL records;
 * - `created-timestamp-zero-ingestion`: a 2.0 `created_timestamp` (TimeSeries
 *   field 6 in 3.5.3) is stored as a 0 sample at that time before the first
 *   sample, so a range query shows it.
 */
export const PROMETHEUS_RW_FLAGS = [
  '--web.enable-remote-write-receiver',
  '--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest',
  '--web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request',
  '--enable-feature=native-histograms,metadata-wal-records,created-timestamp-zero-ingestion',
];

/**
 * A Prometheus 3.5.3 with the remote-write receiver on, scraping
 * `scrapeYaml` (list items, or '' for none) and remote-writing to
 * `remoteWrite` (each `{url, version}`; 2.0 as `protobuf_message:
 * io.prometheus.write.v2.Request`, the 3.5 config key).
 */
export async function startPrometheusRw(
  cleanup: Cleanup,
  scrapeYaml: string,
  remoteWrite: { url: string; version: '1.0' | '2.0'; keep?: { label: string; regex: string } }[],
): Promise<Prometheus> {
  let yaml = scrapeYaml === '' ? '  []\n' : scrapeYaml;
  if (remoteWrite.length > 0) {
    yaml += 'remote_write:\n';
    for (const rw of remoteWrite) {
      yaml += `  - url: ${rw.url}\n`;
      yaml += `    protobuf_message: ${rw.version === '2.0' ? 'io.prometheus.write.v2.Request' : 'prometheus.WriteRequest'}\n`;
      yaml += '    queue_config: {batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s}\n';
      // Native histograms go out only when asked for (config.RemoteWriteConfig SendNativeHistograms).
      yaml += '    send_native_histograms: true\n';
      if (rw.keep !== undefined) {
        yaml += `    write_relabel_configs: [{source_labels: [${rw.keep.label}], regex: '${rw.keep.regex}', action: keep}]\n`;
      }
      // 1.0 sends metadata from the scrape targets' metadata, on its own interval.
      if (rw.version === '1.0') yaml += '    metadata_config: {send: true, send_interval: 1s}\n';
    }
  }
  return startPrometheus(cleanup, yaml, '1s', BIN.prometheus, PROMETHEUS_RW_FLAGS);
}

interface ApiHistogram {
  count: string;
  sum: string;
  buckets?: [number, string, string, string][];
}

/** A series as Prometheus' API returns a range vector: floats, and native histograms as bucket lists. */
export interface PromSeries {
  labels: Labels;
  samples: [number, number][];
  histograms: [number, ApiHistogram][];
}

/**
 * Every sample of the series `selector` selects in the `rangeMs` before
 * `timeMs`, through /api/v1/query with a range selector (raw samples, no
 * lookback, no step), by series key. Timestamps in milliseconds.
 */
export async function promRange(prom: Prometheus, selector: string, timeMs: number, rangeMs: number): Promise<Map<string, PromSeries>> {
  const q = `${selector}[${rangeMs}ms]`;
  const data = await prom.api<{
    resultType: string;
    result: { metric: Labels; values?: [number, string][]; histograms?: [number, ApiHistogram][] }[];
  }>(`/api/v1/query?query=${encodeURIComponent(q)}&time=${timeMs / 1000}`);
  const out = new Map<string, PromSeries>();
  for (const r of data.result) {
    out.set(seriesKey(r.metric), {
      labels: r.metric,
      samples: (r.values ?? []).map(([t, v]) => [Math.round(t * 1000), parsePromValue(v)]),
      histograms: (r.histograms ?? []).map(([t, h]) => [Math.round(t * 1000), h]),
    });
  }
  return out;
}

/**
 * A bucket's upper bound, base^index with base = 2^(2^-schema)
 * (model/histogram getBound); compared to a relative 1e-12 by the tests
 * (3.5 reads 2^(j/2^schema) from a table for schema > 0).
 */
function bound(index: number, schema: number): number {
  return 2 ** (index * 2 ** -schema);
}

/**
 * The buckets Prometheus' API lists for a histogram, from its content:
 * [boundary rule, lower, upper, count], zero counts left out, ascending
 * (web/api/v1 marshalHistogram: rule 0 (l,u] positive, 1 [l,u) negative,
 * 3 [l,u] zero bucket).
 */
export function apiBuckets(h: CanonicalHistogram): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  for (const [idx, c] of h.negative) out.push([1, -bound(idx, h.schema), -bound(idx - 1, h.schema), c]);
  if (h.zeroCount > 0) out.push([3, -h.zeroThreshold, h.zeroThreshold, h.zeroCount]);
  for (const [idx, c] of h.positive) out.push([0, bound(idx - 1, h.schema), bound(idx, h.schema), c]);
  return out.sort((a, b) => a[1] - b[1]);
}

/** Whether Prometheus' API form of a histogram is `h`: count, sum and every bucket (bounds to a relative 1e-12). */
export function sameApiHistogram(api: ApiHistogram, h: CanonicalHistogram): string | undefined {
  if (parsePromValue(api.count) !== h.count) return `count ${api.count} != ${h.count}`;
  if (parsePromValue(api.sum) !== h.sum && !(Number.isNaN(h.sum) && api.sum === 'NaN')) return `sum ${api.sum} != ${h.sum}`;
  const want = apiBuckets(h);
  const got = (api.buckets ?? []).map(([r, lo, hi, c]) => [r, parsePromValue(lo), parsePromValue(hi), parsePromValue(c)] as const);
  if (got.length !== want.length) return `${got.length} buckets != ${want.length}: ${JSON.stringify(api.buckets)}`;
  const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  for (let i = 0; i < want.length; i++) {
    const [r, lo, hi, c] = got[i]!;
    const [wr, wlo, whi, wc] = want[i]!;
    if (r !== wr || !close(lo, wlo) || !close(hi, whi) || c !== wc)
      return `bucket ${i}: ${JSON.stringify(got[i])} != ${JSON.stringify(want[i])}`;
  }
  return undefined;
}

export interface VictoriaMetrics {
  base: string;
  proc: RunningProcess;
  /** Every series matching `match` with its values and timestamps, through /api/v1/export (JSON lines). */
  exportSeries(match: string): Promise<Map<string, { labels: Labels; samples: [number, number][] }>>;
}

/**
 * Starts VictoriaMetrics single-node (sid's 1.145) on 127.0.0.1 with its
 * own storage directory and no retention limit on old samples.
 */
export async function startVictoriaMetrics(cleanup: Cleanup): Promise<VictoriaMetrics> {
  const bin = tool('victoria-metrics');
  const dir = await tempDir(cleanup, 'victoria');
  await mkdir(path.join(dir, 'data'));
  const port = await freePort();
  const proc = startProcess(
    cleanup,
    bin,
    [`-storageDataPath=${path.join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR', '-retentionPeriod=100y'],
    dir,
  );
  const base = `http://127.0.0.1:${port}`;
  await waitReady(proc, `${base}/health`, 60_000, 'victoria-metrics');
  return {
    base,
    proc,
    async exportSeries(match) {
      // Makes the rows just written searchable now, not after VictoriaMetrics' ~1 s in-memory buffer.
      await httpGet(`${base}/internal/force_flush`, 30_000);
      const r = await httpGet(`${base}/api/v1/export?match[]=${encodeURIComponent(match)}&start=0`, 60_000);
      if (r.status !== 200) throw new Error(`victoria-metrics export: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
      const out = new Map<string, { labels: Labels; samples: [number, number][] }>();
      for (const line of r.body.split('\n')) {
        if (line === '') continue;
        const j = JSON.parse(line) as { metric: Labels; values: (number | null)[]; timestamps: number[] };
        const samples = j.timestamps.map((t, i): [number, number] => [t, j.values[i] ?? NaN]).sort((a, b) => a[0] - b[0]);
        const k = seriesKey(j.metric);
        const have = out.get(k);
        if (have === undefined) out.set(k, { labels: j.metric, samples });
        else {
          have.samples.push(...samples);
          have.samples.sort((a, b) => a[0] - b[0]);
        }
      }
      return out;
    },
  };
}

/**
 * `families × perFamily` series, alternating counters and gauges, each
 * series one sample at `timestamp` with the value `value(family, series)`;
 * names `${prefix}_f${i}_total` / `${prefix}_f${i}`, labels `series`, `zone`.
 */
export function bulkFamilies(
  prefix: string,
  families: number,
  perFamily: number,
  timestamp: number,
  value: (family: number, series: number) => number,
): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (let f = 0; f < families; f++) {
    const counter = f % 2 === 0;
    const name = `${prefix}_f${f}`;
    const samples: FloatSample[] = [];
    for (let s = 0; s < perFamily; s++) {
      samples.push({
        name: counter ? `${name}_total` : name,
        labels: { series: String(s), zone: `z${s % 7}` },
        value: value(f, s),
        timestamp,
      });
    }
    out.push({ name, type: counter ? 'counter' : 'gauge', help: `Family ${f} of ${prefix}.`, unit: '', samples });
  }
  return out;
}

/**
 * The series `families` put on the wire, as `RwSeries` by key: `__name__`
 * is each sample's own name; float samples and native histograms at their
 * timestamp (or `defaultTimestamp`); metadata from the family.
 */
export function seriesOfFamilies(families: readonly MetricFamily[], defaultTimestamp = 0): Map<string, RwSeries> {
  const all: RwSeries[] = [];
  for (const fam of families) {
    for (const s of fam.samples) {
      const t = s.timestamp ?? defaultTimestamp;
      const series: RwSeries = {
        labels: { ...s.labels, __name__: s.name },
        samples: typeof s.value === 'number' ? [[t, s.value]] : [],
        histograms: typeof s.value === 'number' ? [] : [[t, canonical(s.value)]],
        metadata: { type: fam.type, help: fam.help, unit: fam.unit },
      };
      if (s.startTimestamp !== undefined) series.createdTimestamp = s.startTimestamp;
      all.push(series);
    }
  }
  return mergeSeries(all);
}
