/**
 * Run by test/keep-shape.test.ts as
 * `node --allow-natives-syntax --expose-gc --import tsx test/helpers/keep-shape-child.ts DIR`:
 * walks the text, OpenMetrics and protobuf payloads in DIR (`payload.text`,
 * `payload.openmetrics`, `payload.protobuf`; made by the test, so that no
 * generator or encoder code runs here) through the pull
 * API and the families layer, then prints one JSON line:
 * - `maps`: for each object kept by core/keep-shape.ts (and each object it
 *   holds of a class of ours), whether it shares its V8 map with the live
 *   instance of its class that walked the payloads (`%HaveSameMap`);
 * - `walks`: per format, ms of the walk before and after a full GC (`gc()`), for
 *   the test to print, not to assert on.
 * V8's deoptimisation trace (`--trace-deopt`, when the test passes it) goes to
 * stdout before that line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keptShapes } from '../../src/core/keep-shape.js';
import { FamilyBuilder } from '../../src/parse/families.js';
import { Entry, Parser } from '../../src/parse/parser.js';

const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const dir = process.argv[2]!;
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

// A property read moves an object off a deprecated map (V8 migrates it), so
// every map is compared before anything is read from that object.
const maps: { class: string; same: boolean }[] = [];
const check = (kept: object, alive: object[], depth: number): void => {
  const same = alive.some((a) => sameMap(kept, a));
  maps.push({ class: kept.constructor.name, same });
  if (depth === 0) return;
  const liveInner = alive.flatMap(inner);
  for (const k of inner(kept))
    check(
      k,
      liveInner.filter((x) => x.constructor === k.constructor),
      depth - 1,
    );
};
const kept = keptShapes();
const sameTop = kept.map((k) => live.some((l) => sameMap(k, l)));
kept.forEach((k, i) => {
  const alive = live.filter((x) => x.constructor === k.constructor);
  if (alive.length === 0) throw new Error(`no live ${k.constructor.name} to compare the kept one with`);
  maps.push({ class: k.constructor.name, same: sameTop[i]! });
  const liveInner = alive.flatMap(inner);
  for (const o of inner(k))
    check(
      o,
      liveInner.filter((x) => x.constructor === o.constructor),
      1,
    );
});
process.stdout.write(`${JSON.stringify({ maps, walks })}\n`);
