/**
 * promwire's benchmarks: `npm run bench [-- --quick] [--only parse|encode|snappy]`.
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
 * - Snappy (the block format of remote-write bodies): compress and
 *   decompress of the large text payload (16 MB, as one block stream) and of
 *   the real node_exporter payload, promwire against snappyjs; MB/s of
 *   uncompressed bytes and the compression ratio.
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
import SnappyJS from 'snappyjs';
import { Entry, Parser, encode, encodeChunks, parse, snappyCompress, snappyDecompress } from '../src/index.js';
import type { Format, MetricFamily } from '../src/index.js';
import { CAN_MEASURE_ALLOC, bytesAllocated, gcIfExposed } from './alloc.js';
import { buildPromClient, pptSamples } from './competitors.js';
import type { PromClientSetup } from './competitors.js';
import { LARGE, SMALL, generatePayload } from './generate.js';
import { buildMetricSet } from './metricset.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------
// Cases

type RowKind = 'promwire' | 'competitor' | 'floor';

interface Case {
  area: 'parse' | 'encode' | 'snappy';
  payload: string;
  row: string;
  kind: RowKind;
  /** Bytes read (parse) or written (encode; set from the first run's output) per run; snappy: uncompressed bytes. */
  bytes: number;
  /** Samples read (parse) or series lines written (encode) per run. */
  samples: number;
  run: () => unknown;
  /** Throws when the result is wrong; returns a note for the table. */
  check: (result: unknown) => string;
  /** Untimed work before each timed run (changing values between encodes). */
  before?: () => void;
  /** For the encoder's chunked path: yields the chunks of one encode. */
  chunks?: () => Iterator<Uint8Array>;
  /** For prom-client: the whole encode, to measure how long it holds the event loop. */
  blocking?: () => Promise<unknown>;
  /** Untimed setup just before the row (building a large model), and its undoing after. */
  prepare?: () => void;
  release?: () => void;
}

interface Result {
  c: Case;
  /** Median ms per run, or null when not timed. */
  ms: number | null;
  runs: number;
  note: string;
  error: string | null;
  allocPerRun: number | null;
  /** Longest gap between two turns of the event loop during the stall runs. */
  stallMs: number | null;
  /** Chunked path: the longest single chunk (synchronous time of one `next()`). */
  chunkMs: number | null;
}

function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

/** The floor: a plain loop over every byte (counting line feeds, so the loop is not optimised away). */
function byteLoop(b: Uint8Array): number {
  let n = 0;
  const len = b.length;
  for (let i = 0; i < len; i++) if (b[i] === 0x0a) n++;
  return n;
}

function countLines(b: Uint8Array): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Sample lines: not blank, not a comment. */
function countSampleLines(b: Uint8Array): number {
  let n = 0;
  let start = 0;
  while (start < b.length) {
    let end = b.indexOf(0x0a, start);
    if (end < 0) end = b.length;
    if (end > start && b[start] !== 0x23) n++;
    start = end + 1;
  }
  return n;
}

/** The pull API's walk: every sample's name, every label name and value, and value. */
function pullWalk(bytes: Uint8Array, format: Format): { samples: number; sum: number } {
  const p = new Parser(bytes, { format });
  let samples = 0;
  let sum = 0;
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    if (e !== Entry.Series) continue;
    sum += p.metricName().length;
    const k = p.labelCount();
    for (let i = 0; i < k; i++) sum += p.labelName(i).length + p.labelValue(i).length;
    const v = p.value();
    if (v === v && v !== Infinity && v !== -Infinity) sum += v;
    samples++;
  }
  return { samples, sum };
}

/** The tokenizer alone: next() over every entry, no accessor (how much of the walk is string making). */
function pullNextOnly(bytes: Uint8Array, format: Format): number {
  const p = new Parser(bytes, { format });
  let samples = 0;
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) if (e === Entry.Series) samples++;
  return samples;
}

function sampleCount(families: MetricFamily[]): number {
  let n = 0;
  for (const f of families) n += f.samples.length;
  return n;
}

