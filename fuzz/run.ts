/**
 * promwire's fuzzer: `npm run fuzz [-- --seconds N] [--seed S] [--workers N]`.
 *
 * Mutates a seed corpus (fixtures/, fuzz/corpus/, the OpenMetrics suite in
 * ../shared/conformance when present, a small generated payload in both
 * formats, protobuf seeds) and runs the parser on every input in every format (see
 * fuzz/target.ts for what runs and what counts as a finding). jazzer.js does
 * not load here, so this is a plain mutation fuzzer, structure-aware through
 * its dictionary and line-level mutations.
 *
 * The inputs run in a worker thread; the main thread is a watchdog. Before
 * each input the worker copies it into shared memory, so when an input hangs
 * (a synchronous loop that never ends) or exhausts the worker's heap, the
 * watchdog still has it: it saves it, ends the worker and starts another at
 * the next input.
 *
 * Each finding is minimised (bytes removed while the same failure remains,
 * for a few seconds at most) and saved as fuzz/findings/<hash>.bin with a
 * <hash>.txt beside it (kind, message, stack, seed and iteration). Input
 * number i of a run is a pure function of (seed, i), so `--seed S` repeats a
 * run exactly and `--replay FILE` runs one saved input again.
 *
 * Options:
 *   --seconds N       time budget (default 60)
 *   --iterations N    stop after N inputs instead (deterministic count)
 *   --seed S          PRNG seed (default: random, printed)
 *   --workers N       worker threads, inputs shared round-robin (default 1)
 *   --timeout-ms N    an input slower than this is a finding `slow` (default 2000: a
 *                     256 KB input of bad lines takes about 1 s in lenient mode, one
 *                     PromwireError per line); one still running after 10x this is a `hang`
 *   --stream-every N  run the chunked parseStream check on every Nth input (default 8)
 *   --roundtrip       also check that every input that parses survives encode() and parse() (issue 3)
 *   --findings DIR    where to save findings (default fuzz/findings)
 *   --replay FILE...  run saved inputs again and print what happens
 *   --recheck         replay every .bin in the findings folder; exit 1 if any still fails
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../bench/generate.js';
import { MAX_INPUT, inputSeed, makeInput } from './mutate.js';
import { ROOT, loadCorpus, referencePayloads } from './seeds.js';
import { FORMATS, StateCheck, execStream, execSync } from './target.js';
import type { Finding, FindingKind } from './target.js';

// ---------------------------------------------------------------------------
// Shared memory between the watchdog and a worker

const C_STOP = 0;
const C_ITER = 1;
const C_EXECS = 2;
const C_LEN = 3;
const C_BUSY = 4;
const CTRL_INTS = 8;

interface WorkerInit {
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
  seed: number;
  start: number;
  step: number;
  end: number;
  timeoutMs: number;
  streamEvery: number;
  roundtrip: boolean;
}

type WorkerMessage =
  | { t: 'finding'; finding: Finding; input: Uint8Array; original: number; iteration: number; cuts: number[] | null }
  | { t: 'codes'; format: string; code: string }
  | { t: 'done' };

// ---------------------------------------------------------------------------
// Minimising

/** Removes bytes while `same(candidate)` holds: chunks of half, quarter, ... down to one byte. */
async function minimize(input: Uint8Array, same: (b: Uint8Array) => boolean | Promise<boolean>, budgetMs: number): Promise<Uint8Array> {
  const deadline = performance.now() + budgetMs;
  let cur = input;
  for (let size = cur.length >> 1; size >= 1; size = size >> 1) {
    let changed = true;
    while (changed) {
      changed = false;
      for (let at = 0; at + size <= cur.length; ) {
        if (performance.now() > deadline) return cur;
        const cand = new Uint8Array(cur.length - size);
        cand.set(cur.subarray(0, at), 0);
        cand.set(cur.subarray(at + size), at);
        if (await same(cand)) {
          cur = cand;
          changed = true;
        } else {
          at += size;
        }
      }
    }
  }
  return cur;
}

// ---------------------------------------------------------------------------
// Worker: runs inputs

