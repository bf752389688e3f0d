/**
 * `observe()` per second: a MetricSet native histogram against a classic one
 * and against prom-client's histogram, and MetricSet summaries (with and
 * without quantiles) against prom-client's, on the same values
 * (latency-like: log-uniform from 1 ms to 10 s, fixed seed), and the bytes
 * one observe allocates once warm. Then what quantiles add to a summary's
 * encode (summaryEncodeTable).
 *
 *   npm run bench -- --only observe
 *
 * Each run observes a block of 4096 values into one series handle.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Histogram as PromClientHistogram, Registry, Summary as PromClientSummary } from 'prom-client';
import { Bench } from 'tinybench';
import { MetricSet } from '../src/index.js';
import { bytesAllocated, CAN_MEASURE_ALLOC, gcIfExposed } from './alloc.js';

const N = 4096;
const values = new Float64Array(N);
let seed = 42;
for (let i = 0; i < N; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  values[i] = 10 ** (-3 + (4 * seed) / 2 ** 32);
}

type Observer = { observe(v: number): void };

/** prom-client's default summary percentiles. */
const PROM_CLIENT_PERCENTILES = [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999];
/** The histogram rows come first; the summary rows are the last SUMMARY_ROWS cases. */
const SUMMARY_ROWS = 5;

/**
 * A loop of its own per case: one shared loop would see six receivers at
 * its `o.observe` call, go megamorphic and box every double it passes,
 * which would measure the call site, not the histograms (a user's call
 * site sees one histogram). Measured: classic 141 M/s in its own loop,
 * 54 M/s in a shared one.
 */
function makeRun(): (o: Observer) => void {
  return new Function('values', 'N', 'return (o) => { for (let i = 0; i < N; i++) o.observe(values[i]); };')(values, N);
}

/** The cases, built fresh in the process that measures one of them. */
function buildCases(): { set: MetricSet; cases: Array<[string, Observer]> } {
  const set = new MetricSet();
  const cases: Array<[string, Observer]> = [
    ['promwire classic (DefBuckets, 11 bounds)', set.histogram({ name: 'classic', help: '' }).labels({})],
    ['promwire native (factor 1.1: schema 3)', set.histogram({ name: 'native3', help: '', native: { bucketFactor: 1.1 } }).labels({})],
    ['promwire native schema 8 (factor 1.001)', set.histogram({ name: 'native8', help: '', native: { bucketFactor: 1.001 } }).labels({})],
    [
      'promwire native, maxBuckets 100, minResetDuration 1h (at the limit)',
      set
        .histogram({ name: 'native_lim', help: '', native: { bucketFactor: 1.001, maxBuckets: 100, minResetDuration: 3_600_000 } })
        .labels({}),
    ],
    [
      'promwire native + classic (DefBuckets)',
      set
        .histogram({
          name: 'both',
          help: '',
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          native: { bucketFactor: 1.1 },
        })
        .labels({}),
    ],
    ['prom-client classic (DefBuckets)', new PromClientHistogram({ name: 'pc', help: 'h', registers: [new Registry()] })],
    // Summaries: the rows of SUMMARY_ROWS, in this order.
    ['promwire summary, no quantiles (_sum, _count)', set.summary({ name: 'sum_only', help: '' }).labels({})],
    [
      'promwire summary, client_golang DefObjectives {0.5: 0.05, 0.9: 0.01, 0.99: 0.001}, 10 min / 5 age buckets',
      set.summary({ name: 'sum_golang', help: '', objectives: { 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 } }).labels({}),
    ],
    [
      "promwire summary, prom-client's 7 percentiles (default errors), 10 min / 5 age buckets",
      set.summary({ name: 'sum_pc7', help: '', quantiles: PROM_CLIENT_PERCENTILES }).labels({}),
    ],
    [
      'prom-client summary, 7 percentiles (its default: no window)',
      new PromClientSummary({ name: 'pcs', help: 'h', registers: [new Registry()] }),
    ],
    [
      'prom-client summary, 7 percentiles, maxAgeSeconds 600, ageBuckets 5',
      new PromClientSummary({ name: 'pcs_w', help: 'h', maxAgeSeconds: 600, ageBuckets: 5, registers: [new Registry()] }),
    ],
  ];

  return { set, cases };
}

