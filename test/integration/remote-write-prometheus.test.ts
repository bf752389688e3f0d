/**
 * Remote write against a real Prometheus 3.5.3 (Debian sid), both ways.
 *
 * One Prometheus, started with the receiver on for both messages,
 * native histograms, `metadata-wal-records` and
 * `created-timestamp-zero-ingestion` (rw-reference.ts PROMETHEUS_RW_FLAGS
 * says why each), which
 * - receives what promwire sends: 20k series in two rounds as 1.0, the same
 *   again as 2.0, with native histograms (integer, float, gauge), metadata
 *   and start timestamps. Read back through /api/v1/query with a range
 *   selector (raw samples): every series, value, timestamp and histogram
 *   bucket equals what was sent. 3.5.3 keeps 2.0 metadata only in its WAL
 *   (/api/v1/metadata lists scraped metadata only, and 1.0 metadata is
 *   ignored by its receiver), so the metadata is read where Prometheus
 *   sends it on: its own 2.0 remote write to a capturing receiver that
 *   decodes with protobufjs (rw-reference.ts startCapture);
 * - scrapes a promwire handler serving a MetricSet, and remote-writes what
 *   it scraped to two promwire receivers (createRemoteWriteHandler), one
 *   configured for 1.0, one for 2.0: what each receiver got (series, values,
 *   native histograms, metadata) equals what that Prometheus stored;
 * - and answers a corrupt message and an unknown message type as promwire's
 *   receiver does, which also refuses a snappy bomb and a body over its limit.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricSet } from '../../src/metrics/index.js';
import type { HistogramSample, MetricFamily, NativeHistogram } from '../../src/model/index.js';
import type { WriteRequestData } from '../../src/remote-write/index.js';
import { snappyCompress } from '../../src/snappy/index.js';
import { createNodeHandler } from '../../src/toolkit/handler.js';
import { remoteWrite } from '../../src/toolkit/remote-write-client.js';
import { createRemoteWriteHandler } from '../../src/toolkit/remote-write-handler.js';
import { Cleanup, parsePromValue, serve, waitFor, withTimeout } from './helpers.js';
import type { Prometheus } from './helpers.js';
import {
  bulkFamilies,
  canonical,
  mergeSeries,
  promRange,
  sameApiHistogram,
  seriesKey,
  seriesOfFamilies,
  startCapture,
  startPrometheusRw,
} from './rw-reference.js';
import type { CanonicalHistogram, CapturedRequest, RwMetadata, RwSeries } from './rw-reference.js';
import { runCli } from '../helpers/cli.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

/**
 * Whole seconds, set once Prometheus runs: its remote write sends on only
 * samples newer than the moment it started reading its WAL (tsdb/wlog
 * watcher.go skips older ones), and the metadata test reads what it sends
 * on. Slightly ahead of now is fine: Prometheus takes samples up to 10
 * minutes ahead (write_handler.go maxAheadTime).
 */
let T0 = 0;
let T1 = 0;
let CT = 0;

const NH_INT: NativeHistogram = {
  kind: 'integer',
  schema: 3,
  zeroThreshold: 1e-128,
  zeroCount: 2,
  count: 19,
  sum: 42.25,
  positiveSpans: [
    { offset: -2, length: 3 },
    { offset: 5, length: 2 },
  ],
  positiveBuckets: [1, 4, 2, 3, 5],
  negativeSpans: [{ offset: 1, length: 1 }],
  negativeBuckets: [2],
};
const NH_FLOAT: NativeHistogram = {
  kind: 'float',
  schema: 1,
  zeroThreshold: 0.001,
  zeroCount: 0.5,
  count: 7.75,
  sum: 12.5,
  positiveSpans: [
    { offset: 0, length: 2 },
    { offset: 3, length: 1 },
  ],
  positiveBuckets: [1.25, 2, 3],
  negativeSpans: [{ offset: -1, length: 1 }],
  negativeBuckets: [1],
};
const NH_GAUGE: NativeHistogram = {
  kind: 'integer',
  schema: 0,
  zeroThreshold: 2.938735877055719e-39,
  zeroCount: 1,
  count: 6,
  sum: -2,
  positiveSpans: [{ offset: 1, length: 2 }],
  positiveBuckets: [2, 1],
  negativeSpans: [{ offset: 2, length: 1 }],
  negativeBuckets: [2],
};