async function workerMain(init: WorkerInit): Promise<void> {
  const ctrl = new Int32Array(init.ctrl);
  const data = new Uint8Array(init.data);
  const corpus = loadCorpus();
  const state = new StateCheck(referencePayloads());
  const seenCodes = new Set<string>();
  /** Findings per signature in this worker: only the first two are minimised (the runner saves two). */
  const seenFindings = new Map<string, number>();
  const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
  let sinceState = 0;

  for (let i = init.start; i < init.end; i += init.step) {
    if (Atomics.load(ctrl, C_STOP) === 1) break;
    const input = makeInput(corpus, init.seed, i);
    data.set(input, 0);
    Atomics.store(ctrl, C_LEN, input.length);
    Atomics.store(ctrl, C_ITER, i);
    Atomics.store(ctrl, C_BUSY, 1);
    const t0 = performance.now();
    const out = execSync(input, input.length <= 16384 || i % 8 === 1, init.roundtrip);
    let found: Finding | null = out.finding;
    let cuts: number[] | null = null;
    if (found === null && init.streamEvery > 0 && i % init.streamEvery === 0) {
      found = await execStream(input, new Rng(inputSeed(init.seed ^ 0x5eed, i)));
      if (found !== null) cuts = [];
    }
    const ms = performance.now() - t0;
    Atomics.add(ctrl, C_EXECS, 1);
    for (let k = 0; k < out.codes.length; k++) {
      const key = `${k}:${out.codes[k]}`;
      if (!seenCodes.has(key)) {
        seenCodes.add(key);
        post({ t: 'codes', format: FORMATS[k]!, code: out.codes[k] === '' ? '(parsed)' : out.codes[k]! });
      }
    }
    if (found === null && ms > init.timeoutMs) {
      found = {
        kind: 'slow',
        format: '',
        via: 'all',
        message: `one input took ${ms.toFixed(0)} ms (budget ${init.timeoutMs} ms) for ${input.length} bytes`,
        stack: '',
        signature: `slow|${Math.round(Math.log2(input.length + 1))}`,
      };
    }
    // After an error, now and then, check that a valid payload still parses the same.
    if (found === null && out.codes.some((c) => c !== '') && ++sinceState >= 16) {
      sinceState = 0;
      found = state.check();
    }
    if (found !== null) {
      let min = input;
      const sig = found.signature;
      const seen = (seenFindings.get(sig) ?? 0) + 1;
      seenFindings.set(sig, seen);
      if (seen <= 2 && found.kind !== 'slow' && found.kind !== 'state' && found.kind !== 'stream-vs-parse') {
        min = await minimize(input, (b) => execSync(b, true, init.roundtrip).finding?.signature === sig, 3000);
      }
      post({ t: 'finding', finding: found, input: min, original: input.length, iteration: i, cuts });
    }
    // Busy until here: a candidate that hangs while minimising still leaves the original input for the watchdog.
    Atomics.store(ctrl, C_BUSY, 0);
  }
  post({ t: 'done' });
}

// ---------------------------------------------------------------------------
// Main: watchdog, findings, report

/**
 * The worker's entry: tsx's loader hooks do not carry over into worker
 * threads, so a tiny ESM bootstrap registers them and then imports this
 * file, which sees `isMainThread === false`.
 */
