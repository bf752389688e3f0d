/**
 * Run by test/keep-shape.test.ts as
 * `node --allow-natives-syntax --expose-gc --import tsx test/helpers/keep-shape-child.ts DIR [release]`:
 * walks the text, OpenMetrics and protobuf payloads in DIR (`payload.text`,
 * `payload.openmetrics`, `payload.protobuf`; made by the test, so that no
 * generator or encoder code runs here) through the pull
 * API and the families layer, then prints one JSON line:
 * - `maps`: for each object kept by core/keep-shape.ts (and each object it
 *   holds of a class of ours), whether it shares its V8 map with the live
 *   instance of its class that walked the payloads (`%HaveSameMap`);
 * - `walks`: per format, ms of the walk before and after a full GC (`gc()`), for
 *   whoever runs this by hand (nothing asserts on time).
 * V8's deoptimisation trace (`--trace-deopt`, when the test passes it) goes to
 * stdout before that line. With `release`, the kept objects are let go first
 * (`releaseShapesForBench`): the control run, whose trace must show the
 * parser code thrown away, so that a trace that no longer says so (another V8)
 * cannot make the test pass without testing anything.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keptShapes, releaseShapesForBench } from '../../src/core/keep-shape.js';
import { FamilyBuilder } from '../../src/parse/families.js';
import { Entry, Parser } from '../../src/parse/parser.js';

const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const dir = process.argv[2]!;
const release = process.argv[3] === 'release';
if (release) releaseShapesForBench();
const read = (format: string): Uint8Array => new Uint8Array(readFileSync(join(dir, `payload.${format}`)));
const payloads = { text: read('text'), openmetrics: read('openmetrics'), protobuf: read('protobuf') } as const;

/** Every accessor of every entry, as a consumer of the pull API would call them. */
function walk(bytes: Uint8Array, format: keyof typeof payloads): object[] {
  const p = new Parser(bytes, { format });
  const fb = new FamilyBuilder(format);
  let n = 0;
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    fb.add(p, e);
    if (e === Entry.Series || e === Entry.Histogram) {
      n += p.metricName().length + p.labelCount();
      for (let i = 0; i < p.labelCount(); i++) n += p.labelName(i).length + p.labelValue(i).length;
      if (e === Entry.Series) n += p.value() > 0 ? 1 : 0;
      if (p.hasExemplar()) n += p.exemplars().length;
      n += p.timestamp() ?? 0;
    }
  }
  fb.flush();
  if (n === 0) throw new Error('empty walk');
  return [p, fb];
}

// First the walks that die before the GC, as a scraper's parsers do between
// scrapes (nothing here may keep them, or their maps would live anyway).
const walks: Record<string, { beforeGc: number; afterGc: number }> = {};
for (const format of ['text', 'openmetrics', 'protobuf'] as const) {
  for (let i = 0; i < 4; i++) walk(payloads[format], format);
  let t = performance.now();
  walk(payloads[format], format);
  const beforeGc = performance.now() - t;
  gc();
  t = performance.now();
  walk(payloads[format], format);
  walks[format] = { beforeGc, afterGc: performance.now() - t };
}
// Then instances kept for the map comparison.
const live: object[] = [];
for (const format of ['text', 'openmetrics', 'protobuf'] as const) live.push(...walk(payloads[format], format));

/** Objects of our classes held by `o`, one level down (the parser's Scanner, StringMaker, rules). */
function inner(o: object): object[] {
  const out: object[] = [];
  for (const v of Object.values(o)) {
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || Array.isArray(v)) continue;
    if (v instanceof Set || v instanceof Map) continue;
    if (Object.getPrototypeOf(v) === Object.prototype) continue;
    out.push(v);
  }
  return out;
}

// A property read (even of `constructor`) moves an object off a deprecated map
// (V8 migrates it), so each kept object's map is compared with every live
// object's before anything is read from it: a map fixes the class anyway.
const maps: { class: string; same: boolean }[] = [];
const check = (kept: object, alive: object[], depth: number): void => {
  const same = alive.some((a) => sameMap(kept, a));
  maps.push({ class: kept.constructor.name, same });
  if (depth > 0) for (const o of inner(kept)) check(o, alive.flatMap(inner), depth - 1);
};
if (!release) for (const k of keptShapes()) check(k, live, 2);
process.stdout.write(`${JSON.stringify({ maps, walks })}\n`);
