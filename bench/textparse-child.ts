/**
 * promwire's side of the "Prometheus 3.5" table (bench/textparse.ts), in a
 * process of its own as bench/go/textparse is: it reads the payload from the
 * same file, and its heap holds that payload and nothing else (the bench's
 * own process holds every generated payload and model, hundreds of MB, which
 * every garbage collection of a parse there has to walk past).
 *
 *   node --expose-gc --import tsx bench/textparse-child.ts FORMAT FILE N ROW [MODE...]
 *
 * ROW is `walk` (the pull API with every string) or `parse` (`parse()` to
 * families). Prints one JSON line: samples met, process CPU ns per parse
 * (user + system, every thread) over N parses after one untimed parse, and
 * with `alloc` the allocated bytes per parse (bench/alloc.ts; null without
 * it). With `gc-each`, a
 * full GC runs before each timed parse, outside the timing, as one falls
 * between a scraper's parses: the parsers keep their optimised code across it
 * (src/core/keep-shape.ts), and this mode shows whether they do (no
 * allocation is measured then).
 */
import { readFileSync } from 'node:fs';
import { parse } from '../src/index.js';
import type { Format } from '../src/index.js';
import { releaseShapesForBench } from '../src/core/keep-shape.js';
import { setScannerTechniquesForBench } from '../src/parse/scanner.js';
import { CAN_MEASURE_ALLOC, bytesAllocated, gcIfExposed } from './alloc.js';
import { pullWalk, sampleCount } from './walk.js';

const [format, file, nArg, row, ...modes] = process.argv.slice(2) as [Format, string, string, string, ...string[]];
const bytes = new Uint8Array(readFileSync(file));
const n = Number(nArg);
const gcEach = modes.includes('gc-each');
const measureAlloc = modes.includes('alloc');
if (modes.includes('release-shapes')) releaseShapesForBench();
if (modes.includes('no-compare')) setScannerTechniquesForBench({ compareLines: false });
if (modes.includes('no-whole-utf8')) setScannerTechniquesForBench({ wholeBufferUtf8: false });

const run = row === 'walk' ? (): number => pullWalk(bytes, format).samples : (): number => sampleCount(parse(bytes, { format }));
const sink: { value: unknown } = { value: undefined };

// One untimed parse, as the Go program does; no forced GC after it (its
// concurrent sweeping would be counted in the timed parses), except in
// `gc-each` mode, where that is the point.
const samples = run();
let cpuUs = 0;
for (let i = 0; i < n; i++) {
  if (gcEach) gcIfExposed();
  const c0 = process.cpuUsage();
  sink.value = run();
  const c = process.cpuUsage(c0);
  cpuUs += c.user + c.system;
}
sink.value = undefined;
const allocBytesPerParse = measureAlloc && CAN_MEASURE_ALLOC && !gcEach ? await bytesAllocated(run, 1) : null;
process.stdout.write(`${JSON.stringify({ samples, cpuNsPerParse: (cpuUs * 1000) / n, allocBytesPerParse })}\n`);
