/**
 * The benchmark cases of `npm run bench` (bench/run.ts measures them and
 * prints the tables): the parser rows over each payload and the encoder
 * rows over the large set. bench/protobuf.ts adds the protobuf rows.
 */
import { encode, encodeChunks, parse } from '../src/index.js';
import type { Format, MetricFamily } from '../src/index.js';
import { buildPromClient, pptSamples } from './competitors.js';
import type { PromClientSetup } from './competitors.js';
import { LARGE, generatePayload } from './generate.js';
import { buildMetricSet } from './metricset.js';
import { pullNextOnly, pullWalk, sampleCount } from './walk.js';

// ---------------------------------------------------------------------------
// Cases

export type RowKind = 'promwire' | 'competitor' | 'floor';

export interface Case {
  area: 'parse' | 'encode' | 'snappy' | 'remote-write';
  payload: string;
  /**
   * Rows compared with each other: a promwire row's ratios are against every
   * competitor of its group. Defaults to the payload (parse) or 'text' (encode).
   */
  group?: string;
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

export function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

/** The floor: a plain loop over every byte (counting line feeds, so the loop is not optimised away). */
export function byteLoop(b: Uint8Array): number {
  let n = 0;
  const len = b.length;
  for (let i = 0; i < len; i++) if (b[i] === 0x0a) n++;
  return n;
}

export function countLines(b: Uint8Array): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Sample lines: not blank, not a comment. */
export function countSampleLines(b: Uint8Array): number {
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

/**
 * A payload whose label values are (almost) all different: pod names and
 * trace ids, as a scrape of many short-lived series has. The interning
 * cache misses on each; what the pull API's window slices are for.
 */
export function uniqueValuesPayload(samples: number): Uint8Array {
  let s = '# TYPE req_total counter\n';
  for (let i = 0; i < samples; i++) {
    const pod = `web-${((i * 2654435761) % 1e9).toString(36)}-${((i * 40503) % 65536).toString(16)}`;
    s += `req_total{pod="${pod}",trace="${(i * 97 + 13).toString(36).padStart(12, '0')}",code="200"} ${i}\n`;
  }
  return new TextEncoder().encode(s);
}

export function parseCases(
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
      row: 'promwire pull API, copyStrings: true',
      kind: 'promwire',
      run: () => pullWalk(bytes, format, true),
      check: (r) => {
        const got = (r as { samples: number }).samples;
        expect(got === samples, `walked ${got} samples, expected ${samples}`);
        return "diagnostic: every string a copy (interned), against the pull API row's window slices";
      },
    });
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

export function encodeCases(): Case[] {
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

/** The cases by `Area/case` name (`parse/large text: promwire pull API`), in table order. */
export type Cases = Record<string, Case>;

export function keyed(list: Case[]): Cases {
  const out: Cases = {};
  for (const c of list) out[`${c.area}/${c.payload}: ${c.row}`] = c;
  return out;
}