interface CaseResult {
  perSec: number;
  /** Bytes per observe once warm, or null without --expose-gc. */
  alloc: number | null;
  note: string;
}

/** Measures case `index` in this process (the child's side). */
async function measureOne(index: number, quick: boolean): Promise<CaseResult> {
  const { set, cases } = buildCases();
  const [name, o] = cases[index]!;
  const run = makeRun();
  const job = (): void => run(o);
  const bench = new Bench({ time: quick ? 200 : 1500, warmupTime: quick ? 50 : 300, setup: () => gcIfExposed() });
  bench.add(name, job);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`${name}: ${r.state}`);
  // The first allocation measurement of a process reads high (warm-up of the probe itself): take one first.
  if (CAN_MEASURE_ALLOC) await bytesAllocated(() => 0, 2);
  const alloc = CAN_MEASURE_ALLOC ? (await bytesAllocated(job, 5)) / N : null;
  const lim = set.get('native_lim') as { labels(l: object): { nativeSnapshot(): { schema: number } } } | undefined;
  const note = name.includes('at the limit') && lim !== undefined ? `ended at schema ${lim.labels({}).nativeSnapshot().schema}` : '';
  return { perSec: (N / r.latency.p50) * 1000, alloc, note };
}

/**
 * The observe() table. Each case runs in a process of its own: in one
 * process, the JIT feedback of one histogram's call sites (prom-client's
 * above all) changes how V8 compiles the next one's, and the rows would
 * measure their order, not the histograms (measured: native 2x classic
 * alone, 4x after prom-client ran in the same process).
 */
export async function observeTable(quick: boolean): Promise<string> {
  const names = buildCases().cases.map(([n]) => n);
  const results: CaseResult[] = [];
  for (let i = 0; i < names.length; i++) results.push(await inChild(i, quick));
  const first = names.length - SUMMARY_ROWS;
  const alloc = (r: CaseResult) => (r.alloc === null ? 'n/a (--expose-gc)' : r.alloc.toFixed(2));
  const out = [
    '| observe() (one process per row) | per second | time vs promwire classic | bytes per observe (warm) | notes |',
    '| --- | --- | --- | --- | --- |',
  ];
  const classic = results[0]!.perSec;
  for (let i = 0; i < first; i++) {
    const r = results[i]!;
    out.push(`| ${names[i]} | ${(r.perSec / 1e6).toFixed(1)} M/s | ${(classic / r.perSec).toFixed(2)}x | ${alloc(r)} | ${r.note} |`);
  }
  // Summaries: each promwire row against the prom-client row with the same quantiles (its windowed one).
  const pcWindowed = results[first + 4]!.perSec;
  out.push(
    '',
    '| summary observe() (one process per row) | per second | prom-client windowed (7 percentiles) time / this time | bytes per observe (warm) |',
    '| --- | --- | --- | --- |',
  );
  for (let i = first; i < names.length; i++) {
    const r = results[i]!;
    out.push(`| ${names[i]} | ${(r.perSec / 1e6).toFixed(2)} M/s | ${(r.perSec / pcWindowed).toFixed(1)}x | ${alloc(r)} |`);
  }
  return out.join('\n');
}

/**
 * What quantiles cost an encode: 200 labelled summary series with 2,000
 * observations each, encoded as text, without quantiles, with client_golang's
 * DefObjectives when nothing was observed since the last encode (the values
 * read last time are kept), and after 10 new observations per series (each
 * series merges its buffer into its 5 streams and queries the head), with
 * prom-client's `registry.metrics()` of the same summaries (7 percentiles,
 * windowed) in the same run.
 */