/** Doubles every count: the second round, so that the histogram at T1 differs from T0's. */
function doubled(h: NativeHistogram): NativeHistogram {
  return {
    ...h,
    zeroCount: h.zeroCount * 2,
    count: h.count * 2,
    sum: h.sum * 2,
    positiveBuckets: h.positiveBuckets.map((c) => c * 2),
    negativeBuckets: h.negativeBuckets.map((c) => c * 2),
  };
}

/**
 * 20k float series (bulkFamilies: 20 families of 1000, counters with a
 * start timestamp in round 0), a gauge with a unit, and native histograms
 * of every kind, each at `t`.
 */
function payload(prefix: string, round: 0 | 1): MetricFamily[] {
  const t = round === 0 ? T0 : T1;
  const fams = bulkFamilies(prefix, 20, 1000, t, (f, s) => (round === 0 ? f * 10_000 + s + 0.5 : (f * 10_000 + s) * 3 + 1 / 3));
  for (const fam of fams) {
    if (fam.type === 'counter') for (const s of fam.samples) s.startTimestamp = CT;
  }
  const h = (value: NativeHistogram, labels: Record<string, string>): HistogramSample => ({
    name: `${prefix}_latency_seconds`,
    labels,
    value: round === 0 ? value : doubled(value),
    timestamp: t,
  });
  fams.push(
    {
      name: `${prefix}_temperature_celsius`,
      type: 'gauge',
      help: 'A gauge with a unit.',
      unit: 'celsius',
      samples: [{ name: `${prefix}_temperature_celsius`, labels: { room: 'a' }, value: round === 0 ? -12.5 : 1e300, timestamp: t }],
    },
    {
      name: `${prefix}_latency_seconds`,
      type: 'histogram',
      help: 'Native histograms, integer and float counts.',
      unit: 'seconds',
      samples: [h(NH_INT, { route: '/int' }), h(NH_FLOAT, { route: '/float' })],
    },
    {
      name: `${prefix}_queue_seconds`,
      type: 'gaugehistogram',
      help: 'A gauge native histogram.',
      unit: 'seconds',
      samples: [{ name: `${prefix}_queue_seconds`, labels: {}, value: round === 0 ? NH_GAUGE : doubled(NH_GAUGE), timestamp: t }],
    },
  );
  return fams;
}

/** The promwire MetricSet that Prometheus scrapes; its values move between scrapes. */
const scraped = new MetricSet();
const requests = scraped.counter({ name: 'pw_sc_requests', help: 'Requests served.', labelNames: ['code'] });
const inflight = scraped.gauge({ name: 'pw_sc_inflight', help: 'Requests in flight.' });
const latency = scraped.histogram({
  name: 'pw_sc_latency_seconds',
  help: 'Latency, native.',
  unit: 'seconds',
  native: { bucketFactor: 1.1 },
});
const sizes = scraped.histogram({ name: 'pw_sc_size_bytes', help: 'Sizes, classic.', unit: 'bytes', buckets: [100, 1000, 10_000] });
const work = scraped.summary({ name: 'pw_sc_work_seconds', help: 'Work done.', unit: 'seconds' });
let tick = 0;
function step(): void {
  tick++;
  requests.labels({ code: '200' }).inc(tick);
  if (tick % 3 === 0) requests.labels({ code: '500' }).inc();
  inflight.set(tick % 5);
  latency.observe(0.001 * tick);
  latency.observe(-0.5);
  sizes.observe(37 * tick);
  work.observe(tick / 10);
}
step();

/** promwire's receivers: each request they got, decoded. */
const received: Record<'1.0' | '2.0', WriteRequestData[]> = { '1.0': [], '2.0': [] };
const receiverErrors: unknown[] = [];

/**
 * A decoded request as `RwSeries` (the same shape the reference decoder and
 * the API readers give), with the 1.0 request-level metadata by family name.
 */
function decodedSeries(req: WriteRequestData): { series: RwSeries[]; metadata: Map<string, RwMetadata> } {
  const series = req.series.map((ts): RwSeries => {
    const s: RwSeries = {
      labels: { ...ts.labels },
      samples: ts.samples.map((x): [number, number] => [x.timestamp, x.value]),
      histograms: ts.histograms.map((x): [number, CanonicalHistogram] => [x.timestamp, canonical(x.value)]),
    };
    if (ts.metadata !== undefined) s.metadata = { type: ts.metadata.type, help: ts.metadata.help, unit: ts.metadata.unit };
    if (ts.startTimestamp !== undefined) s.createdTimestamp = ts.startTimestamp;
    return s;
  });
  const metadata = new Map<string, RwMetadata>();
  for (const md of req.metadata) metadata.set(md.familyName, { type: md.type, help: md.help, unit: md.unit });
  return { series, metadata };
}