function parseCases(
  payload: string,
  bytes: Uint8Array,
  format: Format,
  samples: number,
  families: number | null,
  nextOnly = false,
): Case[] {
  const lines = countLines(bytes);
  const base = { area: 'parse' as const, payload, bytes: bytes.length, samples };
  const cases: Case[] = [
    {
      ...base,
      row: 'promwire pull API',
      kind: 'promwire',
      run: () => pullWalk(bytes, format),
      check: (r) => {
        const got = (r as { samples: number }).samples;
        expect(got === samples, `walked ${got} samples, expected ${samples}`);
        return '';
      },
    },
    {
      ...base,
      row: 'promwire parse()',
      kind: 'promwire',
      run: () => parse(bytes, { format }),
      check: (r) => {
        const fams = r as MetricFamily[];
        expect(sampleCount(fams) === samples, `parse() returned ${sampleCount(fams)} samples, expected ${samples}`);
        if (families !== null) expect(fams.length === families, `parse() returned ${fams.length} families, expected ${families}`);
        return '';
      },
    },
  ];
  if (nextOnly) {
    cases.push({
      ...base,
      row: 'promwire pull API, next() only (no strings)',
      kind: 'promwire',
      run: () => pullNextOnly(bytes, format),
      check: (r) => {
        expect(r === samples, `next() met ${String(r)} samples, expected ${samples}`);
        return 'diagnostic: the walk without accessors';
      },
    });
  }
  if (format === 'text') {
    cases.push({
      ...base,
      row: 'parse-prometheus-text-format',
      kind: 'competitor',
      // It takes a string: the decode is part of its cost, as for its users.
      run: () => pptSamples(new TextDecoder().decode(bytes)),
      check: (r) => {
        const got = r as number;
        return got === samples ? 'all samples' : `${got} of ${samples} samples (${((100 * got) / samples).toFixed(1)}%)`;
      },
    });
  }
  cases.push({
    ...base,
    row: 'floor: byte loop',
    kind: 'floor',
    run: () => byteLoop(bytes),
    check: (r) => {
      expect(r === lines, `counted ${String(r)} line feeds, expected ${lines}`);
      return '';
    },
  });
  return cases;
}

function encodeCases(): Case[] {
  const { model, text } = generatePayload(LARGE);
  const payload = 'large (100k series)';
  const expected = model.samples;
  const checkOutput =
    (format: Format) =>
    (r: unknown): string => {
      const out = r as Uint8Array;
      const fams = parse(out, { format });
      expect(sampleCount(fams) === expected, `the output parses to ${sampleCount(fams)} samples, expected ${expected}`);
      return '';
    };
  const cases: Case[] = [];

  const ms = buildMetricSet(model);
  let round = 0;
  const msOut = ms.set.encode({ format: 'text' });
  cases.push({
    area: 'encode',
    payload,
    row: 'promwire MetricSet.encode() text',
    kind: 'promwire',
    bytes: msOut.length,
    samples: ms.samples,
    before: () => ms.mutate(++round),
    run: () => ms.set.encode({ format: 'text' }),
    check: checkOutput('text'),
    chunks: () => ms.set.encodeChunks({ format: 'text' }),
  });
  const msOm = ms.set.encode({ format: 'openmetrics' });
  cases.push({
    area: 'encode',
    payload,
    row: 'promwire MetricSet.encode() openmetrics',
    kind: 'promwire',
    bytes: msOm.length,
    samples: ms.samples,
    before: () => ms.mutate(++round),
    run: () => ms.set.encode({ format: 'openmetrics' }),
    check: checkOutput('openmetrics'),
    chunks: () => ms.set.encodeChunks({ format: 'openmetrics' }),
  });

  // The parsed model and the prom-client registry are each built just before
  // their row and dropped after it, so that the other rows' garbage
  // collections (and event-loop stalls) do not pay for their heaps.
  let families: MetricFamily[] = [];
  cases.push({
    area: 'encode',
    payload,
    row: 'promwire encode(families) text',
    kind: 'promwire',
    bytes: text.length,
    samples: expected,
    prepare: () => {
      families = parse(text, { format: 'text' });
    },
    release: () => {
      families = [];
    },
    run: () => encode(families, { format: 'text' }),
    check: checkOutput('text'),
    chunks: () => encodeChunks(families, { format: 'text' }),
  });

  let pc: PromClientSetup | null = null;
  let pcRound = 0;
  cases.push({
    area: 'encode',
    payload,
    row: 'prom-client registry.metrics()',
    kind: 'competitor',
    bytes: msOut.length,
    samples: expected,
    prepare: () => {
      pc = buildPromClient(model);
    },
    release: () => {
      pc = null;
    },
    before: () => pc!.mutate(++pcRound),
    run: () => pc!.registry.metrics(),
    check: (r) => {
      const lines = countSampleLines(new TextEncoder().encode(r as string));
      expect(lines === pc!.samples, `wrote ${lines} sample lines, expected ${pc!.samples}`);
      return '';
    },
    blocking: () => pc!.registry.metrics(),
  });

  const target = Buffer.alloc(msOut.length);
  const source = Buffer.from(msOut);
  cases.push({
    area: 'encode',
    payload,
    row: 'floor: Buffer.copy of the output size',
    kind: 'floor',
    bytes: msOut.length,
    samples: expected,
    run: () => source.copy(target),
    check: (r) => {
      expect(r === msOut.length, `copied ${String(r)} bytes`);
      return '';
    },
  });
  return cases;
}