function bootUrl(): URL {
  if (import.meta.url.endsWith('.js')) return new URL(import.meta.url);
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(import.meta.url)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function numArg(argv: string[], name: string, dflt: number): number {
  const v = arg(argv, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: expected a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

function hashOf(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 16);
}

interface Saved {
  file: string;
  finding: Finding;
  iteration: number;
  size: number;
  original: number;
}

class FindingStore {
  readonly bySignature = new Map<string, { count: number; saved: Saved[] }>();
  constructor(
    private readonly dir: string,
    private readonly seed: number,
  ) {}

  add(finding: Finding, input: Uint8Array, iteration: number, original: number, extra = ''): void {
    let entry = this.bySignature.get(finding.signature);
    if (entry === undefined) {
      entry = { count: 0, saved: [] };
      this.bySignature.set(finding.signature, entry);
    }
    entry.count++;
    // Keep two inputs per distinct failure: the first says what, the second that it is not a one-off.
    if (entry.saved.length >= 2) return;
    mkdirSync(this.dir, { recursive: true });
    const h = hashOf(input);
    const file = join(this.dir, `${h}.bin`);
    writeFileSync(file, input);
    writeFileSync(
      join(this.dir, `${h}.txt`),
      [
        `kind: ${finding.kind}`,
        `format: ${finding.format || '(both)'}`,
        `via: ${finding.via}`,
        `seed: ${this.seed}`,
        `iteration: ${iteration}`,
        `size: ${input.length} bytes (minimised from ${original})`,
        `signature: ${finding.signature}`,
        `message: ${finding.message}`,
        extra,
        `input (JSON string): ${JSON.stringify(new TextDecoder().decode(input)).slice(0, 2000)}`,
        '',
        finding.stack,
        '',
      ].join('\n'),
    );
    const saved = { file, finding, iteration, size: input.length, original };
    entry.saved.push(saved);
    console.log(`FINDING ${finding.kind} (${finding.via}, ${finding.format || 'both'}): ${finding.message.split('\n')[0]!.slice(0, 160)}`);
    console.log(`  saved ${relative(process.cwd(), file)} (${input.length} bytes)`);
  }

  total(): number {
    let n = 0;
    for (const e of this.bySignature.values()) n += e.count;
    return n;
  }
}

async function runFuzz(argv: string[]): Promise<number> {
  const seconds = numArg(argv, '--seconds', 60);
  const iterations = numArg(argv, '--iterations', Infinity);
  const seed = arg(argv, '--seed') !== undefined ? numArg(argv, '--seed', 0) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const workers = Math.max(1, Math.floor(numArg(argv, '--workers', 1)));
  const timeoutMs = numArg(argv, '--timeout-ms', 2000);
  const streamEvery = Math.floor(numArg(argv, '--stream-every', 8));
  const roundtrip = argv.includes('--roundtrip');
  const dir = resolve(arg(argv, '--findings') ?? join(ROOT, 'fuzz/findings'));
  const hangMs = timeoutMs * 10;

  const corpus = loadCorpus();
  const store = new FindingStore(dir, seed);
  const codes = new Map<string, Set<string>>(FORMATS.map((f) => [f, new Set<string>()]));
  console.log(
    `promwire fuzz: seed ${seed}, ${seconds === Infinity ? '' : `${seconds} s, `}${iterations === Infinity ? '' : `${iterations} inputs, `}` +
      `${workers} worker(s), ${corpus.length} seeds, findings in ${relative(process.cwd(), dir) || '.'}`,
  );

  const deadline = performance.now() + seconds * 1000;
  const end = iterations === Infinity ? Number.MAX_SAFE_INTEGER : iterations;
  let execsBefore = 0; // executions of workers that were replaced
  const slots: {
    ctrl: Int32Array;
    data: Uint8Array;
    worker: Worker;
    done: boolean;
    lastIter: number;
    since: number;
    step: number;
    w: number;
  }[] = [];

  let fatal = false;
  const start = (w: number, from: number): void => {
    const ctrlBuf = new SharedArrayBuffer(CTRL_INTS * 4);
    const dataBuf = new SharedArrayBuffer(MAX_INPUT + 64);
    const init: WorkerInit = { ctrl: ctrlBuf, data: dataBuf, seed, start: from, step: workers, end, timeoutMs, streamEvery, roundtrip };
    const worker = new Worker(bootUrl(), {
      workerData: init,
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    const slot = {
      ctrl: new Int32Array(ctrlBuf),
      data: new Uint8Array(dataBuf),
      worker,
      done: false,
      lastIter: -1,
      since: performance.now(),
      step: workers,
      w,
    };
    slots[w] = slot;
    worker.on('message', (m: WorkerMessage) => {
      if (m.t === 'finding') {
        const extra = m.cuts !== null ? 'stream: random chunk splits (replay with the same --seed and iteration to repeat them)' : '';
        store.add(m.finding, m.input, m.iteration, m.original, extra);
      } else if (m.t === 'codes') {
        codes.get(m.format)?.add(m.code);
      } else {
        slot.done = true;
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (slot.done || slots[w] !== slot) return;
      if (Atomics.load(slot.ctrl, C_BUSY) === 0) {
        // Not while running an input: the fuzzer itself is broken (a bad import, a setup error).
        console.error(`the fuzz worker failed outside any input: ${e.stack ?? e.message}`);
        fatal = true;
        slot.done = true;
        for (const s of slots) Atomics.store(s.ctrl, C_STOP, 1);
        return;
      }
      const iter = Atomics.load(slot.ctrl, C_ITER);
      const input = slot.data.slice(0, Atomics.load(slot.ctrl, C_LEN));
      const kind: FindingKind = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crash';
      store.add(
        {
          kind,
          format: '',
          via: 'worker',
          message: `the worker died: ${e.message}`,
          stack: e.stack ?? '',
          signature: `${kind}|worker|${e.code ?? e.name}`,
        },
        input,
        iter,
        input.length,
      );
      execsBefore += Atomics.load(slot.ctrl, C_EXECS);
      slot.done = true;
      start(w, iter + workers);
    });
  };
  for (let w = 0; w < workers; w++) start(w, w);

  const t0 = performance.now();
  let lastReport = t0;
  const execs = (): number => execsBefore + slots.reduce((a, s) => a + Atomics.load(s.ctrl, C_EXECS), 0);
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = performance.now();
    if (now >= deadline) for (const s of slots) Atomics.store(s.ctrl, C_STOP, 1);
    for (const s of slots) {
      if (s.done) continue;
      const iter = Atomics.load(s.ctrl, C_ITER);
      if (iter !== s.lastIter || Atomics.load(s.ctrl, C_BUSY) === 0) {
        s.lastIter = iter;
        s.since = now;
      } else if (now - s.since > hangMs) {
        // The same input has been running for 10x the time budget: a hang.
        const input = s.data.slice(0, Atomics.load(s.ctrl, C_LEN));
        store.add(
          {
            kind: 'hang',
            format: '',
            via: 'all',
            message: `one input ran for more than ${hangMs} ms (${input.length} bytes)`,
            stack: '',
            signature: 'hang',
          },
          input,
          iter,
          input.length,
        );
        execsBefore += Atomics.load(s.ctrl, C_EXECS);
        s.done = true;
        await s.worker.terminate();
        if (now < deadline) start(s.w, iter + workers);
      }
    }
    if (now - lastReport >= 10_000) {
      lastReport = now;
      const n = execs();
      console.log(
        `[${((now - t0) / 1000).toFixed(0).padStart(4)} s] ${n} inputs, ${Math.round(n / ((now - t0) / 1000))}/s, ` +
          `${store.total()} findings, codes seen: ${FORMATS.map((f) => `${f} ${codes.get(f)!.size}`).join(', ')}`,
      );
    }
    if (slots.every((s) => s.done)) break;
    if (now > deadline + hangMs + 5000) {
      // A worker ignoring the stop flag for this long is stuck; the hang check above has saved its input.
      for (const s of slots) if (!s.done) await s.worker.terminate();
      break;
    }
  }
  for (const s of slots) await s.worker.terminate();

  const elapsed = (performance.now() - t0) / 1000;
  const n = execs();
  const runsPerInput = 3 * FORMATS.length; // each format x (strict parse, pull walk, lenient parse; lenient on inputs <= 16 KB and every 8th larger one)
  console.log('');
  console.log(`seed ${seed}: ${n} inputs in ${elapsed.toFixed(1)} s = ${Math.round(n / elapsed)} inputs/s`);
  console.log(
    `  parser executions: ${n * runsPerInput} (+ chunked parseStream in every format on every ${streamEvery}th input) = ${Math.round((n * runsPerInput) / elapsed)}/s`,
  );
  for (const [format, set] of codes) {
    console.log(`  ${format}: ${set.size} outcomes seen: ${[...set].sort().join(', ')}`);
  }
  const total = store.total();
  console.log(`  findings: ${total} (${store.bySignature.size} distinct)`);
  for (const [sig, e] of store.bySignature) {
    console.log(`    ${e.count}x ${sig}`);
    for (const s of e.saved) console.log(`       ${relative(process.cwd(), s.file)}: ${s.finding.message.split('\n')[0]!.slice(0, 200)}`);
  }
  if (fatal) return 2;
  return total === 0 ? 0 : 1;
}

/** Runs saved inputs again (`--replay FILE...`, or `--recheck` for the whole findings folder). */
async function replay(files: string[]): Promise<number> {
  let failing = 0;
  for (const file of files) {
    const input = new Uint8Array(readFileSync(file));
    const t0 = performance.now();
    const out = execSync(input);
    let f = out.finding;
    // Stream findings depend on the chunk splits: try a number of them.
    for (let k = 0; f === null && k < 32; k++) f = await execStream(input, new Rng(k + 1));
    const ms = performance.now() - t0;
    const codes = out.codes.map((c, i) => `${FORMATS[i]}: ${c === '' ? 'parsed' : c}`).join(', ');
    if (f === null) {
      console.log(`ok    ${file} (${input.length} bytes, ${ms.toFixed(1)} ms; ${codes})`);
    } else {
      failing++;
      console.log(`FAILS ${file} (${input.length} bytes): ${f.kind} via ${f.via} ${f.format}: ${f.message}`);
      if (f.stack !== '')
        console.log(
          f.stack
            .split('\n')
            .slice(0, 8)
            .map((l) => `      ${l}`)
            .join('\n'),
        );
    }
  }
  console.log(`${files.length - failing} passed, ${failing} failed`);
  return failing === 0 ? 0 : 1;
}

if (!isMainThread) {
  await workerMain(workerData as WorkerInit);
} else if (/run\.[jt]s$/.test(process.argv[1] ?? '')) {
  const argv = process.argv.slice(2);
  let code: number;
  if (argv.includes('--replay')) {
    code = await replay(argv.slice(argv.indexOf('--replay') + 1).filter((a) => !a.startsWith('--')));
  } else if (argv.includes('--recheck')) {
    const dir = resolve(arg(argv, '--findings') ?? join(ROOT, 'fuzz/findings'));
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.bin'))
          .sort()
          .map((f) => join(dir, f))
      : [];
    code = await replay(files);
  } else {
    code = await runFuzz(argv);
  }
  process.exitCode = code;
}
