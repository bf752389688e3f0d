/**
 * Keeps one object of each hot class alive for the life of the process, so
 * that a parse after a full garbage collection runs optimised code.
 *
 * Why: V8 gives objects hidden classes ("maps") and holds the transitions
 * between maps weakly. When the last object with a map dies (the parser of
 * the previous scrape), the next full GC frees that map, and every optimised
 * function that embedded it is thrown away ("marking dependent code for
 * deoptimization, reason: weak objects" in `node --trace-deopt`) along with
 * its inline caches; the next parse starts again in the interpreter and is
 * optimised anew, partway through. A scraper parses every few seconds and a
 * full GC falls between parses, so this was the common case, not a benchmark
 * artefact. Measured (ad hoc, dist build, Node 20, the bench's 15.7 MB text
 * payload): `next()` over the whole payload took 41-44 ms when the previous
 * parser was still alive and 64-76 ms after `gc()` once it had died; keeping a
 * parser created after the warm-up alive brought it back to 41 ms.
 * `npm run bench -- --only textparse` prints the rows that show it: the pull
 * API with a full GC before each parse, with the kept objects and without
 * (released, a diagnostic).
 *
 * A kept object holds the class's final map only if no field changes its
 * representation after construction (V8 moves every object to a new map when
 * a field first holding small integers gets a double): classes kept here
 * initialise such fields with a double, and test/keep-shape.test.ts checks,
 * in a child process with V8's natives syntax, that each kept object shares
 * its map with instances that walked real payloads.
 *
 * The cost: three parsers and a families builder, about 136 KB, for the life
 * of the process; runtimes without this behaviour lose nothing else.
 */

/**
 * The kept objects, on the global object: a module-level array that nothing
 * reads is removed by bundlers (Rollup turned `keepShape` into `return o`,
 * and the objects became garbage again). One array per process, whichever
 * copy of promwire (ESM, CJS) is loaded.
 */
const kept: object[] = ((globalThis as Record<symbol, object[] | undefined>)[Symbol.for('promwire.keptShapes')] ??= []);

/** Keeps `o` alive for the life of the process; returns it. */
export function keepShape<T extends object>(o: T): T {
  kept.push(o);
  return o;
}

/** @internal The kept objects (for test/keep-shape.test.ts). */
export function keptShapes(): readonly object[] {
  return kept;
}

/**
 * @internal Lets the kept objects go (a bench diagnostic: the row that shows
 * what keeping them prevents, bench/textparse-child.ts). Never call it in a
 * program that parses.
 */
export function releaseShapesForBench(): void {
  kept.length = 0;
}