let prom: Prometheus;
let capture: { url: string; requests: CapturedRequest[] };
let receiverBase: string;
let appBase: string;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `promwire` CLI in-process; `onErr` sees stderr as it grows. */
const cli = (argv: string[], onErr?: (s: string) => void): Promise<CliRun> => runCli(argv, { onErr });

/** `promwire receive --json --max-requests 3`, one of the Prometheus' remote_write targets. */
let cliReceive: Promise<CliRun>;

beforeAll(async () => {
  capture = await startCapture(cleanup);
  const rw = createRemoteWriteHandler(
    (req, info) => {
      received[info.version].push(req);
    },
    { onError: (e) => receiverErrors.push(e) },
  );
  const rx = await serve(cleanup, (req, res) => void rw(req, res));
  receiverBase = rx.base;
  const app = await serve(cleanup, createNodeHandler({ metrics: scraped }));
  appBase = app.base;
  const cliBase = await new Promise<string>((resolve) => {
    cliReceive = cli(['receive', '--listen', '127.0.0.1:0', '--json', '--max-requests', '3'], (err) => {
      const m = /receiving remote write at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m !== null) resolve(m[1]!);
    });
  });
  const timer = setInterval(step, 250);
  cleanup.add(() => clearInterval(timer));
  // The capture keeps only what promwire pushed as 2.0; the promwire receivers only what Prometheus scraped.
  prom = await startPrometheusRw(
    cleanup,
    `  - job_name: pw_scrape
    static_configs:
      - targets: ['127.0.0.1:${app.port}']
`,
    [
      { url: capture.url, version: '2.0', keep: { label: '__name__', regex: 'pw_rw2_.+' } },
      { url: `${rx.base}/v1`, version: '1.0', keep: { label: 'job', regex: 'pw_scrape' } },
      { url: `${rx.base}/v2`, version: '2.0', keep: { label: 'job', regex: 'pw_scrape' } },
      { url: `${cliBase}/api/v1/write`, version: '2.0', keep: { label: 'job', regex: 'pw_scrape' } },
    ],
  );
  T0 = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  T1 = T0 + 1000;
  CT = T0 - 60_000;
}, 120_000);

/** Sends both rounds of `payload(prefix)` and reads every `prefix` series back from the query API. */
async function sendAndRead(prefix: string, version: '1.0' | '2.0') {
  const rounds = [payload(prefix, 0), payload(prefix, 1)];
  for (const fams of rounds) {
    const r = await remoteWrite(`${prom.base}/api/v1/write`, fams, { version, maxSamplesPerRequest: 5000 });
    expect(r.version).toBe(version);
    expect(r.sent).toEqual({ samples: 20_001, histograms: 3, exemplars: 0 });
    expect(r.requests).toBe(5);
    // 2.0: Prometheus says what it wrote; a start timestamp's zero sample is not counted.
    expect(r.written).toEqual(version === '2.0' ? r.sent : undefined);
  }
  const want = seriesOfFamilies(rounds.flat());
  const got = await promRange(prom, `{__name__=~"${prefix}_.+"}`, T1 + 1, T1 + 1 - (CT - 1));
  return { want, got };
}