/** Byte-for-byte equality (a check, outside the timed runs). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
  );
}

/**
 * Snappy rows for one payload: compress and decompress, promwire and snappyjs.
 * Each compressor's output is checked by the other implementation's
 * decompressor; each decompressor decodes promwire's stream (the decoders are
 * timed on the same bytes) and must give the payload back.
 */
function snappyCases(payload: string, input: Uint8Array): Case[] {
  const base = { area: 'snappy' as const, payload, bytes: input.length, samples: 0 };
  const stream = snappyCompress(input).slice();
  const streamJs = SnappyJS.compress(input);
  const ratioNote = (c: Uint8Array): string => `${fmt(input.length / c.length, 2)}:1 (${fmt(c.length / MB, 2)} MB)`;
  return [
    {
      ...base,
      row: 'promwire snappyCompress',
      kind: 'promwire',
      run: () => snappyCompress(input),
      check: (r) => {
        const c = r as Uint8Array;
        expect(sameBytes(SnappyJS.uncompress(c), input), 'snappyjs does not decode it to the payload');
        return ratioNote(c);
      },
    },
    {
      ...base,
      row: 'snappyjs compress',
      kind: 'competitor',
      run: () => SnappyJS.compress(input),
      check: (r) => {
        const c = r as Uint8Array;
        expect(sameBytes(snappyDecompress(c), input), 'promwire does not decode it to the payload');
        return ratioNote(c);
      },
    },
    {
      ...base,
      row: 'promwire snappyDecompress',
      kind: 'promwire',
      run: () => snappyDecompress(stream),
      check: (r) => {
        expect(sameBytes(r as Uint8Array, input), 'the output is not the payload');
        return `promwire's stream; snappyjs's stream ${sameBytes(snappyDecompress(streamJs), input) ? 'too' : 'WRONG'}`;
      },
    },
    {
      ...base,
      row: 'snappyjs uncompress',
      kind: 'competitor',
      run: () => SnappyJS.uncompress(stream),
      check: (r) => {
        expect(sameBytes(r as Uint8Array, input), 'the output is not the payload');
        return "promwire's stream";
      },
    },
    {
      ...base,
      row: 'floor: Uint8Array.slice of the payload',
      kind: 'floor',
      run: () => input.slice(),
      check: (r) => {
        expect((r as Uint8Array).length === input.length, 'wrong length');
        return 'a copy: what any compressor or decompressor at least costs';
      },
    },
  ];
}

/** The cases by `Area/case` name (`parse/large text: promwire pull API`), in table order. */
type Cases = Record<string, Case>;

function keyed(list: Case[]): Cases {
  const out: Cases = {};
  for (const c of list) out[`${c.area}/${c.payload}: ${c.row}`] = c;
  return out;
}

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