export async function summaryEncodeTable(quick: boolean): Promise<string> {
  const SERIES = 200;
  const PER = 2000;
  const build = (objectives: Record<number, number> | undefined) => {
    const set = new MetricSet();
    const m = set.summary({ name: 'rpc_seconds', help: 'RPC.', labelNames: ['id'], ...(objectives ? { objectives } : {}) });
    const handles = [];
    for (let i = 0; i < SERIES; i++) {
      const h = m.labels({ id: String(i) });
      for (let j = 0; j < PER; j++) h.observe(values[(i * 7 + j) % N]!);
      handles.push(h);
    }
    return { set, handles };
  };
  const plain = build(undefined);
  const golang = build({ 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 });
  const fresh = build({ 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 });
  // The same values given with set(): the cost of writing three more numbers per series, no estimator.
  const bridged = build({ 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 });
  for (let i = 0; i < SERIES; i++) bridged.handles[i]!.set({ quantiles: golang.handles[i]!.quantileValues() });
  const reg = new Registry();
  const pc = new PromClientSummary({
    name: 'rpc_seconds',
    help: 'RPC.',
    labelNames: ['id'],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [reg],
  });
  for (let i = 0; i < SERIES; i++) for (let j = 0; j < PER; j++) pc.observe({ id: String(i) }, values[(i * 7 + j) % N]!);
  let round = 0;
  const rows: Array<[string, () => unknown, boolean]> = [
    ['summary without quantiles', () => plain.set.encode(), false],
    ['the same quantile values from set() (no estimator)', () => bridged.set.encode(), false],
    ['DefObjectives, nothing observed since the last encode', () => golang.set.encode(), false],
    [
      'DefObjectives, 10 observations per series since the last encode (timed with them)',
      () => {
        round++;
        for (const h of fresh.handles) for (let k = 0; k < 10; k++) h.observe(values[(round * 10 + k) % N]!);
        return fresh.set.encode();
      },
      false,
    ],
    [
      'the 10 observations per series alone',
      () => {
        round++;
        for (const h of fresh.handles) for (let k = 0; k < 10; k++) h.observe(values[(round * 10 + k) % N]!);
      },
      false,
    ],
    ['prom-client registry.metrics(), 7 percentiles, windowed', () => reg.metrics(), true],
  ];
  // Each result checked once: every series' 0.99 line is a number.
  const text = new TextDecoder().decode(golang.set.encode());
  if ((text.match(/quantile="0.99"} \d/g) ?? []).length !== SERIES) throw new Error('summary encode: expected a value on every 0.99 line');
  const bench = new Bench({ time: quick ? 200 : 1500, warmupTime: quick ? 50 : 300 });
  for (const [name, run, isAsync] of rows) bench.add(name, run, { async: isAsync });
  await bench.run();
  const p50s = bench.tasks.map((t) => {
    const r = t.result;
    if (r.state !== 'completed') throw new Error(`${t.name}: ${r.state}`);
    return r.latency.p50;
  });
  const base = p50s[0]!;
  const out = [`| encode() of ${SERIES} summary series (text) | time per encode | vs without quantiles |`, '| --- | --- | --- |'];
  bench.tasks.forEach((t, i) => {
    const p50 = p50s[i]!;
    out.push(`| ${t.name} | ${p50 >= 1 ? `${p50.toFixed(2)} ms` : `${(p50 * 1000).toFixed(0)} µs`} | ${(p50 / base).toFixed(2)}x |`);
  });
  return out.join('\n');
}

function inChild(index: number, quick: boolean): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, PROMWIRE_OBSERVE_CASE: String(index), PROMWIRE_OBSERVE_QUICK: quick ? '1' : '' },
      execArgv: process.execArgv,
    });
    let got: CaseResult | undefined;
    child.on('message', (m) => {
      got = m as CaseResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => (got !== undefined ? resolve(got) : reject(new Error(`observe case ${index} exited with ${code}`))));
  });
}

const childCase = process.env.PROMWIRE_OBSERVE_CASE;
if (childCase !== undefined && process.send !== undefined) {
  const res = await measureOne(Number(childCase), process.env.PROMWIRE_OBSERVE_QUICK === '1');
  process.send(res, () => process.exit(0));
}