describe('promwire -> Prometheus 3.5.3 remote-write receiver', () => {
  it('1.0: every one of 20k series, value and timestamp, and every native histogram, reads back as sent', async () => {
    const { want, got } = await sendAndRead('pw_rw1', '1.0');
    expect(got.size).toBe(want.size);
    expect(want.size).toBe(20_004);
    for (const [k, w] of want) {
      const g = got.get(k);
      expect(g, k).toBeDefined();
      // 1.0 has no start timestamp: no zero sample at CT.
      expect(g!.samples, k).toEqual(w.samples);
      expect(
        g!.histograms.map(([t]) => t),
        k,
      ).toEqual(w.histograms.map(([t]) => t));
      for (const [i, [, h]] of w.histograms.entries()) expect(sameApiHistogram(g!.histograms[i]![1], h), k).toBeUndefined();
    }
  });

  it('2.0: the same, plus each counter start timestamp stored as a zero sample at that time', async () => {
    const { want, got } = await sendAndRead('pw_rw2', '2.0');
    expect(got.size).toBe(want.size);
    let withCt = 0;
    for (const [k, w] of want) {
      const g = got.get(k);
      expect(g, k).toBeDefined();
      // created-timestamp-zero-ingestion: TimeSeries.created_timestamp (3.5.3's field 6) becomes a 0 at CT before the first sample.
      const expected = w.createdTimestamp !== undefined ? [[w.createdTimestamp, 0], ...w.samples] : w.samples;
      if (w.createdTimestamp !== undefined) withCt++;
      expect(g!.samples, k).toEqual(expected);
      for (const [i, [, h]] of w.histograms.entries()) expect(sameApiHistogram(g!.histograms[i]![1], h), k).toBeUndefined();
    }
    expect(withCt).toBe(10_000);
  });

  it('2.0 metadata (type, help, unit) of every series is what Prometheus keeps and sends on', async () => {
    const want = seriesOfFamilies([...payload('pw_rw2', 0), ...payload('pw_rw2', 1)]);
    const forwarded = await waitFor(
      'Prometheus to forward every pw_rw2 series',
      () => {
        const m = mergeSeries(capture.requests.flatMap((r) => r.series));
        // Both rounds of every series: the last sample or histogram of each is T1's.
        const done = [...want.keys()].every((k) => {
          const f = m.get(k);
          return f !== undefined && (f.samples.at(-1)?.[0] === T1 || f.histograms.at(-1)?.[0] === T1);
        });
        return done ? m : undefined;
      },
      30_000,
    );
    for (const [k, w] of want) {
      expect(forwarded.get(k)?.metadata, k).toEqual(w.metadata);
      expect(
        forwarded.get(k)?.samples.filter(([t]) => t >= T0),
        k,
      ).toEqual(w.samples);
      expect(forwarded.get(k)?.histograms, k).toEqual(w.histograms);
    }
  });
});