const MB = 1e6;

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function ratio(a: number, b: number): string {
  const r = a / b;
  return r >= 10 ? `${fmt(r, 0)}x` : `${fmt(r, r >= 1 ? 1 : 2)}x`;
}

function parseTable(results: Result[]): string {
  const out = [
    '| payload | row | MB/s | samples/s | ms | vs parse-prometheus-text-format | vs floor | allocated B per input B | notes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  const payloads = [...new Set(results.map((r) => r.c.payload))];
  for (const p of payloads) {
    const rows = results.filter((r) => r.c.payload === p);
    const comp = rows.find((r) => r.c.kind === 'competitor');
    const floor = rows.find((r) => r.c.kind === 'floor');
    for (const r of rows) {
      if (r.ms === null) {
        out.push(`| ${p} | ${r.c.row} | | | | | | | WRONG: ${r.error} |`);
        continue;
      }
      const mbs = r.c.bytes / MB / (r.ms / 1000);
      const sps = r.c.samples / (r.ms / 1000);
      const vsComp = r.c.kind === 'promwire' && comp?.ms != null ? ratio(comp.ms, r.ms) : '';
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
    '| row | ms | MB/s | series/s | allocated per encode | longest event-loop stall (longest chunk) | vs prom-client |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  const comp = results.find((r) => r.c.kind === 'competitor');
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
    const vs = r.c.kind === 'promwire' && comp?.ms != null ? ratio(comp.ms, r.ms) : '';
    out.push(`| ${r.c.row} | ${fmt(r.ms, 1)} | ${fmt(mbs, 0)} | ${fmt(sps / 1e6, 2)}M | ${alloc} | ${stall} | ${vs} |`);
  }
  return out.join('\n');
}

function snappyTable(results: Result[]): string {
  const out = [
    '| payload | row | MB/s (uncompressed) | ms | vs snappyjs | allocated per run | ratio, notes |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const p = `${r.c.payload} (${fmt(r.c.bytes / MB, 2)} MB)`;
    if (r.ms === null) {
      out.push(`| ${p} | ${r.c.row} | | | | | WRONG: ${r.error} |`);
      continue;
    }
    // The competitor of a promwire row: the snappyjs row doing the same thing on the same payload.
    const verb = r.c.row.endsWith('snappyCompress') ? 'compress' : 'uncompress';
    const comp = results.find((x) => x.c.payload === r.c.payload && x.c.kind === 'competitor' && x.c.row === `snappyjs ${verb}`);
    const vs = r.c.kind === 'promwire' && comp?.ms != null ? ratio(comp.ms, r.ms) : '';
    const alloc = r.allocPerRun === null ? 'n/a' : `${fmt(r.allocPerRun / MB, 1)} MB`;
    out.push(
      `| ${p} | ${r.c.row} | ${fmt(r.c.bytes / MB / (r.ms / 1000), 0)} | ${fmt(r.ms, r.ms < 1 ? 3 : 1)} | ${vs} | ${alloc} | ${r.note} |`,
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// Main

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const onlyIdx = argv.indexOf('--only');
  const only = onlyIdx >= 0 ? argv[onlyIdx + 1] : undefined;
  if (only !== undefined && only !== 'parse' && only !== 'encode' && only !== 'snappy') {
    throw new Error(`--only: expected parse, encode or snappy, got ${JSON.stringify(only)}`);
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
    const cases = keyed([
      ...parseCases('large text', large.text, 'text', large.model.samples, large.model.families.length, true),
      ...parseCases('large openmetrics', large.openmetrics, 'openmetrics', large.model.samples, large.model.families.length, true),
      ...parseCases('small text', small.text, 'text', small.model.samples, small.model.families.length),
      ...parseCases('node_exporter', node, 'text', countSampleLines(node), null),
    ]);
    const results: Result[] = [];
    for (const [name, c] of Object.entries(cases)) {
      log(name);
      results.push(await measure(c, s));
    }
    tables.push(`\n### Parser\n\n${parseTable(results)}`);
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
  tables.push(`\n(${fmt((performance.now() - t0) / 1000, 0)} s)`);
  console.log(tables.join('\n'));
}

await main(process.argv.slice(2));
