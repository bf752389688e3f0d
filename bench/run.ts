/**
 * promwire's benchmarks: `npm run bench [-- --quick] [--only parse|textparse|encode|protobuf|snappy|remote-write|observe|default-metrics]`.
 *
 * Prints two markdown tables, ready to paste into the README:
 * - Parser: the generated ~16 MB payload (100k samples, 200
 *   families of every type), its OpenMetrics twin, a small payload (~200
 *   samples) and the real node_exporter payload; rows: the pull API walking
 *   every sample (name, every label name and value, value), `parse()` to
 *   families, parse-prometheus-text-format (text only; its sample count is
 *   its correctness), and a plain byte loop over the buffer (the floor).
 * - Encoder: the same 100k series; rows: `MetricSet.encode()`
 *   with values changed between encodes, `encode(families)` from a parsed
 *   model, prom-client's `await registry.metrics()` holding the same
 *   series, and `Buffer.copy` of the output size (the floor); plus the
 *   longest event-loop stall of the chunked path.
 * - Protobuf (bench/protobuf.ts): the large payload as protobuf, read and
 *   written by promwire, protobufjs and @bufbuild/protobuf.
 * - Snappy (bench/snappy.ts): compress and decompress, promwire against snappyjs.
 * - Remote write (bench/remote-write.ts): the large payload forwarded as 1.0 and 2.0 (from the
 *   text bytes and from families) and received, against parse() of the same bytes.
 * - observe() (bench/observe.ts): native and classic histograms, summaries with and without
 *   quantiles, and prom-client's; what quantiles add to a summary's encode.
 * - collectDefaultMetrics (bench/default-metrics.ts): refresh + encode of the default metrics, against
 *   the encode alone and prom-client's registry.metrics() with its defaults.
 * - Prometheus 3.5 (bench/textparse.ts, with `--only parse` too): Prometheus'
 *   own text, OpenMetrics and protobuf parsers (bench/go/textparse) against
 *   promwire's pull API and parse() on the large payloads, CPU time per parse;
 *   skipped with a note when Go and the Prometheus sources are not fetched.
 *
 * Every case checks its own result once before it is timed (sample counts,
 * a re-parse of encoder output); a case that is wrong is reported, not timed.
 * Timings are tinybench medians; allocation is measured apart from the
 * timed runs (see bench/alloc.ts for the method).
 */
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { CAN_MEASURE_ALLOC, bytesAllocated, gcIfExposed } from './alloc.js';
import { type Case, countSampleLines, encodeCases, keyed, parseCases, uniqueValuesPayload } from './cases.js';
import { LARGE, SMALL, generatePayload } from './generate.js';
import { defaultMetricsTable } from './default-metrics.js';
import { observeTable, summaryEncodeTable } from './observe.js';
import { protobufDecodeCases, protobufEncodeCases } from './protobuf.js';
import { remoteWriteCases, remoteWriteTable } from './remote-write.js';
import { snappyCases, snappyTable } from './snappy.js';
import { textparseTable } from './textparse.js';
import { fmt, MB, ratio, type Result } from './table.js';

/** Samples in the unique-values payload (~2.8 MB). */
const UNIQUE_SAMPLES = 40_000;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------
// Measuring

interface Settings {
  time: number;
  iterations: number;
  warmupIterations: number;
  allocRuns: number;
  stallRuns: number;
}

async function timeCase(c: Case, s: Settings): Promise<{ ms: number; runs: number }> {
  const bench = new Bench({
    time: s.time,
    iterations: s.iterations,
    warmupIterations: s.warmupIterations,
    warmupTime: 0,
    setup: () => gcIfExposed(),
  });
  const isAsync = c.kind === 'competitor' && c.area === 'encode';
  bench.add(c.row, c.run, { async: isAsync, ...(c.before !== undefined ? { beforeEach: c.before } : {}) });
  await bench.run();
  const task = bench.tasks[0]!;
  const r = task.result;
  if (r.state === 'errored') throw r.error;
  if (r.state !== 'completed') throw new Error(`tinybench: ${r.state}`);
  return { ms: r.latency.p50, runs: r.latency.samplesCount };
}

