/**
 * The fuzzer's input maker: a seed corpus and structure-aware byte mutations.
 *
 * Every input is a pure function of (seed, iteration): `makeInput(corpus,
 * seed, i)` seeds its own PRNG from both, so any finding can be made again
 * from the two numbers alone, whatever ran before it.
 *
 * Mutations (in the spirit of libFuzzer's and of Prometheus'
 * util/fuzzing corpus): bit flips; overwrites and insertions of the bytes
 * the grammar cares about (`\ " { } = , # space tab LF CR NUL 0xff`);
 * dictionary tokens (keywords, suffixes, number spellings); UTF-8
 * fragments, valid and broken (truncated sequences, overlong forms,
 * surrogates, BOM); deletions, duplications and repetitions of ranges;
 * splices of lines from other seeds; line swaps; truncations.
 */
import { Rng } from '../bench/generate.js';

export interface Seed {
  /** Where it came from, for reports. */
  name: string;
  bytes: Uint8Array;
  /** OpenMetrics seeds get `# EOF` back after a window is cut out of them. */
  openmetrics: boolean;
  /** Byte offsets of line starts, for line-aligned windows and splices. */
  lines: number[];
}

export function makeSeed(name: string, bytes: Uint8Array, openmetrics: boolean): Seed {
  const lines = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && i + 1 < bytes.length) lines.push(i + 1);
  return { name, bytes, openmetrics, lines };
}

const enc = new TextEncoder();

/** Bytes the tokenizers branch on. */
const INTERESTING_BYTES = [
  0x5c, 0x22, 0x7b, 0x7d, 0x3d, 0x2c, 0x23, 0x0a, 0x00, 0xff, 0x20, 0x09, 0x0d, 0x2e, 0x2b, 0x2d, 0x65, 0x30, 0x39, 0x5f, 0x3a, 0x7f, 0x80,
  0xc0, 0xe0, 0xf0, 0xf8,
];

/** Keywords, suffixes, separators and number spellings, each a unit the grammar knows. */
const DICTIONARY = [
  '# HELP ',
  '# TYPE ',
  '# UNIT ',
  '# EOF',
  '# EOF\n',
  '#',
  '# ',
  ' # {',
  '} ',
  '{',
  '}',
  '="',
  '",',
  '"',
  '\\',
  '\\\\',
  '\\"',
  '\\n',
  '\\t',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'unknown',
  'untyped',
  '_total',
  '_created',
  '_bucket',
  '_count',
  '_sum',
  '_gcount',
  '_gsum',
  '_info',
  'le="+Inf"',
  'le="0.5"',
  'quantile="0.5"',
  '__name__',
  '"my.metric"',
  '{"a.b"}',
  '"label.name"="v"',
  'NaN',
  'nan',
  '+Inf',
  '-Inf',
  'Inf',
  'inf',
  '+inf',
  'Infinity',
  '-infinity',
  '+NaN',
  '1e+06',
  '1E6',
  '1e-07',
  '1e309',
  '-1e309',
  '4.9e-324',
  '0x1A',
  '0X1p-2',
  '1_000',
  '.5',
  '5.',
  '-0',
  '+0',
  '00',
  '1.5.5',
  '1e',
  'e1',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775808',
  '-9223372036854775809',
  '1520879607.789',
  '1e3',
  '123456789012345678901234567890',
  '0.1',
  ' 1 ',
  '\t',
  '\r\n',
  '\n\n',
];

/** UTF-8 pieces: valid multibyte characters and the malformed sequences a decoder must reject or replace. */
const UTF8_FRAGMENTS: Uint8Array[] = [
  enc.encode('é'),
  enc.encode('東'),
  enc.encode('🚀'),
  enc.encode('\u2028'),
  enc.encode('\ufeff'),
  enc.encode('\u0085'),
  enc.encode('\u00a0'),
  enc.encode('Ω≈ç√'),
  Uint8Array.of(0xc3), // truncated 2-byte
  Uint8Array.of(0xe6, 0x9d), // truncated 3-byte
  Uint8Array.of(0xf0, 0x9f, 0x9a), // truncated 4-byte
  Uint8Array.of(0xc0, 0x80), // overlong NUL
  Uint8Array.of(0xe0, 0x80, 0xaf), // overlong '/'
  Uint8Array.of(0xed, 0xa0, 0x80), // UTF-16 surrogate
  Uint8Array.of(0xf4, 0x90, 0x80, 0x80), // above U+10FFFF
  Uint8Array.of(0x80), // lone continuation
  Uint8Array.of(0xfe),
  Uint8Array.of(0xff),
];

