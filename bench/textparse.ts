/**
 * The "Prometheus 3.5" rows of `npm run bench`: Prometheus' own exposition
 * parsers (model/textparse: PromParser, OpenMetricsParser, ProtobufParser)
 * run by bench/go/textparse over the same bytes as promwire's pull API and
 * `parse()`, CPU time per parse, ratios printed.
 *
 * Why CPU time and not the tinybench medians of the other tables: the Go
 * program runs in its own process, and Go's garbage collector works on other
 * cores beside the parse, so wall time would flatter it on an idle machine
 * and punish it on a busy one. Both sides are measured alike: process CPU
 * (user + system, every thread: Go's GC workers, V8's helper threads) over
 * N parses after one untimed parse, divided by N, each side in a process of
 * its own that reads the payload from the same file (bench/textparse-child.ts
 * for promwire: not the bench's own process, whose heap holds every
 * generated payload and model); rounds alternate Go and JavaScript so that a
 * change in machine load falls on both, and the table shows each row's
 * median round.
 *
 * Needs Debian sid's Go 1.26 and the Prometheus 3.5.3 sources, fetched by
 * `bash .ci/sid-tools.sh` into $PROMWIRE_TOOLS (default
 * /var/cache/promwire-tools); without them the rows are skipped with a note.
 * The program is built in GOPATH mode once per source and tool version,
 * into $TMPDIR/promwire-go (as test/integration/helpers.ts goProgram()).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Format } from '../src/index.js';
import { generatePayload, LARGE } from './generate.js';
import { largeProtobuf } from './protobuf.js';
import { fmt, MB, median, ratio } from './table.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'go', 'textparse');
const TOOLS = process.env['PROMWIRE_TOOLS'] ?? '/var/cache/promwire-tools';
const HOW_TO_GET =
  "run 'bash .ci/sid-tools.sh' (fetches Go 1.26 and the Prometheus 3.5.3 sources from Debian sid; PROMWIRE_TOOLS names another folder)";

/** The built program, or why it cannot be had. */
function buildProgram(): { file: string } | { skip: string } {
  const go = join(TOOLS, 'bin', 'go');
  const versions = [join(TOOLS, 'go', 'VERSIONS'), join(TOOLS, 'go', 'VERSIONS-textparse')];
  if (!existsSync(go)) return { skip: `${go} is missing: ${HOW_TO_GET}` };
  for (const v of versions) if (!existsSync(v)) return { skip: `${v} is missing: ${HOW_TO_GET}` };
  const hash = createHash('sha256');
  for (const v of versions) hash.update(readFileSync(v));
  hash.update(readFileSync(join(SOURCE, 'main.go')));
  const outDir = join(tmpdir(), 'promwire-go');
  const out = join(outDir, `textparse-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(out)) return { file: out };
  mkdirSync(outDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(go, ['build', '-o', tmp, '.'], { cwd: SOURCE, stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0] ?? String(e);
    return { skip: `building bench/go/textparse failed (${stderr}): ${HOW_TO_GET}` };
  }
  renameSync(tmp, out);
  return { file: out };
}

interface GoResult {
  series: number;
  histograms: number;
  cpuNsPerParse: number;
  allocBytesPerParse: number;
}

function runGo(program: string, format: Format, file: string, n: number): GoResult {
  const out = execFileSync(program, ['-format', format, '-n', String(n), file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as GoResult;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'textparse-child.ts');

interface JsResult {
  samples: number;
  cpuNsPerParse: number;
  allocBytesPerParse: number | null;
}

/** promwire's row `row` over `file`, in a process of its own (bench/textparse-child.ts). */
function runJs(row: 'walk' | 'parse', format: Format, file: string, n: number, modes: string[] = []): JsResult {
  const args = ['--expose-gc', '--import', 'tsx', CHILD, format, file, String(n), row, ...modes];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as JsResult;
}

/** A row of promwire's: bench/textparse-child.ts's ROW and MODEs. */
interface JsRowSpec {
  row: string;
  what: string;
  child: 'walk' | 'parse';
  modes?: string[];
  /** The text scanner's diagnostics, which protobuf payloads do not go through. */
  textOnly?: true;
}

/** promwire's rows, in table order (after Prometheus'). */
const JS_ROWS: JsRowSpec[] = [
  {
    row: 'promwire pull API',
    what: "next() over every entry; every sample's name, label names and values, value, timestamp; help, type, unit",
    child: 'walk',
  },
  {
    row: 'promwire pull API, a full GC before each parse',
    what: 'the same walk, each parse after a gc() (outside the timing), as between two scrapes: the optimised code must survive it',
    child: 'walk',
    modes: ['gc-each'],
  },
  {
    row: 'diagnostic: the same, kept parsers released',
    what: "what core/keep-shape.ts prevents: V8 frees the dead parsers' maps at the GC and throws their optimised code away",
    child: 'walk',
    modes: ['gc-each', 'release-shapes'],
  },
  {
    row: 'diagnostic: pull API, tokens not compared with the previous line',
    what: 'what Scanner.sameBytes gains: every token scanned, every string made (text and OpenMetrics; protobuf has its own caches)',
    child: 'walk',
    modes: ['no-compare'],
    textOnly: true,
  },
  {
    row: 'diagnostic: pull API, UTF-8 checked per range',
    what: 'what Scanner.wholeUtf8 gains: each non-ASCII name, value and help text checked on its own instead of the whole buffer once (buffer.isUtf8)',
    child: 'walk',
    modes: ['no-whole-utf8'],
    textOnly: true,
  },
  {
    row: 'promwire parse()',
    what: 'families: every sample as an object with its labels, as returned to the user',
    child: 'parse',
  },
];

interface Row {
  row: string;
  what: string;
  cpuMs: number[];
  allocPerByte: number | null;
  error: string | null;
}

function makeRow(row: string, what: string): Row {
  return { row, what, cpuMs: [], allocPerByte: null, error: null };
}

interface JsRow extends Row {
  /** `n` parses in a child process; `alloc` asks for the allocation per parse too. */
  run(alloc: boolean): JsResult;
}

/**
 * The table: for each large payload, Prometheus' parser and promwire's two
 * layers, CPU ms per parse (median of the rounds), MB/s of CPU time, and
 * promwire's speed as a multiple of Prometheus'.
 */
export async function textparseTable(quick: boolean): Promise<string> {
  const built = buildProgram();
  if ('skip' in built) return `Prometheus 3.5 rows skipped: ${built.skip}.`;
  const rounds = quick ? 2 : 5;
  const n = quick ? 2 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'promwire-bench-'));
  try {
    const large = generatePayload(LARGE);
    const pb = largeProtobuf();
    const payloads: { name: string; format: Format; bytes: Uint8Array; samples: number; goRow: string }[] = [
      { name: 'large text', format: 'text', bytes: large.text, samples: large.model.samples, goRow: 'PromParser' },
      {
        name: 'large openmetrics',
        format: 'openmetrics',
        bytes: large.openmetrics,
        samples: large.model.samples,
        goRow: 'OpenMetricsParser',
      },
      { name: 'large protobuf', format: 'protobuf', bytes: pb.bytes, samples: pb.samples, goRow: 'ProtobufParser' },
    ];
    const out = [
      '| payload | row | what one parse is | CPU ms per parse | MB/s (CPU) | allocated B per input B | promwire vs Prometheus 3.5 |',
      '|---|---|---|---:|---:|---:|---:|',
    ];
    for (const p of payloads) {
      process.stderr.write(`textparse: ${p.name}\n`);
      const file = join(dir, `payload.${p.format}`);
      writeFileSync(file, p.bytes);
      const goRow = makeRow(
        `Prometheus 3.5 textparse ${p.goRow}`,
        'Next() over every entry; Series()/Histogram() and Labels() for every sample; Help/Type/Unit',
      );
      const jsRows = JS_ROWS.filter((r) => p.format !== 'protobuf' || r.textOnly !== true).map(
        (r): JsRow => ({
          ...makeRow(r.row, r.what),
          run: (alloc) => runJs(r.child, p.format, file, n, [...(r.modes ?? []), ...(alloc ? ['alloc'] : [])]),
        }),
      );
      // Checks, once, untimed: every row meets every sample.
      try {
        const r = runGo(built.file, p.format, file, 1);
        const got = r.series + r.histograms;
        if (got !== p.samples) goRow.error = `met ${got} samples, expected ${p.samples}`;
        goRow.allocPerByte = r.allocBytesPerParse / p.bytes.length;
      } catch (e) {
        goRow.error = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'failed';
      }
      for (let round = 0; round < rounds; round++) {
        if (goRow.error === null) goRow.cpuMs.push(runGo(built.file, p.format, file, n).cpuNsPerParse / 1e6);
        for (const r of jsRows) {
          if (r.error !== null) continue;
          // The allocation is measured once, in the first round.
          const got = r.run(round === 0);
          if (got.samples !== p.samples) r.error = `met ${got.samples} samples, expected ${p.samples}`;
          r.cpuMs.push(got.cpuNsPerParse / 1e6);
          if (got.allocBytesPerParse !== null) r.allocPerByte = got.allocBytesPerParse / p.bytes.length;
        }
      }
      const goMs = goRow.cpuMs.length > 0 ? median(goRow.cpuMs) : null;
      for (const r of [goRow, ...jsRows]) {
        if (r.error !== null) {
          out.push(`| ${p.name} | ${r.row} | ${r.what} | | | | WRONG: ${r.error} |`);
          continue;
        }
        const ms = median(r.cpuMs);
        const mbs = p.bytes.length / MB / (ms / 1000);
        const alloc = r.allocPerByte === null ? 'n/a' : fmt(r.allocPerByte, 1);
        const vs = r === goRow || goMs === null ? '' : ratio(goMs, ms);
        out.push(
          `| ${p.name} (${fmt(p.bytes.length / MB, 2)} MB) | ${r.row} | ${r.what} | ${fmt(ms, 1)} | ${fmt(mbs, 0)} | ${alloc} | ${vs} |`,
        );
      }
    }
    out.push(
      '',
      `CPU time of the process (user + system, all threads, garbage collection included) per parse, median of ${rounds} rounds ` +
        `of ${n} parses, Go and JavaScript alternating; a ratio above 1x means promwire used less CPU than Prometheus' parser on the same bytes. ` +
        "Go's allocation is runtime.MemStats.TotalAlloc; promwire's is bench/alloc.ts's measure.",
    );
    return out.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