/**
 * The longest time the event loop did not turn while `job` ran: a
 * setImmediate ticker runs beside it and records the largest gap between
 * two of its ticks. For a chunked encode the job yields with setImmediate
 * between chunks, so the gap is the longest chunk plus whatever else held
 * the loop then (a garbage collection of this benchmark's large heap); for
 * prom-client it is the whole `metrics()` call, which never yields to the
 * loop (its awaits are microtasks).
 */
async function loopStall(job: () => Promise<void>, runs: number): Promise<number> {
  let max = 0;
  for (let k = 0; k < runs; k++) {
    let stop = false;
    let last = performance.now();
    const tick = (): void => {
      const t = performance.now();
      if (t - last > max) max = t - last;
      last = t;
      if (!stop) setImmediate(tick);
    };
    setImmediate(tick);
    await job();
    stop = true;
    await new Promise((resolve) => setImmediate(resolve));
    tick();
  }
  return max;
}

/** A chunked encode that yields between chunks; records the longest synchronous chunk in `longest.ms`. */
function chunkedJob(chunks: () => Iterator<Uint8Array>, longest: { ms: number }): () => Promise<void> {
  return async () => {
    const it = chunks();
    for (;;) {
      const t = performance.now();
      const done = it.next().done === true;
      const d = performance.now() - t;
      if (d > longest.ms) longest.ms = d;
      if (done) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
}

async function measure(c: Case, s: Settings): Promise<Result> {
  c.prepare?.();
  try {
    return await measureCase(c, s);
  } finally {
    c.release?.();
    gcIfExposed();
  }
}

async function measureCase(c: Case, s: Settings): Promise<Result> {
  const res: Result = { c, ms: null, runs: 0, note: '', error: null, allocPerRun: null, stallMs: null, chunkMs: null };
  try {
    let first = c.run();
    if (first instanceof Promise) first = await first;
    res.note = c.check(first);
    // Encoders: MB/s of what this row wrote.
    if (c.area === 'encode' && first instanceof Uint8Array) c.bytes = first.length;
    else if (c.area === 'encode' && typeof first === 'string') c.bytes = Buffer.byteLength(first);
  } catch (e) {
    res.error = e instanceof Error ? e.message : String(e);
    return res;
  }
  const t = await timeCase(c, s);
  res.ms = t.ms;
  res.runs = t.runs;
  if (CAN_MEASURE_ALLOC) {
    // Slow competitors: fewer runs, the figure is stable anyway.
    const runs = res.ms > 300 ? 1 : s.allocRuns;
    if (c.before !== undefined) c.before();
    res.allocPerRun = await bytesAllocated(c.run, runs);
  }
  gcIfExposed();
  if (c.chunks !== undefined) {
    const longest = { ms: 0 };
    res.stallMs = await loopStall(chunkedJob(c.chunks, longest), s.stallRuns);
    res.chunkMs = longest.ms;
  } else if (c.blocking !== undefined) {
    const blocking = c.blocking;
    res.stallMs = await loopStall(async () => void (await blocking()), s.stallRuns);
  }
  return res;
}

// ---------------------------------------------------------------------------
// Tables

function groupOf(c: Case): string {
  return c.group ?? (c.area === 'parse' ? c.payload : 'text');
}

/** A promwire row's speed against every competitor of its group: `2.1x protobufjs decodeDelimited`. */
function versus(r: Result, all: Result[]): string {
  if (r.c.kind !== 'promwire' || r.ms === null) return '';
  const out: string[] = [];
  for (const c of all) {
    if (c.c.kind !== 'competitor' || c.ms === null || groupOf(c.c) !== groupOf(r.c)) continue;
    out.push(`${ratio(c.ms, r.ms)} ${c.c.row.split(' ')[0]}`);
  }
  return out.join(', ');
}

function parseTable(results: Result[]): string {
  const out = [
    '| payload | row | MB/s | samples/s | ms | vs competitors (same bytes) | vs floor | allocated B per input B | notes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  const payloads = [...new Set(results.map((r) => r.c.payload))];
  for (const p of payloads) {
    const rows = results.filter((r) => r.c.payload === p);
    const floor = rows.find((r) => r.c.kind === 'floor');
    for (const r of rows) {
      if (r.ms === null) {
        out.push(`| ${p} | ${r.c.row} | | | | | | | WRONG: ${r.error} |`);
        continue;
      }
      const mbs = r.c.bytes / MB / (r.ms / 1000);
      const sps = r.c.samples / (r.ms / 1000);
      const vsComp = versus(r, rows);
      const vsFloor = r.c.kind === 'promwire' && floor?.ms != null ? `${fmt((100 * floor.ms) / r.ms, 0)}%` : '';
      const alloc = r.allocPerRun === null ? 'n/a' : fmt(r.allocPerRun / r.c.bytes, 1);
      out.push(
        `| ${p} (${fmt(r.c.bytes / MB, 2)} MB) | ${r.c.row} | ${fmt(mbs, 0)} | ${fmt(sps / 1e6, 2)}M | ${fmt(r.ms, r.ms < 1 ? 3 : 1)} | ${vsComp} | ${vsFloor} | ${alloc} | ${r.note} |`,
      );
    }
  }
  return out.join('\n');
}

function encodeTable(results: Result[]): string {
  const out = [
    '| row | ms | MB/s | series/s | allocated per encode | longest event-loop stall (longest chunk) | vs competitors (same output) |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if (r.ms === null) {
      out.push(`| ${r.c.row} | WRONG: ${r.error} | | | | | |`);
      continue;
    }
    const mbs = r.c.bytes / MB / (r.ms / 1000);
    const sps = r.c.samples / (r.ms / 1000);
    const alloc = r.allocPerRun === null ? 'n/a' : `${fmt(r.allocPerRun / MB, 1)} MB (${fmt(r.allocPerRun / r.c.bytes, 2)}x output)`;
    const stall =
      r.stallMs === null
        ? ''
        : r.c.chunks !== undefined
          ? `${fmt(r.stallMs, 1)} ms (encodeChunks; longest chunk ${fmt(r.chunkMs ?? 0, 1)} ms)`
          : `${fmt(r.stallMs, 0)} ms (one call)`;
    const vs = versus(r, results);
    out.push(`| ${r.c.row} | ${fmt(r.ms, 1)} | ${fmt(mbs, 0)} | ${fmt(sps / 1e6, 2)}M | ${alloc} | ${stall} | ${vs} |`);
  }
  return out.join('\n');
}

/** The issue-9 aim, in one line: the protobuf pull walk against the text pull walk over the same series. */
function pullVsText(results: Result[]): string {
  const find = (payload: string): Result | undefined =>
    results.find((r) => r.c.payload === payload && r.c.row === 'promwire pull API' && r.ms !== null);
  const text = find('large text');
  const pb = find('large protobuf');
  if (text?.ms == null || pb?.ms == null) return '';
  return `Same series, pull API walk: protobuf ${fmt(pb.ms, 1)} ms, text ${fmt(text.ms, 1)} ms: protobuf is ${ratio(text.ms, pb.ms)} the text walk's speed (per series).`;
}

// ---------------------------------------------------------------------------
// Main

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const onlyIdx = argv.indexOf('--only');
  const only = onlyIdx >= 0 ? argv[onlyIdx + 1] : undefined;
  const areas = ['parse', 'textparse', 'encode', 'protobuf', 'snappy', 'remote-write', 'observe', 'default-metrics'];
  if (only !== undefined && !areas.includes(only)) {
    throw new Error(`--only: expected one of ${areas.join(', ')}, got ${JSON.stringify(only)}`);
  }
  const s: Settings = quick
    ? { time: 200, iterations: 2, warmupIterations: 1, allocRuns: 1, stallRuns: 1 }
    : { time: 1500, iterations: 5, warmupIterations: 2, allocRuns: 3, stallRuns: 5 };
  const log = (m: string): void => {
    process.stderr.write(`${m}\n`);
  };
  const t0 = performance.now();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const header =
    `promwire benchmarks: Node ${process.version}, ${cpus().length} cores (${cpu.trim()}), ` +
    `tinybench medians, ${quick ? 'quick mode' : `${s.time} ms and at least ${s.iterations} runs per row`}; ` +
    `load average ${loadavg()[0]!.toFixed(1)} at start (other work on the machine slows every row alike); ` +
    `allocation ${CAN_MEASURE_ALLOC ? 'from V8 heap statistics and GC records' : 'not measured (run with node --expose-gc)'}.`;

  const tables: string[] = [header, `Command: \`npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\``];
  if (only === undefined || only === 'parse') {
    const large = generatePayload(LARGE);
    const small = generatePayload(SMALL);
    const node = new Uint8Array(readFileSync(join(ROOT, 'fixtures/node_exporter.prom')));
    const unique = uniqueValuesPayload(UNIQUE_SAMPLES);
    const cases = keyed([
      ...parseCases('large text', large.text, 'text', large.model.samples, large.model.families.length, true),
      ...parseCases('large openmetrics', large.openmetrics, 'openmetrics', large.model.samples, large.model.families.length, true),
      ...parseCases('small text', small.text, 'text', small.model.samples, small.model.families.length),
      ...parseCases('node_exporter', node, 'text', countSampleLines(node), null),
      // The pull API's window slices against copies where values do not repeat (textwalk).
      ...parseCases('unique values text', unique, 'text', UNIQUE_SAMPLES, 1, true),
    ]);
    const results: Result[] = [];
    for (const [name, c] of Object.entries(cases)) {
      log(name);
      results.push(await measure(c, s));
    }
    tables.push(`\n### Parser\n\n${parseTable(results)}`);
  }
  if (only === undefined || only === 'parse' || only === 'textparse') {
    log('textparse: Prometheus 3.5 parsers against promwire, CPU time');
    tables.push(`\n### Prometheus 3.5's own parsers on the same bytes (CPU time per parse)\n\n${await textparseTable(quick)}`);
  }
  if (only === undefined || only === 'encode') {
    log('encode: building the MetricSet, the parsed model and the prom-client registry');
    const cases = keyed(encodeCases());
    const results: Result[] = [];
    for (const [name, c] of Object.entries(cases)) {
      log(name);
      results.push(await measure(c, s));
    }
    tables.push(`\n### Encoder (100k series, text 0.0.4 unless noted)\n\n${encodeTable(results)}`);
  }
  if (only === undefined || only === 'protobuf') {
    log('protobuf: converting the large payload');
    const large = generatePayload(LARGE);
    const parseRows = keyed([
      ...parseCases('large text', large.text, 'text', large.model.samples, large.model.families.length, true).filter(
        (c) => c.kind === 'promwire',
      ),
      ...protobufDecodeCases(),
    ]);
    const results: Result[] = [];
    for (const [name, c] of Object.entries(parseRows)) {
      log(name);
      results.push(await measure(c, s));
    }
    const encodeRows = keyed(protobufEncodeCases());
    const encoded: Result[] = [];
    for (const [name, c] of Object.entries(encodeRows)) {
      log(name);
      encoded.push(await measure(c, s));
    }
    tables.push(
      `\n### Protobuf (the large payload as delimited MetricFamily messages; the text rows read the same series)\n\n${parseTable(results)}\n\n${pullVsText(results)}\n\n${encodeTable(encoded)}`,
    );
  }
  if (only === undefined || only === 'snappy') {
    const node = new Uint8Array(readFileSync(join(ROOT, 'fixtures/node_exporter.prom')));
    const cases = keyed([...snappyCases('large text', generatePayload(LARGE).text), ...snappyCases('node_exporter', node)]);
    const results: Result[] = [];
    for (const [name, c] of Object.entries(cases)) {
      log(name);
      results.push(await measure(c, s));
    }
    tables.push(`\n### Snappy (remote-write body compression)\n\n${snappyTable(results)}`);
  }
  if (only === undefined || only === 'remote-write') {
    log('remote-write: parsing the large payload to families');
    const large = generatePayload(LARGE);
    const cases = keyed(remoteWriteCases('large text', large.text, large.model));
    const results: Result[] = [];
    for (const [name, c] of Object.entries(cases)) {
      log(name);
      results.push(await measure(c, s));
    }
    tables.push(`\n### Remote write (forwarding the large payload, and receiving it)\n\n${remoteWriteTable(results)}`);
  }
  if (only === undefined || only === 'observe') {
    log('observe');
    tables.push(`\n### observe(): native and classic histograms, summaries\n\n${await observeTable(quick)}`);
    tables.push(`\n### encode() of summaries: what quantiles cost\n\n${await summaryEncodeTable(quick)}`);
  }
  if (only === undefined || only === 'default-metrics') {
    log('default-metrics');
    tables.push(`\n### collectDefaultMetrics: what the default metrics cost a scrape\n\n${await defaultMetricsTable(quick)}`);
  }
  tables.push(`\n(${fmt((performance.now() - t0) / 1000, 0)} s)`);
  console.log(tables.join('\n'));
}

await main(process.argv.slice(2));