const DICT_BYTES = DICTIONARY.map((s) => enc.encode(s));

/** Caps the input size so that one execution stays short. */
export const MAX_INPUT = 256 * 1024;

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function insert(buf: Uint8Array, at: number, piece: Uint8Array): Uint8Array {
  return concat([buf.subarray(0, at), piece, buf.subarray(at)]);
}

function lineAt(seed: Seed, k: number): Uint8Array {
  const s = seed.lines[k]!;
  const e = k + 1 < seed.lines.length ? seed.lines[k + 1]! : seed.bytes.length;
  return seed.bytes.subarray(s, e);
}

/** A random line (with its line feed, when it has one) of a random seed. */
function randomLine(rng: Rng, corpus: Seed[]): Uint8Array {
  const seed = rng.pick(corpus);
  return lineAt(seed, rng.int(seed.lines.length));
}

/** Line-start offsets of buf. */
function lineStarts(buf: Uint8Array): number[] {
  const out = [0];
  for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a && i + 1 < buf.length) out.push(i + 1);
  return out;
}

/** The names of the mutations, in the order `mutateOnce` numbers them (for statistics). */
export const MUTATIONS = [
  'flip-bit',
  'set-byte',
  'insert-byte',
  'insert-token',
  'insert-utf8',
  'delete-range',
  'duplicate-range',
  'repeat-range',
  'splice-line',
  'swap-lines',
  'truncate',
  'replace-number',
  'drop-line',
] as const;

function mutateOnce(rng: Rng, buf: Uint8Array, corpus: Seed[]): Uint8Array {
  const n = buf.length;
  const pos = (): number => rng.int(n + 1);
  const op = rng.int(MUTATIONS.length);
  switch (MUTATIONS[op]) {
    case 'flip-bit': {
      if (n === 0) return buf;
      const out = buf.slice();
      const i = rng.int(n);
      out[i] = out[i]! ^ (1 << rng.int(8));
      return out;
    }
    case 'set-byte': {
      if (n === 0) return buf;
      const out = buf.slice();
      out[rng.int(n)] = rng.pick(INTERESTING_BYTES);
      return out;
    }
    case 'insert-byte':
      return insert(buf, pos(), Uint8Array.of(rng.pick(INTERESTING_BYTES)));
    case 'insert-token':
      return insert(buf, pos(), rng.pick(DICT_BYTES));
    case 'insert-utf8':
      return insert(buf, pos(), rng.pick(UTF8_FRAGMENTS));
    case 'delete-range': {
      if (n === 0) return buf;
      const s = rng.int(n);
      const len = 1 + rng.int(Math.min(16, n - s));
      return concat([buf.subarray(0, s), buf.subarray(s + len)]);
    }
    case 'duplicate-range': {
      if (n === 0) return buf;
      const s = rng.int(n);
      const len = 1 + rng.int(Math.min(64, n - s));
      return insert(buf, pos(), buf.slice(s, s + len));
    }
    case 'repeat-range': {
      // Long tokens: names, values and lines past the limits.
      if (n === 0) return buf;
      const s = rng.int(n);
      const len = 1 + rng.int(Math.min(8, n - s));
      // Mostly short repeats; one in four reaches tens of KB (line and value limits).
      const times = 1 << (rng.chance(0.25) ? 8 + rng.int(8) : 2 + rng.int(6));
      const piece = new Uint8Array(Math.min(len * times, MAX_INPUT - n));
      for (let i = 0; i < piece.length; i++) piece[i] = buf[s + (i % len)]!;
      return insert(buf, s, piece);
    }
    case 'splice-line': {
      const starts = lineStarts(buf);
      const at = rng.chance(0.8) ? rng.pick(starts) : pos();
      return insert(buf, at, randomLine(rng, corpus));
    }
    case 'swap-lines': {
      const starts = lineStarts(buf);
      if (starts.length < 2) return buf;
      const a = rng.int(starts.length - 1);
      const b = a + 1 + rng.int(starts.length - 1 - a);
      const end = (k: number): number => (k + 1 < starts.length ? starts[k + 1]! : n);
      const la = buf.subarray(starts[a]!, end(a));
      const lb = buf.subarray(starts[b]!, end(b));
      return concat([buf.subarray(0, starts[a]!), lb, buf.subarray(end(a), starts[b]!), la, buf.subarray(end(b))]);
    }
    case 'truncate':
      return buf.subarray(0, rng.int(n + 1));
    case 'replace-number': {
      // Find a digit run and replace it with a dictionary number spelling.
      if (n === 0) return buf;
      let i = rng.int(n);
      let tries = 0;
      while (tries++ < n && !(buf[i]! >= 0x30 && buf[i]! <= 0x39)) i = (i + 1) % n;
      if (tries > n) return buf;
      let s = i;
      while (s > 0 && isNumberByte(buf[s - 1]!)) s--;
      let e = i;
      while (e < n && isNumberByte(buf[e]!)) e++;
      const tok = rng.pick(NUMBER_DICT);
      return concat([buf.subarray(0, s), tok, buf.subarray(e)]);
    }
    case 'drop-line': {
      const starts = lineStarts(buf);
      const k = rng.int(starts.length);
      const e = k + 1 < starts.length ? starts[k + 1]! : n;
      return concat([buf.subarray(0, starts[k]!), buf.subarray(e)]);
    }
    default:
      return buf;
  }
}

function isNumberByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x65 || c === 0x45;
}

/** The dictionary's number spellings, for `replace-number`. */
const NUMBER_DICT = DICTIONARY.filter((t) => /^[-+.0-9]|^(nan|inf)/i.test(t) && !/\s/.test(t)).map((t) => enc.encode(t));

const EOF_LINE = enc.encode('# EOF\n');

/** A line-aligned window of a seed: large payloads are fuzzed a few lines at a time. */
function window(rng: Rng, seed: Seed): Uint8Array {
  if (seed.bytes.length <= 4096 || rng.chance(0.02)) return seed.bytes;
  const count = 1 + rng.int(40);
  const first = rng.int(seed.lines.length);
  const last = Math.min(seed.lines.length, first + count);
  const s = seed.lines[first]!;
  const e = last < seed.lines.length ? seed.lines[last]! : seed.bytes.length;
  const w = seed.bytes.subarray(s, e);
  // OpenMetrics requires `# EOF` last; without it nearly every window would
  // stop at MISSING_EOF and reach nothing deeper.
  return seed.openmetrics && rng.chance(0.8) ? concat([w, EOF_LINE]) : w;
}

/** Mixes the run seed and the iteration into one 32-bit PRNG seed. */
export function inputSeed(seed: number, i: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (i >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (i & 0xffff) ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16) ^ i) >>> 0;
}

/** Input number `i` of a run with `seed`: a window of a seed, then 1 to 8 mutations (sometimes none). */
export function makeInput(corpus: Seed[], seed: number, i: number): Uint8Array {
  const rng = new Rng(inputSeed(seed, i));
  // Small seeds are more interesting per byte: pick them twice as often.
  let s = rng.pick(corpus);
  if (s.bytes.length > 4096 && rng.chance(0.5)) s = rng.pick(corpus);
  let buf: Uint8Array = window(rng, s);
  if (rng.chance(0.03)) return buf;
  const rounds = 1 + rng.int(rng.chance(0.5) ? 3 : 8);
  for (let k = 0; k < rounds; k++) {
    buf = mutateOnce(rng, buf, corpus);
    if (buf.length > MAX_INPUT) buf = buf.subarray(0, MAX_INPUT);
  }
  return buf;
}
