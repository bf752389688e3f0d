/**
 * `observe()` per second: a MetricSet native histogram against a classic one
 * and against prom-client's histogram, on the same values (latency-like:
 * log-uniform from 1 ms to 10 s, fixed seed), and the bytes one observe
 * allocates once warm.
 *
 *   npm run bench -- --only observe
 *
 * Each run observes a block of 4096 values into one series handle.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Histogram as PromClientHistogram, Registry } from 'prom-client';
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
  const rows: string[][] = [];
  let classic = 0;
  for (let i = 0; i < names.length; i++) {
    const res = await inChild(i, quick);
    if (classic === 0) classic = res.perSec;
    const alloc = res.alloc === null ? 'n/a (--expose-gc)' : res.alloc.toFixed(2);
    rows.push([names[i]!, `${(res.perSec / 1e6).toFixed(1)} M/s`, `${(classic / res.perSec).toFixed(2)}x`, alloc, res.note]);
  }
  const out = [
    '| observe() (one process per row) | per second | time vs promwire classic | bytes per observe (warm) | notes |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) out.push(`| ${r.join(' | ')} |`);
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