describe('Prometheus 3.5.3 remote write -> promwire receiver', () => {
  /**
   * Waits until both receivers have what Prometheus scraped over a few
   * scrapes, then compares each received series with Prometheus' own
   * stored samples over the same span (after the first scrape forwarded,
   * which the remote-write WAL watcher may have joined midway).
   */
  async function receivedVersusStored(version: '1.0' | '2.0') {
    await waitFor(
      `${version} receiver to get 5 scrapes`,
      () => {
        const ts = new Set<number>();
        for (const r of received[version]) for (const s of decodedSeries(r).series) for (const [t] of s.samples) ts.add(t);
        return ts.size >= 5;
      },
      30_000,
    );
    const all = received[version].map(decodedSeries);
    const series = mergeSeries(all.flatMap((x) => x.series));
    const times = [...new Set([...series.values()].flatMap((s) => s.samples.map(([t]) => t)))].sort((a, b) => a - b);
    const from = times[0]!;
    const to = times[times.length - 2]!;
    // Everything Prometheus stored up to `to` has been sent by now: remote write runs ~0.5 s behind.
    await new Promise((r) => setTimeout(r, 1500));
    const fresh = mergeSeries(received[version].map(decodedSeries).flatMap((x) => x.series));
    const stored = await promRange(prom, '{job="pw_scrape"}', to, to - from);
    return { fresh, stored, from, to, metadata: all.map((x) => x.metadata) };
  }

  for (const version of ['1.0', '2.0'] as const) {
    it(`${version}: every series, value and native histogram the receiver got equals what Prometheus stored`, async () => {
      const { fresh, stored, from, to } = await receivedVersusStored(version);
      expect(stored.size).toBeGreaterThan(10);
      let native = 0;
      let compared = 0;
      for (const [k, p] of stored) {
        const g = fresh.get(k);
        expect(g, k).toBeDefined();
        const inSpan = <T>(xs: [number, T][]) => xs.filter(([t]) => t > from && t <= to);
        // Remote write also carries staleness markers (a NaN when a scrape failed or a series went
        // away), which the query API never returns; no value of this MetricSet is NaN.
        const samples = inSpan(g!.samples).filter(([, v]) => !Number.isNaN(v));
        expect(samples, k).toEqual(p.samples);
        compared += samples.length + p.histograms.length;
        expect(samples.length + p.histograms.length, k).toBeGreaterThan(0);
        // A native histogram's staleness marker is a histogram whose sum is the stale NaN.
        const gh = inSpan(g!.histograms).filter(([, h]) => !Number.isNaN(h.sum));
        expect(
          gh.map(([t]) => t),
          k,
        ).toEqual(p.histograms.map(([t]) => t));
        for (const [i, [, h]] of gh.entries()) expect(sameApiHistogram(p.histograms[i]![1], h), k).toBeUndefined();
        native += gh.length;
      }
      expect(native).toBeGreaterThan(0);
      // What was compared: every stored series, over the scrapes of the span (a scrape that timed
      // out on this shared machine leaves staleness markers instead of values).
      expect(compared).toBeGreaterThanOrEqual(stored.size);
      expect(receiverErrors).toEqual([]);
    });
  }

  it("2.0: each series' metadata is the MetricSet's type, help and unit", async () => {
    const { fresh } = await receivedVersusStored('2.0');
    const fams = new Map(scraped.collect().map((f) => [f.name, f]));
    let checked = 0;
    for (const s of fresh.values()) {
      const name = s.labels['__name__']!;
      const fam = [...fams.values()].find((f) => name === f.name || f.samples.some((x) => x.name === name));
      if (fam === undefined) continue;
      expect(s.metadata, name).toEqual({ type: fam.type, help: fam.help, unit: fam.unit });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('1.0: the metadata Prometheus sends (send_metadata) is the MetricSet families', async () => {
    await waitFor('1.0 metadata', () => received['1.0'].some((r) => r.metadata.some((m) => m.familyName.startsWith('pw_sc_'))), 30_000);
    const md = new Map<string, RwMetadata>();
    for (const r of received['1.0']) for (const [k, v] of decodedSeries(r).metadata) md.set(k, v);
    for (const fam of scraped.collect()) {
      // Prometheus names a family as the scrape did: protobuf carries a counter's name with _total.
      const got = md.get(fam.name) ?? md.get(`${fam.name}_total`);
      expect(got, fam.name).toEqual({ type: fam.type, help: fam.help, unit: fam.unit });
    }
  });
});

describe('the promwire command with Prometheus 3.5.3', () => {
  it('receive --json prints what Prometheus sends: its scraped families with type, help and native histograms', async () => {
    const r = await withTimeout(cliReceive, 30_000, 'promwire receive --max-requests 3');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('3 requests received, stopping');
    const fams = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; type: string; help: string; unit?: string; samples: { value: unknown }[] });
    const by = (name: string) => fams.find((f) => f.name === name);
    expect(by('pw_sc_requests_total')).toMatchObject({ type: 'counter', help: 'Requests served.' });
    expect(by('pw_sc_inflight')).toMatchObject({ type: 'gauge', help: 'Requests in flight.' });
    const latency = fams.filter((f) => f.name === 'pw_sc_latency_seconds');
    expect(latency.length).toBeGreaterThan(0);
    for (const f of latency) {
      expect(f).toMatchObject({ type: 'histogram', help: 'Latency, native.', unit: 'seconds' });
      // A native histogram's value is parse --json's object.
      for (const x of f.samples) expect(x.value).toMatchObject({ kind: 'integer', schema: 3 });
    }
  });

  it('scrape --format protobuf --remote-write forwards one scrape (native histogram included) into Prometheus as 2.0, every value as scraped', async () => {
    const r = await cli([
      'scrape',
      `${appBase}/metrics`,
      '--format',
      'protobuf',
      '--json',
      '--remote-write',
      `${prom.base}/api/v1/write`,
      '--rw-version',
      '2.0',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/remote write 2\.0 to .*: 204, .*; the receiver wrote \d+ samples, 1 histograms/);
    const fams = JSON.parse(r.stdout) as {
      samples: { name: string; labels: Record<string, string>; value: string | { count: number } }[];
    }[];
    // What was forwarded carries no job label: Prometheus' own scrapes of the same handler do.
    const stored = await prom.api<{
      result: { metric: Record<string, string>; value?: [number, string]; histogram?: [number, { count: string }] }[];
    }>(`/api/v1/query?query=${encodeURIComponent('{__name__=~"pw_sc_.+",job=""}')}`);
    const got = new Map(stored.result.map((x) => [seriesKey(x.metric), x]));
    let n = 0;
    for (const f of fams) {
      for (const x of f.samples) {
        const g = got.get(seriesKey({ ...x.labels, __name__: x.name }));
        expect(g, x.name).toBeDefined();
        if (typeof x.value === 'string') expect(parsePromValue(g!.value![1]), x.name).toEqual(parsePromValue(x.value));
        else expect(Number(g!.histogram![1].count), x.name).toBe(x.value.count);
        n++;
      }
    }
    expect(n).toBe(got.size);
    expect(n).toBeGreaterThan(10);
  });
});

/** POSTs raw bytes with the given Content-Type; resolves status and body. */
function post(url: string, body: Uint8Array, contentType: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': contentType, 'content-encoding': 'snappy' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end(body);
  });
}

/**
 * A snappy block that declares `n` decoded bytes and really decodes to
 * them: a one-byte literal, then 64-byte copies at offset 1 (3 bytes each),
 * about 21x smaller than what it expands to (google/snappy format_description.txt).
 */
function snappyBomb(n: number): Uint8Array {
  const head: number[] = [];
  for (let v = n; ; ) {
    if (v < 0x80) {
      head.push(v);
      break;
    }
    head.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  const copies = Math.floor((n - 1) / 64);
  const rest = n - 1 - copies * 64;
  const out = new Uint8Array(head.length + 2 + copies * 3 + (rest > 0 ? 3 : 0));
  out.set(head, 0);
  let p = head.length;
  out[p++] = 0; // literal, length 1
  out[p++] = 0;
  for (let i = 0; i < copies; i++) {
    out[p++] = ((64 - 1) << 2) | 2; // copy with 2-byte offset, length 64
    out[p++] = 1;
    out[p++] = 0;
  }
  if (rest > 0) {
    out[p++] = ((rest - 1) << 2) | 2;
    out[p++] = 1;
    out[p++] = 0;
  }
  return out;
}

describe('the receiver refuses what it must', () => {
  const V1 = 'application/x-protobuf';
  const V2 = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';
  // A field-1 length-delimited value that claims 2^28 bytes in a 6-byte message.
  const CORRUPT = snappyCompress(new Uint8Array([0x0a, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00]));

  it('a snappy bomb (48 MiB declared and real, 2.3 MiB sent): 400, nothing decompressed, the callback never called', async () => {
    let calls = 0;
    const h = createRemoteWriteHandler(() => {
      calls++;
    });
    const { base } = await serve(cleanup, (req, res) => void h(req, res));
    const buffersBefore = process.memoryUsage().arrayBuffers;
    const r = await post(`${base}/`, snappyBomb(48 * 1024 * 1024), V1);
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/exceeds the limit of 33554432/);
    // 48 MiB were never allocated (a decompression would show here until collected).
    expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeLessThan(16 * 1024 * 1024);
    expect(calls).toBe(0);
  });

  it('a body over maxBodyBytes: 413, and reading stops', async () => {
    const small = createRemoteWriteHandler(() => {}, { maxBodyBytes: 1024 });
    const { base } = await serve(cleanup, (req, res) => void small(req, res));
    const r = await post(`${base}/`, snappyCompress(new Uint8Array(64 * 1024).map((_, i) => i * 7)), V1);
    expect(r.status).toBe(413);
  });

  it('a corrupt message: 400 with the reason, as Prometheus 3.5.3 answers it, for both versions', async () => {
    for (const ct of [V1, V2]) {
      const ours = await post(`${receiverBase}/v1`, CORRUPT, ct);
      const theirs = await post(`${prom.base}/api/v1/write`, CORRUPT, ct);
      expect(theirs.status).toBe(400);
      expect(ours.status).toBe(400);
      expect(ours.body.length).toBeGreaterThan(20);
    }
  });

  it('an unknown message type: 415, as Prometheus 3.5.3 answers it', async () => {
    const ct = 'application/x-protobuf;proto=io.prometheus.write.v3.Request';
    const body = snappyCompress(new Uint8Array(0));
    expect((await post(`${prom.base}/api/v1/write`, body, ct)).status).toBe(415);
    expect((await post(`${receiverBase}/v1`, body, ct)).status).toBe(415);
  });

  it('the receiver server is still healthy afterwards', async () => {
    const addr = `${receiverBase}/v1`;
    const r = await remoteWrite(
      addr,
      bulkFamilies('pw_after', 1, 3, T1, (_f, s) => s),
      { version: '2.0' },
    );
    expect(r.written).toEqual({ samples: 3, histograms: 0, exemplars: 0 });
  });
});
